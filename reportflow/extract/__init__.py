"""Extract stage: a file → ``ExtractedDocument`` (positioned characters, OCR words, or text).

* ``detect_media_type(path)`` — 'pdf' | 'image' | 'text' from the magic bytes and the
  extension, with a typed error when they disagree or the type is unsupported;
* ``extract_document(path, media_type, config)`` — per PDF page, the text layer when it
  is usable (``textcheck.judge_text_layer``), else OCR of the rendered page; images are
  OCR'd; .txt files decoded (``textfile``).

Every failure a user can fix is a ``DocumentError`` subclass with a message saying what to
do; nothing else escapes on bad input.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from reportflow.acquire import SUPPORTED_EXTENSIONS
from reportflow.config import OcrConfig
from reportflow.errors import CorruptPdfError, EmptyFileError, NoTextError, UnsupportedInputError
from reportflow.extract.images import PageImage, load_image_pages
from reportflow.extract.ocr import recognise_pages
from reportflow.extract.pdf import opened_pdf, page_count, read_text_layer, render_page
from reportflow.extract.textcheck import judge_text_layer, repair_gbk_mojibake
from reportflow.extract.textfile import read_text_file
from reportflow.models import ExtractedDocument, MediaType, PageContent

__all__ = ["detect_media_type", "extract_document"]

log = logging.getLogger(__name__)

_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
)
_OTHER_MAGIC = (
    (b"PK\x03\x04", "a ZIP container (.docx/.xlsx/.zip?)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (.doc/.xls)"),
    (b"GIF8", "a GIF image"),
    (b"BM", "a BMP image"),
    (b"{\\rtf", "an RTF document"),
)
_SUPPORTED = "PDF, PNG, JPEG, TIFF or .txt"


def _magic_type(head: bytes) -> tuple[MediaType | None, str]:
    if b"%PDF-" in head[:1024]:
        return "pdf", "PDF"
    for magic, name in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image", name
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return None, "a WebP image"
    for magic, name in _OTHER_MAGIC:
        if head.startswith(magic):
            return None, name
    return None, ""


def detect_media_type(path: Path) -> MediaType:
    """'pdf', 'image' or 'text' from the content's magic bytes and the extension.

    The content decides between image formats (a PNG saved as .jpg is fine); a file whose
    content is a different kind than its extension says, or of an unsupported kind, raises
    UnsupportedInputError (CorruptPdfError for a .pdf without a PDF header).
    """
    if not path.is_file():
        raise UnsupportedInputError(f"{path.name}: no such file")
    if path.stat().st_size == 0:
        raise EmptyFileError("empty file (0 bytes): nothing to extract")
    with path.open("rb") as handle:
        head = handle.read(2048)
    magic, what = _magic_type(head)
    ext = path.suffix.lower()
    claimed = SUPPORTED_EXTENSIONS.get(ext)
    if magic is not None:
        if claimed is not None and claimed != magic:
            raise UnsupportedInputError(
                f"named {ext} but the content is a {what} file: rename it to the right extension and ingest again"
            )
        return magic
    if claimed == "pdf":
        kind = f" (the content is {what})" if what else ""
        raise CorruptPdfError(f"not a PDF: no %PDF- header{kind}; starts with {head[:16]!r}")
    if claimed == "image":
        kind = f" (the content is {what})" if what else ""
        raise UnsupportedInputError(f"named {ext} but not a PNG, JPEG or TIFF image{kind}")
    if claimed == "text":
        if what:
            raise UnsupportedInputError(f"named {ext} but the content is {what}, not text")
        return "text"
    if what:
        raise UnsupportedInputError(f"unsupported input: {what}; reportflow reads {_SUPPORTED}")
    raise UnsupportedInputError(f"unsupported file type {ext or '(no extension)'!r}: reportflow reads {_SUPPORTED}")


def extract_document(path: Path, media_type: MediaType, config: OcrConfig | None = None) -> ExtractedDocument:
    """Extract one document. Raises a DocumentError subclass for anything wrong with the file."""
    path = Path(path)
    config = config or OcrConfig.from_env()
    detected = detect_media_type(path)
    if detected != media_type:
        raise UnsupportedInputError(f"expected a {media_type} file but the content is {detected}")
    if media_type == "text":
        decoded = read_text_file(path)
        return ExtractedDocument("text", 1, [], decoded.text, decoded.encoding)
    if media_type == "image":
        images = load_image_pages(path, config.max_page_pixels)
        pages = list(recognise_pages(images, config))
        return _finished(ExtractedDocument("image", len(pages), pages))
    return _finished(_extract_pdf(path, config))


def _extract_pdf(path: Path, config: OcrConfig) -> ExtractedDocument:
    with opened_pdf(path) as pdf:
        n = page_count(pdf)
        pages: list[PageContent | None] = [None] * n
        to_ocr: list[tuple[int, str]] = []
        for index in range(n):
            layer = read_text_layer(pdf, index)
            units = layer.units
            note = ""
            repaired = repair_gbk_mojibake(units)
            if repaired is not None:
                units, note = repaired, "GBK mojibake repaired"
            verdict = judge_text_layer(
                units,
                invisible_chars=layer.stats.invisible_chars,
                image_cover=layer.stats.image_cover,
                text_cover=layer.stats.text_cover,
            )
            if layer.rotation:
                # Coordinates are already those of the displayed page; `rotation` stays 0
                # (it means "applied to the image before OCR"), the note records /Rotate.
                note = "; ".join(filter(None, [f"/Rotate {layer.rotation} applied", note]))
            if verdict.use_text:
                pages[index] = PageContent(layer.page_no, layer.width, layer.height, "text", units, note=note)
            else:
                to_ocr.append((index, "; ".join(filter(None, [verdict.note, note]))))
        if to_ocr:
            log.info("%s: OCR of %d of %d pages", path.name, len(to_ocr), n)

            def rendered() -> Iterator[PageImage]:
                for index, why in to_ocr:
                    image, dpi = render_page(pdf, index, config.dpi, config.max_page_pixels)
                    yield PageImage(index + 1, image, dpi, why)

            for content in recognise_pages(rendered(), config):
                pages[content.page_no - 1] = content
    return ExtractedDocument("pdf", n, [p for p in pages if p is not None])


def _finished(doc: ExtractedDocument) -> ExtractedDocument:
    if not any(page.units for page in doc.pages):
        why = "; ".join(sorted({page.note for page in doc.pages if page.note})) or "nothing recognised"
        raise NoTextError(f"no text found on any of the {doc.page_count} page(s) ({why})")
    return doc
