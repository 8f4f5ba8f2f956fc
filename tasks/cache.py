"""Where the stage results are persisted, how they are keyed, and how concurrent runs share them.

* **Keys**: a stage's cache key is the document's sha256 plus a hash of the stage's code
  (``reportflow.versions.stage_version``, cumulative: layout includes extract's code) plus
  whatever else changes its output — the OCR settings, the media type, and for facts the
  file name (``document_context`` reads region and year from it). A retried or repeated run
  therefore skips the work that already succeeded, and a code fix re-runs exactly the
  stages it can affect.
* **Storage**: results are pickled to ``<warehouse folder>/.cache/prefect-results`` (or
  ``$REPORTFLOW_RESULTS_DIR``), next to the database they feed, expiring after
  ``$REPORTFLOW_CACHE_DAYS`` (30) days. Deleting the folder only costs recomputation.
* **Concurrency**: two runs that reach the same document at the same time must not both
  OCR it. ``PersistedStageCache`` holds an exclusive ``flock`` per key (``FlockLockManager``,
  a Prefect ``LockManager``) from the lookup to the write, as Prefect's SERIALIZABLE
  isolation does: the second run waits, then reads the first one's result; a record is
  renamed into place whole, so nobody reads a half-written file. Prefect's own
  ``FileSystemLockManager`` writes lock files that outlive a crashed process (every later
  run would wait forever); a kernel ``flock`` is released when its process dies, however it
  dies.
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import pickle
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import anyio

from reportflow.acquire import AcquiredDocument
from reportflow.config import OcrConfig, Settings
from reportflow.versions import stage_version

RESULTS_DIR_ENV = "REPORTFLOW_RESULTS_DIR"
CACHE_DAYS_ENV = "REPORTFLOW_CACHE_DAYS"
STAGE_LOG_ENV = "REPORTFLOW_STAGE_LOG"
DEFAULT_CACHE_DAYS = 30.0

T = TypeVar("T")

# OcrConfig fields that change how pages run but not what they produce.
_OCR_FIELDS_NOT_IN_KEY = frozenset({"workers", "page_timeout_s", "record_dir"})


def results_dir(settings: Settings) -> Path:
    """Where persisted stage results live for this warehouse."""
    configured = os.environ.get(RESULTS_DIR_ENV)
    if configured:
        return Path(configured).expanduser().resolve()
    return settings.db_path.resolve().parent / ".cache" / "prefect-results"


def cache_expiration() -> timedelta:
    return timedelta(days=float(os.environ.get(CACHE_DAYS_ENV) or DEFAULT_CACHE_DAYS))


def ocr_fingerprint(ocr: OcrConfig) -> str:
    """Short hash of every OCR setting that can change the recognised text.

    Fields added to OcrConfig later are included automatically (a needless cache miss is
    cheap; a stale hit would be wrong).
    """
    parts = {
        f.name: repr(getattr(ocr, f.name))
        for f in dataclasses.fields(ocr)
        if f.name not in _OCR_FIELDS_NOT_IN_KEY
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:10]


def _document_part(acquired: AcquiredDocument) -> str:
    return f"{acquired.doc_id}-{acquired.media_type}"


def extract_cache_key(acquired: AcquiredDocument, settings: Settings) -> str:
    return f"extract-{_document_part(acquired)}-{stage_version('extract')}-{ocr_fingerprint(settings.ocr)}"


def layout_cache_key(acquired: AcquiredDocument, settings: Settings) -> str:
    return f"layout-{_document_part(acquired)}-{stage_version('layout')}-{ocr_fingerprint(settings.ocr)}"


def facts_cache_key(acquired: AcquiredDocument, settings: Settings) -> str:
    name = hashlib.sha256(acquired.file_name.encode()).hexdigest()[:8]
    return f"facts-{_document_part(acquired)}-{name}-{stage_version('facts')}-{ocr_fingerprint(settings.ocr)}"


STAGE_CACHE_KEYS: dict[str, Callable[[AcquiredDocument, Settings], str]] = {
    "extract": extract_cache_key,
    "layout": layout_cache_key,
    "facts": facts_cache_key,
}


RECORD_MAGIC = b"reportflow-stage-result 1\n"
"""First line of a stored stage result; a file without it (another format, a torn write) is a miss."""


class PersistedStageCache:
    """reportflow.pipeline.StageCache in a folder: one file per stage key.

    Why not a Prefect task per stage, each cached by Prefect: a task run costs ~11 ms of the
    flow's CPU and ~27 ms of the Prefect server's here (~110 with Prefect's default recorder
    batch of 1; benchmarks/prefect_task_cost.py, reportflow/prefect_server.py), about a text
    page's three stages together. So a document is one task run, and its
    stages are cached here under an exclusive ``flock`` per key held from the lookup to the
    write (Prefect's SERIALIZABLE isolation): a second run reaching the same document waits,
    then reads the first one's result.

    Why not Prefect's ``ResultStore`` (this class wrapped it before): its record is the pickle
    (cloudpickle), base64-encoded inside a pydantic JSON document, and every write resolves
    the storage path with ``realpath`` three times. Measured in the flow at 100 documents
    (py-spy; benchmarks/README.md, Throughput, run 5) that was 1.9 s of the worker threads'
    samples, more than Prefect's task engine itself — mostly waits for the GIL after each
    ``lstat``; ~0.4 s of CPU. A record here is a magic line, a JSON line
    of metadata (key, expiry) and a plain pickle (highest protocol); it is written to a
    temporary file and renamed into place, so nobody ever reads a half-written record.
    """

    def __init__(self, directory: Path, expiration: timedelta) -> None:
        self.directory = Path(directory)
        self.expiration = expiration
        self.locks = FlockLockManager(self.directory / "locks")

    @classmethod
    def for_settings(cls, settings: Settings) -> PersistedStageCache:
        return cls(results_dir(settings), cache_expiration())

    # Shipped to Dask workers with the task's arguments: only the folder and the expiry.
    def __getstate__(self) -> dict[str, Any]:
        return {"directory": self.directory, "expiration": self.expiration}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["directory"], state["expiration"])  # type: ignore[misc]

    def path_of(self, key: str) -> Path:
        return self.directory / key

    def read_unexpired(self, key: str) -> tuple[Any] | None:
        """``(value,)`` of the stored result, or None: missing, expired, another format, unreadable."""
        try:
            with open(self.path_of(key), "rb") as stored:
                if stored.readline() != RECORD_MAGIC:
                    return None
                metadata = json.loads(stored.readline())
                if metadata.get("key") != key:
                    return None
                expires = datetime.fromisoformat(metadata["expires"])
                if expires <= datetime.now(UTC):
                    return None
                return (pickle.load(stored),)
        except Exception:  # noqa: BLE001 - missing, half-written by an old version, unreadable: recompute
            return None

    def write(self, key: str, value: Any, expires: datetime) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_of(key)
        partial = target.with_name(f".{key}.{os.getpid()}-{threading.get_ident()}.partial")
        header = json.dumps({"key": key, "expires": expires.isoformat()}).encode()
        try:
            with open(partial, "wb") as out:
                out.write(RECORD_MAGIC + header + b"\n")
                pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def get_or_compute(
        self, stage: str, acquired: AcquiredDocument, settings: Settings, compute: Callable[[], T]
    ) -> tuple[T, bool]:
        key = STAGE_CACHE_KEYS[stage](acquired, settings)
        holder = f"{os.getpid()}-{threading.get_ident()}"
        self.locks.acquire_lock(key, holder)
        try:
            found = self.read_unexpired(key)
            if found is not None:
                return found[0], True
            note_stage_run(stage, acquired)
            value = compute()
            self.write(key, value, datetime.now(UTC) + self.expiration)
            return value, False
        finally:
            self.locks.release_lock(key, holder)


def note_stage_run(stage: str, acquired: AcquiredDocument) -> None:
    """Append one JSON line to $REPORTFLOW_STAGE_LOG when a cached stage really computes.

    An audit trail of what a run recomputed (the retry test reads it to prove that a retry
    did not redo finished work). Off unless the variable is set; one short O_APPEND write
    per line, so concurrent processes do not interleave.
    """
    target = os.environ.get(STAGE_LOG_ENV)
    if not target:
        return
    line = json.dumps(
        {
            "stage": stage,
            "doc_id": acquired.doc_id,
            "file_name": acquired.file_name,
            "pid": os.getpid(),
            "at": time.time(),
        },
        ensure_ascii=False,
    )
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


class FlockLockManager:
    """A Prefect ``LockManager`` (prefect.locking.protocol) built on ``flock``.

    One lock file per cache key in ``lock_files_directory``; the lock is an exclusive
    ``flock`` on it, so it excludes other threads (each holder opens the file itself) and
    other processes on this machine or on a shared POSIX file system, and the kernel drops it
    when the holding process exits or crashes. ``hold_timeout`` is therefore not needed and
    ignored. Lock files are never deleted while in use (deleting a flock'd file lets a third
    party lock a new inode under the same name); they are empty and cleared with the cache.
    """

    def __init__(self, lock_files_directory: Path) -> None:
        self.lock_files_directory = Path(lock_files_directory)
        self._held: dict[str, tuple[str, int]] = {}
        self._guard = threading.Lock()

    # Task objects carrying this manager are pickled to Dask workers: ship only the folder.
    def __getstate__(self) -> dict[str, Any]:
        return {"lock_files_directory": self.lock_files_directory}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["lock_files_directory"])  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:  # CachePolicy merging compares managers
        return isinstance(other, FlockLockManager) and other.lock_files_directory == self.lock_files_directory

    def __hash__(self) -> int:
        return hash(self.lock_files_directory)

    def _path(self, key: str) -> Path:
        safe = (
            key
            if key.replace("-", "").replace("_", "").isalnum()
            else hashlib.sha256(key.encode()).hexdigest()
        )
        return self.lock_files_directory / f"{safe}.lock"

    def acquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        with self._guard:
            if key in self._held and self._held[key][0] == holder:
                return True
        self.lock_files_directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path(key), os.O_RDWR | os.O_CREAT, 0o644)
        deadline = None if acquire_timeout is None else time.monotonic() + acquire_timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    os.close(fd)
                    raise
                if deadline is not None and time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.1)
        with self._guard:
            self._held[key] = (holder, fd)
        return True

    async def aacquire_lock(
        self,
        key: str,
        holder: str,
        acquire_timeout: float | None = None,
        hold_timeout: float | None = None,
    ) -> bool:
        return await anyio.to_thread.run_sync(self.acquire_lock, key, holder, acquire_timeout, hold_timeout)

    def release_lock(self, key: str, holder: str) -> None:
        with self._guard:
            entry = self._held.get(key)
            if entry is None or entry[0] != holder:
                raise ValueError(f"No lock held by {holder} for transaction with key {key}")
            del self._held[key]
        fcntl.flock(entry[1], fcntl.LOCK_UN)
        os.close(entry[1])

    def is_locked(self, key: str) -> bool:
        with self._guard:
            if key in self._held:
                return True
        try:
            fd = os.open(self._path(key), os.O_RDONLY)
        except FileNotFoundError:
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return True
            raise
        finally:
            os.close(fd)  # closing also drops the probe's shared lock
        return False

    def is_lock_holder(self, key: str, holder: str) -> bool:
        with self._guard:
            entry = self._held.get(key)
        return entry is not None and entry[0] == holder

    def wait_for_lock(self, key: str, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.is_locked(key):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            time.sleep(0.1)
        return True

    async def await_for_lock(self, key: str, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.is_locked(key):
            if deadline is not None and time.monotonic() >= deadline:
                return False
            await anyio.sleep(0.1)
        return True


def prune_results(directory: Path, older_than: timedelta) -> int:
    """Delete result files not modified for ``older_than`` (expired: never read again).

    Lock files are left alone. Returns how many files were removed.
    """
    if not directory.is_dir():
        return 0
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for entry in directory.iterdir():
        if entry.is_file() and entry.stat().st_mtime < cutoff:
            entry.unlink(missing_ok=True)
            removed += 1
    return removed
