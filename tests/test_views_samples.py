"""The analysts' side on the bundled samples, through the real pipeline: extract → layout →
facts → load → Great Expectations validation → views, `show`, the run report in Chromium.

Text-layer inputs only here (the 3-page newspaper PDF and the column-broken .txt), plus a
synthetic 2024 开平市 report (.txt, made-up numbers, named so) so targets_vs_actuals has a year
with both sides. The OCR samples are covered in test_show_samples.py (marked ocr).
Spot checks compare with the hand-checked gold labels of the same texts (tests/gold).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import duckdb
import pdfplumber
import pytest
from PIL import Image
from report_browser import Browser, chromium_available
from test_show import assert_frames, scaled, union
from views_fixtures import GOLD, SYNTHETIC_2024_TEXT, gold

from reportflow import db as warehouse_db
from reportflow.config import Settings
from reportflow.pipeline import process_document
from reportflow.provenance import show_fact
from reportflow.report import write_run_report

PROJECT = Path(__file__).resolve().parent.parent
SAMPLES = PROJECT / "samples"
KAIPING_PDF = SAMPLES / "kaiping-2023-summary.pdf"
JIANGMEN_TXT = SAMPLES / "jiangmen-2023-report-columns.txt"
SYNTHETIC = "synthetic-kaiping-2024-report.txt"

pytestmark = [
    pytest.mark.skipif(not KAIPING_PDF.exists() or not JIANGMEN_TXT.exists(), reason="samples/ not built"),
    pytest.mark.slow,  # ~50 s: the real pipeline and Great Expectations (importing GX alone takes ~15 s)
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, dict[str, str]]:
    folder = tmp_path_factory.mktemp("samples")
    synthetic = folder / SYNTHETIC
    synthetic.write_text(SYNTHETIC_2024_TEXT, encoding="utf-8")
    db = folder / "reportflow.duckdb"
    settings = Settings.from_env(db)
    run_id = f"samples-{uuid.uuid4().hex[:8]}"
    store = warehouse_db.Warehouse(db)
    doc_ids: dict[str, str] = {}
    with store.write() as con:
        warehouse_db.start_run(con, run_id, None)
        for path in (KAIPING_PDF, JIANGMEN_TXT, synthetic):
            processed = process_document(path, settings, archive=True)
            warehouse_db.load_document(con, processed.acquired, processed.extracted, processed.paragraphs,
                                       processed.context, processed.facts, "test")
            doc_ids[path.name] = processed.acquired.doc_id
        from reportflow.validate import validate_run

        summary = validate_run(con, run_id, list(doc_ids.values()))
        warehouse_db.finish_run(con, run_id, "completed", {
            "documents_ok": len(doc_ids), "documents_failed": 0, "expectations_passed": summary.expectations_passed,
            "expectations_failed": summary.expectations_failed})
    store.publish()
    return db, run_id, doc_ids


@pytest.fixture()
def con(warehouse: tuple[Path, str, dict[str, str]]):
    connection = duckdb.connect(str(warehouse[0]), read_only=True)
    yield connection
    connection.close()


def dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


CLEAN = {"kaiping-2023-summary.pdf": "000", "jiangmen-2023-report-columns.txt": "002"}


def test_every_view_returns_rows_whose_evidence_is_in_the_text(con: duckdb.DuckDBPyConnection) -> None:
    for view in ("facts_clean", "fact_sources", "indicators_wide", "targets_vs_actuals"):
        assert con.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0, view
    texts = {name: squash((GOLD / f"{doc}.clean.txt").read_text(encoding="utf-8")) for name, doc in CLEAN.items()}
    rows = dicts(con, "SELECT file_name, evidence, value_text, paragraph_text, value_text_matches, evidence_matches "
                      "FROM fact_sources")
    for row in rows:
        assert row["value_text_matches"] and row["evidence_matches"], row
        if row["file_name"] in texts:  # the evidence is verbatim text of the report
            assert squash(row["evidence"]) in texts[row["file_name"]], row
    wide = dicts(con, "SELECT file_name, evidence, value_text FROM indicators_wide")
    assert all(squash(r["evidence"]) in texts[r["file_name"]] for r in wide if r["file_name"] in texts)


def test_headline_figures_match_the_gold_labels(con: duckdb.DuckDBPyConnection) -> None:
    wide = dicts(con, "SELECT * FROM indicators_wide")

    def one(region: str, code: str, measure: str, kind: str, year: int) -> dict:
        found = [r for r in wide if (r["region"], r["indicator_code"], r["measure"], r["kind"], r["period_year"])
                 == (region, code, measure, kind, year) and r["period_start"] is None]
        assert len(found) == 1, (region, code, measure, kind, year, found)
        return found[0]

    # 开平市 (PDF): the 28-pt data box "2.8%" and the 2023 targets.
    assert one("开平市", "gdp", "growth", "actual", 2022)["value"] == 2.8
    target = one("开平市", "gdp", "growth", "target", 2023)
    assert (target["value"], target["comparator"], target["file_name"]) == (7.0, ">=", "kaiping-2023-summary.pdf")
    # 江门市 (.txt): 增长6%以上、力争7%以上, and 下降0.8% signed.
    target = one("江门市", "gdp", "growth", "target", 2023)
    assert (target["value"], target["comparator"], target["aspirational_value"]) == (6.0, ">=", 7.0)
    assert one("江门市", "fai", "growth", "actual", 2022)["value"] == -0.8
    assert one("江门市", "gdp", "level", "actual", 2022)["value_text"] == "3773.41亿元"
    # Recall of the gold headline facts among the rows (the extractor's quality is measured
    # elsewhere; here: the views carry what was extracted and validated).
    for doc, file_name in (("000", "kaiping-2023-summary.pdf"), ("002", "jiangmen-2023-report-columns.txt")):
        labels = [h for h in gold(doc)["headline"] if h["tier"] == "core" and isinstance(h["period_year"], int)]
        hits = sum(any(
            (r["indicator_code"], r["measure"], r["kind"], r["period_year"]) ==
            (h["indicator_code"], h["measure"], h["kind"], h["period_year"])
            and h["value"] in (r["value"], r["aspirational_value"]) for r in wide) for h in labels)
        assert hits / len(labels) >= 0.8, (file_name, hits, len(labels))


def test_targets_vs_actuals_pairs_2023_targets_with_the_2024_report(con: duckdb.DuckDBPyConnection) -> None:
    rows = {(r["indicator_code"], r["measure"]): r for r in dicts(
        con, "SELECT * FROM targets_vs_actuals WHERE region = '开平市' AND year = 2023")}
    gdp = rows[("gdp", "growth")]
    assert (gdp["target_value"], gdp["target_comparator"], gdp["target_report_year"]) == (7.0, ">=", 2023)
    assert (gdp["actual_value"], gdp["actual_report_year"], gdp["actual_file_name"]) == (5.2, 2024, SYNTHETIC)
    assert gdp["gap"] == pytest.approx(-1.8) and gdp["target_met"] is False
    assert rows[("industrial_va", "growth")]["actual_value"] == 8.1
    assert rows[("industrial_va", "growth")]["target_met"] is True


def test_fact_sources_boxes_agree_with_the_stored_character_boxes(con: duckdb.DuckDBPyConnection) -> None:
    """value_x0 … value_bottom of the view equal the union of the number's character boxes
    computed here from the raw tables (guards the view against DuckDB list-function bugs)."""
    raw = con.execute("""
        SELECT f.fact_id, f.value_start, f.value_text, g.char_boxes FROM facts f
        JOIN paragraph_geometry g ON g.doc_id = f.doc_id AND g.seq = f.paragraph_seq""").fetchall()
    expected = {}
    for fact_id, start, text, boxes in raw:
        own = [b for b in boxes[start:start + len(text)] if b is not None]
        if own:
            expected[fact_id] = (min(b[0] for b in own), min(b[1] for b in own), max(b[2] for b in own), max(b[3] for b in own))
    view = {r[0]: r[1:] for r in con.execute(
        "SELECT fact_id, value_x0, value_top, value_x1, value_bottom FROM fact_sources WHERE value_x0 IS NOT NULL").fetchall()}
    assert len(expected) > 50 and view.keys() == expected.keys()
    for fact_id, box in expected.items():
        assert view[fact_id] == pytest.approx(box, abs=1e-3)


def test_show_frames_a_text_layer_fact_on_the_sample_pdf(con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    fact_id, page_no, value_text = con.execute(
        "SELECT fact_id, page_no, value_text FROM fact_sources WHERE file_name = 'kaiping-2023-summary.pdf' "
        "AND indicator_code = 'gdp' AND kind = 'actual' AND measure = 'growth'").fetchone()
    result = show_fact(con, fact_id, tmp_path / "kaiping-gdp.png")
    assert value_text == "2.8%"
    # Truth from pdfplumber: the glyphs of the 28-pt "2.8%" in the data box.
    with pdfplumber.open(KAIPING_PDF) as pdf:
        chars = [c for c in pdf.pages[page_no - 1].chars if c["text"].strip()]
    big = [c for c in chars if c["size"] > 20]
    text = "".join(c["text"] for c in big)
    start = text.index("2.8%")
    truth = union([(c["x0"], c["top"], c["x1"], c["bottom"]) for c in big[start:start + 4]])
    assert_frames(Image.open(result.path), scaled(truth, 2.0), tolerance=12)


def test_run_report_of_the_samples_opens_in_chromium_with_its_charts(warehouse: tuple[Path, str, dict[str, str]],
                                                                     tmp_path: Path) -> None:
    db, run_id, _ = warehouse
    con = duckdb.connect(str(db), read_only=True)
    path = write_run_report(con, run_id, tmp_path)
    charted = con.execute(
        "SELECT count(*) FROM indicators_wide WHERE measure = 'growth' AND unit = '%' AND period_start IS NULL "
        "AND indicator_code IN ('gdp','industrial_va','fai','retail_sales','trade','budget_revenue','disposable_income',"
        "'rural_disposable_income','cpi')").fetchone()[0]
    con.close()
    html = path.read_text(encoding="utf-8")
    for name in ("kaiping-2023-summary.pdf", "jiangmen-2023-report-columns.txt", SYNTHETIC):
        assert name in html
    if not chromium_available():
        pytest.skip("chromium is not installed")
    with Browser() as browser:
        page = browser.load(path.as_uri(), {
            "points": "document.querySelectorAll('svg.chart .point.actual, svg.chart .point.target').length",
            "gdp": "document.querySelectorAll('svg[data-indicator=gdp] .point').length",
            "documents": "document.querySelectorAll('#documents tr.doc').length",
        })
    (tmp_path / "report.png").write_bytes(page.screenshot)
    assert page.loaded and page.errors == [] and page.requests == [path.as_uri()]
    assert page.values["points"] == charted and page.values["gdp"] >= 4
    assert page.values["documents"] == 3
