"""Actual or target, and for which year: the time scope of a report's paragraphs and sentences.

A work report reviews the past year (actual figures) and then sets out the coming one
(targets, planned work). The scope is tracked through the document:

* a heading-like paragraph sets it: 回顾/过去一年 → actual; 安排/展望/预期目标/重点抓好 →
  target; a heading that starts with a year ("2022年 发展活力…", "一、2022年工作回顾")
  → actual for a year before the report year, target otherwise;
* a body paragraph that opens with 过去一年 / 一年来 / 过去五年 / "2023年是…" /
  "今年…预期目标" sets it too (column-broken text may lose the headings);
* a sentence that opens with a year, 今年 or 去年 has that scope for itself only
  ("2022年是…之年…？2023年是…冲刺千亿GDP强区的决战决胜之年").

A year sets a scope only where it is a *time frame*: followed by a clause break
("2022年，"), 是/以来/全年/底, a plan or review word (工作回顾, 主要预期目标, 经济社会),
the region (全市, 开平全市, 我区) or an indicator ("2022年地区生产总值…"). A year that is
the object of a comparison or just mentioned in a clause ("较2021年上升3位" when OCR lost
the 较, "2021年新增长量的18.5倍", a paragraph that continues "…排名第42位,较") is not,
and the section's year stays. A short heading with no quantity in it ("2022年 发展活力
不断增强") is taken as a time frame unless a change or comparison word follows the year.

Actual facts describe the review year (report year − 1) unless a span (过去五年 →
report year − 5 … report year − 1) or an explicit year says otherwise; target facts describe
the report year, or the year the sentence aims at (到2025年). A static count in a plan
section ("三大平台") gets the plan's year and kind target: it is part of the plan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from reportflow.facts.context import gazetteer_names
from reportflow.facts.indicators import indicator_table
from reportflow.models import FactKind

_REVIEW_WORDS = re.compile(
    r"工作回顾|回顾|过去一年|过去的一年|过去五年|一年来|五年来|去年工作|工作总结|主要成绩"
)
_PLAN_WORDS = re.compile(
    r"工作安排|工作展望|展望|工作打算|预期目标|主要目标|今年工作|今后五年|未来五年|重点抓好"
)
_HEADING_YEAR = re.compile(
    r"^\W{0,3}(?:[一二三四五六七八九十]+[、.．\s]\s*)?((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)"
)
_HEADING_YEAR_LATE = re.compile(r"^[^\d，,。]{0,8}?((?:19|20)\d\d)\s*年(?!\s*\d{1,2}\s*月)")
"""A year a few characters into a heading (labels merged into it: '数据荣誉活力2023年，…')."""
_BODY_REVIEW_START = re.compile(r"^\W{0,2}(过去一年|过去的一年|一年来|过去五年|五年来)")
_BODY_YEAR_START = re.compile(r"^\W{0,2}((?:19|20)\d\d)\s*年\s*(是|以来|全市|全区|全县)")
_BODY_PLAN_START = re.compile(
    r"^\W{0,2}(今年|(?:19|20)\d\d\s*年)[^。]{0,24}?(主要预期目标|预期目标|主要目标|总体要求|工作安排)"
)
_BODY_FUTURE_SPAN = re.compile(r"^\W{0,2}(今后五年|未来五年)")
_SENTENCE_YEAR = re.compile(r"^\W{0,2}((?:19|20)\d\d)\s*年")
_SENTENCE_THIS_YEAR = re.compile(r"^\W{0,2}今年")
_SENTENCE_LAST_YEAR = re.compile(r"^\W{0,2}(去年|过去一年|过去的一年)")
_TARGET_YEAR = re.compile(r"(?:到|至|在)((?:19|20)\d\d)\s*年|((?:19|20)\d\d)\s*年(?:底前|前|底)")
_YEAR_SPAN = re.compile(r"((?:19|20)\d\d)\s*(?:年)?\s*[-—–~～至到]\s*((?:19|20)\d\d)\s*年")
_TARGET_WORDING = re.compile(
    r"力争|确保|计划|预计|目标|今年|明年|不少于|不低于|至少|力促|争创|谋划|将(?:要|会|继续|进一步|加快)"
    r"|要(?:加快|推动|坚持|着力|抓好|确保|持续)"
)
_ACTUAL_WORDING = re.compile(
    r"同比|比上年|较上年|增长了|下降了|完成了|实现了|取得了|获评|荣获|入选|成功创建|首次|创近年|创历史|累计|已经|了[，。、；,;]"
)
_IMPERATIVE_START = re.compile(
    r"^\W{0,3}(?:\d{1,2}[.、．]\s*)?(?:加快|推进|推动|培育|打造|建设|实施|规划|新建|筹建|深入|全面|持续|积极|大力|着力|"
    r"强化|深化|落实|支持|鼓励|开展|提升|提高|优化|健全|完善|构建|争创|力争|确保)"
)
"""A plan item opens with an imperative verb (加快推动13个老旧小区改造)."""
_AVERAGE = re.compile(r"年均|平均每年|年平均")

_FRAME_AFTER_YEAR = re.compile(
    r"$|[，,：:、。；;！!？?\s]|是|以来|全年|上半年|下半年|[一二三四]季度|前三季度|度|底|末|初|"
    r"工作|经济社会|国民经济|主要|预期|目标|计划|重点|任务|回顾|展望|安排|总结|政府|"
    r"全市|全区|全县|全镇|全省|全国|我市|我区|我县|本市|本区|本县"
)
"""What may follow a year that is a time frame (besides a region name or an indicator)."""
_OBJECT_AFTER_YEAR = re.compile(
    r"同期|相比|比较|对比|以前|之前|前|水平|基础上|的|上升|下降|增长|增加|提高|提升|减少|降低|回落|"
    r"新增|翻|分别|高于|低于|多于|少于|高出"
)
"""After a year, these make it a base of comparison or a mention, never a time frame."""
_ENDS_WITH_COMPARISON = re.compile(r"(?:较|比|与|同|和|及|于|至|到|从|自|相比|对比)\W{0,2}$")
"""A paragraph ending like this continues into the next one: a year opening it is an object."""


@lru_cache(maxsize=1)
def _frame_subject_re() -> re.Pattern[str]:
    """Region names (新会区, 开平全市) and indicator synonyms: '2022年<this>' is a time frame."""
    words = {e.synonym for e in indicator_table()}
    for short, full in gazetteer_names():
        words.update((short, full))
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


def year_is_time_frame(text: str, year_end: int, headline: bool = False) -> bool:
    """True if the year ending at ``year_end`` (after 年) frames what follows.

    ``headline``: the text is a short heading with no quantity in it, where any year that is
    not followed by a change or comparison word is the section's year.
    """
    if _FRAME_AFTER_YEAR.match(text, year_end) or _frame_subject_re().match(text, year_end):
        return True
    return headline and not _OBJECT_AFTER_YEAR.match(text, year_end)


@dataclass(frozen=True, slots=True)
class TimeScope:
    kind: FactKind
    period_year: int | None
    period_start: int | None = None
    """First year of a multi-year span (过去五年, 2021—2024年均); None for one year."""


def _is_heading_like(text: str, kind: str) -> bool:
    if kind == "heading":
        return True
    stripped = text.strip()
    return 0 < len(stripped) <= 40 and not re.search(r"[。；;]", stripped)


class SectionTracker:
    """Carries the scope from paragraph to paragraph in reading order."""

    def __init__(self, report_year: int | None) -> None:
        self.report_year = report_year
        self.scope = self._actual()
        self.explicit = False
        """True once a section cue was seen; before that the wording decides."""
        self.continues_comparison = False
        """The current paragraph opens with the object of a comparison the previous one broke
        off after (…排名第42位,较 / 2021年上升3位)."""
        self._previous_ends_in_comparison = False
        self.cue_here = False
        """The last paragraph entered set the scope (a section heading or opening)."""

    def _year_frame(self, text: str, match: re.Match[str], headline: bool = False) -> bool:
        """A year opening a paragraph or sentence is a time frame (see the module docstring)."""
        return not self.continues_comparison and year_is_time_frame(text, match.end(), headline)

    def _actual(self, year: int | None = None) -> TimeScope:
        if year is None and self.report_year is not None:
            year = self.report_year - 1
        return TimeScope("actual", year)

    def _target(self, year: int | None = None) -> TimeScope:
        return TimeScope("target", year if year is not None else self.report_year)

    def _by_year(self, year: int) -> TimeScope:
        if self.report_year is not None and year < self.report_year:
            return self._actual(year)
        if self.report_year is None:
            return TimeScope(self.scope.kind, year)
        return self._target(year)

    def _past_span(self) -> TimeScope:
        if self.report_year is None:
            return TimeScope("actual", None)
        return TimeScope("actual", self.report_year - 1, self.report_year - 5)

    def _future_span(self) -> TimeScope:
        if self.report_year is None:
            return TimeScope("target", None)
        return TimeScope("target", self.report_year + 4, self.report_year)

    def _heading_scope(self, text: str, kind: str, has_quantity: bool) -> TimeScope | None:
        if "政府工作报告" in text:
            return None  # the title's year is the report year, not a section
        year = _HEADING_YEAR.match(text) or (_HEADING_YEAR_LATE.match(text) if kind == "heading" else None)
        if year and self._year_frame(text, year, headline=not has_quantity):
            return self._by_year(int(year.group(1)))
        if year:
            return None  # "2021年上升3位…": a year that is not a time frame says nothing
        if kind != "heading" and re.search(r"[，,、“”]", text):
            return None  # a short piece of running text (a column-wrapped line), not a title
        review = _REVIEW_WORDS.search(text)
        plan = _PLAN_WORDS.search(text)
        if review and (not plan or review.start() < plan.start()):
            return self._past_span() if "五年" in review.group() else self._actual()
        if plan:
            return self._future_span() if "五年" in plan.group() else self._target()
        return None

    def _body_scope(self, text: str) -> TimeScope | None:
        review = _BODY_REVIEW_START.match(text)
        if review:
            return self._past_span() if "五年" in review.group(1) else self._actual()
        year = _BODY_YEAR_START.match(text)
        if year and not self.continues_comparison:
            return self._by_year(int(year.group(1)))
        if _BODY_PLAN_START.match(text):
            year_match = re.match(r"^\W{0,2}((?:19|20)\d\d)", text)
            return self._by_year(int(year_match.group(1))) if year_match else self._target()
        if _BODY_FUTURE_SPAN.match(text):
            return self._future_span()
        return None

    def enter_paragraph(self, text: str, kind: str, has_quantity: bool = True) -> TimeScope:
        """The scope of a paragraph (view text), updating the running scope.

        ``has_quantity``: the paragraph states a quantity (a heading-like paragraph without
        one may open with a year followed by anything but a comparison: a section heading).
        """
        self.continues_comparison = self._previous_ends_in_comparison
        self._previous_ends_in_comparison = bool(_ENDS_WITH_COMPARISON.search(text))
        cue = self._heading_scope(text, kind, has_quantity) if _is_heading_like(text, kind) else None
        if cue is None:
            cue = self._body_scope(text)
        self.cue_here = cue is not None
        if cue is not None:
            self.scope = cue
            self.explicit = True
        elif not self.explicit:
            # No section seen yet (a page from the middle of a report, or headings lost to
            # OCR): plan wording (力争, 确保, 不少于 …) against review wording (同比, 获评, 了 …).
            vote = len(_TARGET_WORDING.findall(text)) - len(_ACTUAL_WORDING.findall(text))
            vote += 1 if _IMPERATIVE_START.match(text) else 0
            if vote > 0:
                self.scope = self._target()
            elif vote < 0:
                self.scope = self._actual()
        return self.scope

    def sentence_scope(self, sentence: str, base: TimeScope, opens_paragraph: bool = False) -> TimeScope:
        """The scope of one sentence: its own opening year, else the paragraph's.

        ``opens_paragraph``: the sentence starts its paragraph (which may continue a
        comparison the previous paragraph broke off).
        """
        scope = base
        year = _SENTENCE_YEAR.match(sentence)
        if (
            year
            and year_is_time_frame(sentence, year.end())
            and not (opens_paragraph and self.continues_comparison)
        ):
            scope = self._by_year(int(year.group(1)))
        elif _SENTENCE_THIS_YEAR.match(sentence):
            scope = self._target()
        elif _SENTENCE_LAST_YEAR.match(sentence):
            scope = self._actual()
        span = _YEAR_SPAN.search(sentence)
        if span and _AVERAGE.search(sentence):
            first, last = int(span.group(1)), int(span.group(2))
            kind: FactKind = "actual" if self.report_year and last < self.report_year else scope.kind
            return TimeScope(kind, last, first)
        if scope.kind == "target":
            aim = _TARGET_YEAR.search(sentence)
            if aim:
                aimed = int(aim.group(1) or aim.group(2))
                if self.report_year is None or aimed >= self.report_year:
                    return TimeScope("target", aimed, scope.period_start)
        return scope
