"""Scheduled runs: each batch of new articles is matched against a persistent index and
against itself, decided, and committed to the index with its input marker.

The decisions are the scan's (the same verification and chain-safe grouping), with one
rule added so that cluster ids stay stable across runs: **what was decided stays
decided**. An earlier article never changes cluster; a new article joins the earlier
cluster that holds most of the earlier articles its group holds; only a cluster's
canonical, roles and reasons are recomputed when members arrive, and a canonical that
moves (the agency's own page arriving after a copy) is recorded as a move. Clusters are
never merged across runs.

Every batch is a pure function of the index as committed and the batch, and a batch's
articles, clusters and marker commit together, so a run killed anywhere and started
again decides exactly what an uninterrupted run decides; the run's outputs are read back
from the index at the end, so they are the same too.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from dedup.candidates import DEFAULT_MAX_BUCKET, EncodedPairs, candidate_pairs
from dedup.canonical import cluster_id_for, describe_cluster, parse_time
from dedup.cluster import components
from dedup.errors import ConfigError
from dedup.faults import crash_point
from dedup.index import (
    CanonicalMove,
    CommitBatch,
    IndexedArticle,
    IndexStore,
    StoredCluster,
    WindowBy,
    check_manifest,
)
from dedup.index.codec import article_of, cluster_bytes, cluster_of, is_compilation, meta_bytes
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, read_records
from dedup.minhash import index_keys
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import (
    Assignment,
    Progress,
    ScanResult,
    no_progress,
    prepare_articles,
    verify_pairs,
    warn,
    warn_truncated,
)
from dedup.prepare import PreparedBatch
from dedup.records import Article, Cluster, Evidence, Reject, RunStats
from dedup.shingle import ShingleSets
from dedup.stages import RunState, group_component
from dedup.verify import measure_pairs

logger = logging.getLogger(__name__)

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRun:
    """How a run uses its index.

    ``run_id`` names the run for resume (the same id finds the same marker); ``window``
    (seconds) limits matches to articles at most that far apart in time, by publish
    time (ingest time when a page gives none) or by ingest time; ``commit_size`` input
    articles are decided and committed at a time.
    """

    run_id: str
    window: float | None = None
    window_by: WindowBy = "published"
    commit_size: int = 10_000

    def __post_init__(self) -> None:
        if not self.run_id:
            raise ConfigError("a run id cannot be empty")
        if self.window is not None and self.window <= 0:
            raise ConfigError(f"the window must be positive, got {self.window} s")
        if self.commit_size < 1:
            raise ConfigError(f"commit_size must be >= 1, got {self.commit_size}")


@dataclass(slots=True)
class IndexRunStats:
    """What a run did to its index (``matched_earlier``: new articles that joined a
    cluster holding articles of earlier runs, i.e. copies of, or originals of, something
    seen before)."""

    run_id: str
    resumed_after: int = 0
    already_indexed: int = 0
    indexed: int = 0
    matched_earlier: int = 0
    clusters_touched: int = 0
    new_clusters: int = 0
    moves: list[CanonicalMove] = field(default_factory=list)


@dataclass(slots=True)
class UpdateResult:
    """The clusters this run's articles are in (as the index holds them at the end), and
    what the run did; ``new_ids`` are the articles this run added."""

    result: ScanResult
    index: IndexRunStats
    new_ids: frozenset[str]


@dataclass(slots=True)
class Decision:
    """One batch decided: the articles to add, the clusters created or changed, the
    canonical moves, and the verified pairs behind them (for ``check``): ``edges`` index
    ``ids``, the earlier articles first, then the batch."""

    articles: list[IndexedArticle]
    clusters: list[Cluster]
    moves: list[CanonicalMove]
    sets: ShingleSets
    ids: list[str]
    edges: I64


@contextmanager
def _timed(stats: RunStats, stage: str) -> Iterator[None]:
    """Wall seconds of a step, added up over the run's batches in ``stage_seconds``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        spent = stats.stage_seconds.get(stage, 0.0) + time.perf_counter() - started
        stats.stage_seconds[stage] = round(spent, 3)


def _epoch(value: str | None) -> float | None:
    parsed = parse_time(value)
    return parsed.timestamp() if parsed else None


def _window_times(published: Sequence[float | None], ingested: float, by: WindowBy) -> F64:
    """Each article's window time: its publish time (when known and measured), else ingest."""
    times = [t if by == "published" and t is not None else ingested for t in published]
    return np.array(times, dtype=np.float64)


def _earlier_articles(
    store: IndexStore,
    keys: npt.NDArray[np.uint64],
    eligible: npt.NDArray[np.bool_],
    times: F64,
    plan: IndexRun,
) -> tuple[list[IndexedArticle], I64]:
    """Indexed articles that share a band with a new one (within the window), then every
    member of their clusters; and the (position, new row) candidate pairs. A huge bucket
    pairs a new article with its lowest-numbered (first indexed) stored document only,
    as a scan's star does."""
    rows = np.flatnonzero(eligible)
    if rows.size == 0:
        return [], np.empty((0, 2), np.int64)
    bands = keys.shape[1]
    since = float("-inf") if plan.window is None else float(times[rows].min()) - plan.window
    hits = store.lookup(
        index_keys(keys[rows]).ravel(),
        np.repeat(rows, bands).astype(np.int64),
        since,
        plan.window_by,
        max_bucket=DEFAULT_MAX_BUCKET,
    )
    hit_docs = np.unique(hits[:, 1]).tolist()
    found = store.articles(hit_docs)
    mates = set(store.cluster_docs(sorted({a.cluster_id for a in found}))) - set(hit_docs)
    stored = sorted(found + store.articles(sorted(mates)), key=lambda a: a.doc)
    docs = np.array([a.doc for a in stored], dtype=np.int64)
    position = np.searchsorted(docs, hits[:, 1])
    present = position < docs.size
    present[present] = docs[position[present]] == hits[present, 1]  # pruned meanwhile: gone
    pairs = np.column_stack([position[present], hits[present, 0]]).astype(np.int64)
    if plan.window is not None and pairs.size:
        stored_times = np.array([a.window_time(plan.window_by) for a in stored])
        near = np.abs(stored_times[pairs[:, 0]] - times[pairs[:, 1]]) <= plan.window
        pairs = pairs[near]
    return stored, pairs


def _membership_edges(stored: Sequence[IndexedArticle]) -> I64:
    """Each earlier cluster's members chained together, so a component holds whole
    clusters."""
    last: dict[str, int] = {}
    edges: list[tuple[int, int]] = []
    for i, article in enumerate(stored):
        if article.cluster_id in last:
            edges.append((last[article.cluster_id], i))
        last[article.cluster_id] = i
    return np.array(edges, dtype=np.int64).reshape(-1, 2)


def _joined_cluster(group: Sequence[int], stored: Sequence[IndexedArticle]) -> str | None:
    """The earlier cluster a group's new articles join: the one holding most of the
    group's earlier articles (ties: the earliest indexed)."""
    earlier = [i for i in group if i < len(stored)]
    if not earlier:
        return None
    counts = Counter(stored[i].cluster_id for i in earlier)
    first = {stored[i].cluster_id: i for i in reversed(earlier)}
    return max(counts, key=lambda c: (counts[c], -first[c]))


def _universe(
    params: DedupParams, stored: Sequence[IndexedArticle], prepared: PreparedBatch
) -> RunState:
    """The earlier articles (first) and the batch as one state for verification and
    grouping, which read sets, names and compilation flags only."""
    return RunState(
        params=params,
        sets=ShingleSets.concat(
            [ShingleSets.from_sets([a.shingles for a in stored]), prepared.shingles]
        ),
        entities=ShingleSets.concat(
            [ShingleSets.from_sets([a.entities for a in stored]), prepared.entities]
        ),
        compilation=np.array(
            [is_compilation(a.meta) for a in stored] + [e.compilation for e in prepared.evidence],
            dtype=np.bool_,
        ),
        articles=[],
        evidence=(),
    )


def _placements(
    run: RunState, stored: Sequence[IndexedArticle], n_new: int, warnings: list[str]
) -> tuple[dict[str, list[int]], list[list[int]]]:
    """Where the batch's articles go: the earlier clusters they join (with the joiners)
    and the groups of new articles only."""
    m = len(stored)
    joiners: dict[str, list[int]] = {}
    fresh: list[list[int]] = []
    for component in components(m + n_new, run.edges):
        if component[-1] < m:
            continue  # earlier articles only: decided already
        for group, _ in group_component(run, component, warnings):
            news = [i for i in group.members if i >= m]
            target = _joined_cluster(group.members, stored)
            if not news:
                continue
            if target is None:
                fresh.append(news)
            else:
                joiners.setdefault(target, []).extend(news)
    return joiners, fresh


def _described(
    store: IndexStore,
    run: RunState,
    stored: Sequence[IndexedArticle],
    articles: Sequence[Article],
    prepared: PreparedBatch,
    joiners: dict[str, list[int]],
    fresh: list[list[int]],
) -> tuple[list[Cluster], list[CanonicalMove], list[str]]:
    """The clusters the batch creates or changes, described again (an earlier cluster
    keeps its id; a canonical that moves is recorded), and each new article's cluster."""
    m = len(stored)
    decoded: dict[int, tuple[Article, Evidence]] = {}

    def parts(i: int) -> tuple[Article, Evidence]:
        if i >= m:
            return articles[i - m], prepared.evidence[i - m]
        if i not in decoded:
            decoded[i] = article_of(stored[i].meta)
        return decoded[i]

    def described(members: Sequence[int]) -> Cluster:
        found = [parts(i) for i in members]
        return describe_cluster(
            [a for a, _ in found], [e for _, e in found], [run.sets.of(i) for i in members]
        )

    in_cluster: dict[str, list[int]] = {}
    for i, article in enumerate(stored):
        in_cluster.setdefault(article.cluster_id, []).append(i)
    cluster_of_new = [cluster_id_for(a.id) for a in articles]
    decided: list[Cluster] = []
    moves: list[CanonicalMove] = []
    previous = store.clusters(sorted(joiners))
    for target, news in joiners.items():
        members = sorted(in_cluster[target] + news)
        cluster = replace(described(members), cluster_id=target)
        before = previous.get(target)
        was = before.canonical_id if before else stored[members[0]].article_id
        if cluster.canonical_id != was:
            moves.append(CanonicalMove(target, was, cluster.canonical_id))
        decided.append(cluster)
        for i in news:
            cluster_of_new[i - m] = target
    for news in fresh:
        cluster = described(news)
        decided.append(cluster)
        for i in news:
            cluster_of_new[i - m] = cluster.cluster_id
    return decided, moves, cluster_of_new


def decide(
    store: IndexStore,
    params: DedupParams,
    articles: Sequence[Article],
    prepared: PreparedBatch,
    *,
    plan: IndexRun,
    ingested: float,
    options: RunOptions,
    stats: RunStats,
    report: Progress,
) -> Decision:
    """Match a prepared batch against the index and itself, and decide where each new
    article goes; nothing is written."""
    eligible = prepared.shingles.sizes() >= params.min_shingles
    stats.too_short += int(np.count_nonzero(~eligible))
    published = [_epoch(a.published_at) for a in articles]  # parsed once, stored below
    times = _window_times(published, ingested, plan.window_by)
    with _timed(stats, "look up"):
        stored, old_new = _earlier_articles(store, prepared.band_keys, eligible, times, plan)
    m = len(stored)
    with _timed(stats, "verify"):
        run = _universe(params, stored, prepared)
        new_new = candidate_pairs(prepared.band_keys, eligible=eligible) + m
        pairs = EncodedPairs.of_rows(
            np.concatenate([old_new + np.array([0, m], dtype=np.int64), new_new]),
            m + len(articles),
        )
        stats.candidate_pairs += len(pairs)
        edges = verify_pairs(run, pairs, options, stats, report)
    with _timed(stats, "cluster"):
        run = replace(run, edges=np.concatenate([edges, _membership_edges(stored)]))
        joiners, fresh = _placements(run, stored, len(articles), stats.warnings)
        decided, moves, cluster_of_new = _described(
            store, run, stored, articles, prepared, joiners, fresh
        )

    for cluster in decided:
        if cluster.size > params.max_cluster_size:
            warn(
                stats,
                f"cluster {cluster.cluster_id} has {cluster.size} members "
                f"(more than max_cluster_size={params.max_cluster_size}); check it for chaining",
            )
    new_keys = index_keys(prepared.band_keys)
    added = [
        IndexedArticle(
            article_id=article.id,
            cluster_id=cluster_of_new[i],
            run_id=plan.run_id,
            ingested=ingested,
            published=published[i],
            meta=meta_bytes(article, prepared.evidence[i]),
            shingles=prepared.shingles.of(i),
            entities=prepared.entities.of(i),
            index_keys=new_keys[i] if eligible[i] else np.zeros(0, np.uint64),
        )
        for i, article in enumerate(articles)
    ]
    ids = [a.article_id for a in stored] + [a.id for a in articles]
    return Decision(added, decided, moves, run.sets, ids, edges)


def _stored(cluster: Cluster) -> StoredCluster:
    return StoredCluster(cluster.cluster_id, cluster.canonical_id, cluster_bytes(cluster))


def default_run_id(paths: Sequence[str | os.PathLike[str]]) -> str:
    """A run id from the inputs' paths, sizes and modification times: the same files
    give the same id, so a rerun after a crash resumes instead of starting over."""
    digest = hashlib.sha256()
    for path in paths:
        resolved = os.path.abspath(os.fspath(path))
        try:
            info = os.stat(resolved)
            digest.update(f"{resolved}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        except OSError:
            digest.update(f"{resolved}\0missing\n".encode())
    return "run-" + digest.hexdigest()[:16]


@dataclass(slots=True)
class _Batches:
    """One run's way of deciding and committing its batches, each with its marker."""

    store: IndexStore
    params: DedupParams
    plan: IndexRun
    options: RunOptions
    ingested: float
    stats: RunStats
    done: IndexRunStats
    report: Progress

    def commit(self, articles: Sequence[Article], consumed: int, finished: bool) -> None:
        """Decide ``articles`` and commit them with the marker ``consumed`` (input records
        read so far, valid or not), all in one transaction."""
        crash_point("after_read")
        known = self.store.known([a.id for a in articles])
        self.done.already_indexed += len(known)
        fresh = (a for a in articles if a.id not in known)
        with _timed(self.stats, "prepare"):
            kept, prepared = prepare_articles(
                fresh, self.params, self.options, self.stats, self.report
            )
        crash_point("after_signatures")
        decision = None
        if kept:
            decision = decide(
                self.store,
                self.params,
                kept,
                prepared,
                plan=self.plan,
                ingested=self.ingested,
                options=self.options,
                stats=self.stats,
                report=self.report,
            )
        with _timed(self.stats, "commit"):
            self._commit(consumed, finished, decision)
        crash_point("after_commit")

    def _commit(self, consumed: int, finished: bool, decision: Decision | None) -> None:
        self.store.commit(
            CommitBatch(
                run_id=self.plan.run_id,
                records_done=consumed,
                articles=decision.articles if decision else [],
                clusters=[_stored(c) for c in decision.clusters] if decision else [],
                moves=decision.moves if decision else [],
                finished=finished,
            )
        )


def update(
    paths: Sequence[str | os.PathLike[str]],
    store: IndexStore,
    params: DedupParams | None = None,
    *,
    plan: IndexRun,
    fields: FieldMap | None = None,
    options: RunOptions | None = None,
    on_reject: Callable[[Reject], None] | None = None,
    progress: Progress | None = None,
    reading: ReadOptions | None = None,
) -> UpdateResult:
    """Read dumps and add their articles to the index, batch by batch, each batch matched
    against everything indexed before it; resume where an interrupted run with the same
    ``plan.run_id`` stopped. ``options.strict`` reads the whole input first and fails on
    its first bad record before the index is touched."""
    params = params or DedupParams()
    options = options or RunOptions()
    reading = reading or ReadOptions(workers=options.workers)
    fields = fields or FieldMap()
    started = time.perf_counter()
    if options.strict:
        for _ in read_records(paths, fields=fields, strict=True, options=reading):
            pass
    stats = RunStats()
    with store.writer(plan.run_id):
        check_manifest(store, params)  # under the lock: two first runs cannot both create it
        record = store.begin_run(plan.run_id, time.time())
        done = IndexRunStats(plan.run_id, resumed_after=record.records_done)
        batches = _Batches(
            store, params, plan, options, record.started, stats, done, progress or no_progress
        )
        consumed = 0
        pending: list[Article] = []
        for item in read_records(paths, fields=fields, strict=False, options=reading):
            consumed += 1
            if isinstance(item, Reject):
                logger.info("rejected %s: %s", item.where, item.reason)
                stats.rejected += 1
                if on_reject is not None:
                    on_reject(item)
                continue
            stats.articles += 1
            if consumed <= record.records_done:
                continue  # committed by an earlier attempt of this run
            pending.append(item.article)
            if len(pending) >= plan.commit_size:
                batches.commit(pending, consumed, finished=False)
                pending = []
        if not record.finished:
            batches.commit(pending, consumed, finished=True)
    warn_truncated(stats, params)
    stats.records_read = stats.articles + stats.rejected
    with _timed(stats, "read back"):
        result, new_ids = run_outcome(store, plan.run_id, params, stats, done)
    stats.seconds = round(time.perf_counter() - started, 3)
    return UpdateResult(result, done, new_ids)


def run_outcome(
    store: IndexStore, run_id: str, params: DedupParams, stats: RunStats, done: IndexRunStats
) -> tuple[ScanResult, frozenset[str]]:
    """The run's result read back from the index: every cluster holding an article this
    run added, as it stands now, in the order the run first reached them."""
    added = store.run_articles(run_id, sets=False)
    new_ids = frozenset(a.article_id for a in added)
    touched = list(dict.fromkeys(a.cluster_id for a in added))
    stored = store.clusters(touched)
    members = store.articles(store.cluster_docs(list(stored)), sets=False)
    found = {a.article_id: article_of(a.meta) for a in members}
    run_of = {a.article_id: a.run_id for a in members}
    clusters = [cluster_of(c, stored[c].payload, found) for c in touched if c in stored]
    assignments = {
        m.id: Assignment(c.cluster_id, c.canonical_id, m.role)
        for c in clusters
        for m in c.members
        if m.id in new_ids
    }
    evidence = {i: found[i][1] for i in assignments}  # the clustered ones: no decoding again
    done.indexed = len(added)
    done.clusters_touched = len(clusters)
    done.matched_earlier = sum(
        1
        for c in clusters
        if any(run_of.get(m.id) != run_id for m in c.members)
        for m in c.members
        if m.id in new_ids
    )
    done.new_clusters = sum(1 for c in clusters if all(m.id in new_ids for m in c.members))
    done.moves = store.run_moves(run_id)
    stats.clusters = len(clusters)
    stats.clustered_articles = len(assignments)
    stats.singletons = len(added) - len(assignments)
    stats.largest_cluster = max((c.size for c in clusters), default=0)
    result = ScanResult(clusters, assignments, stats, params, evidence)
    return result, new_ids


def measured_matches(decision: Decision, row: int) -> list[tuple[str, float, float, float]]:
    """The verified matches of one new article (by its row in the batch): (id, shared
    shingles, Jaccard, containment of the smaller in the larger)."""
    node = len(decision.ids) - len(decision.articles) + row
    edges = decision.edges
    touching = edges[(edges[:, 0] == node) | (edges[:, 1] == node)]
    if touching.size == 0:
        return []
    shared, jaccard, containment = measure_pairs(decision.sets, touching)
    others = np.where(touching[:, 0] == node, touching[:, 1], touching[:, 0])
    return [
        (decision.ids[int(o)], float(s), float(j), float(c))
        for o, s, j, c in zip(others, shared, jaccard, containment, strict=True)
    ]
