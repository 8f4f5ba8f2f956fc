-- Core tables of the reportflow warehouse. Applied once, recorded in schema_migrations.
-- Keys are documented, not declared: loads replace a document's rows by delete + insert
-- in one transaction, and the validation suite checks that keys are unique and non-null.

CREATE TABLE IF NOT EXISTS documents (
    doc_id           VARCHAR NOT NULL,
    file_name        VARCHAR NOT NULL,
    source_path      VARCHAR,
    archive_path     VARCHAR,
    media_type       VARCHAR,
    page_count       INTEGER,
    title            VARCHAR,
    region           VARCHAR,
    report_year      INTEGER,
    status           VARCHAR NOT NULL,
    error            VARCHAR,
    error_code       VARCHAR,
    pipeline_version VARCHAR,
    ingested_at      TIMESTAMP
);

CREATE TABLE IF NOT EXISTS pages (
    doc_id         VARCHAR NOT NULL,
    page_no        INTEGER NOT NULL,
    method         VARCHAR NOT NULL,
    char_count     INTEGER,
    ocr_confidence DOUBLE,
    width          DOUBLE,
    height         DOUBLE,
    dpi            DOUBLE,
    rotation       INTEGER,
    skew_degrees   DOUBLE,
    note           VARCHAR
);

CREATE TABLE IF NOT EXISTS paragraphs (
    doc_id  VARCHAR NOT NULL,
    seq     INTEGER NOT NULL,
    page_no INTEGER,
    kind    VARCHAR NOT NULL,
    text    VARCHAR NOT NULL,
    x0      DOUBLE,
    top     DOUBLE,
    x1      DOUBLE,
    bottom  DOUBLE
);

CREATE TABLE IF NOT EXISTS paragraph_geometry (
    doc_id     VARCHAR NOT NULL,
    seq        INTEGER NOT NULL,
    char_boxes FLOAT[4][],
    char_conf  FLOAT[]
);

CREATE TABLE IF NOT EXISTS facts (
    fact_id         VARCHAR NOT NULL,
    doc_id          VARCHAR NOT NULL,
    paragraph_seq   INTEGER,
    page_no         INTEGER,
    region          VARCHAR,
    period_year     INTEGER,
    period_start    INTEGER,
    kind            VARCHAR,
    indicator_code  VARCHAR,
    indicator       VARCHAR,
    measure         VARCHAR,
    value           DOUBLE,
    unit            VARCHAR,
    value_text      VARCHAR,
    value_base      DOUBLE,
    base_unit       VARCHAR,
    parts           DOUBLE[],
    comparator      VARCHAR,
    aspirational    BOOLEAN,
    chinese_numeral BOOLEAN,
    evidence        VARCHAR,
    evidence_start  INTEGER,
    value_start     INTEGER,
    ocr_min_conf    DOUBLE,
    dq_status       VARCHAR
);

CREATE TABLE IF NOT EXISTS runs (
    run_id             VARCHAR NOT NULL,
    flow_run_id        VARCHAR,
    started_at         TIMESTAMP,
    finished_at        TIMESTAMP,
    status             VARCHAR,
    documents_ok       INTEGER,
    documents_failed   INTEGER,
    pages_text         INTEGER,
    pages_ocr          INTEGER,
    paragraphs         INTEGER,
    facts              INTEGER,
    expectations_passed INTEGER,
    expectations_failed INTEGER
);

CREATE TABLE IF NOT EXISTS dq_results (
    run_id          VARCHAR NOT NULL,
    doc_id          VARCHAR,
    expectation     VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,
    success         BOOLEAN NOT NULL,
    details         VARCHAR,
    failing_fact_ids VARCHAR[],
    checked_at      TIMESTAMP
);
