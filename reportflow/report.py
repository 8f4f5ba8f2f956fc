"""The HTML run report: one self-contained page per ingest run, under warehouse/reports/.

``write_run_report(con, run_id, out_dir)`` reads the warehouse (runs, documents, pages, facts,
dq_results and the analysts' views) and writes ``<run_id>.html``: the run's documents and their
status, pages by method, facts per document, the validation failures with their evidence, and
charts of the headline indicators across regions and years (actual against target).

Self-contained on purpose — the report is opened from disk, mailed, archived, on machines
without internet: the CSS is inline, the charts are inline SVG drawn here, there is no script
and no external URL. The template is ``reportflow/templates/run_report.html`` (Jinja2, which
Prefect already depends on), autoescaped; only the SVG built in this module is marked safe.
"""

from __future__ import annotations

import html
import json
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
HEADLINE_ORDER = (
    "gdp", "industrial_va", "fai", "retail_sales", "trade", "budget_revenue", "disposable_income",
    "rural_disposable_income", "cpi",
)
"""Growth indicators charted, in this order (when the warehouse has them)."""
INDICATOR_LABELS = {
    "gdp": "GDP 地区生产总值",
    "industrial_va": "Industrial value added 规上工业增加值",
    "fai": "Fixed-asset investment 固定资产投资",
    "retail_sales": "Retail sales 社会消费品零售总额",
    "trade": "Foreign trade 外贸进出口",
    "budget_revenue": "Budget revenue 一般公共预算收入",
    "disposable_income": "Disposable income 居民人均可支配收入",
    "rural_disposable_income": "Rural disposable income 农村居民人均可支配收入",
    "cpi": "Consumer prices 居民消费价格",
}
MAX_FAILING_FACTS_SHOWN = 40
"""Per expectation; the rest are counted ("and 12 more") and listed in dq_results."""

ACTUAL_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#d9822b"


# --- the data behind the page ---------------------------------------------------------------


@dataclass(slots=True)
class DocumentLine:
    doc_id: str
    file_name: str
    media_type: str | None
    region: str | None
    report_year: int | None
    status: str
    error_code: str | None
    error: str | None
    pages_text: int
    pages_ocr: int
    mean_ocr_confidence: float | None
    paragraphs: int
    facts: int
    facts_actual: int
    facts_target: int
    facts_passed: int
    facts_warning: int
    facts_failed: int
    facts_unchecked: int
    in_run: bool


@dataclass(slots=True)
class FailingFact:
    fact_id: str
    file_name: str
    page_no: int | None
    value_text: str
    evidence_before: str
    evidence_value: str
    evidence_after: str
    indicator: str


@dataclass(slots=True)
class FailureGroup:
    expectation: str
    severity: str
    documents: list[str]
    details: list[str]
    facts: list[FailingFact]
    more_facts: int


@dataclass(slots=True)
class ChartPoint:
    region: str
    year: int
    actual: float | None
    actual_fact_id: str | None
    target: float | None
    target_comparator: str | None
    target_fact_id: str | None
    stretch: float | None


@dataclass(slots=True)
class Chart:
    code: str
    title: str
    points: list[ChartPoint]
    svg: Markup = field(default_factory=lambda: Markup(""))


@dataclass(slots=True)
class RunReport:
    run_id: str
    generated_at: datetime
    run: dict[str, object]
    documents: list[DocumentLine]
    earlier_failures: list[DocumentLine]
    failures: list[FailureGroup]
    expectations_total: int
    expectations_failed: int
    charts: list[Chart]
    pages_chart: Markup
    comparisons: list[dict[str, object]]
    db_path: str


# --- queries ------------------------------------------------------------------------------------


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> list[dict[str, object]]:
    result = con.execute(sql, params or [])
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def run_row(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, object]:
    rows = _dicts(con, "SELECT * FROM runs WHERE run_id = ?", [run_id])
    if not rows:
        log.warning("run %s is not in the runs table; the report covers what dq_results has for it", run_id)
        return {"run_id": run_id, "status": "unknown"}
    return rows[0]


def run_document_ids(con: duckdb.DuckDBPyConnection, run_id: str, run: dict[str, object]) -> set[str]:
    """Documents the run touched: validated by it (dq_results), or (re)loaded or failed during it.

    The warehouse records no run id per document, so loads are matched by time: ingested_at
    between the run's start and its end (or now, while it runs).
    """
    ids = {r[0] for r in con.execute(
        "SELECT DISTINCT doc_id FROM dq_results WHERE run_id = ? AND doc_id IS NOT NULL", [run_id]).fetchall()}
    started = run.get("started_at")
    if started is not None:
        finished = run.get("finished_at") or datetime.now()
        ids |= {r[0] for r in con.execute(
            "SELECT doc_id FROM documents WHERE ingested_at BETWEEN ? AND ?", [started, finished]).fetchall()}
    return ids


_DOCUMENTS_SQL = """
SELECT d.doc_id, d.file_name, d.media_type, d.region, d.report_year, d.status, d.error_code, d.error,
       coalesce(pg.pages_text, 0) AS pages_text, coalesce(pg.pages_ocr, 0) AS pages_ocr, pg.mean_ocr_confidence,
       coalesce(pa.paragraphs, 0) AS paragraphs,
       coalesce(fa.facts, 0) AS facts, coalesce(fa.actual, 0) AS facts_actual, coalesce(fa.target, 0) AS facts_target,
       coalesce(fa.passed, 0) AS facts_passed, coalesce(fa.warning, 0) AS facts_warning,
       coalesce(fa.failed, 0) AS facts_failed, coalesce(fa.unchecked, 0) AS facts_unchecked
FROM documents AS d
LEFT JOIN (
    SELECT doc_id, count(*) FILTER (WHERE method = 'text') AS pages_text, count(*) FILTER (WHERE method = 'ocr') AS pages_ocr,
           avg(ocr_confidence) AS mean_ocr_confidence
    FROM pages GROUP BY doc_id
) AS pg ON pg.doc_id = d.doc_id
LEFT JOIN (SELECT doc_id, count(*) AS paragraphs FROM paragraphs GROUP BY doc_id) AS pa ON pa.doc_id = d.doc_id
LEFT JOIN (
    SELECT doc_id, count(*) AS facts,
           count(*) FILTER (WHERE kind = 'actual') AS actual, count(*) FILTER (WHERE kind = 'target') AS target,
           count(*) FILTER (WHERE dq_status = 'passed') AS passed, count(*) FILTER (WHERE dq_status = 'warning') AS warning,
           count(*) FILTER (WHERE dq_status = 'failed') AS failed,
           count(*) FILTER (WHERE dq_status IS NULL OR dq_status = 'unchecked') AS unchecked
    FROM facts GROUP BY doc_id
) AS fa ON fa.doc_id = d.doc_id
ORDER BY d.status DESC, d.file_name
"""


def document_lines(con: duckdb.DuckDBPyConnection, in_run: set[str]) -> list[DocumentLine]:
    return [DocumentLine(**row, in_run=row["doc_id"] in in_run) for row in _dicts(con, _DOCUMENTS_SQL)]  # type: ignore[arg-type]


def split_evidence(evidence: str, value_text: str) -> tuple[str, str, str]:
    """Evidence around its number, so the page can mark the number."""
    at = evidence.find(value_text) if value_text else -1
    if at < 0:
        return evidence, "", ""
    return evidence[:at], value_text, evidence[at + len(value_text):]


def summarize_details(details: str, limit: int = 300) -> str:
    """One readable line from a dq_results.details value: the expectation's description and its
    counts when the details are GX's JSON (the failing facts are listed separately)."""
    try:
        data = json.loads(details)
    except (TypeError, ValueError):
        return details if len(details) <= limit else details[: limit - 1] + "…"
    if not isinstance(data, dict):
        return str(data)[:limit]
    parts = [str(data.get("description") or data.get("type") or "")]
    if data.get("unexpected_count") is not None:
        counted = f"{data['unexpected_count']} unexpected"
        if data.get("element_count") is not None:
            counted += f" of {data['element_count']} checked"
        parts.append(counted)
    if data.get("observed_value") is not None:
        parts.append(f"observed {data['observed_value']}")
    if data.get("exception"):
        parts.append(f"exception: {str(data['exception'])[:120]}")
    text = "; ".join(p for p in parts if p)
    return text[:limit] if text else details[:limit]


def failure_groups(con: duckdb.DuckDBPyConnection, run_id: str) -> list[FailureGroup]:
    rows = _dicts(con, """
        SELECT r.expectation, r.severity, r.details, d.file_name, r.failing_fact_ids
        FROM dq_results AS r LEFT JOIN documents AS d ON d.doc_id = r.doc_id
        WHERE r.run_id = ? AND NOT r.success
        ORDER BY r.severity = 'error' DESC, r.expectation, d.file_name
    """, [run_id])
    groups: dict[tuple[str, str], FailureGroup] = {}
    fact_ids: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in rows:
        key = (str(row["expectation"]), str(row["severity"]))
        group = groups.setdefault(key, FailureGroup(key[0], key[1], [], [], [], 0))
        if row["file_name"] and row["file_name"] not in group.documents:
            group.documents.append(str(row["file_name"]))
        detail = summarize_details(str(row["details"])) if row["details"] else ""
        if detail and detail not in group.details:
            group.details.append(detail)
        fact_ids[key].extend(row["failing_fact_ids"] or [])  # type: ignore[arg-type]
    for key, group in groups.items():
        ids = list(dict.fromkeys(fact_ids[key]))
        shown = ids[:MAX_FAILING_FACTS_SHOWN]
        group.more_facts = len(ids) - len(shown)
        if not shown:
            continue
        facts = {r["fact_id"]: r for r in _dicts(con, """
            SELECT f.fact_id, d.file_name, f.page_no, f.value_text, f.evidence, f.indicator
            FROM facts AS f JOIN documents AS d ON d.doc_id = f.doc_id
            WHERE f.fact_id IN (SELECT unnest(?::VARCHAR[]))
        """, [shown])}
        for fact_id in shown:
            fact = facts.get(fact_id)
            if fact is None:
                continue  # the document was reloaded since: its facts have new rows
            before, value, after = split_evidence(str(fact["evidence"] or ""), str(fact["value_text"] or ""))
            group.facts.append(FailingFact(
                fact_id, str(fact["file_name"]), fact["page_no"], str(fact["value_text"] or ""),  # type: ignore[arg-type]
                before, value, after, str(fact["indicator"] or "")))
    return list(groups.values())


def chart_data(con: duckdb.DuckDBPyConnection) -> list[Chart]:
    """Growth actuals and targets per region and year for the headline indicators."""
    rows = _dicts(con, """
        SELECT indicator_code, region, period_year, kind, value, comparator, fact_id, aspirational_value
        FROM indicators_wide
        WHERE measure = 'growth' AND period_start IS NULL AND unit = '%'
    """)
    points: dict[str, dict[tuple[str, int], ChartPoint]] = defaultdict(dict)
    for r in rows:
        code = str(r["indicator_code"])
        key = (str(r["region"]), int(r["period_year"]))  # type: ignore[arg-type]
        point = points[code].setdefault(key, ChartPoint(key[0], key[1], None, None, None, None, None, None))
        if r["kind"] == "actual":
            point.actual, point.actual_fact_id = r["value"], r["fact_id"]  # type: ignore[assignment]
        else:
            point.target, point.target_comparator = r["value"], r["comparator"]  # type: ignore[assignment]
            point.target_fact_id, point.stretch = r["fact_id"], r["aspirational_value"]  # type: ignore[assignment]
    order = {code: i for i, code in enumerate(HEADLINE_ORDER)}
    charts = []
    for code in sorted(points, key=lambda c: (order.get(c, len(order)), c)):
        if code not in order:
            continue
        chart = Chart(code, INDICATOR_LABELS.get(code, code),
                      sorted(points[code].values(), key=lambda p: (p.region, p.year)))
        chart.svg = target_actual_svg(chart)
        charts.append(chart)
    return charts


def comparisons(con: duckdb.DuckDBPyConnection) -> list[dict[str, object]]:
    return _dicts(con, """
        SELECT region, year, indicator, measure, target_comparator, target_value, target_unit, target_aspirational_value,
               actual_value, actual_unit, gap, gap_unit, target_met, target_file_name, actual_file_name
        FROM targets_vs_actuals WHERE actual_value IS NOT NULL
        ORDER BY region, year, indicator_code, measure
    """)


# --- SVG -----------------------------------------------------------------------------------------


def _fmt(value: float) -> str:
    """Shortest exact form of a stored number (never rounds: 3773.41 stays 3773.41, 7.0 → 7)."""
    text = repr(float(value))
    return text.removesuffix(".0")


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Round tick values covering [lo, hi] (1-2-5 steps)."""
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    value = start
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < hi:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def target_actual_svg(chart: Chart) -> Markup:
    """A dot plot: one row per region × year; target ◇ (orange, hollow), 力争 target ◇ (light),
    actual ● (blue), a grey line showing the gap. Values are labelled; hover shows the fact id."""
    values = [v for p in chart.points for v in (p.actual, p.target, p.stretch) if v is not None]
    ticks = nice_ticks(min(0.0, *values), max(0.0, *values))
    lo, hi = ticks[0], ticks[-1]
    left, right, top, row_h = 110, 16, 34, 28
    inner = 34  # room for a value label left of the lowest point
    width = 560
    plot_w = width - left - right - 2 * inner
    height = top + row_h * len(chart.points) + 34

    def x(v: float) -> float:
        return left + inner + (v - lo) / (hi - lo) * plot_w

    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" data-indicator="{_esc(chart.code)}">'),
           f'<title>{_esc(chart.title)}: growth, %, actual vs target</title>']
    for t in ticks:
        out.append(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 28}" class="grid{" zero" if t == 0 else ""}"/>')
        out.append(f'<text x="{x(t):.1f}" y="{height - 12}" class="tick" text-anchor="middle">{_esc(_fmt(t))}%</text>')
    for i, p in enumerate(chart.points):
        y = top + row_h * i + row_h / 2
        out.append(f'<text x="{left - 10}" y="{y + 4:.1f}" class="rowlabel" text-anchor="end">{_esc(p.region)} {p.year}</text>')
        ends = [v for v in (p.actual, p.target) if v is not None]
        if len(ends) == 2:
            out.append(f'<line x1="{x(ends[0]):.1f}" y1="{y:.1f}" x2="{x(ends[1]):.1f}" y2="{y:.1f}" class="gap"/>')
        if p.stretch is not None:
            out.append(_diamond(x(p.stretch), y, "point stretch", p.stretch, "力争 target", p.target_fact_id, TARGET_COLOUR, 0.35))
        if p.target is not None:
            label = f"target {p.target_comparator or '='} {_fmt(p.target)}%"
            out.append(_diamond(x(p.target), y, "point target", p.target, label, p.target_fact_id, TARGET_COLOUR, 1.0))
        if p.actual is not None:
            out.append(
                f'<circle cx="{x(p.actual):.1f}" cy="{y:.1f}" r="6" class="point actual" fill="{ACTUAL_COLOUR}" '
                f'data-value="{_esc(p.actual)}" data-fact-id="{_esc(p.actual_fact_id)}">'
                f'<title>{_esc(p.region)} {p.year} actual {_esc(_fmt(p.actual))}% ({_esc(p.actual_fact_id)})</title></circle>')
        labels = sorted(((v, t) for v, t in ((p.actual, "a"), (p.target, "t")) if v is not None), key=lambda vt: vt[0])
        for k, (v, kind) in enumerate(labels):
            anchor, dx = ("end", -10) if k == 0 and len(labels) == 2 else ("start", 10)
            colour = ACTUAL_COLOUR if kind == "a" else TARGET_COLOUR
            out.append(f'<text x="{x(v) + dx:.1f}" y="{y + 4:.1f}" class="value" fill="{colour}" '
                       f'text-anchor="{anchor}">{_esc(_fmt(v))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def _diamond(cx: float, cy: float, css: str, value: float, label: str, fact_id: str | None, colour: str,
             opacity: float) -> str:
    r = 7
    pts = f"{cx:.1f},{cy - r:.1f} {cx + r:.1f},{cy:.1f} {cx:.1f},{cy + r:.1f} {cx - r:.1f},{cy:.1f}"
    return (f'<polygon points="{pts}" class="{css}" fill="white" stroke="{colour}" stroke-width="2.5" '
            f'stroke-opacity="{opacity}" data-value="{_esc(value)}" data-fact-id="{_esc(fact_id)}">'
            f'<title>{_esc(label)} ({_esc(fact_id)})</title></polygon>')


def pages_svg(documents: list[DocumentLine]) -> Markup:
    """Stacked horizontal bars: pages read from the text layer and by OCR, per document."""
    docs = [d for d in documents if d.status == "ok"]
    if not docs:
        return Markup("")
    most = max(1, max(d.pages_text + d.pages_ocr for d in docs))
    left, right, row_h, top = 260, 60, 24, 28
    width = 640
    plot_w = width - left - right
    height = top + row_h * len(docs) + 10
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="chart pages" role="img" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}"><title>Pages by method per document</title>'),
           (f'<rect x="{left}" y="6" width="12" height="12" fill="{ACTUAL_COLOUR}"/>'
            f'<text x="{left + 18}" y="16" class="tick">text layer</text>'),
           (f'<rect x="{left + 110}" y="6" width="12" height="12" fill="{TARGET_COLOUR}"/>'
            f'<text x="{left + 128}" y="16" class="tick">OCR</text>')]
    for i, d in enumerate(docs):
        y = top + row_h * i
        name = d.file_name if len(d.file_name) <= 38 else d.file_name[:36] + "…"
        out.append(f'<text x="{left - 8}" y="{y + 14}" class="rowlabel" text-anchor="end">{_esc(name)}</text>')
        w_text = plot_w * d.pages_text / most
        w_ocr = plot_w * d.pages_ocr / most
        out.append(f'<rect x="{left}" y="{y + 3}" width="{w_text:.1f}" height="16" fill="{ACTUAL_COLOUR}" '
                   f'class="bar text" data-value="{d.pages_text}"/>')
        out.append(f'<rect x="{left + w_text:.1f}" y="{y + 3}" width="{w_ocr:.1f}" height="16" fill="{TARGET_COLOUR}" '
                   f'class="bar ocr" data-value="{d.pages_ocr}"/>')
        out.append(f'<text x="{left + w_text + w_ocr + 6:.1f}" y="{y + 15}" class="value">'
                   f'{d.pages_text + d.pages_ocr}</text>')
    out.append("</svg>")
    return Markup("".join(out))


# --- writing ----------------------------------------------------------------------------------------


def build_report(con: duckdb.DuckDBPyConnection, run_id: str) -> RunReport:
    run = run_row(con, run_id)
    in_run = run_document_ids(con, run_id, run)
    lines = document_lines(con, in_run)
    failures = failure_groups(con, run_id)
    total, failed = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE NOT success) FROM dq_results WHERE run_id = ?", [run_id]).fetchone() or (0, 0)
    db_path = (con.execute("SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
               .fetchone() or ("",))[0]
    return RunReport(
        run_id=run_id,
        generated_at=datetime.now(),
        run=run,
        documents=[d for d in lines if d.in_run],
        earlier_failures=[d for d in lines if not d.in_run and d.status == "failed"],
        failures=failures,
        expectations_total=int(total),
        expectations_failed=int(failed),
        charts=chart_data(con),
        pages_chart=pages_svg([d for d in lines if d.in_run]),
        comparisons=comparisons(con),
        db_path=str(db_path or ""),
    )


def render_report(report: RunReport) -> str:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["num"] = lambda v: "" if v is None else _fmt(float(v))
    return env.get_template("run_report.html").render(r=report)


def report_file_name(run_id: str) -> str:
    """``<run_id>.html``, with anything but letters, digits, '-', '_' and '.' replaced."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", run_id) + ".html"


def write_run_report(con: duckdb.DuckDBPyConnection, run_id: str, out_dir: Path) -> Path:
    """Write the run's self-contained HTML report into ``out_dir``; returns its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / report_file_name(run_id)
    text = render_report(build_report(con, run_id))
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)  # a browser refreshing the page never sees half a report
    log.info("run report: %s", path)
    return path
