"""Warehouses for the analysts' tests (views, README queries, run report, export, show).

Until the real pipeline runs end to end on samples/, the warehouse is built from the hand-checked
gold labels of the three sample texts (/work/shared/gold-samples, copied into tests/gold/):
paragraphs are the lines of NNN.clean.txt, facts are the headline facts located in those lines.
Rows go in through the real loader (reportflow.db.load_document), so the views are tested on
rows shaped exactly as the pipeline writes them.

A synthetic 2024 report of 开平市 (clearly named so: its numbers are made up for the test) gives
targets_vs_actuals a year with both a target (2023 report) and an actual (2024 report).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from reportflow import db as warehouse_db
from reportflow.acquire import AcquiredDocument
from reportflow.models import DocumentContext, ExtractedDocument, Fact, Paragraph

GOLD = Path(__file__).resolve().parent / "gold"
GOLD_FILES = {"000": "kaiping-2023-report-summary.txt", "001": "xinhui-2023-report-digest.txt", "002": "jiangmen-2023-report-columns.txt"}

SYNTHETIC_2024_FILE = "synthetic-kaiping-2024-report.txt"
SYNTHETIC_2024_TEXT = (
    "开平市2024年政府工作报告（测试用合成文本）\n"
    "2023年，全市地区生产总值增长5.2%，规上工业增加值增长8.1%，固定资产投资下降1.5%，"
    "社会消费品零售总额增长6.0%，城镇新增就业6150人。\n"
    "2024年主要预期目标：地区生产总值增长6%以上。\n"
)
"""Made-up figures (not from any real report): they exist to pair with the 2023 targets."""

SYNTHETIC_2024_FACTS = [
    # (indicator_code, indicator, kind, period_year, measure, value, unit, comparator, value_text)
    ("gdp", "地区生产总值", "actual", 2023, "growth", 5.2, "%", "=", "5.2%"),
    ("industrial_va", "规上工业增加值", "actual", 2023, "growth", 8.1, "%", "=", "8.1%"),
    ("fai", "固定资产投资", "actual", 2023, "growth", -1.5, "%", "=", "1.5%"),
    ("retail_sales", "社会消费品零售总额", "actual", 2023, "growth", 6.0, "%", "=", "6.0%"),
    ("urban_jobs", "城镇新增就业", "actual", 2023, "level", 6150.0, "人", "=", "6150人"),
    ("gdp", "地区生产总值", "target", 2024, "growth", 6.0, "%", ">=", "6%"),
]

CHINESE_NUMERAL_SURFACES = {1000.0: "千亿"}


def gold(doc: str) -> dict:
    return json.loads((GOLD / f"{doc}.json").read_text(encoding="utf-8"))


def clean_paragraphs(doc: str) -> list[Paragraph]:
    lines = [line for line in (GOLD / f"{doc}.clean.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Paragraph(seq=i, page_no=1, kind="body", text=line) for i, line in enumerate(lines)]


def _number_surfaces(value: float) -> list[str]:
    magnitude = abs(value)
    forms = [f"{magnitude:g}", f"{magnitude:.1f}", f"{magnitude:.2f}"]
    return list(dict.fromkeys(forms))


def locate_value(evidence: str, value: float, unit: str, measure: str, chinese: bool) -> tuple[int, str]:
    """(offset in evidence, value_text) of the number a gold headline fact states."""
    if chinese:
        surface = CHINESE_NUMERAL_SURFACES[abs(value)]
        return evidence.index(surface), surface
    for number in _number_surfaces(value):
        for match in re.finditer(rf"(?<![\d.]){re.escape(number)}(?![\d.])", evidence):
            start, end = match.start(), match.end()
            if measure == "rank" and start > 0 and evidence[start - 1] == "第":
                start -= 1
            if unit and evidence.startswith(unit, end):
                end += len(unit)
            return start, evidence[start:end]
    raise ValueError(f"{value} {unit} not found in {evidence!r}")


def gold_facts(doc: str, paragraphs: list[Paragraph]) -> tuple[DocumentContext, list[Fact]]:
    data = gold(doc)
    facts: list[Fact] = []
    for h in data["headline"]:
        if not isinstance(h["period_year"], int):
            continue  # multi-year spans: none among the headline facts today
        para = next(p for p in paragraphs if h["evidence"] in p.text)
        evidence_start = para.text.index(h["evidence"])
        offset, value_text = locate_value(
            h["evidence"], float(h["value"]), h["unit"], h["measure"], bool(h.get("chinese_numeral"))
        )
        facts.append(
            Fact(
                paragraph_seq=para.seq,
                page_no=1,
                indicator=h["indicator"],
                measure=h["measure"],
                value=float(h["value"]),
                unit=h["unit"],
                value_text=value_text,
                evidence=h["evidence"],
                kind=h["kind"],
                comparator=h["comparator"],
                aspirational=bool(h["aspirational"]),
                indicator_code=h["indicator_code"],
                region=data["region"],
                period_year=h["period_year"],
                value_base=_value_base(float(h["value"]), h["unit"]),
                base_unit=_base_unit(h["unit"]),
                chinese_numeral=bool(h.get("chinese_numeral")),
                evidence_start=evidence_start,
                value_start=evidence_start + offset,
            )
        )
    return DocumentContext(title=None, region=data["region"], report_year=data["report_year"]), facts


_MULTIPLIER = {"亿元": (10**8, "元"), "亿": (10**8, ""), "万人": (10**4, "人"), "万吨": (10**4, "吨")}


def _value_base(value: float, unit: str) -> float:
    factor = _MULTIPLIER.get(unit, (1, unit))[0]
    return value * factor


def _base_unit(unit: str) -> str:
    return _MULTIPLIER.get(unit, (1, unit))[1]


def synthetic_2024() -> tuple[list[Paragraph], DocumentContext, list[Fact]]:
    paragraphs = [Paragraph(seq=i, page_no=1, kind="body", text=line) for i, line in enumerate(SYNTHETIC_2024_TEXT.splitlines())]
    facts = []
    for code, name, kind, year, measure, value, unit, comparator, value_text in SYNTHETIC_2024_FACTS:
        para = next(p for p in paragraphs if name in p.text and value_text in p.text and (str(year) in p.text))
        value_start = para.text.index(value_text, para.text.index(name))
        evidence_start = para.text.index(name)
        evidence = para.text[evidence_start : value_start + len(value_text)]
        facts.append(
            Fact(
                paragraph_seq=para.seq,
                page_no=1,
                indicator=name,
                measure=measure,  # type: ignore[arg-type]
                value=value,
                unit=unit,
                value_text=value_text,
                evidence=evidence,
                kind=kind,  # type: ignore[arg-type]
                comparator=comparator,  # type: ignore[arg-type]
                indicator_code=code,
                region="开平市",
                period_year=year,
                value_base=value,
                base_unit=unit,
                evidence_start=evidence_start,
                value_start=value_start,
            )
        )
    return paragraphs, DocumentContext(title="开平市2024年政府工作报告", region="开平市", report_year=2024), facts


def _acquired(file_name: str, text: str, folder: Path) -> AcquiredDocument:
    path = folder / file_name
    path.write_text(text, encoding="utf-8")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return AcquiredDocument(digest, file_name, str(path), str(path), path.stat().st_size, "text")


@dataclass(slots=True)
class BuiltWarehouse:
    path: Path
    run_id: str
    doc_ids: dict[str, str]
    """file name → doc_id."""
    facts: dict[str, list[Fact]]
    """file name → facts as loaded (in order)."""


def load_text_document(
    con: duckdb.DuckDBPyConnection, folder: Path, file_name: str, paragraphs: list[Paragraph],
    context: DocumentContext, facts: list[Fact],
) -> str:
    text = "\n".join(p.text for p in paragraphs) + "\n"
    acquired = _acquired(file_name, text, folder)
    extracted = ExtractedDocument(media_type="text", page_count=1, text=text, encoding="utf-8")
    warehouse_db.load_document(con, acquired, extracted, paragraphs, context, facts, "test")
    return acquired.doc_id


def build_gold_warehouse(folder: Path, with_2024: bool = True, run_id: str = "run-gold") -> BuiltWarehouse:
    """A published warehouse with the three gold documents (+ the synthetic 2024 report), a run
    row and a couple of dq_results rows (one failing expectation naming a fact)."""
    folder.mkdir(parents=True, exist_ok=True)
    inputs = folder / "inputs"
    inputs.mkdir(exist_ok=True)
    warehouse = warehouse_db.Warehouse(folder / "reportflow.duckdb")
    doc_ids: dict[str, str] = {}
    all_facts: dict[str, list[Fact]] = {}
    started = datetime.now() - timedelta(seconds=5)
    with warehouse.write() as con:
        warehouse_db.start_run(con, run_id, None)
        con.execute("UPDATE runs SET started_at = ? WHERE run_id = ?", [started, run_id])
        for doc, file_name in GOLD_FILES.items():
            paragraphs = clean_paragraphs(doc)
            context, facts = gold_facts(doc, paragraphs)
            doc_ids[file_name] = load_text_document(con, inputs, file_name, paragraphs, context, facts)
            all_facts[file_name] = facts
        if with_2024:
            paragraphs, context, facts = synthetic_2024()
            doc_ids[SYNTHETIC_2024_FILE] = load_text_document(con, inputs, SYNTHETIC_2024_FILE, paragraphs, context, facts)
            all_facts[SYNTHETIC_2024_FILE] = facts
        warehouse_db.record_failure(
            con, str(inputs / "broken-scan.pdf"), "corrupt or truncated PDF (44 bytes): PDFium could not parse it",
            "corrupt_pdf", "test",
        )
        _add_dq_results(con, run_id, doc_ids)
        totals = con.execute(
            "SELECT (SELECT count(*) FROM documents WHERE status = 'ok'), (SELECT count(*) FROM documents WHERE status = 'failed'),"
            " (SELECT count(*) FROM paragraphs), (SELECT count(*) FROM facts)"
        ).fetchone()
        assert totals is not None
        warehouse_db.finish_run(
            con, run_id, "failed",
            {"documents_ok": totals[0], "documents_failed": totals[1], "pages_text": totals[0], "pages_ocr": 0,
             "paragraphs": totals[2], "facts": totals[3], "expectations_passed": 1, "expectations_failed": 1},
        )
    warehouse.publish()
    return BuiltWarehouse(warehouse.path, run_id, doc_ids, all_facts)


FAILING_EXPECTATION = "facts_value_matches_digits"


def _add_dq_results(con: duckdb.DuckDBPyConnection, run_id: str, doc_ids: dict[str, str]) -> None:
    """One passing and one failing (error) expectation; the failure names 新会区's trade growth,
    so facts_clean must leave that fact out and the run report must show its evidence."""
    xinhui = doc_ids[GOLD_FILES["001"]]
    failing = con.execute(
        "SELECT fact_id FROM facts WHERE doc_id = ? AND indicator_code = 'trade' AND kind = 'actual'", [xinhui]
    ).fetchall()
    failing_ids = [row[0] for row in failing]
    now = datetime.now()
    for doc_id in doc_ids.values():
        con.execute(
            "INSERT INTO dq_results VALUES (?, ?, 'facts_evidence_contains_value_text', 'error', true, NULL, [], ?)",
            [run_id, doc_id, now],
        )
    con.execute(
        "INSERT INTO dq_results VALUES (?, ?, ?, 'error', false, ?, ?, ?)",
        [run_id, xinhui, FAILING_EXPECTATION, "value does not agree with its digits (test)", failing_ids, now],
    )
    con.execute("UPDATE facts SET dq_status = 'passed'")
    con.execute("UPDATE facts SET dq_status = 'failed' WHERE fact_id IN (SELECT unnest(?::VARCHAR[]))", [failing_ids])
