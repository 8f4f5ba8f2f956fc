"""`reportflow doctor`: each check on the real machine, and each failure made real (no tesseract
on PATH, missing language data, corrupt files, a lock held by another process, a Prefect API
that is down or up)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner
from views_fixtures import BuiltWarehouse, build_gold_warehouse

from reportflow.cli import app
from reportflow.commands.doctor import (
    check_database,
    check_languages,
    check_lock,
    check_prefect,
    check_tesseract,
    check_working_copy,
    configured_prefect_api,
    run_checks,
)
from reportflow.config import Settings
from reportflow.db import MIGRATIONS_DIR, Warehouse

LATEST_MIGRATION = max(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))

TESSERACT = pytest.mark.skipif(not any((Path(p) / "tesseract").exists() for p in os.environ.get("PATH", "").split(":")),
                               reason="tesseract is not installed")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_gold_warehouse(tmp_path_factory.mktemp("doctor"))


@pytest.fixture(autouse=True)
def no_prefect_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(tmp_path / "no-profiles.toml"))


@TESSERACT
def test_a_healthy_setup_passes_every_check(built: BuiltWarehouse) -> None:
    checks = run_checks(Settings.from_env(built.path), configured_prefect_api())
    by_name = {c.name: c for c in checks}
    assert [c for c in checks if c.status == "fail"] == []
    assert by_name["tesseract"].detail.startswith("tesseract 5.") or by_name["tesseract"].detail.startswith("tesseract 4.")
    assert by_name["tesseract data chi_sim"].status == by_name["tesseract data osd"].status == "ok"
    assert by_name["schema version"].detail == f"{LATEST_MIGRATION} (current)"
    assert by_name["writer lock"].status == "ok"
    assert "5 documents (1 failed)" in by_name["contents"].detail  # the gold warehouse has one failed file
    result = CliRunner().invoke(app, ["doctor", "--db", str(built.path)])
    assert result.exit_code == 0, result.output


def test_no_tesseract_on_path_fails_with_the_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no tesseract
    check = check_tesseract()
    assert check.status == "fail" and "apt-get install tesseract-ocr" in check.fix
    assert all(c.status == "fail" for c in check_languages("chi_sim+eng"))


@TESSERACT
def test_missing_chinese_data_is_named_with_its_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    eng = next(Path(p) for p in ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                                 "/usr/share/tessdata") if (Path(p) / "eng.traineddata").exists()) / "eng.traineddata"
    (tmp_path / "eng.traineddata").symlink_to(eng)
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))  # only English installed here
    checks = {c.name: c for c in check_languages("chi_sim+eng")}
    assert checks["tesseract data eng"].status == "ok"
    assert checks["tesseract data chi_sim"].status == "fail"
    assert "tesseract-ocr-chi-sim" in checks["tesseract data chi_sim"].fix
    assert checks["tesseract data osd"].status == "fail"


def test_database_missing_is_a_note_corrupt_or_old_is_a_failure(tmp_path: Path) -> None:
    missing = check_database(tmp_path / "none.duckdb")
    assert [c.status for c in missing] == ["warn"] and "reportflow ingest" in missing[0].fix

    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"this is not a database" * 100)
    checks = check_database(corrupt)
    assert checks[0].status == "fail" and "does not open read-only" in checks[0].detail

    old = tmp_path / "old.duckdb"
    con = duckdb.connect(str(old))
    con.execute("CREATE TABLE schema_migrations (version VARCHAR, applied_at TIMESTAMP)")
    con.execute("INSERT INTO schema_migrations VALUES ('000_prehistoric', now())")
    con.close()
    schema = {c.name: c for c in check_database(old)}
    assert schema["schema version"].status == "fail" and LATEST_MIGRATION in schema["schema version"].detail
    assert schema["views"].status == "fail"


def test_a_lock_held_by_another_process_is_named(built: BuiltWarehouse) -> None:
    lock = Warehouse(built.path).lock_path
    holder = subprocess.Popen(
        [sys.executable, "-c",
         ("import fcntl, sys, time\n"
          f"h = open({str(lock)!r}, 'a'); fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)")],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        check = check_lock(lock)
        assert check.status == "warn"
        assert f"pid {holder.pid}" in check.detail and "fcntl" in check.detail
        # While it is held, the working copy is the writer's business: not opened, not judged.
        assert [c.status for c in check_working_copy(built.path, lock_free=False)] == ["ok"]
    finally:
        holder.terminate()
        holder.wait(timeout=10)
    assert check_lock(lock).status == "ok"  # released when the process ended


def test_working_copy_problems(built: BuiltWarehouse, tmp_path: Path) -> None:
    work = Warehouse(built.path).work_path
    assert {c.status for c in check_working_copy(built.path, lock_free=True)} == {"ok"}
    # Newer than the published file: a run stopped before publishing.
    os.utime(work, (time.time() + 60, time.time() + 60))
    assert [c.status for c in check_working_copy(built.path, lock_free=True)] == ["warn"]
    # A leftover of an interrupted publish and a corrupt working copy.
    copy = tmp_path / "reportflow.duckdb"
    copy.write_bytes(built.path.read_bytes())
    (tmp_path / ".reportflow.duckdb.work").write_bytes(b"garbage" * 1000)
    (tmp_path / ".reportflow.duckdb.4242.publishing").write_bytes(b"half")
    checks = {c.name: c for c in check_working_copy(copy, lock_free=True)}
    assert checks["publishing leftovers"].status == "warn" and "4242.publishing" in checks["publishing leftovers"].fix
    assert checks["working copy"].status == "fail" and "delete" in checks["working copy"].fix


class _Health(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/api/health"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"true" if ok else b"no")

    def log_message(self, *args: object) -> None:
        pass


def test_prefect_api_reachable_or_not() -> None:
    server = HTTPServer(("127.0.0.1", 0), _Health)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api"
    try:
        up = check_prefect(url)
        assert up.status == "ok" and "true" in up.detail
    finally:
        server.shutdown()
        server.server_close()
    down = check_prefect(url, timeout_s=2.0)  # same port, nobody listening now
    assert down.status == "fail" and "reportflow prefect-server" in down.fix
    assert check_prefect(None).status == "ok"


def test_prefect_url_comes_from_env_or_the_active_profile(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert configured_prefect_api() is None
    profiles = tmp_path / "profiles.toml"
    profiles.write_text('active = "local"\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n')
    monkeypatch.setenv("PREFECT_PROFILES_PATH", str(profiles))
    assert configured_prefect_api() == "http://127.0.0.1:4200/api"
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9999/api")
    assert configured_prefect_api() == "http://127.0.0.1:9999/api"


def test_cli_exits_non_zero_when_something_is_wrong(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.duckdb"
    corrupt.write_bytes(b"x" * 5000)
    result = CliRunner().invoke(app, ["doctor", "--db", str(corrupt)])
    assert result.exit_code == 1
    assert "database" in result.output and "problem" in result.output
