"""Page furniture: running heads and feet repeated across pages, page numbers.

Only lines in the top and bottom margins are candidates. A margin line is furniture if
it is a page number ("3", "— 3 —", "- 3 -", "第3版", "第 3 页", "3/12", "Page 3"), a
newspaper page's credit line or dateline ("责任编辑 李晓明 美术编辑 陈思", "潮连周刊
2023年2月21日 星期二": every Chinese newspaper page carries them, and a single page has no
other page to repeat them), or if a line of the same margin on another page reads the same
once digits are ignored (running heads carry the page number or date, so an exact match is
not required; a fuzzy match catches the rest).
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np
from rapidfuzz import fuzz, process

from reportflow.layout.lines import Line

MARGIN_FRACTION = 0.1
"""Top and bottom share of the page height where running heads and feet live."""

PAGE_NUMBER_MARGIN_FRACTION = 0.15
"""Decorated page numbers ('— 3 —', '第3版') are recognised a little further in."""

FUZZY_MIN_RATIO = 85.0
"""rapidfuzz ratio (0–100) above which two margin lines are the same running head."""

FUZZY_MIN_CHARS = 4
"""Shorter margin lines must match exactly: fuzzy ratios of two-character strings mean little."""

_WS = re.compile(r"\s+")
_DIGITS = re.compile(r"\d+")
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
_DECORATED_PAGE_NUMBER = re.compile(
    r"^(?:[-–—－~·•]+\d{1,4}[-–—－~·•]+"
    r"|第[\d一二三四五六七八九十百]{1,4}[版页頁]"
    r"|\d{1,4}/\d{1,4}"
    r"|(?:page|p\.)\d{1,4}(?:of\d{1,4})?"
    r"|[（(]\d{1,4}[)）])$",
    re.IGNORECASE,
)

_PAGE_CREDIT = re.compile(
    r"^(?:(?:责任编辑|责编|本版编辑|美术编辑|美编|校对|版式|组版|值班编辑)[:：]?[\u4e00-\u9fff]{2,4}[|｜/，,]?){1,4}$"
)
"""A line made of a newspaper's staff credits only, e.g. '责编 黄嘉欣 校对 吴凡'."""
_DATELINE = re.compile(r"^[^。，；]{0,16}?\d{4}年\d{1,2}月\d{1,2}日[|｜,，]?(?:星期|周)[一二三四五六日天][^。，；]{0,16}$")
"""A short line holding a full date with its weekday, e.g. '潮连周刊 | 2023年2月21日 星期二'."""
PAGE_CREDIT_MAX_CHARS = 30


def is_page_credit_or_dateline(text: str) -> bool:
    """Whether a whole (margin) line is a newspaper page's staff credit or dateline."""
    squashed = _WS.sub("", text)
    if len(squashed) > PAGE_CREDIT_MAX_CHARS:
        return False
    return bool(_PAGE_CREDIT.match(squashed) or _DATELINE.match(squashed))


def _key(text: str) -> str:
    return _DIGITS.sub("#", _WS.sub("", text))


def is_page_number(text: str) -> bool:
    """Whether a whole line is a page number in one of the common forms."""
    squashed = _WS.sub("", text)
    return bool(_BARE_NUMBER.match(squashed) or _DECORATED_PAGE_NUMBER.match(squashed))


def _zone(line: Line, height: float, fraction: float) -> str | None:
    if line.bottom <= fraction * height:
        return "top"
    if line.top >= (1.0 - fraction) * height:
        return "bottom"
    return None


def find_furniture(pages: list[list[Line]], heights: list[float]) -> list[set[int]]:
    """For each page, the indices of its lines that are furniture."""
    drop: list[set[int]] = [set() for _ in pages]
    candidates: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for p, (lines, height) in enumerate(zip(pages, heights)):
        for i, line in enumerate(lines):
            if _zone(line, height, PAGE_NUMBER_MARGIN_FRACTION) and is_page_number(line.text):
                squashed = _WS.sub("", line.text)
                if not _BARE_NUMBER.match(squashed) or _zone(line, height, MARGIN_FRACTION):
                    drop[p].add(i)
                    continue
            zone = _zone(line, height, MARGIN_FRACTION)
            if zone and is_page_credit_or_dateline(line.text):
                drop[p].add(i)
            elif zone:
                candidates[zone].append((p, i, _key(line.text)))
    if len(pages) < 2:
        return drop
    for entries in candidates.values():
        by_key: dict[str, set[int]] = defaultdict(set)
        for p, _, key in entries:
            by_key[key].add(p)
        unmatched: list[tuple[int, int, str]] = []
        for p, i, key in entries:
            if len(by_key[key]) >= 2:
                drop[p].add(i)
            elif len(key) >= FUZZY_MIN_CHARS:
                unmatched.append((p, i, key))
        if len(unmatched) < 2:
            continue
        keys = [k for _, _, k in unmatched]
        page_of = np.array([p for p, _, _ in unmatched])
        scores = process.cdist(keys, keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_RATIO)
        similar_elsewhere = ((scores > 0) & (page_of[:, None] != page_of[None, :])).any(axis=1)
        for k in np.flatnonzero(similar_elsewhere).tolist():
            p, i, _ = unmatched[k]
            drop[p].add(i)
    return drop
