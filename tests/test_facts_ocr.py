"""Fact extraction on OCR text: marks that lose their shape, bullets read as quotes, specks,
labels and figures in separate paragraphs, words broken across paragraphs, misread units.

The paragraph texts are copied from real tesseract output of the committed samples and the
benchmark scans (benchmarks/facts_eval.py --scans / --samples). The last tests replay the
recorded OCR of samples/xinhui-2023-digest-scan.pdf through extract → layout → facts.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
from pathlib import Path

import pytest

from reportflow.facts import document_context, extract_facts
from reportflow.facts.ocrtext import pair_quote_marks
from reportflow.models import DocumentContext, Fact, Paragraph

CONTEXT = DocumentContext(title="数读2023年新会区政府工作报告", region="新会区", report_year=2023)


def ocr_paragraph(seq: int, text: str, kind: str = "body", unsure: tuple[str, ...] = ()) -> Paragraph:
    """An OCR'd paragraph: confidence 90, but 20 on the first character of each ``unsure`` piece
    (a piece is located with its context: "。8" marks the 。 before the 8)."""
    conf: list[float | None] = [90.0] * len(text)
    for piece in unsure:
        conf[text.index(piece)] = 20.0
    return Paragraph(seq, 1, kind, text, char_conf=conf)  # type: ignore[arg-type]


def ocr_facts(*texts: str | Paragraph, section: str = "2022年工作回顾") -> list[Fact]:
    paragraphs = [ocr_paragraph(0, section, "heading")]
    for text in texts:
        p = text if isinstance(text, Paragraph) else ocr_paragraph(0, text)
        paragraphs.append(dataclasses.replace(p, seq=len(paragraphs)))
    return extract_facts(paragraphs, CONTEXT)


def summary(facts: list[Fact]) -> list[tuple]:
    return [(f.indicator_code, f.measure, f.value, f.unit) for f in facts]


# --- quote marks ---------------------------------------------------------------------------


def test_quote_marks_pair_by_position_whatever_their_shape():
    text = '实施"十四五”规划，首次上榜“中国工业百强区",规上工业企业增至706家'
    marks = pair_quote_marks(text)
    assert [text[a:b] for a, b in marks.quoted] == ['"十四五”', '“中国工业百强区"']
    assert marks.stray == []


def test_unpaired_marks_are_stray_and_a_quote_never_spans_a_clause():
    text = '可比增长0.5办”全国高质量发展百强区排名第42位,打好打赢“09.02"等本土疫情”区文化馆'
    marks = pair_quote_marks(text)
    assert [text[a:b] for a, b in marks.quoted] == ['“09.02"']
    assert [text[i] + text[i + 1] for i in marks.stray] == ["”全", "”区"]
    # an opening mark whose partner is beyond a comma closes nothing: the figures stay facts
    spanning = pair_quote_marks('首次上榜"中国工业百强区,规上工业企业增至706家,7家企业入选"')
    assert spanning.quoted == [] and len(spanning.stray) == 2


def test_bullets_read_as_quote_marks_end_the_items():
    facts = ocr_facts(
        "地方一般公共预算收入可比增长0.5办”全国高质量发展百强区排名第42位,较",
        section="2022年工作回顾",
    )
    # 0.5办: a misread % gives no fact; the rank gets its own subject after the stray mark
    assert summary(facts) == [("hq_development_rank", "rank", 42.0, "位")]
    assert facts[0].evidence == "全国高质量发展百强区排名第42位"


def test_a_target_list_run_together_with_quote_bullets():
    facts = ocr_facts(
        "2023年经济社会发展主要预期目标:”地区生产总值增长7.5%以上，规模以上工业增加值增长9%”国定资产投资增长6%"
        "”社会消费品零售总额增长6%”外贸进出口总额增长3%”地方一般公共预算收入增长5%”城乡居民人均可支配收入与经济增长基"
        "本同步",
        section="2023年工作展望",
    )
    assert [(f.indicator_code, f.value, f.comparator, f.kind, f.period_year) for f in facts] == [
        ("gdp", 7.5, ">=", "target", 2023),
        ("industrial_va", 9.0, "=", "target", 2023),
        ("fai", 6.0, "=", "target", 2023),  # 国定资产投资: one misread character is tolerated
        ("retail_sales", 6.0, "=", "target", 2023),
        ("trade", 3.0, "=", "target", 2023),
        ("budget_revenue", 5.0, "=", "target", 2023),
    ]
    assert not any("”" in f.indicator or "”" in f.evidence for f in facts)


def test_a_quoted_name_whose_opening_mark_was_lost_is_not_a_count():
    facts = ocr_facts("出台暖企十八条”等“企业服务年”政策措施23项，新增市场主体8921户。")
    assert [(f.value, f.unit) for f in facts] == [(23.0, "项"), (8921.0, "户")]
    # a digit count before a bullet mark stays a fact
    assert [
        (f.value, f.unit)
        for f in ocr_facts("实施城市品质提升项目62个”新会陈皮跃居中国区域农业产业品牌百强榜首位")
    ] == [(62.0, "个")]


# --- specks --------------------------------------------------------------------------------


def test_specks_inside_a_phrase_are_dropped():
    text = "规上工业增加值增长7%、国定资产投资增长。8%、社会消费品零售总额增长6%、外。贸进出口总额增长3%、地方一般公共”预算收入增长5%"
    # tesseract gave both 。 a low confidence (34 and 7 on the real page), as specks get
    facts = ocr_facts(ocr_paragraph(0, text, unsure=("。8", "。贸")), section="2023年主要预期目标")
    assert [(f.indicator_code, f.measure, f.value) for f in facts] == [
        ("industrial_va", "growth", 7.0),
        ("fai", "growth", 8.0),
        ("retail_sales", "growth", 6.0),
        ("trade", "growth", 3.0),
        ("budget_revenue", "growth", 5.0),
    ]
    assert facts[3].indicator == "外贸进出口总额" and facts[3].evidence == "外。贸进出口总额增长3%"


def test_a_confident_full_stop_is_kept():
    text = "固定资产投资增长。8%的企业实现盈利。"
    facts = ocr_facts(ocr_paragraph(0, text))
    assert all(f.indicator_code != "fai" for f in facts)


# --- labels, figures and words across paragraphs -----------------------------------------------


def test_a_label_and_its_figure_in_separate_paragraphs():
    facts = ocr_facts("外贸进出口，", "1.1%", "固定资产投资增长3.5%")
    assert summary(facts) == [("trade", "growth", 1.1, "%"), ("fai", "growth", 3.5, "%")]
    assert facts[0].evidence == "1.1%" and facts[0].kind == "actual" and facts[0].period_year == 2022


def test_misread_figures_under_a_label_give_no_fact():
    # 4% read as "O" / "490", 5.1% read as "D.1%": never guessed
    facts = ocr_facts(
        "地区生产总值同比增长", "O", "490", "规上工业增加值增长", "D.1%", "固定资产投资增长3.5%"
    )
    assert summary(facts) == [("fai", "growth", 3.5, "%")]


def test_words_broken_across_paragraphs_are_read_whole():
    facts = ocr_facts(
        '基础设施累计投入57.8亿元,工业投资100亿元，首次上榜“中国工业百强区",规上工业企',
        "业增至706家,7家企业入选省制造业500强",
        "113个市重点项目完成投资273亿元,投",
        "资完成率128.8%”人入选全国县市区电商竞争力百佳样本。获评全国科普示范区;科技型中小企业增",
        "至566家,高企增至539家",
    )
    named = {(f.value, f.unit): f.indicator for f in facts}
    assert named[(706.0, "家")] == "规上工业企业"
    assert named[(128.8, "%")] == "投资完成率"
    assert named[(566.0, "家")] == "科技型中小企业"
    assert named[(539.0, "家")] == "高企"
    # evidence stays inside its own paragraph
    for f in facts:
        assert f.value_text in f.evidence


def test_a_list_cut_by_a_page_number_and_a_count_before_its_noun():
    facts = ocr_facts(
        "召开区政府党组会议53次,学习议题105项，办理区人大代表建议100件、区政协提",
        ocr_paragraph(0, "一5一", "heading"),
        "案123件,满意率100%”科学设置817个智慧网格,成功创建11个",
        "全国示范型退役军人服务站,时洲派出所获评全国公安机关爱民模范集体",
    )
    named = {(f.value, f.unit): f.indicator for f in facts}
    assert named[(123.0, "件")] == "区政协提案"
    assert named[(11.0, "个")] == "全国示范型退役军人服务站"
    assert named[(817.0, "个")] == "智慧网格"


def test_a_bare_count_does_not_continue_a_money_figure():
    facts = ocr_facts("全年留抵退税19.6亿元,为企业减负36", "亿元", "30个", "组织成为南粤侨创基地合作伙伴")
    thirty = next(f for f in facts if f.value == 30.0)
    assert thirty.indicator == "组织" and thirty.indicator_code is None


# --- units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "地方一般公共预算收入可比增长0.5办",  # % read as 办
        "为企业减负36亿和",  # 元 read as 和: a bare 亿 ending its phrase
        "提前做好项目谋划，争取专项债176亿",  # 元 lost at a column foot
        "一2023人年2月16日在江门市",  # a year with a speck read as a classifier
        "新设立外商直接投资企业68家，吸收外资金额3.27亿2",  # 元 read as 2 (counted below)
    ],
)
def test_a_misread_unit_gives_no_fact(text):
    assert [f.value_text for f in ocr_facts(text)] == (["68家"] if "68家" in text else [])


def test_a_bare_multiplier_before_the_noun_it_qualifies_is_kept():
    facts = ocr_facts(
        "培育亚太森博、新会中集、芳源股份成为百亿产值企业，也是新会冲刺千亿GDP强区的决战决胜之年",
        section="2023年工作展望",
    )
    assert [(f.value, f.unit, f.indicator_code) for f in facts] == [
        (100.0, "亿", None),
        (1000.0, "亿", "gdp"),
    ]


def test_conversions_in_brackets():
    facts = ocr_facts("完成866.66公顷(1.3万雷)高标准农田改造提升建设任务")
    assert [(f.value, f.unit, f.indicator) for f in facts] == [(866.66, "公顷", "高标准农田改造提升建设任务")]
    clean = extract_facts(
        [Paragraph(0, 1, "body", "完成1533.33公顷(2.3万亩)鱼塘尾水处理，建设高标准农田266.67公顷(4000亩)")],
        CONTEXT,
    )
    assert [(f.value, f.unit, f.indicator, f.indicator_code) for f in clean] == [
        (1533.33, "公顷", "鱼塘尾水处理", None),
        (2.3, "万亩", "鱼塘尾水处理", None),
        (266.67, "公顷", "建设高标准农田", None),
        (4000.0, "亩", "建设高标准农田", None),
    ]


def test_a_count_whose_subject_is_only_its_verb_is_described_by_its_clause():
    (fact,) = extract_facts(
        [Paragraph(0, 1, "body", "人才资源总量达93.05万人，新增14人入选国家和省级人才计划。")], CONTEXT
    )[1:]
    assert fact.indicator == "新增14人入选国家和省级人才计划" and fact.measure == "count"


# --- recorded pipeline output of real scans (tests/fixtures/facts/README.md) ---------------------

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "facts"


def recorded(name: str) -> tuple[DocumentContext, list[Paragraph], list[Fact]]:
    """Recorded repaired paragraphs of a scan → context and facts."""
    rows = json.loads(gzip.decompress((FIXTURES / f"{name}.paragraphs.json.gz").read_bytes()))
    paragraphs = [
        Paragraph(r["seq"], r["page_no"], r["kind"], r["text"], char_conf=r["char_conf"]) for r in rows
    ]
    context = document_context(paragraphs, name)
    return context, paragraphs, extract_facts(paragraphs, context)


@pytest.fixture(scope="module")
def xinhui_scan() -> tuple[DocumentContext, list[Paragraph], list[Fact]]:
    return recorded("xinhui-2023-digest-scan")


def test_recorded_scan_periods_fit_the_report(xinhui_scan):
    """Before: 2021 (from "2021年上升3位") was the period of 30 actual facts."""
    from reportflow.validation.rules import period_consistent

    context, _, facts = xinhui_scan
    assert (context.region, context.report_year) == ("新会区", 2023)
    actual = [f for f in facts if f.kind == "actual"]
    assert len(actual) >= 30
    assert {f.period_year for f in actual} == {2022}
    assert {f.period_year for f in facts if f.kind == "target"} == {2023}
    # what the validation stage checks; the one left names 2021 as the base of 上升3位, its
    # 较 being at the end of the previous paragraph
    flagged = [
        f for f in facts if not period_consistent(f.kind, f.period_year, f.period_start, 2023, f.evidence, 15)
    ]
    assert [f.evidence for f in flagged] == ["2021年上升3位"]


def test_recorded_scan_facts(xinhui_scan):
    _, paragraphs, facts = xinhui_scan
    by_seq = {p.seq: p.text for p in paragraphs}
    for f in facts:  # verbatim evidence and value, whatever OCR made of the text
        text = by_seq[f.paragraph_seq]
        assert text[f.evidence_start : f.evidence_start + len(f.evidence)] == f.evidence
        assert text[f.value_start : f.value_start + len(f.value_text)] == f.value_text
        assert f.ocr_min_conf is not None
        assert f.indicator[:1] not in ("”", ".", ")")  # no stray mark or separator
    headline = {(f.indicator_code, f.measure, f.value, f.kind) for f in facts if f.indicator_code}
    assert ("trade", "growth", 1.1, "actual") in headline  # 外贸进出口， / 1.1%
    assert ("hq_development_rank", "rank", 42.0, "actual") in headline  # after 0.5办”
    assert ("fai", "growth", 6.0, "target") in headline  # ”国定资产投资增长6%
    # misread figures are not guessed: 4% (O / 490), 5.1% (D.1%), 0.5% (0.5办)
    assert not {("gdp", "growth", 4.0, "actual"), ("industrial_va", "growth", 5.1, "actual")} & headline
    assert not any(f.value == 0.5 for f in facts)
    named = {(f.value, f.unit): f.indicator for f in facts}
    assert named[(706.0, "家")] == "规上工业企业" and named[(123.0, "件")] == "区政协提案"


def test_recorded_degraded_scan_with_specks():
    _, _, facts = recorded("rl-kaiping-a4-3col-p1-degraded300")
    targets = {(f.indicator_code, f.value) for f in facts if f.kind == "target" and f.measure == "growth"}
    assert {
        ("gdp", 7.0),
        ("industrial_va", 7.0),
        ("fai", 8.0),
        ("retail_sales", 6.0),
        ("trade", 3.0),
        ("budget_revenue", 5.0),
    } <= targets
    assert not any(f.value_text == "十八条" for f in facts)  # “十八条” with its opening mark lost


def test_an_unfinished_phrase_does_not_run_into_a_new_list_item():
    paragraphs = [
        ocr_paragraph(0, "2022年工作回顾", "heading"),
        ocr_paragraph(1, "规上制造业增加值增长6.5%，工业投资占全社会固定资产"),
        ocr_paragraph(2, "空气质量达标率93.4%，森林覆盖率达46.2%", "item"),
    ]
    facts = extract_facts(paragraphs, CONTEXT)
    assert [(f.indicator, f.indicator_code) for f in facts[1:]] == [
        ("空气质量达标率", "air_quality_rate"),
        ("森林覆盖率", "forest_coverage"),
    ]
