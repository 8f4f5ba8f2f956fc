"""The pandas frames GX validates, read from the warehouse.

GX 1.24's SQL datasource cannot validate DuckDB (every metric fails with ``list index out of
range``, GX #10738/#11579), so each suite runs on a dataframe read here.

Text columns are turned into object columns holding ``str`` or ``None``: DuckDB's pandas export
gives a ``str`` dtype for a text column with values but ``object`` for an all-NULL one, and GX's
type check would then depend on the data. Lists (``parts``) become Python lists.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

FACT_KEY_SQL = ("region", "period_year", "period_start", "indicator_code", "measure", "kind")


def _plain(value: object) -> object:
    if hasattr(value, "tolist") and not isinstance(value, str):
        return value.tolist()  # numpy array (a DOUBLE[] cell) → list
    return value


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_string_dtype(series.dtype) or series.dtype == object:
            missing = series.isna().to_numpy()
            values = [
                None if m else _plain(v) for v, m in zip(series.to_numpy(dtype=object), missing, strict=True)
            ]
            # Build the object column directly: Series.map/astype would infer 'str' again.
            frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def facts_frame(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> pd.DataFrame:
    """The facts of ``doc_ids`` with their document's report_year."""
    frame = con.execute(
        """
        SELECT f.*, d.report_year
        FROM facts f LEFT JOIN documents d ON d.doc_id = f.doc_id
        WHERE f.doc_id IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY f.doc_id, f.paragraph_seq, f.value_start, f.fact_id
        """,
        [list(doc_ids)],
    ).df()
    return _normalise(frame)


def documents_frame(con: duckdb.DuckDBPyConnection, doc_ids: Sequence[str]) -> pd.DataFrame:
    frame = con.execute(
        "SELECT * FROM documents WHERE doc_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY doc_id",
        [list(doc_ids)],
    ).df()
    return _normalise(frame)


def cross_document_frame(
    con: duckdb.DuckDBPyConnection,
    doc_ids: Sequence[str],
    error_expectations: Sequence[str],
) -> pd.DataFrame:
    """Every fact in the warehouse that shares its key with a fact of ``doc_ids``, flagged
    ``reliable`` unless the latest error-level result of its document lists it as failing.

    Why ``reliable``: a number already known to be wrong (a misread OCR digit, an impossible
    growth) must not make a correct statement of the same fact in another document suspect.
    The run's own results must already be in ``dq_results`` when this is called.
    """
    frame = con.execute(
        """
        WITH run_keys AS (
            SELECT DISTINCT region, period_year, period_start, indicator_code, measure, kind,
                   coalesce(aspirational, false) AS aspirational
            FROM facts
            WHERE doc_id IN (SELECT unnest($doc_ids::VARCHAR[]))
              AND region IS NOT NULL AND period_year IS NOT NULL AND indicator_code IS NOT NULL
              AND measure IS NOT NULL AND kind IS NOT NULL
        ),
        latest AS (
            SELECT doc_id, failing_fact_ids
            FROM dq_results
            WHERE expectation IN (SELECT unnest($names::VARCHAR[])) AND severity = 'error'
            QUALIFY row_number() OVER (PARTITION BY doc_id, expectation ORDER BY checked_at DESC) = 1
        ),
        failed AS (
            SELECT DISTINCT doc_id, unnest(failing_fact_ids) AS fact_id FROM latest
        )
        SELECT f.*,
               NOT EXISTS (SELECT 1 FROM failed x WHERE x.doc_id = f.doc_id AND x.fact_id = f.fact_id) AS reliable
        FROM facts f
        JOIN run_keys k
          ON f.region = k.region AND f.period_year = k.period_year
         AND f.period_start IS NOT DISTINCT FROM k.period_start
         AND f.indicator_code = k.indicator_code AND f.measure = k.measure AND f.kind = k.kind
         AND coalesce(f.aspirational, false) = k.aspirational
        ORDER BY f.doc_id, f.paragraph_seq, f.value_start, f.fact_id
        """,
        {"doc_ids": list(doc_ids), "names": list(error_expectations)},
    ).df()
    return _normalise(frame)
