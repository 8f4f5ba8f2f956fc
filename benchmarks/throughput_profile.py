"""Profile of the text-layer path: where the time of each stage goes, and Prefect's (issue 8).

    python -m benchmarks.throughput_profile [--pages 100] [--top 12] [--keep DIR] [--from DIR]
    python -m benchmarks.throughput_profile --flow [--pages 100] [--rate 50] [--keep DIR] [--from DIR]

Without ``--flow``: runs the throughput benchmark's direct run (``benchmarks.throughput_run direct``) over the
``--pages`` tier of text-layer PDFs (``benchmarks.throughput_corpus``), one document at a
time (cProfile follows one thread), cold (fresh warehouse and caches), with one cProfile per
stage enabled only around that stage's calls; then prints, per stage, the functions with the
most own time (``tottime``) and the project functions with the most cumulative time.

cProfile adds a per-call cost, so call-heavy pure-Python code looks somewhat more expensive
than it is: read the shares, and check a suggested gain with the throughput benchmark.
``--from DIR`` prints the tables of a saved profile (``--keep DIR`` saves one).

``--flow``: runs the flow (``benchmarks.throughput_run flow``, ephemeral server, thread task
runner) under the sampling profiler py-spy (``pip install py-spy``; every thread and child
process, ``--rate`` samples a second, idle threads left out), then sorts each sample of the
flow process by what it was doing: a stage function (the work the direct run also does), or
Prefect machinery outside the stages — result persistence, cache keys and transactions, the
API client, logging, task orchestration — and prints the samples of the Prefect server
process apart. Sampling costs the profiled process almost nothing, unlike cProfile.
"""

from __future__ import annotations

import argparse
import pstats
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.throughput_bench import run_process
from benchmarks.throughput_corpus import DEFAULT_DIR, text_documents

STAGES = ("acquire", "extract", "repair", "facts", "load", "start", "gx_import", "validate", "report", "publish")
PROJECT_PARTS = ("/reportflow/", "/tasks/", "/flows/")


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    if path == "~":
        return name  # a builtin, e.g. <method 'execute' of 'duckdb.DuckDBPyConnection' objects>
    for marker in ("/site-packages/", "/work/main/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{path}:{line} {name}"


def stage_tables(folder: Path, top: int) -> list[Table]:
    tables = []
    for stage in STAGES:
        file = folder / f"{stage}.pstats"
        if not file.exists():
            continue
        stats = pstats.Stats(str(file))
        raw = stats.stats  # type: ignore[attr-defined]
        total = stats.total_tt  # type: ignore[attr-defined]
        own = sorted(raw.items(), key=lambda kv: kv[1][2], reverse=True)[:top]
        ours = sorted(
            ((f, v) for f, v in raw.items() if any(p in f[0] for p in PROJECT_PARTS)),
            key=lambda kv: kv[1][3],
            reverse=True,
        )[:top]
        table = Table(title=f"{stage}: {total:.2f} s profiled", title_justify="left")
        for column in ("own time: function", "s", "%", "calls", "cumulative (project code): function", "cum s", "cum %"):
            table.add_column(column, justify="left" if "function" in column else "right")
        for i in range(max(len(own), len(ours))):
            row: list[str] = []
            if i < len(own):
                func, (_, calls, tt, _, _) = own[i]
                row += [_where(func), f"{tt:.2f}", f"{tt / total * 100:.0f}", str(calls)]
            else:
                row += ["", "", "", ""]
            if i < len(ours):
                func, (_, _, _, ct, _) = ours[i]
                row += [_where(func), f"{ct:.2f}", f"{ct / total * 100:.0f}"]
            else:
                row += ["", "", ""]
            table.add_row(*row)
        tables.append(table)
    return tables


# --- the flow under py-spy ---------------------------------------------------------------------

STAGE_FUNCTIONS: tuple[tuple[str, str], ...] = (
    ("reportflow/acquire.py", "acquire"),
    ("reportflow/pipeline.py", "extract_stage"),
    ("reportflow/layout/__init__.py", "repair_layout"),
    ("reportflow/pipeline.py", "facts_stage"),
    ("reportflow/db.py", "load_document"),
    ("reportflow/db.py", "record_failure"),
    ("reportflow/validate.py", "validate_run"),
    ("reportflow/report.py", "write_run_report"),
    ("reportflow/db.py", "publish"),
)
"""The stage functions the direct run calls too: time inside them is the pipeline's own."""

PREFECT_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("stage: load (warehouse open/close)", ("reportflow/db.py",)),
    ("result persistence (pickle, write, read)", ("prefect/results.py", "prefect/serializers.py", "cloudpickle",
                                                 "pickle", "prefect/filesystems.py")),
    ("walking task inputs (visit_collection)", ("prefect/utilities/collections.py",)),
    ("cache keys, transactions, locks", ("prefect/transactions.py", "prefect/cache_policies.py", "tasks/cache.py",
                                         "prefect/locking", "prefect/utilities/hashing.py")),
    ("API client (httpx)", ("prefect/client/", "httpx", "httpcore", "h11")),
    ("logging", ("prefect/logging/", "logging/__init__.py")),
    ("events", ("prefect/events/",)),
    ("pydantic models", ("pydantic",)),
    ("imports", ("<frozen importlib._bootstrap>", "importlib")),
    ("task engine, futures, runner", ("prefect/task_engine.py", "prefect/futures.py", "prefect/task_runners.py",
                                      "prefect/tasks.py", "prefect/context.py", "prefect/states.py")),
    ("flow engine", ("prefect/flow_engine.py", "prefect/flows.py", "flows/ingest.py")),
    ("event loop, threads", ("asyncio", "anyio", "concurrent/futures", "threading.py")),
)
"""Prefect machinery outside the stages, first match from the innermost frame outwards."""

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


@dataclass(slots=True)
class FlowProfile:
    rate: float
    flow: Counter[str] = field(default_factory=Counter)
    server: int = 0
    other: int = 0
    leaves: Counter[str] = field(default_factory=Counter)
    """Innermost project-or-library function of the samples outside the stages."""

    def seconds(self, samples: int) -> float:
        return samples / self.rate


def _frames(stack: str) -> tuple[str, list[tuple[str, str]]]:
    """The sampled process and the frames, outermost first.

    With --subprocesses py-spy prefixes the chain of processes from the root (the runner it
    started: reported as '', its command line is sometimes read empty) to the one sampled.
    """
    parts = stack.split(";")
    processes = 0
    while processes < len(parts) and parts[processes].startswith("process "):
        processes += 1
    process = parts[processes - 1] if processes > 1 else ""
    frames = []
    for part in parts[processes:]:
        m = _FRAME.match(part)
        frames.append((m.group("func"), m.group("file")) if m else (part, ""))
    return process, frames


def classify_sample(frames: list[tuple[str, str]]) -> tuple[str, str]:
    """(category, innermost interesting frame) of one sample of the flow process."""
    for func, file in frames:
        for path, name in STAGE_FUNCTIONS:
            if func == name and file.endswith(path):
                return f"stage: {name}", ""
    for func, file in reversed(frames):
        for label, parts in PREFECT_PARTS:
            if any(p in file for p in parts):
                return label, f"{func} ({file.split('site-packages/')[-1]})"
    func, file = frames[-1] if frames else ("?", "")
    return "other", f"{func} ({file.split('site-packages/')[-1]})"


def parse_pyspy(raw: str, rate: float) -> FlowProfile:
    """py-spy's raw (collapsed) output → samples per category."""
    profile = FlowProfile(rate)
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        process, frames = _frames(stack)
        if not process:  # the runner itself
            category, leaf = classify_sample(frames)
            profile.flow[category] += n
            if not category.startswith("stage: ") and leaf:
                profile.leaves[f"{category} · {leaf}"] += n
        elif "uvicorn" in process or "prefect" in process or "server" in process:
            profile.server += n
        else:
            profile.other += n
    return profile


def flow_tables(profile: FlowProfile, top: int) -> list[Table]:
    total = sum(profile.flow.values())
    table = Table(title=f"flow process: {profile.seconds(total):.1f} s of samples (Python threads, not idle)",
                  title_justify="left")
    for column in ("what", "s", "%"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for category, n in profile.flow.most_common():
        table.add_row(category, f"{profile.seconds(n):.1f}", f"{n / max(1, total) * 100:.0f}")
    table.add_row("[dim]Prefect server process (separate)[/]", f"{profile.seconds(profile.server):.1f}", "")
    leaves = Table(title="outside the stages: innermost frames", title_justify="left")
    for column in ("category · function", "s", "% of flow"):
        leaves.add_column(column, justify="left" if "function" in column else "right")
    for leaf, n in profile.leaves.most_common(top):
        leaves.add_row(leaf, f"{profile.seconds(n):.1f}", f"{n / max(1, total) * 100:.1f}")
    return [table, leaves]


def profile_flow(files: list[Path], work: Path, rate: float, console: Console) -> Path:
    exe = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(exe).exists():
        raise SystemExit("py-spy is not installed: pip install py-spy")
    raw = work / "flow.pyspy.txt"
    wrapper = [exe, "record", "--rate", str(int(rate)), "--format", "raw", "--output", str(raw),
               "--subprocesses", "--nonblocking", "--"]
    run = run_process("flow", files, work / "run", wrapper=wrapper)
    r = run.result
    console.print(
        f"flow under py-spy: {r['wall_s']:.1f} s wall for {len(files)} documents, "
        f"{r['pages_text'] + r['pages_ocr']} pages ({(r['pages_text'] + r['pages_ocr']) / r['wall_s']:.1f} pages/s); "
        "time per stage (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_seconds"].items())
        + "; task-run time per task (s): "
        + ", ".join(f"{k} {v['run_s']:.1f} ({v['count']:.0f} runs)" for k, v in r["task_runs"].items())
    )
    return raw


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--top", type=int, default=12)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--keep", type=Path, help="save the .pstats files (and the run's folder) here")
    parser.add_argument("--from", dest="saved", type=Path, help="print the tables of a saved profile")
    parser.add_argument("--flow", action="store_true", help="sample the Prefect flow with py-spy instead")
    parser.add_argument("--rate", type=float, default=50.0, help="--flow: py-spy samples per second")
    args = parser.parse_args(argv)
    console = Console(width=250)
    if args.flow:
        if args.saved:
            raw = args.saved / "flow.pyspy.txt" if args.saved.is_dir() else args.saved
        else:
            docs = text_documents(args.pages, args.corpus)
            work = args.keep or Path(tempfile.mkdtemp(prefix="throughput-flow-profile-"))
            work.mkdir(parents=True, exist_ok=True)
            console.log(f"sampling the flow over {len(docs)} documents, {sum(d.pages for d in docs)} pages")
            raw = profile_flow([d.path for d in docs], work, args.rate, console)
        for table in flow_tables(parse_pyspy(raw.read_text(encoding="utf-8", errors="replace"), args.rate), args.top):
            console.print(table)
        return 0
    if args.saved:
        folder = args.saved
    else:
        docs = text_documents(args.pages, args.corpus)
        work = args.keep or Path(tempfile.mkdtemp(prefix="throughput-profile-"))
        folder = work / "pstats"
        console.log(f"profiling {len(docs)} documents, {sum(d.pages for d in docs)} pages, one at a time")
        run = run_process("direct", [d.path for d in docs], work / "run", workers=1,
                          extra=["--profile", str(folder)])
        r = run.result
        console.print(
            f"direct run, 1 document at a time, profiled: {r['wall_s']:.1f} s wall, "
            f"{sum(d.pages for d in docs) / r['wall_s']:.1f} pages/s; per stage (s): "
            + ", ".join(f"{k} {v:.1f}" for k, v in r["stage_wall"].items())
        )
    for table in stage_tables(folder, args.top):
        console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
