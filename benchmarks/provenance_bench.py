"""How well `reportflow show` frames OCR numbers: tesseract's own boxes against ink re-alignment.

For every fact on an OCR page of a warehouse (default: ingest samples/ first), the number's
frame is computed twice — from the stored (tesseract) character boxes, and after
``reportflow.provenance_ink`` re-aligned the line to the ink — and the framed pixels are read
back by tesseract (``--psm 7``, one read per line of the frame). A frame is *right* when the
digits read inside it are exactly the number's digits: a frame that cuts off a digit, or takes
in a neighbouring one, fails — and so does a misread of a correct frame (tesseract on a tight
crop), so the shares are lower bounds.

    python -m benchmarks.provenance_bench --db /tmp/samples.duckdb

Prints one row per document and the totals; numbers are in benchmarks/README.md (provenance).
"""

from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

import duckdb
import pytesseract
from PIL import Image
from rich.console import Console
from rich.table import Table

from reportflow.provenance import line_boxes, locate_fact, recognised_image, render_fact, source_file

PAD = 3


def digits(text: str) -> str:
    return "".join(re.findall(r"[0-9.]", text))


def read_back(image: Image.Image, box: tuple[float, float, float, float]) -> str:
    crop = image.crop((int(box[0]) - PAD, int(box[1]) - PAD, int(box[2]) + PAD, int(box[3]) + PAD))
    return pytesseract.image_to_string(crop, lang="chi_sim+eng", config="--psm 7").strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--limit", type=int, default=0, help="at most this many facts per document (0: all)")
    args = parser.parse_args()
    con = duckdb.connect(str(args.db), read_only=True)
    rows = con.execute("""
        SELECT f.fact_id, d.file_name FROM facts f JOIN documents d USING (doc_id)
        JOIN pages p ON p.doc_id = f.doc_id AND p.page_no = f.page_no
        WHERE p.method = 'ocr' AND regexp_matches(f.value_text, '[0-9]')
        ORDER BY d.file_name, f.fact_id
    """).fetchall()
    stats: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    images: dict[tuple[str, int], Image.Image] = {}
    started = time.perf_counter()
    per_doc: dict[str, int] = defaultdict(int)
    for fact_id, file_name in rows:
        if args.limit and per_doc[file_name] >= args.limit:
            continue
        per_doc[file_name] += 1
        loc = locate_fact(con, fact_id)
        key = (loc.doc_id, loc.page_no)
        if key not in images:
            gray = recognised_image(source_file(loc), loc.media_type or "", loc.page_no, loc.dpi, loc.rotation,
                                    loc.skew_degrees)
            images[key] = Image.fromarray(gray)
        want = digits(loc.value_text)
        s = stats[file_name]
        s["facts"] += 1
        for mode, realign in (("tesseract", False), ("realigned", True)):
            rendering = render_fact(loc, realign=realign)
            lines = line_boxes(rendering.value_boxes)  # a number can wrap: read each line's frame
            if not lines:
                continue
            got = digits("".join(read_back(images[key], box) for box in lines))
            s[f"{mode}_right"] += got == want
    elapsed = time.perf_counter() - started
    table = Table(title=f"OCR number frames read back by tesseract ({elapsed:.0f} s)")
    for column in ("document", "facts", "tesseract boxes right", "re-aligned right"):
        table.add_column(column, justify="right" if column != "document" else "left")
    totals: dict[str, int] = defaultdict(int)
    for file_name, s in stats.items():
        for k, v in s.items():
            totals[k] += v
        table.add_row(file_name, str(s["facts"]), _share(s["tesseract_right"], s["facts"]),
                      _share(s["realigned_right"], s["facts"]))
    table.add_row("all", str(totals["facts"]), _share(totals["tesseract_right"], totals["facts"]),
                  _share(totals["realigned_right"], totals["facts"]), style="bold")
    Console().print(table)


def _share(n: int, total: int) -> str:
    return f"{n} ({100 * n / total:.0f} %)" if total else "–"


if __name__ == "__main__":
    main()
