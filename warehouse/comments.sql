-- Column and table comments: the data dictionary lives here (warehouse/README.md is generated
-- from it: `python -m reportflow.dictionary --write`). reportflow.db.apply_schema runs this
-- file after the views on every open of the working copy; COMMENT ON is idempotent, and must
-- come after the views because CREATE OR REPLACE VIEW drops a view's comments.
-- Views describe themselves (COMMENT ON VIEW in warehouse/views/*.sql); their columns are here.
-- DuckDB shows comments in duckdb_tables(), duckdb_views() and duckdb_columns().comment.
--
-- One transaction: outside one, each COMMENT ON is its own commit and the ~240 of them take
-- ~1.9 s on a file database (measured), paid on every open of the working copy; inside, ~0.2 s.
-- (apply_schema runs this file in autocommit mode, so the transaction is ours to open.)

BEGIN TRANSACTION;

-- ── documents ────────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE documents IS 'One row per ingested file (key: doc_id), loaded or failed. A failed file keeps its error here and has no rows in the other tables.';
COMMENT ON COLUMN documents.doc_id IS 'sha256 of the file''s bytes (hex, 64 characters): the same bytes under another name are the same document. Key.';
COMMENT ON COLUMN documents.file_name IS 'File name as ingested, e.g. kaiping-2023-summary.pdf.';
COMMENT ON COLUMN documents.source_path IS 'Absolute path the file was ingested from.';
COMMENT ON COLUMN documents.archive_path IS 'Where reportflow keeps a copy of the raw bytes (warehouse/archive/<sha[:2]>/<sha>.<ext>); `reportflow show` renders pages from it. NULL when the file could not even be read.';
COMMENT ON COLUMN documents.media_type IS 'pdf, image or text (chosen from the extension and the file''s first bytes).';
COMMENT ON COLUMN documents.page_count IS 'Pages in the file (1 for .txt and single images; frames of a multi-page TIFF).';
COMMENT ON COLUMN documents.title IS 'Report title found in the text, e.g. 2023年开平市政府工作报告; NULL if none was recognised.';
COMMENT ON COLUMN documents.region IS 'Region whose government delivered the report (开平市, 新会区, 江门市 …), from the title, the text or the file name; NULL if unknown.';
COMMENT ON COLUMN documents.report_year IS 'Year the report was delivered: the 2023 report (delivered early 2023) reviews 2022 and sets 2023 targets.';
COMMENT ON COLUMN documents.status IS 'ok (loaded) or failed (see error and error_code).';
COMMENT ON COLUMN documents.error IS 'Why the document failed, in words a user can act on; NULL when status = ''ok''.';
COMMENT ON COLUMN documents.error_code IS 'Machine-readable failure class: empty_file, unsupported_input, corrupt_pdf, encrypted_pdf, no_pages, page_too_large, text_decode, no_text, ocr_failed, internal_error …; NULL when ok.';
COMMENT ON COLUMN documents.pipeline_version IS 'Hash of the extraction, layout and fact code that produced the rows; a document is re-processed when it changes.';
COMMENT ON COLUMN documents.ingested_at IS 'Local time the rows were (re)loaded or the failure recorded.';

-- ── pages ────────────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE pages IS 'One row per page of each loaded document (key: doc_id, page_no): how it was read and its coordinate system. A .txt file has one logical page.';
COMMENT ON COLUMN pages.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN pages.page_no IS 'Page number, 1-based, in file order.';
COMMENT ON COLUMN pages.method IS 'text = read from the PDF text layer (or a .txt file); ocr = recognised by tesseract from the page image.';
COMMENT ON COLUMN pages.char_count IS 'Non-space characters read from the page.';
COMMENT ON COLUMN pages.ocr_confidence IS 'Mean tesseract word confidence of the page, 0–100 (OCR pages only).';
COMMENT ON COLUMN pages.width IS 'Page width in page units: PDF points (1/72 inch) for text-layer pages, pixels of the recognised image for OCR pages. NULL for .txt.';
COMMENT ON COLUMN pages.height IS 'Page height in the same units as width. Boxes (paragraphs, paragraph_geometry) use this coordinate system, origin top-left.';
COMMENT ON COLUMN pages.dpi IS 'Resolution of the recognised image (OCR pages): a PDF page was rendered at this dpi; NULL for text-layer pages.';
COMMENT ON COLUMN pages.rotation IS 'Clockwise rotation (0, 90, 180, 270) applied to the page image before recognition (OCR pages); 0 otherwise.';
COMMENT ON COLUMN pages.skew_degrees IS 'Tilt of the text lines that was corrected before recognition, in degrees (counter-clockwise positive; OCR pages).';
COMMENT ON COLUMN pages.note IS 'Why the page was read the way it was, e.g. ''no text layer'', ''text layer garbage: 80% (cid:NN)'', ''plain text (gb18030)''.';

-- ── paragraphs ───────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE paragraphs IS 'The document''s text in reading order after layout repair (columns, joined lines, furniture dropped): one row per paragraph, heading or list item (key: doc_id, seq).';
COMMENT ON COLUMN paragraphs.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN paragraphs.seq IS 'Position in the document''s reading order, 0-based.';
COMMENT ON COLUMN paragraphs.page_no IS 'Page the paragraph starts on.';
COMMENT ON COLUMN paragraphs.kind IS 'heading, item (list item) or body.';
COMMENT ON COLUMN paragraphs.text IS 'The paragraph''s text, normalised (full-width digits and punctuation folded, CJK spacing removed). facts.value_start and evidence_start are offsets into it.';
COMMENT ON COLUMN paragraphs.x0 IS 'Left edge of the paragraph''s box on its page (page units, see pages.width); NULL for .txt.';
COMMENT ON COLUMN paragraphs.top IS 'Top edge of the paragraph''s box (page units, origin top-left); NULL for .txt.';
COMMENT ON COLUMN paragraphs.x1 IS 'Right edge of the paragraph''s box (page units); NULL for .txt.';
COMMENT ON COLUMN paragraphs.bottom IS 'Bottom edge of the paragraph''s box (page units); NULL for .txt.';

-- ── paragraph_geometry ───────────────────────────────────────────────────────────────────
COMMENT ON TABLE paragraph_geometry IS 'Where each character of a paragraph is on its page, for visual provenance (`reportflow show`). One row per paragraph of a PDF or image page (key: doc_id, seq); none for .txt.';
COMMENT ON COLUMN paragraph_geometry.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN paragraph_geometry.seq IS 'Paragraph (paragraphs.seq).';
COMMENT ON COLUMN paragraph_geometry.char_boxes IS 'One box [x0, top, x1, bottom] per character of paragraphs.text, in page units (origin top-left); NULL for spaces the layout engine inserted. char_boxes[value_start + 1 : value_start + length(value_text)] are the boxes of a fact''s number (DuckDB lists are 1-based).';
COMMENT ON COLUMN paragraph_geometry.char_conf IS 'OCR confidence (0–100) per character of paragraphs.text, from the word it belongs to; NULL for text-layer pages.';
COMMENT ON COLUMN paragraph_geometry.char_pages IS 'Page of each character of paragraphs.text when the paragraph runs on to another page (its char_boxes are then in that page''s coordinates); NULL when the whole paragraph is on paragraphs.page_no.';

-- ── facts ────────────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE facts IS 'Every numeric statement found in the reports (key: fact_id), with its evidence. Validation marks each one in dq_status; facts_clean leaves out the failed ones.';
COMMENT ON COLUMN facts.fact_id IS 'Stable id: <first 12 hex of doc_id>-<paragraph seq>-<offset of the number>-<n-th fact of that number>. Use it with `reportflow show FACT_ID`.';
COMMENT ON COLUMN facts.doc_id IS 'Document (documents.doc_id).';
COMMENT ON COLUMN facts.paragraph_seq IS 'Paragraph the fact was read from (paragraphs.seq).';
COMMENT ON COLUMN facts.page_no IS 'Page of the number (pages.page_no).';
COMMENT ON COLUMN facts.region IS 'Region the figure is about (usually the report''s own region; a report can quote another region).';
COMMENT ON COLUMN facts.period_year IS 'Year the figure describes: 2022 for the 2023 report''s review, 2023 for its targets; the last year of a multi-year span.';
COMMENT ON COLUMN facts.period_start IS 'First year of a multi-year span (年均增长 over 2018–2022 → 2018); NULL for a single year.';
COMMENT ON COLUMN facts.kind IS 'actual (reported result) or target (planned figure for the plan year).';
COMMENT ON COLUMN facts.indicator_code IS 'Standard code of a headline indicator: gdp, industrial_va, fai, retail_sales, trade, budget_revenue, urban_jobs, unemployment_rate, disposable_income, cpi, grain_output, and extended codes (reportflow/facts/indicators.csv); NULL for other quantities.';
COMMENT ON COLUMN facts.indicator IS 'The indicator''s name as written in the report, e.g. 规上工业增加值.';
COMMENT ON COLUMN facts.measure IS 'What the number measures: level (an amount), growth (year-on-year % change, signed), pp_change (percentage points), rate (a share that is not a growth), rank, count, multiple (倍), ratio.';
COMMENT ON COLUMN facts.value IS 'The number, signed (下降0.8% → -0.8), in the unit as written (4.5万人 → 4.5 with unit 万人). NULL only for ratios (see parts).';
COMMENT ON COLUMN facts.unit IS 'Unit as written, not normalised: %, 亿元, 万人, 个百分点, 倍, 位 …; '''' for a bare rank.';
COMMENT ON COLUMN facts.value_text IS 'The number and unit exactly as printed in the paragraph (3773.41亿元, 12.2:44.9:42.9, 千亿): what to look for on the page.';
COMMENT ON COLUMN facts.value_base IS 'value in base_unit, multipliers multiplied out exactly (3773.41亿元 → 377341000000 元); compare amounts across documents with this.';
COMMENT ON COLUMN facts.base_unit IS 'Unit of value_base: 元, 人, 吨, %, …';
COMMENT ON COLUMN facts.parts IS 'The terms of a ratio (12.2:44.9:42.9 → [12.2, 44.9, 42.9]); NULL otherwise.';
COMMENT ON COLUMN facts.comparator IS '= (exact), >= (以上, 超, 突破, 不少于 …), <= (以内, 不超过), ~ (左右, 约, 近).';
COMMENT ON COLUMN facts.aspirational IS 'true for a figure marked 力争, 争取 or 冲刺 (a stretch goal beside, or instead of, a firm one).';
COMMENT ON COLUMN facts.chinese_numeral IS 'true when the number is written in Chinese numerals (千亿, 两个).';
COMMENT ON COLUMN facts.evidence IS 'The verbatim clause the fact was read from; contains value_text.';
COMMENT ON COLUMN facts.evidence_start IS 'Offset (0-based, in characters) of evidence in paragraphs.text.';
COMMENT ON COLUMN facts.value_start IS 'Offset (0-based, in characters) of value_text in paragraphs.text: substr(text, value_start + 1, length(value_text)) = value_text.';
COMMENT ON COLUMN facts.ocr_min_conf IS 'Lowest OCR confidence (0–100) among the characters of value_text; NULL for text-layer pages. Low values are flagged by validation.';
COMMENT ON COLUMN facts.dq_status IS 'Data-quality verdict: unchecked (not validated yet), passed, warning (failed a warning-level expectation) or failed (failed an error-level expectation; left out of facts_clean). Why: dq_results.failing_fact_ids, or fact_sources.dq_flags.';

-- ── runs ─────────────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE runs IS 'One row per `reportflow ingest` run (a Prefect flow run) with its totals (key: run_id). The HTML run report is warehouse/reports/<run_id>.html.';
COMMENT ON COLUMN runs.run_id IS 'Run id (the Prefect flow run id, or a UUID when run without Prefect). Key; also in dq_results.run_id.';
COMMENT ON COLUMN runs.flow_run_id IS 'Prefect flow run id, to find the run in the Prefect UI; NULL outside Prefect.';
COMMENT ON COLUMN runs.started_at IS 'Local time the run started.';
COMMENT ON COLUMN runs.finished_at IS 'Local time the run finished; NULL while running (or if it crashed).';
COMMENT ON COLUMN runs.status IS 'running, completed (every document loaded) or failed (some documents failed; the others were loaded).';
COMMENT ON COLUMN runs.documents_ok IS 'Documents loaded (or already loaded and unchanged) in the run.';
COMMENT ON COLUMN runs.documents_failed IS 'Documents that failed in the run (see documents.error).';
COMMENT ON COLUMN runs.pages_text IS 'Pages read from a text layer (or .txt files) in the run.';
COMMENT ON COLUMN runs.pages_ocr IS 'Pages recognised by OCR in the run.';
COMMENT ON COLUMN runs.paragraphs IS 'Paragraphs produced by the run''s documents.';
COMMENT ON COLUMN runs.facts IS 'Facts extracted from the run''s documents.';
COMMENT ON COLUMN runs.expectations_passed IS 'Great Expectations checks that passed in the run''s validation.';
COMMENT ON COLUMN runs.expectations_failed IS 'Great Expectations checks that failed (error or warning level).';

-- ── dq_results ───────────────────────────────────────────────────────────────────────────
COMMENT ON TABLE dq_results IS 'Data-quality results: one row per run × document × expectation (Great Expectations suites in expectations/), with the facts that failed it.';
COMMENT ON COLUMN dq_results.run_id IS 'Run that checked (runs.run_id).';
COMMENT ON COLUMN dq_results.doc_id IS 'Document checked (documents.doc_id); NULL for a check over the whole run.';
COMMENT ON COLUMN dq_results.expectation IS 'Name of the expectation, e.g. facts_value_matches_digits.';
COMMENT ON COLUMN dq_results.severity IS 'error (failing facts get dq_status ''failed'' and leave facts_clean) or warning (dq_status ''warning'').';
COMMENT ON COLUMN dq_results.success IS 'true if the document passed the expectation.';
COMMENT ON COLUMN dq_results.details IS 'What was observed (the failing values, the exception raised), as text.';
COMMENT ON COLUMN dq_results.failing_fact_ids IS 'facts.fact_id of every fact that failed the expectation; empty for table-level checks and passes.';
COMMENT ON COLUMN dq_results.checked_at IS 'When the expectation was evaluated (UTC).';

-- ── schema_migrations ────────────────────────────────────────────────────────────────────
COMMENT ON TABLE schema_migrations IS 'Schema migrations (warehouse/migrations/*.sql) applied to this file; the latest version is the schema version `reportflow doctor` reports.';
COMMENT ON COLUMN schema_migrations.version IS 'Migration file name without .sql, e.g. 001_core.';
COMMENT ON COLUMN schema_migrations.applied_at IS 'When it was applied (local time).';

-- ── facts_clean (view; warehouse/views/facts_clean.sql) ──────────────────────────────────
COMMENT ON COLUMN facts_clean.fact_id IS 'As facts.fact_id: stable id, for `reportflow show FACT_ID`.';
COMMENT ON COLUMN facts_clean.doc_id IS 'As facts.doc_id.';
COMMENT ON COLUMN facts_clean.paragraph_seq IS 'As facts.paragraph_seq.';
COMMENT ON COLUMN facts_clean.page_no IS 'As facts.page_no.';
COMMENT ON COLUMN facts_clean.region IS 'As facts.region: region the figure is about.';
COMMENT ON COLUMN facts_clean.period_year IS 'As facts.period_year: year the figure describes.';
COMMENT ON COLUMN facts_clean.period_start IS 'As facts.period_start: first year of a multi-year span, else NULL.';
COMMENT ON COLUMN facts_clean.kind IS 'As facts.kind: actual or target.';
COMMENT ON COLUMN facts_clean.indicator_code IS 'As facts.indicator_code.';
COMMENT ON COLUMN facts_clean.indicator IS 'As facts.indicator: name as written.';
COMMENT ON COLUMN facts_clean.measure IS 'As facts.measure.';
COMMENT ON COLUMN facts_clean.value IS 'As facts.value: signed number in the unit as written.';
COMMENT ON COLUMN facts_clean.unit IS 'As facts.unit: unit as written.';
COMMENT ON COLUMN facts_clean.value_text IS 'As facts.value_text: number and unit as printed.';
COMMENT ON COLUMN facts_clean.value_base IS 'As facts.value_base: value in base_unit.';
COMMENT ON COLUMN facts_clean.base_unit IS 'As facts.base_unit.';
COMMENT ON COLUMN facts_clean.parts IS 'As facts.parts: terms of a ratio.';
COMMENT ON COLUMN facts_clean.comparator IS 'As facts.comparator: =, >=, <=, ~.';
COMMENT ON COLUMN facts_clean.aspirational IS 'As facts.aspirational: 力争/争取/冲刺.';
COMMENT ON COLUMN facts_clean.chinese_numeral IS 'As facts.chinese_numeral.';
COMMENT ON COLUMN facts_clean.evidence IS 'As facts.evidence: verbatim clause.';
COMMENT ON COLUMN facts_clean.evidence_start IS 'As facts.evidence_start.';
COMMENT ON COLUMN facts_clean.value_start IS 'As facts.value_start.';
COMMENT ON COLUMN facts_clean.ocr_min_conf IS 'As facts.ocr_min_conf.';
COMMENT ON COLUMN facts_clean.dq_status IS 'As facts.dq_status: unchecked, passed or warning (failed facts are not in this view).';

-- ── fact_sources (view) ──────────────────────────────────────────────────────────────────
COMMENT ON COLUMN fact_sources.fact_id IS 'facts.fact_id; `reportflow show FACT_ID` draws the number boxed on its page.';
COMMENT ON COLUMN fact_sources.doc_id IS 'documents.doc_id.';
COMMENT ON COLUMN fact_sources.file_name IS 'documents.file_name.';
COMMENT ON COLUMN fact_sources.source_path IS 'documents.source_path: where the file was ingested from.';
COMMENT ON COLUMN fact_sources.archive_path IS 'documents.archive_path: the archived copy of the file.';
COMMENT ON COLUMN fact_sources.media_type IS 'documents.media_type: pdf, image or text.';
COMMENT ON COLUMN fact_sources.title IS 'documents.title.';
COMMENT ON COLUMN fact_sources.report_year IS 'documents.report_year: year the report was delivered.';
COMMENT ON COLUMN fact_sources.page_no IS 'Page of the number (1-based).';
COMMENT ON COLUMN fact_sources.page_method IS 'pages.method of that page: text or ocr.';
COMMENT ON COLUMN fact_sources.page_ocr_confidence IS 'pages.ocr_confidence of that page (OCR pages only).';
COMMENT ON COLUMN fact_sources.paragraph_seq IS 'paragraphs.seq of the paragraph the fact was read from.';
COMMENT ON COLUMN fact_sources.paragraph_kind IS 'paragraphs.kind: heading, item or body.';
COMMENT ON COLUMN fact_sources.paragraph_text IS 'The whole paragraph (paragraphs.text), to read the number in context.';
COMMENT ON COLUMN fact_sources.region IS 'facts.region.';
COMMENT ON COLUMN fact_sources.period_year IS 'facts.period_year.';
COMMENT ON COLUMN fact_sources.period_start IS 'facts.period_start.';
COMMENT ON COLUMN fact_sources.kind IS 'facts.kind: actual or target.';
COMMENT ON COLUMN fact_sources.indicator_code IS 'facts.indicator_code.';
COMMENT ON COLUMN fact_sources.indicator IS 'facts.indicator: name as written.';
COMMENT ON COLUMN fact_sources.measure IS 'facts.measure.';
COMMENT ON COLUMN fact_sources.value IS 'facts.value: signed number in the unit as written.';
COMMENT ON COLUMN fact_sources.unit IS 'facts.unit.';
COMMENT ON COLUMN fact_sources.comparator IS 'facts.comparator.';
COMMENT ON COLUMN fact_sources.aspirational IS 'facts.aspirational.';
COMMENT ON COLUMN fact_sources.value_text IS 'facts.value_text: the number as printed.';
COMMENT ON COLUMN fact_sources.evidence IS 'facts.evidence: the clause stating the fact.';
COMMENT ON COLUMN fact_sources.evidence_start IS 'facts.evidence_start: offset of evidence in paragraph_text.';
COMMENT ON COLUMN fact_sources.value_start IS 'facts.value_start: offset of value_text in paragraph_text.';
COMMENT ON COLUMN fact_sources.value_text_matches IS 'true when paragraph_text really has value_text at value_start (a consistency check; false or NULL means the offsets are wrong).';
COMMENT ON COLUMN fact_sources.evidence_matches IS 'true when paragraph_text really has evidence at evidence_start.';
COMMENT ON COLUMN fact_sources.value_x0 IS 'Left edge of the number on the page (page units: points for text-layer pages, image pixels for OCR pages); NULL when no geometry is stored (.txt).';
COMMENT ON COLUMN fact_sources.value_top IS 'Top edge of the number on the page (page units, origin top-left).';
COMMENT ON COLUMN fact_sources.value_x1 IS 'Right edge of the number on the page (page units).';
COMMENT ON COLUMN fact_sources.value_bottom IS 'Bottom edge of the number on the page (page units).';
COMMENT ON COLUMN fact_sources.ocr_min_conf IS 'facts.ocr_min_conf: lowest OCR confidence among the number''s characters.';
COMMENT ON COLUMN fact_sources.dq_status IS 'facts.dq_status: unchecked, passed, warning or failed.';
COMMENT ON COLUMN fact_sources.dq_flags IS 'Expectations the fact fails in the latest check of its document, as ''severity: expectation''; empty when none.';
COMMENT ON COLUMN fact_sources.show_command IS 'The command that renders the page with this number boxed.';

-- ── indicators_wide (view) ───────────────────────────────────────────────────────────────
COMMENT ON COLUMN indicators_wide.region IS 'Region the figure is about. Key.';
COMMENT ON COLUMN indicators_wide.period_year IS 'Year the figure describes (last year of a span). Key.';
COMMENT ON COLUMN indicators_wide.period_start IS 'First year of a multi-year span (年均增长), NULL for a single year. Key: filter `period_start IS NULL` for annual figures.';
COMMENT ON COLUMN indicators_wide.indicator_code IS 'Standard indicator code (gdp, industrial_va, …). Key.';
COMMENT ON COLUMN indicators_wide.measure IS 'level, growth, rate, rank, … (facts.measure). Key: GDP level and GDP growth are separate rows.';
COMMENT ON COLUMN indicators_wide.kind IS 'actual or target. Key.';
COMMENT ON COLUMN indicators_wide.indicator IS 'Indicator name as written in the chosen statement.';
COMMENT ON COLUMN indicators_wide.value IS 'The figure: signed, in the unit as written (facts.value).';
COMMENT ON COLUMN indicators_wide.unit IS 'Unit as written (facts.unit).';
COMMENT ON COLUMN indicators_wide.comparator IS '=, >=, <=, ~ of the chosen statement (增长7%以上 → >=).';
COMMENT ON COLUMN indicators_wide.aspirational IS 'true when the only figures given for the key are 力争/争取/冲刺 ones.';
COMMENT ON COLUMN indicators_wide.value_text IS 'Number and unit as printed.';
COMMENT ON COLUMN indicators_wide.value_base IS 'value in base_unit (multipliers multiplied out).';
COMMENT ON COLUMN indicators_wide.base_unit IS 'Unit of value_base.';
COMMENT ON COLUMN indicators_wide.parts IS 'Terms of a ratio; NULL otherwise.';
COMMENT ON COLUMN indicators_wide.aspirational_value IS 'The 力争 (stretch) figure stated beside the firm one, e.g. 增长6%以上、力争7%以上 → value 6, aspirational_value 7; NULL when none.';
COMMENT ON COLUMN indicators_wide.aspirational_unit IS 'Unit of aspirational_value.';
COMMENT ON COLUMN indicators_wide.aspirational_comparator IS 'Comparator of aspirational_value.';
COMMENT ON COLUMN indicators_wide.aspirational_fact_id IS 'fact_id of the aspirational statement.';
COMMENT ON COLUMN indicators_wide.statements IS 'How many validated facts state this key (repeats, firm + 力争, other documents).';
COMMENT ON COLUMN indicators_wide.documents IS 'How many documents state the shown figure''s kind of statement (firm or 力争) for this key.';
COMMENT ON COLUMN indicators_wide.distinct_values IS 'How many different values (compared in base units) those statements give; > 1 means the sources disagree: see fact_sources.';
COMMENT ON COLUMN indicators_wide.doc_id IS 'Document of the chosen statement.';
COMMENT ON COLUMN indicators_wide.file_name IS 'File of the chosen statement.';
COMMENT ON COLUMN indicators_wide.report_year IS 'Report year of that document (the report reviewing 2022 is the 2023 report).';
COMMENT ON COLUMN indicators_wide.page_no IS 'Page of the chosen statement.';
COMMENT ON COLUMN indicators_wide.fact_id IS 'fact_id of the chosen statement (`reportflow show FACT_ID`).';
COMMENT ON COLUMN indicators_wide.evidence IS 'Evidence clause of the chosen statement.';
COMMENT ON COLUMN indicators_wide.dq_status IS 'dq_status of the chosen statement: unchecked, passed or warning.';

-- ── targets_vs_actuals (view) ────────────────────────────────────────────────────────────
COMMENT ON COLUMN targets_vs_actuals.region IS 'Region.';
COMMENT ON COLUMN targets_vs_actuals.year IS 'The year the target was set for and the actual describes.';
COMMENT ON COLUMN targets_vs_actuals.period_start IS 'First year of a multi-year target span; NULL for annual targets.';
COMMENT ON COLUMN targets_vs_actuals.indicator_code IS 'Standard indicator code.';
COMMENT ON COLUMN targets_vs_actuals.measure IS 'growth, level, rate, … (the target and the actual have the same measure).';
COMMENT ON COLUMN targets_vs_actuals.indicator IS 'Indicator name as written in the target.';
COMMENT ON COLUMN targets_vs_actuals.target_comparator IS '=, >=, <=, ~ of the target (增长7%以上 → >=).';
COMMENT ON COLUMN targets_vs_actuals.target_value IS 'The firm target (or the 力争 one when no firm figure is given; see target_aspirational).';
COMMENT ON COLUMN targets_vs_actuals.target_unit IS 'Unit of target_value as written.';
COMMENT ON COLUMN targets_vs_actuals.target_value_text IS 'The target as printed.';
COMMENT ON COLUMN targets_vs_actuals.target_aspirational IS 'true when target_value is itself a 力争/冲刺 figure.';
COMMENT ON COLUMN targets_vs_actuals.target_aspirational_value IS 'The 力争 figure stated beside a firm target (增长6%以上、力争7%以上 → 7).';
COMMENT ON COLUMN targets_vs_actuals.target_aspirational_comparator IS 'Comparator of target_aspirational_value.';
COMMENT ON COLUMN targets_vs_actuals.actual_value IS 'The actual reported for that year (normally by the next year''s report); NULL until that report is loaded.';
COMMENT ON COLUMN targets_vs_actuals.actual_unit IS 'Unit of actual_value as written.';
COMMENT ON COLUMN targets_vs_actuals.actual_comparator IS 'Comparator of the actual (98%以上 → >=).';
COMMENT ON COLUMN targets_vs_actuals.actual_value_text IS 'The actual as printed.';
COMMENT ON COLUMN targets_vs_actuals.gap IS 'actual − target in gap_unit (rounded to 6 decimals to drop binary noise); NULL when there is no actual or the units cannot be compared.';
COMMENT ON COLUMN targets_vs_actuals.gap_unit IS 'Unit of gap: 个百分点 (percentage points) for %, else the shared unit (or base unit when the two were written with different multipliers).';
COMMENT ON COLUMN targets_vs_actuals.target_met IS 'Did the actual meet the target: >= and = targets need actual ≥ target, <= targets actual ≤ target; NULL for ~ (左右) targets and when gap is NULL.';
COMMENT ON COLUMN targets_vs_actuals.target_file_name IS 'File stating the target.';
COMMENT ON COLUMN targets_vs_actuals.target_report_year IS 'Report year of the target''s document.';
COMMENT ON COLUMN targets_vs_actuals.target_page_no IS 'Page of the target.';
COMMENT ON COLUMN targets_vs_actuals.target_fact_id IS 'fact_id of the target (`reportflow show`).';
COMMENT ON COLUMN targets_vs_actuals.target_evidence IS 'Evidence clause of the target.';
COMMENT ON COLUMN targets_vs_actuals.actual_file_name IS 'File stating the actual.';
COMMENT ON COLUMN targets_vs_actuals.actual_report_year IS 'Report year of the actual''s document (normally year + 1).';
COMMENT ON COLUMN targets_vs_actuals.actual_page_no IS 'Page of the actual.';
COMMENT ON COLUMN targets_vs_actuals.actual_fact_id IS 'fact_id of the actual (`reportflow show`).';
COMMENT ON COLUMN targets_vs_actuals.actual_evidence IS 'Evidence clause of the actual.';

COMMIT;
