"""Text blocks and their reading order: columns, bands and spanning headlines.

Lines are first stacked into blocks (consecutive lines of one column: same size, close
below each other, overlapping one block only), then the blocks are ordered by a recursive
XY-cut over their boxes. Blocks, not lines, are cut: a column of lines is one tall box, so
aligned baselines of neighbouring columns cannot fool the cut into reading across rows.

At every node the blocks are split into horizontal bands at vertical whitespace; adjacent
bands that share one column grid (a paragraph gap that happens to line up in every column)
are merged back. Several bands → read them top to bottom; one band → cut it into columns
at vertical whitespace and read them left to right. A node that neither cut separates is
ordered by precedence rules (above-in-the-same-column before left-to-right).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportflow.layout.lines import Line, join_same_row

BLOCK_GAP_EM = 1.2
"""A line joins the block above it only if the blank between them is at most this (× em)."""

SIZE_TOL = 0.1
"""Lines whose sizes differ by more than this fraction are never in one block."""

SAME_ROW_JOIN_EM = 3.0
"""Two pieces of one row within one column (split at a wide space) are rejoined up to this gap."""

ALIGN_EM = 2.5
"""A block continuing a column below a band starts within this (× body em) of the column's
left edge (room for a first-line indent)."""

HEADLINE_ALIGN_EM = 0.5
"""Headline type continues a column only if it starts this close to the column's edge."""

HEADLINE_RATIO = 1.1
"""Lines this much larger than the page's body text are headline type."""

ROW_PIECE_GAP_EM = 2.5
"""Whitespace narrower than this (× em) between one-line blocks of one row is a wide space
inside a line, not a gutter."""

GUTTER_MIN_EM = 0.5
"""Narrower whitespace between blocks is no column gutter (two pieces of a line that a wide
space split, set one above the other, can leave a sliver of whitespace)."""

_SPLIT_SLACK_EM = 0.05


@dataclass(slots=True)
class Block:
    """Consecutive lines of one column."""

    lines: list[Line] = field(default_factory=list)
    x0: float = float("inf")
    top: float = float("inf")
    x1: float = float("-inf")
    bottom: float = float("-inf")
    ctop: float = float("inf")
    """Vertical extent of the lines' cores (see ``Line.ctop``): what the cuts use."""
    cbottom: float = float("-inf")

    def add(self, line: Line) -> None:
        self.lines.append(line)
        self._grow(line)

    def replace_last(self, line: Line) -> None:
        self.lines[-1] = line
        self._grow(line)

    def _grow(self, line: Line) -> None:
        self.x0 = min(self.x0, line.x0)
        self.top = min(self.top, line.top)
        self.x1 = max(self.x1, line.x1)
        self.bottom = max(self.bottom, line.bottom)
        self.ctop = min(self.ctop, line.ctop)
        self.cbottom = max(self.cbottom, line.cbottom)

    @property
    def width(self) -> float:
        return self.x1 - self.x0


@dataclass(slots=True)
class PlacedBlock:
    """A block in reading order with the extent of the column it was read in."""

    block: Block
    col_x0: float
    col_x1: float
    col_lines: int = 1
    """Lines in the column the extent was measured on (1: the block's own single line)."""


def _x_overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _same_row(a: Line, b: Line) -> bool:
    return _x_overlap(a.ctop, a.cbottom, b.ctop, b.cbottom) > 0.5 * min(a.em, b.em)


def _similar_size(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) <= SIZE_TOL * max(a.size, b.size)


def _joins_block(block: Block, line: Line) -> bool:
    """Can ``line`` continue ``block`` as its next line?"""
    last = block.lines[-1]
    em = max(last.em, line.em)
    if not _similar_size(last, line):
        return False
    if line.mid <= last.cbottom or line.ctop - last.cbottom > BLOCK_GAP_EM * em:
        return False
    if len(block.lines) >= 2:
        # Wider than the established column (a spanning line below a column's end) → new block.
        if line.x1 > block.x1 + max(1.5 * em, 0.1 * block.width):
            return False
        if line.x0 < block.x0 - max(3.0 * em, 0.2 * block.width):
            return False
    return True


def _join_pieces(a: Line, b: Line) -> Line | None:
    """Two pieces of one row inside one column (cut at a wide space), as one line; None
    if they overlap or lie too far apart to be one line."""
    if not _similar_size(a, b):
        return None
    left, right = (a, b) if a.x0 <= b.x0 else (b, a)
    em = max(a.em, b.em)
    if right.x0 < left.x1 - 0.3 * em or right.x0 - left.x1 > SAME_ROW_JOIN_EM * em:
        return None
    return join_same_row(left, right)


def build_blocks(lines: list[Line]) -> list[Block]:
    """Stack the lines of one page into column blocks."""
    ordered = sorted(lines, key=lambda ln: (ln.ctop, ln.x0))
    blocks: list[Block] = []
    open_blocks: list[Block] = []
    for line in ordered:
        reach = BLOCK_GAP_EM * line.em
        open_blocks = [
            b for b in open_blocks if line.ctop - b.lines[-1].cbottom <= 3.0 * max(reach, b.lines[-1].em)
        ]
        touching = [b for b in open_blocks if _x_overlap(b.x0, b.x1, line.x0, line.x1) > 0]
        target: Block | None = None
        if len(touching) == 1:
            b = touching[0]
            last = b.lines[-1]
            if _same_row(last, line):
                joined = _join_pieces(last, line)
                if joined is not None:
                    b.replace_last(joined)
                    continue
            elif _joins_block(b, line):
                target = b
        if target is None:
            target = Block()
            blocks.append(target)
            open_blocks.append(target)
        target.add(line)
        # A block another line has been stacked under (in its x-range) is finished.
        open_blocks = [
            b
            for b in open_blocks
            if b is target
            or not (_x_overlap(b.x0, b.x1, line.x0, line.x1) > 0 and b.lines[-1].cbottom <= line.ctop)
        ]
    return blocks


def _cuts(blocks: list[Block], vertical: bool) -> list[list[Block]]:
    """Groups of blocks separated by whitespace running across the whole node.

    vertical=True: cut at x-gaps (columns, left to right); else at y-gaps (bands, top to bottom).
    """
    if vertical:
        keyed = sorted(blocks, key=lambda b: (b.x0, b.ctop))
        lo = [b.x0 for b in keyed]
        hi = [b.x1 for b in keyed]
    else:
        keyed = sorted(blocks, key=lambda b: (b.ctop, b.x0))
        lo = [b.ctop for b in keyed]
        hi = [b.cbottom for b in keyed]
    # A gutter is at least GUTTER_MIN_EM wide (of the smaller type beside it); bands may
    # touch (cores are one em tall, so adjacent lines of different blocks leave ~no gap).
    slack = GUTTER_MIN_EM if vertical else _SPLIT_SLACK_EM
    groups: list[list[Block]] = [[keyed[0]]]
    reach = hi[0]
    for b, start, end in zip(keyed[1:], lo[1:], hi[1:]):
        em = min(ln.em for ln in b.lines)
        if start > reach + slack * em:
            groups.append([b])
        else:
            groups[-1].append(b)
        reach = max(reach, end)
    return groups


def _columns(blocks: list[Block]) -> list[list[Block]]:
    """Column groups of a node, left to right: vertical whitespace cuts, except where the
    whitespace is only a wide space inside a line (a heading set with word spaces): two
    neighbouring groups of one-line blocks sharing a row, closer than a sure gutter, are
    one group."""
    groups = _cuts(blocks, vertical=True)
    if len(groups) < 2:
        return groups
    merged = [groups[0]]
    for group in groups[1:]:
        prev = merged[-1]
        gap = min(b.x0 for b in group) - max(b.x1 for b in prev)
        em = min(ln.em for b in prev + group for ln in b.lines)
        one_liners = all(len(b.lines) == 1 for b in prev + group)
        share_row = any(_same_row(a.lines[0], b.lines[0]) for a in prev for b in group)
        if one_liners and share_row and gap < ROW_PIECE_GAP_EM * em:
            merged[-1] = prev + group
        else:
            merged.append(group)
    return merged


def _fits_grid(band: list[Block], grid: list[list[Block]], tolerance: float) -> bool:
    """Every block of ``band`` lies in one column of ``grid`` and starts at that column's
    left edge (within ``tolerance``): the longer column of a region continuing below the
    shorter ones, not a short line centred over the region."""
    for b in band:
        host = [col for col in grid if _x_overlap(*_extent(col), b.x0, b.x1) > 0]
        if len(host) != 1:
            return False
        col_x0, _ = _extent(host[0])
        if abs(b.x0 - col_x0) > tolerance:
            return False
    return True


def _one_grid(
    blocks: list[Block], bands: list[list[Block]], body_size: float, region: tuple[float, float]
) -> bool:
    """The node is one column grid from top to bottom: whitespace runs its full height
    between columns, no band is headline type, and no band divides a column further
    (a band of four columns under a band of two sharing the middle gutter is two
    articles, read band by band). Then the bands are only lines and paragraphs set apart
    by spacing, and the columns are read one after the other."""
    columns = _columns(blocks)
    if len(columns) < 2:
        return False
    threshold = HEADLINE_RATIO * body_size
    for band in bands:
        if all(ln.size > threshold for b in band for ln in b.lines) and _centred_over(band, region):
            return False  # a headline over the whole region that happens to fit in a column
    for column in columns:
        inside = {id(b) for b in column}
        for band in bands:
            part = [b for b in band if id(b) in inside]
            sub = _columns(part) if len(part) > 1 else [part]
            if sum(1 for group in sub if sum(len(b.lines) for b in group) > 1) > 1:
                return False  # columns of running text side by side inside this column
    return True


def _group_bands(
    bands: list[list[Block]], body_size: float, region: tuple[float, float]
) -> list[list[Block]]:
    """The node's bands grouped into regions read one after the other.

    One column grid from top to bottom is one region. Otherwise a first or last band that
    stands apart (a running head, a headline, a footer) is peeled off when the rest is one
    grid; failing that, neighbouring bands are merged pairwise (``_merge_bands``).
    """

    def union(group: list[list[Block]]) -> list[Block]:
        return [b for band in group for b in band]

    if _one_grid(union(bands), bands, body_size, region):
        return [union(bands)]
    for head, tail in ((1, 0), (0, 1), (1, 1)):
        middle = bands[head : len(bands) - tail]
        if len(middle) > 1 and _one_grid(union(middle), middle, body_size, region):
            return bands[:head] + [union(middle)] + bands[len(bands) - tail :]
    return _merge_bands(bands, body_size, region)


def _centred_over(band: list[Block], region: tuple[float, float]) -> bool:
    """The band's text is centred on the region's width (a headline over all its columns)."""
    x0, x1 = _extent(band)
    r0, r1 = region
    em = max(ln.em for b in band for ln in b.lines)
    return abs((x0 + x1) - (r0 + r1)) / 2 <= em


def _merge_bands(
    bands: list[list[Block]], body_size: float, region: tuple[float, float]
) -> list[list[Block]]:
    """Re-join neighbouring bands that are parts of one column grid.

    Two bands with columns at the same places (a paragraph gap that lines up across the
    columns) are one region; so is a band whose blocks sit at the left edges of the
    columns of its neighbour (the longest column continuing below the others). Headline
    type (larger than the body) must sit exactly at a column edge to count as part of the
    column: a short headline centred over the region falls inside one column's width too,
    and it separates what is above from what is below.
    """

    def headline(band: list[Block]) -> bool:
        return all(ln.size > HEADLINE_RATIO * body_size for b in band for ln in b.lines)

    merged: list[list[Block]] = [bands[0]]
    members: list[list[list[Block]]] = [[bands[0]]]
    for band in bands[1:]:
        prev = merged[-1]
        if _one_grid(prev + band, [*members[-1], band], body_size, region):
            merged[-1] = prev + band
            members[-1].append(band)
            continue
        prev_cols = _columns(prev)
        band_cols = _columns(band)
        union_cols = _columns(prev + band)
        n = len(union_cols)
        same_grid = n >= 2 and n == len(prev_cols) == len(band_cols)
        continues = False
        if n >= 2:
            for part, other, other_cols in ((band, prev, prev_cols), (prev, band, band_cols)):
                if n == len(other_cols) and len(_columns(part)) < n:
                    if headline(part):
                        continues = not _centred_over(part, region) and _fits_grid(
                            part, other_cols, HEADLINE_ALIGN_EM * body_size
                        )
                    else:
                        continues = _fits_grid(part, other_cols, ALIGN_EM * body_size)
                    break
        if same_grid or continues:
            merged[-1] = prev + band
            members[-1].append(band)
        else:
            merged.append(band)
            members.append([band])
    return merged


def _precedence_order(blocks: list[Block]) -> list[Block]:
    """Order blocks that no whitespace cut separates (non-Manhattan layouts).

    a before b if a is above b and they share x-range, or a is left of b and they share
    y-range; ties and cycles resolve by (top, x0).
    """
    n = len(blocks)
    before = [[False] * n for _ in range(n)]
    for i, a in enumerate(blocks):
        for j, b in enumerate(blocks):
            if i == j:
                continue
            if _x_overlap(a.x0, a.x1, b.x0, b.x1) > 0:
                before[i][j] = (a.ctop + a.cbottom) < (b.ctop + b.cbottom)
            elif _x_overlap(a.ctop, a.cbottom, b.ctop, b.cbottom) > 0:
                before[i][j] = a.x1 <= b.x0
    remaining = set(range(n))
    out: list[Block] = []
    while remaining:
        free = [i for i in remaining if not any(before[j][i] for j in remaining if j != i)]
        pool = free or list(remaining)
        pick = min(pool, key=lambda i: (blocks[i].ctop, blocks[i].x0))
        out.append(blocks[pick])
        remaining.remove(pick)
    return out


def _extent(blocks: list[Block]) -> tuple[float, float]:
    return min(b.x0 for b in blocks), max(b.x1 for b in blocks)


Column = tuple[float, float, int]
"""x0, x1 and line count of the column a node is read in."""


def _column(blocks: list[Block]) -> Column:
    x0, x1 = _extent(blocks)
    return x0, x1, sum(len(b.lines) for b in blocks)


def _order(blocks: list[Block], col: Column, body_size: float, out: list[PlacedBlock]) -> None:
    if len(blocks) == 1:
        out.append(PlacedBlock(blocks[0], *col))
        return
    bands = _cuts(blocks, vertical=False)
    region = _extent(blocks)
    if len(bands) > 1:
        bands = _group_bands(bands, body_size, region)
    if len(bands) > 1:
        for band in bands:
            _order(band, col, body_size, out)
        return
    columns = _columns(blocks)
    if len(columns) > 1:
        pieces_of_a_row = all(len(c) == 1 and len(c[0].lines) == 1 for c in columns) and all(
            _same_row(columns[0][0].lines[0], c[0].lines[0]) for c in columns[1:]
        )
        for column in columns:
            # Pieces of one row cut at wide spaces are no columns: they keep the parent's extent.
            _order(column, col if pieces_of_a_row else _column(column), body_size, out)
        return
    for b in _precedence_order(blocks):
        out.append(PlacedBlock(b, *col))


def reading_order(blocks: list[Block]) -> list[PlacedBlock]:
    """The page's blocks in reading order, each with its column's horizontal extent."""
    if not blocks:
        return []
    sizes = sorted((ln.size, len(ln.text)) for b in blocks for ln in b.lines)
    half = sum(w for _, w in sizes) / 2.0
    acc = 0.0
    body_size = sizes[-1][0]
    for size, w in sizes:  # character-weighted median: the body text's size
        acc += w
        if acc >= half:
            body_size = size
            break
    out: list[PlacedBlock] = []
    _order(blocks, _column(blocks), body_size, out)
    return out
