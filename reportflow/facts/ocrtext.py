"""OCR noise in a paragraph view: quote marks, bullets read as quotes, specks read as punctuation.

Recognised text gets its marks wrong in three ways that matter to fact extraction:

* **quote marks lose their direction**: “十四五” comes out as "十四五”, “中国工业百强区"
  or ‘夜学". Marks are therefore paired by position, not by shape: an opening mark (“ ‘ 「)
  or an ambiguous one (" ') opens, the next closing or ambiguous mark closes, provided the
  quoted text is short (≤ 30 characters, the longest quoted name in the samples has 23) and
  holds no clause punctuation. Numbers inside a pair are names (“十八条”), as in clean text.
* **bullets come out as quote marks**: a list typeset with "·" bullets and run together by
  OCR reads "…可比增长0.5%”全国高质量发展百强区排名第42位". A mark left without a partner
  is taken as such a bullet: it ends a sentence, so the next item's subject starts after it.
* **specks come out as marks or punctuation inside a word or phrase**: "地方一般公共”预算收入",
  "外。贸进出口总额", "固定资产投资增长。8%". A stray mark, or a punctuation character OCR was
  unsure of (confidence below ``LOW_CONFIDENCE``), is dropped from the view when the text
  around it reads as one indicator name without it (an indicators.csv synonym runs across
  it), or when it sits between a change verb and the figure the verb needs.

A Chinese-numeral quantity right before an unpaired closing mark is a quoted name whose
opening mark was lost ("出台暖企十八条”等"): not a quantity. A bare 万/亿 that ends its
phrase ("减负36亿和", "专项债176亿" at a column foot), or is followed by a letter, a digit
("3.27亿2") or an unsure character, most likely lost its base unit (元, 人, 亩) to OCR: no fact rather than a number of nothing (clean text may say
"增量均超百亿"; a scan cannot tell the two apart). Digits are never changed here; only marks
and punctuation are dropped or read as breaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportflow.facts.indicators import indicator_table
from reportflow.facts.numbers import Mention
from reportflow.facts.textview import TextView
from reportflow.facts.units import unit_info

OPENING_MARKS = "“‘「『"
CLOSING_MARKS = "”’」』"
AMBIGUOUS_MARKS = "\"'"
QUOTE_MARKS = OPENING_MARKS + CLOSING_MARKS + AMBIGUOUS_MARKS
MAX_QUOTED = 30
LOW_CONFIDENCE = 50.0
"""Below this OCR confidence a punctuation character may be a speck (real 。 score ~90)."""

_CLAUSE_PUNCTUATION = re.compile(r"[，,。；;：:！!？?]")
_SPECK_PUNCTUATION = "。，,、；;：:"
_VERB_BEFORE_FIGURE = re.compile(
    r"(?:增长|下降|增加|减少|提高|降低|提升|上升|回落|达到|达|为|占|超过|超|突破|增速|增幅|涨幅)$"
)
_MAX_SYNONYM = 16
_PHRASE_END = set("，,。；;：:、)）和及与")


@dataclass(frozen=True, slots=True)
class QuoteMarks:
    """Quote marks of a view, paired by position."""

    quoted: list[tuple[int, int]]
    """Spans of quoted text, marks included (view offsets, end exclusive)."""
    stray: list[int]
    """Positions of marks without a partner: bullets (or specks) in OCR text."""


def pair_quote_marks(text: str) -> QuoteMarks:
    """Pair quote marks by position, whatever their shape (see the module docstring)."""
    quoted: list[tuple[int, int]] = []
    stray: list[int] = []
    opened: int | None = None
    for i, ch in enumerate(text):
        if ch not in QUOTE_MARKS:
            continue
        closes = opened is not None and ch not in OPENING_MARKS and _quotable(text, opened, i)
        if closes:
            assert opened is not None
            quoted.append((opened, i + 1))
            opened = None
            continue
        if opened is not None:
            stray.append(opened)  # never closed (or closed too far away)
            opened = None
        if ch in CLOSING_MARKS:
            stray.append(i)
        else:
            opened = i
    if opened is not None:
        stray.append(opened)
    return QuoteMarks(quoted, sorted(stray))


def _quotable(text: str, opened: int, closing: int) -> bool:
    inner = text[opened + 1 : closing]
    return len(inner) <= MAX_QUOTED and not _CLAUSE_PUNCTUATION.search(inner)


@lru_cache(maxsize=1)
def _synonym_re() -> re.Pattern[str]:
    synonyms = sorted({e.synonym for e in indicator_table() if len(e.synonym) >= 3}, key=len, reverse=True)
    return re.compile("|".join(re.escape(s) for s in synonyms))


def _joins_an_indicator(text: str, i: int) -> bool:
    """True if an indicator synonym runs across position ``i`` once the character is removed."""
    before = text[max(0, i - _MAX_SYNONYM) : i]
    joined = before + text[i + 1 : i + 1 + _MAX_SYNONYM]
    junction = len(before)
    pattern = _synonym_re()
    for start in range(junction):
        m = pattern.match(joined, start)
        if m and m.end() > junction:
            return True
    return False


def _between_verb_and_figure(text: str, i: int) -> bool:
    """增长。8%: a change verb, the speck, then the figure the verb needs."""
    return i + 1 < len(text) and text[i + 1].isdigit() and bool(_VERB_BEFORE_FIGURE.search(text[:i]))


def _confidence(view: TextView, char_conf: list[float | None], i: int) -> float | None:
    origin = view.origin[i]
    return char_conf[origin] if origin < len(char_conf) else None


def speck_positions(view: TextView, char_conf: list[float | None]) -> set[int]:
    """View positions of marks and punctuation that are OCR specks inside a phrase."""
    text = view.text
    candidates = set(pair_quote_marks(text).stray)
    for i, ch in enumerate(text):
        if ch in _SPECK_PUNCTUATION:
            conf = _confidence(view, char_conf, i)
            if conf is not None and conf < LOW_CONFIDENCE:
                candidates.add(i)
    return {i for i in candidates if _joins_an_indicator(text, i) or _between_verb_and_figure(text, i)}


@dataclass(frozen=True, slots=True)
class OcrReading:
    """A paragraph view with OCR specks removed, and its quote marks."""

    view: TextView
    marks: QuoteMarks
    char_conf: list[float | None]
    """The paragraph's OCR confidences (by original offset)."""

    @property
    def breaks(self) -> frozenset[int]:
        """Stray marks, read as bullets: each ends a sentence."""
        return frozenset(self.marks.stray)

    def is_name_before_stray_closer(self, mention: Mention) -> bool:
        """A Chinese-numeral quantity ending right before an unpaired closing mark (十八条”)."""
        end = mention.end
        return (
            mention.chinese and end in self.breaks and self.view.text[end] in CLOSING_MARKS + AMBIGUOUS_MARKS
        )

    def is_cut_short(self, mention: Mention) -> bool:
        """A bare 万/亿 that ends its phrase, or is followed by a letter, digit or a character
        OCR was unsure of: its base unit was probably lost or misread (36亿和, 3.27亿2)."""
        if mention.rank or mention.is_ratio or unit_info(mention.unit).base_unit != "":
            return False
        text, end = self.view.text, mention.end
        if end >= len(text) or end in self.breaks:
            return True
        if _synonym_re().match(text, end):
            return False  # 千亿GDP: the amount qualifies the indicator named after it
        after = text[end]
        conf = _confidence(self.view, self.char_conf, end)
        return (
            after in _PHRASE_END
            or (after.isascii() and after.isalnum())
            or (conf is not None and conf < LOW_CONFIDENCE)
        )

    def keeps(self, mention: Mention) -> bool:
        """False for the quantities an OCR reading cannot vouch for (see the module docstring)."""
        return not (self.is_name_before_stray_closer(mention) or self.is_cut_short(mention))


def read_ocr_view(view: TextView, char_conf: list[float | None]) -> OcrReading:
    """Drop the specks of an OCR paragraph's view and pair its quote marks."""
    specks = speck_positions(view, char_conf)
    if specks:
        view = view.without(specks)
    return OcrReading(view, pair_quote_marks(view.text), char_conf)
