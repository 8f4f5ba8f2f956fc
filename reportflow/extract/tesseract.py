"""The only module that runs tesseract (modelled on OCRmyPDF's ``_exec/tesseract.py``).

It knows how to check that tesseract and its language data are installed, how to call it
with a timeout and one OpenMP thread (we parallelise over pages, not inside tesseract:
measured on a 300 dpi A4 page, ``OMP_THREAD_LIMIT=1`` takes 4.0 s against 10.6 s with
tesseract's default OpenMP threads on our 2 cores), and how to read its TSV and OSD output.
Everything tesseract says goes through typed errors.

Why not ``pytesseract.image_to_data``: it cannot pass an environment to the child process
(``OMP_THREAD_LIMIT`` would have to be set process-wide), turns a timeout into a bare
``RuntimeError``. Here the image is written as an uncompressed BMP to a temporary file
(``/dev/shm`` when present) and the TSV parsed directly, keeping the exact bytes so they can
be recorded.

Two engines share one interface (``OcrEngine``):

* ``TesseractEngine`` runs the real program; with ``record_dir`` it also stores each raw
  output under the key of its input, so tests can replay it;
* ``FakeEngine`` replays those recordings (``OcrConfig.engine == "fake"``,
  ``REPORTFLOW_OCR_ENGINE=fake``) so code downstream of OCR is tested in milliseconds.
  The key is the sha256 of the exact pixels sent to tesseract plus the call's arguments.

Besides whole pages (``words``), an engine reads a batch of small line images in one
tesseract process (``lines_batch``: a list file of images, one TSV "page" each): the
re-reads of large type cost one process start (~0.15 s) per page, not one per line.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from reportflow.config import OcrConfig
from reportflow.errors import OcrError, ToolMissingError

log = logging.getLogger(__name__)

_SHM = Path("/dev/shm")
INSTALL_HINT = (
    "install it with `apt-get install tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd` "
    "(Debian/Ubuntu) or `brew install tesseract tesseract-lang` (macOS)"
)
MIN_VERSION = (4, 1)
"""The LSTM engine and the TSV columns we parse exist since 4.1."""


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word of tesseract's TSV (level 5), with the box of the line it belongs to."""

    text: str
    left: int
    top: int
    width: int
    height: int
    conf: float
    """0–100 (tesseract's word confidence)."""
    line_key: tuple[int, int, int]
    """(block, paragraph, line) numbers: words with the same key are on one tesseract line."""
    line_top: int
    line_height: int


@dataclass(frozen=True, slots=True)
class Orientation:
    """Result of tesseract's orientation and script detection (``--psm 0``)."""

    rotate: int
    """Clockwise degrees (0/90/180/270) to rotate the image by to make the text upright."""
    confidence: float
    script: str
    script_confidence: float


class OcrEngine(Protocol):
    def words(self, image: np.ndarray, *, languages: str, psm: int, dpi: int, timeout_s: float) -> list[OcrWord]:
        """Recognise a grayscale image; words in reading order of tesseract's layout."""
        ...

    def lines_batch(
        self, images: Sequence[np.ndarray], *, languages: str, psm: int, dpi: int, timeout_s: float
    ) -> list[list[OcrWord]]:
        """Recognise several small images in one tesseract process; the words of each, in order."""
        ...

    def orientation(self, image: np.ndarray, *, dpi: int, timeout_s: float) -> Orientation | None:
        """Orientation of the page, or None when tesseract cannot tell (too little text)."""
        ...


# --- installation checks ---------------------------------------------------------------


@cache
def tesseract_version() -> tuple[int, ...]:
    """The installed tesseract's version, e.g. (5, 3, 0); ToolMissingError if absent or too old."""
    exe = shutil.which("tesseract")
    if exe is None:
        raise ToolMissingError(f"tesseract is not installed (OCR of scans needs it): {INSTALL_HINT}")
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolMissingError(f"tesseract could not be run ({exc}): {INSTALL_HINT}") from exc
    match = re.search(r"tesseract\s+v?(\d+)\.(\d+)(?:\.(\d+))?", out.stdout + out.stderr)
    if match is None:
        raise ToolMissingError(f"unrecognised `tesseract --version` output: {out.stdout[:200]!r}")
    version = tuple(int(g) for g in match.groups() if g is not None)
    if version < MIN_VERSION:
        raise ToolMissingError(
            f"tesseract {'.'.join(map(str, version))} is too old, need ≥ {'.'.join(map(str, MIN_VERSION))}: {INSTALL_HINT}"
        )
    return version


@cache
def installed_languages() -> frozenset[str]:
    tesseract_version()
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    # First line is 'List of available languages in "…" (N):'
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def check_languages(languages: str, *, osd: bool = True) -> None:
    """Raise ToolMissingError naming the missing traineddata (``chi_sim+eng`` → both, plus osd)."""
    wanted = [lang for lang in languages.split("+") if lang]
    if osd:
        wanted.append("osd")
    missing = [lang for lang in wanted if lang not in installed_languages()]
    if missing:
        packages = " ".join(f"tesseract-ocr-{m.replace('_', '-')}" for m in missing)
        raise ToolMissingError(
            f"tesseract language data missing: {', '.join(missing)} "
            f"(install `apt-get install {packages}` or put {missing[0]}.traineddata in TESSDATA_PREFIX)"
        )


# --- parsing ----------------------------------------------------------------------------

_TSV_HEADER = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext"


def parse_tsv(tsv: str) -> list[OcrWord]:
    """Words (level 5, non-empty text) of tesseract's TSV output, each with its line's box."""
    return [w for page in parse_tsv_pages(tsv).values() for w in page]


def parse_tsv_pages(tsv: str) -> dict[int, list[OcrWord]]:
    """``parse_tsv`` per TSV page (``page_num``, 1-based): one page per image of a batch."""
    lines = tsv.splitlines()
    if not lines or lines[0].strip() != _TSV_HEADER:
        raise OcrError(f"unexpected tesseract TSV output: {tsv[:120]!r}")
    line_boxes: dict[tuple[int, int, int, int], tuple[int, int]] = {}
    raw_words: list[tuple[tuple[int, int, int, int], list[str]]] = []
    for row in lines[1:]:
        cols = row.split("\t")
        if len(cols) < 12:
            continue
        level = cols[0]
        key = (int(cols[1]), int(cols[2]), int(cols[3]), int(cols[4]))
        if level == "4":
            line_boxes[key] = (int(cols[7]), int(cols[9]))
        elif level == "5" and cols[11].strip():
            raw_words.append((key, cols))
    pages: dict[int, list[OcrWord]] = {}
    for key, cols in raw_words:
        top, height = int(cols[7]), int(cols[9])
        line_top, line_height = line_boxes.get(key, (top, height))
        pages.setdefault(key[0], []).append(
            OcrWord(
                text=cols[11].strip(),
                left=int(cols[6]),
                top=top,
                width=int(cols[8]),
                height=height,
                conf=max(0.0, float(cols[10])),
                line_key=key[1:],
                line_top=line_top,
                line_height=line_height,
            )
        )
    return pages


_OSD_FIELDS = {
    "rotate": re.compile(r"^Rotate:\s*(\d+)", re.MULTILINE),
    "confidence": re.compile(r"^Orientation confidence:\s*([\d.]+)", re.MULTILINE),
    "script": re.compile(r"^Script:\s*(\S+)", re.MULTILINE),
    "script_confidence": re.compile(r"^Script confidence:\s*([\d.]+)", re.MULTILINE),
}


def parse_osd(text: str) -> Orientation | None:
    """Tesseract's ``--psm 0`` report → Orientation; None when it found too few characters."""
    found = {name: rx.search(text) for name, rx in _OSD_FIELDS.items()}
    if found["rotate"] is None or found["confidence"] is None:
        return None
    return Orientation(
        rotate=int(found["rotate"].group(1)) % 360,
        confidence=float(found["confidence"].group(1)),
        script=found["script"].group(1) if found["script"] else "",
        script_confidence=float(found["script_confidence"].group(1)) if found["script_confidence"] else 0.0,
    )


# --- engines ----------------------------------------------------------------------------


def call_key(image: np.ndarray, *args: object) -> str:
    """sha256 of the pixels and the call's arguments: the name of a recording."""
    digest = hashlib.sha256()
    digest.update(f"{image.shape}|{image.dtype}|{'|'.join(map(str, args))}".encode())
    digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()


def batch_key(images: Sequence[np.ndarray], *args: object) -> str:
    """``call_key`` of a batch: every image's shape and pixels, in order, and the arguments."""
    digest = hashlib.sha256()
    digest.update(f"batch{len(images)}|{'|'.join(map(str, args))}".encode())
    for image in images:
        digest.update(f"{image.shape}|{image.dtype}".encode())
        digest.update(np.ascontiguousarray(image).tobytes())
    return digest.hexdigest()


def _batch_result(pages: dict[int, list[OcrWord]], count: int) -> list[list[OcrWord]]:
    return [pages.get(k + 1, []) for k in range(count)]


IMAGE_SUFFIX = ".bmp"


def _encode_image(image: np.ndarray) -> bytes:
    # Uncompressed: 4× faster to write than PNG (20 ms vs 83 ms for A4 at 300 dpi). BMP, not
    # PGM: leptonica reads a PGM with one fread per pixel, 3 % of tesseract's CPU on a page
    # (same words, same TSV bytes; benchmarks/README.md, OCR). Resolution fields stay 0, so
    # tesseract still estimates the dpi when we do not pass one.
    ok, buf = cv2.imencode(IMAGE_SUFFIX, image)
    if not ok:
        raise OcrError("could not encode the page image for tesseract")
    return buf.tobytes()


class TesseractEngine:
    """Runs the tesseract program; optionally records every output for the fake engine."""

    def __init__(self, record_dir: Path | None = None) -> None:
        self.record_dir = record_dir

    def _run(self, image: np.ndarray, args: list[str], timeout_s: float) -> str:
        tesseract_version()
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        # A file, not stdin: tesseract reading an image from a pipe costs ~8 % more CPU
        # (measured 3.2 vs 2.95 s on an A4 page). RAM-backed /dev/shm when there is one.
        folder = _SHM if _SHM.is_dir() else None
        with tempfile.NamedTemporaryFile(suffix=IMAGE_SUFFIX, dir=folder) as handle:
            handle.write(_encode_image(image))
            handle.flush()
            cmd = ["tesseract", handle.name, "stdout", *args]
            return self._call(cmd, env, image.shape, timeout_s)

    def _run_batch(self, images: Sequence[np.ndarray], args: list[str], timeout_s: float) -> str:
        """One tesseract process over several images: a list file names them, and the TSV
        numbers its pages in that order."""
        tesseract_version()
        env = dict(os.environ, OMP_THREAD_LIMIT="1")
        folder = _SHM if _SHM.is_dir() else None
        with tempfile.TemporaryDirectory(dir=folder, prefix="reportflow-ocr-") as tmp:
            names = []
            for k, image in enumerate(images):
                name = Path(tmp) / f"{k:04d}{IMAGE_SUFFIX}"
                name.write_bytes(_encode_image(image))
                names.append(str(name))
            listing = Path(tmp) / "images.txt"
            listing.write_text("\n".join(names) + "\n", encoding="utf-8")
            cmd = ["tesseract", str(listing), "stdout", *args]
            shape = (sum(i.shape[0] for i in images), max(i.shape[1] for i in images))
            return self._call(cmd, env, shape, timeout_s)

    def _call(self, cmd: list[str], env: dict[str, str], shape: tuple[int, ...], timeout_s: float) -> str:
        try:
            proc = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout_s, check=False)
        except subprocess.TimeoutExpired as exc:
            raise OcrError(
                f"tesseract did not finish within {timeout_s:.0f} s (REPORTFLOW_OCR_TIMEOUT) on a "
                f"{shape[1]}x{shape[0]} px page image"
            ) from exc
        except OSError as exc:
            raise ToolMissingError(f"tesseract could not be started ({exc}): {INSTALL_HINT}") from exc
        stderr = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0:
            raise OcrError(f"tesseract failed (exit {proc.returncode}): {stderr[-300:] or 'no message'}")
        return proc.stdout.decode("utf-8", "replace")

    def _record(self, key: str, suffix: str, output: str) -> None:
        if self.record_dir is None:
            return
        self.record_dir.mkdir(parents=True, exist_ok=True)
        # gzip with a fixed mtime: the same output gives the same bytes (clean diffs).
        data = gzip.compress(output.encode("utf-8"), mtime=0)
        (self.record_dir / f"{key}.{suffix}.gz").write_bytes(data)

    def words(self, image: np.ndarray, *, languages: str, psm: int, dpi: int, timeout_s: float) -> list[OcrWord]:
        check_languages(languages, osd=False)
        dpi_args = ["--dpi", str(dpi)] if dpi > 0 else []  # 0 = unknown: tesseract estimates it
        out = self._run(image, ["-l", languages, "--psm", str(psm), *dpi_args, "tsv"], timeout_s)
        if self.record_dir is not None:  # hashing a page image costs ~20 ms: only when recording
            self._record(call_key(image, "tsv", languages, psm, dpi), "tsv", out)
        return parse_tsv(out)

    def lines_batch(
        self, images: Sequence[np.ndarray], *, languages: str, psm: int, dpi: int, timeout_s: float
    ) -> list[list[OcrWord]]:
        if not images:
            return []
        check_languages(languages, osd=False)
        dpi_args = ["--dpi", str(dpi)] if dpi > 0 else []
        out = self._run_batch(images, ["-l", languages, "--psm", str(psm), *dpi_args, "tsv"], timeout_s)
        if self.record_dir is not None:
            self._record(batch_key(images, "tsv", languages, psm, dpi), "tsv", out)
        return _batch_result(parse_tsv_pages(out), len(images))

    def orientation(self, image: np.ndarray, *, dpi: int, timeout_s: float) -> Orientation | None:
        check_languages("", osd=True)
        try:
            out = self._run(image, ["--psm", "0", *(["--dpi", str(dpi)] if dpi > 0 else [])], timeout_s)
        except OcrError as exc:
            # OSD exits non-zero when a page has too few characters to decide: not an error for us.
            if "too few characters" in str(exc).lower():
                out = ""
            else:
                raise
        if self.record_dir is not None:
            self._record(call_key(image, "osd", dpi), "osd", out)
        return parse_osd(out)


class FakeEngine:
    """Replays outputs recorded by ``TesseractEngine(record_dir=…)``; fails loudly when missing."""

    def __init__(self, fixtures_dir: Path) -> None:
        self.fixtures_dir = fixtures_dir

    def _replay(self, key: str, suffix: str) -> str:
        path = self.fixtures_dir / f"{key}.{suffix}.gz"
        if path.exists():
            return gzip.decompress(path.read_bytes()).decode("utf-8")
        plain = path.with_suffix("")
        if plain.exists():
            return plain.read_text(encoding="utf-8")
        raise OcrError(
            f"fake OCR engine has no recording {path.name} in {self.fixtures_dir}: record it with "
            "`python -m reportflow.extract.record FILE…` (runs the real tesseract)"
        )

    def words(self, image: np.ndarray, *, languages: str, psm: int, dpi: int, timeout_s: float) -> list[OcrWord]:
        return parse_tsv(self._replay(call_key(image, "tsv", languages, psm, dpi), "tsv"))

    def lines_batch(
        self, images: Sequence[np.ndarray], *, languages: str, psm: int, dpi: int, timeout_s: float
    ) -> list[list[OcrWord]]:
        if not images:
            return []
        out = self._replay(batch_key(images, "tsv", languages, psm, dpi), "tsv")
        return _batch_result(parse_tsv_pages(out), len(images))

    def orientation(self, image: np.ndarray, *, dpi: int, timeout_s: float) -> Orientation | None:
        return parse_osd(self._replay(call_key(image, "osd", dpi), "osd"))


def engine_for(config: OcrConfig) -> OcrEngine:
    """The engine the configuration asks for (checks the installation for the real one)."""
    if config.engine == "fake":
        return FakeEngine(config.fixtures_dir)
    tesseract_version()
    check_languages(config.languages, osd=True)
    return TesseractEngine(record_dir=config.record_dir)
