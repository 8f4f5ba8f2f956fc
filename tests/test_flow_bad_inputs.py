"""Bad input end to end: one `reportflow ingest` over broken, awkward and good files.

Every bad file must fail alone with a clear `documents.status/error/error_code` and a line in
the run summary, the good files of the same run must load, every raw file must stay in the
archive, and the command must exit non-zero naming the failures. A file still being written
into the inbox is retried with backoff and then ingested.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pypdfium2
import pytest
from conftest import REALDOCS
from ops_support import (
    REPO,
    REPORTFLOW,
    age_files,
    gold_paragraphs,
    query,
    quiet_env,
    write_gold_text,
    write_text_pdf,
)
from PIL import Image

from reportflow import progress

ROBUSTNESS = REALDOCS / "robustness"

# file name → the error codes a user may see (one unless the file is ambiguous, e.g. a page
# tree PDFium reads as one blank page is 'no text' rather than 'no pages').
MADE_BAD: dict[str, set[str]] = {
    "empty.pdf": {"empty_file"},
    "empty.txt": {"empty_file"},
    "truncated-download.pdf": {"corrupt_pdf"},
    "not-a-pdf.pdf": {"corrupt_pdf"},
    "no-pages.pdf": {"no_pages"},
    "blank-scan.png": {"no_text"},
    "zip-named.txt": {"unsupported_input"},
}
REAL_BAD: dict[str, set[str]] = {
    "pdfplumber__password-example_pw-test.pdf": {"encrypted_pdf"},  # RC4, user password
    "pdfminer__aes-256-r6_pw-usersecret.pdf": {"encrypted_pdf"},  # AES-256 R6, user password
    "pdfjs__issue15590_no_page_tree_js.pdf": {"no_pages", "no_text", "corrupt_pdf"},
    "ocrmypdf__invalid_not_a_pdf.pdf": {"corrupt_pdf"},  # %PDF header, then plain text
    "pdfjs__poppler-395-0-fuzzed.pdf": {"corrupt_pdf"},
    "pdfplumber__empty_zero_bytes.pdf": {"empty_file"},
}
REAL_GOOD = (
    "pdfjs__issue9418_broken_xref.pdf",  # broken xref that PDFium repairs
    "pypdf__r6-owner-password_openable.pdf",  # encrypted with an owner password only: opens
    "ocrmypdf__hugemono_8400pt_page.pdf",  # an 8400 pt square scan with one line of text
)
HUGE_PAGE = "ocrmypdf__hugemono_8400pt_page.pdf"
MADE_GOOD = (
    "kaiping-2023-report-summary.pdf",
    "xinhui-2023-report-digest-gb18030.txt",
    "jiangmen-2023-report-columns-utf16.txt",
)


def _make_inbox(folder: Path, with_realdocs: bool) -> None:
    folder.mkdir(parents=True)
    pdf = write_text_pdf(folder / "kaiping-2023-report-summary.pdf", gold_paragraphs("000")[:60])
    write_gold_text(folder, "001", "gb18030", name="xinhui-2023-report-digest-gb18030.txt")
    write_gold_text(folder, "002", "utf-16", name="jiangmen-2023-report-columns-utf16.txt")
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "empty.txt").write_bytes(b"")
    data = pdf.read_bytes()
    (folder / "truncated-download.pdf").write_bytes(data[: len(data) // 2])
    (folder / "not-a-pdf.pdf").write_text("<html><body>404 报告未找到</body></html>\n", encoding="utf-8")
    pypdfium2.PdfDocument.new().save(str(folder / "no-pages.pdf"))
    Image.new("L", (1240, 1754), 255).save(folder / "blank-scan.png")
    (folder / "zip-named.txt").write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)
    if with_realdocs:
        for name in (*REAL_BAD, *REAL_GOOD):
            shutil.copyfile(ROBUSTNESS / name, folder / name)
    age_files(folder)


@pytest.mark.slow
def test_one_run_over_bad_inputs(tmp_path: Path) -> None:
    with_realdocs = ROBUSTNESS.is_dir()
    inbox = tmp_path / "inbox"
    _make_inbox(inbox, with_realdocs)
    expected_bad = {**MADE_BAD, **(REAL_BAD if with_realdocs else {})}
    expected_good = {*MADE_GOOD, *(REAL_GOOD if with_realdocs else ())}
    db = tmp_path / "wh" / "reportflow.duckdb"

    result = subprocess.run(
        [*REPORTFLOW, "ingest", str(inbox), "--db", str(db)],
        cwd=REPO,
        env=quiet_env(COLUMNS="250"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    # the run summary names every failure with its code and message …
    failure_lines = [line for line in result.stdout.splitlines() if line.startswith("✗ ")]
    assert len(failure_lines) == len(expected_bad), result.stdout
    for name, codes in expected_bad.items():
        line = next(line for line in failure_lines if f"/{name}: " in line)
        assert any(f": {code} at extract: " in line for code in codes), line
    assert "failed documents:" in result.stderr
    for name in expected_bad:
        assert name in result.stderr
    # … and so does the warehouse, which also holds the good documents of the same run
    rows = {
        Path(source).name: (status, code, error, archive)
        for source, status, code, error, archive in query(
            db, "SELECT source_path, status, error_code, error, archive_path FROM documents"
        )
    }
    assert set(rows) == set(expected_bad) | expected_good
    for name, codes in expected_bad.items():
        status, code, error, archive = rows[name]
        assert status == "failed" and code in codes, (name, code, error)
        assert error and len(error) > 15, f"{name}: a message a user can act on"
    for name in expected_good:
        assert rows[name][0] == "ok", (name, rows[name])
    # every raw file, good or bad, is archived byte for byte
    for name, (_, _, _, archive) in rows.items():
        assert archive is not None and Path(archive).read_bytes() == (inbox / name).read_bytes(), name
    # the .txt encodings were recognised and their facts extracted
    notes = dict(
        query(
            db,
            "SELECT d.file_name, p.note FROM pages p JOIN documents d USING (doc_id) WHERE d.media_type = 'text'",
        )
    )
    assert "gb18030" in notes["xinhui-2023-report-digest-gb18030.txt"]
    assert "utf-16" in notes["jiangmen-2023-report-columns-utf16.txt"]
    facts = dict(
        query(
            db,
            "SELECT d.file_name, count(f.fact_id) FROM documents d LEFT JOIN facts f USING (doc_id) GROUP BY 1",
        )
    )
    for name in MADE_GOOD:
        assert facts[name] >= 20, (name, facts[name])
    if with_realdocs:  # the huge page was rendered within the pixel budget and read
        text = query(
            db,
            "SELECT string_agg(p.text, ' ') FROM paragraphs p JOIN documents d USING (doc_id) WHERE d.file_name = ?",
            [HUGE_PAGE],
        )[0][0]
        assert "tiny amount of text" in text
        assert query(
            db, "SELECT method FROM pages JOIN documents d USING (doc_id) WHERE d.file_name = ?", [HUGE_PAGE]
        ) == [("ocr",)]
    assert query(db, "SELECT status, documents_ok, documents_failed FROM runs") == [
        ("failed", len(expected_good), len(expected_bad))
    ]


class _SlowCopy:
    """Copies a file into the inbox chunk by chunk, like a slow upload that is under way when
    the run starts: the file exists (empty) when the run discovers it; the first chunk is
    written from inside the run's 'planned' event, before any task runs, and the rest from a
    thread with a pause between chunks."""

    def __init__(self, data: bytes, target: Path, chunks: int, pause_s: float) -> None:
        size = -(-len(data) // chunks)
        self.parts = [data[i : i + size] for i in range(0, len(data), size)]
        self.target, self.pause_s = target, pause_s
        self.target.write_bytes(b"")
        past = time.time() - 600
        os.utime(self.target, (past, past))  # created long ago: only the writes mark it busy
        self.thread = threading.Thread(target=self._rest, daemon=True)

    def _append(self, part: bytes) -> None:
        with self.target.open("ab") as handle:
            handle.write(part)
            handle.flush()
            os.fsync(handle.fileno())

    def on_event(self, event: progress.ProgressEvent) -> None:
        if event.kind == "planned" and not self.thread.is_alive():
            self._append(self.parts[0])
            self.thread.start()

    def _rest(self) -> None:
        for part in self.parts[1:]:
            time.sleep(self.pause_s)
            self._append(part)


@pytest.mark.slow
def test_a_file_still_being_copied_is_retried_then_ingested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from flows.ingest import ingest

    monkeypatch.delenv("REPORTFLOW_SETTLE_SECONDS", raising=False)  # the production default (2 s)
    inbox = tmp_path / "inbox"
    source = write_gold_text(tmp_path / "src", "000")
    data = source.read_bytes()
    db = tmp_path / "wh" / "r.duckdb"
    inbox.mkdir()
    upload = _SlowCopy(data, inbox / source.name, chunks=8, pause_s=0.4)
    unsubscribe = progress.subscribe(upload.on_event)
    try:
        summary = ingest(paths=[str(inbox)], db=str(db))
    finally:
        unsubscribe()
    upload.thread.join()

    assert summary["documents_ok"] == 1 and summary["documents_failed"] == 0
    doc_id = hashlib.sha256(data).hexdigest()
    assert query(db, "SELECT doc_id, status FROM documents") == [(doc_id, "ok")]
    archived = [p for p in (db.parent / "archive").rglob("*") if p.is_file()]
    assert [p.read_bytes() for p in archived] == [data], "only the complete file is archived"
    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 30
        while True:  # task runs reach the API through events: allow them a moment
            runs = client.read_task_runs(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[summary["run_id"]]))
            )
            document_runs = [r for r in runs if r.name.startswith("process ")]
            if (
                document_runs
                and document_runs[0].state
                and document_runs[0].state.is_completed()
                or time.monotonic() > deadline
            ):
                break
            time.sleep(0.5)
    assert len(document_runs) == 1
    assert document_runs[0].run_count >= 2, "the document was retried while its file was being written"
    assert document_runs[0].state.is_completed()
