"""Page images: loading (PNG, JPEG, multi-page TIFF) and pre-processing before OCR.

Pre-processing steps and why they exist (numbers: the OCR section of benchmarks/README.md):

* **grayscale** — tesseract binarises a gray image itself; colour adds nothing;
* **EXIF orientation** — phone photos store pixels sideways plus an Orientation tag;
* **deskew** — a scan rotated by ~1° turns a line of a 3-column page into a staircase the
  layout engine cannot cluster; ``estimate_skew`` maximises the sharpness of the horizontal
  projection profile of the ink pixels over candidate angles (a coarse-to-fine search on a
  ≤ 1000 px copy: ~30 ms per page);
* **sideways hint** — ``looks_sideways`` compares the share of empty rows (line gaps) with
  the share of empty columns: text lines leave empty rows, a page turned by 90° empty columns.
  It is the cheap signal that decides whether tesseract's OSD pass (≈1.5 s) is worth
  running before recognition;
* **blank page** — nothing to recognise, tesseract is not called;
* binarisation (adaptive, Sauvola-like via OpenCV) is available but off by default.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

from reportflow.errors import EmptyFileError, PageTooLargeError, UnsupportedInputError

log = logging.getLogger(__name__)

_ANALYSIS_SIDE = 1000
"""Long side (px) of the reduced copy used for skew and orientation estimates."""
MAX_SKEW_DEGREES = 5.0
MIN_SKEW_DEGREES = 0.2
"""Smaller estimates are noise: the image is not rotated (rotation blurs it slightly)."""
BLANK_MIN_DARK_PIXELS = 50
SIDEWAYS_MARGIN = 0.02


@dataclass(slots=True)
class PageImage:
    """One grayscale page image to recognise."""

    page_no: int
    image: np.ndarray
    """uint8, 2-D, 255 = white."""
    dpi: float | None
    """From the file's metadata or the rendering; None when unknown."""
    note: str = ""


# --- loading ----------------------------------------------------------------------------


def _to_gray(frame: Image.Image) -> np.ndarray:
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P" and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        frame = Image.alpha_composite(white, rgba)
    if frame.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(frame, dtype=np.float64)
        hi = arr.max() or 1.0
        return np.clip(arr * (255.0 / hi), 0, 255).astype(np.uint8)
    return np.asarray(frame.convert("L"), dtype=np.uint8)


def _dpi_of(frame: Image.Image) -> float | None:
    dpi = frame.info.get("dpi")
    if dpi and isinstance(dpi, tuple) and dpi[0]:
        value = float(dpi[0])
        # Many writers store 72 or 96 "dpi" as a placeholder (and JFIF aspect-ratio-only
        # 1:1): not evidence of the scan's real resolution.
        if 100 <= value <= 1200:
            return value
    return None


def fit_pixels(image: np.ndarray, max_pixels: int) -> tuple[np.ndarray, float]:
    """Downscale so the image has ≤ max_pixels; returns the image and the scale applied."""
    h, w = image.shape[:2]
    if h * w <= max_pixels:
        return image, 1.0
    scale = math.sqrt(max_pixels / (h * w))
    resized = cv2.resize(image, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    return resized, scale


_OPENCV_MODES = {"1", "L", "RGB", "CMYK", "YCbCr"}


def _decode_with_opencv(path: Path, img: Image.Image, max_pixels: int) -> PageImage | None:
    """The common case — one PNG/JPEG page, no alpha, no 16-bit — decoded straight to grey
    by OpenCV (40 ms against PIL's 72 ms + a colour conversion and a copy for an A4 PNG at
    300 dpi, ~0.2 s a page in all). OpenCV applies the EXIF orientation itself. None when
    the image needs the general path."""
    if img.format not in ("PNG", "JPEG") or getattr(img, "n_frames", 1) != 1:
        return None
    if img.mode not in _OPENCV_MODES or "transparency" in img.info:
        return None
    w, h = img.size
    if w * h > max_pixels:
        return None
    gray = cv2.imdecode(np.fromfile(path, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if gray is None:
        return None
    orientation = img.getexif().get(0x0112, 1) if img.format == "JPEG" else 1
    note = "EXIF orientation applied" if orientation not in (None, 1) else ""
    return PageImage(1, gray, _dpi_of(img), note)


def load_image_pages(path: Path, max_pixels: int) -> list[PageImage]:
    """Every page (TIFF frames) of an image file as grayscale, EXIF orientation applied.

    Images larger than ``max_pixels`` are reduced (JPEG while decoding); PIL's decompression
    bomb guard (> ~179 Mpx) becomes PageTooLargeError.
    """
    if path.stat().st_size == 0:
        raise EmptyFileError("empty file (0 bytes): nothing to extract")
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise PageTooLargeError(f"image too large to decode safely: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedInputError(f"not a readable image (PNG, JPEG or TIFF expected): {path.name}") from exc
    except OSError as exc:
        raise UnsupportedInputError(f"corrupt or truncated image: {exc}") from exc
    fast = _decode_with_opencv(path, img, max_pixels)
    if fast is not None:
        img.close()
        return [fast]
    pages: list[PageImage] = []
    try:
        with img:
            for index, frame in enumerate(ImageSequence.Iterator(img)):
                w, h = frame.size
                note = ""
                if frame.format == "JPEG" and w * h > max_pixels:
                    # JPEG decodes at 1/2, 1/4, 1/8 scale for free: never hold the full bitmap.
                    frame.draft("L", (int(w * math.sqrt(max_pixels / (w * h))) + 1, h))
                dpi = _dpi_of(frame)
                upright = frame
                if index == 0 and frame.getexif().get(0x0112, 1) not in (None, 1):
                    upright = ImageOps.exif_transpose(frame)
                    note = "EXIF orientation applied"
                gray = _to_gray(upright if upright is not None else frame)
                gray, scale = fit_pixels(gray, max_pixels)
                if gray.shape[1] != w and scale == 1.0 and frame.format == "JPEG":
                    scale = gray.shape[1] / w  # draft mode reduced it
                if scale < 1.0:
                    note = (note + "; " if note else "") + f"reduced to {gray.shape[1]}x{gray.shape[0]} px"
                    dpi = dpi * scale if dpi else None
                pages.append(PageImage(index + 1, np.ascontiguousarray(gray), dpi, note))
    except Image.DecompressionBombError as exc:
        raise PageTooLargeError(f"image too large to decode safely: {exc}") from exc
    except OSError as exc:
        if pages:
            log.warning("%s: stopped after %d readable frames: %s", path.name, len(pages), exc)
        else:
            raise UnsupportedInputError(f"corrupt or truncated image: {exc}") from exc
    return pages


# --- analysis ---------------------------------------------------------------------------


def _reduced(gray: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = gray.shape
    scale = min(1.0, _ANALYSIS_SIDE / max(h, w))
    if scale < 1.0:
        gray = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    return gray, scale


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Dark pixels (Otsu threshold), as a boolean array."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return binary > 0


def is_blank(gray: np.ndarray) -> bool:
    """No ink worth recognising: a white (or uniformly grey) page, or a few specks of dust.

    Judged on the ≤ 1000 px copy by the count of dark pixels, not their share: the one
    line of text on OCRmyPDF's 8400 pt page is 0.03 % of it (308 dark pixels of the copy),
    while 30 scattered black specks on a scan average out to grey (none).
    """
    small, _ = _reduced(gray)
    if int(small.max()) - int(small.min()) < 40:
        return True
    dark = small < min(128, int(small.max()) - 40)
    return int(dark.sum()) < BLANK_MIN_DARK_PIXELS


def _profile_sharpness(ys: np.ndarray, length: int) -> float:
    hist = np.bincount(np.clip(ys, 0, length - 1), minlength=length).astype(np.float64)
    return float(np.dot(hist, hist))


def estimate_skew(gray: np.ndarray, max_degrees: float = MAX_SKEW_DEGREES) -> float:
    """Angle (degrees, counter-clockwise positive) by which the text lines are tilted.

    Rotating the image by ``-angle`` levels them (``rotate_image(gray, -angle)``).
    """
    small, _ = _reduced(gray)
    mask = ink_mask(small)
    ys, xs = np.nonzero(mask)
    if len(ys) < 200:
        return 0.0
    h, w = mask.shape
    xs_c = xs.astype(np.float64) - w / 2
    ys_f = ys.astype(np.float64)
    pad = int(w * math.tan(math.radians(max_degrees))) + 2

    ys_c = ys_f - h / 2

    def score(angle: float) -> float:
        # Row coordinate of each ink pixel after rotating the page by -angle: a line tilted
        # by +angle (rising to the right on screen, y grows downwards) becomes level.
        rad = math.radians(angle)
        rotated = ys_c * math.cos(rad) + xs_c * math.sin(rad) + h / 2
        return _profile_sharpness(np.round(rotated).astype(np.int64) + pad, h + 2 * pad)

    coarse = np.arange(-max_degrees, max_degrees + 1e-9, 0.5)
    best = max(coarse, key=score)
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    best = float(max(fine, key=score))
    return round(best, 2)


def rotate_image(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees`` about the centre, canvas enlarged, white fill."""
    if abs(degrees) < 1e-6:
        return gray
    h, w = gray.shape
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = math.ceil(h * sin + w * cos), math.ceil(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return cv2.warpAffine(
        gray, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255
    )


def rotate_quarter(gray: np.ndarray, clockwise_degrees: int) -> np.ndarray:
    """Exact rotation by 0/90/180/270 degrees clockwise."""
    turns = (clockwise_degrees // 90) % 4
    if turns == 0:
        return gray
    code = {1: cv2.ROTATE_90_CLOCKWISE, 2: cv2.ROTATE_180, 3: cv2.ROTATE_90_COUNTERCLOCKWISE}[turns]
    return cv2.rotate(gray, code)


def _empty_share(profile: np.ndarray) -> float:
    """Share of a profile's bins (inside the inked extent) that hold (almost) no ink."""
    inked = np.nonzero(profile)[0]
    if len(inked) == 0:
        return 0.0
    span = profile[inked[0] : inked[-1] + 1]
    return float((span <= 0.02 * span.max()).mean())


def looks_sideways(gray: np.ndarray) -> bool:
    """Cheap hint that text lines run vertically (page turned by 90° or 270°).

    Between horizontal lines of text lie empty rows (the line gaps, 10–45 % of the rows of
    the inked area on our pages and the realdocs scans), while empty columns are rare: CJK
    characters sit ~0.1 em apart and proportional digits and punctuation break any grid.
    A page turned by 90° swaps the two. The hint is wrong for a landscape two-page exam
    spread (its vertical sealing-line margin), which only costs one OSD pass.
    """
    small, _ = _reduced(gray)
    mask = ink_mask(small)
    if int(mask.sum()) < 500:
        return False
    empty_rows = _empty_share(mask.sum(axis=1))
    empty_cols = _empty_share(mask.sum(axis=0))
    return empty_cols > empty_rows + SIDEWAYS_MARGIN


def binarize(gray: np.ndarray) -> np.ndarray:
    """Adaptive threshold (local mean, window ≈ 1/40 of the page width): uneven backgrounds."""
    window = max(15, (gray.shape[1] // 40) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY, window, 15)


# --- bullet discs -----------------------------------------------------------------------

BULLET_MIN_MM = 1.2
BULLET_MAX_MM = 6.0


def find_bullet_discs(gray: np.ndarray, dpi: float | None) -> list[tuple[int, int, int, int]]:
    """Boxes (x0, top, x1, bottom) of filled round dots the size of a bullet glyph (●).

    Tesseract reads a list bullet as '@@', '@', '®' or a random CJK character (measured on
    the benchmark scans: every ● of a page misread), which glues it to the item's text and
    hides the item from the layout engine. A bullet is easy to find geometrically instead:
    one connected blob, about as wide as high, 1.2–6 mm across, its inscribed circle fully
    inked and its bounding-box corners empty (on the benchmark scans bullets measure
    inside ≥ 0.99 / corners ≤ 0.05; the nearest non-bullet blob 0.79 / 0.69).
    """
    scale = (dpi or 300.0) / 25.4
    lo, hi = BULLET_MIN_MM * scale, BULLET_MAX_MM * scale
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    found: list[tuple[int, int, int, int]] = []
    for i in range(1, count):
        x, y, w, h, area = (int(v) for v in stats[i])
        if not (lo <= w <= hi and lo <= h <= hi and 0.75 <= w / h <= 1.33):
            continue
        if not 0.65 <= area / (w * h) <= 0.92:
            continue
        blob = labels[y : y + h, x : x + w] == i
        yy, xx = np.mgrid[0:h, 0:w]
        radius = min(w, h) / 2
        dist2 = (yy - (h - 1) / 2) ** 2 + (xx - (w - 1) / 2) ** 2
        inner = dist2 <= (0.9 * radius) ** 2
        corners = dist2 > (1.05 * radius) ** 2
        if blob[inner].mean() >= 0.95 and (not corners.any() or blob[corners].mean() <= 0.25):
            found.append((x, y, x + w, y + h))
    return found


def paper_level(gray: np.ndarray) -> int:
    """Grey level of the paper (the bright end of the histogram)."""
    small, _ = _reduced(gray)
    return int(np.percentile(small, 90))


def mask_boxes(gray: np.ndarray, boxes: list[tuple[int, int, int, int]], margin: int = 2) -> np.ndarray:
    """A copy with each box painted in the paper's grey level (so tesseract does not see it)."""
    if not boxes:
        return gray
    out = gray.copy()
    fill = paper_level(gray)
    h, w = gray.shape
    for x0, y0, x1, y1 in boxes:
        out[max(0, y0 - margin) : min(h, y1 + margin), max(0, x0 - margin) : min(w, x1 + margin)] = fill
    return out
