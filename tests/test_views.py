"""The analysts' views (warehouse/views/*.sql), the comments and the README's example queries,
on a warehouse loaded from the hand-checked gold facts of the three sample texts."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from views_fixtures import (
    FAILING_EXPECTATION,
    GOLD,
    GOLD_FILES,
    SYNTHETIC_2024_FILE,
    BuiltWarehouse,
    build_gold_warehouse,
    gold,
    load_text_document,
)

from reportflow import db as warehouse_db
from reportflow.dictionary import (
    README,
    data_dictionary,
    dictionary_markdown,
    fresh_schema_dictionary,
    generated_section,
    undocumented,
)
from reportflow.models import DocumentContext, Fact, Paragraph

VIEWS = ("facts_clean", "fact_sources", "indicators_wide", "targets_vs_actuals")
KEY = ("region", "period_year", "period_start", "indicator_code", "measure", "kind")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_gold_warehouse(tmp_path_factory.mktemp("views"))


@pytest.fixture()
def con(built: BuiltWarehouse):
    connection = duckdb.connect(str(built.path), read_only=True)
    yield connection
    connection.close()


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def clean_text(file_name: str) -> str:
    doc = next(k for k, v in GOLD_FILES.items() if v == file_name)
    return (GOLD / f"{doc}.clean.txt").read_text(encoding="utf-8")


# --- schema, comments, dictionary --------------------------------------------------------


def test_schema_applies_twice_and_every_object_and_column_is_commented() -> None:
    con = duckdb.connect()
    warehouse_db.apply_schema(con)
    warehouse_db.apply_schema(con)  # idempotent: views replaced, comments re-applied
    docs = data_dictionary(con)
    names = {d.name for d in docs}
    assert set(VIEWS) <= names
    assert set(warehouse_db.DATA_TABLES) | {"runs", "dq_results"} <= names
    assert undocumented(docs) == []


def test_readme_dictionary_is_generated_from_the_current_comments() -> None:
    expected = dictionary_markdown(fresh_schema_dictionary())
    assert generated_section(README.read_text(encoding="utf-8")) == expected, (
        "warehouse/README.md is stale: run `python -m reportflow.dictionary --write`"
    )


def test_every_readme_sql_block_runs_and_returns_rows(con: duckdb.DuckDBPyConnection) -> None:
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) >= 8
    for block in blocks:
        result = con.sql(block).fetchall()
        assert result, f"README query returned no rows on the sample warehouse:\n{block}"


# --- indicators_wide -----------------------------------------------------------------------


def test_indicators_wide_has_one_row_per_key(con: duckdb.DuckDBPyConnection) -> None:
    keys = ", ".join(KEY)
    duplicates = con.execute(
        f"SELECT {keys}, count(*) FROM indicators_wide GROUP BY ALL HAVING count(*) > 1"
    ).fetchall()
    assert duplicates == []
    total = con.execute("SELECT count(*) FROM indicators_wide").fetchone()[0]
    distinct_keys = con.execute(
        f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM facts_clean WHERE indicator_code IS NOT NULL)"
    ).fetchone()[0]
    assert total == distinct_keys > 50


def test_indicators_wide_rows_match_the_texts(con: duckdb.DuckDBPyConnection) -> None:
    """Every row's evidence is verbatim in its document, states value_text, and value_text's
    digits are the value's."""
    for row in rows(con, "SELECT * FROM indicators_wide WHERE file_name <> ?", [SYNTHETIC_2024_FILE]):
        text = clean_text(row["file_name"])
        assert row["evidence"] in text
        assert row["value_text"] in row["evidence"]
        digits = re.search(r"\d+(?:\.\d+)?", row["value_text"])
        if digits:  # Chinese numerals (千亿) have none
            assert float(digits.group()) == abs(row["value"]), row


def test_indicators_wide_spot_checks_against_gold(con: duckdb.DuckDBPyConnection) -> None:
    jiangmen_gdp_target = rows(
        con,
        "SELECT * FROM indicators_wide WHERE region = '江门市' AND indicator_code = 'gdp' AND measure = 'growth' "
        "AND kind = 'target' AND period_year = 2023",
    )
    assert len(jiangmen_gdp_target) == 1
    row = jiangmen_gdp_target[0]
    # 地区生产总值增长6%以上、力争7%以上: firm 6 (>=), stretch 7 (>=)
    assert (row["value"], row["comparator"], row["aspirational"]) == (6.0, ">=", False)
    assert (row["aspirational_value"], row["aspirational_comparator"]) == (7.0, ">=")
    assert row["statements"] == 2 and row["distinct_values"] == 1

    # 下降0.8% is stored signed.
    fai = rows(con, "SELECT value, unit FROM indicators_wide WHERE region = '江门市' AND indicator_code = 'fai' "
               "AND measure = 'growth' AND period_year = 2022")
    assert fai == [{"value": -0.8, "unit": "%"}]

    # 新会冲刺千亿GDP强区: only an aspirational figure, so it is the value itself.
    xinhui_level = rows(con, "SELECT value, unit, aspirational FROM indicators_wide WHERE region = '新会区' "
                        "AND indicator_code = 'gdp' AND measure = 'level' AND kind = 'target'")
    assert xinhui_level == [{"value": 1000.0, "unit": "亿", "aspirational": True}]

    # Each gold headline fact (except the one failed by validation) is in the view.
    view = rows(con, "SELECT * FROM indicators_wide")
    for doc, file_name in GOLD_FILES.items():
        data = gold(doc)
        for h in data["headline"]:
            found = [
                r for r in view
                if (r["region"], r["period_year"], r["indicator_code"], r["measure"], r["kind"])
                == (data["region"], h["period_year"], h["indicator_code"], h["measure"], h["kind"])
                and h["value"] in (r["value"], r["aspirational_value"])
            ]
            failed = doc == "001" and h["indicator_code"] == "trade" and h["kind"] == "actual"
            assert len(found) == (0 if failed else 1), (file_name, h)


def test_failed_facts_leave_the_clean_views_but_stay_in_fact_sources(con: duckdb.DuckDBPyConnection) -> None:
    failed = rows(con, "SELECT fact_id FROM facts WHERE dq_status = 'failed'")
    assert len(failed) == 1
    fact_id = failed[0]["fact_id"]
    assert con.execute("SELECT count(*) FROM facts_clean WHERE fact_id = ?", [fact_id]).fetchone()[0] == 0
    assert con.execute(
        "SELECT count(*) FROM indicators_wide WHERE region = '新会区' AND indicator_code = 'trade' AND kind = 'actual'"
    ).fetchone()[0] == 0
    source = rows(con, "SELECT dq_status, dq_flags, evidence FROM fact_sources WHERE fact_id = ?", [fact_id])
    assert source == [{"dq_status": "failed", "dq_flags": [f"error: {FAILING_EXPECTATION}"], "evidence": "外贸进出口总额增长1.1%"}]


# --- targets_vs_actuals --------------------------------------------------------------------


def test_targets_vs_actuals_pairs_the_2023_target_with_the_2024_reports_actual(con: duckdb.DuckDBPyConnection) -> None:
    gdp = rows(
        con,
        "SELECT * FROM targets_vs_actuals WHERE region = '开平市' AND indicator_code = 'gdp' AND measure = 'growth' AND year = 2023",
    )
    assert len(gdp) == 1
    row = gdp[0]
    # 2023 report: 地区生产总值增长7%以上; synthetic 2024 report: 增长5.2%.
    assert (row["target_value"], row["target_comparator"], row["target_report_year"]) == (7.0, ">=", 2023)
    assert (row["actual_value"], row["actual_report_year"]) == (5.2, 2024)
    assert row["gap"] == pytest.approx(-1.8) and row["gap_unit"] == "个百分点"
    assert row["target_met"] is False
    assert row["target_evidence"] == "地区生产总值增长7%以上"
    assert row["actual_file_name"] == SYNTHETIC_2024_FILE

    by_code = {r["indicator_code"]: r for r in rows(
        con, "SELECT * FROM targets_vs_actuals WHERE region = '开平市' AND year = 2023 AND actual_value IS NOT NULL"
    )}
    assert by_code["industrial_va"]["target_met"] is True  # 8.1 vs 7
    assert by_code["retail_sales"]["gap"] == 0.0 and by_code["retail_sales"]["target_met"] is True  # 6.0 vs 6
    assert by_code["fai"]["gap"] == pytest.approx(-9.5)  # 下降1.5% vs 增长8%
    assert (by_code["urban_jobs"]["gap"], by_code["urban_jobs"]["gap_unit"]) == (150.0, "人")


def test_targets_without_a_loaded_actual_keep_null_actuals(con: duckdb.DuckDBPyConnection) -> None:
    # No 2024 report of 江门市 is loaded: its 2023 targets are listed, actual NULL.
    jiangmen = rows(con, "SELECT * FROM targets_vs_actuals WHERE region = '江门市' AND year = 2023")
    assert len(jiangmen) == 9  # 10 gold targets; 增长6%以上、力争7%以上 share one key
    assert all(r["actual_value"] is None and r["gap"] is None and r["target_met"] is None for r in jiangmen)
    cpi = next(r for r in jiangmen if r["indicator_code"] == "cpi")
    assert (cpi["target_value"], cpi["target_comparator"]) == (3.0, "~")


def _fact(paragraph: Paragraph, code: str, name: str, kind: str, year: int, measure: str, value: float,
          unit: str, value_text: str, comparator: str = "=", region: str = "开平市", base: tuple[float, str] | None = None) -> Fact:
    value_start = paragraph.text.index(value_text, paragraph.text.index(name))
    evidence_start = paragraph.text.index(name)
    return Fact(
        paragraph_seq=paragraph.seq, page_no=1, indicator=name, measure=measure, value=value, unit=unit,  # type: ignore[arg-type]
        value_text=value_text, evidence=paragraph.text[evidence_start: value_start + len(value_text)],
        kind=kind, comparator=comparator, indicator_code=code, region=region, period_year=year,  # type: ignore[arg-type]
        value_base=base[0] if base else value, base_unit=base[1] if base else unit,
        evidence_start=evidence_start, value_start=value_start,
    )


def test_disagreeing_sources_prefer_the_regions_own_report_and_units_are_compared_normalised(tmp_path: Path) -> None:
    built = build_gold_warehouse(tmp_path / "w")
    # A (synthetic) 江门市 2024 report quoting 开平市's 2023 GDP growth differently, stating
    # 江门市's 2022 jobs in 人 instead of 万人, and giving a CPI actual for a '~' target.
    text = ["开平市2023年地区生产总值增长5.3%。", "2022年全市城镇新增就业45000人。", "2023年居民消费价格上涨2.1%。"]
    paragraphs = [Paragraph(seq=i, page_no=1, kind="body", text=t) for i, t in enumerate(text)]
    facts = [
        _fact(paragraphs[0], "gdp", "地区生产总值", "actual", 2023, "growth", 5.3, "%", "5.3%"),
        _fact(paragraphs[1], "urban_jobs", "城镇新增就业", "actual", 2022, "level", 45000.0, "人", "45000人", region="江门市"),
        _fact(paragraphs[2], "cpi", "居民消费价格", "actual", 2023, "growth", 2.1, "%", "2.1%", region="江门市"),
    ]
    warehouse = warehouse_db.Warehouse(built.path)
    with warehouse.write() as con:
        load_text_document(con, tmp_path, "synthetic-jiangmen-2024.txt", paragraphs,
                           DocumentContext(region="江门市", report_year=2024), facts)
    warehouse.publish()
    con = duckdb.connect(str(built.path), read_only=True)
    kaiping = rows(con, "SELECT * FROM indicators_wide WHERE region = '开平市' AND indicator_code = 'gdp' "
                   "AND measure = 'growth' AND kind = 'actual' AND period_year = 2023")
    assert len(kaiping) == 1
    assert (kaiping[0]["value"], kaiping[0]["file_name"]) == (5.2, SYNTHETIC_2024_FILE)  # own report wins
    assert (kaiping[0]["statements"], kaiping[0]["documents"], kaiping[0]["distinct_values"]) == (2, 2, 2)

    jobs = rows(con, "SELECT * FROM indicators_wide WHERE region = '江门市' AND indicator_code = 'urban_jobs' "
                "AND kind = 'actual' AND period_year = 2022")
    # The 2023 report (report_year = period_year + 1) is the natural source; 4.5万人 = 45000人.
    assert (jobs[0]["value"], jobs[0]["unit"], jobs[0]["report_year"]) == (4.5, "万人", 2023)
    assert (jobs[0]["statements"], jobs[0]["distinct_values"]) == (2, 1)

    cpi = rows(con, "SELECT * FROM targets_vs_actuals WHERE region = '江门市' AND indicator_code = 'cpi' AND year = 2023")
    assert cpi[0]["actual_value"] == 2.1 and cpi[0]["gap"] == pytest.approx(-0.9)
    assert cpi[0]["target_met"] is None  # 3%左右 has no pass/fail
    con.close()


# --- fact_sources ----------------------------------------------------------------------------


def test_fact_sources_has_every_fact_with_matching_offsets(con: duckdb.DuckDBPyConnection, built: BuiltWarehouse) -> None:
    assert con.execute("SELECT count(*) FROM fact_sources").fetchone()[0] == con.execute(
        "SELECT count(*) FROM facts").fetchone()[0] == sum(len(f) for f in built.facts.values())
    bad = rows(con, "SELECT fact_id FROM fact_sources WHERE NOT value_text_matches OR NOT evidence_matches")
    assert bad == []
    for row in rows(con, "SELECT * FROM fact_sources WHERE file_name <> ?", [SYNTHETIC_2024_FILE]):
        assert row["paragraph_text"] in clean_text(row["file_name"])
        assert row["show_command"] == f"reportflow show {row['fact_id']}"
        assert row["value_x0"] is None  # .txt sources have no geometry
