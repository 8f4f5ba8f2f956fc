"""Scale-out: the per-document tasks on a Dask cluster (a LocalCluster of 2 worker processes),
with the warehouse writes still serialised by the writer lock. Same tables as the default
thread runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from ops_support import (
    age_files,
    gold_paragraphs,
    read_jsonl,
    table_snapshot,
    write_gold_text,
    write_text_pdf,
)

pytestmark = pytest.mark.slow


def test_dask_runner_loads_the_same_tables_as_threads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest, task_runner_from_spec

    inbox = tmp_path / "inbox"
    for number in ("000", "001", "002"):
        write_gold_text(inbox, number)
    write_text_pdf(inbox / "xinhui-2023-report-digest.pdf", gold_paragraphs("001")[:40])
    age_files(inbox)
    archive = tmp_path / "archive"
    monkeypatch.setenv("REPORTFLOW_ARCHIVE", str(archive))
    stage_log = tmp_path / "stages.jsonl"
    monkeypatch.setenv("REPORTFLOW_STAGE_LOG", str(stage_log))  # inherited by the worker processes

    runner = task_runner_from_spec("dask", doc_concurrency=2)
    assert isinstance(runner, DaskTaskRunner)
    on_dask = ingest.with_options(task_runner=runner)(
        paths=[str(inbox)], db=str(tmp_path / "dask" / "r.duckdb")
    )
    dask_computed = read_jsonl(stage_log)
    on_threads = ingest(paths=[str(inbox)], db=str(tmp_path / "threads" / "r.duckdb"))

    assert on_dask["documents_ok"] == on_threads["documents_ok"] == 4
    assert on_dask["facts"] == on_threads["facts"] > 100
    assert table_snapshot(tmp_path / "dask" / "r.duckdb") == table_snapshot(tmp_path / "threads" / "r.duckdb")
    # the stages really ran on the workers: other processes than this one, more than one of them
    worker_pids = {record["pid"] for record in dask_computed}
    assert len(dask_computed) == 12 and os.getpid() not in worker_pids and len(worker_pids) == 2
