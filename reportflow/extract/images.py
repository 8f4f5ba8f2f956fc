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
* **ink blobs** — one connected-component pass over the Otsu ink (``ink_blobs``, ~0.1 s a
  page) serves everything below: the body text's glyph height (``body_text_height``),
  bullet discs ●, small bullet dots · (``find_dot_bullets``) and rows of large type
  (``find_large_rows``: headlines, the big figures of a data box), which tesseract misreads
  at their printed size and which are re-read separately at body-text size;
* binarisation (adaptive, Sauvola-like via OpenCV) is available but off by default.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
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


def reduced_copy(gray: np.ndarray) -> np.ndarray:
    """The ≤ 1000 px copy the page-level estimates work on (compute once, pass it around:
    the INTER_AREA reduction of an A4 page at 300 dpi costs ~13 ms)."""
    return _reduced(gray)[0]


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


def is_blank(gray: np.ndarray, reduced: np.ndarray | None = None) -> bool:
    """No ink worth recognising: a white (or uniformly grey) page, or a few specks of dust.

    Judged on the ≤ 1000 px copy by the count of dark pixels, not their share: the one
    line of text on OCRmyPDF's 8400 pt page is 0.03 % of it (308 dark pixels of the copy),
    while 30 scattered black specks on a scan average out to grey (none).
    """
    small = reduced if reduced is not None else _reduced(gray)[0]
    if int(small.max()) - int(small.min()) < 40:
        return True
    dark = small < min(128, int(small.max()) - 40)
    return int(dark.sum()) < BLANK_MIN_DARK_PIXELS


def _profile_sharpness(ys: np.ndarray, length: int) -> float:
    hist = np.bincount(np.clip(ys, 0, length - 1), minlength=length).astype(np.float64)
    return float(np.dot(hist, hist))


def estimate_skew(
    gray: np.ndarray, max_degrees: float = MAX_SKEW_DEGREES, reduced: np.ndarray | None = None
) -> float:
    """Angle (degrees, counter-clockwise positive) by which the text lines are tilted.

    Rotating the image by ``-angle`` levels them (``rotate_image(gray, -angle)``).
    """
    small = reduced if reduced is not None else _reduced(gray)[0]
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


def rotation_matrix(shape: tuple[int, ...], degrees: float) -> tuple[np.ndarray, tuple[int, int]]:
    """The 2×3 affine map of ``rotate_image(image of shape, degrees)`` — a pixel (x, y) of the
    image goes to ``matrix @ (x, y, 1)`` — and the enlarged canvas' (width, height)."""
    h, w = shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = math.ceil(h * sin + w * cos), math.ceil(h * cos + w * sin)
    matrix[0, 2] += new_w / 2 - w / 2
    matrix[1, 2] += new_h / 2 - h / 2
    return matrix, (new_w, new_h)


def rotate_image(gray: np.ndarray, degrees: float) -> np.ndarray:
    """Rotate counter-clockwise by ``degrees`` about the centre, canvas enlarged, white fill."""
    if abs(degrees) < 1e-6:
        return gray
    matrix, size = rotation_matrix(gray.shape, degrees)
    return cv2.warpAffine(gray, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=255)


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


def looks_sideways(gray: np.ndarray, reduced: np.ndarray | None = None, skew: float = 0.0) -> bool:
    """Cheap hint that text lines run vertically (page turned by 90° or 270°).

    Between horizontal lines of text lie empty rows (the line gaps, 10–45 % of the rows of
    the inked area on our pages and the realdocs scans), while empty columns are rare: CJK
    characters sit ~0.1 em apart and proportional digits and punctuation break any grid.
    A page turned by 90° swaps the two. The hint is wrong for a landscape two-page exam
    spread (its vertical sealing-line margin), which only costs one OSD pass.

    ``skew`` (``estimate_skew`` of the page): the rows are counted on the levelled page. A
    page scanned 1° askew has hardly an empty row across its whole width (each line's tilt
    fills the next gap) while the gutters of a three-column page stay empty columns: the
    OCR benchmark's degraded xinhui page (1.0° askew) has 3 % empty rows against 5 % empty
    columns unlevelled (a false hint: one OSD pass, ~1.3 s, for nothing), 10 % against 5 %
    levelled. Of the 77 page images of the benchmarks and realdocs, turned 0°, 90° and 180°,
    levelling changes the hint on four, each to the right answer.
    """
    small = reduced if reduced is not None else _reduced(gray)[0]
    if abs(skew) >= MIN_SKEW_DEGREES:
        small = rotate_image(small, -skew)
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


# --- ink blobs --------------------------------------------------------------------------

Box = tuple[int, int, int, int]
"""(x0, top, x1, bottom) in pixels, x1/bottom exclusive."""


@dataclass(frozen=True, slots=True)
class InkBlobs:
    """Connected components (8-connected) of a page's ink, computed once per page image."""

    ink: np.ndarray
    """Boolean ink mask (Otsu threshold)."""
    labels: np.ndarray
    """Component label of every pixel (0 = paper)."""
    stats: np.ndarray
    """One row per label: x, y, width, height, area (OpenCV's layout; row 0 is the paper)."""


def ink_blobs(gray: np.ndarray) -> InkBlobs:
    """The ink and its connected components (Otsu threshold on the grey page)."""
    _, binary = cv2.threshold(gray, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    return InkBlobs(binary > 0, labels, stats)


BODY_MIN_BLOBS = 50
"""Fewer glyph-sized blobs than this: too little text to measure its size."""


def body_text_height(blobs: InkBlobs) -> float | None:
    """Height (px) of the page's body-text glyphs: the 90th percentile of blob heights.

    Most blobs are strokes, dots and radicals smaller than a character; the tallest part of
    most CJK characters spans the whole glyph, so the upper end of the height distribution
    sits on the glyph height (measured: 35–36 px for 9 pt type at 300 dpi, 40 px for 10 pt,
    27 px for 10 pt at 200 dpi — the histograms' modes). Headlines and big figures are too
    few blobs to move the percentile. None when the page has too little text to tell.
    """
    w = blobs.stats[1:, cv2.CC_STAT_WIDTH]
    h = blobs.stats[1:, cv2.CC_STAT_HEIGHT]
    glyphish = (h >= 4) & (w >= 2) & (h <= 20 * np.maximum(w, 1)) & (w <= 20 * h)
    if int(glyphish.sum()) < BODY_MIN_BLOBS:
        return None
    return float(np.percentile(h[glyphish], 90))


# --- bullet discs -----------------------------------------------------------------------

BULLET_MIN_MM = 1.2
BULLET_MAX_MM = 6.0


def find_bullet_discs(
    gray: np.ndarray, dpi: float | None, blobs: InkBlobs | None = None
) -> list[tuple[int, int, int, int]]:
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
    blobs = blobs or ink_blobs(gray)
    labels, stats = blobs.labels, blobs.stats
    found: list[tuple[int, int, int, int]] = []
    w_all = stats[:, cv2.CC_STAT_WIDTH].astype(np.float64)
    h_all = stats[:, cv2.CC_STAT_HEIGHT].astype(np.float64)
    fill = stats[:, cv2.CC_STAT_AREA] / np.maximum(w_all * h_all, 1.0)
    sized = np.flatnonzero(
        (w_all >= lo) & (w_all <= hi) & (h_all >= lo) & (h_all <= hi)
        & (w_all >= 0.75 * h_all) & (w_all <= 1.33 * h_all) & (fill >= 0.65) & (fill <= 0.92)
    )
    for i in sized[sized > 0].tolist():
        x, y, w, h = (int(v) for v in stats[i, :4])
        blob = labels[y : y + h, x : x + w] == i
        yy, xx = np.mgrid[0:h, 0:w]
        radius = min(w, h) / 2
        dist2 = (yy - (h - 1) / 2) ** 2 + (xx - (w - 1) / 2) ** 2
        inner = dist2 <= (0.9 * radius) ** 2
        corners = dist2 > (1.05 * radius) ** 2
        if blob[inner].mean() >= 0.95 and (not corners.any() or blob[corners].mean() <= 0.25):
            found.append((x, y, x + w, y + h))
    return found


def paper_level(gray: np.ndarray, reduced: np.ndarray | None = None) -> int:
    """Grey level of the paper (the bright end of the histogram)."""
    small = reduced if reduced is not None else _reduced(gray)[0]
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


def paint_boxes(gray: np.ndarray, boxes: list[Box], fill: int, transform: np.ndarray | None = None) -> np.ndarray:
    """A copy with each box (already including any margin) painted in ``fill``.

    ``transform``: a 2×3 affine map from the boxes' coordinates to ``gray``'s (boxes found on
    the levelled page, painted on the tilted one): each box is painted as the quadrilateral
    it maps to.
    """
    if not boxes:
        return gray
    out = gray.copy()
    h, w = gray.shape
    for x0, y0, x1, y1 in boxes:
        if transform is None:
            out[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)] = fill
            continue
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x1, y1, 1], [x0, y1, 1]], dtype=np.float64)
        quad = np.rint(corners @ transform.T).astype(np.int32)
        cv2.fillConvexPoly(out, quad, int(fill))
    return out


# --- bullet dots ------------------------------------------------------------------------

DOT_SIZE = (0.05, 0.4)
"""Size range of a bullet dot '·', in body glyph heights (measured: 4 px against 35 px;
a dash bullet 8x2 px against 38 px)."""
DOT_TEXT_GAP = (0.25, 2.0)
"""Blank between a bullet dot and its item's first character, in body glyph heights."""
DOT_CLEAR_LEFT = 1.0
"""No ink this far (body heights) left of a bullet: it starts its line."""
DOT_CENTRE_TOLERANCE = 0.25
"""A bullet dot sits on the middle of its line (a full stop sits on the baseline)."""
DOT_ALIGN = 0.3
"""Bullets of one list line up: another dot within this many body heights of its x."""
DOT_LIST_REACH = 30.0
"""… and within this many body heights above or below."""


def _text_right_of(ink: np.ndarray, x1: int, cy: float, body: float) -> tuple[int, int, int] | None:
    """(gap, top, bottom) of the ink that follows a dot on its line, or None if there is none
    within reach. Gap = blank columns between the dot and that ink."""
    h, w = ink.shape
    y0, y1 = max(0, int(cy - 0.8 * body)), min(h, int(cy + 0.8 * body) + 1)
    xa, xb = min(w, x1 + 1), min(w, x1 + 1 + int(DOT_TEXT_GAP[1] * body) + 1)
    if xb <= xa or y1 <= y0:
        return None
    columns = np.flatnonzero(ink[y0:y1, xa:xb].any(axis=0))
    if len(columns) == 0:
        return None
    start = xa + int(columns[0])
    glyph = ink[y0:y1, start : min(w, start + int(1.2 * body) + 1)]
    rows = np.flatnonzero(glyph.any(axis=1))
    return start - x1, y0 + int(rows[0]), y0 + int(rows[-1]) + 1


@dataclass(frozen=True, slots=True)
class DotBullet:
    mark: Box
    """The dot's own ink (what is painted out before recognition)."""
    line: Box
    """The dot's x extent and the vertical extent of the line it starts (its unit's box)."""


def find_dot_bullets(blobs: InkBlobs, body: float | None, exclude: Sequence[Box] = ()) -> list[DotBullet]:
    """Small bullet dots '·' (or short dashes) that start list items.

    Tesseract reads these dots as '”', '*' or nothing and glues the
    items of a list into one line (the xinhui sample scan: ``…排名第42位,较 ”2021年…``).
    A dot is a bullet when it is small and solid, starts its line (no ink within one glyph
    height to the left), is followed after a gap by text whose vertical middle it sits on
    (a full stop or decimal point sits low, a middle dot between digits has ink on the left),
    and lines up with another such dot of the same list (a speck of dirt rarely does).
    """
    if body is None or body <= 0:
        return []
    stats = blobs.stats
    x, y, w, h, area = (stats[:, k] for k in range(5))
    lo, hi = DOT_SIZE[0] * body, DOT_SIZE[1] * body
    size_ok = (w >= max(2.0, lo)) & (w <= hi) & (h >= max(2.0, lo)) & (h <= hi)
    # Round dots, and short dashes (fpdf2 draws '·' of some fonts as a 8x2 px bar at 300 dpi).
    shape_ok = (w <= 5 * h) & (h <= 2 * w) & (area >= 0.45 * w * h)
    candidates = np.flatnonzero(size_ok & shape_ok)
    ink = blobs.ink
    height = ink.shape[0]
    found: list[tuple[DotBullet, float]] = []
    for i in candidates[candidates > 0].tolist():
        x0, y0, x1, y1 = int(x[i]), int(y[i]), int(x[i] + w[i]), int(y[i] + h[i])
        if any(bx0 <= x0 and x1 <= bx1 and by0 <= y0 and y1 <= by1 for bx0, by0, bx1, by1 in exclude):
            continue
        cy = (y0 + y1) / 2.0
        band = slice(max(0, int(cy - 0.5 * body)), min(height, int(cy + 0.5 * body) + 1))
        left = ink[band, max(0, x0 - int(DOT_CLEAR_LEFT * body)) : max(0, x0 - 1)]
        if left.size and left.any():
            continue
        text = _text_right_of(ink, x1, cy, body)
        if text is None:
            continue
        gap, top, bottom = text
        if gap < DOT_TEXT_GAP[0] * body or bottom - top < 0.6 * body or bottom - top > 1.6 * body:
            continue
        if abs((top + bottom) / 2.0 - cy) > DOT_CENTRE_TOLERANCE * body:
            continue
        found.append((DotBullet((x0, y0, x1, y1), (x0, top, x1, bottom)), cy))
    kept: list[DotBullet] = []
    for k, (dot, cy) in enumerate(found):
        cx = (dot.mark[0] + dot.mark[2]) / 2.0
        if any(
            j != k
            and abs((other.mark[0] + other.mark[2]) / 2.0 - cx) <= DOT_ALIGN * body
            and abs(other_cy - cy) <= DOT_LIST_REACH * body
            for j, (other, other_cy) in enumerate(found)
        ):
            kept.append(dot)
    return kept


# --- large type -------------------------------------------------------------------------

LARGE_TYPE_RATIO = 1.6
"""A blob this many body glyph heights tall belongs to large type (headline, big figure)."""
LARGE_TYPE_MAX = 8.0
"""Taller blobs are rules, frames and pictures, not type."""
LARGE_ROW_MEMBER = 1.25
"""Blobs this many body heights tall join a row of large type (but do not start one)."""
LARGE_ROW_GAP = 1.0
"""Large glyphs of one row are at most this many of their heights apart."""
LARGE_ROW_MIN_GLYPHS = 2
"""A row of large type has at least this many tall blobs (a lone tall blob may be two body
lines run together by a blot)."""
LARGE_ROW_MARGIN = 0.12
"""Margin around a large row (in its heights) painted out of the page and kept in its crop."""


@dataclass(frozen=True, slots=True)
class LargeRow:
    """One row of large type, to be recognised on its own at body-text size."""

    box: Box
    """The row's glyphs (x1/bottom exclusive)."""
    glyph_height: int
    """Median height of its tall blobs: the type size to scale from."""

    def padded(self, shape: tuple[int, ...]) -> Box:
        """The box with its margin, inside an image of ``shape``."""
        m = round(LARGE_ROW_MARGIN * (self.box[3] - self.box[1]))
        x0, y0, x1, y1 = self.box
        return max(0, x0 - m), max(0, y0 - m), min(shape[1], x1 + m), min(shape[0], y1 + m)


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def find_large_rows(blobs: InkBlobs, body: float | None) -> list[LargeRow]:
    """Rows of type much larger than the body text: headlines, the figures of a data box.

    Tesseract's LSTM reads text lines normalised to a fixed height, and large type loses
    against it: on the xinhui sample scan the 28 pt figures of the data box came out
    '4%' → 'O' + '490', '5.1%' → 'D.1%', '0.5%' → '0.5办', and a label above a figure was
    swallowed into the figure's line. These rows are found from the ink (tall blobs side by
    side), painted out of the page before the main recognition and read on their own.
    """
    if body is None or body <= 0:
        return []
    stats = blobs.stats
    x, y, w, h, area = (stats[:, k].astype(np.int64) for k in range(5))
    typeish = (h <= LARGE_TYPE_MAX * body) & (w >= 0.08 * h) & (w <= 3.0 * h) & (area >= 0.05 * w * h)
    tall = typeish & (h >= LARGE_TYPE_RATIO * body)
    # Digits and Latin letters of a large row are shorter than its Chinese characters
    # ('2023' in '数读2023年…': 48 px against 62): they join a row but cannot start one.
    medium = typeish & (h >= LARGE_ROW_MEMBER * body)
    tall[0] = medium[0] = False
    if int(tall.sum()) < LARGE_ROW_MIN_GLYPHS:
        return []
    idx = np.flatnonzero(medium)
    # Union-find over blobs that overlap vertically and stand close side by side.
    parent = {int(i): int(i) for i in idx}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    order = idx[np.argsort(x[idx])]
    max_h = int(h[idx].max())
    for a_pos, a in enumerate(order.tolist()):
        for b in order[a_pos + 1 :].tolist():
            if x[b] > x[a] + w[a] + LARGE_ROW_GAP * max_h:
                break
            if x[b] > x[a] + w[a] + LARGE_ROW_GAP * max(h[a], h[b]):
                continue
            if _overlap(y[a], y[a] + h[a], y[b], y[b] + h[b]) >= 0.5 * min(h[a], h[b]):
                parent[root(b)] = root(a)
    groups: dict[int, list[int]] = {}
    for i in idx.tolist():
        groups.setdefault(root(i), []).append(i)
    rows: list[LargeRow] = []
    for members in groups.values():
        m = np.asarray(members)
        big = m[tall[m]]
        if len(big) < LARGE_ROW_MIN_GLYPHS:
            continue
        x0, y0 = int(x[m].min()), int(y[m].min())
        x1, y1 = int((x[m] + w[m]).max()), int((y[m] + h[m]).max())
        glyph = int(np.median(h[big]))
        # Small parts of the row's glyphs (the point of '5.1%', dots, radicals) inside its band.
        band_top, band_bottom = y0 - 0.1 * glyph, y1 + 0.1 * glyph
        near = (
            (y >= band_top) & (y + h <= band_bottom) & (x >= x0 - 0.5 * glyph) & (x + w <= x1 + 0.5 * glyph)
        )
        near[0] = False
        if near.any():
            x0, x1 = min(x0, int(x[near].min())), max(x1, int((x[near] + w[near]).max()))
            y0, y1 = min(y0, int(y[near].min())), max(y1, int((y[near] + h[near]).max()))
        rows.append(LargeRow((x0, y0, x1, y1), glyph))
    return sorted(rows, key=lambda r: (r.box[1], r.box[0]))


LINE_PX = 36
"""Glyph height (px) a large row is scaled to before it is read (tesseract's comfortable
size: 9–10 pt at 300 dpi)."""
LINE_PAD = 0.5
"""White margin around a line crop, in glyph heights: tesseract reads a line that touches
the image edge badly (eng on the sample's '4%': conf 70 unpadded, 95 padded)."""


def line_crop(gray: np.ndarray, row: LargeRow, paper: int) -> tuple[np.ndarray, float, tuple[float, float]]:
    """The row cut out, scaled to ``LINE_PX`` glyph height and padded with paper.

    Returns (image, scale, (left, top)): a point (u, v) of the crop is
    (left + u / scale, top + v / scale) on the page.
    """
    x0, y0, x1, y1 = row.padded(gray.shape)
    scale = min(1.0, LINE_PX / max(1, row.glyph_height))
    crop = gray[y0:y1, x0:x1]
    if scale < 1.0:
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    pad = round(LINE_PAD * LINE_PX)
    crop = cv2.copyMakeBorder(crop, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=paper)
    return crop, scale, (x0 - pad / scale, y0 - pad / scale)
