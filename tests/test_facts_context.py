"""Document context: title, region (administrative unit) and report year."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportflow.facts import document_context
from reportflow.models import Paragraph

GOLD = Path(__file__).resolve().parent / "gold"


def paragraphs(*texts: str) -> list[Paragraph]:
    return [Paragraph(i, 1, "body", t) for i, t in enumerate(texts)]


def clean(doc: str) -> list[Paragraph]:
    lines = (GOLD / f"{doc}.clean.txt").read_text(encoding="utf-8").split("\n")
    return paragraphs(*[line for line in lines if line.strip()])


@pytest.mark.parametrize(
    ("doc", "title", "region"),
    [
        ("000", "政府工作报告摘要", "开平市"),
        ("001", "数读2023年新会区政府工作报告", "新会区"),
        ("002", "政府工作报告", "江门市"),
    ],
)
def test_sample_documents(doc, title, region):
    context = document_context(clean(doc), "report.txt")  # no help from the file name
    assert (context.title, context.region, context.report_year) == (title, region, 2023)


def test_region_from_congress_and_speaker_lines():
    context = document_context(
        paragraphs("政府工作报告", "——2024年1月10日在佛山市第十六届人民代表大会第四次会议上"), "x.pdf"
    )
    assert (context.region, context.report_year) == ("佛山市", 2024)
    context = document_context(paragraphs("政府工作报告", "◇鹤山市市长 某某", "各位代表："), "x.pdf")
    assert context.region == "鹤山市"


def test_region_not_in_the_gazetteer_from_the_title():
    context = document_context(
        paragraphs("2022年绥阳县政府工作报告", "过去一年，全县地区生产总值增长5%。"), "x.pdf"
    )
    assert (context.title, context.region, context.report_year) == (
        "2022年绥阳县政府工作报告",
        "绥阳县",
        2022,
    )


def test_region_from_whole_unit_phrase_and_file_name():
    assert (
        document_context(
            paragraphs("政府工作报告", "2023年台山全市经济社会发展主要预期目标："), "a.txt"
        ).region
        == "台山市"
    )
    context = document_context(paragraphs("政府工作报告摘要", "各位代表："), "enping-2022-report.pdf")
    assert (context.region, context.report_year) == ("恩平市", 2022)


def test_report_year_from_plan_and_review_headings():
    assert document_context(paragraphs("报告", "2021年工作回顾"), "x").report_year == 2022
    assert (
        document_context(paragraphs("报告", "今年工作", "2025年经济社会发展主要预期目标"), "x").report_year
        == 2025
    )


def test_empty_document():
    context = document_context([], "nothing.txt")
    assert (context.title, context.region, context.report_year) == (None, None, None)


def test_ocr_reading_of_the_date_line_dash():
    context = document_context(
        paragraphs("政府工作报告一一2023年2 月16日在江门市", "第十入届人民代表大会第三次会议上"), "scan.png"
    )
    assert (context.title, context.region, context.report_year) == ("政府工作报告", "江门市", 2023)


def test_newspaper_date_line_is_not_the_title_but_gives_the_year_last():
    context = document_context(
        paragraphs("2023年2月21日星期二", "重点抓好八方面工作", "培育龙头企业2家"), "page.png"
    )
    assert (context.title, context.report_year) == ("重点抓好八方面工作", 2023)


# --- the region is a name, or unknown (issue 5: `全市实现地区` on a page without a title) ---


def test_no_region_rather_than_a_phrase_ending_in_a_unit_suffix():
    """A page from the middle of a report: no title, no congress line, no known name."""
    context = document_context(
        paragraphs(
            "全市实现地区生产总值3773.41亿元，增长3.3%。",
            "全区新增市场主体8921户，产业园区建设提速，本县城区面貌一新。",
            "全市实现地区生产总值增长5%以上。",
        ),
        "page-07.pdf",
    )
    assert context.region is None


def test_a_name_the_gazetteer_lacks_still_comes_from_the_congress_line():
    context = document_context(
        paragraphs(
            "政府工作报告", "——2024年1月8日在绥阳县第十八届人民代表大会第四次会议上", "全县实现地区生产总值"
        ),
        "x.pdf",
    )
    assert context.region == "绥阳县"


def test_title_words_are_not_taken_for_a_name():
    context = document_context(paragraphs("关于全市政府工作报告的说明", "各位代表："), "x.pdf")
    assert context.region is None


@pytest.mark.parametrize(
    ("name", "plausible"),
    [
        ("绥阳县", True),
        ("乌鲁木齐市", True),
        ("新会区", True),  # gazetteer
        ("全市实现地区", False),  # spans 全市 … 地区
        ("全市", False),
        ("本区", False),
        ("我县", False),
        ("该市", False),
        ("产业园区", False),
        ("城区", False),
        ("示范区", False),
        ("上市", False),
        ("百强县", False),
        ("年新会区2", False),
    ],
)
def test_plausible_unit_name(name, plausible):
    from reportflow.facts.context import plausible_unit_name

    assert plausible_unit_name(name) is plausible


def test_a_short_name_inside_another_word_is_not_the_region():
    """A listed company's report: 新会计准则 (new accounting standards) is not 新会."""
    text = "公司自2024年1月1日起执行新会计准则，新会计准则对本期财务报表无重大影响。"
    assert document_context(paragraphs("第三季度报告", text), "q3.pdf").region is None
    assert (
        document_context(paragraphs("第三季度报告", text, "新会陈皮产业园项目"), "q3.pdf").region == "新会区"
    )
