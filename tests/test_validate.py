"""Validation with Great Expectations, end to end on a real DuckDB file.

Clean facts are the hand-checked gold facts of the three sample reports (tests/gold: 000 开平,
001 新会, 002 江门): their headline facts, and the 公顷/亩 pairs printed in 000 and 001. Faults
are injected one per fact, and each test asserts exactly which expectations list that fact.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest

from reportflow.db import apply_schema
from reportflow.validate import ValidationSummary, validate_run
from reportflow.validation.context import EXPECTATIONS_DIR

GOLD = Path(__file__).resolve().parent / "gold"
FACT_COLUMNS = [
    "fact_id",
    "doc_id",
    "paragraph_seq",
    "page_no",
    "region",
    "period_year",
    "period_start",
    "kind",
    "indicator_code",
    "indicator",
    "measure",
    "value",
    "unit",
    "value_text",
    "value_base",
    "base_unit",
    "parts",
    "comparator",
    "aspirational",
    "chinese_numeral",
    "evidence",
    "evidence_start",
    "value_start",
    "ocr_min_conf",
    "dq_status",
]
AREA_UNITS = {"公顷", "亩", "万亩"}


# ---------------------------------------------------------------------------------------------
# Building fact rows from the gold labels


@dataclass
class Doc:
    doc_id: str
    region: str
    report_year: int
    lines: list[str] = field(default_factory=list)
    facts: list[dict[str, Any]] = field(default_factory=list)

    def add(self, evidence: str, value_text: str, **fields: Any) -> str:
        """Add a fact whose evidence is (or becomes) a paragraph of this document."""
        if not any(evidence in line for line in self.lines):
            self.lines.append(evidence)
        seq = next(i for i, line in enumerate(self.lines) if evidence in line)
        evidence_start = self.lines[seq].find(evidence)
        value_start = evidence_start + evidence.find(value_text) if value_text in evidence else evidence_start
        ordinal = sum(1 for f in self.facts if f["paragraph_seq"] == seq and f["value_start"] == value_start)
        fact_id = f"{self.doc_id}-{seq}-{value_start}-{ordinal}"
        row = {c: None for c in FACT_COLUMNS}
        row.update(
            fact_id=fact_id,
            doc_id=self.doc_id,
            paragraph_seq=seq,
            page_no=1,
            region=self.region,
            comparator="=",
            aspirational=False,
            chinese_numeral=False,
            evidence=evidence,
            evidence_start=evidence_start,
            value_start=value_start,
            value_text=value_text,
            dq_status="unchecked",
        )
        row.update(fields)
        self.facts.append(row)
        return fact_id


def _value_text(evidence: str, value: float, unit: str, rank: bool) -> str:
    """The number as printed in the evidence (+ its unit, 第 of a rank), found by its value."""
    for match in re.finditer(r"\d+(?:\.\d+)?", evidence):
        if float(match.group()) != abs(value):
            continue
        start, end = match.span()
        if rank and evidence[start - 1 : start] == "第":
            start -= 1
        if unit and evidence[end:].lstrip().startswith(unit):
            end = evidence.index(unit, end) + len(unit)
        return evidence[start:end]
    raise AssertionError(f"{value} not printed in {evidence}")


def gold_document(key: str, doc_id: str) -> Doc:
    gold = json.loads((GOLD / f"{key}.json").read_text(encoding="utf-8"))
    doc = Doc(doc_id, gold["region"], gold["report_year"])
    doc.lines = (GOLD / f"{key}.clean.txt").read_text(encoding="utf-8").splitlines()
    for h in gold["headline"]:
        rank = h["measure"] == "rank"
        if h.get("chinese_numeral"):
            value_text = next(
                q["surface"]
                for q in gold["quantities"]
                if q["value"] == h["value"] and (q["text"] in h["evidence"] or h["evidence"] in q["text"])
            )
        else:
            value_text = _value_text(h["evidence"], h["value"], h["unit"], rank)
        year = h["period_year"]
        start = None
        if isinstance(year, str):  # "2021-2024" for 年均
            start, year = (int(y) for y in year.split("-"))
        doc.add(
            h["evidence"],
            value_text,
            region=gold["region"],
            period_year=year,
            period_start=start,
            kind=h["kind"],
            indicator_code=h["indicator_code"],
            indicator=h["indicator"],
            measure=h["measure"],
            value=float(h["value"]),
            unit=h["unit"],
            comparator=h["comparator"],
            aspirational=bool(h["aspirational"]),
            chinese_numeral=bool(h.get("chinese_numeral")),
        )
    for q in gold["quantities"]:
        if q["unit"] in AREA_UNITS and not q.get("chinese_numeral"):
            doc.add(
                q["text"],
                q["surface"],
                kind=q["kind"],
                indicator="面积",
                measure="level",
                value=float(q["value"]),
                unit=q["unit"],
                period_year=gold["report_year"] if q["kind"] == "target" else gold["review_year"],
            )
    return doc


def insert(con: duckdb.DuckDBPyConnection, *docs: Doc) -> None:
    for doc in docs:
        con.execute(
            "INSERT INTO documents (doc_id, file_name, status, region, report_year) VALUES (?, ?, 'ok', ?, ?)",
            [doc.doc_id, f"{doc.doc_id}.txt", doc.region, doc.report_year],
        )
        if not doc.facts:
            continue
        placeholders = ", ".join("?" for _ in FACT_COLUMNS)
        con.executemany(
            f"INSERT INTO facts ({', '.join(FACT_COLUMNS)}) VALUES ({placeholders})",
            [[f[c] for c in FACT_COLUMNS] for f in doc.facts],
        )


def flagged_by(con: duckdb.DuckDBPyConnection, run_id: str, fact_id: str) -> set[str]:
    rows = con.execute(
        "SELECT expectation FROM dq_results WHERE run_id = ? AND list_contains(failing_fact_ids, ?)",
        [run_id, fact_id],
    ).fetchall()
    return {r[0] for r in rows}


def status(con: duckdb.DuckDBPyConnection, fact_id: str) -> str:
    return con.execute("SELECT dq_status FROM facts WHERE fact_id = ?", [fact_id]).fetchone()[0]


def in_facts_clean(con: duckdb.DuckDBPyConnection, fact_id: str) -> bool:
    return con.execute("SELECT count(*) FROM facts_clean WHERE fact_id = ?", [fact_id]).fetchone()[0] == 1


def new_warehouse(path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(path))
    apply_schema(con)  # 001_core.sql + warehouse/views/facts_clean.sql
    return con


def fact_of(doc: Doc, indicator_code: str, measure: str, kind: str) -> str:
    (fact,) = [
        f
        for f in doc.facts
        if f["indicator_code"] == indicator_code
        and f["measure"] == measure
        and f["kind"] == kind
        and not f["aspirational"]
        and f["period_start"] is None
    ]
    return fact["fact_id"]


def _tree_state(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------
# The scenario: clean samples, then injected faults


@dataclass
class Scenario:
    con: duckdb.DuckDBPyConnection
    data_docs: Path
    clean: ValidationSummary
    clean_statuses: dict[str, str]
    faults: ValidationSummary
    docs: dict[str, Doc]
    ids: dict[str, str]
    expectations_untouched: bool


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scenario]:
    tmp = tmp_path_factory.mktemp("validate")
    con = new_warehouse(tmp / "warehouse.duckdb")
    data_docs = tmp / "data_docs"
    before = _tree_state(EXPECTATIONS_DIR)

    kaiping = gold_document("000", "kaiping")
    xinhui = gold_document("001", "xinhui")
    jiangmen = gold_document("002", "jiangmen")
    # The issue's three-sector ratio (not printed in the samples' first pages).
    jiangmen.add(
        "三次产业结构比例为12.2:44.9:42.9",
        "12.2:44.9:42.9",
        kind="actual",
        period_year=2022,
        indicator="三次产业结构",
        measure="ratio",
        unit="ratio",
        parts=[12.2, 44.9, 42.9],
    )
    # Real rates above 100 %: ratios to a plan, printed in 002 and 001.
    jiangmen.add(
        "市重点项目完成投资1433.6亿元，为年度计划的123.5%",
        "123.5%",
        kind="actual",
        period_year=2022,
        indicator="市重点项目完成投资为年度计划",
        measure="rate",
        value=123.5,
        unit="%",
    )
    xinhui.add(
        "投资完成率128.8%",
        "128.8%",
        kind="actual",
        period_year=2022,
        indicator="投资完成率",
        measure="rate",
        value=128.8,
        unit="%",
    )
    insert(con, kaiping, xinhui, jiangmen)
    clean = validate_run(con, "run-clean", ["kaiping", "xinhui", "jiangmen"], data_docs)
    clean_statuses = dict(con.execute("SELECT fact_id, dq_status FROM facts").fetchall())

    ids: dict[str, str] = {}
    # A second document about 开平 (e.g. the same report's scan), carrying one fault per fact.
    faults = Doc("kaiping-faults", "开平市", 2023)
    ids["growth_350"] = faults.add(
        "规上工业增加值增长350%",
        "350%",
        kind="actual",
        period_year=2022,
        indicator_code="industrial_va",
        indicator="规上工业增加值",
        measure="growth",
        value=350.0,
        unit="%",
    )
    ids["area_ha"] = faults.add(
        "完成866.66公顷(2.3万亩)高标准农田改造提升建设任务",
        "866.66公顷",
        kind="target",
        period_year=2023,
        indicator="面积",
        measure="level",
        value=866.66,
        unit="公顷",
    )
    ids["area_mu"] = faults.add(
        "完成866.66公顷(2.3万亩)高标准农田改造提升建设任务",
        "2.3万亩",
        kind="target",
        period_year=2023,
        indicator="面积",
        measure="level",
        value=2.3,
        unit="万亩",
    )
    ids["conflict"] = faults.add(
        "地区生产总值增长3.8%",
        "3.8%",
        kind="actual",
        period_year=2022,
        indicator_code="gdp",
        indicator="地区生产总值",
        measure="growth",
        value=3.8,
        unit="%",
    )
    # OCR misread 2.0 → 2.6 at low confidence; 2.7 read correctly at high confidence.
    ids["ocr_misread"] = faults.add(
        "社会消费品零售总额增长2.6%",
        "2.6%",
        kind="actual",
        period_year=2022,
        indicator_code="retail_sales",
        indicator="社会消费品零售总额",
        measure="growth",
        value=2.6,
        unit="%",
        ocr_min_conf=41.0,
    )
    ids["ocr_good"] = faults.add(
        "规上工业增加值增长2.7%",
        "2.7%",
        kind="actual",
        period_year=2022,
        indicator_code="industrial_va",
        indicator="规上工业增加值",
        measure="growth",
        value=2.7,
        unit="%",
        ocr_min_conf=93.0,
    )
    ids["ratio_bad"] = faults.add(
        "三次产业结构比例为12.2:44.9:52.9",
        "12.2:44.9:52.9",
        kind="actual",
        period_year=2022,
        indicator="三次产业结构",
        measure="ratio",
        unit="ratio",
        parts=[12.2, 44.9, 52.9],
    )
    ids["value_vs_text"] = faults.add(
        "城镇新增就业7089人",
        "7089人",
        kind="actual",
        period_year=2022,
        indicator="城镇新增就业人数",
        measure="count",
        value=7098.0,
        unit="人",
    )
    ids["no_evidence"] = faults.add(
        "登记失业率控制在以内",
        "2.3%",
        kind="actual",
        period_year=2022,
        indicator="登记失业率",
        measure="rate",
        value=2.3,
        unit="%",
        comparator="<=",
    )
    ids["target_wrong_year"] = faults.add(
        "森林覆盖率达到51%",
        "51%",
        kind="target",
        period_year=2022,
        indicator="森林覆盖率",
        measure="rate",
        value=51.0,
        unit="%",
    )
    ids["actual_future"] = faults.add(
        "新增学前教育学位960个",
        "960个",
        kind="actual",
        period_year=2024,
        indicator="学前教育学位",
        measure="count",
        value=960.0,
        unit="个",
    )
    ids["share_over_100"] = faults.add(
        "基本医保参保率达到198%以上",
        "198%",
        kind="actual",
        period_year=2022,
        indicator="基本医保参保率",
        indicator_code="medical_insurance_rate",
        measure="rate",
        value=198.0,
        unit="%",
        comparator=">=",
    )
    ids["rank_zero"] = faults.add(
        "排全省第0",
        "第0",
        kind="actual",
        period_year=2022,
        indicator="地区生产总值排名",
        measure="rank",
        value=0.0,
        unit="",
    )
    insert(con, faults)
    fault_summary = validate_run(con, "run-faults", ["kaiping-faults"], data_docs)
    after = _tree_state(EXPECTATIONS_DIR)
    yield Scenario(
        con,
        data_docs,
        clean,
        clean_statuses,
        fault_summary,
        {"kaiping": kaiping, "xinhui": xinhui, "jiangmen": jiangmen, "faults": faults},
        ids,
        before == after,
    )
    con.close()


# ---------------------------------------------------------------------------------------------
# Clean samples


def test_clean_gold_facts_pass_every_expectation(scenario: Scenario) -> None:
    s = scenario
    n_facts = sum(len(d.facts) for k, d in s.docs.items() if k != "faults")
    assert s.clean.facts == n_facts > 60
    assert s.clean.expectations_evaluated >= 35
    failed = [(line.suite, line.name, line.note) for line in s.clean.lines if not line.success]
    assert failed == []
    assert s.clean.facts_failed == s.clean.facts_warning == 0
    assert set(s.clean_statuses.values()) == {"passed"}


def test_clean_run_writes_one_row_per_expectation_and_document(scenario: Scenario) -> None:
    rows = scenario.con.execute(
        "SELECT doc_id, count(*), count(DISTINCT expectation), bool_and(success), "
        "max(len(failing_fact_ids)) FROM dq_results WHERE run_id = 'run-clean' GROUP BY doc_id ORDER BY doc_id"
    ).fetchall()
    evaluated = scenario.clean.expectations_evaluated
    assert rows == [(d, evaluated, evaluated, True, 0) for d in ("jiangmen", "kaiping", "xinhui")]
    details = json.loads(
        scenario.con.execute(
            "SELECT details FROM dq_results WHERE run_id = 'run-clean' AND expectation = 'growth_plausible' "
            "AND doc_id = 'kaiping'"
        ).fetchone()[0]
    )
    assert details["suite"] == "facts" and details["type"] == "expect_column_values_to_be_between"
    assert details["unexpected_count"] == 0


def test_real_hectare_mu_pairs_are_checked_and_pass(scenario: Scenario) -> None:
    areas = [f for d in ("kaiping", "xinhui") for f in scenario.docs[d].facts if f["unit"] in AREA_UNITS]
    assert len(areas) == 8  # 866.66公顷(1.3万亩); 266.67公顷(4000亩), 1533.33公顷(2.3万亩), 25公顷(375亩)
    assert all(scenario.clean_statuses[f["fact_id"]] == "passed" for f in areas)


# ---------------------------------------------------------------------------------------------
# Injected faults: exactly the right expectation flags exactly the right fact


@pytest.mark.parametrize(
    ("fault", "expectations", "dq_status"),
    [
        ("growth_350", {"growth_plausible"}, "failed"),
        ("area_ha", {"clause_unit_conversions_agree"}, "failed"),
        ("area_mu", {"clause_unit_conversions_agree"}, "failed"),
        ("conflict", {"facts_agree_across_documents"}, "failed"),
        ("ocr_misread", {"ocr_confidence_sufficient", "ocr_confidence_high"}, "failed"),
        ("ocr_good", set(), "passed"),
        ("ratio_bad", {"ratio_parts_add_up_to_100"}, "failed"),
        ("value_vs_text", {"value_matches_value_text"}, "failed"),
        ("no_evidence", {"evidence_contains_value_text"}, "failed"),
        ("target_wrong_year", {"period_year_fits_report_year"}, "warning"),
        ("actual_future", {"actual_not_after_report_year", "period_year_fits_report_year"}, "failed"),
        ("rank_zero", {"rank_at_least_1"}, "failed"),
        ("share_over_100", {"rate_within_0_100"}, "failed"),
    ],
)
def test_injected_fault_is_flagged_by_the_right_expectation(
    scenario: Scenario, fault: str, expectations: set[str], dq_status: str
) -> None:
    fact_id = scenario.ids[fault]
    assert flagged_by(scenario.con, "run-faults", fact_id) == expectations
    assert status(scenario.con, fact_id) == dq_status
    assert in_facts_clean(scenario.con, fact_id) is (dq_status != "failed")
    # Failed facts stay in `facts`.
    assert scenario.con.execute("SELECT count(*) FROM facts WHERE fact_id = ?", [fact_id]).fetchone()[0] == 1


def test_each_failing_expectation_lists_only_the_injected_facts(scenario: Scenario) -> None:
    rows = scenario.con.execute(
        "SELECT expectation, failing_fact_ids FROM dq_results "
        "WHERE run_id = 'run-faults' AND doc_id = 'kaiping-faults' AND NOT success"
    ).fetchall()
    ids = scenario.ids
    assert {name: sorted(failing) for name, failing in rows} == {
        "growth_plausible": [ids["growth_350"]],
        "clause_unit_conversions_agree": sorted([ids["area_ha"], ids["area_mu"]]),
        "facts_agree_across_documents": [ids["conflict"]],
        "ocr_confidence_sufficient": [ids["ocr_misread"]],
        "ocr_confidence_high": [ids["ocr_misread"]],
        "ratio_parts_add_up_to_100": [ids["ratio_bad"]],
        "value_matches_value_text": [ids["value_vs_text"]],
        "evidence_contains_value_text": [ids["no_evidence"]],
        "period_year_fits_report_year": sorted([ids["target_wrong_year"], ids["actual_future"]]),
        "actual_not_after_report_year": [ids["actual_future"]],
        "rank_at_least_1": [ids["rank_zero"]],
        "rate_within_0_100": [ids["share_over_100"]],
    }


def test_conflict_implicates_the_other_documents_statement_of_that_fact(scenario: Scenario) -> None:
    s = scenario
    kaiping_gdp = fact_of(s.docs["kaiping"], "gdp", "growth", "actual")  # 地区生产总值同比(下同)增长2.8%
    assert flagged_by(s.con, "run-faults", kaiping_gdp) == {"facts_agree_across_documents"}
    assert status(s.con, kaiping_gdp) == "failed" and not in_facts_clean(s.con, kaiping_gdp)
    # The row for the other document is written under this run, with only that fact failing.
    row = s.con.execute(
        "SELECT success, failing_fact_ids FROM dq_results WHERE run_id = 'run-faults' AND doc_id = 'kaiping' "
        "AND expectation = 'facts_agree_across_documents'"
    ).fetchone()
    assert row == (False, [kaiping_gdp])
    # Nothing else of 开平 changed: its own-run results still hold.
    others = {
        fid: st
        for fid, st in s.con.execute(
            "SELECT fact_id, dq_status FROM facts WHERE doc_id = 'kaiping'"
        ).fetchall()
    }
    assert {fid for fid, st in others.items() if st != "passed"} == {kaiping_gdp}
    assert s.faults.other_documents == 1 and s.faults.other_facts_failed == 1


def test_unreliable_numbers_do_not_implicate_correct_statements(scenario: Scenario) -> None:
    s = scenario
    # The misread 2.6 (low OCR confidence) and the impossible 350 % contradict 开平's 2.0 and 2.7,
    # but they already failed, so 开平's facts stay passed; the correctly read 2.7 agrees.
    for code in ("retail_sales", "industrial_va"):
        fact_id = fact_of(s.docs["kaiping"], code, "growth", "actual")
        assert status(s.con, fact_id) == "passed"
        assert flagged_by(s.con, "run-faults", fact_id) == set()


def test_fault_summary_counts_and_markdown(scenario: Scenario) -> None:
    f = scenario.faults
    assert f.documents == 1 and f.facts == len(scenario.docs["faults"].facts)
    assert f.facts_failed == 11 and f.facts_warning == 1 and f.facts_passed == 1
    failed = {line.name for line in f.lines if not line.success}
    assert failed == {
        "growth_plausible",
        "clause_unit_conversions_agree",
        "facts_agree_across_documents",
        "ocr_confidence_sufficient",
        "ocr_confidence_high",
        "ratio_parts_add_up_to_100",
        "value_matches_value_text",
        "evidence_contains_value_text",
        "period_year_fits_report_year",
        "actual_not_after_report_year",
        "rank_at_least_1",
        "rate_within_0_100",
    }
    assert f.expectations_failed == 12 and f.warning_expectations_failed == 2
    assert f.expectations_passed == f.expectations_evaluated - 12
    md = f.to_markdown()
    assert "| facts | growth_plausible | error | **FAIL** | 1 | 1 |" in md
    assert "| facts | period_year_fits_report_year | warning | warn | 2 | 1 |" in md
    assert str(f.data_docs_index) in md and "CDN" in md


# ---------------------------------------------------------------------------------------------
# Data Docs and the committed context


def test_data_docs_index_is_built_and_lists_the_suites_and_runs(scenario: Scenario) -> None:
    index = scenario.faults.data_docs_index
    assert index == (scenario.data_docs / "index.html").resolve() and index.is_file()
    html = index.read_text(encoding="utf-8")
    for suite in ("facts", "facts_cross_document", "documents"):
        assert f"expectations/{suite}.html" in html
    assert "run-clean" in html and "run-faults" in html
    page = next((scenario.data_docs / "validations" / "facts" / "run-faults").rglob("*.html"))
    text = page.read_text(encoding="utf-8")
    assert "A growth rate of a headline indicator" in text  # the suite's description
    assert "350" in text  # the unexpected value is shown


def test_runs_do_not_write_into_the_committed_gx_context(scenario: Scenario) -> None:
    assert scenario.expectations_untouched


# ---------------------------------------------------------------------------------------------
# Recovery and re-runs


def test_correcting_the_conflicting_document_clears_the_other_document(tmp_path: Path) -> None:
    con = new_warehouse(tmp_path / "w.duckdb")
    kaiping = gold_document("000", "kaiping")
    scan = Doc("kaiping-scan", "开平市", 2023)
    scan_gdp = scan.add(
        "地区生产总值增长3.8%",
        "3.8%",
        kind="actual",
        period_year=2022,
        indicator_code="gdp",
        indicator="地区生产总值",
        measure="growth",
        value=3.8,
        unit="%",
        ocr_min_conf=95.0,
    )
    scan_jobs = scan.add(
        "城镇新增就业7089人",
        "7089人",
        kind="actual",
        period_year=2022,
        indicator_code="urban_jobs",
        indicator="城镇新增就业",
        measure="level",
        value=7089.0,
        unit="人",
        ocr_min_conf=96.0,
    )
    insert(con, kaiping, scan)
    kaiping_gdp = fact_of(kaiping, "gdp", "growth", "actual")
    first = validate_run(con, "r1", ["kaiping"], None)
    # The scan is in the warehouse (loaded, not yet validated): it is compared all the same,
    # and its conflicting fact is failed as an implicated other document; its other fact was
    # never checked by the facts suite and stays 'unchecked' (not 'passed').
    assert first.other_documents == 1 and first.other_facts_failed == 1
    assert status(con, scan_gdp) == status(con, kaiping_gdp) == "failed"
    assert status(con, scan_jobs) == "unchecked"
    assert first.data_docs_index is None

    # The scan is re-read correctly and re-loaded (same fact id), then validated again.
    con.execute(
        "UPDATE facts SET value = 2.8, value_text = '2.8%', evidence = '地区生产总值增长2.8%' WHERE fact_id = ?",
        [scan_gdp],
    )
    validate_run(con, "r3", ["kaiping-scan"], None)
    assert status(con, scan_gdp) == status(con, kaiping_gdp) == status(con, scan_jobs) == "passed"
    assert flagged_by(con, "r3", kaiping_gdp) == set()


def test_rerunning_a_run_id_replaces_its_rows(tmp_path: Path) -> None:
    con = new_warehouse(tmp_path / "w.duckdb")
    insert(con, gold_document("001", "xinhui"))
    first = validate_run(con, "same-run", ["xinhui"], None)
    validate_run(con, "same-run", ["xinhui"], None)
    count = con.execute("SELECT count(*) FROM dq_results WHERE run_id = 'same-run'").fetchone()[0]
    assert count == first.dq_result_rows == first.expectations_evaluated


def test_a_document_without_facts_region_or_year_gets_document_warnings(tmp_path: Path) -> None:
    con = new_warehouse(tmp_path / "w.duckdb")
    insert(con, Doc("no-facts", None, None))  # type: ignore[arg-type]
    summary = validate_run(con, "r", ["no-facts"], None)
    assert summary.facts == 0
    assert summary.dq_result_rows == summary.expectations_evaluated > 0
    failed = {line.name for line in summary.lines if not line.success}
    assert failed == {"region_known", "report_year_known"}
    assert summary.error_expectations_failed == 0
    rows = con.execute(
        "SELECT expectation, severity, failing_fact_ids FROM dq_results WHERE NOT success ORDER BY 1"
    ).fetchall()
    assert rows == [("region_known", "warning", []), ("report_year_known", "warning", [])]


def test_no_documents_is_an_empty_summary(tmp_path: Path) -> None:
    con = new_warehouse(tmp_path / "w.duckdb")
    summary = validate_run(con, "empty", [], None)
    assert (summary.documents, summary.facts, summary.expectations_evaluated) == (0, 0, 0)
    assert con.execute("SELECT count(*) FROM dq_results").fetchone()[0] == 0
