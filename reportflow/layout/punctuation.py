"""One width for the OCR'd punctuation of a document: the width the document itself uses.

A document is set with one convention for the punctuation of its Chinese text: full-width
（，：；！？（）) as in GB/T 15834, or, in some newspapers' and bureaus' files, ASCII (,:;!?()).
Tesseract's chi_sim picks the width glyph by glyph, and on the benchmark scans about one mark
in twelve comes out in the other width (`rl-jiangmen`: 9 ASCII marks among 105 full-width;
`fp-xinhui`: 8 full-width among 110 ASCII), which breaks a paragraph's verbatim match with the
printed text as surely as a misread character.

So when the marks the OCR produced next to Chinese text agree on one width for at least
``CONVENTION_SHARE`` of them (and there are ``MIN_MARKS`` or more), the rest are turned to that
width, one character for one (boxes and confidences stay aligned). A document whose marks are
mixed is left as read, and so are a text layer's characters. Only punctuation changes: never a
digit, and never a mark between two digits (``1,234``, ``10:30``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Literal

from reportflow.models import Paragraph
from reportflow.normalize import is_cjk

WIDE_OF = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
NARROW_OF = {wide: narrow for narrow, wide in WIDE_OF.items()}
OPENING = "(（"
CLOSING = ")）"

CONVENTION_SHARE = 0.85
"""A width is the document's when this share of its OCR'd marks has it. The OCR's own mix on
single-convention scans is ~92 % (above); the benchmark's one mixed truth (rl-kaiping: 31
full-width, 10 ASCII, 76 %) stays below it."""
MIN_MARKS = 10
"""Fewer marks than this say nothing about a convention."""

Width = Literal["wide", "narrow"]


def _is_digit(char: str) -> bool:
    return char.isascii() and char.isdigit()


def chinese_marks(text: str, from_ocr: Sequence[bool]) -> list[int]:
    """Positions of the OCR'd punctuation marks (either width) that belong to Chinese text.

    A mark belongs to Chinese text when a Chinese character is next to it; a bracket also when
    the pair it belongs to encloses or touches Chinese text (`(1)加快` → both brackets). A mark
    between two digits is part of a number and is never counted or changed.
    """
    marks: list[int] = []
    open_at: list[int] = []
    pairs: dict[int, int] = {}
    for i, char in enumerate(text):
        if char in OPENING:
            open_at.append(i)
        elif char in CLOSING and open_at:
            pairs[open_at.pop()] = i
    partner = {**pairs, **{close: open_ for open_, close in pairs.items()}}

    def touches_chinese(i: int) -> bool:
        return is_cjk(text[i - 1] if i else "") or is_cjk(text[i + 1] if i + 1 < len(text) else "")

    for i, char in enumerate(text):
        if char not in WIDE_OF and char not in NARROW_OF or not from_ocr[i]:
            continue
        before = text[i - 1] if i else ""
        after = text[i + 1] if i + 1 < len(text) else ""
        if _is_digit(before) and _is_digit(after):
            continue
        chinese = touches_chinese(i)
        if not chinese and i in partner:
            lo, hi = sorted((i, partner[i]))
            chinese = touches_chinese(partner[i]) or any(is_cjk(c) for c in text[lo + 1 : hi])
        if chinese:
            marks.append(i)
    return marks


def _ocr_marks(paragraphs: Sequence[Paragraph]) -> list[list[int]]:
    """``chinese_marks`` of each paragraph (none for a text-layer paragraph)."""
    return [
        chinese_marks(p.text, [conf is not None for conf in p.char_conf]) if p.char_conf else []
        for p in paragraphs
    ]


def _width(paragraphs: Sequence[Paragraph], marks: list[list[int]]) -> Width | None:
    wide = narrow = 0
    for paragraph, positions in zip(paragraphs, marks):
        for i in positions:
            if paragraph.text[i] in WIDE_OF:  # an ASCII mark
                narrow += 1
            else:
                wide += 1
    total = wide + narrow
    if total < MIN_MARKS:
        return None
    if wide >= CONVENTION_SHARE * total:
        return "wide"
    if narrow >= CONVENTION_SHARE * total:
        return "narrow"
    return None


def document_width(paragraphs: Sequence[Paragraph]) -> Width | None:
    """The width most of the document's OCR'd Chinese punctuation has, if it is a convention."""
    return _width(paragraphs, _ocr_marks(paragraphs))


def harmonise_ocr_punctuation(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """The document's OCR'd paragraphs with their Chinese punctuation in the document's width
    (``document_width``); unchanged when it has none, and for text-layer paragraphs."""
    marks = _ocr_marks(paragraphs)
    width = _width(paragraphs, marks)
    if width is None:
        return paragraphs
    table = WIDE_OF if width == "wide" else NARROW_OF
    out: list[Paragraph] = []
    for paragraph, positions in zip(paragraphs, marks):
        if not positions:
            out.append(paragraph)
            continue
        chars = list(paragraph.text)
        for i in positions:
            chars[i] = table.get(chars[i], chars[i])
        text = "".join(chars)
        out.append(paragraph if text == paragraph.text else dataclasses.replace(paragraph, text=text))
    return out
