-- fact_sources: every fact (including those that failed validation) beside the place it came
-- from: file, page, the paragraph's full text, the evidence clause, and the boxes of the
-- number on the page. A reviewer checks a number here, or runs the `show_command` to see it
-- boxed on the rendered page.
--
-- Named so it sorts before facts_clean.sql: it reads `facts`, not `facts_clean`.
CREATE OR REPLACE VIEW fact_sources AS
WITH latest_check AS (
    -- The latest result of each expectation for each document: how reportflow.validate
    -- derives facts.dq_status.
    SELECT doc_id, expectation, max(checked_at) AS checked_at
    FROM dq_results
    GROUP BY ALL
),
flagged AS (
    SELECT r.doc_id, u.fact_id, r.severity || ': ' || r.expectation AS flag
    FROM dq_results AS r
    JOIN latest_check AS c
      ON c.doc_id = r.doc_id AND c.expectation = r.expectation AND c.checked_at = r.checked_at
    CROSS JOIN unnest(r.failing_fact_ids) AS u(fact_id)
    WHERE NOT r.success
),
flags AS (
    SELECT doc_id, fact_id, list_sort(list_distinct(list(flag))) AS dq_flags
    FROM flagged
    GROUP BY ALL
),
value_boxes AS (
    -- The union of the boxes of the number's characters. Written with unnest + min/max, not
    -- list lambdas: in DuckDB 2.0.0, list_filter/list_transform here gave wrong (varying)
    -- results and crashes once joined with the list() of `flags` (measured on the samples).
    SELECT f.fact_id, min(u.b[1]) AS x0, min(u.b[2]) AS top, max(u.b[3]) AS x1, max(u.b[4]) AS bottom
    FROM facts AS f
    JOIN paragraph_geometry AS g ON g.doc_id = f.doc_id AND g.seq = f.paragraph_seq
    CROSS JOIN unnest(g.char_boxes[f.value_start + 1 : f.value_start + length(f.value_text)]) AS u(b)
    WHERE u.b IS NOT NULL
    GROUP BY f.fact_id
),
located AS (
    SELECT
        f.*,
        vb.x0 AS box_x0,
        vb.top AS box_top,
        vb.x1 AS box_x1,
        vb.bottom AS box_bottom,
        par.kind AS paragraph_kind,
        par.text AS paragraph_text
    FROM facts AS f
    LEFT JOIN paragraphs AS par ON par.doc_id = f.doc_id AND par.seq = f.paragraph_seq
    LEFT JOIN value_boxes AS vb ON vb.fact_id = f.fact_id
)
SELECT
    l.fact_id,
    l.doc_id,
    d.file_name,
    d.source_path,
    d.archive_path,
    d.media_type,
    d.title,
    d.report_year,
    l.page_no,
    p.method AS page_method,
    p.ocr_confidence AS page_ocr_confidence,
    l.paragraph_seq,
    l.paragraph_kind,
    l.paragraph_text,
    l.region,
    l.period_year,
    l.period_start,
    l.kind,
    l.indicator_code,
    l.indicator,
    l.measure,
    l.value,
    l.unit,
    l.comparator,
    l.aspirational,
    l.value_text,
    l.evidence,
    l.evidence_start,
    l.value_start,
    substr(l.paragraph_text, l.value_start + 1, length(l.value_text)) = l.value_text AS value_text_matches,
    substr(l.paragraph_text, l.evidence_start + 1, length(l.evidence)) = l.evidence AS evidence_matches,
    l.box_x0 AS value_x0,
    l.box_top AS value_top,
    l.box_x1 AS value_x1,
    l.box_bottom AS value_bottom,
    l.ocr_min_conf,
    l.dq_status,
    coalesce(fl.dq_flags, []::VARCHAR[]) AS dq_flags,
    'reportflow show ' || l.fact_id AS show_command
FROM located AS l
JOIN documents AS d ON d.doc_id = l.doc_id
LEFT JOIN pages AS p ON p.doc_id = l.doc_id AND p.page_no = l.page_no
LEFT JOIN flags AS fl ON fl.doc_id = l.doc_id AND fl.fact_id = l.fact_id;

COMMENT ON VIEW fact_sources IS 'Every fact (also those that failed validation) with its source: file, page, the full paragraph text, the evidence clause, the number''s box on the page and the data-quality flags; `reportflow show FACT_ID` draws it on the page. One row per facts row.';
