"""OCR of page images: orientation, deskew, tesseract, word clean-up → ``PageContent``.

The output is shaped for the one layout engine shared with the text-layer path: one
``TextUnit`` per tesseract word (a CJK word may hold several characters; a number stays
one token), in pixels of the recognised image. Tesseract's spaces between CJK characters
never reach the text: words are separate units and the layout engine joins them (no space
between CJK, a space from the gap between Latin words). Each unit's vertical extent is its
tesseract *line's* box, not the glyph's: glyph boxes vary with the character (一 is a flat
stroke, 。 sits low), line boxes give the engine clean, aligned lines. ``size`` is the line
height, ``conf`` the word confidence (0–100).

A tilted page is levelled one of two ways (``OcrConfig.level``). Bullets, rows of large
type and the ink are always found on a levelled copy. Either tesseract reads that copy, or,
when the body type is large enough (``LEVEL_WORDS_MIN_GLYPH``), it reads the page as
scanned and its words are turned level (``level_words``). The second way spares tesseract an
interpolated image (−6 % of its CPU) and reads 300 dpi scans better; at 200 dpi tesseract
misreads tilted small type. Either way the units are in pixels of the levelled page.

Numbers: only unambiguous misreads are repaired, and a repaired word's confidence is capped
at ``REPAIRED_CONF`` so validation flags the number instead of trusting it:

* letters read inside a digit run — ``O``/``o`` → 0, ``l``/``I``/``|`` → 1 — only with a
  digit on both sides (``2O22`` → 2022; ``GDP`` or ``1lb`` untouched);
* a decimal comma — ``3,2%`` → ``3.2%`` — only when 1–2 digits follow the comma and no
  digit group continues (``1,234`` and ``1,2,3`` stay as they are: thousands separators and
  lists); the same for ``。`` between digits; a middle dot ``·`` only inside a percentage
  (``9·5%`` → ``9.5%``): between digits it is also real print, the dates that name events
  (``“09·02”本土疫情``, ``5·12``), so ``09·02`` stays as read — flagged, as is a ``。``
  with more digits after it (``12。2023年`` may be two sentences);
* full-width digits become ASCII (``normalize_text``; an encoding variant, not a misread);
* a list number read with a comma at the start of a line — ``1，开展…`` → ``1.开展…`` —
  so the layout engine sees the numbered item (no digit changes).

Words that look like a misread percent sign (``12.79%6``: a digit after ``%``), keep a
letter next to a digit (``3l.2%``) or a ``。``/``·`` between digits are not "fixed" (which
digit is spurious, or what the mark is, is a guess) but get ``SUSPECT_CONF``.

Pages are recognised concurrently by a module-level pool (``OcrConfig.workers``, shared by
every document of the process). Its threads only prepare images and wait on tesseract
processes, each limited to one OpenMP thread: the CPU work happens in the tesseract
processes, so this *is* a process pool of tesseracts without pickling page images across
processes (Python-side work is ~0.1–0.2 s CPU a page against ~5 s of tesseract; OpenCV and
numpy release the GIL for most of it). PDFium rendering stays in the calling thread.
"""

from __future__ import annotations

import dataclasses
import logging
import re
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import cv2
import numpy as np

from reportflow.config import OcrConfig
from reportflow.errors import OcrError, ToolMissingError
from reportflow.extract.images import (
    MIN_SKEW_DEGREES,
    Box,
    LargeRow,
    PageImage,
    binarize,
    body_text_height,
    estimate_skew,
    find_bullet_discs,
    find_dot_bullets,
    find_large_rows,
    ink_blobs,
    is_blank,
    line_crop,
    looks_sideways,
    paint_boxes,
    paper_level,
    reduced_copy,
    rotate_image,
    rotate_quarter,
    rotation_matrix,
)
from reportflow.extract.tesseract import OcrEngine, OcrWord, engine_for
from reportflow.extract.textcheck import is_ideograph
from reportflow.models import PageContent, TextUnit
from reportflow.normalize import is_cjk, normalize_text

log = logging.getLogger(__name__)

REPAIRED_CONF = 30.0
"""Confidence given to a word whose digits were repaired (validation flags it)."""
SUSPECT_CONF = 20.0
"""Confidence given to a number that looks misread but cannot be repaired with certainty."""
LOW_PAGE_CONF = 50.0
"""Mean word confidence below which the page's orientation is questioned (auto OSD)."""
OSD_MIN_CONF = 1.0
"""OSD confidence needed to try a rotation; the better recognition is kept either way."""

# --- number repairs ---------------------------------------------------------------------

_LETTER_IN_DIGITS = re.compile(r"(?<=\d)[OolI|]+(?=\d)")
_LETTER_DIGIT = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1", "|": "1"})
_DECIMAL_COMMA = re.compile(r"(?<![\d,.])(\d+)[,。](\d{1,2})(?![\d,.])")
_DECIMAL_MIDDOT = re.compile(r"(?<![\d,.])(\d+)·(\d{1,2})(?=%)")
_LIST_NUMBER_COMMA = re.compile(r"^(\d{1,2})[，,](?!\d)")
"""'1，' at the start of a line: tesseract's reading of the list number '1.' (the numbered
items of the benchmark pages come out '1，开展…' in 3 of 4 cases)."""
_SUSPECT = re.compile(r"\d%\d|\d9%|%\d|\d[.,]?[OolI|](?![A-Za-z])|(?<![A-Za-z])[OolI|][.,]?\d|\d[。·]\d")
"""A misread percent sign ('12.79%6', '6.79%'), a letter next to a digit, or a '。'/'·' between
digits, left after repair."""


@dataclass(frozen=True, slots=True)
class WordFix:
    text: str
    repaired: bool
    suspect: bool


def repair_number_misreads(text: str) -> WordFix:
    """Unambiguous digit repairs inside one OCR word (see the module docstring)."""
    fixed = _LETTER_IN_DIGITS.sub(lambda m: m.group(0).translate(_LETTER_DIGIT), text)
    fixed = _DECIMAL_COMMA.sub(r"\1.\2", fixed)
    fixed = _DECIMAL_MIDDOT.sub(r"\1.\2", fixed)
    suspect = bool(_SUSPECT.search(fixed))
    return WordFix(fixed, fixed != text, suspect)


# --- words → units ----------------------------------------------------------------------


MAX_CJK_ADVANCE = 1.3
"""A CJK character is at most this many line heights wide (LSTM boxes can be 4× too wide)."""
EDGE_REACH = 0.6
"""How far (in line heights) a line's outer edge may move to meet the ink."""


def _blank_runs(blank: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) index pairs of the runs of True in a 1-D boolean array."""
    if not blank.any():
        return []
    padded = np.concatenate(([False], blank, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _line_extents(line: list[OcrWord], ink: np.ndarray | None) -> list[tuple[int, int]]:
    """x extents of one tesseract line's words (sorted by x), corrected against the ink.

    LSTM word boxes are approximate: one-character boxes run over their neighbours (a
    41 px line whose '丝' box is 190 px wide) or start half a character late, which opens
    phantom gaps the layout engine would take for column gutters. Corrections:

    1. a word ends where the next starts; a CJK word is at most ``MAX_CJK_ADVANCE`` line
       heights wide per character;
    2. with the page's ink: between two neighbouring words the boundary moves to the
       blank column run nearest tesseract's boundary (no blank run: the words touch), so
       every gap is a real gap in the print; the line's outer edges move (≤ 0.6 line
       height) to where its ink starts and ends.
    """
    height = max(1, line[0].line_height)
    spans: list[list[int]] = []
    for k, word in enumerate(line):
        x0, x1 = word.left, word.left + word.width
        if k + 1 < len(line):
            x1 = min(x1, max(x0 + 1, line[k + 1].left))
        if all(is_cjk(ch) for ch in word.text):
            x1 = min(x1, x0 + round(MAX_CJK_ADVANCE * height * len(word.text)))
        spans.append([x0, max(x0 + 1, x1)])
    if ink is None:
        return [(a, b) for a, b in spans]
    width = ink.shape[1]
    # Rows to look for ink in: the line's box, or for a tesseract line that merged rows of
    # neighbouring columns (taller than its words) each word's own box — the merged box
    # reaches into the next row, whose ink would fill the gutter.
    reach = int(EDGE_REACH * height)
    if _is_merged_line(line):
        rows = [(max(0, w.top), max(0, w.top) + max(1, w.height)) for w in line]

        def inked(k: int, j: int, lo: int, hi: int) -> np.ndarray:
            """Columns lo..hi that hold ink in the rows of words k and j."""
            t, b = min(rows[k][0], rows[j][0]), max(rows[k][1], rows[j][1])
            return ink[t:b, max(0, lo) : max(0, hi)].any(axis=0)
    else:
        # One pass over the line's band (the words' span plus the edges' reach).
        top = max(0, line[0].line_top)
        xa, xb = max(0, spans[0][0] - reach - 1), min(width, spans[-1][1] + reach + 1)
        band = ink[top : top + height, xa:xb].any(axis=0)

        def inked(k: int, j: int, lo: int, hi: int) -> np.ndarray:
            lo, hi = max(0, lo), max(0, hi)
            if lo >= xa and hi <= xb:
                return band[lo - xa : hi - xa]
            return ink[top : top + height, lo:hi].any(axis=0)

    for k in range(len(spans) - 1):
        left, right = spans[k], spans[k + 1]
        lo = max(0, (left[0] + left[1]) // 2)
        hi = min(width, (right[0] + right[1]) // 2)
        if hi <= lo:
            continue
        boundary = line[k + 1].left
        runs = [(lo + a, lo + b) for a, b in _blank_runs(~inked(k, k + 1, lo, hi))]
        if runs:
            start, end = min(runs, key=lambda r: 0 if r[0] <= boundary <= r[1] else min(abs(r[0] - boundary), abs(r[1] - boundary)))
            left[1], right[0] = start, end
        else:
            left[1] = right[0] = min(max(boundary, lo), hi)
    first, last = spans[0], spans[-1]
    n = len(spans) - 1
    x0 = min(max(first[0], 0), width - 1)
    window_lo = max(0, x0 - reach)
    before = inked(0, 0, window_lo, x0 + 1)
    if before.size and before[-1]:
        while x0 > window_lo and before[x0 - 1 - window_lo] and first[0] - x0 < reach:
            x0 -= 1
    else:
        ahead = np.flatnonzero(inked(0, 0, x0, min(width, first[1])))
        if len(ahead):
            x0 += int(ahead[0])
    first[0] = x0
    x1 = min(max(last[1], 1), width)
    origin = x1 - 1
    window_hi = min(width, x1 + reach)
    after = inked(n, n, origin, window_hi)  # after[i] is column origin + i
    if after.size and after[0]:
        while x1 < window_hi and after[x1 - origin] and x1 - last[1] < reach:
            x1 += 1
    else:
        behind = np.flatnonzero(inked(n, n, last[0], x1))
        if len(behind):
            x1 = last[0] + int(behind[-1]) + 1
    last[1] = x1
    return [(a, max(a + 1, b)) for a, b in spans]


def tidy_word_extents(words: list[OcrWord], ink: np.ndarray | None = None) -> dict[int, tuple[int, int]]:
    """Corrected x extents of every word (keyed by ``id(word)``); ``ink`` = the page's ink mask."""
    extents: dict[int, tuple[int, int]] = {}
    for line in lines_of(words):
        ordered = sorted(line, key=lambda w: w.left)
        for word, span in zip(ordered, _line_extents(ordered, ink)):
            extents[id(word)] = span
    return extents


MERGED_LINE_RATIO = 1.4
SPECK_CONF = 50.0
SPECK_GAP = 0.5
"""Gap (in line heights) on both sides that makes a doubtful punctuation word a speck."""


def _isolated_specks(
    lines: list[list[OcrWord]], extents: dict[int, tuple[int, int]], ink: np.ndarray | None = None
) -> set[int]:
    """Punctuation-only words read with low confidence that are noise, not print.

    On degraded scans tesseract reads specks between columns as '”。' or '|' (conf 0–47),
    which bridge the gutter and glue two columns' lines together. A real quote mark or
    comma touches its text; these stand ≥ half a line height from both neighbours — or
    have no ink at all in their box (a '。' at conf 26 in the middle of a 1-em gutter of
    rl-kaiping degraded300, where the page holds no ink pixel).
    """
    specks: set[int] = set()
    for line in lines:
        ordered = sorted(line, key=lambda w: extents[id(w)][0])
        for k, word in enumerate(ordered):
            if word.conf >= SPECK_CONF or any(ch.isalnum() or is_ideograph(ch) for ch in word.text):
                continue
            if ink is not None and not ink[max(0, word.top) : word.top + word.height,
                                           max(0, word.left) : word.left + word.width].any():
                specks.add(id(word))
                continue
            x0, x1 = extents[id(word)]
            gap = SPECK_GAP * word.line_height
            left_gap = x0 - extents[id(ordered[k - 1])][1] if k > 0 else float("inf")
            right_gap = extents[id(ordered[k + 1])][0] - x1 if k + 1 < len(ordered) else float("inf")
            if left_gap >= gap and right_gap >= gap:
                specks.add(id(word))
    return specks


def _is_merged_line(line: list[OcrWord]) -> bool:
    """A tesseract 'line' taller than its words: rows of neighbouring columns at different
    heights read as one line (seen on degraded multi-column scans, where the line box spans
    1.5 rows). Its words keep their own vertical extents."""
    if len(line) < 2:
        return False
    word_height = float(np.median([w.height for w in line]))
    return line[0].line_height > MERGED_LINE_RATIO * max(word_height, 1.0)


OPENING_MARKS = frozenset("“‘《〈（(【〔「『〖[\"'")
OPENING_MARK_LEAD = 0.5
"""How far (× line height) a line's first word moves left when it starts with an opening mark."""


def _cell_start(word: OcrWord, text: str, ink_x0: int) -> int:
    """Where a line's first character cell starts, from where its ink starts.

    An opening quote or bracket is set in the right half of its full-width cell (it hugs the
    text after it), so its ink starts ~half an em late. A text layer gives the cell, OCR the
    ink: a continuation line starting with '“' looked indented by 0.5 em, more than a list
    item's hang allows, and the item was cut in two (rl-xinhui p3: '3.全力支持…创新中心' /
    '“1+9+N”体系中9个分中心之一', on all three scans of that page).
    """
    if text[:1] in OPENING_MARKS:
        return max(0, ink_x0 - round(OPENING_MARK_LEAD * word.line_height))
    return ink_x0


def words_to_units(words: Iterable[OcrWord], ink: np.ndarray | None = None) -> list[TextUnit]:
    """Clean tesseract words into layout units (normalised text, repaired numbers, line boxes).

    ``ink``: boolean ink mask of the image tesseract read, to correct the words' x extents.
    """
    words = list(words)
    extents = tidy_word_extents(words, ink)
    lines = lines_of(words)
    line_starts = {id(min(line, key=lambda w: w.left)) for line in lines}
    merged = {id(w) for line in lines if _is_merged_line(line) for w in line}
    specks = _isolated_specks(lines, extents, ink)
    units: list[TextUnit] = []
    for word in words:
        text = normalize_text(word.text).strip()
        if not text or id(word) in specks:
            continue
        fix = repair_number_misreads(text)
        conf = word.conf
        if id(word) in line_starts and _LIST_NUMBER_COMMA.match(fix.text):
            fix = WordFix(_LIST_NUMBER_COMMA.sub(r"\1.", fix.text), True, fix.suspect)
        if fix.repaired:
            conf = min(conf, REPAIRED_CONF)
        if fix.suspect:
            conf = min(conf, SUSPECT_CONF)
        # The line's box, not the word's: LSTM word boxes are approximate vertically (a
        # number token's box is often taller than its line), line boxes are consistent —
        # unless tesseract merged text rows of different columns into one "line".
        if id(word) in merged:
            top = float(max(word.top, word.line_top))
            bottom = float(min(word.top + word.height, word.line_top + word.line_height))
        else:
            top = float(word.line_top)
            bottom = float(word.line_top + word.line_height)
        x0 = extents[id(word)][0]
        if id(word) in line_starts:
            x0 = _cell_start(word, fix.text, x0)
        units.append(
            TextUnit(
                fix.text,
                float(x0),
                top,
                float(extents[id(word)][1]),
                bottom,
                size=bottom - top,
                conf=round(conf, 2),
            )
        )
    return units


def join_words(units: list[TextUnit]) -> str:
    """Plain join of units on one line: no space next to CJK, one between Latin/number tokens.

    Only for tests and quick looks; paragraphs come from the layout engine.
    """
    out: list[str] = []
    for unit in units:
        if out and not (is_cjk(out[-1][-1]) or is_cjk(unit.text[0])):
            out.append(" ")
        out.append(unit.text)
    return "".join(out)


def lines_of(words: list[OcrWord]) -> list[list[OcrWord]]:
    """Tesseract's own lines, in its order (for baselines and debugging)."""
    lines: dict[tuple[int, int, int], list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line_key, []).append(word)
    return list(lines.values())


BULLET = "●"
BULLET_CONF = 95.0
"""Confidence of a bullet found geometrically (a disc is not a guess about digits)."""
DOT_BULLET = "•"
"""The unit a bullet dot '·' becomes: '•' starts an item whatever follows (the layout engine
reads '·' followed by a digit as a middle dot, '09·02'), and items drop the glyph anyway."""
DISC_MARGIN = 2
"""Pixels painted around a bullet disc or dot."""

# --- large type -------------------------------------------------------------------------


def _mapped(word: OcrWord, scale: float, left: float = 0.0, top: float = 0.0,
            line_key: tuple[int, int, int] | None = None, conf: float | None = None) -> OcrWord:
    """A word of a scaled (and cropped) image in page pixels: page = offset + value / scale."""
    x0, x1 = left + word.left / scale, left + (word.left + word.width) / scale
    y0, y1 = top + word.top / scale, top + (word.top + word.height) / scale
    ly0, ly1 = top + word.line_top / scale, top + (word.line_top + word.line_height) / scale
    return OcrWord(
        text=word.text,
        left=round(x0),
        top=round(y0),
        width=max(1, round(x1 - x0)),
        height=max(1, round(y1 - y0)),
        conf=word.conf if conf is None else conf,
        line_key=word.line_key if line_key is None else line_key,
        line_top=round(ly0),
        line_height=max(1, round(ly1 - ly0)),
    )


LINE_PSM = 7
"""Tesseract's single-line mode for the crops of large rows."""
LINE_DPI = 300
"""Resolution declared for line crops: their glyphs are scaled to ~36 px, 9–10 pt at 300 dpi."""
FIGURE_LANGUAGE = "eng"
"""Model that re-reads large rows chi_sim reads as figures. On the sample scan's data box,
chi_sim read '4%' as '49%' and '1.1%' as '1.19%' at most scales (a Latin '%' taken for
'9%'), eng read all six figures right at conf 94–97 at every scale from 24 to 60 px."""
DISAGREEMENT_CONF = 60.0
"""Confidence of a figure the two models read differently (beyond chi_sim's known '%' →
'9%' confusion): the better-scored reading is kept, and flagged for a look."""
FIGURE_MAX_WIDTH = 8.0
"""Rows of large type wider than this many glyph heights are not re-read (see ``reread_large_rows``)."""
ROW_KEY_BASE = 1_000_000
"""Block numbers of re-read rows start here (tesseract's own blocks are numbered from 1)."""

_IDEOGRAPH_OR_LETTERLIKE = re.compile(r"[\u3400-\u9fff]")
_PERCENT_READ_AS_9 = re.compile(r"9(?=%)|(?<=%)[\dOo]")


def _row_text(words: list[OcrWord]) -> str:
    return "".join(normalize_text(w.text).strip() for w in words)


def _looks_like_figure(words: list[OcrWord]) -> bool:
    """chi_sim's reading of a row has a digit and no Chinese character: a figure."""
    text = _row_text(words)
    return any(ch.isdigit() for ch in text) and not _IDEOGRAPH_OR_LETTERLIKE.search(text)


def _reading_conf(words: list[OcrWord]) -> float:
    """Mean word confidence of a row reading, capped like words_to_units caps its numbers."""
    if not words:
        return 0.0
    conf = float(np.mean([w.conf for w in words]))
    fix = repair_number_misreads(_row_text(words))
    if fix.suspect:
        conf = min(conf, SUSPECT_CONF)
    elif fix.repaired:
        conf = min(conf, REPAIRED_CONF)
    return conf


def choose_figure_reading(chi: list[OcrWord], eng: list[OcrWord]) -> list[OcrWord]:
    """The reading of a large figure from chi_sim's and eng's, with an honest confidence.

    * both read the same → that reading, with the better confidence;
    * they differ only by chi_sim's '%' confusion ('4%' → '49%', '12.7%' → '12.79%6') →
      eng's reading with its own confidence;
    * any other difference → the reading with the higher confidence (numbers that look
      misread count as ``SUSPECT_CONF``), its confidence capped at ``DISAGREEMENT_CONF``.
    """
    if not eng:
        return chi
    c_text, e_text = _row_text(chi), _row_text(eng)
    c_conf, e_conf = _reading_conf(chi), _reading_conf(eng)
    if c_text == e_text:
        best = max(c_conf, e_conf)
        return [dataclasses.replace(w, conf=max(w.conf, best)) for w in eng]
    if _PERCENT_READ_AS_9.sub("", c_text) == e_text and e_conf >= c_conf:
        return eng
    chosen = eng if e_conf >= c_conf else chi
    return [dataclasses.replace(w, conf=min(w.conf, DISAGREEMENT_CONF)) for w in chosen]


def reread_large_rows(
    gray: np.ndarray, rows: list[LargeRow], paper: int, config: OcrConfig, engine: OcrEngine
) -> list[tuple[LargeRow, list[OcrWord]]]:
    """The rows of large type that read as figures, each read on its own at body size, with
    its words in page pixels: one tesseract process for all rows of the page (chi_sim), one
    more for the figures (eng).

    Only figures are kept. Headlines read better in the page than cut into rows: the ink
    rows of a headline break where a character falls apart into small strokes (六, 一),
    and the pieces read alone lose characters — measured on the jiangmen sample scan,
    '…告——2023年…第十六届…' became '…报2023年…第十71届…'. Rows of a drawing's symbols
    ('HR', '[', '琴' at conf 0–78 on a circuit diagram) hold no digit and are dropped too.
    """
    # A figure is a few glyphs wide ('12.7%', '3773.41亿元'); wider rows are headlines, and
    # not reading them saves a tesseract run on most pages.
    rows = [row for row in rows if row.box[2] - row.box[0] <= FIGURE_MAX_WIDTH * row.glyph_height]
    if not rows:
        return []
    crops = [line_crop(gray, row, paper) for row in rows]
    images = [c[0] for c in crops]
    timeout = config.page_timeout_s
    readings = engine.lines_batch(images, languages=config.languages, psm=LINE_PSM, dpi=LINE_DPI, timeout_s=timeout)
    figures = [k for k, words in enumerate(readings) if _looks_like_figure(words)]
    if figures and FIGURE_LANGUAGE not in config.languages.split("+"):
        try:
            second = engine.lines_batch([images[k] for k in figures], languages=FIGURE_LANGUAGE, psm=LINE_PSM,
                                        dpi=LINE_DPI, timeout_s=timeout)
        except ToolMissingError as exc:  # no eng data: chi_sim's reading stands
            log.warning("figures not re-read with %s: %s", FIGURE_LANGUAGE, exc)
        else:
            for k, eng in zip(figures, second):
                readings[k] = choose_figure_reading(readings[k], eng)
    kept: list[tuple[LargeRow, list[OcrWord]]] = []
    for k in figures:
        _, scale, (left, top) = crops[k]
        words = [
            _mapped(word, scale, left, top, line_key=(ROW_KEY_BASE + k, word.line_key[1], word.line_key[2]))
            for word in readings[k]
        ]
        kept.append((rows[k], words))
    return kept


# --- one page ---------------------------------------------------------------------------


def _unturned_size(width: float, height: float, cos: float, sin: float) -> tuple[float, float]:
    """(w, h) of the rectangle that, turned by θ, has the axis-aligned box ``width × height``:
    width = w cos θ + h sin θ, height = w sin θ + h cos θ (``sin`` = |sin θ|)."""
    det = cos * cos - sin * sin  # cos 2θ: ≥ 0.99 for the skews estimate_skew allows
    w = (width * cos - height * sin) / det
    h = (height * cos - width * sin) / det
    # A box that is not a turned rectangle (a clipped word) must not vanish: at most three
    # quarters of a box is tilt (a 1133 × 41 px line turned 2.5° is boxed 90 px tall).
    return max(w, 0.25 * width, 1.0), max(h, 0.25 * height, 1.0)


LINE_INK_REACH = 0.35
"""How far (in line heights) above and below its words' band a levelled line's ink is
looked for: less than the blank between two lines at the leading of print (≥ 1.35)."""


def _ink_rows(ink: np.ndarray, x0: int, x1: int, top: int, bottom: int) -> tuple[int, int] | None:
    """Top and bottom of the run of inked rows, across columns x0..x1, that holds the band
    top..bottom, looked for ``LINE_INK_REACH`` band heights beyond it; None without ink."""
    reach = round(LINE_INK_REACH * max(1, bottom - top))
    y0, y1 = max(0, top - reach), min(ink.shape[0], bottom + reach)
    x0, x1 = max(0, x0), min(ink.shape[1], x1)
    if y1 <= y0 or x1 <= x0:
        return None
    inked = ink[y0:y1, x0:x1].any(axis=1)
    band = np.flatnonzero(inked[top - y0 : bottom - y0]) + (top - y0)
    if band.size == 0:
        return None
    first, last = int(band[0]), int(band[-1])
    while first > 0 and inked[first - 1]:
        first -= 1
    while last + 1 < inked.size and inked[last + 1]:
        last += 1
    return y0 + first, y0 + last + 1


def level_words(words: list[OcrWord], levelling: np.ndarray, ink: np.ndarray | None = None) -> list[OcrWord]:
    """Words tesseract read on the tilted page, moved onto the levelled page.

    ``levelling``: the 2×3 map from tilted to levelled pixels (``rotation_matrix``); ``ink``:
    the levelled page's ink mask. A word's box is the axis-aligned box of a rectangle turned
    by the skew: it is re-centred where its centre turns to and given the rectangle's own
    size. Tesseract's line boxes on a tilted page are not such boxes (on a 1.5° test line,
    64 px for 41 px type running 1133 px, where a turned rectangle's box would be 71 px), so
    a line's levelled box is made as tesseract makes it on a levelled page, from the ink: the
    run of inked rows across the line's words around the median top and bottom of those of
    its words that hold a Chinese character (a number's LSTM box often overshoots its line).
    """
    if not words:
        return []
    cos, sin = float(levelling[0, 0]), abs(float(levelling[0, 1]))
    levelled: list[OcrWord] = []
    for word in words:
        cx, cy = (levelling @ np.array([word.left + word.width / 2, word.top + word.height / 2, 1.0])).tolist()
        w, h = _unturned_size(word.width, word.height, cos, sin)
        levelled.append(
            dataclasses.replace(
                word, left=round(cx - w / 2), top=round(cy - h / 2), width=max(1, round(w)), height=max(1, round(h))
            )
        )
    line_boxes: dict[tuple[int, int, int], tuple[int, int]] = {}
    for line in lines_of(levelled):
        reference = [w for w in line if _IDEOGRAPH_OR_LETTERLIKE.search(w.text)] or line
        top = round(float(np.median([w.top for w in reference])))
        bottom = max(top + 1, round(float(np.median([w.top + w.height for w in reference]))))
        rows = None
        if ink is not None:
            rows = _ink_rows(ink, min(w.left for w in line), max(w.left + w.width for w in line), top, bottom)
        top, bottom = rows or (top, bottom)
        line_boxes[line[0].line_key] = (top, bottom - top)
    return [
        dataclasses.replace(word, line_top=line_boxes[word.line_key][0], line_height=line_boxes[word.line_key][1])
        for word in levelled
    ]


def _conf_mass(words: list[OcrWord]) -> float:
    return sum(w.conf for w in words)


def _mean_conf(units: list[TextUnit]) -> float | None:
    confs = [u.conf for u in units if u.conf is not None]
    return round(float(np.mean(confs)), 2) if confs else None


@dataclass(slots=True)
class _Attempt:
    rotation: int
    skew: float
    image: np.ndarray
    ink: np.ndarray
    words: list[OcrWord]
    marks: list[TextUnit]
    """Bullets found geometrically (discs ●, dots ·), as units."""


LEVEL_WORDS_MIN_GLYPH = 32
"""Body glyph height (px) from which a tilted page is read as scanned and its words turned
level (``OcrConfig.level`` 'auto'). Measured: 10 pt body type is 38–41 px at 300 dpi, where
tesseract reads tilted lines as well as levelled ones or better; 26–28 px at 200 dpi, where it
misreads them (CER 4.6 % against 1.9 % on the levelled image)."""


def _reads_as_scanned(config: OcrConfig, body: float | None) -> bool:
    """Whether tesseract reads a tilted page as scanned (its words then turned level)."""
    if config.level == "auto":
        return body is not None and body >= LEVEL_WORDS_MIN_GLYPH
    return config.level == "words"


def _grown(box: Box, margin: int) -> Box:
    return box[0] - margin, box[1] - margin, box[2] + margin, box[3] + margin


def _recognise(
    gray: np.ndarray, rotation: int, config: OcrConfig, engine: OcrEngine, dpi: int, small: np.ndarray,
    unturned_skew: float,
) -> _Attempt:
    """One recognition of the page turned by ``rotation``; ``small``: the page's reduced copy,
    ``unturned_skew``: the skew of the page as it came (``rotation`` 0)."""
    upright = rotate_quarter(gray, rotation)
    if rotation == 0:
        skew = unturned_skew
    else:
        skew = estimate_skew(upright) if config.deskew else 0.0
    if abs(skew) < MIN_SKEW_DEGREES:
        skew = 0.0
    prepared = rotate_image(upright, -skew) if skew else upright
    blobs = ink_blobs(prepared)
    body = body_text_height(blobs)
    levelling = rotation_matrix(upright.shape, -skew)[0] if skew and _reads_as_scanned(config, body) else None
    discs = find_bullet_discs(prepared, dpi or None, blobs)
    dots = find_dot_bullets(blobs, body, discs)
    rows = find_large_rows(blobs, body)
    paper = paper_level(prepared, reduced=small)  # the paper of the page, before rotation pads it
    # Figures in large type are read first, on their own, and painted out of the page so the
    # main recognition neither misreads them nor glues their labels to them.
    figures = reread_large_rows(prepared, rows, paper, config, engine)
    marks_painted = [_grown(b, DISC_MARGIN) for b in discs] + [_grown(d.mark, DISC_MARGIN) for d in dots]
    painted = marks_painted + [row.padded(prepared.shape) for row, _ in figures]
    if levelling is None:
        masked = paint_boxes(prepared, painted, paper)
    else:
        # Bullets, rows and ink are found on the levelled page; tesseract reads the page as
        # scanned (the boxes painted as the quadrilaterals they are there), and its words are
        # then turned level: a levelled copy costs tesseract ~6 % more CPU (interpolated
        # pixels), and plain tesseract's reading of the glyphs is the better one.
        masked = paint_boxes(upright, painted, paper, cv2.invertAffineTransform(levelling))
    if config.binarize:
        masked = binarize(masked)
    words = engine.words(masked, languages=config.languages, psm=config.psm, dpi=dpi,
                         timeout_s=config.page_timeout_s)
    if levelling is not None:
        words = level_words(words, levelling, blobs.ink)
    words += [word for _, row_words in figures for word in row_words]
    # Word extents are corrected against the ink; a bullet's ink (painted out for tesseract)
    # would otherwise widen the word before it across the gutter the bullet hangs in.
    ink = blobs.ink
    if marks_painted:
        ink = ink.copy()
        for x0, y0, x1, y1 in marks_painted:
            ink[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = False
    marks = bullet_units(discs) + [
        TextUnit(DOT_BULLET, float(x0), float(y0), float(x1), float(y1), size=float(y1 - y0), conf=BULLET_CONF)
        for x0, y0, x1, y1 in (d.line for d in dots)
    ]
    return _Attempt(rotation, skew, prepared, ink, words, marks)


def bullet_units(boxes: list[tuple[int, int, int, int]]) -> list[TextUnit]:
    return [
        TextUnit(BULLET, float(x0), float(y0), float(x1), float(y1), size=float(y1 - y0), conf=BULLET_CONF)
        for x0, y0, x1, y1 in boxes
    ]


def recognise_page(page: PageImage, config: OcrConfig, engine: OcrEngine) -> PageContent:
    """OCR one page image into a PageContent (coordinates: pixels of the recognised image)."""
    gray = page.image
    dpi = round(page.dpi) if page.dpi else 0
    notes = [page.note] if page.note else []
    small = reduced_copy(gray)
    if is_blank(gray, reduced=small):
        notes.append("blank page")
        return PageContent(page.page_no, float(gray.shape[1]), float(gray.shape[0]), "ocr", [], None, page.dpi,
                           note="; ".join(notes))
    rotation = 0
    osd_done = False
    skew = estimate_skew(gray, reduced=small) if config.deskew else 0.0
    if config.osd == "always" or (config.osd == "auto" and looks_sideways(gray, reduced=small, skew=skew)):
        orientation = engine.orientation(gray, dpi=dpi, timeout_s=config.page_timeout_s)
        osd_done = True
        if orientation is not None and orientation.rotate and orientation.confidence >= OSD_MIN_CONF:
            rotation = orientation.rotate
    attempt = _recognise(gray, rotation, config, engine, dpi, small, skew)
    mean = float(np.mean([w.conf for w in attempt.words])) if attempt.words else 0.0
    if config.osd == "auto" and not osd_done and mean < LOW_PAGE_CONF:
        # A poor first read is the cheap signal for an upside-down page: ask OSD, and keep
        # whichever recognition carries more confidence.
        orientation = engine.orientation(gray, dpi=dpi, timeout_s=config.page_timeout_s)
        if orientation is not None and orientation.rotate and orientation.confidence >= OSD_MIN_CONF:
            other = _recognise(gray, orientation.rotate, config, engine, dpi, small, skew)
            if _conf_mass(other.words) > _conf_mass(attempt.words):
                attempt = other
    units = words_to_units(attempt.words, attempt.ink) + attempt.marks
    if attempt.rotation:
        notes.append(f"rotated {attempt.rotation}°")
    if attempt.skew:
        notes.append(f"deskewed {attempt.skew:+.2f}°")
    h, w = attempt.image.shape
    return PageContent(
        page_no=page.page_no,
        width=float(w),
        height=float(h),
        method="ocr",
        units=units,
        ocr_confidence=_mean_conf(units),
        dpi=page.dpi,
        rotation=attempt.rotation,
        skew_degrees=attempt.skew,
        note="; ".join(notes),
    )


# --- the pool ---------------------------------------------------------------------------

_POOL_LOCK = threading.Lock()
_POOLS: dict[int, ThreadPoolExecutor] = {}


def ocr_pool(workers: int) -> ThreadPoolExecutor:
    """The process-wide pool for ``workers`` concurrent tesseracts (created once)."""
    workers = max(1, workers)
    with _POOL_LOCK:
        pool = _POOLS.get(workers)
        if pool is None:
            pool = _POOLS[workers] = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reportflow-ocr")
        return pool


def _recognise_page_safely(page: PageImage, config: OcrConfig, engine: OcrEngine) -> PageContent:
    try:
        return recognise_page(page, config, engine)
    except OcrError as exc:
        raise OcrError(f"page {page.page_no}: {exc}") from exc


def recognise_pages(pages: Iterable[PageImage], config: OcrConfig) -> Iterator[PageContent]:
    """OCR pages concurrently, yielding results in page order.

    ``pages`` may be a lazy generator (rendering PDF pages): at most ``2 × workers`` page
    images are held at once.
    """
    engine = engine_for(config)
    pool = ocr_pool(config.workers)
    window = 2 * max(1, config.workers)
    pending: deque[Future[PageContent]] = deque()
    try:
        for page in pages:
            pending.append(pool.submit(_recognise_page_safely, page, config, engine))
            while len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
