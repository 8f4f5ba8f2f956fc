"""Throughput benchmark (issue 8): pages/s, time per stage, Prefect's share, DuckDB load rate,
peak memory, at three corpus sizes, against pdftotext and plain tesseract.

    python -m benchmarks.throughput_bench [--sizes 10,100,1000] [--scan-sizes 5,20,50]
        [--skip-scans] [--skip-text] [--skip-flow] [--skip-refs] [--direct-workers N]
        [--markdown] [--json FILE] [--from-json FILE]

Corpus (``benchmarks.throughput_corpus``): text-layer PDFs that are variants of the layout
benchmark's cases (each its own region, typography, producer: distinct bytes), the first
ones whose pages reach each size (about 10, 100, 1000 pages); single-page scans rendered from
their A4 pages and degraded (clean 300 dpi PNG, degraded 300 dpi JPEG, degraded 200 dpi JPEG
in turn).

For every tier, each in a fresh process (``benchmarks.throughput_run``) with a fresh temporary
warehouse, archive, Prefect result store and PREFECT_HOME — no cached stage result, nothing
already loaded — so nothing measures a cache hit and each peak RSS belongs to one run:

* **direct**: acquire and ``reportflow.pipeline.compute_document`` (no stage cache) called
  in-process, the documents ``--direct-workers`` at a time in threads (default: the flow's
  document concurrency, 2 on 2 cores: the same parallelism as the flow), each loaded as it
  finishes, then validate, the run report and publish: the flow's work without Prefect. Per
  stage: summed wall time over documents, and thread CPU time.
* **flow**: ``flows.ingest.ingest`` over the same files, ephemeral Prefect server (started
  before the clock: its start-up is printed apart, a deployed server is already up).
  **Prefect share** = (flow wall − direct wall) / flow wall, and the same with CPU seconds of
  the process tree (the machine is shared: CPU time is the steadier of the two). Per stage:
  the flow summary's ``stage_seconds`` (extract, layout, facts inside the one
  ``process-document`` task run per document, with the persisted stage cache's lookups and
  writes; the load in the flow's process) and the run-level task runs (validate, run-report,
  publish) from the Prefect API.
* **references**: ``pdftotext -enc UTF-8 PDF -`` over the same PDFs, and
  ``tesseract IMG - -l chi_sim --psm 3`` over the same scans (``OMP_THREAD_LIMIT=1``, as our
  OCR runs it), each one process at a time and two at a time. Two at a time is the fair
  comparison for our OCR, which runs ``OcrConfig.workers`` (= cores = 2) tesseracts at once.

Peak RSS: the runner's own high-water mark (``getrusage``, exact) and the peak of the summed
RSS of its process tree (psutil, polled every 0.2 s: includes the Prefect server and
tesseract processes).

``--json FILE`` saves every number; ``--from-json FILE`` prints the tables of a saved run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self

import psutil
from rich.console import Console
from rich.table import Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from benchmarks.throughput_corpus import DEFAULT_DIR, first_documents, scan_images, text_documents
from benchmarks.throughput_run import flow_doc_concurrency

log = logging.getLogger(__name__)

STAGE_COLUMNS = ("extract", "repair", "facts", "load", "validate")
OTHER_STAGES = ("acquire", "start", "report", "publish")
FLOW_STAGES = {"extract": "extract", "repair": "layout", "facts": "facts", "load": "load"}
"""Stage column → key of the flow summary's ``stage_seconds`` (timed inside the flow: extract,
layout and facts in the process-document task runs, the load in the flow's process)."""
FLOW_TASKS = {"validate": "validate", "report": "run-report", "publish": "publish"}
"""Run-level stage column → the flow's Prefect task of that step (its task-run time)."""
PROCESS_TASK = "process"
"""The per-document task runs (``process <file>``): acquire → extract → repair → facts."""
POLL_S = 0.2


@dataclass(slots=True)
class Machine:
    cores: int
    memory_gb: float
    cpu_model: str
    load_at_start: tuple[float, float, float]
    python: str
    versions: dict[str, str]


@dataclass(slots=True)
class ProcessRun:
    """One runner process: its result JSON plus what the benchmark observed from outside."""

    result: dict[str, Any]
    process_wall_s: float
    tree_peak_rss_mb: float
    tree_cpu_s: float
    load_before: float
    load_after: float


@dataclass(slots=True)
class Reference:
    command: str
    processes: int
    wall_s: float
    cpu_s: float


@dataclass(slots=True)
class Tier:
    kind: str
    """'text' or 'scan'; 'text-docs' is a text tier sized by documents, not pages."""
    target: int
    documents: int
    pages: int
    megabytes: float
    direct: ProcessRun | None = None
    flow: ProcessRun | None = None
    flow_dask: ProcessRun | None = None
    """The flow with REPORTFLOW_TASK_RUNNER=dask (documents in worker processes), --dask only."""
    references: list[Reference] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.kind == "text-docs":
            return f"text {self.target} docs"
        return f"{self.kind} {self.target}" + (" pages" if self.kind == "text" else "")


# --- measuring -------------------------------------------------------------------------------


def machine_info() -> Machine:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions: dict[str, str] = {}
    for package in ("prefect", "duckdb", "pypdfium2", "great_expectations", "pdfplumber"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - not installed, or no metadata: reported as "?"
            versions[package] = "?"
    for tool, args in (("tesseract", ["--version"]), ("pdftotext", ["-v"])):
        try:
            out = subprocess.run([tool, *args], check=False, capture_output=True, text=True, timeout=30)
            first = (out.stdout or out.stderr).splitlines()[0]
            versions[tool] = first.split()[-1]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            versions[tool] = "missing"
    return Machine(
        cores=os.cpu_count() or 1,
        memory_gb=round(psutil.virtual_memory().total / 2**30, 1),
        cpu_model=model,
        load_at_start=os.getloadavg(),
        python=platform.python_version(),
        versions=versions,
    )


class TreeWatcher:
    """Polls the summed RSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                break
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak_bytes = max(self.peak_bytes, total)
            self._stop.wait(POLL_S)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_env(workdir: Path) -> dict[str, str]:
    """A clean environment whose warehouse, caches and Prefect home are all inside ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REPORTFLOW_", "PREFECT_"))}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        PREFECT_HOME=str(workdir / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_LOGGING_LEVEL="WARNING",  # what `reportflow ingest` sets unless --verbose
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="600",
        REPORTFLOW_DB=str(workdir / "warehouse" / "reportflow.duckdb"),
        REPORTFLOW_RESULTS_DIR=str(workdir / "prefect-results"),
        # The corpus files are old; a 0 s settle time only skips the "still being written?" wait.
        REPORTFLOW_SETTLE_SECONDS="0",
    )
    for name in ("REPORTFLOW_DOC_CONCURRENCY", "REPORTFLOW_OCR_WORKERS", "REPORTFLOW_TASK_RUNNER"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def run_process(mode: str, files: list[Path], workdir: Path, workers: int | None = None,
                extra: Sequence[str] = (), env: dict[str, str] | None = None,
                wrapper: Sequence[str] = ()) -> ProcessRun:
    """Run benchmarks.throughput_run in a fresh process and watch its memory.

    ``wrapper`` is put in front of the command (a sampling profiler, e.g. ``py-spy record … --``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    listing = workdir / "files.txt"
    listing.write_text("\n".join(str(f) for f in files) + "\n", encoding="utf-8")
    out = workdir / "result.json"
    command = [*wrapper, sys.executable, "-m", "benchmarks.throughput_run", mode, "--files", str(listing), "--out", str(out)]
    if workers:
        command += ["--workers", str(workers)]
    command += list(extra)
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    with open(workdir / "runner.log", "w") as log_file:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env={**run_env(workdir), **(env or {})}, stdout=log_file,
                                   stderr=subprocess.STDOUT)
        with TreeWatcher(process.pid) as watcher:
            code = process.wait()
    wall = time.perf_counter() - started
    if code != 0:
        tail = (workdir / "runner.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"{mode} run failed (exit {code}):\n{tail}")
    return ProcessRun(
        result=json.loads(out.read_text(encoding="utf-8")),
        process_wall_s=wall,
        tree_peak_rss_mb=watcher.peak_bytes / 2**20,
        tree_cpu_s=_children_cpu() - cpu_before,
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )


def run_reference(label: str, commands: list[list[str]], processes: int) -> Reference:
    """Run the commands, ``processes`` at a time; wall and CPU time of them all."""
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(command: list[str]) -> None:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=True)

    cpu_before = _children_cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=processes) as pool:
        list(pool.map(one, commands))
    return Reference(label, processes, time.perf_counter() - started, _children_cpu() - cpu_before)


def measure_tier(tier: Tier, files: list[Path], root: Path, args: argparse.Namespace, console: Console) -> None:
    name = f"{tier.kind}-{tier.target}"
    workers = args.direct_workers or None
    console.log(f"[bold]{name}[/]: {tier.documents} documents, {tier.pages} pages — direct run")
    tier.direct = run_process("direct", files, root / name / "direct", workers)
    console.log(f"{name}: direct {tier.direct.result['wall_s']:.1f} s")
    if not args.skip_flow:
        console.log(f"{name}: flow run")
        tier.flow = run_process("flow", files, root / name / "flow")
        console.log(f"{name}: flow {tier.flow.result['wall_s']:.1f} s")
    if args.dask and tier.kind.startswith("text"):
        console.log(f"{name}: flow run, Dask task runner")
        tier.flow_dask = run_process("flow", files, root / name / "flow-dask", env={"REPORTFLOW_TASK_RUNNER": "dask"})
        console.log(f"{name}: flow (dask) {tier.flow_dask.result['wall_s']:.1f} s")
    if args.skip_refs:
        return
    if tier.kind.startswith("text"):
        commands = [["pdftotext", "-enc", "UTF-8", str(f), "-"] for f in files]
        label = "pdftotext -enc UTF-8 PDF -"
    else:
        commands = [["tesseract", str(f), "-", "-l", "chi_sim", "--psm", "3"] for f in files]
        label = "tesseract IMG - -l chi_sim --psm 3"
    for processes in (1, 2):
        console.log(f"{name}: {label}, {processes} at a time")
        tier.references.append(run_reference(label, commands, processes))


# --- reporting -------------------------------------------------------------------------------


def _rate(count: float, seconds: float | None) -> str:
    if not seconds:
        return "–"
    rate = count / seconds
    return f"{rate:.1f}" if rate >= 1 else f"{rate:.2f}"


def _share(flow: float | None, direct: float | None) -> str:
    if not flow or direct is None:
        return "–"
    return f"{(flow - direct) / flow * 100:+.0f}%"


def _mb(value: float | None) -> str:
    return f"{value:.0f}" if value else "–"


def _s(value: float | None, digits: int = 1) -> str:
    return f"{value:.{digits}f}" if value is not None else "–"


def _ref(tier: Tier, processes: int) -> Reference | None:
    return next((r for r in tier.references if r.processes == processes), None)


RUN_LEVEL = ("start", "gx_import", "validate", "report", "publish")


def summary_rows(tiers: list[Tier]) -> tuple[list[str], list[list[str]]]:
    header = [
        "corpus", "docs", "pages", "direct s", "direct p/s", "direct p/s per-doc stages", "direct CPU s",
        "flow s", "flow p/s", "Prefect share wall", "Prefect share CPU", "server start s",
        "DuckDB insert rows/s", "peak RSS direct MB", "peak RSS flow MB", "ref p/s 1 proc", "ref p/s 2 procs",
        "direct ÷ ref(2)", "flow ÷ ref(2)",
    ]
    rows = []
    for t in tiers:
        d = t.direct.result if t.direct else None
        f = t.flow.result if t.flow else None
        ref1, ref2 = _ref(t, 1), _ref(t, 2)
        doc_wall = d["wall_s"] - sum(d["stage_wall"].get(s, 0.0) for s in RUN_LEVEL) if d else None
        rows.append([
            t.label,
            str(t.documents),
            str(t.pages),
            _s(d["wall_s"]) if d else "–",
            _rate(t.pages, d["wall_s"]) if d else "–",
            _rate(t.pages, doc_wall) if d else "–",
            _s(d["run_cpu_s"]) if d else "–",
            _s(f["wall_s"]) if f else "–",
            _rate(t.pages, f["wall_s"]) if f else "–",
            _share(f["wall_s"] if f else None, d["wall_s"] if d else None),
            _share(f["run_cpu_s"] if f else None, d["run_cpu_s"] if d else None),
            _s(f["server_start_s"]) if f else "–",
            _rate(d["rows"], d["insert_wall"]) if d else "–",
            f"{_mb(d['self_maxrss_mb'])} / {_mb(t.direct.tree_peak_rss_mb)}" if d and t.direct else "–",
            f"{_mb(f['self_maxrss_mb'])} / {_mb(t.flow.tree_peak_rss_mb)}" if f and t.flow else "–",
            _rate(t.pages, ref1.wall_s) if ref1 else "–",
            _rate(t.pages, ref2.wall_s) if ref2 else "–",
            f"{d['wall_s'] / ref2.wall_s:.2f}×" if d and ref2 else "–",
            f"{f['wall_s'] / ref2.wall_s:.2f}×" if f and ref2 else "–",
        ])
        if t.flow_dask:
            g = t.flow_dask.result
            row = ["" for _ in header]
            row[0] = f"{t.label} (flow: dask)"
            row[7], row[8] = _s(g["wall_s"]), _rate(t.pages, g["wall_s"])
            row[9] = _share(g["wall_s"], d["wall_s"] if d else None)
            row[10] = _share(g["run_cpu_s"], d["run_cpu_s"] if d else None)
            row[11] = _s(g["server_start_s"])
            row[14] = f"{_mb(g['self_maxrss_mb'])} / {_mb(t.flow_dask.tree_peak_rss_mb)}"
            row[18] = f"{g['wall_s'] / ref2.wall_s:.2f}×" if ref2 else "–"
            rows.append(row)
    return header, rows


def stage_rows(tiers: list[Tier]) -> tuple[list[str], list[list[str]]]:
    """Per stage: summed wall over documents (s), thread CPU per page (ms)."""
    header = ["corpus", "pages", "docs in flight"]
    header += [f"{s} s (CPU ms/page)" for s in STAGE_COLUMNS]
    header += ["GX import s", "other s", "load: insert s", "Σ stages ÷ wall"]
    rows = []
    for t in tiers:
        if not t.direct:
            continue
        d = t.direct.result
        wall, cpu = d["stage_wall"], d["stage_cpu"]
        row = [t.label, str(t.pages), str(d["workers"])]
        for stage in STAGE_COLUMNS:
            row.append(f"{wall.get(stage, 0.0):.1f} ({cpu.get(stage, 0.0) / t.pages * 1000:.0f})")
        other = sum(wall.get(s, 0.0) for s in OTHER_STAGES)
        row += [f"{wall.get('gx_import', 0.0):.1f}", f"{other:.1f}", f"{d['insert_wall']:.1f}", f"{sum(wall.values()) / d['wall_s']:.2f}"]
        rows.append(row)
    return header, rows


def _per_stage(flow: float | None, direct: float) -> str:
    return f"{_s(flow)} / {direct:.1f}"


def flow_task_rows(tiers: list[Tier]) -> tuple[list[str], list[list[str]]]:
    """Summed time per stage in the flow against the same stage called directly.

    The flow's per-document stages come from its summary (``stage_seconds``), its run-level
    steps from their task runs; acquire has no time of its own in the flow (it runs inside
    the process task: "–"), the process task runs are set against acquire…facts directly.
    """
    stages = ("acquire", *STAGE_COLUMNS, "report", "publish")
    header = (["corpus"] + [f"{s} s flow / direct" for s in stages]
              + ["process tasks s flow / direct acquire…facts", "task runs", "server CPU s in the run"])
    per_document = ("acquire", "extract", "repair", "facts")
    rows = []
    for t in tiers:
        if not t.direct:
            continue
        wall = t.direct.result["stage_wall"]
        for label, flow in (("", t.flow), (" (flow: dask)", t.flow_dask)):
            if not flow:
                continue
            runs = flow.result.get("task_runs", {})
            seconds = flow.result.get("stage_seconds", {})
            row = [f"{t.label}{label}"]
            for stage in stages:
                if stage in FLOW_STAGES:
                    value = seconds.get(FLOW_STAGES[stage])
                elif stage in FLOW_TASKS:
                    value = runs.get(FLOW_TASKS[stage], {}).get("run_s")
                else:  # acquire: inside the process task runs
                    value = None
                row.append(_per_stage(value, wall.get(stage, 0.0)))
            row.append(_per_stage(runs.get(PROCESS_TASK, {}).get("run_s"),
                                  sum(wall.get(s, 0.0) for s in per_document)))
            row.append(str(sum(int(v["count"]) for v in runs.values())))
            row.append(_s(flow.result.get("server_cpu_s")))
            rows.append(row)
    return header, rows


def reference_rows(tiers: list[Tier]) -> tuple[list[str], list[list[str]]]:
    """Each reference run against ours on the same files, by wall and by CPU time."""
    header = ["corpus", "reference", "processes", "wall s", "CPU s", "pages/s",
              "direct ÷ ref wall", "direct ÷ ref CPU", "flow ÷ ref wall", "flow ÷ ref CPU"]
    rows = []
    for t in tiers:
        d = t.direct.result if t.direct else None
        f = t.flow.result if t.flow else None
        for ref in t.references:
            rows.append([
                t.label, ref.command, str(ref.processes), f"{ref.wall_s:.1f}", f"{ref.cpu_s:.1f}",
                _rate(t.pages, ref.wall_s),
                f"{d['wall_s'] / ref.wall_s:.2f}×" if d else "–",
                f"{d['run_cpu_s'] / ref.cpu_s:.2f}×" if d and ref.cpu_s else "–",
                f"{f['wall_s'] / ref.wall_s:.2f}×" if f else "–",
                f"{f['run_cpu_s'] / ref.cpu_s:.2f}×" if f and ref.cpu_s else "–",
            ])
    return header, rows


def context_rows(tiers: list[Tier]) -> tuple[list[str], list[list[str]]]:
    header = ["run", "process s", "import s", "tree CPU s", "load avg before→after", "docs ok/failed",
              "paragraphs", "facts", "rows", "expectations pass/fail"]
    rows = []
    for t in tiers:
        for label, run in (("direct", t.direct), ("flow", t.flow), ("flow dask", t.flow_dask)):
            if not run:
                continue
            r = run.result
            rows.append([
                f"{t.label} {label}",
                f"{run.process_wall_s:.1f}",
                f"{r['import_s']:.1f}",
                f"{run.tree_cpu_s:.1f}",
                f"{run.load_before:.1f}→{run.load_after:.1f}",
                f"{r['documents_ok']}/{r['documents_failed']}",
                str(r["paragraphs"]),
                str(r["facts"]),
                str(r["rows"] or (t.direct.result["rows"] if t.direct else "")),
                f"{r['expectations_passed']}/{r['expectations_failed']}",
            ])
    return header, rows


def linearity_lines(tiers: list[Tier]) -> list[str]:
    """Seconds per page of consecutive tiers: linear cost keeps them equal."""
    out = []
    for kind in ("text", "scan"):
        mine = sorted((t for t in tiers if t.kind.startswith(kind) and t.direct), key=lambda t: t.pages)
        for mode in ("direct", "flow", "flow_dask"):
            parts = []
            for t in mine:
                run = getattr(t, mode)
                if run:
                    parts.append(
                        f"{t.pages} p: {run.result['wall_s'] / t.pages * 1000:.0f} ms/page wall, "
                        f"{run.result['run_cpu_s'] / t.pages * 1000:.0f} ms/page CPU"
                    )
            if parts:
                out.append(f"{kind} {mode}: " + "; ".join(parts))
    return out


def rich_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    table = Table(title=title, title_justify="left")
    for i, column in enumerate(header):
        table.add_column(column, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(*row)
    return table


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_line(machine: Machine) -> str:
    v = machine.versions
    return (
        f"{machine.cores} cores ({machine.cpu_model}), {machine.memory_gb} GB RAM, load average at start "
        f"{machine.load_at_start[0]:.1f} / {machine.load_at_start[1]:.1f} / {machine.load_at_start[2]:.1f} "
        f"(shared, noisy machine: wall times vary run to run, CPU times less); Python {machine.python}, "
        f"prefect {v.get('prefect')}, duckdb {v.get('duckdb')}, pypdfium2 {v.get('pypdfium2')}, "
        f"great_expectations {v.get('great_expectations')}, tesseract {v.get('tesseract')}, "
        f"pdftotext {v.get('pdftotext')}"
    )


SECTIONS = (
    ("End to end", summary_rows),
    ("Stages, direct run (summed wall s over documents; thread CPU ms per page)", stage_rows),
    ("Flow time per stage (the flow summary's stage_seconds; run-level: task runs) / direct", flow_task_rows),
    ("References (the same files)", reference_rows),
    ("Runs", context_rows),
)


def report(machine: Machine, tiers: list[Tier], markdown: bool, console: Console) -> None:
    if markdown:
        print(f"Machine: {machine_line(machine)}\n")
        for title, rows_of in SECTIONS:
            header, rows = rows_of(tiers)
            if rows:
                print(f"**{title}**\n\n{markdown_table(header, rows)}\n")
        for line in linearity_lines(tiers):
            print(f"- {line}")
        return
    console.print(f"[bold]Machine[/]: {machine_line(machine)}")
    for title, rows_of in SECTIONS:
        header, rows = rows_of(tiers)
        if rows:
            console.print(rich_table(title, header, rows))
    for line in linearity_lines(tiers):
        console.print(line)
    for t in tiers:
        for run in (t.direct, t.flow, t.flow_dask):
            if run and run.result["failures"]:
                console.print(f"[red]{t.label} {run.result['mode']} failures:[/]")
                for failure in run.result["failures"][:10]:
                    console.print(f"  {failure}")


# --- main -------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def _load(path: Path) -> tuple[Machine, list[Tier]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    m = data["machine"]
    machine = Machine(m["cores"], m["memory_gb"], m["cpu_model"], tuple(m["load_at_start"]), m["python"], m["versions"])
    tiers = []
    for t in data["tiers"]:
        tier = Tier(t["kind"], t["target"], t["documents"], t["pages"], t["megabytes"])
        tier.direct = ProcessRun(**t["direct"]) if t["direct"] else None
        tier.flow = ProcessRun(**t["flow"]) if t["flow"] else None
        tier.flow_dask = ProcessRun(**t["flow_dask"]) if t.get("flow_dask") else None
        tier.references = [Reference(**r) for r in t["references"]]
        tiers.append(tier)
    return machine, tiers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000], help="text-layer PDF pages per tier")
    parser.add_argument("--doc-sizes", type=_sizes, default=[100],
                        help="text-layer tiers sized by documents (the Prefect target is stated at 100 documents)")
    parser.add_argument("--scan-sizes", type=_sizes, default=[5, 20, 50], help="scanned pages per tier")
    parser.add_argument("--skip-text", action="store_true")
    parser.add_argument("--skip-scans", action="store_true")
    parser.add_argument("--skip-flow", action="store_true")
    parser.add_argument("--skip-refs", action="store_true", help="no pdftotext / tesseract references")
    parser.add_argument("--dask", action="store_true",
                        help="text tiers: also run the flow with REPORTFLOW_TASK_RUNNER=dask (a worker process per core)")
    parser.add_argument("--direct-workers", type=int, default=0,
                        help=f"documents at a time in the direct run (default: as the flow, {flow_doc_concurrency()})")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--keep", type=Path, help="keep the runs' folders (warehouses, logs) here")
    parser.add_argument("--markdown", action="store_true", help="print the tables as markdown (for the README)")
    parser.add_argument("--json", type=Path, help="save every measurement here")
    parser.add_argument("--from-json", type=Path, help="print the tables of a saved run, measure nothing")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    console = Console(width=250, stderr=args.markdown)
    if args.from_json:
        machine, tiers = _load(args.from_json)
        report(machine, tiers, args.markdown, console)
        return 0

    machine = machine_info()
    console.log(machine_line(machine))
    plans: list[tuple[Tier, list[Path]]] = []
    if not args.skip_text:
        for size in args.sizes:
            docs = text_documents(size, args.corpus)
            files = [d.path for d in docs]
            plans.append((Tier("text", size, len(docs), sum(d.pages for d in docs),
                               sum(f.stat().st_size for f in files) / 1e6), files))
        for count in args.doc_sizes:
            docs = first_documents(count, args.corpus)
            files = [d.path for d in docs]
            plans.append((Tier("text-docs", count, len(docs), sum(d.pages for d in docs),
                               sum(f.stat().st_size for f in files) / 1e6), files))
        plans.sort(key=lambda plan: plan[0].pages)
    if not args.skip_scans:
        for size in args.scan_sizes:
            files = [s.path for s in scan_images(size, args.corpus)]
            plans.append((Tier("scan", size, len(files), len(files), sum(f.stat().st_size for f in files) / 1e6), files))

    root = Path(tempfile.mkdtemp(prefix="throughput-", dir=args.keep)) if args.keep else Path(tempfile.mkdtemp(prefix="throughput-"))
    tiers: list[Tier] = []
    try:
        for tier, files in plans:
            measure_tier(tier, files, root, args, console)
            tiers.append(tier)
            if args.json:  # after every tier: a long run interrupted still leaves its numbers
                save(args.json, machine, tiers)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    report(machine, tiers, args.markdown, console)
    return 0


def save(path: Path, machine: Machine, tiers: list[Tier]) -> None:
    path.write_text(
        json.dumps({"machine": asdict(machine), "tiers": [asdict(t) for t in tiers]}, indent=1, ensure_ascii=False),
        encoding="utf-8",
    )


if __name__ == "__main__":
    raise SystemExit(main())
