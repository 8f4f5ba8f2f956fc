# reportflow: `make demo` installs everything and ingests the bundled samples; `make test` runs the tests.
VENV := .venv
STAMP := $(VENV)/.installed

.PHONY: setup demo test test-fast bench clean

$(STAMP): pyproject.toml constraints.txt scripts/setup.sh
	scripts/setup.sh
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/reportflow ingest samples/

test: $(STAMP)
	$(VENV)/bin/pytest

test-fast: $(STAMP)
	$(VENV)/bin/pytest -m "not ocr and not server and not slow"

bench: $(STAMP)
	$(VENV)/bin/python -m benchmarks.layout_bench
	$(VENV)/bin/python -m benchmarks.facts_eval

clean:
	rm -rf warehouse/reportflow.duckdb warehouse/.reportflow.duckdb.work warehouse/reportflow.duckdb.lock warehouse/archive warehouse/data_docs warehouse/reports warehouse/.cache
