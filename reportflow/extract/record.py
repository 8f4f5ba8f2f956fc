"""Record real tesseract outputs for the fake OCR engine.

    python -m reportflow.extract.record FILE… [--into tests/fixtures/ocr]

Runs ``extract_document`` on each file with the real tesseract and writes every raw
output (TSV of recognitions, OSD reports) under the sha256 key of the image it was given.
Afterwards ``REPORTFLOW_OCR_ENGINE=fake`` replays them in milliseconds — as long as the
pre-processing gives the same pixels, i.e. the extract code and the input are unchanged.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from reportflow.config import OcrConfig
from reportflow.errors import DocumentError
from reportflow.extract import detect_media_type, extract_document


def record(paths: Sequence[Path], into: Path, config: OcrConfig | None = None) -> dict[Path, str]:
    """Extract each file with recording on; returns {path: 'ok (n pages)' or the error}."""
    base = config or OcrConfig.from_env()
    cfg = dataclasses.replace(base, engine="tesseract", record_dir=into)
    results: dict[Path, str] = {}
    for path in paths:
        try:
            doc = extract_document(path, detect_media_type(path), cfg)
            methods = ",".join(p.method for p in doc.pages)
            results[path] = f"ok ({doc.page_count} pages: {methods})"
        except DocumentError as exc:
            results[path] = f"{type(exc).__name__}: {exc}"
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--into", type=Path, default=OcrConfig().fixtures_dir)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for path, outcome in record(args.files, args.into).items():
        print(f"{path}: {outcome}", file=sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
