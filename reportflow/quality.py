"""Reading-quality metrics shared by the layout and OCR benchmarks and the tests.

All comparisons ignore whitespace (Chinese has none; extractors disagree on spaces)
and a leading bullet glyph (our paragraphs carry the item kind instead of the glyph).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

_WHITESPACE = re.compile(r"\s+")
_LEADING_BULLET = re.compile(r"^\s*[●•▪■◆·\-–]\s*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")

MIN_PARAGRAPH_CHARS = 6


def squash(text: str) -> str:
    """Text without whitespace, for comparisons."""
    return _WHITESPACE.sub("", text)


def _line_key(line: str) -> str:
    return squash(_LEADING_BULLET.sub("", line))


@dataclass(frozen=True, slots=True)
class ReadingScores:
    cer: float
    """Edit distance over the whole text (whitespace removed) / truth length."""
    paragraph_integrity: float
    """Share of truth paragraphs (6+ chars) found intact inside one output line."""
    order: float
    """Share of consecutive intact truth paragraphs that come out in the same order."""
    furniture_leaks: int
    """Output lines that are (or contain) page furniture."""
    number_recall: float
    """Share of the truth's numbers (multiset) found digit-exact in the output."""


def _find_from(lines: Sequence[str], key: str, start: tuple[int, int]) -> tuple[int, int] | None:
    """First (line, offset) of ``key`` at or after ``start``."""
    line_no, offset = start
    for i in range(line_no, len(lines)):
        at = lines[i].find(key, offset if i == line_no else 0)
        if at >= 0:
            return i, at
    return None


def score_reading(
    output_lines: Sequence[str],
    truth_paragraphs: Sequence[str],
    furniture: Sequence[str] = (),
) -> ReadingScores:
    """Compare an extractor's output lines with the true paragraphs of a document."""
    out_keys = [_line_key(line) for line in output_lines]
    truth_keys = [_line_key(p) for p in truth_paragraphs]
    out_all = "".join(out_keys)
    truth_all = "".join(truth_keys)
    cer = Levenshtein.distance(out_all, truth_all) / max(1, len(truth_all))

    positions: list[tuple[int, int] | None] = []
    considered = 0
    intact = 0
    cursor = (0, 0)
    for key in truth_keys:
        if len(key) < MIN_PARAGRAPH_CHARS:
            positions.append(None)
            continue
        considered += 1
        # A paragraph printed twice (a repeated slogan) matches the occurrence after the
        # previous match first, so a perfect reading scores a perfect order.
        found = _find_from(out_keys, key, cursor) or _find_from(out_keys, key, (0, 0))
        positions.append(found)
        if found is not None:
            intact += 1
            cursor = (found[0], found[1] + len(key))
    integrity = intact / considered if considered else 1.0

    pairs = 0
    in_order = 0
    previous: tuple[int, int] | None = None
    for pos in positions:
        if pos is None:
            continue
        if previous is not None:
            pairs += 1
            in_order += pos >= previous
        previous = pos
    order = in_order / pairs if pairs else 1.0

    leaks = 0
    furniture_keys = [squash(f) for f in furniture if squash(f)]
    for line in out_keys:
        if any(f == line or (len(f) >= 4 and f in line) for f in furniture_keys):
            leaks += 1

    truth_numbers = _NUMBER.findall(truth_all)
    out_numbers = _NUMBER.findall(out_all)
    remaining: dict[str, int] = {}
    for n in out_numbers:
        remaining[n] = remaining.get(n, 0) + 1
    found_numbers = 0
    for n in truth_numbers:
        if remaining.get(n, 0) > 0:
            remaining[n] -= 1
            found_numbers += 1
    number_recall = found_numbers / len(truth_numbers) if truth_numbers else 1.0
    return ReadingScores(cer, integrity, order, leaks, number_recall)


def near_intact_share(output_lines: Sequence[str], truth_paragraphs: Sequence[str], tolerance: float = 0.03) -> float:
    """Share of truth paragraphs (6+ chars) found whole inside one output line, forgiving
    character errors: ``tolerance`` of the paragraph's characters, at least one.

    ``paragraph_integrity`` asks for every character right, so on OCR it mixes two things:
    the layout (is the paragraph one piece, in one line?) and the recogniser (is every
    character right?). This asks the first with a few of the second's errors forgiven (a
    misread or lost character counts one, as a substitution or a deletion): a paragraph split
    over two lines, or cut short, still fails; a line that holds it and more does not (as in
    ``paragraph_integrity``, which finds the paragraph *inside* a line).
    """
    out_keys = [_line_key(line) for line in output_lines]
    considered = intact = 0
    for paragraph in truth_paragraphs:
        key = _line_key(paragraph)
        if len(key) < MIN_PARAGRAPH_CHARS:
            continue
        considered += 1
        errors = max(1.0, tolerance * len(key))
        # partial_ratio is an Indel similarity over both strings' lengths: one substitution
        # costs two edits of 2 × len(key) characters.
        need = 100.0 * (1.0 - errors / len(key)) - 1e-9
        intact += any(
            len(line) >= len(key) - errors and fuzz.partial_ratio(key, line, score_cutoff=need) > 0
            for line in out_keys
        )
    return intact / considered if considered else 1.0
