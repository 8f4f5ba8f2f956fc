"""How long does validation take? 100 documents / ~10k facts, in a temporary DuckDB file.

The facts are the gold headline facts and 公顷/亩 pairs of the three samples (tests/gold),
repeated to ~100 facts per document over 100 documents. Documents come in pairs that name the
same region (so the cross-document check has real groups to compare), and ~1 % of the facts
carry an injected fault (growth ×100, a misread digit at low OCR confidence, a conflicting
value), so the failure paths are timed too.

Prints one table: GX import, then validate_run without and with Data Docs, cold and warm.

    .venv/bin/python benchmarks/validate_bench.py [--documents 100] [--facts-per-document 100]
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

_started = time.perf_counter()
import great_expectations  # noqa: F401

from reportflow.validation import gx_custom  # noqa: F401

GX_IMPORT_S = time.perf_counter() - _started

import pandas as pd
from test_validate import FACT_COLUMNS, Doc, gold_document, new_warehouse

from reportflow.validate import validate_run


def synthetic_documents(n_docs: int, per_doc: int, rng: random.Random) -> tuple[list[Doc], int]:
    golds = [gold_document(key, key) for key in ("000", "001", "002")]
    docs, faults = [], 0
    for i in range(n_docs):
        gold = golds[(i // 2) % 3]  # doc0 and doc1 are both about 开平市0, doc2 and doc3 about 新会区1 …
        doc = Doc(f"doc{i:03d}", f"{gold.region}{i // 2}", gold.report_year)
        doc.lines = list(gold.lines)
        copies = 0
        while len(doc.facts) < per_doc:
            for fact in gold.facts:
                if len(doc.facts) >= per_doc:
                    break
                row = copy.deepcopy(fact)
                row["doc_id"] = doc.doc_id
                row["region"] = doc.region
                # Later copies sit in later paragraphs (a repeated data box): new ids, same facts.
                row["paragraph_seq"] = fact["paragraph_seq"] + copies * 1000
                ordinal = fact["fact_id"].rsplit("-", 1)[1]
                row["fact_id"] = f"{doc.doc_id}-{row['paragraph_seq']}-{row['value_start']}-{ordinal}"
                if row["measure"] == "growth" and rng.random() < 0.01:
                    row["value"] *= 100  # impossible growth
                    faults += 1
                elif row["measure"] == "growth" and rng.random() < 0.01:
                    row["value"] += 1.0  # misread digit (value_text disagrees too)
                    row["ocr_min_conf"] = 35.0
                    faults += 1
                doc.facts.append(row)
            copies += 1
        docs.append(doc)
    return docs, faults


def insert_fast(con, docs: list[Doc]) -> None:
    documents = pd.DataFrame(
        {
            "doc_id": [d.doc_id for d in docs],
            "file_name": [f"{d.doc_id}.txt" for d in docs],
            "status": "ok",
            "region": [d.region for d in docs],
            "report_year": [d.report_year for d in docs],
        }
    )
    facts = pd.DataFrame([f for d in docs for f in d.facts], columns=FACT_COLUMNS)
    con.register("_documents", documents)
    con.register("_facts", facts)
    con.execute(
        "INSERT INTO documents (doc_id, file_name, status, region, report_year) SELECT * FROM _documents"
    )
    con.execute(f"INSERT INTO facts ({', '.join(FACT_COLUMNS)}) SELECT {', '.join(FACT_COLUMNS)} FROM _facts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--facts-per-document", type=int, default=100)
    args = parser.parse_args()

    rows = [("import great_expectations + custom expectations", "", f"{GX_IMPORT_S:.2f}", "")]
    docs, faults = synthetic_documents(args.documents, args.facts_per_document, random.Random(7))
    n_facts = sum(len(d.facts) for d in docs)
    ids = [d.doc_id for d in docs]
    with tempfile.TemporaryDirectory() as tmp:
        con = new_warehouse(Path(tmp) / "w.duckdb")
        insert_fast(con, docs)
        steps = [
            ("validate_run, no Data Docs (first run)", ids, None),
            ("validate_run, no Data Docs (again)", ids, None),
            ("validate_run + Data Docs (first build)", ids, Path(tmp) / "data_docs"),
            ("validate_run + Data Docs (again)", ids, Path(tmp) / "data_docs"),
            ("validate_run of 2 documents in the same warehouse", ids[:2], None),
        ]
        for n, (label, run_ids, data_docs) in enumerate(steps):
            wall, cpu = time.perf_counter(), time.process_time()
            summary = validate_run(con, f"r{n}", run_ids, data_docs)
            rows.append(
                (
                    label,
                    f"{summary.facts_failed} failed / {summary.facts}",
                    f"{time.perf_counter() - wall:.2f}",
                    f"{time.process_time() - cpu:.2f}",
                )
            )

    print(
        f"{len(docs)} documents, {n_facts} facts, {faults} injected faults; load average {os.getloadavg()[0]:.1f}\n"
    )
    print("| step | facts | wall s | CPU s |")
    print("| --- | ---: | ---: | ---: |")
    for label, facts, wall_s, cpu_s in rows:
        print(f"| {label} | {facts} | {wall_s} | {cpu_s} |")


if __name__ == "__main__":
    main()
