"""Large type and bullet dots on scanned pages: found from the ink, figures re-read alone.

The page is drawn with PIL like a newspaper data box: a headline, body lines at 9 pt
(300 dpi), list items that start with a small '·', and a row of big figures with their
labels above them. The geometry tests run without tesseract; the last ones (marked ``ocr``)
read the page with the real tesseract and check that the figures come out digit-exact.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from reportflow.config import OcrConfig
from reportflow.extract.images import (
    PageImage,
    body_text_height,
    find_dot_bullets,
    find_large_rows,
    ink_blobs,
    line_crop,
    paper_level,
)
from reportflow.extract.ocr import choose_figure_reading, recognise_page
from reportflow.extract.tesseract import OcrWord, TesseractEngine, parse_tsv_pages
from reportflow.layout import repair_layout
from reportflow.models import ExtractedDocument

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
BODY_PX = 38  # 9 pt at 300 dpi
HEADLINE = "数读2023年新会区政府工作报告"
BODY = [
    "2月20日，新会区第十六届人民代表大会第三次会议开幕。",
    "2022年是党的二十大胜利召开之年，也是新会区实施",
    "“十四五”规划承上启下的重要一年，新会取得了哪些",
    "工作成绩？2023年又有哪些发展目标和民生实事？",
    "一起来看政府工作报告里的数据。全区经济发展跃上",
    "新台阶，江门大型产业集聚区新会片区建设提速，基础",
    "设施累计投入57.8亿元，工业投资100亿元，首次上榜",
    "中国工业百强区，规上工业企业增至706家。",
]
ITEMS = ["全年民生支出61亿元", "城镇新增就业7089人", "空气质量达标率93.4%"]
FIGURES = [("地区生产总值", "4%"), ("规上工业增加值", "5.1%"), ("一般公共预算收入", "0.5%")]


def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


@dataclasses.dataclass
class DrawnPage:
    image: np.ndarray
    headline_box: tuple[int, int, int, int]
    figure_boxes: list[tuple[int, int, int, int]]
    dot_boxes: list[tuple[int, int, int, int]]


@pytest.fixture(scope="module")
def page() -> DrawnPage:
    if not FONT.exists():
        pytest.skip("CJK font not installed")
    img = Image.new("L", (2000, 1900), 245)
    draw = ImageDraw.Draw(img)
    draw.text((120, 80), HEADLINE, font=_font(100), fill=20)
    headline_box = draw.textbbox((120, 80), HEADLINE, font=_font(100))
    y = 300
    for line in BODY:
        draw.text((120, y), line, font=_font(BODY_PX), fill=20)
        y += 60
    dots = []
    for item in ITEMS:
        y += 60
        r = 5
        cy = y + BODY_PX // 2 + 2
        draw.ellipse((130 - r, cy - r, 130 + r, cy + r), fill=20)
        dots.append((130 - r, cy - r, 130 + r, cy + r))
        draw.text((160, y), item, font=_font(BODY_PX), fill=20)
    y += 160
    figure_boxes = []
    for k, (label, figure) in enumerate(FIGURES):
        x = 120 + k * 600
        draw.text((x, y), label, font=_font(BODY_PX), fill=20)
        draw.text((x, y + 70), figure, font=_font(120), fill=20)
        figure_boxes.append(draw.textbbox((x, y + 70), figure, font=_font(120)))
    return DrawnPage(np.asarray(img), headline_box, figure_boxes, dots)


def _contains(outer: tuple[int, int, int, int], inner: tuple[int, int, int, int], slack: int = 6) -> bool:
    return (
        outer[0] - slack <= inner[0] and outer[1] - slack <= inner[1]
        and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack
    )


def test_body_text_height_is_the_glyph_size(page: DrawnPage) -> None:
    body = body_text_height(ink_blobs(page.image))
    assert body is not None and 0.75 * BODY_PX <= body <= 1.1 * BODY_PX


def test_large_rows_are_the_headline_and_each_figure(page: DrawnPage) -> None:
    blobs = ink_blobs(page.image)
    rows = find_large_rows(blobs, body_text_height(blobs))
    for box in page.figure_boxes:
        assert sum(_contains(row.box, box) for row in rows) == 1, box
    # Labels and body lines are not large type: no row reaches into them.
    label_band = (page.figure_boxes[0][1] - 70, page.figure_boxes[0][1] - 10)
    assert not any(row.box[1] <= label_band[0] <= row.box[3] for row in rows)
    assert any(row.box[1] <= page.headline_box[1] + 30 <= row.box[3] for row in rows)
    assert all(row.glyph_height >= 1.6 * BODY_PX for row in rows)


def test_a_crop_is_scaled_to_body_size_and_maps_back(page: DrawnPage) -> None:
    blobs = ink_blobs(page.image)
    rows = find_large_rows(blobs, body_text_height(blobs))
    row = next(r for r in rows if _contains(r.box, page.figure_boxes[1]))
    crop, scale, (left, top) = line_crop(page.image, row, paper_level(page.image))
    assert scale < 1.0 and crop.max() > 200
    # The row's first inked pixel, mapped back, lands on the row's left edge.
    ink_cols = np.flatnonzero((crop < 128).any(axis=0))
    assert left + ink_cols[0] / scale == pytest.approx(row.box[0], abs=2 / scale)
    ink_rows = np.flatnonzero((crop < 128).any(axis=1))
    assert top + ink_rows[0] / scale == pytest.approx(row.box[1], abs=2 / scale)


def test_dot_bullets_start_the_items_and_nothing_else(page: DrawnPage) -> None:
    blobs = ink_blobs(page.image)
    dots = find_dot_bullets(blobs, body_text_height(blobs))
    assert len(dots) == len(page.dot_boxes)  # not the full stops, nor the decimal point of 93.4
    for dot, box in zip(sorted(dots, key=lambda d: d.mark[1]), page.dot_boxes):
        assert _contains(box, dot.mark, slack=2)
        assert dot.line[3] - dot.line[1] >= 0.6 * BODY_PX  # the unit spans its item's line


def test_a_lone_dot_is_not_a_bullet(page: DrawnPage) -> None:
    image = page.image.copy()
    for x0, y0, x1, y1 in page.dot_boxes[1:]:
        image[y0 - 2 : y1 + 2, x0 - 2 : x1 + 2] = 245
    blobs = ink_blobs(image)
    assert find_dot_bullets(blobs, body_text_height(blobs)) == []


def _w(text: str, conf: float) -> OcrWord:
    return OcrWord(text, 0, 0, 10, 10, conf, (1, 1, 1), 0, 10)


def test_figure_readings_agree_or_are_flagged() -> None:
    same = choose_figure_reading([_w("5.1%", 80.0)], [_w("5.1%", 96.0)])
    assert [(w.text, w.conf) for w in same] == [("5.1%", 96.0)]
    # chi_sim's known '%' → '9%' confusion: eng's reading, with eng's confidence.
    percent = choose_figure_reading([_w("49%", 91.0)], [_w("4%", 95.0)])
    assert [(w.text, w.conf) for w in percent] == [("4%", 95.0)]
    # Any other disagreement: the better-scored reading, flagged for a look.
    other = choose_figure_reading([_w("3.5%", 90.0)], [_w("3.6%", 85.0)])
    assert [w.text for w in other] == ["3.5%"] and other[0].conf <= 60.0
    assert choose_figure_reading([_w("1.1%", 70.0)], []) == [_w("1.1%", 70.0)]


def test_tsv_pages_of_a_batch_stay_apart() -> None:
    header = (
        "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    )
    rows = [
        "4\t1\t1\t1\t1\t0\t5\t6\t50\t30\t-1\t",
        "5\t1\t1\t1\t1\t1\t5\t6\t50\t30\t96.0\t5.1%",
        "4\t3\t1\t1\t1\t0\t7\t8\t40\t30\t-1\t",
        "5\t3\t1\t1\t1\t1\t7\t8\t40\t30\t91.0\t4%",
    ]
    pages = parse_tsv_pages(header + "\n".join(rows) + "\n")
    assert {k: [w.text for w in v] for k, v in pages.items()} == {1: ["5.1%"], 3: ["4%"]}
    assert pages[3][0].line_key == (1, 1, 1)


# --- with the real tesseract ---------------------------------------------------------------

REAL = dataclasses.replace(OcrConfig(), engine="tesseract", languages="chi_sim")


@pytest.mark.ocr
def test_lines_batch_reads_each_image_in_order(page: DrawnPage) -> None:
    engine = TesseractEngine()
    blobs = ink_blobs(page.image)
    rows = find_large_rows(blobs, body_text_height(blobs))
    figure_rows = [next(r for r in rows if _contains(r.box, box)) for box in page.figure_boxes]
    paper = paper_level(page.image)
    crops = [line_crop(page.image, row, paper)[0] for row in reversed(figure_rows)]
    readings = engine.lines_batch(crops, languages="eng", psm=7, dpi=300, timeout_s=60)
    assert ["".join(w.text for w in words) for words in readings] == [f for _, f in reversed(FIGURES)]


@pytest.mark.ocr
def test_big_figures_are_read_digit_exact_and_labels_stay_apart(page: DrawnPage) -> None:
    content = recognise_page(PageImage(1, page.image, 300.0), REAL, TesseractEngine())
    texts = [p.text for p in repair_layout(ExtractedDocument("image", 1, [content]))]
    joined = "\n".join(texts)
    for label, figure in FIGURES:
        assert figure in texts or any(t.endswith(figure) and label[:2] in t for t in texts), joined
    # A figure never fuses with a neighbour's digits ('4%' read as 'O' + '490' before).
    assert "490" not in joined and "49%" not in joined
    for item in ITEMS:
        assert item.replace("，", "") in joined.replace(",", "").replace("，", ""), joined
