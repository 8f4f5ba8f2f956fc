"""A tilted scan read as scanned, its words turned level (``OcrConfig.level`` 'words')."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from reportflow.extract.images import paint_boxes, rotation_matrix
from reportflow.extract.ocr import _unturned_size, level_words
from reportflow.extract.tesseract import OcrWord


@pytest.mark.parametrize("degrees", [-2.5, -0.8, 0.3, 1.5])
@pytest.mark.parametrize(("w", "h"), [(40, 41), (9, 40), (1133, 41), (300, 12)])
def test_unturned_size_inverts_a_turned_rectangles_box(degrees: float, w: float, h: float) -> None:
    rad = math.radians(degrees)
    cos, sin = math.cos(rad), abs(math.sin(rad))
    width, height = w * cos + h * sin, w * sin + h * cos
    assert _unturned_size(width, height, cos, sin) == pytest.approx((w, h), abs=1e-6)


def _turned_box(corners: np.ndarray, matrix: np.ndarray) -> tuple[int, int, int, int]:
    moved = np.c_[corners, np.ones(len(corners))] @ matrix.T
    x0, y0 = np.floor(moved.min(axis=0)).astype(int)
    x1, y1 = np.ceil(moved.max(axis=0)).astype(int)
    return int(x0), int(y0), int(x1), int(y1)


@pytest.mark.parametrize("tilt", [-1.4, 0.7, 1.5])
def test_tilted_words_land_on_their_levelled_lines(tilt: float) -> None:
    """Words drawn level, tilted as a scanner would, boxed as tesseract boxes them (axis-aligned
    boxes of the tilted words, one line box that is not the tilted line's box): turned back,
    every word is where it was drawn, and each line's box is its ink's rows."""
    tilted_shape = (1400, 1000)
    levelling, (level_w, level_h) = rotation_matrix(tilted_shape, -tilt)
    to_tilted = cv2.invertAffineTransform(levelling)
    ink = np.zeros((level_h, level_w), dtype=bool)
    drawn: list[tuple[int, int, int, int]] = []
    words: list[OcrWord] = []
    for line_no, top in enumerate(range(200, 1100, 60)):  # 40 px type, leading 1.5
        x = 150
        for word_no, width in enumerate((40, 160, 9, 420, 80)):
            box = (x, top, x + width, top + 40)
            ink[box[1] : box[3], box[0] : box[2]] = True
            drawn.append(box)
            corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[2], box[3]], [box[0], box[3]]], float)
            tx0, ty0, tx1, ty1 = _turned_box(corners, to_tilted)
            # A number's LSTM box overshoots its line: the third word's box, 9 px wide, is
            # read as a digit and boxed 20 px too tall.
            text = "7" if word_no == 2 else "增长"
            if word_no == 2:
                ty0 -= 20
            words.append(OcrWord(text, tx0, ty0, tx1 - tx0, ty1 - ty0, 90.0, (1, 1, line_no), ty0 + 5, 30))
            x += width + 25
    levelled = level_words(words, levelling, ink)
    for word, (x0, y0, x1, y1) in zip(levelled, drawn):
        assert word.left == pytest.approx(x0, abs=2) and word.left + word.width == pytest.approx(x1, abs=2)
        if word.text != "7":
            assert word.top == pytest.approx(y0, abs=2) and word.top + word.height == pytest.approx(y1, abs=2)
        assert (word.line_top, word.line_height) == (y0, 40)  # the ink's rows, not the boxes'


def test_level_words_without_ink_uses_its_words_median_band() -> None:
    levelling, _ = rotation_matrix((500, 800), 0.0)
    words = [
        OcrWord("开平", 10, 100, 80, 40, 90.0, (1, 1, 1), 95, 70),
        OcrWord("3773.41", 100, 80, 120, 75, 90.0, (1, 1, 1), 95, 70),  # overshoots its line
        OcrWord("亿元", 230, 102, 80, 40, 90.0, (1, 1, 1), 95, 70),
    ]
    assert {(w.line_top, w.line_height) for w in level_words(words, levelling)} == {(101, 40)}


def test_boxes_found_level_are_painted_on_the_tilted_page() -> None:
    """A bullet or a large figure is found on the levelled page and painted out of the tilted
    one that tesseract reads: the painted quadrilateral covers all of its ink there."""
    level = np.full((600, 800), 255, dtype=np.uint8)
    level[200:260, 300:520] = 0  # a figure in large type
    tilted = cv2.warpAffine(level, rotation_matrix(level.shape, 1.2)[0], rotation_matrix(level.shape, 1.2)[1],
                            flags=cv2.INTER_LINEAR, borderValue=255)
    levelling, _ = rotation_matrix(tilted.shape, -1.2)
    # The figure's box on the levelled copy of the tilted page, with the usual margin.
    corners = np.array([[300, 200], [520, 200], [520, 260], [300, 260]], float)
    x0, y0, x1, y1 = _turned_box(corners, levelling @ np.vstack([rotation_matrix(level.shape, 1.2)[0], [0, 0, 1]]))
    painted = paint_boxes(tilted, [(x0 - 2, y0 - 2, x1 + 2, y1 + 2)], 255, cv2.invertAffineTransform(levelling))
    assert (tilted < 128).sum() > 10_000
    assert (painted < 250).sum() == 0
    # Nothing but the figure: a box elsewhere leaves the page as it was.
    assert np.array_equal(paint_boxes(tilted, [(10, 10, 40, 40)], 255, cv2.invertAffineTransform(levelling)), tilted)


@pytest.mark.parametrize(
    ("level", "body", "words"),
    [("auto", 38.0, True), ("auto", 32.0, True), ("auto", 27.0, False), ("auto", None, False),
     ("words", 27.0, True), ("image", 41.0, False)],
)
def test_auto_reads_as_scanned_only_large_enough_type(level: str, body: float | None, words: bool) -> None:
    """10 pt type is 38–41 px at 300 dpi (read as scanned), 26–28 px at 200 dpi (levelled copy)."""
    from reportflow.config import OcrConfig
    from reportflow.extract.ocr import _reads_as_scanned

    assert _reads_as_scanned(OcrConfig(level=level), body) is words  # type: ignore[arg-type]
