"""Clustering quality against labelled clusters: ARI and pairwise precision/recall/F1.

Scored only on the labelled ids (labels may cover part of a dump). Pair counts come from
scikit-learn's pair confusion matrix, so "pairwise" means every unordered pair of ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sklearn.metrics import adjusted_rand_score
from sklearn.metrics.cluster import pair_confusion_matrix


@dataclass(frozen=True, slots=True)
class Scores:
    """Agreement of predicted clusters with gold clusters on the scored ids."""

    ids: int
    ari: float
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int


def score_clusters(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """Scores on the ids of ``gold`` (id → gold label); ids missing from ``predicted`` are
    counted as singletons."""
    ids: Sequence[str] = sorted(gold)
    truth = [gold[i] for i in ids]
    guess = [predicted.get(i, f"missing:{i}") for i in ids]
    (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(truth, guess).tolist()
    true_pos, false_pos, false_neg = true_pos // 2, false_pos // 2, false_neg // 2
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(
        ids=len(ids),
        ari=float(adjusted_rand_score(truth, guess)),
        precision=precision,
        recall=recall,
        f1=f1,
        true_pairs=true_pos + false_neg,
        predicted_pairs=true_pos + false_pos,
    )
