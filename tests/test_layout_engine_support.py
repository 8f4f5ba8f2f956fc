"""Support for the layout-engine tests: a small newspaper typesetter and unit builders.

``typeset_report`` sets known paragraphs into a two-column, two-page newspaper-like PDF with
reportlab (WenQuanYi Zen Hei): a spanning headline, a section heading, indented paragraphs,
bulleted items with a hanging indent, a paragraph running from the foot of column 1 into
column 2 and another from page 1 into page 2, a Latin phrase wrapped at a word space, a
number broken across lines, running heads with the page's edition number and a centred page
number at the foot. It returns the truth (kind, text) in reading order, so the tests can
compare the engine's paragraphs with it exactly.

``units_from_pdf`` reads a PDF's characters with pdfplumber into ``PageContent`` (the
engine's input), ``as_ocr_words`` turns text-layer characters into OCR-shaped input (scaled to
300 dpi pixels, Chinese runs grouped into multi-character words with one box and a
confidence), so the same document can be fed through both paths.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pdfplumber

from reportflow.models import PageContent, TextUnit
from reportflow.normalize import is_cjk

FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
FONT = "WQYZenHei"

PAGE_W, PAGE_H = 420.0, 595.0
MARGIN_X, TOP, BOTTOM = 36.0, 80.0, 540.0
GUTTER = 20.0
BODY = 10.0
LEADING = 15.0
COL_W = (PAGE_W - 2 * MARGIN_X - GUTTER) / 2

HEADLINE = "政府工作报告摘要"
PARAGRAPHS: list[tuple[str, str]] = [
    ("heading", "一、2022年工作回顾"),
    (
        "body",
        (
            "过去一年，面对风高浪急的国际环境和艰巨繁重的改革发展稳定任务，全市实现地区生产总值"
            "3773.41亿元，增长3.3%、排全省第2，为建市以来最高排位。"
        ),
    ),
    ("item", "地区生产总值同比增长2.8%，增幅高于全省平均水平"),
    ("item", "城镇新增就业7089人，登记失业率控制在2.3%以内"),
    (
        "body",
        (
            "我们坚持人民至上、生命至上，因时因势优化防控措施，主动防、早发现、快处置、防外溢，"
            "全力支援广州等地抗疫，进入疫情防控新阶段后聚焦保健康、防重症，全力做好医疗救治和"
            "疫苗接种工作，保障药品和医疗物资供应，推动诊疗诉求快速响应平台上线运营，确保防控"
            "措施调整转段平稳有序，全市人民众志成城、风雨同行，共同守护美好家园。"
        ),
    ),
    ("heading", "二、2023年工作安排"),
    (
        "body",
        (
            "今年经济社会发展的主要预期目标是：地区生产总值增长6%以上，规模以上工业增加值增长"
            "8%，固定资产投资增长10%，社会消费品零售总额增长7%，外贸进出口总额增长3%，地方一般"
            "公共预算收入增长5%，居民人均可支配收入增长与经济增长基本同步，城镇调查失业率控制在"
            "5.5%以内，居民消费价格涨幅3%左右，粮食产量稳定在省下达任务以上，单位地区生产总值能耗"
            "和主要污染物排放完成省下达的任务，生态环境质量持续改善。"
        ),
    ),
    (
        "body",
        (
            "全力推动制造业高质量发展，做大做强新能源电池、新材料等产业集群，新增规上工业企业"
            "300家以上，力争规上工业总产值突破6000亿元，工业投资增长15%以上。"
        ),
    ),
    ("body", "推动GDP growth quality and efficiency，建设现代化产业体系。"),
    (
        "body",
        (
            "（二）千方百计稳住经济大盘，全力保持经济运行在合理区间。我们推动政策靠前发力。全面落实"
            "国家、省、市稳经济一揽子政策，不折不扣执行组合式税费支持政策，退税减税降费近148亿元，"
            "落实财政资金10.6亿元，以真金白银帮助企业纾困发展。我们充分发挥投资支撑作用。成立重大"
            "项目并联审批专班，打通项目推进堵点，市重点项目完成投资1433.6亿元，为年度计划的123.5%。"
        ),
    ),
    (
        "body",
        (
            "（三）多措并举延伸拓展产业链条，全力构建现代化产业体系。我们坚持工业立市制造强市。出台"
            "先进制造业、战略性新兴产业等重点专项“十四五”规划。工业发展量质齐升，深入实施“链长制”，"
            "石化新材料成为继金属制品、食品、家电后第4条产值超500亿元产业链，新能源电池、智能装备等"
            "6条产业链增加值增长超10%，15条重点产业链合计实现产值4345亿元，拉动工业总产值突破6000亿元。"
        ),
    ),
    ("item", "全市城镇新增就业4.5万人，城镇失业人员再就业2.9万人"),
    ("item", "“三项工程”累计培训5.4万人次，全省首创“园区技校”项目"),
]
"""The document's paragraphs after the headline, in reading order."""

EDITIONS = (3, 4)
RUNNING_HEAD = "侨乡晨报　2023年2月17日　第{n}版"
FOOTER = "— {n} —"


@dataclass(frozen=True, slots=True)
class Setting:
    """Where one paragraph's lines went (for tests that need geometry)."""

    kind: str
    text: str
    pages: tuple[int, ...]
    columns: tuple[tuple[int, int], ...] = ()
    """(page, column) of every column the paragraph's lines were set in."""


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, FONT, size)


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_PATH), subfontIndex=0))


def _tokens(text: str) -> list[str]:
    """Break opportunities: every CJK character; Latin words with their trailing space."""
    out: list[str] = []
    word = ""
    for ch in text:
        if is_cjk(ch) or ch in "%.":
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        elif ch == " ":
            out.append(word + " ")
            word = ""
        else:
            word += ch
    if word:
        out.append(word)
    return out


def break_lines(
    text: str, width: float, first_indent: float, rest_indent: float, size: float
) -> list[tuple[float, str]]:
    """(indent, text) of each line: greedy, character by character for Chinese and numbers,
    word by word for Latin words; a trailing space at a break is dropped."""
    lines: list[tuple[float, str]] = []
    current = ""
    indent = first_indent
    for tok in _tokens(text):
        if current and _width((current + tok).rstrip(), size) > width - indent:
            lines.append((indent, current.rstrip()))
            current, indent = "", rest_indent
        current += tok
    if current.strip():
        lines.append((indent, current.rstrip()))
    return lines


def typeset_report(path: Path) -> list[Setting]:
    """Write the test newspaper to ``path``; return where each paragraph was set."""
    from reportlab.pdfgen import canvas

    _register_font()
    c = canvas.Canvas(str(path), pagesize=(PAGE_W, PAGE_H), invariant=1)

    def furniture(page: int) -> None:
        c.setFont(FONT, 8)
        c.drawString(MARGIN_X, PAGE_H - 30, RUNNING_HEAD.format(n=EDITIONS[page]))
        foot = FOOTER.format(n=EDITIONS[page])
        c.drawString((PAGE_W - _width(foot, 8)) / 2, 25, foot)

    furniture(0)
    c.setFont(FONT, 20)  # the headline spans both columns, centred
    c.drawString((PAGE_W - _width(HEADLINE, 20)) / 2, PAGE_H - TOP - 20, HEADLINE)
    page, col = 0, 0
    column_top = TOP + 45  # below the headline on page 1
    y = column_top
    settings: list[Setting] = []
    for kind, text in PARAGRAPHS:
        size = 12.0 if kind == "heading" else BODY
        if kind == "item":
            first, rest, shown = 0.0, 1.5 * BODY, "● " + text
        elif kind == "body":
            first, rest, shown = 2 * BODY, 0.0, text
        else:
            first, rest, shown = 0.0, 0.0, text
            if y > column_top:
                y += 0.6 * LEADING
        pages_used = set()
        columns_used: list[tuple[int, int]] = []
        for indent, line in break_lines(shown, COL_W, first, rest, size):
            if y + LEADING > BOTTOM:  # column full: next column, or next page
                if col == 0:
                    col, y = 1, column_top
                else:
                    c.showPage()
                    page += 1
                    furniture(page)
                    col, column_top = 0, TOP
                    y = column_top
            pages_used.add(page + 1)
            if (page + 1, col) not in columns_used:
                columns_used.append((page + 1, col))
            c.setFont(FONT, size)
            c.drawString(MARGIN_X + col * (COL_W + GUTTER) + indent, PAGE_H - y - size, line)
            y += LEADING if kind != "heading" else 1.4 * size
        settings.append(Setting(kind, text, tuple(sorted(pages_used)), tuple(columns_used)))
    c.showPage()
    c.save()
    return settings


def units_from_pdf(path: Path) -> list[PageContent]:
    """The engine's input for a text-layer PDF, from pdfplumber's characters (stream order)."""
    pages: list[PageContent] = []
    with pdfplumber.open(path) as pdf:
        for no, page in enumerate(pdf.pages, 1):
            units = []
            for ch in page.chars:
                font = ch["fontname"]
                if isinstance(font, bytes):
                    font = font.decode("latin-1")
                units.append(
                    TextUnit(
                        ch["text"],
                        ch["x0"],
                        ch["top"],
                        ch["x1"],
                        ch["bottom"],
                        ch["size"],
                        font,
                        "Bold" in font,
                    )
                )
            pages.append(PageContent(no, float(page.width), float(page.height), "text", units))
    return pages


def shuffled(pages: list[PageContent], seed: int) -> list[PageContent]:
    """The same pages with every page's units in random order (a scrambled content stream)."""
    rng = random.Random(seed)
    out = []
    for p in pages:
        units = list(p.units)
        rng.shuffle(units)
        out.append(PageContent(p.page_no, p.width, p.height, p.method, units))
    return out


def _word(chars: list[TextUnit], scale: float, rng: random.Random) -> TextUnit:
    """One OCR word from text-layer characters: one box around them, scaled, a confidence."""
    x0 = min(u.x0 for u in chars) * scale
    x1 = max(u.x1 for u in chars) * scale
    top = min(u.top for u in chars) * scale
    bottom = max(u.bottom for u in chars) * scale
    text = "".join(u.text for u in chars)
    return TextUnit(text, x0, top, x1, bottom, bottom - top, conf=float(rng.randint(60, 97)))


def as_ocr_words(pages: list[PageContent], dpi: float = 300.0, seed: int = 7) -> list[PageContent]:
    """OCR-shaped input from text-layer characters: pixel coordinates at ``dpi``, runs of
    Chinese characters grouped into words of 1–4 characters (one box each), Latin and number
    tokens one word each, a confidence per word, no font names."""
    rng = random.Random(seed)
    scale = dpi / 72.0
    out = []
    for p in pages:
        chars = sorted((u for u in p.units if u.text.strip()), key=lambda u: (round(u.top), u.x0))
        words: list[TextUnit] = []
        run: list[TextUnit] = []
        limit = rng.randint(1, 4)
        for u in chars:
            if run:
                prev = run[-1]
                same_line = abs(prev.top - u.top) < 1.0 and u.x0 - prev.x1 < 0.1 * u.size
                same_class = is_cjk(prev.text) == is_cjk(u.text)
                if not same_line or not same_class or (is_cjk(u.text) and len(run) >= limit):
                    words.append(_word(run, scale, rng))
                    run = []
                    limit = rng.randint(1, 4)
            run.append(u)
        if run:
            words.append(_word(run, scale, rng))
        rng.shuffle(words)
        out.append(
            PageContent(
                p.page_no, p.width * scale, p.height * scale, "ocr", words, ocr_confidence=80.0, dpi=dpi
            )
        )
    return out


Row = tuple[float, float, str] | tuple[float, float, str, float] | tuple[float, float, str, float, bool]
"""(x, top, text[, size[, bold]]) of one line of a synthetic page."""


def char_advance(ch: str, size: float) -> float:
    """Advance of a character in the synthetic pages: Chinese 1 em, others 0.55 em, space 0.3 em."""
    if ch == " ":
        return 0.3 * size
    return size if is_cjk(ch) else 0.55 * size


def synth_units(rows: list[Row], size: float = 10.0) -> list[TextUnit]:
    """One unit per character of each row, set left to right from x (spaces are gaps only)."""
    units: list[TextUnit] = []
    for row in rows:
        x, top, text = row[0], row[1], row[2]
        s = row[3] if len(row) > 3 else size  # type: ignore[misc]
        bold = row[4] if len(row) > 4 else False  # type: ignore[misc]
        for ch in text:
            adv = char_advance(ch, s)
            if ch != " ":
                units.append(
                    TextUnit(ch, x, top, x + adv, top + s, s, "Bold" if bold else "Regular", bool(bold))
                )
            x += adv
    return units


def synth_page(
    rows: list[Row], page_no: int = 1, size: float = 10.0, width: float = 420.0, height: float = 595.0
) -> PageContent:
    return PageContent(page_no, width, height, "text", synth_units(rows, size))


def column_rows(
    text_lines: list[str], x: float, top: float, leading: float = 15.0, indent_first: float = 0.0
) -> list[Row]:
    """Rows of consecutive lines of one column."""
    return [
        (x + (indent_first if i == 0 else 0.0), top + i * leading, line) for i, line in enumerate(text_lines)
    ]


def typeset_two_columns(path: Path, left: str, right: str, size: float = 12.0, width: float = 330.0) -> None:
    """One small page: a paragraph in each of two columns (first-line indent, wide gutter)."""
    from reportlab.pdfgen import canvas

    _register_font()
    margin, gutter, leading = 20.0, 30.0, 1.6 * size
    col_w = (width - 2 * margin - gutter) / 2
    lines = [break_lines(t, col_w, 2 * size, 0.0, size) for t in (left, right)]
    height = 2 * margin + leading * max(len(ls) for ls in lines) + size
    c = canvas.Canvas(str(path), pagesize=(width, height), invariant=1)
    c.setFont(FONT, size)
    for col, col_lines in enumerate(lines):
        for k, (indent, text) in enumerate(col_lines):
            c.drawString(margin + col * (col_w + gutter) + indent, height - margin - size - k * leading, text)
    c.showPage()
    c.save()
