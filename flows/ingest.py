"""The `ingest` flow: folders of reports → one DuckDB file of validated facts.

Per document: acquire → extract → repair layout → extract facts (one task each, submitted to
the task runner as one chain per document; no per-document flow runs: Prefect costs ~5 ms a
task but ~1 s a flow run), then load, called in the flow's own process as each chain
finishes. Then, for the run: validate, finish the `runs` row, write the HTML run report,
publish the snapshot analysts read. A failing document stops only itself: the run loads and
publishes everything else, then ends Failed naming the failed documents, so the Prefect UI
offers Retry — and a retry recomputes only what failed (tasks/cache.py).

Task runner: threads by default; ``REPORTFLOW_TASK_RUNNER=dask`` runs the per-document
stages on a local Dask cluster, ``dask=tcp://scheduler:8786`` on an existing one (see
docs/scaling.md). The warehouse stays single-writer either way: every write happens in this
process, one at a time, under reportflow.db.Warehouse's flock (which also orders it against
other runs).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.states import State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import opaque

from reportflow import db as warehouse_db
from reportflow import progress
from reportflow.acquire import discover
from reportflow.config import Settings
from reportflow.errors import ToolMissingError, WarehouseError
from tasks.cache import cache_expiration, prune_results, results_dir
from tasks.stages import (
    StageTasks,
    bind_stage_tasks,
    publish_task,
    record_failure_task,
    report_task,
    run_report_available,
    validate_task,
)

TASK_RUNNER_ENV = "REPORTFLOW_TASK_RUNNER"
DOC_CONCURRENCY_ENV = "REPORTFLOW_DOC_CONCURRENCY"
COMPUTE_STAGES = ("acquire", "extract", "repair-layout", "extract-facts")
"""The per-document tasks submitted to the task runner; `load` runs in the flow's process."""


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

    Threads: each document chain holds up to four threads while its tasks wait on each
    other, and the pool serves them first-come first-served, so ``4 × doc_concurrency``
    threads work on about ``doc_concurrency`` documents at a time (default: CPU count, at
    least 2) — bounded memory however many files a run has.
    """
    spec = (spec or "").strip()
    if spec in ("", "threads"):
        docs = doc_concurrency or max(2, os.cpu_count() or 1)
        return ThreadPoolTaskRunner(max_workers=len(COMPUTE_STAGES) * docs)
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


@dataclass(slots=True)
class _Chain:
    path: str
    futures: list[PrefectFuture[Any]]
    """acquire, extract, repair-layout, extract-facts."""


def _first_failure(chain: _Chain) -> tuple[str, BaseException] | None:
    for stage, future in zip(COMPUTE_STAGES, chain.futures):
        future.wait()  # sets the future's final state (the API copy may lag behind)
        state = future.state
        if state.is_failed() or state.is_crashed() or state.is_cancelled():
            return stage, _exception_of(state, stage)
    return None


def _exception_of(state: State[Any], stage: str) -> BaseException:
    error = state.result(raise_on_failure=False)
    if isinstance(error, BaseException):
        return error
    return RuntimeError(state.message or f"{stage} ended {state.name}")


def _submit_chain(tasks: StageTasks, path: str, settings: Settings) -> _Chain:
    # ``opaque``: Prefect resolves each upstream future to its result but does not walk into
    # it looking for nested futures (there are none). Walking a document's pages of
    # characters was half of the flow's CPU time (visit_collection, profiled on 30
    # documents / 101 pages: 52 of 104 s; benchmarks/README.md, Throughput).
    # Only on the thread runner: prefect-dask hands arguments to Dask, which takes the
    # annotation (a tuple) for a task spec and never unwraps it.
    context = FlowRunContext.get()
    threads = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
    wrap: Any = opaque if threads else (lambda value: value)
    acquired = tasks.acquire.submit(path, settings)
    extracted = tasks.extract.submit(wrap(acquired), settings)
    paragraphs = tasks.layout.submit(wrap(acquired), wrap(extracted), settings)
    facts = tasks.facts.submit(wrap(acquired), wrap(paragraphs), settings)
    return _Chain(path, [acquired, extracted, paragraphs, facts])


def _load_or_record(
    chain: _Chain,
    tasks: StageTasks,
    settings: Settings,
    summary: RunSummary,
    writer: warehouse_db.BatchedWriter,
) -> warehouse_db.LoadOutcome | None:
    """Load a computed document, or record why it failed; in the flow's own process.

    Why here and not in a task on the runner: every write to the warehouse then happens in
    this one thread of this one process, whatever runs the stages (threads, a local Dask
    cluster, Dask workers on other machines without the warehouse folder). The flock in
    reportflow.db still orders these writes against other runs.
    """
    failure = _first_failure(chain)
    if failure is None:
        acquired, extracted, paragraphs, facts = (future.result() for future in chain.futures)
        state = tasks.load(
            *(opaque(value) for value in (acquired, extracted, paragraphs, facts, settings, writer)),
            return_state=True,
        )
        if state.is_completed():
            return state.result()
        failure = ("load", _exception_of(state, "load"))
    stage, error = failure
    code, message = error_code_of(error), error_message_of(error)
    acquired_doc = chain.futures[0].result() if stage != "acquire" else None
    summary.failures.append(FailedDocument(chain.path, stage, code, message))
    record_failure_task(chain.path, message, code, acquired_doc, settings, opaque(writer))
    return None


def _collect(chains: list[_Chain], tasks: StageTasks, settings: Settings, summary: RunSummary) -> list[str]:
    """Load or record each document as its chain finishes; returns the loaded doc_ids.

    Chains are dropped as soon as they are loaded so their large results (pages of
    characters) can be freed while the rest of the run goes on. Consecutive loads share one
    connection to the working copy (reportflow.db.BatchedWriter): it is closed after a second
    with nothing to load, so a long OCR document never keeps other runs waiting.
    """
    by_last = {id(chain.futures[-1]): chain for chain in chains}
    loaded_ids: list[str] = []
    with warehouse_db.Warehouse(settings.db_path).batched_writer() as writer:
        for done in as_completed([chain.futures[-1] for chain in chains]):
            chain = by_last.pop(id(done))
            _load_and_count(chain, tasks, settings, summary, writer, loaded_ids)
    summary.failures.sort(key=lambda f: f.path)
    return loaded_ids


def _load_and_count(
    chain: _Chain,
    tasks: StageTasks,
    settings: Settings,
    summary: RunSummary,
    writer: warehouse_db.BatchedWriter,
    loaded_ids: list[str],
) -> None:
    """Load one finished chain (or record its failure) and add it to the run's summary."""
    outcome = _load_or_record(chain, tasks, settings, summary, writer)
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
    progress.emit(progress.ProgressEvent("document_done", chain.path, status))
    chain.futures.clear()


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

    tasks = bind_stage_tasks(settings)
    chains = [_submit_chain(tasks, str(file), settings) for file in files]
    loaded_ids = _collect(chains, tasks, settings, summary)

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
