"""Why two articles are, or are not, copies of one story: what ``dedup explain`` shows.

Every figure comes from the functions a scan uses (``prepare_batch``, the exact check of
``stages.verify_chunk``, the band keys), so an explanation cannot disagree with a scan run
with the same settings. The cluster decision comes from a scan of the same dumps, from
an earlier scan's ``clusters.jsonl``, or from a persistent index (whose settings are then
used for the figures too).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dedup.errors import ConfigError, IndexStoreError, InputError
from dedup.index import open_index, params_of
from dedup.index.base import IndexStore
from dedup.index.codec import article_of, cluster_of
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, read_records
from dedup.params import DedupParams, RunOptions, candidate_probability
from dedup.passages import shared_passages, word_spans
from dedup.pipeline import articles_from, scan_articles
from dedup.prepare import prepare_batch
from dedup.records import Article, Cluster, Evidence, Passage
from dedup.stages import RunState, compilation_flags, verify_chunk
from dedup.verify import measure_pairs


@dataclass(frozen=True, slots=True)
class Side:
    """One of the two articles, as the scan sees it after normalization."""

    article: Article
    body: str
    evidence: Evidence
    words: int
    shingles: int


@dataclass(frozen=True, slots=True)
class Comparison:
    """The similarity of two articles and whether a scan would pair them.

    ``first_in_second`` is the share of the first text's shingles found in the second.
    Passages are word offsets into the two normalized bodies, the first as the source.
    """

    first: Side
    second: Side
    shared_shingles: int
    jaccard: float
    first_in_second: float
    second_in_first: float
    shared_bands: int
    bands: int
    rows: int
    candidate_probability: float
    long_enough: bool
    verified: bool
    passages: tuple[Passage, ...]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a scan put one article: its cluster (``None`` alone), role and parent."""

    article_id: str
    cluster_id: str | None = None
    canonical_id: str | None = None
    origin: str | None = None
    role: str = "unique"
    parent_id: str | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Explanation:
    comparison: Comparison
    first: Placement
    second: Placement
    #: where the placements come from: "a scan of the dumps" or a clusters file's path
    decided_by: str

    @property
    def same_cluster(self) -> bool:
        return self.first.cluster_id is not None and self.first.cluster_id == self.second.cluster_id


def compare(first: Article, second: Article, params: DedupParams) -> Comparison:
    """Measure two articles the way a scan measures a candidate pair."""
    prepared = prepare_batch([first, second], params, keep_bodies=True)
    sets = prepared.shingles
    run = RunState(
        params=params,
        sets=sets,
        entities=prepared.entities,
        compilation=compilation_flags(prepared.evidence),
        articles=[first, second],
        evidence=prepared.evidence,
    )
    pair = np.array([[0, 1]], dtype=np.int64)
    counted, jaccards, _ = measure_pairs(sets, pair)
    shared, jaccard = int(counted[0]), float(jaccards[0])
    sizes = sets.sizes()
    long_enough = bool(min(sizes) >= params.min_shingles)
    bodies = prepared.bodies
    return Comparison(
        first=_side(first, bodies[0], prepared.evidence[0], int(sizes[0])),
        second=_side(second, bodies[1], prepared.evidence[1], int(sizes[1])),
        shared_shingles=shared,
        jaccard=jaccard,
        first_in_second=shared / int(sizes[0]) if sizes[0] else 0.0,
        second_in_first=shared / int(sizes[1]) if sizes[1] else 0.0,
        shared_bands=int(np.count_nonzero(prepared.band_keys[0] == prepared.band_keys[1])),
        bands=params.bands,
        rows=params.rows,
        candidate_probability=candidate_probability(jaccard, params.bands, params.rows),
        long_enough=long_enough,
        verified=long_enough and bool(verify_chunk(run, pair)[0]),
        passages=tuple(shared_passages(bodies[0], bodies[1])),
    )


def _side(article: Article, body: str, evidence: Evidence, shingles: int) -> Side:
    return Side(article, body, evidence, len(word_spans(body)), shingles)


def placement_in(clusters: Iterable[Cluster], article_id: str) -> Placement:
    for cluster in clusters:
        for member in cluster.members:
            if member.id == article_id:
                return Placement(
                    article_id,
                    cluster.cluster_id,
                    cluster.canonical_id,
                    cluster.origin,
                    member.role,
                    member.parent_id,
                    cluster.reasons,
                )
    return Placement(article_id)


def placements_from_file(path: str, ids: Sequence[str]) -> list[Placement]:
    """The placements of ``ids`` in an earlier scan's ``clusters.jsonl``."""
    found = {article_id: Placement(article_id) for article_id in ids}
    try:
        with Path(path).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if line.strip():
                    _place_from_row(_cluster_row(path, number, line), found)
    except OSError as exc:
        raise InputError(f"cannot read '{path}': {exc.strerror or exc}") from exc
    return [found[article_id] for article_id in ids]


def _cluster_row(path: str, number: int, line: str) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except ValueError as exc:
        raise InputError(f"{path}:{number}: not a JSON cluster row: {exc}") from exc
    if not isinstance(row, dict) or not isinstance(row.get("members"), list):
        raise InputError(f"{path}:{number}: not a cluster row (no members list)")
    return row


def _place_from_row(row: dict[str, Any], found: dict[str, Placement]) -> None:
    for member in row["members"]:
        article_id = member.get("id") if isinstance(member, dict) else None
        if article_id in found:
            found[article_id] = Placement(
                article_id,
                str(row.get("cluster_id")),
                row.get("canonical_id"),
                row.get("origin"),
                str(member.get("role", "unique")),
                member.get("parent_id"),
                tuple(str(reason) for reason in row.get("reasons", ())),
            )


def placements_from_index(store: IndexStore, ids: Sequence[str]) -> list[Placement]:
    """The placements of ``ids`` as the index holds them (role "not indexed" if absent)."""
    stored = {a.article_id: a for a in store.articles_by_id(ids)}
    decisions = store.clusters(sorted({a.cluster_id for a in stored.values()}))
    placed: list[Placement] = []
    for article_id in ids:
        article = stored.get(article_id)
        if article is None:
            placed.append(Placement(article_id, role="not indexed"))
            continue
        decision = decisions.get(article.cluster_id)
        if decision is None:  # a singleton: the index stores no decision for it
            placed.append(Placement(article_id))
            continue
        cluster = cluster_of(
            decision.cluster_id, decision.payload, {article_id: article_of(article.meta)}
        )
        placed.append(placement_in([cluster], article_id))
    return placed


def explain(
    paths: Sequence[str | os.PathLike[str]],
    first_id: str,
    second_id: str,
    params: DedupParams | None = None,
    *,
    fields: FieldMap | None = None,
    reading: ReadOptions | None = None,
    options: RunOptions | None = None,
    clusters_path: str | None = None,
    index_url: str | None = None,
) -> Explanation:
    """Find two articles in the dumps and explain them, with the cluster decision of a scan
    of those dumps, of ``clusters_path`` (an earlier scan's output), or of the index at
    ``index_url`` (whose parameters replace ``params``)."""
    options = options or RunOptions()
    if first_id == second_id:
        raise InputError("explain needs two different article ids")
    if clusters_path is not None and index_url is not None:
        raise ConfigError("give --clusters or --index, not both")
    if index_url is not None:
        with closing(open_index(index_url, must_exist=True)) as store:
            manifest = store.manifest()
            if manifest is None:
                raise IndexStoreError(f"index {store.location} has no manifest")
            first, second = placements_from_index(store, [first_id, second_id])
            where = f"the index {store.location}"
        comparison = _compared(paths, first_id, second_id, params_of(manifest), fields, reading)
        return Explanation(comparison, first, second, where)
    params = params or DedupParams()
    if clusters_path is not None:
        comparison = _compared(paths, first_id, second_id, params, fields, reading)
        first, second = placements_from_file(clusters_path, [first_id, second_id])
        return Explanation(comparison, first, second, clusters_path)
    articles = list(_read(paths, fields, reading))
    comparison = compare(*_pick(articles, paths, first_id, second_id), params)
    clusters = scan_articles(articles, params, options=options).clusters
    return Explanation(
        comparison,
        placement_in(clusters, first_id),
        placement_in(clusters, second_id),
        "a scan of the dumps",
    )


def _read(
    paths: Sequence[str | os.PathLike[str]], fields: FieldMap | None, reading: ReadOptions | None
) -> Iterator[Article]:
    """The dumps' articles; bad records are skipped (a scan reports them, not explain)."""
    records = read_records(
        paths, fields=fields or FieldMap(), strict=False, options=reading or ReadOptions()
    )
    return articles_from(records, lambda _reject: None)


def _pick(
    articles: Iterable[Article],
    paths: Sequence[str | os.PathLike[str]],
    first_id: str,
    second_id: str,
) -> tuple[Article, Article]:
    found = {a.id: a for a in articles if a.id in (first_id, second_id)}
    missing = [i for i in (first_id, second_id) if i not in found]
    if missing:
        named = ", ".join(str(p) for p in paths)
        raise InputError(f"no article with id {' or '.join(missing)} in {named}")
    return found[first_id], found[second_id]


def _compared(
    paths: Sequence[str | os.PathLike[str]],
    first_id: str,
    second_id: str,
    params: DedupParams,
    fields: FieldMap | None,
    reading: ReadOptions | None,
) -> Comparison:
    """The two articles compared, the dumps read without keeping the rest."""
    wanted = (a for a in _read(paths, fields, reading) if a.id in (first_id, second_id))
    return compare(*_pick(wanted, paths, first_id, second_id), params)
