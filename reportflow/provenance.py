"""Visual provenance: draw a fact's number boxed on the page it was read from.

``reportflow show FACT_ID`` lets a reviewer check any number against its page in seconds. The
warehouse keeps one box per character of every paragraph (``paragraph_geometry.char_boxes``) in
the page's own units, and each fact keeps the offsets of its number and evidence in the
paragraph text, so the boxes of the number are a slice of the paragraph's boxes.

The page is re-rendered the way the pipeline saw it, so those units line up:

* text-layer PDF page — PDFium renders the page as displayed (/Rotate applied), the boxes are
  in points: one point = ``scale`` pixels;
* OCR page — the boxes are pixels of the image tesseract recognised: the page is rendered at
  ``pages.dpi`` (PDF) or loaded (image file: EXIF orientation, size cap), then turned by
  ``pages.rotation`` and levelled by ``pages.skew_degrees``, exactly as the extract stage does
  before recognition;
* ``.txt`` input has no page: the paragraph is typeset on a card (CJK font) with its own
  character boxes, and the same drawing marks the number there.

The number is framed in red, the rest of its evidence clause underlaid in yellow.
"""

from __future__ import annotations

import logging
import math
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import duckdb
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from reportflow.errors import ReportflowError
from reportflow.models import BBox

log = logging.getLogger(__name__)

CJK_FONTS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
)
VALUE_COLOUR = (220, 0, 0)
EVIDENCE_COLOUR = (255, 214, 0, 90)
DEFAULT_TEXT_SCALE = 2.0
"""Pixels per PDF point for text-layer pages (144 dpi: small print stays legible)."""
MAX_OUTPUT_SIDE = 6000
"""Longest side of the output image; larger renderings are scaled down to this."""


class ProvenanceError(ReportflowError):
    """The fact cannot be shown (unknown id, source file gone, no page to render)."""


@dataclass(slots=True)
class FactLocation:
    """Everything needed to show one fact: its text, its page and its character boxes."""

    fact_id: str
    doc_id: str
    file_name: str
    archive_path: str | None
    source_path: str | None
    media_type: str | None
    page_no: int
    method: str | None
    page_width: float | None
    page_height: float | None
    dpi: float | None
    rotation: int
    skew_degrees: float
    paragraph_seq: int
    paragraph_text: str
    paragraph_bbox: BBox | None
    value_text: str
    value_start: int
    evidence: str
    evidence_start: int
    indicator: str
    value: float | None
    unit: str
    kind: str
    period_year: int | None
    region: str | None
    dq_status: str | None
    char_boxes: list[BBox | None] = field(default_factory=list)
    char_conf: list[float | None] = field(default_factory=list)

    @property
    def value_span(self) -> range:
        return range(self.value_start, self.value_start + len(self.value_text))

    @property
    def evidence_span(self) -> range:
        return range(self.evidence_start, self.evidence_start + len(self.evidence))

    def boxes_of(self, span: range) -> list[BBox]:
        return [b for i in span if i < len(self.char_boxes) and (b := self.char_boxes[i]) is not None]

    @property
    def value_boxes(self) -> list[BBox]:
        return self.boxes_of(self.value_span)

    @property
    def evidence_boxes(self) -> list[BBox]:
        return self.boxes_of(self.evidence_span)


@dataclass(frozen=True, slots=True)
class Rendering:
    """A page (or text card) image with the fact's boxes in its pixel coordinates."""

    image: Image.Image
    value_boxes: list[BBox]
    evidence_boxes: list[BBox]
    source: str
    """How the image was made, for the user: 'PDF text layer, 144 dpi', 'OCR image …'."""


@dataclass(frozen=True, slots=True)
class ShowResult:
    path: Path
    location: FactLocation
    value_box: BBox | None
    """Union of the number's boxes in output-image pixels (what was framed)."""
    source: str


# --- reading the warehouse ------------------------------------------------------------------

_LOCATE_SQL = """
SELECT f.fact_id, f.doc_id, d.file_name, d.archive_path, d.source_path, d.media_type, f.page_no,
       p.method, p.width, p.height, p.dpi, coalesce(p.rotation, 0), coalesce(p.skew_degrees, 0),
       f.paragraph_seq, par.text, par.x0, par.top, par.x1, par.bottom,
       f.value_text, f.value_start, f.evidence, f.evidence_start,
       f.indicator, f.value, f.unit, f.kind, f.period_year, f.region, f.dq_status,
       g.char_boxes, g.char_conf, g.char_pages
FROM facts AS f
JOIN documents AS d ON d.doc_id = f.doc_id
LEFT JOIN pages AS p ON p.doc_id = f.doc_id AND p.page_no = f.page_no
LEFT JOIN paragraphs AS par ON par.doc_id = f.doc_id AND par.seq = f.paragraph_seq
LEFT JOIN paragraph_geometry AS g ON g.doc_id = f.doc_id AND g.seq = f.paragraph_seq
WHERE f.fact_id = ?
"""


def locate_fact(con: duckdb.DuckDBPyConnection, fact_id: str) -> FactLocation:
    """The fact's text, page and character boxes; ProvenanceError if there is no such fact."""
    row = con.execute(_LOCATE_SQL, [fact_id]).fetchone()
    if row is None:
        similar = [r[0] for r in con.execute(
            "SELECT fact_id FROM facts WHERE fact_id LIKE ? ORDER BY fact_id LIMIT 5", [fact_id.split("-")[0] + "%"]
        ).fetchall()]
        hint = f"; facts of that document include {', '.join(similar)}" if similar else (
            "; find ids in fact_sources or `reportflow facts FILE`"
        )
        raise ProvenanceError(f"no fact {fact_id!r} in the warehouse{hint}")
    (fid, doc_id, file_name, archive_path, source_path, media_type, page_no, method, width, height, dpi, rotation,
     skew, seq, text, x0, top, x1, bottom, value_text, value_start, evidence, evidence_start, indicator, value, unit,
     kind, period_year, region, dq_status, char_boxes, char_conf, char_pages) = row
    if text is None:
        raise ProvenanceError(f"fact {fact_id}: its paragraph {seq} is missing from the warehouse")
    boxes: list[BBox | None] = [tuple(b) if b is not None else None for b in (char_boxes or [])]  # type: ignore[misc]
    if char_pages:  # a paragraph running on to another page: keep the boxes of the fact's page only
        boxes = [b if i < len(char_pages) and char_pages[i] == page_no else None for i, b in enumerate(boxes)]
    if boxes and len(boxes) != len(text):
        log.warning("fact %s: %d character boxes for %d characters; boxes may be shifted", fid, len(boxes), len(text))
    return FactLocation(
        fact_id=fid, doc_id=doc_id, file_name=file_name, archive_path=archive_path, source_path=source_path,
        media_type=media_type, page_no=page_no or 1, method=method, page_width=width, page_height=height, dpi=dpi,
        rotation=int(rotation), skew_degrees=float(skew), paragraph_seq=seq, paragraph_text=text,
        paragraph_bbox=(x0, top, x1, bottom) if x0 is not None else None, value_text=value_text or "",
        value_start=value_start or 0, evidence=evidence or "", evidence_start=evidence_start or 0,
        indicator=indicator or "", value=value, unit=unit or "", kind=kind or "", period_year=period_year,
        region=region, dq_status=dq_status, char_boxes=boxes, char_conf=list(char_conf or []),
    )


def source_file(location: FactLocation) -> Path:
    """The archived copy of the document, else the original path; ProvenanceError if both are gone."""
    for candidate in (location.archive_path, location.source_path):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise ProvenanceError(
        f"{location.file_name}: neither the archived copy ({location.archive_path}) nor the original "
        f"({location.source_path}) exists any more; restore the archive or ingest the file again"
    )


# --- geometry ---------------------------------------------------------------------------------


def line_boxes(boxes: list[BBox]) -> list[BBox]:
    """Merge character boxes into one box per line of text (a number can wrap onto the next line).

    Consecutive characters belong to one line while their vertical extents overlap by more than
    half the smaller height and the next one does not jump back to the left.
    """
    lines: list[list[float]] = []
    for x0, top, x1, bottom in boxes:
        if lines:
            cur = lines[-1]
            overlap = min(cur[3], bottom) - max(cur[1], top)
            smaller = min(cur[3] - cur[1], bottom - top)
            if smaller > 0 and overlap > 0.5 * smaller and x0 >= cur[0] - 0.5 * smaller:
                cur[0], cur[1], cur[2], cur[3] = min(cur[0], x0), min(cur[1], top), max(cur[2], x1), max(cur[3], bottom)
                continue
        lines.append([x0, top, x1, bottom])
    return [(a, b, c, d) for a, b, c, d in lines]


def union_box(boxes: list[BBox]) -> BBox | None:
    if not boxes:
        return None
    return (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))


def glyph_weight(ch: str) -> float:
    """Relative advance width of a character in a CJK font (full-width = 1; measured on
    WenQuanYi Zen Hei: digits 0.60, '.' and ',' 0.30, '%' 0.70, Latin ~0.56)."""
    if unicodedata.east_asian_width(ch) in ("F", "W"):
        return 1.0
    if ch in ".,:;'·":
        return 0.3
    if ch == "%":
        return 0.7
    return 0.58


def _same_word(a: BBox, b: BBox) -> bool:
    """b continues an evenly split word box a: same line box, touching, same width."""
    eps = 1e-3
    return (abs(a[1] - b[1]) < eps and abs(a[3] - b[3]) < eps and abs(a[2] - b[0]) < eps
            and abs((a[2] - a[0]) - (b[2] - b[0])) < eps)


def resplit_ocr_boxes(text: str, boxes: list[BBox | None]) -> list[BBox | None]:
    """Character boxes of OCR words re-divided by glyph width instead of evenly.

    Tesseract boxes words, not characters; the layout stage divides a word's box evenly among
    its characters, so in 全市实现地区生产总值3773.41亿元 (one tesseract word) the narrow digits
    get a full-width share and the frame lands a character early. Runs of touching equal
    boxes on one line are taken as one word and re-divided by ``glyph_weight``.
    """
    out = list(boxes)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j] is not None and out[j + 1] is not None and _same_word(out[j], out[j + 1]):  # type: ignore[arg-type]
            j += 1
        if j > i:
            first, last = out[i], out[j]
            assert first is not None and last is not None
            weights = [glyph_weight(ch) for ch in text[i: j + 1]] if j < len(text) else [1.0] * (j - i + 1)
            total = sum(weights)
            x = first[0]
            span = last[2] - first[0]
            for k, w in enumerate(weights):
                width = span * w / total
                out[i + k] = (x, first[1], x + width, first[3])
                x += width
        i = j + 1
    return out


def _scaled(boxes: list[BBox], sx: float, sy: float) -> list[BBox]:
    return [(x0 * sx, top * sy, x1 * sx, bottom * sy) for x0, top, x1, bottom in boxes]


# --- rendering pages --------------------------------------------------------------------------


def render_text_layer_page(path: Path, page_no: int, scale: float) -> Image.Image:
    """A PDF page as displayed (/Rotate applied), ``scale`` pixels per point, in colour."""
    from reportflow.extract.pdf import PDFIUM_LOCK, opened_pdf

    with opened_pdf(path) as pdf, PDFIUM_LOCK:
        if not 1 <= page_no <= len(pdf):
            raise ProvenanceError(f"{path.name} has {len(pdf)} pages, not page {page_no}")
        page = pdf[page_no - 1]
        try:
            bitmap = page.render(scale=scale, draw_annots=True)
            try:
                return bitmap.to_pil().convert("RGB")
            finally:
                bitmap.close()
        finally:
            page.close()


@lru_cache(maxsize=2)
def recognised_image(path: Path, media_type: str, page_no: int, dpi: float | None, rotation: int,
                     skew_degrees: float) -> np.ndarray:
    """The grayscale image tesseract recognised for this page (the coordinate system of its boxes).

    Mirrors the extract stage: render the PDF page at the stored dpi, or load the image file
    (EXIF orientation applied, capped at ``OcrConfig.max_page_pixels``); then the quarter turn
    ``rotation`` (clockwise) and the deskew that levels a tilt of ``skew_degrees``. The last two
    pages are cached (read-only arrays): a review usually looks at several facts of one page.
    """
    from reportflow.config import OcrConfig
    from reportflow.extract.images import load_image_pages, rotate_image, rotate_quarter

    config = OcrConfig.from_env()
    if media_type == "pdf":
        from reportflow.extract.pdf import opened_pdf, render_page

        if not dpi:
            raise ProvenanceError(f"{path.name} page {page_no}: OCR page without a stored dpi, cannot re-render it")
        with opened_pdf(path) as pdf:
            gray, _ = render_page(pdf, page_no - 1, dpi, max_pixels=max(config.max_page_pixels, 1))
    else:
        pages = load_image_pages(path, config.max_page_pixels)
        if not 1 <= page_no <= len(pages):
            raise ProvenanceError(f"{path.name} has {len(pages)} page images, not page {page_no}")
        gray = pages[page_no - 1].image
    gray = rotate_quarter(gray, rotation)
    if abs(skew_degrees) > 1e-6:
        gray = rotate_image(gray, -skew_degrees)
    gray.setflags(write=False)  # cached: shared by callers
    return gray


def typeset_paragraph(text: str, title: str, width_px: int = 1400, font_px: int = 30) -> tuple[Image.Image, list[BBox | None]]:
    """A card with the paragraph set in a CJK font, and one box per character of ``text``.

    For .txt sources, which have no page: the reviewer still sees the number in its sentence.
    """
    font = cjk_font(font_px)
    small = cjk_font(max(12, font_px * 2 // 3))
    margin, line_gap = font_px, font_px // 2
    line_height = font_px + line_gap
    boxes: list[BBox | None] = []
    x, y = float(margin), float(margin + font_px * 2)
    for ch in text:
        if ch == "\n":
            boxes.append(None)
            x, y = float(margin), y + line_height
            continue
        advance = max(font.getlength(ch), font_px * 0.3)
        if x + advance > width_px - margin:
            x, y = float(margin), y + line_height
        boxes.append((x, y, x + advance, y + font_px))
        x += advance
    height = int(y + line_height + margin)
    image = Image.new("RGB", (width_px, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((margin, margin // 2), title, font=small, fill=(90, 90, 90))
    for ch, box in zip(text, boxes):
        if box is not None:
            draw.text((box[0], box[1]), ch, font=font, fill="black")
    return image, boxes


def cjk_font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in CJK_FONTS:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    log.warning("no CJK font found (%s): Chinese text will not render; apt-get install fonts-wqy-zenhei",
                ", ".join(map(str, CJK_FONTS)))
    return ImageFont.load_default(size)


def render_fact(location: FactLocation, scale: float | None = None, realign: bool = True) -> Rendering:
    """The page image (or text card) with the number's and the evidence's boxes in its pixels.

    ``realign``: on OCR pages, move tesseract's drifting character boxes onto the ink of their
    glyphs (``reportflow.provenance_ink``); False draws tesseract's boxes as stored.
    """
    value_boxes, evidence_boxes = location.value_boxes, location.evidence_boxes
    media = location.media_type or "text"
    if media == "text":
        title = f"{location.file_name} · paragraph {location.paragraph_seq} · {location.fact_id} (plain text: no page image)"
        image, boxes = typeset_paragraph(location.paragraph_text, title)
        card = FactLocation(**{**_fields(location), "char_boxes": boxes})
        return Rendering(image, card.value_boxes, card.evidence_boxes, "plain text (typeset, no page image)")
    path = source_file(location)
    if location.method == "ocr":
        gray = recognised_image(path, media, location.page_no, location.dpi, location.rotation, location.skew_degrees)
        image = Image.fromarray(gray).convert("RGB")
        sx = sy = 1.0
        boxes = resplit_ocr_boxes(location.paragraph_text, location.char_boxes)
        if location.page_width and location.page_height:
            # Same pixels as recognition, unless the size cap or the image changed since.
            kx, ky = image.width / location.page_width, image.height / location.page_height
            if abs(kx - 1) > 0.01 or abs(ky - 1) > 0.01:
                log.warning("%s page %d: re-rendered image is %dx%d, recognised one was %.0fx%.0f; boxes rescaled",
                            location.file_name, location.page_no, image.width, image.height,
                            location.page_width, location.page_height)
                boxes = [(b[0] * kx, b[1] * ky, b[2] * kx, b[3] * ky) if b else None for b in boxes]
                if location.paragraph_bbox is not None:
                    x0, top, x1, bottom = location.paragraph_bbox
                    location = FactLocation(**{**_fields(location), "paragraph_bbox": (x0 * kx, top * ky, x1 * kx, bottom * ky)})
        if realign:
            from reportflow.provenance_ink import realign_to_ink

            span = range(min(location.evidence_start, location.value_start),
                         max(location.evidence_span.stop, location.value_span.stop))
            boxes = realign_to_ink(gray, location.paragraph_text, boxes, span)
        refined = FactLocation(**{**_fields(location), "char_boxes": boxes})
        value_boxes, evidence_boxes = refined.value_boxes, refined.evidence_boxes
        if scale and abs(scale - 1.0) > 1e-6:
            image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))), Image.LANCZOS)
            sx, sy = sx * scale, sy * scale
        source = (f"OCR image as recognised: {location.dpi or '?'} dpi, rotated {location.rotation}°, "
                  f"deskewed {location.skew_degrees:+.2f}°")
    else:
        scale = scale or DEFAULT_TEXT_SCALE
        if location.page_width and location.page_height:
            longest = max(location.page_width, location.page_height) * scale
            if longest > MAX_OUTPUT_SIDE:
                scale *= MAX_OUTPUT_SIDE / longest
        image = render_text_layer_page(path, location.page_no, scale)
        sx = sy = scale
        source = f"PDF text layer, rendered at {72 * scale:.0f} dpi"
    if not value_boxes and location.paragraph_bbox is not None:
        log.warning("fact %s: no character boxes stored; framing its whole paragraph", location.fact_id)
        value_boxes = [location.paragraph_bbox]
    return Rendering(image, _scaled(value_boxes, sx, sy), _scaled(evidence_boxes, sx, sy), source)


def _fields(location: FactLocation) -> dict[str, object]:
    return {name: getattr(location, name) for name in FactLocation.__dataclass_fields__}


def draw_provenance(rendering: Rendering) -> tuple[Image.Image, BBox | None]:
    """Underlay the evidence in yellow and frame the number in red (one frame per line)."""
    base = rendering.image.convert("RGBA")
    overlay = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for x0, top, x1, bottom in line_boxes(rendering.evidence_boxes):
        draw.rectangle((x0, top, x1, bottom), fill=EVIDENCE_COLOUR)
    image = Image.alpha_composite(base, overlay).convert("RGB")
    draw = ImageDraw.Draw(image)
    value_lines = line_boxes(rendering.value_boxes)
    for x0, top, x1, bottom in value_lines:
        height = bottom - top
        pad = max(2.0, 0.15 * height)
        width = max(2, math.ceil(0.08 * height))
        draw.rectangle((x0 - pad, top - pad, x1 + pad, bottom + pad), outline=VALUE_COLOUR, width=width)
    return image, union_box(value_lines)


def crop_to(image: Image.Image, box: BBox, margin: float) -> tuple[Image.Image, float, float]:
    """Crop around ``box`` with ``margin`` pixels on every side; returns the offset removed."""
    x0 = max(0, int(box[0] - margin))
    top = max(0, int(box[1] - margin))
    x1 = min(image.width, math.ceil(box[2] + margin))
    bottom = min(image.height, math.ceil(box[3] + margin))
    return image.crop((x0, top, x1, bottom)), float(x0), float(top)


def show_fact(con: duckdb.DuckDBPyConnection, fact_id: str, out: Path, scale: float | None = None,
              crop: bool = False, realign: bool = True) -> ShowResult:
    """Write a PNG of the fact's page with its number framed; returns where and what was drawn.

    ``crop`` keeps only the paragraph's surroundings (useful on large newspaper pages).
    """
    location = locate_fact(con, fact_id)
    rendering = render_fact(location, scale, realign)
    image, value_box = draw_provenance(rendering)
    if crop:
        region = union_box(rendering.evidence_boxes + rendering.value_boxes)
        if region is not None:
            margin = max(60.0, 0.08 * max(image.size))
            image, dx, dy = crop_to(image, region, margin)
            if value_box is not None:
                value_box = (value_box[0] - dx, value_box[1] - dy, value_box[2] - dx, value_box[3] - dy)
    out.parent.mkdir(parents=True, exist_ok=True)
    image.save(out, format="PNG", optimize=False)
    log.info("wrote %s (%s)", out, rendering.source)
    return ShowResult(out, location, value_box, rendering.source)
