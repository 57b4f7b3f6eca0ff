"""Exact Jaccard and containment of candidate pairs on their shingle-hash sets."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

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


def measure_pairs(sets: ShingleSets, pairs: npt.NDArray[np.int64]) -> tuple[F64, F64, F64]:
    """Shared count, Jaccard and containment of every pair (arrays aligned with ``pairs``)."""
    shared = np.zeros(pairs.shape[0], dtype=np.float64)
    jaccard = np.zeros(pairs.shape[0], dtype=np.float64)
    containment = np.zeros(pairs.shape[0], dtype=np.float64)
    for row, (left, right) in enumerate(pairs.tolist()):
        shared[row], jaccard[row], containment[row] = overlap(sets.of(left), sets.of(right))
    return shared, jaccard, containment


def agreement(containment: F64, smaller: npt.NDArray[np.int64], min_size: int) -> F64:
    """Containment of the smaller set in the larger, or 1.0 (no evidence either way) where
    the smaller set has fewer than ``min_size`` members."""
    return np.where(smaller < min_size, 1.0, containment)


def pairwise(sets: ShingleSets, nodes: Sequence[int]) -> tuple[F64, F64, F64]:
    """All-pairs shared count, Jaccard and containment matrices of ``nodes`` (diagonal 0)."""
    size = len(nodes)
    shared, jaccard, containment = (np.zeros((size, size), dtype=np.float64) for _ in range(3))
    for i in range(size):
        first = sets.of(nodes[i])
        for j in range(i + 1, size):
            values = overlap(first, sets.of(nodes[j]))
            shared[i, j], jaccard[i, j], containment[i, j] = values
            shared[j, i], jaccard[j, i], containment[j, i] = values
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
