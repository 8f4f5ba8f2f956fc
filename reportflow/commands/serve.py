"""`reportflow serve`: register and serve the ingestion deployments against a Prefect server.

Two deployments of the `ingest` flow, served by this one process:

* ``ingest/ingest-inbox`` — scheduled (cron), ingests the inbox folder into the warehouse;
* ``ingest/ingest-paths`` — on demand, takes ``paths`` (files or folders) as a parameter.

Both are built with ``flow.from_source(...)``: each flow run loads the code from the source
folder (or git repository) as it is *when the run starts*, so after fixing a bug, pressing
Retry in the UI runs the fixed code. (``flow.serve()`` on an imported flow would keep
running the code this process loaded at start.) See docs/operations.md.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

INBOX_DEPLOYMENT = "ingest-inbox"
PATHS_DEPLOYMENT = "ingest-paths"
ENTRYPOINT = "flows/ingest.py:ingest"


def local_timezone() -> str:
    """The machine's IANA time zone name (cron schedules are evaluated in it), else UTC."""
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz and not tz.startswith("/"):
        return tz
    etc_timezone = Path("/etc/timezone")
    if etc_timezone.is_file():
        name = etc_timezone.read_text(encoding="utf-8").strip()
        if name:
            return name
    localtime = Path("/etc/localtime")
    if localtime.is_symlink():
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return target.split("zoneinfo/", 1)[1]
    return "UTC"


def build_deployments(
    source: str,
    db: Path,
    inbox: Path | None,
    cron: str,
    timezone: str,
) -> list:  # list[RunnerDeployment]; prefect imported lazily to keep `--help` fast
    """The RunnerDeployments `reportflow serve` serves (also usable from a Python script)."""
    from prefect import Flow
    from prefect.schedules import Cron

    source_flow = Flow.from_source(source=source, entrypoint=ENTRYPOINT)
    deployments = [
        source_flow.to_deployment(
            name=PATHS_DEPLOYMENT,
            parameters={"db": str(db)},
            description="Ingest the files and folders given as `paths` into the DuckDB warehouse.",
            tags=["reportflow"],
        )
    ]
    if inbox is not None:
        deployments.insert(
            0,
            source_flow.to_deployment(
                name=INBOX_DEPLOYMENT,
                schedules=[Cron(cron, timezone=timezone)],
                parameters={"paths": [str(inbox)], "db": str(db)},
                description=f"Ingest everything in {inbox} ({cron}, {timezone}); documents already "
                "loaded are left as they are.",
                tags=["reportflow"],
            ),
        )
    return deployments


def serve(
    inbox: Annotated[
        Path | None,
        typer.Option(
            "--inbox",
            help="Folder the scheduled deployment ingests (default $REPORTFLOW_INBOX). Without one, "
            "only the on-demand deployment is served.",
            file_okay=False,
        ),
    ] = None,
    cron: Annotated[str, typer.Option("--cron", help="When ingest-inbox runs (cron syntax).")] = "0 * * * *",
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Time zone of the cron schedule (default: this machine's)."),
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="DuckDB file (default: $REPORTFLOW_DB or warehouse/reportflow.duckdb).",
            show_default=False,
        ),
    ] = None,
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="Where each flow run loads the code from: a folder or a git URL (default: this checkout).",
            show_default=False,
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option("--limit", help="At most this many flow runs at once (default: no limit).")
    ] = None,
) -> None:
    """Serve the ingestion deployments (scheduled inbox + on-demand paths) to a Prefect server."""
    from rich.console import Console

    from reportflow.config import PROJECT_ROOT, Settings
    from reportflow.prefect_server import apply_defaults

    err = Console(stderr=True)
    apply_defaults()
    from prefect.settings import get_current_settings

    api_url = get_current_settings().api.url
    if not api_url:
        err.print(
            "[red]no Prefect server configured.[/] Start one with [bold]reportflow prefect-server[/] and point "
            "reportflow at it:\n  prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
        raise typer.Exit(2)
    settings = Settings.from_env(db)
    inbox_dir = inbox or (
        Path(os.environ["REPORTFLOW_INBOX"]) if os.environ.get("REPORTFLOW_INBOX") else None
    )
    if inbox_dir is not None:
        inbox_dir = inbox_dir.expanduser().resolve()
        inbox_dir.mkdir(parents=True, exist_ok=True)
    else:
        err.print("[yellow]no --inbox given:[/] serving only the on-demand deployment ingest-paths")
    from prefect import serve as prefect_serve

    deployments = build_deployments(
        source=source or str(PROJECT_ROOT),
        db=settings.db_path.expanduser().resolve(),
        inbox=inbox_dir,
        cron=cron,
        timezone=timezone or local_timezone(),
    )
    err.print(f"Prefect API: {api_url}   UI: {api_url.removesuffix('/api')}")
    prefect_serve(*deployments, limit=limit)


def register(app: typer.Typer) -> None:
    app.command(name="serve")(serve)
