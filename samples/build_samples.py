"""Regenerate the bundled sample documents and their truth files.

    python samples/build_samples.py            # rewrites the files next to this script
    python samples/build_samples.py OUT_DIR    # writes them elsewhere (tests compare)

Every input kind the pipeline accepts, made from the real report texts in
``../shared/samples`` (their hand-checked clean versions in ``../shared/gold-samples``):

* ``kaiping-2023-summary.pdf``: the whole kaiping summary typeset as a 3-column newspaper
  page with a text layer (reportlab, embedded CJK TrueType fonts);
* ``xinhui-2023-digest-scan.pdf``: the whole xinhui digest typeset in 3 columns, rendered at
  300 dpi, lightly degraded (skew, blur, grey paper) and put back into a PDF as JPEG pages
  with no text layer;
* ``jiangmen-2023-report-p1.png``: a greyscale 200 dpi scan of the opening of the jiangmen
  report (title, address, the 2022 summary paragraph) typeset in 2 columns on an A5 page;
* ``jiangmen-2023-report-columns.txt``: the column-broken text, a byte-for-byte copy.

``truth/<file stem>.json`` holds each sample's truth paragraphs (kind, text) in reading
order and its page furniture. The build is deterministic: rerunning it gives the same files.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from anywhere: import the repo

from benchmarks.corpus import (
    FIXED_DATE,
    SOURCES,
    Band,
    CaseSpec,
    Degradation,
    Truth,
    Typeset,
    degrade,
    load_truth,
    render_pages,
    save_scan,
    shared_dir,
    typeset,
    write_pdf,
)

logger = logging.getLogger("build_samples")

TEXT_PDF = CaseSpec(
    "kaiping-2023-summary",
    "kaiping",
    "reportlab",
    "A4",
    (Band("", 3, 2),),
    body_size=10,
    leading=1.45,
    indent=True,
    bullet="●",
    databox=1,
    furniture=0,
    edition=3,
)
SCAN_PDF = CaseSpec(
    "xinhui-2023-digest-scan",
    "xinhui",
    "fpdf2",
    "A4",
    (Band("", 3, 2),),
    body_size=9,
    leading=1.4,
    indent=True,
    bullet="·",
    databox=6,
    furniture=1,
    edition=5,
    page_numbers="foot",
)
PNG = CaseSpec(
    "jiangmen-2023-report-p1",
    "jiangmen",
    "reportlab",
    "A5",
    (Band("", 2, 2),),
    body_size=10,
    leading=1.5,
    indent=True,
    justify=True,
    furniture=2,
    edition=1,
    page_numbers="foot",
    last=5,
)
"""The PNG holds the jiangmen paragraphs up to the end of the 2022 summary (地区生产总值
3773.41亿元, 增长3.3%, 排全省第2 …)."""

SCAN_DPI = 300
SCAN_PDF_PAGES = (
    Degradation(rotation=0.4, blur_sigma=0.7, background=238, jpeg_quality=30),
    Degradation(rotation=-0.3, blur_sigma=0.7, background=236, jpeg_quality=30),
    Degradation(rotation=0.25, blur_sigma=0.7, background=240, jpeg_quality=30),
)
PNG_DPI = 200
"""A second resolution for the OCR path, and a smaller file than 300 dpi (253 KB vs 434 KB)."""
PNG_SCAN = Degradation(rotation=-0.35, blur_sigma=0.5, background=236)
TXT_NAME = "jiangmen-2023-report-columns.txt"


def _truth_json(path: Path, file: str, source: str, how: str, truth: Truth, doc: Typeset | None) -> None:
    """Write a sample's truth: paragraphs in reading order, furniture, drawn decorations."""
    pages = doc.pages if doc else []
    data = {
        "file": file,
        "source": f"../shared/samples/{SOURCES[source].sample_file}",
        "how": how,
        "pages": len(pages),
        "paragraphs": [{"kind": kind, "text": text} for kind, text in truth],
        "furniture": _distinct([p.furniture for p in pages]),
        "page_furniture": [p.furniture for p in pages],
        "decorations": [r.text for p in pages for r in p.runs if r.role == "decoration"],
    }
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _distinct(strings: list[list[str]]) -> list[str]:
    out: list[str] = []
    for page in strings:
        out.extend(s for s in page if s not in out)
    return out


def build_text_pdf(out_dir: Path) -> None:
    truth = load_truth(TEXT_PDF.source)
    doc = typeset(TEXT_PDF, truth)
    name = f"{TEXT_PDF.name}.pdf"
    write_pdf(TEXT_PDF, doc, out_dir / name)
    _truth_json(
        out_dir / "truth" / f"{TEXT_PDF.name}.json",
        name,
        TEXT_PDF.source,
        "reportlab, A4, 3 columns, spanning headline, data box, ● bullets, text layer",
        truth,
        doc,
    )


def build_scan_pdf(out_dir: Path) -> None:
    """Typeset, render at 300 dpi, degrade lightly, and wrap the JPEGs in an image-only PDF."""
    from fpdf import FPDF

    truth = load_truth(SCAN_PDF.source)
    doc = typeset(SCAN_PDF, truth)
    if len(doc.pages) > len(SCAN_PDF_PAGES):
        raise ValueError(f"{SCAN_PDF.name}: {len(doc.pages)} pages, at most 3 wanted")
    name = f"{SCAN_PDF.name}.pdf"
    pdf = FPDF(unit="pt")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_creator("reportflow samples (scan)")
    with tempfile.TemporaryDirectory() as tmp:
        typeset_pdf = Path(tmp) / "typeset.pdf"
        write_pdf(SCAN_PDF, doc, typeset_pdf)
        for k, (image, d) in enumerate(zip(render_pages(typeset_pdf, SCAN_DPI), SCAN_PDF_PAGES)):
            jpeg = Path(tmp) / f"page{k + 1}.jpg"
            save_scan(degrade(image, d, seed=k), jpeg, SCAN_DPI, d.jpeg_quality)
            width = image.shape[1] * 72.0 / SCAN_DPI
            height = image.shape[0] * 72.0 / SCAN_DPI
            pdf.add_page(format=(width, height))
            pdf.image(str(jpeg), x=0, y=0, w=width, h=height)  # JPEG kept as is (DCTDecode)
        pdf.output(str(out_dir / name))
    _truth_json(
        out_dir / "truth" / f"{SCAN_PDF.name}.json",
        name,
        SCAN_PDF.source,
        f"fpdf2, A4, 3 columns, rendered at {SCAN_DPI} dpi, light skew/blur/grey paper, "
        "JPEG pages, no text layer",
        truth,
        doc,
    )


def build_png(out_dir: Path) -> None:
    truth = load_truth(PNG.source)[PNG.first : PNG.last]
    doc = typeset(PNG, truth)
    if len(doc.pages) != 1:
        raise ValueError(f"{PNG.name}: {len(doc.pages)} pages, one wanted")
    name = f"{PNG.name}.png"
    with tempfile.TemporaryDirectory() as tmp:
        typeset_pdf = Path(tmp) / "typeset.pdf"
        write_pdf(PNG, doc, typeset_pdf)
        image = render_pages(typeset_pdf, PNG_DPI)[0]
    save_scan(degrade(image, PNG_SCAN, seed=0), out_dir / name, PNG_DPI, None)
    _truth_json(
        out_dir / "truth" / f"{PNG.name}.json",
        name,
        PNG.source,
        f"reportlab, A5, 2 columns, justified, greyscale PNG at {PNG_DPI} dpi, light skew/blur/grey paper",
        truth,
        doc,
    )


def build_txt(out_dir: Path) -> None:
    shutil.copyfile(shared_dir() / "samples" / TXT_NAME, out_dir / TXT_NAME)
    truth = load_truth("jiangmen")
    _truth_json(
        out_dir / "truth" / "jiangmen-2023-report-columns.json",
        TXT_NAME,
        "jiangmen",
        "copy of the column-broken text; truth = gold-samples/002.clean.txt",
        truth,
        None,
    )


def build_samples(out_dir: Path = HERE) -> list[Path]:
    """Write every sample and its truth JSON into ``out_dir``; returns the files written."""
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    build_text_pdf(out_dir)
    build_scan_pdf(out_dir)
    build_png(out_dir)
    build_txt(out_dir)
    return sorted(
        p for p in out_dir.rglob("*") if p.is_file() and p.suffix != ".py" and p.name != "README.md"
    )


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE
    for path in build_samples(out_dir):
        logger.info("%8d  %s", path.stat().st_size, path.relative_to(out_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
