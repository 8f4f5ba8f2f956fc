"""End to end with the real tesseract on a few small pages (marked ``ocr``: ~5–15 s each)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from test_ocr_images import BODY, ITEMS, build_page_pdf

from reportflow.config import OcrConfig
from reportflow.extract import extract_document
from reportflow.extract.images import rotate_image
from reportflow.extract.pdf import open_pdf, render_page
from reportflow.extract.tesseract import installed_languages, tesseract_version
from reportflow.quality import squash

pytestmark = pytest.mark.ocr

REAL = dataclasses.replace(OcrConfig(), engine="tesseract", languages="chi_sim")
NUMBER = re.compile(r"\d+(?:\.\d+)?%?")


def test_installation() -> None:
    assert tesseract_version() >= (4, 1)
    assert {"chi_sim", "eng", "osd"} <= installed_languages()


@pytest.fixture(scope="module")
def degraded_scan(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The A5 test page printed and scanned badly: 300 dpi, turned 0.8°, blurred, noisy, JPEG."""
    folder = tmp_path_factory.mktemp("scan")
    image, _ = render_page(open_pdf(build_page_pdf(folder / "page.pdf")), 0, 300, 50_000_000)
    rng = np.random.default_rng(11)
    page = rotate_image(image, 0.8).astype(np.float32) * (228 / 255) + 15
    page = cv2.GaussianBlur(page, (0, 0), 0.7) + rng.normal(0, 8, page.shape)
    path = folder / "scan.jpg"
    Image.fromarray(np.clip(page, 0, 255).astype(np.uint8)).save(path, dpi=(300, 300), quality=55)
    return path


def test_degraded_scan_gives_every_number_and_item(degraded_scan: Path) -> None:
    doc = extract_document(degraded_scan, "image", REAL)
    (page,) = doc.pages
    assert page.method == "ocr" and page.dpi == 300
    assert page.skew_degrees == pytest.approx(0.8, abs=0.15)  # levelled before recognition
    assert page.ocr_confidence is not None and page.ocr_confidence > 80
    assert sum(u.text == "●" for u in page.units) == len(ITEMS)  # bullets found, not read as '@@'
    text = "".join(squash(u.text) for u in page.units)
    truth_numbers = NUMBER.findall("".join(ITEMS) + BODY)
    missing = [n for n in truth_numbers if n not in text]
    assert not missing, f"numbers lost: {missing}"
    # No spaces inside Chinese: every unit is a word, none carries a space.
    assert not any(" " in u.text for u in page.units)
    # Units lie inside the recognised image, whose size the page reports.
    assert all(0 <= u.x0 < u.x1 <= page.width and 0 <= u.top < u.bottom <= page.height for u in page.units)


def test_degraded_scan_through_the_layout_engine(degraded_scan: Path) -> None:
    from reportflow.layout import repair_layout

    paragraphs = repair_layout(extract_document(degraded_scan, "image", REAL))
    items = [p for p in paragraphs if p.kind == "item"]
    assert len(items) >= 4
    joined = "".join(squash(p.text) for p in paragraphs)
    for number in ("7089", "98%", "960", "93.4%", "46.2%", "3773.41"):
        assert number in joined
    for p in paragraphs:
        assert len(p.char_conf) == len(p.text)


def test_upside_down_photo_is_turned(tmp_path: Path, realdocs: Path) -> None:
    source = realdocs / "chinese_scans" / "chineseocr_lite__7_upside_down_dense_text.jpg"
    # The top third only (the photo is upside down, so this is the end of the text): fast.
    gray = cv2.imread(str(source), cv2.IMREAD_GRAYSCALE)
    crop = tmp_path / "crop.png"
    cv2.imwrite(str(crop), gray[: gray.shape[0] // 3])
    (page,) = extract_document(crop, "image", REAL).pages
    assert page.rotation == 180
    assert page.ocr_confidence is not None and page.ocr_confidence > 75
    assert "遍历" in "".join(u.text for u in page.units)


def test_exif_rotated_photo(realdocs: Path) -> None:
    path = realdocs / "chinese_scans" / "rapidocr__img_exif_orientation.jpg"
    (page,) = extract_document(path, "image", REAL).pages
    assert "".join(u.text for u in page.units) == "我是中国人"
    assert "EXIF orientation applied" in page.note


def test_image_with_no_text_is_a_clear_error(tmp_path: Path) -> None:
    from reportflow.errors import NoTextError

    rng = np.random.default_rng(3)
    photo = cv2.GaussianBlur(rng.integers(0, 255, (600, 800)).astype(np.uint8), (0, 0), 25)
    path = tmp_path / "photo.png"
    cv2.imwrite(str(path), photo)
    with pytest.raises(NoTextError, match="no text found"):
        extract_document(path, "image", REAL)


def test_tilted_scan_gives_the_same_lines_read_as_scanned_or_levelled(degraded_scan: Path) -> None:
    """'auto' reads this 300 dpi page (35 px type) as scanned and turns the words level; the
    lines it gives are those tesseract gives on the levelled image, box for box."""
    def line_boxes(level: str) -> list[tuple[float, float]]:
        (page,) = extract_document(degraded_scan, "image", dataclasses.replace(REAL, level=level)).pages
        assert page.skew_degrees == pytest.approx(0.8, abs=0.15)
        return sorted({(u.top, u.bottom) for u in page.units if u.text != "●"})

    words, image = line_boxes("words"), line_boxes("image")
    assert len(words) == len(image) >= 12
    assert max(max(abs(a[0] - b[0]), abs(a[1] - b[1])) for a, b in zip(words, image)) <= 3, (words, image)
