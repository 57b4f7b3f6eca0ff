"""Exact Jaccard and containment of candidate pairs on their shingle-hash sets.

The counting is a compiled merge of two sorted arrays per pair (``_kernels``); ``overlap``
is the plain reference for one pair.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dedup import _kernels
from dedup.shingle import U64, ShingleSets

F64 = npt.NDArray[np.float64]


def intersection_size(first: U64, second: U64) -> int:
    """Size of the intersection of two sorted unique arrays."""
    if first.shape[0] > second.shape[0]:
        first, second = second, first
    if first.shape[0] == 0:
        return 0
    positions = np.searchsorted(second, first)
    positions[positions == second.shape[0]] = 0
    return int(np.count_nonzero(second[positions] == first))


def overlap(first: U64, second: U64) -> tuple[int, float, float]:
    """(shared shingles, Jaccard, containment of the smaller set in the larger)."""
    shared = intersection_size(first, second)
    smaller = min(first.shape[0], second.shape[0])
    union = first.shape[0] + second.shape[0] - shared
    jaccard = shared / union if union else 0.0
    containment = shared / smaller if smaller else 0.0
    return shared, jaccard, containment


def _measures(shared: F64, first: F64, second: F64) -> tuple[F64, F64, F64]:
    """(shared, Jaccard, containment of the smaller set) from shared counts and set sizes."""
    union = first + second - shared
    smaller = np.minimum(first, second)
    jaccard = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)
    containment = np.divide(shared, smaller, out=np.zeros_like(shared), where=smaller > 0)
    return shared, jaccard, containment


def measure_pairs(sets: ShingleSets, pairs: npt.NDArray[np.int64]) -> tuple[F64, F64, F64]:
    """Shared count, Jaccard and containment of every pair (arrays aligned with ``pairs``)."""
    left = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    right = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    shared = _kernels.intersection_counts(sets.values, sets.offsets, left, right)
    sizes = sets.sizes().astype(np.float64)
    return _measures(shared.astype(np.float64), sizes[left], sizes[right])


def agreement(containment: F64, smaller: npt.NDArray[np.int64], min_size: int) -> F64:
    """Containment of the smaller set in the larger, or 1.0 (no evidence either way) where
    the smaller set has fewer than ``min_size`` members."""
    return np.where(smaller < min_size, 1.0, containment)


def shared_counts(sets: ShingleSets, index: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Shared members of every pair of the sets ``index`` names (diagonal 0)."""
    counts: npt.NDArray[np.int64] = _kernels.all_pairs_counts(sets.values, sets.offsets, index)
    return counts


def pairwise(sets: ShingleSets, nodes: Sequence[int]) -> tuple[F64, F64, F64]:
    """All-pairs shared count, Jaccard and containment matrices of ``nodes`` (diagonal 0)."""
    index = np.asarray(nodes, dtype=np.int64)
    shared = shared_counts(sets, index).astype(np.float64)
    sizes = sets.sizes_of(index).astype(np.float64)
    shared, jaccard, containment = _measures(shared, sizes[:, None], sizes[None, :])
    np.fill_diagonal(jaccard, 0.0)
    np.fill_diagonal(containment, 0.0)
    return shared, jaccard, containment


def accept(
    shared: F64,
    jaccard: F64,
    containment: F64,
    *,
    jaccard_threshold: float,
    containment_threshold: float,
    min_shared: int,
    jaccard_only: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Which measured pairs are copies: enough shared text, and Jaccard or containment high.

    Pairs marked ``jaccard_only`` are judged by Jaccard alone: a live file contains the
    stories it bundles, which does not make it a copy of any of them.
    """
    contained = containment >= containment_threshold
    if jaccard_only is not None:
        contained &= ~jaccard_only
    return ((jaccard >= jaccard_threshold) | contained) & (shared >= min_shared)
