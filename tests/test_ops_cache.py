"""Stage cache: keys, the flock-based lock manager shared by concurrent runs, pruning."""

from __future__ import annotations

import dataclasses
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from ops_support import read_jsonl

from reportflow.acquire import AcquiredDocument
from reportflow.config import OcrConfig, Settings
from tasks.cache import (
    RECORD_MAGIC,
    FlockLockManager,
    PersistedStageCache,
    extract_cache_key,
    facts_cache_key,
    layout_cache_key,
    ocr_fingerprint,
    prune_results,
    results_dir,
)


def _doc(
    doc_id: str = "ab" * 32, name: str = "kaiping-2023-report-summary.pdf", media: str = "pdf"
) -> AcquiredDocument:
    return AcquiredDocument(doc_id, name, f"/in/{name}", f"/archive/{doc_id}.pdf", 10, media)


def _keys(acquired: AcquiredDocument, settings: Settings) -> tuple[str, str, str]:
    return (
        extract_cache_key(acquired, settings),
        layout_cache_key(acquired, settings),
        facts_cache_key(acquired, settings),
    )


def test_keys_follow_content_settings_and_name_but_not_parallelism(tmp_path: Path) -> None:
    base = Settings(db_path=tmp_path / "r.duckdb", archive_dir=tmp_path / "a", ocr=OcrConfig(workers=2))
    keys = _keys(_doc(), base)
    assert all(_doc().doc_id in key for key in keys)
    assert keys[0].startswith("extract-") and keys[1].startswith("layout-") and keys[2].startswith("facts-")

    # more OCR processes or a longer timeout do not change what is recognised: same keys
    same = dataclasses.replace(base, ocr=dataclasses.replace(base.ocr, workers=8, page_timeout_s=900))
    assert _keys(_doc(), same) == keys
    # another resolution changes every stage downstream of OCR
    other_dpi = dataclasses.replace(base, ocr=dataclasses.replace(base.ocr, dpi=200))
    assert all(a != b for a, b in zip(_keys(_doc(), other_dpi), keys))
    # other bytes: other keys
    assert all(a != b for a, b in zip(_keys(_doc(doc_id="cd" * 32), base), keys))
    # the same bytes under another name: only facts (region and year come from the name)
    renamed = _keys(_doc(name="xinhui-2022-report.pdf"), base)
    assert renamed[:2] == keys[:2] and renamed[2] != keys[2]
    # the same bytes claimed as another media type: everything
    assert all(a != b for a, b in zip(_keys(_doc(media="text"), base), keys))


def test_ocr_fingerprint_is_stable_and_ignores_execution_fields() -> None:
    assert ocr_fingerprint(OcrConfig()) == ocr_fingerprint(OcrConfig())
    assert ocr_fingerprint(OcrConfig(workers=1)) == ocr_fingerprint(OcrConfig(workers=16))
    assert ocr_fingerprint(OcrConfig(languages="chi_tra")) != ocr_fingerprint(
        OcrConfig(languages="chi_sim+eng")
    )


def test_results_live_next_to_the_warehouse_unless_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(db_path=tmp_path / "wh" / "r.duckdb", archive_dir=tmp_path / "a")
    monkeypatch.delenv("REPORTFLOW_RESULTS_DIR", raising=False)
    assert results_dir(settings) == (tmp_path / "wh" / ".cache" / "prefect-results").resolve()
    monkeypatch.setenv("REPORTFLOW_RESULTS_DIR", str(tmp_path / "shared-results"))
    assert results_dir(settings) == (tmp_path / "shared-results").resolve()


def test_lock_excludes_other_holders_and_only_the_holder_releases(tmp_path: Path) -> None:
    locks = FlockLockManager(tmp_path / "locks")
    assert not locks.is_locked("extract-x")
    assert locks.acquire_lock("extract-x", holder="run-a")
    assert locks.acquire_lock("extract-x", holder="run-a"), "re-entrant for the same holder"
    assert locks.is_locked("extract-x") and locks.is_lock_holder("extract-x", "run-a")
    assert not locks.is_lock_holder("extract-x", "run-b")
    # a second manager (another task's store in this process) cannot take it
    other = FlockLockManager(tmp_path / "locks")
    started = time.monotonic()
    assert not other.acquire_lock("extract-x", holder="run-b", acquire_timeout=0.3)
    assert time.monotonic() - started >= 0.3
    assert other.is_locked("extract-x")
    assert not other.wait_for_lock("extract-x", timeout=0.2)
    with pytest.raises(ValueError):
        locks.release_lock("extract-x", holder="run-b")
    locks.release_lock("extract-x", holder="run-a")
    assert not other.is_locked("extract-x") and other.wait_for_lock("extract-x", timeout=0.1)
    assert other.acquire_lock("extract-x", holder="run-b", acquire_timeout=0)
    other.release_lock("extract-x", holder="run-b")


def test_lock_of_a_killed_process_is_free_at_once(tmp_path: Path) -> None:
    """A run that dies (OOM, kill -9) mid-stage must not leave a lock every later run waits on."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time; from pathlib import Path; from tasks.cache import FlockLockManager;"
                "m = FlockLockManager(Path(sys.argv[1])); assert m.acquire_lock('extract-y', 'dead-run');"
                "print('held', flush=True); time.sleep(60)"
            ),
            str(tmp_path / "locks"),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        locks = FlockLockManager(tmp_path / "locks")
        assert locks.is_locked("extract-y")
        assert not locks.acquire_lock("extract-y", "next-run", acquire_timeout=0.2)
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=10)
        assert locks.acquire_lock("extract-y", "next-run", acquire_timeout=2)
        locks.release_lock("extract-y", "next-run")
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_lock_manager_pickles_without_its_held_locks(tmp_path: Path) -> None:
    locks = FlockLockManager(tmp_path / "locks")
    locks.acquire_lock("k", "h")
    copy = pickle.loads(pickle.dumps(locks))
    assert copy == locks and copy.lock_files_directory == locks.lock_files_directory
    assert not copy.is_lock_holder("k", "h")
    assert copy.is_locked("k")  # still locked: the original holds the flock
    locks.release_lock("k", "h")


def test_prune_removes_only_expired_results(tmp_path: Path) -> None:
    store = tmp_path / "results"
    (store / "locks").mkdir(parents=True)
    old, fresh = store / "extract-old", store / "extract-fresh"
    old.write_bytes(b"{}")
    fresh.write_bytes(b"{}")
    past = time.time() - 31 * 86400
    os.utime(old, (past, past))
    old_lock = store / "locks" / "extract-old.lock"
    old_lock.write_bytes(b"")
    os.utime(old_lock, (past, past))
    assert prune_results(store, timedelta(days=30)) == 1
    assert not old.exists() and fresh.exists() and old_lock.exists(), "lock files are left alone"
    assert prune_results(tmp_path / "absent", timedelta(days=30)) == 0


def _cache(tmp_path: Path, days: float = 30) -> PersistedStageCache:
    return PersistedStageCache(tmp_path / "results", timedelta(days=days))


def _settings(tmp_path: Path) -> Settings:
    return Settings(db_path=tmp_path / "r.duckdb", archive_dir=tmp_path / "a")


def test_stage_cache_computes_once_then_reads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    stage_log = tmp_path / "stages.jsonl"
    monkeypatch.setenv("REPORTFLOW_STAGE_LOG", str(stage_log))
    settings, doc = _settings(tmp_path), _doc()
    value = {"pages": [[1.5, "十"]] * 3}

    first = _cache(tmp_path).get_or_compute("extract", doc, settings, lambda: value)
    # a new cache object (another run, another process) on the same folder
    second = _cache(tmp_path).get_or_compute("extract", doc, settings, lambda: pytest.fail("recomputed"))

    assert first == (value, False) and second == (value, True)
    assert [(r["stage"], r["file_name"]) for r in read_jsonl(stage_log)] == [("extract", doc.file_name)]
    assert (tmp_path / "results" / extract_cache_key(doc, settings)).is_file()
    # another stage of the same document has its own key
    assert _cache(tmp_path).get_or_compute("layout", doc, settings, lambda: 7) == (7, False)


def test_stage_cache_keeps_no_failure_and_no_expired_result(tmp_path: Path) -> None:
    settings, doc = _settings(tmp_path), _doc()

    def broken() -> int:
        raise ValueError("stage bug")

    with pytest.raises(ValueError, match="stage bug"):
        _cache(tmp_path).get_or_compute("facts", doc, settings, broken)
    assert _cache(tmp_path).get_or_compute("facts", doc, settings, lambda: 1) == (1, False)

    expired = _cache(tmp_path, days=-1)
    assert expired.get_or_compute("extract", doc, settings, lambda: 1) == (1, False)
    assert expired.get_or_compute("extract", doc, settings, lambda: 2) == (2, False)


def test_stage_cache_treats_a_foreign_or_torn_record_as_missing(tmp_path: Path) -> None:
    """A file under the key that is not a whole record of ours (Prefect's JSON record of an
    older version, a write cut short) is recomputed and replaced, never unpickled as garbage."""
    settings, doc = _settings(tmp_path), _doc()
    cache = _cache(tmp_path)
    path = cache.path_of(extract_cache_key(doc, settings))
    path.parent.mkdir(parents=True)
    path.write_bytes(b'{"metadata": {"storage_key": "x"}, "result": "gASVCAAAAAAAAACMBHRleHSULg=="}')
    assert cache.get_or_compute("extract", doc, settings, lambda: "fresh") == ("fresh", False)
    assert cache.get_or_compute("extract", doc, settings, lambda: pytest.fail("recomputed")) == ("fresh", True)

    whole = path.read_bytes()
    assert whole.startswith(RECORD_MAGIC)
    path.write_bytes(whole[:-3])  # the pickle's end is missing
    assert cache.get_or_compute("extract", doc, settings, lambda: "again") == ("again", False)
    assert [p.name for p in path.parent.iterdir() if p.is_file()] == [path.name], "no partial file left"


def test_stage_cache_leaves_nothing_behind_when_a_result_cannot_be_stored(tmp_path: Path) -> None:
    settings, doc = _settings(tmp_path), _doc()
    cache = _cache(tmp_path)
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        cache.get_or_compute("layout", doc, settings, lambda: (lambda: "not picklable"))
    assert not [p for p in (tmp_path / "results").iterdir() if p.is_file()]
    assert cache.get_or_compute("layout", doc, settings, lambda: 5) == (5, False), "the lock was released"


def test_stage_cache_computes_a_document_once_when_two_runs_race(tmp_path: Path) -> None:
    """Two threads (two runs) ask for the same stage at once: one computes, the other waits and reads."""
    settings, doc = _settings(tmp_path), _doc()
    calls: list[str] = []
    started = threading.Event()

    def slow() -> str:
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.5)
        return "pages"

    results: dict[str, tuple[str, bool]] = {}

    def run(name: str) -> None:
        results[name] = _cache(tmp_path).get_or_compute("extract", doc, settings, slow)

    first = threading.Thread(target=run, args=("a",), name="a")
    first.start()
    started.wait(5)
    second = threading.Thread(target=run, args=("b",), name="b")
    second.start()
    first.join(10)
    second.join(10)
    assert calls == ["a"]
    assert results == {"a": ("pages", False), "b": ("pages", True)}


def test_stage_cache_pickles_to_its_folder(tmp_path: Path) -> None:
    cache = _cache(tmp_path, days=2)
    copy = pickle.loads(pickle.dumps(cache))
    assert (copy.directory, copy.expiration) == (cache.directory, timedelta(days=2))
    settings, doc = _settings(tmp_path), _doc()
    cache.get_or_compute("extract", doc, settings, lambda: 3)
    assert copy.get_or_compute("extract", doc, settings, lambda: 4) == (3, True)


def test_a_page_survives_pickling_exactly(tmp_path: Path) -> None:
    """Pages are pickled column by column (reportflow.models.PageContent): every unit comes back
    with the same text, coordinates to the last bit, font, weight and confidence."""
    import sys

    from reportflow.models import PageContent, TextUnit

    units = [
        TextUnit("全", 72.1, 100.25, 84.1, 112.25, 12.0, "SimSun", False, None),
        TextUnit("12.7%", 0.1 + 0.2, 1 / 3, sys.float_info.max, 5e-324, 10.5, "", True, 43.0),
        TextUnit("市", -0.0, 2.0, 3.0, 4.0, 12.0, "SimHei-Bold", True, 0.0),
    ]
    page = PageContent(3, 595.0, 842.0, "ocr", units, 71.5, 300.0, 90, -0.8, "no text layer")
    copy = pickle.loads(pickle.dumps(page))
    assert copy == page and copy.units == units
    assert [repr(u.x0) for u in copy.units] == [repr(u.x0) for u in units]  # -0.0 stays -0.0
    assert pickle.loads(pickle.dumps(PageContent(1, 1.0, 1.0, "text", []))).units == []
