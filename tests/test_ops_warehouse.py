"""The warehouse's publishing model: one writer at a time, readers never blocked, whole documents.

Documents are the real pipeline's output for the gold report texts (reportflow.pipeline).
"""

from __future__ import annotations

import multiprocessing
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from ops_support import GOLD_NAMES, table_snapshot, write_gold_text

from reportflow import db as warehouse_db
from reportflow.config import Settings
from reportflow.pipeline import ProcessedDocument, process_document

VERSION = "test-v1"


def _processed(folder: Path, number: str, name: str | None = None) -> ProcessedDocument:
    settings = Settings(db_path=folder / "wh" / "r.duckdb", archive_dir=folder / "archive")
    return process_document(write_gold_text(folder / "in", number, name=name), settings)


def _load(warehouse: warehouse_db.Warehouse, doc: ProcessedDocument, version: str = VERSION) -> str:
    with warehouse.write() as con:
        return warehouse_db.load_document(
            con, doc.acquired, doc.extracted, doc.paragraphs, doc.context, doc.facts, version
        ).action


def _counts(con: duckdb.DuckDBPyConnection, doc_id: str) -> tuple[int, int, int]:
    row = con.execute(
        "SELECT (SELECT count(*) FROM documents WHERE doc_id = $1), (SELECT count(*) FROM paragraphs WHERE doc_id = $1),"
        " (SELECT count(*) FROM facts WHERE doc_id = $1)",
        [doc_id],
    ).fetchall()[0]
    return row


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ProcessedDocument]:
    folder = tmp_path_factory.mktemp("docs")
    return {number: _processed(folder, number) for number in GOLD_NAMES}


def test_loading_twice_is_unchanged_and_a_new_version_replaces_rows(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    doc = docs["000"]
    assert doc.facts, "the kaiping text has facts"
    assert _load(warehouse, doc) == "loaded"
    assert _load(warehouse, doc) == "unchanged"
    assert _load(warehouse, doc, "test-v2") == "loaded"
    warehouse.publish()
    con = warehouse.connect_published()
    try:
        assert _counts(con, doc.acquired.doc_id) == (1, len(doc.paragraphs), len(doc.facts))
        assert con.execute("SELECT pipeline_version FROM documents").fetchall() == [("test-v2",)]
        duplicated = con.execute("SELECT count(*) - count(DISTINCT fact_id) FROM facts").fetchall()[0][0]
        assert duplicated == 0
    finally:
        con.close()


def test_outcome_counts_what_was_loaded(tmp_path: Path, docs: dict) -> None:
    doc = docs["002"]
    with warehouse_db.Warehouse(tmp_path / "r.duckdb").write() as con:
        outcome = warehouse_db.load_document(
            con, doc.acquired, doc.extracted, doc.paragraphs, doc.context, doc.facts, VERSION
        )
    assert (outcome.pages_text, outcome.pages_ocr, outcome.paragraphs, outcome.facts) == (
        1,
        0,
        len(doc.paragraphs),
        len(doc.facts),
    )


def test_a_fixed_file_replaces_its_failure_row(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    doc = docs["001"]
    with warehouse.write() as con:
        warehouse_db.record_failure(con, doc.acquired.source_path, "truncated", "corrupt_pdf", VERSION)
        assert con.execute("SELECT status, error_code FROM documents").fetchall() == [
            ("failed", "corrupt_pdf")
        ]
        again = warehouse_db.record_failure(
            con, doc.acquired.source_path, "truncated", "corrupt_pdf", VERSION
        )
        assert again.action == "failed"
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(1,)]
    assert _load(warehouse, doc) == "loaded"
    with warehouse.write() as con:
        assert con.execute("SELECT status, doc_id FROM documents").fetchall() == [("ok", doc.acquired.doc_id)]


def test_schema_is_applied_once_per_schema_version(tmp_path: Path) -> None:
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    try:
        assert warehouse_db.ensure_schema(con) is True
        assert warehouse_db.ensure_schema(con) is False
        con.execute("UPDATE schema_state SET digest = 'older'")
        assert warehouse_db.ensure_schema(con) is True
        tables = {row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        assert set(warehouse_db.DATA_TABLES) <= tables
    finally:
        con.close()


def test_a_retried_run_keeps_one_runs_row(tmp_path: Path) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    with warehouse.write() as con:
        warehouse_db.start_run(con, "run-1", "flow-run-1")
        warehouse_db.finish_run(con, "run-1", "failed", {"documents_ok": 2, "documents_failed": 1})
        warehouse_db.start_run(con, "run-1", "flow-run-1")  # Retry in the UI: same flow run id
        warehouse_db.finish_run(con, "run-1", "completed", {"documents_ok": 3, "documents_failed": 0})
        rows = con.execute("SELECT status, documents_ok, documents_failed FROM runs").fetchall()
    assert rows == [("completed", 3, 0)]


def test_publish_replaces_the_file_atomically(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    _load(warehouse, docs["000"])
    warehouse.publish()
    first_inode = warehouse.path.stat().st_ino
    _load(warehouse, docs["001"])
    warehouse.publish()
    assert warehouse.path.stat().st_ino != first_inode, "a new file renamed over the old one"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".publishing")]
    assert leftovers == []


READER = r"""
import sys, duckdb
path = sys.argv[1]
con = duckdb.connect(path, read_only=True)
def count():
    return con.execute("SELECT count(*) FROM documents").fetchall()[0][0]
print("open", count(), flush=True)
for line in sys.stdin:
    if line.strip() == "same":
        print("same", count(), flush=True)
    elif line.strip() == "reopen":
        con.close()
        con = duckdb.connect(path, read_only=True)
        print("reopen", count(), flush=True)
    else:
        break
con.close()
"""


def test_an_open_reader_neither_blocks_a_run_nor_is_blocked(tmp_path: Path, docs: dict) -> None:
    """An analyst's notebook holds the published file open (read-only) while a run loads and
    publishes; they keep their snapshot, see the new one when they reconnect, and a run
    holding the writer lock does not stop them from opening the file."""
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    _load(warehouse, docs["000"])
    warehouse.publish()
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(warehouse.path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdin is not None and reader.stdout is not None
    try:
        assert reader.stdout.readline().split() == ["open", "1"]
        started = time.monotonic()
        assert _load(warehouse, docs["001"]) == "loaded"
        warehouse.publish()
        assert time.monotonic() - started < 20, "the writer was not held up by the reader"
        reader.stdin.write("same\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == ["same", "1"], "the open connection keeps its snapshot"
        with warehouse.write():  # a run holds the writer lock and the working copy open
            reader.stdin.write("reopen\n")
            reader.stdin.flush()
            assert reader.stdout.readline().split() == ["reopen", "2"]
        reader.stdin.write("quit\n")
        reader.stdin.flush()
        assert reader.wait(timeout=30) == 0
    finally:
        if reader.poll() is None:
            reader.kill()
            reader.wait()


def _load_in_process(db_path: str, documents: list[ProcessedDocument]) -> None:
    warehouse = warehouse_db.Warehouse(Path(db_path))
    for doc in documents:
        _load(warehouse, doc)
        warehouse.publish()


def test_processes_loading_at_once_are_serialised(tmp_path: Path, docs: dict) -> None:
    """Three processes load overlapping documents and publish after each: every load waits
    for the flock, nothing is duplicated, and the published file is whole."""
    jobs = [["000", "001"], ["001", "002"], ["002", "000"]]
    ctx = multiprocessing.get_context("spawn")
    db_path = tmp_path / "r.duckdb"
    processes = [
        ctx.Process(target=_load_in_process, args=(str(db_path), [docs[n] for n in job])) for job in jobs
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=240)
        assert process.exitcode == 0
    sequential = tmp_path / "seq" / "r.duckdb"
    _load_in_process(str(sequential), [docs[n] for n in GOLD_NAMES])
    assert table_snapshot(db_path) == table_snapshot(sequential)
    assert len(table_snapshot(db_path)["documents"]) == 3


def _lock_is_free(lock_path: Path) -> bool:
    """Whether another process could take the writer lock right now (flock is per process here)."""
    probe = (
        "import fcntl, sys\n"
        "with open(sys.argv[1], 'a') as h:\n"
        "    try:\n"
        "        fcntl.flock(h, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "    except OSError:\n"
        "        sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", probe, str(lock_path)], check=False, timeout=60).returncode == 0


def _load_with(writer: warehouse_db.BatchedWriter, doc: ProcessedDocument) -> str:
    with writer.write() as con:
        return warehouse_db.load_document(
            con, doc.acquired, doc.extracted, doc.paragraphs, doc.context, doc.facts, VERSION
        ).action


def test_a_batched_writer_loads_several_documents_through_one_connection(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    with warehouse.batched_writer(idle_s=60) as writer:
        assert [_load_with(writer, docs[n]) for n in GOLD_NAMES] == ["loaded"] * 3
        assert writer.opened == 1 and writer.held
        assert not _lock_is_free(warehouse.lock_path), "other runs wait while the batch is open"
        writer.release()
        assert not writer.held and _lock_is_free(warehouse.lock_path)
        assert _load_with(writer, docs["000"]) == "unchanged"
        assert writer.opened == 2
    assert _lock_is_free(warehouse.lock_path), "leaving the block lets go of the lock"
    warehouse.publish()
    batched = table_snapshot(warehouse.path)
    sequential = warehouse_db.Warehouse(tmp_path / "seq" / "r.duckdb")
    for number in GOLD_NAMES:
        _load(sequential, docs[number])
    sequential.publish()
    assert batched == table_snapshot(sequential.path), "a batch writes exactly what one-by-one loads write"


def test_a_batched_writer_lets_go_when_idle(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    with warehouse.batched_writer(idle_s=0.3) as writer:
        _load_with(writer, docs["000"])
        assert writer.held and not _lock_is_free(warehouse.lock_path)
        deadline = time.monotonic() + 10
        while writer.held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not writer.held and _lock_is_free(warehouse.lock_path), "idle: connection closed, lock free"
        assert _load_with(writer, docs["001"]) == "loaded"
        assert writer.opened == 2


def test_a_batched_writer_lets_other_runs_in_after_max_hold(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    with warehouse.batched_writer(max_hold_s=0.0) as writer:
        for number in GOLD_NAMES:
            _load_with(writer, docs[number])
            time.sleep(0.01)
        assert writer.opened == 3, "held longer than max_hold_s: reopened for every write"


def test_a_failed_write_in_a_batch_is_rolled_back_and_the_batch_goes_on(tmp_path: Path, docs: dict) -> None:
    warehouse = warehouse_db.Warehouse(tmp_path / "r.duckdb")
    with warehouse.batched_writer() as writer:
        _load_with(writer, docs["000"])
        with pytest.raises(duckdb.Error), writer.write() as con:
            con.execute("BEGIN TRANSACTION")
            con.execute("DELETE FROM facts")
            con.execute("SELECT * FROM no_such_table")
        assert not writer.held, "a failed write drops the connection"
        assert _load_with(writer, docs["001"]) == "loaded"
    warehouse.publish()
    con = warehouse.connect_published()
    try:
        assert _counts(con, docs["000"].acquired.doc_id)[2] == len(docs["000"].facts), "the failed delete left no trace"
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(2,)]
    finally:
        con.close()
