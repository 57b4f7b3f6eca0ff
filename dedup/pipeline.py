"""``scan``: article dump in, story clusters pointed to their canonical source out.

Plain functions composing the core steps; they log and return stats, never print.
``scan_articles`` is the whole method on in-memory articles; ``scan`` adds reading files.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import islice
from typing import TYPE_CHECKING, TypeVar

import numpy as np
import numpy.typing as npt

from dedup.candidates import BandTable, EncodedPairs, candidate_codes
from dedup.canonical import cluster_id_for
from dedup.cluster import components
from dedup.engines.local import collector_paused, map_ordered, map_with_shared
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, Record, read_records
from dedup.io.sources import expand
from dedup.params import DedupParams, RunOptions
from dedup.prepare import PreparedBatch, PreparedRun, prepare_batch, warm_up
from dedup.records import Article, Cluster, Evidence, Prediction, Reject, RunStats
from dedup.spill import SpilledArray
from dedup.stages import (
    RunState,
    compilation_flags,
    describe_components,
    verify_chunk,
    work_items,
)

if TYPE_CHECKING:
    from dedup.dask_engine.driver import DistributedRun

logger = logging.getLogger(__name__)

Value = TypeVar("Value")

Progress = Callable[[str, int], None]
"""Called with (phase, items done since the last call); phases: read, sign (both per
prepared batch), verify, cluster."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where one article landed: its cluster, that cluster's canonical, and its role there."""

    cluster_id: str
    canonical_id: str
    role: str


class MadeOnFirstUse(Mapping[str, Value]):
    """A dict made the first time it is read. A scan that writes its clusters never asks
    for an article's assignment or evidence by id; made at the end of every scan, the two
    dicts held an entry per article when the run's memory was at its peak."""

    def __init__(self, make: Callable[[], dict[str, Value]]) -> None:
        self._make: Callable[[], dict[str, Value]] | None = make
        self._made: dict[str, Value] = {}

    def _dict(self) -> dict[str, Value]:
        if self._make is not None:
            self._made, self._make = self._make(), None
        return self._made

    def __getitem__(self, key: str) -> Value:
        return self._dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __len__(self) -> int:
        return len(self._dict())


@dataclass(slots=True)
class ScanResult:
    """Clusters of two or more, an assignment for every article, and the run's counters."""

    clusters: list[Cluster]
    #: the articles in a cluster (the others are their own canonical: ``assignment``)
    assignments: Mapping[str, Assignment]
    stats: RunStats
    params: DedupParams
    evidence: Mapping[str, Evidence] = field(default_factory=dict)

    def assignment(self, article_id: str) -> Assignment:
        """An article's assignment; an article in no cluster is its own canonical."""
        found = self.assignments.get(article_id)
        if found is not None:
            return found
        return Assignment(cluster_id_for(article_id), article_id, "unique")

    def prediction(self) -> Prediction:
        """This run's answer in the form ``dedup.evaluate`` scores."""
        placed = {i: self.assignment(i) for i in self.evidence}
        return Prediction(
            cluster_of={i: a.cluster_id for i, a in placed.items()},
            canonical_of={i: a.canonical_id for i, a in placed.items()},
            origin_of={c.cluster_id: c.origin for c in self.clusters},
        )


def no_progress(phase: str, advance: int) -> None:
    del phase, advance


def warn(stats: RunStats, message: str) -> None:
    """A quality warning: kept in the stats (the CLI prints them), logged at INFO only."""
    logger.info(message)
    stats.warnings.append(message)


#: pairs verified per work item: a few seconds of work, 16 MB to send
VERIFY_CHUNK = 1 << 20
#: articles clustered per work item, small components packed together
CLUSTER_ITEM_SIZE = 2000


def _batches(articles: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(articles)
    while batch := list(islice(iterator, size)):
        yield batch


def prepare_articles(
    articles: Iterable[Article],
    params: DedupParams,
    options: RunOptions,
    stats: RunStats,
    report: Progress,
    keep: Callable[[Article], Article] = Article.without_text,
) -> tuple[list[Article], PreparedBatch]:
    """Stream the articles once, batch by batch, through ``prepare_batch`` on the engine;
    ``keep`` says what of each article the run holds from then on."""
    kept: list[Article] = []
    joined = PreparedRun(params.bands, partial(SpilledArray, directory=options.spill_dir))
    work = partial(prepare_batch, params=params, keep_bodies=options.spans)
    warm_up(params)
    batches = _batches(articles, options.batch_size)
    for batch, prepared in map_ordered(work, batches, workers=options.workers):
        kept.extend(map(keep, batch))
        joined.add(prepared)
        stats.boilerplate_kept += sum(e.kept_boilerplate for e in prepared.evidence)
        report("read", len(batch))
        report("sign", len(batch))
    prepared = joined.finish()
    stats.truncated += prepared.truncated
    return kept, prepared


def warn_truncated(stats: RunStats, params: DedupParams) -> None:
    if stats.truncated:
        warn(
            stats,
            f"{stats.truncated:,} texts longer than max_body_chars={params.max_body_chars:,} "
            "were compared on their first max_body_chars characters only",
        )


class _Stopwatch:
    """Wall time of consecutive stages, into ``RunStats.stage_seconds``."""

    def __init__(self, stats: RunStats) -> None:
        self.stats = stats
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.stats.stage_seconds[stage] = round(now - self.last, 3)
        self.last = now

    def split(self, stages: tuple[str, ...], weights: Sequence[float]) -> None:
        """One lap shared by stages that ran interleaved (in workers), in proportion to
        the seconds the workers spent on each."""
        now = time.perf_counter()
        total = sum(weights) or 1.0
        for stage, weight in zip(stages, weights, strict=True):
            self.stats.stage_seconds[stage] = round((now - self.last) * weight / total, 3)
        self.last = now


def _candidates(
    run: RunState, keys: npt.NDArray[np.uint64], options: RunOptions, stats: RunStats
) -> EncodedPairs:
    """Pairs of articles long enough to sign that share an LSH band, band passes made on
    the workers."""
    eligible = run.sets.sizes() >= run.params.min_shingles
    stats.too_short = int(np.count_nonzero(~eligible))

    def on_workers(table: BandTable, passes: list[range]) -> Iterator[npt.NDArray[np.int64]]:
        done = map_with_shared(BandTable.pass_codes, table, passes, workers=options.workers)
        return (codes for _, codes in done)

    pairs = candidate_codes(keys, eligible=eligible, map_passes=on_workers)
    stats.candidate_pairs = len(pairs)
    return pairs


def verify_pairs(
    run: RunState,
    pairs: EncodedPairs,
    options: RunOptions,
    stats: RunStats,
    report: Progress,
) -> npt.NDArray[np.int64]:
    """The candidate pairs the exact check accepts, as (i, j) rows, checked chunk by chunk
    on the workers (decoded one chunk at a time: all of them as rows would hold twice
    their encoded size at once)."""
    kept: list[npt.NDArray[np.int64]] = [np.empty((0, 2), dtype=np.int64)]
    for chunk, mask in map_with_shared(
        verify_chunk, run, pairs.chunks(VERIFY_CHUNK), workers=options.workers
    ):
        kept.append(chunk[mask])
        report("verify", int(chunk.shape[0]))
    edges = np.concatenate(kept)
    stats.verified_pairs += int(edges.shape[0])
    return edges


def _warm_up_clustering(params: DedupParams) -> None:
    """Compile (or load from numba's cache) the clustering kernels in this process, on a
    component of three and one of two, so that the workers forked next share them instead
    of each compiling its own (seconds each, in a fresh environment)."""
    text = "A warm-up story of one line about nothing in particular, told three times over."
    articles = [Article(id=f"warm-up-{i}", text=text) for i in range(3)]
    prepared = prepare_batch(articles, params)
    run = RunState(
        params=params,
        sets=prepared.shingles,
        entities=prepared.entities,
        compilation=np.zeros(len(articles), dtype=np.bool_),
        articles=articles,
        evidence=prepared.evidence,
    )
    describe_components(run, [[0, 1, 2], [0, 1]])


def _clusters(
    run: RunState, options: RunOptions, stats: RunStats, report: Progress, watch: _Stopwatch
) -> list[Cluster]:
    """Every component's clusters and canonicals, in the order of their first members."""
    params = run.params
    _warm_up_clustering(params)
    items = work_items(components(len(run.sets), run.edges), CLUSTER_ITEM_SIZE)
    found: list[tuple[int, Cluster]] = []
    spent = [0.0, 0.0]
    for _, done in map_with_shared(describe_components, run, items, workers=options.workers):
        for message in done.warnings:
            warn(stats, message)
        found.extend(
            (sent.first, sent.received(run.articles, run.evidence)) for sent in done.clusters
        )
        spent[0] += done.cluster_seconds
        spent[1] += done.canonical_seconds
        report("cluster", sum(len(sent.members) for sent in done.clusters))
    found.sort(key=lambda first_and_cluster: first_and_cluster[0])
    clusters = [cluster for _, cluster in found]
    for cluster in clusters:
        if cluster.size > params.max_cluster_size:
            warn(
                stats,
                f"cluster {cluster.cluster_id} has {cluster.size} members "
                f"(more than max_cluster_size={params.max_cluster_size}); check it for chaining",
            )
    watch.split(("cluster", "canonical"), spent)
    return clusters


def scan_articles(
    articles: Iterable[Article],
    params: DedupParams | None = None,
    *,
    options: RunOptions | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Cluster copies among ``articles`` and describe each cluster's canonical source."""
    with collector_paused():
        return _scan_articles(articles, params, options=options, progress=progress)


def _scan_articles(
    articles: Iterable[Article],
    params: DedupParams | None,
    *,
    options: RunOptions | None,
    progress: Progress | None,
) -> ScanResult:
    params = params or DedupParams()
    options = options or RunOptions()
    if options.engine == "dask":
        from dedup.dask_engine import driver  # imports Dask, an optional extra

        on_cluster = partial(driver.scan_in_memory, list(articles), params, options)
        return _scan_on_dask(on_cluster, params, options, progress)
    report = progress or no_progress
    stats = RunStats()
    started = time.perf_counter()
    watch = _Stopwatch(stats)
    kept, prepared = prepare_articles(
        articles, params, options, stats, report, keep=Article.for_clustering
    )
    warn_truncated(stats, params)
    watch.lap("prepare")
    evidence = prepared.evidence
    run = RunState(
        params=params,
        sets=prepared.shingles,
        entities=prepared.entities,
        compilation=compilation_flags(evidence),
        articles=kept,
        evidence=evidence,
        bodies=prepared.bodies,
    )
    pairs = _candidates(run, prepared.band_keys, options, stats)
    del prepared  # the band keys are done with
    watch.lap("candidates")
    edges = verify_pairs(run, pairs, options, stats, report)
    del pairs
    watch.lap("verify")
    return _result(replace(run, edges=edges), options, stats, report, watch, started)


def _spilled(options: RunOptions) -> partial[SpilledArray]:
    return partial(SpilledArray, directory=options.spill_dir)


def _scan_on_dask(
    on_cluster: Callable[..., DistributedRun],
    params: DedupParams,
    options: RunOptions,
    progress: Progress | None,
) -> ScanResult:
    """A scan whose stages up to verification run on a Dask cluster (``on_cluster``, a
    ``dask_engine.driver`` entry point given the progress, the stopwatch's lap and where
    to spill); its edges and sets are clustered here as a local run clusters its own."""
    report = progress or no_progress
    stats = RunStats()
    started = time.perf_counter()
    watch = _Stopwatch(stats)
    with collector_paused():
        distributed = on_cluster(report=report, lap=watch.lap, large=_spilled(options))
        stats.truncated += distributed.truncated
        stats.boilerplate_kept += distributed.boilerplate_kept
        stats.too_short = distributed.too_short
        stats.candidate_pairs = distributed.candidate_pairs
        stats.verified_pairs += int(distributed.edges.shape[0])
        warn_truncated(stats, params)
        run = RunState(
            params=params,
            sets=distributed.sets,
            entities=distributed.entities,
            compilation=compilation_flags(distributed.evidence),
            articles=distributed.articles,
            evidence=distributed.evidence,
            edges=distributed.edges,
            bodies=distributed.bodies,
        )
        del distributed
        return _result(run, options, stats, report, watch, started)


def _result(
    run: RunState,
    options: RunOptions,
    stats: RunStats,
    report: Progress,
    watch: _Stopwatch,
    started: float,
) -> ScanResult:
    """Cluster the verified edges, describe each cluster, and count the run."""
    clusters = _clusters(run, options, stats, report, watch)
    ids = [article.id for article in run.articles]
    evidence, params = run.evidence, run.params
    del run
    stats.articles = len(ids)
    stats.clusters = len(clusters)
    stats.clustered_articles = sum(cluster.size for cluster in clusters)
    stats.singletons = stats.articles - stats.clustered_articles
    stats.largest_cluster = max((c.size for c in clusters), default=0)
    stats.seconds = round(time.perf_counter() - started, 3)
    return ScanResult(
        clusters=clusters,
        assignments=MadeOnFirstUse(partial(_assignments, clusters)),
        stats=stats,
        params=params,
        evidence=MadeOnFirstUse(partial(_by_id, ids, evidence)),
    )


def _assignments(clusters: list[Cluster]) -> dict[str, Assignment]:
    return {
        member.id: Assignment(cluster.cluster_id, cluster.canonical_id, member.role)
        for cluster in clusters
        for member in cluster.members
    }


def _by_id(ids: list[str], evidence: Sequence[Evidence]) -> dict[str, Evidence]:
    return dict(zip(ids, evidence, strict=True))


def articles_from(
    records: Iterable[Record | Reject], on_reject: Callable[[Reject], None]
) -> Iterator[Article]:
    """The articles of a record stream; rejects go to ``on_reject``."""
    for item in records:
        if isinstance(item, Reject):
            on_reject(item)
        else:
            yield item.article


def scan(
    paths: Sequence[str | os.PathLike[str]],
    params: DedupParams | None = None,
    *,
    fields: FieldMap | None = None,
    options: RunOptions | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Progress | None = None,
    reading: ReadOptions | None = None,
) -> ScanResult:
    """Read dumps, quarantine bad records through ``on_reject``, and scan the rest.

    With ``options.strict`` the first bad record raises ``BadRecordError`` instead.
    ``reading`` defaults to extracting HTML pages on ``options.workers`` processes.
    """
    options = options or RunOptions()
    reading = reading or ReadOptions(workers=options.workers)
    rejected: list[Reject] = []

    def quarantine(reject: Reject) -> None:
        logger.info("rejected %s: %s", reject.where, reject.reason)
        rejected.append(reject)
        if on_reject is not None:
            on_reject(reject)

    if options.engine == "dask":  # the workers read the files; the driver only finds them
        from dedup.dask_engine import driver  # imports Dask, an optional extra

        params = params or DedupParams()
        on_cluster = partial(
            driver.scan_files,
            expand(paths, reading.pattern),
            params,
            options,
            fields=fields or FieldMap(),
            reading=reading,
            on_reject=quarantine,
        )
        result = _scan_on_dask(on_cluster, params, options, progress)
    else:
        records = read_records(
            paths, fields=fields or FieldMap(), strict=options.strict, options=reading
        )
        result = scan_articles(
            articles_from(records, quarantine), params, options=options, progress=progress
        )
    result.stats.rejected = len(rejected)
    result.stats.records_read = result.stats.articles + len(rejected)
    return result


def _placed_records(
    paths: Sequence[str | os.PathLike[str]],
    result: ScanResult,
    fields: FieldMap | None,
    reading: ReadOptions | None,
) -> Iterator[tuple[dict[str, object], str, Assignment]]:
    """A second pass over the input: each valid raw record, its id and where it landed."""
    for item in read_records(paths, fields=fields or FieldMap(), strict=False, options=reading):
        if isinstance(item, Record):
            yield item.raw, item.article.id, result.assignment(item.article.id)


def annotated_records(
    paths: Sequence[str | os.PathLike[str]],
    result: ScanResult,
    *,
    fields: FieldMap | None = None,
    reading: ReadOptions | None = None,
) -> Iterator[dict[str, object]]:
    """Every valid input record, unchanged, plus its cluster_id, canonical_id and role."""
    for raw, _, placed in _placed_records(paths, result, fields, reading):
        yield raw | {
            "cluster_id": placed.cluster_id,
            "canonical_id": placed.canonical_id,
            "role": placed.role,
        }


def unique_records(
    paths: Sequence[str | os.PathLike[str]],
    result: ScanResult,
    *,
    fields: FieldMap | None = None,
    reading: ReadOptions | None = None,
) -> Iterator[dict[str, object]]:
    """One record per story: each cluster's canonical and every article in no cluster."""
    for raw, article_id, placed in _placed_records(paths, result, fields, reading):
        if placed.canonical_id == article_id:
            yield raw


__all__ = [
    "Assignment",
    "ScanResult",
    "annotated_records",
    "scan",
    "scan_articles",
    "unique_records",
]
