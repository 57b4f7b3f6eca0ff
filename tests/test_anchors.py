"""The anchors (peers as their users run them) on small invented texts."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest


def _load() -> ModuleType:
    path = Path(__file__).parents[1] / "benchmarks" / "anchors.py"
    spec = importlib.util.spec_from_file_location("benchmarks_anchors", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses resolve their module through sys.modules
    spec.loader.exec_module(module)
    return module


anchors = _load()

HARBOUR = (
    "The harbour authority of Port Veldmar said on Tuesday that the northern breakwater "
    "would close for six weeks while engineers replace the storm gates, a project first "
    "proposed after the flooding two winters ago. Ferry operators will move their evening "
    "crossings to the southern pier, and fishing crews were told to expect longer queues at "
    "the fuel dock. Officials said the work would cost less than the original estimate."
)
ORCHARD = (
    "Growers in the Ambrel valley reported the smallest pear harvest in a decade, blaming a "
    "late frost that struck during blossom and a dry summer that followed. The regional "
    "cooperative plans to import fruit from neighbouring provinces to keep its cannery "
    "running through the autumn, and several smaller farms have asked for emergency loans "
    "to cover seasonal wages before the spring pruning begins."
)
CHESS = (
    "A sixteen-year-old from Lorvik won the national rapid chess championship on Sunday "
    "after an unbeaten run through nine rounds, defeating the defending champion with the "
    "black pieces in the final game. Her coach said she had prepared an unusual defence "
    "for weeks. The organisers announced that next year's event will move to a larger hall "
    "because entries doubled this season."
)
COMET = (
    "Astronomers at the Kestrel Ridge observatory confirmed that a faint comet spotted last "
    "month will pass closest to the Sun in early March and may become visible with "
    "binoculars. The team measured its orbit over twenty nights and expects the tail to "
    "brighten as the ice warms. Amateur observers were asked to send their photographs to "
    "help refine the predictions for the coming weeks."
)

DOCS = [
    ("a1", HARBOUR),
    ("b1", ORCHARD),
    ("a2", HARBOUR),
    ("c1", CHESS),
    ("d1", COMET),
    ("b2", ORCHARD),
    ("a3", HARBOUR),
]

ANCHORS = {
    "datasketch_usual": anchors.datasketch_usual,
    "text_dedup_newscopy": anchors.text_dedup_newscopy,
    "text_dedup_newscopy_raw": lambda docs: anchors.text_dedup_newscopy(docs, preprocess=False),
    "datatrove_default": anchors.datatrove_default,
    "exact_jaccard_tuned": lambda docs: anchors.exact_jaccard_tuned(docs, 0.5),
}


@pytest.mark.parametrize("name", sorted(ANCHORS))
def test_identical_texts_cluster_and_unrelated_do_not(name: str) -> None:
    labels = ANCHORS[name](DOCS)
    assert set(labels) == {doc_id for doc_id, _ in DOCS}
    assert labels["a1"] == labels["a2"] == labels["a3"] == "a1"
    assert labels["b1"] == labels["b2"] == "b1"
    assert labels["c1"] == "c1"
    assert labels["d1"] == "d1"
    assert len({labels["a1"], labels["b1"], labels["c1"], labels["d1"]}) == 4


@pytest.mark.parametrize("name", sorted(ANCHORS))
def test_deterministic_and_empty(name: str) -> None:
    assert ANCHORS[name](DOCS) == ANCHORS[name](list(DOCS))
    assert ANCHORS[name]([]) == {}


def test_short_texts() -> None:
    docs = [("x", "Storm gates close"), ("y", "storm gates close"), ("z", "")]
    # datasketch and text-dedup hash short texts whole; datatrove gives them no signature
    assert anchors.datasketch_usual(docs)["y"] == "x"
    assert anchors.text_dedup_newscopy(docs)["y"] == "x"
    assert anchors.datatrove_default(docs) == {"x": "x", "y": "y", "z": "z"}
    # text-dedup splits on each non-word character: a doubled space is a different token list
    spaced = [("x", "Storm gates close"), ("y", "storm gates  close")]
    assert anchors.text_dedup_newscopy(spaced)["y"] == "y"
    assert anchors.datasketch_usual(spaced)["y"] == "x"


def test_near_copy_joins_at_a_low_jaccard_threshold_only() -> None:
    edited = HARBOUR.replace("six weeks", "seven weeks") + " Read more at the Veldmar Gazette."
    docs = [("a1", HARBOUR), ("a2", edited), ("c1", CHESS)]
    assert anchors.exact_jaccard_tuned(docs, 0.6)["a2"] == "a1"
    assert anchors.exact_jaccard_tuned(docs, 0.95)["a2"] == "a2"
    pairs = anchors.jaccard_pairs(docs)
    assert pairs.left.tolist() == [0]
    assert pairs.right.tolist() == [1]
    assert 0.6 < pairs.jaccard[0] < 0.95


def test_scan_jaccard_thresholds_picks_a_perfect_threshold() -> None:
    gold = {"a1": "h", "a2": "h", "a3": "h", "b1": "o", "b2": "o", "c1": "c", "d1": "d"}
    best, scores, table = anchors.scan_jaccard_thresholds(DOCS, gold)
    assert scores.ari == pytest.approx(1.0)
    assert best == pytest.approx(0.1)
    assert len(table) == 81
    assert table[-1][0] == pytest.approx(0.9)


def test_datasketch_batch_update_matches_one_update_per_gram() -> None:
    from datasketch import MinHash

    grams = anchors._datasketch_shingles(HARBOUR)
    batch, single = MinHash(num_perm=128), MinHash(num_perm=128)
    batch.update_batch(grams)
    for gram in grams:
        single.update(gram)
    assert np.array_equal(batch.hashvalues, single.hashvalues)


def test_text_dedup_pieces_match_upstream() -> None:
    # upstream doctests: sha1_hash(b"hello world", 32) and optimal_param(0.75, 256)
    assert anchors._sha1_32(b"hello world") == 896314922
    assert anchors.optimal_param(0.75, 256) == (21, 12)
    assert anchors.optimal_param(0.45, 256) == (47, 5)
    # NON_ALPHA splits on every non-word character, so ", " leaves an empty token
    hashes = anchors.text_dedup_ngram_hashes("Hello, World", 2, 0)
    expected = {anchors._sha1_32(b"hello "), anchors._sha1_32(b" world")}
    assert set(hashes.tolist()) == expected
    assert anchors.news_copy_preprocessing("Ex-\nport, “déjà” vu!\nNext") == "Export dj vu Next"


def test_datatrove_text_pipeline() -> None:
    simplified = anchors.datatrove_simplify_text("  Héllo, WORLD:\t2,000 fans —  3.5% ")
    assert simplified == "hello world 0 fans 0"
    tokens = anchors.datatrove_word_tokenize("i dont know \u2018why\u2019 0km £0 • cannot")
    assert tokens == [
        "i", "do", "nt", "know", "\u2018", "why", "\u2019", "0", "km", "£", "0", "•", "can", "not",
    ]  # fmt: skip
    assert anchors.datatrove_shingles("one two three four").size == 0
    assert anchors.datatrove_shingles("one two three four five six").size == 2
