"""Numbers, units and what is not a quantity (reportflow.facts.numbers, units, textview)."""

from __future__ import annotations

import pytest

from reportflow.facts import parse_number
from reportflow.facts.numbers import find_mentions, numbering_prefix_end, parse_chinese_numeral
from reportflow.facts.textview import make_view
from reportflow.facts.units import normalise, unit_info


def mentions(text: str) -> list[tuple[float | None, str]]:
    """(value, unit) of every quantity mention in a text."""
    return [(m.value, m.unit) for m in find_mentions(make_view(text))]


def surfaces(text: str) -> list[str]:
    view = make_view(text)
    return [view.original_slice(m.start, m.end) for m in find_mentions(view)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("3773.41", 3773.41),
        ("3,773.41", 3773.41),
        (" 176 ", 176.0),
        ("３．５", 3.5),
        ("-0.8", -0.8),
        ("两", 2.0),
        ("十", 10.0),
        ("三十", 30.0),
        ("千", 1000.0),
        ("两千五百", 2500.0),
        ("十四五", None),
        ("G325", None),
        ("", None),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == value


def test_chinese_numerals_are_converted_on_the_numeral_span_only():
    # cn2an.transform on the sentence would give 1般公共预算; the span scan leaves words alone
    text = "一般公共预算收入增长5%，办好十件民生实事，统一规划两个产业园"
    assert mentions(text) == [(5.0, "%"), (10.0, "件"), (2.0, "个")]
    assert parse_chinese_numeral("两") == 2 and parse_chinese_numeral("百") == 100


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("规上工业总产值突破千亿元", [(1000.0, "亿元")]),
        ("推动金融机构提供千亿授信额度", [(1000.0, "亿")]),
        ("增量均超百亿", [(100.0, "亿")]),
        ("完成投资近亿元", [(1.0, "亿元")]),
        ("大力推动向财政五亿元镇迈进", [(5.0, "亿元")]),
        ("新增两千万元", [(2000.0, "万元")]),
        ("成功创建三项工程、四类人群、三支队伍、八方面工作", [(3, "项"), (4, "类"), (3, "支"), (8, "方面")]),
        ("举办建市三十周年活动，连续两年，近十年最低", [(30, "周年"), (2, "年"), (10, "年")]),
        ("20多项工作", [(20.0, "项")]),
        ("研究生学历占比翻一番，产值增长两倍", [(1.0, "番"), (2.0, "倍")]),
        ("新征地2.4万亩、3375亩，新增学位超1.5万个", [(2.4, "万亩"), (3375.0, "亩"), (1.5, "万个")]),
        ("养老金达2446元/月，处理能力突破90万吨/年", [(2446.0, "元/月"), (90.0, "万吨/年")]),
        (
            "提高1.1个百分点，是过去的18.5倍，结构为12.2:44.9:42.9",
            [(1.1, "个百分点"), (18.5, "倍"), (None, "ratio")],
        ),
    ],
)
def test_quantities_found(text, expected):
    assert mentions(text) == [(float(v) if v is not None else None, u) for v, u in expected]


@pytest.mark.parametrize(
    "text",
    [
        "加快国道G325线鹤山址山至开平塘口段改建",  # road code
        "推进源网荷储一体化项目和“5G智慧园区”建设，加快5G通信增资扩产",  # name
        "成功创建国家3A级旅游景区",  # grade
        "认真落实市委“1+6+3”工作部署",  # plan name (quoted, and digits touching +)
        "深入贯彻1+1+9工作部署",  # unquoted plan name
        "在江门市第十六届人民代表大会第三次会议上",  # session ordinals
        "十七届人大五次会议",  # session numbers without 第
        "加快申建开平保税物流中心(B型)",  # type label
        "PM2.5年均浓度降至有监测以来最好水平",  # pollutant name
        "2022年是党的二十大胜利召开之年",  # year and party congress
        "2023年2月16日，3月试产，于2024年初建成，2023-2024年水系连通",  # dates, year range
        "二〇二三年二月",  # a year in Chinese digits
        "出台暖企“十八条”，深刻领悟“两个确立”，建设“万亩千亿”大平台",  # quoted names and slogans
        "落实中央八项规定，构建三位一体格局，夯实四梁八柱",  # set phrases
        "完成崖门出海航道二期疏浚并谋划三期，建成明德二路",  # phases, street names
        "新会一中、开平市第七中学、第三人民医院",  # school and hospital names
        "入选全国农产品数字化百强县，7家企业入选省制造业500强",  # names of ranking lists (the 7家 is kept)
        "一批项目，一揽子政策，一把手工程，开展两地合作，市县两级",  # idioms
        "110接处警群众满意度，5.0产业新空间，“09·02”疫情",  # numbers that are names
        "第一产业、第二产业，三次产业协调发展，第二个百亿级平台",  # ordinals
        "千方百计稳住经济，百年百位名家，千家万户",  # bare 百/千 words
        "三番五次，五花八门，零部件，一二三产业",  # idioms and digit strings
    ],
)
def test_names_codes_dates_and_ordinals_are_not_quantities(text):
    found = mentions(text)
    allowed = {"入选全国农产品数字化百强县，7家企业入选省制造业500强": [(7.0, "家")]}
    assert found == allowed.get(text, []), found


@pytest.mark.parametrize(
    ("paragraph", "prefix"),
    [
        ("1. 全年园区基础设施投资不少于50亿元", "1. "),
        ("（一）科学精准抓好疫情防控", "（一）"),
        ("一、2022年工作回顾", "一、"),
        ("1 坚持制造业当家", "1 "),
        ("- 地区生产总值增长2.8%", ""),
        ("3个先行启动区", ""),
        ("3 个先行启动区", ""),
        ("1.5万亩高标准农田", ""),
    ],
)
def test_list_numbering_prefix(paragraph, prefix):
    assert paragraph[: numbering_prefix_end(paragraph)] == prefix


def test_list_numbering_is_not_a_quantity():
    assert mentions("1. 全年园区基础设施投资不少于50亿元") == [(50.0, "亿元")]
    assert mentions("（二）千方百计稳住经济大盘") == []
    assert mentions("如下：1.新增5家企业；2.建成3个园区") == [(5.0, "家"), (3.0, "个")]


def test_ranks_need_rank_context():
    assert surfaces("增长3.3%、排全省第2，全国第404位，以小组第1名晋级，居全省前三") == [
        "3.3%",
        "第2",
        "第404位",
        "第1名",
        "前三",
    ]
    assert surfaces("石化新材料成为第4条产值超500亿元产业链") == ["500亿元"]  # ordinal 第4条
    assert surfaces("第三，要持续推进改革") == []  # discourse marker
    ranks = [m for m in find_mentions(make_view("居全省第一")) if m.rank]
    assert [(m.value, m.chinese) for m in ranks] == [(1.0, True)]


def test_values_stay_verbatim_with_stray_spaces_and_markdown():
    text = "争取专项债 176 亿元、增长 3.1%，**2.8%**，15 条重点产业链"
    assert surfaces(text) == ["176 亿元", "3.1%", "2.8%", "15 条"]
    assert mentions(text)[0] == (176.0, "亿元")


def test_view_maps_back_to_original_offsets():
    original = "增长 3.1%、专项债 **176** 亿元"
    view = make_view(original)
    assert view.text == "增长3.1%、专项债176亿元"
    for i, ch in enumerate(view.text):
        assert original[view.origin[i]] == ch


def test_time_ratio_is_not_a_ratio_but_structure_is():
    assert mentions("上午9:30开会") == []
    assert [m.parts for m in find_mentions(make_view("三次产业结构比为12.2:44.9:42.9"))] == [
        [12.2, 44.9, 42.9]
    ]


@pytest.mark.parametrize(
    ("value", "unit", "base"),
    [
        (3773.41, "亿元", (377341000000.0, "元")),
        (4.5, "万人", (45000.0, "人")),
        (1.3, "万亩", (13000.0, "亩")),
        (2.3, "%", (2.3, "%")),
        (1000.0, "亿", (100000000000.0, "")),
        (90.0, "万吨/年", (900000.0, "吨/年")),
        (1.27, "万亿元", (1270000000000.0, "元")),
        (866.66, "公顷", (866.66, "公顷")),
        (0.1, "亿元", (10000000.0, "元")),
    ],
)
def test_normalise_is_exact(value, unit, base):
    assert normalise(value, unit) == base


@pytest.mark.parametrize(
    ("unit", "measure"),
    [
        ("亿元", "level"),
        ("公顷", "level"),
        ("万吨/年", "level"),
        ("元/月", "level"),
        ("年", "level"),
        ("人", "count"),
        ("万人", "count"),
        ("个", "count"),
        ("家", "count"),
        ("方面", "count"),
        ("%", "rate"),
        ("个百分点", "pp_change"),
        ("倍", "multiple"),
    ],
)
def test_unit_measures(unit, measure):
    assert unit_info(unit).measure == measure


def test_letter_spaced_digits_are_one_number_and_ambiguous_spacing_is_refused():
    view = make_view("市重点项目完成投资1 4 3 3 . 6亿元")
    (mention,) = find_mentions(view)
    assert (mention.value, mention.unit) == (1433.6, "亿元")
    assert view.original_slice(mention.start, mention.end) == "1 4 3 3 . 6亿元"
    # one number with a thousands space, or two numbers? Never guess a value.
    assert mentions("另有3 773.41亿元") == []
    assert mentions("2 0 2 2年") == []  # a letter-spaced year is still a year
