"""Layout repair for ``.txt`` input: column-broken text → reading-order paragraphs.

A ``.txt`` file has no coordinates, so everything here is inferred from the text itself.
Two kinds of input come in: clean text with one paragraph per line (markdown ``**bold**`` and
"- " bullets allowed), and text pulled from a multi-column page without layout repair, where
every line is cut at the column width, blank lines fall in mid-sentence at column breaks and
stray spaces split numbers. The decisions, in order:

Normalisation
    ``reportflow.normalize.normalize_text`` (full-width digits/Latin, Kangxi radicals, CJK radical
    supplement …), then markdown emphasis markers ``**`` are removed. Spaces are fixed per
    paragraph *after* joining (``remove_spurious_spaces``): any whitespace next to a CJK character
    or CJK punctuation goes ("增长 3.1%" → "增长3.1%", "超 60 亿元" → "超60亿元"); a space between a
    digit and ``.``/``%``/``‰`` goes; digit groups are merged only in the thousands-separator shape
    ``1 234 567`` (``2022 2023`` stays: merging would invent a number); spaces between Latin words
    are kept (collapsed to one); the single space that separates a leading list number from its
    title ("1. 构筑…", "一 抢抓…") is kept.

Wrap width (``infer_wrap_profile``)
    Line length is measured two ways: display width (CJK and East-Asian ambiguous characters
    such as “ ” count 2, ASCII 1: how a newspaper column is filled) and plain character count
    (how a program that re-wraps text cuts it). For each measure the wrap width ``W`` is the
    most common length inside the window ``[c - tol, c + tol]`` (``tol`` = 10 % of the width, at
    least 1) that holds the most non-blank lines. Lines shorter than 8 characters (page numbers,
    formula pieces) are left out of the shares below. The text is wrapped when ``W`` ≥ 8
    characters, at least 6 lines sit in the window, and either 40 % of the lines do, or 20 % do
    and at most 2 % are longer than a full line (a hard ceiling: a text of short items wrapped
    at a wide measure). Clean texts have long lines of every length: kaiping and xinhui have
    24 % and 19 % of their lines at their best window and 73 % and 45 % longer; jiangmen has
    95 % at 36 cells. Of the two measures the one with the sharper peak wins (share in the
    window plus half the share at exactly ``W``): characters for a program's re-wrap, display
    cells for a typeset column, where digits and punctuation make the character count vary.
    A page that mixed column widths gets further widths, searched among the lines left over:
    each must hold 10 % of the lines, and its lines must come in runs and have no longer line
    next to them (the short last lines of paragraphs are scattered, each after a full line).
    Each line is then measured against the width that most of its four neighbours on either
    side reach (``LineGeometry``). A line *reaches the edge* ("is full") when
    ``W - tol ≤ len ≤ W + 2·tol``; longer lines are paragraphs that were never wrapped. A
    paragraph's first line may fall short by the first-line indent, inferred from the data (the
    most common shortfall of lines that follow a paragraph end; 0 unless it is 1 to 3
    characters — jiangmen: 2 characters); lines that start with a list number get no allowance.

Line breaks in wrapped text (``_decide_join``), for a line ``a`` followed by line ``b``:
    1. ``b`` starts with a list marker ((一), 一、, "一 ", 1., 1、, (1), ①, ●, "- ") → paragraph end;
       except "一、" after a full line that stops mid-word (no punctuation): there it is the end
       of a wrapped word ("…统\\n一、规范…").
    2. ``b`` starts with a character that Chinese typesetting never puts at the start of a line
       (，。、；：？！）》” % …) → join.
    3. ``b`` starts with a dash "——" and ``a`` has no final punctuation → join (a title and its
       dash subtitle, "政府工作报告\\n——2023年2月16日在…").
    4. ``a`` ends a sentence (。！？… with closing quotes): no blank line and ``a`` full → join
       (the paragraph goes on; a paragraph end at a full line cannot be seen without an indent);
       ``b`` indented by 2+ spaces, ``a`` short, or a blank line between → paragraph end.
    5. ``a`` ends with clause punctuation (，、；：— ( “) → join: the sentence is unfinished.
    6. ``a`` is full (and has no final punctuation) → join: a wrap, or, across blank lines, a
       column break. Across blank lines the join needs ``b`` to look like the same column: ``b``
       full, or ``b`` the last line of a paragraph (its block ends, the next line is a new list
       entry, or ``b`` ends a sentence). A short line followed by a long unwrapped line is a
       different part of the page ("…能力，" then "各位代表：" then "现在，我代表…"), not the
       continuation.
    7. ``a`` is short without punctuation (heading-like): across a blank line → paragraph end.
       Without a blank line it joins ``b`` only as a heading wrapped at a narrower measure:
       ``W`` ≥ ``a`` ≥ 60 % of ``W``, ``b`` not longer than ``a`` (+tol), ``b`` not full and
       ``b`` followed by a break — "（一）主动融入双区和支持三大\\n平台建设，释放发展潜力和优势".
    Joining inserts nothing between CJK characters and one space only between two Latin
    letters ("RCEP\\ntrade" → "RCEP trade"; digits are glued: a number cut by the wrap).

Unwrapped text (no wrap width found): every non-blank line is a paragraph, as written. Only a
line that is a bare list number ("6.", "（六）") is prefixed to the next line.

Displaced lines: where extraction moved lines to another place (jiangmen: the address "各位代表：
…", the byline "◇江门市市长 吴晓晖" and the part titles "一、2022年工作回顾", "二、2023年工作安排"
printed after the last column), the true place cannot be recovered from the text alone. They
stay where they are, as their own paragraphs (headings where heading-like); nothing is moved
or invented.

Section numbers at the wrong end: a heading-like paragraph that ends with an Arabic list number
("…人民生活更有质感6.", "…质感 6、") gets the number moved to the front ("6.人民生活更有质感"),
unless the character before it takes a number (第, 增长, 达, 超 …): then the number belongs to
the text. Chinese numbers at the end are not moved ("统一、" is a word, "（二）" may be a part
number of the title). A bare number line ("6.") is prefixed to the next line.

Kinds:
    * item: a line with a bullet glyph (●, •, ▪, ■, ◆, "- ", "· ", "– "); the glyph is removed.
      An Arabic-numbered line next to its numbered sibling (1. then 2., or 5. after 4.) is an
      item too (a numbered list); the number stays in the text.
    * heading: heading-like text — at most 50 characters, not ending with punctuation of a
      sentence or clause (。！？；：，、… and ASCII ones) and with no 。 inside: titles, section
      titles ("一、2022年工作回顾", "（一）主动融入…优势", "1. 构筑外联内畅交通格局"), bylines.
    * body: everything else, including "（一）科学精准…。我们坚持…" (a section number leading a
      paragraph).
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from reportflow.models import Paragraph, ParagraphKind
from reportflow.normalize import is_cjk, normalize_text

logger = logging.getLogger(__name__)

Measure = Literal["display", "chars"]

# ---------------------------------------------------------------------------------------------
# Character classes

SENTENCE_FINAL = "。！？!?…"
"""A paragraph may end after these (ASCII '.' is not here: it is a decimal point in '3.1')."""
CLAUSE_PUNCT = "，、；：,;:—-（(“‘《〈「『【"
"""A line ending with these is an unfinished sentence."""
CLOSING = "”’」』）)》〉】\"'"
"""Closing quotes/brackets that may follow sentence-final punctuation ("…。”")."""
NO_LINE_START = "，。、；：？！）》〉」』】”’%‰,.;:!?)…"
"""Characters Chinese typesetting never puts at the start of a line (行首禁则)."""
HEADING_END_PUNCT = "。！？；：，、!?;:,…"

CN_DIGITS = "一二三四五六七八九十"
_CN_NUM = f"[{CN_DIGITS}]{{1,3}}"

# Strong list markers: they start a new paragraph in wrapped text.
_BULLET = re.compile(r"^(?:[●•▪■◆]\s*|[-–·]\s+)")
_PAREN_NUMBER = re.compile(rf"^[（(]\s*({_CN_NUM}|\d{{1,2}})\s*[）)]")
_CN_ENUM = re.compile(rf"^({_CN_NUM})[、．.]")
_ARABIC_ENUM = re.compile(r"^(\d{1,2})(?:、|[.．](?!\d))")
_CIRCLED = re.compile(r"^([①-⑳])")
# A Chinese numeral and a space before a title ("一 抢抓政策机遇…"): a marker too (a stray space
# after 一 inside wrapped text is rare).
_CN_SPACE_ENUM = re.compile(rf"^({_CN_NUM})\s+(?=[\u4e00-\u9fff])")
# Weak marker: an Arabic number and a space before a Chinese title ("1 坚持…"); used for kinds
# only, never to break a wrapped line (a wrapped line may start with "15 条…").
_WEAK_ENUM = re.compile(rf"^({_CN_NUM}|\d{{1,2}})\s+(?=[\u4e00-\u9fff])")

_TRAILING_NUMBER = re.compile(r"^(?P<title>.*?\S)\s*(?P<num>\d{1,2}[.．、])$")
_TAKES_NUMBER = "第约近超达至为增降长于比前后共计逾余占"
"""A number right after these characters belongs to the text ("排全省第6.")."""

_LEADING_LIST_SPACE = re.compile(rf"^(\d{{1,2}}[.．]|{_CN_NUM}|\d{{1,2}})(\s+)(?=[\u4e00-\u9fff（(“《])")
_WHITESPACE_RUN = re.compile(r"[ \t]+")
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?: \d{3})+(?![\d.])")
_DIGIT_SPACE_SIGN = re.compile(r"(?<=\d) +(?=[.%‰])")
_DECIMAL_SPACE = re.compile(r"(?<=\d\.) +(?=\d)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*")

HEADING_MAX_CHARS = 50
MIN_WRAPPED_LINES = 6
MIN_WRAPPED_SHARE = 0.40
MIN_CEILING_SHARE = 0.20
MAX_LONGER_SHARE = 0.02
MIN_WIDTH_SHARE = 0.10
MIN_CONTIGUITY = 0.6
MIN_UNDER_CEILING = 0.8
MAX_WIDTHS = 3
MIN_WRAP_CHARS = 8
MAX_INDENT_CHARS = 3


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True, slots=True)
class SourceLine:
    """One non-blank line of the input."""

    text: str
    """Without leading/trailing whitespace."""
    display_width: int
    chars: int
    blank_before: int
    """Blank lines between this line and the previous non-blank one."""
    indent: int
    """Leading whitespace characters in the input."""

    def length(self, measure: Measure) -> int:
        return self.display_width if measure == "display" else self.chars


@dataclass(frozen=True, slots=True)
class WrapProfile:
    """How the text was wrapped, if at all."""

    wrapped: bool
    measure: Measure
    widths: tuple[int, ...] = ()
    """The wrap widths found, most common first (several when a page mixed column widths)."""
    share: float = 0.0
    """Share of the lines (of 8+ characters) that sit at the main wrap width."""
    indent: int = 0
    """First-line indent allowance, in ``measure`` units."""

    @property
    def width(self) -> int:
        """The main wrap width W (0 when the text is not wrapped)."""
        return self.widths[0] if self.widths else 0


NOT_WRAPPED = WrapProfile(wrapped=False, measure="chars")


# ---------------------------------------------------------------------------------------------
# Small text helpers


@functools.lru_cache(maxsize=8192)
def _cell_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    """Width in half-width cells: CJK, full-width and East-Asian-ambiguous characters count 2."""
    if text.isascii():
        return len(text)
    return sum(map(_cell_width, text))


def strip_markdown_emphasis(text: str) -> str:
    """Remove markdown bold markers ``**`` (kaiping/xinhui summaries print numbers in bold)."""
    return _MARKDOWN_EMPHASIS.sub("", text)


def starts_with_marker(text: str) -> bool:
    """True if the line opens with a list marker that starts a new paragraph (bullet or number)."""
    return bool(
        _BULLET.match(text)
        or _CN_SPACE_ENUM.match(text)
        or _PAREN_NUMBER.match(text)
        or _CN_ENUM.match(text)
        or _ARABIC_ENUM.match(text)
        or _CIRCLED.match(text)
    )


def ends_sentence(text: str) -> bool:
    """True if ``text`` ends with sentence-final punctuation, possibly inside closing quotes."""
    stripped = text.rstrip().rstrip(CLOSING)
    return bool(stripped) and stripped[-1] in SENTENCE_FINAL


def ends_clause(text: str) -> bool:
    """True if ``text`` ends with punctuation that leaves the sentence unfinished."""
    stripped = text.rstrip()
    return bool(stripped) and stripped[-1] in CLAUSE_PUNCT


def _is_latin_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _needs_space(left: str, right: str) -> bool:
    """Whether joining two wrapped pieces needs a space: only between two Latin words."""
    return bool(left) and bool(right) and _is_latin_letter(left[-1]) and _is_latin_letter(right[0])


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of one paragraph: nothing between CJK, one space between Latin words."""
    left, right = left.rstrip(), right.lstrip()
    return f"{left} {right}" if _needs_space(left, right) else left + right


def remove_spurious_spaces(text: str) -> str:
    """Remove spaces that split numbers or Chinese words; keep those between Latin words.

    "增长 3.1%" → "增长3.1%", "专项债 176 亿元" → "专项债176亿元", "1 234" → "1234",
    "R&D 投入" → "R&D投入", "2022 2023" unchanged, "Work Report" unchanged.
    """
    text = _WHITESPACE_RUN.sub(" ", text.strip())
    if " " not in text:
        return text
    prefix = ""
    lead = _LEADING_LIST_SPACE.match(text)
    if lead:
        # "1. 构筑…", "一 抢抓…", "1 坚持…": the space separates the list number from the title.
        prefix = text[: lead.end(1)] + " "
        text = text[lead.end() :]
    text = _THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), text)
    text = _DIGIT_SPACE_SIGN.sub("", text)
    text = _DECIMAL_SPACE.sub("", text)
    out: list[str] = []
    for i, ch in enumerate(text):
        if ch == " ":
            prev = out[-1] if out else ""
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if not prev or not nxt or is_cjk(prev) or is_cjk(nxt):
                continue
        out.append(ch)
    return prefix + "".join(out)


# ---------------------------------------------------------------------------------------------
# Reading lines and inferring the wrap width


def read_lines(text: str) -> list[SourceLine]:
    """Non-blank lines of ``text`` (already normalised), with blank-line counts and indents."""
    lines: list[SourceLine] = []
    blanks = 0
    for raw in text.splitlines():
        stripped = raw.strip()
        if not stripped:
            blanks += 1
            continue
        indent = len(raw) - len(raw.lstrip())
        lines.append(
            SourceLine(
                text=stripped,
                display_width=display_width(stripped),
                chars=len(stripped),
                blank_before=blanks if lines else 0,
                indent=indent,
            )
        )
        blanks = 0
    return lines


def tolerance(width: int) -> int:
    """How far a full line may fall short of the wrap width W: 10 % of W, at least 1."""
    return max(1, round(0.10 * width))


def _full_range(width: int) -> tuple[int, int]:
    """Lengths of a line that reaches the edge of a column of width W."""
    tol = tolerance(width)
    return width - tol, width + 2 * tol


def _best_window(counts: Counter[int]) -> tuple[int, int]:
    """(W, count): the length whose ±tolerance window holds the most lines.

    W is then the most common length inside that window (the larger on ties: wrapped text piles
    up at the right edge), not the window's centre, which leans towards the short lines.
    """
    best_centre, best_count = 0, 0
    for centre in sorted(counts):
        tol = tolerance(centre)
        inside = sum(c for v, c in counts.items() if centre - tol <= v <= centre + tol)
        if inside >= best_count:
            best_centre, best_count = centre, inside
    tol = tolerance(best_centre)
    in_window = [v for v in counts if best_centre - tol <= v <= best_centre + tol]
    width = max(in_window, key=lambda v: (counts[v], v), default=0)
    return width, best_count


def _contiguity(values: Sequence[int], width: int) -> float:
    """Share of the lines near ``width`` whose previous or next line is near it too.

    The lines of a real column come in runs; short last lines of paragraphs that happen to
    have similar lengths are scattered between the lines of the main column.
    """
    tol = tolerance(width)
    near = [width - tol <= v <= width + tol for v in values]
    members = [i for i, flag in enumerate(near) if flag]
    if not members:
        return 0.0
    in_runs = sum((i > 0 and near[i - 1]) or (i + 1 < len(near) and near[i + 1]) for i in members)
    return in_runs / len(members)


def _under_ceiling(values: Sequence[int], width: int) -> float:
    """Share of the lines near ``width`` whose neighbours are not longer than a full line of it.

    Nothing in a column is wider than the column; the short last line of a paragraph in a wider
    column sits right after a longer line of its own paragraph.
    """
    tol = tolerance(width)
    high = _full_range(width)[1]
    members = [i for i, v in enumerate(values) if width - tol <= v <= width + tol]
    if not members:
        return 0.0
    ok = sum(all(values[j] <= high for j in (i - 1, i + 1) if 0 <= j < len(values)) for i in members)
    return ok / len(members)


def find_wrap_widths(values: Sequence[int], min_width: int) -> list[tuple[int, int]]:
    """The wrap widths of a text, as (W, lines near W), most common first.

    ``values`` are the line lengths in reading order. The first width is the best window over
    all lines. Further widths (a page that mixed columns of different widths) are searched among
    the lines left outside the widths found; they must hold at least 10 % of the lines, come in
    runs (``_contiguity`` ≥ 0.6) and have no longer lines next to them (``_under_ceiling`` ≥ 0.8).
    Measured: real second columns 0.64–0.97 and 0.94–1.0 (newspaper page via pdftotext,
    re-wrapped samples); the short last lines of paragraphs that pile up at one length in the
    re-wrapped samples at most 0.61 and, where contiguity passes, ≤ 0.24.
    """
    remaining = Counter(values)
    needed = max(MIN_WRAPPED_LINES, MIN_WIDTH_SHARE * len(values))
    widths: list[tuple[int, int]] = []
    while len(widths) < MAX_WIDTHS and remaining:
        width, inside = _best_window(remaining)
        if inside < needed or width < min_width:
            break
        if widths and (
            _contiguity(values, width) < MIN_CONTIGUITY or _under_ceiling(values, width) < MIN_UNDER_CEILING
        ):
            break
        widths.append((width, inside))
        low, high = _full_range(width)
        for v in [v for v in remaining if low <= v <= high]:
            del remaining[v]
    return widths


@dataclass(frozen=True, slots=True)
class _Candidate:
    profile: WrapProfile
    exact: float
    """Share of the substantial lines exactly at W: a sharper peak means the right measure."""

    @property
    def score(self) -> float:
        return self.profile.share + 0.5 * self.exact


def _candidate(lines: Sequence[SourceLine], measure: Measure) -> _Candidate:
    values = [line.length(measure) for line in lines]
    min_width = MIN_WRAP_CHARS * (2 if measure == "display" else 1)
    # Fragments shorter than the smallest wrap width (page numbers, formula pieces, "1)") say
    # nothing about wrapping and are left out of the shares.
    substantial = [v for v in values if v >= min_width]
    widths = find_wrap_widths(values, min_width)
    if not widths or not substantial:
        return _Candidate(WrapProfile(False, measure), 0.0)
    width, inside = widths[0]
    # The share that decides wrapped-or-not is the main width's: secondary widths are searched
    # in what is left and would favour the noisier measure.
    share = inside / len(substantial)
    longer = sum(v > _full_range(width)[1] for v in substantial) / len(substantial)
    exact = sum(v == width for v in substantial) / len(substantial)
    wrapped = share >= MIN_WRAPPED_SHARE or (share >= MIN_CEILING_SHARE and longer <= MAX_LONGER_SHARE)
    profile = WrapProfile(wrapped, measure, tuple(w for w, _ in widths) if wrapped else (), share)
    return _Candidate(profile, exact)


def infer_wrap_profile(lines: Sequence[SourceLine]) -> WrapProfile:
    """Find the wrap width(s) of column-broken text, or say the text is not wrapped.

    Wrapped: 40 % of the lines at the main width, or 20 % there and (almost) none longer — a
    text of mostly short paragraphs wrapped at a wide measure has few full lines but a hard
    ceiling, a clean text has long lines of every length (kaiping: 76 % of its lines are longer
    than its most common length). Both measures (display cells, characters) are tried; the one
    with the sharper peak wins: share at W plus half the share exactly at W (characters for a
    program's re-wrap, where nearly every full line has exactly W characters; display cells for
    a typeset column, where digits and punctuation make the character count vary). The
    first-line indent is inferred afterwards (``_infer_indent``).
    """
    if len(lines) < MIN_WRAPPED_LINES:
        return NOT_WRAPPED
    candidates = [_candidate(lines, "display"), _candidate(lines, "chars")]
    best = max(candidates, key=lambda c: (c.profile.wrapped, c.score)).profile
    if not best.wrapped:
        return WrapProfile(False, best.measure, (), best.share)
    geometry = LineGeometry(lines, best)
    indent = _infer_indent(geometry)
    profile = WrapProfile(True, best.measure, best.widths, best.share, indent)
    logger.debug("wrap profile: %s", profile)
    return profile


class LineGeometry:
    """Line lengths under a wrap profile, with each line's own column width.

    With one wrap width every line has it. With several, a line takes the width that most of
    its neighbours (four lines either side) reach: the last, short line of a paragraph in a
    wide column is then measured against the wide column, not against a narrow one elsewhere.
    """

    NEIGHBOURS = 4

    def __init__(self, lines: Sequence[SourceLine], profile: WrapProfile) -> None:
        self.lines = lines
        self.profile = profile
        self.lengths = [line.length(profile.measure) for line in lines]
        self.widths = [self._local_width(i) for i in range(len(lines))]

    def _local_width(self, i: int) -> int:
        widths = self.profile.widths
        if len(widths) <= 1:
            return self.profile.width
        lo, hi = max(0, i - self.NEIGHBOURS), min(len(self.lines), i + self.NEIGHBOURS + 1)
        neighbours = [self.lengths[j] for j in range(lo, hi) if j != i]

        def support(width: int) -> tuple[int, int]:
            low, high = _full_range(width)
            return sum(low <= n <= high for n in neighbours), -abs(width - self.lengths[i])

        return max(widths, key=support)

    def length(self, i: int) -> int:
        return self.lengths[i]

    def width(self, i: int) -> int:
        return self.widths[i]

    def is_full(self, i: int, first_line: bool = False) -> bool:
        """True if line ``i`` reaches its column's edge (a wrapped line, not a paragraph end).

        A paragraph's first line may fall short by the first-line indent, unless it starts with
        a list number (typeset numbers hang in the margin or are not indented).
        """
        if not self.profile.wrapped:
            return False
        low, high = _full_range(self.widths[i])
        if first_line and not starts_with_marker(self.lines[i].text):
            low -= self.profile.indent
        return low <= self.lengths[i] <= high


def _infer_indent(geometry: LineGeometry) -> int:
    """First-line indent allowance: how much shorter than W the first lines of paragraphs are.

    Paragraph first lines are taken where they can be told without knowing the indent: after a
    line that ends a sentence and is short or followed by a blank line, and followed by another
    line of the same block. Numbered lines are left out. The allowance is the most common
    shortfall if that is at least one character (2 cells), at most three characters; Chinese
    typesetting indents two.
    """
    lines = geometry.lines
    unit = 2 if geometry.profile.measure == "display" else 1
    shortfalls: list[int] = []
    for i in range(1, len(lines) - 1):
        line, prev = lines[i], lines[i - 1]
        if not ends_sentence(prev.text) or starts_with_marker(line.text) or lines[i + 1].blank_before:
            continue
        if line.blank_before == 0 and geometry.is_full(i - 1):
            continue
        shortfall = geometry.width(i) - geometry.length(i)
        shortfalls.append(min(max(shortfall, 0), MAX_INDENT_CHARS * unit + 1))
    if len(shortfalls) < 3:
        return 0
    counts = Counter(shortfalls)
    shortfall = max(counts, key=lambda v: (counts[v], -v))
    if shortfall < unit or shortfall > MAX_INDENT_CHARS * unit:
        return 0
    return shortfall


# ---------------------------------------------------------------------------------------------
# Joining lines into paragraphs


def _block_ends_after(lines: Sequence[SourceLine], i: int) -> bool:
    """True if line ``i`` is the last line of its block (blank line or end of text after it)."""
    return i + 1 >= len(lines) or lines[i + 1].blank_before > 0


def _decide_join(geometry: LineGeometry, i: int, a_opens_paragraph: bool) -> bool:
    """Should line ``i + 1`` continue the paragraph of line ``i``? (Rules 1–7 of the docstring.)"""
    lines = geometry.lines
    a, b = lines[i], lines[i + 1]
    gap = b.blank_before
    a_full = geometry.is_full(i, first_line=a_opens_paragraph)
    a_text, b_text = a.text, b.text
    a_last = a_text[-1]
    mid_word = a_full and not (a_last in SENTENCE_FINAL or a_last in CLAUSE_PUNCT or a_last in CLOSING)

    if starts_with_marker(b_text) and not (mid_word and _CN_ENUM.match(b_text)):
        return False
    if b_text[0] in NO_LINE_START:
        return True
    if b_text.startswith("——") and not ends_sentence(a_text):
        return True
    b_is_last = _block_ends_after(lines, i + 1)
    if ends_sentence(a_text):
        if gap or b.indent >= 2:
            return False
        return a_full
    if ends_clause(a_text) or a_full:
        if not gap:
            return True
        # Across a blank line only the same column continues: b is full, or b is a paragraph's
        # last line (its block ends, the next line is a new list entry, or b ends a sentence).
        return (
            geometry.is_full(i + 1)
            or b_is_last
            or starts_with_marker(lines[i + 2].text)
            or bool(_WEAK_ENUM.match(lines[i + 2].text))
            or ends_sentence(b_text)
        )
    if gap:
        return False
    # Rule 7: a heading wrapped at a narrower measure than the body columns.
    a_len, b_len = geometry.length(i), geometry.length(i + 1)
    return (
        0.6 * geometry.width(i) <= a_len <= geometry.width(i)
        and b_len <= a_len + tolerance(geometry.width(i))
        and not geometry.is_full(i + 1)
        and (b_is_last or starts_with_marker(lines[i + 2].text) or not geometry.is_full(i + 2))
    )


def _is_bare_marker(text: str) -> bool:
    for pattern in (_PAREN_NUMBER, _CN_ENUM, _ARABIC_ENUM, _CIRCLED):
        m = pattern.match(text)
        if m and not text[m.end() :].strip():
            return True
    return False


def join_lines(lines: Sequence[SourceLine], profile: WrapProfile) -> list[str]:
    """Group source lines into paragraph texts (not yet space-fixed or classified)."""
    geometry = LineGeometry(lines, profile)
    paragraphs: list[str] = []
    pieces: list[str] = []
    for i, line in enumerate(lines):
        # Between Latin words a space; "6." alone on its line numbers the next line: glued.
        if _needs_space(pieces[-1] if pieces else "", line.text) and not (
            len(pieces) == 1 and _is_bare_marker(pieces[0])
        ):
            pieces.append(" ")
        pieces.append(line.text)
        if i + 1 < len(lines):
            opens_paragraph = len(pieces) == 1
            if profile.wrapped and _decide_join(geometry, i, opens_paragraph):
                continue
            if len(pieces) == 1 and _is_bare_marker(pieces[0]):
                continue
        paragraphs.append("".join(pieces))
        pieces = []
    return paragraphs


# ---------------------------------------------------------------------------------------------
# Headings, section numbers and kinds


def is_heading_like(text: str) -> bool:
    """Short, without sentence or clause punctuation at the end and without 。 inside."""
    stripped = text.strip()
    if not stripped or len(stripped) > HEADING_MAX_CHARS or "。" in stripped:
        return False
    if stripped[-1] in HEADING_END_PUNCT:
        return False
    return any(is_cjk(ch) or ch.isalpha() for ch in stripped)


def reattach_trailing_section_number(text: str) -> str:
    """Move a trailing list number to the front: "…质感6." → "6.…质感" (heading-like text only)."""
    m = _TRAILING_NUMBER.match(text.strip())
    if not m:
        return text
    title, number = m.group("title").rstrip(), m.group("num")
    if starts_with_marker(title) or _WEAK_ENUM.match(title):
        return text
    if not is_heading_like(title) or title[-1] in _TAKES_NUMBER or not is_cjk(title[-1]):
        return text
    return number + title


def _bullet_removed(text: str) -> str | None:
    m = _BULLET.match(text)
    if not m:
        return None
    return text[m.end() :].lstrip()


def _cn_value(numeral: str) -> int | None:
    values = {ch: i + 1 for i, ch in enumerate(CN_DIGITS)}
    if not numeral or any(ch not in values for ch in numeral):
        return None
    if numeral == "十":
        return 10
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return (values[tens] if tens else 1) * 10 + (values[ones] if ones else 0)
    return values[numeral] if len(numeral) == 1 else None


def list_number(text: str) -> tuple[str, int] | None:
    """(scheme, value) of a leading list number: ('arabic.', 3) for "3. …", ('paren-cn', 1) …"""
    m = _ARABIC_ENUM.match(text)
    if m:
        sep = text[m.end(1)]
        return ("arabic" + ("、" if sep == "、" else "."), int(m.group(1)))
    m = _PAREN_NUMBER.match(text)
    if m:
        token = m.group(1)
        return ("paren-arabic", int(token)) if token.isdigit() else ("paren-cn", _cn_value(token) or 0)
    m = _CN_ENUM.match(text)
    if m:
        return ("cn、", _cn_value(m.group(1)) or 0)
    m = _WEAK_ENUM.match(text)
    if m:
        token = m.group(1)
        return ("arabic-space", int(token)) if token.isdigit() else ("cn-space", _cn_value(token) or 0)
    m = _CIRCLED.match(text)
    if m:
        return ("circled", ord(m.group(1)) - ord("①") + 1)
    return None


_ARABIC_SCHEMES = {"arabic.", "arabic、", "paren-arabic", "circled"}


def classify_paragraphs(texts: Sequence[str]) -> list[tuple[ParagraphKind, str]]:
    """Kind and final text of each paragraph (bullet glyph removed from items)."""
    numbers = [list_number(t) for t in texts]
    result: list[tuple[ParagraphKind, str]] = []
    for i, text in enumerate(texts):
        unbulleted = _bullet_removed(text)
        if unbulleted is not None:
            result.append(("item", unbulleted))
            continue
        number = numbers[i]
        if number and number[0] in _ARABIC_SCHEMES:
            scheme, value = number
            prev_sibling = i > 0 and numbers[i - 1] == (scheme, value - 1)
            next_sibling = i + 1 < len(texts) and numbers[i + 1] == (scheme, value + 1)
            if prev_sibling or next_sibling:
                result.append(("item", text))
                continue
        result.append(("heading" if is_heading_like(text) else "body", text))
    return result


# ---------------------------------------------------------------------------------------------
# Entry point


def _repair(text: str) -> tuple[WrapProfile, list[tuple[ParagraphKind, str]]]:
    normalised = strip_markdown_emphasis(normalize_text(text))
    lines = read_lines(normalised)
    profile = infer_wrap_profile(lines)
    logger.info(
        "text repair: %d lines, wrapped=%s widths=%s %s (share %.2f, indent %d)",
        len(lines),
        profile.wrapped,
        profile.widths,
        profile.measure,
        profile.share,
        profile.indent,
    )
    texts = [reattach_trailing_section_number(t) for t in join_lines(lines, profile)]
    # Classify before fixing spaces: "- 地区…" is a bullet only while its space is there.
    classified = [(kind, remove_spurious_spaces(body)) for kind, body in classify_paragraphs(texts)]
    return profile, [(kind, body) for kind, body in classified if body]


def repair_text(text: str) -> tuple[WrapProfile, list[Paragraph]]:
    """``paragraphs_from_text`` that also returns the wrap profile it inferred (for benchmarks)."""
    profile, classified = _repair(text)
    paragraphs = [
        Paragraph(seq=seq, page_no=1, kind=kind, text=body) for seq, (kind, body) in enumerate(classified)
    ]
    return profile, paragraphs


def paragraphs_from_text(text: str) -> list[Paragraph]:
    """Reading-order paragraphs of a decoded ``.txt`` document (see the module docstring).

    ``Paragraph(seq=0..n-1, page_no=1, kind, text)``, no character boxes.
    """
    return repair_text(text)[1]
