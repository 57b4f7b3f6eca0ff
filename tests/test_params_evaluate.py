"""Parameter validation and the quality metrics."""

from __future__ import annotations

import pytest

from dedup.errors import ConfigError
from dedup.evaluate import score_clusters
from dedup.params import DedupParams


def test_bands_come_from_datasketch_optimiser_weighted_to_recall() -> None:
    from datasketch.lsh import _optimal_param

    params = DedupParams(lsh_threshold=0.3, num_perm=128, recall_weight=0.9)
    assert (params.bands, params.rows) == _optimal_param(0.3, 128, 0.1, 0.9)


def test_stored_default_bands_are_what_datasketch_computes() -> None:
    from datasketch.lsh import _optimal_param

    from dedup.params import _KNOWN_BANDS

    defaults = DedupParams()
    key = (defaults.lsh_threshold, defaults.num_perm, 0.1, defaults.recall_weight)
    assert key in _KNOWN_BANDS
    for (threshold, num_perm, fp, fn), known in _KNOWN_BANDS.items():
        assert known == _optimal_param(threshold, num_perm, fp, fn)
    assert (defaults.bands, defaults.rows) == _KNOWN_BANDS[key]


def test_explicit_bands_are_checked_against_num_perm() -> None:
    with pytest.raises(ConfigError, match=r"bands\*rows must be <= num_perm \(20\*8 > 128\)"):
        DedupParams(bands=20, rows=8, num_perm=128)


def test_thresholds_are_validated() -> None:
    with pytest.raises(ConfigError, match=r"jaccard_threshold must be in \(0, 1\], got 1.5"):
        DedupParams(jaccard_threshold=1.5)


def test_fingerprint_changes_with_results_changing_params_only() -> None:
    assert DedupParams().fingerprint() == DedupParams().fingerprint()
    assert DedupParams(seed=2).fingerprint() != DedupParams().fingerprint()


def test_perfect_clustering_scores_one() -> None:
    gold = {"a": "1", "b": "1", "c": "2"}
    scores = score_clusters(gold, {"a": "x", "b": "x", "c": "y"})
    assert (scores.precision, scores.recall, scores.f1, scores.ari) == (1.0, 1.0, 1.0, 1.0)


def test_pairwise_counts() -> None:
    gold = {"a": "1", "b": "1", "c": "1", "d": "2"}
    predicted = {"a": "x", "b": "x", "c": "y", "d": "y"}
    scores = score_clusters(gold, predicted)
    assert scores.true_pairs == 3
    assert scores.predicted_pairs == 2
    assert scores.precision == 0.5
    assert scores.recall == pytest.approx(1 / 3)


def test_unpredicted_ids_count_as_singletons() -> None:
    scores = score_clusters({"a": "1", "b": "1"}, {})
    assert scores.recall == 0.0
    assert scores.precision == 1.0
