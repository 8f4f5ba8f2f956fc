"""A cleaned view of a paragraph's text with a map back to the original offsets.

Extraction leaves stray spaces ("增长 3.1%", "专项债 176 亿元", "15 条"), markdown emphasis
markers ("增长**2.8%**") and full-width digits in paragraph text. The extractor's patterns
run on a view without them; every span found there maps back to the original text, so
``value_text`` and ``evidence`` stay verbatim substrings of the paragraph.

What the view drops: whitespace (except between two ASCII letters or digits, so that
"2021 2022" stays two numbers and "RCEP 成员国" stays readable), the spaces inside a
letter-spaced number ("1 4 3 3 . 6", as justified type may come out), markdown ``*``
markers, and the invisible characters ``normalize_text`` removes. What it folds:
full-width digits, letters and %, ., +, − (the ``normalize`` table, one character to one).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reportflow.normalize import normalize_char, normalize_text


@dataclass(frozen=True, slots=True)
class TextView:
    original: str
    text: str
    """The cleaned text the patterns run on."""
    origin: tuple[int, ...]
    """origin[i] = offset in ``original`` of ``text[i]``."""

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original span covering view span [start, end) (end exclusive, end > start)."""
        return self.origin[start], self.origin[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        a, b = self.to_original(start, end)
        return self.original[a:b]

    def without(self, positions: set[int] | frozenset[int]) -> TextView:
        """The view with the characters at these view positions removed (OCR specks)."""
        keep = [i for i in range(len(self.text)) if i not in positions]
        return TextView(
            self.original, "".join(self.text[i] for i in keep), tuple(self.origin[i] for i in keep)
        )


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()


_DROPPED_RUN = re.compile(r"[\s*]+")


def make_view(original: str) -> TextView:
    """The cleaned view of ``original`` (see the module docstring)."""
    folded = normalize_text(original)
    if len(folded) != len(original):
        return _make_view_by_char(original)  # an invisible character was removed: map one by one
    chars: list[str] = []
    origin: list[int] = []
    last = 0
    for run in _DROPPED_RUN.finditer(folded):
        start, end = run.span()
        chars.append(folded[last:start])
        origin.extend(range(last, start))
        last = end
        if not any(c.isspace() for c in run.group()):
            continue  # only markdown markers
        prev = folded[start - 1] if start > 0 else ""
        nxt = folded[end] if end < len(folded) else ""
        if prev and nxt and _is_ascii_alnum(prev) and _is_ascii_alnum(nxt):
            chars.append(" ")
            origin.append(start + run.group().index(next(c for c in run.group() if c.isspace())))
    chars.append(folded[last:])
    origin.extend(range(last, len(folded)))
    return _join_letter_spaced_digits(TextView(original, "".join(chars), tuple(origin)))


def _make_view_by_char(original: str) -> TextView:
    chars: list[str] = []
    origin: list[int] = []
    n = len(original)
    for i, raw in enumerate(original):
        if raw == "*":
            continue
        folded = normalize_char(raw)
        if not folded:
            continue
        if folded.isspace():
            # Keep one space only where it separates two ASCII words or numbers.
            prev = chars[-1] if chars else ""
            j = i + 1
            while j < n and (original[j].isspace() or original[j] == "*" or not normalize_char(original[j])):
                j += 1
            nxt = normalize_char(original[j]) if j < n else ""
            if prev and nxt and _is_ascii_alnum(prev) and _is_ascii_alnum(nxt[0]) and prev != " ":
                chars.append(" ")
                origin.append(i)
            continue
        for piece in folded:  # normally one character
            chars.append(piece)
            origin.append(i)
    return _join_letter_spaced_digits(TextView(original, "".join(chars), tuple(origin)))


_LETTER_SPACED_DIGITS = re.compile(r"(?<![\d.])\d(?: \d)+(?:\.\d+)?(?!\d)")
"""'1 4 3 3.6': one digit at a time with single spaces (justified or letter-spaced type)."""


def _join_letter_spaced_digits(view: TextView) -> TextView:
    """Remove the spaces inside letter-spaced numbers, so '1 4 3 3 . 6亿元' reads 1433.6."""
    drop: set[int] = set()
    for run in _LETTER_SPACED_DIGITS.finditer(view.text):
        drop.update(i for i in range(run.start(), run.end()) if view.text[i] == " ")
    if not drop:
        return view
    keep = [i for i in range(len(view.text)) if i not in drop]
    return TextView(view.original, "".join(view.text[i] for i in keep), tuple(view.origin[i] for i in keep))
