"""The `ingest` flow: folders of reports → one DuckDB file of validated facts.

Per document: acquire → extract → repair layout → extract facts → load (one task each);
then one validation and one publish for the run. A failing document stops only itself; the
run ends Failed, naming the failed documents, after everything else is loaded and published.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger
from prefect.futures import PrefectFuture, wait
from prefect.runtime import flow_run

from reportflow import db as warehouse_db
from reportflow import progress
from reportflow.acquire import discover
from reportflow.config import Settings
from tasks.stages import (
    acquire_task,
    extract_task,
    facts_task,
    layout_task,
    load_task,
    publish_task,
    record_failure_task,
    validate_task,
)


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
    failures: list[FailedDocument] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class IngestFailed(RuntimeError):
    """Some documents failed; everything else was loaded. Carries the run summary."""

    def __init__(self, summary: RunSummary) -> None:
        names = ", ".join(f"{Path(f.path).name} ({f.error_code}: {f.error})" for f in summary.failures)
        super().__init__(f"{summary.documents_failed} document(s) failed: {names}")
        self.summary = summary


STAGES = ("acquire", "extract", "repair-layout", "extract-facts", "load")


def _first_failure(futures: list[PrefectFuture[Any]]) -> tuple[str, BaseException] | None:
    for stage, future in zip(STAGES, futures):
        state = future.state
        if state.is_failed() or state.is_crashed():
            error = state.result(raise_on_failure=False)
            if not isinstance(error, BaseException):
                error = RuntimeError(state.message or "failed")
            return stage, error
    return None


@flow(name="ingest", log_prints=False)
def ingest(paths: list[str], db: str | None = None, run_id: str | None = None) -> dict[str, Any]:
    """Ingest files and folders (.pdf, .png/.jpg/.tif, .txt) into the DuckDB warehouse."""
    logger = get_run_logger()
    settings = Settings.from_env(Path(db) if db else None)
    run_id = run_id or str(flow_run.id or uuid.uuid4())
    files = discover([Path(p) for p in paths])
    progress.emit(progress.ProgressEvent("planned", total=len(files)))
    logger.info("run %s: %d files into %s", run_id, len(files), settings.db_path)
    warehouse = warehouse_db.Warehouse(settings.db_path)
    with warehouse.write() as con:
        warehouse_db.start_run(con, run_id, str(flow_run.id) if flow_run.id else None)

    chains: dict[str, list[PrefectFuture[Any]]] = {}
    for file in files:
        acquired = acquire_task.submit(str(file), settings)
        extracted = extract_task.submit(acquired, settings)
        paragraphs = layout_task.submit(acquired, extracted)
        facts = facts_task.submit(acquired, paragraphs)
        loaded = load_task.submit(acquired, extracted, paragraphs, facts, settings)
        chains[str(file)] = [acquired, extracted, paragraphs, facts, loaded]
    wait([future for chain in chains.values() for future in chain])

    summary = RunSummary(run_id=run_id, db_path=str(settings.db_path))
    loaded_ids: list[str] = []
    failure_futures = []
    for path, chain in chains.items():
        failure = _first_failure(chain)
        if failure is None:
            outcome: warehouse_db.LoadOutcome = chain[4].result()
            extracted_doc = chain[1].result()
            loaded_ids.append(outcome.doc_id)
            if outcome.action == "unchanged":
                summary.documents_unchanged += 1
            summary.documents_ok += 1
            summary.pages_text += sum(p.method == "text" for p in extracted_doc.pages) or (
                1 if extracted_doc.text is not None else 0
            )
            summary.pages_ocr += sum(p.method == "ocr" for p in extracted_doc.pages)
            summary.paragraphs += len(chain[2].result())
            summary.facts += len(chain[3].result()[1])
            continue
        stage, error = failure
        code = getattr(error, "code", "internal_error")
        message = str(error) if code != "internal_error" else f"{type(error).__name__}: {error}"
        acquired_doc = chain[0].result() if stage != "acquire" else None
        summary.documents_failed += 1
        summary.failures.append(FailedDocument(path, stage, code, message))
        failure_futures.append(record_failure_task.submit(path, message, code, acquired_doc, settings))
    wait(failure_futures)

    if loaded_ids:
        validation = validate_task(run_id, loaded_ids, settings)
        summary.expectations_passed = validation["expectations_passed"]
        summary.expectations_failed = validation["expectations_failed"]
        summary.facts_failed_validation = validation["facts_failed"]
        summary.data_docs_index = validation["data_docs_index"]

    status = "failed" if summary.failures else "completed"
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
    publish_task(settings)
    if summary.failures:
        raise IngestFailed(summary)
    return summary.as_dict()
