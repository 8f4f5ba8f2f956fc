"""The arithmetic behind reportflow's custom Great Expectations checks, as plain functions.

The GX metrics in ``reportflow.validation.gx_custom`` call these row by row or group by group;
keeping the logic here makes it testable without GX and keeps the metric classes thin.

Rounding is judged from the digits as printed: ``866.66`` can stand for anything within
±0.005, ``1.3万`` for anything within ±0.05万. Every tolerance below is built from that.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?")
_YEAR = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*(?:年|[-—–~～至到]\s*(?:(?:19|20)\d{2}|\d{2})\s*年))")
# A year that is only the base of a comparison (比2012年翻一番, 是2021年新增量的18.5倍) is not
# the fact's own period.
_BASE_YEAR_BEFORE = re.compile(r"(?:比|较|与|同|相比|对比|是|为|相当于)\s*$")
# What may stand between a value and its conversion in brackets: 866.66公顷(1.3万亩), 1.3万亩（约866.66公顷）.
_CONVERSION_GAP = re.compile(r"^\s*[（(]\s*(?:约|合|折合|即|共)?\s*$")

_EPSILON = 1e-9


def printed_numbers(text: str | None) -> list[str]:
    """The Arabic numbers written in ``text``, as written ('3,773.41' → '3,773.41')."""
    if not text:
        return []
    return _NUMBER.findall(text.replace(" ", ""))


def number_value(number: str) -> float:
    return float(number.replace(",", ""))


def half_unit(number: str) -> float:
    """Half of the last printed digit's place: '866.66' → 0.005, '4000' → 0.5."""
    decimals = len(number.split(".", 1)[1]) if "." in number else 0
    return 0.5 * 10.0 ** (-decimals)


def is_missing(value: object) -> bool:
    """True for None, NaN, NaT and pandas' NA (all mean 'no value' in the frames we validate)."""
    if value is None:
        return True
    if isinstance(value, (str, list, tuple, dict, np.ndarray)):
        return False  # text, or a list of ratio parts
    return bool(pd.isna(value))


# ---------------------------------------------------------------------------------------------
# Per-row checks


def value_agrees_with_text(
    value: float | None, value_text: str | None, parts: Sequence[float] | None, chinese_numeral: bool
) -> bool:
    """The stored number equals the digits as written (the sign is carried by words: 下降0.8%)."""
    if chinese_numeral or is_missing(value_text):
        return True  # 千亿, 两个: no Arabic digits to compare with
    numbers = printed_numbers(value_text)
    if parts is not None and not is_missing_sequence(parts):
        written = [number_value(n) for n in numbers]
        return len(written) == len(parts) and all(
            math.isclose(w, float(p), rel_tol=0, abs_tol=_EPSILON)
            for w, p in zip(written, parts, strict=True)
        )
    if is_missing(value):
        return False  # a non-ratio fact without a value cannot agree with its text
    if not numbers:
        return False  # value_text claims Arabic digits (not a Chinese numeral) but has none
    return math.isclose(abs(float(value)), number_value(numbers[0]), rel_tol=0, abs_tol=_EPSILON)


def is_missing_sequence(parts: object) -> bool:
    if parts is None:
        return True
    try:
        return len(parts) == 0  # type: ignore[arg-type]
    except TypeError:
        return is_missing(parts)


def ratio_parts_add_up(
    parts: Sequence[float] | None, value_text: str | None, total: float, min_parts: int, min_sum: float
) -> bool:
    """Shares of a whole (三次产业比 12.2:44.9:42.9) add up to ``total`` within their rounding.

    Ratios with fewer than ``min_parts`` terms, or whose terms add up to less than ``min_sum``
    (1:1 配套, 1:2:3), are not shares of a whole and are not judged.
    """
    if is_missing_sequence(parts):
        return True  # a ratio without parts is caught by the not-null expectation
    values = [float(p) for p in parts]  # type: ignore[union-attr]
    if len(values) < min_parts or sum(values) < min_sum:
        return True
    numbers = printed_numbers(value_text)
    if len(numbers) == len(values):
        tolerance = sum(half_unit(n) for n in numbers)
    else:  # value_text does not spell the parts out: judge from the stored floats
        tolerance = sum(half_unit(repr(v)) for v in values)
    return abs(sum(values) - total) <= tolerance + _EPSILON


def share_in_range(
    value: float | None,
    indicator: str | None,
    evidence: str | None,
    value_text: str | None,
    min_value: float,
    max_value: float,
    exempt: re.Pattern[str],
) -> bool:
    """A rate or share lies in [min_value, max_value]; a ratio to a plan or reference
    (投资完成率128.8%, 为年度计划的123.5%) may exceed max_value but not fall below min_value.

    ``exempt`` is searched in the indicator and in the 12 characters before the value.
    """
    if is_missing(value):
        return True
    v = float(value)  # type: ignore[arg-type]
    if v < min_value:
        return False
    if v <= max_value:
        return True
    before = ""
    if evidence and value_text and value_text in evidence:
        before = evidence[: evidence.index(value_text)][-12:]
    return bool(exempt.search(indicator or "") or exempt.search(before))


def whole_after_unit(value: float | None, unit: str | None, multipliers: Mapping[str, float]) -> bool:
    """A count or rank is a whole number once a 万/亿 prefix of its unit is applied (4.5万人 is whole)."""
    if is_missing(value):
        return True
    factor = 1.0
    for prefix, multiplier in sorted(multipliers.items(), key=lambda kv: -len(kv[0])):
        if unit and unit.startswith(prefix):
            factor = multiplier
            break
    scaled = float(value) * factor  # type: ignore[arg-type]
    return abs(scaled - round(scaled)) <= 1e-6 * max(1.0, abs(scaled))


def years_named(evidence: str | None) -> set[int]:
    """Years the clause names as periods: 2022年, 2021-2025年; not bases of comparison (比2012年)."""
    if not evidence:
        return set()
    years = set()
    for match in _YEAR.finditer(evidence):
        if _BASE_YEAR_BEFORE.search(evidence[: match.start()]):
            continue
        years.add(int(match.group(1)))
    return years


def period_consistent(
    kind: str | None,
    period_year: int | None,
    period_start: int | None,
    report_year: int | None,
    evidence: str | None,
    max_span_years: int,
) -> bool:
    """A fact's year fits the report: targets for the report year, actuals for the year before.

    Exceptions, as the text says otherwise: a multi-year span (period_start set) must be a
    plausible span; a clause that names years must name the fact's own year.
    """
    if is_missing(period_year) or is_missing(report_year) or is_missing(kind):
        return True  # nothing to compare; missing report years are a documents-suite warning
    year = int(period_year)  # type: ignore[arg-type]
    if not is_missing(period_start):
        start = int(period_start)  # type: ignore[arg-type]
        return start <= year and year - start <= max_span_years
    named = years_named(evidence)
    if named:
        return year in named
    expected = int(report_year) if kind == "target" else int(report_year) - 1  # type: ignore[arg-type]
    return year == expected


# ---------------------------------------------------------------------------------------------
# Unit conversions stated in one clause: 866.66公顷(1.3万亩)


@dataclass(frozen=True, slots=True)
class Quantity:
    """One fact of a clause, as far as the conversion check needs it."""

    row: int
    """Position of the fact in the frame (an index label)."""
    value: float
    unit: str
    value_text: str
    position: int
    """Offset of value_text in the evidence."""


def position_in_evidence(
    evidence: str, value_text: str, value_start: int | None, evidence_start: int | None
) -> int:
    """Where value_text sits in the evidence: from the stored offsets when they agree, else found."""
    if not is_missing(value_start) and not is_missing(evidence_start):
        offset = int(value_start) - int(evidence_start)  # type: ignore[arg-type]
        if 0 <= offset and evidence[offset : offset + len(value_text)] == value_text:
            return offset
    return evidence.find(value_text)


def conversion_pairs(evidence: str, quantities: Sequence[Quantity], unit_factors: Mapping[str, float]):
    """Adjacent quantities in convertible units where the second one is the first in brackets."""
    ordered = sorted(
        (q for q in quantities if q.unit in unit_factors and q.position >= 0), key=lambda q: q.position
    )
    for first, second in pairwise(ordered):
        if unit_factors[first.unit] == unit_factors[second.unit]:
            continue  # same unit twice is not a conversion
        gap = evidence[first.position + len(first.value_text) : second.position]
        if _CONVERSION_GAP.match(gap):
            yield first, second


def conversion_agrees(first: Quantity, second: Quantity, unit_factors: Mapping[str, float]) -> bool:
    """Both sides, in the common unit, agree within the rounding of their printed digits."""
    a = first.value * unit_factors[first.unit]
    b = second.value * unit_factors[second.unit]
    tolerance = sum(
        half_unit(numbers[0]) * unit_factors[q.unit]
        for q in (first, second)
        if (numbers := printed_numbers(q.value_text))
    )
    return abs(a - b) <= tolerance + _EPSILON * max(1.0, abs(a))


# ---------------------------------------------------------------------------------------------
# Cross-document agreement


@dataclass(frozen=True, slots=True)
class Statement:
    """One fact as the cross-document check compares it."""

    row: int
    doc_id: str
    value: float
    unit: str
    comparator: str
    half_unit: float
    """Rounding of the printed value, in ``unit``."""
    base_value: float | None = None
    base_unit: str | None = None

    def in_base(self) -> Statement | None:
        """The same statement in the base unit (亿元 → 元), or None without a base value."""
        if self.base_value is None or not self.base_unit or self.value == 0:
            return None
        scale = abs(self.base_value / self.value)
        return Statement(
            self.row, self.doc_id, self.base_value, self.base_unit, self.comparator, self.half_unit * scale
        )


def statement_interval(statement: Statement, approx_relative_tolerance: float) -> tuple[float, float]:
    """The values a statement allows: 6.0% → [5.95, 6.05], 6%以上 → [6, ∞), 约6% → ±tolerance.

    A bound (以上, 以内) is a promise about the number itself, not a rounded measurement, so
    it gets no rounding margin.
    """
    v, r = statement.value, statement.half_unit
    if statement.comparator == ">=":
        return v, math.inf
    if statement.comparator == "<=":
        return -math.inf, v
    if statement.comparator == "~":
        spread = abs(v) * approx_relative_tolerance
        return v - spread - r, v + spread + r
    return v - r, v + r


def statements_agree(a: Statement, b: Statement, approx_relative_tolerance: float) -> bool:
    """Some value is allowed by both statements (compared in their unit, else in a common base unit).

    The intervals must overlap by more than a point: 第4 ([3.5, 4.5]) and 第5 ([4.5, 5.5]) disagree.
    """
    if a.unit != b.unit:
        base_a, base_b = a.in_base(), b.in_base()
        if base_a is None or base_b is None or base_a.unit != base_b.unit:
            return True  # not comparable: no evidence of a conflict
        a, b = base_a, base_b
    lo_a, hi_a = statement_interval(a, approx_relative_tolerance)
    lo_b, hi_b = statement_interval(b, approx_relative_tolerance)
    lo, hi = max(lo_a, lo_b), min(hi_a, hi_b)
    return lo < hi - _EPSILON * max(1.0, abs(lo) if math.isfinite(lo) else 1.0)


def disagreeing_statements(statements: Sequence[Statement], approx_relative_tolerance: float) -> set[int]:
    """Rows of one key group (same region, period, indicator, measure, kind) that other
    documents contradict.

    A document contradicts a statement when none of its own statements of that fact agrees
    with it. The statement is flagged when at least as many documents contradict it as support
    it (its own included): one against one flags both sides, since nothing says which is
    right; two documents agreeing against a third flag only the third.
    """
    by_doc: dict[str, list[Statement]] = {}
    for s in statements:
        by_doc.setdefault(s.doc_id, []).append(s)
    if len(by_doc) < 2:
        return set()
    flagged: set[int] = set()
    for s in statements:
        supporters = 1
        contradictors = 0
        for other_doc, others in by_doc.items():
            if other_doc == s.doc_id:
                continue
            if any(statements_agree(s, o, approx_relative_tolerance) for o in others):
                supporters += 1
            else:
                contradictors += 1
        if contradictors and contradictors >= supporters:
            flagged.add(s.row)
    return flagged
