"""``KeyQuery``: a lookup's hits joined back to the caller's rows, against a plain model,
with and without the huge-bucket star."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dedup.index.keys import KeyQuery

KEYS = st.sampled_from([0, 1, 5, 2**63, 2**64 - 1])
QUERIES = st.lists(st.tuples(KEYS, st.integers(0, 6)), max_size=12)
STORED = st.dictionaries(st.integers(1, 9), st.sets(KEYS, max_size=4), max_size=8)


def model(
    query: list[tuple[int, int]], stored: dict[int, set[int]], max_bucket: int | None
) -> list[list[int]]:
    pairs: set[tuple[int, int]] = set()
    for key, row in query:
        holders = sorted(doc for doc, keys in stored.items() if key in keys)
        rows = sum(1 for k, _ in query if k == key)
        if max_bucket is not None and holders and len(holders) + rows > max_bucket:
            holders = holders[:1]
        pairs.update((row, doc) for doc in holders)
    return [list(pair) for pair in sorted(pairs)]


def hits(query: KeyQuery, stored: dict[int, set[int]]) -> tuple[np.ndarray, np.ndarray]:
    """What a backend finds: (position among the distinct keys, doc), in any order."""
    found = [
        (position, doc)
        for position, key in enumerate(query.distinct.view(np.uint64).tolist())
        for doc, keys in reversed(list(stored.items()))
        if key in keys
    ]
    which = np.array([w for w, _ in found], dtype=np.int64)
    docs = np.array([d for _, d in found], dtype=np.int64)
    return which, docs


@given(QUERIES, STORED, st.one_of(st.none(), st.integers(1, 6)))
def test_pairs_equal_the_model(
    query: list[tuple[int, int]], stored: dict[int, set[int]], max_bucket: int | None
) -> None:
    keys = np.array([k for k, _ in query], dtype=np.uint64)
    rows = np.array([r for _, r in query], dtype=np.int64)
    grouped = KeyQuery.of(keys, rows)
    assert grouped.distinct.tolist() == sorted(set(keys.view(np.int64).tolist()))
    assert int(grouped.counts.sum()) == len(query)
    found = grouped.pairs(*hits(grouped, stored), max_bucket)
    assert found.dtype == np.int64
    assert found.reshape(-1, 2).tolist() == model(query, stored, max_bucket)
