"""``dedup report``: a scan's clusters as one static HTML page to read and share.

The command only reads the files it is given and writes the page atomically; the work
is in ``dedup.report`` (pure) and ``dedup.report.dump`` (the optional dump).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from dedup.cli_support import (
    IdField,
    OutletField,
    PointerField,
    TextField,
    TimeField,
    TitleField,
    UrlField,
    field_map,
    stderr,
    user_errors,
)
from dedup.errors import ConfigError, InputError
from dedup.io.readers import ReadOptions
from dedup.io.writers import atomic_output
from dedup.report.dump import Dump, read_dump
from dedup.report.html import render_html
from dedup.report.model import build_report, cluster_rows


def _read_clusters(path: str) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            return list(cluster_rows(handle, path))
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text (a clusters.jsonl from dedup scan?)") from None
    except OSError as error:
        raise InputError(f"cannot read '{path}': {error.strerror or error}") from None


def _read_summary(path: str) -> dict[str, Any]:
    try:
        found = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read '{path}': {error.strerror or error}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise InputError(f"{path}: not a JSON summary: {error}") from None
    if not isinstance(found, dict):
        raise InputError(f"{path}: not a JSON summary (expected an object)")
    return found


def report_command(
    clusters: Annotated[
        str, typer.Argument(metavar="CLUSTERS", help="clusters.jsonl written by dedup scan.")
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="The HTML page to write.")],
    dump: Annotated[
        list[str] | None,
        typer.Option(
            "--dump",
            help="The scanned articles (repeatable; any input dedup scan reads): texts, "
            "shared passages and per-outlet shares.",
        ),
    ] = None,
    summary: Annotated[
        str | None, typer.Option(help="The scan's --summary-json file (counts, LSH bands).")
    ] = None,
    min_words: Annotated[
        int, typer.Option(min=1, help="Shortest shared passage highlighted, in words.")
    ] = 8,
    title: Annotated[str, typer.Option(help="The page's title.")] = "dedup report",
    id_field: IdField = "id",
    text_field: TextField = "text",
    title_field: TitleField = "title",
    url_field: UrlField = "url",
    outlet_field: OutletField = "outlet",
    time_field: TimeField = "published_at",
    pointer_field: PointerField = "source_link",
    glob: Annotated[
        str | None, typer.Option(help="In dump folders, read only the files that match.")
    ] = None,
    workers: Annotated[
        int, typer.Option(min=0, help="Processes that normalize the dump's texts; 0 = every core.")
    ] = 0,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
) -> None:
    """Write a scan's clusters as one self-contained HTML page (no network needed).

    Give the dump the scan read (with the same field options) to see texts side by side
    with shared passages highlighted, and each outlet's share of copies.

    Example: dedup report clusters.jsonl --dump day.jsonl.gz --summary summary.json -o report.html
    """
    with user_errors():
        if output == "-":
            raise ConfigError("-o takes a file: the report is written atomically")
        rows = _read_clusters(clusters)
        given_summary = _read_summary(summary) if summary else None
        found: Dump | None = None
        if dump:
            fields = field_map(
                id_field,
                text_field,
                title_field,
                url_field,
                outlet_field,
                time_field,
                pointer_field,
            )
            wanted = {m["id"] for row in rows for m in row["members"]}
            found = read_dump(
                dump,
                wanted,
                fields=fields,
                reading=ReadOptions(pattern=glob, workers=workers),
                workers=workers,
            )
        data = build_report(rows, dump=found, summary=given_summary, min_words=min_words)
        page = render_html(data, title=title)
        with atomic_output(output) as handle:
            handle.write(page)
        if not quiet:
            missing = len({m["id"] for row in rows for m in row["members"]} - set(data.texts))
            lines = [f"{len(rows):,} clusters"]
            if found is not None:
                lines.append(
                    f"dump: {found.articles:,} articles, {found.rejected:,} rejected records"
                    + (f", {missing:,} cluster members not found" if missing else "")
                )
            lines.append(f"wrote {output} ({len(page.encode()) / 1e6:.1f} MB)")
            stderr.print("\n".join(lines), markup=False)
