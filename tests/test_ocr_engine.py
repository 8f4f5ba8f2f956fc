"""The tesseract runner: installation checks, one OpenMP thread per process, concurrency,
timeouts and failures as typed errors, the fake engine's replay.

Most tests put a stand-in ``tesseract`` script first on PATH (it answers ``--version``,
``--list-langs`` and recognition calls, and logs its environment), so they run in
milliseconds; tests marked ``ocr`` run the real program on small pages.
"""

from __future__ import annotations

import dataclasses
import json
import os
import stat
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from reportflow.config import OcrConfig
from reportflow.errors import OcrError, ToolMissingError
from reportflow.extract import tesseract as tess
from reportflow.extract.images import PageImage
from reportflow.extract.ocr import recognise_pages
from reportflow.extract.tesseract import FakeEngine, TesseractEngine, call_key, check_languages, engine_for

STAND_IN = r'''#!{python}
import json, os, sys, time
args = sys.argv[1:]
log = os.environ["STANDIN_LOG"]
if args == ["--version"]:
    print(os.environ.get("STANDIN_VERSION", "tesseract 5.3.0\n leptonica-1.82.0")); sys.exit(0)
if args == ["--list-langs"]:
    print('List of available languages in "/x/" (3):')
    print("\n".join(os.environ.get("STANDIN_LANGS", "chi_sim eng osd").split())); sys.exit(0)
image = open(args[0], "rb").read()
start = time.time()
time.sleep(float(os.environ.get("STANDIN_SLEEP", "0.3")))
with open(log, "a") as f:
    f.write(json.dumps({{"omp": os.environ.get("OMP_THREAD_LIMIT"), "args": args, "start": start,
                        "end": time.time(), "bytes": len(image)}}) + "\n")
if os.environ.get("STANDIN_FAIL"):
    sys.stderr.write("Error: leptonica could not read the image\n"); sys.exit(1)
print("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext")
print("4\t1\t1\t1\t1\t0\t10\t10\t200\t40\t-1\t")
print("5\t1\t1\t1\t1\t1\t10\t12\t90\t36\t91.5\t增长")
print("5\t1\t1\t1\t1\t2\t100\t12\t100\t36\t88.0\t3.3%")
'''


@pytest.fixture()
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tesseract"
    script.write_text(STAND_IN.format(python=sys.executable), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("STANDIN_LOG", str(log))
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    tess.tesseract_version.cache_clear()
    tess.installed_languages.cache_clear()
    yield log
    tess.tesseract_version.cache_clear()
    tess.installed_languages.cache_clear()


def calls(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def text_page(page_no: int) -> PageImage:
    image = np.full((300, 400), 255, np.uint8)
    image[100:140, 50:350] = 0  # some ink so the page is not blank
    image[102:138, 60 + 10 * page_no : 70 + 10 * page_no] = 255
    return PageImage(page_no, image, 300.0)


def test_pages_run_concurrently_with_one_openmp_thread_each(stand_in: Path) -> None:
    config = OcrConfig(workers=2, deskew=False, osd="never")
    pages = list(recognise_pages((text_page(n) for n in range(1, 5)), config))
    assert [p.page_no for p in pages] == [1, 2, 3, 4]
    assert all(p.method == "ocr" and [u.text for u in p.units] == ["增长", "3.3%"] for p in pages)
    log = calls(stand_in)
    assert len(log) == 4
    assert {c["omp"] for c in log} == {"1"}
    assert all(c["args"][0].endswith(".bmp") and c["args"][1] == "stdout" and "--dpi" in c["args"] for c in log)
    # Two at a time, never more: some calls overlap, no instant sees three running.
    spans = sorted((c["start"], c["end"]) for c in log)
    assert any(b[0] < a[1] for a, b in pairwise(spans))
    assert max(sum(s <= t < e for s, e in spans) for t, _ in spans) <= 2


def test_page_mean_confidence(stand_in: Path) -> None:
    page = next(recognise_pages([text_page(1)], OcrConfig(workers=1, deskew=False, osd="never")))
    assert page.ocr_confidence == pytest.approx((91.5 + 88.0) / 2)
    assert page.dpi == 300.0 and page.rotation == 0 and page.skew_degrees == 0.0


def test_timeout_is_an_ocr_error(stand_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANDIN_SLEEP", "5")
    config = OcrConfig(workers=1, deskew=False, osd="never", page_timeout_s=0.5)
    with pytest.raises(OcrError, match=r"page 1: tesseract did not finish within 0 s|page 1: tesseract did not finish"):
        list(recognise_pages([text_page(1)], config))


def test_tesseract_failure_carries_its_message(stand_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANDIN_FAIL", "1")
    with pytest.raises(OcrError, match="exit 1.*leptonica could not read"):
        TesseractEngine().words(text_page(1).image, languages="chi_sim", psm=3, dpi=300, timeout_s=10)


def test_missing_program_and_language_data(stand_in: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STANDIN_LANGS", "eng osd")
    with pytest.raises(ToolMissingError, match="chi_sim.*tesseract-ocr-chi-sim"):
        check_languages("chi_sim+eng")
    monkeypatch.setenv("STANDIN_VERSION", "tesseract 3.05.02")
    tess.tesseract_version.cache_clear()
    with pytest.raises(ToolMissingError, match="too old"):
        tess.tesseract_version()
    monkeypatch.setenv("PATH", str(stand_in.parent / "nowhere"))
    tess.tesseract_version.cache_clear()
    with pytest.raises(ToolMissingError, match="not installed.*apt-get install tesseract-ocr"):
        engine_for(OcrConfig())


def test_recordings_replay_exactly(stand_in: Path, tmp_path: Path) -> None:
    image = text_page(1).image
    recorded = TesseractEngine(record_dir=tmp_path / "rec").words(image, languages="chi_sim", psm=3, dpi=300,
                                                                    timeout_s=10)
    replayed = FakeEngine(tmp_path / "rec").words(image, languages="chi_sim", psm=3, dpi=300, timeout_s=10)
    assert replayed == recorded
    assert len(calls(stand_in)) == 1  # the replay did not run tesseract
    # A different image, or different arguments, is a different recording.
    assert call_key(image, "tsv", "chi_sim", 3, 300) != call_key(image, "tsv", "chi_sim", 3, 200)
    with pytest.raises(OcrError, match="no recording.*reportflow.extract.record"):
        FakeEngine(tmp_path / "rec").words(255 - image, languages="chi_sim", psm=3, dpi=300, timeout_s=10)


def test_fake_engine_is_chosen_by_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("REPORTFLOW_OCR_ENGINE", "fake")
    monkeypatch.setenv("REPORTFLOW_OCR_FIXTURES", str(tmp_path))
    config = OcrConfig.from_env()
    assert config.engine == "fake" and config.fixtures_dir == tmp_path
    assert isinstance(engine_for(config), FakeEngine)
    assert dataclasses.replace(config, engine="tesseract").engine == "tesseract"


def test_blank_pages_never_reach_tesseract(stand_in: Path) -> None:
    blank = PageImage(1, np.full((500, 400), 250, np.uint8), 300.0)
    page = next(recognise_pages([blank], OcrConfig(workers=1)))
    assert page.units == [] and "blank page" in page.note
    assert calls(stand_in) == []


@pytest.mark.parametrize("width", [1, 13, 2481])  # BMP pads each row to 4 bytes
def test_page_image_file_keeps_every_pixel_and_no_resolution(width: int) -> None:
    import struct

    import cv2

    rng = np.random.default_rng(width)
    image = rng.integers(0, 256, size=(7, width), dtype=np.uint8)
    data = tess._encode_image(image)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert decoded is not None and np.array_equal(decoded, image)
    # Pixels per metre 0 = unknown: tesseract then estimates the dpi when none is passed,
    # rather than reading a default 72 dpi from the file.
    x_ppm, y_ppm = struct.unpack("<ii", data[38:46])
    assert (x_ppm, y_ppm) == (0, 0)
