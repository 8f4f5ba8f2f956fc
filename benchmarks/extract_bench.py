"""Text-layer extraction benchmark: PDFium (ours) vs pdfplumber characters, ms per page.

For every text-layer PDF of ``../shared/realdocs/chinese_text_layer`` and the layout
benchmark's cases (``benchmarks.corpus.build_layout_cases``), reads every page's characters
with ``reportflow.extract.pdf.read_text_layer`` (PDFium raw API) and with pdfplumber
(``page.chars``), and prints ms/page for each and how far the two agree (share of
characters in common, as a multiset, whitespace removed).

    python -m benchmarks.extract_bench [--no-corpus] [--repeat 3]

Timings are CPU time (``time.process_time``: the machine may be shared), best of ``--repeat``;
PDFium's time includes opening the page, its text page, the image-cover scan and building
the TextUnits, i.e. everything ``extract_document`` does for a text page.
"""

from __future__ import annotations

import argparse
import collections
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from reportflow.extract.pdf import open_pdf, read_page_units_pdfplumber, read_text_layer


def time_pdfium(path: Path, repeat: int) -> tuple[float, list[collections.Counter[str]]]:
    best = float("inf")
    counts: list[collections.Counter[str]] = []
    for _ in range(repeat):
        pdf = open_pdf(path)
        start = time.process_time()
        layers = [read_text_layer(pdf, i) for i in range(len(pdf))]
        best = min(best, time.process_time() - start)
        counts = [collections.Counter(u.text for u in layer.units) for layer in layers]
        pdf.close()
    return best, counts


def time_pdfplumber(path: Path, pages: int, repeat: int) -> tuple[float, list[collections.Counter[str]]]:
    best = float("inf")
    counts: list[collections.Counter[str]] = []
    for _ in range(max(1, repeat // 2)):
        start = time.process_time()
        units = [read_page_units_pdfplumber(path, i) for i in range(pages)]
        best = min(best, time.process_time() - start)
        counts = [collections.Counter(u.text for u in page) for page in units]
    return best, counts


def agreement(a: list[collections.Counter[str]], b: list[collections.Counter[str]]) -> float:
    common = sum(sum((x & y).values()) for x, y in zip(a, b))
    total = max(sum(sum(x.values()) for x in a), sum(sum(y.values()) for y in b), 1)
    return common / total


def documents(corpus: bool) -> list[Path]:
    docs = sorted((PROJECT_ROOT.parent / "shared" / "realdocs" / "chinese_text_layer").glob("*.pdf"))
    if corpus:
        try:
            from benchmarks.corpus import build_layout_cases

            docs += [case.pdf for case in build_layout_cases()]
        except Exception as exc:  # noqa: BLE001 — the corpus is optional here
            print(f"(layout corpus not available: {exc})", file=sys.stderr)
    return docs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-corpus", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    import logging

    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    table = Table(title="text layer: PDFium (ours) vs pdfplumber")
    for col in ("document", "pages", "chars/page", "PDFium ms/page", "pdfplumber ms/page", "speed-up", "chars agree"):
        table.add_column(col, justify="left" if col == "document" else "right")
    rows = []
    for path in documents(not args.no_corpus):
        ours_s, ours = time_pdfium(path, args.repeat)
        pages = len(ours)
        theirs_s, theirs = time_pdfplumber(path, pages, args.repeat)
        chars = sum(sum(c.values()) for c in ours) / max(pages, 1)
        row = (path.name[:52], pages, chars, 1000 * ours_s / pages, 1000 * theirs_s / pages,
               theirs_s / ours_s if ours_s else float("inf"), agreement(ours, theirs))
        rows.append(row)
        table.add_row(row[0], str(pages), f"{chars:.0f}", f"{row[3]:.1f}", f"{row[4]:.1f}", f"{row[5]:.1f}×",
                      f"{row[6]:.2%}")
    total_pages = sum(r[1] for r in rows)
    ours_ms = sum(r[3] * r[1] for r in rows) / total_pages
    theirs_ms = sum(r[4] * r[1] for r in rows) / total_pages
    table.add_row("all (page-weighted)", str(total_pages), f"{sum(r[2] * r[1] for r in rows) / total_pages:.0f}",
                  f"{ours_ms:.1f}", f"{theirs_ms:.1f}", f"{theirs_ms / ours_ms:.1f}×",
                  f"{sum(r[6] * r[1] for r in rows) / total_pages:.2%}")
    Console(width=200).print(table)
    if args.markdown:
        print("| document | pages | chars/page | PDFium ms/page | pdfplumber ms/page | speed-up | chars agree |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in rows:
            print(f"| {r[0]} | {r[1]} | {r[2]:.0f} | {r[3]:.1f} | {r[4]:.1f} | {r[5]:.1f}× | {r[6]:.2%} |")
        print(f"| all (page-weighted) | {total_pages} | | {ours_ms:.1f} | {theirs_ms:.1f} | {theirs_ms / ours_ms:.1f}× | |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
