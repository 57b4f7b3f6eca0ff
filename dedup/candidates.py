"""Candidate pairs from LSH band keys, grouped with sort/unique instead of a dict of buckets."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from dedup.minhash import U64

I64 = npt.NDArray[np.int64]

DEFAULT_MAX_BUCKET = 256


def _pairs_within_groups(members: I64, group_starts: I64, group_sizes: I64) -> I64:
    """All pairs inside each group; groups of one size are expanded together."""
    chunks: list[I64] = []
    for size in np.unique(group_sizes):
        starts = group_starts[group_sizes == size]
        matrix = members[starts[:, None] + np.arange(size)[None, :]]
        left, right = np.triu_indices(int(size), k=1)
        chunks.append(np.stack([matrix[:, left].ravel(), matrix[:, right].ravel()], axis=1))
    return np.concatenate(chunks) if chunks else np.empty((0, 2), dtype=np.int64)


def _star_pairs(members: I64, group_starts: I64, group_sizes: I64) -> I64:
    """First member paired with every other: keeps huge buckets linear, not quadratic."""
    chunks: list[I64] = []
    for start, size in zip(group_starts.tolist(), group_sizes.tolist(), strict=True):
        others = members[start + 1 : start + size]
        chunks.append(np.stack([np.full_like(others, members[start]), others], axis=1))
    return np.concatenate(chunks) if chunks else np.empty((0, 2), dtype=np.int64)


def candidate_pairs(
    keys: U64,
    *,
    eligible: npt.NDArray[np.bool_] | None = None,
    max_bucket: int = DEFAULT_MAX_BUCKET,
) -> I64:
    """Unique (i, j) pairs, i < j, of documents sharing at least one band key.

    ``keys`` is (n_docs x bands). Rows where ``eligible`` is false (too short to sign)
    never pair. Buckets larger than ``max_bucket`` are paired as a star around their first
    member: identical texts then still meet, without n² candidates.
    """
    n_docs, n_bands = keys.shape
    docs = np.arange(n_docs, dtype=np.int64)
    if eligible is not None:
        docs = docs[eligible]
    band_ids = np.repeat(np.arange(n_bands, dtype=np.uint64)[None, :], docs.shape[0], axis=0)
    flat_keys = (keys[docs] ^ (band_ids * np.uint64(0xD6E8FEB86659FD93))).ravel()
    flat_docs = np.repeat(docs, n_bands)
    order = np.argsort(flat_keys, kind="stable")
    sorted_keys = flat_keys[order]
    members = flat_docs[order]
    boundaries = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    group_starts = np.concatenate([[0], boundaries]).astype(np.int64)
    group_sizes = np.diff(np.concatenate([group_starts, [sorted_keys.shape[0]]]))
    shared = group_sizes > 1
    group_starts, group_sizes = group_starts[shared], group_sizes[shared]
    small = group_sizes <= max_bucket
    pairs: I64 = np.concatenate(
        [
            _pairs_within_groups(members, group_starts[small], group_sizes[small]),
            _star_pairs(members, group_starts[~small], group_sizes[~small]),
        ]
    )
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    pairs.sort(axis=1)
    if pairs.shape[0] == 0:
        return pairs
    encoded = np.unique(pairs[:, 0] * np.int64(n_docs) + pairs[:, 1])
    unique_pairs: I64 = np.stack([encoded // n_docs, encoded % n_docs], axis=1)
    return unique_pairs
