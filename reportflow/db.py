"""The DuckDB warehouse: the only module that opens DuckDB files.

Publishing model (why: DuckDB locks a file per process, so an analyst's open connection —
even read-only — would block a writer, and a writer would block the analyst):

* ``warehouse/reportflow.duckdb`` is the *published* file. Nothing in reportflow ever opens
  it for writing; analysts open it (read-only) whenever they like.
* Runs write into a private working copy next to it (``.reportflow.duckdb.work``), one
  transaction per document, serialised across threads and processes by an exclusive
  ``flock`` on ``reportflow.duckdb.lock``.
* ``publish()`` checkpoints the working copy, copies it to a temporary file in the same
  folder and renames it over the published file (atomic on POSIX). A reader that already has
  the old file open keeps reading the old snapshot; the next open sees the new one. Nobody
  ever sees half a document.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Self

import duckdb
import pyarrow as pa

from reportflow.acquire import AcquiredDocument
from reportflow.config import PROJECT_ROOT
from reportflow.errors import WarehouseError
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph

log = logging.getLogger(__name__)

SQL_DIR = PROJECT_ROOT / "warehouse"
MIGRATIONS_DIR = SQL_DIR / "migrations"
VIEWS_DIR = SQL_DIR / "views"
COMMENTS_FILE = SQL_DIR / "comments.sql"

DATA_TABLES = ("documents", "pages", "paragraphs", "paragraph_geometry", "facts")


@cache
def schema_digest() -> str:
    """Hash of every SQL file apply_schema runs: when it matches the one recorded in the
    database, the schema, views and comments are already as this code wants them."""
    digest = hashlib.sha256()
    files = [*sorted(MIGRATIONS_DIR.glob("*.sql")), *sorted(VIEWS_DIR.glob("*.sql"))]
    if COMMENTS_FILE.exists():
        files.append(COMMENTS_FILE)
    for file in files:
        digest.update(file.relative_to(SQL_DIR).as_posix().encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def ensure_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """apply_schema unless the database records that this exact schema is already applied.

    Why: re-creating every view and comment costs ~0.2 s, and the writer opens the working
    copy once per document. Returns True when apply_schema ran.
    """
    con.execute("CREATE TABLE IF NOT EXISTS schema_state (digest VARCHAR, applied_at TIMESTAMP)")
    wanted = schema_digest()
    recorded = con.execute("SELECT digest FROM schema_state").fetchall()
    if recorded and recorded[0][0] == wanted:
        return False
    apply_schema(con)
    con.execute("DELETE FROM schema_state")
    con.execute("INSERT INTO schema_state VALUES (?, current_timestamp)", [wanted])
    return True


def apply_schema(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply pending migrations, then (re)create views and column comments. Idempotent.

    Returns the migrations applied by this call.
    """
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR, applied_at TIMESTAMP)")
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    applied: list[str] = []
    for migration in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if migration.stem in done:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(migration.read_text(encoding="utf-8"))
            con.execute("INSERT INTO schema_migrations VALUES (?, current_timestamp)", [migration.stem])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(migration.stem)
    for view in sorted(VIEWS_DIR.glob("*.sql")):
        con.execute(view.read_text(encoding="utf-8"))
    if COMMENTS_FILE.exists():
        con.execute(COMMENTS_FILE.read_text(encoding="utf-8"))
    return applied


def _fsync_directory(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


DEFAULT_MAX_HOLD_S = 5.0
"""How long a batched writer keeps the writer lock before letting other runs in."""
DEFAULT_IDLE_S = 1.0
"""How long a batched writer keeps the connection open with nothing to write."""


class Warehouse:
    """The published DuckDB file plus its private working copy and writer lock."""

    def __init__(self, path: Path, lock_timeout_s: float = 1800.0) -> None:
        self.path = path.resolve()
        self.work_path = self.path.with_name(f".{self.path.name}.work")
        self.lock_path = self.path.with_name(f"{self.path.name}.lock")
        self.lock_timeout_s = lock_timeout_s

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.lock_timeout_s
        with self.lock_path.open("a") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() > deadline:
                        raise WarehouseError(
                            f"another reportflow run has held {self.lock_path} for over "
                            f"{self.lock_timeout_s:.0f} s"
                        ) from exc
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _open_work(self) -> duckdb.DuckDBPyConnection:
        if not self.work_path.exists() and self.path.exists():
            shutil.copyfile(self.path, self.work_path)
        try:
            con = duckdb.connect(str(self.work_path))
        except duckdb.Error as exc:
            raise WarehouseError(f"cannot open the working database {self.work_path}: {exc}") from exc
        try:
            ensure_schema(con)
        except BaseException:
            con.close()
            raise
        return con

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the working copy, held under the writer lock."""
        with self._lock():
            con = self._open_work()
            try:
                yield con
            finally:
                con.close()

    def batched_writer(
        self, max_hold_s: float = DEFAULT_MAX_HOLD_S, idle_s: float = DEFAULT_IDLE_S
    ) -> BatchedWriter:
        """A writer that keeps one connection open across consecutive writes."""
        return BatchedWriter(self, max_hold_s, idle_s)

    def publish(self) -> Path:
        """Atomically replace the published file with a snapshot of the working copy."""
        with self._lock():
            con = self._open_work()
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
            # Copies left by a publisher that died mid-copy: nobody else publishes while we
            # hold the lock, so any that exist are dead.
            for stale in self.path.parent.glob(f".{self.path.name}.*.publishing"):
                stale.unlink(missing_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.publishing")
            shutil.copyfile(self.work_path, tmp)
            with tmp.open("rb") as handle:
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            _fsync_directory(self.path.parent)  # make the rename itself durable
        log.info("published %s", self.path)
        return self.path

    def connect_published(self) -> duckdb.DuckDBPyConnection:
        """A read-only connection to the published snapshot (what analysts see)."""
        if not self.path.exists():
            raise WarehouseError(f"no database at {self.path}: run `reportflow ingest` first")
        return duckdb.connect(str(self.path), read_only=True)


# ---------------------------------------------------------------------------------------------
# Loading one document


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    doc_id: str
    action: str
    """'loaded', 'unchanged' (same bytes and pipeline version already loaded) or 'failed'."""
    pages_text: int = 0
    """Pages read from a text layer (a .txt input counts as one)."""
    pages_ocr: int = 0
    paragraphs: int = 0
    facts: int = 0


class BatchedWriter:
    """One connection to the working copy, kept open under the writer lock across consecutive
    writes: closed once no write has come for ``idle_s`` (a timer), or at the first write after
    it has been held ``max_hold_s`` — so other runs, waiting on the lock, still get their turn
    within a few seconds.

    Why: opening the working copy (DuckDB reads its catalog) and closing it (a checkpoint)
    cost ~60–100 ms, as much as loading a typical 3-page document (benchmarks/README.md,
    Throughput). Every write still is its own transaction, so nothing changes for a reader
    or a crash: a batch is only a connection kept open, not a bigger transaction.

    Writes are serialised by a mutex (the flow writes from one thread; the idle timer closes
    from another).
    """

    def __init__(
        self, warehouse: Warehouse, max_hold_s: float = DEFAULT_MAX_HOLD_S, idle_s: float = DEFAULT_IDLE_S
    ) -> None:
        self.warehouse = warehouse
        self.max_hold_s = max_hold_s
        self.idle_s = idle_s
        self._mutex = threading.RLock()
        self._stack: ExitStack | None = None
        self._con: duckdb.DuckDBPyConnection | None = None
        self._held_since = 0.0
        self._idle_timer: threading.Timer | None = None
        self.opened = 0
        """How many times the working copy was opened (for tests and benchmarks)."""

    @property
    def held(self) -> bool:
        return self._con is not None

    @contextmanager
    def write(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The held connection (opened and locked first if need be), as ``Warehouse.write``."""
        with self._mutex:
            if self._con is not None and time.monotonic() - self._held_since > self.max_hold_s:
                self._close()
            if self._con is None:
                stack = ExitStack()
                self._con = stack.enter_context(self.warehouse.write())
                self._stack, self._held_since = stack, time.monotonic()
                self.opened += 1
            try:
                yield self._con
            except BaseException:
                # A failed write may leave the connection unusable (an aborted transaction):
                # start the next one afresh.
                self._close()
                raise
            self._arm_idle_timer()

    def _arm_idle_timer(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        self._idle_timer = threading.Timer(self.idle_s, self._release_if_idle)
        self._idle_timer.daemon = True
        self._idle_timer.start()

    def _release_if_idle(self) -> None:
        with self._mutex:
            # Only the timer armed by the last write closes: an earlier one that fired while
            # a write held the mutex has been replaced.
            if threading.current_thread() is self._idle_timer:
                self._close()

    def _close(self) -> None:
        stack, self._stack, self._con = self._stack, None, None
        if stack is not None:
            stack.close()

    def release(self) -> None:
        """Close the connection and let go of the writer lock now (a no-op when not held)."""
        with self._mutex:
            if self._idle_timer is not None:
                self._idle_timer.cancel()
                self._idle_timer = None
            self._close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def document_state(con: duckdb.DuckDBPyConnection, doc_id: str) -> tuple[str, str] | None:
    """(status, pipeline_version) of a loaded document, or None."""
    rows = con.execute("SELECT status, pipeline_version FROM documents WHERE doc_id = ?", [doc_id]).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def fact_id(doc_id: str, fact: Fact, ordinal: int) -> str:
    """Stable id: document, paragraph, position of the number, and which fact of that number."""
    return f"{doc_id[:12]}-{fact.paragraph_seq}-{fact.value_start}-{ordinal}"


def assign_fact_ids(doc_id: str, facts: Sequence[Fact]) -> list[str]:
    seen: dict[tuple[int, int], int] = {}
    ids = []
    for fact in facts:
        key = (fact.paragraph_seq, fact.value_start)
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        ids.append(fact_id(doc_id, fact, ordinal))
    return ids


def _forget_failure(con: duckdb.DuckDBPyConnection, source_path: str) -> None:
    """A file that failed before and now loads (fixed, or restored): drop its failure row."""
    con.execute("DELETE FROM documents WHERE doc_id = ? AND status = 'failed'", [failure_doc_id(source_path)])


def _delete_document(con: duckdb.DuckDBPyConnection, doc_id: str) -> None:
    for table in DATA_TABLES:
        con.execute(f"DELETE FROM {table} WHERE doc_id = ?", [doc_id])


def _insert(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    if data.num_rows == 0:
        return
    con.register("_rows", data)
    try:
        columns = ", ".join(data.column_names)
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM _rows")
    finally:
        con.unregister("_rows")


_BOX = pa.list_(pa.float32(), 4)
GEOMETRY_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("seq", pa.int32()),
        ("char_boxes", pa.list_(_BOX)),
        ("char_conf", pa.list_(pa.float32())),
        ("char_pages", pa.list_(pa.int16())),
    ]
)


def load_document(
    con: duckdb.DuckDBPyConnection,
    acquired: AcquiredDocument,
    extracted: ExtractedDocument,
    paragraphs: Sequence[Paragraph],
    context: DocumentContext,
    facts: Sequence[Fact],
    pipeline_version: str,
) -> LoadOutcome:
    """Replace the document's rows in one transaction (no duplicates, never half a document)."""
    doc_id = acquired.doc_id
    ocr_pages = sum(p.method == "ocr" for p in extracted.pages)
    text_pages = len(extracted.pages) - ocr_pages if extracted.pages else 1

    def outcome(action: str) -> LoadOutcome:
        return LoadOutcome(doc_id, action, text_pages, ocr_pages, len(paragraphs), len(facts))

    if document_state(con, doc_id) == ("ok", pipeline_version):
        _forget_failure(con, acquired.source_path)
        return outcome("unchanged")
    documents = pa.table(
        {
            "doc_id": [doc_id],
            "file_name": [acquired.file_name],
            "source_path": [acquired.source_path],
            "archive_path": [acquired.archive_path],
            "media_type": [extracted.media_type],
            "page_count": pa.array([extracted.page_count], pa.int32()),
            "title": [context.title],
            "region": [context.region],
            "report_year": pa.array([context.report_year], pa.int32()),
            "status": ["ok"],
            "error": pa.array([None], pa.string()),
            "error_code": pa.array([None], pa.string()),
            "pipeline_version": [pipeline_version],
            "ingested_at": [datetime.now()],
        }
    )
    if extracted.pages:
        page_rows = extracted.pages
        pages = pa.table(
            {
                "doc_id": [doc_id] * len(page_rows),
                "page_no": pa.array([p.page_no for p in page_rows], pa.int32()),
                "method": [p.method for p in page_rows],
                "char_count": pa.array([p.char_count for p in page_rows], pa.int32()),
                "ocr_confidence": pa.array([p.ocr_confidence for p in page_rows], pa.float64()),
                "width": [float(p.width) for p in page_rows],
                "height": [float(p.height) for p in page_rows],
                "dpi": pa.array([p.dpi for p in page_rows], pa.float64()),
                "rotation": pa.array([p.rotation for p in page_rows], pa.int32()),
                "skew_degrees": [float(p.skew_degrees) for p in page_rows],
                "note": [p.note for p in page_rows],
            }
        )
    else:  # .txt input: one logical page
        pages = pa.table(
            {
                "doc_id": [doc_id],
                "page_no": pa.array([1], pa.int32()),
                "method": ["text"],
                "char_count": pa.array([sum(len(p.text) for p in paragraphs)], pa.int32()),
                "note": [f"plain text ({extracted.encoding or 'utf-8'})"],
            }
        )
    para_table = pa.table(
        {
            "doc_id": [doc_id] * len(paragraphs),
            "seq": pa.array([p.seq for p in paragraphs], pa.int32()),
            "page_no": pa.array([p.page_no for p in paragraphs], pa.int32()),
            "kind": [p.kind for p in paragraphs],
            "text": [p.text for p in paragraphs],
            "x0": pa.array([p.bbox[0] if p.bbox else None for p in paragraphs], pa.float64()),
            "top": pa.array([p.bbox[1] if p.bbox else None for p in paragraphs], pa.float64()),
            "x1": pa.array([p.bbox[2] if p.bbox else None for p in paragraphs], pa.float64()),
            "bottom": pa.array([p.bbox[3] if p.bbox else None for p in paragraphs], pa.float64()),
        }
    )
    with_geometry = [p for p in paragraphs if p.char_boxes]
    geometry = pa.table(
        {
            "doc_id": [doc_id] * len(with_geometry),
            "seq": [p.seq for p in with_geometry],
            "char_boxes": [[list(b) if b else None for b in p.char_boxes] for p in with_geometry],
            "char_conf": [list(p.char_conf) if p.char_conf else None for p in with_geometry],
            "char_pages": [list(p.char_pages) if p.char_pages else None for p in with_geometry],
        },
        schema=GEOMETRY_SCHEMA,
    )
    ids = assign_fact_ids(doc_id, facts)
    fact_table = pa.table(
        {
            "fact_id": ids,
            "doc_id": [doc_id] * len(facts),
            "paragraph_seq": pa.array([f.paragraph_seq for f in facts], pa.int32()),
            "page_no": pa.array([f.page_no for f in facts], pa.int32()),
            "region": pa.array([f.region for f in facts], pa.string()),
            "period_year": pa.array([f.period_year for f in facts], pa.int32()),
            "period_start": pa.array([f.period_start for f in facts], pa.int32()),
            "kind": [f.kind for f in facts],
            "indicator_code": pa.array([f.indicator_code for f in facts], pa.string()),
            "indicator": [f.indicator for f in facts],
            "measure": [f.measure for f in facts],
            "value": pa.array([f.value for f in facts], pa.float64()),
            "unit": [f.unit for f in facts],
            "value_text": [f.value_text for f in facts],
            "value_base": pa.array([f.value_base for f in facts], pa.float64()),
            "base_unit": pa.array([f.base_unit for f in facts], pa.string()),
            "parts": pa.array([f.parts for f in facts], pa.list_(pa.float64())),
            "comparator": [f.comparator for f in facts],
            "aspirational": pa.array([f.aspirational for f in facts], pa.bool_()),
            "chinese_numeral": pa.array([f.chinese_numeral for f in facts], pa.bool_()),
            "evidence": [f.evidence for f in facts],
            "evidence_start": pa.array([f.evidence_start for f in facts], pa.int32()),
            "value_start": pa.array([f.value_start for f in facts], pa.int32()),
            "ocr_min_conf": pa.array([f.ocr_min_conf for f in facts], pa.float64()),
            "dq_status": ["unchecked"] * len(facts),
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        _delete_document(con, doc_id)
        _forget_failure(con, acquired.source_path)
        _insert(con, "documents", documents)
        _insert(con, "pages", pages)
        _insert(con, "paragraphs", para_table)
        _insert(con, "paragraph_geometry", geometry)
        _insert(con, "facts", fact_table)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return outcome("loaded")


def failure_doc_id(source_path: str) -> str:
    """The documents.doc_id of a failed file: one row per failed *file*.

    Loaded documents are keyed by content (sha256), but failures belong to files: three
    empty files, or one corrupt download saved under two names, are three failures a user
    must see and fix, not one. The bytes' sha256 is still in the row's archive_path.
    """
    return "failed-" + hashlib.sha256(source_path.encode()).hexdigest()[:40]


def record_failure(
    con: duckdb.DuckDBPyConnection,
    source_path: str,
    error: str,
    error_code: str,
    pipeline_version: str,
    acquired: AcquiredDocument | None = None,
) -> LoadOutcome:
    """Store a failed file (its raw bytes are already archived when ``acquired`` is set).

    Rows loaded earlier from the same bytes stay: a failure never deletes numbers; the
    failure row next to them says what went wrong. Recording the same failure again leaves
    the row untouched (repeated runs leave identical tables).
    """
    doc_id = failure_doc_id(source_path)
    archive_path = acquired.archive_path if acquired else None
    existing = con.execute(
        "SELECT status, error, error_code, archive_path FROM documents WHERE doc_id = ?", [doc_id]
    ).fetchall()
    if existing and existing[0] == ("failed", error, error_code, archive_path):
        return LoadOutcome(doc_id, "failed")  # same failure as before: leave the row as it is
    row = pa.table(
        {
            "doc_id": [doc_id],
            "file_name": [Path(source_path).name],
            "source_path": [source_path],
            "archive_path": pa.array([archive_path], pa.string()),
            "media_type": pa.array([acquired.media_type if acquired else None], pa.string()),
            "status": ["failed"],
            "error": [error],
            "error_code": [error_code],
            "pipeline_version": [pipeline_version],
            "ingested_at": [datetime.now()],
        }
    )
    con.execute("BEGIN TRANSACTION")
    try:
        _delete_document(con, doc_id)
        _insert(con, "documents", row)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return LoadOutcome(doc_id, "failed")


# ---------------------------------------------------------------------------------------------
# Runs


def start_run(con: duckdb.DuckDBPyConnection, run_id: str, flow_run_id: str | None) -> None:
    """Record a run as running. A retried flow run keeps its run_id: its row is replaced."""
    con.execute("DELETE FROM runs WHERE run_id = ?", [run_id])
    con.execute(
        "INSERT INTO runs (run_id, flow_run_id, started_at, status) VALUES (?, ?, ?, 'running')",
        [run_id, flow_run_id, datetime.now()],
    )


def finish_run(con: duckdb.DuckDBPyConnection, run_id: str, status: str, counts: dict[str, int]) -> None:
    assignments = ", ".join(f"{column} = ?" for column in counts)
    con.execute(
        f"UPDATE runs SET finished_at = ?, status = ?{', ' if counts else ''}{assignments} WHERE run_id = ?",
        [datetime.now(), status, *counts.values(), run_id],
    )


# ---------------------------------------------------------------------------------------------
# Reading a loaded document back


@dataclass(slots=True)
class StoredDocument:
    """A document as the warehouse holds it (what `reportflow text/facts` print when it is loaded)."""

    doc_id: str
    context: DocumentContext
    paragraphs: list[Paragraph]
    facts: list[Fact]
    fact_ids: list[str]


_FACT_FIELDS = [f for f in Fact.__dataclass_fields__]


def read_document(con: duckdb.DuckDBPyConnection, doc_id: str, pipeline_version: str) -> StoredDocument | None:
    """The loaded rows of ``doc_id`` if it was loaded ok by this ``pipeline_version``; else None."""
    rows = con.execute(
        "SELECT title, region, report_year FROM documents WHERE doc_id = ? AND status = 'ok' AND pipeline_version = ?",
        [doc_id, pipeline_version],
    ).fetchall()
    if not rows:
        return None
    title, region, report_year = rows[0]
    paragraphs = [
        Paragraph(seq, page_no, kind, text)
        for seq, page_no, kind, text in con.execute(
            "SELECT seq, page_no, kind, text FROM paragraphs WHERE doc_id = ? ORDER BY seq", [doc_id]
        ).fetchall()
    ]
    columns = ", ".join(["fact_id", *_FACT_FIELDS])
    fact_rows = con.execute(
        f"SELECT {columns} FROM facts WHERE doc_id = ? ORDER BY paragraph_seq, value_start, fact_id", [doc_id]
    ).fetchall()
    facts = [Fact(**dict(zip(_FACT_FIELDS, row[1:]))) for row in fact_rows]
    return StoredDocument(
        doc_id, DocumentContext(title, region, report_year), paragraphs, facts, [row[0] for row in fact_rows]
    )


def to_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)
