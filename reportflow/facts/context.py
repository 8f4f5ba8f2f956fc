"""What a report is: its title, its administrative unit (region) and the year it was delivered.

Region, strongest evidence first:

1. a unit named just before 政府工作报告 in the title (数读2023年新会区政府工作报告);
2. the congress the report was delivered to (在江门市第十六届人民代表大会…) or the
   speaker's office (江门市市长);
3. "<name>全市/全区/全县" in the text (2023年开平全市经济社会发展…), the most frequent;
4. the file name, through the pinyin column of gazetteer.csv (kaiping-2023-… → 开平市);
5. the most frequent gazetteer name in the text.

gazetteer.csv (short,full,pinyin,not_followed_by) turns short names into the official unit
(开平 → 开平市, 新会 → 新会区); add rows for other regions. ``not_followed_by`` lists the
characters after which a short name is the start of another word (新会计准则, 中山大学): those
occurrences do not count. Units not in it are still found by
patterns 1–2 with their own suffix. A bare "XX市/区/县" in running text is never taken:
Chinese has no word breaks, so such a match is as likely to be 全市实现地区 (in
全市实现地区生产总值) or 产业园区 as a place; None ("unknown") is better than a wrong
region. Candidates from patterns 1–2 must look like a name too: not opening with
全/本/我/该/各… (全市, 本区) and without a second unit suffix inside (全市实现地区).

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
_LEADING_NOISE = re.compile(r"^(?:日(?=[在于]))?[在于和及与向对的年数读据关于]+")
"""Words before a name in a title or date line ("——2024年1月8日在绥阳县第十八届…")."""
_NOT_A_NAME_START = re.compile(r"^[全本我该各每此其这那两上下前后新老]")
"""全市, 本区, 我县, 该市, 各区 …: words for "the unit", not names."""
_NOT_A_NAME_INSIDE = re.compile(rf"(?:{_UNIT_SUFFIX}|省|镇|乡|村)(?=.)")
_GENERIC_PLACE_WORD = re.compile(
    r"(?:园|城|社|景|片|新|示范|开发|高新|保护|功能|集聚|试验|实验|自贸|合作|先行|服务|库|校|辖|"
    r"山|老|都|超|上|夜|股|楼|门|强|大|重点|文明)(?:市|区|县)$"
)
"""Common nouns ending like a unit: 产业园区, 城区, 社区, 示范区, 城市, 上市, 百强县 …"""

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


@lru_cache(maxsize=1)
def _false_friends() -> dict[str, str]:
    """short name → characters after which it is another word (新会 + 计 = 新会计, accounting)."""
    text = resources.files("reportflow.facts").joinpath("gazetteer.csv").read_text("utf-8")
    return {
        r["short"].strip(): (r.get("not_followed_by") or "").strip()
        for r in csv.DictReader(text.splitlines())
        if r.get("short") and (r.get("not_followed_by") or "").strip()
    }


def _count_short_name(text: str, short: str) -> int:
    """Occurrences of a short name that are not the start of another word (新会计准则)."""
    excluded = _false_friends().get(short)
    if not excluded:
        return text.count(short)
    return len(re.findall(re.escape(short) + f"(?![{re.escape(excluded)}])", text))


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


def plausible_unit_name(name: str) -> bool:
    """Could ``name`` (with its 市/区/县 suffix) be an administrative unit's name?

    Rejects 全市, 本区 and friends, strings spanning two units (全市实现地区), and common
    nouns that end like a unit (产业园区, 城市, 百强县). Gazetteer names always pass.
    """
    if any(name in (short, full) for short, full, _ in gazetteer()):
        return True
    return (
        3 <= len(name) <= 7
        and re.fullmatch(r"[\u4e00-\u9fff]+", name) is not None
        and not _NOT_A_NAME_START.match(name)
        and not _NOT_A_NAME_INSIDE.search(name[:-1])
        and not _GENERIC_PLACE_WORD.search(name)
    )


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
            if plausible_unit_name(name):
                return name
    return None


def _region_from_patterns(lines: list[str]) -> str | None:
    for pattern in (_CONGRESS, _SPEAKER):
        for line in lines:
            for m in pattern.finditer(line):
                name = _full_name(m.group(1))
                if plausible_unit_name(name):
                    return name
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
    """The gazetteer unit named most often; None if the text names none (no generic guess)."""
    counts: Counter[str] = Counter()
    for short, full, _ in gazetteer():
        counts[full] += _count_short_name(text, short)
    counts = Counter({k: v for k, v in counts.items() if v})
    return counts.most_common(1)[0][0] if counts else None


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
