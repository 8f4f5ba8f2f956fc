"""Page images: loading, skew and orientation estimates, bullets, blank pages (no tesseract)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from reportflow.errors import EmptyFileError, PageTooLargeError, UnsupportedInputError
from reportflow.extract.images import (
    estimate_skew,
    find_bullet_discs,
    is_blank,
    load_image_pages,
    looks_sideways,
    mask_boxes,
    rotate_image,
    rotate_quarter,
)
from reportflow.extract.pdf import open_pdf, render_page

FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
ITEMS = [
    "规上工业增加值增长2.7%、社会消费品零售总额增长2.0%",
    "外贸进出口总值增长2.5%，地方一般公共预算收入增长0.3%",
    "城镇新增就业7089人，登记失业率控制在2.3%以内。",
    "基本医保参保率达到98%以上，增加学前教育学位960个",
    "空气质量达标率93.4%，森林覆盖率达46.2%。",
]


BODY_LINES = [
    "全市地区生产总值3773.41亿元，",
    "增长3.3%，增速排全省第2。",
    "规模以上工业增加值增长4.8%，",
    "固定资产投资下降0.8%。",
]
BODY = "".join(BODY_LINES)


def build_page_pdf(path: Path) -> Path:
    """A small A5 page: a heading, five ● items over two lines each, short body lines."""
    if not FONT.exists():
        pytest.skip("CJK font not installed")
    from reportlab.lib.pagesizes import A5
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("zenhei", str(FONT), subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=A5, invariant=1)
    _, height = A5
    c.setFont("zenhei", 16)
    c.drawString(40, height - 50, "2022年发展活力不断增强")
    y = height - 90
    c.setFont("zenhei", 9)
    for item in ITEMS:
        c.drawString(40, y, "●")
        c.drawString(52, y, item[:18])
        c.drawString(52, y - 13, item[18:])
        y -= 32
    for line in BODY_LINES:
        c.drawString(40, y, line)
        y -= 13
    c.save()
    return path


@pytest.fixture(scope="module")
def page_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_page_pdf(tmp_path_factory.mktemp("page") / "page.pdf")


@pytest.fixture(scope="module")
def page_image(page_pdf: Path) -> np.ndarray:
    image, dpi = render_page(open_pdf(page_pdf), 0, 200, 50_000_000)
    assert dpi == 200
    return image


@pytest.mark.parametrize("angle", [0.0, 0.6, -1.1, 1.5, -3.0])
def test_skew_is_measured_within_a_tenth_of_a_degree(page_image: np.ndarray, angle: float) -> None:
    tilted = rotate_image(page_image, angle)
    assert estimate_skew(tilted) == pytest.approx(angle, abs=0.1)
    level = rotate_image(tilted, -estimate_skew(tilted))
    assert abs(estimate_skew(level)) <= 0.1


def test_sideways_hint(page_image: np.ndarray) -> None:
    assert not looks_sideways(page_image)
    assert not looks_sideways(rotate_quarter(page_image, 180))
    assert looks_sideways(rotate_quarter(page_image, 90))
    assert looks_sideways(rotate_quarter(page_image, 270))


def build_three_column_pdf(path: Path) -> Path:
    """A dense A4 page of three columns of 9 pt body text, 32 pt gutters (a newspaper page)."""
    if not FONT.exists():
        pytest.skip("CJK font not installed")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("zenhei", str(FONT), subfontIndex=0))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("zenhei", 9)
    text, per, k = BODY * 40, 17, 0
    for column in range(3):
        y = A4[1] - 40
        while y > 40:
            c.drawString(36 + column * 180, y, text[k : k + per])
            k, y = k + per, y - 11.5
    c.save()
    return path


@pytest.mark.parametrize("tilt", [0.6, 1.0, -1.2, 1.5])
def test_sideways_hint_counts_line_gaps_on_the_levelled_page(tmp_path: Path, tilt: float) -> None:
    """A three-column page scanned a degree askew: each tilted line fills the gap below it, so
    hardly a row is empty across the page while the gutters stay empty columns. Unlevelled,
    the hint takes it for a sideways page (and OSD runs for nothing); levelled, it does not."""
    image, _ = render_page(open_pdf(build_three_column_pdf(tmp_path / "three.pdf")), 0, 150, 50_000_000)
    tilted = rotate_image(image, tilt)
    skew = estimate_skew(tilted)
    assert skew == pytest.approx(tilt, abs=0.1)
    assert looks_sideways(tilted), "the trap: unlevelled, the gutters outnumber the line gaps"
    assert not looks_sideways(tilted, skew=skew)
    turned = rotate_quarter(image, 90)
    assert looks_sideways(turned, skew=estimate_skew(turned))


def test_sideways_hint_on_real_scans(realdocs: Path) -> None:
    folder = realdocs / "chinese_scans"
    upright = ["dolphin__page_5_two_column_textbook.jpg", "pix2text__val_0646_two_column_paper.jpg",
               "chineseocr_lite__7_upside_down_dense_text.jpg", "doclayoutyolo__financial_broker_report.jpg"]
    for name in upright:
        gray = cv2.imread(str(folder / name), cv2.IMREAD_GRAYSCALE)
        assert not looks_sideways(gray), name
        assert looks_sideways(rotate_quarter(gray, 90)), name


def test_rotate_quarter_is_exact(page_image: np.ndarray) -> None:
    turned = rotate_quarter(page_image, 90)
    assert turned.shape == page_image.shape[::-1]
    assert np.array_equal(rotate_quarter(turned, 270), page_image)


def test_bullets_are_found_and_nothing_else(page_image: np.ndarray) -> None:
    discs = find_bullet_discs(page_image, 200)
    assert len(discs) == len(ITEMS)  # not 。, 0, %, 8 or the heading's 年
    xs = {x0 for x0, _, _, _ in discs}
    assert max(xs) - min(xs) <= 2  # all in the bullet column
    masked = mask_boxes(page_image, discs)
    assert find_bullet_discs(masked, 200) == []
    assert masked[discs[0][1] + 3, discs[0][0] + 3] > 200  # painted paper-white


def test_bullets_survive_a_degraded_scan(page_image: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    noisy = cv2.GaussianBlur(rotate_image(page_image, 0.8).astype(np.float32), (0, 0), 0.7)
    noisy = np.clip(noisy * 0.88 + rng.normal(0, 9, noisy.shape), 0, 255).astype(np.uint8)
    _, jpeg = cv2.imencode(".jpg", noisy, [cv2.IMWRITE_JPEG_QUALITY, 50])
    degraded = cv2.imdecode(jpeg, cv2.IMREAD_GRAYSCALE)
    assert len(find_bullet_discs(degraded, 200)) == len(ITEMS)


def test_blank_pages(page_image: np.ndarray) -> None:
    assert not is_blank(page_image)
    assert is_blank(np.full((2000, 1400), 255, np.uint8))
    assert is_blank(np.full((2000, 1400), 231, np.uint8))  # grey paper, no ink
    speckled = np.full((2000, 1400), 240, np.uint8)
    speckled[np.random.default_rng(1).integers(0, 2000, 30), np.random.default_rng(2).integers(0, 1400, 30)] = 0
    assert is_blank(speckled)


# --- loading ----------------------------------------------------------------------------


def test_multipage_tiff_keeps_pages_and_resolution(tmp_path: Path, page_image: np.ndarray) -> None:
    path = tmp_path / "scan.tif"
    frames = [Image.fromarray(page_image), Image.fromarray(rotate_quarter(page_image, 180))]
    frames[0].save(path, save_all=True, append_images=frames[1:], dpi=(200, 200), compression="tiff_lzw")
    pages = load_image_pages(path, 120_000_000)
    assert [p.page_no for p in pages] == [1, 2]
    assert all(p.dpi == pytest.approx(200) for p in pages)
    assert np.array_equal(pages[0].image, page_image)


def test_colour_alpha_and_16_bit_images_become_gray(tmp_path: Path, page_image: np.ndarray) -> None:
    rgba = np.dstack([page_image] * 3 + [np.full_like(page_image, 255)])
    rgba[:50, :50, 3] = 0  # transparent corner → white
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    gray = load_image_pages(tmp_path / "a.png", 120_000_000)[0].image
    assert gray.dtype == np.uint8 and gray.ndim == 2
    assert gray[:50, :50].min() == 255
    assert np.abs(gray[60:, 60:].astype(int) - page_image[60:, 60:]).max() <= 1
    Image.fromarray(page_image.astype(np.uint16) * 257).save(tmp_path / "b.png")
    assert np.abs(load_image_pages(tmp_path / "b.png", 10**9)[0].image.astype(int) - page_image).max() <= 1


def test_exif_orientation_is_applied(realdocs: Path) -> None:
    path = realdocs / "chinese_scans" / "rapidocr__img_exif_orientation.jpg"
    with Image.open(path) as img:
        stored = img.size
        orientation = img.getexif().get(0x0112)
    assert orientation not in (None, 1)
    page = load_image_pages(path, 120_000_000)[0]
    assert page.note == "EXIF orientation applied"
    if orientation in (5, 6, 7, 8):
        assert page.image.shape == (stored[0], stored[1])  # transposed


def test_large_images_are_reduced(tmp_path: Path, page_image: np.ndarray) -> None:
    path = tmp_path / "big.png"
    Image.fromarray(page_image).save(path, dpi=(200, 200))
    page = load_image_pages(path, page_image.size // 4)[0]
    assert page.image.size <= page_image.size // 4
    assert page.dpi == pytest.approx(100, rel=0.02)
    assert "reduced" in page.note
    jpeg = tmp_path / "big.jpg"
    Image.fromarray(page_image).save(jpeg, dpi=(200, 200), quality=90)
    assert load_image_pages(jpeg, page_image.size // 4)[0].image.size <= page_image.size // 4


def test_bad_images(tmp_path: Path) -> None:
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(EmptyFileError):
        load_image_pages(empty, 10**8)
    truncated = tmp_path / "cut.png"
    Image.fromarray(np.zeros((500, 500), np.uint8)).save(tmp_path / "ok.png")
    truncated.write_bytes((tmp_path / "ok.png").read_bytes()[:200])
    with pytest.raises(UnsupportedInputError, match="corrupt or truncated"):
        load_image_pages(truncated, 10**8)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20_000, 20_000)).save(bomb)  # 400 Mpx, a few KB on disk
    with pytest.raises(PageTooLargeError):
        load_image_pages(bomb, 10**8)
