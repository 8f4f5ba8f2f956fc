"""The whole path for one document as plain function calls (no Prefect, no database).

`reportflow text` and `reportflow facts` call `process_document`; the Prefect flow calls
`compute_document` once per document (one task run), with a `StageCache` that persists each
stage's result, so a retry or a later run recomputes only the stages whose inputs or code
changed (tasks/cache.py).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from reportflow.acquire import AcquiredDocument, acquire
from reportflow.config import Settings
from reportflow.extract import extract_document
from reportflow.facts import document_context, extract_facts
from reportflow.layout import repair_layout
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph

T = TypeVar("T")

STAGES = ("extract", "layout", "facts")
"""The cached stages of `compute_document`, in order (the names of the stage log and cache keys)."""


@dataclass(slots=True)
class ProcessedDocument:
    acquired: AcquiredDocument
    extracted: ExtractedDocument
    paragraphs: list[Paragraph]
    context: DocumentContext
    facts: list[Fact]


@dataclass(frozen=True, slots=True)
class StageRun:
    """How one stage of one document was obtained: computed now, or read from the cache."""

    stage: str
    cached: bool
    seconds: float
    """Wall time of the stage, including the cache lookup (and the read when cached)."""


@dataclass(slots=True)
class ComputedDocument:
    """Everything the load needs for one document, and how each stage was obtained."""

    document: ProcessedDocument
    stage_runs: list[StageRun] = field(default_factory=list)


class StageFailed(Exception):
    """A stage of one document raised: carries the stage and the original error.

    The original (typed, with its ``code``) is ``cause``; the flow records the document as
    failed at ``stage`` with the cause's error code.
    """

    def __init__(self, stage: str, cause: BaseException, acquired: AcquiredDocument | None = None) -> None:
        super().__init__(stage, cause, acquired)  # the args, so it pickles (Dask workers)
        self.stage = stage
        self.cause = cause
        self.acquired = acquired
        """The document, when it failed after acquire (its failure is recorded under its sha256)."""

    def __str__(self) -> str:
        return f"{self.stage}: {type(self.cause).__name__}: {self.cause}"


class StageCache(Protocol):
    """Where `compute_document` gets a stage's result: from storage if present, else ``compute``."""

    def get_or_compute(
        self, stage: str, acquired: AcquiredDocument, settings: Settings, compute: Callable[[], T]
    ) -> tuple[T, bool]:
        """The stage's result and whether it came from the cache."""
        ...


class NoStageCache:
    """Computes every stage (tests, the CLI's one-off commands, the benchmark's direct run)."""

    def get_or_compute(
        self, stage: str, acquired: AcquiredDocument, settings: Settings, compute: Callable[[], T]
    ) -> tuple[T, bool]:
        return compute(), False


def extract_stage(acquired: AcquiredDocument, settings: Settings) -> ExtractedDocument:
    return extract_document(Path(acquired.archive_path), acquired.media_type, settings.ocr)  # type: ignore[arg-type]


def facts_stage(
    acquired: AcquiredDocument, paragraphs: list[Paragraph]
) -> tuple[DocumentContext, list[Fact]]:
    context = document_context(paragraphs, acquired.file_name)
    facts = extract_facts(paragraphs, context)
    by_seq = {p.seq: p for p in paragraphs}
    for fact in facts:
        # A paragraph that runs on to the next page: the fact is on the page of its number.
        pages = by_seq[fact.paragraph_seq].char_pages if fact.paragraph_seq in by_seq else []
        if pages and fact.value_start < len(pages):
            fact.page_no = pages[fact.value_start]
    return context, facts


def compute_document(
    acquired: AcquiredDocument, settings: Settings, cache: StageCache | None = None
) -> ComputedDocument:
    """extract → repair layout → extract facts for one acquired document, each stage through ``cache``.

    Raises StageFailed naming the stage that failed (its ``cause`` is the original error).
    """
    stages: StageCache = cache or NoStageCache()
    runs: list[StageRun] = []

    def run(stage: str, compute: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            value, cached = stages.get_or_compute(stage, acquired, settings, compute)
        except Exception as exc:
            raise StageFailed(stage, exc, acquired) from exc
        runs.append(StageRun(stage, cached, time.perf_counter() - start))
        return value

    extracted: ExtractedDocument = run("extract", lambda: extract_stage(acquired, settings))
    paragraphs: list[Paragraph] = run("layout", lambda: repair_layout(extracted))
    context, facts = run("facts", lambda: facts_stage(acquired, paragraphs))
    return ComputedDocument(ProcessedDocument(acquired, extracted, paragraphs, context, facts), runs)


def process_document(path: Path, settings: Settings, archive: bool = True) -> ProcessedDocument:
    """Acquire, extract, repair layout and extract facts for one file."""
    acquired = acquire(path, settings.archive_dir if archive else None)
    try:
        return compute_document(acquired, settings).document
    except StageFailed as failed:
        raise failed.cause from None  # callers here expect the typed error itself
