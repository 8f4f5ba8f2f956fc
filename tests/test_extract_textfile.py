"""Decoding .txt reports: every encoding a Chinese office produces, chosen by evidence."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from reportflow.errors import EmptyFileError, NoTextError, TextDecodeError
from reportflow.extract import extract_document
from reportflow.extract.textfile import decode_text_bytes, read_text_file

SHARED_SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"

# A paragraph of the Jiangmen report (as printed in the samples), with full-width digits
# and an ideographic space the way some offices type them.
PARAGRAPH = (
    "2022年，全市地区生产总值3773.41亿元，增长3.3%，增速排全省第2；"
    "规模以上工业增加值增长4.8%。\n（一）稳住经济大盘。\n"
)


def sample_text(name: str) -> str:
    path = SHARED_SAMPLES / name
    if not path.exists():
        pytest.skip(f"shared sample {path} not available")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("codec", "expected"),
    [
        ("utf-8", "utf-8"),
        ("utf-8-sig", "utf-8-sig"),
        ("utf-16", "utf-16"),  # Python writes a BOM
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("gb18030", "gb18030"),
        ("gbk", "gb18030"),  # GBK is a subset: decoded (correctly) as GB18030
        ("utf-32", "utf-32"),
    ],
)
def test_every_encoding_round_trips_the_real_sample(codec: str, expected: str) -> None:
    text = sample_text("kaiping-2023-report-summary.txt")
    decoded = decode_text_bytes(text.encode(codec))
    assert decoded.encoding == expected
    assert decoded.text == text


def test_utf16_without_bom_and_without_ascii_is_found_by_its_characters() -> None:
    # No newline, no digit: no zero bytes at all, so only the content tells.
    text = "江门市政府工作报告全市地区生产总值稳步增长"
    for codec in ("utf-16-le", "utf-16-be"):
        decoded = decode_text_bytes(text.encode(codec))
        assert (decoded.encoding, decoded.text) == (codec, text)
        assert "common CJK" in decoded.evidence


def test_evidence_names_the_reason() -> None:
    assert decode_text_bytes(codecs.BOM_UTF8 + PARAGRAPH.encode()).evidence == "BOM"
    assert decode_text_bytes(PARAGRAPH.encode("utf-16-le")).evidence == "zero-byte pattern"
    assert decode_text_bytes(PARAGRAPH.encode()).evidence == "strict UTF-8"
    assert decode_text_bytes(PARAGRAPH.encode("gb18030")).evidence.startswith("common CJK")


def test_gb18030_only_characters_survive() -> None:
    # 𠮷 (U+20BB7) exists in GB18030 (4-byte form) but not in GBK.
    text = PARAGRAPH + "吉祥的𠮷字\n"
    decoded = decode_text_bytes(text.encode("gb18030"))
    assert decoded.encoding == "gb18030"
    assert decoded.text == text


def test_western_latin1_is_refused_with_advice() -> None:
    with pytest.raises(TextDecodeError, match="save the file as UTF-8"):
        decode_text_bytes("Résumé of the café budget, année 2023\n".encode("latin-1"))


def test_binary_data_is_not_text() -> None:
    with pytest.raises(TextDecodeError, match="binary"):
        decode_text_bytes(bytes(range(256)) * 8)


def test_bom_that_lies_is_an_error() -> None:
    with pytest.raises(TextDecodeError, match="byte-order mark"):
        decode_text_bytes(codecs.BOM_UTF8 + "增长".encode("gbk"))


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        read_text_file(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n\u3000\n", encoding="utf-8")
    with pytest.raises(NoTextError):
        read_text_file(blank)


def test_read_normalises_characters_and_line_ends(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes("增长３．３％\r\n第⼀条\r最后".encode("gb18030"))
    decoded = read_text_file(path)
    # Full-width digits and signs fold to ASCII, the Kangxi radical ⼀ to 一, CR/CRLF to LF.
    assert decoded.text == "增长3.3%\n第一条\n最后"


def test_extract_document_reports_the_encoding(tmp_path: Path) -> None:
    text = sample_text("jiangmen-2023-report-columns.txt")
    path = tmp_path / "jiangmen.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    doc = extract_document(path, "text")
    assert doc.media_type == "text"
    assert doc.encoding == "utf-16"
    assert doc.pages == []
    assert "3773.41亿元" in doc.text
    assert doc.text.replace("\n", "") == text.replace("\r\n", "\n").replace("\n", "")


def test_big5_is_refused_rather_than_decoded_into_nonsense() -> None:
    # Big5 bytes often decode "successfully" as GB18030 — into rare characters. The share of
    # common CJK is the evidence that refuses it (53% here, real GB18030 text is ~100%).
    text = "高雄醫學大學108學年度行事曆，第一學期開學典禮於九月舉行，全體師生參加。\n" * 3
    with pytest.raises(TextDecodeError, match="common Chinese"):
        decode_text_bytes(text.encode("big5"))
