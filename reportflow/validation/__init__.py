"""The parts of the validate stage (the entry point is ``reportflow.validate.validate_run``).

* ``rules``: the arithmetic of the custom checks, plain functions (no GX);
* ``gx_custom``: the custom GX expectations and their pandas metrics (importing registers them);
* ``context``: opens the committed GX file context under ``expectations/`` read-only;
* ``frames``: reads the frames GX validates from DuckDB;
* ``outcomes``: turns GX results into per-(expectation, document) outcomes.

Only ``rules`` is importable without paying for the Great Expectations import (~3.5 s).
"""
