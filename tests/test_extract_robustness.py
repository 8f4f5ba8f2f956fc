"""Every awkward PDF of ../shared/realdocs/robustness: the typed error we expect, or a
successful extraction with the method we expect per page (and a piece of its text).

OCR'd pages replay recorded tesseract output (the fake engine, tests/fixtures/ocr), so the
table runs in seconds; re-record after changing the pre-processing with

    python -m reportflow.extract.record ../shared/realdocs/robustness/*.pdf

A file added to the folder fails ``test_every_file_has_an_expectation`` until it is listed.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reportflow.config import OcrConfig
from reportflow.errors import (
    CorruptPdfError,
    DocumentError,
    EmptyFileError,
    EncryptedPdfError,
    NoTextError,
)
from reportflow.extract import detect_media_type, extract_document
from reportflow.quality import squash

FAKE = dataclasses.replace(OcrConfig(), engine="fake", languages="chi_sim")


@dataclasses.dataclass(frozen=True)
class Ok:
    methods: tuple[str, ...]
    contains: str = ""
    """A piece of the extracted text (whitespace removed) that proves it is the right text."""


Expectation = Ok | type[DocumentError]

EXPECTED: dict[str, Expectation] = {
    # text layers that must be read as they are
    "docling__invisible_text_layer.pdf": Ok(("text",), "Visibleheadingline"),  # invisible line dropped
    "pdfjs__XiaoBiaoSong_gbk_mojibake.pdf": Ok(("text",), "关于红军作战的原则"),  # PDFium honours the GBK font
    "pdfjs__issue20489_gbk_mojibake_drawing.pdf": Ok(("text",), "北斗星"),
    "pdfjs__issue2128r_nonembedded_GBK-EUC-H.pdf": Ok(("text",), "浅谈校长的魅力"),
    "pdfjs__issue3521_nonembedded_GBKp-EUC-H.pdf": Ok(("text",), "我们都是黑体字"),
    "pdfjs__issue8372_nonembedded_UniGB-UTF16-H.pdf": Ok(("text",), "目录"),
    "pdfjs__issue9418_broken_xref.pdf": Ok(("text",), "ProjectNameandAddress"),  # repaired xref
    "pdfminer__jo_japanese_vertical.pdf": Ok(("text",), "みんなのおのおののなかのすべてですから"),
    "pdfminer__zen_of_python_corrupted.pdf": Ok(("text",), "Beautifulisbetterthanugly."),
    "pdfplumber__issue-461-example_rotated90_chinese.pdf": Ok(("text",), "白细胞计数"),
    "pdfplumber__issue-71-duplicate-chars_chinese.pdf": Ok(("text", "text"), "计算机科学与技术"),
    "pdfplumber__issue-842-example_fakebold_duplicate_chars.pdf": Ok(("text",), "安徽安利合成革股份有限公司"),
    "pymupdf__has-bad-fonts_chinese_customs_form.pdf": Ok(("text",), "佛山市柏年建材有限公司"),
    "pypdf__r6-owner-password_openable.pdf": Ok(("text",), "pdfencryptiontest"),  # owner password only
    "unstructured__copy-protected.pdf": Ok(("text", "text"), "LayoutParser"),  # permissions only
    # no text layer, or one that is garbage: OCR
    "docling__ocr_test_rotated_90_image_only.pdf": Ok(("ocr",), "DoclingbundlesPDFdocumentconversion"),
    "ocrmypdf__2400dpi_image.pdf": Ok(("ocr",), "liter"),
    "ocrmypdf__ccitt_image_only.pdf": Ok(("ocr",), "Sequencer"),
    "ocrmypdf__cmyk_garbage_cjk_looking_text.pdf": Ok(("ocr",), "Black"),  # invisible byte-swapped text
    "ocrmypdf__enormous_2160pt_page.pdf": Ok(("ocr",)),
    "ocrmypdf__hugemono_8400pt_page.pdf": Ok(("ocr",), "tinyamountoftext"),  # rendered under the pixel cap
    "ocrmypdf__jbig2_image_only.pdf": Ok(("ocr",), "Sequencer"),
    "ocrmypdf__rotated_skew_image_only.pdf": Ok(("ocr",), "Sequencer"),
    "ocrmypdf__truetype_font_nomapping.pdf": Ok(("ocr",)),  # '"7+%-' is not the text
    "ocrmypdf__type3_font_nomapping.pdf": Ok(("ocr",)),
    "pdfjs__issue2884_reduced_wrong_tounicode_jp.pdf": Ok(("ocr",), "公募型"),  # valid-looking CJK garbage
    "pdfjs__issue3405r_cid_no_tounicode.pdf": Ok(("ocr",), "其他参考数据"),
    "pdfjs__issue4061_wrong_tounicode_hkscs.pdf": Ok(("ocr",), "投诉"),  # 轉轉︰針針針…
    "pdfminer__issue_566_test_1_cid_no_tounicode_wrong_cjk.pdf": Ok(("ocr",), "2019-4-25"),
    "pdfminer__stamp-no_bad_startxref_crlf.pdf": NoTextError,  # glyphs unmapped (89 %) and drawn as nothing
    "pdfplumber__malformed-from-issue-932.pdf": Ok(("ocr",), "重庆万州经济技术开发"),  # image page
    # errors
    "ocrmypdf__invalid_not_a_pdf.pdf": CorruptPdfError,
    "pdfjs__REDHAT-1531897-0_bad_stream.pdf": CorruptPdfError,
    "pdfjs__issue9105_other_no_trailer.pdf": CorruptPdfError,
    "pdfjs__poppler-395-0-fuzzed.pdf": CorruptPdfError,
    "pdfplumber__empty_zero_bytes.pdf": EmptyFileError,
    "pdfjs__issue21579_pw-paesswoert.pdf": EncryptedPdfError,
    "pdfjs__saslprep-r6_unicode_password.pdf": EncryptedPdfError,
    "pdfminer__aes-256-r6_pw-usersecret.pdf": EncryptedPdfError,
    "pdfminer__rc4-40_userpw-baz_ownerpw-foo.pdf": EncryptedPdfError,
    "pdfplumber__password-example_pw-test.pdf": EncryptedPdfError,
    "pypdf__r4-aes-user-password_pw-asdfzxcv.pdf": EncryptedPdfError,
    "ocrmypdf__livecycle_xfa.pdf": NoTextError,  # a valid page with nothing on it
    "ocrmypdf__no_contents.pdf": NoTextError,
    "pdfjs__issue15590_no_page_tree_js.pdf": NoTextError,  # PDFium repairs it to one blank page
}


@pytest.fixture(scope="module")
def robustness(realdocs: Path) -> Path:
    folder = realdocs / "robustness"
    if not folder.is_dir():
        pytest.skip(f"{folder} not available")
    return folder


def test_every_file_has_an_expectation(robustness: Path) -> None:
    files = {p.name for p in robustness.iterdir() if p.is_file()}
    assert files - EXPECTED.keys() == set(), "new files in realdocs/robustness: add them to EXPECTED"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_robustness_table(robustness: Path, name: str) -> None:
    path = robustness / name
    if not path.exists():
        pytest.skip(f"{name} not in this copy of realdocs")
    expected = EXPECTED[name]
    if isinstance(expected, Ok):
        doc = extract_document(path, detect_media_type(path), FAKE)
        assert tuple(p.method for p in doc.pages) == expected.methods
        text = "".join(squash(u.text) for p in doc.pages for u in p.units)
        assert expected.contains in text
        for page in doc.pages:
            if page.method == "ocr":
                assert page.note  # why OCR was needed
                assert page.dpi is not None and page.ocr_confidence is not None
            else:
                assert page.ocr_confidence is None
        return
    with pytest.raises(expected) as caught:
        extract_document(path, detect_media_type(path), FAKE)
    error = caught.value
    assert error.code == expected.code
    assert len(str(error)) > 20  # a sentence a user can act on, not a bare code


def test_messages_say_what_to_do(robustness: Path) -> None:
    def message(name: str) -> str:
        with pytest.raises(DocumentError) as caught:
            extract_document(robustness / name, "pdf", FAKE)
        return str(caught.value)

    assert "needs a password" in message("pypdf__r4-aes-user-password_pw-asdfzxcv.pdf")
    assert "owner-password-only PDFs are read normally" in message("pdfminer__rc4-40_userpw-baz_ownerpw-foo.pdf")
    assert "corrupt or truncated" in message("pdfjs__poppler-395-0-fuzzed.pdf")
    assert "0 bytes" in message("pdfplumber__empty_zero_bytes.pdf")
    assert "blank page" in message("ocrmypdf__no_contents.pdf")


def test_why_pages_were_ocrd(robustness: Path) -> None:
    def notes(name: str) -> str:
        return extract_document(robustness / name, "pdf", FAKE).pages[0].note

    assert notes("ocrmypdf__ccitt_image_only.pdf").startswith("no text layer")
    assert "repeated glyphs" in notes("pdfjs__issue4061_wrong_tounicode_hkscs.pdf")
    assert "unmapped glyphs" in notes("pdfjs__issue3405r_cid_no_tounicode.pdf")
    assert "symbols" in notes("ocrmypdf__truetype_font_nomapping.pdf")
    assert "invisible" in notes("ocrmypdf__cmyk_garbage_cjk_looking_text.pdf")
    assert notes("pdfplumber__malformed-from-issue-932.pdf").startswith("image page")
    assert "rotated 90°" in notes("docling__ocr_test_rotated_90_image_only.pdf")
    skewed = extract_document(robustness / "ocrmypdf__rotated_skew_image_only.pdf", "pdf", FAKE).pages[0]
    assert "/Rotate 90 applied" in skewed.note and 2.0 < abs(skewed.skew_degrees) < 3.5


def test_invisible_ocr_layer_is_redone(realdocs: Path) -> None:
    """A scan with someone else's (noisy, invisible) OCR layer: not trusted, re-OCR'd."""
    path = realdocs / "chinese_scans" / "pdfplumber__pr-136-example_scan_with_ocr_layer.pdf"
    if not path.exists():
        pytest.skip("scan not available")
    from reportflow.extract.pdf import open_pdf, read_text_layer
    from reportflow.extract.textcheck import judge_text_layer

    layer = read_text_layer(open_pdf(path), 0)
    assert layer.units == [] and layer.stats.invisible_chars > 600 and layer.stats.image_cover == 1.0
    verdict = judge_text_layer(layer.units, invisible_chars=layer.stats.invisible_chars)
    assert not verdict.use_text and "re-OCR" in verdict.note


# --- the committed samples, replayed (what downstream tests with REPORTFLOW_OCR_ENGINE=fake get) ---

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize(
    ("name", "pages", "numbers"),
    [
        ("jiangmen-2023-report-p1.png", 1, ["3773.41", "3.3%"]),
        ("xinhui-2023-digest-scan.pdf", 3, ["273亿元", "128.8%", "566家"]),
    ],
)
def test_scanned_samples_replay(name: str, pages: int, numbers: list[str]) -> None:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip(f"{path} not built")
    config = dataclasses.replace(OcrConfig.from_env(), engine="fake")
    doc = extract_document(path, detect_media_type(path), config)
    assert doc.page_count == pages and all(p.method == "ocr" for p in doc.pages)
    assert all(p.ocr_confidence is not None and p.ocr_confidence > 70 for p in doc.pages)
    text = "".join(squash(u.text) for p in doc.pages for u in p.units)
    for number in numbers:
        assert number in text
