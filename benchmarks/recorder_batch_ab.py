"""The flow with the Prefect server's task-run recorder at Prefect's default and at reportflow's.

    python -m benchmarks.recorder_batch_ab [--docs 100] [--rounds 3] [--markdown]

Alternates, ``--rounds`` times, over the first ``--docs`` documents of the throughput corpus
(benchmarks/throughput_corpus.py): the direct run, the flow with the recorder's batch size 1
(Prefect's default: a transaction per task-run state event), and the flow with batches of 100
(reportflow/prefect_server.py). Each run is a fresh process with a fresh warehouse, caches and
Prefect home (benchmarks.throughput_bench.run_process). Alternating keeps the machine's drift
out of the comparison; on a shared machine the walls still vary ±15 %, the CPU columns less.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.throughput_bench import markdown_table, rich_table, run_process
from benchmarks.throughput_corpus import DEFAULT_DIR, first_documents
from reportflow.prefect_server import RECORDER_BATCH_SIZE_ENV as BATCH_ENV
from reportflow.prefect_server import TASK_RUN_RECORDER_BATCH_SIZE

VARIANTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("direct", "direct", {}),
    ("flow, recorder batch 1", "flow", {BATCH_ENV: "1"}),
    (f"flow, recorder batch {TASK_RUN_RECORDER_BATCH_SIZE}", "flow", {BATCH_ENV: str(TASK_RUN_RECORDER_BATCH_SIZE)}),
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)

    from rich.console import Console

    console = Console(width=200)
    files = [d.path for d in first_documents(args.docs, args.corpus)]
    results: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="recorder-ab-") as tmp:
        for round_number in range(args.rounds):
            for label, mode, env in VARIANTS:
                # A fresh folder per run: warehouse, stage store and Prefect home start empty.
                workdir = Path(tmp) / f"round{round_number}-{label.replace(' ', '-').replace(',', '')}"
                run = run_process(mode, files, workdir, env=env)
                r = run.result
                if r.get("stages_reused") or r.get("documents_failed"):
                    raise RuntimeError(f"{label}: {r.get('stages_reused')} stage results reused, "
                                       f"{r.get('documents_failed')} documents failed: not a cold, complete run")
                threads = sum(r["thread_cpu"].values())
                measured = {
                    "wall": r["wall_s"],
                    "process_cpu": threads,
                    "server_cpu": r.get("server_cpu_s") or 0.0,
                }
                results[label].append(measured)
                console.print(f"round {round_number + 1}: {label}: wall {measured['wall']:.1f} s, "
                              f"process CPU {threads:.1f} s, server CPU {measured['server_cpu']:.1f} s")
    direct_walls = [m["wall"] for m in results["direct"]]
    header = ["run", "walls s", "median wall s", "Prefect share of wall (medians)", "process CPU s (median)",
              "server CPU s in the run (median)"]
    rows = []
    for label, _, _ in VARIANTS:
        walls = [m["wall"] for m in results[label]]
        wall = statistics.median(walls)
        share = "–" if label == "direct" else f"{(wall - statistics.median(direct_walls)) / wall * 100:+.0f}%"
        server = "–" if label == "direct" else f"{statistics.median(m['server_cpu'] for m in results[label]):.1f}"
        rows.append([label, " / ".join(f"{w:.1f}" for w in walls), f"{wall:.1f}", share,
                     f"{statistics.median(m['process_cpu'] for m in results[label]):.1f}", server])
    if args.markdown:
        console.print(markdown_table(header, rows), soft_wrap=True)
    else:
        console.print(rich_table(f"{args.docs} documents, {args.rounds} rounds", header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
