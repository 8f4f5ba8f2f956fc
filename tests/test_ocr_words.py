"""OCR word clean-up: number repairs only where unambiguous, flagged; TSV/OSD parsing."""

from __future__ import annotations

import pytest

from reportflow.errors import OcrError
from reportflow.extract.ocr import (
    REPAIRED_CONF,
    SUSPECT_CONF,
    join_words,
    repair_number_misreads,
    words_to_units,
)
from reportflow.extract.tesseract import OcrWord, parse_osd, parse_tsv


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("2O22年", "2022年"),
        ("20I5年", "2015年"),
        ("1O0.5亿元", "100.5亿元"),
        ("2OO8", "2008"),
        ("增长3,2%", "增长3.2%"),
        ("3773,41亿元", "3773.41亿元"),
        ("6。7%", "6.7%"),
        ("9·5%", "9.5%"),
    ],
)
def test_unambiguous_misreads_are_repaired(word: str, expected: str) -> None:
    fix = repair_number_misreads(word)
    assert (fix.text, fix.repaired) == (expected, True)


@pytest.mark.parametrize(
    "word",
    [
        "1,234",  # thousands separator
        "189,175.14",  # thousands + decimals
        "1,2,3",  # a list
        "GDP",
        "O2O",  # no digit on both sides of an O that matters
        "Iterator",
        "S0350523040001",
        "3.3%",
        "2022年",
        "Vol.12",
    ],
)
def test_everything_else_is_left_alone(word: str) -> None:
    fix = repair_number_misreads(word)
    assert (fix.text, fix.repaired) == (word, False)


@pytest.mark.parametrize(
    "word",
    [
        "12.79%6", "6.79%", "%6", "增长2.79%6，", "3l.2%", "4.O%",
        "“09·02”",  # a date naming an event (printed on the xinhui pages): not a decimal point
        "5·12",
        "3·5亿元",  # or 3.5: which one cannot be told, so it is not changed
        "12。2023年",  # '12.' ending a sentence and a year, or a decimal: not changed
    ],
)
def test_doubtful_numbers_are_flagged_not_fixed(word: str) -> None:
    fix = repair_number_misreads(word)
    assert fix.suspect and fix.text == word


def word(text: str, left: int, conf: float = 95.0, line: int = 1) -> OcrWord:
    return OcrWord(text, left, 100 + line, 30 * len(text), 28 + line, conf, (1, 1, line), 98, 36)


def test_units_take_the_line_box_and_flag_repairs() -> None:
    units = words_to_units(
        [word("增长", 0, 96.0), word("2O22", 70, 91.0), word("１２．５％", 200, 88.0), word("6.79%6", 400, 90.0)]
    )
    assert [u.text for u in units] == ["增长", "2022", "12.5%", "6.79%6"]
    assert all((u.top, u.bottom, u.size) == (98.0, 134.0, 36.0) for u in units)
    assert units[0].conf == 96.0
    assert units[1].conf == REPAIRED_CONF  # repaired → doubtful, validation flags it
    assert units[2].conf == 88.0  # full-width digits are an encoding, not a misread
    assert units[3].conf == SUSPECT_CONF
    assert (units[1].x0, units[1].x1) == (70.0, 190.0)


def test_blank_words_are_dropped_and_join_spaces_only_latin() -> None:
    units = words_to_units([word("地区", 0), word(" ", 60), word("GDP", 90), word("增长", 200), word("3.3%", 260),
                            word("New", 400), word("York", 500)])
    assert [u.text for u in units] == ["地区", "GDP", "增长", "3.3%", "New", "York"]
    assert join_words(units) == "地区GDP增长3.3% New York"


TSV = (
    "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    "1\t1\t0\t0\t0\t0\t0\t0\t2481\t3508\t-1\t\n"
    "2\t1\t1\t0\t0\t0\t150\t150\t1300\t80\t-1\t\n"
    "3\t1\t1\t1\t0\t0\t150\t150\t1300\t80\t-1\t\n"
    "4\t1\t1\t1\t1\t0\t150\t150\t1300\t80\t-1\t\n"
    "5\t1\t1\t1\t1\t1\t150\t154\t214\t53\t92.884872\t侨\n"
    "5\t1\t1\t1\t1\t2\t228\t150\t50\t78\t92.091461\t乡\n"
    "5\t1\t1\t1\t1\t3\t300\t160\t40\t40\t-1\t \n"
    "4\t1\t1\t1\t2\t0\t150\t240\t300\t40\t-1\t\n"
    "5\t1\t1\t1\t2\t1\t150\t241\t120\t38\t90.5\t2.8%\n"
)


def test_parse_tsv_keeps_words_with_their_line_boxes() -> None:
    words = parse_tsv(TSV)
    assert [(w.text, w.line_key, w.line_top, w.line_height) for w in words] == [
        ("侨", (1, 1, 1), 150, 80),
        ("乡", (1, 1, 1), 150, 80),
        ("2.8%", (1, 1, 2), 240, 40),
    ]
    assert words[0].conf == pytest.approx(92.884872)


def test_parse_tsv_rejects_other_output() -> None:
    with pytest.raises(OcrError, match="unexpected tesseract TSV"):
        parse_tsv("Page number: 0\nOrientation in degrees: 180\n")


def test_parse_osd() -> None:
    report = (
        "Page number: 0\nOrientation in degrees: 180\nRotate: 180\nOrientation confidence: 13.35\n"
        "Script: Han\nScript confidence: 0.89\n"
    )
    osd = parse_osd(report)
    assert osd is not None and (osd.rotate, osd.confidence, osd.script) == (180, 13.35, "Han")
    assert parse_osd("") is None
