"""`reportflow show`: the page a fact came from, with the number framed where it is printed.

Pages are real: one-page PDFs typeset by reportlab with a CJK TrueType font, a scan-like PNG
recognised by the real tesseract. The checks are on pixels of the written PNG: the red frame
must surround the glyphs of the number (their boxes known independently, from pdfplumber),
and for OCR, tesseract must read the number back from inside the frame.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pdfplumber
import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from typer.testing import CliRunner
from views_fixtures import GOLD_FILES, build_gold_warehouse

from reportflow import db as warehouse_db
from reportflow.acquire import AcquiredDocument
from reportflow.cli import app
from reportflow.models import DocumentContext, ExtractedDocument, Fact, PageContent, Paragraph
from reportflow.provenance import ProvenanceError, line_boxes, locate_fact, show_fact

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
SENTENCE = "2022年，全市实现地区生产总值3773.41亿元，增长3.3%。"
NUMBER = "3773.41亿元"

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-wqy-zenhei is not installed")


# --- building documents and warehouses ----------------------------------------------------------


def make_pdf(path: Path, lines: list[tuple[float, float, str]], size: tuple[float, float] = (595, 842),
             rotate: int = 0, font_size: float = 14) -> Path:
    """A one-page PDF with each (x, baseline from the top, text) drawn in WenQuanYi Zen Hei."""
    if "wqy" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("wqy", str(FONT)))
    c = canvas.Canvas(str(path), pagesize=size)
    if rotate:
        c.setPageRotation(rotate)
    c.setFont("wqy", font_size)
    for x, baseline, text in lines:
        c.drawString(x, size[1] - baseline, text)
    c.save()
    return path


def plumber_paragraph(pdf: Path, seq: int = 0) -> tuple[Paragraph, PageContent]:
    """The page's characters as one paragraph with pdfplumber's boxes (independent of reportflow's reader)."""
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        chars = [c for c in page.chars if c["text"].strip()]
        text = "".join(c["text"] for c in chars)
        boxes = [(float(c["x0"]), float(c["top"]), float(c["x1"]), float(c["bottom"])) for c in chars]
        content = PageContent(1, float(page.width), float(page.height), "text", [])
    bbox = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return Paragraph(seq, 1, "body", text, bbox, boxes), content


def number_fact(paragraph: Paragraph, value_text: str = NUMBER, value: float = 3773.41, unit: str = "亿元") -> Fact:
    value_start = paragraph.text.index(value_text)
    evidence_start = paragraph.text.index("地区生产总值")
    return Fact(
        paragraph_seq=paragraph.seq, page_no=paragraph.page_no, indicator="地区生产总值", measure="level", value=value,
        unit=unit, value_text=value_text, evidence=paragraph.text[evidence_start: value_start + len(value_text)],
        kind="actual", indicator_code="gdp", region="开平市", period_year=2022,
        evidence_start=evidence_start, value_start=value_start,
    )


def load(db: Path, source: Path, media_type: str, pages: list[PageContent], paragraphs: list[Paragraph],
         facts: list[Fact]) -> str:
    """Load one document through the real loader and publish; returns the first fact's id."""
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    acquired = AcquiredDocument(digest, source.name, str(source), str(source), source.stat().st_size, media_type)
    extracted = ExtractedDocument(media_type, len(pages), pages)  # type: ignore[arg-type]
    warehouse = warehouse_db.Warehouse(db)
    with warehouse.write() as con:
        warehouse_db.load_document(con, acquired, extracted, paragraphs,
                                   DocumentContext(region="开平市", report_year=2023), facts, "test")
    warehouse.publish()
    return warehouse_db.assign_fact_ids(digest, facts)[0]


def show(db: Path, fact_id: str, out: Path, **kwargs: object):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return show_fact(con, fact_id, out, **kwargs)  # type: ignore[arg-type]
    finally:
        con.close()


# --- pixel checks ----------------------------------------------------------------------------------


def red_mask(image: Image.Image) -> np.ndarray:
    rgb = np.asarray(image.convert("RGB")).astype(int)
    return (rgb[..., 0] > 180) & (rgb[..., 1] < 80) & (rgb[..., 2] < 80)


def bbox_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "no red frame drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def assert_frames(image: Image.Image, expected: tuple[float, float, float, float], tolerance: float,
                  ink_below: int = 100) -> None:
    """The red pixels form a frame around ``expected`` (pixels): enclosing it, hugging it, and
    with the number's ink (gray values below ``ink_below``) inside."""
    x0, top, x1, bottom = bbox_of(red_mask(image))
    ex0, etop, ex1, ebottom = expected
    assert x0 <= ex0 and top <= etop and x1 >= ex1 and bottom >= ebottom, ((x0, top, x1, bottom), expected)
    assert ex0 - x0 <= tolerance and etop - top <= tolerance and x1 - ex1 <= tolerance and bottom - ebottom <= tolerance
    gray = np.asarray(image.convert("L"))
    inside = gray[int(etop) + 1: int(ebottom), int(ex0) + 1: int(ex1)]
    assert (inside < ink_below).mean() > 0.05, "no glyph ink inside the frame"


def scaled(box: tuple[float, float, float, float], scale: float) -> tuple[float, float, float, float]:
    return (box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale)


def union(boxes: list) -> tuple[float, float, float, float]:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


# --- tests -----------------------------------------------------------------------------------------


def test_text_layer_fact_is_framed_around_its_glyphs(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", [(72, 100, "开平市2023年政府工作报告"), (72, 142, SENTENCE)])
    paragraph, page = plumber_paragraph(pdf)
    fact = number_fact(paragraph)
    fact_id = load(tmp_path / "w.duckdb", pdf, "pdf", [page], [paragraph], [fact])

    result = show(tmp_path / "w.duckdb", fact_id, tmp_path / "fact.png")
    image = Image.open(result.path)
    assert image.size == (595 * 2, 842 * 2)  # default: 2 px per point
    expected = scaled(union(paragraph.char_boxes[fact.value_start: fact.value_start + len(NUMBER)]), 2.0)
    assert_frames(image, expected, tolerance=10)
    # Nothing red far from the number (the frame is the only red on the page).
    mask = red_mask(image)
    mask[int(expected[1]) - 12: int(expected[3]) + 12, int(expected[0]) - 12: int(expected[2]) + 12] = False
    assert mask.sum() == 0
    assert result.location.value_text == NUMBER and result.location.page_no == 1


def test_scale_and_crop_options_keep_the_frame_on_the_number(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", [(300, 600, "其中：地区生产总值3773.41亿元")], font_size=10)
    paragraph, page = plumber_paragraph(pdf)
    fact_id = load(tmp_path / "w.duckdb", pdf, "pdf", [page], [paragraph], [number_fact(paragraph)])
    glyphs = union(paragraph.char_boxes[paragraph.text.index(NUMBER): paragraph.text.index(NUMBER) + len(NUMBER)])

    big = show(tmp_path / "w.duckdb", fact_id, tmp_path / "big.png", scale=4.0)
    assert Image.open(big.path).size == (595 * 4, 842 * 4)
    assert_frames(Image.open(big.path), scaled(glyphs, 4.0), tolerance=14)

    cropped = show(tmp_path / "w.duckdb", fact_id, tmp_path / "crop.png", crop=True)
    image = Image.open(cropped.path)
    assert image.width < 595 * 2 and image.height < 842 * 2
    assert cropped.value_box is not None
    x0, top, x1, bottom = cropped.value_box  # in the cropped image's pixels
    assert_frames(image, (x0, top, x1, bottom), tolerance=8)


def test_rotated_pdf_page_is_shown_as_displayed_with_the_frame_on_the_number(tmp_path: Path) -> None:
    """/Rotate 90: the characters' boxes are in the displayed page's coordinates (the sentence
    runs downwards), and the rendering is of the displayed page too."""
    pdf = make_pdf(tmp_path / "rotated.pdf", [(72, 142, SENTENCE)], size=(842, 595), rotate=90)
    paragraph, page = plumber_paragraph(pdf)
    assert (page.width, page.height) == (842, 595)
    assert paragraph.text == SENTENCE
    fact = number_fact(paragraph)
    fact_id = load(tmp_path / "w.duckdb", pdf, "pdf", [page], [paragraph], [fact])
    image = Image.open(show(tmp_path / "w.duckdb", fact_id, tmp_path / "r.png").path)
    assert image.size == (842 * 2, 595 * 2)
    glyphs = union(paragraph.char_boxes[fact.value_start: fact.value_start + len(NUMBER)])
    assert glyphs[3] - glyphs[1] > 3 * (glyphs[2] - glyphs[0])  # the number runs downwards
    assert_frames(image, scaled(glyphs, 2.0), tolerance=10)


def test_a_number_wrapped_over_two_lines_gets_one_frame_per_line() -> None:
    # "37" at the end of one line, "73.41亿元" at the start of the next.
    boxes = [(500.0, 100.0, 508.0, 114.0), (508.0, 100.0, 516.0, 114.0), (72.0, 120.0, 80.0, 134.0),
             (80.0, 120.0, 88.0, 134.0), (88.0, 120.0, 120.0, 134.0)]
    assert line_boxes(boxes) == [(500.0, 100.0, 516.0, 114.0), (72.0, 120.0, 120.0, 134.0)]
    assert line_boxes([]) == []


def test_text_file_fact_is_framed_in_its_typeset_paragraph(tmp_path: Path) -> None:
    built = build_gold_warehouse(tmp_path / "gold", with_2024=False)
    con = duckdb.connect(str(built.path), read_only=True)
    fact_id, value_text = con.execute(
        "SELECT fact_id, value_text FROM facts f JOIN documents d USING (doc_id) WHERE d.file_name = ? "
        "AND indicator_code = 'gdp' AND measure = 'level'", [GOLD_FILES["002"]]).fetchone()
    result = show_fact(con, fact_id, tmp_path / "txt.png")
    con.close()
    assert value_text == NUMBER
    assert "plain text" in result.source
    image = Image.open(result.path)
    assert result.value_box is not None
    assert_frames(image, result.value_box, tolerance=8)


def test_unknown_fact_and_missing_source_are_explained(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", [(72, 142, SENTENCE)])
    paragraph, page = plumber_paragraph(pdf)
    fact_id = load(tmp_path / "w.duckdb", pdf, "pdf", [page], [paragraph], [number_fact(paragraph)])
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    with pytest.raises(ProvenanceError, match="no fact 'nope'"):
        locate_fact(con, "nope")
    with pytest.raises(ProvenanceError, match=fact_id):  # a near miss lists the document's facts
        locate_fact(con, fact_id.rsplit("-", 1)[0] + "-9")
    con.close()
    pdf.unlink()
    with pytest.raises(ProvenanceError, match="neither the archived copy"):
        show(tmp_path / "w.duckdb", fact_id, tmp_path / "gone.png")


def test_cli_show_writes_the_png_and_reports_failures(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "report.pdf", [(72, 142, SENTENCE)])
    paragraph, page = plumber_paragraph(pdf)
    db = tmp_path / "w.duckdb"
    fact_id = load(db, pdf, "pdf", [page], [paragraph], [number_fact(paragraph)])
    runner = CliRunner()
    out = tmp_path / "cli.png"
    result = runner.invoke(app, ["show", fact_id, "--out", str(out), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert out.exists() and NUMBER in result.output and "page 1" in result.output
    missing = runner.invoke(app, ["show", "no-such-fact", "--db", str(db)])
    assert missing.exit_code == 1
    no_db = runner.invoke(app, ["show", fact_id, "--db", str(tmp_path / "absent.duckdb")])
    assert no_db.exit_code == 2


# --- through the real pipeline ------------------------------------------------------------------------


def _pipeline_fact(tmp_path: Path, source: Path) -> tuple[Path, str, object]:
    """Run the real extract → layout → facts stages on ``source``, load it, return the GDP level fact."""
    from reportflow.config import Settings
    from reportflow.pipeline import process_document

    db = tmp_path / "w.duckdb"
    settings = Settings.from_env(db)
    processed = process_document(source, settings, archive=True)
    warehouse = warehouse_db.Warehouse(db)
    with warehouse.write() as con:
        warehouse_db.load_document(con, processed.acquired, processed.extracted, processed.paragraphs,
                                   processed.context, processed.facts, "test")
    warehouse.publish()
    ids = warehouse_db.assign_fact_ids(processed.acquired.doc_id, processed.facts)
    found = [(i, f) for i, f in zip(ids, processed.facts) if f.value_text.startswith("3773.41")]
    assert found, [f.value_text for f in processed.facts]
    return db, found[0][0], processed


def test_pipeline_text_layer_pdf_fact_is_framed(tmp_path: Path) -> None:
    pdf = make_pdf(tmp_path / "kaiping.pdf", [(72, 100, "开平市2023年政府工作报告"), (72, 142, SENTENCE)])
    db, fact_id, processed = _pipeline_fact(tmp_path, pdf)
    assert processed.extracted.pages[0].method == "text"
    with pdfplumber.open(pdf) as doc:
        chars = [c for c in doc.pages[0].chars if c["text"].strip()]
    text = "".join(c["text"] for c in chars)
    start = text.index(NUMBER)
    truth = union([(c["x0"], c["top"], c["x1"], c["bottom"]) for c in chars[start: start + len(NUMBER)]])
    result = show(db, fact_id, tmp_path / "pipeline.png")
    assert_frames(Image.open(result.path), scaled(truth, 2.0), tolerance=10)


SCAN_FONT_PX = 44
SCAN_X = 120


def scan_image(path: Path, skew_degrees: float) -> Path:
    """A 300-dpi-like grayscale 'scan' of a title and the sentence, tilted by ``skew_degrees``."""
    font = ImageFont.truetype(str(FONT), SCAN_FONT_PX)
    image = Image.new("L", (1700, 420), 255)
    draw = ImageDraw.Draw(image)
    draw.text((SCAN_X, 90), "开平市2023年政府工作报告", font=font, fill=0)
    draw.text((SCAN_X, 230), SENTENCE, font=font, fill=0)
    image = image.rotate(skew_degrees, resample=Image.BICUBIC, expand=True, fillcolor=255)
    image.save(path, dpi=(300, 300))
    return path


def number_ink_span(gray: np.ndarray, frame: tuple[float, float, float, float]) -> tuple[float, float]:
    """Where the number's ink really is on the re-created (deskewed) image, from the drawing: the
    sentence's first ink column, plus the typeset advance of the text before the number, plus
    the bearings of the number's first and last glyphs."""
    font = ImageFont.truetype(str(FONT), SCAN_FONT_PX)
    top, bottom = int(frame[1]), int(frame[3])
    ink_columns = np.nonzero((gray[top:bottom] < 128).any(axis=0))[0]
    origin = float(ink_columns.min()) - font.getbbox(SENTENCE[0])[0]
    prefix = SENTENCE[: SENTENCE.index(NUMBER)]
    x0 = origin + font.getlength(prefix) + font.getbbox(NUMBER[0])[0]
    x1 = origin + font.getlength(prefix + NUMBER[:-1]) + font.getbbox(NUMBER[-1])[2]
    return x0, x1


def _ocr_show(tmp_path: Path):
    from reportflow.provenance import recognised_image

    png = scan_image(tmp_path / "kaiping-scan.png", skew_degrees=1.5)
    db, fact_id, processed = _pipeline_fact(tmp_path, png)
    page = processed.extracted.pages[0]
    result = show(db, fact_id, tmp_path / "ocr.png")
    gray = recognised_image(png, "image", 1, page.dpi, page.rotation, page.skew_degrees)
    return page, result, gray


needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@pytest.mark.ocr
@needs_tesseract
def test_pipeline_ocr_fact_is_framed_around_every_glyph_of_the_number(tmp_path: Path) -> None:
    """Tesseract's own boxes put 3773.41 one glyph late on this line (its LSTM positions drift:
    the word is boxed from the second digit); show re-aligns the line's characters to the ink,
    so the frame holds exactly the number's glyphs."""
    page, result, gray = _ocr_show(tmp_path)
    assert page.method == "ocr" and abs(page.skew_degrees) > 0.5  # the deskew path is exercised
    image = Image.open(result.path)
    assert image.size == (int(page.width), int(page.height)) == (gray.shape[1], gray.shape[0])
    assert result.value_box is not None
    x0, top, x1, bottom = result.value_box
    truth_x0, truth_x1 = number_ink_span(gray, result.value_box)
    assert bottom - top >= 0.8 * SCAN_FONT_PX  # the number's line, full glyph height
    # Within 0.15 em of the drawn glyphs (anti-aliasing and the two rotations blur the edges).
    tolerance = 0.15 * SCAN_FONT_PX
    assert abs(x0 - truth_x0) <= tolerance and abs(x1 - truth_x1) <= tolerance, (result.value_box, truth_x0, truth_x1)
    assert_frames(image, (truth_x0, top, truth_x1, bottom), tolerance=14)


@pytest.mark.ocr
@needs_tesseract
def test_without_realignment_tesseracts_boxes_miss_the_first_digit(tmp_path: Path) -> None:
    """The drift the re-alignment repairs is real: tesseract's stored boxes start one digit late."""
    from reportflow.provenance import recognised_image

    png = scan_image(tmp_path / "kaiping-scan.png", skew_degrees=1.5)
    db, fact_id, processed = _pipeline_fact(tmp_path, png)
    page = processed.extracted.pages[0]
    raw = show(db, fact_id, tmp_path / "raw.png", realign=False)
    gray = recognised_image(png, "image", 1, page.dpi, page.rotation, page.skew_degrees)
    assert raw.value_box is not None
    truth_x0, _ = number_ink_span(gray, raw.value_box)
    digit = ImageFont.truetype(str(FONT), SCAN_FONT_PX).getlength("3")
    assert raw.value_box[0] > truth_x0 + 0.5 * digit


def test_ocr_boxes_are_rescaled_when_the_recreated_image_has_another_size(tmp_path: Path) -> None:
    """E.g. a lower size cap now than at recognition: the boxes follow the image, not the page size."""
    from reportflow.provenance import FactLocation, render_fact

    font = ImageFont.truetype(str(FONT), 40)
    image = Image.new("L", (900, 120), 255)
    ImageDraw.Draw(image).text((40, 40), "增长3.3%", font=font, fill=0)
    png = tmp_path / "page.png"
    image.save(png)
    ink = np.nonzero((np.asarray(image) < 128).any(axis=0))[0]
    digits_from = 40 + font.getlength("增长")
    # Stored at twice the size (as if recognised from a 2x rendering): boxes and page size doubled.
    text = "增长3.3%"
    boxes = []
    x = 40.0
    for ch in text:
        w = font.getlength(ch)
        boxes.append((2 * x, 2 * 40.0, 2 * (x + w), 2 * 84.0))
        x += w
    location = FactLocation(
        fact_id="x-0-2-0", doc_id="x", file_name=png.name, archive_path=str(png), source_path=None, media_type="image",
        page_no=1, method="ocr", page_width=1800.0, page_height=240.0, dpi=None, rotation=0, skew_degrees=0.0,
        paragraph_seq=0, paragraph_text=text, paragraph_bbox=None, value_text="3.3%", value_start=2, evidence=text,
        evidence_start=0, indicator="", value=3.3, unit="%", kind="actual", period_year=2022, region=None,
        dq_status=None, char_boxes=boxes,
    )
    rendering = render_fact(location)
    assert rendering.image.size == (900, 120)
    box = union(rendering.value_boxes)
    assert abs(box[0] - digits_from) <= 6 and abs(box[2] - (ink.max() + 1)) <= 6
