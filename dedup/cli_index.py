"""The index side of the command line: ``scan --index``, ``check`` and ``index …``
(``stats``, ``prune``, ``export``, ``verify``)."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from dedup.cli_support import progress_reporter, seconds_of, stderr, user_errors
from dedup.errors import IndexStoreError, InputError
from dedup.incremental import IndexRun, UpdateResult, decide, measured_matches, update
from dedup.index import IndexedArticle, open_index, params_of
from dedup.index.codec import article_of
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions
from dedup.io.schema import cluster_to_dict, evidence_to_dict, stats_to_dict
from dedup.io.writers import write_json, write_jsonl
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import no_progress, prepare_articles
from dedup.records import Article, Reject, RunStats

index_app = typer.Typer(
    no_args_is_help=True, help="Inspect and maintain a persistent index (stats, prune, …)."
)

IndexUrl = Annotated[
    str, typer.Argument(metavar="INDEX", help="PATH, sqlite:///PATH or redis://HOST:PORT/DB.")
]


class WindowChoice(StrEnum):
    """What a time window is measured on."""

    published = "published"
    ingested = "ingested"


def scan_into_index(
    url: str,
    paths: list[str],
    params: DedupParams,
    plan: IndexRun,
    fields: FieldMap,
    options: RunOptions,
    reading: ReadOptions,
    on_reject: Callable[[Reject], None],
    quiet: bool,
    rebuild: bool,
) -> UpdateResult:
    with (
        closing(open_index(url, rebuild=rebuild)) as store,
        progress_reporter(not quiet and stderr.is_terminal) as progress,
    ):
        return update(
            paths,
            store,
            params,
            plan=plan,
            fields=fields,
            options=options,
            on_reject=on_reject,
            progress=progress,
            reading=reading,
        )


def write_index_outputs(outcome: UpdateResult, output: str, summary_json: str | None) -> list[str]:
    """The run's clusters (each with the ids this run added and a canonical that moved),
    and the summary with the index counters."""
    result = outcome.result
    fingerprint = result.params.fingerprint()
    moved = {m.cluster_id: m.previous for m in outcome.index.moves}
    rows = (
        cluster_to_dict(c, params_fingerprint=fingerprint)
        | {
            "new_ids": sorted(m.id for m in c.members if m.id in outcome.new_ids),
            "previous_canonical_id": moved.get(c.cluster_id),
        }
        for c in result.clusters
    )
    write_jsonl(output, rows)
    written = [output] if output != "-" else []
    if summary_json:
        index = outcome.index
        summary = stats_to_dict(result.stats, params=result.params) | {
            "index": {
                "run_id": index.run_id,
                "resumed_after_records": index.resumed_after,
                "indexed": index.indexed,
                "already_indexed": index.already_indexed,
                "matched_earlier": index.matched_earlier,
                "clusters_touched": index.clusters_touched,
                "new_clusters": index.new_clusters,
                "canonical_moves": [
                    {"cluster_id": m.cluster_id, "from": m.previous, "to": m.current}
                    for m in index.moves
                ],
            }
        }
        write_json(summary_json, summary)
        written.append(summary_json)
    return [str(Path(p)) for p in written]


def index_summary(outcome: UpdateResult) -> list[str]:
    index = outcome.index
    lines = [f"run {index.run_id}: {index.indexed:,} articles in the index from this run"]
    if index.resumed_after:
        lines.append(f"resumed after {index.resumed_after:,} input records committed earlier")
    lines.append(
        f"{index.matched_earlier:,} match stories seen in earlier runs; "
        f"{index.new_clusters:,} new clusters; {index.already_indexed:,} already indexed, skipped"
    )
    lines += [
        f"canonical of {m.cluster_id} moved from {m.previous} to {m.current}" for m in index.moves
    ]
    return lines


def _read_article(source: str) -> Article:
    """One article from a JSON object in a file or on stdin ('-')."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read '{source}': {exc.strerror or exc}") from exc
    try:
        row = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{source}: not a JSON object: {exc}") from exc
    if not isinstance(row, dict) or not isinstance(row.get("id"), str) or not row.get("text"):
        raise InputError(f"{source}: expected a JSON object with a string id and a text")
    return Article(
        id=row["id"],
        text=str(row["text"]),
        title=row.get("title"),
        url=row.get("url"),
        outlet=row.get("outlet"),
        published_at=row.get("published_at"),
        pointer=row.get("source_link"),
        location=source,
    )


def check_command(
    source: Annotated[
        str, typer.Argument(metavar="ARTICLE", help="A JSON article (file, or '-' for stdin).")
    ],
    index: Annotated[str, typer.Option(help="The index to check against.")],
    window: Annotated[
        str | None, typer.Option(help="Match only articles this close in time (7d, 36h).")
    ] = None,
    window_by: Annotated[
        WindowChoice, typer.Option(help="Time the window is measured on.")
    ] = WindowChoice.published,
) -> None:
    """Show an article's matches in the index and the cluster and canonical it would get,
    without adding it. Works while another job writes to the index.

    Example: dedup check article.json --index news.db
    """
    with user_errors():
        article = _read_article(source)
        with closing(open_index(index, must_exist=True)) as store:
            manifest = store.manifest()
            if manifest is None:
                raise IndexStoreError(f"index {store.location} has no manifest")
            if store.known([article.id]):
                typer.echo(json.dumps({"id": article.id, "indexed_already": True}, indent=2))
                return
            params = params_of(manifest)
            stats = RunStats()
            options = RunOptions(workers=1)
            kept, prepared = prepare_articles([article], params, options, stats, no_progress)
            plan = IndexRun(
                run_id="check",
                window=seconds_of(window, "--window") if window else None,
                window_by=window_by.value,
            )
            decision = decide(
                store,
                params,
                kept,
                prepared,
                plan=plan,
                ingested=time.time(),
                options=options,
                stats=stats,
                report=no_progress,
            )
    placed = decision.articles[0]
    cluster = next((c for c in decision.clusters if c.cluster_id == placed.cluster_id), None)
    member = next((m for m in cluster.members if m.id == article.id), None) if cluster else None
    report: dict[str, Any] = {
        "id": article.id,
        "indexed_already": False,
        "matches": [
            {"id": other, "shared": int(shared), "jaccard": round(j, 4), "containment": round(c, 4)}
            for other, shared, j, c in measured_matches(decision, 0)
        ],
        "cluster_id": placed.cluster_id,
        "canonical_id": cluster.canonical_id if cluster else article.id,
        "role": member.role if member else "unique",
        "parent_id": member.parent_id if member else None,
        "origin": cluster.origin if cluster else None,
        "reasons": list(cluster.reasons) if cluster else [],
        "evidence": evidence_to_dict(prepared.evidence[0]),
    }
    typer.echo(json.dumps(report, ensure_ascii=False, indent=2))


def _when(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


@index_app.command("stats")
def stats_command(
    index: IndexUrl,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Counts, times and parameters of an index.

    Example: dedup index stats news.db
    """
    with user_errors(), closing(open_index(index, must_exist=True)) as store:
        found = store.stats()
    manifest = found.manifest
    row: dict[str, Any] = {
        "index": index,
        "articles": found.articles,
        "clusters": found.clusters,
        "band_entries": found.band_entries,
        "runs": found.runs,
        "oldest": _when(found.oldest),
        "newest": _when(found.newest),
        "bytes": found.bytes_on_disk,
        "schema_version": manifest.schema_version if manifest else None,
        "params": manifest.fingerprint if manifest else None,
        "created": manifest.created if manifest else None,
    }
    if as_json:
        typer.echo(json.dumps(row, indent=2))
    else:
        typer.echo("\n".join(f"{name:<16}{value}" for name, value in row.items()))


@index_app.command("prune")
def prune_command(
    index: IndexUrl,
    older_than: Annotated[str, typer.Option(help="Remove articles older than this (30d, 12w).")],
    by: Annotated[WindowChoice, typer.Option(help="Time measured.")] = WindowChoice.published,
) -> None:
    """Remove articles older than a window (with their band entries); their clusters
    keep their ids for the members left.

    Example: dedup index prune news.db --older-than 30d
    """
    with user_errors():
        cutoff = time.time() - seconds_of(older_than, "--older-than")
        with (
            closing(open_index(index, must_exist=True)) as store,
            store.writer(f"prune-{socket.gethostname()}"),
        ):
            removed = store.prune(cutoff, by.value)
    stderr.print(f"removed {removed:,} articles older than {_when(cutoff)}", markup=False)


def _export_rows(articles: Iterator[IndexedArticle]) -> Iterator[dict[str, Any]]:
    for stored in articles:
        article, evidence = article_of(stored.meta)
        yield {
            "id": article.id,
            "cluster_id": stored.cluster_id,
            "run_id": stored.run_id,
            "ingested_at": _when(stored.ingested),
            "published_at": article.published_at,
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "shingles": int(stored.shingles.shape[0]),
            "evidence": evidence_to_dict(evidence),
        }


@index_app.command("export")
def export_command(
    index: IndexUrl,
    output: Annotated[str, typer.Option("--output", "-o", help="JSON Lines ('-' for stdout).")],
) -> None:
    """Every indexed article as JSON Lines: id, cluster, run, times, evidence.

    Example: dedup index export news.db -o articles.jsonl
    """
    with user_errors(), closing(open_index(index, must_exist=True)) as store:
        write_jsonl(output, _export_rows(store.export()))


@index_app.command("verify")
def verify_command(index: IndexUrl) -> None:
    """Check an index for consistency (every article in every band, no orphans, the
    manifest intact, the database itself); exit 5 when something is wrong.

    Example: dedup index verify news.db
    """
    with user_errors(), closing(open_index(index, must_exist=True)) as store:
        problems = store.problems()
    for problem in problems:
        stderr.print(f"problem: {problem}", markup=False)
    if problems:
        raise typer.Exit(IndexStoreError.exit_code)
    stderr.print(f"index {index}: no problems found", markup=False)


__all__ = [
    "WindowChoice",
    "check_command",
    "index_app",
    "index_summary",
    "scan_into_index",
    "write_index_outputs",
]
