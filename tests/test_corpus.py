"""The benchmark corpus (benchmarks/corpus.py) and the bundled samples (samples/).

What is checked is what makes a benchmark trustworthy: that the truth of every case is
exactly the text the PDF carries (minus furniture and bullet glyphs), that the cases cover
what the issue asks for, that the "shuffled" cases really are out of order in the content
stream while drawing the same page, that builds are deterministic and cached, that scans are
rendered and degraded as described, and that the committed samples are the build script's
output.
"""

from __future__ import annotations

import collections
import dataclasses
import importlib.util
import json
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pdfplumber
import pypdfium2 as pdfium
import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus
from reportflow.quality import score_reading, squash

SAMPLES = ROOT / "samples"
SHUFFLED = [s for s in corpus.LAYOUT_SPECS if s.stream_order != "reading"]


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="session")
def cases(corpus_dir: Path) -> list[corpus.Case]:
    return corpus.build_layout_cases(corpus_dir)


@pytest.fixture(scope="session")
def stream_chars(cases: list[corpus.Case]) -> dict[str, list[list[str]]]:
    """Per case, per page: the characters of the text layer in content-stream order."""
    out: dict[str, list[list[str]]] = {}
    for case in cases:
        with pdfplumber.open(case.pdf) as pdf:
            out[case.name] = [[c["text"] for c in page.chars] for page in pdf.pages]
    return out


def _case(cases: list[corpus.Case], name: str) -> corpus.Case:
    return next(c for c in cases if c.name == name)


# ---------------------------------------------------------------------------------------
# Truth
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("source, gold", [("kaiping", "000"), ("xinhui", "001"), ("jiangmen", "002")])
def test_truth_is_the_gold_clean_text_without_list_markers(source: str, gold: str) -> None:
    truth = corpus.load_truth(source)
    lines = [
        ln.strip()
        for ln in (ROOT / "tests" / "gold" / f"{gold}.clean.txt").read_text(encoding="utf-8").splitlines()
        if ln.strip()
    ]
    assert len(truth) == len(lines)
    for (kind, text), line in zip(truth, lines):
        if line.startswith("- "):
            assert (kind, text) == ("item", line[2:])
        else:
            assert text == line


def test_truth_kinds_follow_the_labelling_conventions() -> None:
    kaiping = corpus.load_truth("kaiping")
    assert kaiping[0] == ("heading", "聚侨引智兴农旺旅赋华章 守正创新强企惠民同踔厉")
    assert ("item", "地区生产总值同比(下同)增长2.8%") in kaiping
    assert ("heading", "1. 构筑外联内畅交通格局") in kaiping  # numbered sub-heading
    xinhui = {t: k for k, t in corpus.load_truth("xinhui")}
    assert xinhui["1. 实施制造业当家“一把手”工程,出台“高质量发展十条”"] == "item"
    assert xinhui["江门日报记者 任晓盈"] == "heading"
    # the tail of an item the source broke in two is no title
    assert next(k for t, k in xinhui.items() if t.startswith("泽田金革命根据地")) == "body"
    jiangmen = corpus.load_truth("jiangmen")
    assert [t for k, t in jiangmen if k == "heading"][:4] == [
        "政府工作报告——2023年2月16日在江门市第十六届人民代表大会第三次会议上",
        "◇江门市市长 吴晓晖",
        "一、2022年工作回顾",
        "二、2023年工作安排",
    ]


def test_line_breaker_keeps_numbers_whole_and_obeys_kinsoku() -> None:
    text = "实现地区生产总值3773.41亿元，增长3.3%、排全省第2，为建市以来最高排位。“十四五”规划承上启下"
    widths = [5.0 if c.isascii() else 10.0 for c in text]
    for width in (60.0, 75.0, 95.0, 120.0):
        lines = corpus.break_lines(text, widths, width, width)
        assert "".join(text[s:e] for s, e in lines) == text
        for s, e in lines:
            assert text[s] not in corpus.NO_LINE_START
            assert text[e - 1] not in corpus.NO_LINE_END
            assert sum(widths[s:e]) <= width + 1e-6 or e - s == 1
        for number in ("3773.41", "3.3%"):
            assert any(number in text[s:e] for s, e in lines), (width, number)


# ---------------------------------------------------------------------------------------
# Layout cases
# ---------------------------------------------------------------------------------------


def test_corpus_covers_what_the_issue_asks_for(cases: list[corpus.Case]) -> None:
    assert 12 <= len(cases) <= 16
    assert 30 <= sum(c.pages for c in cases) <= 50
    assert {c.producer for c in cases} == {"reportlab", "fpdf2"}
    assert {2, 3, 4} <= {n for c in cases for n in c.columns}
    assert {c.page_size for c in cases} >= {"A3", "A4"}
    assert sum(c.shuffled for c in cases) >= 2
    assert {c.stream_order for c in cases if c.shuffled} == {"lines", "chars", "blocks"}
    assert any(c.pages >= 4 for c in cases)
    # a spanning headline in the middle of a page, between bands of different column counts
    mid = [(c, h) for c in cases for h in c.band_heads if 0.25 < h[2] < 0.75]
    assert any(len(set(c.columns)) > 1 for c, _ in mid)
    for c in cases:
        assert any(f.startswith(("第", "—")) for f in c.furniture), c.name
        assert all(len(page) >= 3 for page in c.page_furniture), c.name  # paper, date, folio/editors
    bullets = {g for c in cases for g in c.decorations}
    assert bullets == {"●", "·", "-"}
    assert sum("data box (28pt numbers)" in c.features for c in cases) >= 3
    assert sum("justified" in c.features for c in cases) >= 3
    assert {"first-line indent", "paragraph spacing"} <= {f for c in cases for f in c.features}


@pytest.mark.parametrize("name", [s.name for s in corpus.LAYOUT_SPECS])
def test_truth_is_the_text_layer_minus_furniture(
    name: str, cases: list[corpus.Case], stream_chars: dict[str, list[list[str]]]
) -> None:
    """Every non-space character of the text layer is truth, furniture or a bullet glyph."""
    case = _case(cases, name)
    assert len(stream_chars[name]) == case.pages
    got = collections.Counter(squash("".join("".join(p) for p in stream_chars[name])))
    want = collections.Counter(squash("".join(case.truth_texts())))
    for page in case.page_furniture:
        for s in page:
            want.update(squash(s))
    want.update(case.decorations)
    assert got == want


@pytest.mark.parametrize("name", [s.name for s in corpus.LAYOUT_SPECS])
def test_stream_order_is_reading_order_unless_shuffled(
    name: str, cases: list[corpus.Case], stream_chars: dict[str, list[list[str]]]
) -> None:
    case = _case(cases, name)
    stream = squash("".join("".join(p) for p in stream_chars[name]))
    for f in case.furniture:
        stream = stream.replace(squash(f), "")
    scores = score_reading([stream], case.truth_texts())
    if case.shuffled:
        assert min(scores.paragraph_integrity, scores.order) < 0.7, scores
    else:
        assert scores.paragraph_integrity >= 0.99 and scores.order >= 0.97, scores


def _glyph_boxes(pdf: Path) -> list[tuple[int, str, float, float]]:
    doc = pdfium.PdfDocument(str(pdf))
    try:
        out = []
        for p in range(len(doc)):
            tp = doc[p].get_textpage()
            for k in range(tp.count_chars()):
                char = tp.get_text_range(k, 1)
                if char.strip():
                    x0, y0, _, _ = tp.get_charbox(k)
                    out.append((p, char, round(x0, 1), round(y0, 1)))
        return sorted(out)
    finally:
        doc.close()


@pytest.mark.parametrize("spec", SHUFFLED, ids=lambda s: s.name)
def test_shuffled_case_draws_the_same_page_as_its_reading_order_twin(
    spec: corpus.CaseSpec, cases: list[corpus.Case], tmp_path: Path
) -> None:
    twin = corpus.build_case(dataclasses.replace(spec, stream_order="reading"), tmp_path)
    a, b = _glyph_boxes(_case(cases, spec.name).pdf), _glyph_boxes(twin.pdf)
    assert len(a) == len(b)
    for (pa, ca, xa, ya), (pb, cb, xb, yb) in zip(a, b):
        assert (pa, ca) == (pb, cb) and abs(xa - xb) <= 0.15 and abs(ya - yb) <= 0.15


def test_page_truth_splits_the_truth_at_page_breaks(cases: list[corpus.Case]) -> None:
    for case in cases:
        whole = squash("".join(case.truth_texts()))
        pages = [squash("".join(t for _, t in case.page_truth([p]))) for p in range(case.pages)]
        assert "".join(pages) == whole, case.name
        assert squash("".join(t for _, t in case.page_truth(range(case.pages)))) == whole
    split = [c for c in cases if any(p1[-1][0] == p2[0][0] for p1, p2 in zip(c.page_spans, c.page_spans[1:]))]
    assert split, "some paragraph should run over a page break"


def test_build_is_deterministic_and_cached(tmp_path: Path) -> None:
    specs = [s for s in corpus.LAYOUT_SPECS if s.name in ("rl-kaiping-a4-3col", "fp-xinhui-a3-4col")]
    first = [corpus.build_case(s, tmp_path / "a") for s in specs]
    second = [corpus.build_case(s, tmp_path / "b") for s in specs]
    for x, y in zip(first, second):
        assert x.pdf.read_bytes() == y.pdf.read_bytes()
        assert x.truth == y.truth and x.page_spans == y.page_spans
    stamp = first[0].pdf.stat().st_mtime_ns
    again = corpus.build_case(specs[0], tmp_path / "a")
    assert again.pdf.stat().st_mtime_ns == stamp  # reused, not rebuilt
    assert again == first[0]
    manifest = tmp_path / "a" / f"{specs[0].name}.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["fingerprint"] = "stale"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    os.utime(first[0].pdf, ns=(0, 0))
    rebuilt = corpus.build_case(specs[0], tmp_path / "a")
    assert rebuilt.pdf.stat().st_mtime_ns != 0
    assert rebuilt.pdf.read_bytes() == second[0].pdf.read_bytes()


# ---------------------------------------------------------------------------------------
# Scans
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def scans(corpus_dir: Path) -> list[corpus.ScanCase]:
    return corpus.build_scan_cases(corpus_dir, only="rl-jiangmen-a4-2col-review*")


def _skew_degrees(image: np.ndarray) -> float:
    """Counter-clockwise page rotation, from the rectangle around all ink (rules span it)."""
    points = cv2.findNonZero((image < 128).astype(np.uint8))
    (_, _), (_, _), angle = cv2.minAreaRect(points)
    angle = angle + 90 if angle < -45 else angle - 90 if angle > 45 else angle
    return -angle


def test_scan_variants_are_rendered_and_degraded_as_described(scans: list[corpus.ScanCase]) -> None:
    assert [s.name.rsplit("-", 1)[1] for s in scans] == ["clean300", "degraded300", "degraded200"]
    for scan in scans:
        assert scan.source == "rl-jiangmen-a4-2col-review" and scan.source_pages == (0,)
        (path,) = scan.images
        image = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
        # A4 at the stated resolution, and the resolution recorded in the file
        assert abs(image.shape[1] - 595.28 * scan.dpi / 72) <= 1
        assert abs(image.shape[0] - 841.89 * scan.dpi / 72) <= 1
        from PIL import Image

        assert round(Image.open(path).info["dpi"][0]) == scan.dpi
        (d,) = scan.degradations
        if not scan.degraded:
            assert path.suffix == ".png" and np.median(image) == 255
            assert abs(_skew_degrees(image)) < 0.05
            continue
        assert path.suffix == ".jpg" and 45 <= (d.jpeg_quality or 0) <= 70
        assert 0.5 <= abs(d.rotation) <= 1.5 and d.blur_sigma > 0 and d.noise_sd > 0
        assert abs(np.median(image) - d.background) <= 4  # grey paper
        assert abs(_skew_degrees(image) - d.rotation) < 0.1
    assert len({s.degradations[0].rotation for s in scans if s.degraded}) == 2


def test_scan_truth_is_the_page_truth(scans: list[corpus.ScanCase], cases: list[corpus.Case]) -> None:
    source = _case(cases, "rl-jiangmen-a4-2col-review")
    for scan in scans:
        assert scan.truth == source.page_truth([0])
        assert set(scan.furniture) == set(source.page_furniture[0])
    # the first page stops inside a paragraph that the second page finishes
    _, last_text = scans[0].truth[-1]
    full = {t[:20]: t for _, t in source.truth}[last_text[:20]]
    assert len(last_text) < len(full)


# ---------------------------------------------------------------------------------------
# Samples
# ---------------------------------------------------------------------------------------


def _load_build_samples():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("build_samples", SAMPLES / "build_samples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE_FILES = [
    "kaiping-2023-summary.pdf",
    "xinhui-2023-digest-scan.pdf",
    "jiangmen-2023-report-p1.png",
    "jiangmen-2023-report-columns.txt",
]


def _render(path: Path, dpi: int) -> list[np.ndarray]:
    if path.suffix == ".png":
        return [cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)]
    return corpus.render_pages(path, dpi)


def test_committed_samples_are_what_the_build_script_produces(tmp_path: Path) -> None:
    if not (corpus.shared_dir() / "samples").is_dir():
        pytest.skip("../shared/samples is needed to rebuild the samples")
    built = _load_build_samples().build_samples(tmp_path)
    names = sorted(str(p.relative_to(tmp_path)) for p in built)
    assert names == sorted(SAMPLE_FILES + [f"truth/{Path(f).stem}.json" for f in SAMPLE_FILES])
    for name in names:
        fresh, committed = tmp_path / name, SAMPLES / name
        assert committed.exists(), name
        if fresh.read_bytes() == committed.read_bytes():
            continue
        # Not byte-identical (e.g. another library version): the content must still agree.
        if fresh.suffix in (".json", ".txt"):
            pytest.fail(f"{name} differs from the build script's output")
        a, b = _render(fresh, 50), _render(committed, 50)
        assert len(a) == len(b), name
        for x, y in zip(a, b):
            assert x.shape == y.shape and np.abs(x.astype(int) - y.astype(int)).mean() < 1.0, name


def test_samples_are_small_and_of_every_input_kind() -> None:
    total = sum(p.stat().st_size for p in SAMPLES.rglob("*") if p.is_file())
    assert total < 2.4e6
    with pdfplumber.open(SAMPLES / "kaiping-2023-summary.pdf") as pdf:
        assert 2 <= len(pdf.pages) <= 3 and all(len(p.chars) > 500 for p in pdf.pages)
    with pdfplumber.open(SAMPLES / "xinhui-2023-digest-scan.pdf") as pdf:
        assert len(pdf.pages) <= 3
        assert all(not p.chars and len(p.images) == 1 for p in pdf.pages)  # image-only
    png = cv2.imread(str(SAMPLES / "jiangmen-2023-report-p1.png"), cv2.IMREAD_UNCHANGED)
    assert png.ndim == 2  # greyscale
    txt = corpus.shared_dir() / "samples" / "jiangmen-2023-report-columns.txt"
    if txt.exists():
        assert (SAMPLES / txt.name).read_bytes() == txt.read_bytes()


def _sample_truth(name: str) -> dict:
    return json.loads((SAMPLES / "truth" / f"{Path(name).stem}.json").read_text(encoding="utf-8"))


def test_sample_text_pdf_carries_exactly_its_truth() -> None:
    truth = _sample_truth("kaiping-2023-summary.pdf")
    with pdfplumber.open(SAMPLES / "kaiping-2023-summary.pdf") as pdf:
        got = collections.Counter(squash("".join(c["text"] for p in pdf.pages for c in p.chars)))
    want = collections.Counter(squash("".join(p["text"] for p in truth["paragraphs"])))
    for page in truth["page_furniture"]:
        for s in page:
            want.update(squash(s))
    want.update(truth["decorations"])
    assert got == want
    assert truth["paragraphs"] and [p["text"] for p in truth["paragraphs"]] == [
        t for _, t in corpus.load_truth("kaiping")
    ]


def test_sample_truths_hold_the_headline_facts() -> None:
    xinhui = "\n".join(p["text"] for p in _sample_truth("xinhui-2023-digest-scan.pdf")["paragraphs"])
    for clause in (
        "地区生产总值同比增长4%",
        "规上工业增加值增长5.1%",
        "地区生产总值增长7.5%以上",
        "全国高质量发展百强区排名第42位",
    ):
        assert clause in xinhui
    assert len(_sample_truth("xinhui-2023-digest-scan.pdf")["paragraphs"]) == 188  # whole text
    png = _sample_truth("jiangmen-2023-report-p1.png")["paragraphs"]
    assert png[-1]["text"].startswith("过去一年，面对风高浪急")
    assert "实现地区生产总值3773.41亿元，增长3.3%、排全省第2" in png[-1]["text"]
    txt = _sample_truth("jiangmen-2023-report-columns.txt")["paragraphs"]
    assert len(txt) == 31 and txt[0]["text"].startswith("政府工作报告——2023年2月16日")
