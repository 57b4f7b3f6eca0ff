"""The ``dedup`` command line: parses options, shows progress, prints the summary.

Only this module prints or chooses exit codes (documented in the README):
0 success (rejected records are counted and written, not fatal), 1 internal error,
2 usage or parameter error, 3 input error (or the first bad record under ``--strict``),
4 output error, 130 interrupted.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dedup import __version__
from dedup.cli_explain import explain_command
from dedup.cli_index import (
    WindowChoice,
    check_command,
    index_app,
    index_summary,
    scan_into_index,
    write_index_outputs,
)
from dedup.cli_report import report_command
from dedup.cli_support import (
    IdField,
    OutletField,
    PointerField,
    TextField,
    TimeField,
    TitleField,
    UrlField,
    bytes_of,
    field_map,
    progress_reporter,
    seconds_of,
    stderr,
    user_errors,
)
from dedup.errors import ConfigError
from dedup.evaluate import Evaluation, evaluate
from dedup.incremental import IndexRun, default_run_id
from dedup.io.compression import DecompressionLimits
from dedup.io.fields import FieldMap
from dedup.io.labels import read_gold, read_prediction
from dedup.io.readers import ReadOptions
from dedup.io.schema import cluster_to_dict, evaluation_to_dict, stats_to_dict
from dedup.io.writers import write_json, write_jsonl, write_rejects
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import ScanResult, annotated_records, scan, unique_records
from dedup.records import Reject

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Find syndicated copies of news stories and point each story to its canonical source.",
)

MAX_REJECT_LINES = 20
_DEFAULTS = DedupParams()
_RUN_DEFAULTS = RunOptions()


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dedup {__version__}")
        raise typer.Exit()


_CHATTY_LIBRARIES = ("trafilatura", "htmldate", "courlan", "justext", "warcio")


@app.callback()
def main_options(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    """dedup: near-duplicate syndicated news detection."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # Dask's scheduler and workers log every start and stop at INFO; its config reads this
    # when it is first imported (and the workers it starts inherit it)
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "info" if verbose else "error")
    # page extraction libraries warn about every odd page; a run reports its rejects itself
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.ERROR)


class _RejectReporter:
    """Prints the first rejects as one line each and counts the rest."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.rejects: list[Reject] = []

    def __call__(self, reject: Reject) -> None:
        self.rejects.append(reject)
        if not self.quiet and len(self.rejects) <= MAX_REJECT_LINES:
            stderr.print(f"skipped {reject.where}: {reject.reason}", markup=False)


def _summary(result: ScanResult, written: list[str], index_lines: Sequence[str] = ()) -> str:
    s = result.stats
    clusters = (
        f"{s.clusters:,} clusters hold {s.clustered_articles:,} of this run's articles "
        f"(largest {s.largest_cluster:,}); {s.singletons:,} with no copy yet"
        if index_lines
        else f"{s.clusters:,} clusters covering {s.clustered_articles:,} articles "
        f"(largest {s.largest_cluster:,}); {s.singletons:,} articles with no copy"
    )
    lines = [
        *index_lines,
        f"{s.records_read:,} records read, {s.rejected:,} rejected, "
        f"{s.articles:,} articles ({s.too_short:,} too short to compare)",
        clusters,
        f"{s.candidate_pairs:,} candidate pairs, {s.verified_pairs:,} verified; {s.seconds:.2f} s",
    ]
    lines += [f"warning: {w}" for w in s.warnings]
    lines += [f"wrote {path}" for path in written]
    return "\n".join(lines)


class EngineChoice(StrEnum):
    """Where a scan's work runs."""

    local = "local"
    dask = "dask"


@app.command("scan")
def scan_command(
    paths: Annotated[
        list[str],
        typer.Argument(metavar="PATH", help="Dump files or folders (.jsonl/.csv, .gz…)."),
    ],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Clusters as JSON Lines ('-' for stdout).")
    ],
    annotate: Annotated[
        str | None, typer.Option(help="Write every input record plus cluster_id/role here.")
    ] = None,
    uniques: Annotated[
        str | None, typer.Option(help="Write one record per story (canonicals + uniques) here.")
    ] = None,
    rejects: Annotated[
        str | None,
        typer.Option(help="Write skipped records here (default: OUTPUT.rejects.jsonl, if any)."),
    ] = None,
    summary_json: Annotated[
        str | None, typer.Option("--summary-json", help="Write the run summary as JSON here.")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Jaccard of word shingles that makes two texts copies.")
    ] = _DEFAULTS.jaccard_threshold,
    containment: Annotated[
        float, typer.Option(help="Share of the shorter text found in the longer that makes a copy.")
    ] = _DEFAULTS.containment_threshold,
    lsh_threshold: Annotated[
        float, typer.Option(help="Jaccard the LSH bands aim at (loose: pairs are verified).")
    ] = _DEFAULTS.lsh_threshold,
    shingle_size: Annotated[int, typer.Option(help="Words per shingle.")] = (
        _DEFAULTS.shingle_size
    ),
    num_perm: Annotated[int, typer.Option(help="MinHash permutations.")] = _DEFAULTS.num_perm,
    min_shingles: Annotated[
        int, typer.Option(help="Texts with fewer shingles are never paired (counted).")
    ] = _DEFAULTS.min_shingles,
    seed: Annotated[int, typer.Option(help="MinHash seed.")] = _DEFAULTS.seed,
    id_field: IdField = "id",
    text_field: TextField = "text",
    title_field: TitleField = "title",
    url_field: UrlField = "url",
    outlet_field: OutletField = "outlet",
    time_field: TimeField = "published_at",
    pointer_field: PointerField = "source_link",
    strict: Annotated[
        bool, typer.Option(help="Fail on the first bad record instead of skipping it.")
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=0, help="Worker processes (normalize, sign, verify, cluster); 0 = every core."
        ),
    ] = 0,
    engine: Annotated[
        EngineChoice,
        typer.Option(help="Where the work runs: this machine's cores, or a Dask cluster."),
    ] = EngineChoice.local,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="With --engine dask: the scheduler, e.g. tcp://host:8786 (default: a local "
            "cluster of --workers processes)."
        ),
    ] = None,
    partition_size: Annotated[
        int,
        typer.Option(
            min=1,
            help="With --engine dask: articles per partition (a file is cut into these; "
            "keep partitions to a few hundred).",
        ),
    ] = _RUN_DEFAULTS.partition_size,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress or summary.")] = False,
    index: Annotated[
        str | None,
        typer.Option(
            help="Match against a persistent index and add to it: PATH, sqlite:///PATH or "
            "redis://HOST:PORT/DB?prefix=NAME."
        ),
    ] = None,
    run_id: Annotated[
        str | None,
        typer.Option(
            help="Name of this run in the index (default: from the inputs); "
            "the same id resumes an interrupted run."
        ),
    ] = None,
    window: Annotated[
        str | None,
        typer.Option(help="With --index: match only articles this close in time (7d, 36h)."),
    ] = None,
    window_by: Annotated[
        WindowChoice, typer.Option(help="Time the window is measured on.")
    ] = WindowChoice.published,
    commit_every: Annotated[
        int, typer.Option(min=1, help="With --index: articles decided and committed at a time.")
    ] = 10_000,
    rebuild_index: Annotated[
        bool,
        typer.Option(help="Start an empty index when a Redis index lost its data (else refused)."),
    ] = False,
    glob: Annotated[
        str | None,
        typer.Option(help="Read only the files below a directory that match it, e.g. '*.html'."),
    ] = None,
    max_decompressed: Annotated[
        str, typer.Option(help="Refuse a compressed file that expands past this size.")
    ] = "64G",
    max_ratio: Annotated[
        float,
        typer.Option(help="Refuse a compressed file that expands more than this many times."),
    ] = 100.0,
    spans: Annotated[
        bool,
        typer.Option(
            help="Add each member's passages shared with the canonical (keeps every "
            "normalized text in memory for the run)."
        ),
    ] = False,
) -> None:
    """Cluster copies of the same story and point each cluster to its canonical source.

    Example: dedup scan dump.jsonl.gz -o clusters.jsonl --annotate annotated.jsonl

    With --index, the run's articles are matched against everything indexed before (and
    each other), added to the index, and -o lists the clusters they are in.

    Example: dedup scan today.jsonl.gz --index news.db --window 7d -o new-clusters.jsonl

    With --engine dask, the reading, signing, grouping and verification run on a Dask
    cluster and the output is the same.

    Example: dedup scan s3://bucket/dump/ --engine dask --scheduler tcp://host:8786 -o c.jsonl
    """
    with user_errors():
        params = DedupParams(
            jaccard_threshold=threshold,
            containment_threshold=containment,
            lsh_threshold=lsh_threshold,
            shingle_size=shingle_size,
            num_perm=num_perm,
            min_shingles=min_shingles,
            seed=seed,
        )
        fields = field_map(
            id_field, text_field, title_field, url_field, outlet_field, time_field, pointer_field
        )
        if index is None and (window or run_id):
            raise ConfigError("--window and --run-id work with --index only")
        if index is not None and (annotate or uniques):
            raise ConfigError(
                "--annotate and --uniques are for one-off scans; with --index, -o lists the "
                "clusters of the run's articles and `dedup index export` lists every article"
            )
        if index is not None and spans:
            raise ConfigError(
                "--spans is for one-off scans: an index keeps no texts to align against; "
                "`dedup explain A B --from DUMP` shows the passages two articles share"
            )
        if index is not None and engine is EngineChoice.dask:
            raise ConfigError(
                "--engine dask is for one-off scans; an --index run prepares its batches on "
                "this machine's cores (--workers)"
            )
        reporter = _RejectReporter(quiet)
        options = RunOptions(
            strict=strict,
            workers=workers,
            spans=spans,
            engine=engine.value,
            scheduler=scheduler,
            partition_size=partition_size,
        )
        reading = ReadOptions(
            pattern=glob,
            workers=workers,
            decompression=DecompressionLimits(
                max_bytes=bytes_of(max_decompressed, "--max-decompressed"), max_ratio=max_ratio
            ),
        )
        if index is not None:
            plan = IndexRun(
                run_id=run_id or default_run_id(paths),
                window=seconds_of(window, "--window") if window else None,
                window_by=window_by.value,
                commit_size=commit_every,
            )
            outcome = scan_into_index(
                index, paths, params, plan, fields, options, reading, reporter, quiet, rebuild_index
            )
            written = write_index_outputs(outcome, output, summary_json)
            written += _write_rejects(reporter, output, rejects, quiet)
            if not quiet:
                stderr.print(
                    _summary(outcome.result, written, index_summary(outcome)), markup=False
                )
            return
        with progress_reporter(not quiet and stderr.is_terminal) as progress:
            result = scan(
                paths,
                params,
                fields=fields,
                options=options,
                on_reject=reporter,
                progress=progress,
                reading=reading,
            )
        written = _write_outputs(
            result, paths, (fields, reading), output, annotate, uniques, summary_json
        )
        written += _write_rejects(reporter, output, rejects, quiet)
        if not quiet:
            stderr.print(_summary(result, written), markup=False)


def _write_rejects(
    reporter: _RejectReporter, output: str, rejects: str | None, quiet: bool
) -> list[str]:
    """The skipped records, to ``rejects`` or beside the output; the paths written."""
    if not reporter.rejects:
        return []
    written: list[str] = []
    rejects = rejects or (None if output == "-" else output + ".rejects.jsonl")
    if rejects:
        write_rejects(rejects, reporter.rejects)
        written.append(str(Path(rejects)))
    elif not quiet:
        stderr.print("skipped records not saved: give --rejects FILE", markup=False)
    hidden = len(reporter.rejects) - MAX_REJECT_LINES
    if hidden > 0 and not quiet:
        stderr.print(f"… and {hidden:,} more skipped records", markup=False)
    return written


@app.command("eval")
def eval_command(
    predicted: Annotated[
        str, typer.Argument(metavar="PREDICTED", help="clusters.jsonl or an --annotate output.")
    ],
    gold: Annotated[str, typer.Option(help="Gold labels (JSON Lines, see README).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    gold_id_field: Annotated[
        str, typer.Option(help="Id field of an articles-layout gold file.")
    ] = "id",
    gold_cluster_field: Annotated[
        str, typer.Option(help="Cluster field of an articles-layout gold file.")
    ] = "cluster",
) -> None:
    """Score a scan against gold labels, on the ids the gold labels.

    Example: dedup eval --gold dev_clusters.jsonl clusters.jsonl
    """
    with user_errors():
        labels = read_gold(gold, id_field=gold_id_field, cluster_field=gold_cluster_field)
        result = evaluate(labels, read_prediction(predicted))
    if as_json:
        typer.echo(json.dumps(evaluation_to_dict(result), indent=2))
    else:
        typer.echo(_evaluation_table(result))


def _evaluation_table(result: Evaluation) -> str:
    s = result.scores

    def share(hits: int, total: int) -> str:
        return f"{hits / total:.3f}  ({hits} of {total} clusters)" if total else "n/a"

    rows = [
        ("labelled ids", f"{s.ids:,}"),
        ("adjusted Rand index", f"{s.ari:.3f}"),
        ("pairwise precision", f"{s.precision:.3f}"),
        ("pairwise recall", f"{s.recall:.3f}"),
        ("pairwise F1", f"{s.f1:.3f}  ({s.predicted_pairs:,} predicted / {s.true_pairs:,} true)"),
        ("B-cubed precision", f"{s.bcubed_precision:.3f}"),
        ("B-cubed recall", f"{s.bcubed_recall:.3f}"),
        ("B-cubed F1", f"{s.bcubed_f1:.3f}"),
        ("origin accuracy", share(result.origin_hits, result.origin_total)),
        ("canonical accuracy", share(result.canonical_hits, result.canonical_total)),
    ]
    return "\n".join(f"{name:<22}{value}" for name, value in rows)


def _write_outputs(
    result: ScanResult,
    paths: list[str],
    inputs: tuple[FieldMap, ReadOptions],
    output: str,
    annotate: str | None,
    uniques: str | None,
    summary_json: str | None,
) -> list[str]:
    fields, reading = inputs
    fingerprint = result.params.fingerprint()
    rows = (cluster_to_dict(c, params_fingerprint=fingerprint) for c in result.clusters)
    write_jsonl(output, rows)
    written = [output] if output != "-" else []
    if annotate:
        write_jsonl(annotate, annotated_records(paths, result, fields=fields, reading=reading))
        written.append(annotate)
    if uniques:
        write_jsonl(uniques, unique_records(paths, result, fields=fields, reading=reading))
        written.append(uniques)
    if summary_json:
        write_json(summary_json, stats_to_dict(result.stats, params=result.params))
        written.append(summary_json)
    return [str(Path(p)) for p in written]


app.command("explain")(explain_command)
app.add_typer(index_app, name="index")
app.command("report")(report_command)
app.command("check")(check_command)


def main() -> None:
    """Console-script entry point."""
    app()
