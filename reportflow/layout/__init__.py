"""Layout repair: positioned text (PDF characters, OCR words) or column-broken .txt → paragraphs."""

from __future__ import annotations

from reportflow.models import ExtractedDocument, Paragraph


def repair_layout(extracted: ExtractedDocument) -> list[Paragraph]:
    """Reading-order paragraphs of a document, whatever its input path."""
    if extracted.text is not None:
        from reportflow.layout.text_repair import paragraphs_from_text

        return paragraphs_from_text(extracted.text)
    from reportflow.layout.engine import paragraphs_from_pages

    return paragraphs_from_pages(extracted.pages)
