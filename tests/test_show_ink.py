"""Re-aligning drifting OCR character boxes to the ink (reportflow.provenance_ink), on lines
typeset with a real CJK font where every glyph's ink box is known."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from reportflow.provenance_ink import align_line, ink_segments, realign_to_ink, split_lines

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="fonts-wqy-zenhei is not installed")
PX = 40


def typeset(lines: list[str], spacing: float = 0.0) -> tuple[np.ndarray, list[tuple[float, float, float, float] | None], str]:
    """A grayscale page with ``lines``, each character's ink box, and the paragraph text."""
    font = ImageFont.truetype(str(FONT), PX)
    image = Image.new("L", (1600, 80 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    boxes: list[tuple[float, float, float, float] | None] = []
    text = ""
    for row, line in enumerate(lines):
        x, y = 60.0, 40.0 + 70 * row
        for ch in line:
            draw.text((x, y), ch, font=font, fill=0)
            left, right = ink_columns(ch, font, x)
            boxes.append((left, y + 4, right, y + PX + 4))  # line-height band, like tesseract's
            x += font.getlength(ch) + spacing
            text += ch
    return np.asarray(image), boxes, text


def ink_columns(ch: str, font: ImageFont.FreeTypeFont, x: float) -> tuple[float, float]:
    """First and last+1 inked column of ``ch`` drawn alone at ``x`` (its true ink extent)."""
    scratch = Image.new("L", (int(x) + 3 * PX, 2 * PX), 255)
    ImageDraw.Draw(scratch).text((x, 0), ch, font=font, fill=0)
    cols = np.nonzero((np.asarray(scratch) <= 128).any(axis=0))[0]
    return float(cols.min()), float(cols.max() + 1)


def drift(boxes: list, by: int) -> list:
    """Tesseract-like drift: each character gets the box of the one ``by`` places later on its line."""
    lines = split_lines(boxes)
    out = list(boxes)
    for line in lines:
        for k, i in enumerate(line):
            j = line[min(len(line) - 1, k + by)]
            out[i] = boxes[j]
    return out


def assert_close(got: list, want: list, indices: range, tolerance: float = 3.0) -> None:
    for i in indices:
        assert got[i] is not None
        assert abs(got[i][0] - want[i][0]) <= tolerance and abs(got[i][2] - want[i][2]) <= tolerance, (i, got[i], want[i])


def test_a_line_drifted_by_one_glyph_is_put_back_on_its_ink() -> None:
    gray, truth, text = typeset(["实现地区生产总值3773.41亿元，增长3.3%、排全省第2"])
    drifted = drift(truth, 1)
    fixed = realign_to_ink(gray, text, drifted, range(len(text)))
    assert_close(fixed, truth, range(len(text)))


def test_justified_spacing_and_two_lines() -> None:
    gray, truth, text = typeset(["也是新会冲刺千亿GDP强区的决", "战决胜之年，新会有何工作展望"], spacing=6)
    fixed = realign_to_ink(gray, text, drift(truth, 1), range(len(text)))
    assert_close(fixed, truth, range(len(text)))
    assert split_lines(truth) == [list(range(15)), list(range(15, len(text)))]


def test_only_lines_with_wanted_characters_are_touched() -> None:
    gray, truth, text = typeset(["开平市地区生产总值增长2.8%", "规上工业增加值增长2.7%"])
    drifted = drift(truth, 1)
    second = range(text.index("规"), len(text))
    fixed = realign_to_ink(gray, text, drifted, second)
    assert fixed[: second.start] == drifted[: second.start]
    assert_close(fixed, truth, second)


def test_text_that_does_not_match_the_ink_keeps_tesseracts_boxes() -> None:
    gray, truth, text = typeset(["地区生产总值增长2.8%"])
    # Tesseract "read" far more characters than are printed: no plausible alignment.
    wrong = text + "以上全力冲刺五百亿"
    prior = truth + [(truth[-1][2] + 5.0 * k, truth[-1][1], truth[-1][2] + 5.0 * (k + 1), truth[-1][3]) for k in range(9)]
    assert realign_to_ink(gray, wrong, prior, range(len(wrong))) == prior


def test_touching_glyphs_share_a_segment() -> None:
    # Two segments for three characters: '4' and '4' touch in "44" when blurred together.
    segments = ink_segments(np.array([[0] * 10 + [255] * 4 + [0] * 20 + [255] * 10], dtype=np.uint8).repeat(5, axis=0),
                            0, 44, 0, 5)
    assert [(s.x0, s.x1) for s in segments] == [(0, 10), (14, 34)]
    prior = [(0.0, 0.0, 10.0, 5.0), (14.0, 0.0, 24.0, 5.0), (24.0, 0.0, 34.0, 5.0)]
    extents = align_line("744", prior, segments, em=20.0)
    assert extents is not None and extents[0] == (0, 10)
    assert extents[1][0] == 14 and extents[2][1] == 34 and extents[1][1] == extents[2][0]


def test_segments_near_the_page_edge_keep_page_coordinates() -> None:
    gray = np.full((20, 50), 255, dtype=np.uint8)
    gray[:, 5:9] = 0
    gray[:, 45:50] = 0
    segments = ink_segments(gray, -30, 80, 0, 20)  # a window reaching beyond both edges
    assert [(s.x0, s.x1) for s in segments] == [(5, 9), (45, 50)]
