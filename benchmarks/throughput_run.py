"""One measured ingestion run, in its own process (the throughput benchmark starts it).

    python -m benchmarks.throughput_run {direct,flow} --files LIST --out RESULT.json
                                        [--workers N] [--profile DIR]

``--files`` is a text file with one input path a line. The warehouse, archive, Prefect result
store and PREFECT_HOME come from the environment the benchmark sets (``REPORTFLOW_DB``,
``REPORTFLOW_RESULTS_DIR``, ``PREFECT_HOME``: all inside a fresh temporary folder), so every
run starts cold: no cached stage result, no loaded document.

* ``direct``: exactly the work the flow does, called in-process — per document acquire, then
  ``reportflow.pipeline.compute_document`` (extract → repair layout → facts) with no stage
  cache (every stage computed, as in a cold run), ``workers`` documents at a time in threads
  like the flow's task runner, then the load (one DuckDB transaction) in the main thread as
  each document finishes, through one batched writer as the flow's; then, for the run,
  validate (Great Expectations + Data Docs), the HTML run report and publish. Each stage's
  wall time and thread CPU time are recorded per document (the stages are timed by a stage
  cache of the benchmark's own that computes every stage, as ``NoStageCache`` does).
* ``flow``: ``flows.ingest.ingest`` over the same files. The ephemeral Prefect server is
  started first (timed separately: a deployed server is already up), then the flow call is
  timed; the flow's summary gives the summed time per stage (``stage_seconds``: inside the
  ``process-document`` task runs, and the load in the flow's process), and the task runs'
  durations (``process``, ``validate``, ``run-report``, ``publish``) are read back from the
  Prefect API.

``--profile DIR`` (direct mode, use ``--workers 1``): one cProfile per stage, enabled only
around that stage's calls, dumped as ``DIR/<stage>.pstats``.

The result JSON holds the timings, counts and the process's own peak RSS
(``getrusage``); the benchmark adds the peak RSS of the whole process tree it polled.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import json
import logging
import os
import re
import resource
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Self, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

DOC_STAGES = ("acquire", "extract", "repair", "facts", "load")
RUN_STAGES = ("start", "gx_import", "validate", "report", "publish")


@dataclass(slots=True)
class DocumentTiming:
    path: str
    ok: bool = True
    error: str = ""
    pages_text: int = 0
    pages_ocr: int = 0
    paragraphs: int = 0
    facts: int = 0
    rows: int = 0
    """Rows written to DuckDB: documents + pages + paragraphs + paragraph_geometry + facts."""
    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    """Thread CPU time per stage (excludes GIL waits and tesseract subprocesses)."""
    insert_wall: float = 0.0
    """Time inside ``load_document`` alone (the load stage also opens the working copy)."""


@dataclass(slots=True)
class RunResult:
    mode: str
    workers: int
    files: int
    wall_s: float = 0.0
    """The measured run: first acquire to publish (direct) or the flow call (flow)."""
    import_s: float = 0.0
    server_start_s: float = 0.0
    documents_ok: int = 0
    documents_failed: int = 0
    failures: list[str] = field(default_factory=list)
    pages_text: int = 0
    pages_ocr: int = 0
    paragraphs: int = 0
    facts: int = 0
    rows: int = 0
    stage_wall: dict[str, float] = field(default_factory=dict)
    stage_cpu: dict[str, float] = field(default_factory=dict)
    insert_wall: float = 0.0
    task_runs: dict[str, dict[str, float]] = field(default_factory=dict)
    """flow mode: per task name, count and summed duration from the Prefect API."""
    stage_seconds: dict[str, float] = field(default_factory=dict)
    """flow mode: the flow summary's summed wall seconds per stage over documents (extract,
    layout, facts inside the process-document task runs; load in the flow's process)."""
    stages_reused: int = 0
    """flow mode: stage results the flow read from its cache (a cold run: 0)."""
    expectations_passed: int = 0
    expectations_failed: int = 0
    self_maxrss_mb: float = 0.0
    children_maxrss_mb: float = 0.0
    self_cpu_s: float = 0.0
    children_cpu_s: float = 0.0
    run_cpu_s: float = 0.0
    """CPU seconds of the whole process tree (this process, its threads, tesseract processes,
    the ephemeral Prefect server) during the measured run (``wall_s``)."""
    server_cpu_s: float | None = None
    """flow mode: CPU seconds of the temporary Prefect server's process during the measured run
    (part of ``run_cpu_s``)."""
    thread_cpu: dict[str, float] = field(default_factory=dict)
    """CPU seconds of this process's threads during the measured run, by thread kind (the
    thread's name without its number; native threads by their kernel name)."""


_THREAD_NUMBER = re.compile(r"[-_ ]?\d+(?:_\d+)?$|\s*\(.*\)$")


class ThreadCpu:
    """Samples the CPU time of every thread of this process (``/proc/self/task``) while running.

    A thread's last sample is its total, so threads that end during the run still count
    (up to the sampling interval). Python threads are named by ``threading``'s name, native
    ones (DuckDB's, OpenMP's) by their kernel name.
    """

    def __init__(self, interval_s: float = 0.2) -> None:
        self.interval_s = interval_s
        self._seen: dict[int, tuple[str, float]] = {}
        self._start: dict[int, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="thread-cpu-sampler", daemon=True)

    @staticmethod
    def _read() -> dict[int, tuple[str, float]]:
        ticks = os.sysconf("SC_CLK_TCK")
        names = {t.native_id: t.name for t in threading.enumerate() if t.native_id is not None}
        out: dict[int, tuple[str, float]] = {}
        for entry in Path("/proc/self/task").iterdir():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            tid = int(entry.name)
            comm = stat[stat.index("(") + 1 : stat.rindex(")")]
            fields = stat[stat.rindex(")") + 2 :].split()
            cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
            out[tid] = (names.get(tid, f"native:{comm}"), cpu)
        return out

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            self._seen.update(self._read())

    def start(self) -> Self:
        self._start = {tid: cpu for tid, (_, cpu) in self._read().items()}
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self._seen.update(self._read())

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def by_kind(self) -> dict[str, float]:
        kinds: dict[str, float] = defaultdict(float)
        for tid, (name, cpu) in self._seen.items():
            kinds[_THREAD_NUMBER.sub("", name) or name] += cpu - self._start.get(tid, 0.0)
        return {k: round(v, 2) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v > 0}


def prefect_server_cpu_seconds() -> float | None:
    """CPU time so far of the temporary Prefect server this process started (None: none runs)."""
    import psutil

    for child in psutil.Process().children(recursive=True):
        try:
            if "prefect.server.api.server:create_app" in " ".join(child.cmdline()):
                times = child.cpu_times()
                return times.user + times.system
        except psutil.Error:
            continue
    return None


def tree_cpu_seconds() -> float:
    """CPU time so far of this process, its reaped children and its live descendants."""
    import psutil

    me = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = me.ru_utime + me.ru_stime + reaped.ru_utime + reaped.ru_stime
    for child in psutil.Process().children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:  # exited meanwhile (then counted in RUSAGE_CHILDREN, or lost)
            continue
        total += times.user + times.system
    return total


# --- direct ---------------------------------------------------------------------------------


class StageProfiles:
    """One cProfile.Profile per stage, enabled only around that stage (single thread)."""

    def __init__(self) -> None:
        self.profiles: dict[str, cProfile.Profile] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        profile = self.profiles.setdefault(name, cProfile.Profile())
        profile.enable()
        try:
            yield
        finally:
            profile.disable()

    def dump(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        for name, profile in self.profiles.items():
            profile.dump_stats(str(folder / f"{name}.pstats"))


class _NoProfiles(StageProfiles):
    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        yield


def _timed(record: DocumentTiming | dict[str, float], cpu: dict[str, float] | None, name: str,
           profiles: StageProfiles, fn: Callable[[], T]) -> T:
    wall0, cpu0 = time.perf_counter(), time.thread_time()
    try:
        with profiles.stage(name):
            return fn()
    finally:
        walls = record.wall if isinstance(record, DocumentTiming) else record
        cpus = record.cpu if isinstance(record, DocumentTiming) else cpu
        walls[name] = walls.get(name, 0.0) + time.perf_counter() - wall0
        if cpus is not None:
            cpus[name] = cpus.get(name, 0.0) + time.thread_time() - cpu0


def rows_of(extracted: Any, paragraphs: Sequence[Any], facts: Sequence[Any]) -> int:
    """Rows ``load_document`` writes for one document (see reportflow.db.load_document)."""
    pages = len(extracted.pages) if extracted.pages else 1
    geometry = sum(1 for p in paragraphs if p.char_boxes)
    return 1 + pages + len(paragraphs) + geometry + len(facts)


PIPELINE_STAGE_COLUMNS = {"extract": "extract", "layout": "repair", "facts": "facts"}
"""reportflow.pipeline's stage names → this benchmark's columns."""


class TimedStages:
    """A reportflow.pipeline.StageCache that computes every stage (no lookup, nothing stored:
    a cold run), timing and profiling each one under its column name."""

    def __init__(self, timing: DocumentTiming, profiles: StageProfiles) -> None:
        self.timing = timing
        self.profiles = profiles

    def get_or_compute(self, stage: str, acquired: Any, settings: Any, compute: Callable[[], T]) -> tuple[T, bool]:
        column = PIPELINE_STAGE_COLUMNS.get(stage, stage)
        return _timed(self.timing, None, column, self.profiles, compute), False


@dataclass(slots=True)
class ComputedDocument:
    """What the flow's process-document task hands to the load: the processed document, or
    the error that stopped it (and the acquired document, if acquire got that far)."""

    timing: DocumentTiming
    acquired: Any = None
    document: Any = None
    """reportflow.pipeline.ProcessedDocument: extracted, paragraphs, context, facts."""
    stage: str = ""
    """The stage that failed, as the flow records it."""
    error: BaseException | None = None


def compute_document(path: Path, settings: Any, profiles: StageProfiles) -> ComputedDocument:
    """acquire, then reportflow.pipeline.compute_document: what the process-document task runs
    (tasks/stages.py), with no stage cache."""
    from reportflow.acquire import acquire, settle_seconds_from_env
    from reportflow.pipeline import StageFailed
    from reportflow.pipeline import compute_document as compute_stages

    computed = ComputedDocument(DocumentTiming(str(path)))
    timing = computed.timing
    try:
        acquired = _timed(timing, None, "acquire", profiles,
                          lambda: acquire(path, settings.archive_dir, settle_seconds_from_env()))
    except Exception as exc:  # noqa: BLE001 - a failing document stops only itself, as in the flow
        computed.stage, computed.error = "acquire", exc
        return computed
    computed.acquired = acquired
    try:
        computed.document = compute_stages(acquired, settings, TimedStages(timing, profiles)).document
    except StageFailed as failed:  # the flow records the stage and the original error
        computed.stage, computed.error = failed.stage, failed.cause
    return computed


def load_computed(computed: ComputedDocument, settings: Any, writer: Any, profiles: StageProfiles) -> DocumentTiming:
    """The load (or the failure record), in the caller's thread through the shared batched
    writer, as the flow loads each document in its own process (flows/ingest.py)."""
    from reportflow import db as warehouse_db
    from reportflow.versions import pipeline_version

    timing = computed.timing
    error = computed.error
    if error is None and computed.document is not None:
        document = computed.document

        def load() -> Any:
            with writer.write() as con:
                start = time.perf_counter()
                outcome = warehouse_db.load_document(
                    con, computed.acquired, document.extracted, document.paragraphs, document.context,
                    document.facts, pipeline_version(),
                )
                timing.insert_wall += time.perf_counter() - start
                return outcome

        try:
            outcome = _timed(timing, None, "load", profiles, load)
            timing.pages_text, timing.pages_ocr = outcome.pages_text, outcome.pages_ocr
            timing.paragraphs, timing.facts = outcome.paragraphs, outcome.facts
            timing.rows = rows_of(document.extracted, document.paragraphs, document.facts)
            return timing
        except Exception as exc:  # noqa: BLE001 - a failing load stops only its document, as in the flow
            computed.stage, error = "load", exc
    from flows.ingest import error_code_of, error_message_of

    assert error is not None
    timing.ok = False
    timing.error = f"{computed.stage}: {error_code_of(error)}: {error_message_of(error)}"
    with writer.write() as con:
        warehouse_db.record_failure(
            con, timing.path, error_message_of(error), error_code_of(error), pipeline_version(), computed.acquired
        )
    return timing


def run_direct(files: list[Path], workers: int, profiles: StageProfiles) -> RunResult:
    from reportflow import db as warehouse_db
    from reportflow.config import Settings

    result = RunResult("direct", workers, len(files))
    start = time.perf_counter()
    # what `import flows.ingest` loads in the flow run
    import reportflow.extract
    import reportflow.facts
    import reportflow.layout
    import reportflow.pipeline  # noqa: F401

    result.import_s = time.perf_counter() - start
    settings = Settings.from_env()
    warehouse = warehouse_db.Warehouse(settings.db_path)
    run_id = str(uuid.uuid4())
    run_wall: dict[str, float] = {}
    run_cpu: dict[str, float] = {}
    cpu_start = tree_cpu_seconds()
    threads = ThreadCpu().start()
    started = time.perf_counter()

    def begin() -> None:
        with warehouse.write() as con:
            warehouse_db.start_run(con, run_id, None)

    _timed(run_wall, run_cpu, "start", profiles, begin)
    timings: list[DocumentTiming] = []
    with (
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="direct-doc") as pool,
        warehouse.batched_writer() as writer,
    ):
        # No list of the futures: as_completed drops each one it yields, so a loaded
        # document's pages are freed (as the flow drops each finished future).
        for future in as_completed({pool.submit(compute_document, path, settings, profiles) for path in files}):
            timings.append(load_computed(future.result(), settings, writer, profiles))
    loaded = [t for t in timings if t.ok]
    doc_ids = _doc_ids(warehouse, [t.path for t in loaded])

    def import_gx() -> None:
        # Great Expectations is imported on first use, by both runs: a fixed cost per process.
        import reportflow.validation.context  # noqa: F401

    if doc_ids:
        _timed(run_wall, run_cpu, "gx_import", profiles, import_gx)

    def validate() -> Any:
        from reportflow.validate import validate_run

        with warehouse.write() as con:
            return validate_run(con, run_id, doc_ids, settings.db_path.parent / "data_docs")

    validation = _timed(run_wall, run_cpu, "validate", profiles, validate) if doc_ids else None

    def finish_and_report() -> None:
        with warehouse.write() as con:
            warehouse_db.finish_run(con, run_id, "completed" if len(loaded) == len(timings) else "failed", {})
            if importlib.util.find_spec("reportflow.report") is not None:  # as tasks.stages decides
                from reportflow.report import write_run_report

                write_run_report(con, run_id, settings.db_path.parent / "reports")

    _timed(run_wall, run_cpu, "report", profiles, finish_and_report)
    _timed(run_wall, run_cpu, "publish", profiles, warehouse.publish)
    result.wall_s = time.perf_counter() - started
    threads.stop()
    result.thread_cpu = threads.by_kind()
    result.run_cpu_s = tree_cpu_seconds() - cpu_start

    stage_wall: dict[str, float] = defaultdict(float)
    stage_cpu: dict[str, float] = defaultdict(float)
    for t in timings:
        for name, value in t.wall.items():
            stage_wall[name] += value
        for name, value in t.cpu.items():
            stage_cpu[name] += value
        result.insert_wall += t.insert_wall
    for name in RUN_STAGES:
        stage_wall[name] += run_wall.get(name, 0.0)
        stage_cpu[name] += run_cpu.get(name, 0.0)
    result.stage_wall, result.stage_cpu = dict(stage_wall), dict(stage_cpu)
    result.documents_ok = len(loaded)
    result.documents_failed = len(timings) - len(loaded)
    result.failures = sorted(f"{Path(t.path).name}: {t.error}" for t in timings if not t.ok)
    result.pages_text = sum(t.pages_text for t in loaded)
    result.pages_ocr = sum(t.pages_ocr for t in loaded)
    result.paragraphs = sum(t.paragraphs for t in loaded)
    result.facts = sum(t.facts for t in loaded)
    result.rows = sum(t.rows for t in loaded)
    if validation is not None:
        result.expectations_passed = validation.expectations_passed
        result.expectations_failed = validation.expectations_failed
    return result


def _doc_ids(warehouse: Any, paths: list[str]) -> list[str]:
    """doc_ids of the loaded files (the load outcome's id is the file's sha256)."""
    from reportflow.acquire import sha256_of

    return sorted({sha256_of(Path(p)) for p in paths})


# --- flow -----------------------------------------------------------------------------------


def start_prefect_server() -> None:
    """Start the ephemeral Prefect server (the first API call does) before the timed flow."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        client.api_healthcheck()


def task_run_durations(flow_run_id: str, settle_s: float = 6.0, timeout_s: float = 60.0) -> dict[str, dict[str, float]]:
    """Per task name: how many task runs, their summed run time and summed wall (start→end).

    The server records task runs from their clients' events in batches, flushed every 5 s
    (reportflow/prefect_server.py): read until every task run is final and their number has
    not changed for ``settle_s``.
    """
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    def read_all(client: Any) -> list[Any]:
        runs: list[Any] = []
        while True:
            page = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[uuid.UUID(flow_run_id)])),
                limit=200,
                offset=len(runs),
            )
            runs += page
            if len(page) < 200:
                return runs

    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + timeout_s
        runs = read_all(client)
        stable_since = time.monotonic()
        while time.monotonic() < deadline:
            settled = all(run.state is not None and run.state.is_final() for run in runs)
            if settled and time.monotonic() - stable_since >= settle_s:
                break
            time.sleep(1.0)
            again = read_all(client)
            if len(again) != len(runs) or not settled:
                stable_since = time.monotonic()
            runs = again
    out: dict[str, dict[str, float]] = defaultdict(lambda: {"count": 0.0, "run_s": 0.0, "wall_s": 0.0})
    for run in runs:
        entry = out[task_name(run.name)]
        entry["count"] += 1
        entry["run_s"] += run.total_run_time.total_seconds() if run.total_run_time else 0.0
        if run.start_time and run.end_time:
            entry["wall_s"] += (run.end_time - run.start_time).total_seconds()
    return dict(out)


def task_name(task_run_name: str) -> str:
    """'process tp0001.pdf' → 'process'; 'validate-a1b' (Prefect's default run name) → 'validate'."""
    if " " in task_run_name:
        return task_run_name.split(" ")[0]
    return task_run_name.rsplit("-", 1)[0]


def run_flow(files: list[Path], workers: int) -> RunResult:
    result = RunResult("flow", workers, len(files))
    start = time.perf_counter()
    from flows.ingest import IngestFailed, ingest

    result.import_s = time.perf_counter() - start
    start = time.perf_counter()
    start_prefect_server()
    result.server_start_s = time.perf_counter() - start
    cpu_start, server_start = tree_cpu_seconds(), prefect_server_cpu_seconds()
    start = time.perf_counter()
    with ThreadCpu() as threads:
        try:
            summary = ingest([str(f) for f in files])
        except IngestFailed as failed:
            summary = failed.summary.as_dict()
    result.wall_s = time.perf_counter() - start
    result.thread_cpu = threads.by_kind()
    result.run_cpu_s = tree_cpu_seconds() - cpu_start
    server_end = prefect_server_cpu_seconds()
    if server_start is not None and server_end is not None:
        result.server_cpu_s = server_end - server_start
    result.documents_ok = summary["documents_ok"]
    result.documents_failed = summary["documents_failed"]
    result.failures = [
        f"{Path(f['path']).name}: {f['stage']}: {f['error_code']}: {f['error']}" for f in summary["failures"]
    ]
    result.pages_text = summary["pages_text"]
    result.pages_ocr = summary["pages_ocr"]
    result.paragraphs = summary["paragraphs"]
    result.facts = summary["facts"]
    result.expectations_passed = summary["expectations_passed"]
    result.expectations_failed = summary["expectations_failed"]
    result.stage_seconds = dict(summary["stage_seconds"])
    result.stages_reused = summary["stages_reused"]
    if result.stages_reused:  # a fresh result store: nothing should be there to reuse
        log.warning("the flow reused %d cached stage results: not a cold run", result.stages_reused)
    try:
        result.task_runs = task_run_durations(summary["run_id"])
    except Exception as exc:  # noqa: BLE001 - the timings above stand without the per-task breakdown
        log.warning("could not read task runs: %s", exc)
    return result


# --- main -----------------------------------------------------------------------------------


def _finish(result: RunResult) -> RunResult:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result.self_maxrss_mb = me.ru_maxrss / 1024  # KiB on Linux
    result.children_maxrss_mb = children.ru_maxrss / 1024
    result.self_cpu_s = me.ru_utime + me.ru_stime
    result.children_cpu_s = children.ru_utime + children.ru_stime
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("mode", choices=("direct", "flow"))
    parser.add_argument("--files", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--workers", type=int, default=0, help="documents at a time (default: as the flow)")
    parser.add_argument("--profile", type=Path, help="direct mode: write one cProfile per stage here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    files = [Path(line) for line in args.files.read_text(encoding="utf-8").splitlines() if line.strip()]
    workers = args.workers or flow_doc_concurrency()
    if args.profile and workers != 1:
        parser.error("--profile needs --workers 1 (cProfile follows one thread)")
    if args.mode == "direct":
        profiles = StageProfiles() if args.profile else _NoProfiles()
        result = run_direct(files, workers, profiles)
        if args.profile:
            profiles.dump(args.profile)
    else:
        result = run_flow(files, workers)
    args.out.write_text(json.dumps(asdict(_finish(result)), indent=1, ensure_ascii=False), encoding="utf-8")
    return 0


def flow_doc_concurrency() -> int:
    """How many documents the flow's thread runner works on at a time (flows.ingest)."""
    value = os.environ.get("REPORTFLOW_DOC_CONCURRENCY")
    return int(value) if value else max(2, os.cpu_count() or 1)


if __name__ == "__main__":
    threading.current_thread().name = "throughput-run"
    raise SystemExit(main())
