"""Text lines from positioned units, without trusting the order they were written in.

Units are grouped into rows by their vertical centres, each row is cut where a horizontal
gap is wide enough to be a column gutter, and any piece still taller than one line (rows
of neighbouring columns whose baselines are offset can chain together) is split again
inside itself. Everything is vectorised over the page: sorting dominates, O(n log n).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from reportflow.layout.units import PageUnits
from reportflow.models import BBox
from reportflow.normalize import is_cjk

ROW_TOL_EM = 0.5
"""Consecutive sorted unit centres further apart than this (× the smaller em) start a new row."""

GAP_SPLIT_EM = 0.9
"""A horizontal gap wider than this (× em) inside a row cuts it: column gutters are ≥ 1 em,
word spaces and justified CJK spacing well below."""

GAP_SURE_EM = 2.5
"""A gap this wide (× em) is a gutter without further evidence; narrower gaps (from
GAP_SPLIT_EM) must line up with whitespace in the lines above and below."""

RIVER_REACH_EM = 2.5
"""How far above and below a gap (× em) the lines that would run through it are looked for."""

LARGE_TYPE_RATIO = 1.3
"""Gaps between units this much larger than the page's median type are judged against text
of every size (a letter-spaced headline's second line), with distances in their own em."""

RIVER_CONTEXT_EM = 2.0
"""A side of a gap counts as having lines if body text lies within this (× em) of the gap."""

RIVER_CROSSED_SHARE = 0.85
"""Share of a gap's width the lines above and below must cross for it to be no gutter."""

_OCCUPANCY_MAX_CELLS = 4_000_000

GAP_EM_CAP = 2.0
"""Gutters are set in the body text's size: for big headline type the split gap is capped at
this many page-median ems (else two headlines side by side would read as one line)."""

TALL_EM = 0.8
"""A row piece whose unit centres spread more than this (× em) holds more than one line."""

GLUE_GAP_EM = 0.5
GLUE_OVERLAP_EM = 0.6
GLUE_MID_EM = 0.9
GLUE_INSIDE_MAX_UNITS = 12
"""Pieces touching end to start (gap < GLUE_GAP_EM, overlap < GLUE_OVERLAP_EM em), or a short
piece inside another's span, whose centres differ by less than GLUE_MID_EM em are one line
(a run in another font set lower)."""

MARKER_JOIN_EM = 3.0
"""A lone bullet or list number stays on the line of text to its right up to this gap."""

SPACE_LATIN_EM = 0.15
"""Gap (× em) between two non-CJK units that is a word space."""

SPACE_MIXED_EM = 0.2
"""Gap between a CJK and a non-CJK unit that is a real space (增长 3.1%), not auto-spacing."""

OCR_SPACE_MIXED_EM = float("inf")
"""OCR: no space between a Chinese and a non-Chinese word. Word boxes hug the ink, so gaps
between a character and a digit vary with the glyphs (and with tesseract's box for the
word: '2，' may come back as the comma's box alone); a space there is noise far more often
than content, and numbers read the same without it."""

_NO_SPACE_BEFORE = frozenset(",;:!?%)]}，。、；：！？）》」』”’")
_NO_SPACE_AFTER = frozenset("([{（《「『“‘")
_NO_SPACE_BEFORE_CPS = np.array(sorted(map(ord, _NO_SPACE_BEFORE)))
_NO_SPACE_AFTER_CPS = np.array(sorted(map(ord, _NO_SPACE_AFTER)))

SPACE_CJK_EM = 0.6
"""Gap between two CJK units of a text layer that is a deliberate space (headline word
spacing); never applied to OCR, where the gaps between Chinese words are recognition noise."""

_MAX_SPLIT_ROUNDS = 5

MARKER = re.compile(
    r"^(?:[●•▪■◆·\-–○◎★☆▶►□]|\d{1,2}[.、)）]|\d{1,2}(?:\.\d{1,2}){1,3}\.?|[（(]\d{1,2}[)）]"
    r"|[（(][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[①-⑳]"
    r"|第[一二三四五六七八九十百\d]{1,3}[章节条部篇])$"
)
"""Bullets and list or section numbers ('1.', '1.2.3', '（一）', '第三章') that a tab may
separate from their text."""


@dataclass(slots=True)
class Line:
    """One visual line (or the part of a row inside one column)."""

    page_no: int
    x0: float
    top: float
    x1: float
    bottom: float
    em: float
    size: float
    bold: float
    """Share of the line's units that are bold."""
    text: str
    boxes: list[BBox | None] = field(default_factory=list)
    confs: list[float | None] = field(default_factory=list)
    ocr: bool = False
    mid: float = 0.0
    """Median vertical centre of the line's units."""

    @property
    def ctop(self) -> float:
        """Top of the line's core (one em around its centre). Glyph boxes are unreliable for
        vertical relations: loose boxes of some fonts are twice the em and overlap the next
        line, tight ones shrink to the ink ('。'). Layout decisions use the core."""
        return self.mid - 0.5 * self.em

    @property
    def cbottom(self) -> float:
        return self.mid + 0.5 * self.em

    @property
    def height(self) -> float:
        return self.bottom - self.top

    @property
    def width(self) -> float:
        return self.x1 - self.x0


def _starts(ids: np.ndarray) -> np.ndarray:
    """Start offsets of the runs of equal values in ``ids``."""
    if len(ids) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])


class _Occupancy:
    """Where the page has text: a coarse grid (¼ em wide, ½ em high cells) marking the cells
    that units' centre lines cross, with cumulative sums down each grid column so that the
    text above or below any stretch of a row is counted without loops."""

    def __init__(self, pu: PageUnits, body_only: bool) -> None:
        em = pu.median_em
        self.em = em
        self.x_min = float(pu.x0.min())
        self.y_min = float(pu.cy.min())
        bx, by = 0.25 * em, 0.5 * em
        width = float(pu.x1.max()) - self.x_min
        height = float(pu.cy.max()) - self.y_min
        cells = (width / bx + 2) * (height / by + 2)
        if cells > _OCCUPANCY_MAX_CELLS:  # huge pages of tiny type: coarser cells
            k = (cells / _OCCUPANCY_MAX_CELLS) ** 0.5
            bx, by = bx * k, by * k
        self.bx, self.by = bx, by
        n_x = int(width / bx) + 2
        n_y = int(height / by) + 2
        # Body type only for gaps in body text: a headline spanning the columns above must
        # not bridge them. (Gaps in large type are judged against all text.)
        body = np.abs(pu.em / em - 1.0) <= 0.15 if body_only else np.ones(len(pu), dtype=bool)
        rows = ((pu.cy[body] - self.y_min) / by).astype(np.int64)
        c0 = ((pu.x0[body] - self.x_min) / bx).astype(np.int64)
        c1 = ((pu.x1[body] - self.x_min) / bx).astype(np.int64)
        diff = np.zeros((n_y, n_x + 1), dtype=np.int32)
        np.add.at(diff, (rows, c0), 1)
        np.add.at(diff, (rows, c1 + 1), -1)
        marked = (np.cumsum(diff[:, :n_x], axis=1) > 0).astype(np.int32)
        self.down = np.zeros((n_y + 1, n_x), dtype=np.int32)
        self.down[1:] = marked.cumsum(axis=0)
        self.n_x, self.n_y = n_x, n_y

    def _share_crossed(self, c0: np.ndarray, c1: np.ndarray, y0: np.ndarray, y1: np.ndarray) -> np.ndarray:
        """Per stretch [c0, c1) of grid columns: the share of its columns that text crosses
        between heights y0 and y1."""
        r0 = np.clip(np.floor((y0 - self.y_min) / self.by), 0, self.n_y).astype(np.int64)
        r1 = np.clip(np.floor((y1 - self.y_min) / self.by) + 1, 0, self.n_y).astype(np.int64)
        widths = np.maximum(c1 - c0, 0)
        total = int(widths.sum())
        if total == 0:
            return np.zeros(len(c0))
        which = np.repeat(np.arange(len(c0)), widths)
        cols = c0[which] + np.arange(total) - np.repeat(np.cumsum(widths) - widths, widths)
        hit = (self.down[r1[which], cols] - self.down[r0[which], cols]) > 0
        crossed = np.bincount(which, weights=hit, minlength=len(c0))
        return crossed / np.maximum(widths, 1)

    def covered(self, gap_x0: np.ndarray, gap_x1: np.ndarray, y: np.ndarray, scale: np.ndarray) -> np.ndarray:
        """For each horizontal gap (x0, x1) at height y: is it a space inside a line rather
        than a gutter? It is if the body-type lines near it (within RIVER_REACH_EM) run
        through (nearly) all of it on each side that has lines at all, and at least one side
        does. A gutter stays empty wherever the columns have lines beside it (a running head
        or a headline may cross it above, but the column's own next line does not), and a
        gap reaching from a short line's end across the gutter is empty over the gutter."""
        em = self.em * scale  # the type size of the gap's own line
        c0 = self._col(gap_x0 + self.bx, np.ceil)  # one cell in from each side
        c1 = self._col(gap_x1 - self.bx, np.floor) + 1
        w0 = self._col(gap_x0 - RIVER_CONTEXT_EM * em, np.floor)
        w1 = self._col(gap_x1 + RIVER_CONTEXT_EM * em, np.floor) + 1
        reach, own = RIVER_REACH_EM * em, 0.6 * em
        sides = []
        for y0, y1 in ((y - reach, y - own), (y + own, y + reach)):
            crossed = self._share_crossed(c0, c1, y0, y1) >= RIVER_CROSSED_SHARE
            empty = self._share_crossed(w0, w1, y0, y1) == 0
            sides.append((crossed, empty))
        (above, above_empty), (below, below_empty) = sides
        return (c1 > c0) & (above | above_empty) & (below | below_empty) & ~(above_empty & below_empty)

    def _col(self, x: np.ndarray, rounding: np.ufunc) -> np.ndarray:
        return np.clip(rounding((x - self.x_min) / self.bx), 0, self.n_x - 1).astype(np.int64)


def _split_rows_and_gaps(
    pu: PageUnits,
    idx: np.ndarray,
    group: np.ndarray,
    occupancy: tuple[_Occupancy, _Occupancy] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Within each group: rows by vertical centre, then cut rows at gutter-wide gaps.

    Returns the unit indices ordered by (group, row, x0), their group, and a fragment id.
    """
    cy = pu.cy[idx]
    em = pu.em[idx]
    o = np.lexsort((cy, group))
    idx, group, cy, em = idx[o], group[o], cy[o], em[o]
    new_row = np.empty(len(idx), dtype=bool)
    new_row[0] = True
    new_row[1:] = (group[1:] != group[:-1]) | (np.diff(cy) > ROW_TOL_EM * np.minimum(em[1:], em[:-1]))
    row = np.cumsum(new_row)

    o2 = np.lexsort((pu.x0[idx], row))
    idx, row, group = idx[o2], row[o2], group[o2]
    x0, x1, em = pu.x0[idx], pu.x1[idx], pu.em[idx]
    # Running maximum of x1 inside each row (a wide unit may overhang its successors):
    # offset every row above the previous one so one accumulate serves all rows.
    base = float(min(x0.min(), x1.min()))
    stride = 2.0 * (float(x1.max()) - base + 1.0)
    offset = row.astype(np.float64) * stride
    run_max = np.maximum.accumulate((x1 - base) + offset) - offset + base
    gap = x0[1:] - run_max[:-1]
    same_row = row[1:] == row[:-1]
    gap_em = np.minimum(np.maximum(em[1:], em[:-1]), GAP_EM_CAP * pu.median_em)
    wide = same_row & (gap > GAP_SPLIT_EM * gap_em)
    # A gap short of certain gutter width is cut only where it continues a river of
    # whitespace through the lines above and below (a gutter), not where those lines run
    # straight through it (a wide space inside a justified line, letter-spaced type).
    doubtful = np.flatnonzero(wide & (gap < GAP_SURE_EM * gap_em))
    if len(doubtful) and occupancy is not None:
        y = (pu.cy[idx[doubtful]] + pu.cy[idx[doubtful + 1]]) * 0.5
        pair_em = np.maximum(em[doubtful], em[doubtful + 1])
        large = pair_em > LARGE_TYPE_RATIO * pu.median_em
        covered = np.zeros(len(doubtful), dtype=bool)
        for select, occ in ((~large, occupancy[0]), (large, occupancy[1])):
            if select.any():
                scale = pair_em[select] / occ.em if occ is occupancy[1] else np.ones(int(select.sum()))
                covered[select] = occ.covered(
                    run_max[doubtful][select], x0[doubtful + 1][select], y[select], scale
                )
        wide[doubtful[covered]] = False
    cut = ~same_row | wide

    # A bullet or list number set apart from its text by a tab stays with that text;
    # otherwise the markers of a list would form a column of their own.
    gap_cuts = cut & same_row
    if gap_cuts.any():
        piece = np.cumsum(np.r_[True, cut])
        piece_start = np.flatnonzero(np.r_[True, cut])
        pos = np.flatnonzero(gap_cuts)
        first = piece_start[piece[pos] - 1]
        near = (pos + 1 - first <= 4) & (gap[pos] <= MARKER_JOIN_EM * np.maximum(em[pos], em[pos + 1]))
        for p, f in zip(pos[near].tolist(), first[near].tolist()):
            if MARKER.match("".join([pu.texts[i] for i in idx[f : p + 1].tolist()])):
                cut[p] = False
    frag = np.cumsum(np.r_[True, cut])
    return idx, group, frag


def _fragments(pu: PageUnits) -> list[np.ndarray]:
    """Unit indices of every line piece, each in left-to-right order."""
    n = len(pu)
    if n == 0:
        return []
    pending = np.arange(n)
    group = np.zeros(n, dtype=np.int64)
    done: list[np.ndarray] = []
    cy_all = pu.cy
    occupancy = (_Occupancy(pu, body_only=True), _Occupancy(pu, body_only=False))
    for round_no in range(_MAX_SPLIT_ROUNDS):
        idx, grp, frag = _split_rows_and_gaps(pu, pending, group, occupancy)
        starts = _starts(frag)
        ends = np.r_[starts[1:], len(idx)]
        cy = cy_all[idx]
        spread = np.maximum.reduceat(cy, starts) - np.minimum.reduceat(cy, starts)
        tall = spread > TALL_EM * np.maximum.reduceat(pu.em[idx], starts)
        # A tall piece that is still its whole group cannot be split further by the same rule.
        whole = (ends - starts) == np.bincount(grp)[grp[starts]]
        retry = tall & ~(whole & (round_no > 0)) & ((ends - starts) > 1)
        if round_no + 1 == _MAX_SPLIT_ROUNDS:
            retry[:] = False
        next_idx: list[np.ndarray] = []
        next_group: list[np.ndarray] = []
        for k, (s, e) in enumerate(zip(starts.tolist(), ends.tolist())):
            if retry[k]:
                next_idx.append(idx[s:e])
                next_group.append(np.full(e - s, len(next_group), dtype=np.int64))
            else:
                done.append(idx[s:e])
        if not next_idx:
            break
        pending, group = np.concatenate(next_idx), np.concatenate(next_group)
    return done


def _space_before(pu: PageUnits, order: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """For consecutive units a, b of ``order`` (``seg``: their line): does a space separate them?

    Gaps are measured beyond the line's own letter spacing (the median gap between its
    units): a justified newspaper line tracks every character a little apart, which must
    not read as spaces.
    """
    a, b = order[:-1], order[1:]
    gap = pu.x0[b] - pu.x1[a]
    same = seg[1:] == seg[:-1]
    tracking = np.zeros(len(gap))
    # OCR words have no letter spacing to measure: the gaps between words are the spaces.
    if same.any() and not pu.is_ocr:
        pair_seg = seg[1:][same]
        pair_gap = np.maximum(gap[same], 0.0)
        o = np.lexsort((pair_gap, pair_seg))
        sorted_seg, sorted_gap = pair_seg[o], pair_gap[o]
        starts = np.flatnonzero(np.r_[True, sorted_seg[1:] != sorted_seg[:-1]])
        counts = np.diff(np.r_[starts, len(sorted_seg)])
        medians = sorted_gap[starts + (counts - 1) // 2]
        medians[counts < 3] = 0.0  # too few gaps to know the line's spacing
        per_seg = np.zeros(int(seg.max()) + 1)
        per_seg[sorted_seg[starts]] = medians
        tracking = per_seg[seg[1:]]
    em = np.maximum(pu.em[a], pu.em[b])
    cjk_a = pu.cjk_last[a]
    cjk_b = pu.cjk_first[b]
    both = cjk_a & cjk_b
    one = cjk_a ^ cjk_b
    if pu.is_ocr:
        cjk_limit, mixed_limit = np.inf, OCR_SPACE_MIXED_EM
    else:
        cjk_limit, mixed_limit = SPACE_CJK_EM, SPACE_MIXED_EM
    limit = np.where(both, cjk_limit, np.where(one, mixed_limit, SPACE_LATIN_EM))
    # Never a space before closing punctuation or after an opening bracket ('3.3 %', '( 1').
    glued = np.isin(pu.first_cp[b], _NO_SPACE_BEFORE_CPS) | np.isin(pu.last_cp[a], _NO_SPACE_AFTER_CPS)
    space = (gap - tracking > limit * em) & ~glued
    if pu.is_ocr:
        for k in np.flatnonzero(space).tolist():
            if splits_a_decimal(pu.texts[int(a[k])], pu.texts[int(b[k])]):
                space[k] = False
    return space


def splits_a_decimal(left: str, right: str) -> bool:
    """Tesseract cut a decimal number at its point: '3773' + '.41', '3773.' + '41'.

    The decimal point is narrow and its gap wide, so OCR words end or start there (the
    jiangmen sample scan: '3773 .41亿元'). A digit-point-digit sequence is one number in these
    reports, so the pieces join with nothing between them.
    """
    if not left or not right:
        return False
    if left[-1].isdigit() and len(right) > 1 and right[0] == "." and right[1].isdigit():
        return True
    return len(left) > 1 and left[-1] == "." and left[-2].isdigit() and right[0].isdigit()


def _segment_medians(
    values: np.ndarray, seg: np.ndarray, starts: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Median (lower middle) of ``values`` within each segment, vectorised."""
    o = np.lexsort((values, seg))
    return values[o][starts + (counts - 1) // 2]


def _glue_offset_pieces(pu: PageUnits, pieces: list[np.ndarray]) -> list[np.ndarray]:
    """Join pieces of one line that the row clustering kept apart because their centres
    differ too much: a run in another font whose boxes sit lower or higher (digits or a
    Latin letter among Chinese, a superscript).

    A piece joins another if it overlaps it vertically with centres less than GLUE_MID_EM
    apart and either starts where the other ends (end to start) or, being short, falls
    inside the other's horizontal span (a letter set between two Chinese characters).
    Only unique partners join; lines of one column never meet these conditions.
    """
    n = len(pieces)
    if n < 2:
        return pieces
    order = np.concatenate(pieces)
    size = np.fromiter(map(len, pieces), dtype=np.int64, count=n)
    starts = np.r_[0, np.cumsum(size)[:-1]]
    seg = np.repeat(np.arange(n), size)
    x0 = np.minimum.reduceat(pu.x0[order], starts)
    x1 = np.maximum.reduceat(pu.x1[order], starts)
    top = np.minimum.reduceat(pu.top[order], starts)
    bottom = np.maximum.reduceat(pu.bottom[order], starts)
    mid = _segment_medians(pu.cy[order], seg, starts, size)
    em = _segment_medians(pu.em[order], seg, starts, size)
    height = bottom - top
    host, guest = _vertical_neighbours(mid, GLUE_MID_EM * em)
    if len(host) == 0:
        return pieces
    e = np.maximum(em[host], em[guest])
    dmid = np.abs(mid[host] - mid[guest])
    overlap = np.minimum(bottom[host], bottom[guest]) - np.maximum(top[host], top[guest])
    # Centres within the row tolerance were split on purpose (at a gutter): leave them.
    near = (
        (overlap > 0.25 * np.minimum(height[host], height[guest]))
        & (dmid < GLUE_MID_EM * e)
        & (dmid > ROW_TOL_EM * np.minimum(em[host], em[guest]))
    )
    after = (x0[guest] >= x1[host] - GLUE_OVERLAP_EM * e) & (x0[guest] <= x1[host] + GLUE_GAP_EM * e)
    inside = (
        (size[guest] <= GLUE_INSIDE_MAX_UNITS)
        & (size[host] > size[guest])
        & (x0[guest] >= x0[host] - GLUE_OVERLAP_EM * e)
        & (x1[guest] <= x1[host] + GLUE_OVERLAP_EM * e)
    )
    link = near & (after | inside)
    host, guest = host[link], guest[link]
    if len(host) == 0:
        return pieces
    hosts_per_guest = np.bincount(guest, minlength=n)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    unique = hosts_per_guest[guest] == 1
    for i, j in zip(host[unique].tolist(), guest[unique].tolist()):
        if _interleaves(pu, pieces[i], pieces[j]):
            continue
        parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    if len(groups) == n:
        return pieces
    out: list[np.ndarray] = []
    for members in groups.values():
        merged = np.concatenate([pieces[m] for m in members]) if len(members) > 1 else None
        if merged is None:
            out.append(pieces[members[0]])
            continue
        merged = merged[np.argsort(pu.x0[merged], kind="stable")]
        if _crowded(pu, merged):
            out.extend(pieces[m] for m in members)  # two lines would interleave: keep apart
        else:
            out.append(merged)
    return out


def _vertical_neighbours(mid: np.ndarray, radius: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All ordered pairs (i, j), i != j, whose centres are within ``radius`` of i or of j:
    a sort and a window per piece instead of an all-pairs matrix."""
    n = len(mid)
    o = np.argsort(mid, kind="stable")
    ms, rs = mid[o], radius[o]
    lo = np.searchsorted(ms, ms - rs, side="left")
    hi = np.searchsorted(ms, ms + rs, side="right")
    counts = hi - lo
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(n), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    a, b = o[rows], o[lo[rows] + offsets]
    keep = a != b
    a, b = a[keep], b[keep]
    pairs = np.unique(np.concatenate([a * n + b, b * n + a]))
    return pairs // n, pairs % n


def _interleaves(pu: PageUnits, host: np.ndarray, guest: np.ndarray) -> bool:
    """Whether a unit of ``host`` overlaps a unit of ``guest`` by more than a sliver (a
    guest's characters must fall into gaps of its host, or after its end)."""
    slack = GLUE_OVERLAP_EM * float(np.median(pu.em[guest]))
    overlap = np.minimum(pu.x1[host][:, None], pu.x1[guest][None, :]) - np.maximum(
        pu.x0[host][:, None], pu.x0[guest][None, :]
    )
    return bool(np.any(overlap > slack))


def _crowded(pu: PageUnits, ordered: np.ndarray) -> bool:
    """Units (left to right) overlapping each other over a large share of their width:
    characters of two lines mixed into one."""
    overlap = np.maximum(0.0, pu.x1[ordered[:-1]] - pu.x0[ordered[1:]])
    return float(overlap.sum()) > 0.3 * float(pu.x1[ordered].max() - pu.x0[ordered].min())


def build_lines(pu: PageUnits) -> list[Line]:
    """The page's line pieces with their text, per-character boxes and confidences."""
    pieces = _glue_offset_pieces(pu, _fragments(pu))
    if not pieces:
        return []
    order = np.concatenate(pieces)
    counts = np.fromiter((len(p) for p in pieces), dtype=np.int64, count=len(pieces))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    seg = np.repeat(np.arange(len(pieces)), counts)
    x0 = np.minimum.reduceat(pu.x0[order], starts).tolist()
    top = np.minimum.reduceat(pu.top[order], starts).tolist()
    x1 = np.maximum.reduceat(pu.x1[order], starts).tolist()
    bottom = np.maximum.reduceat(pu.bottom[order], starts).tolist()
    em = _segment_medians(pu.em[order], seg, starts, counts).tolist()
    mid = _segment_medians(pu.cy[order], seg, starts, counts).tolist()
    size = _segment_medians(pu.size[order], seg, starts, counts).tolist()
    bold = (np.add.reduceat(pu.bold[order].astype(np.float64), starts) / counts).tolist()
    space = np.zeros(len(order), dtype=bool)  # space[k]: a space goes before order[k]
    space[1:] = _space_before(pu, order, seg)
    space[starts] = False

    texts = pu.texts
    boxes_all = list(zip(pu.x0.tolist(), pu.top.tolist(), pu.x1.tolist(), pu.bottom.tolist()))
    conf_all = [None if math.isnan(c) else c for c in pu.conf.tolist()] if pu.is_ocr else None
    single = pu.single_chars
    order_l = order.tolist()
    space_at = np.flatnonzero(space).tolist()
    sp = 0
    lines: list[Line] = []
    for k, (s, c) in enumerate(zip(starts.tolist(), counts.tolist())):
        ids = order_l[s : s + c]
        # Spaces inside this piece, as offsets within it.
        inner: list[int] = []
        while sp < len(space_at) and space_at[sp] < s + c:
            inner.append(space_at[sp] - s)
            sp += 1
        if single and not inner:
            text = "".join([texts[i] for i in ids])
            boxes: list[BBox | None] = [boxes_all[i] for i in ids]
            confs: list[float | None] = [conf_all[i] for i in ids] if conf_all is not None else []
        else:
            text, boxes, confs = _assemble(ids, set(inner), texts, boxes_all, conf_all)
        lines.append(
            Line(
                pu.page_no,
                x0[k],
                top[k],
                x1[k],
                bottom[k],
                em[k],
                size[k],
                bold[k],
                text,
                boxes,
                confs,
                pu.is_ocr,
                mid[k],
            )
        )
    return lines


def _assemble(
    ids: list[int],
    space_before: set[int],
    texts: list[str],
    boxes_all: list[BBox],
    conf_all: list[float | None] | None,
) -> tuple[str, list[BBox | None], list[float | None]]:
    """Text, one box per character (None for inserted spaces) and confidences of one line."""
    parts: list[str] = []
    boxes: list[BBox | None] = []
    confs: list[float | None] = []
    for k, i in enumerate(ids):
        if k in space_before:
            parts.append(" ")
            boxes.append(None)
            if conf_all is not None:
                confs.append(None)
        t = texts[i]
        parts.append(t)
        if len(t) == 1:
            boxes.append(boxes_all[i])
        else:
            # An OCR word (or a ligature) of n characters: split its box evenly.
            bx0, btop, bx1, bbottom = boxes_all[i]
            w = (bx1 - bx0) / len(t)
            boxes.extend((bx0 + j * w, btop, bx0 + (j + 1) * w, bbottom) for j in range(len(t)))
        if conf_all is not None:
            confs.extend([conf_all[i]] * len(t))
    return "".join(parts), boxes, confs


def space_between(left: str, right: str, gap: float, em: float, ocr: bool) -> bool:
    """Whether a gap of ``gap`` between two pieces of one row is a space (same rules as inside lines)."""
    if right[0] in _NO_SPACE_BEFORE or left[-1] in _NO_SPACE_AFTER:
        return False
    if ocr and splits_a_decimal(left, right):
        return False
    cjk_a, cjk_b = is_cjk(left[-1]), is_cjk(right[0])
    if cjk_a and cjk_b:
        limit = np.inf if ocr else SPACE_CJK_EM
    elif cjk_a or cjk_b:
        limit = OCR_SPACE_MIXED_EM if ocr else SPACE_MIXED_EM
    else:
        limit = SPACE_LATIN_EM
    return gap > limit * em


def join_same_row(a: Line, b: Line) -> Line:
    """One line from two pieces of the same row, ``b`` to the right of ``a``."""
    em = max(a.em, b.em)
    sep = space_between(a.text, b.text, b.x0 - a.x1, em, a.ocr)
    text = a.text + (" " if sep else "") + b.text
    boxes = a.boxes + ([None] if sep else []) + b.boxes
    confs = a.confs + ([None] if sep and a.ocr else []) + b.confs
    n_a, n_b = len(a.text), len(b.text)
    main = a if n_a >= n_b else b
    return Line(
        page_no=a.page_no,
        x0=min(a.x0, b.x0),
        top=min(a.top, b.top),
        x1=max(a.x1, b.x1),
        bottom=max(a.bottom, b.bottom),
        em=main.em,
        size=main.size,
        bold=(a.bold * n_a + b.bold * n_b) / max(1, n_a + n_b),
        text=text,
        boxes=boxes,
        confs=confs,
        ocr=a.ocr,
        mid=main.mid,
    )
