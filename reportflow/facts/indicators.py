"""The indicator synonym table (indicators.csv) and the lookup of an indicator's code.

``indicators.csv`` has one row per written form: ``code,synonym,tier``. It is the one
place to add a synonym or a code; the longest synonym found in an indicator wins
(农村居民人均可支配收入 beats 居民人均可支配收入).

A code is given only when the indicator *is* the region's figure for that indicator:

* the part after 占 is a denominator (工业投资占全社会固定资产投资 is not fai);
* text before the synonym must be a region-wide qualifier or a filler word (其中, 全市,
  实现, the region's name); anything else names a part of the region (大型产业集聚区
  …规上工业增加值) and gives no code;
* text after the synonym may only say which aspect (增速, 涨幅, 总量 …), not narrow it down
  (固定资产投资项目 is not fai).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rapidfuzz.distance import Levenshtein

from reportflow.facts.context import gazetteer_names

_PREFIX_FILLERS = [
    "全社会",
    "全市",
    "全区",
    "全县",
    "全镇",
    "全省",
    "全国",
    "全年",
    "全口径",
    "其中",
    "实现",
    "完成",
    "新增",
    "增加",
    "累计",
    "我市",
    "本市",
    "我区",
    "本区",
    "我县",
    "本县",
    "今年",
    "去年",
    "当年",
    "年度",
    "主要",
    "共",
    "和",
    "及",
    "、",
]
_MIN_FUZZY_LENGTH = 5
_SUFFIX_OK = re.compile(r"^(增速|增幅|涨幅|降幅|总量|总额|规模|水平|指数|排名|排位|位次)?$")


AMOUNT_CODES = frozenset(
    {
        "gdp",
        "industrial_va",
        "fai",
        "retail_sales",
        "trade",
        "budget_revenue",
        "disposable_income",
        "rural_disposable_income",
        "urban_disposable_income",
        "grain_output",
    }
)
"""Indicators that are amounts (money, goods): a bare percentage of one can only be its change."""


@dataclass(frozen=True, slots=True)
class IndicatorEntry:
    code: str
    synonym: str
    tier: str


@lru_cache(maxsize=1)
def indicator_table() -> tuple[IndicatorEntry, ...]:
    """All rows of indicators.csv, longest synonym first."""
    text = resources.files("reportflow.facts").joinpath("indicators.csv").read_text("utf-8")
    rows = [
        IndicatorEntry(r["code"].strip(), r["synonym"].strip(), (r.get("tier") or "other").strip())
        for r in csv.DictReader(text.splitlines())
        if r.get("code") and r.get("synonym")
    ]
    return tuple(sorted(rows, key=lambda e: len(e.synonym), reverse=True))


def codes_in_tier(tier: str) -> frozenset[str]:
    return frozenset(e.code for e in indicator_table() if e.tier == tier)


@lru_cache(maxsize=1)
def _filler_re() -> re.Pattern[str]:
    words = set(_PREFIX_FILLERS)
    for short, full in gazetteer_names():
        words.add(short)
        words.add(full)
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(f"^(?:{alternation}|[^\\w])*$")  # stray punctuation (OCR) is no qualifier


def head_of(indicator: str) -> str:
    """The part of an indicator before a share's denominator (X占Y → X)."""
    return indicator.split("占", 1)[0]


def _find_exact(head: str, synonym: str) -> tuple[int, int]:
    return head.find(synonym), len(synonym)


def _find_one_edit(head: str, synonym: str) -> tuple[int, int]:
    """(position, length) of a window of ``head`` one edit away from ``synonym``, or (-1, 0).

    One character misread, dropped or inserted, as OCR does (国定资产投资, 森林有覆盖率).
    """
    n = len(synonym)
    for length in (n, n + 1, n - 1):
        for pos in range(len(head) - length + 1):
            if Levenshtein.distance(head[pos : pos + length], synonym, score_cutoff=1) <= 1:
                return pos, length
    return -1, 0


@lru_cache(maxsize=4096)
def find_synonym(indicator: str, ocr: bool = False) -> IndicatorEntry | None:
    """The longest synonym contained in the indicator's head, if the rules above allow it.

    ``ocr``: the text was recognised from an image, so a synonym of 5+ characters also
    matches one edit away (国定资产投资, 森林有覆盖率) when no synonym matches exactly.
    """
    head = head_of(indicator)
    finders = [_find_exact] + ([_find_one_edit] if ocr else [])
    for finder in finders:
        for entry in indicator_table():
            if finder is _find_one_edit and len(entry.synonym) < _MIN_FUZZY_LENGTH:
                continue
            pos, length = finder(head, entry.synonym)
            if pos < 0:
                continue
            prefix = head[:pos]
            suffix = head[pos + length :]
            if not _filler_re().match(prefix):
                return None  # a part of the region (集聚区…规上工业增加值)
            if not _SUFFIX_OK.match(suffix):
                return None
            return entry
    return None


def indicator_code(indicator: str, ocr: bool = False) -> str | None:
    """The code of an indicator as written ('地区生产总值' → 'gdp'), or None."""
    entry = find_synonym(indicator, ocr)
    return entry.code if entry else None
