"""Validation of real pipeline output: the 江门 report as a scanned page (real tesseract) and
as the column-broken .txt, both run through extract → layout → facts → load.

The two documents state the same 2022 headline facts of 江门市, so the cross-document
expectation compares real OCR output with text-derived facts. A misread is then injected into
the scan's GDP growth (3.3 → 3.8, at high confidence, so only the comparison can catch it).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reportflow.config import Settings
from reportflow.db import apply_schema, load_document
from reportflow.pipeline import process_document
from reportflow.validate import validate_run

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SCAN = SAMPLES / "jiangmen-2023-report-p1.png"
TEXT = SAMPLES / "jiangmen-2023-report-columns.txt"

pytestmark = pytest.mark.ocr


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[duckdb.DuckDBPyConnection, dict[str, str]]:
    if not SCAN.exists() or not TEXT.exists():
        pytest.skip("samples/ not built")
    tmp = tmp_path_factory.mktemp("pipeline")
    settings = Settings(db_path=tmp / "w.duckdb", archive_dir=tmp / "archive")
    con = duckdb.connect(str(settings.db_path))
    apply_schema(con)
    ids = {}
    for name, path in (("scan", SCAN), ("text", TEXT)):
        processed = process_document(path, settings)
        load_document(
            con,
            processed.acquired,
            processed.extracted,
            processed.paragraphs,
            processed.context,
            processed.facts,
            "test",
        )
        ids[name] = processed.acquired.doc_id
    return con, ids


def _fact(con: duckdb.DuckDBPyConnection, doc_id: str, code: str, measure: str) -> tuple[str, float, str]:
    rows = con.execute(
        "SELECT fact_id, value, dq_status FROM facts WHERE doc_id = ? AND indicator_code = ? AND measure = ? "
        "AND kind = 'actual' AND period_year = 2022",
        [doc_id, code, measure],
    ).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


def test_scan_and_text_agree_and_a_misread_is_caught(warehouse) -> None:
    con, ids = warehouse
    clean = validate_run(con, "clean", [ids["scan"], ids["text"]], None)
    shared = con.execute(
        """
        SELECT count(*) FROM facts s JOIN facts t
          ON s.region = t.region AND s.period_year = t.period_year AND s.indicator_code = t.indicator_code
         AND s.measure = t.measure AND s.kind = t.kind
        WHERE s.doc_id = ? AND t.doc_id = ?
        """,
        [ids["scan"], ids["text"]],
    ).fetchone()[0]
    assert shared >= 8  # GDP level/growth/rank, 规上工业, 社零, 固投, 外贸 … stated by both
    cross = next(line for line in clean.lines if line.name == "facts_agree_across_documents")
    assert cross.success
    # The OCR'd headline figures pass: 地区生产总值3773.41亿元，增长3.3%.
    assert _fact(con, ids["scan"], "gdp", "level")[1:] == (3773.41, "passed")
    scan_growth, value, _ = _fact(con, ids["scan"], "gdp", "growth")
    text_growth, _, _ = _fact(con, ids["text"], "gdp", "growth")
    assert value == 3.3

    con.execute(
        "UPDATE facts SET value = 3.8, value_text = '3.8%', "
        "evidence = replace(evidence, '3.3%', '3.8%'), ocr_min_conf = 91 WHERE fact_id = ?",
        [scan_growth],
    )
    misread = validate_run(con, "misread", [ids["scan"]], None)
    failing = con.execute(
        "SELECT doc_id, failing_fact_ids FROM dq_results WHERE run_id = 'misread' "
        "AND expectation = 'facts_agree_across_documents' AND NOT success ORDER BY doc_id"
    ).fetchall()
    assert sorted(failing) == sorted([(ids["scan"], [scan_growth]), (ids["text"], [text_growth])])
    assert misread.other_documents == 1 and misread.other_facts_failed == 1
    assert (
        con.execute(
            "SELECT count(*) FROM facts_clean WHERE fact_id IN (?, ?)", [scan_growth, text_growth]
        ).fetchone()[0]
        == 0
    )
