"""Score extracted facts against the hand-checked gold facts (tests/gold/NNN.json).

Run from the project root:  python -m benchmarks.facts_eval [--verbose] [--gold-dir DIR]

It extracts the facts of the three clean sample texts (paragraphs = lines of
NNN.clean.txt) and prints, per document and overall:

* **headline** precision/recall/F1, core and extended tiers: a fact matches a gold headline
  fact on (region, period, kind, indicator_code, measure, value, comparator, aspirational).
  The gold has one entry per fact, not per mention, so predicted keys are a set. The gold's
  four measures fold ours: ``count`` is a gold ``level`` (an amount of things).
* **quantities** P/R/F1: every quantity occurrence matched on (|value|, unit) as a multiset;
  several facts on one occurrence (均排全省第4 → two ranks) count once; borderline and
  excluded gold items are neutral. "+kind" also requires actual/target to agree.

Importable: ``score_facts(facts, gold)`` scores any list[Fact] (e.g. from the PDF or scan
paths of the same texts) against ``load_gold(path)``.

Whole-pipeline modes (extract → layout → facts), scored against the gold items each
document's pages hold (``restrict_gold``):

* ``--corpus``: the benchmark corpus PDFs (text layer); ``--scans``: scans of some of their
  pages (real tesseract, ~5 min);
* ``--samples``: the committed ``samples/`` (PDF, scan PDF, PNG, .txt); the OCR engine comes
  from the environment, so ``REPORTFLOW_OCR_ENGINE=fake`` replays the recorded tesseract
  output of tests/fixtures/ocr in seconds.

``--save DIR`` writes each document's repaired paragraphs (JSON) and ``--load DIR`` reads
them back instead of extracting again: fact rules can then be judged on one real OCR run.
Every table also gives the document's region and the number of facts whose year the
validation rule ``period_year_fits_report_year`` would flag.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportflow.facts import document_context, extract_facts
from reportflow.facts.indicators import codes_in_tier
from reportflow.models import ExtractedDocument, Fact, Paragraph
from reportflow.quality import squash

DEFAULT_GOLD_DIR = Path(__file__).resolve().parent.parent / "tests" / "gold"
SOURCE_NAMES = {
    "000": "kaiping-2023-report-summary.txt",
    "001": "xinhui-2023-report-digest.txt",
    "002": "jiangmen-2023-report-columns.txt",
}
"""The sample text each gold file labels (gold README); used as the file name for context."""

GOLD_MEASURE = {"count": "level"}
"""Our measures folded onto the gold's four (level, growth, rate, rank)."""


@dataclass(frozen=True, slots=True)
class GoldDocument:
    doc: str
    region: str
    report_year: int
    headline: list[dict[str, Any]]
    quantities: list[dict[str, Any]]
    excluded: list[dict[str, Any]]


@dataclass(slots=True)
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    neutral: int = 0
    missed: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: PRF) -> PRF:
        return PRF(
            self.tp + other.tp,
            self.fp + other.fp,
            self.fn + other.fn,
            self.neutral + other.neutral,
            self.missed + other.missed,
            self.extra + other.extra,
        )


@dataclass(slots=True)
class DocumentScores:
    doc: str
    headline_core: PRF
    headline_extended: PRF
    quantities: PRF
    quantities_kind: PRF
    facts: int = 0
    seconds: float = 0.0
    chars: int = 0
    region: str | None = None
    period_warnings: int = 0
    """Facts whose year the validation rule period_year_fits_report_year flags."""


def load_gold(path: Path) -> GoldDocument:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return GoldDocument(
        doc=data["doc"],
        region=data["region"],
        report_year=int(data["report_year"]),
        headline=data["headline"],
        quantities=data["quantities"],
        excluded=data.get("excluded", []),
    )


def clean_paragraphs(gold_dir: Path, doc: str) -> list[Paragraph]:
    """The paragraphs of a clean text: one per non-empty line, kind 'body'."""
    lines = (Path(gold_dir) / f"{doc}.clean.txt").read_text(encoding="utf-8").split("\n")
    return [
        Paragraph(seq=i, page_no=1, kind="body", text=line) for i, line in enumerate(lines) if line.strip()
    ]


def _num(value: float) -> float:
    return round(float(value), 6)


def _gold_period(value: Any) -> tuple[int | None, int | None]:
    if isinstance(value, str) and "-" in value:
        first, last = value.split("-", 1)
        return int(first), int(last)
    return None, (int(value) if value is not None else None)


def _headline_key_gold(item: dict[str, Any], region: str) -> tuple:
    start, year = _gold_period(item.get("period_year"))
    return (
        region,
        start,
        year,
        item["kind"],
        item["indicator_code"],
        item["measure"],
        _num(item["value"]),
        item["comparator"],
        bool(item.get("aspirational", False)),
    )


def _headline_key_fact(fact: Fact) -> tuple | None:
    if fact.value is None:
        return None
    measure = GOLD_MEASURE.get(fact.measure, fact.measure)
    return (
        fact.region,
        fact.period_start,
        fact.period_year,
        fact.kind,
        fact.indicator_code,
        measure,
        _num(fact.value),
        fact.comparator,
        fact.aspirational,
    )


def _describe(key: tuple) -> str:
    return " ".join("" if k is None else str(k) for k in key[1:])


def score_headline(facts: Iterable[Fact], gold: GoldDocument, tier: str) -> PRF:
    codes = codes_in_tier(tier)
    gold_keys = Counter(_headline_key_gold(h, gold.region) for h in gold.headline if h.get("tier") == tier)
    predicted = {
        key for f in facts if f.indicator_code in codes and (key := _headline_key_fact(f)) is not None
    }
    result = PRF()
    for key in sorted(predicted, key=str):
        if gold_keys[key] > 0:
            gold_keys[key] -= 1
            result.tp += 1
        else:
            result.fp += 1
            result.extra.append(_describe(key))
    for key, count in gold_keys.items():
        result.fn += count
        result.missed += [_describe(key)] * count
    return result


def _quantity_key_gold(item: dict[str, Any]) -> tuple:
    value = item["value"]
    if isinstance(value, list):
        return (tuple(_num(v) for v in value), "ratio")
    return (_num(abs(value)), item["unit"])


def _quantity_key_fact(fact: Fact) -> tuple:
    if fact.parts is not None:
        return (tuple(_num(v) for v in fact.parts), "ratio")
    return (_num(abs(fact.value or 0.0)), fact.unit)


def _occurrences(facts: Iterable[Fact]) -> list[Fact]:
    """One fact per written number: facts sharing a paragraph and value offset count once."""
    seen: set[tuple[int, int]] = set()
    out: list[Fact] = []
    for fact in facts:
        key = (fact.paragraph_seq, fact.value_start)
        if key not in seen:
            seen.add(key)
            out.append(fact)
    return out


def _matches_excluded(fact: Fact, excluded: Sequence[dict[str, Any]]) -> bool:
    value = squash(fact.value_text)
    evidence = squash(fact.evidence)
    at = evidence.find(value)
    window = evidence[max(0, at - 3) : at + len(value) + 3] if at >= 0 else value
    for item in excluded:
        surface = squash(item.get("surface", ""))
        text = squash(item.get("text", ""))
        if not surface or not (surface in value or value in surface):
            continue
        if window in text or text in evidence:
            return True
    return False


def score_quantities(facts: Iterable[Fact], gold: GoldDocument, with_kind: bool = False) -> PRF:
    strict: Counter[tuple] = Counter()
    neutral: Counter[tuple] = Counter()
    for item in gold.quantities:
        key = _quantity_key_gold(item) + ((item["kind"],) if with_kind else ())
        (neutral if item.get("borderline") else strict)[key] += 1
    result = PRF()
    for fact in _occurrences(facts):
        key = _quantity_key_fact(fact) + ((fact.kind,) if with_kind else ())
        if strict[key] > 0:
            strict[key] -= 1
            result.tp += 1
        elif neutral[key] > 0 or _matches_excluded(fact, gold.excluded):
            neutral[key] -= 1 if neutral[key] > 0 else 0
            result.neutral += 1
        else:
            result.fp += 1
            result.extra.append(f"{fact.value_text} [{fact.kind}] in {fact.evidence}")
    for key, count in strict.items():
        if count > 0:
            result.fn += count
            result.missed += [" ".join(str(k) for k in key)] * count
    return result


_BULLET = re.compile(r"^\s*[●•▪■◆·\-–]\s*")


@dataclass(frozen=True, slots=True)
class ContextWindow:
    """A gold snippet with the clean-text characters around it (same line only)."""

    before: str
    snippet: str
    after: str

    def present_in(self, paragraphs: Sequence[str]) -> bool:
        """Is the snippet, with its context, in one of these (squashed) paragraphs?

        Where a paragraph starts or ends inside the context, that side counts as present:
        a page break cut it (a page opening "群市级试点工作,完成技改投入不少于80亿元" holds
        the quantity).
        """
        for text in paragraphs:
            at = text.find(self.snippet)
            while at >= 0:
                head, tail = text[:at], text[at + len(self.snippet) :]
                left = (
                    self.before.endswith(head) if len(head) < len(self.before) else head.endswith(self.before)
                )
                right = (
                    self.after.startswith(tail)
                    if len(tail) < len(self.after)
                    else tail.startswith(self.after)
                )
                if left and right:
                    return True
                at = text.find(self.snippet, at + 1)
        return False


def _context_windows(snippets: Sequence[str], lines: Sequence[str], margin: int = 12) -> list[ContextWindow]:
    """Each snippet with up to ``margin`` characters of context from its clean-text line.

    Snippets are located one after another in reading order (a quantity list repeats
    clauses); the window never crosses a line, since a corpus page may set each line as a
    separate paragraph (and without its bullet).
    """
    windows: list[ContextWindow] = []
    position = (0, 0)
    for snippet in snippets:
        found = _find_from(snippet, lines, position) or _find_from(snippet, lines, (0, 0))
        if found is None:
            windows.append(ContextWindow("", snippet, ""))
            continue
        line, at = found
        position = (line, at + 1)
        text = lines[line]
        end = at + len(snippet)
        windows.append(ContextWindow(text[max(0, at - margin) : at], snippet, text[end : end + margin]))
    return windows


def _find_from(snippet: str, lines: Sequence[str], start: tuple[int, int]) -> tuple[int, int] | None:
    line, offset = start
    for index in range(line, len(lines)):
        at = lines[index].find(snippet, offset if index == line else 0)
        if at >= 0:
            return index, at
    return None


def restrict_gold(
    gold: GoldDocument, present: Sequence[str], gold_dir: Path = DEFAULT_GOLD_DIR
) -> GoldDocument:
    """The gold items that a partial document holds (``present``: its paragraphs' text).

    A corpus PDF may typeset only part of a text (its review or plan pages). An item is kept
    when its clause, with some context from the clean text (so that 粮食产量99万吨 of the
    review is not taken for 粮食产量99万吨以上 of the plan), is in the present text;
    whitespace is ignored.
    """
    present_keys = [squash(p) for p in present]
    clean_path = Path(gold_dir) / f"{gold.doc}.clean.txt"
    raw_lines = clean_path.read_text(encoding="utf-8").split("\n") if clean_path.is_file() else []
    lines = [squash(_BULLET.sub("", line)) for line in raw_lines]
    head_windows = _context_windows([squash(h["evidence"]) for h in gold.headline], lines)
    quantity_windows = _context_windows([squash(q["text"]) for q in gold.quantities], lines)
    return GoldDocument(
        doc=gold.doc,
        region=gold.region,
        report_year=gold.report_year,
        headline=[h for h, w in zip(gold.headline, head_windows) if w.present_in(present_keys)],
        quantities=[q for q, w in zip(gold.quantities, quantity_windows) if w.present_in(present_keys)],
        excluded=gold.excluded,
    )


def period_warnings(facts: Iterable[Fact], report_year: int | None) -> list[Fact]:
    """The facts the validation stage would warn about (period_year_fits_report_year)."""
    from reportflow.validation.rules import period_consistent

    return [
        f
        for f in facts
        if not period_consistent(f.kind, f.period_year, f.period_start, report_year, f.evidence, 15)
    ]


def score_facts(facts: Sequence[Fact], gold: GoldDocument) -> DocumentScores:
    """All scores of one document's facts."""
    return DocumentScores(
        doc=gold.doc,
        headline_core=score_headline(facts, gold, "core"),
        headline_extended=score_headline(facts, gold, "extended"),
        quantities=score_quantities(facts, gold),
        quantities_kind=score_quantities(facts, gold, with_kind=True),
        facts=len(facts),
        region=facts[0].region if facts else None,
        period_warnings=len(period_warnings(facts, gold.report_year)),
    )


def evaluate_clean_texts(gold_dir: Path = DEFAULT_GOLD_DIR, repeats: int = 1) -> list[DocumentScores]:
    """Extract and score the three clean sample texts (timing: best of ``repeats`` runs)."""
    results = []
    for doc, source in SOURCE_NAMES.items():
        gold = load_gold(Path(gold_dir) / f"{doc}.json")
        paragraphs = clean_paragraphs(gold_dir, doc)
        best = float("inf")
        facts: list[Fact] = []
        for _ in range(max(1, repeats)):
            started = time.process_time()  # CPU time: other jobs on the machine do not count
            context = document_context(paragraphs, source)
            facts = extract_facts(paragraphs, context)
            best = min(best, time.process_time() - started)
        scores = score_facts(facts, gold)
        scores.seconds = best
        scores.chars = sum(len(p.text) for p in paragraphs)
        results.append(scores)
    return results


CORPUS_SOURCES = {"kaiping": "000", "xinhui": "001", "jiangmen": "002"}
"""Corpus case names contain the sample's name; this maps it to the gold file."""


def _gold_for_case(name: str, gold_dir: Path) -> GoldDocument:
    doc = next(d for source, d in CORPUS_SOURCES.items() if source in name)
    return load_gold(Path(gold_dir) / f"{doc}.json")


Job = tuple[str, str, list[str], Callable[[], ExtractedDocument]]
"""(case name, file name for the context, truth paragraphs, extraction)."""


def _corpus_jobs(scans: bool, only: str | None) -> list[Job]:
    from benchmarks.corpus import build_layout_cases, build_scan_cases
    from reportflow.config import OcrConfig
    from reportflow.extract import extract_document

    config = OcrConfig()
    jobs: list[Job] = []
    if scans:
        for sc in build_scan_cases(only=only):

            def load(images: tuple[Path, ...] = tuple(sc.images)) -> ExtractedDocument:
                pages = []
                for image in images:
                    for page in extract_document(image, "image", config).pages:
                        page.page_no = len(pages) + 1
                        pages.append(page)
                return ExtractedDocument(media_type="image", page_count=len(pages), pages=pages)

            jobs.append((sc.name, f"{sc.source}.pdf", sc.truth_texts(), load))
    else:
        for case in build_layout_cases(only=only):
            jobs.append(
                (
                    case.name,
                    case.pdf.name,
                    case.truth_texts(),
                    lambda p=case.pdf: extract_document(p, "pdf", config),
                )
            )
    return jobs


SAMPLES_DIR = Path(__file__).resolve().parent.parent / "samples"
SAMPLE_GOLD = {
    "kaiping-2023-summary.pdf": "000",
    "xinhui-2023-digest-scan.pdf": "001",
    "jiangmen-2023-report-p1.png": "002",
    "jiangmen-2023-report-columns.txt": "002",
}
"""The committed samples (samples/README.md) and the gold file of the text each one holds."""


def _sample_jobs(only: str | None) -> list[Job]:
    from reportflow.config import OcrConfig
    from reportflow.extract import detect_media_type, extract_document

    config = OcrConfig.from_env()  # REPORTFLOW_OCR_ENGINE=fake replays recorded tesseract output
    jobs: list[Job] = []
    for name in SAMPLE_GOLD:
        path = SAMPLES_DIR / name
        if not path.is_file() or (only and only not in name):
            continue
        truth_file = SAMPLES_DIR / "truth" / f"{path.stem}.json"
        truth = [p["text"] for p in json.loads(truth_file.read_text(encoding="utf-8"))["paragraphs"]]
        jobs.append((name, name, truth, lambda p=path: extract_document(p, detect_media_type(p), config)))
    return jobs


def _paragraphs_file(folder: Path, name: str) -> Path:
    return Path(folder) / f"{re.sub(r'[^A-Za-z0-9_.+-]', '_', name)}.paragraphs.json"


def save_paragraphs(paragraphs: Sequence[Paragraph], path: Path) -> None:
    """The repaired paragraphs of one document (text, kind, page, OCR confidences) as JSON
    (gzipped when the name ends in .gz)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {"seq": p.seq, "page_no": p.page_no, "kind": p.kind, "text": p.text, "char_conf": p.char_conf}
        for p in paragraphs
    ]
    data = json.dumps(rows, ensure_ascii=False).encode("utf-8")
    path.write_bytes(gzip.compress(data, mtime=0) if path.suffix == ".gz" else data)


def load_paragraphs(path: Path) -> list[Paragraph]:
    raw = Path(path).read_bytes()
    rows = json.loads(gzip.decompress(raw) if Path(path).suffix == ".gz" else raw)
    return [
        Paragraph(
            seq=r["seq"], page_no=r["page_no"], kind=r["kind"], text=r["text"], char_conf=r["char_conf"]
        )
        for r in rows
    ]


def _gold_for_job(name: str, gold_dir: Path) -> GoldDocument:
    if name in SAMPLE_GOLD:
        return load_gold(Path(gold_dir) / f"{SAMPLE_GOLD[name]}.json")
    return _gold_for_case(name, gold_dir)


def evaluate_jobs(
    jobs: Sequence[Job], gold_dir: Path = DEFAULT_GOLD_DIR, save: Path | None = None, load: Path | None = None
) -> list[DocumentScores]:
    """Run and score pipeline jobs; ``save``/``load``: a folder of repaired paragraphs."""
    from reportflow.errors import ReportflowError
    from reportflow.layout import repair_layout

    results: list[DocumentScores] = []
    for name, file_name, truth, extract in jobs:
        gold = restrict_gold(_gold_for_job(name, gold_dir), truth, gold_dir)
        started = time.perf_counter()
        cached = _paragraphs_file(load, name) if load else None
        if cached is not None and cached.is_file():
            paragraphs = load_paragraphs(cached)
        else:
            try:
                paragraphs = repair_layout(extract())
            except ReportflowError as exc:  # e.g. a fake-OCR recording that no longer replays
                print(f"== {name}: skipped, {exc}")
                continue
        if save is not None:
            save_paragraphs(paragraphs, _paragraphs_file(save, name))
        facts = extract_facts(paragraphs, document_context(paragraphs, file_name))
        scores = score_facts(facts, gold)
        scores.doc = name
        scores.seconds = time.perf_counter() - started
        scores.chars = sum(len(p.text) for p in paragraphs)
        results.append(scores)
    return results


def evaluate_corpus(
    gold_dir: Path = DEFAULT_GOLD_DIR,
    scans: bool = False,
    only: str | None = None,
    save: Path | None = None,
    load: Path | None = None,
) -> list[DocumentScores]:
    """The whole path on the benchmark corpus: PDF (text layer) or scan → layout → facts → scores.

    Uses ``benchmarks.corpus`` (newspaper-like PDFs typeset from the clean texts, and scans
    of some of their pages; OCR costs ~6 s a page). Each case is scored against the gold
    items its pages hold (``restrict_gold``).
    """
    return evaluate_jobs(_corpus_jobs(scans, only), gold_dir, save, load)


def evaluate_samples(
    gold_dir: Path = DEFAULT_GOLD_DIR,
    only: str | None = None,
    save: Path | None = None,
    load: Path | None = None,
) -> list[DocumentScores]:
    """The committed samples through the whole pipeline (OCR engine from the environment)."""
    return evaluate_jobs(_sample_jobs(only), gold_dir, save, load)


def time_long_report(
    gold_dir: Path = DEFAULT_GOLD_DIR, copies: int = 3, repeats: int = 10
) -> tuple[int, float]:
    """(characters, best CPU seconds) for one report made of ``copies`` copies of 002 (≈ 33k chars)."""
    base = clean_paragraphs(gold_dir, "002")
    paragraphs = [Paragraph(seq=i, page_no=1, kind="body", text=p.text) for i, p in enumerate(base * copies)]
    best = float("inf")
    for _ in range(max(1, repeats)):
        started = time.process_time()
        extract_facts(paragraphs, document_context(paragraphs, SOURCE_NAMES["002"]))
        best = min(best, time.process_time() - started)
    return sum(len(p.text) for p in paragraphs), best


def total(results: Sequence[DocumentScores]) -> DocumentScores:
    out = DocumentScores("all", PRF(), PRF(), PRF(), PRF())
    for r in results:
        out.headline_core += r.headline_core
        out.headline_extended += r.headline_extended
        out.quantities += r.quantities
        out.quantities_kind += r.quantities_kind
        out.facts += r.facts
        out.seconds += r.seconds
        out.chars += r.chars
        out.period_warnings += r.period_warnings
    return out


def _row(label: str, prf: PRF) -> str:
    return (
        f"{label:<20} {prf.tp:>4} {prf.fp:>4} {prf.fn:>4} {prf.neutral:>4}  "
        f"{prf.precision:>6.3f} {prf.recall:>6.3f} {prf.f1:>6.3f}"
    )


def format_table(
    results: Sequence[DocumentScores], verbose: bool = False, timing: str = "context+extraction ms CPU"
) -> str:
    lines = []
    header = f"{'doc / score':<20} {'tp':>4} {'fp':>4} {'fn':>4} {'neut':>4}  {'P':>6} {'R':>6} {'F1':>6}"
    for r in [*results, total(results)]:
        where = f", region {r.region}" if r.doc != "all" else ""
        lines.append(
            f"== {r.doc}: {r.chars} chars, {r.facts} facts{where}, {r.period_warnings} period warnings, "
            f"{timing} {r.seconds * 1000:.1f}"
        )
        lines.append(header)
        for label, prf in (
            ("headline core", r.headline_core),
            ("headline extended", r.headline_extended),
            ("quantities", r.quantities),
            ("quantities+kind", r.quantities_kind),
        ):
            lines.append(_row(label, prf))
            if verbose and r.doc != "all":
                lines += [f"    missed: {m}" for m in prf.missed]
                lines += [f"    extra:  {e}" for e in prf.extra]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold-dir", type=Path, default=DEFAULT_GOLD_DIR)
    parser.add_argument("--verbose", "-v", action="store_true", help="list missed and extra items")
    parser.add_argument("--repeats", type=int, default=10, help="timing: best of N runs (after a warm-up)")
    parser.add_argument(
        "--corpus", action="store_true", help="score the corpus PDFs (extract → layout → facts)"
    )
    parser.add_argument("--scans", action="store_true", help="score the corpus scans (runs tesseract)")
    parser.add_argument(
        "--samples", action="store_true", help="score samples/ (REPORTFLOW_OCR_ENGINE=fake replays OCR)"
    )
    parser.add_argument("--only", help="corpus cases whose name contains this (or matches this glob)")
    parser.add_argument("--save", type=Path, help="write each document's repaired paragraphs to this folder")
    parser.add_argument("--load", type=Path, help="read repaired paragraphs from this folder (no extraction)")
    args = parser.parse_args(argv)
    if args.corpus or args.scans or args.samples:
        if args.samples:
            results = evaluate_samples(args.gold_dir, only=args.only, save=args.save, load=args.load)
        else:
            results = evaluate_corpus(
                args.gold_dir, scans=args.scans, only=args.only, save=args.save, load=args.load
            )
        print(format_table(results, verbose=args.verbose, timing="extract+layout+facts ms wall"))
        return
    evaluate_clean_texts(args.gold_dir)  # warm-up: tables and regexes are built on first use
    print(format_table(evaluate_clean_texts(args.gold_dir, repeats=args.repeats), verbose=args.verbose))
    chars, seconds = time_long_report(args.gold_dir, repeats=args.repeats)
    print(f"== speed: a {chars}-character report (002 x3): context+extraction {seconds * 1000:.1f} ms CPU")


if __name__ == "__main__":
    main()
