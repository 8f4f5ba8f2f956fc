"""The whole path for one document as plain function calls (no Prefect, no database).

`reportflow text` and `reportflow facts` use this directly; the Prefect flow calls the same
stage functions one task at a time so that each stage is retried and cached on its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportflow.acquire import AcquiredDocument, acquire
from reportflow.config import Settings
from reportflow.extract import extract_document
from reportflow.facts import document_context, extract_facts
from reportflow.layout import repair_layout
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph


@dataclass(slots=True)
class ProcessedDocument:
    acquired: AcquiredDocument
    extracted: ExtractedDocument
    paragraphs: list[Paragraph]
    context: DocumentContext
    facts: list[Fact]


def extract_stage(acquired: AcquiredDocument, settings: Settings) -> ExtractedDocument:
    return extract_document(Path(acquired.archive_path), acquired.media_type, settings.ocr)  # type: ignore[arg-type]


def facts_stage(acquired: AcquiredDocument, paragraphs: list[Paragraph]) -> tuple[DocumentContext, list[Fact]]:
    context = document_context(paragraphs, acquired.file_name)
    facts = extract_facts(paragraphs, context)
    by_seq = {p.seq: p for p in paragraphs}
    for fact in facts:
        # A paragraph that runs on to the next page: the fact is on the page of its number.
        pages = by_seq[fact.paragraph_seq].char_pages if fact.paragraph_seq in by_seq else []
        if pages and fact.value_start < len(pages):
            fact.page_no = pages[fact.value_start]
    return context, facts


def process_document(path: Path, settings: Settings, archive: bool = True) -> ProcessedDocument:
    """Acquire, extract, repair layout and extract facts for one file."""
    acquired = acquire(path, settings.archive_dir if archive else None)
    extracted = extract_stage(acquired, settings)
    paragraphs = repair_layout(extracted)
    context, facts = facts_stage(acquired, paragraphs)
    return ProcessedDocument(acquired, extracted, paragraphs, context, facts)
