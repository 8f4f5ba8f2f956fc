"""One Prefect task per document and stage. Each wraps a plain reportflow function.

Caching: extract, layout and facts are cached by the document's sha256 plus a hash of the
stage's code (reportflow.versions), with results persisted on disk, so a retried or repeated
run skips the work that already succeeded and re-runs whatever a code fix touched.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact

from reportflow import db as warehouse_db
from reportflow import progress
from reportflow.acquire import AcquiredDocument, acquire
from reportflow.config import OcrConfig, Settings
from reportflow.errors import FileNotReadyError
from reportflow.layout import repair_layout
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph
from reportflow.pipeline import extract_stage, facts_stage
from reportflow.versions import pipeline_version, stage_version

CACHE_EXPIRATION = timedelta(days=30)


def _retry_only_when_not_ready(task: Any, task_run: Any, state: Any) -> bool:
    """Retry acquire only for files still being written; bad files fail at once."""
    try:
        state.result()
    except FileNotReadyError:
        return True
    except Exception:
        return False
    return False


def _doc_key(stage: str, parameters: dict[str, Any], extra: str = "") -> str:
    acquired: AcquiredDocument = parameters["acquired"]
    return f"{stage}-{acquired.doc_id}-{stage_version(stage)}{extra}"


def _extract_key(_: Any, parameters: dict[str, Any]) -> str:
    ocr: OcrConfig = parameters["settings"].ocr
    return _doc_key("extract", parameters, f"-{ocr.engine}-{ocr.languages}-{ocr.dpi}")


def _layout_key(_: Any, parameters: dict[str, Any]) -> str:
    return _doc_key("layout", parameters)


def _facts_key(_: Any, parameters: dict[str, Any]) -> str:
    return _doc_key("facts", parameters)


@task(
    name="acquire",
    retries=4,
    retry_delay_seconds=[2, 5, 15, 30],
    retry_condition_fn=_retry_only_when_not_ready,
)
def acquire_task(path: str, settings: Settings) -> AcquiredDocument:
    acquired = acquire(Path(path), settings.archive_dir)
    get_run_logger().info("acquired %s as %s", acquired.file_name, acquired.doc_id[:12])
    return acquired


@task(name="extract", cache_key_fn=_extract_key, persist_result=True, cache_expiration=CACHE_EXPIRATION)
def extract_task(acquired: AcquiredDocument, settings: Settings) -> ExtractedDocument:
    extracted = extract_stage(acquired, settings)
    methods = [p.method for p in extracted.pages]
    get_run_logger().info(
        "%s: %d pages (%d text layer, %d OCR)",
        acquired.file_name,
        extracted.page_count,
        methods.count("text"),
        methods.count("ocr"),
    )
    return extracted


@task(name="repair-layout", cache_key_fn=_layout_key, persist_result=True, cache_expiration=CACHE_EXPIRATION)
def layout_task(acquired: AcquiredDocument, extracted: ExtractedDocument) -> list[Paragraph]:
    paragraphs = repair_layout(extracted)
    get_run_logger().info("%s: %d paragraphs", acquired.file_name, len(paragraphs))
    return paragraphs


@task(name="extract-facts", cache_key_fn=_facts_key, persist_result=True, cache_expiration=CACHE_EXPIRATION)
def facts_task(acquired: AcquiredDocument, paragraphs: list[Paragraph]) -> tuple[DocumentContext, list[Fact]]:
    context, facts = facts_stage(acquired, paragraphs)
    get_run_logger().info(
        "%s: region %s, report year %s, %d facts", acquired.file_name, context.region, context.report_year, len(facts)
    )
    return context, facts


@task(name="load")
def load_task(
    acquired: AcquiredDocument,
    extracted: ExtractedDocument,
    paragraphs: list[Paragraph],
    context_and_facts: tuple[DocumentContext, list[Fact]],
    settings: Settings,
) -> warehouse_db.LoadOutcome:
    context, facts = context_and_facts
    with warehouse_db.Warehouse(settings.db_path).write() as con:
        outcome = warehouse_db.load_document(
            con, acquired, extracted, paragraphs, context, facts, pipeline_version()
        )
    get_run_logger().info("%s: %s", acquired.file_name, outcome.action)
    progress.emit(progress.ProgressEvent("document_done", acquired.source_path, outcome.action))
    return outcome


@task(name="record-failure")
def record_failure_task(
    source_path: str,
    error: str,
    error_code: str,
    acquired: AcquiredDocument | None,
    settings: Settings,
) -> warehouse_db.LoadOutcome:
    with warehouse_db.Warehouse(settings.db_path).write() as con:
        outcome = warehouse_db.record_failure(con, source_path, error, error_code, pipeline_version(), acquired)
    get_run_logger().error("%s failed: %s", Path(source_path).name, error)
    progress.emit(progress.ProgressEvent("document_done", source_path, "failed"))
    return outcome


@task(name="validate")
def validate_task(run_id: str, doc_ids: list[str], settings: Settings) -> dict[str, Any]:
    from reportflow.validate import validate_run

    data_docs_dir = settings.db_path.parent / "data_docs"
    with warehouse_db.Warehouse(settings.db_path).write() as con:
        summary = validate_run(con, run_id, doc_ids, data_docs_dir)
    create_markdown_artifact(
        key="validation-summary", markdown=summary.to_markdown(), description=f"Validation of run {run_id}"
    )
    get_run_logger().info(
        "validation: %d expectations passed, %d failed", summary.expectations_passed, summary.expectations_failed
    )
    return {
        "expectations_passed": summary.expectations_passed,
        "expectations_failed": summary.expectations_failed,
        "facts_failed": summary.facts_failed,
        "data_docs_index": str(summary.data_docs_index) if summary.data_docs_index else None,
    }


@task(name="publish")
def publish_task(settings: Settings) -> str:
    path = warehouse_db.Warehouse(settings.db_path).publish()
    get_run_logger().info("published %s", path)
    return str(path)
