"""Chain-safe clustering: no giant clusters from chains, compilations or galleries."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import _cluster_kernels
from dedup.cluster import Group, cluster_component, components, neighbourhood_groups


def symmetric(size: int, entries: dict[tuple[int, int], float]) -> np.ndarray:
    matrix = np.zeros((size, size))
    for (a, b), value in entries.items():
        matrix[a, b] = matrix[b, a] = value
    return matrix


def groups(containment: np.ndarray, threshold: float = 0.4) -> list[tuple[int, ...]]:
    found = cluster_component(
        containment,
        containment >= threshold,
        link_threshold=0.3,
        core_containment=0.7,
        priority=np.zeros(containment.shape[0]),
    )
    return sorted(g.members for g in found)


def test_components_skip_isolated_nodes() -> None:
    assert components(5, np.array([[0, 1], [1, 2]])) == [[0, 1, 2]]
    assert components(3, np.empty((0, 2), dtype=np.int64)) == []


def test_copies_of_one_story_form_one_group() -> None:
    matrix = symmetric(4, {(a, b): 0.9 for a in range(4) for b in range(a + 1, 4)})
    assert groups(matrix) == [(0, 1, 2, 3)]


def test_chain_of_weak_links_is_cut() -> None:
    chain = symmetric(8, {(i, i + 1): 0.45 for i in range(7)})
    found = groups(chain)
    assert max(len(g) for g in found) <= 3


def test_compilation_does_not_glue_unrelated_stories() -> None:
    # 0 is a live file containing story group {1, 2} and story group {3, 4}.
    matrix = symmetric(
        5,
        {(0, 1): 0.9, (0, 2): 0.9, (0, 3): 0.9, (0, 4): 0.9, (1, 2): 0.95, (3, 4): 0.95},
    )
    found = groups(matrix)
    assert (1, 2) in found or (0, 1, 2) in found
    assert all(not ({1, 3} <= set(g)) for g in found)


def test_member_must_be_verified_against_centre_or_core() -> None:
    # 0 centre, 1 core copy of 0; 2 is verified only with 1 (core) and stays;
    # 3 is only similar on average and verified with nobody, so it leaves.
    matrix = symmetric(
        4,
        {(0, 1): 0.95, (0, 2): 0.35, (1, 2): 0.5, (0, 3): 0.35, (1, 3): 0.35, (2, 3): 0.35},
    )
    assert groups(matrix) == [(0, 1, 2)]


def test_neighbourhood_fallback_never_lets_a_hub_gather_unrelated_stories() -> None:
    # stories {0, 1} and {2, 3}; node 4 is a short hub linked to all of them (a stock
    # sentence), and 0-1, 2-3 are the real copies.
    story = {0: "a", 1: "a", 2: "b", 3: "b", 4: "hub"}
    edges = np.array([[0, 1], [2, 3], [4, 0], [4, 1], [4, 2], [4, 3]])
    priority = np.array([9.0, 8.0, 7.0, 6.0, 1.0])

    def cluster_exactly(nodes: list[int]) -> list[tuple[Group, str]]:
        by_story: dict[str, list[int]] = {}
        for node in nodes:
            by_story.setdefault(story[node], []).append(node)
        return [
            (Group(members=tuple(members)), label)
            for label, members in by_story.items()
            if len(members) > 1
        ]

    found = neighbourhood_groups([0, 1, 2, 3, 4], edges, priority, cluster_exactly, limit=10)
    assert sorted((g.members, label) for g, label in found) == [((0, 1), "a"), ((2, 3), "b")]


@settings(deadline=None)
@given(
    st.integers(3, 12).flatmap(lambda n: st.lists(st.floats(0, 1), min_size=n * n, max_size=n * n))
)
def test_tree_cut_equals_scipy_fcluster(values: list[float]) -> None:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    from dedup.cluster import _flat_clusters

    n = int(len(values) ** 0.5)
    matrix = np.array(values).reshape(n, n)
    similarity = (matrix + matrix.T) / 2
    np.fill_diagonal(similarity, 1.0)
    tree = linkage(squareform(1.0 - similarity, checks=False), method="average")
    labels = fcluster(tree, t=0.7, criterion="distance")
    expected = sorted(tuple(np.flatnonzero(labels == label)) for label in np.unique(labels))
    assert sorted(tuple(c) for c in _flat_clusters(tree, 0.7)) == expected


@settings(deadline=None, max_examples=300)  # the first call compiles the kernel
@given(
    st.integers(3, 30).flatmap(
        lambda n: st.lists(
            st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0, 1)),
            min_size=n * n,
            max_size=n * n,
        )
    )
)
def test_compiled_average_linkage_equals_scipy(values: list[float]) -> None:
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import squareform

    n = int(len(values) ** 0.5)
    matrix = np.array(values).reshape(n, n)  # not symmetric: only the upper triangle counts
    distances = 1.0 - matrix
    expected = linkage(squareform(distances, checks=False), method="average")
    assert np.array_equal(_cluster_kernels.average_linkage(distances), expected)
