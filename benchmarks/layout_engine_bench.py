"""Speed of the layout engine alone (``reportflow.layout.engine.paragraphs_from_pages``).

Extraction is done once per document outside the timing (``reportflow.extract``, the
pipeline's own text-layer reader); then the engine runs ``--repeat`` times on the pages and
the fastest run counts. Times are CPU time of the running thread (``time.thread_time``):
the machine is shared with other jobs, and wall-clock times there measure the neighbours
as much as the engine (the wall time of the fastest run is shown too). For each document:
pages, characters per page, ms per page, and each stage (units → lines → furniture →
blocks/reading order → paragraphs). Target (issue 8): under 30 ms per dense page
(1500–3000 characters).

Documents: the layout cases of ``benchmarks.corpus`` and, when present, real PDFs from
the shared corpus (a 4–6-column newspaper page, two journal layouts, a broker report).

Run from the project root: ``python -m benchmarks.layout_engine_bench [--repeat N]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.corpus import DEFAULT_OUT_DIR, build_layout_cases
from reportflow.layout.columns import build_blocks, reading_order
from reportflow.layout.engine import order_page, paragraphs_from_pages
from reportflow.layout.furniture import find_furniture
from reportflow.layout.lines import build_lines
from reportflow.layout.paragraphs import paragraphs_from_lines
from reportflow.layout.units import page_units
from reportflow.models import PageContent

TARGET_MS_PER_DENSE_PAGE = 30.0
DENSE_CHARS = (1500, 3000)

REALDOCS = Path(
    os.environ.get(
        "REPORTFLOW_REALDOCS", Path(__file__).resolve().parent.parent.parent / "shared" / "realdocs"
    )
)
REAL_PDFS = (
    "chinese_text_layer/layout4j__shiyoubao_newspaper_2024-10-16.pdf",
    "chinese_text_layer/cjc-template__fuck-cjc-latex-template.pdf",
    "chinese_text_layer/pymupdf__test_4182_cnki_journal_page.pdf",
    "chinese_text_layer/layout4j__yanbao_broker_report.pdf",
)


@dataclass(frozen=True, slots=True)
class Timing:
    name: str
    pages: int
    chars_per_page: float
    ms_per_page: float
    """CPU time of the running thread."""
    wall_ms_per_page: float
    stages: dict[str, float]
    """Milliseconds per page of each stage (fastest run)."""


def _best(fn: Callable[[], object], repeat: int, clock: Callable[[], float] = time.thread_time) -> float:
    """Seconds of the fastest of ``repeat`` runs on ``clock``."""
    best = float("inf")
    for _ in range(repeat):
        start = clock()
        fn()
        best = min(best, clock() - start)
    return best


def _stage_times(pages: list[PageContent], repeat: int) -> dict[str, float]:
    """Each stage on its own (inputs prepared by the previous stage), ms per page."""
    n = len(pages)
    units = [page_units(p) for p in pages]
    lines = [build_lines(u) for u in units]
    placed = [pl for p, ls in zip(pages, lines) for pl in order_page(ls, 0, p.height)]
    return {
        "units": _best(lambda: [page_units(p) for p in pages], repeat) * 1000 / n,
        "lines": _best(lambda: [build_lines(u) for u in units], repeat) * 1000 / n,
        "furniture": _best(lambda: find_furniture(lines, [p.height for p in pages]), repeat) * 1000 / n,
        "order": _best(lambda: [reading_order(build_blocks(ls)) for ls in lines], repeat) * 1000 / n,
        "paragraphs": _best(lambda: paragraphs_from_lines(placed), repeat) * 1000 / n,
    }


def time_document(name: str, pages: list[PageContent], repeat: int) -> Timing:
    chars = sum(p.char_count for p in pages) / max(1, len(pages))
    n = max(1, len(pages))
    total = _best(lambda: paragraphs_from_pages(pages), repeat) * 1000 / n
    wall = _best(lambda: paragraphs_from_pages(pages), repeat, time.perf_counter) * 1000 / n
    return Timing(name, len(pages), chars, total, wall, _stage_times(pages, repeat))


def documents(corpus_dir: Path, only: str | None) -> list[tuple[str, Path]]:
    docs = [(c.name, c.pdf) for c in build_layout_cases(corpus_dir, only)]
    for rel in REAL_PDFS:
        path = REALDOCS / rel
        if path.exists() and (not only or only in path.name):
            docs.append((path.stem.split("__")[-1], path))
    return docs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--cases", help="only documents whose name contains this")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_OUT_DIR)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    from rich.console import Console
    from rich.table import Table

    from reportflow.extract import extract_document

    timings: list[Timing] = []
    for name, pdf in documents(args.corpus, args.cases):
        pages = extract_document(pdf, "pdf").pages
        timings.append(time_document(name, pages, args.repeat))

    stages = list(timings[0].stages) if timings else []
    table = Table(title=f"layout engine speed, CPU ms per page (fastest of {args.repeat} runs)")
    heads = [
        "document",
        "pages",
        "chars/page",
        "ms/page",
        "wall ms/page",
        "ms/1000 chars",
        *[f"{s} ms" for s in stages],
    ]
    for head in heads:
        table.add_column(head, justify="left" if head == "document" else "right")
    for t in timings:
        table.add_row(
            t.name,
            str(t.pages),
            f"{t.chars_per_page:.0f}",
            f"{t.ms_per_page:.1f}",
            f"{t.wall_ms_per_page:.1f}",
            f"{1000 * t.ms_per_page / max(1.0, t.chars_per_page):.2f}",
            *[f"{t.stages[s]:.1f}" for s in stages],
        )
    console = Console(width=200)
    console.print(table)
    dense = [t for t in timings if DENSE_CHARS[0] <= t.chars_per_page <= DENSE_CHARS[1]]
    if dense:
        worst = max(t.ms_per_page for t in dense)
        mean = sum(t.ms_per_page for t in dense) / len(dense)
        ok = worst < TARGET_MS_PER_DENSE_PAGE
        console.print(
            f"dense pages ({DENSE_CHARS[0]}–{DENSE_CHARS[1]} chars): mean {mean:.1f} ms/page, worst {worst:.1f} ms/page; "
            f"target < {TARGET_MS_PER_DENSE_PAGE:.0f} ms: {'[green]met[/green]' if ok else '[red]NOT met[/red]'}"
        )
    console.print(f"machine load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
