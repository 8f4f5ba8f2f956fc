"""Opening the GX file context under ``expectations/`` without ever writing to it.

The committed context (great_expectations.yml, suites, validation definitions, checkpoints) is
the source of truth and stays untouched by runs: we load its config, point the two run-time
outputs elsewhere in memory — validation results and the Data Docs site go under the run's
``data_docs_dir``, or into memory when there is none — and open the context with that config.
GX does not save a config passed in this way, and ``great_expectations.yml`` sets
``suppress_store_backend_id`` so no store writes an id file either (a test checks this).

Opening costs ~20 ms once GX is imported (the import itself is ~3.5 s, paid once per process).
"""

from __future__ import annotations

import logging
from pathlib import Path

import great_expectations as gx
from great_expectations.data_context.data_context.file_data_context import FileDataContext
from great_expectations.data_context.types.base import DataContextConfig

from reportflow.config import PROJECT_ROOT
from reportflow.validation import gx_custom  # noqa: F401  (registers the custom expectations)

log = logging.getLogger(__name__)

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
"""The GX context root (great_expectations.yml, expectations/, checkpoints/, ...)."""

SITE_NAME = "reportflow"
RESULTS_STORE = "validation_results_store"


def results_dir_for(data_docs_dir: Path) -> Path:
    """Where GX keeps the raw validation results behind a Data Docs site (next to it)."""
    return data_docs_dir.parent / f"{data_docs_dir.name}_gx_results"


def _runtime_config(root: Path, data_docs_dir: Path | None) -> DataContextConfig:
    # GX's own loader (a private classmethod, kept stable across 1.x): yaml → DataContextConfig.
    config = FileDataContext._load_file_backed_project_config(context_root_directory=str(root))
    if data_docs_dir is None:
        results_backend: dict = {"class_name": "InMemoryStoreBackend"}
        config.data_docs_sites = {}
    else:
        data_docs_dir = data_docs_dir.resolve()
        results_backend = {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(results_dir_for(data_docs_dir)),
            "suppress_store_backend_id": True,
        }
        config.data_docs_sites = {
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(data_docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        }
    config.stores[RESULTS_STORE] = {"class_name": "ValidationResultsStore", "store_backend": results_backend}
    config.validation_results_store_name = RESULTS_STORE
    return config


def open_context(data_docs_dir: Path | None, root: Path = EXPECTATIONS_DIR) -> FileDataContext:
    """The committed GX context, with results and Data Docs redirected to ``data_docs_dir``."""
    config = _runtime_config(root, data_docs_dir)
    context = gx.get_context(mode="file", context_root_dir=str(root), project_config=config)
    assert isinstance(context, FileDataContext)
    return context


def data_docs_index(data_docs_dir: Path | None) -> Path | None:
    if data_docs_dir is None:
        return None
    index = data_docs_dir.resolve() / "index.html"
    return index if index.exists() else None
