"""The HTML run report: content from the warehouse, self-contained, and checked in a real
headless Chromium (loads, shows its SVG charts with data points, no console errors, no
network requests beyond the file itself)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from report_browser import Browser, chromium_available
from views_fixtures import (
    FAILING_EXPECTATION,
    GOLD_FILES,
    SYNTHETIC_2024_FILE,
    BuiltWarehouse,
    build_gold_warehouse,
)

from reportflow.report import (
    build_report,
    nice_ticks,
    render_report,
    report_file_name,
    summarize_details,
    write_run_report,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuiltWarehouse:
    return build_gold_warehouse(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def report_path(built: BuiltWarehouse, tmp_path_factory: pytest.TempPathFactory) -> Path:
    con = duckdb.connect(str(built.path), read_only=True)
    try:
        return write_run_report(con, built.run_id, tmp_path_factory.mktemp("reports"))
    finally:
        con.close()


def headline_points(built: BuiltWarehouse) -> dict[str, int]:
    """Expected chart points: growth actuals and targets in indicators_wide, by kind."""
    con = duckdb.connect(str(built.path), read_only=True)
    codes = ("gdp", "industrial_va", "fai", "retail_sales", "trade", "budget_revenue", "disposable_income",
             "rural_disposable_income", "cpi")
    rows = con.execute(
        "SELECT kind, count(*), count(aspirational_value) FROM indicators_wide WHERE measure = 'growth' "
        "AND unit = '%' AND period_start IS NULL AND indicator_code IN (SELECT unnest(?::VARCHAR[])) GROUP BY kind",
        [list(codes)],
    ).fetchall()
    con.close()
    counts = {kind: n for kind, n, _ in rows}
    return {"actual": counts["actual"], "target": counts["target"], "stretch": sum(s for _, _, s in rows)}


def test_report_lists_the_runs_documents_failures_and_charts(report_path: Path, built: BuiltWarehouse) -> None:
    html = report_path.read_text(encoding="utf-8")
    assert report_path.name == "run-gold.html"
    for file_name in [*GOLD_FILES.values(), SYNTHETIC_2024_FILE, "broken-scan.pdf"]:
        assert file_name in html
    assert "corrupt_pdf" in html  # the failed document with its error
    # The failing fact with its evidence, number marked, and the command to see it on the page.
    assert FAILING_EXPECTATION in html
    assert "外贸进出口总额增长<mark>1.1%</mark>" in html
    assert re.search(r"reportflow show [0-9a-f]{12}-\d+-\d+-\d+", html)
    # One chart per headline growth indicator present, with one point per actual and target.
    charts = re.findall(r'<svg [^>]*data-indicator="([a-z_]+)"', html)
    assert charts[:3] == ["gdp", "industrial_va", "fai"]
    expected = headline_points(built)
    assert html.count('class="point actual"') == expected["actual"]
    assert html.count('class="point target"') == expected["target"]
    assert html.count('class="point stretch"') == expected["stretch"] == 1  # 江门市 力争7%以上
    # Target against actual (开平市 GDP 2023: ≥7 target, 5.2 actual from the 2024 report).
    assert re.search(r"开平市</td><td class=\"n\">2023</td><td>地区生产总值</td>.*?5\.2 %.*?-1\.8 个百分点", html, re.DOTALL)


def test_report_is_self_contained(report_path: Path) -> None:
    html = report_path.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""\b(src|href)\s*=""", html)
    assert "@import" not in html and "url(" not in html
    # The only URL is the SVG namespace (an identifier, never fetched).
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= {"http://www.w3.org/2000/svg"}


def test_report_escapes_text_from_documents(built: BuiltWarehouse) -> None:
    con = duckdb.connect(str(built.path), read_only=True)
    report = build_report(con, built.run_id)
    con.close()
    report.failures[0].facts[0].evidence_before = '<img src=x onerror="alert(1)">'
    html = render_report(report)
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_report_of_an_unknown_or_empty_run_still_renders(built: BuiltWarehouse, tmp_path: Path) -> None:
    con = duckdb.connect(str(built.path), read_only=True)
    path = write_run_report(con, "no/such run", tmp_path)
    con.close()
    assert path.name == "no_such_run.html" == report_file_name("no/such run")
    html = path.read_text(encoding="utf-8")
    assert "No document was loaded or validated in this run." in html
    assert "No expectation failed in this run." in html
    assert 'data-indicator="gdp"' in html  # the charts cover the whole warehouse


def test_nice_ticks_cover_the_range_with_round_steps() -> None:
    assert nice_ticks(-1.5, 8.0) == [-2.0, 0.0, 2.0, 4.0, 6.0, 8.0]
    assert nice_ticks(0.0, 9.0) == [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
    ticks = nice_ticks(0.0, 0.3)
    assert ticks[0] <= 0 and ticks[-1] >= 0.3 and len(ticks) <= 8


@pytest.mark.skipif(not chromium_available(), reason="chromium is not installed (scripts/setup.sh installs it)")
def test_report_opens_in_headless_chromium_with_its_charts(report_path: Path, built: BuiltWarehouse, tmp_path: Path) -> None:
    expected = headline_points(built)
    with Browser() as browser:
        page = browser.load(report_path.as_uri(), {
            "title": "document.title",
            "charts": "document.querySelectorAll('svg.chart').length",
            "indicator_charts": "document.querySelectorAll('figure.indicator-chart svg').length",
            "actual_points": "document.querySelectorAll('svg.chart .point.actual').length",
            "target_points": "document.querySelectorAll('svg.chart .point.target').length",
            "rendered_points": "[...document.querySelectorAll('svg.chart .point')]"
                               ".filter(e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0; }).length",
            "gdp_actual_values": "[...document.querySelectorAll('svg[data-indicator=gdp] .point.actual')]"
                                 ".map(e => Number(e.dataset.value))",
            "status": "document.getElementById('run-status').textContent",
            "documents": "document.querySelectorAll('#documents tr.doc').length",
            "failing_facts": "document.querySelectorAll('tr.failing-fact').length",
            "body_height": "document.body.scrollHeight",
        })
    (tmp_path / "report.png").write_bytes(page.screenshot)
    assert page.loaded
    assert page.errors == []
    assert page.requests == [report_path.as_uri()]  # nothing fetched but the file itself
    values = page.values
    assert values["title"] == f"reportflow run {built.run_id}"
    assert values["status"] == "failed"
    assert values["indicator_charts"] >= 6 and values["charts"] == values["indicator_charts"] + 1  # + pages by method
    assert values["actual_points"] == expected["actual"] and values["target_points"] == expected["target"]
    assert values["rendered_points"] == expected["actual"] + expected["target"] + expected["stretch"]
    assert sorted(values["gdp_actual_values"]) == [2.8, 3.3, 4.0, 5.2]  # 开平 2022/2023, 江门 2022, 新会 2022
    assert values["documents"] == 5 and values["failing_facts"] == 1
    assert values["body_height"] > 1500
    assert len(page.screenshot) > 50_000  # a real rendering, not a blank page


def test_gx_details_are_summarised_not_dumped() -> None:
    details = ('{"suite": "facts", "type": "expect_column_values_to_be_between", "description": "A rate lies between '
               '0 % and 100 %.", "element_count": 32, "unexpected_count": 1, "unexpected_sample": [{"value": 123.5}]}')
    assert summarize_details(details) == "A rate lies between 0 % and 100 %.; 1 unexpected of 32 checked"
    assert summarize_details("plain words") == "plain words"
    assert len(summarize_details("x" * 1000)) == 300
