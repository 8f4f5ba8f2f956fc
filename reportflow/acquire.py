"""Acquire: identify a file by the sha256 of its bytes and archive the bytes, before anything can fail."""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from reportflow.errors import FileNotReadyError, UnsupportedInputError

SUPPORTED_EXTENSIONS = {
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".txt": "text",
}
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class AcquiredDocument:
    doc_id: str
    """sha256 of the file's bytes, hex."""
    file_name: str
    source_path: str
    archive_path: str
    size_bytes: int
    media_type: str
    """'pdf', 'image' or 'text' by extension; 'unknown' otherwise (extraction then fails clearly)."""


def discover(paths: list[Path]) -> list[Path]:
    """Files to ingest: explicit files as given, folders searched recursively for supported types.

    Hidden files and folders are skipped; the result is sorted and without duplicates.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for candidate in path.rglob("*"):
                rel_parts = candidate.relative_to(path).parts
                if any(part.startswith(".") for part in rel_parts):
                    continue
                if candidate.is_file() and candidate.suffix.lower() in SUPPORTED_EXTENSIONS:
                    found.add(candidate.resolve())
        else:
            found.add(path.resolve())
    return sorted(found)


def media_type_for(path: Path) -> str:
    return SUPPORTED_EXTENSIONS.get(path.suffix.lower(), "unknown")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def acquire(path: Path, archive_dir: Path | None) -> AcquiredDocument:
    """Hash ``path`` and copy its bytes to ``archive_dir/<sha[:2]>/<sha><ext>`` (once per content).

    With ``archive_dir=None`` (read-only commands such as ``reportflow text``) nothing is
    copied and ``archive_path`` is the source path.

    Raises FileNotReadyError when the file changes while it is read (still being written into
    the inbox): a transient condition the caller retries with backoff.
    """
    if not path.exists():
        raise UnsupportedInputError(f"{path}: no such file")
    if not path.is_file():
        raise UnsupportedInputError(f"{path}: not a regular file")
    before = path.stat()
    doc_id = sha256_of(path)
    after = path.stat()
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise FileNotReadyError(f"{path}: file changed while it was read (still being written?)")
    if archive_dir is None:
        target = path
    else:
        target = archive_dir / doc_id[:2] / f"{doc_id}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.copyfile(path, partial)
        if sha256_of(partial) != doc_id:
            partial.unlink(missing_ok=True)
            raise FileNotReadyError(f"{path}: file changed while it was archived")
        os.replace(partial, target)
    return AcquiredDocument(
        doc_id=doc_id,
        file_name=path.name,
        source_path=str(path),
        archive_path=str(target),
        size_bytes=after.st_size,
        media_type=media_type_for(path),
    )
