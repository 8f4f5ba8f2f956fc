"""Acquire: content identity, the archive, files still being written, unreadable files."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest
from ops_support import write_gold_text

from reportflow import acquire as acquire_module
from reportflow.acquire import acquire, discover
from reportflow.errors import DocumentError, FileNotReadyError, UnreadableFileError


def _age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_same_bytes_under_two_names_are_one_document_archived_once(tmp_path: Path) -> None:
    first = write_gold_text(tmp_path / "in", "000")
    second = tmp_path / "in" / "sub" / "copy-of-kaiping.txt"
    second.parent.mkdir()
    second.write_bytes(first.read_bytes())
    archive = tmp_path / "archive"

    a = acquire(first, archive)
    b = acquire(second, archive)

    assert a.doc_id == b.doc_id == hashlib.sha256(first.read_bytes()).hexdigest()
    assert a.archive_path == b.archive_path
    assert Path(a.archive_path).read_bytes() == first.read_bytes()
    assert Path(a.archive_path).relative_to(archive).parts[0] == a.doc_id[:2]
    assert (a.file_name, b.file_name) == ("kaiping-2023-report-summary.txt", "copy-of-kaiping.txt")
    assert a.media_type == "text"
    # only the archived file, no partial copies left behind
    assert [p.name for p in archive.rglob("*") if p.is_file()] == [f"{a.doc_id}.txt"]


def test_recently_modified_file_is_not_ready_until_it_settles(tmp_path: Path) -> None:
    path = write_gold_text(tmp_path, "001")
    with pytest.raises(FileNotReadyError, match="still being written"):
        acquire(path, tmp_path / "archive", settle_s=30)
    assert not (tmp_path / "archive").exists(), "nothing is archived from a file that is not ready"
    _age(path, 31)
    assert acquire(path, tmp_path / "archive", settle_s=30).size_bytes == path.stat().st_size


def test_file_in_the_future_is_taken(tmp_path: Path) -> None:
    """A modification time ahead of the clock (skew, preserved timestamps) is not a writer."""
    path = write_gold_text(tmp_path, "001")
    future = time.time() + 3600
    os.utime(path, (future, future))
    assert acquire(path, None, settle_s=30).doc_id


def test_file_growing_while_hashed_is_not_ready(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_gold_text(tmp_path, "002")
    _age(path, 60)
    real_sha = acquire_module.sha256_of

    def hash_while_a_writer_appends(target: Path) -> str:
        digest = real_sha(target)
        with target.open("ab") as handle:  # the copy into the inbox goes on meanwhile
            handle.write("更多内容\n".encode())
        return digest

    monkeypatch.setattr(acquire_module, "sha256_of", hash_while_a_writer_appends)
    with pytest.raises(FileNotReadyError, match="changed while it was read"):
        acquire(path, tmp_path / "archive", settle_s=0)


def test_vanished_and_unreadable_files_are_document_errors(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match="no such file") as missing:
        acquire(tmp_path / "gone.pdf", tmp_path / "archive")
    assert isinstance(missing.value, DocumentError) and missing.value.code == "unreadable"

    if os.geteuid() == 0:
        return  # root reads everything: the permission case cannot be produced here
    locked = write_gold_text(tmp_path, "000")
    locked.chmod(0)
    try:
        with pytest.raises(UnreadableFileError, match="permission denied"):
            acquire(locked, tmp_path / "archive")
    finally:
        locked.chmod(0o644)


def test_discover_skips_hidden_and_unsupported_files_and_dedupes(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    kept = [write_gold_text(inbox, "000"), write_gold_text(inbox / "2023", "001")]
    (inbox / ".partial-upload.pdf").write_bytes(b"%PDF-1.7 half")
    (inbox / ".tmp").mkdir()
    (inbox / ".tmp" / "x.txt").write_text("hidden folder")
    (inbox / "notes.docx").write_bytes(b"PK\x03\x04")
    (inbox / "report.pdf.crdownload").write_bytes(b"%PDF")

    found = discover([inbox, kept[0]])

    assert found == sorted(p.resolve() for p in kept)
