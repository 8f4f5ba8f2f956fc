"""Text-layer extraction beside a busy Python thread: PDFium getters that keep the GIL (issue 8).

    python -m benchmarks.gil_contention [--pages 100] [--repeats 3] [--markdown]

``reportflow.extract.pdf`` calls PDFium's per-character getters through ``ctypes.PYFUNCTYPE``
prototypes, which keep the GIL during the call. ctypes' usual ``CFUNCTYPE`` (pypdfium2's own
bindings) releases it and takes it back around every call: alone that costs little, but with
another thread running Python (the other document's layout in a run, Prefect's event loop)
each take-back can wait for that thread's switch interval (5 ms), several times per character.

This benchmark reads the same text-layer pages (the throughput corpus) both ways:

* **alone**: ms per page of ``read_text_layer``, and ms per document of ``repair_layout``;
* **beside layout**: the extraction again while a second thread runs ``repair_layout`` in a
  loop, as two documents in flight do; it prints the extraction's ms per page, the layout
  documents per second, and the *useful work per wall second*: extraction pages/s × its
  alone-cost + layout documents/s × its alone-cost (1.0 = the GIL always busy with work,
  below 1.0 = time lost to handing the GIL back and forth; above 1.0, on small runs, = some
  of the work ran outside the GIL, e.g. PDFium loading a page).

"GIL released" swaps the module's prototypes for CFUNCTYPE ones on the same C functions
(what the code did before), so both variants run the same Python code. Medians of
``--repeats`` alternating runs (the machine is shared and noisy).
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.throughput_bench import markdown_table, rich_table
from benchmarks.throughput_corpus import text_documents
from reportflow.extract import extract_document
from reportflow.extract import pdf as pdf_module
from reportflow.layout import repair_layout
from reportflow.models import ExtractedDocument

VARIANTS = ("GIL kept (reportflow)", "GIL released (ctypes CFUNCTYPE)")
MEDIANS = {  # Measurement attribute → format of its median
    "extract_alone_ms": ".1f",
    "layout_alone_ms": ".1f",
    "extract_beside_ms": ".1f",
    "layout_docs_per_s": ".1f",
    "useful_work": ".2f",
}


@contextmanager
def gil_releasing_prototypes() -> Iterator[int]:
    """Replace the module's PYFUNCTYPE prototypes by CFUNCTYPE ones of the same C functions."""
    saved: dict[str, object] = {}
    for name, value in vars(pdf_module).items():
        if isinstance(value, ctypes._CFuncPtr) and value._flags_ & ctypes._FUNCFLAG_PYTHONAPI:  # type: ignore[attr-defined]
            address = ctypes.cast(value, ctypes.c_void_p).value
            saved[name] = value
            releasing = ctypes.CFUNCTYPE(value.restype, *value.argtypes)(address)
            setattr(pdf_module, name, releasing)
    try:
        yield len(saved)
    finally:
        for name, value in saved.items():
            setattr(pdf_module, name, value)


def read_pages(paths: list[Path]) -> int:
    pages = 0
    for path in paths:
        with pdf_module.opened_pdf(path) as pdf:
            for index in range(pdf_module.page_count(pdf)):
                pdf_module.read_text_layer(pdf, index)
                pages += 1
    return pages


@dataclass
class Measurement:
    extract_alone_ms: float
    layout_alone_ms: float
    extract_beside_ms: float
    layout_docs_per_s: float

    @property
    def useful_work(self) -> float:
        """Core-seconds of work (at the alone-costs) done per wall second, both threads."""
        return (
            self.extract_alone_ms / self.extract_beside_ms
            + self.layout_docs_per_s * self.layout_alone_ms / 1000
        )


def measure(paths: list[Path], layout_docs: list[ExtractedDocument]) -> Measurement:
    start = time.perf_counter()
    pages = read_pages(paths)
    extract_alone = (time.perf_counter() - start) / pages

    start, done = time.perf_counter(), 0
    while time.perf_counter() - start < 3.0:
        for doc in layout_docs:
            repair_layout(doc)
            done += 1
    layout_alone = (time.perf_counter() - start) / done

    stop, laid_out = threading.Event(), [0]

    def layout_loop() -> None:
        while not stop.is_set():
            for doc in layout_docs:
                repair_layout(doc)
                laid_out[0] += 1

    thread = threading.Thread(target=layout_loop, daemon=True)
    thread.start()
    start = time.perf_counter()
    read_pages(paths)
    beside = time.perf_counter() - start
    stop.set()
    thread.join()
    return Measurement(extract_alone * 1000, layout_alone * 1000, beside / pages * 1000, laid_out[0] / beside)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100, help="text-layer pages to read (throughput corpus)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs per variant (medians shown)")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table (for the README)")
    args = parser.parse_args(argv)

    paths = [doc.path for doc in text_documents(args.pages)]
    layout_docs = [extract_document(path, "pdf") for path in paths[:3]]
    runs: dict[str, list[Measurement]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.repeats):
        runs[VARIANTS[0]].append(measure(paths, layout_docs))
        with gil_releasing_prototypes():
            runs[VARIANTS[1]].append(measure(paths, layout_docs))

    headers = (
        "variant",
        "extract alone ms/page",
        "layout alone ms/doc",
        "extract beside layout ms/page",
        "layout beside extract docs/s",
        "useful work per wall s",
    )
    rows = []
    for variant, measured in runs.items():
        medians = {attr: statistics.median(getattr(m, attr) for m in measured) for attr in MEDIANS}
        rows.append([variant, *(f"{medians[attr]:{fmt}}" for attr, fmt in MEDIANS.items())])
    title = f"{len(paths)} documents; medians of {args.repeats} runs"
    if args.markdown:
        print(f"{title}\n\n{markdown_table(headers, rows)}")
    else:
        Console().print(rich_table(title, headers, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
