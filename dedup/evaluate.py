"""Clustering quality against labelled clusters.

Scores: adjusted Rand index, pairwise precision/recall/F1 (every unordered pair of ids, from
scikit-learn's pair confusion matrix), B-cubed precision/recall/F1 (per id, from
scikit-learn's contingency matrix), and where the gold has them, root-origin accuracy and
canonical accuracy. Scoring covers the labelled ids only: labels may cover part of a dump,
and an id the prediction does not mention counts as a singleton.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from dedup.records import GoldCluster, Prediction


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
    bcubed_precision: float = 0.0
    bcubed_recall: float = 0.0
    bcubed_f1: float = 0.0


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Cluster scores plus origin and canonical agreement (hits of totals; total 0 = no gold)."""

    scores: Scores
    origin_hits: int
    origin_total: int
    canonical_hits: int
    canonical_total: int

    @property
    def origin_accuracy(self) -> float | None:
        return self.origin_hits / self.origin_total if self.origin_total else None

    @property
    def canonical_accuracy(self) -> float | None:
        return self.canonical_hits / self.canonical_total if self.canonical_total else None


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_clusters(gold: Mapping[str, str], predicted: Mapping[str, str]) -> Scores:
    """Scores on the ids of ``gold`` (id → gold label); ids missing from ``predicted`` are
    counted as singletons."""
    # scikit-learn takes 2 s to import: only when scoring, not on every ``import dedup``
    from sklearn.metrics import adjusted_rand_score
    from sklearn.metrics.cluster import pair_confusion_matrix

    ids: Sequence[str] = sorted(gold)
    truth = [gold[i] for i in ids]
    guess = [predicted.get(i, f"missing:{i}") for i in ids]
    (_, false_pos), (false_neg, true_pos) = pair_confusion_matrix(truth, guess).tolist()
    true_pos, false_pos, false_neg = true_pos // 2, false_pos // 2, false_neg // 2
    precision = true_pos / (true_pos + false_pos) if true_pos + false_pos else 1.0
    recall = true_pos / (true_pos + false_neg) if true_pos + false_neg else 1.0
    bcubed_precision, bcubed_recall = _bcubed(truth, guess)
    return Scores(
        ids=len(ids),
        ari=float(adjusted_rand_score(truth, guess)),
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        true_pairs=true_pos + false_neg,
        predicted_pairs=true_pos + false_pos,
        bcubed_precision=bcubed_precision,
        bcubed_recall=bcubed_recall,
        bcubed_f1=_f1(bcubed_precision, bcubed_recall),
    )


def _bcubed(truth: Sequence[str], guess: Sequence[str]) -> tuple[float, float]:
    """B-cubed: per id, the share of its predicted cluster that shares its gold cluster
    (precision) and the share of its gold cluster found in its predicted cluster (recall)."""
    if not truth:
        return 1.0, 1.0
    from sklearn.metrics.cluster import contingency_matrix

    table = contingency_matrix(truth, guess, sparse=True).tocoo()
    counts = table.data.astype(np.float64)
    gold_sizes = np.asarray(table.sum(axis=1)).ravel()[table.row]
    predicted_sizes = np.asarray(table.sum(axis=0)).ravel()[table.col]
    total = float(len(truth))
    precision = float(np.sum(counts * counts / predicted_sizes)) / total
    recall = float(np.sum(counts * counts / gold_sizes)) / total
    return precision, recall


def same_origin(gold: str, predicted: str | None) -> bool:
    """Origins match ignoring case, spacing, "www." and a domain's suffix ("CNN" ~ "cnn.com"),
    or when a name of five or more letters starts the other ("Market Pulse" ~
    "marketpulseblog.com")."""
    if predicted is None:
        return False

    def key(name: str) -> str:
        name = name.casefold().removeprefix("www.")
        name = re.sub(r"\.(com|net|org|co\.uk|co|in|news)(/.*)?$", "", name)
        return re.sub(r"[\W_]+", "", name)

    shorter, longer = sorted((key(gold), key(predicted)), key=len)
    return shorter == longer or (len(shorter) >= 5 and longer.startswith(shorter))


def evaluate(gold: Sequence[GoldCluster], predicted: Prediction) -> Evaluation:
    """Everything ``dedup eval`` reports, on the ids the gold labels."""
    labels = {article_id: cluster.cluster_id for cluster in gold for article_id in cluster.ids}
    scores = score_clusters(labels, predicted.cluster_of)
    origin_hits = origin_total = canonical_hits = canonical_total = 0
    for cluster in gold:
        if len(cluster.ids) < 2:
            continue
        anchor = cluster.canonical_id or cluster.ids[0]
        placed = predicted.cluster_of.get(anchor)
        if cluster.canonical_id and predicted.canonical_of:
            canonical_total += 1
            accepted = {cluster.canonical_id, *cluster.canonical_alternatives}
            canonical_hits += predicted.canonical_of.get(anchor, anchor) in accepted
        if cluster.origin and predicted.origin_of:
            origin_total += 1
            found = predicted.origin_of.get(placed) if placed is not None else None
            origin_hits += same_origin(cluster.origin, found)
    return Evaluation(scores, origin_hits, origin_total, canonical_hits, canonical_total)
