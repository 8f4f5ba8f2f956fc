"""Period of a fact: only a time frame sets it, never a year that is compared with or mentioned.

The cases come from the OCR'd 新会 digest (samples/xinhui-2023-digest-scan.pdf), where
"…排名第42位,较" / "2021年上升3位”…" made 2021 the period of the next ~30 actual facts,
and from OCR that loses the 较/比 of a comparison.
"""

from __future__ import annotations

import pytest

from reportflow.facts import extract_facts
from reportflow.facts.sections import year_is_time_frame
from reportflow.models import DocumentContext, Fact, Paragraph

CONTEXT = DocumentContext(title="数读2023年新会区政府工作报告", region="新会区", report_year=2023)


def facts_of(*paragraphs: tuple[str, str], ocr: bool = False) -> list[Fact]:
    """(kind, text) paragraphs; ``ocr`` gives every character a plain OCR confidence."""
    built = [
        Paragraph(i, 1, kind, text, char_conf=[90.0] * len(text) if ocr else [])  # type: ignore[arg-type]
        for i, (kind, text) in enumerate(paragraphs)
    ]
    return extract_facts(built, CONTEXT)


REVIEW = ("body", "2022年工作回顾")
PLAN = ("body", "2023年工作展望")


def test_comparison_year_opening_a_paragraph_is_not_a_period():
    """The item broke off after 较; the year opening the next paragraph is its object."""
    facts = facts_of(
        REVIEW,
        ("item", "全国高质量发展百强区排名第42位,较"),
        ("body", "2021年上升3位”区人大代表票决的十大民生实事全面完"),
        ("body", "成"),
        ("body", "基础设施累计投入57.8亿元,工业投资100亿元，首次上榜“中国工业百强区”,规上工业企业增至706家"),
        ocr=True,
    )
    assert [(f.value, f.unit, f.kind, f.period_year) for f in facts] == [
        (42.0, "位", "actual", 2022),
        (3.0, "位", "actual", 2022),
        (10.0, "大", "actual", 2022),
        (57.8, "亿元", "actual", 2022),
        (100.0, "亿元", "actual", 2022),
        (706.0, "家", "actual", 2022),
    ]
    rank, change = facts[0], facts[1]
    assert rank.indicator_code == "hq_development_rank"
    # the change of rank continues the rank across the break, and carries no code
    assert change.indicator == rank.indicator and change.indicator_code is None


@pytest.mark.parametrize(
    "text",
    [
        "2021年上升3位。基础设施累计投入57.8亿元。",  # OCR lost the 较 of 较2021年上升3位
        "2021年新增长量的18.5倍，基础设施累计投入57.8亿元。",  # lost the 是 of 是2021年…
        "2021年同期增长5%，基础设施累计投入57.8亿元。",
    ],
)
def test_year_followed_by_a_change_or_comparison_keeps_the_section_year(text):
    for section in (REVIEW, PLAN):
        facts = facts_of(section, ("body", text))
        expected = ("actual", 2022) if section is REVIEW else ("target", 2023)
        assert {(f.kind, f.period_year) for f in facts} == {expected}, (section, facts)


def test_a_short_heading_like_paragraph_with_a_comparison_year_sets_nothing():
    facts = facts_of(
        REVIEW, ("body", "2021年上升3位"), ("body", "实施城市品质提升项目62个，全产业链总产值达190亿元。")
    )
    assert {(f.kind, f.period_year) for f in facts} == {("actual", 2022)}


def test_time_frames_still_set_the_period():
    facts = facts_of(
        PLAN,
        ("body", "2022年，全区地区生产总值增长4%。"),  # clause-initial year
        ("body", "规上工业增加值增长9%。"),  # the plan section goes on
        ("body", "2022年地区生产总值1434亿元。"),  # a year before an indicator
        ("body", "2022年全年接待游客350万人次。"),
        ("body", "2022年 发展活力 不断增强"),  # a heading with no quantity: a section
        ("body", "固定资产投资增长3.5%。"),
        ("body", "2023年主要预期目标"),
        ("body", "地区生产总值增长7.5%以上。"),
    )
    assert [(f.value, f.kind, f.period_year) for f in facts] == [
        (4.0, "actual", 2022),
        (9.0, "target", 2023),
        (1434.0, "actual", 2022),
        (350.0, "actual", 2022),
        (3.5, "actual", 2022),
        (7.5, "target", 2023),
    ]


@pytest.mark.parametrize(
    ("text", "frame"),
    [
        ("2022年，", True),
        ("2022年", True),
        ("2022年是", True),
        ("2022年以来", True),
        ("2022年全年", True),
        ("2022年工作回顾", True),
        ("2023年经济社会发展主要预期目标", True),
        ("2023年开平全市", True),
        ("2022年新会区", True),
        ("2022年地区生产总值", True),
        ("2021年上升3位", False),
        ("2021年新增长量的18.5倍", False),
        ("2021年同期", False),
        ("2021年的水平", False),
        ("2021年提高2个百分点", False),
    ],
)
def test_year_is_time_frame(text, frame):
    assert year_is_time_frame(text, text.index("年") + 1) is frame


def test_a_heading_without_quantity_is_read_generously_but_not_across_a_comparison():
    heading = "2022年发展活力不断增强"
    assert not year_is_time_frame(heading, 5)
    assert year_is_time_frame(heading, 5, headline=True)
    for text in ("2021年上升", "2021年新增长量", "2021年同期", "2021年的水平"):
        assert not year_is_time_frame(text, 5, headline=True), text


def test_a_year_heading_on_a_theme_is_a_section():
    facts = facts_of(PLAN, ("body", "2022年高质量发展成效显著"), ("body", "地区生产总值增长4%。"))
    assert [(f.kind, f.period_year) for f in facts] == [("actual", 2022)]
