-- indicators_wide: one row per region × period_year × period_start × indicator_code × measure
-- × kind, from the validated facts (facts_clean; sorts after facts_clean.sql).
--
-- Several statements can give the same key: a figure repeated in a heading and a sentence,
-- a firm target beside a 力争 (aspirational) one, two reports quoting the same year. The row
-- shows one statement and says how many there were:
--   * firm before aspirational (a 力争 figure next to a firm one goes to aspirational_value);
--   * the region's own report before another region's report quoting it;
--   * the report that naturally carries it (targets: the report of that year; actuals: the
--     report of the next year, which reviews it), then the most recent report;
--   * then document and reading order, so the choice is stable.
-- distinct_values > 1 means the statements disagree: look them up in fact_sources.
CREATE OR REPLACE VIEW indicators_wide AS
WITH statements AS (
    SELECT
        f.*,
        d.file_name,
        d.report_year,
        coalesce(f.aspirational, false) AS is_aspirational,
        row_number() OVER (
            PARTITION BY f.region, f.period_year, f.period_start, f.indicator_code, f.measure, f.kind,
                         coalesce(f.aspirational, false)
            ORDER BY
                (d.region IS NOT DISTINCT FROM f.region) DESC,
                coalesce(d.report_year = f.period_year + CASE WHEN f.kind = 'actual' THEN 1 ELSE 0 END, false) DESC,
                d.report_year DESC NULLS LAST,
                f.doc_id, f.paragraph_seq, f.value_start, f.fact_id
        ) AS rank_in_class
    FROM facts_clean AS f
    JOIN documents AS d ON d.doc_id = f.doc_id
    WHERE f.indicator_code IS NOT NULL
      AND f.region IS NOT NULL
      AND f.period_year IS NOT NULL
      AND f.kind IN ('actual', 'target')
      AND d.status = 'ok'
),
classes AS (
    -- Per key and firmness: how many statements, and how many different values they give
    -- (compared after unit normalisation, so 4.5万人 and 45000人 agree).
    SELECT
        region, period_year, period_start, indicator_code, measure, kind, is_aspirational,
        count(*) AS class_statements,
        count(DISTINCT doc_id) AS class_documents,
        count(DISTINCT (coalesce(value_base, value), coalesce(base_unit, unit), parts)) AS class_values
    FROM statements
    GROUP BY ALL
),
keys AS (
    SELECT
        region, period_year, period_start, indicator_code, measure, kind,
        sum(class_statements)::INTEGER AS statements,
        bool_or(NOT is_aspirational) AS has_firm
    FROM classes
    GROUP BY ALL
)
SELECT
    s.region,
    s.period_year,
    s.period_start,
    s.indicator_code,
    s.measure,
    s.kind,
    s.indicator,
    s.value,
    s.unit,
    s.comparator,
    s.is_aspirational AS aspirational,
    s.value_text,
    s.value_base,
    s.base_unit,
    s.parts,
    a.value AS aspirational_value,
    a.unit AS aspirational_unit,
    a.comparator AS aspirational_comparator,
    a.fact_id AS aspirational_fact_id,
    k.statements,
    c.class_documents::INTEGER AS documents,
    c.class_values::INTEGER AS distinct_values,
    s.doc_id,
    s.file_name,
    s.report_year,
    s.page_no,
    s.fact_id,
    s.evidence,
    s.dq_status
FROM statements AS s
JOIN keys AS k
  ON k.region = s.region AND k.period_year = s.period_year AND k.period_start IS NOT DISTINCT FROM s.period_start
 AND k.indicator_code = s.indicator_code AND k.measure = s.measure AND k.kind = s.kind
JOIN classes AS c
  ON c.region = s.region AND c.period_year = s.period_year AND c.period_start IS NOT DISTINCT FROM s.period_start
 AND c.indicator_code = s.indicator_code AND c.measure = s.measure AND c.kind = s.kind
 AND c.is_aspirational = s.is_aspirational
LEFT JOIN statements AS a
  ON NOT s.is_aspirational AND a.is_aspirational AND a.rank_in_class = 1
 AND a.region = s.region AND a.period_year = s.period_year AND a.period_start IS NOT DISTINCT FROM s.period_start
 AND a.indicator_code = s.indicator_code AND a.measure = s.measure AND a.kind = s.kind
WHERE s.rank_in_class = 1
  AND (s.is_aspirational = NOT k.has_firm);

COMMENT ON VIEW indicators_wide IS 'One row per region × period_year × period_start × indicator_code × measure × kind (period_start is NULL for single-year figures), from facts_clean: the value, unit and comparator of the preferred statement and its source document; a 力争 figure beside a firm one in aspirational_value. Facts without indicator_code, region or period_year are only in facts/facts_clean.';
