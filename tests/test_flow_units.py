"""The flow's small decisions, without running it: error codes, retry condition, task runners,
what a failed run says."""

from __future__ import annotations

from pathlib import Path

import pytest
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.ingest import (
    FailedDocument,
    IngestFailed,
    RunSummary,
    error_code_of,
    error_message_of,
    task_runner_from_spec,
)
from reportflow.errors import (
    CorruptPdfError,
    EncryptedPdfError,
    FileNotReadyError,
    ToolMissingError,
    UnreadableFileError,
    WarehouseError,
)
from reportflow.pipeline import StageFailed
from tasks.stages import _retry_only_when_not_ready


def test_error_codes_for_typed_and_untyped_errors() -> None:
    assert error_code_of(EncryptedPdfError("needs a password")) == "encrypted_pdf"
    assert error_code_of(UnreadableFileError("permission denied")) == "unreadable"
    assert error_code_of(FileNotReadyError("still growing")) == "file_not_ready"
    assert error_code_of(ToolMissingError("no tesseract")) == "tool_missing"
    assert error_code_of(WarehouseError("lock")) == "warehouse_error"
    assert error_code_of(KeyError("x")) == "internal_error"
    # users get the typed message as written; a bug also names its exception class
    assert error_message_of(CorruptPdfError("truncated")) == "truncated"
    assert error_message_of(KeyError("doc_id")) == "KeyError: 'doc_id'"


def test_a_document_is_retried_only_while_its_file_is_being_written() -> None:
    def failed_in(stage: str, error: Exception) -> Failed:
        return Failed(data=StageFailed(stage, error))

    assert _retry_only_when_not_ready(None, None, failed_in("acquire", FileNotReadyError("growing")))
    assert not _retry_only_when_not_ready(None, None, failed_in("acquire", UnreadableFileError("gone")))
    assert not _retry_only_when_not_ready(None, None, failed_in("extract", CorruptPdfError("truncated")))
    assert not _retry_only_when_not_ready(None, None, Failed(data=KeyError("a bug outside the stages")))


def test_task_runner_specs() -> None:
    from flows.dask_runner import ReportflowDaskTaskRunner

    threads = task_runner_from_spec("", doc_concurrency=3)
    assert isinstance(threads, ThreadPoolTaskRunner) and threads._max_workers == 3  # a thread per document
    assert isinstance(task_runner_from_spec("threads"), ThreadPoolTaskRunner)
    local = task_runner_from_spec("dask", doc_concurrency=2)
    assert isinstance(local, ReportflowDaskTaskRunner)
    assert local.cluster_kwargs == {"n_workers": 2, "threads_per_worker": 1, "processes": True}
    remote = task_runner_from_spec("dask=tcp://10.0.0.5:8786")
    assert isinstance(remote, ReportflowDaskTaskRunner) and remote.address == "tcp://10.0.0.5:8786"
    with pytest.raises(ValueError, match="unknown task runner"):
        task_runner_from_spec("ray")


def test_a_failed_run_names_its_failures() -> None:
    summary = RunSummary(run_id="r1", db_path="/w/r.duckdb", documents_ok=3, documents_failed=2)
    summary.failures = [
        FailedDocument("/in/a.pdf", "extract", "corrupt_pdf", "corrupt or truncated PDF | re-download"),
        FailedDocument("/in/b.txt", "load", "internal_error", "KeyError: 'x'"),
    ]
    message = str(IngestFailed(summary))
    assert message.startswith("2 document(s) failed: ")
    assert (
        "a.pdf (corrupt_pdf: corrupt or truncated PDF | re-download)" in message
        and "b.txt (internal_error" in message
    )
    markdown = summary.to_markdown()
    assert "| `a.pdf` | extract | corrupt_pdf | corrupt or truncated PDF \\| re-download |" in markdown
    assert "press **Retry**" in markdown


def test_compute_document_runs_each_stage_through_the_cache_and_names_a_failing_stage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportflow import pipeline
    from reportflow.acquire import acquire
    from reportflow.config import Settings
    from reportflow.errors import NoTextError

    source = tmp_path / "kaiping-2023-summary.txt"
    source.write_text("2023年，全市地区生产总值增长5.2%。\n", encoding="utf-8")
    settings = Settings(db_path=tmp_path / "r.duckdb", archive_dir=tmp_path / "a")
    acquired = acquire(source, settings.archive_dir)
    asked: list[str] = []

    class Recording:
        def get_or_compute(self, stage, acquired_doc, settings_, compute):  # type: ignore[no-untyped-def]
            assert acquired_doc is acquired and settings_ is settings
            asked.append(stage)
            return compute(), stage == "extract"  # pretend extract came from the cache

    computed = pipeline.compute_document(acquired, settings, Recording())
    assert asked == list(pipeline.STAGES) == ["extract", "layout", "facts"]
    assert [(r.stage, r.cached) for r in computed.stage_runs] == [
        ("extract", True),
        ("layout", False),
        ("facts", False),
    ]
    assert computed.document.facts and computed.document.acquired is acquired

    def no_text(_extracted: object) -> None:
        raise NoTextError("nothing to read")

    monkeypatch.setattr(pipeline, "repair_layout", no_text)
    with pytest.raises(pipeline.StageFailed) as failed:
        pipeline.compute_document(acquired, settings)
    assert failed.value.stage == "layout" and isinstance(failed.value.cause, NoTextError)
    assert failed.value.acquired is acquired
    # the one-off path (CLI) still raises the typed error itself
    with pytest.raises(NoTextError):
        pipeline.process_document(source, settings)
