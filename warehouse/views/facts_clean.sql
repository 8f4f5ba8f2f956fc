-- Facts analysts can trust: every fact except those that failed an error-severity
-- Great Expectations check (see expectations/ and dq_results). Failed facts stay in `facts`
-- with dq_status = 'failed' so they can be inspected and corrected.
CREATE OR REPLACE VIEW facts_clean AS
SELECT *
FROM facts
WHERE dq_status IS DISTINCT FROM 'failed';

COMMENT ON VIEW facts_clean IS 'facts without those that failed an error-severity data-quality expectation (dq_status = ''failed''); warnings and not-yet-validated facts are kept. Why a fact failed: dq_results (failing_fact_ids).';
