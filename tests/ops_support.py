"""Helpers for the operations tests (test_ops_*, test_flow_*): inputs, a real Prefect server,
table snapshots, a copy of the project to deploy from.

Inputs are built from the repository's hand-checked report texts (tests/gold/NNN.clean.txt)
under their original file names (the fact extractor reads region and year from the name);
PDFs are real text-layer PDFs drawn with reportlab in a CJK TrueType font.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import httpx

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "gold"
PYTHON = sys.executable
REPORTFLOW = [PYTHON, "-m", "reportflow.cli"]

GOLD_NAMES = {
    "000": "kaiping-2023-report-summary.txt",
    "001": "xinhui-2023-report-digest.txt",
    "002": "jiangmen-2023-report-columns.txt",
}
CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)
DATA_TABLES = ("documents", "pages", "paragraphs", "paragraph_geometry", "facts")
VOLATILE_COLUMNS = frozenset({"ingested_at"})
"""Columns that legitimately differ between two runs producing the same data."""


def gold_paragraphs(number: str) -> list[str]:
    text = (GOLD / f"{number}.clean.txt").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def write_gold_text(folder: Path, number: str, encoding: str = "utf-8", name: str | None = None) -> Path:
    """One of the gold report texts as a .txt file (one paragraph per line) in ``encoding``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or GOLD_NAMES[number])
    path.write_bytes("\n".join(gold_paragraphs(number)).encode(encoding) + "\n".encode(encoding))
    return path


def write_text_pdf(path: Path, paragraphs: Iterable[str], chars_per_line: int = 38) -> Path:
    """A real text-layer PDF (A4, 11 pt CJK TrueType) with the paragraphs, first lines indented."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = next((f for f in CJK_FONTS if f.exists()), None)
    if font is None:
        import pytest

        pytest.skip("no CJK TrueType font installed (fonts-wqy-zenhei)")
    if "OpsCJK" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("OpsCJK", str(font), subfontIndex=0))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    _, height = A4
    size, leading, margin = 11.0, 17.0, 56.0
    y = height - margin
    for paragraph in paragraphs:
        text = "\u3000\u3000" + paragraph
        lines = [text[i : i + chars_per_line] for i in range(0, len(text), chars_per_line)]
        for line in lines:
            if y < margin:
                pdf.showPage()
                y = height - margin
            pdf.setFont("OpsCJK", size)
            pdf.drawString(margin, y, line)
            y -= leading
    pdf.showPage()
    pdf.save()
    return path


def table_snapshot(db_path: Path, tables: Iterable[str] = DATA_TABLES) -> dict[str, list[tuple]]:
    """Every row of the data tables (volatile columns left out), sorted, from a fresh read-only open."""
    snapshot: dict[str, list[tuple]] = {}
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        for table in tables:
            columns = [
                row[0]
                for row in con.execute(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
                if row[0] not in VOLATILE_COLUMNS
            ]
            rows = con.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            snapshot[table] = sorted(rows, key=repr)
    finally:
        con.close()
    return snapshot


def query(db_path: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def quiet_env(**extra: str) -> dict[str, str]:
    """The environment for child processes: no telemetry, no inherited REPORTFLOW_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTFLOW_", "PREFECT_"))}
    env.update(
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


RETRYABLE_STATUS = frozenset({429, 502, 503})
"""What Prefect's own client retries: the SQLite server answers 503 while its database is locked
(a scheduler or a runner writing at the same moment), 429 when it sheds load."""


class RetryingClient(httpx.Client):
    """An httpx client for the Prefect API that retries as `prefect.client` does, so a test of
    server behaviour does not fail on a momentary SQLite lock."""

    attempts = 8

    def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:  # type: ignore[override]
        for attempt in range(self.attempts - 1):
            response = super().request(method, url, **kwargs)
            if response.status_code not in RETRYABLE_STATUS:
                return response
            retry_after = response.headers.get("Retry-After", "")
            time.sleep(float(retry_after) if retry_after.replace(".", "", 1).isdigit() else 0.5 * 2**attempt)
        return super().request(method, url, **kwargs)


@dataclass
class PrefectServer:
    url: str
    """The API URL, e.g. http://127.0.0.1:PORT/api."""
    home: Path
    process: subprocess.Popen

    def client(self) -> httpx.Client:
        return RetryingClient(base_url=self.url, timeout=30)

    def env(self, **extra: str) -> dict[str, str]:
        return quiet_env(PREFECT_API_URL=self.url, PREFECT_HOME=str(self.home), **extra)


@contextmanager
def prefect_server(home: Path, startup_timeout_s: float = 180.0) -> Iterator[PrefectServer]:
    """`reportflow prefect-server` (`prefect server start` with reportflow's server settings;
    SQLite under ``home``) on a free port; stopped on exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = quiet_env(PREFECT_HOME=str(home), PREFECT_UI_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING")
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [*REPORTFLOW, "prefect-server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: teardown stops uvicorn's children too
    )
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + startup_timeout_s
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"prefect server exited: {(home / 'server.log').read_text(errors='replace')[-3000:]}"
                )
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"prefect server not healthy after {startup_timeout_s:.0f} s")
            time.sleep(0.5)
        yield PrefectServer(url=url, home=home, process=process)
    finally:
        stop_process_group(process)
        log.close()


def stop_process_group(process: subprocess.Popen, grace_s: float = 15.0) -> None:
    """SIGTERM the process group the child leads (start_new_session=True), then SIGKILL."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def copy_project(destination: Path) -> Path:
    """A copy of the code, SQL and GX context to deploy from (no venv, tests, data or caches)."""
    ignore = shutil.ignore_patterns(
        ".venv",
        ".git",
        "__pycache__",
        "*.egg-info",
        ".pytest_cache",
        "tests",
        "benchmarks",
        "samples",
        "*.duckdb",
        "*.duckdb.*",
        ".*.work",
        "archive",
        "data_docs*",
        "reports",
        ".cache",
        "uncommitted",
    )
    shutil.copytree(REPO, destination, ignore=ignore)
    return destination


def read_jsonl(path: Path) -> list[dict]:
    import json

    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def age_files(folder: Path, seconds: float = 600.0) -> None:
    """Backdate every file under ``folder``: inputs written by a test are not 'still being written'."""
    past = time.time() - seconds
    for path in [folder, *folder.rglob("*")] if folder.is_dir() else [folder]:
        if path.is_file():
            os.utime(path, (past, past))
