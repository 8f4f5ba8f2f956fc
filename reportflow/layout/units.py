"""A page's text units as numpy arrays: normalised, whitespace dropped, overprints removed.

Every later stage works on these arrays so that the per-character cost is a few vectorised
passes, not Python loops. The one yardstick for every threshold is ``em``: the character
size of each unit (the font size for PDF characters, an estimate from the box for OCR
words), so the same code handles PDF points and scan pixels.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from operator import attrgetter

import numpy as np

from reportflow.models import PageContent
from reportflow.normalize import is_cjk, normalize_char, normalize_text

logger = logging.getLogger(__name__)

DUPLICATE_CELL_EM = 0.2
"""Grid cell (in em) for finding overprinted duplicates. Two copies of a character closer
than half a cell always share a cell in one of four offset grids; fake bold is drawn
0.01–0.05 em apart, while the narrowest real neighbours ('ll', '..') are ≥ 0.25 em apart."""

OCR_EM_CLIP = (0.5, 4.0)
"""OCR words' em is kept within this range of the page's type size."""

OCR_HEADLINE_RATIO = 1.5
"""An OCR word whose own size estimate exceeds the page's type size this much is larger type."""


@dataclass(slots=True)
class PageUnits:
    """The usable units of one page, as parallel arrays (index i = unit i)."""

    page_no: int
    width: float
    height: float
    is_ocr: bool
    single_chars: bool
    """Every unit is one character (text layer): enables the fast paths."""
    texts: list[str]
    x0: np.ndarray
    top: np.ndarray
    x1: np.ndarray
    bottom: np.ndarray
    size: np.ndarray
    """Font size (text layer) or box height (OCR): compared between lines for size changes."""
    em: np.ndarray
    """Character size used as the unit of every distance threshold."""
    bold: np.ndarray
    conf: np.ndarray
    """OCR word confidence; NaN on text-layer pages."""
    cjk_first: np.ndarray
    cjk_last: np.ndarray
    first_cp: np.ndarray
    """Code point of each unit's first character (and of its last, below)."""
    last_cp: np.ndarray

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def cy(self) -> np.ndarray:
        return (self.top + self.bottom) * 0.5

    @property
    def median_em(self) -> float:
        return float(np.median(self.em)) if len(self.texts) else 0.0


_BMP = 0x10000
_CJK_KNOWN = np.zeros(_BMP, dtype=bool)
_CJK_VALUE = np.zeros(_BMP, dtype=bool)
"""``is_cjk`` of the Basic Multilingual Plane, filled in lazily for the code points seen."""
_CJK_LOCK = threading.Lock()


def code_points(chars: list[str]) -> np.ndarray:
    return np.fromiter(map(ord, chars), dtype=np.int64, count=len(chars))


def cjk_flags(cps: np.ndarray, chars: list[str]) -> np.ndarray:
    """``is_cjk`` of each character (code points ``cps`` of the strings ``chars``), vectorised:
    one ``is_cjk`` call per distinct code point ever seen, table lookups after that."""
    bmp = np.minimum(cps, _BMP - 1)
    new = np.unique(bmp[~_CJK_KNOWN[bmp]])
    if len(new):
        with _CJK_LOCK:  # value before known: a concurrent reader never sees an unset value
            _CJK_VALUE[new] = [is_cjk(chr(cp)) for cp in new.tolist()]
            _CJK_KNOWN[new] = True
    flags = _CJK_VALUE[bmp]
    astral = cps >= _BMP
    if astral.any():
        flags[astral] = [is_cjk(chars[i]) for i in np.flatnonzero(astral).tolist()]
    return flags


def _normalised_texts(raw: list[str]) -> list[str]:
    """``normalize_text`` per unit; one call over the whole page when units are single characters."""
    joined = "".join(raw)
    if len(joined) == len(raw):
        folded = normalize_text(joined)
        if len(folded) == len(raw):
            return list(folded)
    return [normalize_char(t) if len(t) == 1 else normalize_text(t) for t in raw]


def _duplicate_mask(
    tid: np.ndarray, x0: np.ndarray, top: np.ndarray, cell: float
) -> tuple[np.ndarray, np.ndarray]:
    """(duplicate, overprinted): units that repeat an earlier unit's text at (almost) its position,
    and the kept units that had such a copy (drawn twice = fake bold)."""
    n = len(tid)
    dup = np.zeros(n, dtype=bool)
    overprinted = np.zeros(n, dtype=bool)
    if n < 2 or cell <= 0:
        return dup, overprinted
    gx = x0 / cell
    gy = top / cell
    gx -= gx.min()
    gy -= gy.min()
    span_x = int(gx.max()) + 2
    span_y = int(gy.max()) + 2
    for ox in (0.0, 0.5):
        for oy in (0.0, 0.5):
            # One int64 key per (text, cell): 1-D unique is a plain sort.
            keys = (tid * span_x + np.floor(gx + ox).astype(np.int64)) * span_y + np.floor(gy + oy).astype(
                np.int64
            )
            _, first, counts = np.unique(keys, return_index=True, return_counts=True)
            is_first = np.zeros(n, dtype=bool)
            is_first[first] = True
            dup |= ~is_first
            overprinted[first[counts > 1]] = True
    overprinted &= ~dup
    return dup, overprinted


def _ocr_sizes(
    texts: list[str], width: np.ndarray, height: np.ndarray, cjk_all: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(em, size) of OCR words.

    Word boxes are noisy: heights alternate between the glyph and the whole line, and a
    box may swallow its neighbours. The steadiest measure of type size is the width per
    character of Chinese words (square glyphs); box heights are calibrated against it on
    the page to measure the other words. Every word gets the page's type size unless its
    own estimate says it is clearly larger type (a headline, a large figure): finer size
    differences (a subhead 10 % larger) are below the noise and are not used on OCR pages.
    Both values are the same: the em is the yardstick of distances and the size is what
    type sizes are compared by.
    """
    n = len(texts)
    if n == 0:
        return np.zeros(0), np.zeros(0)
    lengths = np.fromiter(map(len, texts), dtype=np.float64, count=n)
    per_char = width / np.maximum(lengths, 1.0)
    height = np.maximum(height, 1e-6)
    ideographs = cjk_all & np.fromiter((t[0] >= "\u3400" for t in texts), dtype=bool, count=n)
    if ideographs.sum() >= 10:
        page = float(np.median(per_char[ideographs]))
        scale = page / float(np.median(height[ideographs]))  # em per unit of box height
    else:
        page, scale = float(np.median(height)), 1.0
    if page <= 0:
        return np.maximum(height, 1.0), np.maximum(height, 1.0)
    from_height = height * scale
    # A Chinese word's width is trusted unless its box is implausible either way (a box that
    # swallowed its neighbours is wide, one stretched over two lines is tall): then the
    # smaller of the two measures.
    plausible = (per_char > 0.6 * from_height) & (per_char < 1.6 * from_height)
    cjk_own = np.where(plausible, per_char, np.minimum(per_char, from_height))
    # Latin letters and digits are about half an em wide: a word must be wide enough for
    # its height before that height counts (a box stretched to the line is not large type).
    latin_own = np.minimum(from_height, 2.0 * per_char)
    own = np.where(cjk_all, cjk_own, latin_own)
    own = np.clip(own, OCR_EM_CLIP[0] * page, OCR_EM_CLIP[1] * page)
    em = np.where(own > OCR_HEADLINE_RATIO * page, own, page)
    return em, em.copy()


def _text_layer_em(size: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Font sizes as the em of text-layer characters.

    Boxes of single glyphs can be tight ('。' is 0.2 em tall in some Type 3 fonts), so the
    size is trusted per character; only a page whose sizes disagree wholesale with its box
    heights (a broken font matrix: size 1 with the scale in the text matrix) falls back
    to the box heights, and a missing size takes the page's typical size.
    """
    valid = size > 0
    if not valid.any():
        return np.maximum(height, 1e-3)
    ratio = float(np.median(size[valid] / np.maximum(height[valid], 1e-6)))
    if not 1.0 / 3.0 < ratio < 3.0:
        return np.maximum(height, 1e-3)
    return np.where(valid, size, float(np.median(size[valid])))


def _text_ids(texts: list[str], single: bool) -> np.ndarray:
    """An integer per distinct text (the code point when every unit is one character)."""
    if single:
        return np.fromiter(map(ord, texts), dtype=np.int64, count=len(texts))
    ids: dict[str, int] = {}
    return np.fromiter((ids.setdefault(t, len(ids)) for t in texts), dtype=np.int64, count=len(texts))


def page_units(page: PageContent) -> PageUnits:
    """Arrays of a page's units: normalised text, no whitespace-only units, no overprinted copies."""
    units = page.units
    texts_all = _normalised_texts(list(map(attrgetter("text"), units)))
    blank = np.fromiter(map(str.isspace, texts_all), dtype=bool, count=len(texts_all))
    blank |= np.fromiter(map(len, texts_all), dtype=np.int64, count=len(texts_all)) == 0
    if blank.any():
        keep_idx = np.flatnonzero(~blank).tolist()
        texts = [texts_all[i] for i in keep_idx]
        kept = [units[i] for i in keep_idx]
    else:
        texts, kept = texts_all, units
    n = len(kept)
    single = len("".join(texts)) == n
    if not single:
        texts = [t.strip() for t in texts]
    x0 = np.fromiter(map(attrgetter("x0"), kept), dtype=np.float64, count=n)
    x1 = np.fromiter(map(attrgetter("x1"), kept), dtype=np.float64, count=n)
    top = np.fromiter(map(attrgetter("top"), kept), dtype=np.float64, count=n)
    bottom = np.fromiter(map(attrgetter("bottom"), kept), dtype=np.float64, count=n)
    # Producers occasionally write inverted boxes; a box is an interval whatever its corner order.
    x0, x1 = np.minimum(x0, x1), np.maximum(x0, x1)
    top, bottom = np.minimum(top, bottom), np.maximum(top, bottom)
    size = np.fromiter(map(attrgetter("size"), kept), dtype=np.float64, count=n)
    bold = np.fromiter(map(attrgetter("bold"), kept), dtype=bool, count=n)
    is_ocr = page.method == "ocr"
    if is_ocr:
        conf = np.fromiter((np.nan if u.conf is None else u.conf for u in kept), dtype=np.float64, count=n)
    else:
        conf = np.full(n, np.nan)
    firsts = texts if single else [t[0] for t in texts]
    lasts = texts if single else [t[-1] for t in texts]
    first_cp = code_points(firsts)
    last_cp = first_cp if single else code_points(lasts)
    cjk_first = cjk_flags(first_cp, firsts)
    cjk_last = cjk_first if single else cjk_flags(last_cp, lasts)
    height = bottom - top

    if is_ocr:
        em, size = _ocr_sizes(texts, x1 - x0, height, cjk_first & cjk_last)
    else:
        em = _text_layer_em(size, height)
        size = em

    if not is_ocr and n > 1:
        tid = _text_ids(texts, single)
        dup, overprinted = _duplicate_mask(tid, x0, top, DUPLICATE_CELL_EM * float(np.median(em)))
        if dup.any():
            logger.debug("page %d: dropped %d overprinted duplicate characters", page.page_no, int(dup.sum()))
            keep = ~dup
            bold = bold | overprinted
            texts = [texts[i] for i in np.flatnonzero(keep).tolist()]
            x0, top, x1, bottom = x0[keep], top[keep], x1[keep], bottom[keep]
            size, em, bold, conf = size[keep], em[keep], bold[keep], conf[keep]
            cjk_first, cjk_last = cjk_first[keep], cjk_last[keep]
            first_cp, last_cp = first_cp[keep], last_cp[keep]

    return PageUnits(
        page_no=page.page_no,
        width=float(page.width),
        height=float(page.height),
        is_ocr=is_ocr,
        single_chars=single,
        texts=texts,
        x0=x0,
        top=top,
        x1=x1,
        bottom=bottom,
        size=size,
        em=em,
        bold=bold,
        conf=conf,
        cjk_first=cjk_first,
        cjk_last=cjk_last,
        first_cp=first_cp,
        last_cp=last_cp,
    )
