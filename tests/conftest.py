"""Shared test set-up. Area-specific fixtures live in the test modules themselves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reportflow.prefect_server import apply_defaults

# No internet here: Prefect's telemetry would log errors; keep Prefect quiet in tests. The
# temporary Prefect server of the tests' flow runs gets reportflow's server settings, as a
# `reportflow ingest` does, whichever test starts it.
apply_defaults()
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# The ephemeral server can take long to start on a loaded 2-core machine (default 20 s).
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
REALDOCS = Path(os.environ.get("REPORTFLOW_REALDOCS", SHARED / "realdocs"))
SAMPLES = PROJECT_ROOT / "samples"
GOLD = PROJECT_ROOT / "tests" / "gold"


@pytest.fixture(scope="session")
def realdocs() -> Path:
    """The shared real-document corpus; tests that need it skip when it is absent."""
    if not REALDOCS.is_dir():
        pytest.skip(f"real documents not available at {REALDOCS}")
    return REALDOCS
