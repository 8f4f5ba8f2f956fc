"""One Prefect task per document and stage. Each wraps a plain reportflow function.

extract, repair-layout and extract-facts are cached by input (tasks/cache.py: document
sha256 + the stage's code version + settings), their results persisted next to the
warehouse, so retrying a failed run recomputes only what failed or what a code fix touched.
``bind_stage_tasks(settings)`` returns the tasks configured for one warehouse's cache; the
flow uses those. acquire, load and the run-level tasks are never cached: they are cheap
and must see the files and the database as they are now.

acquire retries with exponential backoff, but only on FileNotReadyError (a file still being
written into the inbox); a broken file fails at once.
"""

from __future__ import annotations

import importlib.util
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from prefect import Task, get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE, CacheKeyFnPolicy
from prefect.runtime import task_run
from prefect.tasks import exponential_backoff

from reportflow import db as warehouse_db
from reportflow.acquire import AcquiredDocument, acquire, settle_seconds_from_env
from reportflow.config import Settings
from reportflow.errors import FileNotReadyError
from reportflow.layout import repair_layout
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph
from reportflow.pipeline import extract_stage, facts_stage
from reportflow.versions import pipeline_version
from tasks.cache import (
    FlockLockManager,
    cache_expiration,
    extract_cache_key,
    facts_cache_key,
    layout_cache_key,
    note_stage_run,
    results_dir,
)

ACQUIRE_RETRIES = 6
"""With exponential backoff from 1 s (1, 2, 4, … 32 s; ~1 min in all, ±50 % jitter)."""


def _acquire_run_name() -> str:
    return f"acquire {Path(str(task_run.parameters.get('path', '?'))).name}"


def _record_failure_run_name() -> str:
    return f"record-failure {Path(str(task_run.parameters.get('source_path', '?'))).name}"


def _retry_only_when_not_ready(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry acquire only for files still being written; bad files fail at once."""
    return isinstance(state.result(raise_on_failure=False), FileNotReadyError)


@task(
    name="acquire",
    retries=ACQUIRE_RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_jitter_factor=0.5,
    retry_condition_fn=_retry_only_when_not_ready,
    cache_policy=NO_CACHE,
    task_run_name=_acquire_run_name,
)
def acquire_task(path: str, settings: Settings) -> AcquiredDocument:
    acquired = acquire(Path(path), settings.archive_dir, settle_seconds_from_env())
    get_run_logger().info("acquired %s as %s", acquired.file_name, acquired.doc_id[:12])
    return acquired


@task(
    name="extract",
    task_run_name="extract {acquired.file_name}",
    cache_policy=CacheKeyFnPolicy(cache_key_fn=extract_cache_key),
    persist_result=True,
)
def extract_task(acquired: AcquiredDocument, settings: Settings) -> ExtractedDocument:
    note_stage_run("extract", acquired)
    extracted = extract_stage(acquired, settings)
    if extracted.text is not None:
        get_run_logger().info("%s: plain text (%s)", acquired.file_name, extracted.encoding)
        return extracted
    methods = [p.method for p in extracted.pages]
    get_run_logger().info(
        "%s: %d pages (%d text layer, %d OCR)",
        acquired.file_name,
        extracted.page_count,
        methods.count("text"),
        methods.count("ocr"),
    )
    return extracted


@task(
    name="repair-layout",
    task_run_name="repair-layout {acquired.file_name}",
    cache_policy=CacheKeyFnPolicy(cache_key_fn=layout_cache_key),
    persist_result=True,
)
def layout_task(
    acquired: AcquiredDocument, extracted: ExtractedDocument, settings: Settings
) -> list[Paragraph]:
    note_stage_run("layout", acquired)
    paragraphs = repair_layout(extracted)
    get_run_logger().info("%s: %d paragraphs", acquired.file_name, len(paragraphs))
    return paragraphs


@task(
    name="extract-facts",
    task_run_name="extract-facts {acquired.file_name}",
    cache_policy=CacheKeyFnPolicy(cache_key_fn=facts_cache_key),
    persist_result=True,
)
def facts_task(
    acquired: AcquiredDocument, paragraphs: list[Paragraph], settings: Settings
) -> tuple[DocumentContext, list[Fact]]:
    note_stage_run("facts", acquired)
    context, facts = facts_stage(acquired, paragraphs)
    get_run_logger().info(
        "%s: region %s, report year %s, %d facts",
        acquired.file_name,
        context.region,
        context.report_year,
        len(facts),
    )
    return context, facts


def _writing(
    settings: Settings, writer: warehouse_db.BatchedWriter | None
) -> AbstractContextManager[duckdb.DuckDBPyConnection]:
    return writer.write() if writer is not None else warehouse_db.Warehouse(settings.db_path).write()


@task(name="load", task_run_name="load {acquired.file_name}", cache_policy=NO_CACHE)
def load_task(
    acquired: AcquiredDocument,
    extracted: ExtractedDocument,
    paragraphs: list[Paragraph],
    context_and_facts: tuple[DocumentContext, list[Fact]],
    settings: Settings,
    writer: warehouse_db.BatchedWriter | None = None,
) -> warehouse_db.LoadOutcome:
    """``writer``: the flow's batched writer (one connection across consecutive loads);
    without one, the working copy is opened for this document alone."""
    context, facts = context_and_facts
    with _writing(settings, writer) as con:
        outcome = warehouse_db.load_document(
            con, acquired, extracted, paragraphs, context, facts, pipeline_version()
        )
    get_run_logger().info("%s: %s", acquired.file_name, outcome.action)
    return outcome


@task(name="record-failure", task_run_name=_record_failure_run_name, cache_policy=NO_CACHE)
def record_failure_task(
    source_path: str,
    error: str,
    error_code: str,
    acquired: AcquiredDocument | None,
    settings: Settings,
    writer: warehouse_db.BatchedWriter | None = None,
) -> warehouse_db.LoadOutcome:
    with _writing(settings, writer) as con:
        outcome = warehouse_db.record_failure(
            con, source_path, error, error_code, pipeline_version(), acquired
        )
    get_run_logger().error("%s failed: %s: %s", Path(source_path).name, error_code, error)
    return outcome


@task(name="validate", cache_policy=NO_CACHE)
def validate_task(run_id: str, doc_ids: list[str], settings: Settings) -> dict[str, Any]:
    from reportflow.validate import validate_run

    data_docs_dir = settings.db_path.parent / "data_docs"
    with warehouse_db.Warehouse(settings.db_path).write() as con:
        summary = validate_run(con, run_id, doc_ids, data_docs_dir)
    create_markdown_artifact(
        key="validation-summary", markdown=summary.to_markdown(), description=f"Validation of run {run_id}"
    )
    get_run_logger().info(
        "validation: %d expectations passed, %d failed",
        summary.expectations_passed,
        summary.expectations_failed,
    )
    return {
        "expectations_passed": summary.expectations_passed,
        "expectations_failed": summary.expectations_failed,
        "facts_failed": summary.facts_failed,
        "data_docs_index": str(summary.data_docs_index) if summary.data_docs_index else None,
    }


def run_report_available() -> bool:
    """Whether reportflow.report (the HTML run report) is installed in this checkout."""
    return importlib.util.find_spec("reportflow.report") is not None


@task(name="run-report", cache_policy=NO_CACHE)
def report_task(run_id: str, settings: Settings) -> str:
    """Write the self-contained HTML run report and link it from a Prefect artifact."""
    from reportflow.report import write_run_report

    out_dir = settings.db_path.parent / "reports"
    with warehouse_db.Warehouse(settings.db_path).write() as con:
        path = Path(write_run_report(con, run_id, out_dir)).resolve()
    create_link_artifact(
        key="run-report",
        link=path.as_uri(),
        link_text=path.name,
        description=f"HTML report of run {run_id} (a file on the machine that ran it: {path})",
    )
    get_run_logger().info("run report: %s", path)
    return str(path)


@task(name="publish", cache_policy=NO_CACHE)
def publish_task(settings: Settings) -> str:
    path = warehouse_db.Warehouse(settings.db_path).publish()
    get_run_logger().info("published %s", path)
    return str(path)


@dataclass(frozen=True, slots=True)
class StageTasks:
    """The per-document tasks, the cached ones bound to one warehouse's result store.

    The flow submits acquire … facts to its task runner and calls ``load`` itself, in its
    own process (every warehouse write happens there; see flows/ingest.py)."""

    acquire: Task[..., AcquiredDocument]
    extract: Task[..., ExtractedDocument]
    layout: Task[..., list[Paragraph]]
    facts: Task[..., tuple[DocumentContext, list[Fact]]]
    load: Task[..., warehouse_db.LoadOutcome]


def bind_stage_tasks(settings: Settings) -> StageTasks:
    """The stage tasks with results persisted next to ``settings.db_path`` (tasks/cache.py)."""
    store = results_dir(settings)
    locks = FlockLockManager(store / "locks")
    expiration = cache_expiration()

    def cached(base: Task[..., Any], key_fn: Any) -> Task[..., Any]:
        policy = CacheKeyFnPolicy(cache_key_fn=key_fn).configure(
            isolation_level="SERIALIZABLE",
            lock_manager=locks,  # type: ignore[arg-type]
        )
        # cache_result_in_memory=False: once persisted, a result is dropped from memory and read
        # back from the store by the task or load that needs it. Kept in memory, every
        # finished document's pages stayed until the run ended: peak RSS 1669 MB at 1000 pages
        # against 659 MB without, same wall time (benchmarks/README.md, Throughput).
        return base.with_options(
            cache_policy=policy,
            result_storage=store,
            persist_result=True,
            cache_expiration=expiration,
            cache_result_in_memory=False,
        )

    return StageTasks(
        acquire=acquire_task,
        extract=cached(extract_task, extract_cache_key),
        layout=cached(layout_task, layout_cache_key),
        facts=cached(facts_task, facts_cache_key),
        load=load_task,
    )
