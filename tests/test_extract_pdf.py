"""PDF text layer through PDFium: same characters as pdfplumber, upright coordinates, quality check.

Uses the real PDFs of ../shared/realdocs (skipped when absent).
"""

from __future__ import annotations

import collections
import statistics
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from reportflow.errors import CorruptPdfError, EmptyFileError, PageTooLargeError, UnsupportedInputError
from reportflow.extract import detect_media_type, extract_document
from reportflow.extract.pdf import (
    open_pdf,
    read_page_units_pdfplumber,
    read_text_layer,
    render_dpi,
    render_page,
)
from reportflow.extract.textcheck import judge_text_layer, repair_gbk_mojibake
from reportflow.models import TextUnit


def doc_path(realdocs: Path, folder: str, name: str) -> Path:
    path = realdocs / folder / name
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


# --- PDFium vs pdfplumber ---------------------------------------------------------------

EXACT = [
    ("chinese_text_layer", "layout4j__shiyoubao_newspaper_2024-10-16.pdf", 0),
    ("chinese_text_layer", "layout4j__yanbao_broker_report.pdf", 0),
    ("chinese_text_layer", "layout4j__sanjidubao_q3_report.pdf", 1),
    ("chinese_text_layer", "pdfplumber__issue-336-example_gov_standard.pdf", 0),
    ("chinese_text_layer", "pymupdf__test_4182_cnki_journal_page.pdf", 0),
    ("chinese_text_layer", "zh_latex_journals__JSC_CjC_template_tex.pdf", 0),
    ("chinese_text_layer", "dotsocr__demo_pdf1_trad_chinese_calendar.pdf", 0),
    ("robustness", "pdfminer__zen_of_python_corrupted.pdf", 0),
]


@pytest.mark.parametrize(("folder", "name", "index"), EXACT)
def test_pdfium_reads_the_same_characters_and_boxes_as_pdfplumber(
    realdocs: Path, folder: str, name: str, index: int
) -> None:
    path = doc_path(realdocs, folder, name)
    ours = read_text_layer(open_pdf(path), index).units
    theirs = read_page_units_pdfplumber(path, index)
    assert collections.Counter(u.text for u in ours) == collections.Counter(u.text for u in theirs)
    # Same glyph positions: x and the baseline side agree; 'top' differs by the ascent
    # convention (PDFium's loose box uses the font ascent, pdfminer size + descent).
    by_text: dict[str, list[TextUnit]] = collections.defaultdict(list)
    for u in theirs:
        by_text[u.text].append(u)
    # (The left edge can differ: PDFium's loose box follows the glyph's bounding box, which
    # for the 標楷體 of the calendar starts up to 6 pt left of the origin pdfminer uses.)
    dx0, dx1, dbottom, dsize = [], [], [], []
    for u in ours:
        v = min(by_text[u.text], key=lambda v: abs(v.x1 - u.x1) + abs(v.bottom - u.bottom))
        dx0.append(abs(v.x0 - u.x0))
        dx1.append(abs(v.x1 - u.x1))
        dbottom.append(abs(v.bottom - u.bottom))
        dsize.append(abs(v.size - u.size))
    assert statistics.median(dx0) < 0.05
    assert np.percentile(dx1, 95) < 0.5
    assert np.percentile(dbottom, 95) < 1.0
    assert np.percentile(dsize, 95) < 0.01


def test_latex_type3_pages_agree_on_almost_every_character(realdocs: Path) -> None:
    path = doc_path(realdocs, "chinese_text_layer", "cjc-template__fuck-cjc-latex-template.pdf")
    ours = collections.Counter(u.text for u in read_text_layer(open_pdf(path), 1).units)
    theirs = collections.Counter(u.text for u in read_page_units_pdfplumber(path, 1))
    common = sum((ours & theirs).values())
    assert common / max(sum(ours.values()), sum(theirs.values())) > 0.98


def test_font_size_name_and_bold(realdocs: Path) -> None:
    path = doc_path(realdocs, "chinese_text_layer", "layout4j__shiyoubao_newspaper_2024-10-16.pdf")
    units = read_text_layer(open_pdf(path), 0).units
    # The paper's first line is 9 pt FZHTJW (a Founder heiti font): the size comes from the
    # character matrix (the font size operand is 1).
    first = units[0]
    assert (first.text, first.size, first.fontname.split("+")[-1]) == ("本", 9.0, "FZHTJW--GB1-0")
    sizes = collections.Counter(round(u.size) for u in units)
    assert sizes.most_common(1)[0][0] in (9, 10, 11)  # body text
    assert max(sizes) >= 30  # the masthead


# --- rotation and visibility ------------------------------------------------------------


def ink_share_inside_boxes(path: Path, index: int) -> tuple[float, float, float]:
    """Share of character boxes that contain ink in PDFium's rendering of the displayed page."""
    pdf = open_pdf(path)
    layer = read_text_layer(pdf, index)
    image, dpi = render_page(pdf, index, 144, 50_000_000)
    scale = dpi / 72.0
    inked = 0
    glyphs = [u for u in layer.units if u.text.isalnum()]  # thin dashes vanish in anti-aliasing
    for u in glyphs:
        x0, x1 = int(u.x0 * scale), max(int(u.x0 * scale) + 1, int(u.x1 * scale))
        y0, y1 = int(u.top * scale), max(int(u.top * scale) + 1, int(u.bottom * scale))
        inked += image[y0:y1, x0:x1].min(initial=255) < 128
    return inked / len(glyphs), layer.width, layer.height


@pytest.mark.parametrize(
    "name", ["pdfplumber__issue-461-example_rotated90_chinese.pdf", "pdfminer__zen_of_python_corrupted.pdf"]
)
def test_rotate_90_pages_give_upright_coordinates(realdocs: Path, name: str) -> None:
    path = doc_path(realdocs, "robustness", name)
    share, width, height = ink_share_inside_boxes(path, 0)
    assert share > 0.97  # every character box sits on its glyph in the displayed page
    pdf = open_pdf(path)
    layer = read_text_layer(pdf, 0)
    image, _ = render_page(pdf, 0, 72, 10_000_000)
    assert image.shape == (round(height), round(width))
    assert all(0 <= u.x0 and u.x1 <= width + 1 and 0 <= u.top and u.bottom <= height + 1 for u in layer.units)


def test_rotated_page_reads_in_lines(realdocs: Path) -> None:
    # The lab report (/Rotate 90) is upright once rotated: "白细胞计数" runs left to right.
    path = doc_path(realdocs, "robustness", "pdfplumber__issue-461-example_rotated90_chinese.pdf")
    units = read_text_layer(open_pdf(path), 0).units
    word = [u for u in units if u.text in "白细胞计数"][:5]
    assert [u.text for u in word] == list("白细胞计数")
    assert all(abs(a.top - b.top) < 0.5 and a.x0 < b.x0 for a, b in pairwise(word))


def test_invisible_and_off_page_text_is_dropped(realdocs: Path) -> None:
    invisible = doc_path(realdocs, "robustness", "docling__invisible_text_layer.pdf")
    layer = read_text_layer(open_pdf(invisible), 0)
    assert "".join(u.text for u in layer.units) == "Visibleheadingline"
    assert layer.stats.invisible_chars == len("InvisibleOCRtextlayer")
    rotated = doc_path(realdocs, "robustness", "pdfplumber__issue-461-example_rotated90_chinese.pdf")
    layer = read_text_layer(open_pdf(rotated), 0)
    assert layer.stats.outside_chars == 4  # the anonymised '姓名:B' printed off the page
    assert "姓" not in {u.text for u in layer.units}


# --- text layer quality -----------------------------------------------------------------


def units_of(text: str | list[str]) -> list[TextUnit]:
    return [TextUnit(ch, 10.0 * i, 0.0, 10.0 * i + 10, 10.0, 10.0) for i, ch in enumerate(text)]


def test_real_chinese_text_passes_the_quality_check() -> None:
    for text in (
        "2022年，全市地区生产总值3773.41亿元，增长3.3%，增速排全省第2。",
        "高雄醫學大學108學年度行事曆第一學期",  # traditional
        "Explicit is better than implicit. Simple is better than complex.",
    ):
        assert judge_text_layer(units_of(text)).use_text, text


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("\ufffd\ufffd\ufffd地区生产总值", "unmapped"),
        (["(cid:12)", "(cid:13)", "(cid:14)", "增", "长"], "unmapped"),  # pdfminer's view
        ("\ue001\ue002增长3.3%", "unmapped"),
        ('"7+%-', "symbols"),
        ("轉轉︰針針針針針針針針針針針針", "repeated"),
        ("䋴䋮䋶糫Ǎ蒭鍍伴俘緌鍍伴俘u勢渡袱糫", "rare"),
        ("䴀甀氀琀椀挀漀氀漀爀䈀氀愀挀欀", "rare"),  # byte-swapped UTF-16 'Multicolor…'
        ("¹ØÓÚºì¾ü×÷Õ½µÄÔ­Ôò", "Latin-1"),  # GBK mojibake that could not be repaired
    ],
)
def test_garbage_text_layers_are_sent_to_ocr(text: str | list[str], reason: str) -> None:
    verdict = judge_text_layer(units_of(text))
    assert not verdict.use_text
    assert verdict.note.startswith("text layer garbage") and reason in verdict.note


def test_missing_invisible_and_image_pages() -> None:
    assert judge_text_layer([]).note == "no text layer"
    assert "invisible" in judge_text_layer([], invisible_chars=654).note
    scan_with_page_number = units_of("2021331")
    verdict = judge_text_layer(scan_with_page_number, image_cover=1.0, text_cover=0.001)
    assert not verdict.use_text and verdict.note.startswith("image page")
    # A text page with photos keeps its text layer (the newspaper: 40 % images, 41 % text).
    assert judge_text_layer(units_of("新闻正文" * 50), image_cover=0.4, text_cover=0.41).use_text


def test_gbk_mojibake_is_read_by_pdfium_and_refused_when_bytes_are_lost(realdocs: Path) -> None:
    path = doc_path(realdocs, "robustness", "pdfjs__XiaoBiaoSong_gbk_mojibake.pdf")
    # PDFium honours the GBK charset of the (non-embedded, WinAnsi) font: real Chinese.
    pdfium_text = "".join(u.text for u in read_text_layer(open_pdf(path), 0).units)
    assert pdfium_text.startswith("目录关于红军作战的原则")
    # pdfplumber shows the GBK bytes through Latin-1 ('目　　录关于' → 'Ä¿¡¡¡¡Â¼¹ØÓÚ') but
    # turns byte 0xAD (in 原 = D4 AD) into a space: the bytes are not all there, so the
    # repair refuses rather than guess, and the page counts as garbage (→ OCR).
    mojibake = read_page_units_pdfplumber(path, 0, raw=True)
    assert "".join(u.text for u in mojibake).startswith("Ä¿¡¡¡¡Â¼¹ØÓÚ")
    assert repair_gbk_mojibake(mojibake) is None
    verdict = judge_text_layer(mojibake)
    assert not verdict.use_text and "Latin-1" in verdict.note


def test_gbk_mojibake_with_every_byte_is_repaired(realdocs: Path) -> None:
    # The same page's text as a GBK-through-cp1252 font would show it, byte for byte.
    path = doc_path(realdocs, "robustness", "pdfjs__XiaoBiaoSong_gbk_mojibake.pdf")
    chinese = read_text_layer(open_pdf(path), 0).units
    mojibake: list[TextUnit] = []
    for u in chinese:
        raw = u.text.encode("gbk")
        if len(raw) == 1:
            mojibake.append(u)
            continue
        half = (u.x1 - u.x0) / 2
        for k, byte in enumerate(raw):
            shown = bytes([byte]).decode("cp1252", errors="strict") if byte not in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else chr(byte)
            mojibake.append(TextUnit(shown, u.x0 + k * half, u.top, u.x0 + (k + 1) * half, u.bottom, u.size))
    repaired = repair_gbk_mojibake(mojibake)
    assert repaired is not None
    assert [u.text for u in repaired] == [u.text for u in chinese]
    assert [u.x0 for u in repaired] == pytest.approx([u.x0 for u in chinese])
    assert [u.x1 for u in repaired] == pytest.approx([u.x1 for u in chinese])


def test_mojibake_repair_needs_certainty() -> None:
    assert repair_gbk_mojibake(units_of("Café crème brûlée, naïve façade")) is None
    assert repair_gbk_mojibake(units_of("地区生产总值增长")) is None
    # Odd-length run: not GBK pairs.
    assert repair_gbk_mojibake(units_of("¹ØÓ")) is None


def _every_character() -> str:
    return "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)


def test_character_class_regexes_match_the_per_character_definitions() -> None:
    # The quality check counts with regexes for speed; they must classify every code
    # point exactly as the per-character functions do.
    from reportflow.extract import textcheck

    chars = _every_character()
    assert textcheck._UNMAPPED.findall(chars) == [c for c in chars if textcheck.is_unmapped(c)]
    assert textcheck._IDEOGRAPH.findall(chars) == [c for c in chars if textcheck.is_ideograph(c)]
    assert textcheck._WORDLIKE.findall(chars) == [c for c in chars if c.isalnum() or textcheck.is_ideograph(c)]
    assert textcheck._HIGH_LATIN1.findall(chars) == [c for c in chars if 0x80 <= ord(c) <= 0xFF]


def test_latin1_byte_table_is_what_a_cp1252_or_latin1_font_shows() -> None:
    from reportflow.extract.textcheck import _LATIN1_BYTE

    def shown_as(char: str) -> int | None:
        try:
            byte = char.encode("cp1252")[0]
        except UnicodeEncodeError:
            return ord(char) if 0x80 <= ord(char) <= 0xFF else None
        return byte if byte >= 0x80 else None

    chars = _every_character()
    assert {c: b for c in chars if (b := shown_as(c)) is not None} == _LATIN1_BYTE
    assert _LATIN1_BYTE["€"] == 0x80 and _LATIN1_BYTE["¹"] == 0xB9 and "地" not in _LATIN1_BYTE


def test_unmapped_share_counts_cid_runs_as_one_glyph() -> None:
    from reportflow.extract.textcheck import unmapped_share

    assert unmapped_share(["(cid:12)", "a", "b", "\ufffd"]) == pytest.approx(2 / 4)
    assert unmapped_share(["地", "区", "\ue001", "(cid:3)(cid:4)"]) == pytest.approx(3 / 5)
    assert unmapped_share([]) == 0.0


# --- rendering --------------------------------------------------------------------------


def test_render_size_is_capped() -> None:
    assert render_dpi(595, 842, 300, 120_000_000) == 300
    dpi = render_dpi(8400, 8400, 300, 120_000_000)
    assert 93 < dpi < 95
    assert (8400 * dpi / 72) ** 2 <= 120_000_000 * 1.0001


def test_huge_page_renders_within_the_cap(realdocs: Path) -> None:
    path = doc_path(realdocs, "robustness", "ocrmypdf__hugemono_8400pt_page.pdf")
    image, dpi = render_page(open_pdf(path), 0, 300, 20_000_000)
    assert image.size <= 20_000_000 and image.dtype == np.uint8
    assert dpi == pytest.approx(300 * (20_000_000 / (8400 * 300 / 72) ** 2) ** 0.5, rel=2e-3)
    with pytest.raises(PageTooLargeError, match="too coarse"):
        render_page(open_pdf(path), 0, 300, 100_000)


# --- media type ---------------------------------------------------------------------------


def test_media_type_from_magic_and_extension(tmp_path: Path, realdocs: Path) -> None:
    png = doc_path(realdocs, "chinese_scans", "rapidocr__text_vertical_words.png").read_bytes()
    jpg = doc_path(realdocs, "chinese_scans", "rapidocr__img_exif_orientation.jpg").read_bytes()
    cases = {
        "a.pdf": b"%PDF-1.7\n...",
        "b.png": png,
        "b_named.jpg": png,  # a PNG saved as .jpg is still an image
        "c.jpeg": jpg,
        "d.tif": b"II*\x00" + b"\x00" * 64,
        "e.txt": "增长3.3%".encode(),
    }
    expected = {"a.pdf": "pdf", "b.png": "image", "b_named.jpg": "image", "c.jpeg": "image", "d.tif": "image",
                "e.txt": "text"}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        assert detect_media_type(tmp_path / name) == expected[name], name


@pytest.mark.parametrize(
    ("name", "data", "error", "match"),
    [
        ("empty.pdf", b"", EmptyFileError, "0 bytes"),
        ("text.pdf", "增长3.3%".encode(), CorruptPdfError, "no %PDF- header"),
        ("zip.pdf", b"PK\x03\x04rest", CorruptPdfError, "ZIP"),
        ("report.docx", b"PK\x03\x04rest", UnsupportedInputError, "ZIP"),
        ("scan.png", b"%PDF-1.4\n", UnsupportedInputError, "named .png but the content is a PDF"),
        ("notes.txt", b"%PDF-1.4\n", UnsupportedInputError, "named .txt but the content is a PDF"),
        ("scan.png", b"not an image at all", UnsupportedInputError, "not a PNG, JPEG or TIFF"),
        ("page.gif", b"GIF89a....", UnsupportedInputError, "GIF"),
        ("data.xyz", b"hello", UnsupportedInputError, "unsupported file type '.xyz'"),
    ],
)
def test_media_type_errors_say_what_is_wrong(
    tmp_path: Path, name: str, data: bytes, error: type[Exception], match: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(error, match=match):
        detect_media_type(path)


def test_extract_document_refuses_a_media_type_the_content_contradicts(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_text("增长3.3%", encoding="utf-8")
    with pytest.raises(UnsupportedInputError, match="expected a pdf"):
        extract_document(path, "pdf")


def test_text_layer_pdf_extracts_without_ocr(realdocs: Path) -> None:
    path = doc_path(realdocs, "chinese_text_layer", "layout4j__yanbao_broker_report.pdf")
    doc = extract_document(path, "pdf")
    assert doc.page_count == 5 and [p.method for p in doc.pages] == ["text"] * 5
    assert all(p.ocr_confidence is None and p.dpi is None for p in doc.pages)
    assert "54.23" in "".join(u.text for u in doc.pages[2].units)  # the share price in the table
