"""Paragraphs from lines in reading order: where paragraphs end, how lines join, what kind.

A paragraph ends where it really ends: a line stopping short of its column's edge after
sentence-final punctuation, a new bullet or number, an indent, a change of font size, a
wider blank than the text's leading. At the foot of a column or page a paragraph whose last
line runs to the edge without final punctuation continues at the head of the next column.
Wrapped lines join with nothing between Chinese characters, and with one space between
Latin words or numbers only where the break fell between words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from reportflow.layout.lines import Line, join_same_row, space_between
from reportflow.models import BBox, Paragraph, ParagraphKind
from reportflow.normalize import is_cjk

SHORT_EM = 1.0
"""A line ending more than this (× em) before its column's right edge stops short."""

FAR_SHORT_EM = 4.0
FAR_SHORT_FRACTION = 0.3
"""A line short by more than max(FAR_SHORT_EM em, FAR_SHORT_FRACTION of the column) ends its
paragraph even without punctuation (titles, headings, sign-offs)."""

INDENT_MIN_EM = 0.8
INDENT_MAX_EM = 4.5
"""A first-line indent is this far (× em) from the column's left edge; further in is centring."""

HANGING_MAX_EM = 2.5
"""Continuation lines of a list item align with the item's text, up to this far (× em)
right of its marker."""

PARAGRAPH_GAP_EM = 0.6
"""A blank this much (× em) wider than the usual leading separates paragraphs."""

HEADING_SIZE_RATIO = 1.1
"""Text this much larger than the body size is a heading (or a headline)."""

SAME_ROW_GAP_EM = 3.0
"""Pieces of one row this close are one line (a headline split at its word spaces)."""

_FINAL = set("。！？；：!?;:…")
_CLOSING = set("”’」』）)》〉]】")
_NO_LINE_START = set("，。、；：！？）》」』”’…,.;:!?%")
NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]"
    r"|[（(][一二三四五六七八九十]{1,3}[）)]"
    r"|[（(]\d{1,2}[）)]"
    r"|\d{1,2}[.．、](?!\d)"
    r"|\d{1,2}[)）]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十]{1,3}[，,、])"
)
_ITEM_NUMBERING = re.compile(r"^(?:[（(]\d{1,2}[）)]|\d{1,2}[.．、)）](?!\d)|[①-⑳])")
_BULLET_PREFIX = re.compile(r"^\s*([●•▪■◆]|[·\-–](?!\d))\s*")
_SENTENCE_PUNCT = re.compile(r"[。；！？!?;]")
_LETTER = re.compile(r"[A-Za-z\u3400-\u9fff]")
_FIGURE = re.compile(r"^[+\-]?\d[\d.,:：]*\s?(?:%|‰|[^\s\d]{1,3})?$")
"""A number alone with at most a short unit: '4%', '3773.41亿元', '7089人'."""


@dataclass(slots=True)
class PlacedLine:
    """A line in reading order, with the column it was read in."""

    line: Line
    col_x0: float
    col_x1: float
    block: int
    """Document-wide id of the line's block (consecutive lines of one column)."""
    block_lines: int = 1
    """How many lines the block has."""
    index_in_block: int = 0
    col_lines: int = 1
    """How many lines the column whose extent is (col_x0, col_x1) has."""
    note: bool = False
    """A footnote (moved after the page's body text)."""


@dataclass(slots=True)
class DocumentStyle:
    """What a document's text looks like, measured once over all its lines."""

    body_size: float
    leading_gap_em: float
    """Usual blank between consecutive lines of a block, in em."""
    indents_paragraphs: bool
    """Whether new paragraphs start with a first-line indent."""
    body_bold: float
    """Share of bold characters in body-size lines."""


def _weighted_median(values: list[float], weights: list[int]) -> float:
    if not values:
        return 0.0
    order = np.argsort(values)
    v = np.asarray(values)[order]
    w = np.cumsum(np.asarray(weights, dtype=np.float64)[order])
    return float(v[np.searchsorted(w, w[-1] / 2.0)])


def ends_final(text: str) -> bool:
    """Ends with sentence-final punctuation (possibly followed by a closing quote or bracket)."""
    t = text.rstrip()
    while t and t[-1] in _CLOSING:
        if len(t) >= 2 and t[-2] in _FINAL:
            return True
        t = t[:-1]
    return bool(t) and t[-1] in _FINAL


def starts_bullet(text: str) -> bool:
    """Starts with a bullet glyph ('-', '–' and '·' only when no digit follows: '-3%', '·02')."""
    return bool(_BULLET_PREFIX.match(text))


def starts_numbering(text: str) -> bool:
    return bool(NUMBERING.match(text.lstrip()))


def _is_short(pl: PlacedLine, em_count: float = SHORT_EM) -> bool:
    return pl.line.x1 < pl.col_x1 - em_count * pl.line.em


def _is_far_short(pl: PlacedLine) -> bool:
    col = pl.col_x1 - pl.col_x0
    return pl.col_x1 - pl.line.x1 > max(FAR_SHORT_EM * pl.line.em, FAR_SHORT_FRACTION * col)


def _indent(pl: PlacedLine) -> float:
    """First-line indent in em (0 when the line starts at its column's edge)."""
    return (pl.line.x0 - pl.col_x0) / pl.line.em


def _is_indented(pl: PlacedLine) -> bool:
    return INDENT_MIN_EM <= _indent(pl) <= INDENT_MAX_EM


def _same_row(a: Line, b: Line) -> bool:
    return min(a.cbottom, b.cbottom) - max(a.ctop, b.ctop) > 0.5 * min(a.em, b.em)


def _similar_size(a: Line, b: Line) -> bool:
    return abs(a.size - b.size) <= 0.1 * max(a.size, b.size)


def _big(line: Line, style: DocumentStyle) -> bool:
    return line.size >= HEADING_SIZE_RATIO * style.body_size


def _is_figure_under_label(a: Line, b: Line) -> bool:
    """A data panel: a short label with its figure printed large right under it
    ('地区生产总值同比增长' / '4%'): one statement, so one paragraph."""
    return (
        b.size > a.size * (1.0 + 0.1)
        and bool(_FIGURE.match(b.text))
        and not _FIGURE.match(a.text)
        and not ends_final(a.text)
        and abs(b.x0 - a.x0) <= 1.0 * a.em
        and b.ctop - a.cbottom <= 1.5 * a.em
    )


def measure_style(placed: list[PlacedLine]) -> DocumentStyle:
    """Body size, usual leading, indent habit and boldness of a document."""
    sizes = [pl.line.size for pl in placed]
    weights = [len(pl.line.text) for pl in placed]
    body = _weighted_median(sizes, weights)
    gaps: list[float] = []
    starts = 0
    indented = 0
    for p, n in pairwise(placed):
        if p.block != n.block:
            continue
        gaps.append((n.line.ctop - p.line.cbottom) / max(p.line.em, n.line.em))
        if (
            ends_final(p.line.text)
            and _is_short(p)
            and not starts_bullet(n.line.text)
            and not starts_numbering(n.line.text)
        ):
            starts += 1
            indented += _is_indented(n)
    body_lines = [pl.line for pl in placed if abs(pl.line.size - body) <= 0.1 * body]
    bold_chars = sum(ln.bold * len(ln.text) for ln in body_lines)
    all_chars = sum(len(ln.text) for ln in body_lines)
    return DocumentStyle(
        body_size=body,
        leading_gap_em=float(np.median(gaps)) if gaps else 0.3,
        indents_paragraphs=starts >= 3 and indented >= 0.6 * starts,
        body_bold=bold_chars / all_chars if all_chars else 0.0,
    )


def marker_style(text: str) -> str | None:
    """The kind of list marker a line starts with ('1.' and '2.' share one, '（一）' another)."""
    m = _BULLET_PREFIX.match(text)
    if m:
        return "bullet" + m.group(1)
    m = NUMBERING.match(text.lstrip())
    if not m:
        return None
    marker = m.group(0)
    return re.sub(r"\d+", "9", re.sub(r"[一二三四五六七八九十]+", "十", re.sub(r"[①-⑳]", "①", marker)))


def _same_marker_style(head: str, text: str) -> bool:
    style = marker_style(head)
    return style is not None and style == marker_style(text)


def _starts_item(line: Line) -> bool:
    return bool(_BULLET_PREFIX.match(line.text) or NUMBERING.match(line.text))


def _hanging_continuation(n: PlacedLine, paragraph: list[PlacedLine]) -> bool:
    """n is indented like the continuation lines of the list item ``paragraph`` is."""
    if not _starts_item(paragraph[0].line):
        return False
    indent = n.line.x0 - n.col_x0
    if len(paragraph) >= 2:
        second = paragraph[1]
        return abs(indent - (second.line.x0 - second.col_x0)) <= 0.5 * n.line.em
    return 0 < indent <= HANGING_MAX_EM * n.line.em


def _opens_paragraph(n: PlacedLine, p: PlacedLine, paragraph: list[PlacedLine]) -> bool:
    """Does line n visibly start something new after line p (marker, indent, size)?"""
    if starts_bullet(n.line.text) or starts_numbering(n.line.text):
        return True
    if not _similar_size(p.line, n.line):
        return True
    return _is_indented(n) and not _hanging_continuation(n, paragraph)


def _continues_across(
    p: PlacedLine, n: PlacedLine, paragraph: list[PlacedLine], style: DocumentStyle
) -> bool:
    """p ends one column (or page) and n heads the next: is n the rest of p's paragraph?"""
    if _opens_paragraph(n, p, paragraph):
        return False
    if p.col_lines <= 1 or p.note or n.note:
        return False  # a lone line is its own column: nothing says it runs on; notes never do
    if _indent(p) > INDENT_MAX_EM:
        return False  # centred or set right ('（下转第二版）'): no running text
    if n.line.text[:1] in _NO_LINE_START:
        return True
    if _is_indented(n) and _hanging_continuation(n, paragraph):
        return True  # under a list item's hang: the item goes on, whatever p ended with
    if ends_final(p.line.text):
        # A full last line that ends a sentence continues only where paragraphs are marked
        # by indents (and n has none).
        return style.indents_paragraphs and not _is_short(p) and not _is_indented(n)
    return not _is_far_short(p)


def breaks_between(p: PlacedLine, n: PlacedLine, style: DocumentStyle, paragraph: list[PlacedLine]) -> bool:
    """Does a new paragraph start at line n, which follows line p in reading order?
    ``paragraph`` is the lines of p's paragraph so far (p last)."""
    a, b = p.line, n.line
    if _pieces_of_one_row(p, n):
        return not _similar_size(a, b)
    below_in_column = (
        a.page_no == b.page_no
        and b.ctop >= a.cbottom - 0.3 * a.em
        and min(a.x1, b.x1) - max(a.x0, b.x0) > 0
        and (p.block == n.block or (p.col_x0, p.col_x1) == (n.col_x0, n.col_x1))
    )
    if not below_in_column:
        return not _continues_across(p, n, paragraph, style)

    if b.text[:1] in _NO_LINE_START:
        return False
    if _is_figure_under_label(a, b):
        return False
    if _FIGURE.match(a.text) and _FIGURE.match(b.text):
        return True  # figures stacked alone on their lines are table cells, not prose
    if not _similar_size(a, b):
        return True
    if starts_bullet(b.text):
        return True
    final = ends_final(a.text)
    short = _is_short(p)
    if starts_numbering(b.text) and (final or short or _same_marker_style(paragraph[0].line.text, b.text)):
        return True  # a number after a sentence end, a short line, or the previous item
    if final and short:
        return True
    gap = (b.ctop - a.cbottom) / max(a.em, b.em)
    if gap > style.leading_gap_em + PARAGRAPH_GAP_EM:
        return True
    # Two lines of one big headline (often centred, so neither reaches the edge).
    if _big(a, style) and _big(b, style) and not final:
        return False
    if _is_far_short(p):
        return True
    if _is_indented(n) and (final or b.x0 > a.x0 + 0.5 * b.em) and not _hanging_continuation(n, paragraph):
        return True
    # A bold lead line stopping short, then plain text: a heading set on its own line.
    return a.bold >= 0.7 and b.bold <= 0.3 and short


def _pieces_of_one_row(p: PlacedLine, n: PlacedLine) -> bool:
    """p and n are pieces of one visual line that a wide space cut apart (a spaced-out
    headline, a table row): single-line blocks side by side, close together."""
    a, b = p.line, n.line
    return (
        p.block != n.block
        and p.block_lines == 1
        and n.index_in_block == 0
        and a.page_no == b.page_no
        and _same_row(a, b)
        and a.x1 - 0.5 * a.em <= b.x0 <= a.x1 + SAME_ROW_GAP_EM * max(a.em, b.em)
    )


def _line_separator(p: PlacedLine, n: PlacedLine) -> str:
    """What goes between two wrapped lines of one paragraph."""
    a, b = p.line, n.line
    if _pieces_of_one_row(p, n):
        return " " if space_between(a.text, b.text, b.x0 - a.x1, max(a.em, b.em), a.ocr) else ""
    left, right = a.text[-1], b.text[0]
    if is_cjk(left) or is_cjk(right) or left in "-‐":
        return ""
    if (left.isdigit() or left == ".") and (right.isdigit() or right in ".%"):
        # A number broken across lines of running text keeps its digits together; a line
        # that is nothing but a figure (a table cell) ends its number.
        return " " if _FIGURE.match(a.text) else ""
    if left in "([{/" or right in ")]}/,.;:!?%":
        return ""
    if _is_short(p, 0.5):
        return " "  # a word-wrapped line stops before the edge
    # A line filled to the edge whose last Latin run is glued to Chinese was wrapped
    # character by character: the break fell inside a word.
    i = len(a.text)
    while i > 0 and a.text[i - 1] != " " and not is_cjk(a.text[i - 1]):
        i -= 1
    return "" if i > 0 and is_cjk(a.text[i - 1]) else " "


_SECTION_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]{1,3}[、.．]|[（(][一二三四五六七八九十]{1,3}[）)]|第[一二三四五六七八九十百\d]{1,3}[章节部篇]"
    r"|\d{1,2}(?:\.\d{1,2}){1,3}\s)"
)
"""Section numbers: '一、', '（一）', '第一章', '1.2 ' (a multi-level number and a space)."""


def _centred(lines: list[PlacedLine]) -> bool:
    """One line set in the middle of its column (both margins wide and about equal)."""
    if len(lines) != 1:
        return False
    pl = lines[0]
    left, right = pl.line.x0 - pl.col_x0, pl.col_x1 - pl.line.x1
    em = pl.line.em
    return left > 2 * em and right > 2 * em and abs(left - right) < 2 * em


def classify(text: str, lines: list[PlacedLine], style: DocumentStyle) -> ParagraphKind:
    """heading, item or body, from the type size, weight, markers and placement.

    * heading: larger than the body (not a bare figure); or all bold in a document whose
      body is not; or a short line without sentence punctuation that is numbered as a
      section ('一、', '（一）', '第一章') or, if numbered '1.' or bulleted, set larger or
      bold; or a short line centred in its column;
    * item: a bulleted or '1.'/'(1)'/'①'-numbered paragraph that is no heading, or a
      data-panel entry (a label with its figure set large under it);
    * body: everything else.
    """
    weights = [len(pl.line.text) for pl in lines]
    size = _weighted_median([pl.line.size for pl in lines], weights)
    bold = sum(pl.line.bold * w for pl, w in zip(lines, weights)) / max(1, sum(weights))
    big = size >= HEADING_SIZE_RATIO * style.body_size
    heavy = bold >= 0.8 and style.body_bold < 0.5
    letters = len(_LETTER.findall(text))
    # A sentence ends or runs on inside; a closing colon is fine ('主要预期目标：' heads a list).
    sentence = bool(_SENTENCE_PUNCT.search(text[:-1])) or (
        ends_final(text) and text.rstrip()[-1:] not in "：:"
    )
    short = len(text) <= 40 and not sentence
    bulleted = bool(_BULLET_PREFIX.match(text))
    numbered = bool(_ITEM_NUMBERING.match(text))
    if any(_is_figure_under_label(a.line, b.line) for a, b in pairwise(lines)):
        return "item"
    if letters >= 2:
        if big and (short or len(text) <= 120 and not sentence and not (bulleted or numbered)):
            return "heading"
        if heavy and short:
            return "heading"
        if short and _SECTION_NUMBERING.match(text):
            return "heading"
        if short and not (bulleted or numbered) and _centred(lines):
            return "heading"
    if bulleted or numbered:
        return "item"
    return "body"


_AFTER_CLOSING_QUOTE = set("，。、；：！？）》」』…—,.;:!?)")
_BEFORE_OPENING_QUOTE = set("，。、；：！？（《「『—:(")
MAX_QUOTED_CHARS = 30
"""A quoted span in these reports is a term or a slogan: at most 24 characters on the
benchmark truths (63 spans), none with a sentence end inside."""
_SENTENCE_END = set("。；！？;!?")


def _could_be_quoted(span: str) -> bool:
    return len(span) <= MAX_QUOTED_CHARS and not any(c in _SENTENCE_END for c in span)


def _quote_follows_within_a_quotation(chars: list[str], start: int) -> bool:
    """Whether a quote mark follows ``start`` after a span that could be a quotation (only
    ``MAX_QUOTED_CHARS`` ahead are looked at: a later one could not close it)."""
    for j in range(start, min(len(chars), start + MAX_QUOTED_CHARS + 1)):
        if chars[j] in "\"'“”":
            return _could_be_quoted("".join(chars[start:j]))
    return False


def curl_ocr_quotes(text: str, from_ocr: list[bool]) -> str:
    """Tesseract's straight quotes in Chinese text → “ or ” (one for one: the character
    boxes stay aligned).

    chi_sim reads most “ and ” as '"' (91 on the ten 300 dpi benchmark scans) and some as
    "'" (12), and Chinese text uses the curly pair (GB/T 15834; none of the benchmark's truths
    has a straight quote next to a Chinese character). Only quotes the OCR produced
    (``from_ocr``) next to a Chinese character change; a text layer is never touched. A
    quote before a punctuation mark or at the end closes, one at the start or after a
    punctuation mark opens. Between two Chinese characters it closes the quote opened last
    if the span since could be a quotation (a term or slogan: ``MAX_QUOTED_CHARS``, no
    sentence end); else it opens one if a quote follows within such a span; else it closes a
    quotation whose opening mark the OCR lost (`实施十四五"规划`). Alternating blindly made one
    lost mark flip every quote after it in the paragraph.
    (A nested ‘…’ read as "'" becomes “…” too: punctuation, never a digit.)
    """
    if '"' not in text and "'" not in text:
        return text
    chars = list(text)
    opened_at: int | None = None
    for i, char in enumerate(chars):
        if char == "“":
            opened_at = i
        elif char == "”":
            opened_at = None
        elif char in "\"'" and from_ocr[i]:
            before = chars[i - 1] if i else ""
            after = chars[i + 1] if i + 1 < len(chars) else ""
            if not (is_cjk(before) or is_cjk(after)):
                continue  # Latin text (5" wide): not a Chinese quote
            if not after or after in _AFTER_CLOSING_QUOTE:
                closing = True
            elif not before or before in _BEFORE_OPENING_QUOTE:
                closing = False
            elif opened_at is not None and _could_be_quoted(text[opened_at + 1 : i]):
                closing = True
            else:
                closing = not _quote_follows_within_a_quotation(chars, i + 1)
            chars[i] = "”" if closing else "“"
            opened_at = None if closing else i
    return "".join(chars)


def build_paragraph(lines: list[PlacedLine], seq: int, style: DocumentStyle) -> Paragraph:
    """One Paragraph from the lines that make it up (already in order)."""
    parts: list[str] = []
    boxes: list[BBox | None] = []
    confs: list[float | None] = []
    pages: list[int] = []
    ocr = any(pl.line.ocr for pl in lines)
    for k, pl in enumerate(lines):
        if k:
            sep = _line_separator(lines[k - 1], pl)
            if sep:
                parts.append(sep)
                boxes.append(None)
                pages.append(lines[k - 1].line.page_no)
                if ocr:
                    confs.append(None)
        parts.append(pl.line.text)
        boxes.extend(pl.line.boxes)
        pages.extend([pl.line.page_no] * len(pl.line.text))
        if ocr:
            confs.extend(pl.line.confs if pl.line.confs else [None] * len(pl.line.text))
    text = "".join(parts)
    if ocr:
        text = curl_ocr_quotes(text, [conf is not None for conf in confs])
    kind = classify(text, lines, style)
    m = _BULLET_PREFIX.match(text)
    if kind == "item" and m and len(text) > m.end():
        # The glyph is layout, not content: items carry the kind instead. (A bulleted
        # heading keeps its glyph, as printed.)
        cut = m.end()
        text, boxes, pages = text[cut:], boxes[cut:], pages[cut:]
        if ocr:
            confs = confs[cut:]
    first_page = lines[0].line.page_no
    on_first = [pl.line for pl in lines if pl.line.page_no == first_page]
    bbox = (
        min(ln.x0 for ln in on_first),
        min(ln.top for ln in on_first),
        max(ln.x1 for ln in on_first),
        max(ln.bottom for ln in on_first),
    )
    return Paragraph(
        seq=seq,
        page_no=first_page,
        kind=kind,
        text=text,
        bbox=bbox,
        char_boxes=boxes,
        char_conf=confs if ocr else [],
        # Per-character pages only when the paragraph runs on to another page.
        char_pages=pages if any(page != first_page for page in pages) else [],
    )


def merge_row_pieces(placed: list[PlacedLine]) -> list[PlacedLine]:
    """Rejoin consecutive pieces of one visual line (a letter-spaced label, a headline cut
    at its word spaces, a table row) into one line spanning their columns, so that the
    next line is judged against the whole row."""
    out: list[PlacedLine] = []
    for pl in placed:
        if out and _pieces_of_one_row(out[-1], pl) and _similar_size(out[-1].line, pl.line):
            prev = out[-1]
            out[-1] = PlacedLine(
                join_same_row(prev.line, pl.line),
                min(prev.col_x0, pl.col_x0),
                max(prev.col_x1, pl.col_x1),
                pl.block,
                pl.block_lines,
                pl.index_in_block,
                max(prev.col_lines, pl.col_lines),
                pl.note,
            )
        else:
            out.append(pl)
    return out


def paragraphs_from_lines(placed: list[PlacedLine]) -> list[Paragraph]:
    """Segment lines in reading order into paragraphs."""
    placed = merge_row_pieces(placed)
    if not placed:
        return []
    style = measure_style(placed)
    groups: list[list[PlacedLine]] = [[placed[0]]]
    for p, n in pairwise(placed):
        if breaks_between(p, n, style, groups[-1]):
            groups.append([n])
        else:
            groups[-1].append(n)
    return [build_paragraph(g, seq, style) for seq, g in enumerate(groups)]
