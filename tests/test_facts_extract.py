"""Hard cases of fact extraction (issue 5 and the gold README conventions)."""

from __future__ import annotations

import pytest

from reportflow.facts import extract_facts
from reportflow.models import DocumentContext, Fact, Paragraph

CONTEXT = DocumentContext(title="政府工作报告", region="江门市", report_year=2023)


def facts_of(*texts: str, context: DocumentContext = CONTEXT, kinds: tuple[str, ...] = ()) -> list[Fact]:
    paragraphs = [
        Paragraph(seq=i, page_no=1, kind=(kinds[i] if i < len(kinds) else "body"), text=t)  # type: ignore[arg-type]
        for i, t in enumerate(texts)
    ]
    return extract_facts(paragraphs, context)


def key(fact: Fact) -> tuple:
    return (fact.indicator_code, fact.measure, fact.value, fact.unit, fact.comparator, fact.aspirational)


def review(*texts: str) -> list[Fact]:
    return facts_of("一、2022年工作回顾", *texts, kinds=("heading",))


def plan(*texts: str) -> list[Fact]:
    return facts_of("二、2023年工作安排", *texts, kinds=("heading",))


def test_several_facts_in_one_clause_and_inherited_subjects():
    facts = review(
        "实现地区生产总值3773.41亿元，增长3.3%、排全省第2，为建市以来最高排位。"
        "其中规模以上工业增加值增长 3.1%、社会消费品零售总额增长2.4%，均排全省第4，固定资产投资下降0.8%，排全省第8。"
    )
    assert [key(f) for f in facts] == [
        ("gdp", "level", 3773.41, "亿元", "=", False),
        ("gdp", "growth", 3.3, "%", "=", False),
        ("gdp", "rank", 2.0, "", "=", False),
        ("industrial_va", "growth", 3.1, "%", "=", False),
        ("retail_sales", "growth", 2.4, "%", "=", False),
        ("industrial_va", "rank", 4.0, "", "=", False),  # 均排全省第4: one rank per subject
        ("retail_sales", "rank", 4.0, "", "=", False),
        ("fai", "growth", -0.8, "%", "=", False),  # 下降 → negative
        ("fai", "rank", 8.0, "", "=", False),
    ]
    assert all(f.kind == "actual" and f.period_year == 2022 and f.region == "江门市" for f in facts)
    assert facts[3].value_text == "3.1%" and facts[3].evidence == "其中规模以上工业增加值增长 3.1%"
    assert facts[1].evidence == "实现地区生产总值3773.41亿元，增长3.3%"
    assert facts[0].value_base == 377341000000.0 and facts[0].base_unit == "元"


def test_fenbie_pairs_subjects_and_values_in_order():
    facts = review("规上工业增加值、社会消费品零售总额分别增长10.7%、7.2%。")
    assert [key(f) for f in facts] == [
        ("industrial_va", "growth", 10.7, "%", "=", False),
        ("retail_sales", "growth", 7.2, "%", "=", False),
    ]
    shares = review("工业增加值、制造业增加值占GDP比重分别达39.3%和35.8%。")
    assert [(f.indicator, f.measure, f.value, f.indicator_code) for f in shares] == [
        ("工业增加值占GDP比重", "rate", 39.3, None),
        ("制造业增加值占GDP比重", "rate", 35.8, None),
    ]
    multiples = review(
        "新增382家省级专精特新中小企业、9家国家级专精特新“小巨人”企业，分别是过去总量的7倍和1.5倍。"
    )
    assert [(f.indicator, f.measure, f.value) for f in multiples[2:]] == [
        ("省级专精特新中小企业", "multiple", 7.0),
        ("国家级专精特新“小巨人”企业", "multiple", 1.5),
    ]


def test_target_range_with_aspiration_gives_two_facts():
    facts = plan(
        "今年经济社会发展的主要预期目标是：地区生产总值增长6%以上、力争7%以上，居民消费价格涨幅3%左右；"
        "城镇新增就业4万人以上；城镇登记失业率控制在2.5%以内。"
    )
    assert [key(f) for f in facts] == [
        ("gdp", "growth", 6.0, "%", ">=", False),
        ("gdp", "growth", 7.0, "%", ">=", True),
        ("cpi", "growth", 3.0, "%", "~", False),
        ("urban_jobs", "count", 4.0, "万人", ">=", False),
        ("unemployment_rate", "rate", 2.5, "%", "<=", False),
    ]
    assert all(f.kind == "target" and f.period_year == 2023 for f in facts)
    assert facts[3].value_base == 40000.0 and facts[3].base_unit == "人"


def test_percentage_points_ratios_multiples_and_shares():
    facts = review(
        "先进制造业占比达41.9%、提高1.1个百分点，三次产业结构比为12.2:44.9:42.9，"
        "新能源汽车消费增长超2倍，增速比上年回落1.2个百分点。"
    )
    assert [(f.measure, f.value, f.unit, f.comparator) for f in facts] == [
        ("rate", 41.9, "%", "="),
        ("pp_change", 1.1, "个百分点", "="),
        ("ratio", None, "ratio", "="),
        ("multiple", 2.0, "倍", ">="),
        ("pp_change", -1.2, "个百分点", "="),
    ]
    assert facts[2].parts == [12.2, 44.9, 42.9] and facts[2].value_text == "12.2:44.9:42.9"


def test_comparators():
    facts = review(
        "退税减税降费近148亿元，完成工业投资超880亿元，参保率达到98%以上，失业率控制在2.3%以内，"
        "新增学位超1.5万个，约占全省56.2%，20多项工作居全省前三，力争不少于60个。"
    )
    assert [(f.value, f.comparator) for f in facts] == [
        (148.0, "~"),
        (880.0, ">="),
        (98.0, ">="),
        (2.3, "<="),
        (1.5, ">="),
        (56.2, "~"),
        (20.0, ">="),
        (3.0, "<="),
        (60.0, ">="),
    ]
    assert not any(f.aspirational for f in facts)  # 力争 marks only targets


def test_decrease_with_bound_flips_the_comparator_on_the_signed_value():
    (fact,) = review("工程建设全流程审批时间压减50%以上。")
    assert (fact.measure, fact.value, fact.comparator) == ("growth", -50.0, "<=")


def test_level_after_to_is_not_a_change():
    facts = review("基本医疗保险病种提升至9658个，研发投入强度提高0.3个百分点至3.1%。")
    assert [(f.measure, f.value) for f in facts] == [("count", 9658.0), ("pp_change", 0.3), ("rate", 3.1)]


def test_ranks_and_rank_changes():
    facts = review("全国高质量发展百强区排名第42位,较2021年上升3位。营商环境综合评价全省第6、下降2位。")
    assert [(f.indicator_code, f.measure, f.value, f.unit) for f in facts] == [
        ("hq_development_rank", "rank", 42.0, "位"),
        (None, "count", 3.0, "位"),  # a change of rank is not a value of the indicator
        (None, "rank", 6.0, ""),
        (None, "count", -2.0, "位"),
    ]


def test_counts_take_the_counted_noun_as_indicator():
    facts = plan("新增41家“小升规”企业、1家产值超50亿元企业，建成5个公共监管仓和13家陈皮庄园。")
    assert [(f.indicator, f.value, f.unit) for f in facts] == [
        ("“小升规”企业", 41.0, "家"),
        ("产值超50亿元企业", 1.0, "家"),
        ("产值", 50.0, "亿元"),
        ("公共监管仓", 5.0, "个"),
        ("陈皮庄园", 13.0, "家"),
    ]


def test_part_of_the_region_loses_the_indicator_code():
    facts = review("江门大型产业集聚区新征地2.4万亩，完成规上工业增加值824.4亿元、占全市的60.6%。")
    va = next(f for f in facts if f.value == 824.4)
    assert va.indicator == "规上工业增加值" and va.indicator_code is None
    share = next(f for f in facts if f.value == 60.6)
    assert share.measure == "rate" and share.indicator_code is None


def test_share_of_another_indicator_is_not_that_indicator():
    facts = review("工业投资占全社会固定资产投资46.5%，规上制造业增加值占规上工业增加值总量97.4%。")
    assert [(f.measure, f.indicator_code) for f in facts] == [("rate", None), ("rate", None)]


def test_chinese_numeral_amounts_and_indicator_after_the_amount():
    facts = facts_of(
        "2023年是贯彻党的二十大精神开局之年，也是新会冲刺千亿GDP强区的决战决胜之年。",
        context=DocumentContext(region="新会区", report_year=2023),
    )
    assert [key(f) for f in facts] == [("gdp", "level", 1000.0, "亿", ">=", True)]
    assert facts[0].chinese_numeral and facts[0].value_text == "千亿" and facts[0].kind == "target"


def test_kind_follows_sections_and_sentence_years():
    facts = facts_of(
        "过去一年，全市实现地区生产总值3773.41亿元。",
        "2023年是全面贯彻落实党的二十大精神的开局之年。今年经济社会发展的主要预期目标是：地区生产总值增长6%以上。",
        "到2025年，规上工业总产值突破3万亿元。",
        "去年全市粮食产量99万吨。",
    )
    assert [(f.kind, f.period_year, f.value) for f in facts] == [
        ("actual", 2022, 3773.41),
        ("target", 2023, 6.0),
        ("target", 2025, 3.0),
        ("actual", 2022, 99.0),
    ]


def test_multi_year_average_keeps_its_span():
    (fact,) = review("2021—2024年地区生产总值年均增长7.5%。")
    assert (fact.indicator_code, fact.measure, fact.period_start, fact.period_year) == (
        "gdp",
        "growth",
        2021,
        2024,
    )
    five = facts_of("一、过去五年工作回顾", "地区生产总值年均增长6.5%。", kinds=("heading",))
    assert (five[0].period_start, five[0].period_year, five[0].kind) == (2018, 2022, "actual")


def test_sentence_broken_across_paragraphs_keeps_its_subject():
    facts = review("实现地区生产总值3773.41亿元", "增长3.3%、排全省第2，为建市以来最高排位。")
    assert [(f.indicator_code, f.measure, f.paragraph_seq) for f in facts] == [
        ("gdp", "level", 1),
        ("gdp", "growth", 2),
        ("gdp", "rank", 2),
    ]
    assert facts[1].evidence == "增长3.3%"


def test_list_items_joined_in_one_block_are_separate_sentences():
    facts = review("- 规上工业增加值增长2.7%- 外贸进出口总值增长2.5%- 城镇新增就业7089人")
    assert [f.indicator_code for f in facts] == ["industrial_va", "trade", "urban_jobs"]


def test_ocr_confidence_is_the_minimum_over_the_value_characters():
    text = "固定资产投资下降0.8%。"
    conf = [95.0] * len(text)
    conf[text.index("0.8%") + 2] = 41.0
    paragraph = Paragraph(0, 3, "body", text, char_conf=conf)
    (fact,) = extract_facts([paragraph], CONTEXT)
    assert fact.ocr_min_conf == 41.0 and fact.page_no == 3
    (plain,) = extract_facts([Paragraph(0, 1, "body", text)], CONTEXT)
    assert plain.ocr_min_conf is None


@pytest.mark.parametrize(
    "text",
    [
        "加快国道G325线改建",
        "认真落实市委“1+6+3”工作部署",
        "在江门市第十六届人民代表大会第三次会议上",
        "PM2.5年均浓度降至有监测以来最好水平",
        "（一）科学精准抓好疫情防控",
        "1. 构筑外联内畅交通格局",
        "2023年2月16日",
        "大广海湾保税物流中心(B型)",
        "京梅功夫侨村获评国家3A级旅游景区",
        "推进“5G智慧园区”建设",
    ],
)
def test_not_facts(text):
    assert facts_of(text) == []


def test_evidence_and_offsets_are_verbatim():
    text = "- 地区生产总值同比(下同)增长**2.8%**，争取专项债 176 亿元"
    facts = review(text)
    for fact in facts:
        assert text[fact.value_start : fact.value_start + len(fact.value_text)] == fact.value_text
        assert text[fact.evidence_start : fact.evidence_start + len(fact.evidence)] == fact.evidence
    assert [f.value_text for f in facts] == ["2.8%", "176 亿元"]
    assert facts[0].indicator == "地区生产总值" and facts[0].evidence == "地区生产总值同比(下同)增长**2.8%"


def test_extraction_is_fast_enough_for_a_long_report():
    import time

    paragraph = (
        "实现地区生产总值3773.41亿元，增长3.3%、排全省第2。规模以上工业增加值增长 3.1%、社会消费品零售总额增长2.4%，"
        "均排全省第4；新增382家省级专精特新中小企业、9家国家级专精特新“小巨人”企业，分别是过去总量的7倍和1.5倍。"
    )
    paragraphs = [Paragraph(i, 1, "body", paragraph) for i in range(30_000 // len(paragraph) + 1)]
    extract_facts(paragraphs[:1], CONTEXT)  # warm the lazily built tables
    started = time.perf_counter()
    facts = extract_facts(paragraphs, CONTEXT)
    elapsed = time.perf_counter() - started
    assert len(facts) == 11 * len(paragraphs)
    assert elapsed < 1.0  # generous bound for a loaded CI machine; benchmarks/facts_eval.py measures ~20 ms


def test_gap_to_another_region_is_a_signed_point_difference_without_code():
    facts = review("全市地区生产总值增长5.6%，高于全省1.2个百分点，增速低于全国0.3个百分点。")
    assert [(f.indicator_code, f.measure, f.value, f.comparator) for f in facts] == [
        ("gdp", "growth", 5.6, "="),
        (None, "pp_change", 1.2, "="),
        (None, "pp_change", -0.3, "="),
    ]


def test_narrowed_indicators_get_no_code():
    facts = review("人均地区生产总值10万元，万元GDP能耗下降3%，城镇调查失业率5.2%，固定资产投资项目120个。")
    assert [(f.measure, f.value, f.unit, f.indicator_code) for f in facts] == [
        ("level", 10.0, "万元", None),
        ("growth", -3.0, "%", None),
        ("rate", 5.2, "%", None),
        ("count", 120.0, "个", None),
    ]


def test_ocr_text_tolerates_one_misread_character_in_an_indicator():
    text = "国定资产投资下降0.8%，森林履盖率达46.2%。”外贸进出口总额增长3%。"
    conf = [90.0] * len(text)
    ocr = extract_facts([Paragraph(0, 1, "body", text, char_conf=conf)], CONTEXT)
    assert [(f.indicator_code, f.value) for f in ocr] == [
        ("fai", -0.8),
        ("forest_coverage", 46.2),
        ("trade", 3.0),
    ]
    # a text layer is taken as written: no guessing there
    layer = extract_facts([Paragraph(0, 1, "body", text)], CONTEXT)
    assert [f.indicator_code for f in layer] == [None, None, "trade"]  # a stray quote is no qualifier


def test_wording_decides_the_kind_before_any_section_cue():
    facts = facts_of(
        "力争全区全年接待游客超350万人次，建设5条乡村振兴示范带。",
        "完成历史遗留矿山生态修复25公顷。",
        "刑事治安警情同比下降12.7%，获评全国示范城市。",
    )
    assert [(f.kind, f.value) for f in facts] == [
        ("target", 350.0),
        ("target", 5.0),
        ("target", 25.0),
        ("actual", -12.7),
    ]


def test_a_data_box_label_above_its_figure_is_the_subject():
    facts = review("地区生产总值同比(下同)增长", "2.8%", "城镇新增就业", "7089人")
    assert [(f.indicator_code, f.measure, f.value, f.paragraph_seq, f.evidence) for f in facts] == [
        ("gdp", "growth", 2.8, 2, "2.8%"),
        ("urban_jobs", "count", 7089.0, 4, "7089人"),
    ]
