"""Band grouping, exact verification and the acceptance rule."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import BandTable, EncodedPairs, candidate_codes, candidate_pairs
from dedup.params import DedupParams
from dedup.shingle import ShingleSets, shingle_batch
from dedup.stages import RunState, component_matrices, verified
from dedup.verify import accept, agreement, intersection_size, measure_pairs, overlap, pairwise


def brute_force_pairs(keys: np.ndarray, max_bucket: int) -> set[tuple[int, int]]:
    """Per band, every pair of a bucket of up to ``max_bucket``, a star around the lowest
    document in a larger one."""
    found: set[tuple[int, int]] = set()
    for band in range(keys.shape[1]):
        buckets: dict[int, list[int]] = {}
        for doc, key in enumerate(keys[:, band].tolist()):
            buckets.setdefault(key, []).append(doc)
        for docs in buckets.values():
            if len(docs) <= max_bucket:
                found |= {(a, b) for a in docs for b in docs if a < b}
            else:
                found |= {(docs[0], b) for b in docs[1:]}
    return found


@settings(deadline=None)  # the first call loads the compiled kernels
@given(
    st.lists(st.lists(st.integers(0, 5), min_size=3, max_size=3), min_size=0, max_size=30),
    st.integers(2, 8),
)
def test_candidate_pairs_equal_brute_force(rows: list[list[int]], max_bucket: int) -> None:
    keys = np.array(rows, dtype=np.uint64).reshape(len(rows), 3)
    pairs = candidate_pairs(keys, max_bucket=max_bucket).tolist()
    assert pairs == [list(p) for p in sorted(brute_force_pairs(keys, max_bucket))]


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=60), st.integers(1, 7))
def test_encoded_pairs_decode_to_their_unique_rows_in_any_chunks(
    rows: list[tuple[int, int]], chunk: int
) -> None:
    ordered = sorted({(min(a, b), max(a, b)) for a, b in rows if a != b})
    given_rows = np.array([(min(a, b), max(a, b)) for a, b in rows if a != b], dtype=np.int64)
    pairs = EncodedPairs.of_rows(given_rows.reshape(-1, 2), 41)
    assert len(pairs) == len(ordered)
    assert pairs.decoded().tolist() == [list(p) for p in ordered]
    chunks = list(pairs.chunks(chunk))
    assert all(c.shape[0] <= chunk for c in chunks)
    joined = np.concatenate([np.empty((0, 2), dtype=np.int64), *chunks])
    assert joined.tolist() == [list(p) for p in ordered]


@settings(deadline=None)
@given(
    st.lists(st.lists(st.integers(0, 4), min_size=7, max_size=7), min_size=0, max_size=30),
    st.integers(1, 7),
)
def test_band_passes_give_the_same_pairs_in_any_order(rows: list[list[int]], per_pass: int) -> None:
    keys = np.array(rows, dtype=np.uint64).reshape(len(rows), 7)
    ran: list[range] = []

    def backwards(table: BandTable, passes: list[range]) -> list[np.ndarray]:
        ran.extend(passes)
        return [table.pass_codes(bands) for bands in reversed(passes)]

    shuffled = candidate_codes(keys, max_bucket=3, bands_per_pass=per_pass, map_passes=backwards)
    in_order = candidate_codes(keys, max_bucket=3, bands_per_pass=per_pass)
    assert shuffled.codes.tolist() == in_order.codes.tolist()
    assert sorted(b for bands in ran for b in bands) == list(range(7))


@settings(deadline=None)
@given(st.lists(st.sets(st.integers(-50, 50)), max_size=6))
def test_passes_join_into_their_sorted_union(passes: list[set[int]]) -> None:
    from dedup.candidates import _union_in_place

    found = np.empty(0, dtype=np.int64)
    for codes in passes:
        found = _union_in_place(found, np.array(sorted(codes), dtype=np.int64))
    assert found.tolist() == sorted(set().union(*passes))
    assert found.base is None  # one array, grown in place: no larger buffer behind a view


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


def _reference_matrices(run: RunState, nodes: list[int]) -> tuple[np.ndarray, ...]:
    """The component's matrices as numpy calls make them, one measure at a time."""
    params = run.params
    shared, jaccard, containment = pairwise(run.sets, nodes)
    index = np.asarray(nodes, dtype=np.int64)
    flags = run.compilation[index]
    mixed = flags[:, None] != flags[None, :]
    names = run.entities.sizes_of(index)
    names_agree = agreement(
        pairwise(run.entities, nodes)[2], np.minimum.outer(names, names), params.min_entities
    )
    similarity = np.where(mixed, jaccard, containment)
    similarity[names_agree < params.min_entity_agreement] = 0.0
    np.fill_diagonal(similarity, 1.0)
    checked = verified(params, shared, jaccard, containment, mixed, names_agree)
    return shared, similarity, checked


_DOCUMENT = st.tuples(st.sets(st.integers(0, 30)), st.sets(st.integers(0, 8)), st.booleans())


@settings(deadline=None)  # the first call compiles the kernel
@given(st.lists(_DOCUMENT, min_size=2, max_size=8), st.randoms(use_true_random=False))
def test_compiled_component_matrices_equal_the_numpy_reference(
    documents: list[tuple[set[int], set[int], bool]], shuffle: random.Random
) -> None:
    def packed(sets: list[set[int]]) -> ShingleSets:
        return ShingleSets.from_sets([np.array(sorted(s), dtype=np.uint64) for s in sets])

    run = RunState(
        params=DedupParams(min_shared_shingles=3, min_entities=3, jaccard_threshold=0.6),
        sets=packed([d[0] for d in documents]),
        entities=packed([d[1] for d in documents]),
        compilation=np.array([d[2] for d in documents], dtype=np.bool_),
        articles=[],
        evidence=(),
    )
    nodes = list(range(len(documents)))
    shuffle.shuffle(nodes)
    found = component_matrices(run, np.array(nodes, dtype=np.int64))
    for got, expected in zip(found, _reference_matrices(run, nodes), strict=True):
        assert got.dtype == expected.dtype
        assert np.array_equal(got, expected)
