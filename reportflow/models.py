"""Typed records passed between the pipeline stages.

Every stage takes and returns these plain dataclasses, so the stages are ordinary
functions that tests call without Prefect, and Prefect can persist their results.
Coordinates are in the page's own units: PDF points for text-layer pages, pixels
of the recognised image for OCR pages (``PageContent.width``/``height`` say which).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Literal

PageMethod = Literal["text", "ocr"]
ParagraphKind = Literal["heading", "item", "body"]
FactKind = Literal["actual", "target"]
Measure = Literal["level", "growth", "pp_change", "rate", "rank", "count", "multiple", "ratio"]
Comparator = Literal["=", ">=", "<=", "~"]
MediaType = Literal["pdf", "image", "text"]

BBox = tuple[float, float, float, float]
"""(x0, top, x1, bottom), origin at the page's top-left corner."""


@dataclass(frozen=True, slots=True)
class TextUnit:
    """One positioned piece of text: a character from a PDF text layer, or a word from OCR."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float
    """Font size (text layer) or glyph height estimate (OCR), in page units."""
    fontname: str = ""
    bold: bool = False
    conf: float | None = None
    """OCR word confidence, 0–100; None for text-layer characters."""


@dataclass(slots=True)
class PageContent:
    """Everything the layout engine needs from one page, whatever the extraction method."""

    page_no: int
    """1-based."""
    width: float
    height: float
    method: PageMethod
    units: list[TextUnit]
    ocr_confidence: float | None = None
    """Mean word confidence of the page (OCR pages only)."""
    dpi: float | None = None
    """Resolution of the recognised image (OCR pages); page units are then pixels."""
    rotation: int = 0
    """Clockwise rotation (0/90/180/270) applied to the page image before recognition."""
    skew_degrees: float = 0.0
    """Deskew angle applied before recognition (OCR pages)."""
    note: str = ""
    """Why this method was chosen, e.g. 'text layer garbage: 80% (cid:NN)'."""

    @property
    def char_count(self) -> int:
        return sum(len(u.text.strip()) for u in self.units)

    # Pickled column by column: every document's extract result is persisted (tasks/cache.py)
    # and a text page holds ~1,700 units. As one object each, a page took 8 ms to pickle and
    # 11 ms to unpickle (112 KB); as columns, the coordinates are one array of floats, exact.
    def __getstate__(self) -> tuple[object, ...]:
        units = self.units
        return (
            self.page_no, self.width, self.height, self.method, self.ocr_confidence, self.dpi,
            self.rotation, self.skew_degrees, self.note,
            [u.text for u in units],
            array("d", [v for u in units for v in (u.x0, u.top, u.x1, u.bottom, u.size)]),
            [u.fontname for u in units],
            bytes(u.bold for u in units),
            [u.conf for u in units],
        )  # fmt: skip

    def __setstate__(self, state: tuple[object, ...]) -> None:
        (
            self.page_no, self.width, self.height, self.method, self.ocr_confidence, self.dpi,
            self.rotation, self.skew_degrees, self.note,
            texts, boxes, fonts, bolds, confs,
        ) = state  # type: ignore[assignment]  # fmt: skip
        b = boxes.tolist()  # type: ignore[attr-defined]
        self.units = [
            TextUnit(text, x0, top, x1, bottom, size, font, bool(bold), conf)
            for text, x0, top, x1, bottom, size, font, bold, conf in zip(
                texts,
                b[0::5],
                b[1::5],
                b[2::5],
                b[3::5],
                b[4::5],
                fonts,
                bolds,
                confs,
                strict=True,  # type: ignore[call-overload]
            )
        ]


@dataclass(slots=True)
class Paragraph:
    """One reading-order paragraph, heading or list item (a `paragraphs` row)."""

    seq: int
    """0-based position in the document's reading order."""
    page_no: int
    kind: ParagraphKind
    text: str
    bbox: BBox | None = None
    char_boxes: list[BBox | None] = field(default_factory=list)
    """One box per character of ``text`` (None for inserted spaces); empty for .txt input."""
    char_conf: list[float | None] = field(default_factory=list)
    """OCR confidence per character of ``text`` (empty unless the page was OCR'd)."""
    char_pages: list[int] = field(default_factory=list)
    """Page of each character of ``text`` when the paragraph runs on to another page (its
    boxes are then in that page's coordinates); empty when it is all on ``page_no``."""


@dataclass(slots=True)
class Fact:
    """One numeric statement (a `facts` row)."""

    paragraph_seq: int
    page_no: int
    indicator: str
    measure: Measure
    value: float | None
    """The signed number (下降0.8% → -0.8); None only for ratios, whose parts are in ``parts``."""
    unit: str
    value_text: str
    """The number+unit exactly as written in the evidence, e.g. '3773.41亿元', '12.2:44.9:42.9'."""
    evidence: str
    """The verbatim clause the fact comes from; contains ``value_text``."""
    kind: FactKind
    comparator: Comparator = "="
    aspirational: bool = False
    indicator_code: str | None = None
    region: str | None = None
    period_year: int | None = None
    period_start: int | None = None
    """First year of a multi-year span (年均增长 over 2021–2024 → 2021); else None."""
    value_base: float | None = None
    base_unit: str | None = None
    parts: list[float] | None = None
    """The terms of a ratio (12.2:44.9:42.9); None otherwise."""
    chinese_numeral: bool = False
    evidence_start: int = 0
    """Offset of ``evidence`` in the paragraph text."""
    value_start: int = 0
    """Offset of ``value_text`` in the paragraph text (for provenance boxes)."""
    ocr_min_conf: float | None = None
    """Lowest OCR confidence among the characters of ``value_text`` (OCR pages only)."""


@dataclass(slots=True)
class DocumentContext:
    """What the fact extractor knows about the whole document."""

    title: str | None = None
    region: str | None = None
    report_year: int | None = None
    """The year the report was delivered (2023 for the 2023 report, reviewing 2022)."""


@dataclass(slots=True)
class ExtractedDocument:
    """The output of the extract stage for one document."""

    media_type: MediaType
    page_count: int
    pages: list[PageContent] = field(default_factory=list)
    """One entry per page (PDF and image inputs); empty for .txt input."""
    text: str | None = None
    """The decoded, normalised text of a .txt input; None otherwise."""
    encoding: str | None = None
    """The encoding a .txt input was decoded from (utf-8, gb18030, utf-16 …)."""
