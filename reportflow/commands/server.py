"""`reportflow prefect-server`: `prefect server start` with reportflow's server settings.

The same server as Prefect's own command (UI and API, SQLite under ``$PREFECT_HOME``), started
with the settings of reportflow/prefect_server.py (the task-run recorder writing in batches)
unless the environment or the Prefect profile sets them otherwise. Further options go to
`prefect server start` unchanged (``--host``, ``--port``, ``--background`` …).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import typer


def prefect_executable() -> str:
    """The `prefect` program of this environment (next to this Python), else the one on PATH."""
    beside = Path(sys.executable).with_name("prefect")
    if beside.is_file():
        return str(beside)
    found = shutil.which("prefect")
    if found is None:
        raise FileNotFoundError("the `prefect` program is not installed in this environment (pip install prefect)")
    return found


def server_command(extra_args: list[str]) -> list[str]:
    return [prefect_executable(), "server", "start", *extra_args]


def register(app: typer.Typer) -> None:
    app.command(
        name="prefect-server",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    )(prefect_server)


def prefect_server(ctx: typer.Context) -> None:
    """Start the Prefect server (UI and API) with reportflow's settings; other options go to `prefect server start`."""
    from reportflow.prefect_server import server_environment

    command = server_command(list(ctx.args))
    # exec: the server gets this process's signals (Ctrl-C, systemd's stop) directly.
    os.execve(command[0], command, server_environment())
