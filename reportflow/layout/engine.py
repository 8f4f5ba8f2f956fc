"""The layout engine: positioned text (PDF characters or OCR words) → reading-order paragraphs.

One engine for both inputs. Every threshold is relative to character size (em), never an
absolute distance, so PDF points and scan pixels go through the same code; OCR words are
just units with several characters and noisier boxes.

Stages (each a module of small pure functions):

1. ``units``: normalise characters (Kangxi radicals …), drop whitespace units and
   overprinted duplicates (fake bold), measure each unit's em.
2. ``lines``: rows by vertical centre, cut at gutter-wide gaps, without trusting the order
   the PDF's content stream wrote the characters in.
3. ``furniture``: running heads/feet repeated across pages and page numbers are dropped.
4. ``columns``: lines stacked into column blocks; blocks ordered by a recursive XY-cut
   (bands top to bottom, columns left to right, band merging for aligned gaps).
5. ``paragraphs``: paragraph ends, line joining, continuation across columns and pages,
   heading/item/body classification, bullet glyphs dropped.

Assumptions: units are in the page's displayed orientation with the origin top-left (what
pdfplumber reports for a /Rotate page, and what OCR of the rotated image gives). Text
runs left to right in horizontal lines; vertical CJK writing is not reconstructed (each
vertical column comes out as short one-character lines, read top to bottom, columns
left to right).
"""

from __future__ import annotations

import logging

from reportflow.layout.columns import PlacedBlock, build_blocks, reading_order
from reportflow.layout.furniture import find_furniture
from reportflow.layout.lines import Line, build_lines
from reportflow.layout.paragraphs import PlacedLine, paragraphs_from_lines
from reportflow.layout.punctuation import harmonise_ocr_punctuation
from reportflow.layout.units import page_units
from reportflow.models import PageContent, Paragraph

logger = logging.getLogger(__name__)


def page_lines(page: PageContent) -> list[Line]:
    """The lines of one page (before furniture removal and ordering)."""
    return build_lines(page_units(page))


FOOTNOTE_SIZE_RATIO = 0.9
FOOTNOTE_ZONE = 0.7
"""Blocks of smaller type below all body text of their column, in the lowest 30 % of the
page, are footnotes: read after the page's body so that a paragraph running from one
column into the next is not cut by them."""


def _footnotes_last(placed: list[PlacedBlock], page_height: float) -> tuple[list[PlacedBlock], set[int]]:
    """The page's blocks with its footnotes moved to the end, and the ids of the notes."""
    sizes = [(ln.size, len(ln.text)) for pb in placed for ln in pb.block.lines]
    if not sizes:
        return placed, set()
    sizes.sort()
    half, acc, body = sum(w for _, w in sizes) / 2.0, 0, sizes[-1][0]
    for size, w in sizes:
        acc += w
        if acc >= half:
            body = size
            break

    def small(pb: PlacedBlock) -> bool:
        return all(ln.size < FOOTNOTE_SIZE_RATIO * body for ln in pb.block.lines)

    def footnote(pb: PlacedBlock) -> bool:
        b = pb.block
        if not small(pb) or b.top < FOOTNOTE_ZONE * page_height:
            return False
        return not any(
            not small(other)
            and other.block.bottom > b.top
            and min(other.block.x1, b.x1) > max(other.block.x0, b.x0)
            for other in placed
        )

    notes = [pb for pb in placed if footnote(pb)]
    return [pb for pb in placed if pb not in notes] + notes, {id(pb.block) for pb in notes}


def order_page(
    lines: list[Line], first_block_id: int = 0, page_height: float | None = None
) -> list[PlacedLine]:
    """One page's lines in reading order, each with its column extent and block id."""
    placed: list[PlacedLine] = []
    ordered = reading_order(build_blocks(lines))
    notes: set[int] = set()
    if page_height:
        ordered, notes = _footnotes_last(ordered, page_height)
    for k, pb in enumerate(ordered):
        count = len(pb.block.lines)
        note = id(pb.block) in notes
        for i, line in enumerate(pb.block.lines):
            placed.append(
                PlacedLine(line, pb.col_x0, pb.col_x1, first_block_id + k, count, i, pb.col_lines, note)
            )
    return placed


def paragraphs_from_pages(pages: list[PageContent]) -> list[Paragraph]:
    """Reading-order paragraphs of a document's pages (text-layer characters or OCR words)."""
    ordered_pages = sorted(pages, key=lambda p: p.page_no)
    lines_per_page = [page_lines(p) for p in ordered_pages]
    furniture = find_furniture(lines_per_page, [p.height for p in ordered_pages])
    placed: list[PlacedLine] = []
    block_id = 0
    for page, lines, drop in zip(ordered_pages, lines_per_page, furniture):
        if drop:
            logger.debug("page %d: dropped furniture %s", page.page_no, [lines[i].text for i in sorted(drop)])
        body = [line for i, line in enumerate(lines) if i not in drop]
        page_placed = order_page(body, block_id, page.height)
        if page_placed:
            block_id = page_placed[-1].block + 1
        placed.extend(page_placed)
    # The width of OCR'd punctuation is a document's convention, so it is decided per document.
    return harmonise_ocr_punctuation(paragraphs_from_lines(placed))
