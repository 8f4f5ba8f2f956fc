"""Tests of the .txt layout repair (reportflow.layout.text_repair).

Real inputs: the three sample texts (tests/data/layout_text/, copies of /work/shared/samples) with
their hand-made paragraph truths (tests/gold/NNN.clean.txt); synthetic column-broken texts made
by re-wrapping those truths; one real newspaper page run through pdftotext (skipped when the
shared realdocs folder is absent). Plus one small test per rule.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from benchmarks.text_repair_bench import rewrap
from reportflow.layout import repair_layout
from reportflow.layout.text_repair import (
    display_width,
    paragraphs_from_text,
    reattach_trailing_section_number,
    remove_spurious_spaces,
    repair_text,
)
from reportflow.models import ExtractedDocument, Paragraph
from reportflow.normalize import normalize_text
from reportflow.quality import score_reading, squash

TESTS = Path(__file__).resolve().parent
DATA = TESTS / "data" / "layout_text"
GOLD = TESTS / "gold"
SHARED_GOLD = Path("/work/shared/gold-samples")

JIANGMEN = "jiangmen-2023-report-columns.txt"
KAIPING = "kaiping-2023-report-summary.txt"
XINHUI = "xinhui-2023-report-digest.txt"


def sample(name: str) -> str:
    return (DATA / name).read_text(encoding="utf-8")


def truth(doc: str) -> list[str]:
    path = GOLD / f"{doc}.clean.txt"
    if not path.exists():
        path = SHARED_GOLD / f"{doc}.clean.txt"
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def texts(paragraphs: list[Paragraph]) -> list[str]:
    return [p.text for p in paragraphs]


def digits(text: str) -> list[str]:
    return re.findall(r"\d", text)


@pytest.fixture(scope="module")
def jiangmen() -> list[Paragraph]:
    return paragraphs_from_text(sample(JIANGMEN))


# ---------------------------------------------------------------------------------------------
# The real samples against their hand-made truths


def test_jiangmen_column_broken_paragraph_integrity(jiangmen: list[Paragraph]) -> None:
    scores = score_reading(texts(jiangmen), truth("002"))
    assert scores.paragraph_integrity >= 0.90
    assert scores.number_recall == 1.0
    # Only the four displaced opening lines are out of place (they stay at the end).
    assert scores.cer < 0.02


def test_jiangmen_keeps_every_character_and_digit_in_order(jiangmen: list[Paragraph]) -> None:
    source = normalize_text(sample(JIANGMEN))
    output = "".join(texts(jiangmen))
    assert squash(output) == squash(source)
    assert digits(output) == digits(source)


def test_jiangmen_structure(jiangmen: list[Paragraph]) -> None:
    by_text = {p.text: p for p in jiangmen}
    # The title and its dash subtitle are one heading.
    assert jiangmen[0].text == "政府工作报告——2023年2月16日在江门市第十六届人民代表大会第三次会议上"
    assert jiangmen[0].kind == "heading"
    # A section title wrapped at a narrower measure than the body is joined and is a heading.
    for title in (
        "（一）主动融入双区和支持三大平台建设，释放发展潜力和优势",
        "（二）坚持制造业当家，争当广东制造业高质量发展的主力军",
        "（三）全面加强科技教育人才工作，强化基础性战略性支撑",
    ):
        assert by_text[title].kind == "heading"
    # A section number leading a paragraph keeps the paragraph a body paragraph.
    assert jiangmen[2].text.startswith("（一）科学精准抓好疫情防控，全力守护人民群众生命健康。我们坚持")
    assert jiangmen[2].kind == "body"
    # Paragraph 1 runs across a column break and ends where the truth ends it.
    assert jiangmen[1].text.endswith("市人大代表票决的十件民生实事全面完成，经济社会保持平稳健康发展。")
    # Stray spaces inside numbers are gone.
    assert "增长3.1%、社会消费品零售总额增长2.4%" in jiangmen[1].text
    assert "争取专项债176亿元、增长47%" in jiangmen[3].text
    assert "15条重点产业链合计实现产值4345亿元" in jiangmen[4].text


def test_jiangmen_displaced_lines_stay_where_they_are(jiangmen: list[Paragraph]) -> None:
    tail = [(p.kind, p.text) for p in jiangmen[-4:]]
    assert tail == [
        (
            "body",
            "各位代表：现在，我代表市人民政府，向大会报告工作，请予审议，并请各位政协委员和列席人员提出意见。",
        ),
        ("heading", "◇江门市市长吴晓晖"),
        ("heading", "一、2022年工作回顾"),
        ("heading", "二、2023年工作安排"),
    ]
    # The page stops mid-sentence: the last column paragraph is kept, unfinished, as body.
    assert jiangmen[-5].text.endswith("提升企业自主创新能力，")


def test_jiangmen_wrap_profile() -> None:
    profile, _ = repair_text(sample(JIANGMEN))
    assert profile.wrapped
    assert (profile.measure, profile.width) == ("display", 36)  # 18 CJK characters a line
    assert profile.indent == 4  # the usual two-character first-line indent, stripped by extraction


@pytest.mark.parametrize(("name", "doc"), [(KAIPING, "000"), (XINHUI, "001")])
def test_clean_samples_come_out_as_written(name: str, doc: str) -> None:
    profile, paragraphs = repair_text(sample(name))
    assert not profile.wrapped
    scores = score_reading(texts(paragraphs), truth(doc))
    assert scores.paragraph_integrity >= 0.98
    assert scores.cer == 0.0
    assert len(paragraphs) == len(truth(doc))
    assert [p.seq for p in paragraphs] == list(range(len(paragraphs)))
    assert all(p.page_no == 1 and p.char_boxes == [] and p.bbox is None for p in paragraphs)
    assert not any("**" in p.text for p in paragraphs)


def test_kaiping_kinds() -> None:
    paragraphs = paragraphs_from_text(sample(KAIPING))
    kinds = {p.text: p.kind for p in paragraphs}
    assert kinds["政府工作报告摘要"] == "heading"
    assert kinds["2023年，朝着500亿元关口奋进"] == "heading"
    assert kinds["1. 构筑外联内畅交通格局"] == "heading"
    assert kinds["一 抢抓政策机遇，拓展合作空间以对外开放培育高质量发展新动能"] == "heading"
    # "- " lines are items without the bullet; bold markers are gone, digits intact.
    assert kinds["地区生产总值同比(下同)增长2.8%"] == "item"
    assert kinds["推进三埠港搬迁"] == "item"
    assert not any(p.text.startswith("-") for p in paragraphs)
    assert kinds[next(t for t in kinds if t.startswith("2023年开平全市经济社会发展主要预期目标"))] == "body"
    bullets = [line[2:].replace("**", "") for line in sample(KAIPING).splitlines() if line.startswith("- ")]
    assert all(kinds[remove_spurious_spaces(b)] == "item" for b in bullets)
    # "1. 防范化解重大风险" / "2. 强化安全生产管理" / "3. 建设平安幸福开平" follow each other with
    # nothing under them: a numbered list, so items (documented limit: they are headings).
    numbered_items = [p.text for p in paragraphs if p.kind == "item" and p.text[0].isdigit()]
    assert numbered_items == ["1. 防范化解重大风险", "2. 强化安全生产管理", "3. 建设平安幸福开平"]


def test_xinhui_kinds() -> None:
    paragraphs = paragraphs_from_text(sample(XINHUI))
    kinds = {p.text: p.kind for p in paragraphs}
    assert kinds["2022年工作回顾"] == "heading"
    assert kinds["数读2023年新会区政府工作报告"] == "heading"
    assert kinds["1 坚持制造业当家,倾全区之力打造大湾区西翼制造中心"] == "heading"
    assert kinds["地区生产总值同比增长4%"] == "item"
    # Numbered entries next to their siblings are list items; the number stays.
    assert kinds["2. 推动与深圳国资合作"] == "item"
    assert kinds["4. 加强政府系统廉政建设"] == "item"
    assert kinds[next(t for t in kinds if t.startswith("2月20日,新会区第十六届"))] == "body"


# ---------------------------------------------------------------------------------------------
# Synthetic column-broken texts: the clean truths re-wrapped


@pytest.mark.parametrize("doc", ["000", "001"])
@pytest.mark.parametrize("width", [14, 20, 26])
@pytest.mark.parametrize("separator", ["blank", "none"])
def test_rewrapped_truth_is_repaired(doc: str, width: int, separator: str) -> None:
    paragraphs_truth = truth(doc)
    text = rewrap(paragraphs_truth, width, separator=separator)  # type: ignore[arg-type]
    assert text.count("\n\n") > 0 if separator == "none" else True  # column breaks are in
    profile, paragraphs = repair_text(text)
    assert profile.wrapped and profile.measure == "chars" and profile.width == width
    scores = score_reading(texts(paragraphs), paragraphs_truth)
    assert scores.paragraph_integrity >= 0.95
    assert scores.number_recall == 1.0
    assert scores.cer == 0.0


@pytest.mark.parametrize("cells", [28, 40])
def test_rewrapped_by_display_width(cells: int) -> None:
    paragraphs_truth = truth("001")
    profile, paragraphs = repair_text(rewrap(paragraphs_truth, cells, measure="display"))
    assert (profile.measure, profile.width) == ("display", cells)
    assert score_reading(texts(paragraphs), paragraphs_truth).paragraph_integrity >= 0.95


def test_two_column_widths_in_one_text() -> None:
    first, second = truth("000"), truth("001")
    text = rewrap(first, 14) + "\n" + rewrap(second, 24)
    profile, paragraphs = repair_text(text)
    assert profile.widths[:2] in ((14, 24), (24, 14))
    scores = score_reading(texts(paragraphs), first + second)
    assert scores.paragraph_integrity >= 0.95


# ---------------------------------------------------------------------------------------------
# One rule at a time

# Full lines are 13 characters wide in these small texts (six full lines at least before a wrap
# width is believed).
COLUMN = [
    "我市坚持以习近平新时代中国",
    "特色社会主义思想为指导，全",
    "面贯彻落实党的二十大精神，",
    "统筹疫情防控和经济社会发展",
    "，实现地区生产总值三千多亿",
    "元，经济社会保持平稳发展。",
]


def wrap13(text: str) -> list[str]:
    return [text[i : i + 13] for i in range(0, len(text), 13)]


def test_wrapped_cjk_lines_join_with_nothing_inserted() -> None:
    paragraphs = paragraphs_from_text("\n".join(COLUMN))
    assert texts(paragraphs) == ["".join(COLUMN)]


def test_wrapped_latin_words_join_with_one_space() -> None:
    lines = COLUMN[:5] + ["元，同比增长，对RCEP", "partner进出口增长6%。"]
    paragraphs = paragraphs_from_text("\n".join(lines))
    assert texts(paragraphs) == ["".join(COLUMN[:5]) + "元，同比增长，对RCEP partner进出口增长6%。"]


def test_blank_line_in_mid_sentence_is_a_column_break() -> None:
    text = "\n".join(COLUMN[:3]) + "\n\n\n" + "\n".join(COLUMN[3:])
    assert texts(paragraphs_from_text(text)) == ["".join(COLUMN)]


def test_blank_line_after_a_sentence_ends_the_paragraph() -> None:
    text = "\n".join(COLUMN) + "\n\n" + "\n".join(COLUMN)
    assert texts(paragraphs_from_text(text)) == ["".join(COLUMN)] * 2


def test_short_last_line_ends_the_paragraph_without_a_blank_line() -> None:
    lines = COLUMN + ["全年完成目标。"] + COLUMN
    paragraphs = paragraphs_from_text("\n".join(lines))
    assert texts(paragraphs) == ["".join(COLUMN) + "全年完成目标。", "".join(COLUMN)]


def test_indented_line_after_a_sentence_starts_a_paragraph() -> None:
    lines = COLUMN + ["\u3000\u3000" + COLUMN[0]] + COLUMN[1:]
    paragraphs = paragraphs_from_text("\n".join(lines))
    assert texts(paragraphs) == ["".join(COLUMN)] * 2


@pytest.mark.parametrize("marker", ["（二）", "二、", "2.", "2、", "（2）", "● ", "- "])
def test_numbering_or_bullet_starts_a_new_paragraph(marker: str) -> None:
    # The full line before the marker ends in mid-sentence: only the marker tells.
    head = COLUMN + COLUMN[:3]
    second = marker + "加快推进高质量发展，推动经济运行整体好转，实现质的有效提升和量的合理增长。"
    paragraphs = paragraphs_from_text("\n".join(head + wrap13(second)))
    assert paragraphs[0].text == "".join(head)
    assert len(paragraphs) == 2
    if marker.strip() in ("●", "-"):
        assert paragraphs[1].kind == "item"
        assert paragraphs[1].text == second[len(marker) :]
    else:
        assert paragraphs[1].text == second


def test_chinese_number_after_a_word_cut_by_the_wrap_is_not_a_marker() -> None:
    # "…统" + "一、规范…": the full line stops mid-word, so "一、" continues it.
    lines = COLUMN + ["", "推动市场监管执法标准的统", "一、规范和透明，全面提升监", "管效能。"]
    paragraphs = paragraphs_from_text("\n".join(lines))
    assert texts(paragraphs) == [
        "".join(COLUMN),
        "推动市场监管执法标准的统一、规范和透明，全面提升监管效能。",
    ]


def test_short_heading_line_is_not_joined_to_the_body() -> None:
    lines = ["一、2022年工作回顾"] + COLUMN
    paragraphs = paragraphs_from_text("\n".join(lines))
    assert [(p.kind, p.text) for p in paragraphs] == [
        ("heading", "一、2022年工作回顾"),
        ("body", "".join(COLUMN)),
    ]


def test_first_line_of_paragraph_may_be_short_by_the_indent() -> None:
    # Two-character indents stripped by extraction: every paragraph's first line is two short.
    body = "过去一年面对复杂严峻的形势，我们坚持稳中求进工作总基调，统筹疫情防控和经济社会发展，全年经济保持平稳。"
    lines = [body[:11]] + wrap13(body[11:])
    assert len(lines[-1]) < 11
    profile, paragraphs = repair_text("\n".join(lines * 4))
    assert profile.indent == (4 if profile.measure == "display" else 2)
    assert texts(paragraphs) == [body] * 4
    # Without the indent inference the short first lines would end paragraphs.
    assert not any(p.kind == "heading" for p in paragraphs)


def test_section_number_at_the_wrong_end_is_moved_to_the_front() -> None:
    assert reattach_trailing_section_number("人民生活更有质感6.") == "6.人民生活更有质感"
    assert reattach_trailing_section_number("人民生活更有质感 6、") == "6、人民生活更有质感"
    # A number that belongs to the text stays.
    assert reattach_trailing_section_number("综合评价全省第6.") == "综合评价全省第6."
    assert reattach_trailing_section_number("人民生活更有质感。6.") == "人民生活更有质感。6."
    assert reattach_trailing_section_number("1.稳经济、促增长6.") == "1.稳经济、促增长6."
    text = "人民生活更有质感6.\n\n全市城镇新增就业4.5万人，城镇失业人员再就业2.9万人。"
    paragraphs = paragraphs_from_text(text)
    assert (paragraphs[0].kind, paragraphs[0].text) == ("heading", "6.人民生活更有质感")


def test_bare_number_line_numbers_the_next_line() -> None:
    paragraphs = paragraphs_from_text("6.\n人民生活更有质感\n全市城镇新增就业4.5万人。")
    assert texts(paragraphs)[0] == "6.人民生活更有质感"


@pytest.mark.parametrize(
    ("raw", "fixed"),
    [
        ("增长 3.1%", "增长3.1%"),
        ("超 60 亿元", "超60亿元"),
        ("专项债 176 亿元、增长 47%", "专项债176亿元、增长47%"),
        ("总产值 428.8 亿元", "总产值428.8亿元"),
        ("增长 6. 5 %", "增长6.5%"),
        ("全年 1 234 567 元", "全年1234567元"),
        ("人民 生活", "人民生活"),
        ("占 GDP 比重", "占GDP比重"),
        ("2022 2023", "2022 2023"),  # two numbers: merging would invent one
        ("Work  Report of 2023", "Work Report of 2023"),
        ("1. 构筑外联内畅交通格局", "1. 构筑外联内畅交通格局"),
        ("一 抢抓政策机遇 以对外开放", "一 抢抓政策机遇以对外开放"),
    ],
)
def test_spaces_that_split_numbers_or_words_are_removed(raw: str, fixed: str) -> None:
    assert remove_spurious_spaces(raw) == fixed


def test_spaces_across_a_wrap_are_removed_too() -> None:
    lines = COLUMN[:5] + ["元，经济总量同比增长 3.", "1%，经济社会保持平稳发展。"]
    assert len(lines[-2]) == 13
    assert texts(paragraphs_from_text("\n".join(lines))) == [
        "".join(COLUMN[:5]) + "元，经济总量同比增长3.1%，经济社会保持平稳发展。"
    ]


def test_compatibility_characters_are_normalised() -> None:
    # Kangxi radical ⼀ (U+2F00), radical supplement ⻓ (U+2ED3, which NFKC leaves alone), a CJK
    # compatibility ideograph 金 (U+F90A), full-width digits, point, percent and Latin.
    raw = "⼀、⻓江流域\uf90a融业增⻓３．１％，ＧＤＰ达\u3000１２０亿元"
    paragraphs = paragraphs_from_text(raw)
    assert texts(paragraphs) == ["一、长江流域金融业增长3.1%，GDP达120亿元"]


def test_markdown_bold_is_stripped() -> None:
    assert texts(paragraphs_from_text("- 地区生产总值增长**7%以上**")) == ["地区生产总值增长7%以上"]


def test_empty_and_blank_text_give_no_paragraphs() -> None:
    assert paragraphs_from_text("") == []
    assert paragraphs_from_text("\n \n\u3000\n") == []


def test_display_width_counts_cjk_twice() -> None:
    assert display_width("增长3.1%") == 4 + 4
    assert display_width("“两个确立”") == 12


def test_repair_layout_dispatches_text_input() -> None:
    text = sample(JIANGMEN)
    doc = ExtractedDocument(media_type="text", page_count=1, text=normalize_text(text), encoding="utf-8")
    assert texts(repair_layout(doc)) == texts(paragraphs_from_text(text))


# ---------------------------------------------------------------------------------------------
# A real newspaper page through pdftotext (naive extraction, two column widths)

NEWSPAPER = "chinese_text_layer/layout4j__shiyoubao_newspaper_2024-10-16.pdf"


def test_pdftotext_newspaper_page(realdocs: Path, tmp_path: Path) -> None:
    pdf = realdocs / NEWSPAPER
    if not pdf.exists() or shutil.which("pdftotext") is None:
        pytest.skip("newspaper PDF or pdftotext not available")
    out = tmp_path / "page.txt"
    subprocess.run(["pdftotext", str(pdf), str(out)], check=True, timeout=60)
    text = out.read_text(encoding="utf-8")
    profile, paragraphs = repair_text(text)
    assert profile.wrapped and profile.measure == "display"
    assert 28 in profile.widths and 40 in profile.widths  # 14- and 20-character columns
    assert profile.indent == 4
    joined = [squash(p.text) for p in paragraphs]
    # Paragraph starts whose first line is short by the stripped indent are joined to the rest,
    # in the narrow and in the wide column.
    for start in (
        "汪东进强调，中国海油将密切跟踪国际人工智能前沿技术发展趋势",
        "发布会期间，中国电信、科大讯飞向参会人员展示了算力布局",
        "会议要求，要准确把握巡视监督的切入点着力点，突出对贯彻落实习近平总书记",
        "经集团党组批准，2024年下半年党组巡视共成立4个巡视组",
    ):
        assert any(line.startswith(start) for line in joined), start
    assert digits("".join(joined)) == digits(normalize_text(text))
