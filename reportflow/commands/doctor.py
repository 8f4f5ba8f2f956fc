"""`reportflow doctor`: check what reportflow needs and say how to fix what is wrong.

Each check gives ✓ (fine), ! (worth knowing, not an error: no database yet, a run holding the
writer lock) or ✗ (broken, with the fix). The command exits 1 when any check is ✗.
"""

from __future__ import annotations

import fcntl
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import typer

from reportflow.config import Settings

log = logging.getLogger(__name__)

Status = Literal["ok", "warn", "fail"]
MARKS = {"ok": "[green]✓[/]", "warn": "[yellow]![/]", "fail": "[red]✗[/]"}


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: Status
    detail: str
    fix: str = ""


# --- OCR tools ------------------------------------------------------------------------------------


def check_tesseract() -> Check:
    from reportflow.errors import ToolMissingError
    from reportflow.extract import tesseract

    tesseract.tesseract_version.cache_clear()  # doctor wants the machine as it is now
    try:
        version = tesseract.tesseract_version()
    except ToolMissingError as exc:
        return Check("tesseract", "fail", str(exc).split(":")[0], tesseract.INSTALL_HINT)
    return Check("tesseract", "ok", f"tesseract {'.'.join(map(str, version))} at {tesseract_path()}")


def tesseract_path() -> str:
    import shutil

    return shutil.which("tesseract") or "?"


def check_languages(languages: str) -> list[Check]:
    """One check per language tesseract is configured to use, plus osd (orientation)."""
    from reportflow.errors import ToolMissingError
    from reportflow.extract import tesseract

    tesseract.installed_languages.cache_clear()
    wanted = [lang for lang in languages.split("+") if lang] + ["osd"]
    try:
        installed = tesseract.installed_languages()
    except ToolMissingError:
        return [Check(f"tesseract data {lang}", "fail", "tesseract is missing", tesseract.INSTALL_HINT) for lang in wanted]
    checks = []
    for lang in wanted:
        what = {"chi_sim": "Simplified Chinese", "eng": "English", "osd": "orientation detection"}.get(lang, lang)
        if lang in installed:
            checks.append(Check(f"tesseract data {lang}", "ok", f"{what} ({lang}.traineddata) installed"))
        else:
            package = "tesseract-ocr-" + lang.replace("_", "-")
            checks.append(Check(f"tesseract data {lang}", "fail", f"{what} ({lang}.traineddata) missing",
                                f"apt-get install {package} (or put {lang}.traineddata in $TESSDATA_PREFIX)"))
    return checks


def check_cjk_font() -> Check:
    from reportflow.provenance import CJK_FONTS

    found = next((p for p in CJK_FONTS if p.exists()), None)
    if found is None:
        return Check("CJK font", "fail", "no Chinese font for `reportflow show` on .txt facts",
                     "apt-get install fonts-wqy-zenhei")
    return Check("CJK font", "ok", str(found))


# --- the database ---------------------------------------------------------------------------------


def expected_schema_version() -> str | None:
    from reportflow.db import MIGRATIONS_DIR

    versions = sorted(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))
    return versions[-1] if versions else None


def check_database(path: Path) -> list[Check]:
    """The published file: exists, opens read-only, schema version and the analysts' views."""
    if not path.exists():
        return [Check("database", "warn", f"no database at {path} yet",
                      f"`reportflow ingest samples/ --db {path}` creates it")]
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        first_line = str(exc).splitlines()[0]
        return [Check("database", "fail", f"{path} does not open read-only: {first_line}",
                      "if another program holds it open for writing, close it (reportflow never does); if it is "
                      "corrupt, delete it: the next `reportflow ingest` publishes the working copy again")]
    try:
        size_mb = path.stat().st_size / 1e6
        checks = [Check("database", "ok", f"{path} opens read-only ({size_mb:.1f} MB)")]
        checks.append(_schema_check(con))
        checks.append(_contents_check(con))
        return checks
    finally:
        con.close()


def _schema_check(con: duckdb.DuckDBPyConnection) -> Check:
    wanted = expected_schema_version()
    try:
        have = con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0]  # type: ignore[index]
    except duckdb.Error:
        have = None
    if have is None:
        return Check("schema version", "fail", "no schema_migrations table: not a reportflow warehouse",
                     "point --db at a reportflow database, or ingest into a new file")
    if wanted and have < wanted:
        return Check("schema version", "fail", f"database at {have}, this code expects {wanted}",
                     "run `reportflow ingest` once (it migrates the working copy and publishes the new schema)")
    if wanted and have > wanted:
        return Check("schema version", "warn", f"database at {have} is newer than this code ({wanted})",
                     "update reportflow (git pull) before writing to it")
    return Check("schema version", "ok", f"{have} (current)")


ANALYST_VIEWS = ("facts_clean", "fact_sources", "indicators_wide", "targets_vs_actuals")


def _contents_check(con: duckdb.DuckDBPyConnection) -> Check:
    views = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
    missing = [v for v in ANALYST_VIEWS if v not in views]
    if missing:
        return Check("views", "fail", f"missing views: {', '.join(missing)}",
                     "run `reportflow ingest` once (views are re-created on every write and published)")
    docs, failed, facts = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE status = 'failed'), (SELECT count(*) FROM facts) FROM documents"
    ).fetchone()  # type: ignore[misc]
    status: Status = "warn" if failed else "ok"
    fix = "see `SELECT file_name, error_code, error FROM documents WHERE status = 'failed'`" if failed else ""
    return Check("contents", status, f"{docs} documents ({failed} failed), {facts} facts; views {', '.join(ANALYST_VIEWS)}", fix)


def lock_holders(lock_path: Path) -> list[int]:
    """PIDs holding a flock on ``lock_path`` (Linux /proc/locks; empty elsewhere or if none)."""
    try:
        st = lock_path.stat()
        entries = Path("/proc/locks").read_text().splitlines()
    except OSError:
        return []
    wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    pids = []
    for line in entries:
        fields = line.split()
        # e.g. "12: FLOCK  ADVISORY  WRITE 4242 08:01:1234567 0 EOF" (a "->" marks a waiter)
        if "FLOCK" in fields and "->" not in fields and len(fields) >= 6 and fields[5] == wanted:
            pids.append(int(fields[4]))
    return pids


def _command_of(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return " ".join(part.decode(errors="replace") for part in raw.split(b"\0") if part)[:160]


def check_lock(lock_path: Path) -> Check:
    if not lock_path.exists():
        return Check("writer lock", "ok", "free (no run has written yet)")
    with lock_path.open("r") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holders = lock_holders(lock_path)
            who = ", ".join(f"pid {pid} ({_command_of(pid)})" for pid in holders) or "another process"
            return Check("writer lock", "warn", f"held by {who}: a run is writing",
                         "wait for it to finish; other runs queue behind it (the lock is released when the process ends)")
        fcntl.flock(handle, fcntl.LOCK_UN)
    return Check("writer lock", "ok", f"free ({lock_path.name})")


def check_working_copy(db_path: Path, lock_free: bool) -> list[Check]:
    from reportflow.db import Warehouse

    warehouse = Warehouse(db_path)
    checks: list[Check] = []
    stale = sorted(db_path.parent.glob(f".{db_path.name}.*.publishing"))
    if stale and lock_free:
        checks.append(Check("publishing leftovers", "warn", f"{len(stale)} half-copied snapshot(s) from an interrupted publish",
                            "delete them: rm " + " ".join(str(p) for p in stale)))
    work = warehouse.work_path
    if not work.exists():
        checks.append(Check("working copy", "ok", "none (the next run copies the published file)"))
        return checks
    if not lock_free:
        checks.append(Check("working copy", "ok", f"{work.name} in use by the running writer"))
        return checks
    try:
        con = duckdb.connect(str(work), read_only=True)
        con.close()
    except duckdb.Error as exc:
        checks.append(Check("working copy", "fail", f"{work} does not open: {str(exc).splitlines()[0]}",
                            f"delete {work} (and {work}.wal): the next run starts again from the published file, "
                            "losing only loads that were never published"))
        return checks
    if db_path.exists() and work.stat().st_mtime > db_path.stat().st_mtime + 1:
        checks.append(Check("working copy", "warn", f"{work.name} has changes newer than the published file "
                            "(a run stopped before publishing)", "the next `reportflow ingest` publishes them"))
    else:
        checks.append(Check("working copy", "ok", f"{work.name} opens and matches the published snapshot"))
    return checks


# --- Prefect --------------------------------------------------------------------------------------


def configured_prefect_api() -> str | None:
    """PREFECT_API_URL from the environment, else from the active Prefect profile.

    The profile file is read directly (``$PREFECT_PROFILES_PATH``, else
    ``$PREFECT_HOME/profiles.toml``, else ``~/.prefect/profiles.toml``; ``$PREFECT_PROFILE``
    picks the profile) instead of importing Prefect, which costs ~3 s.
    """
    url = os.environ.get("PREFECT_API_URL")
    if url:
        return url
    import tomllib

    home = Path(os.environ.get("PREFECT_HOME", "~/.prefect")).expanduser()
    path = Path(os.environ.get("PREFECT_PROFILES_PATH", home / "profiles.toml")).expanduser()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    active = os.environ.get("PREFECT_PROFILE") or data.get("active") or "ephemeral"
    value = data.get("profiles", {}).get(active, {}).get("PREFECT_API_URL")
    return str(value) if value else None


def check_prefect(url: str | None, timeout_s: float = 3.0) -> Check:
    if not url:
        return Check("Prefect API", "ok", "PREFECT_API_URL not set: each run starts a temporary local Prefect server")
    health = url.rstrip("/") + "/health"
    try:
        with urllib.request.urlopen(health, timeout=timeout_s) as response:
            body = response.read(200).decode(errors="replace").strip()
            if response.status == 200:
                return Check("Prefect API", "ok", f"{url} answers ({body or 'healthy'})")
            return Check("Prefect API", "fail", f"{health} answered HTTP {response.status}",
                         "check the server logs of `prefect server start`")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check("Prefect API", "fail", f"{url} unreachable: {reason}",
                     "start it with `reportflow prefect-server` (`prefect server start` with reportflow's "
                     "settings), or unset PREFECT_API_URL (then each run starts its own)")


def check_prefect_server_settings(url: str, timeout_s: float = 5.0) -> Check | None:
    """Whether the server at ``url`` runs with reportflow's settings (reportflow/prefect_server.py).

    Read from its ``GET /api/admin/settings``; None when that cannot be read (another API
    version, a proxy that hides it): nothing to say then.
    """
    import json

    from reportflow.prefect_server import (
        RECORDER_BATCH_SIZE_ENV,
        TASK_RUN_RECORDER_BATCH_SIZE,
        recorder_batch_size,
    )

    try:
        with urllib.request.urlopen(url.rstrip("/") + "/admin/settings", timeout=timeout_s) as response:
            batch = recorder_batch_size(json.loads(response.read()))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    if batch is None:
        return None
    name = "Prefect server settings"
    if batch >= TASK_RUN_RECORDER_BATCH_SIZE:
        return Check(name, "ok", f"task-run recorder writes in batches of {batch}")
    return Check(
        name,
        "warn",
        f"task-run recorder writes in batches of {batch}: each task-run state is a transaction of its "
        "own, about 4× the server's CPU per document of batches of "
        f"{TASK_RUN_RECORDER_BATCH_SIZE} (benchmarks/README.md, Throughput)",
        "start the server with `reportflow prefect-server` (or set "
        f"{RECORDER_BATCH_SIZE_ENV}={TASK_RUN_RECORDER_BATCH_SIZE} where it runs)",
    )


# --- all together -----------------------------------------------------------------------------------


def run_checks(settings: Settings, prefect_url: str | None) -> list[Check]:
    checks = [check_tesseract(), *check_languages(settings.ocr.languages), check_cjk_font()]
    db_path = settings.db_path
    checks += check_database(db_path)
    from reportflow.db import Warehouse

    lock = check_lock(Warehouse(db_path).lock_path)
    checks.append(lock)
    checks += check_working_copy(db_path, lock_free=lock.status == "ok")
    api = check_prefect(prefect_url)
    checks.append(api)
    if prefect_url and api.status == "ok":
        server_settings = check_prefect_server_settings(prefect_url)
        if server_settings is not None:
            checks.append(server_settings)
    return checks


def register(app: typer.Typer) -> None:
    app.command(name="doctor")(doctor)


def doctor(
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB file (default: $REPORTFLOW_DB or warehouse/reportflow.duckdb).", show_default=False),
    ] = None,
) -> None:
    """Check tesseract and its Chinese data, the database file, its writer lock and working copy, and the Prefect API when configured; print what is wrong and how to fix it (exit 1 if anything is)."""
    from rich.console import Console
    from rich.table import Table

    settings = Settings.from_env(db)
    checks = run_checks(settings, configured_prefect_api())
    table = Table(title="reportflow doctor", title_justify="left", show_lines=False)
    table.add_column("", width=1)
    table.add_column("check", style="bold")
    table.add_column("result", overflow="fold")
    table.add_column("fix", overflow="fold")
    for c in checks:
        table.add_row(MARKS[c.status], c.name, c.detail, c.fix)
    console = Console()
    console.print(table)
    failed = [c for c in checks if c.status == "fail"]
    if failed:
        console.print(f"[red]{len(failed)} problem(s)[/]: {', '.join(c.name for c in failed)}")
        raise typer.Exit(1)
    console.print("[green]all good[/]" + (" (see the ! notes)" if any(c.status == "warn" for c in checks) else ""))
