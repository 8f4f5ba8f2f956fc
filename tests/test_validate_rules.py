"""The arithmetic of the custom expectations (reportflow.validation.rules), without GX.

Values come from the gold samples where they exist (866.66公顷(1.3万亩), 266.67公顷(4000亩),
25公顷(375亩), 1533.33公顷(2.3万亩) are printed in 000/001) and from the issue (12.2:44.9:42.9).
"""

from __future__ import annotations

import math

import pytest

from reportflow.validation import rules

MU = {"公顷": 15.0, "亩": 1.0, "万亩": 10000.0, "平方公里": 1500.0}


@pytest.mark.parametrize(
    ("number", "expected"),
    [("866.66", 0.005), ("1.3", 0.05), ("4000", 0.5), ("3,773.41", 0.005)],
)
def test_half_unit_is_half_the_last_printed_digit(number: str, expected: float) -> None:
    assert math.isclose(rules.half_unit(number), expected)


def test_printed_numbers_ignore_spaces_inside_the_text() -> None:
    assert rules.printed_numbers("增长 3.1%") == ["3.1"]
    assert rules.printed_numbers("12.2:44.9:42.9") == ["12.2", "44.9", "42.9"]
    assert rules.printed_numbers(None) == []


def _pair(evidence: str, first: tuple[float, str, str], second: tuple[float, str, str]):
    quantities = [
        rules.Quantity(i, value, unit, text, evidence.find(text))
        for i, (value, unit, text) in enumerate((first, second))
    ]
    return list(rules.conversion_pairs(evidence, quantities, MU))


@pytest.mark.parametrize(
    ("evidence", "ha", "mu"),
    [
        (
            "完成866.66公顷(1.3万亩)高标准农田改造提升建设任务",
            (866.66, "公顷", "866.66公顷"),
            (1.3, "万亩", "1.3万亩"),
        ),
        ("建设高标准农田266.67公顷(4000亩)", (266.67, "公顷", "266.67公顷"), (4000, "亩", "4000亩")),
        ("完成1533.33公顷(2.3万亩)鱼塘尾水处理", (1533.33, "公顷", "1533.33公顷"), (2.3, "万亩", "2.3万亩")),
        ("完成历史遗留矿山生态修复25公顷(375亩)", (25, "公顷", "25公顷"), (375, "亩", "375亩")),
    ],
)
def test_real_hectare_mu_pairs_agree(evidence, ha, mu) -> None:
    pairs = _pair(evidence, ha, mu)
    assert len(pairs) == 1
    assert rules.conversion_agrees(*pairs[0], MU)


def test_a_misread_conversion_disagrees() -> None:
    (pair,) = _pair(
        "完成866.66公顷(2.3万亩)高标准农田改造提升建设任务",
        (866.66, "公顷", "866.66公顷"),
        (2.3, "万亩", "2.3万亩"),
    )
    assert not rules.conversion_agrees(*pair, MU)
    # One digit off in the hectares is beyond the rounding of 4000亩 too.
    (pair,) = _pair(
        "建设高标准农田286.67公顷(4000亩)", (286.67, "公顷", "286.67公顷"), (4000, "亩", "4000亩")
    )
    assert not rules.conversion_agrees(*pair, MU)


def test_two_unrelated_areas_in_one_clause_are_not_a_conversion_pair() -> None:
    evidence = "新征土地1.5万亩，盘活低效用地300公顷"
    assert _pair(evidence, (1.5, "万亩", "1.5万亩"), (300, "公顷", "300公顷")) == []


def test_ratio_parts_add_up_within_rounding() -> None:
    assert rules.ratio_parts_add_up([12.2, 44.9, 42.9], "12.2:44.9:42.9", 100, 3, 50)
    assert rules.ratio_parts_add_up([12.2, 44.9, 42.8], "12.2:44.9:42.8", 100, 3, 50)  # 99.9: within 3 × 0.05
    assert not rules.ratio_parts_add_up([12.2, 44.9, 52.9], "12.2:44.9:52.9", 100, 3, 50)
    assert rules.ratio_parts_add_up([1, 1], "1:1", 100, 3, 50)  # not shares of a whole
    assert rules.ratio_parts_add_up([1, 2, 3], "1:2:3", 100, 3, 50)  # sums to 6: not percentages


def test_value_must_equal_the_printed_digits() -> None:
    assert rules.value_agrees_with_text(-0.8, "0.8%", None, False)  # 下降0.8%: sign from the verb
    assert rules.value_agrees_with_text(3773.41, "3773.41亿元", None, False)
    assert not rules.value_agrees_with_text(3773.14, "3773.41亿元", None, False)
    assert rules.value_agrees_with_text(1000, "千亿", None, True)  # Chinese numeral: nothing to compare
    assert rules.value_agrees_with_text(None, "12.2:44.9:42.9", [12.2, 44.9, 42.9], False)
    assert not rules.value_agrees_with_text(None, "12.2:44.9:42.9", [12.2, 49.4, 42.9], False)


def test_counts_are_whole_after_the_unit_multiplier() -> None:
    multipliers = {"万": 1e4, "亿": 1e8}
    assert rules.whole_after_unit(4.5, "万人", multipliers)
    assert rules.whole_after_unit(7089, "人", multipliers)
    assert not rules.whole_after_unit(7089.5, "人", multipliers)


def test_years_named_skip_bases_of_comparison() -> None:
    assert rules.years_named("2022年地区生产总值增长2.8%") == {2022}
    assert rules.years_named("2021-2025年年均增长6%") == {2021, 2025}
    assert rules.years_named("比2012年翻一番") == set()
    assert rules.years_named("是2021年新增长量的18.5倍") == set()  # 002: a base, not the period
    assert rules.years_named("完成投资2000亿元") == set()


@pytest.mark.parametrize(
    ("kind", "year", "start", "evidence", "ok"),
    [
        ("actual", 2022, None, "地区生产总值同比(下同)增长2.8%", True),
        ("target", 2023, None, "地区生产总值增长6%以上", True),
        ("target", 2022, None, "地区生产总值增长6%以上", False),
        ("actual", 2021, None, "2021年完成投资50亿元", True),
        ("actual", 2022, None, "2021年完成投资50亿元", False),
        ("actual", 2022, 2018, "五年来年均增长6.1%", True),
        ("actual", 2022, 1990, "年均增长6.1%", False),
    ],
)
def test_period_against_report_year_2023(kind, year, start, evidence, ok) -> None:
    assert rules.period_consistent(kind, year, start, 2023, evidence, 15) is ok


def _s(row: int, doc: str, value: float, comparator: str = "=", text: str | None = None, unit: str = "%"):
    number = rules.printed_numbers(text or str(value))[0]
    return rules.Statement(row, doc, value, unit, comparator, rules.half_unit(number))


def test_statements_agree_within_printed_rounding_and_comparators() -> None:
    assert rules.statements_agree(_s(0, "a", 3773.41), _s(1, "b", 3773.4), 0.05)
    assert not rules.statements_agree(_s(0, "a", 2.8), _s(1, "b", 3.8), 0.05)
    assert not rules.statements_agree(_s(0, "a", 4, text="4"), _s(1, "b", 5, text="5"), 0.05)  # 第4 vs 第5
    assert rules.statements_agree(_s(0, "a", 6, ">="), _s(1, "b", 6.4), 0.05)  # 6%以上 and 6.4%
    assert not rules.statements_agree(_s(0, "a", 6, ">="), _s(1, "b", 5.5), 0.05)
    assert rules.statements_agree(_s(0, "a", 3, "~"), _s(1, "b", 3.1), 0.05)  # 3%左右 and 3.1%
    assert rules.statements_agree(_s(0, "a", 2.3, "<="), _s(1, "b", 2.1), 0.05)


def test_statements_in_different_units_compare_in_their_base_unit() -> None:
    yi = rules.Statement(0, "a", 3773.41, "亿元", "=", 0.005, 377341000000.0, "元")
    wan = rules.Statement(1, "b", 37734100.0, "万元", "=", 0.5, 377341000000.0, "元")
    wrong = rules.Statement(2, "c", 37743100.0, "万元", "=", 0.5, 377431000000.0, "元")
    assert rules.statements_agree(yi, wan, 0.05)
    assert not rules.statements_agree(yi, wrong, 0.05)
    no_base = rules.Statement(3, "d", 1.0, "万元", "=", 0.5)
    assert rules.statements_agree(yi, no_base, 0.05)  # not comparable: no conflict claimed


def test_disagreement_flags_both_sides_of_a_tie_and_the_minority_otherwise() -> None:
    assert rules.disagreeing_statements([_s(0, "kaiping", 2.8), _s(1, "copy", 3.8)], 0.05) == {0, 1}
    statements = [_s(0, "kaiping", 2.8), _s(1, "copy", 3.8), _s(2, "scan", 2.8)]
    assert rules.disagreeing_statements(statements, 0.05) == {1}
    # A document that states two values (6%以上, 力争7%以上) is fine if the other matches one.
    statements = [_s(0, "a", 6, ">="), _s(1, "a", 7, ">="), _s(2, "b", 6, ">=")]
    assert rules.disagreeing_statements(statements, 0.05) == set()
    assert rules.disagreeing_statements([_s(0, "a", 1.0), _s(1, "a", 9.0)], 0.05) == set()


def test_shares_stay_within_100_unless_they_are_ratios_to_a_plan() -> None:
    import re

    exempt = re.compile("完成率|计划|目标|预算|任务|相当于|上年|同期")
    # Both printed in the samples (002, 001): true statements above 100 %.
    assert rules.share_in_range(
        123.5,
        "市重点项目完成投资为年度计划",
        "市重点项目完成投资1433.6亿元，为年度计划的123.5%",
        "123.5%",
        0,
        100,
        exempt,
    )
    assert rules.share_in_range(128.8, "投资完成率", "投资完成率128.8%", "128.8%", 0, 100, exempt)
    assert not rules.share_in_range(
        198.0, "基本医保参保率", "基本医保参保率达到198%以上", "198%", 0, 100, exempt
    )
    assert not rules.share_in_range(-3.0, "投资完成率", "投资完成率-3%", "-3%", 0, 100, exempt)
    assert rules.share_in_range(98.0, "基本医保参保率", "基本医保参保率达到98%以上", "98%", 0, 100, exempt)
