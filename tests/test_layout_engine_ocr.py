"""The layout engine on real tesseract output (marked ``ocr``: ~5 s).

A small two-column page is typeset, rendered at 300 dpi and recognised with tesseract
(chi_sim+eng); the words go into the same engine as text-layer characters. Checked: the
columns are read one after the other, Chinese words are joined without the spaces
tesseract puts between them, numbers stay whole, every character carries its word's
confidence and a share of its box.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from test_layout_engine_support import FONT_PATH, typeset_two_columns

from reportflow.layout.engine import paragraphs_from_pages
from reportflow.models import PageContent, TextUnit
from reportflow.quality import squash

pytestmark = pytest.mark.ocr

LEFT = "全市实现地区生产总值3773.41亿元，增长3.3%，排全省第2，为建市以来最高排位，经济社会保持平稳健康发展。"
RIGHT = (
    "城镇新增就业4.5万人，城镇失业人员再就业2.9万人，全年民生类支出350.4亿元，占一般公共预算支出比重77.3%。"
)
DPI = 300


@pytest.fixture(scope="module")
def ocr_page(tmp_path_factory: pytest.TempPathFactory) -> PageContent:
    pytesseract = pytest.importorskip("pytesseract")
    if shutil.which("tesseract") is None or shutil.which("pdftoppm") is None or not FONT_PATH.exists():
        pytest.skip("tesseract, pdftoppm or the CJK font is not installed")
    if "chi_sim" not in pytesseract.get_languages(config=""):
        pytest.skip("tesseract has no chi_sim data")
    from PIL import Image

    tmp = tmp_path_factory.mktemp("ocr")
    pdf = tmp / "columns.pdf"
    typeset_two_columns(pdf, LEFT, RIGHT)
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-png", "-singlefile", str(pdf), str(tmp / "page")], check=True
    )
    image = Image.open(tmp / "page.png")
    data = pytesseract.image_to_data(image, lang="chi_sim+eng", output_type=pytesseract.Output.DICT)
    units = [
        TextUnit(text, left, top, left + w, top + h, h, conf=float(conf))
        for text, left, top, w, h, conf in zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"]
        )
        if text.strip() and float(conf) >= 0
    ]
    return PageContent(1, image.width, image.height, "ocr", units, dpi=DPI)


def test_ocr_columns_are_read_in_order_and_joined(ocr_page: PageContent) -> None:
    paragraphs = paragraphs_from_pages([ocr_page])
    assert len(paragraphs) == 2
    left, right = (squash(p.text) for p in paragraphs)
    # Recognition may miss a character here or there; the structure must be right.
    assert left.startswith("全市实现地区生产总值") and left.endswith("平稳健康发展。")
    assert right.startswith("城镇新增就业") and right.rstrip("。.").endswith("77.3%")


def test_ocr_text_has_no_spaces_between_chinese_and_whole_numbers(ocr_page: PageContent) -> None:
    paragraphs = paragraphs_from_pages([ocr_page])
    text = "".join(p.text for p in paragraphs)
    assert " " not in text
    for number in ("3773.41", "3.3%", "4.5", "2.9", "350.4", "77.3%"):
        assert number in text


def test_ocr_characters_carry_confidence_and_boxes(ocr_page: PageContent) -> None:
    for para in paragraphs_from_pages([ocr_page]):
        assert len(para.char_conf) == len(para.char_boxes) == len(para.text)
        for ch, conf in zip(para.text, para.char_conf):
            assert (conf is None) == (ch == " ")  # inserted spaces have no confidence
            assert conf is None or 0 <= conf <= 100
        x0, top, x1, bottom = para.bbox
        assert 0 <= x0 < x1 <= ocr_page.width and 0 <= top < bottom <= ocr_page.height
        for ch, box in zip(para.text, para.char_boxes):
            assert (box is None) == (ch == " ")
            assert box is None or x0 - 1e-6 <= box[0] <= box[2] <= x1 + 1e-6
