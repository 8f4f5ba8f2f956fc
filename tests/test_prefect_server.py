"""reportflow's Prefect server settings (reportflow/prefect_server.py): set where they should be,
never over a value the user set, and in force on the servers reportflow starts.

The standing server (`reportflow prefect-server`) is checked for real in test_ops_server.py;
here the temporary server a run starts, the command line, and `reportflow doctor`'s check.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from reportflow import prefect_server
from reportflow.commands.doctor import check_prefect_server_settings, run_checks
from reportflow.commands.server import server_command
from reportflow.config import Settings

BATCH_ENV = prefect_server.RECORDER_BATCH_SIZE_ENV
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_defaults_fill_in_but_never_override() -> None:
    environ = {BATCH_ENV: "7", "PATH": "/bin"}
    applied = prefect_server.apply_defaults(environ)
    assert environ[BATCH_ENV] == "7" and BATCH_ENV not in applied
    assert environ["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false"
    empty: dict[str, str] = {}
    assert prefect_server.apply_defaults(empty) == dict(prefect_server.SERVER_DEFAULTS)
    assert empty[BATCH_ENV] == str(prefect_server.TASK_RUN_RECORDER_BATCH_SIZE)
    base = {"HOME": "/root"}
    environment = prefect_server.server_environment(base)
    assert base == {"HOME": "/root"}, "the caller's mapping is left as it was"
    assert environment["HOME"] == "/root" and environment[BATCH_ENV] == "100"


def test_batch_size_read_from_the_admin_settings_answer() -> None:
    answer = {"server": {"services": {"task_run_recorder": {"batch_size": 100, "flush_interval": 5.0}}}}
    assert prefect_server.recorder_batch_size(answer) == 100
    assert prefect_server.recorder_batch_size({"server": {}}) is None
    assert prefect_server.recorder_batch_size({"server": {"services": {"task_run_recorder": {"batch_size": "x"}}}}) is None
    assert prefect_server.recorder_batch_size([]) is None  # type: ignore[arg-type]


def test_the_temporary_server_of_a_run_gets_the_settings() -> None:
    """Importing the flow module is enough: the temporary server inherits its environment."""
    from prefect.client.orchestration import get_client

    import flows.ingest  # noqa: F401 - the import applies the defaults

    with get_client(sync_client=True) as client:
        settings = client.request("GET", "/admin/settings").json()
    assert prefect_server.recorder_batch_size(settings) == prefect_server.TASK_RUN_RECORDER_BATCH_SIZE


def test_options_pass_through_to_prefect_server_start() -> None:
    command = server_command(["--port", "4321", "--background"])
    assert Path(command[0]).name == "prefect" and command[1:] == ["server", "start", "--port", "4321", "--background"]
    # The command's own help (a real start with --host/--port: test_ops_server.py's server).
    result = subprocess.run(
        [sys.executable, "-m", "reportflow.cli", "prefect-server", "--help"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "prefect server start" in " ".join(result.stdout.split())


class _Settings(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        if self.path == "/api/health":
            body = b"true"
        elif self.path == "/api/admin/settings" and "settings" in self.answers:
            body = json.dumps(self.answers["settings"]).encode()
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def fake_api() -> Any:
    server = HTTPServer(("127.0.0.1", 0), _Settings)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api"
    finally:
        server.shutdown()
        server.server_close()
        _Settings.answers.clear()


def _settings_with_batch(batch: int) -> dict[str, Any]:
    return {"server": {"services": {"task_run_recorder": {"batch_size": batch}}}}


def test_doctor_says_when_the_server_writes_each_state_on_its_own(fake_api: str, tmp_path: Path) -> None:
    _Settings.answers["settings"] = _settings_with_batch(1)
    check = check_prefect_server_settings(fake_api)
    assert check is not None and check.status == "warn"
    assert "batches of 1" in check.detail and "reportflow prefect-server" in check.fix
    _Settings.answers["settings"] = _settings_with_batch(100)
    check = check_prefect_server_settings(fake_api)
    assert check is not None and check.status == "ok"
    # Part of the doctor's checks when the API is up…
    names = [c.name for c in run_checks(Settings.from_env(tmp_path / "w.duckdb"), fake_api)]
    assert names[-2:] == ["Prefect API", "Prefect server settings"]
    # …and nothing said when the server does not tell.
    del _Settings.answers["settings"]
    assert check_prefect_server_settings(fake_api) is None
    names = [c.name for c in run_checks(Settings.from_env(tmp_path / "w.duckdb"), fake_api)]
    assert names[-1] == "Prefect API"
