"""End to end on the bundled samples: `reportflow ingest samples/` through the Prefect flow
(ephemeral server, real tesseract on the scans) into a temporary DuckDB file, then
`reportflow text` and `reportflow facts` on every sample.

Assertions are concrete rows from the texts (开平市 2022 GDP growth 2.8 % actual, …) and the
issue-5 target on the sample PDF and scans: headline F1 ≥ 0.95 against the gold labels.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from benchmarks.facts_eval import load_gold, restrict_gold, score_facts
from reportflow.models import Fact

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "samples"
GOLD = PROJECT / "tests" / "gold"
REPORTFLOW = [sys.executable, "-m", "reportflow.cli"]

SAMPLE_GOLD = {
    "kaiping-2023-summary.pdf": "000",
    "xinhui-2023-digest-scan.pdf": "001",
    "jiangmen-2023-report-p1.png": "002",
    "jiangmen-2023-report-columns.txt": "002",
}
EXPECTED_PAGES = {
    "kaiping-2023-summary.pdf": ("text", 3),
    "xinhui-2023-digest-scan.pdf": ("ocr", 3),
    "jiangmen-2023-report-p1.png": ("ocr", 1),
    "jiangmen-2023-report-columns.txt": ("text", 1),
}

pytestmark = [pytest.mark.ocr, pytest.mark.slow]


def _run(args: list[str], env: dict[str, str], timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*REPORTFLOW, *args], check=False, cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("e2e")
    db = folder / "reportflow.duckdb"
    env = {
        **os.environ,
        "REPORTFLOW_DB": str(db),
        "REPORTFLOW_OCR_ENGINE": "tesseract",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "COLUMNS": "200",
    }
    result = _run(["ingest", "samples/", "--db", str(db)], env)
    return db, env, result


@pytest.fixture(scope="module")
def con(ingested: tuple[Path, dict[str, str], subprocess.CompletedProcess[str]]) -> duckdb.DuckDBPyConnection:
    db, _, result = ingested
    assert result.returncode == 0, result.stdout + result.stderr
    connection = duckdb.connect(str(db), read_only=True)
    yield connection
    connection.close()


def _doc_id(con: duckdb.DuckDBPyConnection, file_name: str) -> str:
    rows = con.execute("SELECT doc_id FROM documents WHERE file_name = ?", [file_name]).fetchall()
    assert len(rows) == 1, f"{file_name}: {rows}"
    return rows[0][0]


def test_ingest_reports_every_document_and_where_the_database_is(ingested) -> None:
    db, _, result = ingested
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "documents ok" in out and "4" in out.split("documents ok")[1].splitlines()[0]
    assert "by text layer" in out and "by OCR" in out
    assert str(db) in out.replace("\n", "")
    assert "expectations" in out and "run report" in out
    # where the time went, per stage, and that nothing came from a cache (a fresh warehouse)
    stage_row = "".join(out.split("time per stage")[1].split("database")[0].split())
    assert all(stage in stage_row for stage in ("extract", "layout", "facts", "load")), stage_row
    assert "(0stageresultsreused" in stage_row, stage_row


def test_every_table_is_filled(con: duckdb.DuckDBPyConnection) -> None:
    for table in ("documents", "pages", "paragraphs", "paragraph_geometry", "facts", "dq_results", "runs"):
        assert con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] > 0, table
    docs = con.execute("SELECT file_name, status, region, report_year FROM documents ORDER BY file_name").fetchall()
    assert docs == [
        ("jiangmen-2023-report-columns.txt", "ok", "江门市", 2023),
        ("jiangmen-2023-report-p1.png", "ok", "江门市", 2023),
        ("kaiping-2023-summary.pdf", "ok", "开平市", 2023),
        ("xinhui-2023-digest-scan.pdf", "ok", "新会区", 2023),
    ]
    assert con.execute("SELECT status FROM runs").fetchall() == [("completed",)]


@pytest.mark.parametrize("file_name", sorted(EXPECTED_PAGES))
def test_pages_by_method(con: duckdb.DuckDBPyConnection, file_name: str) -> None:
    method, count = EXPECTED_PAGES[file_name]
    rows = con.execute(
        "SELECT method, ocr_confidence, char_count FROM pages WHERE doc_id = ? ORDER BY page_no",
        [_doc_id(con, file_name)],
    ).fetchall()
    assert [r[0] for r in rows] == [method] * count
    assert all(r[2] > 100 for r in rows)
    if method == "ocr":
        assert all(r[1] is not None and 50 < r[1] <= 100 for r in rows)
    else:
        assert all(r[1] is None for r in rows)


def _fact(con: duckdb.DuckDBPyConnection, file_name: str, where: str) -> list[tuple]:
    return con.execute(
        "SELECT region, period_year, kind, indicator_code, measure, value, unit, comparator, aspirational, "
        f"value_base, base_unit, evidence, value_text, ocr_min_conf FROM facts WHERE doc_id = ? AND {where}",
        [_doc_id(con, file_name)],
    ).fetchall()


def test_kaiping_gdp_growth_actual_and_target(con: duckdb.DuckDBPyConnection) -> None:
    actual = _fact(con, "kaiping-2023-summary.pdf", "indicator_code = 'gdp' AND measure = 'growth' AND kind = 'actual'")
    assert [(r[0], r[1], r[5], r[6], r[7]) for r in actual] == [("开平市", 2022, 2.8, "%", "=")]
    assert "2.8%" in actual[0][11]
    targets = _fact(con, "kaiping-2023-summary.pdf", "indicator_code = 'gdp' AND kind = 'target'")
    assert ("开平市", 2023, "target", "gdp", "growth", 7.0, "%", ">=", False) in [r[:9] for r in targets]
    assert ("开平市", 2023, "target", "gdp", "level", 500.0, "亿元", ">=", True) in [r[:9] for r in targets]


def test_jiangmen_gdp_level_from_the_text_and_the_scan_agree(con: duckdb.DuckDBPyConnection) -> None:
    for file_name in ("jiangmen-2023-report-columns.txt", "jiangmen-2023-report-p1.png"):
        rows = _fact(con, file_name, "indicator_code = 'gdp' AND measure = 'level' AND kind = 'actual'")
        assert [(r[0], r[1], r[5], r[6], r[9], r[10]) for r in rows] == [
            ("江门市", 2022, 3773.41, "亿元", 377341000000.0, "元")
        ], file_name
        assert "3773.41亿元" in rows[0][11]
    png_conf = _fact(con, "jiangmen-2023-report-p1.png", "indicator_code = 'gdp' AND measure = 'level'")[0][13]
    assert png_conf is not None and 0 <= png_conf <= 100


def test_xinhui_scan_gdp_growth(con: duckdb.DuckDBPyConnection) -> None:
    rows = _fact(con, "xinhui-2023-digest-scan.pdf", "indicator_code = 'gdp' AND measure = 'growth' AND kind = 'actual'")
    assert [(r[0], r[1], r[5], r[7]) for r in rows] == [("新会区", 2022, 4.0, "=")]
    assert rows[0][13] is not None  # OCR confidence kept behind the fact


def test_validation_results_and_outputs(con: duckdb.DuckDBPyConnection, ingested) -> None:
    db, _, _ = ingested
    expectations = con.execute("SELECT count(DISTINCT expectation), bool_or(success) FROM dq_results").fetchall()[0]
    assert expectations[0] >= 20 and expectations[1]
    assert con.execute("SELECT count(*) FROM facts WHERE dq_status = 'unchecked'").fetchall()[0][0] == 0
    clean = con.execute("SELECT count(*) FROM facts_clean").fetchall()[0][0]
    failed = con.execute("SELECT count(*) FROM facts WHERE dq_status = 'failed'").fetchall()[0][0]
    assert clean + failed == con.execute("SELECT count(*) FROM facts").fetchall()[0][0]
    assert (db.parent / "data_docs" / "index.html").is_file()
    assert list((db.parent / "reports").glob("*.html"))
    assert list((db.parent / "archive").rglob("*.pdf")) and list((db.parent / "archive").rglob("*.png"))


@pytest.mark.parametrize("file_name", sorted(SAMPLE_GOLD))
def test_text_command_prints_exactly_the_paragraph_rows(con: duckdb.DuckDBPyConnection, ingested, file_name: str) -> None:
    _, env, _ = ingested
    rows = [r[0] for r in con.execute(
        "SELECT text FROM paragraphs WHERE doc_id = ? ORDER BY seq", [_doc_id(con, file_name)]
    ).fetchall()]
    result = _run(["text", f"samples/{file_name}"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:-1] == rows
    if EXPECTED_PAGES[file_name][0] == "text":  # cheap to recompute: the pipeline gives the same rows
        recomputed = _run(["text", f"samples/{file_name}", "--recompute"], env)
        assert recomputed.stdout.split("\n")[:-1] == rows


@pytest.mark.parametrize("file_name", sorted(SAMPLE_GOLD))
def test_facts_command_and_headline_f1(con: duckdb.DuckDBPyConnection, ingested, file_name: str) -> None:
    _, env, _ = ingested
    result = _run(["facts", f"samples/{file_name}", "--json"], env)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    doc_id = _doc_id(con, file_name)
    stored = {r[0] for r in con.execute("SELECT fact_id FROM facts WHERE doc_id = ?", [doc_id]).fetchall()}
    assert {r["fact_id"] for r in records} == stored
    table = _run(["facts", f"samples/{file_name}"], env)
    assert table.returncode == 0 and "facts" in table.stdout

    facts = [Fact(**{k: v for k, v in r.items() if k != "fact_id"}) for r in records]
    assert all(f.value_text in f.evidence for f in facts)
    gold = load_gold(GOLD / f"{SAMPLE_GOLD[file_name]}.json")
    truth = json.loads((SAMPLES / "truth" / f"{Path(file_name).stem}.json").read_text(encoding="utf-8"))
    gold = restrict_gold(gold, [p["text"] for p in truth["paragraphs"]], GOLD)
    scores = score_facts(facts, gold)
    f1 = scores.headline_core.f1
    assert f1 >= 0.95, f"{file_name}: headline F1 {f1:.3f}; missed {scores.headline_core.missed}, extra {scores.headline_core.extra}"
