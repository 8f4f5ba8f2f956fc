"""GX validation results → per-(expectation, document) outcomes with the failing ids."""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

# GX 1.x severities: critical (the default) is our 'error'; warning and info only warn.
_SEVERITY = {"critical": "error", "warning": "warning", "info": "warning"}

SAMPLE_SIZE = 5
"""Unexpected rows kept per document in dq_results.details (the full list is in Data Docs)."""


def severity_of(gx_severity: object) -> Severity:
    value = getattr(gx_severity, "value", gx_severity)
    return _SEVERITY.get(str(value), "error")  # type: ignore[return-value]


def expectation_name(config: Any) -> str:
    """The stable name of an expectation: meta.name in the suite JSON, else its type."""
    meta = config.meta or {}
    return str(meta.get("name") or config.type)


@dataclass(slots=True)
class ExpectationOutcome:
    """One expectation's result in one suite run, split by document."""

    suite: str
    name: str
    expectation_type: str
    severity: Severity
    description: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    per_row: bool
    """True when GX reported the unexpected rows (map expectations)."""
    failing: dict[str, list[str]] = field(default_factory=dict)
    """doc_id → failing ids (fact_ids; doc_ids for the documents suite)."""
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    observed_value: Any = None
    exception: str | None = None

    def doc_success(self, doc_id: str) -> bool:
        if self.exception is not None:
            return False
        if self.per_row:
            return doc_id not in self.failing
        return self.success

    def details(self, doc_id: str) -> str:
        failing = self.failing.get(doc_id, [])
        payload: dict[str, Any] = {
            "suite": self.suite,
            "type": self.expectation_type,
            "description": self.description,
            "element_count": self.element_count,
            "unexpected_count_run": self.unexpected_count,
            "unexpected_count": len(failing) if self.per_row else None,
        }
        if self.samples.get(doc_id):
            payload["unexpected_sample"] = self.samples[doc_id]
        if self.observed_value is not None:
            payload["observed_value"] = self.observed_value
        if self.exception is not None:
            payload["exception"] = self.exception
        return json.dumps(_json_safe(payload), ensure_ascii=False)


def _json_safe(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "tolist") and not isinstance(value, str):
        return _json_safe(value.tolist())
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    try:
        if pd.isna(value):  # pd.NA, NaT
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def outcomes_from_result(
    suite: str, suite_result: Any, id_column: str, doc_column: str = "doc_id"
) -> list[ExpectationOutcome]:
    """Read a GX ExpectationSuiteValidationResult (result_format COMPLETE with
    ``unexpected_index_column_names`` containing ``id_column`` and ``doc_column``)."""
    outcomes = []
    for result in suite_result.results:
        config = result.expectation_config
        details = result.result or {}
        exception = None
        if result.exception_info and result.exception_info.get("raised_exception"):
            exception = str(result.exception_info.get("exception_message"))
            log.warning("expectation %s raised: %s", expectation_name(config), exception)
        index_rows = details.get("unexpected_index_list")
        outcome = ExpectationOutcome(
            suite=suite,
            name=expectation_name(config),
            expectation_type=config.type,
            severity=severity_of(config.severity),
            description=config.description or "",
            success=bool(result.success),
            element_count=details.get("element_count"),
            unexpected_count=details.get("unexpected_count"),
            per_row=isinstance(index_rows, list),
            observed_value=_json_safe(details.get("observed_value")),
            exception=exception,
        )
        for row in index_rows or ():
            doc = row.get(doc_column)
            if doc is None:
                continue  # a row without a document id cannot be attributed (doc_id_not_null says so)
            doc = str(doc)
            ident = row.get(id_column)
            if ident is not None:
                outcome.failing.setdefault(doc, []).append(str(ident))
            else:
                outcome.failing.setdefault(doc, [])
            sample = outcome.samples.setdefault(doc, [])
            if len(sample) < SAMPLE_SIZE:
                sample.append(_json_safe(row))
        for doc in outcome.failing:
            outcome.failing[doc] = sorted(set(outcome.failing[doc]))
        outcomes.append(outcome)
    return outcomes


def failed_ids(outcomes: Iterable[ExpectationOutcome], severity: Severity = "error") -> set[str]:
    return {
        ident
        for o in outcomes
        if o.severity == severity and o.exception is None
        for ids in o.failing.values()
        for ident in ids
    }
