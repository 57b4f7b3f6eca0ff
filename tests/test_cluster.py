"""Chain-safe clustering: no giant clusters from A~B~C chains."""

from __future__ import annotations

import numpy as np

from dedup.cluster import cluster_pairs


def groups_of(n: int, edges: list[tuple[int, int, float]]) -> list[tuple[int, ...]]:
    pairs = np.array([[a, b] for a, b, _ in edges], dtype=np.int64).reshape(-1, 2)
    jaccard = np.array([j for _, _, j in edges], dtype=np.float64)
    groups = cluster_pairs(n, pairs, jaccard, priority=np.zeros(n))
    return sorted(g.members for g in groups)


def test_no_edges_no_groups() -> None:
    assert groups_of(3, []) == []


def test_clique_is_one_group() -> None:
    edges = [(a, b, 0.9) for a in range(4) for b in range(a + 1, 4)]
    assert groups_of(4, edges) == [(0, 1, 2, 3)]


def test_long_chain_is_cut_not_closed() -> None:
    chain = [(i, i + 1, 0.5) for i in range(9)]
    groups = groups_of(10, chain)
    assert max(len(g) for g in groups) <= 3
    assert all(len(g) >= 2 for g in groups)


def test_every_member_is_verified_against_centre_or_core() -> None:
    # 0 is the centre; 1 is a near-identical copy of 0 (core); 4 matches only 1; 5 matches
    # only 3, a weak member, and so stays out.
    edges = [(0, 1, 0.95), (0, 2, 0.6), (0, 3, 0.55), (1, 4, 0.7), (3, 5, 0.6)]
    groups = cluster_pairs(
        6,
        np.array([[a, b] for a, b, _ in edges]),
        np.array([j for _, _, j in edges]),
        priority=np.zeros(6),
    )
    assert [(g.center, g.members) for g in groups] == [(0, (0, 1, 2, 3, 4))]


def test_priority_breaks_ties_between_centres() -> None:
    groups = cluster_pairs(
        2, np.array([[0, 1]]), np.array([0.9]), priority=np.array([1.0, 5.0])
    )
    assert groups[0].center == 1
