"""Paragraphs → facts: who (indicator), what (measure, value, unit, comparator), when (kind, year).

Per paragraph: a cleaned view (``textview``), the quantity mentions (``numbers``), then,
sentence by sentence and clause by clause (clauses end at ，：; sentences at 。；！？),
each mention becomes one fact:

* **subject**: the text before the number back to the clause start or the previous
  number, without the verbs and modifiers next to the number (增长, 同比, 超, 达到, 排全省
  …) and without leading fillers (其中, 全市, 实现, 力争 …). A counted thing written after
  its count ("新增41家“小升规”企业") is the subject of a count. A clause with no subject
  of its own ("…3773.41亿元，增长3.3%、排全省第2") continues the previous fact of the
  sentence; with 均 it continues every fact of the previous clause ("…增长 3.1%、…增长2.4%，
  均排全省第4" → two ranks). A clause that starts with 占/为/是 relates to the previous
  fact ("占全市的60.6%"): its indicator is composed and has no code, and if it is a share
  of the whole region the previous figure is a part of the region and loses its code.
* **分别**: "A、B分别增长10.7%、7.2%" pairs subjects and values in order; "A、B占GDP
  比重分别达39.3%和35.8%" gives the shared tail (占GDP比重) to every subject.
* **measure**: from the unit (see ``units``); a % after a change verb (增长, 下降, 提高 …)
  or after 增速/涨幅 is a growth, otherwise a rate; "提高到/增至" state a level, not a change.
* **sign**: growth, percentage-point and rank changes after a downward verb are negative
  (下降0.8% → −0.8). The comparator applies to the signed value, so "下降12%以上" is
  value −12 with comparator ``<=``.
* **comparator**: 以上/超/超过/不少于/突破/冲刺/关口/多/余 → ``>=``; 以内/不超过/控制在/以下 →
  ``<=``; 左右/约/近 → ``~``; a top-N rank (前三) is ``<=``.
* **aspirational**: a target under 力争/争取/冲刺/力促 earlier in its clause.
* **kind and year**: from ``sections`` (section, paragraph and sentence cues; a year sets
  the period only as a time frame).
* **OCR paragraphs** (``char_conf`` set) are read through ``ocrtext``: specks dropped, quote
  marks paired by position, unpaired marks (bullets read as quotes) end a sentence.
* **across paragraphs**: the open sentence's facts and its unfinished last phrase carry
  into the next paragraph (``LeadIn``); a number-less label is the subject of a figure
  printed alone below it; a count ending a paragraph takes its noun from the next one.

Evidence is the verbatim paragraph text from the start of the subject's clause to the end
of the quantity (and of its trailing modifiers or counted noun).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from reportflow.facts.context import gazetteer_names
from reportflow.facts.indicators import AMOUNT_CODES, indicator_code, indicator_table
from reportflow.facts.numbers import Mention, find_mentions, numbering_prefix_end
from reportflow.facts.ocrtext import read_ocr_view
from reportflow.facts.sections import SectionTracker, TimeScope
from reportflow.facts.textview import TextView, make_view
from reportflow.facts.units import UNIT_RE, normalise, unit_info
from reportflow.models import Comparator, DocumentContext, Fact, Measure, Paragraph

_SENTENCE_ENDS = set("。！？!?；;\n")
_CLAUSE_ENDS = set("，,：:")
_BULLETS = set("•●▪◆■")

_DIFFERENCE = {"高于": 1, "高出": 1, "快于": 1, "低于": -1, "慢于": -1}
"""Before a percentage-point figure these state a gap (高于全省1.2个百分点 = +1.2), not a bound."""
_GE = [
    "高出",
    "快于",
    "超过",
    "超出",
    "超",
    "突破",
    "不少于",
    "不低于",
    "不小于",
    "至少",
    "逾",
    "高于",
    "大于",
    "多于",
    "冲刺",
    "迈向",
    "迈上",
    "挺进",
    "跨越",
    "跃上",
    "跃居",
]
_LE = ["不超过", "不高于", "不多于", "控制在", "低于", "慢于", "少于", "不到"]
_APPROX = ["近", "接近", "约", "大约", "将近", "大概"]
_UP = ["增长", "增加", "提高", "提升", "上升", "上涨", "增", "扩大", "前进", "跃升", "拉动"]
_DOWN = ["下降", "减少", "降低", "回落", "下跌", "压减", "压缩", "缩减", "缩小", "降", "减", "下滑", "后退"]
_TO = ["至", "到"]
_LINK = [
    "达到",
    "达",
    "为",
    "是",
    "在",
    "保持在",
    "稳定在",
    "维持在",
    "有",
    "计",
    "共",
    "合计",
    "总计",
    "累计",
    "实现",
    "完成",
    "获得",
    "获",
    "分别",
    "均",
    "都",
    "再",
    "仅",
    "已",
    "将",
    "要",
    "以",
    "了",
    "的",
    "稳步",
    "持续",
    "快速",
    "显著",
    "明显",
    "逐步",
    "首次",
    "首",
    "创",
    "大幅",
    "同比",
    "可比",
    "可同比",
    "环比",
    "年均",
    "平均",
    "排",
    "居",
    "位居",
    "位列",
    "列",
    "排名",
    "排在",
    "名列",
    "全省",
    "全国",
    "全市",
    "全区",
    "全县",
    "省内",
    "国内",
    "片区",
    "小组",
    "连续",
    "提前",
    "各",
]
_TAIL_TOKENS: dict[str, str] = {}
for _cat, _words in (
    ("ge", _GE),
    ("le", _LE),
    ("approx", _APPROX),
    ("up", _UP),
    ("down", _DOWN),
    ("to", _TO),
):
    for _w in _words:
        _TAIL_TOKENS.setdefault(_w, _cat)
for _w in _LINK:
    _TAIL_TOKENS.setdefault(_w, "link")
_TAIL_RE = re.compile(
    r"(?:(?:比|较)(?:上年|去年|上一年|(?:19|20)\d\d年)(?:同期)?|[(（][^()（）]{1,6}[)）]|"
    + "|".join(re.escape(w) for w in sorted(_TAIL_TOKENS, key=len, reverse=True))
    + r")$"
)

_LEAD_FILLERS = [
    "其中",
    "同时",
    "此外",
    "另外",
    "全年",
    "今年",
    "去年",
    "当年",
    "我们",
    "我市",
    "我区",
    "我县",
    "本市",
    "本区",
    "全市",
    "全区",
    "全县",
    "全镇",
    "力争",
    "争取",
    "确保",
    "推动",
    "推进",
    "力促",
    "努力",
    "冲刺",
    "奋力",
    "朝着",
    "向着",
    "全力",
    "大力",
    "积极",
    "加快",
    "进一步",
    "实现",
    "完成",
    "其",
    "也是",
    "也",
    "还是",
    "就是",
    "是",
]
_LEAD_HEADER_RE = re.compile(r"[^，。；]{0,30}?(?:主要预期目标|预期目标|主要目标)(?:是|为)?")
"""'…主要预期目标' run into its first indicator when OCR drops the colon."""
_LEAD_TIME_RE = re.compile(
    r"(?:19|20)\d\d\s*(?:年)?\s*(?:[-—–~～至到]\s*(?:19|20)\d\d\s*)?年(?:度|底|末|初)?(?:以来)?"
)
_LEAD_APPROX_RE = re.compile(r"(?:大约|约|接近|近)(?=占|为|是)")
_LEAD_SEP_RE = re.compile(r"(?:[、，,；;：:.\s\-–•●◆■▪·(（]|以及|及|和|与|并且|并|且|或)+")
_LIST_SEP_RE = re.compile(r"[、]|以及|和|及|与")

_POST_RE = re.compile(r"(?:及以上|以上|及以下|以下|以内|左右|上下|关口|大关)")
_POST_COMPARATOR: dict[str, Comparator] = {
    "及以上": ">=",
    "以上": ">=",
    "关口": ">=",
    "大关": ">=",
    "及以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "左右": "~",
    "上下": "~",
}
_ASPIRATION_RE = re.compile(r"力争|争取|冲刺|力促")
_RELATION_RE = re.compile(r"^(占|为|是|相当于)")
_REL_TAIL_RE = re.compile(r"(?:的|达到|达|为|是|约|近|超过|超|分别|均)+$")
_GROWTH_SUBJECT_RE = re.compile(r"(增速|增幅|涨幅|增长率|降幅)$")
_SHARE_RE = re.compile(r"占|比重|占比")
_LIST_SPLIT_RE = re.compile(r"、|以及|和|及|与")
_NOUN_STOP_RE = re.compile(
    r"入选|完成|实现|合计|共同|获得|获评|获|成为|落户|开工|投产|建成|达到|达|增长|下降|占|是|为|进入|上榜|通过|参与|纳入|"
    r"列入|升级|转型|竣工|签约|签订|上市|增资|得到|荣获|被|认定|(?:全省|全国|全市|排|居|位居)(?=第|前|首|最)|提供|首次|"
    r"实施|开展|"
    r"分别|[，,。；;：:、（(]|和|及|以上|以内"
)
_MAX_NOUN = 24
_CONVERSION_RE = re.compile(r"[(（][^()（）]{1,12}[)）]")
"""A bracket right after a quantity: the same quantity in another unit ((2.3万亩))."""
_VERB_STUB_RE = re.compile(
    r"(?:新增|新建|新引进|引进|增加|新|建成|建设|完成|启动|创建|培育|打造|推动|实施|改造|开工|签约|累计|共)"
)
"""A subject that is only the verb of the count (新增14人入选…): the clause says more."""
_MAX_PENDING = 40
"""A number-less paragraph this short that stops mid-sentence may be the label of the next
paragraph's figure (a data box sets the figure large, on its own line)."""


@dataclass(slots=True)
class _Pre:
    """What the text before a number says about it."""

    ev_start: int
    """View offset where the evidence starts (after separators)."""
    subject: str
    comparator: Comparator | None = None
    direction: int = 0
    to_level: bool = False
    jun: bool = False
    """均: the quantity holds for every subject of the previous clause."""
    difference: int = 0
    """高于/低于 before a percentage-point figure: a signed gap, not a bound."""


@dataclass(frozen=True, slots=True)
class LeadIn:
    """Text a paragraph left open for the next one to continue (view text)."""

    text: str
    label: bool = False
    """A short number-less paragraph ("地区生产总值同比(下同)增长", "外贸进出口，"): the
    subject of a figure printed alone below it (a data box). Otherwise the unfinished last
    clause of running text ("…,规上工业企" / "业增至706家"), joined to the next clause."""


@dataclass(slots=True)
class _Open:
    """A fact being built, with what later clauses need to know about it."""

    fact: Fact
    ev_start: int
    clause: int
    relation: bool = False


@dataclass(slots=True)
class _SentenceState:
    facts: list[_Open] = field(default_factory=list)


def _region_words() -> list[str]:
    words: list[str] = []
    for short, full in gazetteer_names():
        words += [full, short]
    return sorted(set(words), key=len, reverse=True)


_LEAD_RE = re.compile(
    "(?:"
    + "|".join(re.escape(w) for w in sorted(set(_LEAD_FILLERS) | set(_region_words()), key=len, reverse=True))
    + ")"
)
_SYNONYM_AFTER_RE = re.compile("(?:" + "|".join(re.escape(e.synonym) for e in indicator_table()) + ")")


def _analyse_pre(
    text: str, start: int, end: int, mention: Mention | None, after_mention: bool = False
) -> _Pre:
    """Strip the verbs and modifiers next to the number, and the fillers before the subject.

    ``after_mention``: the text starts right after another quantity of the clause, so what
    precedes a list separator (、和及) still belongs to that quantity's phrase
    ("新增1家产值超50亿元企业、5家…").
    """
    pre = text[start:end]
    lead = 0
    if after_mention:
        cuts = list(_LIST_SEP_RE.finditer(pre))
        if cuts:
            lead = cuts[-1].end()
    sep = _LEAD_SEP_RE.match(pre, lead)
    lead = sep.end() if sep else lead
    info = _Pre(ev_start=start + lead, subject="")
    s = pre[lead:]
    if mention is not None and mention.chinese and s.endswith("上") and mention.unit[:1] in {"亿", "万"}:
        s = s[:-1]  # 上百亿: at least
        info.comparator = ">="
    while s:
        m = _TAIL_RE.search(s)
        if m is None:
            break
        token = m.group()
        if token == "增" and s[: m.start()].endswith("新"):
            break  # 新增 (newly added) qualifies the count: 新增14人 is not 新 + 增
        category = _TAIL_TOKENS.get(token, "link")
        if category == "ge" and info.comparator is None:
            info.comparator = ">="
        elif category == "le" and info.comparator is None:
            info.comparator = "<="
        elif category == "approx" and info.comparator is None:
            info.comparator = "~"
        elif category == "up" and info.direction == 0:
            info.direction = 1
        elif category == "down" and info.direction == 0:
            info.direction = -1
        elif category == "to" and info.direction == 0:
            info.to_level = True
        if token == "均":
            info.jun = True
        elif token in _DIFFERENCE:
            info.difference = _DIFFERENCE[token]
        s = s[: m.start()]
    # fillers at the start of the subject
    while True:
        m = _LEAD_RE.match(s) or _LEAD_SEP_RE.match(s) or _LEAD_TIME_RE.match(s) or _LEAD_HEADER_RE.match(s)
        if m is None:
            approx = _LEAD_APPROX_RE.match(s)
            if approx:  # 约占全省56.2%: the hedge is on the share
                info.comparator = info.comparator or "~"
                m = approx
        if m is None or m.end() == 0:
            break
        s = s[m.end() :]
    info.subject = s
    return info


_CLAUSE_BREAK_RE = re.compile("[" + "".join(sorted(_CLAUSE_ENDS)) + "]")


def _clause_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    clause_start = start
    for brk in _CLAUSE_BREAK_RE.finditer(text, start, end):
        i, ch = brk.start(), brk.group()
        prev_digit = i > 0 and text[i - 1].isdigit()
        next_digit = i + 1 < len(text) and text[i + 1].isdigit()
        if prev_digit and next_digit and ch in ",:：":
            continue  # 1,234 and 12.2:44.9 are numbers, not clause breaks
        spans.append((clause_start, i))
        clause_start = i + 1
    spans.append((clause_start, end))
    return spans


def _is_inline_bullet(text: str, i: int) -> bool:
    """A bullet glyph inside a paragraph (list items joined into one block) ends a sentence."""
    ch = text[i]
    if ch in _BULLETS:
        return True
    if ch not in "-–":
        return False
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    return (
        not (prev.isascii() and prev.isalnum())
        and not (nxt.isascii() and (nxt.isalnum() or nxt in "."))
        and prev not in "长降为至到是速幅度"
    )


_BREAK_CANDIDATE_RE = re.compile(r"[。！？!?；;\n•●▪◆■\-–]")


def _sentence_spans(text: str, breaks: frozenset[int] = frozenset()) -> list[tuple[int, int]]:
    """Sentences of a view; ``breaks``: positions of stray quote marks OCR made of bullets."""
    spans: list[tuple[int, int]] = []
    start = 0
    candidates = sorted({m.start() for m in _BREAK_CANDIDATE_RE.finditer(text)} | breaks)
    for i in candidates:
        ch = text[i]
        if i in breaks:
            if i > start:
                spans.append((start, i))
            start = i + 1  # the mark belongs to neither item
        elif i > start and _is_inline_bullet(text, i):
            spans.append((start, i))
            start = i
        elif ch in _SENTENCE_ENDS:
            spans.append((start, i + 1))
            start = i + 1
    if start < len(text):
        spans.append((start, len(text)))
    return spans


def _post_end(text: str, mention: Mention, limit: int) -> tuple[int, Comparator | None]:
    m = _POST_RE.match(text, mention.end, limit)
    if m:
        return m.end(), _POST_COMPARATOR[m.group()]
    return mention.end, None


_QUALIFIED_STOP_RE = re.compile(
    r"\d|[零一二两三四五六七八九十百千万亿]|不少于|不低于|不超过|超过|超|突破|达到|达"
)


def _following_noun(text: str, start: int, limit: int, qualified: bool = False) -> tuple[str, int]:
    """The counted thing written after a count (4个驻点招商小组 → 驻点招商小组).

    ``qualified``: the noun an amount qualifies (超百亿元项目不少于1个 → 项目); it ends before
    the next figure or bound. A conversion in brackets right after the quantity is skipped
    (1533.33公顷(2.3万亩)鱼塘尾水处理 → 鱼塘尾水处理).
    """
    bracket = _CONVERSION_RE.match(text, start, limit)
    if bracket:
        start = bracket.end()
    window = text[start : min(limit, start + _MAX_NOUN)]
    stop = _NOUN_STOP_RE.search(window)
    if qualified:
        extra = _QUALIFIED_STOP_RE.search(window)
        if extra and (stop is None or extra.start() < stop.start()):
            stop = extra
    noun = window[: stop.start()] if stop else window
    return noun, start + len(noun)


def _is_bracketed(text: str, previous_end: int, mention: Mention) -> bool:
    """'(4000亩)' right after the previous quantity: a conversion of it.

    The closing bracket may come up to two characters late: "(1.3万雷)" is a conversion
    whose unit OCR misread (and a bare 万 is then dropped: no unit, no fact).
    """
    return (
        mention.start == previous_end + 1
        and text[previous_end] in "(（"
        and any(ch in ")）" for ch in text[mention.end : mention.end + 3])
    )


def _measure(mention: Mention, pre: _Pre, subject: str, code: str | None = None) -> Measure:
    if mention.is_ratio:
        return "ratio"
    if mention.rank:
        return "rank"
    info = unit_info(mention.unit)
    if info.measure == "rate":
        changing = pre.direction != 0 and not pre.to_level
        if changing or _GROWTH_SUBJECT_RE.search(subject):
            return "growth"
        if code in AMOUNT_CODES and not pre.to_level:
            # 外贸进出口 / 1.1% (a data-box label whose verb OCR lost): a percentage of an
            # amount is its change; a share would have 占/比重 and no code
            return "growth"
        return "rate"
    return info.measure


def _signed(value: float, measure: Measure, mention: Mention, pre: _Pre, subject: str) -> float:
    """The value with its sign: an explicit minus (增长-2.3%), or a downward verb for changes."""
    downward = pre.direction < 0 or (pre.direction == 0 and subject.endswith("降幅"))
    changes = measure in ("growth", "pp_change") and not pre.to_level
    rank_change = measure == "count" and mention.unit == "位"
    negative = mention.negative or (downward and (changes or rank_change))
    return -value if negative else value


def _flip(comparator: Comparator) -> Comparator:
    return {">=": "<=", "<=": ">="}.get(comparator, comparator)  # type: ignore[return-value]


class _ParagraphExtractor:
    def __init__(self, paragraph: Paragraph, view: TextView, context: DocumentContext) -> None:
        self.p = paragraph
        self.view = view
        self.text = view.text
        self.context = context
        self.facts: list[Fact] = []
        region = context.region or ""
        self.whole_region = "占全" + region[-1] if region else None

    def _code(self, indicator: str) -> str | None:
        """The indicator's code; on OCR text one misread character is tolerated (国定资产投资)."""
        return indicator_code(indicator, ocr=bool(self.p.char_conf))

    # --- building one fact -------------------------------------------------------------
    def _make(
        self,
        mention: Mention,
        pre: _Pre,
        indicator: str,
        code: str | None,
        ev_start: int,
        ev_end: int,
        post_comparator: Comparator | None,
        scope: TimeScope,
        clause_start: int,
    ) -> Fact:
        text = self.text
        measure = _measure(mention, pre, indicator, code)
        if measure == "pp_change" and pre.difference:
            # 高于全省1.2个百分点: a +1.2-point gap to another region's figure, stated exactly;
            # a comparison, not a value of the indicator, so it carries no code
            pre.direction, pre.comparator = pre.difference, None
            code = None
        comparator: Comparator = post_comparator or pre.comparator or "="
        if comparator == "=" and mention.more_than:
            comparator = ">="
        if mention.top_n:
            comparator = "<="
        value: float | None = None
        value_base: float | None = None
        base_unit: str | None = None
        if mention.value is not None:
            value = _signed(mention.value, measure, mention, pre, indicator)
            if value < 0 and comparator in (">=", "<="):
                comparator = _flip(comparator)
            if mention.rank:
                value_base, base_unit = value, ""
            else:
                value_base, base_unit = normalise(value, mention.unit)
        aspirational = scope.kind == "target" and bool(
            _ASPIRATION_RE.search(text[clause_start : mention.start])
        )
        a, b = self.view.to_original(ev_start, ev_end)
        va, vb = self.view.to_original(mention.start, mention.end)
        value_text = self.p.text[va:vb]
        ocr_min = None
        if self.p.char_conf:
            confs = [c for c in self.p.char_conf[va:vb] if c is not None]
            ocr_min = min(confs) if confs else None
        return Fact(
            paragraph_seq=self.p.seq,
            page_no=self.p.page_no,
            indicator=indicator,
            measure=measure,
            value=value,
            unit=mention.unit,
            value_text=value_text,
            evidence=self.p.text[a:b],
            kind=scope.kind,
            comparator=comparator,
            aspirational=aspirational,
            indicator_code=code,
            region=self.context.region,
            period_year=scope.period_year,
            period_start=scope.period_start,
            value_base=value_base,
            base_unit=base_unit,
            parts=list(mention.parts) if mention.parts is not None else None,
            chinese_numeral=mention.chinese,
            evidence_start=a,
            value_start=va,
            ocr_min_conf=ocr_min,
        )

    # --- a clause ----------------------------------------------------------------------
    def _fenbie_pairs(
        self, clause: tuple[int, int], mentions: list[Mention], state: _SentenceState, ci: int
    ) -> list[tuple[Mention, str, int]] | None:
        """(mention, indicator, evidence start) for 'A、B分别…x、y', or None if it does not apply."""
        text = self.text
        pos = text.find("分别", clause[0], clause[1])
        if pos < 0:
            return None
        before = [m for m in mentions if m.start < pos]
        values = [m for m in mentions if m.start > pos]
        if len(values) < 2 or any(m.is_ratio for m in values):
            return None
        subj_start = before[-1].end if before else clause[0]
        subject_pre = _analyse_pre(text, subj_start, pos, values[0])
        items = [i for i in _LIST_SPLIT_RE.split(subject_pre.subject) if i]
        if len(items) == len(values):
            tail_at = _SHARE_RE.search(items[-1])
            if tail_at and tail_at.start() > 0:
                tail = items[-1][tail_at.start() :]
                items = [i if _SHARE_RE.search(i) else i + tail for i in items]
            return [(m, item, subject_pre.ev_start) for m, item in zip(values, items)]
        if subject_pre.subject:
            return None
        # "…68000元，…38000元，分别增长4.1%和6.2%": the last facts of the sentence, one per indicator
        previous: list[_Open] = []
        for o in reversed(state.facts):
            if not o.relation and all(o.fact.indicator != p.fact.indicator for p in previous):
                previous.insert(0, o)
        previous = previous[-len(values) :]
        if len(previous) == len(values):
            return [(m, o.fact.indicator, o.ev_start) for m, o in zip(values, previous)]
        return None

    def _clause(
        self,
        clause: tuple[int, int],
        mentions: list[Mention],
        state: _SentenceState,
        ci: int,
        scope: TimeScope,
        lead_in: LeadIn | None = None,
    ) -> None:
        """The facts of one clause; ``lead_in``: what the previous paragraph left open."""
        text = self.text
        pairs = self._fenbie_pairs(clause, mentions, state, ci)
        paired = {id(m): (ind, ev) for m, ind, ev in pairs} if pairs else {}
        boundary = clause[0]
        shared: _Pre | None = None
        for i, mention in enumerate(mentions):
            bracketed = i > 0 and _is_bracketed(text, boundary, mention)
            pre = _analyse_pre(text, boundary, mention.start, mention, after_mention=i > 0)
            if i == 0 and lead_in is not None:
                pre = self._with_lead_in(lead_in, clause[0], mention, pre)
            if id(mention) in paired:
                # 分别增长10.7%、7.2%: the verb and modifiers before the first value hold for all
                if shared is None:
                    shared = pre
                elif pre.direction == 0 and not pre.to_level and pre.comparator is None:
                    pre.direction, pre.to_level, pre.comparator = (
                        shared.direction,
                        shared.to_level,
                        shared.comparator,
                    )
            limit = mentions[i + 1].start if i + 1 < len(mentions) else clause[1]
            post_end, post_cmp = _post_end(text, mention, limit)
            boundary = post_end
            if id(mention) in paired:
                indicator, ev_start = paired[id(mention)]
                code = None if _SHARE_RE.search(indicator) else self._code(indicator)
                fact = self._make(
                    mention, pre, indicator, code, ev_start, post_end, post_cmp, scope, clause[0]
                )
                self._add(state, fact, ev_start, ci, relation=False)
                continue
            self._single(mention, pre, post_end, post_cmp, limit, state, ci, scope, clause, bracketed)

    def _with_lead_in(self, lead_in: LeadIn, clause_start: int, mention: Mention, pre: _Pre) -> _Pre:
        """The subject read across a paragraph break: the open clause before + this clause."""
        if lead_in.label and pre.ev_start != mention.start:
            return pre  # a label is the subject of a figure set alone only
        joined_text = lead_in.text + self.text[clause_start : mention.start]
        joined = _analyse_pre(joined_text, 0, len(joined_text), mention)
        if not joined.subject:
            return pre
        return replace(joined, ev_start=pre.ev_start)  # the evidence stays in this paragraph

    def _single(
        self,
        mention: Mention,
        pre: _Pre,
        post_end: int,
        post_cmp: Comparator | None,
        limit: int,
        state: _SentenceState,
        ci: int,
        scope: TimeScope,
        clause: tuple[int, int],
        bracketed: bool = False,
    ) -> None:
        text = self.text
        subject = pre.subject
        if bracketed and unit_info(mention.unit).base_unit == "" and not mention.rank:
            return  # "(1.3万雷)": a conversion needs a unit; a bare 万 means it was misread
        if bracketed and state.facts:
            # 266.67公顷(4000亩): the previous quantity in another unit, a restatement (no code)
            previous = state.facts[-1]
            fact = self._make(
                mention,
                pre,
                previous.fact.indicator,
                None,
                previous.ev_start,
                post_end,
                post_cmp,
                scope,
                clause[0],
            )
            self._add(state, fact, previous.ev_start, ci, relation=True)
            return
        unit_measure = unit_info(mention.unit).measure if not (mention.rank or mention.is_ratio) else None
        noun, noun_end = ("", post_end)
        if unit_measure == "count" and mention.unit not in ("位",):
            noun, noun_end = _following_noun(text, post_end, clause[1])
        ev_end = max(post_end, noun_end) if noun else post_end
        previous = state.facts[-1] if state.facts else None

        # 千亿GDP: an indicator named right after an amount
        if not subject and not noun:
            after = _SYNONYM_AFTER_RE.match(text, post_end, limit)
            if after:
                fact = self._make(
                    mention,
                    pre,
                    after.group(),
                    self._code(after.group()),
                    pre.ev_start,
                    after.end(),
                    post_cmp,
                    scope,
                    clause[0],
                )
                self._add(state, fact, pre.ev_start, ci)
                return

        if noun:
            fact = self._make(
                mention, pre, noun, self._code(noun), pre.ev_start, ev_end, post_cmp, scope, clause[0]
            )
            self._add(state, fact, pre.ev_start, ci)
            return

        if not subject and not mention.rank:
            # 超百亿元项目不少于1个, 完成10亿元低效无效资产处置: the amount qualifies what follows,
            # so it does not continue the previous fact
            following, following_end = _following_noun(text, post_end, clause[1], qualified=True)
            if following:
                fact = self._make(
                    mention,
                    pre,
                    following,
                    self._code(following),
                    pre.ev_start,
                    following_end,
                    post_cmp,
                    scope,
                    clause[0],
                )
                self._add(state, fact, pre.ev_start, ci)
                return

        if subject and _VERB_STUB_RE.fullmatch(subject):
            self._describe_by_clause(mention, pre, ev_end, post_cmp, state, ci, scope, clause)
            return

        if subject and _RELATION_RE.match(subject) and previous is not None:
            relation = _REL_TAIL_RE.sub("", text[pre.ev_start : mention.start])
            relation = _LEAD_APPROX_RE.sub("", relation, count=1)
            if (
                self.whole_region
                and relation.startswith(self.whole_region)
                and previous.fact.measure != "rate"
            ):
                previous.fact.indicator_code = None  # the previous figure is a part of the region
            indicator = previous.fact.indicator + relation
            fact = self._make(
                mention, pre, indicator, None, previous.ev_start, ev_end, post_cmp, scope, clause[0]
            )
            self._add(state, fact, previous.ev_start, ci, relation=True)
            return

        if subject:
            code = None if _SHARE_RE.search(subject) else self._code(subject)
            fact = self._make(mention, pre, subject, code, pre.ev_start, ev_end, post_cmp, scope, clause[0])
            self._add(state, fact, pre.ev_start, ci)
            return

        if previous is not None and unit_measure == "count" and previous.fact.unit != mention.unit:
            # "…留抵退税19.6亿元" / "30个": a bare count is not more of a different quantity
            self._describe_by_clause(mention, pre, ev_end, post_cmp, state, ci, scope, clause)
            return

        if previous is not None:
            targets = [previous]
            if pre.jun:
                group = [o for o in state.facts if o.clause == previous.clause and not o.relation]
                seen: set[str] = set()
                targets = []
                for o in group:
                    if o.fact.indicator not in seen:
                        seen.add(o.fact.indicator)
                        targets.append(o)
            if pre.direction == 0 and not pre.to_level and previous.fact.unit == mention.unit:
                # 增长6%以上、力争7%以上: the second figure continues the first one's change
                pre.direction = (
                    -1
                    if (previous.fact.value or 0) < 0
                    else (1 if previous.fact.measure in ("growth", "pp_change") else 0)
                )
            rank_change = mention.unit == "位" and not mention.rank
            for target in targets:
                # a change of rank (上升3位) is not a value of the indicator: no code
                code = target.fact.indicator_code if not (target.relation or rank_change) else None
                fact = self._make(
                    mention,
                    pre,
                    target.fact.indicator,
                    code,
                    target.ev_start,
                    ev_end,
                    post_cmp,
                    scope,
                    clause[0],
                )
                self._add(state, fact, target.ev_start, ci)
            return

        self._describe_by_clause(mention, pre, ev_end, post_cmp, state, ci, scope, clause)

    def _describe_by_clause(
        self,
        mention: Mention,
        pre: _Pre,
        ev_end: int,
        post_cmp: Comparator | None,
        state: _SentenceState,
        ci: int,
        scope: TimeScope,
        clause: tuple[int, int],
    ) -> None:
        """Nothing names the quantity well: the clause itself is the best description."""
        lead = _LEAD_SEP_RE.match(self.text, clause[0], clause[1])
        first = lead.end() if lead else clause[0]
        clause_text = self.view.original_slice(first, clause[1]).strip() if clause[1] > first else ""
        fact = self._make(mention, pre, clause_text, None, pre.ev_start, ev_end, post_cmp, scope, clause[0])
        self._add(state, fact, pre.ev_start, ci)

    def _add(self, state: _SentenceState, fact: Fact, ev_start: int, ci: int, relation: bool = False) -> None:
        self.facts.append(fact)
        state.facts.append(_Open(fact, ev_start, ci, relation))

    # --- the paragraph -----------------------------------------------------------------
    def _numbering_end(self) -> int:
        """View offset after a list/section number at the paragraph start (（一）, 1.)."""
        prefix = numbering_prefix_end(self.p.text)
        if not prefix:
            return 0
        return next((i for i, o in enumerate(self.view.origin) if o >= prefix), len(self.text))

    def run(
        self,
        tracker: SectionTracker,
        paragraph_scope: TimeScope,
        mentions: list[Mention],
        carried: list[_Open] | None = None,
        lead_in: LeadIn | None = None,
        breaks: frozenset[int] = frozenset(),
    ) -> list[_Open] | None:
        """Build the facts; return the open sentence's facts if the paragraph ends mid-sentence.

        ``lead_in``: the clause the previous paragraph left open (continued by this paragraph's
        first clause); ``breaks``: stray quote marks read as bullets (OCR).
        """
        text = self.text
        body_start = self._numbering_end()
        open_state: list[_Open] | None = None
        spans = _sentence_spans(text, breaks)
        for index, (s_start, s_end) in enumerate(spans):
            s_start = max(s_start, body_start)
            if s_end <= s_start:
                continue
            state = _SentenceState()
            if index == 0 and carried:
                # the previous paragraph broke off mid-sentence (page or column break)
                state.facts = [_Open(o.fact, s_start, -1, o.relation) for o in carried]
            in_sentence = [m for m in mentions if s_start <= m.start < s_end]
            if in_sentence:
                scope = tracker.sentence_scope(
                    text[s_start:s_end], paragraph_scope, opens_paragraph=index == 0
                )
                content_end = s_end - 1 if text[s_end - 1] in _SENTENCE_ENDS else s_end
                for ci, clause in enumerate(_clause_spans(text, s_start, content_end)):
                    in_clause = [m for m in in_sentence if clause[0] <= m.start < clause[1]]
                    if in_clause:
                        opening = index == 0 and ci == 0
                        self._clause(clause, in_clause, state, ci, scope, lead_in if opening else None)
            if index == len(spans) - 1 and text[s_end - 1] not in _SENTENCE_ENDS and state.facts:
                open_state = state.facts
        return open_state


_ITEM_START_RE = re.compile(
    r"\s*(?:[-–•●◆■▪·]|\d{1,2}\s*[.．、)）]|[（(]\s*[\d一二三四五六七八九十]{1,3}\s*[)）]|[一二三四五六七八九十]{1,3}、)"
)
_CONTINUES_RE = re.compile(r"(?:[，,、(（]|较|比|与|和|及|同)\s*$")
"""An item ending like this was cut (OCR joined or split lines): the next paragraph goes on."""
_LABEL_TRAILER_RE = re.compile(r"[，,、：:\s]+$")
_PAGE_NUMBER_RE = re.compile(r"^[\s\-—–一:：·.]*\d{1,3}[\s\-—–一:：·.]*$")
"""A page number the layout left in the flow ("一5一", "—6—"): not text, and it does not
interrupt the sentence it fell into."""


def _is_running_text(paragraph: Paragraph) -> bool:
    """A body paragraph that is not a list item (items are complete without end punctuation)."""
    return paragraph.kind == "body" and not _ITEM_START_RE.match(paragraph.text)


def _ends_open(paragraph: Paragraph) -> bool:
    """True if the text stops mid-sentence, so the next paragraph may continue it.

    Running text without end punctuation; a list item only when it ends on a comma or a
    comparison word ("…排名第42位,较"), since items are complete without punctuation.
    """
    tail = paragraph.text.rstrip()
    if not tail or paragraph.kind == "heading":
        return False
    if _is_running_text(paragraph):
        return tail[-1] not in '。！？!?；;：:”’"）)】'
    return bool(_CONTINUES_RE.search(tail))


_NEXT_ITEM_RE = re.compile(r"(?:以上|以下|以内|左右)?(?:、|和|及|与)")


def _open_tail(text: str, mentions: list[Mention], breaks: frozenset[int]) -> str:
    """The unfinished last phrase of a paragraph that ends open.

    The text after the last clause break, or after the last quantity when a list goes on
    ("…建议100件、区政协提" → 区政协提); nothing when the paragraph stops inside the phrase of
    a quantity ("…投资273亿元以上"), which the next paragraph continues as a whole fact.
    """
    cut = max(
        [i for i, ch in enumerate(text) if ch in _SENTENCE_ENDS or ch in _CLAUSE_ENDS] + list(breaks),
        default=-1,
    )
    last_end = max((m.end for m in mentions if m.end > cut), default=None)
    if last_end is None:
        return text[cut + 1 :]
    next_item = _NEXT_ITEM_RE.match(text, last_end)
    return text[next_item.end() :] if next_item else ""


def _lead_in(
    paragraph: Paragraph, text: str, mentions: list[Mention], breaks: frozenset[int]
) -> LeadIn | None:
    """What a paragraph that ends open leaves for the next one (see ``LeadIn``)."""
    if not _ends_open(paragraph):
        return None
    label = _LABEL_TRAILER_RE.sub("", text)
    if (
        not mentions
        and len(text) <= _MAX_PENDING
        and label
        and not any(ch in _SENTENCE_ENDS or ch in _CLAUSE_ENDS for ch in label)
        and not breaks
    ):
        # a bare unit ("亿元" split from its number) or a letter or two ("O") names nothing
        named = sum(1 for ch in label if "\u4e00" <= ch <= "\u9fff") >= 2 and not UNIT_RE.fullmatch(label)
        return LeadIn(label, label=True) if named else None
    tail = _open_tail(text, mentions, breaks)
    return LeadIn(tail) if tail else None


def _read(paragraph: Paragraph) -> tuple[TextView, list[Mention], frozenset[int]]:
    """The paragraph's view, its quantities and (OCR) the stray quote marks that break it."""
    view = make_view(paragraph.text)
    if not paragraph.char_conf:
        return view, find_mentions(view), frozenset()
    reading = read_ocr_view(view, paragraph.char_conf)
    mentions = [m for m in find_mentions(reading.view, reading.marks.quoted) if reading.keeps(m)]
    return reading.view, mentions, reading.breaks


def extract_facts(paragraphs: list[Paragraph], context: DocumentContext) -> list[Fact]:
    """Every numeric statement of the paragraphs, in reading order (see the module docstring).

    A paragraph of running text that stops mid-sentence (a page or column break the layout
    could not mend) passes its open sentence on to the next running-text paragraph, so
    "…实现地区生产总值3773.41亿元" / "增长3.3%…" keeps its subject, and its unfinished
    last clause, so "…,规上工业企" / "业增至706家" reads 规上工业企业. A short label with no
    number ("地区生产总值同比(下同)增长", "外贸进出口，") is the subject of a figure printed
    alone in the next paragraph (a data box).
    """
    tracker = SectionTracker(context.report_year)
    facts: list[Fact] = []
    carried: list[_Open] | None = None
    lead_in: LeadIn | None = None
    dangling: Fact | None = None
    """A count that ended the previous paragraph before its counted noun (…成功创建11个)."""
    for paragraph in paragraphs:
        if not paragraph.text.strip() or _PAGE_NUMBER_RE.match(paragraph.text):
            continue
        view, mentions, breaks = _read(paragraph)
        scope = tracker.enter_paragraph(view.text, paragraph.kind, has_quantity=bool(mentions))
        if not _is_running_text(paragraph):
            carried = None
        if paragraph.kind == "heading" or tracker.cue_here:
            lead_in = None  # a heading or section cue is nobody's subject
        elif lead_in is not None and not lead_in.label and not _is_running_text(paragraph):
            lead_in = None  # a new list item starts afresh; only a figure set alone takes a label
        if dangling is not None and _is_running_text(paragraph):
            _name_dangling_count(dangling, view.text, bool(paragraph.char_conf))
        dangling = None
        extractor = _ParagraphExtractor(paragraph, view, context)
        if mentions:
            open_state = extractor.run(tracker, scope, mentions, carried, lead_in, breaks)
            facts.extend(extractor.facts)
        elif not any(ch in _SENTENCE_ENDS for ch in view.text):
            open_state = carried  # a fragment without numbers between two halves of a sentence
        else:
            open_state = None
        carried = open_state if _ends_open(paragraph) else None
        lead_in = None if tracker.cue_here else _lead_in(paragraph, view.text, mentions, breaks)
        if _ends_open(paragraph) and mentions and extractor.facts:
            dangling = _count_at_end(extractor.facts[-1], paragraph.text)
    return facts


def _count_at_end(fact: Fact, text: str) -> Fact | None:
    """The fact if it is a count printed at the very end of the paragraph, with no noun."""
    at_end = fact.value_start + len(fact.value_text) == len(text.rstrip())
    return fact if at_end and fact.measure == "count" and fact.unit not in ("位", "") else None


def _name_dangling_count(fact: Fact, next_text: str, ocr: bool) -> None:
    """Give a count its counted noun from the start of the next paragraph ("全国示范型…服务站")."""
    noun, _ = _following_noun(next_text, 0, len(next_text))
    if len(noun) >= 2:
        fact.indicator = noun
        fact.indicator_code = indicator_code(noun, ocr=ocr)
