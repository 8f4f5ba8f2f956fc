"""The `ingest` flow: folders of reports → one DuckDB file of validated facts.

Per document: one task run, `process <file>` — acquire → extract → repair layout → extract
facts, each stage cached on its own (tasks/cache.py) — submitted to the task runner; then the
load, in the flow's own process as each document finishes. One task run per document, not
per stage: a task run costs ~40 ms of CPU here (the client's ~11, the Prefect server's ~27
with its task-run recorder writing in batches, reportflow/prefect_server.py; ~120 with
Prefect's default of one transaction per state event), as much as a text page's stages
together (benchmarks/README.md, Throughput). Then,
for the run: validate, finish the `runs` row, write the HTML run report, publish the
snapshot analysts read. A failing document stops only itself: the run loads and publishes
everything else, then ends Failed naming the failed documents, so the Prefect UI offers
Retry — and a retry recomputes only the stages that failed (tasks/cache.py).

Task runner: threads by default; ``REPORTFLOW_TASK_RUNNER=dask`` runs the per-document
stages on a local Dask cluster, ``dask=tcp://scheduler:8786`` on an existing one (see
docs/scaling.md). The warehouse stays single-writer either way: every write happens in this
process, one at a time, under reportflow.db.Warehouse's flock (which also orders it against
other runs).
"""

from __future__ import annotations

import os
import queue
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from reportflow import db as warehouse_db
from reportflow import prefect_server, progress
from reportflow.acquire import discover
from reportflow.config import Settings
from reportflow.errors import ToolMissingError, WarehouseError
from reportflow.pipeline import STAGES, ComputedDocument, StageFailed
from reportflow.versions import pipeline_version
from tasks.cache import PersistedStageCache, cache_expiration, prune_results, results_dir
from tasks.stages import (
    process_document_task,
    publish_task,
    report_task,
    run_report_available,
    validate_task,
)

# The temporary Prefect server a run starts when no PREFECT_API_URL is set inherits this
# process's environment when the first flow run is created: give it reportflow's server
# settings (the task-run recorder writing in batches; reportflow/prefect_server.py).
prefect_server.apply_defaults()

TASK_RUNNER_ENV = "REPORTFLOW_TASK_RUNNER"
DOC_CONCURRENCY_ENV = "REPORTFLOW_DOC_CONCURRENCY"


@dataclass(slots=True)
class FailedDocument:
    path: str
    stage: str
    error_code: str
    error: str


@dataclass(slots=True)
class RunSummary:
    run_id: str
    db_path: str
    documents_ok: int = 0
    documents_unchanged: int = 0
    documents_failed: int = 0
    pages_text: int = 0
    pages_ocr: int = 0
    paragraphs: int = 0
    facts: int = 0
    expectations_passed: int = 0
    expectations_failed: int = 0
    facts_failed_validation: int = 0
    data_docs_index: str | None = None
    report_path: str | None = None
    validation_error: str | None = None
    """Set when the validation or report step itself failed (the data was still published)."""
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """Summed wall time per stage over the run's documents (extract, layout, facts, load)."""
    stages_reused: int = 0
    """Stage results read from the cache instead of computed (a retry, an unchanged file)."""
    failures: list[FailedDocument] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_markdown(self) -> str:
        lines = [
            f"# Ingest run `{self.run_id}`",
            "",
            "| | |",
            "|---|---|",
            f"| documents ok | {self.documents_ok} ({self.documents_unchanged} unchanged) |",
            f"| documents failed | {self.documents_failed} |",
            f"| pages | {self.pages_text} by text layer, {self.pages_ocr} by OCR |",
            f"| paragraphs | {self.paragraphs} |",
            f"| facts | {self.facts} |",
            f"| time per stage | {stage_times_text(self.stage_seconds, self.stages_reused)} |",
            f"| expectations | {self.expectations_passed} passed, {self.expectations_failed} failed |",
            f"| database | `{self.db_path}` |",
        ]
        if self.report_path:
            lines.append(f"| run report | `{self.report_path}` |")
        if self.data_docs_index:
            lines.append(f"| data docs | `{self.data_docs_index}` |")
        if self.validation_error:
            lines.append(f"| validation error | {self.validation_error} |")
        if self.failures:
            lines += [
                "",
                "## Failed documents",
                "",
                "| file | stage | error code | error |",
                "|---|---|---|---|",
            ]
            for failure in self.failures:
                message = failure.error.replace("|", "\\|").replace("\n", " ")
                lines.append(
                    f"| `{Path(failure.path).name}` | {failure.stage} | {failure.error_code} | {message} |"
                )
            lines += ["", "Fix the causes, then press **Retry**: finished documents are not recomputed."]
        return "\n".join(lines)


def stage_times_text(stage_seconds: dict[str, float], stages_reused: int) -> str:
    """'extract 3.1 s, layout 1.0 s, facts 0.2 s, load 0.4 s (2 stage results reused from the cache)'."""
    times = ", ".join(f"{stage} {seconds:.1f} s" for stage, seconds in stage_seconds.items())
    return f"{times or '–'} ({stages_reused} stage results reused from the cache)"


class IngestFailed(RuntimeError):
    """Some documents failed; everything else was loaded. Carries the run summary."""

    def __init__(self, summary: RunSummary) -> None:
        parts = [f"{Path(f.path).name} ({f.error_code}: {f.error})" for f in summary.failures]
        if summary.validation_error:
            parts.append(f"validation: {summary.validation_error}")
        super().__init__(f"{summary.documents_failed} document(s) failed: {', '.join(parts)}")
        self.summary = summary


def error_code_of(error: BaseException) -> str:
    """The `documents.error_code` for an exception that stopped a document."""
    code = getattr(error, "code", None)
    if isinstance(code, str):
        return code
    if isinstance(error, ToolMissingError):
        return "tool_missing"
    if isinstance(error, WarehouseError):
        return "warehouse_error"
    return "internal_error"


def error_message_of(error: BaseException) -> str:
    """Typed errors carry a message for users; anything else also names its class."""
    if isinstance(getattr(error, "code", None), str):
        return str(error)
    return f"{type(error).__name__}: {error}"


def task_runner_from_spec(spec: str | None, doc_concurrency: int | None = None) -> TaskRunner[Any]:
    """'' or 'threads' → threads; 'dask' → a local Dask cluster; 'dask=ADDRESS' → that scheduler.

    Threads: one per document being processed, ``doc_concurrency`` at a time (default: CPU
    count, at least 2) — bounded memory however many files a run has.
    """
    spec = (spec or "").strip()
    if spec in ("", "threads"):
        return ThreadPoolTaskRunner(max_workers=doc_concurrency or max(2, os.cpu_count() or 1))
    kind, _, address = spec.partition("=")
    if kind != "dask":
        raise ValueError(f"unknown task runner {spec!r}: use 'threads', 'dask' or 'dask=tcp://HOST:PORT'")
    from flows.dask_runner import ReportflowDaskTaskRunner

    if address:
        return ReportflowDaskTaskRunner(address=address)
    workers = doc_concurrency or max(2, os.cpu_count() or 1)
    # One thread per worker process: the stages are CPU-bound Python (the GIL), OCR runs in
    # tesseract subprocesses of its own.
    return ReportflowDaskTaskRunner(
        cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True}
    )


def task_runner_from_env() -> TaskRunner[Any]:
    concurrency = os.environ.get(DOC_CONCURRENCY_ENV)
    return task_runner_from_spec(os.environ.get(TASK_RUNNER_ENV), int(concurrency) if concurrency else None)


def _exception_of(state: State[Any]) -> BaseException:
    error = state.result(raise_on_failure=False)
    if isinstance(error, BaseException):
        return error
    return RuntimeError(state.message or f"process-document ended {state.name}")


def _load_or_record(
    path: str,
    future: PrefectFuture[ComputedDocument],
    summary: RunSummary,
    writer: warehouse_db.BatchedWriter,
) -> warehouse_db.LoadOutcome | None:
    """Load a processed document, or record why it failed; in the flow's own process.

    Why here and not in a task on the runner: every write to the warehouse then happens in
    this one thread of this one process, whatever runs the stages (threads, a local Dask
    cluster, Dask workers on other machines without the warehouse folder). The flock in
    reportflow.db still orders these writes against other runs. Not a task run of its own
    either: ~10 ms of inserts would cost ~40 ms of Prefect.
    """
    logger = get_run_logger()
    future.wait()  # sets the future's final state (the API copy may lag behind)
    state = future.state
    acquired = None
    if state.is_completed():
        computed: ComputedDocument = state.result()
        document = computed.document
        acquired = document.acquired
        _count_stages(computed, summary)
        start = time.perf_counter()
        try:
            with writer.write() as con:
                outcome = warehouse_db.load_document(
                    con,
                    acquired,
                    document.extracted,
                    document.paragraphs,
                    document.context,
                    document.facts,
                    pipeline_version(),
                )
        except Exception as exc:  # noqa: BLE001 - a failing load stops only its document
            stage, error = "load", exc
        else:
            summary.stage_seconds["load"] += time.perf_counter() - start
            logger.info("%s: %s", acquired.file_name, outcome.action)
            return outcome
    else:
        failed = _exception_of(state)
        if isinstance(failed, StageFailed):
            stage, error, acquired = failed.stage, failed.cause, failed.acquired
        else:  # the task itself crashed or was cancelled
            stage, error = "process", failed
    code, message = error_code_of(error), error_message_of(error)
    summary.failures.append(FailedDocument(path, stage, code, message))
    with writer.write() as con:
        warehouse_db.record_failure(con, path, message, code, pipeline_version(), acquired)
    logger.error("%s failed in %s: %s: %s", Path(path).name, stage, code, message)
    return None


def _count_stages(computed: ComputedDocument, summary: RunSummary) -> None:
    for run in computed.stage_runs:
        summary.stage_seconds[run.stage] += run.seconds
        summary.stages_reused += run.cached


def _collect(
    futures: dict[PrefectFuture[ComputedDocument], str], settings: Settings, summary: RunSummary
) -> list[str]:
    """Load or record each document as it finishes; returns the loaded doc_ids.

    Each future is dropped as soon as its document is loaded, so its large result (pages of
    characters) is freed while the rest of the run goes on — hence a queue filled by done
    callbacks: prefect.futures.as_completed keeps every future it was given until it ends.
    Consecutive loads share one connection to the working copy (reportflow.db.BatchedWriter):
    it is closed after a second with nothing to load, so a long OCR document never keeps
    other runs waiting.
    """
    finished: queue.SimpleQueue[PrefectFuture[ComputedDocument]] = queue.SimpleQueue()
    for future in futures:
        _add_done_callback(future, finished.put)
    loaded_ids: list[str] = []
    summary.stage_seconds = dict.fromkeys((*STAGES, "load"), 0.0)
    with warehouse_db.Warehouse(settings.db_path).batched_writer() as writer:
        while futures:
            done = finished.get()
            path = futures.pop(done)
            outcome = _load_or_record(path, done, summary, writer)
            _count_document(path, outcome, summary, loaded_ids)
            del done  # else it holds this document's pages while the next one is awaited
    summary.failures.sort(key=lambda f: f.path)
    return loaded_ids


def _add_done_callback(future: PrefectFuture[Any], callback: Any) -> None:
    # As prefect.futures.as_completed registers its own: the Prefect-level callback where the
    # future has one (it fires once the final state is set), else the plain one.
    register = getattr(future, "_add_prefect_done_callback", None) or future.add_done_callback
    register(callback)


def _count_document(
    path: str, outcome: warehouse_db.LoadOutcome | None, summary: RunSummary, loaded_ids: list[str]
) -> None:
    """Add one loaded (or failed) document to the run's summary and report progress."""
    if outcome is not None:
        loaded_ids.append(outcome.doc_id)
        summary.documents_ok += 1
        summary.documents_unchanged += outcome.action == "unchanged"
        summary.pages_text += outcome.pages_text
        summary.pages_ocr += outcome.pages_ocr
        summary.paragraphs += outcome.paragraphs
        summary.facts += outcome.facts
        status = outcome.action
    else:
        summary.documents_failed += 1
        status = f"failed ({summary.failures[-1].error_code})"
    progress.emit(progress.ProgressEvent("document_done", path, status))


@flow(name="ingest", task_runner=task_runner_from_env(), log_prints=False, persist_result=False)
def ingest(paths: list[str], db: str | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Ingest files and folders (.pdf, .png/.jpg/.tif, .txt) into the DuckDB warehouse.

    ``paths``: files and folders (searched recursively); ``db``: the published DuckDB file
    (default $REPORTFLOW_DB or warehouse/reportflow.duckdb); ``run_id``: defaults to the
    Prefect flow run id, so a retried flow run keeps its run id.
    """
    logger = get_run_logger()
    settings = Settings.from_env(Path(db) if db else None)
    run_id = run_id or str(flow_run.id or uuid.uuid4())
    files = discover([Path(p) for p in paths])
    progress.emit(progress.ProgressEvent("planned", total=len(files)))
    logger.info("run %s: %d files into %s", run_id, len(files), settings.db_path)
    summary = RunSummary(run_id=run_id, db_path=str(settings.db_path))
    if not files:  # an empty inbox on schedule: nothing to record, validate or publish
        logger.info("nothing to ingest in %s", ", ".join(paths))
        return summary.as_dict()
    warehouse = warehouse_db.Warehouse(settings.db_path)
    with warehouse.write() as con:
        warehouse_db.start_run(con, run_id, str(flow_run.id) if flow_run.id else None)

    cache = PersistedStageCache.for_settings(settings)
    futures = {process_document_task.submit(str(file), settings, cache): str(file) for file in files}
    loaded_ids = _collect(futures, settings, summary)

    if loaded_ids:
        try:
            validation = validate_task(run_id, loaded_ids, settings)
            summary.expectations_passed = validation["expectations_passed"]
            summary.expectations_failed = validation["expectations_failed"]
            summary.facts_failed_validation = validation["facts_failed"]
            summary.data_docs_index = validation["data_docs_index"]
        except Exception as exc:  # noqa: BLE001 - the loaded data is still worth publishing
            summary.validation_error = error_message_of(exc)
            logger.error("validation failed: %s", summary.validation_error)

    status = "failed" if summary.failures or summary.validation_error else "completed"
    with warehouse.write() as con:
        warehouse_db.finish_run(
            con,
            run_id,
            status,
            {
                "documents_ok": summary.documents_ok,
                "documents_failed": summary.documents_failed,
                "pages_text": summary.pages_text,
                "pages_ocr": summary.pages_ocr,
                "paragraphs": summary.paragraphs,
                "facts": summary.facts,
                "expectations_passed": summary.expectations_passed,
                "expectations_failed": summary.expectations_failed,
            },
        )
    if run_report_available():
        try:
            summary.report_path = report_task(run_id, settings)
        except Exception as exc:  # noqa: BLE001 - a missing report must not hide the data
            logger.error("run report failed: %s", error_message_of(exc))
    publish_task(settings)
    create_markdown_artifact(
        key="ingest-summary", markdown=summary.to_markdown(), description=f"Ingest run {run_id}"
    )
    removed = prune_results(results_dir(settings), cache_expiration())
    if removed:
        logger.info("removed %d expired cached results", removed)
    if summary.failures or summary.validation_error:
        raise IngestFailed(summary)
    return summary.as_dict()
