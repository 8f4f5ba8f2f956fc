"""The ingest flow end to end (in-process Prefect): summary, archive, runs, idempotency, cache reuse."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdfium2
import pytest
from ops_support import (
    age_files,
    gold_paragraphs,
    query,
    read_jsonl,
    table_snapshot,
    write_gold_text,
    write_text_pdf,
)

pytestmark = pytest.mark.slow  # two flow runs with validation: ~1 min


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three report texts and one real text-layer PDF (the first 40 paragraphs of the xinhui digest)."""
    folder = tmp_path_factory.mktemp("inbox")
    for number in ("000", "001", "002"):
        write_gold_text(folder, number)
    write_text_pdf(folder / "pdf" / "xinhui-2023-report-digest.pdf", gold_paragraphs("001")[:40])
    age_files(folder)
    return folder


def test_ingesting_an_inbox_twice_leaves_identical_tables(
    inbox: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.ingest import ingest

    stage_log = tmp_path / "stages.jsonl"
    monkeypatch.setenv("REPORTFLOW_STAGE_LOG", str(stage_log))
    db = tmp_path / "wh" / "reportflow.duckdb"

    first = ingest(paths=[str(inbox)], db=str(db))

    pdf_pages = len(pypdfium2.PdfDocument(str(inbox / "pdf" / "xinhui-2023-report-digest.pdf")))
    assert pdf_pages >= 2
    assert (first["documents_ok"], first["documents_failed"], first["documents_unchanged"]) == (4, 0, 0)
    assert first["pages_text"] == 3 + pdf_pages and first["pages_ocr"] == 0
    assert first["facts"] == query(db, "SELECT count(*) FROM facts")[0][0] > 100
    assert first["paragraphs"] == query(db, "SELECT count(*) FROM paragraphs")[0][0]
    assert query(db, "SELECT count(*) FROM pages WHERE method = 'text'")[0][0] == 3 + pdf_pages
    # every document's raw bytes are archived under their sha256
    for doc_id, archive_path, status in query(db, "SELECT doc_id, archive_path, status FROM documents"):
        assert status == "ok"
        assert hashlib.sha256(Path(archive_path).read_bytes()).hexdigest() == doc_id
    assert query(db, "SELECT status, documents_ok, documents_failed FROM runs") == [("completed", 4, 0)]
    if first.get("report_path"):
        assert Path(first["report_path"]).is_file()
    computed = read_jsonl(stage_log)
    assert sorted((r["stage"], r["file_name"]) for r in computed if r["stage"] == "extract") == sorted(
        ("extract", p.name) for p in inbox.rglob("*.*")
    )
    before = table_snapshot(db)

    second = ingest(paths=[str(inbox)], db=str(db))

    assert (second["documents_ok"], second["documents_unchanged"], second["documents_failed"]) == (4, 4, 0)
    assert second["facts"] == first["facts"] and second["pages_text"] == first["pages_text"]
    assert table_snapshot(db) == before
    assert read_jsonl(stage_log) == computed, "the second run recomputed nothing"
    assert [row[0] for row in query(db, "SELECT status FROM runs")] == ["completed", "completed"]
    results = db.parent / ".cache" / "prefect-results"
    assert any(p.name.startswith("extract-") for p in results.iterdir()), (
        "results persist next to the warehouse"
    )


def test_same_bytes_under_two_names_in_one_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two copies of one file: one document (content identity), computed once, loaded once."""
    from flows.ingest import ingest

    folder = tmp_path / "in"
    original = write_gold_text(folder, "002")
    (folder / "copy").mkdir()
    (folder / "copy" / original.name).write_bytes(original.read_bytes())
    age_files(folder)
    stage_log = tmp_path / "stages.jsonl"
    monkeypatch.setenv("REPORTFLOW_STAGE_LOG", str(stage_log))
    db = tmp_path / "wh" / "r.duckdb"

    summary = ingest(paths=[str(folder)], db=str(db))

    assert (summary["documents_ok"], summary["documents_unchanged"]) == (2, 1)
    assert query(db, "SELECT count(*) FROM documents")[0][0] == 1
    assert [r["stage"] for r in read_jsonl(stage_log)].count("extract") == 1


def test_an_empty_inbox_touches_nothing(tmp_path: Path) -> None:
    """A scheduled run over an empty inbox records, validates and publishes nothing."""
    from flows.ingest import ingest

    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / ".still-uploading.pdf").write_bytes(b"%PDF-1.7")
    db = tmp_path / "wh" / "r.duckdb"

    summary = ingest(paths=[str(tmp_path / "inbox")], db=str(db))

    assert (summary["documents_ok"], summary["documents_failed"], summary["failures"]) == (0, 0, [])
    assert not db.parent.exists()
