"""What the operations layer costs per document and per run, without Prefect's start-up.

Times, on the three gold report texts (tests/gold) processed by the real pipeline:

* opening the warehouse's working copy for a write (``Warehouse.write``): the first open
  applies migrations, views and comments; later opens only compare the schema digest;
* ``load_document`` of each document (one transaction), a repeated load ('unchanged'),
  ``record_failure``;
* ``publish`` (checkpoint, copy, fsync, rename) and the published file's size;
* a stage lock (``FlockLockManager`` acquire + release) and the three cache keys.

    .venv/bin/python benchmarks/ops_bench.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from ops_support import GOLD_NAMES, write_gold_text

from reportflow import db as warehouse_db
from reportflow.config import Settings
from reportflow.pipeline import process_document
from tasks.cache import FlockLockManager, extract_cache_key, facts_cache_key, layout_cache_key


def _timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, max(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    rows: list[tuple[str, str, str]] = []

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        settings = Settings(db_path=folder / "wh" / "reportflow.duckdb", archive_dir=folder / "archive")
        docs = [process_document(write_gold_text(folder / "in", n), settings) for n in GOLD_NAMES]
        warehouse = warehouse_db.Warehouse(settings.db_path)

        started = time.perf_counter()
        with warehouse.write():
            pass
        rows.append(
            ("open working copy, first (schema applied)", f"{(time.perf_counter() - started) * 1000:.0f}", "")
        )

        def open_and_close() -> None:
            with warehouse.write():
                pass

        median, worst = _timed(open_and_close, args.repeat)
        rows.append(("open working copy, later (digest check)", f"{median:.1f}", f"{worst:.1f}"))

        for doc in docs:
            with warehouse.write() as con:
                started = time.perf_counter()
                warehouse_db.load_document(
                    con, doc.acquired, doc.extracted, doc.paragraphs, doc.context, doc.facts, "bench"
                )
                elapsed = (time.perf_counter() - started) * 1000
            rows.append(
                (
                    f"load_document {doc.acquired.file_name} ({len(doc.paragraphs)} paragraphs, {len(doc.facts)} facts)",
                    f"{elapsed:.0f}",
                    "",
                )
            )

        def load_unchanged() -> None:
            with warehouse.write() as con:
                doc = docs[0]
                warehouse_db.load_document(
                    con, doc.acquired, doc.extracted, doc.paragraphs, doc.context, doc.facts, "bench"
                )

        median, worst = _timed(load_unchanged, args.repeat)
        rows.append(("open + load_document, already loaded ('unchanged')", f"{median:.1f}", f"{worst:.1f}"))

        def fail() -> None:
            with warehouse.write() as con:
                warehouse_db.record_failure(
                    con, str(folder / "broken.pdf"), f"err {time.time()}", "corrupt_pdf", "b"
                )

        median, worst = _timed(fail, args.repeat)
        rows.append(("open + record_failure", f"{median:.1f}", f"{worst:.1f}"))

        median, worst = _timed(warehouse.publish, args.repeat)
        size_mb = warehouse.path.stat().st_size / 1e6
        rows.append((f"publish ({size_mb:.1f} MB file)", f"{median:.1f}", f"{worst:.1f}"))

        locks = FlockLockManager(folder / "locks")

        def lock_cycle() -> None:
            locks.acquire_lock("extract-bench", "holder")
            locks.release_lock("extract-bench", "holder")

        median, worst = _timed(lock_cycle, args.repeat * 10)
        rows.append(("stage lock acquire + release (flock)", f"{median:.3f}", f"{worst:.3f}"))
        params = {"acquired": docs[0].acquired, "settings": settings}

        def keys() -> None:
            extract_cache_key(None, params)
            layout_cache_key(None, params)
            facts_cache_key(None, params)

        median, worst = _timed(keys, args.repeat * 10)
        rows.append(("three cache keys", f"{median:.3f}", f"{worst:.3f}"))

    width = max(len(r[0]) for r in rows)
    print(f"{'operation':<{width}}  {'median ms':>10}  {'max ms':>8}")
    for name, median_ms, worst_ms in rows:
        print(f"{name:<{width}}  {median_ms:>10}  {worst_ms:>8}")


if __name__ == "__main__":
    main()
