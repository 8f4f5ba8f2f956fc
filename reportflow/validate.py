"""The validate stage: run the Great Expectations suites over a run's facts.

``validate_run`` reads the run's facts and documents from DuckDB into pandas frames, runs the
three checkpoints of the committed GX context under ``expectations/`` —

* ``facts``: per-fact and per-clause checks (schema, allowed values, ranges per measure,
  evidence, value vs digits, period vs report year, unit conversions, OCR confidence);
* ``facts_cross_document``: the same fact stated by two documents agrees (run after ``facts``
  because facts that already failed there are left out of the comparison);
* ``documents``: report year and region known, ids unique —

writes one ``dq_results`` row per (expectation, document) with the failing fact_ids, sets
``facts.dq_status`` and builds Data Docs. Severity lives in each expectation's GX ``severity``
field in the suite JSON: ``critical`` is our *error* (the fact is 'failed' and left out of the
``facts_clean`` view), ``warning`` is a warning.

GX is imported lazily: importing this module (for ``ValidationSummary``) stays cheap.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

if TYPE_CHECKING:
    from reportflow.validation.outcomes import ExpectationOutcome, Severity

log = logging.getLogger(__name__)

FACTS_SUITE = "facts"
CROSS_SUITE = "facts_cross_document"
DOCUMENTS_SUITE = "documents"
SUITES = (FACTS_SUITE, CROSS_SUITE, DOCUMENTS_SUITE)

CDN_NOTE = (
    "Data Docs pages load their stylesheets and scripts (Bootstrap, jQuery, Font Awesome, ...) "
    "from public CDNs; without internet they open unstyled."
)


@dataclass(frozen=True, slots=True)
class ExpectationLine:
    """One expectation of the run, over all its documents."""

    suite: str
    name: str
    severity: Severity
    success: bool
    failing_facts: int
    failing_documents: int
    description: str
    note: str = ""
    """Observed value of a table-level expectation, or the exception it raised."""


@dataclass(slots=True)
class ValidationSummary:
    run_id: str
    documents: int
    facts: int
    expectations_evaluated: int = 0
    expectations_passed: int = 0
    expectations_failed: int = 0
    error_expectations_failed: int = 0
    warning_expectations_failed: int = 0
    facts_failed: int = 0
    """Facts of the run's documents with dq_status 'failed'."""
    facts_warning: int = 0
    facts_passed: int = 0
    other_documents: int = 0
    """Documents outside the run that the cross-document check compared with (and re-rated)."""
    other_facts_failed: int = 0
    """Facts of those other documents now 'failed' (for whatever reason)."""
    dq_result_rows: int = 0
    lines: list[ExpectationLine] = field(default_factory=list)
    data_docs_index: Path | None = None
    data_docs_error: str | None = None
    seconds: float = 0.0

    def to_markdown(self) -> str:
        status = "passed" if self.error_expectations_failed == 0 else "failed"
        out = [
            f"# Validation of run `{self.run_id}`: {status}",
            "",
            (
                f"- documents: {self.documents} (+{self.other_documents} other documents compared across "
                f"documents, {self.other_facts_failed} of their facts failed)"
            ),
            (
                f"- facts: {self.facts}: {self.facts_passed} passed, {self.facts_warning} with warnings, "
                f"**{self.facts_failed} failed** (kept in `facts`, left out of `facts_clean`)"
            ),
            (
                f"- expectations: {self.expectations_evaluated} evaluated, {self.expectations_passed} passed, "
                f"{self.expectations_failed} failed ({self.error_expectations_failed} error, "
                f"{self.warning_expectations_failed} warning)"
            ),
            f"- `dq_results` rows written: {self.dq_result_rows}; {self.seconds:.1f} s",
        ]
        if self.data_docs_index:
            out.append(f"- Data Docs: `{self.data_docs_index}` ({CDN_NOTE})")
        if self.data_docs_error:
            out.append(f"- Data Docs could not be built: {self.data_docs_error}")
        out += [
            "",
            "| suite | expectation | severity | result | failing facts | documents | note |",
            "| --- | --- | --- | --- | ---: | ---: | --- |",
        ]
        order = {False: 0, True: 1}
        for line in sorted(
            self.lines, key=lambda l: (order[l.success], l.severity != "error", l.suite, l.name)
        ):
            mark = "pass" if line.success else ("**FAIL**" if line.severity == "error" else "warn")
            note = line.note.replace("|", "\\|").replace("\n", " ")[:120]
            out.append(
                f"| {line.suite} | {line.name} | {line.severity} | {mark} | {line.failing_facts} "
                f"| {line.failing_documents} | {note} |"
            )
        return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------


def validate_run(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    doc_ids: list[str],
    data_docs_dir: Path | None = None,
) -> ValidationSummary:
    """Validate the facts of ``doc_ids`` (and their agreement with other documents' facts).

    Writes ``dq_results`` and ``facts.dq_status`` in one transaction; builds Data Docs under
    ``data_docs_dir`` when given. Re-running with the same run_id replaces that run's rows.
    """
    from reportflow.validation import frames
    from reportflow.validation.context import data_docs_index, open_context

    started = time.perf_counter()
    doc_ids = sorted(set(doc_ids))
    facts = frames.facts_frame(con, doc_ids)
    summary = ValidationSummary(run_id=run_id, documents=len(doc_ids), facts=len(facts))
    if not doc_ids:
        summary.data_docs_index = data_docs_index(data_docs_dir)
        return summary
    documents = frames.documents_frame(con, doc_ids)
    context = open_context(data_docs_dir)
    checked_at = datetime.now(UTC).replace(tzinfo=None)
    gx_run = _gx_run_id(run_id, checked_at)

    with _transaction(con):
        results: list[Any] = []
        facts_outcomes = _run_suite(context, FACTS_SUITE, facts, gx_run, "fact_id", results)
        con.execute(
            "DELETE FROM dq_results WHERE run_id = ? AND doc_id IN (SELECT unnest(?::VARCHAR[]))",
            [run_id, doc_ids],
        )
        rows = _result_rows(run_id, checked_at, facts_outcomes, doc_ids, fact_ids=True)
        _insert_results(con, rows)

        error_names = _names(context, FACTS_SUITE, severity="error")
        cross = frames.cross_document_frame(con, doc_ids, error_names)
        cross_docs = sorted(set(cross["doc_id"]) | set(doc_ids)) if len(cross) else doc_ids
        other_docs = [d for d in cross_docs if d not in set(doc_ids)]
        cross_outcomes = _run_suite(context, CROSS_SUITE, cross, gx_run, "fact_id", results)
        documents_outcomes = _run_suite(context, DOCUMENTS_SUITE, documents, gx_run, "doc_id", results)
        if other_docs:
            con.execute(
                "DELETE FROM dq_results WHERE run_id = ? AND doc_id IN (SELECT unnest(?::VARCHAR[]))",
                [run_id, other_docs],
            )
        more = _result_rows(run_id, checked_at, cross_outcomes, cross_docs, fact_ids=True)
        more += _result_rows(run_id, checked_at, documents_outcomes, doc_ids, fact_ids=False)
        _insert_results(con, more)

        all_names = [n for suite in SUITES for n in _names(context, suite)]
        affected = sorted(set(doc_ids) | set(other_docs))
        _update_statuses(con, affected, all_names, _names(context, FACTS_SUITE))

    if data_docs_dir is not None:
        try:
            _build_data_docs(context, results)
        except Exception as exc:  # the results are committed; a broken page must not undo them
            log.exception("building Data Docs under %s failed", data_docs_dir)
            summary.data_docs_error = f"{type(exc).__name__}: {exc}"
    outcomes = facts_outcomes + cross_outcomes + documents_outcomes
    _fill_summary(con, summary, outcomes, doc_ids, other_docs, len(rows) + len(more))
    summary.data_docs_index = data_docs_index(data_docs_dir)
    summary.seconds = time.perf_counter() - started
    log.info(
        "validated run %s: %d documents, %d facts, %d/%d expectations failed, %d facts failed in %.1f s",
        run_id,
        summary.documents,
        summary.facts,
        summary.expectations_failed,
        summary.expectations_evaluated,
        summary.facts_failed,
        summary.seconds,
    )
    return summary


# ---------------------------------------------------------------------------------------------
# GX


def _gx_run_id(run_id: str, when: datetime) -> Any:
    from great_expectations.core.run_identifier import RunIdentifier

    # Our run_id names the GX run, so Data Docs pages can be matched to runs/dq_results rows.
    return RunIdentifier(run_name=run_id, run_time=when.replace(tzinfo=UTC))


def _names(context: Any, suite: str, severity: Severity | None = None) -> list[str]:
    from reportflow.validation.outcomes import expectation_name, severity_of

    return [
        expectation_name(e)
        for e in context.suites.get(suite).expectations
        if severity is None or severity_of(e.severity) == severity
    ]


def _run_suite(
    context: Any, suite: str, frame: pd.DataFrame, gx_run: Any, id_column: str, built: list[Any]
) -> list[ExpectationOutcome]:
    """Run the suite's checkpoint on ``frame``; remember the result for Data Docs."""
    from reportflow.validation.outcomes import outcomes_from_result

    checkpoint = context.checkpoints.get(suite)
    result = checkpoint.run(batch_parameters={"dataframe": frame}, run_id=gx_run)
    ((identifier, suite_result),) = result.run_results.items()
    built.append(identifier)
    return outcomes_from_result(suite, suite_result, id_column=id_column)


def _build_data_docs(context: Any, identifiers: list[Any]) -> None:
    """Render this run's three validation pages, the suite pages and the index, once.

    (Not an UpdateDataDocsAction per checkpoint: that would rebuild the index three times.)
    """
    from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

    from reportflow.validation.context import SITE_NAME

    suites = [ExpectationSuiteIdentifier(name=name) for name in SUITES]
    context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=[*identifiers, *suites])


# ---------------------------------------------------------------------------------------------
# Warehouse writes


class _transaction:
    """BEGIN/COMMIT around the writes, unless the caller already has a transaction open."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.owned = False

    def __enter__(self) -> None:
        try:
            self.con.execute("BEGIN TRANSACTION")
            self.owned = True
        except duckdb.TransactionException:
            self.owned = False  # the caller's transaction: it commits or rolls back

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if not self.owned:
            return
        self.con.execute("ROLLBACK" if exc_type else "COMMIT")


def _result_rows(
    run_id: str,
    checked_at: datetime,
    outcomes: Sequence[ExpectationOutcome],
    doc_ids: Sequence[str],
    fact_ids: bool,
) -> list[dict[str, Any]]:
    return [
        {
            "run_id": run_id,
            "doc_id": doc_id,
            "expectation": o.name,
            "severity": o.severity,
            "success": o.doc_success(doc_id),
            "details": o.details(doc_id),
            "failing_fact_ids": o.failing.get(doc_id, []) if fact_ids else [],
            "checked_at": checked_at,
        }
        for o in outcomes
        for doc_id in doc_ids
    ]


def _insert_results(con: duckdb.DuckDBPyConnection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    import pyarrow as pa

    table = pa.Table.from_pylist(
        rows,
        schema=pa.schema(
            [
                ("run_id", pa.string()),
                ("doc_id", pa.string()),
                ("expectation", pa.string()),
                ("severity", pa.string()),
                ("success", pa.bool_()),
                ("details", pa.string()),
                ("failing_fact_ids", pa.list_(pa.string())),
                ("checked_at", pa.timestamp("us")),
            ]
        ),
    )
    con.register("_dq_rows", table)
    try:
        con.execute(
            "INSERT INTO dq_results (run_id, doc_id, expectation, severity, success, details, failing_fact_ids, "
            "checked_at) SELECT run_id, doc_id, expectation, severity, success, details, failing_fact_ids, "
            "checked_at FROM _dq_rows"
        )
    finally:
        con.unregister("_dq_rows")


def _update_statuses(
    con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str], names: Sequence[str], facts_names: Sequence[str]
) -> None:
    """dq_status from the latest result of every current expectation for each document.

    Using the latest row per (expectation, document) rather than this run's rows alone lets a
    document outside the run recover when the conflicting document is corrected, and keeps a
    document's own-run results when another run only re-checks it across documents. A document
    the facts suite has never checked (loaded, not yet validated, but implicated across
    documents) keeps 'unchecked' for the facts nothing flagged: they are not 'passed'.
    """
    params = {"docs": list(doc_ids), "names": list(names)}
    con.execute(
        """
        UPDATE facts SET dq_status = CASE
            WHEN doc_id IN (
                SELECT doc_id FROM dq_results WHERE expectation IN (SELECT unnest($facts_names::VARCHAR[]))
            ) THEN 'passed' ELSE 'unchecked' END
        WHERE doc_id IN (SELECT unnest($docs::VARCHAR[]))
        """,
        {"docs": params["docs"], "facts_names": list(facts_names)},
    )
    con.execute(
        """
        WITH latest AS (
            SELECT doc_id, severity, failing_fact_ids
            FROM dq_results
            WHERE doc_id IN (SELECT unnest($docs::VARCHAR[]))
              AND expectation IN (SELECT unnest($names::VARCHAR[]))
            QUALIFY row_number() OVER (PARTITION BY doc_id, expectation ORDER BY checked_at DESC) = 1
        ),
        flagged AS (
            SELECT doc_id, unnest(failing_fact_ids) AS fact_id, severity FROM latest
        ),
        worst AS (
            SELECT doc_id, fact_id, bool_or(severity = 'error') AS has_error
            FROM flagged GROUP BY doc_id, fact_id
        )
        UPDATE facts SET dq_status = CASE WHEN worst.has_error THEN 'failed' ELSE 'warning' END
        FROM worst
        WHERE facts.doc_id = worst.doc_id AND facts.fact_id = worst.fact_id
        """,
        params,
    )


def _fill_summary(
    con: duckdb.DuckDBPyConnection,
    summary: ValidationSummary,
    outcomes: Sequence[ExpectationOutcome],
    doc_ids: Sequence[str],
    other_docs: Sequence[str],
    row_count: int,
) -> None:
    for o in outcomes:
        failing_ids = {i for ids in o.failing.values() for i in ids}
        note = o.exception or ("" if o.per_row or o.success else f"observed: {o.observed_value}")
        summary.lines.append(
            ExpectationLine(
                suite=o.suite,
                name=o.name,
                severity=o.severity,
                success=o.success and o.exception is None,
                failing_facts=len(failing_ids) if o.suite != DOCUMENTS_SUITE else 0,
                failing_documents=len(o.failing) if o.per_row else (0 if o.success else summary.documents),
                description=o.description,
                note=note,
            )
        )
    summary.expectations_evaluated = len(summary.lines)
    summary.expectations_passed = sum(line.success for line in summary.lines)
    summary.expectations_failed = summary.expectations_evaluated - summary.expectations_passed
    summary.error_expectations_failed = sum(not l.success and l.severity == "error" for l in summary.lines)
    summary.warning_expectations_failed = sum(
        not l.success and l.severity == "warning" for l in summary.lines
    )
    counts = _status_counts(con, doc_ids)
    summary.facts_failed = counts.get("failed", 0)
    summary.facts_warning = counts.get("warning", 0)
    summary.facts_passed = counts.get("passed", 0)
    summary.other_facts_failed = _status_counts(con, other_docs).get("failed", 0)
    summary.dq_result_rows = row_count
    summary.other_documents = len(other_docs)


def _status_counts(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> dict[str, int]:
    if not doc_ids:
        return {}
    rows = con.execute(
        "SELECT dq_status, count(*) FROM facts WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY ALL",
        [list(doc_ids)],
    ).fetchall()
    return {str(status): int(n) for status, n in rows}
