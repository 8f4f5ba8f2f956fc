"""`reportflow show` on the bundled scan sample (jiangmen-2023-report-p1.png, 200 dpi, skewed):
real tesseract through the real pipeline, then the framed pixels are read back by tesseract."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest
from PIL import Image
from test_show import assert_frames

from reportflow import db as warehouse_db
from reportflow.config import Settings
from reportflow.pipeline import process_document
from reportflow.provenance import line_boxes, recognised_image, show_fact

SCAN = Path(__file__).resolve().parent.parent / "samples" / "jiangmen-2023-report-p1.png"

pytestmark = [
    pytest.mark.ocr,
    pytest.mark.skipif(not SCAN.exists(), reason="samples/ not built"),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed"),
]


def test_ocr_sample_fact_is_framed_so_tesseract_reads_exactly_the_number(tmp_path: Path) -> None:
    import pytesseract

    db = tmp_path / "w.duckdb"
    processed = process_document(SCAN, Settings.from_env(db), archive=True)
    store = warehouse_db.Warehouse(db)
    with store.write() as con:
        warehouse_db.load_document(con, processed.acquired, processed.extracted, processed.paragraphs,
                                   processed.context, processed.facts, "test")
    store.publish()
    page = processed.extracted.pages[0]
    assert page.method == "ocr" and page.skew_degrees != 0

    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute(
        "SELECT fact_id, value_text FROM facts WHERE value_text IN ('3773.41亿元', '3.3%') ORDER BY value_start").fetchall()
    assert [r[1] for r in rows] == ["3773.41亿元", "3.3%"]
    gray = recognised_image(Path(processed.acquired.archive_path), "image", 1, page.dpi, page.rotation, page.skew_degrees)
    for fact_id, value_text in rows:
        result = show_fact(con, fact_id, tmp_path / f"{fact_id}.png")
        image = Image.open(result.path)
        assert image.size == (gray.shape[1], gray.shape[0])
        assert result.value_box is not None
        assert_frames(image, result.value_box, tolerance=8, ink_below=170)  # grey paper, blurred ink
        x0, top, x1, bottom = result.value_box
        crop = Image.fromarray(gray).crop((int(x0) - 3, int(top) - 3, int(x1) + 3, int(bottom) + 3))
        read = pytesseract.image_to_string(crop, lang="chi_sim+eng", config="--psm 7")
        assert re.sub(r"[^0-9.]", "", read) == re.sub(r"[^0-9.]", "", value_text), (value_text, read)
    con.close()


def test_line_boxes_of_a_single_line_number_is_one_frame() -> None:
    assert len(line_boxes([(0.0, 0.0, 10.0, 20.0), (10.0, 1.0, 20.0, 21.0)])) == 1
