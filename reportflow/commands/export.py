"""`reportflow export`: every table and view of the warehouse as Parquet or CSV files.

For analysts moving to a larger engine (Spark, BigQuery, Postgres, pandas at scale): one file
per table or view, named after it, plus ``_manifest.json`` with row counts, column types and
the data dictionary's comments. Parquet keeps DuckDB's types (lists of boxes, timestamps);
CSV writes lists in DuckDB's text form (``[[72.0, 130.5, 80.4, 144.8], NULL]``), UTF-8, with a
header row.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import duckdb
import typer

log = logging.getLogger(__name__)

Format = Literal["parquet", "csv"]
MANIFEST = "_manifest.json"


@dataclass(frozen=True, slots=True)
class ExportedObject:
    name: str
    kind: str
    """'table' or 'view'."""
    rows: int
    file: str
    columns: list[dict[str, str]]


def warehouse_objects(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, 'table' | 'view') of the main schema, tables first, each in name order."""
    return con.execute("""
        SELECT table_name, 'table' FROM duckdb_tables()
        WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
        UNION ALL
        SELECT view_name, 'view' FROM duckdb_views()
        WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
        ORDER BY 2, 1
    """).fetchall()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def export_warehouse(con: duckdb.DuckDBPyConnection, out_dir: Path, fmt: Format) -> list[ExportedObject]:
    """Write every table and view to ``out_dir/<name>.<fmt>`` and a manifest; returns what was written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER true, DELIMITER ','"
    exported: list[ExportedObject] = []
    for name, kind in warehouse_objects(con):
        target = out_dir / f"{name}.{fmt}"
        tmp = target.with_name(f".{target.name}.tmp")
        con.execute(f"COPY (SELECT * FROM {_quoted(name)}) TO {_literal(tmp)} ({options})")
        tmp.replace(target)
        rows = con.execute(f"SELECT count(*) FROM {_quoted(name)}").fetchone()[0]  # type: ignore[index]
        columns = [
            {"name": c, "type": t, "comment": comment or ""}
            for c, t, comment in con.execute(
                "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE database_name = current_database() "
                "AND schema_name = 'main' AND table_name = ? ORDER BY column_index", [name]).fetchall()
        ]
        exported.append(ExportedObject(name, kind, int(rows), target.name, columns))
        log.info("exported %s %s: %d rows", kind, name, rows)
    schema = con.execute("SELECT max(version) FROM schema_migrations").fetchone()
    manifest = {
        "format": fmt,
        "exported_at": datetime.now().isoformat(timespec="seconds"),
        "duckdb_version": duckdb.__version__,
        "schema_version": schema[0] if schema else None,
        "objects": [asdict(e) for e in exported],
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return exported


def register(app: typer.Typer) -> None:
    app.command(name="export")(export)


def export(
    parquet: Annotated[Path | None, typer.Option("--parquet", help="Write <table>.parquet files into this folder.",
                                                 file_okay=False)] = None,
    csv: Annotated[Path | None, typer.Option("--csv", help="Write <table>.csv files (UTF-8, header row) into this folder.",
                                             file_okay=False)] = None,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="DuckDB file (default: $REPORTFLOW_DB or warehouse/reportflow.duckdb).", show_default=False),
    ] = None,
) -> None:
    """Export every table and view of the published warehouse as Parquet or CSV files (one per object, plus _manifest.json with row counts, types and column descriptions), for a larger engine."""
    from rich.console import Console
    from rich.table import Table

    from reportflow.config import Settings
    from reportflow.db import Warehouse
    from reportflow.errors import ReportflowError

    console, err = Console(), Console(stderr=True)
    targets: list[tuple[Format, Path]] = [(f, d) for f, d in (("parquet", parquet), ("csv", csv)) if d is not None]
    if not targets:
        err.print("[red]✗[/] say where: --parquet DIR and/or --csv DIR")
        raise typer.Exit(2)
    settings = Settings.from_env(db)
    try:
        con = Warehouse(settings.db_path).connect_published()
    except ReportflowError as exc:
        err.print(f"[red]✗[/] {exc}")
        raise typer.Exit(2) from exc
    try:
        for fmt, folder in targets:
            exported = export_warehouse(con, folder, fmt)
            table = Table(title=f"{settings.db_path} → {folder} ({fmt})", title_justify="left")
            table.add_column("object")
            table.add_column("kind")
            table.add_column("rows", justify="right")
            table.add_column("file")
            for e in exported:
                table.add_row(e.name, e.kind, str(e.rows), e.file)
            console.print(table)
    except (duckdb.Error, OSError) as exc:
        err.print(f"[red]✗[/] export failed: {exc}")
        raise typer.Exit(1) from exc
    finally:
        con.close()
