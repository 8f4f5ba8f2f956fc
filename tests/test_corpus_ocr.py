"""Real tesseract on two small corpus images: the scans are legible and their truth is right.

Plain ``tesseract`` (no layout repair of ours), so what is tested is the corpus, not the
engine: a wrong page truth, an illegible degradation or a truncated sample would show as a
high character error rate or missing numbers. Two pages, ~10–30 s in all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus
from reportflow.quality import score_reading

pytestmark = pytest.mark.ocr

if shutil.which("tesseract") is None:
    pytest.skip("tesseract is not installed", allow_module_level=True)


def plain_tesseract_lines(image: Path) -> list[str]:
    result = subprocess.run(
        ["tesseract", str(image), "-", "-l", "chi_sim"], check=True, capture_output=True, text=True
    )
    # tesseract puts spaces between Chinese characters; the metrics ignore whitespace anyway
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_sample_png_reads_back_to_its_truth() -> None:
    truth = json.loads((ROOT / "samples" / "truth" / "jiangmen-2023-report-p1.json").read_text("utf-8"))
    texts = [p["text"] for p in truth["paragraphs"]]
    lines = plain_tesseract_lines(ROOT / "samples" / "jiangmen-2023-report-p1.png")
    scores = score_reading(lines, texts, truth["furniture"])
    assert scores.cer < 0.15, scores
    assert scores.number_recall > 0.85, scores
    assert "3773.41" in "".join("".join(lines).split())


def test_degraded_200dpi_scan_reads_back_to_its_page_truth(tmp_path: Path) -> None:
    (scan,) = corpus.build_scan_cases(tmp_path, only="rl-jiangmen-a4-2col-review-p1-degraded200")
    lines = [line for image in scan.images for line in plain_tesseract_lines(image)]
    scores = score_reading(lines, scan.truth_texts(), scan.furniture)
    # page 1 only: its truth ends mid-paragraph, where the page ends; a wrong cut would
    # add or drop hundreds of characters
    assert scores.cer < 0.15, scores
    assert scores.number_recall > 0.8, scores
