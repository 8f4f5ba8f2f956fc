"""The OCR'd punctuation of a document takes the document's own width (full-width or ASCII),
and straight quotes are curled without one lost mark flipping the rest of the paragraph."""

from __future__ import annotations

import pytest

from reportflow.layout.engine import paragraphs_from_pages
from reportflow.layout.paragraphs import curl_ocr_quotes
from reportflow.layout.punctuation import (
    CONVENTION_SHARE,
    MIN_MARKS,
    chinese_marks,
    document_width,
    harmonise_ocr_punctuation,
)
from reportflow.models import PageContent, Paragraph, TextUnit


def ocr_paragraph(text: str, seq: int = 0) -> Paragraph:
    return Paragraph(seq, 1, "body", text, char_boxes=[None] * len(text), char_conf=[90.0] * len(text))


def text_layer_paragraph(text: str, seq: int = 0) -> Paragraph:
    return Paragraph(seq, 1, "body", text, char_boxes=[None] * len(text))


WIDE_DOC = [
    "全区生产总值增长5%，其中工业增长8%，服务业增长6%。",
    "新增市场主体1,234户，同比增长12%；营业收入10:30公布。",
    "（1）加快建设产业园，推动企业上市：新增3家，总数达到9家；",
    "（2）推进改革，深化合作，扩大开放，优化营商环境，提升政务服务水平，建设法治政府。",
    "（3）守牢底线，保障民生，稳定就业，办好教育，建设健康城市，完善社会保障。",
    "发展（含食品）产业,完善设施(共性工厂),提升服务。",  # three ASCII misreads among full-width
]


def test_minority_ascii_marks_take_the_documents_full_width() -> None:
    paragraphs = [ocr_paragraph(t, k) for k, t in enumerate(WIDE_DOC)]
    assert document_width(paragraphs) == "wide"
    out = harmonise_ocr_punctuation(paragraphs)
    assert out[-1].text == "发展（含食品）产业，完善设施（共性工厂），提升服务。"
    # Marks inside numbers are not Chinese punctuation: never counted, never changed.
    assert "1,234" in out[1].text and "10:30" in out[1].text
    # One character for one: boxes and confidences stay aligned.
    assert all(len(p.text) == len(p.char_boxes) == len(p.char_conf) for p in out)
    assert out[:-1] == paragraphs[:-1]


def test_a_bracket_pair_turns_together() -> None:
    read = "(1)加快建设，推进(B型)保税物流中心建设，完善（含食品）产业链。"
    *_, out = harmonise_ocr_punctuation([*(ocr_paragraph(t, k) for k, t in enumerate(WIDE_DOC[:-1])), ocr_paragraph(read)])
    assert out.text.startswith("（1）加快") and "（B型）" in out.text
    marks = chinese_marks(read, [True] * len(read))
    assert 0 in marks and 2 in marks  # "(1)" belongs to the Chinese text after it


def test_minority_full_width_marks_take_the_documents_ascii() -> None:
    text = ("2月20日,新会区召开会议,总结工作,展望未来;全年增长5%,投资增长8%,消费增长6%,出口增长3%，进口增长2%,"
            "税收增长1%,就业增长4%,民生增长7%。")
    (out,) = harmonise_ocr_punctuation([ocr_paragraph(text)])
    assert "出口增长3%,进口" in out.text and "，" not in out.text
    assert out.text.count(",") == text.count(",") + 1


def test_a_mixed_document_and_a_text_layer_are_left_as_read() -> None:
    mixed = "增长5%，投资增长8%,消费增长6%，出口增长3%,进口增长2%，税收增长1%,财政增长4%，就业增长7%,民生增长9%，环境增长1%,科技增长2%。"
    wide = mixed.count("，")
    assert not (wide >= CONVENTION_SHARE * (mixed.count(",") + wide))
    assert harmonise_ocr_punctuation([ocr_paragraph(mixed)])[0].text == mixed
    # The same words from a text layer: a PDF's characters are what it prints, never changed.
    text_layer = [text_layer_paragraph(t, k) for k, t in enumerate(WIDE_DOC)]
    assert document_width(text_layer) is None
    assert harmonise_ocr_punctuation(text_layer) == text_layer


def test_too_few_marks_say_nothing_about_a_convention() -> None:
    few = "增长5%，投资增长8%，消费增长6%,出口增长3%。"
    assert len(chinese_marks(few, [True] * len(few))) < MIN_MARKS
    assert harmonise_ocr_punctuation([ocr_paragraph(few)])[0].text == few


def test_the_layout_engine_harmonises_ocr_pages_only() -> None:
    lines = ["全区生产总值增长5%，其中工业增长8%，服务业增长6%，", "农业增长3%，建筑业增长4%，金融业增长2%，",
             "（1）推进改革，深化合作，扩大开放，优化环境，提升服务，建设政府，",
             "（2）守牢底线，保障民生，稳定就业，办好教育，建设城市，完善保障，",
             "发展（含食品）产业,完善设施(共性工厂),提升服务。"]

    def page(conf: float | None) -> PageContent:
        units = [TextUnit(t, 100, 100 + 40 * k, 100 + 27 * len(t), 127 + 40 * k, 27, conf=conf)
                 for k, t in enumerate(lines)]
        return PageContent(1, 1400.0, 2000.0, "ocr" if conf else "text", units, dpi=300 if conf else None)

    ocr_text = "".join(p.text for p in paragraphs_from_pages([page(90.0)]))
    layer_text = "".join(p.text for p in paragraphs_from_pages([page(None)]))
    assert "产业，完善设施（共性工厂），提升" in ocr_text
    assert "产业,完善设施(共性工厂),提升" in layer_text


@pytest.mark.parametrize(
    ("read", "curled"),
    [
        # The opening mark lost by the OCR: the one left closes (it used to open).
        ('新会区实施十四五"规划承上启下', "新会区实施十四五”规划承上启下"),
        # A closing mark lost before a sentence end: the next pair is still curled right
        # (alternation made it ”抄底纾困“).
        ('推动"一件事主题服务。深圳"抄底纾困"模式', "推动”一件事主题服务。深圳“抄底纾困”模式"),
        ('支持"小巨人"企业和"专精特新"企业', "支持“小巨人”企业和“专精特新”企业"),
    ],
)
def test_quotes_are_curled_by_the_span_they_could_enclose(read: str, curled: str) -> None:
    assert curl_ocr_quotes(read, [True] * len(read)) == curled
