"""Smoke tests of the throughput benchmark's harness (benchmarks/throughput_*.py).

No timing is asserted: speed is measured by the benchmark itself. These check that the
corpus is what the benchmark says it is (distinct documents, each about its own region,
nested tiers), that the runner does the flow's work and counts the rows DuckDB really holds,
and that the tables survive a save/load round trip.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from benchmarks import throughput_bench as bench
from benchmarks import throughput_corpus as tc
from benchmarks.throughput_run import task_name

pytestmark = pytest.mark.skipif(
    not (tc.corpus.ZENHEI.exists() and tc.corpus.UMING.exists()), reason="CJK fonts not installed"
)


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("throughput-corpus")


def test_variants_replace_the_region_everywhere_and_keep_the_rest() -> None:
    for n in range(len(tc.LAYOUT_SPECS)):
        spec, region = tc.variant_spec(n)
        own = tc.SOURCE_REGION[spec.source]
        original = tc.corpus.load_truth(spec.source)[spec.first : spec.last]
        varied = tc._region_truth(spec, region)
        joined = "".join(text for _, text in varied)
        assert own not in joined and region in joined
        assert [k for k, _ in varied] == [k for k, _ in original]
        # Only the place name changed: same length (both names have two characters).
        assert [len(t) for _, t in varied] == [len(t) for _, t in original]


def test_variant_names_and_regions_differ() -> None:
    specs = [tc.variant_spec(n) for n in range(120)]
    assert len({spec.name for spec, _ in specs}) == 120
    kaiping = {region for spec, region in specs if spec.source == "kaiping"}
    assert kaiping <= set(tc.known_region_names())
    others = {region for spec, region in specs if spec.source != "kaiping"}
    assert len(others) >= 60  # ~77 variants of the other sources over 100 names


def test_text_tiers_are_nested_distinct_pdfs(corpus_dir: Path) -> None:
    small = tc.text_documents(4, corpus_dir)
    larger = tc.text_documents(9, corpus_dir)
    assert sum(d.pages for d in small) >= 4 and sum(d.pages for d in larger) >= 9
    assert [d.path for d in larger[: len(small)]] == [d.path for d in small]
    digests = {hashlib.sha256(d.path.read_bytes()).hexdigest() for d in larger}
    assert len(digests) == len(larger)  # nothing the pipeline would deduplicate
    assert all(d.path.read_bytes().startswith(b"%PDF-") for d in larger)


def test_scans_are_distinct_images_at_their_dpi(corpus_dir: Path) -> None:
    scans = tc.scan_images(3, corpus_dir)
    assert [s.dpi for s in scans] == [300, 300, 200]
    assert len({hashlib.sha256(s.path.read_bytes()).hexdigest() for s in scans}) == 3
    for scan in scans:
        with Image.open(scan.path) as image:
            assert image.mode == "L"
            assert round(image.info["dpi"][0]) == scan.dpi
            # A4 at the scan's resolution (595 × 842 pt).
            assert abs(image.width - 595.28 * scan.dpi / 72) <= 2


def test_task_names_from_prefect_run_names() -> None:
    assert task_name("process tp0001-rl-a4-kaiping.pdf") == "process"
    assert task_name("process a b.pdf") == "process"
    assert task_name("validate-3f1") == "validate"
    assert task_name("run-report-0a2") == "run-report"
    assert task_name("publish-7c0") == "publish"


def test_direct_run_does_the_flows_work_and_counts_the_rows(corpus_dir: Path, tmp_path: Path) -> None:
    docs = tc.text_documents(4, corpus_dir)
    run = bench.run_process("direct", [d.path for d in docs], tmp_path / "direct", workers=2)
    result = run.result
    assert result["documents_ok"] == len(docs) and result["documents_failed"] == 0
    assert result["pages_text"] == sum(d.pages for d in docs) and result["pages_ocr"] == 0
    assert set(result["stage_wall"]) >= {"acquire", "extract", "repair", "facts", "load", "validate", "publish"}
    assert result["expectations_passed"] > 0
    # Every stage is inside the measured run.
    assert result["wall_s"] >= max(result["stage_wall"].values())
    assert 0 < result["insert_wall"] <= result["stage_wall"]["load"]
    assert run.tree_peak_rss_mb > 0 and result["self_maxrss_mb"] > 0
    published = tmp_path / "direct" / "warehouse" / "reportflow.duckdb"
    with duckdb.connect(str(published), read_only=True) as con:
        rows = sum(
            con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
            for table in ("documents", "pages", "paragraphs", "paragraph_geometry", "facts")
        )
        facts = con.execute("SELECT count(*) FROM facts").fetchone()[0]  # type: ignore[index]
    assert rows == result["rows"]
    assert facts == result["facts"] > 0


def test_tables_round_trip_through_json(tmp_path: Path) -> None:
    machine = bench.Machine(2, 23.5, "test cpu", (1.0, 1.0, 1.0), "3.11", {"prefect": "3"})
    stage = {"acquire": 0.1, "extract": 2.0, "repair": 1.0, "facts": 0.5, "load": 1.0, "start": 0.1,
             "gx_import": 3.0, "validate": 2.0, "report": 0.2, "publish": 0.1}
    result = {
        "mode": "direct", "workers": 2, "files": 3, "wall_s": 10.0, "import_s": 0.5, "server_start_s": 0.0,
        "documents_ok": 3, "documents_failed": 0, "failures": [], "pages_text": 12, "pages_ocr": 0,
        "paragraphs": 100, "facts": 50, "rows": 200, "stage_wall": stage, "stage_cpu": stage,
        "insert_wall": 0.5, "task_runs": {}, "expectations_passed": 40, "expectations_failed": 0,
        "self_maxrss_mb": 400.0, "children_maxrss_mb": 0.0, "self_cpu_s": 9.0, "children_cpu_s": 0.0,
        "run_cpu_s": 9.0,
    }
    flow = dict(result, mode="flow", wall_s=12.5, run_cpu_s=12.0, server_start_s=4.0,
                task_runs={"process": {"count": 3, "run_s": 4.5, "wall_s": 4.6},
                           "validate": {"count": 1, "run_s": 5.5, "wall_s": 5.5},
                           "publish": {"count": 1, "run_s": 0.2, "wall_s": 0.2}},
                stage_seconds={"extract": 2.5, "layout": 1.2, "facts": 0.6, "load": 1.1}, stages_reused=0)
    tier = bench.Tier("text", 10, 3, 12, 1.0)
    tier.direct = bench.ProcessRun(result, 11.0, 420.0, 9.5, 1.0, 1.2)
    tier.flow = bench.ProcessRun(flow, 20.0, 700.0, 14.0, 1.2, 1.3)
    tier.references = [bench.Reference("pdftotext", 1, 0.2, 0.2), bench.Reference("pdftotext", 2, 0.1, 0.2)]
    path = tmp_path / "saved.json"
    bench.save(path, machine, [tier])
    machine2, tiers2 = bench._load(path)
    assert machine2 == machine
    header, rows = bench.summary_rows(tiers2)
    assert all(len(row) == len(header) for row in rows)
    named = dict(zip(header, rows[0]))
    assert named["direct p/s"] == "1.2" and named["flow p/s"] == "0.96"
    assert named["Prefect share wall"] == "+20%"  # (12.5 − 10) / 12.5
    assert named["DuckDB insert rows/s"] == "400.0"
    assert named["ref p/s 2 procs"] == "120.0"
    # Per-document stages only: 10 s minus the run-level stages (0.1 + 3 + 2 + 0.2 + 0.1).
    assert named["direct p/s per-doc stages"] == f"{12 / 4.6:.1f}"
    for rows_of in (bench.stage_rows, bench.flow_task_rows, bench.reference_rows, bench.context_rows):
        header, rows = rows_of(tiers2)
        assert rows and all(len(row) == len(header) for row in rows)
    # Flow / direct per stage: the flow's stages from its summary (layout is the repair
    # column), run-level steps from their task runs; acquire happens inside the process task.
    header, rows = bench.flow_task_rows(tiers2)
    per_stage = dict(zip(header, rows[0]))
    assert per_stage["acquire s flow / direct"] == "– / 0.1"
    assert per_stage["extract s flow / direct"] == "2.5 / 2.0"
    assert per_stage["repair s flow / direct"] == "1.2 / 1.0"
    assert per_stage["load s flow / direct"] == "1.1 / 1.0"
    assert per_stage["validate s flow / direct"] == "5.5 / 2.0"
    assert per_stage["report s flow / direct"] == "– / 0.2"  # no run-report task run in this flow
    assert per_stage["process tasks s flow / direct acquire…facts"] == "4.5 / 3.6"
    assert per_stage["task runs"] == "5"
    assert json.loads(path.read_text())["tiers"][0]["pages"] == 12


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_reference_runs_every_command(corpus_dir: Path, tmp_path: Path) -> None:
    docs = tc.text_documents(4, corpus_dir)
    marker = tmp_path / "ran"
    marker.mkdir()
    commands = [["pdftotext", "-enc", "UTF-8", str(d.path), str(marker / f"{i}.txt")] for i, d in enumerate(docs)]
    ref = bench.run_reference("pdftotext", commands, processes=2)
    assert ref.processes == 2 and ref.wall_s > 0
    outputs = sorted(marker.iterdir())
    assert len(outputs) == len(docs)
    assert all(p.read_text(encoding="utf-8").strip() for p in outputs)


def test_direct_run_computes_every_stage_through_the_pipeline(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The direct run calls what the flow's process task calls, with no cache, timed per stage."""
    import reportflow.pipeline
    from benchmarks import throughput_run
    from reportflow.acquire import AcquiredDocument
    from reportflow.config import Settings

    calls: list[reportflow.pipeline.StageCache | None] = []
    original = reportflow.pipeline.compute_document

    def spy(acquired: AcquiredDocument, settings: Settings,
            cache: reportflow.pipeline.StageCache | None = None) -> reportflow.pipeline.ComputedDocument:
        calls.append(cache)
        return original(acquired, settings, cache)

    monkeypatch.setattr(reportflow.pipeline, "compute_document", spy)
    doc = tc.text_documents(4, corpus_dir)[0]
    settings = Settings(db_path=tmp_path / "w.duckdb", archive_dir=tmp_path / "archive")
    profiles = throughput_run.StageProfiles()
    computed = throughput_run.compute_document(doc.path, settings, profiles)
    assert computed.error is None and computed.document.facts
    assert len(calls) == 1 and isinstance(calls[0], throughput_run.TimedStages)
    # Every stage computed (as NoStageCache), timed and profiled under the benchmark's names.
    assert set(computed.timing.wall) == set(computed.timing.cpu) == {"acquire", "extract", "repair", "facts"}
    assert set(profiles.profiles) == {"acquire", "extract", "repair", "facts"}
    value, cached = calls[0].get_or_compute("layout", computed.acquired, settings, lambda: 42)
    assert (value, cached) == (42, False)


def test_direct_run_records_a_failed_stage_as_the_flow_does(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reportflow.pipeline
    from benchmarks import throughput_run
    from reportflow import db as warehouse_db
    from reportflow.config import Settings
    from reportflow.errors import NoTextError

    def broken(extracted: object) -> object:
        raise NoTextError("nothing to repair")

    monkeypatch.setattr(reportflow.pipeline, "repair_layout", broken)
    doc = tc.text_documents(4, corpus_dir)[0]
    settings = Settings(db_path=tmp_path / "w.duckdb", archive_dir=tmp_path / "archive")
    profiles = throughput_run._NoProfiles()
    computed = throughput_run.compute_document(doc.path, settings, profiles)
    # The stage and the typed cause, not pipeline.StageFailed (whose error code would be lost).
    assert computed.stage == "layout" and isinstance(computed.error, NoTextError)
    assert computed.acquired is not None and "repair" in computed.timing.wall
    with warehouse_db.Warehouse(settings.db_path).batched_writer() as writer:
        timing = throughput_run.load_computed(computed, settings, writer, profiles)
        assert not timing.ok and timing.error == "layout: no_text: nothing to repair"
        with writer.write() as con:
            row = con.execute("SELECT status, error_code FROM documents").fetchall()
    assert row == [("failed", "no_text")]


def test_flow_run_keeps_the_summarys_stage_times(monkeypatch: pytest.MonkeyPatch) -> None:
    """run_flow reads the flow's own summary (flows.ingest.RunSummary), failed run or not."""
    import flows.ingest
    from benchmarks import throughput_run

    summary = flows.ingest.RunSummary(run_id="00000000-0000-0000-0000-000000000001", db_path="w.duckdb",
                                      documents_ok=2, pages_text=5, facts=7,
                                      stage_seconds={"extract": 1.5, "layout": 0.5, "facts": 0.25, "load": 0.1})
    task_runs = {"process": {"count": 3.0, "run_s": 2.5, "wall_s": 2.6}}
    monkeypatch.setattr(throughput_run, "start_prefect_server", lambda: None)
    monkeypatch.setattr(throughput_run, "task_run_durations", lambda run_id: task_runs)
    monkeypatch.setattr(flows.ingest, "ingest", lambda paths: summary.as_dict())
    result = throughput_run.run_flow([Path("a.pdf"), Path("b.pdf")], 2)
    assert result.stage_seconds == summary.stage_seconds and result.stages_reused == 0
    assert result.task_runs == task_runs and result.facts == 7 and result.documents_ok == 2

    summary.documents_failed = 1
    summary.failures = [flows.ingest.FailedDocument("/in/c.pdf", "extract", "corrupt_pdf", "bad xref")]

    def failing(paths: list[str]) -> dict[str, object]:
        raise flows.ingest.IngestFailed(summary)

    monkeypatch.setattr(flows.ingest, "ingest", failing)
    result = throughput_run.run_flow([Path("c.pdf")], 2)
    assert result.failures == ["c.pdf: extract: corrupt_pdf: bad xref"]
    assert result.stage_seconds["extract"] == 1.5
