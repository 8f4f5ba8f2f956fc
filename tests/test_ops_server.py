"""Production loop against a real Prefect server: `reportflow serve`, a failing scheduled
ingestion, a fix, Retry exactly as the UI sends it — twice: once after fixing the data, once
after fixing the code.

The deployment is served from a copy of the project (`--source` defaults to the checkout the
command runs from), so the test can break and repair the code the way a developer would.
What "did not run again" means is checked two ways: what each document's task run of each
attempt logged to the Prefect API (the UI's log view: "extract: …; cached result reused"),
and $REPORTFLOW_STAGE_LOG, a line per stage that really computed.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from ops_support import (
    PYTHON,
    PrefectServer,
    age_files,
    copy_project,
    gold_paragraphs,
    prefect_server,
    query,
    read_jsonl,
    stop_process_group,
    write_gold_text,
    write_text_pdf,
)

pytestmark = [pytest.mark.server, pytest.mark.slow]

BUGGY_NAME = "xinhui-2023-report-digest.txt"
BUG_ANCHOR = (
    '    """Replace the document\'s rows in one transaction (no duplicates, never half a document)."""\n'
)
BUG = f'    if acquired.file_name == "{BUGGY_NAME}":\n        raise KeyError("simulated bug in load_document")\n'
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> PrefectServer:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as running:
        yield running


def test_the_server_runs_with_reportflows_settings(server: PrefectServer) -> None:
    """`reportflow prefect-server` passed --host/--port through and set the recorder's batch;
    `reportflow doctor` reads it back from the server."""
    from reportflow.commands.doctor import check_prefect_server_settings
    from reportflow.prefect_server import TASK_RUN_RECORDER_BATCH_SIZE, recorder_batch_size

    with server.client() as api:
        settings = api.get("/admin/settings").json()
    assert recorder_batch_size(settings) == TASK_RUN_RECORDER_BATCH_SIZE
    check = check_prefect_server_settings(server.url)
    assert check is not None and check.status == "ok", check


def _wait_for(predicate: Any, timeout_s: float, what: str, interval_s: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")
        time.sleep(interval_s)


def _deployment(api: httpx.Client, name: str) -> dict | None:
    response = api.get(f"/deployments/name/ingest/{name}")
    return response.json() if response.status_code == 200 else None


def _created_run(response: httpx.Response) -> str:
    """The id of the flow run a create_flow_run call made; a refusal fails with the server's answer."""
    assert response.status_code == 201, f"create_flow_run: {response.status_code} {response.text[:500]}"
    return response.json()["id"]


def _finished_run(api: httpx.Client, flow_run_id: str, attempt: int, timeout_s: float = 300) -> dict:
    def done() -> dict | None:
        run = api.get(f"/flow_runs/{flow_run_id}").json()
        return run if run["state_type"] in TERMINAL and run["run_count"] >= attempt else None

    return _wait_for(done, timeout_s, f"flow run {flow_run_id} attempt {attempt}")


def _retry_like_the_ui(api: httpx.Client, flow_run_id: str, force: bool) -> None:
    """What the UI's Retry button sends (prefect UI v2 sends force=true, v1 force=false)."""
    response = api.post(
        f"/flow_runs/{flow_run_id}/set_state",
        json={
            "state": {"type": "SCHEDULED", "name": "AwaitingRetry", "message": "Retry from the UI"},
            "force": force,
        },
    )
    response.raise_for_status()
    assert response.json()["status"] == "ACCEPT", response.json()


def _document_task_runs(api: httpx.Client, flow_run_id: str, attempt: int) -> dict[str, dict[str, Any]]:
    """{file name: task run} of the per-document task runs (`process <file>`) of one attempt."""

    def read() -> dict[str, dict[str, Any]] | None:
        runs = api.post("/task_runs/filter", json={"flow_runs": {"id": {"any_": [flow_run_id]}}}).json()
        found = {
            run["name"].removeprefix("process "): run
            for run in runs
            if run["flow_run_run_count"] == attempt and run["name"].startswith("process ")
        }
        # task runs reach the API through events; wait until every one has a final state
        return (
            found
            if found and all(r["state_name"] in {"Completed", "Failed"} for r in found.values())
            else None
        )

    return _wait_for(read, 60, f"document task runs of attempt {attempt}")


def _stage_reports(api: httpx.Client, flow_run_id: str, attempt: int) -> dict[str, dict[str, str]]:
    """{file name: {stage: "computed" | "reused"}} from what each document's task run logged.

    What the UI shows in the task run's logs; logs arrive in batches, so wait for every
    finished document's three stage lines.
    """
    runs = _document_task_runs(api, flow_run_id, attempt)
    names = {run["id"]: name for name, run in runs.items()}
    complete = {name for name, run in runs.items() if run["state_name"] == "Completed"}

    def read() -> dict[str, dict[str, str]] | None:
        logs = api.post(
            "/logs/filter", json={"logs": {"task_run_id": {"any_": list(names)}}, "limit": 200}
        ).json()
        reports: dict[str, dict[str, str]] = {name: {} for name in runs}
        for log in logs:
            stage, _, rest = log["message"].partition(": ")
            if stage in ("extract", "layout", "facts"):
                how = "reused" if "; cached result reused in " in rest else "computed"
                reports[names[log["task_run_id"]]][stage] = how
        done = all(len(reports[name]) == 3 for name in complete)
        return reports if done else None

    return _wait_for(read, 60, f"the stage lines of attempt {attempt}")


def _computed(stage_log: Path, since: int) -> list[tuple[str, str]]:
    return sorted((r["stage"], r["file_name"]) for r in read_jsonl(stage_log)[since:])


def test_retry_from_the_ui_reuses_finished_work_and_picks_up_fixes(
    server: PrefectServer, tmp_path: Path
) -> None:
    checkout = copy_project(tmp_path / "checkout")
    db_module = checkout / "reportflow" / "db.py"
    original_db_code = db_module.read_text(encoding="utf-8")
    assert BUG_ANCHOR in original_db_code
    db_module.write_text(original_db_code.replace(BUG_ANCHOR, BUG_ANCHOR + BUG, 1), encoding="utf-8")

    inbox = tmp_path / "inbox"
    write_gold_text(inbox, "000")  # kaiping .txt
    write_gold_text(inbox, "001")  # xinhui .txt: its load hits the bug
    write_text_pdf(inbox / "xinhui-2023-report-digest.pdf", gold_paragraphs("001")[:40])
    complete = write_text_pdf(
        tmp_path / "complete" / "jiangmen-2023-report-columns.pdf", gold_paragraphs("002")[:12]
    )
    broken = inbox / complete.name
    broken.write_bytes(complete.read_bytes()[: complete.stat().st_size // 2])  # a truncated upload
    age_files(inbox)
    files = sorted(p.name for p in inbox.iterdir())
    db = tmp_path / "warehouse" / "reportflow.duckdb"
    stage_log = tmp_path / "stages.jsonl"

    serve_log = (tmp_path / "serve.log").open("wb")
    serve = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "reportflow.cli",
            "serve",
            "--inbox",
            str(inbox),
            "--db",
            str(db),
            "--cron",
            "30 6 * * 1-5",
            "--timezone",
            "Asia/Shanghai",
        ],
        cwd=checkout,
        env=server.env(REPORTFLOW_STAGE_LOG=str(stage_log), PREFECT_RUNNER_POLL_FREQUENCY="1"),
        stdout=serve_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        with server.client() as api:
            inbox_deployment = _wait_for(
                lambda: _deployment(api, "ingest-inbox"), 180, "the ingest-inbox deployment"
            )
            paths_deployment = _wait_for(
                lambda: _deployment(api, "ingest-paths"), 30, "the ingest-paths deployment"
            )
            schedule = inbox_deployment["schedules"][0]["schedule"]
            assert (schedule["cron"], schedule["timezone"]) == ("30 6 * * 1-5", "Asia/Shanghai")
            assert inbox_deployment["parameters"] == {"paths": [str(inbox)], "db": str(db)}
            assert paths_deployment["schedules"] == [] and paths_deployment["parameters"] == {"db": str(db)}
            assert "paths" in paths_deployment["parameter_openapi_schema"]["required"]

            # 1. the scheduled ingestion, started by hand ("Quick run"): two documents fail
            flow_run_id = _created_run(
                api.post(f"/deployments/{inbox_deployment['id']}/create_flow_run", json={})
            )
            run = _finished_run(api, flow_run_id, attempt=1)
            assert run["state_type"] == "FAILED"
            message = run["state"]["message"]
            assert "2 document(s) failed" in message and broken.name in message and BUGGY_NAME in message
            failed = dict(query(db, "SELECT file_name, error_code FROM documents WHERE status = 'failed'"))
            assert failed == {broken.name: "corrupt_pdf", BUGGY_NAME: "internal_error"}
            assert query(db, "SELECT count(*) FROM documents WHERE status = 'ok'") == [(2,)]
            first_attempt = _computed(stage_log, 0)
            for file in files:  # every document's stages ran once (the broken PDF stopped in extract)
                assert ("extract", file) in first_attempt
            assert ("layout", broken.name) not in first_attempt
            assert ("facts", BUGGY_NAME) in first_attempt
            # one task run per document; the broken PDF's failed, the buggy load is the flow's
            states = {
                name: run["state_name"] for name, run in _document_task_runs(api, flow_run_id, 1).items()
            }
            assert states == {name: "Failed" if name == broken.name else "Completed" for name in files}

            # 2. fix the data (upload the file again, whole), press Retry
            broken.write_bytes(complete.read_bytes())
            age_files(inbox)
            seen = len(read_jsonl(stage_log))
            _retry_like_the_ui(api, flow_run_id, force=True)
            run = _finished_run(api, flow_run_id, attempt=2)
            assert run["state_type"] == "FAILED" and BUGGY_NAME in run["state"]["message"]
            assert broken.name not in run["state"]["message"]
            assert _computed(stage_log, seen) == [
                ("extract", broken.name),
                ("facts", broken.name),
                ("layout", broken.name),
            ], "only the fixed document was computed again"
            reports = _stage_reports(api, flow_run_id, 2)
            assert reports == {
                name: dict.fromkeys(
                    ("extract", "layout", "facts"), "computed" if name == broken.name else "reused"
                )
                for name in files
            }

            # 3. fix the code (revert the bug in the deployed checkout), press Retry
            db_module.write_text(original_db_code, encoding="utf-8")
            seen = len(read_jsonl(stage_log))
            _retry_like_the_ui(api, flow_run_id, force=False)
            run = _finished_run(api, flow_run_id, attempt=3)
            assert run["state_type"] == "COMPLETED", run["state"]["message"]
            assert _computed(stage_log, seen) == [], "nothing was recomputed: the fix was in loading"
            assert _stage_reports(api, flow_run_id, 3) == {
                name: dict.fromkeys(("extract", "layout", "facts"), "reused") for name in files
            }

            documents = query(db, "SELECT file_name, status FROM documents ORDER BY file_name")
            assert documents == [(name, "ok") for name in files]
            assert query(db, "SELECT run_id, status, documents_ok, documents_failed FROM runs") == [
                (flow_run_id, "completed", 4, 0)
            ]

            # 4. the on-demand deployment takes paths as a parameter
            on_demand = _created_run(
                api.post(
                    f"/deployments/{paths_deployment['id']}/create_flow_run",
                    json={"parameters": {"paths": [str(inbox / BUGGY_NAME)]}},
                )
            )
            run = _finished_run(api, on_demand, attempt=1)
            assert run["state_type"] == "COMPLETED", run["state"]["message"]
            assert _stage_reports(api, on_demand, 1) == {
                BUGGY_NAME: dict.fromkeys(("extract", "layout", "facts"), "reused")
            }
            assert query(db, "SELECT status FROM runs WHERE run_id = ?", [on_demand]) == [("completed",)]
    finally:
        stop_process_group(serve)
        serve_log.close()
