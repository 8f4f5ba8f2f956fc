"""Acquire: identify a file by the sha256 of its bytes and archive the bytes, before anything can fail.

Files dropped into a watched inbox may still be in the middle of being copied when a run
finds them. ``acquire`` refuses such a file with ``FileNotReadyError`` (transient: the Prefect
task retries it with backoff) when its size or modification time changes while it is hashed,
or when it was modified less than ``settle_s`` seconds ago. A copy that pauses for longer
than ``settle_s`` cannot be told from a finished file; writers that need certainty should
write to a hidden or differently-named file and rename it into the inbox (discovery skips
hidden files and unsupported extensions).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from reportflow.errors import FileNotReadyError, UnreadableFileError, UnsupportedInputError
from reportflow.models import MediaType

SUPPORTED_EXTENSIONS: dict[str, MediaType] = {
    ".pdf": "pdf",
    ".png": "image",
    ".jpg": "image",
    ".jpeg": "image",
    ".tif": "image",
    ".tiff": "image",
    ".txt": "text",
}
_CHUNK = 1 << 20
DEFAULT_SETTLE_S = 2.0
"""How long a file must have been left untouched before a run takes it (REPORTFLOW_SETTLE_SECONDS)."""


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


def settle_seconds_from_env() -> float:
    """REPORTFLOW_SETTLE_SECONDS, or the default quiet period."""
    value = os.environ.get("REPORTFLOW_SETTLE_SECONDS")
    return float(value) if value else DEFAULT_SETTLE_S


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _check_settled(path: Path, stat: os.stat_result, settle_s: float) -> None:
    age = time.time() - stat.st_mtime
    # A negative age (mtime in the future: clock skew, preserved timestamps) says nothing
    # about a writer, so only a recent past modification counts as "still being written".
    if 0 <= age < settle_s:
        raise FileNotReadyError(
            f"{path.name}: modified {age:.1f} s ago (less than {settle_s:g} s): still being written?"
        )


def acquire(path: Path, archive_dir: Path | None, settle_s: float = 0.0) -> AcquiredDocument:
    """Hash ``path`` and copy its bytes to ``archive_dir/<sha[:2]>/<sha><ext>`` (once per content).

    With ``archive_dir=None`` (read-only commands such as ``reportflow text``) nothing is
    copied and ``archive_path`` is the source path.

    Raises FileNotReadyError when the file changes while it is read, or was modified less
    than ``settle_s`` seconds ago (still being written into the inbox): a transient
    condition the caller retries with backoff. Raises UnreadableFileError (a DocumentError)
    when the file cannot be read at all.
    """
    if not path.exists():
        raise UnreadableFileError(f"{path}: no such file (moved or deleted after it was found?)")
    if not path.is_file():
        raise UnsupportedInputError(f"{path}: not a regular file")
    try:
        before = path.stat()
        _check_settled(path, before, settle_s)
        doc_id = sha256_of(path)
        after = path.stat()
    except FileNotFoundError as exc:
        raise UnreadableFileError(f"{path}: vanished while it was read") from exc
    except PermissionError as exc:
        raise UnreadableFileError(
            f"{path}: permission denied; make the file readable by the user running reportflow and retry"
        ) from exc
    except OSError as exc:
        raise UnreadableFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns):
        raise FileNotReadyError(f"{path.name}: file changed while it was read (still being written?)")
    if archive_dir is None:
        target = path
    else:
        target = archive_dir / doc_id[:2] / f"{doc_id}{path.suffix.lower()}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Copy to a private name and rename: the archive never holds a partial file, and two
        # runs archiving the same bytes at once both end with the same complete file.
        partial = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.partial")
        shutil.copyfile(path, partial)
        if sha256_of(partial) != doc_id:
            partial.unlink(missing_ok=True)
            raise FileNotReadyError(f"{path.name}: file changed while it was archived")
        os.replace(partial, target)
    return AcquiredDocument(
        doc_id=doc_id,
        file_name=path.name,
        source_path=str(path),
        archive_path=str(target),
        size_bytes=after.st_size,
        media_type=media_type_for(path),
    )
