"""Run-time settings, from environment variables with sensible defaults.

Every setting has one environment variable (``REPORTFLOW_*``); the CLI's options override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else default


@dataclass(frozen=True, slots=True)
class OcrConfig:
    """How scans and image-only pages are recognised (see reportflow/extract/ and the OCR
    section of benchmarks/README.md for the measurements behind the defaults)."""

    engine: Literal["tesseract", "fake"] = "tesseract"
    """'fake' replays recorded tesseract output (fast unit tests); never the default."""
    languages: str = "chi_sim"
    """Tesseract languages. chi_sim alone (it reads Latin letters and digits too): on the
    benchmark scans chi_sim+eng has CER 5.9 % against 4.4 % (the English model wins on some
    Chinese glyphs: 发展活力 → 'ARIAT') and costs 1.8× the CPU."""
    dpi: int = 300
    """Rendering resolution of image-only PDF pages."""
    page_timeout_s: float = 300.0
    """Per tesseract call; a page that exceeds it fails its document with OcrError."""
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    """Concurrent tesseract processes (one OpenMP thread each), shared by all documents."""
    max_page_pixels: int = 60_000_000
    """Pages whose rendering would exceed this are rendered at a lower resolution (A4 at
    300 dpi is 8.7 Mpx, a broadsheet page ~35 Mpx; rendering and OCR time grow with pixels:
    the 8400 pt page of realdocs takes 30 s to render at 120 Mpx)."""
    psm: int = 3
    """Tesseract page segmentation mode: 3 = automatic layout (columns are found by our engine)."""
    deskew: bool = True
    """Estimate the skew of a scan and level it (see ``level``)."""
    level: Literal["auto", "words", "image"] = "auto"
    """How a tilted scan is levelled. 'words': tesseract reads the page as scanned (it follows
    tilted lines itself) and its word and line boxes are turned level; 'image': the image is
    turned level first; 'auto': 'words' when the body text is at least
    ``reportflow.extract.ocr.LEVEL_WORDS_MIN_GLYPH`` px tall (≈ 300 dpi), else 'image'.
    Measured on the benchmark scans (benchmarks/README.md, OCR): at 300 dpi 'words' reads
    better (numbers 0.991 vs 0.974) for ~6 % less tesseract CPU; at 200 dpi tesseract misreads
    tilted small type (CER 4.6 % vs 1.9 %)."""
    osd: Literal["auto", "always", "never"] = "auto"
    """Orientation detection (an extra tesseract pass): 'auto' runs it only when a cheap
    signal (sideways text lines, or a poor first recognition) suggests the page is rotated."""
    binarize: bool = False
    """Adaptive binarisation before recognition (tesseract binarises internally with Otsu)."""
    fixtures_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "tests" / "fixtures" / "ocr")
    """Where the fake engine reads recorded tesseract outputs."""
    record_dir: Path | None = None
    """When set, the real engine also writes every tesseract output here (for the fake engine)."""

    @classmethod
    def from_env(cls) -> OcrConfig:
        env = os.environ.get
        record = env("REPORTFLOW_OCR_RECORD")
        return cls(
            engine="fake" if env("REPORTFLOW_OCR_ENGINE") == "fake" else "tesseract",
            languages=env("REPORTFLOW_OCR_LANGUAGES", "chi_sim"),
            dpi=int(env("REPORTFLOW_OCR_DPI", "300")),
            page_timeout_s=float(env("REPORTFLOW_OCR_TIMEOUT", "300")),
            workers=int(env("REPORTFLOW_OCR_WORKERS", str(max(1, os.cpu_count() or 1)))),
            deskew=env("REPORTFLOW_OCR_DESKEW", "1") not in {"0", "false", "no"},
            level=env("REPORTFLOW_OCR_LEVEL", "auto"),  # type: ignore[arg-type]
            osd=env("REPORTFLOW_OCR_OSD", "auto"),  # type: ignore[arg-type]
            binarize=env("REPORTFLOW_OCR_BINARIZE", "0") not in {"0", "false", "no"},
            fixtures_dir=_env_path("REPORTFLOW_OCR_FIXTURES", PROJECT_ROOT / "tests" / "fixtures" / "ocr"),
            record_dir=Path(record).expanduser() if record else None,
        )


@dataclass(frozen=True, slots=True)
class Settings:
    db_path: Path = field(default_factory=lambda: PROJECT_ROOT / "warehouse" / "reportflow.duckdb")
    """The published DuckDB file analysts open."""
    archive_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "warehouse" / "archive")
    """Raw bytes of every ingested file, by sha256."""
    ocr: OcrConfig = field(default_factory=OcrConfig)

    @classmethod
    def from_env(cls, db_path: Path | None = None) -> Settings:
        db = db_path or _env_path("REPORTFLOW_DB", PROJECT_ROOT / "warehouse" / "reportflow.duckdb")
        archive = _env_path("REPORTFLOW_ARCHIVE", db.parent / "archive")
        return cls(db_path=db, archive_dir=archive, ocr=OcrConfig.from_env())
