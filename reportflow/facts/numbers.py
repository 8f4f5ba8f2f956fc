"""Finding the quantities written in a paragraph: numbers with their units, ranks, ratios.

Works on a ``TextView`` (spaces and markdown removed, offsets kept). A *mention* is one
written quantity: its span in the view (number + unit, e.g. ``3773.41亿元``, ``第2``,
``两个``, ``12.2:44.9:42.9``), the literal unsigned value and the unit as written.
What the mention *means* (indicator, measure, sign, comparator, kind) is decided by
``reportflow.facts.extract``.

What is not a quantity, by rule:

* numbers without a unit (``110接处警``, ``5.0产业新空间``), except ranks and ratios;
* codes and names: digits touching Latin letters or ``+`` (``G325``, ``5G``, ``3A级``,
  ``PM2.5``, ``1+6+3``);
* years (4 digits 1900–2099 before 年, and year ranges ``2023-2024年``) and dates (月/日
  are never units);
* anything inside quotation marks or book-title marks (``“十八条”``, ``“两个确立”``,
  ``《…》``): quoted text is a name or slogan;
* list and section numbering (``1.``, ``（一）``, ``一、``);
* ordinals: ``第`` + number + classifier (``第十六届``, ``第二个``, ``第4条``), phases (Chinese
  numeral + 期), session numbers (``五次会议``, ``十七届人大``);
* Chinese numerals that are words: a bare 一 (一批, 一揽子, 统一), a bare 百/千/万 before a
  classifier (百年, 千家万户), and the set phrases in ``set_phrases.txt`` (二十大,
  三位一体, 八项规定 …).

Chinese numerals are converted with cn2an on the numeral span only, never on a sentence.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from reportflow.facts.textview import TextView
from reportflow.facts.units import (
    CHINESE_MULTIPLIERS,
    COUNT_UNITS,
    LEVEL_UNITS,
    MULTIPLIERS,
    TIME_UNITS,
    UNIT_RE,
)
from reportflow.normalize import normalize_text

log = logging.getLogger(__name__)

CN_DIGITS = "零〇一二两三四五六七八九十百千万亿"
_CN_NUMERAL_RE = re.compile(f"[{CN_DIGITS}]+")
_ARABIC_RE = re.compile(r"(?<![A-Za-z0-9.&+_/·])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_RATIO_RE = re.compile(r"(?<![\d.:：])\d+(?:\.\d+)?(?:[:：]\d+(?:\.\d+)?){1,4}(?![\d.:：])")
_RANK_RE = re.compile(r"第(\d+|[一二三四五六七八九十两百]+)(位|名)?")
_TOP_RE = re.compile(r"前(\d+|[一二三四五六七八九十两]+)(位|名)?")
_PERCENT_CN_RE = re.compile(rf"百分之([{CN_DIGITS}]+(?:点[{CN_DIGITS}]+)?)")

# Counters a Chinese numeral may take. 期 (phase: 一期/二期) and 方 (三方 = three parties) are
# excluded; the rest are the unit tables.
_CN_COUNTERS = tuple(
    sorted(
        [u for u in COUNT_UNITS + TIME_UNITS + LEVEL_UNITS + ["番", "倍"] if u not in {"期", "方"}],
        key=len,
        reverse=True,
    )
)
_CN_COUNTER_RE = re.compile("|".join(re.escape(u) for u in _CN_COUNTERS))
_CN_AMOUNT_BASES = tuple(sorted(LEVEL_UNITS + ["人", "户", "个", "家", "件", "项"], key=len, reverse=True))
_CN_AMOUNT_BASE_RE = re.compile("|".join(re.escape(u) for u in _CN_AMOUNT_BASES))

_BARE_AMOUNT_TRIGGER = re.compile(r"(近|超|超过|逾|突破|上|达|约)$")
"""A bare 亿元/万亩 with no numeral is 1 亿元 only after one of these (完成投资近亿元)."""

_SESSION_AFTER_JIE = re.compile(r"(人大|人民代表大会|全会|政协|党代会|会议|中央|委员会)")
_SESSION_AFTER_CI = re.compile(r"(会|全会|党代会|代表大会|常委会)")
"""三次会议, 五次全会: a session number (OCR may drop the 第 and the 议)."""

_RANK_CONTEXT = re.compile(
    r"(全省|全国|全市|全区|全县|全球|全世界|省内|国内|排|居|位列|名列|列|片区|小组|考核|评价|考评|榜|名次|位次|同类|城市中|地市中)"
)
_RANK_FOLLOW_OK = re.compile(r"($|[，。、；：,;:.!?！？)）”\]】]|或|和|及|的|也|并|名次|位次)")

_QUOTE_PAIRS = {"“": "”", "「": "」", "『": "』", "《": "》", "〈": "〉", '"': '"'}
_MAX_QUOTE_LEN = {"《": 80, "〈": 80}
_DEFAULT_MAX_QUOTE = 40

_NUMBERING_RE = re.compile(
    r"^\s*(?:[-–•●◆■▪·]\s*)?"
    r"(?:[（(]\s*(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*[)）]"
    r"|(?:\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:、|[．.](?!\d))"
    r"|\d{1,2}\s+(?=[^\d\s])"
    r"|[一二三四五六七八九十]{1,3}\s+)\s*"
)
_INLINE_NUMBERING_RE = re.compile(
    r"(?<=[：:；;。])(?:[（(](?:\d{1,2}|[一二三四五六七八九十]{1,3})[)）]|\d{1,2}(?:、|[．.](?!\d)))"
)

_YEAR_RANGE_AFTER = re.compile(r"^[-—–~～至到](?:19|20)\d\d年")


@dataclass(slots=True)
class Mention:
    """One written quantity, in view offsets."""

    start: int
    end: int
    value: float | None
    """Literal, unsigned (None for a ratio)."""
    unit: str
    chinese: bool = False
    rank: bool = False
    parts: list[float] | None = None
    more_than: bool = False
    """多/余 between the number and the unit (20多项 = more than 20)."""
    top_n: bool = False
    """前N: a rank bound (within the top N)."""
    negative: bool = False
    """An explicit minus sign (增长-0.8%)."""

    @property
    def is_ratio(self) -> bool:
        return self.parts is not None


@lru_cache(maxsize=1)
def set_phrases() -> tuple[str, ...]:
    """Fixed expressions that contain numerals but state no quantity (set_phrases.txt)."""
    text = resources.files("reportflow.facts").joinpath("set_phrases.txt").read_text("utf-8")
    phrases = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            phrases.append(normalize_text(line))
    return tuple(sorted(set(phrases), key=len, reverse=True))


@lru_cache(maxsize=1)
def _set_phrase_re() -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in set_phrases()))


@lru_cache(maxsize=1024)
def parse_chinese_numeral(numeral: str) -> float | None:
    """Value of a Chinese numeral span ('两' → 2, '三十' → 30, '千' → 1000); None if not one number.

    cn2an is applied to the numeral only. A leading bare 百/千 gets an implicit 一
    (千亿 = 一千亿); spans that are several numbers (十四五) do not parse and give None.
    """
    if not numeral:
        return None
    import cn2an  # imported on first use: it takes most of a second to load

    text = numeral
    if text[0] in "百千":
        text = "一" + text
    try:
        return float(cn2an.cn2an(text, "normal"))
    except (ValueError, KeyError, IndexError, TypeError):
        return None


def parse_number(text: str) -> float | None:
    """A number as written → float: '3,773.41', '176', ' 3.1 ', '３．５', '两', '三十', '千'.

    Handles thousands separators, full-width digits and stray spaces; Chinese numerals go
    through cn2an. Returns None when ``text`` is not exactly one number. Units and
    multipliers (万/亿) are not applied: see ``reportflow.facts.units.normalise``.
    """
    compact = re.sub(r"\s+", "", normalize_text(text))
    if not compact:
        return None
    if re.fullmatch(r"[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?", compact):
        sign = -1.0 if compact[0] in "-−" else 1.0
        return sign * float(compact.lstrip("-−").replace(",", ""))
    if re.fullmatch(f"[{CN_DIGITS}]+", compact):
        return parse_chinese_numeral(compact)
    return None


_OPENING_QUOTE_RE = re.compile("[" + re.escape("".join(_QUOTE_PAIRS)) + "]")


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Spans inside quotation/book-title marks (names, slogans), marks included."""
    spans: list[tuple[int, int]] = []
    i = 0
    n = len(text)
    while True:
        opening = _OPENING_QUOTE_RE.search(text, i)
        if opening is None:
            return spans
        i = opening.start()
        close = _QUOTE_PAIRS[text[i]]
        limit = _MAX_QUOTE_LEN.get(text[i], _DEFAULT_MAX_QUOTE)
        j = text.find(close, i + 1, min(n, i + 2 + limit))
        if j < 0:
            i += 1
            continue
        spans.append((i, j + 1))
        i = j + 1


def numbering_prefix_end(original: str) -> int:
    """Length of a list/section number at the start of a paragraph ('1. ', '（一）', '一、')."""
    match = _NUMBERING_RE.match(original)
    if not match:
        return 0
    if re.fullmatch(r"\s*(?:[-–•●◆■▪·]\s*)?\d{1,2}\s+", match.group()) and UNIT_RE.match(
        normalize_text(original), match.end()
    ):
        return 0  # "3 个先行启动区": a count with a stray space, not a list number
    return match.end()


class _Occupied:
    """Spans already claimed by a mention or excluded as names/numbering."""

    def __init__(self) -> None:
        self._spans: list[tuple[int, int]] = []

    def add(self, start: int, end: int) -> None:
        self._spans.append((start, end))

    def overlaps(self, start: int, end: int) -> bool:
        return any(s < end and start < e for s, e in self._spans)


def _excluded_spans(view: TextView, quoted: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    text = view.text
    spans = list(quoted) if quoted is not None else _quoted_spans(text)
    spans += [(m.start(), m.end()) for m in _set_phrase_re().finditer(text)]
    prefix = numbering_prefix_end(view.original)
    if prefix:
        # the view offset of the first character at or after the original prefix end
        cut = next((i for i, o in enumerate(view.origin) if o >= prefix), len(text))
        spans.append((0, cut))
    spans += [(m.start(), m.end()) for m in _INLINE_NUMBERING_RE.finditer(text)]
    return spans


def _is_rank_context(text: str, start: int, clause_floor: int) -> bool:
    window = text[max(clause_floor, start - 14) : start]
    return bool(_RANK_CONTEXT.search(window))


def _clause_floor(text: str, pos: int) -> int:
    """Start of the clause containing pos (after the last ，。；： before it)."""
    for i in range(pos - 1, -1, -1):
        if text[i] in "，。；：,;:!?！？\n":
            return i + 1
    return 0


def _scan_ratios(text: str, occupied: _Occupied, out: list[Mention]) -> None:
    for m in _RATIO_RE.finditer(text):
        if occupied.overlaps(m.start(), m.end()):
            continue
        parts_text = re.split(r"[:：]", m.group())
        has_decimal = any("." in p for p in parts_text)
        floor = _clause_floor(text, m.start())
        mentions_ratio = "比" in text[floor : m.start()] or "结构" in text[floor : m.start()]
        if not (len(parts_text) >= 3 or has_decimal or mentions_ratio):
            continue  # 9:30 is a time of day, not a ratio
        parts = [float(p) for p in parts_text]
        out.append(Mention(m.start(), m.end(), None, "ratio", parts=parts))
        occupied.add(m.start(), m.end())


def _rank_value(token: str) -> tuple[float | None, bool]:
    if token.isdigit():
        return float(token), False
    return parse_chinese_numeral(token), True


def _scan_ranks(text: str, occupied: _Occupied, out: list[Mention]) -> None:
    for pattern, top in ((_RANK_RE, False), (_TOP_RE, True)):
        for m in pattern.finditer(text):
            if occupied.overlaps(m.start(), m.end()):
                continue
            token, suffix = m.group(1), m.group(2)
            after = text[m.end() :]
            if suffix is None and not _RANK_FOLLOW_OK.match(after):
                continue  # 第4条, 第二届, 第三人民医院: ordinals and names
            if suffix == "名" and top and after.startswith("单"):
                continue
            floor = _clause_floor(text, m.start())
            if suffix is None and not _is_rank_context(text, m.start(), floor):
                continue  # 第三，… is a discourse marker, not a rank
            if top and not _is_rank_context(text, m.start(), floor):
                continue
            value, chinese = _rank_value(token)
            if value is None or value <= 0:
                continue
            out.append(
                Mention(m.start(), m.end(), value, suffix or "", chinese=chinese, rank=True, top_n=top)
            )
            occupied.add(m.start(), m.end())


def _match_unit(text: str, pos: int) -> tuple[str, int, bool] | None:
    """(unit, end, more_than) for the unit starting at pos (after an optional 多/余)."""
    more = False
    if pos < len(text) and text[pos] in "多余" and pos + 1 < len(text):
        more = True
        pos += 1
    m = UNIT_RE.match(text, pos)
    if m is None:
        return None
    return m.group(), m.end(), more


def _scan_arabic(text: str, occupied: _Occupied, out: list[Mention]) -> None:
    for m in _ARABIC_RE.finditer(text):
        start, end = m.start(), m.end()
        if occupied.overlaps(start, end):
            continue
        if start > 0 and text[start - 1] == "第":
            continue  # ordinal not taken as a rank (第4条产业链)
        nxt = text[end : end + 1]
        if nxt and (nxt.isascii() and (nxt.isalpha() or nxt in "+_")):
            continue  # 5G, 3A级, 1+6+3
        if (start >= 2 and text[start - 1] == " " and text[start - 2].isdigit()) or (
            text[end : end + 1] == " " and text[end + 1 : end + 2].isdigit()
        ):
            # "3 773.41": digits split by a space are one number or two; never guess a value
            log.debug("ambiguous spaced digits near %r", text[max(0, start - 8) : end + 8])
            continue
        unit_match = _match_unit(text, end)
        if unit_match is None:
            continue
        unit, unit_end, more = unit_match
        number = m.group()
        if text[unit_end : unit_end + 1] == "级" and unit in MULTIPLIERS:
            continue  # 100亿级: a size class
        if unit.startswith("年") and not more and re.fullmatch(r"(19|20)\d\d", number):
            continue  # a year, not a duration
        if re.fullmatch(r"(19|20)\d\d", number) and text[unit_end : unit_end + 1] == "年":
            continue  # "2023人年2月16日": a year with a speck read as a classifier
        if re.fullmatch(r"(19|20)\d\d", number) and _YEAR_RANGE_AFTER.match(text[end:]):
            continue  # 2023-2024年
        if unit.startswith("年") and start >= 5 and re.search(r"(19|20)\d\d[-—–~～至到]$", text[:start]):
            continue  # the second year of a range
        negative = (
            start > 0 and text[start - 1] in "-−" and start > 1 and text[start - 2] in "长降为至到是速幅度"
        )
        value = float(number.replace(",", ""))
        mention_start = start - 1 if negative else start
        out.append(Mention(mention_start, unit_end, value, unit, more_than=more, negative=negative))
        occupied.add(mention_start, unit_end)


def _scan_percent_words(text: str, occupied: _Occupied, out: list[Mention]) -> None:
    for m in _PERCENT_CN_RE.finditer(text):
        if occupied.overlaps(m.start(), m.end()):
            continue
        whole, _, frac = m.group(1).partition("点")
        value = parse_chinese_numeral(whole)
        if value is None:
            continue
        if frac:
            digits = "".join(str(int(parse_chinese_numeral(c) or 0)) for c in frac)
            value = float(f"{int(value)}.{digits}")
        out.append(Mention(m.start(), m.end(), value, "%", chinese=True))
        occupied.add(m.start(), m.end())


def _split_multiplier(span: str) -> tuple[str, str]:
    for mult in CHINESE_MULTIPLIERS:
        if span.endswith(mult):
            return span[: -len(mult)], mult
    return span, ""


def _scan_chinese(text: str, occupied: _Occupied, out: list[Mention]) -> None:
    for m in _CN_NUMERAL_RE.finditer(text):
        start, span = m.start(), m.group()
        if start > 0 and text[start - 1] == "第":
            continue  # ordinals (第二届); 前三 with rank context was taken by the rank scan
        if span[0] in "零〇":
            continue  # 零部件, 〇 alone: not a quantity
        if len(span) >= 2 and not re.search("[十百千万亿]", span):
            continue  # 二〇二三(年), 一二三(产业): digit strings, years and lists, not one number
        numeral, mult = _split_multiplier(span)
        # A span like 千亿 may also be read as numeral 千 + multiplier 亿; 两千万 as 两千 + 万.
        pos = m.end()
        more = False
        if pos < len(text) and text[pos] in "多余":
            more = True
            pos += 1
        if mult:
            base = _CN_AMOUNT_BASE_RE.match(text, pos)
            unit = mult + (base.group() if base else "")
            end = base.end() if base else pos
            if not numeral:
                if not _BARE_AMOUNT_TRIGGER.search(text[max(0, start - 2) : start]):
                    continue  # 万亩园区, 亿元以上项目: a size label with no numeral
                value: float | None = 1.0
            else:
                value = parse_chinese_numeral(numeral)
        else:
            counter = _CN_COUNTER_RE.match(text, pos)
            if counter is None:
                continue
            unit, end = counter.group(), counter.end()
            if unit == "番" and text[start - 1 : start] != "翻":
                continue  # 番 counts doublings only in 翻N番
            if numeral == "一" and unit != "番":
                continue  # 一批, 一揽子, 一大批, 一年: 一 is rarely a counted quantity
            if numeral in {"百", "千", "万", "亿"}:
                continue  # 百年, 千家万户
            if unit == "届" and _SESSION_AFTER_JIE.match(text, end):
                continue  # 十七届人大
            if unit == "次" and _SESSION_AFTER_CI.match(text, end):
                continue  # 五次会议
            value = parse_chinese_numeral(numeral)
        if mult and text[end : end + 1] == "级":
            continue  # 千亿级产业集群: a size class, not a stated amount
        if value is None:
            log.debug("not a single Chinese numeral: %r", span)
            continue
        if occupied.overlaps(start, end):
            continue
        out.append(Mention(start, end, value, unit, chinese=True, more_than=more))
        occupied.add(start, end)


def find_mentions(view: TextView, quoted: list[tuple[int, int]] | None = None) -> list[Mention]:
    """All quantity mentions of a paragraph view, in reading order.

    ``quoted``: the quoted spans, when the caller paired the quote marks itself (OCR text,
    whose marks lose their shape: ``reportflow.facts.ocrtext``); by default “…” and "…".
    """
    text = view.text
    occupied = _Occupied()
    for start, end in _excluded_spans(view, quoted):
        occupied.add(start, end)
    mentions: list[Mention] = []
    _scan_ratios(text, occupied, mentions)
    _scan_ranks(text, occupied, mentions)
    _scan_arabic(text, occupied, mentions)
    _scan_percent_words(text, occupied, mentions)
    _scan_chinese(text, occupied, mentions)
    mentions.sort(key=lambda mention: mention.start)
    return mentions


__all__ = [
    "MULTIPLIERS",
    "Mention",
    "find_mentions",
    "numbering_prefix_end",
    "parse_chinese_numeral",
    "parse_number",
    "set_phrases",
]
