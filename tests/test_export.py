"""`reportflow export`: every table and view, read back by DuckDB from Parquet and CSV."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from test_show import SENTENCE, load, make_pdf, number_fact, plumber_paragraph
from typer.testing import CliRunner
from views_fixtures import BuiltWarehouse, build_gold_warehouse

from reportflow.cli import app
from reportflow.commands.export import MANIFEST, export_warehouse, warehouse_objects
from reportflow.db import MIGRATIONS_DIR

LATEST_MIGRATION = max(p.stem for p in MIGRATIONS_DIR.glob("*.sql"))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    folder = tmp_path_factory.mktemp("export")
    built = build_gold_warehouse(folder)
    # A PDF document too, so paragraph_geometry has character boxes (nested lists) to export.
    pdf = make_pdf(folder / "report.pdf", [(72, 142, SENTENCE)])
    paragraph, page = plumber_paragraph(pdf)
    load(built.path, pdf, "pdf", [page], [paragraph], [number_fact(paragraph)])
    return built


def source_counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    counts = {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name, _ in warehouse_objects(con)}
    con.close()
    return counts


def test_parquet_export_has_every_table_and_view_with_its_rows_and_types(built: BuiltWarehouse, tmp_path: Path) -> None:
    con = duckdb.connect(str(built.path), read_only=True)
    exported = export_warehouse(con, tmp_path, "parquet")
    con.close()
    names = {e.name: e for e in exported}
    assert {"documents", "pages", "paragraphs", "paragraph_geometry", "facts", "runs", "dq_results",
            "facts_clean", "fact_sources", "indicators_wide", "targets_vs_actuals"} <= set(names)
    counts = source_counts(built.path)
    reader = duckdb.connect()
    for name, expected in counts.items():
        assert names[name].rows == expected
        assert reader.execute(f"SELECT count(*) FROM read_parquet('{tmp_path / (name + '.parquet')}')").fetchone()[0] == expected
    # Nested boxes survive as lists of 4 floats; Chinese text and signed values unchanged.
    boxes = reader.execute(f"SELECT char_boxes FROM read_parquet('{tmp_path / 'paragraph_geometry.parquet'}')").fetchone()[0]
    assert len(boxes) == len(SENTENCE) and len(boxes[0]) == 4 and boxes[0][0] == pytest.approx(72.0, abs=0.5)
    fai = reader.execute(
        f"SELECT value, unit, file_name FROM read_parquet('{tmp_path / 'indicators_wide.parquet'}') "
        "WHERE region = '江门市' AND indicator_code = 'fai' AND measure = 'growth' AND period_year = 2022").fetchall()
    assert fai == [(-0.8, "%", "jiangmen-2023-report-columns.txt")]
    manifest = json.loads((tmp_path / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["schema_version"] == LATEST_MIGRATION
    facts = next(o for o in manifest["objects"] if o["name"] == "facts")
    assert facts["rows"] == counts["facts"] and facts["kind"] == "table"
    assert any(c["name"] == "value_text" and c["comment"] for c in facts["columns"])


def test_csv_export_reads_back_with_the_same_rows(built: BuiltWarehouse, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["export", "--csv", str(tmp_path / "csv"), "--db", str(built.path)])
    assert result.exit_code == 0, result.output
    counts = source_counts(built.path)
    reader = duckdb.connect()
    for name, expected in counts.items():
        path = tmp_path / "csv" / f"{name}.csv"
        assert reader.execute(f"SELECT count(*) FROM read_csv('{path}', header = true)").fetchone()[0] == expected, name
    evidence = reader.execute(
        f"SELECT evidence FROM read_csv('{tmp_path / 'csv' / 'facts.csv'}', header = true) WHERE value_text = '3773.41亿元' "
        "ORDER BY evidence").fetchall()
    assert ("实现地区生产总值3773.41亿元",) in evidence


def test_cli_export_needs_a_target_and_a_database(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["export", "--db", str(tmp_path / "x.duckdb")]).exit_code == 2
    missing = runner.invoke(app, ["export", "--parquet", str(tmp_path / "out"), "--db", str(tmp_path / "absent.duckdb")])
    assert missing.exit_code == 2
    assert not (tmp_path / "out").exists()
