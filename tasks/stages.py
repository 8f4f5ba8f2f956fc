"""The flow's Prefect tasks: one task run per document, then the run-level steps.

``process_document_task`` runs acquire → extract → repair layout → extract facts for one file
(reportflow.pipeline.compute_document). Its stages extract, layout and facts are cached
by input (tasks/cache.py: document sha256 + the stage's code version + settings), their
results persisted next to the warehouse, so retrying a failed run recomputes only what failed
or what a code fix touched. One task run per document, not per stage: a Prefect task run
costs more CPU here than a text page's three stages (benchmarks/README.md, Throughput).
The load happens in the flow's own process (flows/ingest.py). The run-level tasks
(validate, run-report, publish) are never cached: they must see the database as it is now.

A document is retried with exponential backoff, but only on FileNotReadyError (a file still
being written into the inbox); a broken file fails at once.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_link_artifact, create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import task_run
from prefect.tasks import exponential_backoff

from reportflow import db as warehouse_db
from reportflow.acquire import acquire, settle_seconds_from_env
from reportflow.config import Settings
from reportflow.errors import FileNotReadyError
from reportflow.pipeline import (
    ComputedDocument,
    ProcessedDocument,
    StageCache,
    StageFailed,
    StageRun,
    compute_document,
)

ACQUIRE_RETRIES = 6
"""With exponential backoff from 1 s (1, 2, 4, … 32 s; ~1 min in all, ±50 % jitter)."""


def _process_run_name() -> str:
    return f"process {Path(str(task_run.parameters.get('path', '?'))).name}"


def _retry_only_when_not_ready(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a document only while its file is still being written; bad files fail at once."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, StageFailed) and isinstance(error.cause, FileNotReadyError)


def _stage_line(run: StageRun, document: ProcessedDocument) -> str:
    how = "cached result reused" if run.cached else "computed"
    if run.stage == "extract":
        extracted = document.extracted
        if extracted.text is not None:
            what = f"plain text ({extracted.encoding})"
        else:
            methods = [p.method for p in extracted.pages]
            what = f"{extracted.page_count} pages ({methods.count('text')} text layer, {methods.count('ocr')} OCR)"
    elif run.stage == "layout":
        what = f"{len(document.paragraphs)} paragraphs"
    else:
        context = document.context
        what = f"region {context.region}, report year {context.report_year}, {len(document.facts)} facts"
    return f"{run.stage}: {what}; {how} in {run.seconds:.2f} s"


@task(
    name="process-document",
    task_run_name=_process_run_name,
    retries=ACQUIRE_RETRIES,
    retry_delay_seconds=exponential_backoff(backoff_factor=1),
    retry_jitter_factor=0.5,
    retry_condition_fn=_retry_only_when_not_ready,
    cache_policy=NO_CACHE,
)
def process_document_task(path: str, settings: Settings, cache: StageCache) -> ComputedDocument:
    """acquire → extract → repair layout → extract facts for one file: one task run.

    Each stage's result comes from ``cache`` when its key (document, stage code, settings) is
    there, so a retry recomputes only what failed or what a code fix touched. Raises
    StageFailed naming the stage.
    """
    logger = get_run_logger()
    try:
        acquired = acquire(Path(path), settings.archive_dir, settle_seconds_from_env())
    except Exception as exc:
        raise StageFailed("acquire", exc) from exc
    logger.info("acquired %s as %s", acquired.file_name, acquired.doc_id[:12])
    computed = compute_document(acquired, settings, cache)
    for run in computed.stage_runs:
        logger.info("%s", _stage_line(run, computed.document))
    return computed


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
