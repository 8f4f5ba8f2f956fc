"""reportflow's custom Great Expectations (GX Core 1.x), pandas only.

Why custom map expectations: the cross-row checks (a 公顷/亩 pair in one clause, one fact stated
by two documents) must be GX expectations so that their results, unexpected rows and Data Docs
pages come out of GX like every other check. GX's ``UnexpectedRowsExpectation`` needs a SQL
datasource, and GX 1.24's SQL datasource on DuckDB fails every metric (GX issues #10738,
#11579), so we validate pandas frames read from DuckDB. A pandas ``multicolumn_condition_partial``
receives the whole column group of the batch, which lets one metric look across rows (group by
clause, by fact key) and still answer per row, so GX reports exactly which facts are unexpected.

Importing this module registers the expectations and their metrics with GX; the suite JSON
under ``expectations/`` refers to them by their snake_case names. Their parameters have no
defaults on purpose: GX leaves default values out of the suite JSON, and every threshold must be
visible and editable there.
"""

from __future__ import annotations

import re
from typing import ClassVar, Literal

import pandas as pd
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import (
    ColumnPairMapExpectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metrics.map_metric_provider import (
    ColumnPairMapMetricProvider,
    MulticolumnMapMetricProvider,
    column_pair_condition_partial,
    multicolumn_condition_partial,
)

from reportflow.validation import rules

_MULTICOLUMN_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_list",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)
_COLUMN_PAIR_DOMAIN_KEYS = (
    "batch_id",
    "table",
    "column_A",
    "column_B",
    "row_condition",
    "condition_parser",
    "ignore_row_if",
)


def _rows(frame: pd.DataFrame) -> list[dict[str, object]]:
    """The frame's rows as dicts, with None for every flavour of missing (None, NaN, pd.NA)."""
    columns = []
    for name in frame.columns:
        series = frame[name]
        missing = series.isna().to_numpy()
        columns.append([None if m else v for v, m in zip(series.tolist(), missing, strict=True)])
    names = list(frame.columns)
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


# ---------------------------------------------------------------------------------------------
# evidence contains value_text


class ColumnPairValuesASubstringOfB(ColumnPairMapMetricProvider):
    condition_metric_name = "reportflow_column_pair_values.a_substring_of_b"
    condition_domain_keys = _COLUMN_PAIR_DOMAIN_KEYS
    condition_value_keys = ()

    @column_pair_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_A: pd.Series, column_B: pd.Series, **kwargs) -> pd.Series:
        return pd.Series(
            [
                isinstance(a, str) and isinstance(b, str) and a in b
                for a, b in zip(column_A, column_B, strict=True)
            ],
            index=column_A.index,
        )


class ExpectColumnPairValuesAToBeSubstringOfB(ColumnPairMapExpectation):
    """Each value of column_A occurs verbatim inside the value of column_B on the same row."""

    map_metric = "reportflow_column_pair_values.a_substring_of_b"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "ignore_row_if")
    ignore_row_if: Literal["both_values_are_missing", "either_value_is_missing", "neither"] = "neither"


# ---------------------------------------------------------------------------------------------
# value agrees with the digits of value_text


class FactValueMatchesText(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_fact.value_matches_text"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ()

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs) -> pd.Series:
        return pd.Series(
            [
                rules.value_agrees_with_text(
                    r["value"], r["value_text"], r["parts"], bool(r["chinese_numeral"])
                )
                for r in _rows(column_list)
            ],
            index=column_list.index,
        )


class ExpectFactValuesToMatchValueText(MulticolumnMapExpectation):
    """value (or parts) equals the number(s) printed in value_text. Columns: value, value_text,
    parts, chinese_numeral."""

    map_metric = "reportflow_fact.value_matches_text"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# ratio parts add up to 100


class RatioPartsAddUp(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_ratio.parts_add_up"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("total", "min_parts", "min_sum")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls, column_list: pd.DataFrame, total: float, min_parts: int, min_sum: float, **kwargs
    ) -> pd.Series:
        return pd.Series(
            [
                rules.ratio_parts_add_up(r["parts"], r["value_text"], total, min_parts, min_sum)
                for r in _rows(column_list)
            ],
            index=column_list.index,
        )


class ExpectRatioPartsToAddUp(MulticolumnMapExpectation):
    """The parts of a ratio that divides a whole (三次产业比 12.2:44.9:42.9) add up to ``total``
    within the rounding of their printed digits. Columns: parts, value_text."""

    map_metric = "reportflow_ratio.parts_add_up"
    total: float
    min_parts: int
    min_sum: float
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "total", "min_parts", "min_sum")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# rates and shares within 0-100 % (ratios to a plan may exceed 100)


class ShareInRange(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_share.in_range"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("min_value", "max_value", "exempt_pattern")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(
        cls, column_list: pd.DataFrame, min_value: float, max_value: float, exempt_pattern: str, **kwargs
    ) -> pd.Series:
        exempt = re.compile(exempt_pattern)
        return pd.Series(
            [
                rules.share_in_range(
                    r["value"], r["indicator"], r["evidence"], r["value_text"], min_value, max_value, exempt
                )
                for r in _rows(column_list)
            ],
            index=column_list.index,
        )


class ExpectShareValuesToBeBetween(MulticolumnMapExpectation):
    """A rate or share lies between min_value and max_value; where ``exempt_pattern`` matches
    the indicator or the words just before the value (完成率, 为年度计划的), it may exceed
    max_value. Columns: value, indicator, evidence, value_text."""

    map_metric = "reportflow_share.in_range"
    min_value: float
    max_value: float
    exempt_pattern: str
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "min_value", "max_value", "exempt_pattern")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# counts and ranks are whole numbers


class CountIsWhole(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_count.is_whole"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("unit_multipliers",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, unit_multipliers: dict[str, float], **kwargs) -> pd.Series:
        return pd.Series(
            [rules.whole_after_unit(r["value"], r["unit"], unit_multipliers) for r in _rows(column_list)],
            index=column_list.index,
        )


class ExpectCountValuesToBeWhole(MulticolumnMapExpectation):
    """value × the multiplier of its unit's prefix (万人 → 10000) is a whole number.
    Columns: value, unit."""

    map_metric = "reportflow_count.is_whole"
    unit_multipliers: dict[str, float]
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "unit_multipliers")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# period_year fits the report year


class PeriodFitsReport(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_fact.period_fits_report"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("max_span_years",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, max_span_years: int, **kwargs) -> pd.Series:
        return pd.Series(
            [
                rules.period_consistent(
                    r["kind"],
                    r["period_year"],
                    r["period_start"],
                    r["report_year"],
                    r["evidence"],
                    max_span_years,
                )
                for r in _rows(column_list)
            ],
            index=column_list.index,
        )


class ExpectPeriodYearToFitReportYear(MulticolumnMapExpectation):
    """Targets are for the report year, actuals for the year before, unless the fact spans
    several years or its clause names its own year. Columns: kind, period_year, period_start,
    report_year, evidence."""

    map_metric = "reportflow_fact.period_fits_report"
    max_span_years: int
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "max_span_years")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# unit conversions within one clause agree


class ClauseConversionsAgree(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_clause.conversions_agree"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("unit_factors",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, unit_factors: dict[str, float], **kwargs) -> pd.Series:
        ok = pd.Series(True, index=column_list.index)
        # Only clauses holding a convertible unit can fail; group those rows by clause.
        candidates = column_list[column_list["unit"].isin(list(unit_factors))]
        clauses: dict[tuple[object, ...], list[tuple[object, dict[str, object]]]] = {}
        for label, r in zip(candidates.index, _rows(candidates), strict=True):
            clauses.setdefault((r["doc_id"], r["paragraph_seq"], r["evidence"]), []).append((label, r))
        for (_, _, evidence), members in clauses.items():
            if len(members) < 2 or not isinstance(evidence, str):
                continue
            quantities = [
                rules.Quantity(
                    label,
                    float(r["value"]),
                    r["unit"],
                    r["value_text"],  # type: ignore[arg-type]
                    rules.position_in_evidence(
                        evidence, r["value_text"], r["value_start"], r["evidence_start"]
                    ),  # type: ignore[arg-type]
                )
                for label, r in members
                if r["value"] is not None and r["value_text"]
            ]
            for first, second in rules.conversion_pairs(evidence, quantities, unit_factors):
                if not rules.conversion_agrees(first, second, unit_factors):
                    ok[first.row] = False
                    ok[second.row] = False
        return ok


class ExpectClauseUnitConversionsToAgree(MulticolumnMapExpectation):
    """Where a clause states a quantity and its conversion in brackets (866.66公顷(1.3万亩)),
    both agree within the rounding of their printed digits; ``unit_factors`` gives each unit in a
    common unit (亩). Columns: doc_id, paragraph_seq, evidence, value, unit, value_text,
    value_start, evidence_start."""

    map_metric = "reportflow_clause.conversions_agree"
    unit_factors: dict[str, float]
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "unit_factors")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


# ---------------------------------------------------------------------------------------------
# the same fact stated by two documents agrees

FACT_KEY = ("region", "period_year", "period_start", "indicator_code", "measure", "kind", "aspirational")


def _statement(label: int, r: dict[str, object]) -> rules.Statement | None:
    if r["value"] is None:
        return None
    numbers = rules.printed_numbers(r["value_text"])  # type: ignore[arg-type]
    half = rules.half_unit(numbers[0]) if numbers and not r["chinese_numeral"] else 0.5
    return rules.Statement(
        row=label,
        doc_id=str(r["doc_id"]),
        value=float(r["value"]),  # type: ignore[arg-type]
        unit=str(r["unit"] or ""),
        comparator=str(r["comparator"] or "="),
        half_unit=half,
        base_value=float(r["value_base"]) if r["value_base"] is not None else None,  # type: ignore[arg-type]
        base_unit=r["base_unit"],  # type: ignore[arg-type]
    )


class FactsAgreeAcrossDocuments(MulticolumnMapMetricProvider):
    condition_metric_name = "reportflow_facts.agree_across_documents"
    condition_domain_keys = _MULTICOLUMN_DOMAIN_KEYS
    condition_value_keys = ("approx_relative_tolerance",)

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, approx_relative_tolerance: float, **kwargs) -> pd.Series:
        ok = pd.Series(True, index=column_list.index)
        groups: dict[tuple[object, ...], list[rules.Statement]] = {}
        for label, r in zip(column_list.index, _rows(column_list), strict=True):
            # A fact without region, year or indicator code has no identity to compare on.
            if any(r[k] is None for k in ("region", "period_year", "indicator_code", "measure", "kind")):
                continue
            statement = _statement(label, r)
            if statement is not None:
                key = tuple(bool(r[k]) if k == "aspirational" else r[k] for k in FACT_KEY)
                groups.setdefault(key, []).append(statement)
        for statements in groups.values():
            for label in rules.disagreeing_statements(statements, approx_relative_tolerance):
                ok[label] = False
        return ok


class ExpectFactsToAgreeAcrossDocuments(MulticolumnMapExpectation):
    """Facts with the same region, period, indicator, measure, kind and aspiration stated by
    different documents agree (within printed rounding; ``approx_relative_tolerance`` for 约/左右).
    A fact is unexpected when another document states that fact and none of its values agrees.
    Columns: doc_id, the key columns, value, unit, value_text, comparator, value_base, base_unit,
    chinese_numeral."""

    map_metric = "reportflow_facts.agree_across_documents"
    approx_relative_tolerance: float
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "approx_relative_tolerance")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "never"


CUSTOM_EXPECTATIONS = (
    ExpectColumnPairValuesAToBeSubstringOfB,
    ExpectFactValuesToMatchValueText,
    ExpectRatioPartsToAddUp,
    ExpectShareValuesToBeBetween,
    ExpectCountValuesToBeWhole,
    ExpectPeriodYearToFitReportYear,
    ExpectClauseUnitConversionsToAgree,
    ExpectFactsToAgreeAcrossDocuments,
)
