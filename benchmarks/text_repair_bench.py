"""Benchmark of the .txt layout repair (``reportflow.layout.text_repair``).

Cases:
* the three real sample texts against their hand-made truths (gold-samples NNN.clean.txt);
* synthetic column-broken texts: the truth paragraphs of 000/001 re-wrapped at 14, 20 and 26
  characters (or display cells), paragraphs separated by a blank line or by nothing, with a
  blank line put in mid-sentence about every 40 lines (a column break).

Prints: case, wrap width inferred (W and its measure, '-' if the text was judged unwrapped),
CER, paragraph integrity, order, number recall, exact (share of truth paragraphs that come out
as exactly one output paragraph: catches over-joining, which integrity forgives), paragraphs
out/truth, milliseconds.

Run from the project root: ``python -m benchmarks.text_repair_bench``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from reportflow.layout.text_repair import display_width, ends_sentence, repair_text
from reportflow.quality import MIN_PARAGRAPH_CHARS, ReadingScores, score_reading, squash

ROOT = Path(__file__).resolve().parent.parent
DATA_DIRS = (
    ROOT / "tests" / "data" / "layout_text",
    ROOT / "tests" / "gold",
    Path("/work/shared/gold-samples"),
    Path("/work/shared/samples"),
)

SAMPLES = {
    "000": "kaiping-2023-report-summary.txt",
    "001": "xinhui-2023-report-digest.txt",
    "002": "jiangmen-2023-report-columns.txt",
}

Separator = Literal["blank", "none"]
WrapMeasure = Literal["chars", "display"]


def find_data_file(name: str) -> Path:
    """A sample or gold file: the repo copy in tests/data/layout_text first, else the shared folder."""
    for folder in DATA_DIRS:
        path = folder / name
        if path.exists():
            return path
    raise FileNotFoundError(name)


def truth_paragraphs(doc: str) -> list[str]:
    """The non-empty lines of gold-samples/NNN.clean.txt."""
    text = find_data_file(f"{doc}.clean.txt").read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip()]


def _cut(paragraph: str, width: int, measure: WrapMeasure) -> list[str]:
    """Cut one paragraph into lines of ``width`` characters (or display cells)."""
    lines: list[str] = []
    current = ""
    for ch in paragraph:
        size = display_width(current + ch) if measure == "display" else len(current) + 1
        if current and size > width:
            lines.append(current)
            current = ""
        current += ch
    if current:
        lines.append(current)
    return lines


def rewrap(
    paragraphs: Sequence[str],
    width: int,
    *,
    measure: WrapMeasure = "chars",
    separator: Separator = "blank",
    column_break_every: int = 40,
) -> str:
    """Column-broken text from clean paragraphs.

    Every paragraph is cut at ``width``; paragraphs are separated by a blank line (``blank``) or
    not at all (``none``); about every ``column_break_every`` lines a blank line is put after a
    line that is inside a paragraph and does not end a sentence (a column break in mid-sentence).
    """
    out: list[str] = []
    since_break = 0
    for p_index, paragraph in enumerate(paragraphs):
        if p_index and separator == "blank":
            out.append("")
        lines = _cut(paragraph.strip(), width, measure)
        for i, line in enumerate(lines):
            out.append(line)
            since_break += 1
            inside = i < len(lines) - 1
            if inside and since_break >= column_break_every and not ends_sentence(line):
                out.append("")
                since_break = 0
    return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: str
    wrap: str
    scores: ReadingScores
    exact: float
    """Share of truth paragraphs (6+ chars) that come out as exactly one paragraph: integrity
    forgives joining two paragraphs into one, this does not."""
    paragraphs: int
    truth_paragraphs: int
    ms: float


def _key(text: str) -> str:
    return squash(text.lstrip("-●•▪■◆·– "))


def exact_paragraph_share(output: Sequence[str], truth: Sequence[str]) -> float:
    out_keys = {_key(line) for line in output}
    keys = [_key(p) for p in truth if len(_key(p)) >= MIN_PARAGRAPH_CHARS]
    return sum(k in out_keys for k in keys) / len(keys) if keys else 1.0


def run_case(case: str, text: str, truth: Sequence[str]) -> CaseResult:
    start = time.perf_counter()
    profile, paragraphs = repair_text(text)
    ms = (time.perf_counter() - start) * 1000
    wrap = f"{profile.width} {profile.measure}" if profile.wrapped else "-"
    output = [p.text for p in paragraphs]
    return CaseResult(
        case,
        wrap,
        score_reading(output, truth),
        exact_paragraph_share(output, truth),
        len(output),
        len(truth),
        ms,
    )


def synthetic_cases() -> Iterator[tuple[str, str, list[str]]]:
    """(case name, column-broken text, truth paragraphs) for the re-wrapped clean texts."""
    for doc in ("000", "001"):
        truth = truth_paragraphs(doc)
        for width in (14, 20, 26):
            for separator in ("blank", "none"):
                name = f"{doc} rewrap {width} chars, sep={separator}"
                yield name, rewrap(truth, width, separator=separator), truth
            name = f"{doc} rewrap {2 * width} cells, sep=blank"
            yield name, rewrap(truth, 2 * width, measure="display"), truth


def all_results() -> list[CaseResult]:
    results: list[CaseResult] = []
    for doc, source in SAMPLES.items():
        text = find_data_file(source).read_text(encoding="utf-8")
        results.append(run_case(f"{doc} {source}", text, truth_paragraphs(doc)))
    for name, text, truth in synthetic_cases():
        results.append(run_case(name, text, truth))
    return results


def main() -> int:
    results = all_results()
    header = (
        f"{'case':<40} {'wrap W':>11} {'CER':>7} {'integrity':>9} {'order':>6} {'numbers':>7} "
        f"{'exact':>6} {'paras':>9} {'ms':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        s = r.scores
        print(
            f"{r.case:<40} {r.wrap:>11} {s.cer:>7.4f} {s.paragraph_integrity:>9.3f} "
            f"{s.order:>6.3f} {s.number_recall:>7.3f} {r.exact:>6.3f} "
            f"{f'{r.paragraphs}/{r.truth_paragraphs}':>9} {r.ms:>6.1f}"
        )
    synthetic = [r for r in results if "rewrap" in r.case]
    mean = sum(r.scores.paragraph_integrity for r in synthetic) / len(synthetic)
    worst = min(r.scores.paragraph_integrity for r in synthetic)
    print(
        f"\nsynthetic re-wraps above: mean integrity {mean:.3f}, worst {worst:.3f} over {len(synthetic)} cases"
    )
    print_sweep()
    return 0


def print_sweep(widths: range = range(12, 31)) -> None:
    """Every width from 12 to 30 characters (and 24 to 60 cells), both separators, both docs."""
    rows: list[tuple[str, CaseResult]] = []
    for doc in ("000", "001"):
        truth = truth_paragraphs(doc)
        for width in widths:
            for measure, w in (("chars", width), ("display", 2 * width)):
                for separator in ("blank", "none"):
                    text = rewrap(truth, w, measure=measure, separator=separator)  # type: ignore[arg-type]
                    result = run_case(f"{doc} {w} {measure} {separator}", text, truth)
                    rows.append((measure, result))
    integrity = [r.scores.paragraph_integrity for _, r in rows]
    exact = [r.exact for _, r in rows]
    right_width = sum(
        r.wrap == f"{r.case.split()[1]} {measure}" for measure, r in rows
    )  # width and measure inferred as written
    print(
        f"sweep {widths.start}–{widths.stop - 1} chars / {2 * widths.start}–{2 * (widths.stop - 1)} cells, "
        f"{len(rows)} cases: integrity mean {sum(integrity) / len(rows):.4f} min {min(integrity):.3f}; "
        f"exact mean {sum(exact) / len(rows):.3f} min {min(exact):.3f}; "
        f"wrap width and measure inferred right in {right_width}/{len(rows)}"
    )


if __name__ == "__main__":
    sys.exit(main())
