"""The committed GX context under expectations/ is complete and agrees with the code.

The suites are hand-maintained JSON; these tests catch a suite that drifted from the warehouse
schema, the fact model or the indicator catalogue, or an expectation without a name, severity
or threshold.
"""

from __future__ import annotations

import json
import typing
from pathlib import Path

import duckdb
import pytest

from reportflow import models
from reportflow.db import apply_schema
from reportflow.validation.context import EXPECTATIONS_DIR, open_context

SUITES = ("facts", "facts_cross_document", "documents")


def suite_json(name: str) -> dict:
    return json.loads((EXPECTATIONS_DIR / "expectations" / f"{name}.json").read_text(encoding="utf-8"))


def by_name(suite: str) -> dict[str, dict]:
    return {e["meta"]["name"]: e for e in suite_json(suite)["expectations"]}


def test_every_expectation_has_a_unique_name_a_severity_and_a_description() -> None:
    names = [e["meta"]["name"] for s in SUITES for e in suite_json(s)["expectations"]]
    assert len(names) == len(set(names)), "dq_results keys expectations by meta.name"
    for suite in SUITES:
        for e in suite_json(suite)["expectations"]:
            assert e["severity"] in {"critical", "warning"}, e["meta"]["name"]
            # Data Docs put the description into HTML unescaped: no '<'.
            assert e["description"] and "<" not in e["description"], e["meta"]["name"]


def test_the_context_loads_every_suite_checkpoint_and_custom_expectation() -> None:
    context = open_context(None)
    for suite in SUITES:
        loaded = context.suites.get(suite)
        assert len(loaded.expectations) == len(suite_json(suite)["expectations"])
        checkpoint = context.checkpoints.get(suite)
        (definition,) = checkpoint.validation_definitions
        assert definition.suite.name == suite
        assert checkpoint.result_format["result_format"] == "COMPLETE"
        assert "doc_id" in checkpoint.result_format["unexpected_index_column_names"]


def test_thresholds_live_in_the_suite_json() -> None:
    facts = by_name("facts")
    assert facts["ocr_confidence_sufficient"]["kwargs"]["min_value"] > 30  # above ocr.REPAIRED_CONF
    assert (
        facts["growth_plausible"]["kwargs"]["min_value"],
        facts["growth_plausible"]["kwargs"]["max_value"],
    ) == (-50, 100)
    assert facts["clause_unit_conversions_agree"]["kwargs"]["unit_factors"]["公顷"] == 15
    assert facts["ratio_parts_add_up_to_100"]["kwargs"]["total"] == 100
    assert facts["period_year_fits_report_year"]["kwargs"]["max_span_years"] > 0
    cross = by_name("facts_cross_document")["facts_agree_across_documents"]["kwargs"]
    assert 0 < cross["approx_relative_tolerance"] < 0.5


def test_allowed_sets_match_the_fact_model() -> None:
    facts = by_name("facts")
    assert set(facts["kind_allowed"]["kwargs"]["value_set"]) == set(typing.get_args(models.FactKind))
    assert set(facts["measure_allowed"]["kwargs"]["value_set"]) == set(typing.get_args(models.Measure))
    assert set(facts["comparator_allowed"]["kwargs"]["value_set"]) == set(typing.get_args(models.Comparator))


def test_indicator_codes_match_the_indicator_catalogue() -> None:
    indicators = pytest.importorskip("reportflow.facts.indicators")
    catalogue = {entry.code for entry in indicators.indicator_table()}
    assert set(by_name("facts")["indicator_code_known"]["kwargs"]["value_set"]) == catalogue


def test_schema_expectation_matches_the_warehouse_facts_table(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    apply_schema(con)
    columns = [r[0] for r in con.execute("DESCRIBE facts").fetchall()]
    expected = by_name("facts")["facts_schema"]["kwargs"]["column_set"]
    assert sorted(expected) == sorted([*columns, "report_year"])


def _measures_in(condition: dict) -> set[str]:
    if condition["type"] == "and":
        return set().union(*(_measures_in(c) for c in condition["conditions"]))
    if (
        condition["type"] == "comparison"
        and condition["column"]["name"] == "measure"
        and condition["operator"] == "=="
    ):
        return {condition["parameter"]}
    return set()


def test_measure_ranges_cover_the_measures_the_issue_names() -> None:
    range_types = {"expect_column_values_to_be_between", "expect_share_values_to_be_between"}
    measures = set().union(
        *(
            _measures_in(e["kwargs"]["row_condition"])
            for e in by_name("facts").values()
            if e["type"] in range_types and "row_condition" in e["kwargs"]
        )
    )
    assert {"growth", "rate", "rank", "count"} <= measures
