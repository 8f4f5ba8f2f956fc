"""Units that may follow a number in a work report, and how they normalise.

A unit is written as ``[multiplier][base][/per]``: 亿元 = 亿 + 元, 万人次 = 万 + 人次,
万吨/年 = 万 + 吨 + /年. The unit *as written* is what a fact keeps in ``unit``; the
normalised form multiplies the multiplier out (3773.41亿元 → 377341000000 元) with
``Decimal`` so that no digit changes through binary rounding.

Measures (see ``reportflow.models.Measure``) follow the unit's dimension:

* money, area, length, weight, volume, energy, time spans and ages → ``level``;
* classifiers that count things (个 家 人 项 件 条 所 户 套 …) → ``count``;
* % and ‰ → ``rate`` unless a change verb makes it ``growth`` (decided by the extractor);
* 个百分点 → ``pp_change``; 倍 and 番 → ``multiple``.

Time units are ``level`` (a span of time measured in a unit, like a length), so
"连续两年" and "30分钟" are levels of 年 and 分钟; "65岁" is a level of 岁.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from reportflow.models import Measure

MULTIPLIERS: dict[str, int] = {
    "万亿": 10**12,
    "千亿": 10**11,
    "百亿": 10**10,
    "十亿": 10**9,
    "亿": 10**8,
    "千万": 10**7,
    "百万": 10**6,
    "十万": 10**5,
    "万": 10**4,
}
"""Multipliers written between the digits and the unit (Arabic numbers: 1.2万亿元, 50亿)."""

LEVEL_UNITS = [
    "美元",
    "港元",
    "欧元",
    "元",
    "平方公里",
    "平方千米",
    "平方米",
    "公顷",
    "亩",
    "千米",
    "公里",
    "米",
    "千克",
    "公斤",
    "吨",
    "斤",
    "立方米",
    "方",
    "千瓦时",
    "千瓦",
    "兆瓦",
    "吉瓦",
    "瓦",
    "度",
    "标准箱",
    "标箱",
    "人次",
]
"""Amount units (level). 人次 counts visits, an amount of traffic rather than a set of things."""

TIME_UNITS = ["周年", "个月", "小时", "分钟", "年", "天", "周", "岁"]
"""Durations and ages (level). 月 and 日 alone are dates and never units."""

COUNT_UNITS = [
    "方面",
    "个",
    "家",
    "项",
    "件",
    "条",
    "所",
    "名",
    "人",
    "户",
    "套",
    "台",
    "支",
    "场",
    "次",
    "宗",
    "起",
    "期",
    "大",
    "组",
    "类",
    "重",
    "座",
    "张",
    "批",
    "届",
    "位",
    "辆",
    "艘",
    "架",
    "棵",
    "株",
    "只",
    "头",
    "处",
    "栋",
    "幢",
    "间",
    "层",
    "根",
    "段",
    "篇",
    "部",
    "本",
    "册",
    "份",
    "块",
    "例",
    "种",
    "门",
    "床",
    "对",
    "轮",
    "节",
    "趟",
    "班",
    "列",
    "队",
    "镇",
    "片",
    "笔",
    "单",
]
"""Classifiers (count)."""

SPECIAL_UNITS: dict[str, Measure] = {
    "个百分点": "pp_change",
    "百分点": "pp_change",
    "%": "rate",
    "‰": "rate",
    "倍": "multiple",
    "番": "multiple",
}

PER_UNITS = ["年", "月", "天", "日", "人", "户", "亩", "平方米", "吨", "小时", "次", "台", "辆"]
"""Denominators of compound units (元/月, 万吨/年, 元/平方米)."""

_BASE_MEASURE: dict[str, Measure] = {}
for _u in LEVEL_UNITS + TIME_UNITS:
    _BASE_MEASURE[_u] = "level"
for _u in COUNT_UNITS:
    _BASE_MEASURE[_u] = "count"

ALL_BASE_UNITS: tuple[str, ...] = tuple(sorted(_BASE_MEASURE, key=len, reverse=True))

_alt = "|".join(re.escape(u) for u in sorted(SPECIAL_UNITS, key=len, reverse=True))
_mult = "|".join(re.escape(m) for m in MULTIPLIERS)
_base = "|".join(re.escape(u) for u in ALL_BASE_UNITS)
_per = "|".join(re.escape(u) for u in sorted(PER_UNITS, key=len, reverse=True))

UNIT_RE = re.compile(
    rf"(?P<special>{_alt})"
    rf"|(?P<mult>{_mult})?(?P<base>{_base})(?:/(?P<per>{_per}))?"
    rf"|(?P<bare>{_mult})"
)
"""A unit at the start of the text after a number (use ``.match``)."""

CHINESE_MULTIPLIERS = ("万亿", "亿", "万")
"""Multipliers that end a Chinese-numeral amount (千亿 = 千 + 亿, 两千万元 = 两千 + 万元)."""


@dataclass(frozen=True, slots=True)
class UnitInfo:
    unit: str
    """As written, e.g. '亿元', '万吨/年', '%'."""
    measure: Measure
    """The measure the unit implies (the extractor may refine % into growth)."""
    base_unit: str
    """The unit after multiplying out 万/亿: '元', '吨/年', '%'; '' for a bare 亿 or 万."""
    factor: int
    """value_base = value × factor."""


@lru_cache(maxsize=1024)
def unit_info(unit: str) -> UnitInfo:
    """Measure and normalisation of a unit as written (``''`` for a bare rank)."""
    if unit in SPECIAL_UNITS:
        base = {"个百分点": "个百分点", "百分点": "个百分点"}.get(unit, unit)
        return UnitInfo(unit, SPECIAL_UNITS[unit], base, 1)
    match = UNIT_RE.fullmatch(unit)
    if match is None:
        return UnitInfo(unit, "count", unit, 1)
    if match.group("bare"):
        return UnitInfo(unit, "level", "", MULTIPLIERS[match.group("bare")])
    mult = match.group("mult")
    base = match.group("base")
    per = match.group("per")
    base_unit = base + (f"/{per}" if per else "")
    measure = _BASE_MEASURE[base]
    if per:
        measure = "level"  # a rate of flow (元/月, 万吨/年) is an amount
    return UnitInfo(unit, measure, base_unit, MULTIPLIERS[mult] if mult else 1)


def normalise(value: float, unit: str) -> tuple[float, str]:
    """(value_base, base_unit): 3773.41 亿元 → (377341000000.0, '元'); % stays %.

    Multiplies in decimal arithmetic from the shortest decimal repr of ``value``, so
    3773.41 × 1e8 is exactly 377341000000, not 377341000000.00006.
    """
    info = unit_info(unit)
    if info.factor == 1:
        return value, info.base_unit
    exact = Decimal(repr(value)) * info.factor
    return float(exact), info.base_unit
