"""The Prefect server settings reportflow runs with, for the temporary server and a standing one.

Prefect's task-run recorder (the server service that turns the task-run state events clients
send into the task runs the UI shows) commits every event in a transaction of its own by
default (``batch_size`` 1). Measured here (benchmarks/README.md, Throughput, run 7):
108–122 ms of the server's CPU per task run with that default, ~27 ms with batches of 100;
on the ingest flow at 100 documents the server's CPU during the run about halves (median
4.3 → 2.3 s), CPU the server would otherwise take from the stages on a small machine. The
recorder still flushes every ``flush_interval`` (Prefect's default, 5 s), so the UI shows a
task run's state at most that late; nothing in reportflow reads task runs back during a run.

Where the settings apply:

* the temporary server a run starts when ``PREFECT_API_URL`` is not set: ``flows.ingest``
  puts them into this process's environment at import (:func:`apply_defaults`), which that
  server inherits;
* a standing server: ``reportflow prefect-server`` starts ``prefect server start`` with them
  (:func:`server_environment`); ``reportflow doctor`` says when the configured server runs
  without them.

A value already in the environment or the active Prefect profile always wins.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from typing import Any, Final

TASK_RUN_RECORDER_BATCH_SIZE: Final = 100
RECORDER_BATCH_SIZE_ENV: Final = "PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_BATCH_SIZE"

SERVER_DEFAULTS: Final[Mapping[str, str]] = {
    RECORDER_BATCH_SIZE_ENV: str(TASK_RUN_RECORDER_BATCH_SIZE),
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}
"""Environment variables for a Prefect server running reportflow's flows."""


def apply_defaults(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Set each of :data:`SERVER_DEFAULTS` not already set; returns the ones it set."""
    target = os.environ if environ is None else environ
    applied = {}
    for name, value in SERVER_DEFAULTS.items():
        if name not in target:
            target[name] = value
            applied[name] = value
    return applied


def server_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`SERVER_DEFAULTS` filled in."""
    environment = dict(os.environ if base is None else base)
    apply_defaults(environment)
    return environment


def recorder_batch_size(admin_settings: Mapping[str, Any]) -> int | None:
    """The task-run recorder's batch size in a server's ``GET /api/admin/settings`` answer."""
    try:
        value = admin_settings["server"]["services"]["task_run_recorder"]["batch_size"]
    except (KeyError, TypeError):
        return None
    return value if isinstance(value, int) else None
