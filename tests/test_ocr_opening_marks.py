"""A line that starts with an opening quote or bracket: OCR sees its ink, not its cell.

An opening mark is set in the right half of its full-width cell, so the ink of a line
starting with '“' begins ~half an em late; taken as the line's start, it looked like an
indent and cut a list item in two (rl-xinhui p3 of the OCR benchmark). OCR units of a line
start give the cell, as a text layer does.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reportflow.config import OcrConfig
from reportflow.extract.images import PageImage
from reportflow.extract.ocr import OPENING_MARK_LEAD, recognise_page, words_to_units
from reportflow.extract.pdf import open_pdf, render_page
from reportflow.extract.tesseract import OcrWord, TesseractEngine
from reportflow.layout import repair_layout
from reportflow.models import ExtractedDocument

FONT = Path("/usr/share/fonts/truetype/arphic/uming.ttc")
"""AR PL UMing, the benchmark pages' body font: its '“' sits in the right half of a full-width cell."""
HEIGHT = 41


def _word(text: str, left: int, line: int, width: int = 120) -> OcrWord:
    top = 100 + 70 * line
    return OcrWord(text, left, top, width, HEIGHT, 93.0, (1, 1, line), top, HEIGHT)


def test_a_line_starting_with_an_opening_mark_starts_at_its_cell() -> None:
    words = [
        _word("3.全力支持", 152, 1),
        _word("实验室", 197, 2),
        _word("“1+9+N”", 219, 3),
        _word("体系", 393, 3),
        _word("（一）", 240, 4),
        _word("总体", 400, 4),
        _word("引进", 197, 5),
        _word("“强磁场”", 400, 5),
    ]
    x0 = {u.text: u.x0 for u in words_to_units(words)}
    assert OPENING_MARK_LEAD * HEIGHT == pytest.approx(20, abs=1)
    assert x0["“1+9+N”"] == 199  # half an em left of its ink: where the hang of line 2 is
    assert x0["（一）"] == 220
    # not line starts, or no opening mark: where the ink is
    assert (x0["3.全力支持"], x0["实验室"], x0["体系"], x0["“强磁场”"]) == (152, 197, 393, 400)


def _item_pdf(path: Path) -> Path:
    """A numbered item with a hanging indent whose last line starts with '“', then the next item."""
    if not FONT.exists():
        pytest.skip("CJK font not installed")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("uming", str(FONT), subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=(300, 150), invariant=1)
    c.setFont("uming", 10)
    lines = [
        (20, "3.全力支持江门双碳实验室创建全国重点"),
        (32, "实验室，争取成为粤港澳大湾区国家技"),
        (32, "术创新中心“1+9+N”体系中9个分中心"),
        (32, "“双碳”领域之一，力争年内挂牌运作。"),
        (20, "4.至少引进1家全省知名的人力资源服务"),
        (32, "机构，建成人才驿站2个。"),
    ]
    y = 130
    for x, text in lines:
        c.drawString(x, y, text)
        y -= 16
    c.save()
    return path


@pytest.mark.ocr
def test_an_item_whose_last_line_starts_with_a_quote_stays_one_paragraph(tmp_path: Path) -> None:
    image, dpi = render_page(open_pdf(_item_pdf(tmp_path / "item.pdf")), 0, 300, 50_000_000)
    config = dataclasses.replace(OcrConfig(), engine="tesseract", languages="chi_sim")
    content = recognise_page(PageImage(1, image, float(dpi)), config, TesseractEngine())
    starts = {u.text[:1]: u.x0 for u in content.units if u.text[:1] in '“"'}
    assert starts, [u.text for u in content.units]
    paragraphs = [p.text for p in repair_layout(ExtractedDocument("image", 1, [content]))]
    item = [p for p in paragraphs if "全力支持" in p]
    assert len(item) == 1 and "领域之一" in item[0], paragraphs
    assert any("至少引进" in p and "人才驿站" in p for p in paragraphs), paragraphs  # the next item apart
