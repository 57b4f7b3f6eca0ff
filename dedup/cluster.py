"""Chain-safe clustering of verified pairs.

Plain transitive closure turns A~B~C chains into giant false clusters (one 859,091-member
false cluster in a public run). Here a connected component of verified pairs (scipy) is
only the search space. Inside it, average-linkage clustering (scipy's algorithm, compiled in
``_cluster_kernels``) on exact pairwise containment merges two groups only when their
members overlap *on average*, so a page that contains several unrelated stories (a live
file, a gallery, a digest) cannot glue them together. Then every member must be verified
directly against the group's centre or one of its core members (near-complete copies of
the centre); the rest leave as singletons. Components too large for one all-pairs matrix
are clustered neighbourhood by neighbourhood.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dedup import _cluster_kernels

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Group:
    """Indices of one cluster's members, each verified against its centre or a core member."""

    members: tuple[int, ...]


def components(n_nodes: int, pairs: I64) -> list[list[int]]:
    """Connected components with two or more nodes, each sorted."""
    graph = coo_matrix(
        (np.ones(pairs.shape[0], dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
        shape=(n_nodes, n_nodes),
    )
    count, labels = connected_components(graph, directed=False)
    members: list[list[int]] = [[] for _ in range(count)]
    for node, label in enumerate(labels.tolist()):
        members[label].append(node)
    return [m for m in members if len(m) > 1]


def cluster_component(
    containment: F64,
    verified: Mask,
    *,
    link_threshold: float,
    core_containment: float,
    priority: F64,
) -> list[Group]:
    """Groups (local indices) of one component from its all-pairs matrices.

    ``containment[i, j]`` is the share of the smaller of i, j found in the other;
    ``verified[i, j]`` says whether the pair passed the exact check.
    """
    similarity = containment.copy()
    np.fill_diagonal(similarity, 1.0)
    size = similarity.shape[0]
    if size == 2:  # most components: one verified pair, nothing to link
        flat = [[0, 1]]
    else:
        tree = _cluster_kernels.average_linkage(1.0 - similarity)
        flat = _flat_clusters(tree, 1.0 - link_threshold)
    rows: list[list[bool]] = verified.tolist()
    priorities: list[float] = priority.tolist()
    groups: list[Group] = []
    for members in flat:
        groups.extend(_centred(members, similarity, rows, core_containment, priorities))
    return groups


def _flat_clusters(tree: F64, max_distance: float) -> list[list[int]]:
    """The clusters of a linkage tree cut at ``max_distance`` (scipy's ``fcluster`` with
    criterion "distance", which costs more than the linkage on a small component), each
    sorted, in the order of their labels. Average linkage is monotone, so they are the
    unions made by the merges at or under the cut."""
    n = tree.shape[0] + 1
    owner = list(range(2 * n - 1))
    for step, (left, right, distance, _) in enumerate(tree.tolist()):
        if distance > max_distance:
            break
        owner[int(left)] = owner[int(right)] = n + step
    for node in range(2 * n - 2, -1, -1):  # a merge's id is larger than its children's
        owner[node] = owner[owner[node]] if owner[node] != node else node
    by_label: dict[int, list[int]] = defaultdict(list)
    for node in range(n):
        by_label[owner[node]].append(node)
    return [by_label[label] for label in sorted(by_label)]


def _centred(
    members: list[int],
    similarity: F64,
    verified: list[list[bool]],
    core_containment: float,
    priority: list[float],
) -> list[Group]:
    """Keep the members verified against the centre or a core member of the group; those
    left out are grouped again among themselves."""
    groups: list[Group] = []
    while len(members) >= 2:
        center = _centre(members, similarity, priority)
        to_center: list[float] = similarity[:, center].tolist()
        core = [m for m in members if m == center or to_center[m] >= core_containment]
        kept = [
            m
            for m in members
            if m == center or verified[m][center] or any(verified[m][c] for c in core if c != m)
        ]
        if len(kept) >= 2:
            groups.append(Group(members=tuple(kept)))
        placed = set(kept)
        members = [m for m in members if m not in placed]
    return groups


def _centre(members: list[int], similarity: F64, priority: list[float]) -> int:
    """The member most similar to the others (row sums, as numpy adds them), then the
    longest, then the first."""
    whole = len(members) == similarity.shape[0]  # then ``members`` is 0..n-1
    block = similarity if whole else similarity[np.ix_(members, members)]
    scores: list[float] = block.sum(axis=1).tolist()
    best = max(zip(members, scores, strict=True), key=lambda ms: (ms[1], priority[ms[0]], -ms[0]))
    return best[0]


def neighbourhood_groups(
    nodes: list[int],
    pairs: I64,
    priority: F64,
    cluster_exactly: Callable[[list[int]], list[tuple[Group, T]]],
    *,
    limit: int,
) -> list[tuple[Group, T]]:
    """Fallback for a component too large for one all-pairs matrix.

    Nodes are visited by priority (longest text first). Each node not yet placed has its
    unplaced neighbours (at most ``limit`` - 1, by priority) clustered exactly, all pairs,
    by ``cluster_exactly``, and the group holding the node is kept. So every member is
    checked against the others as in a small component, and a hub (a short text that a
    stock sentence makes "contained" in many unrelated stories) never gathers them: star
    clustering around the best-connected node made one such hub a 355-member false cluster.
    """
    neighbours: dict[int, set[int]] = defaultdict(set)
    for left, right in pairs.tolist():
        neighbours[left].add(right)
        neighbours[right].add(left)
    by_priority = sorted(nodes, key=lambda n: (-float(priority[n]), n))
    placed: set[int] = set()
    groups: list[tuple[Group, T]] = []
    for node in by_priority:
        if node in placed:
            continue
        near = sorted(neighbours[node] - placed, key=lambda n: (-float(priority[n]), n))
        if not near:
            continue
        for group, extra in cluster_exactly([node, *near[: limit - 1]]):
            if node in group.members:
                groups.append((group, extra))
                placed.update(group.members)
    return groups
