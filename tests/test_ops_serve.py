"""`reportflow serve` without a server: what it registers, and what it says when misconfigured."""

from __future__ import annotations

import subprocess
import zoneinfo
from pathlib import Path

import pytest
from ops_support import REPO, REPORTFLOW, quiet_env

from reportflow.commands.serve import (
    ENTRYPOINT,
    INBOX_DEPLOYMENT,
    PATHS_DEPLOYMENT,
    build_deployments,
    local_timezone,
)


def test_deployments_load_the_flow_from_source(tmp_path: Path) -> None:
    from prefect.runner.storage import LocalStorage

    db, inbox = tmp_path / "wh" / "r.duckdb", tmp_path / "inbox"
    deployments = build_deployments(str(REPO), db, inbox, "15 2 * * *", "Asia/Shanghai")

    by_name = {d.name: d for d in deployments}
    assert set(by_name) == {INBOX_DEPLOYMENT, PATHS_DEPLOYMENT}
    for deployment in deployments:
        # from_source: each run loads the code from the checkout as it is then (Retry after a fix)
        assert isinstance(deployment.storage, LocalStorage)
        assert Path(deployment.storage.destination) == REPO
        assert deployment.entrypoint == ENTRYPOINT
        assert deployment.flow_name == "ingest"
    scheduled = by_name[INBOX_DEPLOYMENT]
    assert scheduled.parameters == {"paths": [str(inbox)], "db": str(db)}
    assert [(s.schedule.cron, s.schedule.timezone) for s in scheduled.schedules] == [
        ("15 2 * * *", "Asia/Shanghai")
    ]
    on_demand = by_name[PATHS_DEPLOYMENT]
    assert on_demand.parameters == {"db": str(db)} and not on_demand.schedules
    assert on_demand._parameter_openapi_schema.required == ["paths"]


def test_without_an_inbox_only_the_on_demand_deployment(tmp_path: Path) -> None:
    deployments = build_deployments(str(REPO), tmp_path / "r.duckdb", None, "0 * * * *", "UTC")
    assert [d.name for d in deployments] == [PATHS_DEPLOYMENT]


def test_local_timezone_is_an_iana_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    assert local_timezone() == "Asia/Shanghai"
    monkeypatch.delenv("TZ")
    zoneinfo.ZoneInfo(local_timezone())  # raises if the name is not a time zone


def test_serve_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    result = subprocess.run(
        [*REPORTFLOW, "serve", "--inbox", str(tmp_path / "inbox"), "--db", str(tmp_path / "r.duckdb")],
        cwd=REPO,
        env=quiet_env(PREFECT_HOME=str(tmp_path / "prefect-home")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "reportflow prefect-server" in result.stderr and "PREFECT_API_URL" in result.stderr
