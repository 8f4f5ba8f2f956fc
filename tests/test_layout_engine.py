"""Tests of the layout engine (reportflow.layout.engine and its modules).

A two-column, two-page newspaper typeset with reportlab (tests/test_layout_engine_support.py)
gives the truth paragraphs exactly: the engine must return them, whatever the order of the
characters in the input, from text-layer characters and from OCR-shaped words alike. Small
synthetic pages pin down one rule each (line joining, paragraph ends, items, headings,
furniture, duplicates, normalisation).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from test_layout_engine_support import (
    FONT_PATH,
    HEADLINE,
    PARAGRAPHS,
    as_ocr_words,
    column_rows,
    shuffled,
    synth_page,
    synth_units,
    typeset_report,
    units_from_pdf,
)

from reportflow.layout import repair_layout
from reportflow.layout.engine import paragraphs_from_pages
from reportflow.layout.furniture import find_furniture, is_page_credit_or_dateline, is_page_number
from reportflow.layout.lines import build_lines
from reportflow.layout.units import page_units
from reportflow.models import ExtractedDocument, PageContent, Paragraph, TextUnit

# Synthetic pages: columns of 16 Chinese characters (10 pt), x 40–200 and 220–380.
COL1, COL2, COL_END = 40.0, 220.0, 200.0


def texts(paragraphs: list[Paragraph]) -> list[str]:
    return [p.text for p in paragraphs]


def run(rows: list, **page) -> list[Paragraph]:
    return paragraphs_from_pages([synth_page(rows, **page)])


# --------------------------------------------------------------------------------------
# The typeset newspaper
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list]:
    if not FONT_PATH.exists():
        pytest.skip("WenQuanYi Zen Hei font not installed")
    path = tmp_path_factory.mktemp("layout") / "report.pdf"
    settings = typeset_report(path)
    return path, settings


@pytest.fixture(scope="module")
def report_pages(report_pdf: tuple[Path, list]) -> list[PageContent]:
    return units_from_pdf(report_pdf[0])


@pytest.fixture(scope="module")
def report_paragraphs(report_pages: list[PageContent]) -> list[Paragraph]:
    return paragraphs_from_pages(report_pages)


TRUTH = [("heading", HEADLINE), *PARAGRAPHS]


def test_typeset_report_is_read_exactly(
    report_paragraphs: list[Paragraph], report_pdf: tuple[Path, list]
) -> None:
    """Every paragraph whole, in reading order, with its kind and nothing else (no running
    heads, no page numbers): columns, the spanning headline, items with hanging indents,
    a paragraph running into the next column and one running onto the next page."""
    settings = report_pdf[1]
    assert any(len(s.pages) == 2 for s in settings), "the fixture must have a paragraph across pages"
    assert any(len(s.columns) == 2 and len(s.pages) == 1 for s in settings), "… and one across columns"
    assert any(s.kind == "item" for s in settings)
    assert [(p.kind, p.text) for p in report_paragraphs] == TRUTH
    assert [p.seq for p in report_paragraphs] == list(range(len(TRUTH)))


def test_paragraph_across_pages_belongs_to_its_first_page(
    report_paragraphs: list[Paragraph], report_pdf: tuple[Path, list]
) -> None:
    settings = report_pdf[1]
    for para, setting in zip(report_paragraphs[1:], settings):
        assert para.page_no == setting.pages[0]
    crossing = next(i for i, s in enumerate(settings) if len(s.pages) == 2)
    para = report_paragraphs[crossing + 1]
    x0, top, x1, bottom = para.bbox
    assert 0 <= x0 < x1 <= 420 and 0 <= top < bottom <= 595


def test_char_boxes_are_the_characters_boxes(
    report_paragraphs: list[Paragraph], report_pages: list[PageContent]
) -> None:
    """One box per character of the text, None exactly at inserted spaces, every other box
    the box of a character with that text on the page."""
    boxes_by_char = {(u.text, round(u.x0, 2), round(u.top, 2)) for p in report_pages for u in p.units}
    for para in report_paragraphs:
        assert len(para.char_boxes) == len(para.text)
        assert para.char_conf == []
        for ch, box in zip(para.text, para.char_boxes):
            if ch == " ":
                assert box is None
            else:
                assert box is not None
                assert (ch, round(box[0], 2), round(box[1], 2)) in boxes_by_char


def test_stream_order_does_not_matter(
    report_pages: list[PageContent], report_paragraphs: list[Paragraph]
) -> None:
    for seed in (1, 2, 3):
        again = paragraphs_from_pages(shuffled(report_pages, seed))
        assert [(p.kind, p.text, p.page_no, p.bbox) for p in again] == [
            (p.kind, p.text, p.page_no, p.bbox) for p in report_paragraphs
        ]


def test_page_order_of_the_input_does_not_matter(
    report_pages: list[PageContent], report_paragraphs: list[Paragraph]
) -> None:
    again = paragraphs_from_pages(list(reversed(report_pages)))
    assert texts(again) == texts(report_paragraphs)


def test_ocr_words_go_through_the_same_engine(report_pages: list[PageContent]) -> None:
    """Pixels at 300 dpi, multi-character words in random order, no fonts: same paragraphs;
    no space between Chinese words; each character carries its word's box share and conf."""
    ocr_pages = as_ocr_words(report_pages)
    paragraphs = paragraphs_from_pages(ocr_pages)
    assert [(p.kind, p.text) for p in paragraphs] == TRUTH
    for para in paragraphs:
        assert len(para.char_conf) == len(para.text) == len(para.char_boxes)
        for ch, box, conf in zip(para.text, para.char_boxes, para.char_conf):
            if ch == " ":
                assert box is None and conf is None
            else:
                assert box is not None and 60 <= conf <= 97
                assert 0 <= box[0] < box[2] <= ocr_pages[0].width + 1e-6


def test_ocr_word_boxes_are_split_evenly_per_character() -> None:
    page = PageContent(
        1,
        1000,
        1000,
        "ocr",
        [
            TextUnit("增长3.3%", 100, 100, 300, 140, 40, conf=88.0),
            TextUnit("以上", 300, 100, 380, 140, 40, conf=91.0),
        ],
        dpi=300,
    )
    (para,) = paragraphs_from_pages([page])
    assert para.text == "增长3.3%以上"
    assert para.char_boxes[0] == (100, 100, 100 + 200 / 6, 140)
    assert para.char_boxes[5] == pytest.approx((100 + 5 * 200 / 6, 100, 300, 140))
    assert para.char_conf == [88.0] * 6 + [91.0] * 2


def test_units_scaled_up_give_the_same_paragraphs(
    report_pages: list[PageContent], report_paragraphs: list[Paragraph]
) -> None:
    """Scale-free: every threshold is relative to the character size."""
    k = 3.7
    scaled = [
        PageContent(
            p.page_no,
            p.width * k,
            p.height * k,
            "text",
            [
                dataclasses.replace(
                    u, x0=u.x0 * k, top=u.top * k, x1=u.x1 * k, bottom=u.bottom * k, size=u.size * k
                )
                for u in p.units
            ],
        )
        for p in report_pages
    ]
    assert texts(paragraphs_from_pages(scaled)) == texts(report_paragraphs)


def test_repair_layout_dispatches_pages_to_the_engine(
    report_pages: list[PageContent], report_paragraphs: list[Paragraph]
) -> None:
    doc = ExtractedDocument("pdf", len(report_pages), report_pages)
    assert texts(repair_layout(doc)) == texts(report_paragraphs)


# --------------------------------------------------------------------------------------
# Line joining
# --------------------------------------------------------------------------------------


def test_chinese_lines_join_with_nothing_between() -> None:
    rows = column_rows(
        ["过去一年面对风高浪急的国际环境和", "艰巨繁重的改革发展稳定任务全市", "实现平稳健康发展。"],
        COL1,
        100,
    )
    assert texts(run(rows)) == [
        "过去一年面对风高浪急的国际环境和艰巨繁重的改革发展稳定任务全市实现平稳健康发展。"
    ]


def test_number_broken_across_lines_keeps_its_digits_together() -> None:
    rows = column_rows(["全市实现地区生产总值共计3773.", "41亿元，增长3.3%、排全省第2。"], COL1, 100)
    (para,) = run(rows)
    assert "3773.41亿元" in para.text
    assert " " not in para.text


def test_latin_words_wrapped_at_a_space_get_one_space() -> None:
    rows = column_rows(["The economy of the city grew", "by 3.3 percent in 2022 overall."], COL1, 100)
    (para,) = run(rows)
    assert para.text == "The economy of the city grew by 3.3 percent in 2022 overall."


def test_word_spaces_inside_a_line_come_from_the_gaps() -> None:
    (para,) = run([(COL1, 100, "GDP增长 3.1% and rising")])
    assert para.text == "GDP增长 3.1% and rising"


def test_overprinted_duplicates_are_dropped() -> None:
    """Fake bold: every character drawn twice a fraction of a point apart."""
    rows = [(COL1, 100, "股票代码：300218"), (COL1, 130, "披露日期：2012年3月27日")]
    units = synth_units(rows)
    doubled = units + [
        dataclasses.replace(u, x0=u.x0 + 0.24, x1=u.x1 + 0.24, top=u.top + 0.24, bottom=u.bottom + 0.24)
        for u in units
    ]
    page = PageContent(1, 420, 595, "text", doubled)
    pu = page_units(page)
    assert len(pu) == len(units)
    assert pu.bold.all()  # drawn twice = bold
    assert texts(paragraphs_from_pages([page])) == ["股票代码：300218", "披露日期：2012年3月27日"]


def test_neighbouring_equal_characters_are_not_duplicates() -> None:
    (para,) = run([(COL1, 100, "姜啸啸 illness ... 1100")])
    assert para.text == "姜啸啸 illness ... 1100"


def test_characters_are_normalised() -> None:
    """Kangxi radicals (some producers' CJK fonts), full-width digits and percent signs."""
    (para,) = run([(COL1, 100, "⼀季度⾦额增长３．５％")])
    assert para.text == "一季度金额增长3.5%"


def test_whitespace_units_are_ignored() -> None:
    units = synth_units([(COL1, 100, "增长")]) + [
        TextUnit("\u3000", 60, 100, 70, 110, 10),
        TextUnit(" ", 70, 100, 73, 110, 10),
    ]
    page = PageContent(1, 420, 595, "text", units)
    assert texts(paragraphs_from_pages([page])) == ["增长"]


# --------------------------------------------------------------------------------------
# Paragraph ends
# --------------------------------------------------------------------------------------

FULL = "全面落实国家省市稳经济一揽子政策"  # 16 characters: a full column line
assert len(FULL) == 16


def test_short_line_after_a_full_stop_ends_the_paragraph() -> None:
    rows = column_rows([FULL, "帮助企业纾困发展。", FULL, "确保平稳有序。"], COL1, 100)
    assert texts(run(rows)) == [FULL + "帮助企业纾困发展。", FULL + "确保平稳有序。"]


def test_full_line_without_final_punctuation_continues() -> None:
    rows = column_rows([FULL, FULL, "确保平稳有序。"], COL1, 100)
    assert texts(run(rows)) == [FULL * 2 + "确保平稳有序。"]


def test_first_line_indent_starts_a_paragraph() -> None:
    rows = [
        (COL1 + 20, 100, FULL[:14]),
        (COL1, 115, FULL),
        (COL1 + 20, 130, FULL[:14]),
        (COL1, 145, "结束。"),
    ]
    assert texts(run(rows)) == [FULL[:14] + FULL, FULL[:14] + "结束。"]


def test_wider_gap_between_lines_starts_a_paragraph() -> None:
    rows = column_rows([FULL, FULL], COL1, 100) + column_rows([FULL, "结束。"], COL1, 150)
    assert texts(run(rows)) == [FULL * 2, FULL + "结束。"]


def test_size_change_separates_heading_from_body() -> None:
    rows = [(COL1, 80, "二、2023年工作安排", 13.0), *column_rows([FULL, "结束。"], COL1, 100)]
    paragraphs = run(rows)
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("heading", "二、2023年工作安排"),
        ("body", FULL + "结束。"),
    ]


def test_paragraph_runs_from_the_foot_of_a_column_to_the_head_of_the_next() -> None:
    col1 = column_rows([FULL] * 5 + ["全力以赴奋勇争先推动经济稳步"], COL1, 100)
    col2 = column_rows(["回升向好。", FULL, FULL, FULL, FULL, "结束。"], COL2, 100)
    paragraphs = run(col1 + col2)
    # The head of column 2 is no new paragraph (no indent) but ends one (short, 。).
    assert texts(paragraphs) == [FULL * 5 + "全力以赴奋勇争先推动经济稳步回升向好。", FULL * 4 + "结束。"]


def test_paragraph_ending_at_the_foot_of_a_column_does_not_run_on() -> None:
    col1 = column_rows([FULL] * 5 + ["推动经济稳步回升。"], COL1, 100)
    col2 = [(COL2 + 20, 100, FULL[:14]), *column_rows([FULL, "结束。"], COL2, 115)]
    assert texts(run(col1 + col2)) == [FULL * 5 + "推动经济稳步回升。", FULL[:14] + FULL + "结束。"]


def test_paragraph_runs_onto_the_next_page() -> None:
    page1 = synth_page(column_rows([FULL] * 3, COL1, 100), page_no=1)
    page2 = synth_page(column_rows(["回升向好。", FULL, "结束。"], COL1, 100), page_no=2)
    paragraphs = paragraphs_from_pages([page1, page2])
    assert texts(paragraphs) == [FULL * 3 + "回升向好。", FULL + "结束。"]
    assert paragraphs[0].page_no == 1


# --------------------------------------------------------------------------------------
# Items and headings
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("glyph", ["●", "•", "▪", "·", "-", "–", "■", "◆"])
def test_bulleted_lines_are_items_without_their_glyph(glyph: str) -> None:
    rows = [(COL1, 100, f"{glyph} 地区生产总值增长2.8%"), (COL1, 115, f"{glyph} 城镇新增就业7089人")]
    paragraphs = run(rows)
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("item", "地区生产总值增长2.8%"),
        ("item", "城镇新增就业7089人"),
    ]
    assert len(paragraphs[0].char_boxes) == len(paragraphs[0].text)
    assert paragraphs[0].char_boxes[0][0] > COL1  # the glyph's box went with the glyph


def test_negative_number_at_line_start_is_no_bullet() -> None:
    (para,) = run([(COL1, 100, "-3.5%为全年降幅。")])
    assert para.kind == "body" and para.text == "-3.5%为全年降幅。"


def test_item_continues_under_its_hanging_indent() -> None:
    rows = [
        (COL1, 100, "● 江门大型产业集聚区新会片区建"),
        (COL1 + 15, 115, "设提速，基础设施累计投入"),
        (COL1, 130, "● 首次上榜中国工业百强区"),
    ]
    paragraphs = run(rows)
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("item", "江门大型产业集聚区新会片区建设提速，基础设施累计投入"),
        ("item", "首次上榜中国工业百强区"),
    ]


def test_bullet_set_apart_by_a_tab_stays_with_its_text() -> None:
    rows = [
        (COL1, 100, "●"),
        (COL1 + 25, 100, "地区生产总值增长2.8%"),
        (COL1, 115, "●"),
        (COL1 + 25, 115, "城镇新增就业7089人"),
    ]
    assert texts(run(rows)) == ["地区生产总值增长2.8%", "城镇新增就业7089人"]


def test_numbered_lines_keep_their_numbers() -> None:
    rows = [
        (COL1, 80, "一、2022年工作回顾"),
        (COL1, 100, "1. 全年园区基础设施投资不少"),
        (COL1 + 10, 115, "于50亿元"),
        (COL1, 130, "2. 广东轨道交通产业园培育"),
        (COL1, 160, "（一）科学精准抓好疫情防控，全"),
        (COL1, 175, "力守护人民群众生命健康。我们"),
        (COL1, 190, "坚持人民至上。"),
    ]
    paragraphs = run(rows)
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("heading", "一、2022年工作回顾"),
        ("item", "1. 全年园区基础设施投资不少于50亿元"),
        ("item", "2. 广东轨道交通产业园培育"),
        ("body", "（一）科学精准抓好疫情防控，全力守护人民群众生命健康。我们坚持人民至上。"),
    ]


def test_large_type_is_a_heading_but_a_large_figure_is_not() -> None:
    rows = [
        (COL1, 60, "重点抓好八方面工作", 18.0),
        (COL1, 100, "地区生产总值同比增长"),
        (COL1, 113, "2.8%", 28.0),
        *column_rows([FULL, "结束。"], COL1, 160),
    ]
    paragraphs = run(rows)
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("heading", "重点抓好八方面工作"),
        ("item", "地区生产总值同比增长2.8%"),  # a data panel: label and figure, one statement
        ("body", FULL + "结束。"),
    ]


def test_bold_short_line_is_a_heading() -> None:
    rows = [(COL1, 80, "提升硬联通能力", 10.0, True), *column_rows([FULL, "结束。"], COL1, 100)]
    assert [p.kind for p in run(rows)] == ["heading", "body"]


# --------------------------------------------------------------------------------------
# Columns and reading order
# --------------------------------------------------------------------------------------


def _article(tag: str, n: int) -> list[str]:
    body = (tag * 16)[:16]
    return [body] * (n - 1) + [tag * 3 + "。"]


def test_columns_are_read_one_after_the_other_even_with_aligned_baselines() -> None:
    col1 = column_rows(_article("甲", 4) + _article("乙", 3), COL1, 100)
    col2 = column_rows(_article("丙", 4) + _article("丁", 3), COL2, 100)
    paragraphs = run(col2 + col1)
    assert [p.text[0] for p in paragraphs] == ["甲", "乙", "丙", "丁"]


def test_spanning_headline_separates_two_bands_of_columns() -> None:
    band1 = column_rows(_article("甲", 4), COL1, 100) + column_rows(_article("乙", 4), COL2, 100)
    headline = [(140, 180, "全力以赴跑好年度", 18.0)]
    band2 = column_rows(_article("丙", 3), COL1, 220) + column_rows(_article("丁", 3), COL2, 220)
    paragraphs = run(band2 + headline + band1)
    assert [p.text[0] for p in paragraphs] == ["甲", "乙", "全", "丙", "丁"]
    assert paragraphs[2].kind == "heading"


def test_aligned_paragraph_gap_across_columns_does_not_split_the_columns() -> None:
    col1 = column_rows(_article("甲", 3), COL1, 100) + column_rows(_article("乙", 3), COL1, 160)
    col2 = column_rows(_article("丙", 3), COL2, 100) + column_rows(_article("丁", 3), COL2, 160)
    assert [p.text[0] for p in run(col1 + col2)] == ["甲", "乙", "丙", "丁"]


def test_longer_first_column_continues_below_the_shorter_second() -> None:
    col1 = column_rows(_article("甲", 3), COL1, 100) + column_rows(_article("乙", 3), COL1, 160)
    col2 = column_rows(_article("丙", 3), COL2, 100)
    assert [p.text[0] for p in run(col2 + col1)] == ["甲", "乙", "丙"]


def test_three_columns_under_a_full_width_paragraph() -> None:
    wide = [(40, 60, "这是一个通栏导语段落横跨三栏全部宽度而且很长很长很长很长"), (40, 75, "结束。")]
    cols = []
    for i, tag in enumerate("甲乙丙"):
        cols += [(40 + i * 120, 100 + k * 15, (tag * 10)) for k in range(3)] + [
            (40 + i * 120, 145, tag + "。")
        ]
    paragraphs = run(cols + wide, width=420)
    assert [p.text[0] for p in paragraphs] == ["这", "甲", "乙", "丙"]


# --------------------------------------------------------------------------------------
# Furniture
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["3", "— 3 —", "- 3 -", "–12–", "第3版", "第 3 页", "3/12", "Page 3", "·7·", "(12)"]
)
def test_page_number_forms(text: str) -> None:
    assert is_page_number(text)


@pytest.mark.parametrize("text", ["2023年", "3.3%", "第3条", "增长3", "第一季度", "1.", "2022—2023"])
def test_not_page_numbers(text: str) -> None:
    assert not is_page_number(text)


def _page_with_furniture(page_no: int, date: str) -> PageContent:
    rows = [
        (40, 20, f"侨乡晨报 {date} 第{page_no + 2}版", 8.0),
        *column_rows([FULL, "结束。"], COL1, 100),
        (180, 300, "2.8", 30.0),  # a decorative figure mid-page is no page number
        (205, 575, f"— {page_no} —", 8.0),
    ]
    return synth_page(rows, page_no=page_no)


def test_running_heads_and_page_numbers_are_dropped_across_pages() -> None:
    pages = [_page_with_furniture(1, "2023年2月17日 星期五"), _page_with_furniture(2, "2023年2月18日 星期六")]
    paragraphs = paragraphs_from_pages(pages)
    assert texts(paragraphs) == [FULL + "结束。", "2.8", FULL + "结束。", "2.8"]


def test_single_page_keeps_a_head_it_cannot_recognise_but_drops_its_page_number() -> None:
    # Without a second page to repeat it, a head with no dateline or credit is content.
    paragraphs = paragraphs_from_pages([_page_with_furniture(1, "2月17日")])
    assert texts(paragraphs)[0].startswith("侨乡晨报")
    assert not any("—" in t for t in texts(paragraphs))


def test_single_page_drops_a_newspaper_dateline_and_credit_line_in_its_margins() -> None:
    credit = "责编 黄嘉欣 校对 吴凡"
    rows = [
        (40, 20, "侨乡晨报 2023年2月17日 星期五 第3版", 8.0),
        *column_rows([FULL, "结束。"], COL1, 100),
        (40, 300, credit, 10.0),  # mid-page: content, whatever it says
        (40, 575, credit, 8.0),
    ]
    paragraphs = paragraphs_from_pages([synth_page(rows)])
    assert texts(paragraphs) == [FULL + "结束。", "责编黄嘉欣校对吴凡"]


@pytest.mark.parametrize(
    "text",
    ["责编 黄嘉欣 校对 吴凡", "责任编辑 李晓明 美术编辑 陈思", "本版编辑 梁子健", "责任编辑：李晓明",
     "潮连周刊 | 2023年2月21日 星期二", "2023年2月17日 星期五", "侨乡晨报2023年2月17日星期五"],
)
def test_page_credit_and_dateline_forms(text: str) -> None:
    assert is_page_credit_or_dateline(text)


@pytest.mark.parametrize(
    "text",
    ["编辑部召开会议，研究部署2023年工作", "校对工作很重要", "2023年2月16日",
     "会议于2023年2月16日（星期四）召开，全体代表出席。", "责任编辑李晓明说，" + "全年地区生产总值增长5%以上" * 2],
)
def test_not_page_credits_or_datelines(text: str) -> None:
    assert not is_page_credit_or_dateline(text)


def test_find_furniture_reports_line_indices_per_page() -> None:
    pages = [_page_with_furniture(1, "2月17日"), _page_with_furniture(2, "2月18日")]
    lines = [build_lines(page_units(p)) for p in pages]
    drop = find_furniture(lines, [p.height for p in pages])
    for page_lines, dropped in zip(lines, drop):
        assert sorted(page_lines[i].text for i in dropped) == sorted(
            t for t in (ln.text for ln in page_lines) if t.startswith(("侨乡晨报", "—"))
        )


# --------------------------------------------------------------------------------------
# Edge cases
# --------------------------------------------------------------------------------------


def test_empty_input() -> None:
    assert paragraphs_from_pages([]) == []
    assert paragraphs_from_pages([PageContent(1, 420, 595, "text", [])]) == []


def test_single_character_page() -> None:
    (para,) = paragraphs_from_pages([synth_page([(COL1, 100, "一")])])
    assert para.text == "一" and para.kind == "body" and para.bbox == (COL1, 100, COL1 + 10, 110)


@pytest.mark.parametrize(
    ("read", "curled"),
    [
        ('实施"十四五"规划', "实施“十四五”规划"),  # alternation
        ('"十四五"规划', "“十四五”规划"),  # opening at the start
        ('打造"一程多站",精品', "打造“一程多站”,精品"),  # closing before punctuation
        ("发展'反向飞地\"经济", "发展“反向飞地”经济"),  # one read as an apostrophe
        ('“法+侨""检+侨”', "“法+侨”“检+侨”"),  # after a curly one
        ('屏幕 5" wide', '屏幕 5" wide'),  # no Chinese character next to it
        ("no 'quotes' here", "no 'quotes' here"),
    ],
)
def test_ocr_straight_quotes_in_chinese_text_are_curled(read: str, curled: str) -> None:
    from reportflow.layout.paragraphs import curl_ocr_quotes

    assert curl_ocr_quotes(read, [True] * len(read)) == curled
    assert curl_ocr_quotes(read, [False] * len(read)) == read  # a text layer is never touched


def test_quotes_are_curled_on_ocr_pages_only_with_boxes_aligned() -> None:
    def units(conf: float | None) -> list[TextUnit]:
        return [
            TextUnit('实施"十四五"规划', 100, 100, 400, 127, 27, conf=conf),
            TextUnit("承上启下。", 410, 100, 545, 127, 27, conf=conf),
        ]

    (ocr,) = paragraphs_from_pages([PageContent(1, 1000.0, 1400.0, "ocr", units(90.0), dpi=300)])
    (text,) = paragraphs_from_pages([PageContent(1, 1000.0, 1400.0, "text", units(None))])
    assert ocr.text.startswith("实施“十四五”规划") and text.text.startswith('实施"十四五"规划')
    assert len(ocr.char_boxes) == len(ocr.text) == len(ocr.char_conf)


def test_ocr_words_cut_at_a_decimal_point_join_without_a_space() -> None:
    """Tesseract ends a word at a decimal point ('3773' + '.41亿元', jiangmen sample scan):
    the gap is a word gap to the engine, but a space there would change the number's text."""
    from reportflow.layout.lines import splits_a_decimal

    assert splits_a_decimal("3773", ".41亿元") and splits_a_decimal("总值3773.", "41亿元")
    assert not splits_a_decimal("GDP", ".41") and not splits_a_decimal("2023", "41")
    units = [
        TextUnit("实现地区生产总值3773", 100, 100, 370, 127, 27, conf=90.0),
        TextUnit(".41亿元", 379, 100, 460, 127, 27, conf=90.0),
        TextUnit("比上年增长", 100, 140, 235, 167, 27, conf=90.0),
        TextUnit("3.3%", 250, 140, 300, 167, 27, conf=90.0),
    ]
    page = PageContent(1, 1000.0, 1400.0, "ocr", units, dpi=300)
    text = "".join(p.text for p in paragraphs_from_pages([page]))
    assert "3773.41亿元" in text
    assert "增长 3.3%" in text or "增长3.3%" in text
