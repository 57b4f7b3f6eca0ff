"""The work of the stages after signing, one item at a time: a chunk of candidate pairs to
verify, a few components to cluster and describe.

Each item is a pure function of the run's state (``RunState``: sets, names, evidence,
articles, verified edges) and the item, so an engine can run items on workers that share
that state, and the output does not depend on how many there are.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import numpy.typing as npt

from dedup import _cluster_kernels
from dedup.canonical import Judgement, cluster_id_for, judge_cluster, member_of
from dedup.cluster import Group, cluster_component, neighbourhood_groups
from dedup.params import DedupParams
from dedup.passages import Words, reuse_of
from dedup.records import Article, Cluster, Evidence, Reuse
from dedup.shingle import ShingleSets
from dedup.verify import F64, accept, agreement, measure_pairs, shared_counts

Mask = npt.NDArray[np.bool_]


def verified(
    params: DedupParams,
    shared: F64,
    jaccard: F64,
    containment: F64,
    mixed: Mask,
    names_agree: F64,
) -> Mask:
    """The exact check; ``mixed`` marks compilation-vs-story pairs (judged by Jaccard);
    pairs whose names and figures disagree (templated items) are never copies."""
    return (names_agree >= params.min_entity_agreement) & accept(
        shared,
        jaccard,
        containment,
        jaccard_threshold=params.jaccard_threshold,
        containment_threshold=params.containment_threshold,
        min_shared=params.min_shared_shingles,
        jaccard_only=mixed,
    )


@dataclass(frozen=True, slots=True)
class RunState:
    """What the stages after signing read: shared with forked workers, never pickled."""

    params: DedupParams
    sets: ShingleSets
    entities: ShingleSets
    compilation: Mask
    articles: list[Article]
    evidence: tuple[Evidence, ...]
    edges: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty((0, 2), np.int64))
    #: normalized bodies, kept only when members' shared passages are asked for
    bodies: tuple[str, ...] = ()


def compilation_flags(evidence: Sequence[Evidence]) -> Mask:
    """``RunState.compilation`` for articles with this evidence."""
    return np.array([e.compilation for e in evidence], dtype=np.bool_)


def verify_chunk(run: RunState, pairs: npt.NDArray[np.int64]) -> Mask:
    """Which candidate pairs pass the exact check."""
    mixed = run.compilation[pairs[:, 0]] != run.compilation[pairs[:, 1]]
    names = run.entities.sizes()
    names_agree = agreement(
        measure_pairs(run.entities, pairs)[2],
        np.minimum(names[pairs[:, 0]], names[pairs[:, 1]]),
        run.params.min_entities,
    )
    return verified(run.params, *measure_pairs(run.sets, pairs), mixed, names_agree)


def component_matrices(run: RunState, index: npt.NDArray[np.int64]) -> tuple[F64, F64, Mask]:
    """(shared counts, similarity, verified) of every pair of a component: what ``pairwise``
    on the sets and the names, then ``verified``, give, in one compiled pass over the shared
    counts. Similarity is containment, or Jaccard for a compilation-vs-story pair, and 0
    where names disagree."""
    params = run.params
    shared, similarity, checked = _cluster_kernels.component_matrices(
        shared_counts(run.sets, index),
        shared_counts(run.entities, index),
        run.sets.offsets,
        run.entities.offsets,
        index,
        run.compilation,
        params.jaccard_threshold,
        params.containment_threshold,
        params.min_shared_shingles,
        params.min_entities,
        params.min_entity_agreement,
    )
    return shared, similarity, checked


def cluster_exactly(run: RunState, nodes: list[int]) -> list[tuple[Group, F64]]:
    """Chain-safe groups of one component from all its pairs, each with its members'
    shared-shingle matrix, so the canonical step does not measure the same pairs again."""
    params = run.params
    index = np.asarray(nodes, dtype=np.int64)
    shared, similarity, checked = component_matrices(run, index)
    local = cluster_component(
        similarity,
        checked,
        link_threshold=params.link_threshold,
        core_containment=params.core_containment,
        priority=run.sets.sizes_of(index).astype(np.float64),
    )
    found: list[tuple[Group, F64]] = []
    for g in local:
        members = list(g.members)
        group = Group(members=tuple(nodes[m] for m in members))
        whole = len(members) == len(nodes)  # then ``members`` is 0..n-1
        found.append((group, shared if whole else shared[np.ix_(members, members)]))
    return found


@dataclass(frozen=True, slots=True)
class SentCluster:
    """A cluster as a worker sends it: its members as article indices with what the
    canonical step decided about each, not the articles and evidence the main process
    holds already."""

    first: int
    cluster_id: str
    canonical_id: str
    origin: str | None
    reasons: tuple[str, ...]
    #: (article index, role, parent id, Jaccard, containment) in member order
    members: tuple[tuple[int, str, str | None, float, float], ...]
    #: each member's passages shared with the canonical, when the run keeps bodies
    reuse: tuple[Reuse | None, ...] = ()

    @classmethod
    def of(cls, judged: Judgement, group: Group, run: RunState) -> SentCluster:
        """What the main process needs of a group's judgement (positions become article
        indices, the parent an id)."""
        index = group.members
        articles = run.articles
        canonical_id = articles[index[judged.canonical]].id
        members = tuple(
            (index[i], role, articles[index[p]].id if p is not None else None, jaccard, share)
            for i, role, p, jaccard, share in judged.members
        )
        return cls(
            index[0],
            cluster_id_for(canonical_id),
            canonical_id,
            judged.origin,
            judged.reasons,
            members,
            _reuse(members, index[judged.canonical], run) if run.bodies else (),
        )

    def received(self, articles: Sequence[Article], evidence: Sequence[Evidence]) -> Cluster:
        return Cluster(
            cluster_id=self.cluster_id,
            canonical_id=self.canonical_id,
            origin=self.origin,
            reasons=self.reasons,
            members=tuple(
                member_of(articles[i], evidence[i], role, parent, jaccard, containment, reuse=reuse)
                for (i, role, parent, jaccard, containment), reuse in zip(
                    self.members, self.reuse or (None,) * len(self.members), strict=True
                )
            ),
        )


def _reuse(
    members: tuple[tuple[int, str, str | None, float, float], ...], canonical: int, run: RunState
) -> tuple[Reuse | None, ...]:
    """Each member's passages shared with the canonical, for the members that pass the
    copy thresholds against the canonical itself (one joined through another member is
    not aligned with a text it was never verified against)."""
    params = run.params
    source = Words.of(run.bodies[canonical])
    return tuple(
        reuse_of(source, Words.of(run.bodies[i]))
        if i != canonical
        and (jaccard >= params.jaccard_threshold or share >= params.containment_threshold)
        else None
        for i, _, _, jaccard, share in members
    )


@dataclass(slots=True)
class Described:
    """A work item's clusters in the order found, the warnings raised, and the seconds
    spent clustering and choosing canonicals."""

    clusters: list[SentCluster] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    cluster_seconds: float = 0.0
    canonical_seconds: float = 0.0


def group_component(
    run: RunState, component: list[int], warnings: list[str]
) -> list[tuple[Group, F64]]:
    """A component's chain-safe groups: exactly, or neighbourhood by neighbourhood (with a
    warning) when it is too large for one all-pairs matrix."""
    limit = run.params.max_exact_component
    if len(component) <= limit:
        return cluster_exactly(run, component)
    warnings.append(
        f"a component of {len(component)} articles is larger than max_exact_component="
        f"{limit}; clustered neighbourhood by neighbourhood"
    )
    inside = np.isin(run.edges[:, 0], component)
    return neighbourhood_groups(
        component,
        run.edges[inside],
        run.sets.sizes().astype(np.float64),
        partial(cluster_exactly, run),
        limit=limit,
    )


def describe_components(run: RunState, nodes_of: list[list[int]]) -> Described:
    """Cluster each component (exactly, or neighbourhood by neighbourhood when it is too
    large for one all-pairs matrix) and describe each group's canonical source."""
    done = Described()
    for component in nodes_of:
        started = time.perf_counter()
        groups = group_component(run, component, done.warnings)
        described = time.perf_counter()
        for group, shared in groups:
            judged = judge_cluster(
                [run.articles[i] for i in group.members],
                [run.evidence[i] for i in group.members],
                [run.sets.of(i) for i in group.members],
                shared=shared,
            )
            done.clusters.append(SentCluster.of(judged, group, run))
        done.cluster_seconds += described - started
        done.canonical_seconds += time.perf_counter() - described
    return done


def work_items(nodes_of: list[list[int]], size: int) -> Iterator[list[list[int]]]:
    """Components packed into items of about ``size`` articles, in order."""
    item: list[list[int]] = []
    held = 0
    for component in nodes_of:
        item.append(component)
        held += len(component)
        if held >= size:
            yield item
            item, held = [], 0
    if item:
        yield item
