"""`reportflow show FACT_ID`: render the page a fact came from with its number boxed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command(name="show")(show)


def show(
    fact_id: Annotated[str, typer.Argument(help="A facts.fact_id, e.g. from fact_sources or `reportflow facts FILE --json`.")],
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="PNG to write (default: ./<FACT_ID>.png).", dir_okay=False)
    ] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB file (default: $REPORTFLOW_DB or warehouse/reportflow.duckdb).", show_default=False),
    ] = None,
    scale: Annotated[
        float | None,
        typer.Option("--scale", min=0.1, max=8.0, help="Pixels per page unit: per PDF point for text-layer pages "
                     "(default 2 = 144 dpi), per recognised pixel for OCR pages (default 1)."),
    ] = None,
    crop: Annotated[bool, typer.Option("--crop", help="Keep only the surroundings of the evidence (large pages).")] = False,
    raw_boxes: Annotated[
        bool,
        typer.Option("--raw-boxes", help="OCR pages: draw tesseract's character boxes as stored, without re-aligning "
                     "them to the ink (tesseract's positions drift by about a glyph on Chinese lines)."),
    ] = False,
) -> None:
    """Render the page a fact came from with its number framed in red and its evidence in yellow.

    Text-layer PDF pages are rendered with PDFium; OCR pages are re-created as tesseract saw them (same dpi, rotation and deskew) so the stored word boxes line up; facts from .txt files are shown in their paragraph, typeset.
    """
    from rich.console import Console
    from rich.table import Table

    from reportflow.config import Settings
    from reportflow.db import Warehouse
    from reportflow.errors import ReportflowError
    from reportflow.provenance import show_fact

    console, err = Console(), Console(stderr=True)
    settings = Settings.from_env(db)
    target = out or Path(f"{fact_id}.png")
    try:
        con = Warehouse(settings.db_path).connect_published()
    except ReportflowError as exc:
        err.print(f"[red]✗[/] {exc}")
        raise typer.Exit(2) from exc
    try:
        result = show_fact(con, fact_id, target, scale=scale, crop=crop, realign=not raw_boxes)
    except ReportflowError as exc:
        err.print(f"[red]✗[/] {exc}")
        raise typer.Exit(1) from exc
    finally:
        con.close()
    loc = result.location
    table = Table(show_header=False, title=f"fact {loc.fact_id}", title_justify="left")
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("figure", f"{loc.region or '?'} {loc.period_year or '?'} {loc.kind}: {loc.indicator} "
                  f"[bold]{loc.value_text}[/] (value {loc.value!r} {loc.unit})")
    table.add_row("evidence", loc.evidence)
    table.add_row("source", f"{loc.file_name}, page {loc.page_no}, paragraph {loc.paragraph_seq} ({loc.method or 'text'})")
    table.add_row("rendered", result.source)
    table.add_row("data quality", loc.dq_status or "?")
    if result.value_box is not None:
        x0, top, x1, bottom = result.value_box
        table.add_row("number box", f"x {x0:.0f}–{x1:.0f}, y {top:.0f}–{bottom:.0f} px")
    table.add_row("image", str(result.path))
    console.print(table)
    if result.value_box is None:
        err.print("[yellow]no character boxes stored for this fact: the page is shown without a frame[/]")
