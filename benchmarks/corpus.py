"""Benchmark corpus: newspaper-like multi-column PDFs and scans of them, with known truth.

The truth comes from the hand-checked clean texts in ``../shared/gold-samples`` (one
paragraph per line). Each case typesets one of them as a newspaper page (2–4 columns, A4 or
A3, spanning headlines, bullet lists with hanging indents, numbered headings, a data box with
large numbers, page furniture) with one of two PDF producers (reportlab, fpdf2), so the exact
text of every paragraph is known. Some cases write the content stream out of reading order
(random line order, random character order, random block order) while looking identical:
real newspaper PDFs often do, and a reader that trusts the stream order must fail on them.

``build_layout_cases(out_dir)`` builds (or reuses) the PDFs; ``build_scan_cases(out_dir)``
renders some of their pages to images and degrades them like scans. Both are deterministic:
every random choice is seeded from the case name, and reportlab/fpdf2 are run in their
reproducible modes, so a rebuild gives the same bytes.

``python -m benchmarks.corpus OUTDIR`` builds everything and prints a summary.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np

if TYPE_CHECKING:
    from fpdf import FPDF

logger = logging.getLogger(__name__)

BUILDER_VERSION = 3
"""Part of every cached file's fingerprint, with a hash of this module's source: any edit
here rebuilds the cached PDFs (cheap: ~10 s); scans are re-rendered only when their PDF's
bytes or their degradation change."""

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT_DIR = PROJECT_ROOT / "benchmarks" / ".cache" / "corpus"

Kind = Literal["heading", "item", "body"]
Truth = list[tuple[Kind, str]]
Producer = Literal["reportlab", "fpdf2"]
StreamOrder = Literal["reading", "lines", "chars", "blocks"]
"""How the content stream is ordered: 'reading' = the order a reader reads; 'lines' = every
text line drawn in random order; 'chars' = every character its own text object, in random
order; 'blocks' = each paragraph's part within one column kept together, the parts in random
order (what threaded text frames of layout programs produce)."""
FontRole = Literal["body", "heavy"]
RunRole = Literal["truth", "furniture", "decoration"]

PAGE_SIZES: dict[str, tuple[float, float]] = {
    "A3": (841.89, 1190.55),
    "A4": (595.28, 841.89),
    "A5": (419.53, 595.28),
}

PAGE_SCALE: dict[str, float] = {"A3": 1.35, "A4": 1.0, "A5": 0.75}
"""Headline sizes and margins relative to A4."""

ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
UMING = Path("/usr/share/fonts/truetype/arphic/uming.ttc")

FIXED_DATE = datetime(2023, 2, 17, 6, 0, tzinfo=UTC)
"""Creation date written into every PDF, so that rebuilds are byte-identical."""


def shared_dir() -> Path:
    """The read-only shared material (sample texts, gold clean texts)."""
    value = os.environ.get("REPORTFLOW_SHARED_DIR")
    return Path(value) if value else PROJECT_ROOT.parent / "shared"


def _seed(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode("utf-8"))


def _squash(text: str) -> str:
    return "".join(text.split())


# --------------------------------------------------------------------------------------
# Truth
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceText:
    """Where a document's truth comes from and how its lines are classified."""

    key: str
    gold_file: str
    """The clean text in gold-samples (one paragraph per line)."""
    sample_file: str
    """The original text in samples (for provenance)."""
    numbered_kind: Kind
    """Kind of lines written "1. …": sub-headings in kaiping, list items in xinhui."""
    overrides: tuple[tuple[str, Kind], ...] = ()
    """(line prefix, kind) for lines the generic rule gets wrong."""


SOURCES: dict[str, SourceText] = {
    "kaiping": SourceText("kaiping", "000.clean.txt", "kaiping-2023-report-summary.txt", "heading"),
    "xinhui": SourceText(
        "xinhui",
        "001.clean.txt",
        "xinhui-2023-report-digest.txt",
        "item",
        # The source breaks one list item after "…罗坑林锦云故居、大"; the rest of the item
        # is its own line. It is no title, whatever its length says.
        overrides=(("泽田金革命根据地", "body"),),
    ),
    "jiangmen": SourceText("jiangmen", "002.clean.txt", "jiangmen-2023-report-columns.txt", "heading"),
}

_NUMBERED_LINE = re.compile(r"^\d+\.\s")
_SENTENCE_END = re.compile(r"[。；;！？!?]")
HEADING_MAX_CHARS = 45


def classify_line(line: str, source: SourceText) -> tuple[Kind, str]:
    """Kind and truth text of one clean-text line ("- " items lose their marker)."""
    for prefix, kind in source.overrides:
        if line.startswith(prefix):
            return kind, line
    if line.startswith("- "):
        return "item", line[2:]
    if _NUMBERED_LINE.match(line):
        return source.numbered_kind, line
    if len(_squash(line)) <= HEADING_MAX_CHARS and not _SENTENCE_END.search(line):
        return "heading", line
    return "body", line


def load_truth(source: str, shared: Path | None = None) -> Truth:
    """The truth paragraphs of a source text: the non-empty lines of its gold clean text."""
    spec = SOURCES[source]
    path = (shared or shared_dir()) / "gold-samples" / spec.gold_file
    if shared is None and not path.exists():
        path = PROJECT_ROOT / "tests" / "gold" / spec.gold_file  # the repo's copy
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [classify_line(line, spec) for line in lines if line]


# --------------------------------------------------------------------------------------
# Case specifications
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Band:
    """A horizontal band of a page: optional full-width headlines, then ``columns`` columns."""

    start: str
    """Prefix of the band's first paragraph ('' = the document's first paragraph)."""
    columns: int
    spans: int = 0
    """How many leading paragraphs of the band are set full width across the columns."""


@dataclass(frozen=True, slots=True)
class Furniture:
    paper: str
    date: str
    editors: str


FURNITURE_SETS: tuple[Furniture, ...] = (
    Furniture("侨乡晨报", "2023年2月17日 星期五", "责任编辑 李晓明 美术编辑 陈思"),
    Furniture("潮连周刊", "2023年2月21日 星期二", "责编 黄嘉欣 校对 吴凡"),
    Furniture("银湖都市报", "2023年3月2日 星期四", "本版编辑 梁子健"),
)
"""Running heads and footers: strings that occur in none of the sample texts (checked)."""


@dataclass(frozen=True, slots=True)
class CaseSpec:
    """Everything that decides how one benchmark document looks."""

    name: str
    source: str
    producer: Producer
    page: str
    bands: tuple[Band, ...]
    body_size: float = 10.0
    leading: float = 1.6
    """Line pitch as a multiple of the body size."""
    indent: bool = True
    """First-line indent of two characters for body text; else paragraph spacing."""
    justify: bool = False
    """Full lines stretched to the column width by inter-character spacing."""
    bullet: str = "●"
    databox: int = 0
    """How many leading list items ending in a number go into a boxed data panel, each
    with its number printed large (28 pt) under its label."""
    column_rules: bool = False
    stream_order: StreamOrder = "reading"
    furniture: int = 0
    """Index into FURNITURE_SETS."""
    edition: int = 3
    """Page number of the first page ("第3版")."""
    page_numbers: Literal["head", "foot"] = "head"
    """'head': "第N版" in the running head; 'foot': "— N —" centred at the foot."""
    run_in_heads: bool = False
    """Print a body paragraph's short lead sentence ("提升硬联通能力。") in the heavy font."""
    first: int = 0
    last: int | None = None
    """The slice of the source's paragraphs typeset (to keep long texts to a few pages)."""
    column_gap: float = 14.0


def _band(start: str, columns: int, spans: int = 0) -> Band:
    return Band(start, columns, spans)


LAYOUT_SPECS: tuple[CaseSpec, ...] = (
    CaseSpec(
        "rl-kaiping-a4-3col",
        "kaiping",
        "reportlab",
        "A4",
        (_band("", 3, 2),),
        body_size=10,
        leading=1.45,
        indent=True,
        bullet="●",
        databox=1,
        furniture=0,
        edition=3,
    ),
    CaseSpec(
        "rl-xinhui-a4-2col-justified",
        "xinhui",
        "reportlab",
        "A4",
        (_band("", 1, 2), _band("2022年工作回顾", 2)),
        body_size=10.5,
        leading=1.6,
        indent=False,
        justify=True,
        bullet="·",
        databox=6,
        furniture=1,
        edition=5,
        page_numbers="foot",
    ),
    CaseSpec(
        "rl-jiangmen-a3-4col",
        "jiangmen",
        "reportlab",
        "A3",
        (_band("", 4, 2), _band("二、2023年工作安排", 3, 1)),
        body_size=10,
        leading=1.5,
        indent=True,
        justify=True,
        column_rules=True,
        run_in_heads=True,
        furniture=0,
        edition=2,
    ),
    CaseSpec(
        "rl-kaiping-a3-bands",
        "kaiping",
        "reportlab",
        "A3",
        (_band("", 3, 2), _band("2023年，朝着500亿元关口奋进", 2, 1), _band("重点抓好八方面工作", 4, 1)),
        body_size=10.5,
        leading=1.55,
        indent=False,
        bullet="-",
        databox=1,
        column_rules=True,
        furniture=2,
        edition=7,
    ),
    CaseSpec(
        "rl-jiangmen-a4-2col-review",
        "jiangmen",
        "reportlab",
        "A4",
        (_band("", 2, 2),),
        body_size=10.5,
        leading=1.35,
        indent=True,
        justify=True,
        run_in_heads=True,
        furniture=1,
        edition=2,
        page_numbers="foot",
        last=10,
    ),
    CaseSpec(
        "fp-kaiping-a4-2col",
        "kaiping",
        "fpdf2",
        "A4",
        (_band("", 2, 2),),
        body_size=10,
        leading=1.7,
        indent=False,
        justify=True,
        bullet="-",
        databox=1,
        furniture=1,
        edition=4,
    ),
    CaseSpec(
        "fp-xinhui-a3-4col",
        "xinhui",
        "fpdf2",
        "A3",
        (_band("", 4, 2), _band("2023年工作展望", 3, 1)),
        body_size=10,
        leading=1.4,
        indent=True,
        bullet="●",
        databox=6,
        column_rules=True,
        furniture=2,
        edition=6,
    ),
    CaseSpec(
        "fp-jiangmen-a4-3col",
        "jiangmen",
        "fpdf2",
        "A4",
        (_band("", 3, 2),),
        body_size=9.5,
        leading=1.5,
        indent=True,
        justify=True,
        run_in_heads=True,
        furniture=0,
        edition=2,
        last=14,
    ),
    CaseSpec(
        "fp-kaiping-a3-3col",
        "kaiping",
        "fpdf2",
        "A3",
        (_band("", 3, 2),),
        body_size=11,
        leading=1.6,
        indent=True,
        bullet="·",
        databox=1,
        furniture=2,
        edition=8,
        page_numbers="foot",
    ),
    CaseSpec(
        "fp-xinhui-a4-3col",
        "xinhui",
        "fpdf2",
        "A4",
        (_band("", 1, 2), _band("2022年工作回顾", 3)),
        body_size=9.5,
        leading=1.45,
        indent=True,
        bullet="-",
        furniture=0,
        edition=4,
    ),
    CaseSpec(
        "fp-jiangmen-a3-4col-plan",
        "jiangmen",
        "fpdf2",
        "A3",
        (_band("", 4, 0),),
        body_size=10.5,
        leading=1.65,
        indent=False,
        justify=True,
        column_rules=True,
        run_in_heads=True,
        furniture=1,
        edition=3,
        page_numbers="foot",
        first=16,
    ),
    # Content stream out of reading order (the pages look the same as a normal build).
    CaseSpec(
        "rl-xinhui-a4-3col-shuffled-lines",
        "xinhui",
        "reportlab",
        "A4",
        (_band("", 3, 2), _band("2023年工作展望", 3, 1)),
        body_size=9.5,
        leading=1.5,
        indent=True,
        justify=True,
        bullet="●",
        databox=6,
        furniture=1,
        edition=9,
        stream_order="lines",
    ),
    CaseSpec(
        "fp-kaiping-a4-3col-shuffled-chars",
        "kaiping",
        "fpdf2",
        "A4",
        (_band("", 3, 2), _band("重点抓好八方面工作", 3, 1)),
        body_size=9.5,
        leading=1.4,
        indent=False,
        bullet="·",
        databox=1,
        furniture=0,
        edition=2,
        stream_order="chars",
    ),
    CaseSpec(
        "rl-jiangmen-a3-3col-shuffled-blocks",
        "jiangmen",
        "reportlab",
        "A3",
        (_band("", 3, 2), _band("二、2023年工作安排", 4, 1)),
        body_size=11,
        leading=1.6,
        indent=True,
        justify=True,
        column_rules=True,
        run_in_heads=True,
        furniture=2,
        edition=1,
        page_numbers="foot",
        stream_order="blocks",
    ),
)


# --------------------------------------------------------------------------------------
# Fonts and metrics (each producer measures with its own font program)
# --------------------------------------------------------------------------------------


class _Fonts:
    """Font registration and per-character advance widths for one producer."""

    producer: Producer

    def __init__(self) -> None:
        self._cache: dict[tuple[FontRole, str], float] = {}

    def _advance_1000(self, role: FontRole, char: str) -> float:  # pragma: no cover
        raise NotImplementedError

    def char_width(self, char: str, role: FontRole, size: float) -> float:
        key = (role, char)
        if key not in self._cache:
            self._cache[key] = self._advance_1000(role, char)
        return self._cache[key] * size / 1000.0

    def width(self, text: str, role: FontRole, size: float) -> float:
        return sum(self.char_width(c, role, size) for c in text)


class _ReportlabFonts(_Fonts):
    """reportlab: body in AR PL UMing (明体), headings in WenQuanYi Zen Hei (黑体)."""

    producer: Producer = "reportlab"
    NAMES: ClassVar[dict[FontRole, str]] = {"body": "RFUMingCN", "heavy": "RFZenHei"}

    def __init__(self) -> None:
        super().__init__()
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        registered = set(pdfmetrics.getRegisteredFontNames())
        if self.NAMES["body"] not in registered:
            pdfmetrics.registerFont(TTFont(self.NAMES["body"], str(UMING), subfontIndex=0))
        if self.NAMES["heavy"] not in registered:
            pdfmetrics.registerFont(TTFont(self.NAMES["heavy"], str(ZENHEI), subfontIndex=0))
        self._string_width = pdfmetrics.stringWidth

    def _advance_1000(self, role: FontRole, char: str) -> float:
        return float(self._string_width(char, self.NAMES[role], 1000))


class _Fpdf2Fonts(_Fonts):
    """fpdf2: one font (WenQuanYi Zen Hei); headings are fake bold (fill + stroke)."""

    producer: Producer = "fpdf2"
    FAMILY = "zenhei"

    def __init__(self) -> None:
        super().__init__()
        self._pdf = _new_fpdf()

    def _advance_1000(self, role: FontRole, char: str) -> float:
        self._pdf.set_font(self.FAMILY, size=1000)
        return float(self._pdf.get_string_width(char))


def _new_fpdf() -> FPDF:
    from fpdf import FPDF

    # fontTools warns that it cannot subset Zen Hei's bitmap strikes; they are dropped,
    # which is what we want (the outlines are kept).
    logging.getLogger("fontTools.subset").setLevel(logging.ERROR)
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("reportflow benchmark corpus")
    pdf.add_font(_Fpdf2Fonts.FAMILY, "", str(ZENHEI), collection_font_number=0)
    return pdf


_FONT_SINGLETONS: dict[str, _Fonts] = {}


def _fonts(producer: Producer) -> _Fonts:
    if producer not in _FONT_SINGLETONS:
        _FONT_SINGLETONS[producer] = _ReportlabFonts() if producer == "reportlab" else _Fpdf2Fonts()
    return _FONT_SINGLETONS[producer]


# --------------------------------------------------------------------------------------
# Typesetting: paragraphs → lines → blocks → columns → pages
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Run:
    """A piece of text drawn with one font at one position (baseline, top-left origin)."""

    text: str
    x: float
    baseline: float
    font: FontRole
    size: float
    char_space: float = 0.0
    role: RunRole = "truth"
    para: int = -1
    """Index of the truth paragraph (truth runs), else -1."""
    start: int = 0
    """Offset of ``text`` in the paragraph's truth text."""
    group: str = ""
    """The block this run belongs to (one paragraph's part in one column)."""

    def moved(self, dx: float, dy: float, group: str = "") -> Run:
        return Run(
            self.text,
            self.x + dx,
            self.baseline + dy,
            self.font,
            self.size,
            self.char_space,
            self.role,
            self.para,
            self.start,
            group or self.group,
        )


@dataclass(frozen=True, slots=True)
class Stroke:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.6


@dataclass(frozen=True, slots=True)
class Frame:
    x0: float
    top: float
    x1: float
    bottom: float
    width: float = 0.8


@dataclass(slots=True)
class Block:
    """An unbreakable unit of a column (one text line, or a whole data box)."""

    height: float
    space_before: float
    runs: list[Run]
    """x relative to the column's left edge, baseline relative to the block's top."""
    frames: list[Frame] = field(default_factory=list)
    keep_with_next: bool = False


@dataclass(slots=True)
class PageDraw:
    """Everything drawn on one page, in reading order."""

    width: float
    height: float
    runs: list[Run] = field(default_factory=list)
    strokes: list[Stroke] = field(default_factory=list)
    frames: list[Frame] = field(default_factory=list)
    furniture: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Typeset:
    """A typeset document before it is written by a producer."""

    pages: list[PageDraw]
    truth: Truth
    band_heads: list[tuple[int, int, float]]
    """(paragraph, page, top as a fraction of the page height) of each mid-document
    spanning headline."""


_TOKEN = re.compile(r"[A-Za-z0-9]+(?:[.:/+\-][A-Za-z0-9]+)*%?|——|……|\s+|.", re.DOTALL)
NO_LINE_START = set("，。、；：？！）》」』”’％%·…—,.;:?!)]】〕")
NO_LINE_END = set("（《「『“‘([【〔")
_LEVEL1_HEADING = re.compile(r"^([一二三四五六七八九十]+[、\s]|\d+\s)")
_RUN_IN_HEAD = re.compile(r"^（[一二三四五六七八九十]+）[^。；]{2,40}。|^[^。，；]{2,10}。")
_DATABOX_ITEM = re.compile(r"^(.*?)(\d+(?:\.\d+)?%)$")
BASELINE_RATIO = 0.86
"""Baseline below the top of the em box, as a fraction of the font size."""


def break_lines(
    text: str, char_widths: Sequence[float], first_width: float, width: float
) -> list[tuple[int, int]]:
    """Greedy line breaks for Chinese text: (start, end) offsets of each line.

    Digit and Latin runs ("3773.41", "G325", "3.3%") are never split; a line never starts
    with closing punctuation nor ends with opening punctuation (kinsoku): the last token
    moves to the next line instead. Spaces at line ends are dropped.
    """
    tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    widths = [sum(char_widths[s:e]) for s, e in tokens]
    lines: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        while i < len(tokens) and text[tokens[i][0]].isspace():
            i += 1
        if i >= len(tokens):
            break
        avail = first_width if not lines else width
        j, used = i, 0.0
        while j < len(tokens) and used + widths[j] <= avail + 1e-6:
            used += widths[j]
            j += 1
        j = max(j, i + 1)
        while (
            j < len(tokens)
            and j - i > 1
            and (text[tokens[j][0]] in NO_LINE_START or text[tokens[j - 1][1] - 1] in NO_LINE_END)
        ):
            j -= 1
        end = tokens[j - 1][1]
        while end > tokens[i][0] and text[end - 1].isspace():
            end -= 1
        lines.append((tokens[i][0], end))
        i = j
    return lines


@dataclass(frozen=True, slots=True)
class ParaStyle:
    font: FontRole
    size: float
    leading: float
    space_before: float = 0.0
    first_indent: float = 0.0
    rest_indent: float = 0.0
    align: Literal["left", "justify", "center"] = "left"
    keep_with_next: bool = False
    marker: str = ""
    """Bullet glyph hung in the first line's indent (a decoration, not truth)."""


ParaRole = Literal["headline", "subtitle", "band", "lede", "column"]
"""How a paragraph is set: the document's first full-width line, the following full-width
lines, a mid-document spanning headline, a full-width lede paragraph, or in a column."""


class _Typesetter:
    """Lays a case's truth paragraphs out on pages: bands of full-width headlines and
    columns, filled top to bottom, column by column, page by page; a band that ends on a
    page has its columns balanced so that the next band starts below its shortest height."""

    def __init__(self, spec: CaseSpec, truth: Truth, fonts: _Fonts) -> None:
        self.spec = spec
        self.truth = truth
        self.fonts = fonts
        self.width, self.height = PAGE_SIZES[spec.page]
        scale = PAGE_SCALE[spec.page]
        self.margin = round(36.0 * max(scale, 0.8), 1)
        self.head_size = round(13.0 * scale**0.7, 1)
        self.content_top = self.margin + self.head_size + 16.0
        self.content_bottom = self.height - self.margin - 18.0
        self.body_leading = spec.body_size * spec.leading
        self.pages: list[PageDraw] = []
        self.band_heads: list[tuple[int, int, float]] = []
        self.y = self.content_top
        self.chunk = 0

    # -- styles ---------------------------------------------------------------------

    def style_for(self, index: int, role: ParaRole) -> ParaStyle:
        spec, b = self.spec, self.spec.body_size
        kind, text = self.truth[index]
        big = PAGE_SCALE[spec.page]
        if role == "headline":
            size = 26.0 * big
            return ParaStyle("heavy", size, size * 1.3, 0.0, align="center")
        if role == "subtitle":
            size = 15.0 * big
            return ParaStyle("heavy", size, size * 1.6, 0.0, align="center")
        if role == "band":
            size = 19.0 * big
            return ParaStyle("heavy", size, size * 1.5, 0.0, align="center")
        if role == "lede":
            size = b * 1.15
            return ParaStyle(
                "body",
                size,
                size * 1.6,
                size * 0.4,
                2 * size if spec.indent else 0.0,
                0.0,
                "justify" if spec.justify else "left",
            )
        gap = 0.0 if spec.indent else self.body_leading * 0.45
        if kind == "heading":
            size = b * (1.3 if _LEVEL1_HEADING.match(text) else 1.12)
            return ParaStyle("heavy", size, size * 1.5, self.body_leading * 0.5, keep_with_next=True)
        align: Literal["left", "justify"] = "justify" if spec.justify else "left"
        if kind == "item":
            if _NUMBERED_LINE.match(text):
                return ParaStyle("body", b, self.body_leading, gap * 0.6, 0.0, 1.0 * b, align)
            return ParaStyle(
                "body",
                b,
                self.body_leading,
                gap * 0.6,
                1.0 * b,
                1.0 * b,
                align,
                marker=spec.bullet,
            )
        first = 2 * b if spec.indent else 0.0
        return ParaStyle("body", b, self.body_leading, gap, first, 0.0, align)

    def char_fonts(self, index: int, style: ParaStyle) -> list[FontRole]:
        text = self.truth[index][1]
        fonts: list[FontRole] = [style.font] * len(text)
        if self.spec.run_in_heads and self.truth[index][0] == "body" and len(text) > 80:
            m = _RUN_IN_HEAD.match(text)
            if m:
                fonts[: m.end()] = ["heavy"] * m.end()
        return fonts

    # -- paragraphs → blocks --------------------------------------------------------------

    def paragraph_blocks(self, index: int, style: ParaStyle, width: float) -> list[Block]:
        text = self.truth[index][1]
        fonts = self.char_fonts(index, style)
        widths = [self.fonts.char_width(c, f, style.size) for c, f in zip(text, fonts)]
        lines = break_lines(text, widths, width - style.first_indent, width - style.rest_indent)
        blocks: list[Block] = []
        baseline = (style.leading - style.size) / 2 + BASELINE_RATIO * style.size
        for n, (start, end) in enumerate(lines):
            indent = style.first_indent if n == 0 else style.rest_indent
            natural = sum(widths[start:end])
            count = end - start
            char_space = 0.0
            x = indent
            last = n == len(lines) - 1
            if style.align == "justify" and not last and count > 1:
                # Round as fpdf2 writes Tc with two decimals: positions then agree exactly.
                char_space = max(0.0, round((width - indent - natural) / (count - 1) - 0.005, 2))
            elif style.align == "center":
                x = (width - natural) / 2
            runs: list[Run] = []
            if n == 0 and style.marker:
                runs.append(Run(style.marker, 0.0, baseline, "body", style.size, role="decoration"))
            pos = start
            while pos < end:
                stop = pos
                while stop < end and fonts[stop] == fonts[pos]:
                    stop += 1
                runs.append(
                    Run(text[pos:stop], x, baseline, fonts[pos], style.size, char_space, "truth", index, pos)
                )
                x += sum(widths[pos:stop]) + (stop - pos) * char_space
                pos = stop
            blocks.append(
                Block(
                    style.leading,
                    style.space_before if n == 0 else 0.0,
                    runs,
                    keep_with_next=style.keep_with_next,
                )
            )
        return blocks

    def databox_block(self, indices: list[int], width: float) -> Block:
        """A framed data panel: each item's label, then its number in a large heavy font."""
        b = self.spec.body_size
        pad = 6.0
        big = 28.0
        runs: list[Run] = []
        y = pad
        inner = width - 2 * pad
        for index in indices:
            text = self.truth[index][1]
            m = _DATABOX_ITEM.match(text)
            assert m, text
            label = m.group(1)
            widths = [self.fonts.char_width(c, "body", b) for c in label]
            for start, end in break_lines(label, widths, inner, inner):
                runs.append(
                    Run(label[start:end], pad, y + BASELINE_RATIO * b + 2, "body", b, para=index, start=start)
                )
                y += b * 1.45
            runs.append(
                Run(m.group(2), pad, y + BASELINE_RATIO * big, "heavy", big, para=index, start=len(label))
            )
            y += big * 1.2
        height = y + pad
        frame = Frame(0.0, 0.0, width, height)
        return Block(height + 4.0, self.body_leading * 0.4, runs, [frame])

    # -- pages ------------------------------------------------------------------------

    def new_page(self) -> None:
        number = self.spec.edition + len(self.pages)
        page = PageDraw(self.width, self.height)
        furniture = FURNITURE_SETS[self.spec.furniture]
        head_base = self.margin + self.head_size * 0.9
        small = round(9.0 * PAGE_SCALE[self.spec.page] ** 0.7, 1)
        left, right = self.margin, self.width - self.margin
        items: list[tuple[str, float, FontRole, float]] = [
            (furniture.paper, left, "heavy", self.head_size),
        ]
        date_w = self.fonts.width(furniture.date, "body", small)
        if self.spec.page_numbers == "head":
            edition = f"第{number}版"
            items.append((edition, right - self.fonts.width(edition, "heavy", small), "heavy", small))
            items.append((furniture.date, (self.width - date_w) / 2, "body", small))
        else:
            items.append((furniture.date, right - date_w, "body", small))
        for text, x, font, size in items:
            page.runs.append(
                Run(text, x, head_base, font, size, role="furniture", group=f"f{len(page.runs)}")
            )
            page.furniture.append(text)
        rule_y = self.content_top - 8.0
        page.strokes.append(Stroke(left, rule_y, right, rule_y, 1.2))
        foot_rule = self.content_bottom + 4.0
        page.strokes.append(Stroke(left, foot_rule, right, foot_rule, 0.5))
        foot_base = foot_rule + small * 1.4
        page.runs.append(
            Run(furniture.editors, left, foot_base, "body", small, role="furniture", group="f-editors")
        )
        page.furniture.append(furniture.editors)
        if self.spec.page_numbers == "foot":
            folio = f"— {number} —"
            w = self.fonts.width(folio, "body", small)
            page.runs.append(
                Run(folio, (self.width - w) / 2, foot_base, "body", small, role="furniture", group="f-folio")
            )
            page.furniture.append(folio)
        self.pages.append(page)
        self.y = self.content_top

    def place_full_width(self, blocks: list[Block]) -> None:
        left = self.margin
        y = self.y
        for n, block in enumerate(blocks):
            y += block.space_before if n else 0.0
            self.chunk += 1
            for run in block.runs:
                self.pages[-1].runs.append(run.moved(left, y, group=f"s{self.chunk}"))
            y += block.height
        self.y = y

    @staticmethod
    def fill(
        blocks: Sequence[Block], ncols: int, height: float
    ) -> tuple[list[list[tuple[Block, float]]], int]:
        """Greedy column fill: blocks per column with their top offsets, and how many fit."""
        cols: list[list[tuple[Block, float]]] = [[]]
        y = 0.0
        i = 0
        while i < len(blocks):
            block = blocks[i]
            before = block.space_before if y > 0 else 0.0
            need = before + block.height
            if block.keep_with_next and i + 1 < len(blocks):
                need += blocks[i + 1].space_before + blocks[i + 1].height
            if y + need > height + 1e-6:
                if len(cols) == ncols:
                    return cols, i
                if y > 0 or block.height + before > height + 1e-6:
                    cols.append([])
                    y = 0.0
                    continue
            cols[-1].append((block, y + before))
            y += before + block.height
            i += 1
        return cols, i

    def balanced_height(self, blocks: Sequence[Block], ncols: int, limit: float) -> float:
        """The lowest column height at which all blocks fit in ``ncols`` columns."""
        lo = max(max(b.height for b in blocks), sum(b.height for b in blocks) / ncols) - 1e-3
        hi = limit
        for _ in range(40):
            mid = (lo + hi) / 2
            if self.fill(blocks, ncols, mid)[1] == len(blocks):
                hi = mid
            else:
                lo = mid
        return hi

    def place_columns(self, blocks: list[Block], ncols: int) -> None:
        gap = self.spec.column_gap
        col_w = (self.width - 2 * self.margin - (ncols - 1) * gap) / ncols
        while blocks:
            avail = self.content_bottom - self.y
            if avail < 3 * self.body_leading:
                self.new_page()
                continue
            cols, fitted = self.fill(blocks, ncols, avail)
            if fitted == len(blocks):
                cols, fitted = self.fill(blocks, ncols, self.balanced_height(blocks, ncols, avail))
            if fitted == 0:
                if self.y == self.content_top:
                    raise ValueError(f"{self.spec.name}: a block is taller than the page")
                self.new_page()
                continue
            page = self.pages[-1]
            col_id = f"p{len(self.pages)}y{self.y:.1f}c"
            used = 0.0
            for c, col in enumerate(cols):
                x = self.margin + c * (col_w + gap)
                for block, top in col:
                    self.chunk += 1
                    for run in block.runs:
                        group = f"c{self.chunk}" if run.para < 0 else f"{col_id}{c}-{run.para}"
                        page.runs.append(run.moved(x, self.y + top, group=group))
                    for fr in block.frames:
                        page.frames.append(
                            Frame(
                                fr.x0 + x,
                                fr.top + self.y + top,
                                fr.x1 + x,
                                fr.bottom + self.y + top,
                                fr.width,
                            )
                        )
                    used = max(used, top + block.height)
            if self.spec.column_rules and ncols > 1:
                for c in range(1, len(cols)):
                    x = self.margin + c * (col_w + gap) - gap / 2
                    page.strokes.append(Stroke(x, self.y, x, self.y + used, 0.4))
            blocks = blocks[fitted:]
            if blocks:
                self.new_page()
            else:
                self.y += used + self.body_leading

    def band_paragraphs(self) -> list[tuple[Band, list[int]]]:
        """Split the truth into the spec's bands (by the prefix of each band's first line)."""
        starts: list[int] = []
        for band in self.spec.bands:
            if not band.start:
                starts.append(0)
                continue
            hits = [i for i, (_, t) in enumerate(self.truth) if t.startswith(band.start)]
            if len(hits) != 1:
                raise ValueError(f"{self.spec.name}: band start {band.start!r} matches {hits}")
            starts.append(hits[0])
        if starts != sorted(starts) or starts[0] != 0:
            raise ValueError(f"{self.spec.name}: bands out of order: {starts}")
        bounds = starts[1:] + [len(self.truth)]
        return [(band, list(range(s, e))) for band, s, e in zip(self.spec.bands, starts, bounds)]

    def column_blocks(self, indices: list[int], width: float) -> list[Block]:
        blocks: list[Block] = []
        pending_box: list[int] = []
        box_budget = self.spec.databox
        for index in indices:
            kind, text = self.truth[index]
            if box_budget and kind == "item" and _DATABOX_ITEM.match(text):
                pending_box.append(index)
                box_budget -= 1
                continue
            if pending_box:
                blocks.append(self.databox_block(pending_box, width))
                pending_box = []
                box_budget = 0
            blocks.extend(self.paragraph_blocks(index, self.style_for(index, "column"), width))
        if pending_box:
            blocks.append(self.databox_block(pending_box, width))
        return blocks

    def run(self) -> Typeset:
        self.new_page()
        full = self.width - 2 * self.margin
        for n, (band, indices) in enumerate(self.band_paragraphs()):
            spans, rest = indices[: band.spans], indices[band.spans :]
            span_blocks: list[Block] = []
            for k, index in enumerate(spans):
                role: ParaRole = "band" if n > 0 else ("headline" if k == 0 else "subtitle")
                span_blocks.extend(self.paragraph_blocks(index, self.style_for(index, role), full))
            if band.columns == 1:
                for index in rest:
                    kind = self.truth[index][0]
                    lede_role: ParaRole = "lede" if kind == "body" else "column"
                    span_blocks.extend(self.paragraph_blocks(index, self.style_for(index, lede_role), full))
                rest = []
            if span_blocks:
                need = sum(b.height + b.space_before for b in span_blocks) + 3 * self.body_leading
                if self.y > self.content_top and self.y + need > self.content_bottom:
                    self.new_page()
                if n > 0 and self.y > self.content_top:
                    rule_y = self.y - self.body_leading * 0.5
                    self.pages[-1].strokes.append(
                        Stroke(self.margin, rule_y, self.width - self.margin, rule_y, 0.8)
                    )
                if n > 0 and spans:
                    self.band_heads.append((spans[0], len(self.pages) - 1, self.y / self.height))
                self.place_full_width(span_blocks)
                self.y += self.body_leading * 0.6
            if rest:
                gap = self.spec.column_gap
                col_w = (full - (band.columns - 1) * gap) / band.columns
                self.place_columns(self.column_blocks(rest, col_w), band.columns)
        return Typeset(self.pages, self.truth, self.band_heads)


def typeset(spec: CaseSpec, truth: Truth | None = None) -> Typeset:
    """Lay out a case's paragraphs on pages (producer-specific metrics, no PDF yet)."""
    if truth is None:
        truth = load_truth(spec.source)[spec.first : spec.last]
    return _Typesetter(spec, truth, _fonts(spec.producer)).run()


# --------------------------------------------------------------------------------------
# Stream order and PDF writing
# --------------------------------------------------------------------------------------


def _explode_chars(run: Run, fonts: _Fonts) -> list[Run]:
    out: list[Run] = []
    x = run.x
    for k, char in enumerate(run.text):
        if not char.isspace():
            out.append(
                Run(
                    char,
                    x,
                    run.baseline,
                    run.font,
                    run.size,
                    0.0,
                    run.role,
                    run.para,
                    run.start + k,
                    run.group,
                )
            )
        x += fonts.char_width(char, run.font, run.size) + run.char_space
    return out


def stream_runs(page: PageDraw, order: StreamOrder, rng: random.Random, fonts: _Fonts) -> list[Run]:
    """The page's text runs in the order they are written to the content stream."""
    runs = list(page.runs)
    if order == "lines":
        rng.shuffle(runs)
    elif order == "chars":
        runs = [c for run in runs for c in _explode_chars(run, fonts)]
        rng.shuffle(runs)
    elif order == "blocks":
        groups: dict[str, list[Run]] = {}
        for run in runs:
            groups.setdefault(run.group, []).append(run)
        keys = list(groups)
        rng.shuffle(keys)
        runs = [run for key in keys for run in groups[key]]
    return runs


def _write_reportlab(pages: list[list[Run]], draws: list[PageDraw], path: Path) -> None:
    from reportlab.pdfgen import canvas

    names = _ReportlabFonts.NAMES
    c = canvas.Canvas(str(path), pagesize=(draws[0].width, draws[0].height), invariant=1)
    c.setCreator("reportflow benchmark corpus")
    for runs, draw in zip(pages, draws):
        c.setPageSize((draw.width, draw.height))
        h = draw.height
        c.setStrokeGray(0.0)
        for s in draw.strokes:
            c.setLineWidth(s.width)
            c.line(s.x0, h - s.y0, s.x1, h - s.y1)
        for f in draw.frames:
            c.setLineWidth(f.width)
            c.rect(f.x0, h - f.bottom, f.x1 - f.x0, f.bottom - f.top, stroke=1, fill=0)
        for run in runs:
            t = c.beginText(run.x, h - run.baseline)
            t.setFont(names[run.font], run.size)
            t.setCharSpace(run.char_space)
            t.textOut(run.text)
            c.drawText(t)
        c.showPage()
    c.save()


def _write_fpdf2(pages: list[list[Run]], draws: list[PageDraw], path: Path) -> None:
    pdf = _new_fpdf()
    family = _Fpdf2Fonts.FAMILY
    pdf.set_draw_color(0)
    for runs, draw in zip(pages, draws):
        pdf.add_page(format=(draw.width, draw.height))
        for s in draw.strokes:
            pdf.set_line_width(s.width)
            pdf.line(s.x0, s.y0, s.x1, s.y1)
        for f in draw.frames:
            pdf.set_line_width(f.width)
            pdf.rect(f.x0, f.top, f.x1 - f.x0, f.bottom - f.top)
        for run in runs:
            pdf.set_font(family, size=run.size)
            pdf.set_char_spacing(run.char_space)
            if run.font == "heavy":
                # Fake bold, as many producers do it: fill and stroke the outlines. In a
                # saved graphics state (q … Q): fpdf2 never writes "0 Tr" to switch back.
                with pdf.local_context(text_mode="FILL_STROKE", line_width=run.size * 0.035):
                    pdf.text(run.x, run.baseline, run.text)
            else:
                pdf.text(run.x, run.baseline, run.text)
    pdf.output(str(path))


def write_pdf(spec: CaseSpec, doc: Typeset, path: Path) -> None:
    """Write a typeset document with the spec's producer and stream order."""
    fonts = _fonts(spec.producer)
    rng = random.Random(_seed(spec.name, "stream"))
    pages = [stream_runs(p, spec.stream_order, rng, fonts) for p in doc.pages]
    path.parent.mkdir(parents=True, exist_ok=True)
    if spec.producer == "reportlab":
        _write_reportlab(pages, doc.pages, path)
    else:
        _write_fpdf2(pages, doc.pages, path)


# --------------------------------------------------------------------------------------
# Cases
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One benchmark PDF and what a perfect reader would output for it."""

    name: str
    pdf: Path
    producer: Producer
    columns: tuple[int, ...]
    """Column count of each band, in order (1 = a full-width lede)."""
    pages: int
    shuffled: bool
    """True when the content stream is not in reading order."""
    truth: Truth
    """(kind, text) of every paragraph in reading order; items without their bullet."""
    furniture: list[str]
    """Distinct running-head/footer strings (paper name, date, page numbers, editors)."""
    stream_order: StreamOrder = "reading"
    page_size: str = "A4"
    page_furniture: list[list[str]] = field(default_factory=list)
    """The furniture strings drawn on each page."""
    decorations: list[str] = field(default_factory=list)
    """Glyphs drawn that are neither truth nor furniture (one bullet per bulleted item)."""
    page_spans: list[list[tuple[int, int, int]]] = field(default_factory=list)
    """Per page: (paragraph, start, end) of the truth text set on that page."""
    band_heads: list[tuple[int, int, float]] = field(default_factory=list)
    features: tuple[str, ...] = ()

    def truth_texts(self) -> list[str]:
        return [text for _, text in self.truth]

    def page_truth(self, pages: Iterable[int]) -> Truth:
        """The truth of some pages only (0-based): paragraphs cut at page breaks are cut."""
        merged: dict[int, list[int]] = {}
        for page in sorted(set(pages)):
            for para, start, end in self.page_spans[page]:
                if para in merged:
                    merged[para][1] = max(merged[para][1], end)
                else:
                    merged[para] = [start, end]
        out: Truth = []
        for para in sorted(merged):
            start, end = merged[para]
            text = self.truth[para][1][start:end].strip()
            if text:
                out.append((self.truth[para][0], text))
        return out


def _features(spec: CaseSpec, doc: Typeset) -> tuple[str, ...]:
    runs = [r for page in doc.pages for r in page.runs]
    out = [spec.page, "x".join(str(b.columns) for b in spec.bands) + " columns"]
    out.append(f"leading {spec.leading:g}")
    if any(b.spans for b in spec.bands[:1]):
        out.append("spanning headline")
    if len(spec.bands) > 1 and any(b.spans for b in spec.bands[1:]):
        out.append("mid-page spanning headline")
    out.append("first-line indent" if spec.indent else "paragraph spacing")
    if spec.justify:
        out.append("justified")
    if any(page.frames for page in doc.pages):
        out.append("data box (28pt numbers)")
    if spec.run_in_heads and any(r.font == "heavy" and r.size == spec.body_size for r in runs):
        out.append("run-in heavy lead sentences")
    if spec.column_rules:
        out.append("column rules")
    if any(r.role == "decoration" for r in runs):
        out.append(f"bullet {spec.bullet}")
    out.append(f"page number {'head' if spec.page_numbers == 'head' else 'foot'}")
    if spec.stream_order != "reading":
        out.append(f"stream order: {spec.stream_order}")
    return tuple(out)


def _page_spans(doc: Typeset) -> list[list[tuple[int, int, int]]]:
    spans: list[list[tuple[int, int, int]]] = []
    for page in doc.pages:
        ranges: dict[int, list[int]] = {}
        for run in page.runs:
            if run.role != "truth":
                continue
            end = run.start + len(run.text)
            if run.para in ranges:
                ranges[run.para][0] = min(ranges[run.para][0], run.start)
                ranges[run.para][1] = max(ranges[run.para][1], end)
            else:
                ranges[run.para] = [run.start, end]
        spans.append([(p, s, e) for p, (s, e) in sorted(ranges.items())])
    return spans


def _builder_source_hash() -> str:
    """Hash of this module: any change to the typesetter rebuilds the cached cases."""
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


def _fingerprint(spec: CaseSpec, truth: Truth) -> str:
    payload = json.dumps(
        [BUILDER_VERSION, _builder_source_hash(), asdict(spec), truth],
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@contextmanager
def _replacing(path: Path) -> Iterator[Path]:
    """A temporary path next to ``path`` that replaces it atomically once written, so that
    a benchmark reading the cache while another process rebuilds it never sees half a file."""
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_json(path: Path, data: dict) -> None:
    with _replacing(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _check_furniture_absent(truth: Truth) -> None:
    """Furniture strings must never occur in the text, or leak counts would be wrong."""
    text = _squash("".join(t for _, t in truth))
    for f in FURNITURE_SETS:
        for s in (f.paper, f.date, f.editors):
            if _squash(s) in text:
                raise ValueError(f"furniture string {s!r} occurs in the text")


def _case_from_manifest(data: dict, pdf: Path) -> Case:
    return Case(
        name=data["name"],
        pdf=pdf,
        producer=data["producer"],
        columns=tuple(data["columns"]),
        pages=data["pages"],
        shuffled=data["stream_order"] != "reading",
        truth=[(k, t) for k, t in data["truth"]],
        furniture=list(data["furniture"]),
        stream_order=data["stream_order"],
        page_size=data["page_size"],
        page_furniture=[list(p) for p in data["page_furniture"]],
        decorations=list(data["decorations"]),
        page_spans=[[(p, s, e) for p, s, e in page] for page in data["page_spans"]],
        band_heads=[(p, page, y) for p, page, y in data["band_heads"]],
        features=tuple(data["features"]),
    )


def build_case(spec: CaseSpec, out_dir: Path, truth: Truth | None = None) -> Case:
    """Build one case (or reuse the cached build when its fingerprint is unchanged)."""
    if truth is None:
        truth = load_truth(spec.source)[spec.first : spec.last]
    _check_furniture_absent(truth)
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf = out_dir / f"{spec.name}.pdf"
    manifest = out_dir / f"{spec.name}.json"
    fingerprint = _fingerprint(spec, truth)
    if pdf.exists() and manifest.exists():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("fingerprint") == fingerprint and data.get("pdf_sha256") == _sha256(pdf):
            return _case_from_manifest(data, pdf)
    logger.info("building %s", spec.name)
    doc = typeset(spec, truth)
    with _replacing(pdf) as tmp:
        write_pdf(spec, doc, tmp)
    furniture: list[str] = []
    for page in doc.pages:
        for s in page.furniture:
            if s not in furniture:
                furniture.append(s)
    decorations = [r.text for page in doc.pages for r in page.runs if r.role == "decoration"]
    data = {
        "name": spec.name,
        "builder_version": BUILDER_VERSION,
        "fingerprint": fingerprint,
        "pdf_sha256": _sha256(pdf),
        "producer": spec.producer,
        "columns": [b.columns for b in spec.bands],
        "pages": len(doc.pages),
        "stream_order": spec.stream_order,
        "page_size": spec.page,
        "truth": [list(p) for p in truth],
        "furniture": furniture,
        "page_furniture": [p.furniture for p in doc.pages],
        "decorations": decorations,
        "page_spans": _page_spans(doc),
        "band_heads": doc.band_heads,
        "features": list(_features(spec, doc)),
        "spec": asdict(spec),
    }
    _write_json(manifest, data)
    return _case_from_manifest(data, pdf)


def build_layout_cases(out_dir: Path = DEFAULT_OUT_DIR, only: str | None = None) -> list[Case]:
    """Build (or reuse) every layout case; ``only`` is a glob or substring of case names."""
    specs = [s for s in LAYOUT_SPECS if _selected(s.name, only)]
    return [build_case(spec, out_dir / "layout") for spec in specs]


def _selected(name: str, pattern: str | None) -> bool:
    return not pattern or pattern in name or fnmatch(name, pattern)


# --------------------------------------------------------------------------------------
# Scans
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Degradation:
    """What was done to a rendered page to make it look scanned."""

    rotation: float = 0.0
    """Degrees, counter-clockwise."""
    blur_sigma: float = 0.0
    noise_sd: float = 0.0
    """Standard deviation of additive Gaussian noise (grey levels)."""
    jpeg_quality: int | None = None
    """None = lossless PNG."""
    background: int = 255
    """Grey level of the paper (ink stays near black)."""

    def describe(self) -> str:
        if self == Degradation():
            return "clean"
        parts = []
        if self.rotation:
            parts.append(f"rot {self.rotation:+.2f}°")
        if self.blur_sigma:
            parts.append(f"blur σ{self.blur_sigma:g}")
        if self.noise_sd:
            parts.append(f"noise {self.noise_sd:g}")
        if self.jpeg_quality:
            parts.append(f"jpeg q{self.jpeg_quality}")
        if self.background != 255:
            parts.append(f"paper {self.background}")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ScanCase:
    """Scanned-looking images of some pages of a layout case, with their truth."""

    name: str
    images: list[Path]
    """One image per page, in page order."""
    dpi: int
    degradations: list[Degradation]
    """One per image (rotation angles differ page to page)."""
    truth: Truth
    furniture: list[str]
    source: str
    """The layout case the pages come from."""
    source_pages: tuple[int, ...]
    """0-based page numbers in the source PDF."""

    @property
    def degraded(self) -> bool:
        return any(d != Degradation() for d in self.degradations)

    def truth_texts(self) -> list[str]:
        return [text for _, text in self.truth]


SCAN_SOURCES: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("rl-kaiping-a4-3col", (0,)),
    ("fp-xinhui-a4-3col", (0, 1)),
    ("rl-jiangmen-a4-2col-review", (0,)),
    ("fp-kaiping-a4-2col", (1,)),
    ("rl-xinhui-a4-2col-justified", (2,)),
)
"""(layout case, pages) rendered as scans: 2, 3 columns, both producers, 6 A4 pages.
Three variants each (clean 300, degraded 300, degraded 200 dpi) = 18 images, about
2 minutes of OCR at ~6 s a page."""


def render_pages(pdf: Path, dpi: int, pages: Sequence[int] | None = None) -> list[np.ndarray]:
    """Greyscale renderings (uint8, white paper) of PDF pages at ``dpi``."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    try:
        indices = range(len(doc)) if pages is None else pages
        out = []
        for i in indices:
            bitmap = doc[i].render(scale=dpi / 72.0, grayscale=True)
            image = bitmap.to_numpy()
            out.append(np.ascontiguousarray(image.reshape(image.shape[0], image.shape[1], -1)[:, :, 0]))
        return out
    finally:
        doc.close()


def degrade(image: np.ndarray, d: Degradation, seed: int) -> np.ndarray:
    """Apply paper tone, rotation, blur and noise (JPEG is applied when saving)."""
    import cv2

    rng = np.random.default_rng(seed)
    out = image.astype(np.float32)
    if d.background != 255:
        ink = 20.0  # black ink on grey paper: map 0..255 to ink..paper
        out = ink + (d.background - ink) * out / 255.0
    if d.rotation:
        h, w = out.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), d.rotation, 1.0)
        out = cv2.warpAffine(
            out,
            matrix,
            (w, h),
            flags=cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_CONSTANT,
            borderValue=float(d.background),
        )
    if d.blur_sigma:
        out = cv2.GaussianBlur(out, (0, 0), d.blur_sigma)
    if d.noise_sd:
        out = out + rng.normal(0.0, d.noise_sd, out.shape).astype(np.float32)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def save_scan(image: np.ndarray, path: Path, dpi: int, jpeg_quality: int | None) -> None:
    """Write a greyscale scan (PNG, or JPEG at the given quality) with its resolution."""
    from PIL import Image

    pil = Image.fromarray(image, mode="L")
    if jpeg_quality is None:
        pil.save(path, format="PNG", dpi=(dpi, dpi), optimize=True)
    else:
        pil.save(path, format="JPEG", dpi=(dpi, dpi), quality=jpeg_quality, optimize=True)


def scan_variants(dpis: Sequence[int]) -> list[tuple[str, int, bool]]:
    """(label, dpi, degraded): clean at the highest dpi, degraded at every dpi."""
    top = max(dpis)
    out = [(f"clean{top}", top, False)]
    out.extend((f"degraded{d}", d, True) for d in sorted(dpis, reverse=True))
    return out


def scan_degradation(rng: random.Random, dpi: int) -> Degradation:
    """A random but plausible scan: 0.5–1.5° skew, blur, noise, JPEG, grey paper."""
    angle = rng.uniform(0.5, 1.5) * rng.choice((-1, 1))
    return Degradation(
        rotation=round(angle, 2),
        blur_sigma=round(rng.uniform(0.6, 1.0) * dpi / 300, 2),
        noise_sd=round(rng.uniform(6.0, 12.0), 1),
        jpeg_quality=rng.randrange(45, 71),
        background=rng.randrange(215, 236),
    )


def build_scan_cases(
    out_dir: Path = DEFAULT_OUT_DIR, dpis: Sequence[int] = (200, 300), only: str | None = None
) -> list[ScanCase]:
    """Scans of a few layout pages: clean at the top dpi, and degraded at every dpi."""
    wanted = {name for name, _ in SCAN_SOURCES}
    layout = {spec.name: build_case(spec, out_dir / "layout") for spec in LAYOUT_SPECS if spec.name in wanted}
    scan_dir = out_dir / "scans"
    scan_dir.mkdir(parents=True, exist_ok=True)
    cases: list[ScanCase] = []
    for source, pages in SCAN_SOURCES:
        case = layout[source]
        for label, dpi, degraded in scan_variants(dpis):
            name = f"{source}-p{'+'.join(str(p + 1) for p in pages)}-{label}"
            if not _selected(name, only):
                continue
            cases.append(_build_scan_case(case, pages, name, dpi, degraded, scan_dir))
    return cases


def _build_scan_case(
    case: Case, pages: tuple[int, ...], name: str, dpi: int, degraded: bool, scan_dir: Path
) -> ScanCase:
    rng = random.Random(_seed(name, "scan"))
    degradations = [scan_degradation(rng, dpi) if degraded else Degradation() for _ in pages]
    ext = "png" if not degraded else "jpg"
    images = [scan_dir / f"{name}-{i + 1}.{ext}" for i in range(len(pages))]
    manifest = scan_dir / f"{name}.json"
    fingerprint = hashlib.sha256(
        json.dumps(
            [BUILDER_VERSION, _sha256(case.pdf), pages, dpi, [asdict(d) for d in degradations]]
        ).encode("utf-8")
    ).hexdigest()
    fresh = manifest.exists() and all(p.exists() for p in images)
    if fresh:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        fresh = data.get("fingerprint") == fingerprint and data.get("image_sha256") == [
            _sha256(p) for p in images
        ]
    if not fresh:
        logger.info("rendering scan %s", name)
        renders = render_pages(case.pdf, dpi, pages)
        for k, (image, d, path) in enumerate(zip(renders, degradations, images)):
            with _replacing(path) as tmp:
                save_scan(degrade(image, d, _seed(name, k)), tmp, dpi, d.jpeg_quality)
        data = {
            "name": name,
            "fingerprint": fingerprint,
            "image_sha256": [_sha256(p) for p in images],
            "source": case.name,
            "source_pages": list(pages),
            "dpi": dpi,
            "degradations": [asdict(d) for d in degradations],
        }
        _write_json(manifest, data)
    furniture: list[str] = []
    for p in pages:
        furniture.extend(s for s in case.page_furniture[p] if s not in furniture)
    return ScanCase(
        name=name,
        images=images,
        dpi=dpi,
        degradations=degradations,
        truth=case.page_truth(pages),
        furniture=furniture,
        source=case.name,
        source_pages=pages,
    )


# --------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------


def _summary(cases: list[Case], scans: list[ScanCase]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"layout cases ({sum(c.pages for c in cases)} pages)")
    for col in ("case", "producer", "pages", "paras", "chars", "stream", "features"):
        table.add_column(col)
    for c in cases:
        chars = sum(len(_squash(t)) for _, t in c.truth)
        table.add_row(
            c.name,
            c.producer,
            str(c.pages),
            str(len(c.truth)),
            str(chars),
            c.stream_order,
            ", ".join(c.features),
        )
    console = Console(width=200)
    console.print(table)
    if scans:
        st = Table(title=f"scan cases ({sum(len(s.images) for s in scans)} images)")
        for col in ("case", "dpi", "pages", "paras", "degradation"):
            st.add_column(col)
        for s in scans:
            st.add_row(
                s.name,
                str(s.dpi),
                str(len(s.images)),
                str(len(s.truth)),
                "; ".join(d.describe() for d in s.degradations),
            )
        console.print(st)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir", nargs="?", type=Path, default=DEFAULT_OUT_DIR)
    parser.add_argument("--only", help="build only cases whose name contains/globs this")
    parser.add_argument("--no-scans", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    cases = build_layout_cases(args.out_dir, args.only)
    scans = [] if args.no_scans else build_scan_cases(args.out_dir, only=args.only)
    _summary(cases, scans)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
