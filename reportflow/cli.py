"""The `reportflow` command line: a thin layer over the library and the Prefect flow."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(
    help="Turn Chinese government work reports (PDF, scans, text) into validated numeric facts in DuckDB.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="DuckDB file (default: $REPORTFLOW_DB or warehouse/reportflow.duckdb).", show_default=False),
]


def _settings(db: Path | None = None):  # Settings imported lazily to keep --help fast
    from reportflow.config import Settings

    return Settings.from_env(db)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.pdf, .png/.jpg/.tif/.tiff, .txt).")],
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's task logs.")] = False,
    runner: Annotated[
        str | None,
        typer.Option(
            "--runner",
            help="Where per-document work runs: 'threads' (default), 'dask' (a local Dask cluster) "
            "or 'dask=tcp://HOST:PORT' (an existing cluster). Same as $REPORTFLOW_TASK_RUNNER.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Ingest documents through the Prefect `ingest` flow into the DuckDB warehouse."""
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    if runner:
        os.environ["REPORTFLOW_TASK_RUNNER"] = runner  # read when flows.ingest is imported
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from flows.ingest import IngestFailed
    from flows.ingest import ingest as ingest_flow
    from reportflow import progress as events
    from reportflow.acquire import discover

    settings = _settings(db)
    missing = [p for p in paths if not p.exists()]
    if missing:
        err_console.print(f"[red]no such file or folder:[/] {', '.join(map(str, missing))}")
        raise typer.Exit(2)
    total = len(discover(paths))
    if total == 0:
        err_console.print("[yellow]no supported documents found[/] (.pdf, .png, .jpg, .tif, .tiff, .txt)")
        raise typer.Exit(2)

    with Progress(
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
    ) as bar:
        task_id = bar.add_task("documents", total=total, last="")

        def on_event(event: events.ProgressEvent) -> None:
            if event.kind == "document_done":
                bar.update(task_id, advance=1, last=f"{Path(event.path).name}: {event.status}")

        unsubscribe = events.subscribe(on_event)
        try:
            summary: dict[str, Any] = ingest_flow([str(p) for p in paths], db=str(settings.db_path))
            failed = False
        except IngestFailed as exc:
            summary = exc.summary.as_dict()
            failed = True
        finally:
            unsubscribe()
    _print_summary(summary)
    if failed:
        names = ", ".join(Path(f["path"]).name for f in summary["failures"])
        err_console.print(f"[red]failed documents:[/] {names}")
        raise typer.Exit(1)


def _print_summary(summary: dict[str, Any]) -> None:
    table = Table(title="reportflow ingest", show_header=False, title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    ok = summary["documents_ok"]
    unchanged = summary["documents_unchanged"]
    table.add_row("documents ok", f"{ok}" + (f" ({unchanged} unchanged, already loaded)" if unchanged else ""))
    table.add_row("documents failed", f"[red]{summary['documents_failed']}[/]" if summary["documents_failed"] else "0")
    table.add_row("pages", f"{summary['pages_text']} by text layer, {summary['pages_ocr']} by OCR")
    table.add_row("paragraphs", str(summary["paragraphs"]))
    table.add_row("facts", str(summary["facts"]))
    table.add_row(
        "expectations",
        f"{summary['expectations_passed']} passed, {summary['expectations_failed']} failed"
        + (f" ({summary['facts_failed_validation']} facts flagged)" if summary["facts_failed_validation"] else ""),
    )
    from flows.ingest import stage_times_text

    table.add_row("time per stage", stage_times_text(summary["stage_seconds"], summary["stages_reused"]))
    table.add_row("database", summary["db_path"])
    if summary.get("data_docs_index"):
        table.add_row("data docs", summary["data_docs_index"])
    if summary.get("report_path"):
        table.add_row("run report", summary["report_path"])
    console.print(table)
    if summary.get("validation_error"):
        console.print(f"[yellow]validation/report step failed (data still published):[/] {summary['validation_error']}")
    for failure in summary["failures"]:
        console.print(f"[red]✗[/] {failure['path']}: {failure['error_code']} at {failure['stage']}: {failure['error']}")


def _process(file: Path):
    from reportflow.errors import DocumentError
    from reportflow.pipeline import process_document

    try:
        return process_document(file, _settings(), archive=False)
    except DocumentError as exc:
        err_console.print(f"[red]{file.name}: {exc.code}:[/] {exc}")
        raise typer.Exit(1) from exc


def _document(file: Path, db: Path | None, recompute: bool):
    """The document's rows from the warehouse when it is loaded by this code version, else computed."""
    from reportflow.db import StoredDocument, Warehouse, assign_fact_ids, read_document

    if not recompute:
        from reportflow.acquire import sha256_of
        from reportflow.versions import pipeline_version

        published = _settings(db).db_path
        if published.exists():
            import duckdb

            try:
                con = Warehouse(published).connect_published()
            except duckdb.Error:
                con = None
            if con is not None:
                try:
                    stored = read_document(con, sha256_of(file), pipeline_version())
                finally:
                    con.close()
                if stored is not None:
                    return stored
    processed = _process(file)
    return StoredDocument(
        processed.acquired.doc_id,
        processed.context,
        processed.paragraphs,
        processed.facts,
        assign_fact_ids(processed.acquired.doc_id, processed.facts),
    )


RecomputeOption = Annotated[
    bool,
    typer.Option(
        "--recompute",
        help="Always run the pipeline on the file, even when the database already holds it.",
    ),
]


@app.command()
def text(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .pdf, image or .txt file.")],
    db: DbOption = None,
    recompute: RecomputeOption = False,
) -> None:
    """Print the document's repaired reading-order text: one paragraph, heading or list item per line.

    Read from the database when the file (same bytes, same code version) is loaded there,
    otherwise computed on the spot; either way exactly the `paragraphs` rows.
    """
    document = _document(file, db, recompute)
    out = sys.stdout
    for paragraph in document.paragraphs:
        out.write(paragraph.text + "\n")


@app.command()
def facts(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="A .pdf, image or .txt file.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line instead of a table.")] = False,
    db: DbOption = None,
    recompute: RecomputeOption = False,
) -> None:
    """Print the facts of one document as a table, or JSON lines (read from the database when loaded there)."""
    from dataclasses import asdict

    document = _document(file, db, recompute)
    if as_json:
        for fact_id, fact in zip(document.fact_ids, document.facts):
            sys.stdout.write(json.dumps({"fact_id": fact_id, **asdict(fact)}, ensure_ascii=False) + "\n")
        return
    ctx = document.context
    table = Table(title=f"{file.name}: {ctx.region or '?'} {ctx.report_year or '?'} — {len(document.facts)} facts")
    for column in ("seq", "kind", "year", "code", "indicator", "measure", "value", "unit", "cmp", "evidence"):
        table.add_column(column, overflow="fold")
    for fact in document.facts:
        table.add_row(
            str(fact.paragraph_seq),
            fact.kind,
            str(fact.period_year or ""),
            fact.indicator_code or "",
            fact.indicator,
            fact.measure,
            fact.value_text if fact.value is None else format_number(fact.value),
            fact.unit,
            fact.comparator + (" 力争" if fact.aspirational else ""),
            fact.evidence,
        )
    console.print(table)


def format_number(value: float) -> str:
    """Shortest exact form of a stored number (never rounds: 1234567 stays 1234567)."""
    text = repr(value)
    return text.removesuffix(".0")


def main() -> None:
    from reportflow.prefect_server import apply_defaults

    apply_defaults()  # for the temporary Prefect server a run starts (reportflow/prefect_server.py)
    # Ephemeral mode starts a local Prefect server; allow for a slow, loaded machine.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    app()


def _register_more_commands() -> None:
    from reportflow.commands import register_all

    register_all(app)


_register_more_commands()


if __name__ == "__main__":
    main()
