"""The layout benchmark harness (benchmarks/layout_bench.py) on real corpus PDFs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # benchmarks/ is a top-level folder, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import corpus, layout_bench
from reportflow.quality import ReadingScores

CASE = "rl-jiangmen-a4-2col-review"
"""Two A4 pages, 2 columns, tight leading: the easiest case for a plain reader."""


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("corpus")


@pytest.fixture(scope="module")
def case(corpus_dir: Path) -> corpus.Case:
    (built,) = corpus.build_layout_cases(corpus_dir, CASE)
    return built


def test_pdftotext_reads_the_easy_case_close_to_its_truth(case: corpus.Case) -> None:
    """An independent reader agrees with the truth (it only fails to join lines)."""
    result = layout_bench.run_case(case, "pdftotext")
    assert result.error == "" and result.scores is not None
    assert result.scores.cer < 0.1
    assert result.scores.number_recall > 0.95
    # it keeps the running heads: every page leaks the paper's name, date and editors' line
    assert result.scores.furniture_leaks >= case.pages
    # one output line per printed line: only the one-line paragraphs (headings) survive intact
    assert result.scores.paragraph_integrity < 0.5


def test_pdfplumber_plain_text_reads_across_the_columns(case: corpus.Case) -> None:
    lines = layout_bench.lines_pdfplumber(case)
    left = case.truth_texts()[2]  # "各位代表：…", the first body paragraph, left column
    first_line = next(line for line in lines if line.startswith(left[:6]))
    assert len("".join(first_line.split())) > 30  # the left column's line runs into the right one
    result = layout_bench.run_case(case, "pdfplumber")
    assert result.scores is not None and result.scores.cer > 0.3


def test_a_crashing_method_is_reported_not_raised(case: corpus.Case, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(_: corpus.Case) -> list[str]:
        raise RuntimeError("engine exploded\nwith details")

    monkeypatch.setitem(layout_bench.RUNNERS, "ours", boom)
    result = layout_bench.run_case(case, "ours")
    assert result.scores is None and result.error == "RuntimeError: engine exploded"


def _result(method: str, cer: float, integrity: float, order: float, leaks: int, shuffled: bool = False):  # type: ignore[no-untyped-def]
    scores = ReadingScores(cer, integrity, order, leaks, 1.0)
    return layout_bench.Result("c", method, 2, shuffled, 1.0, scores)


def test_summary_means_and_targets() -> None:
    results = [
        _result("ours", 0.002, 1.0, 1.0, 0),
        _result("ours", 0.004, 0.98, 0.99, 0, shuffled=True),
        layout_bench.Result("c", "ours", 2, False, 1.0, None, "boom"),
        _result("pdftotext", 0.3, 0.4, 0.9, 5),
        _result("pdftotext", 0.5, 0.3, 0.9, 7, shuffled=True),
    ]
    ours = layout_bench.summarise(results, "ours", "all")
    assert ours is not None and ours.cases == 3 and ours.failed == 1
    assert ours.cer == pytest.approx((0.002 + 0.004 + 1.0) / 3)  # a failed case counts as worst
    assert ours.paragraph_integrity == pytest.approx((1.0 + 0.98) / 3)
    assert ours.pages_per_second == pytest.approx(2.0)
    shuffled = layout_bench.summarise(results, "ours", "stream shuffled")
    assert shuffled is not None and shuffled.cases == 1 and shuffled.cer == pytest.approx(0.004)
    p2t = layout_bench.summarise(results, "pdftotext", "all")
    assert p2t is not None and p2t.furniture_leaks == 12
    checks = dict(layout_bench.target_checks(ours, p2t))
    assert checks["no furniture leak"] is False  # a failed case cannot prove "no leak"
    good = layout_bench.summarise(results[:2], "ours", "all")
    assert good is not None
    checks = dict(layout_bench.target_checks(good, p2t))
    assert all(checks.values()), checks
    worse = layout_bench.summarise([_result("ours", 0.6, 0.99, 0.995, 0)], "ours", "all")
    assert worse is not None
    checks = dict(layout_bench.target_checks(worse, p2t))
    assert not checks["better than pdftotext on every metric"] and not checks["CER ≤ 0.5%"]


def test_main_writes_json_for_the_selected_cases(corpus_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    args = ["--cases", CASE, "--methods", "pdftotext,pdfplumber", "--corpus", str(corpus_dir)]
    assert layout_bench.main([*args, "--json", str(out)]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [(r["case"], r["method"]) for r in data["results"]] == [(CASE, "pdftotext"), (CASE, "pdfplumber")]
    assert {s["group"] for s in data["summaries"]} == {"all", "stream in order"}
    assert all(r["scores"]["cer"] >= 0 for r in data["results"])
