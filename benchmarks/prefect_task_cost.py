"""What one Prefect task run costs on this machine, apart from any work (issue 8).

    python -m benchmarks.prefect_task_cost [--tasks 300] [--markdown]

A flow submits ``--tasks`` tasks that do nothing (return a small constant) to the thread task
runner (8 threads, as the ingest flow at 2 documents at a time) on the ephemeral Prefect
server, twice: the first run pays the server's start-up, the second is measured. Per task
run it prints the wall time, the CPU time of the flow's own process (the Prefect client: task
engine, events, logs) and the CPU time of the server process (the API, the task-run recorder
writing each state to SQLite). Variants:

* ``plain``: no cache, nothing persisted;
* ``cached+persisted``: what reportflow's per-stage tasks used before they became one task
  per document: a cache-key function, SERIALIZABLE isolation under the flock lock manager,
  the result pickled to a local result store.

each with the server's task-run recorder at the batch sizes of ``--recorder-batch`` (default:
Prefect's 1, a transaction per state event, and reportflow's 100, reportflow/prefect_server.py).

Each variant runs in a fresh process with a fresh PREFECT_HOME. This is the floor under
"Prefect's share": since each document became one task run (process-document: acquire →
extract → repair layout → facts, each stage cached by tasks/cache.py's PersistedStageCache
rather than by a Prefect task of its own), the ingest flow runs one task run per document.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from reportflow.prefect_server import RECORDER_BATCH_SIZE_ENV, TASK_RUN_RECORDER_BATCH_SIZE

VARIANTS = ("plain", "cached+persisted")


def measure(variant: str, n_tasks: int, store: Path) -> dict[str, float]:
    """Runs inside the fresh process: two flow runs, the second measured."""
    import psutil
    from prefect import flow, task
    from prefect.cache_policies import NO_CACHE, CacheKeyFnPolicy
    from prefect.task_runners import ThreadPoolTaskRunner

    sys.path.insert(0, str(PROJECT_ROOT))
    from tasks.cache import FlockLockManager

    @task(cache_policy=NO_CACHE)
    def nothing(i: int) -> list[int]:
        return [i]

    if variant == "cached+persisted":
        run_tag = time.time_ns()  # every key new: a cold cache, as in a fresh ingestion

        def key(_context: object, parameters: dict[str, object]) -> str:
            return f"{run_tag}-{parameters['i']}-{time.time_ns()}"

        policy = CacheKeyFnPolicy(cache_key_fn=key).configure(
            isolation_level="SERIALIZABLE",
            lock_manager=FlockLockManager(store / "locks"),  # type: ignore[arg-type]
        )
        nothing = nothing.with_options(cache_policy=policy, result_storage=store, persist_result=True)

    @flow(task_runner=ThreadPoolTaskRunner(max_workers=8), persist_result=False)
    def many() -> None:
        futures = [nothing.submit(i) for i in range(n_tasks)]
        for future in futures:
            future.result()

    def server_cpu() -> float:
        total = 0.0
        for child in psutil.Process().children(recursive=True):
            try:
                times = child.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    many()  # starts the ephemeral server, warms imports
    server0, client0, wall0 = server_cpu(), time.process_time(), time.perf_counter()
    many()
    wall = time.perf_counter() - wall0
    client = time.process_time() - client0
    # The server records the last events after the flow returns: wait until it is idle.
    previous, idle_since = server_cpu(), time.monotonic()
    while time.monotonic() - idle_since < 2.0:
        time.sleep(0.5)
        current = server_cpu()
        if current - previous > 0.02:
            idle_since = time.monotonic()
        previous = current
    server = server_cpu() - server0
    return {
        "wall_ms": wall / n_tasks * 1000,
        "client_cpu_ms": client / n_tasks * 1000,
        "server_cpu_ms": server / n_tasks * 1000,
    }


def run_variant(variant: str, n_tasks: int, recorder_batch: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="prefect-task-cost-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(PREFECT_HOME=str(Path(tmp) / "home"), PREFECT_SERVER_ANALYTICS_ENABLED="false",
                   PREFECT_LOGGING_LEVEL="WARNING")
        env[RECORDER_BATCH_SIZE_ENV] = str(recorder_batch)
        out = Path(tmp) / "result.json"
        child = subprocess.run(
            [sys.executable, "-m", "benchmarks.prefect_task_cost", "--child", variant, "--tasks", str(n_tasks),
             "--out", str(out)],
            cwd=PROJECT_ROOT, env=env, check=False, timeout=1800, capture_output=True, text=True,
        )
        if child.returncode != 0:
            raise RuntimeError(f"{variant}, recorder batch {recorder_batch}: exit {child.returncode}\n"
                               f"{child.stderr[-3000:]}")
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", type=int, default=300, help="task runs per measured flow run")
    parser.add_argument("--markdown", action="store_true", help="print a markdown table (for the README)")
    parser.add_argument("--recorder-batch", default=f"1,{TASK_RUN_RECORDER_BATCH_SIZE}",
                        help="the server's task-run recorder batch sizes to compare (Prefect's default 1, "
                        f"reportflow's {TASK_RUN_RECORDER_BATCH_SIZE}; default: %(default)s)")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        store = Path(tempfile.mkdtemp(prefix="results-"))
        args.out.write_text(json.dumps(measure(args.child, args.tasks, store)))
        return 0

    from rich.console import Console
    from rich.table import Table

    batches = [int(b) for b in args.recorder_batch.split(",") if b.strip()]
    rows = [(variant, batch, run_variant(variant, args.tasks, batch)) for batch in batches for variant in VARIANTS]
    headers = ("task runs", "variant", "recorder batch", "wall ms / task run", "client CPU ms", "server CPU ms",
               "CPU ms in all")
    cells = [
        (str(args.tasks), variant, str(batch), f"{r['wall_ms']:.1f}", f"{r['client_cpu_ms']:.1f}",
         f"{r['server_cpu_ms']:.1f}", f"{r['client_cpu_ms'] + r['server_cpu_ms']:.1f}")
        for variant, batch, r in rows
    ]
    console = Console()
    if args.markdown:
        console.print("| " + " | ".join(headers) + " |", soft_wrap=True)
        console.print("|" + "|".join(["---"] * 2 + ["---:"] * (len(headers) - 2)) + "|", soft_wrap=True)
        for row in cells:
            console.print("| " + " | ".join(row) + " |", soft_wrap=True)
    else:
        table = Table(title=f"One Prefect task run that does nothing ({os.cpu_count()} cores)")
        for header in headers:
            table.add_column(header, justify="left" if header == "variant" else "right")
        for row in cells:
            table.add_row(*row)
        console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
