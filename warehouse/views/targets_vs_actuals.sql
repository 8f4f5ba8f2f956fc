-- targets_vs_actuals: each target (kind = 'target' in indicators_wide) beside the actual
-- reported for the same region, indicator, measure and year — normally by the next year's
-- report, which reviews that year. Targets whose actual is not loaded yet keep NULL actuals.
--
-- gap = actual − target, in the target's unit when both are written in the same unit, else in
-- the normalised base unit when both normalise to the same one; for percentages the gap is
-- in percentage points (gap_unit '个百分点'). target_met compares by the target's comparator:
-- '>=' and '=' (a plan figure is a floor: 增长7% is met by 7.2%) need actual ≥ target,
-- '<=' needs actual ≤ target, '~' (左右) has no pass/fail and gives NULL.
CREATE OR REPLACE VIEW targets_vs_actuals AS
WITH paired AS (
    SELECT
        t.*,
        a.value AS a_value,
        a.unit AS a_unit,
        a.comparator AS a_comparator,
        a.value_text AS a_value_text,
        a.value_base AS a_value_base,
        a.base_unit AS a_base_unit,
        a.file_name AS a_file_name,
        a.report_year AS a_report_year,
        a.page_no AS a_page_no,
        a.fact_id AS a_fact_id,
        a.evidence AS a_evidence,
        CASE
            WHEN a.value IS NULL OR t.value IS NULL THEN NULL
            WHEN a.unit = t.unit THEN a.value - t.value
            WHEN a.base_unit = t.base_unit THEN a.value_base - t.value_base
        END AS gap_value,
        CASE
            WHEN a.value IS NULL OR t.value IS NULL THEN NULL
            WHEN a.unit = t.unit THEN CASE WHEN t.unit = '%' THEN '个百分点' ELSE t.unit END
            WHEN a.base_unit = t.base_unit THEN CASE WHEN t.base_unit = '%' THEN '个百分点' ELSE t.base_unit END
        END AS gap_unit_name
    FROM indicators_wide AS t
    LEFT JOIN indicators_wide AS a
      ON a.kind = 'actual'
     AND a.region = t.region
     AND a.indicator_code = t.indicator_code
     AND a.measure = t.measure
     AND a.period_year = t.period_year
     AND a.period_start IS NOT DISTINCT FROM t.period_start
    WHERE t.kind = 'target'
)
SELECT
    region,
    period_year AS year,
    period_start,
    indicator_code,
    measure,
    indicator,
    comparator AS target_comparator,
    value AS target_value,
    unit AS target_unit,
    value_text AS target_value_text,
    aspirational AS target_aspirational,
    aspirational_value AS target_aspirational_value,
    aspirational_comparator AS target_aspirational_comparator,
    a_value AS actual_value,
    a_unit AS actual_unit,
    a_comparator AS actual_comparator,
    a_value_text AS actual_value_text,
    round(gap_value, 6) AS gap,
    gap_unit_name AS gap_unit,
    CASE
        WHEN gap_value IS NULL THEN NULL
        WHEN comparator IN ('>=', '=') THEN gap_value >= -1e-9
        WHEN comparator = '<=' THEN gap_value <= 1e-9
    END AS target_met,
    file_name AS target_file_name,
    report_year AS target_report_year,
    page_no AS target_page_no,
    fact_id AS target_fact_id,
    evidence AS target_evidence,
    a_file_name AS actual_file_name,
    a_report_year AS actual_report_year,
    a_page_no AS actual_page_no,
    a_fact_id AS actual_fact_id,
    a_evidence AS actual_evidence
FROM paired;

COMMENT ON VIEW targets_vs_actuals IS 'Each target in indicators_wide beside the actual reported for that region, indicator, measure and year (normally in the next year''s report), with gap = actual − target (percentage points for %) and target_met by the target''s comparator; actual columns are NULL until the reviewing report is loaded.';
