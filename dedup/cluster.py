"""Chain-safe clustering of verified pairs.

Plain transitive closure turns A~B~C chains into giant false clusters. Here a connected
component (scipy) is only the search space: inside it, star clustering picks the member
with the most verified neighbours as a centre and takes those neighbours. A member left
over joins a cluster only through a *core* member (a near-identical copy of that cluster's
centre), so every member is verified against the centre or its core, never a chain.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

CORE_JACCARD = 0.8


@dataclass(frozen=True, slots=True)
class Group:
    """Indices of one cluster's members; ``center`` is the member the others were verified to."""

    center: int
    members: tuple[int, ...]


def _components(n_nodes: int, pairs: I64) -> list[list[int]]:
    graph = coo_matrix(
        (np.ones(pairs.shape[0], dtype=np.int8), (pairs[:, 0], pairs[:, 1])),
        shape=(n_nodes, n_nodes),
    )
    count, labels = connected_components(graph, directed=False)
    members: list[list[int]] = [[] for _ in range(count)]
    for node, label in enumerate(labels.tolist()):
        members[label].append(node)
    return [m for m in members if len(m) > 1]


def cluster_pairs(
    n_nodes: int, pairs: I64, jaccard: F64, *, priority: F64, core_jaccard: float = CORE_JACCARD
) -> list[Group]:
    """Groups of two or more nodes from verified ``pairs`` (with their Jaccard values).

    ``priority`` breaks ties between equally connected centre candidates (higher wins).
    """
    if pairs.shape[0] == 0:
        return []
    neighbours: dict[int, dict[int, float]] = defaultdict(dict)
    for (left, right), value in zip(pairs.tolist(), jaccard.tolist(), strict=True):
        neighbours[left][right] = value
        neighbours[right][left] = value
    groups: list[Group] = []
    for component in _components(n_nodes, pairs):
        groups.extend(_stars(component, neighbours, priority, core_jaccard))
    return groups


def _stars(
    component: list[int],
    neighbours: dict[int, dict[int, float]],
    priority: F64,
    core_jaccard: float,
) -> list[Group]:
    unassigned = set(component)
    stars: list[tuple[int, list[int]]] = []
    owner: dict[int, int] = {}
    while True:

        def open_degree(node: int) -> int:
            return sum(1 for other in neighbours[node] if other in unassigned)

        best = max(
            (n for n in unassigned if open_degree(n) > 0),
            key=lambda n: (open_degree(n), float(priority[n]), -n),
            default=None,
        )
        if best is None:
            break
        members = [best, *sorted(o for o in neighbours[best] if o in unassigned)]
        for node in members:
            unassigned.discard(node)
            owner[node] = len(stars)
        stars.append((best, members))
    for node in sorted(unassigned):
        via = [
            (value, other)
            for other, value in neighbours[node].items()
            if other in owner and _is_core(other, stars[owner[other]][0], neighbours, core_jaccard)
        ]
        if via:
            _, other = max(via)
            stars[owner[other]][1].append(node)
    return [Group(center=c, members=tuple(sorted(m))) for c, m in stars]


def _is_core(
    node: int, center: int, neighbours: dict[int, dict[int, float]], core_jaccard: float
) -> bool:
    return node == center or neighbours[node].get(center, 0.0) >= core_jaccard
