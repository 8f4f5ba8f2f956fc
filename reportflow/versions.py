"""Versions of each stage's code, for cache keys and `documents.pipeline_version`.

A stage's version is a hash of the source files it runs, so any code change invalidates
exactly the cached results it can affect (a fix in fact extraction re-runs facts, not OCR).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent

# Files (relative to the package) each stage depends on, beyond its own folder.
_SHARED = ("models.py", "normalize.py", "errors.py")
STAGE_SOURCES: dict[str, tuple[str, ...]] = {
    "extract": ("extract", "config.py", *_SHARED),
    "layout": ("layout", *_SHARED),
    "facts": ("facts", "pipeline.py", *_SHARED),
}


def _files(entry: str) -> list[Path]:
    path = _PACKAGE / entry
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in {".py", ".csv", ".toml", ".json", ".txt"})
    return [path] if path.exists() else []


@cache
def stage_version(stage: str) -> str:
    """Short hash of the stage's source files (cumulative: layout includes extract, facts includes layout)."""
    order = list(STAGE_SOURCES)
    digest = hashlib.sha256()
    for upstream in order[: order.index(stage) + 1]:
        for entry in STAGE_SOURCES[upstream]:
            for file in _files(entry):
                digest.update(file.relative_to(_PACKAGE).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def pipeline_version() -> str:
    """The version of everything that shapes the stored rows."""
    return stage_version("facts")
