"""Put OCR character boxes back on the glyphs they belong to, using the ink of the page.

Why: tesseract's LSTM engine knows *which* characters a line holds but only roughly *where*
each one is: its character positions drift along the line, so word and symbol boxes are
often one glyph off on Chinese lines (tesseract issues #1712, #2024; PR #3787 explains the
cause: blobs are assigned to the nearest drifting LSTM position). Measured on the samples:
the box of 3773.41亿元 in jiangmen-2023-report-p1.png starts at the second digit and ends on
the following '，'; 千亿 in the xinhui scan is boxed on 亿 alone. The line's extent and the
ink blobs themselves are accurate — only the assignment drifts.

So for one line of text: cut the line's ink into column segments (vertical projection), and
align the line's characters to those segments in order, by dynamic programming, with costs
from the ink width each character is expected to have (full-width CJK ≈ 0.9 em, a digit
≈ 0.5 em, '.' ≈ 0.12 em, '，' ≈ 0.2 em …) and, weakly, from tesseract's own (drifting)
position. A character may take several segments (左右-structured glyphs), two characters may
share one (blurred touching digits), stray specks may be skipped. The result is used only
when the alignment is plausible; otherwise tesseract's boxes stay. Display only: the stored
boxes are never changed.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from dataclasses import dataclass

import numpy as np

from reportflow.models import BBox

log = logging.getLogger(__name__)

MAX_GROUP = 4
"""Most ink segments one character may take (radicals split by white columns)."""
MAX_DRIFT_EM = 2.5
"""An aligned character may sit at most this far from where tesseract put it."""
PLAUSIBLE_MEAN_COST = 0.12
"""Mean cost per character above which the alignment is rejected (tesseract boxes stay)."""


@dataclass(frozen=True, slots=True)
class Segment:
    x0: int
    x1: int
    """Exclusive."""

    @property
    def width(self) -> int:
        return self.x1 - self.x0


def ink_width_em(ch: str) -> float:
    """Expected width of a character's ink, in ems of the line (font size)."""
    if ch in "，。、；：？！“”‘’（）《》「」":
        return 0.22
    if unicodedata.east_asian_width(ch) in ("F", "W"):
        return 0.9
    if ch in ".,:;'·":
        return 0.12
    if ch in "()[]|!iIl1":
        return 0.22 if ch != "1" else 0.3
    if ch == "%":
        return 0.62
    if ch in "-–":
        return 0.3
    return 0.48


def ink_segments(gray: np.ndarray, x0: int, x1: int, top: int, bottom: int) -> list[Segment]:
    """Column runs with ink in the band [top, bottom) × [x0, x1) of a grayscale page (clipped
    to the page)."""
    width = gray.shape[1]
    x0, x1 = max(0, min(x0, width)), max(0, min(x1, width))
    band = gray[max(0, top):max(0, bottom), x0:x1]
    if band.size == 0:
        return []
    threshold = _ink_threshold(band)
    columns = (band <= threshold).sum(axis=0) >= 2  # two pixels: a speck of noise is not ink
    segments: list[Segment] = []
    start = None
    for i, inked in enumerate(columns):
        if inked and start is None:
            start = i
        elif not inked and start is not None:
            segments.append(Segment(x0 + start, x0 + i))
            start = None
    if start is not None:
        segments.append(Segment(x0 + start, x0 + len(columns)))
    return segments


def _ink_threshold(band: np.ndarray) -> float:
    """Otsu's threshold of the band (ink is darker than paper)."""
    hist = np.bincount(band.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight0 = np.cumsum(hist)
    mean0 = np.cumsum(hist * levels)
    mean_all = mean0[-1]
    weight1 = total - weight0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean_all * weight0 - mean0 * total) ** 2 / (weight0 * weight1)
    between[~np.isfinite(between)] = 0
    return float(np.argmax(between))


def align_line(chars: str, prior: list[BBox], segments: list[Segment], em: float) -> list[tuple[int, int]] | None:
    """x-extent (x0, x1) for each character of one line, or None when no plausible alignment.

    ``prior``: tesseract's boxes of the characters (for the weak position term and the drift
    limit). Dynamic programming over (characters placed, segments consumed).
    """
    n, m = len(chars), len(segments)
    if n == 0 or m == 0 or em <= 0:
        return None
    widths = [ink_width_em(c) * em for c in chars]
    centers = [(b[0] + b[2]) / 2 for b in prior]
    inf = math.inf
    cost = np.full((n + 1, m + 1), inf)
    back: dict[tuple[int, int], tuple[int, int, str]] = {}
    cost[0, 0] = 0.0

    def group_cost(char_from: int, char_to: int, seg_from: int, seg_to: int) -> float:
        """Cost of characters [char_from, char_to) taking segments [seg_from, seg_to)."""
        gx0, gx1 = segments[seg_from].x0, segments[seg_to - 1].x1
        expected = sum(widths[char_from:char_to])
        width_err = ((gx1 - gx0) - expected) / em
        gaps = [segments[k + 1].x0 - segments[k].x1 for k in range(seg_from, seg_to - 1)]
        gap_pen = sum(max(0.0, g / em - 0.3) for g in gaps) * 2.0
        center = (gx0 + gx1) / 2
        prior_center = sum(centers[char_from:char_to]) / (char_to - char_from)
        drift = abs(center - prior_center) / em
        if drift > MAX_DRIFT_EM:
            return inf
        share_pen = 0.25 if char_to - char_from > 1 else 0.0
        return width_err**2 + gap_pen + 0.02 * drift**2 + share_pen

    for i in range(n + 1):
        for j in range(m + 1):
            here = cost[i, j]
            if here == inf:
                continue
            # Skip a segment (a speck, a stroke of a neighbouring line), at a price.
            if j < m:
                skip = here + 0.3 + segments[j].width / em
                if skip < cost[i, j + 1]:
                    cost[i, j + 1] = skip
                    back[(i, j + 1)] = (i, j, "skip")
            for take_chars in (1, 2):
                if i + take_chars > n:
                    continue
                for k in range(1, MAX_GROUP + 1):
                    if j + k > m:
                        break
                    c = group_cost(i, i + take_chars, j, j + k)
                    if here + c < cost[i + take_chars, j + k]:
                        cost[i + take_chars, j + k] = here + c
                        back[(i + take_chars, j + k)] = (i, j, "take")
    total = cost[n, m]
    log.debug("ink alignment of %d characters: mean cost %.4f", n, total / n if n else inf)
    if total == inf or total / n > PLAUSIBLE_MEAN_COST:
        log.debug("no plausible ink alignment for %r (mean cost %.3f)", chars, total / n if n else inf)
        return None
    extents: list[tuple[int, int]] = [(0, 0)] * n
    i, j = n, m
    while (i, j) != (0, 0):
        pi, pj, how = back[(i, j)]
        if how == "take":
            gx0, gx1 = segments[pj].x0, segments[j - 1].x1
            if i - pi == 1:
                extents[pi] = (gx0, gx1)
            else:  # two characters in one segment group: split it by their expected widths
                share = widths[pi] / (widths[pi] + widths[pi + 1])
                mid = round(gx0 + (gx1 - gx0) * share)
                extents[pi], extents[pi + 1] = (gx0, mid), (mid, gx1)
        i, j = pi, pj
    return extents


def within_gutters(segments: list[Segment], x_from: float, x_to: float, gutter: float) -> list[Segment]:
    """The run of segments around [x_from, x_to], cut at the first gap wider than ``gutter``
    on either side (the white between two columns)."""
    core = [k for k, s in enumerate(segments) if s.x1 > x_from and s.x0 < x_to]
    if not core:
        return []
    first, last = core[0], core[-1]
    while first > 0 and segments[first].x0 - segments[first - 1].x1 <= gutter:
        first -= 1
    while last + 1 < len(segments) and segments[last + 1].x0 - segments[last].x1 <= gutter:
        last += 1
    return segments[first:last + 1]


def split_lines(boxes: list[BBox | None]) -> list[list[int]]:
    """Indices of the characters of each visual line (consecutive, vertically overlapping).

    Only the vertical position decides: the drifting boxes this module repairs can step
    backwards along a line (亿 boxed left of the digit before it), a new line cannot stay at
    the same height.
    """
    lines: list[list[int]] = []
    last: BBox | None = None
    for i, box in enumerate(boxes):
        if box is None:
            continue
        if last is not None:
            overlap = min(last[3], box[3]) - max(last[1], box[1])
            smaller = min(last[3] - last[1], box[3] - box[1])
            same = smaller > 0 and overlap > 0.5 * smaller
            if same:
                lines[-1].append(i)
                last = box
                continue
        lines.append([i])
        last = box
    return lines


def realign_to_ink(gray: np.ndarray, text: str, boxes: list[BBox | None], wanted: range) -> list[BBox | None]:
    """Boxes of ``text``'s characters, re-aligned to the ink for every line that contains a
    character of ``wanted`` (the evidence); other characters keep their boxes."""
    out = list(boxes)
    for line in split_lines(boxes):
        if not any(i in wanted for i in line):
            continue
        prior = [boxes[i] for i in line]
        assert all(b is not None for b in prior)
        tops = sorted(b[1] for b in prior)  # type: ignore[index]
        bottoms = sorted(b[3] for b in prior)  # type: ignore[index]
        top, bottom = tops[len(tops) // 2], bottoms[len(bottoms) // 2]
        height = bottom - top
        x_from = min(b[0] for b in prior)  # type: ignore[index]
        x_to = max(b[2] for b in prior)  # type: ignore[index]
        # Drift can move tesseract's boxes either way by about a glyph: look wider than they say,
        # then drop what lies beyond a gutter (a neighbouring column's text).
        pad = int(1.6 * height)
        segments = ink_segments(gray, int(x_from) - pad, math.ceil(x_to) + pad, int(top), math.ceil(bottom))
        segments = within_gutters(segments, x_from, x_to, gutter=0.8 * height)
        chars = "".join(text[i] for i in line)
        if not segments:
            continue
        # em from the ink itself: the line's inked extent over the characters' expected widths
        # (with the usual inter-glyph spacing of ~10 % of an em).
        extent = segments[-1].x1 - segments[0].x0
        em = extent / max(0.5, sum(ink_width_em(c) for c in chars) + 0.1 * (len(chars) - 1))
        extents = align_line(chars, prior, segments, em)  # type: ignore[arg-type]
        if extents is None:
            continue
        for i, (x0, x1) in zip(line, extents):
            out[i] = (float(x0), float(top), float(x1), float(bottom))
    return out
