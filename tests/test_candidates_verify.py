"""Band grouping, exact verification and the acceptance rule."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import candidate_pairs
from dedup.shingle import ShingleSets, shingle_batch
from dedup.verify import accept, intersection_size, measure_pairs, overlap, pairwise


def brute_force_pairs(keys: np.ndarray) -> set[tuple[int, int]]:
    n = keys.shape[0]
    return {(i, j) for i in range(n) for j in range(i + 1, n) if (keys[i] == keys[j]).any()}


@given(st.lists(st.lists(st.integers(0, 5), min_size=3, max_size=3), min_size=0, max_size=30))
def test_candidate_pairs_equal_brute_force(rows: list[list[int]]) -> None:
    keys = np.array(rows, dtype=np.uint64).reshape(len(rows), 3)
    found = {tuple(p) for p in candidate_pairs(keys).tolist()}
    assert found == brute_force_pairs(keys)


def test_huge_bucket_is_paired_as_a_star() -> None:
    keys = np.zeros((1000, 1), dtype=np.uint64)
    pairs = candidate_pairs(keys, max_bucket=10)
    assert pairs.shape == (999, 2)
    assert set(pairs[:, 0].tolist()) == {0}


def test_ineligible_documents_never_pair() -> None:
    keys = np.zeros((3, 2), dtype=np.uint64)
    pairs = candidate_pairs(keys, eligible=np.array([True, False, True]))
    assert pairs.tolist() == [[0, 2]]


@given(st.sets(st.integers(0, 50)), st.sets(st.integers(0, 50)))
def test_intersection_matches_python_sets(first: set[int], second: set[int]) -> None:
    a = np.array(sorted(first), dtype=np.uint64)
    b = np.array(sorted(second), dtype=np.uint64)
    assert intersection_size(a, b) == len(first & second)


@settings(deadline=None)  # the first call compiles the kernels
@given(st.lists(st.sets(st.integers(0, 40)), min_size=2, max_size=6))
def test_compiled_pair_measures_equal_the_plain_reference(documents: list[set[int]]) -> None:
    sets = ShingleSets.from_sets([np.array(sorted(d), dtype=np.uint64) for d in documents])
    nodes = list(range(len(documents)))
    pairs = np.array([[i, j] for i in nodes for j in nodes if i < j], dtype=np.int64)
    shared, jaccard, containment = measure_pairs(sets, pairs)
    matrices = pairwise(sets, nodes)
    for row, (i, j) in enumerate(pairs.tolist()):
        expected = overlap(sets.of(i), sets.of(j))
        assert (shared[row], jaccard[row], containment[row]) == pytest.approx(expected)
        assert tuple(m[i, j] for m in matrices) == pytest.approx(expected)


def test_abridged_copy_has_low_jaccard_but_full_containment() -> None:
    full = " ".join(f"word{i}" for i in range(300))
    abridged = " ".join(f"word{i}" for i in range(100))
    sets = shingle_batch([full, abridged], 3)
    shared, jaccard, containment = overlap(sets.of(0), sets.of(1))
    assert shared == 98
    assert jaccard < 0.34
    assert containment == 1.0
    measured = measure_pairs(sets, np.array([[0, 1]]))
    verdict = accept(*measured, jaccard_threshold=0.5, containment_threshold=0.7, min_shared=12)
    assert verdict.tolist() == [True]


def test_too_little_shared_text_is_not_a_copy() -> None:
    verdict = accept(
        np.array([5.0, 40.0]),
        np.array([1.0, 0.1]),
        np.array([1.0, 0.2]),
        jaccard_threshold=0.5,
        containment_threshold=0.7,
        min_shared=12,
    )
    assert verdict.tolist() == [False, False]
