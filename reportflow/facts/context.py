"""What a report is: its title, its administrative unit (region) and the year it was delivered.

Region, strongest evidence first:

1. a unit named just before 政府工作报告 in the title (数读2023年新会区政府工作报告);
2. the congress the report was delivered to (在江门市第十六届人民代表大会…) or the
   speaker's office (江门市市长);
3. "<name>全市/全区/全县" in the text (2023年开平全市经济社会发展…), the most frequent;
4. the file name, through the pinyin column of gazetteer.csv (kaiping-2023-… → 开平市);
5. the most frequent gazetteer name in the text, then the most frequent "XX市/区/县".

gazetteer.csv (short,full,pinyin) turns short names into the official unit (开平 →
开平市, 新会 → 新会区); add rows for other regions. Units not in it are still found by
patterns 1–2 with their own suffix.

Report year: the date line (——2023年2月16日在…), the year in the title
(2023年政府工作报告), "2023年…主要预期目标" / "2023年工作安排", one plus the year of
"2022年工作回顾", then a year in the file name.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import PurePath

from reportflow.models import DocumentContext, Paragraph
from reportflow.normalize import normalize_text

_OPENING_PARAGRAPHS = 12
_CLOSING_PARAGRAPHS = 6
"""Column-broken pages may print the title block last, so the tail is read as well."""

_UNIT_SUFFIX = "市|区|县|州|旗|盟"
_GENERIC_UNIT = re.compile(rf"([\u4e00-\u9fff]{{2,6}}?(?:{_UNIT_SUFFIX}))")
_LEADING_NOISE = re.compile(r"^[在于和及与向对的年数读据关于]+")

_CONGRESS = re.compile(rf"([\u4e00-\u9fff]{{2,8}}?(?:{_UNIT_SUFFIX}))第[一二三四五六七八九十]+届人民代表大会")
_SPEAKER = re.compile(r"([\u4e00-\u9fff]{2,8}?(?:市|区|县))(?:代)?(?:市长|区长|县长)")
_WHOLE_UNIT = re.compile(r"([\u4e00-\u9fff]{2,3}?)全(市|区|县)")

_DASH = r"(?:[—－\-]{1,2}|一一)"
"""The dash of a date line; OCR often reads —— as 一一."""
_DATE_LINE_YEAR = re.compile(_DASH + r"\s*((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月")
_TITLE_YEAR = re.compile(r"((?:19|20)\d\d)\s*年[^。，,]{0,12}?政府工作报告")
_PLAN_YEAR = re.compile(
    r"((?:19|20)\d\d)\s*年[^。]{0,16}?(?:主要预期目标|主要目标|工作安排|工作展望|工作打算)"
)
_REVIEW_YEAR = re.compile(r"((?:19|20)\d\d)\s*年\s*工作回顾")
_PRINT_DATE = re.compile(r"^\s*((?:19|20)\d\d)\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*(?:星期.)?\s*$")
"""A line that is only a date (a newspaper page's date): not a title; its year is a last resort."""
_FILE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@lru_cache(maxsize=1)
def gazetteer() -> tuple[tuple[str, str, str], ...]:
    """(short, full, pinyin) rows of gazetteer.csv."""
    text = resources.files("reportflow.facts").joinpath("gazetteer.csv").read_text("utf-8")
    return tuple(
        (r["short"].strip(), r["full"].strip(), r.get("pinyin", "").strip().lower())
        for r in csv.DictReader(text.splitlines())
        if r.get("short") and r.get("full")
    )


def gazetteer_names() -> tuple[tuple[str, str], ...]:
    """(short, full) pairs."""
    return tuple((short, full) for short, full, _ in gazetteer())


def _full_name(candidate: str) -> str:
    """A candidate unit name with noise stripped and, if known, its official form."""
    name = _LEADING_NOISE.sub("", candidate)
    for short, full, _ in gazetteer():
        if name in (short, full) or name.endswith(full):
            return full
    return name


def _known_unit_in(text: str) -> str | None:
    """The last gazetteer unit (full name, or short name + unit suffix) in a snippet."""
    best: tuple[int, str] | None = None
    for short, full, _ in gazetteer():
        for pattern in (re.escape(full), re.escape(short) + f"(?:{_UNIT_SUFFIX})"):
            for m in re.finditer(pattern, text):
                if best is None or m.start() > best[0]:
                    best = (m.start(), full)
    return best[1] if best else None


def _region_from_title(lines: list[str]) -> str | None:
    for line in lines:
        pos = line.find("政府工作报告")
        if pos <= 0:
            continue
        before = line[max(0, pos - 20) : pos]
        known = _known_unit_in(before)
        if known:
            return known
        generic = [m.group(1) for m in _GENERIC_UNIT.finditer(re.sub(r"[\d\s]+", " ", before))]
        if generic:
            name = _full_name(generic[-1].split(" ")[-1])
            if len(name) >= 2:
                return name
    return None


def _region_from_patterns(lines: list[str]) -> str | None:
    for pattern in (_CONGRESS, _SPEAKER):
        for line in lines:
            m = pattern.search(line)
            if m:
                return _full_name(m.group(1))
    return None


def _region_from_whole_unit(text: str) -> str | None:
    """'开平全市' → 开平市: only names the gazetteer knows, the most frequent."""
    counts: Counter[str] = Counter()
    for short, full, _ in gazetteer():
        counts[full] += len(re.findall(re.escape(short) + r"全(?:市|区|县)", text))
    counts = Counter({k: v for k, v in counts.items() if v})
    return counts.most_common(1)[0][0] if counts else None


def _region_from_file_name(file_name: str) -> str | None:
    stem = PurePath(file_name).name.lower()
    tokens = set(re.split(r"[^a-z\u4e00-\u9fff]+", stem))
    for short, full, pinyin in gazetteer():
        if (pinyin and pinyin in tokens) or short in stem or full in stem:
            return full
    return None


def _region_by_frequency(text: str) -> str | None:
    counts: Counter[str] = Counter()
    for short, full, _ in gazetteer():
        counts[full] += text.count(short)
    counts = Counter({k: v for k, v in counts.items() if v})
    if counts:
        return counts.most_common(1)[0][0]
    generic = Counter(_full_name(m.group(1)) for m in _GENERIC_UNIT.finditer(text))
    return generic.most_common(1)[0][0] if generic else None


def _report_year(lines: list[str], text: str, file_name: str) -> int | None:
    for pattern, shift in ((_DATE_LINE_YEAR, 0), (_TITLE_YEAR, 0)):
        for line in lines:
            m = pattern.search(line)
            if m:
                return int(m.group(1)) + shift
    m = _PLAN_YEAR.search(text)
    if m:
        return int(m.group(1))
    m = _REVIEW_YEAR.search(text)
    if m:
        return int(m.group(1)) + 1
    m = _FILE_YEAR.search(PurePath(file_name).name)
    if m:
        return int(m.group(1))
    for line in lines[:_OPENING_PARAGRAPHS]:
        m = _PRINT_DATE.match(line)
        if m:  # a newspaper's date line: reports are delivered and printed early in the year
            return int(m.group(1))
    return None


def _title(paragraphs: list[Paragraph]) -> str | None:
    opening = [p for p in paragraphs[:_OPENING_PARAGRAPHS] if p.text.strip()]
    for p in opening:
        text = normalize_text(p.text).strip()
        if "政府工作报告" in text and len(text) <= 80:
            return (
                re.split(r"\s*" + _DASH + r"(?=\s*(?:19|20)\d\d)|\s*[—－]{2}", text, maxsplit=1)[0].strip()
                or text
            )
    titled = [p for p in opening if not _PRINT_DATE.match(normalize_text(p.text))]
    for p in titled:
        if p.kind == "heading":
            return normalize_text(p.text).strip()
    return normalize_text(titled[0].text).strip()[:60] if titled else None


def document_context(paragraphs: list[Paragraph], file_name: str) -> DocumentContext:
    """Title, region and report year of a document (see the module docstring)."""
    texts = [normalize_text(p.text) for p in paragraphs]
    lines = texts[:_OPENING_PARAGRAPHS] + texts[-_CLOSING_PARAGRAPHS:]
    whole = "\n".join(texts)
    region = (
        _region_from_title(lines)
        or _region_from_patterns(lines)
        or _region_from_whole_unit(whole)
        or _region_from_file_name(file_name)
        or _region_by_frequency(whole)
    )
    return DocumentContext(
        title=_title(paragraphs),
        region=region,
        report_year=_report_year(lines, whole, file_name),
    )
