"""Two `reportflow ingest` runs at once on overlapping inputs, while analysts read the database.

One reader process holds a read-only connection to the published file open for the whole
test and keeps querying it (a notebook left open); another reopens the file over and over
and records what each snapshot holds. Both runs must succeed, the final tables must equal a
single run over the same inputs, and no snapshot may ever hold part of a document.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from ops_support import (
    REPO,
    REPORTFLOW,
    PrefectServer,
    age_files,
    gold_paragraphs,
    prefect_server,
    query,
    read_jsonl,
    stop_process_group,
    table_snapshot,
    write_gold_text,
    write_text_pdf,
)

from reportflow import db as warehouse_db

pytestmark = [pytest.mark.server, pytest.mark.slow]

HOLDER = r"""
import json, sys, time, duckdb
path, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
con = duckdb.connect(path, read_only=True)   # opened once, never closed: a notebook left open
counts, errors = set(), []
while not Path(stop).exists():
    try:
        counts.add(con.execute("SELECT count(*) FROM facts").fetchall()[0][0])
    except Exception as exc:
        errors.append(repr(exc))
    time.sleep(0.1)
Path(out).write_text(json.dumps({"counts": sorted(counts), "errors": errors}))
"""

POLLER = r"""
import json, sys, time, duckdb
path, out, stop = sys.argv[1], sys.argv[2], sys.argv[3]
from pathlib import Path
with open(out, "a") as log:
    while not Path(stop).exists():
        try:
            con = duckdb.connect(path, read_only=True)
            docs = con.execute(
                "SELECT d.doc_id, d.status,"
                " (SELECT count(*) FROM paragraphs p WHERE p.doc_id = d.doc_id),"
                " (SELECT count(*) FROM facts f WHERE f.doc_id = d.doc_id),"
                " (SELECT count(*) FROM pages g WHERE g.doc_id = d.doc_id) FROM documents d").fetchall()
            orphans = con.execute(
                "SELECT count(*) FROM facts WHERE doc_id NOT IN (SELECT doc_id FROM documents)").fetchall()[0][0]
            duplicates = con.execute("SELECT count(*) - count(DISTINCT fact_id) FROM facts").fetchall()[0][0]
            con.close()
            log.write(json.dumps({"docs": docs, "orphans": orphans, "duplicates": duplicates}) + "\n")
        except Exception as exc:
            log.write(json.dumps({"error": repr(exc)}) + "\n")
        log.flush()
        time.sleep(0.05)
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> PrefectServer:
    with prefect_server(tmp_path_factory.mktemp("prefect-home")) as running:
        yield running


def _ingest(server: PrefectServer, paths: list[Path], db: Path, archive: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [*REPORTFLOW, "ingest", *map(str, paths), "--db", str(db)],
        cwd=REPO,
        env=server.env(REPORTFLOW_ARCHIVE=str(archive), COLUMNS="200"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_runs_at_once_with_readers(server: PrefectServer, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    files = [
        write_gold_text(inbox, "000"),
        write_gold_text(inbox, "001"),
        write_text_pdf(inbox / "jiangmen-2023-report-columns.pdf", gold_paragraphs("002")[:12]),
        write_text_pdf(inbox / "xinhui-2023-report-digest.pdf", gold_paragraphs("001")[:40]),
    ]
    age_files(inbox)
    archive = tmp_path / "archive"  # content-addressed: both warehouses may share it
    db = tmp_path / "shared" / "reportflow.duckdb"
    warehouse = warehouse_db.Warehouse(db)
    with warehouse.write():
        pass
    warehouse.publish()  # the analysts' file exists (empty) before the runs start

    stop = tmp_path / "stop-readers"
    holder_out, poller_out = tmp_path / "holder.json", tmp_path / "poller.jsonl"
    readers = [
        subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(db), str(holder_out), str(stop)], start_new_session=True
        ),
        subprocess.Popen(
            [sys.executable, "-c", POLLER, str(db), str(poller_out), str(stop)], start_new_session=True
        ),
    ]
    try:
        runs = [_ingest(server, files[:3], db, archive), _ingest(server, files[1:], db, archive)]
        outputs = [run.communicate(timeout=900)[0] for run in runs]
        assert [run.returncode for run in runs] == [0, 0], "\n\n".join(outputs)
        stop.touch()
        for reader in readers:
            assert reader.wait(timeout=60) == 0
    finally:
        stop.touch()
        for reader in readers:
            stop_process_group(reader)

    # the notebook left open was never blocked, never failed, and kept its snapshot
    holder = json.loads(holder_out.read_text())
    assert holder == {"counts": [0], "errors": []}

    # the final tables equal one run over the same inputs
    reference = tmp_path / "reference" / "reportflow.duckdb"
    single = _ingest(server, files, reference, archive)
    output = single.communicate(timeout=900)[0]
    assert single.returncode == 0, output
    final = table_snapshot(db)
    assert final == table_snapshot(reference)
    assert query(db, "SELECT count(*) FROM documents WHERE status = 'ok'") == [(4,)]
    assert [row[0] for row in query(db, "SELECT status FROM runs")] == ["completed", "completed"]

    # no snapshot ever held part of a document
    expected = {
        doc_id: (paragraphs, facts, pages)
        for doc_id, paragraphs, facts, pages in query(
            db,
            "SELECT d.doc_id, (SELECT count(*) FROM paragraphs p WHERE p.doc_id = d.doc_id),"
            " (SELECT count(*) FROM facts f WHERE f.doc_id = d.doc_id),"
            " (SELECT count(*) FROM pages g WHERE g.doc_id = d.doc_id) FROM documents d",
        )
    }
    snapshots = read_jsonl(poller_out)
    assert len(snapshots) > 20, "the poller kept reading during the runs"
    assert [s for s in snapshots if "error" in s] == []
    seen_counts = set()
    for snapshot in snapshots:
        assert snapshot["orphans"] == 0 and snapshot["duplicates"] == 0
        for doc_id, status, paragraphs, facts, pages in snapshot["docs"]:
            assert status == "ok" and (paragraphs, facts, pages) == expected[doc_id], doc_id
        seen_counts.add(len(snapshot["docs"]))
    assert max(seen_counts) == 4 and min(seen_counts) == 0, "the poller saw the file before and after"
