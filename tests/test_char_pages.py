"""A paragraph that runs on to the next page: its characters keep their own page, and a fact
whose number is printed on the second page says so (page_no, and boxes on that page)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from benchmarks.corpus import build_layout_cases
from reportflow.acquire import acquire
from reportflow.extract import extract_document
from reportflow.layout import repair_layout
from reportflow.pipeline import facts_stage

CASE = "rl-jiangmen-a4-2col-review"


@pytest.fixture(scope="module")
def document():
    (case,) = build_layout_cases(only=CASE)
    extracted = extract_document(case.pdf, "pdf")
    paragraphs = repair_layout(extracted)
    _, facts = facts_stage(acquire(case.pdf, None), paragraphs)
    return case, paragraphs, facts


def test_only_paragraphs_running_across_pages_carry_char_pages(document) -> None:
    _, paragraphs, _ = document
    spanning = [p for p in paragraphs if p.char_pages]
    assert spanning, "the case has a paragraph continued on the next page"
    for p in paragraphs:
        if p.char_pages:
            assert len(p.char_pages) == len(p.text)
            assert p.char_pages[0] == p.page_no and max(p.char_pages) == p.page_no + 1
            assert p.char_pages == sorted(p.char_pages)


def test_fact_on_the_continued_part_is_on_the_second_page_with_its_boxes(document) -> None:
    case, paragraphs, facts = document
    by_seq = {p.seq: p for p in paragraphs}
    moved = [f for f in facts if by_seq[f.paragraph_seq].char_pages and f.page_no != by_seq[f.paragraph_seq].page_no]
    assert moved
    # PDFium, not pdfminer: pdfminer misplaces characters of reportlab's justified CJK lines.
    pdf = pdfium.PdfDocument(case.pdf)
    try:
        for fact in moved:
            paragraph = by_seq[fact.paragraph_seq]
            boxes = paragraph.char_boxes[fact.value_start : fact.value_start + len(fact.value_text)]
            assert all(paragraph.char_pages[fact.value_start + i] == fact.page_no for i in range(len(boxes)))
            x0 = min(b[0] for b in boxes if b)
            top = min(b[1] for b in boxes if b)
            x1 = max(b[2] for b in boxes if b)
            bottom = max(b[3] for b in boxes if b)
            page = pdf[fact.page_no - 1]
            height = page.get_height()
            printed = page.get_textpage().get_text_bounded(x0 - 0.5, height - bottom - 0.5, x1 + 0.5, height - top + 0.5)
            assert "".join(fact.value_text.split()) in "".join(printed.split()), (fact.value_text, printed)
    finally:
        pdf.close()
