"""Prepared batches joined as they arrive equal the whole prepared at once."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.params import DedupParams
from dedup.prepare import GrowingFactory, InMemory, PreparedRun, prepare_batch
from dedup.records import Article
from dedup.spill import SpilledArray

PARAMS = DedupParams()
WORDS = ["Lisbon", "trade", "deal", "minister", "said", "on", "Monday", "the", "2024", "copper"]


def article(index: int, words: list[str]) -> Article:
    return Article(id=f"a{index}", text=" ".join(words) + ".\n\nAdvertisement")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(WORDS), max_size=30), min_size=1, max_size=12),
    st.integers(min_value=1, max_value=5),
)
def test_joined_batches_equal_one_batch(texts: list[list[str]], batch_size: int) -> None:
    articles = [article(i, words) for i, words in enumerate(texts)]
    whole = prepare_batch(articles, PARAMS)
    large: GrowingFactory
    for large in (InMemory, SpilledArray):
        run = PreparedRun(PARAMS.bands, large)
        for start in range(0, len(articles), batch_size):
            run.add(prepare_batch(articles[start : start + batch_size], PARAMS))
        joined = run.finish()
        assert joined.evidence == whole.evidence
        assert np.array_equal(joined.band_keys, whole.band_keys)
        for ours, expected in (
            (joined.shingles, whole.shingles),
            (joined.entities, whole.entities),
        ):
            assert np.array_equal(ours.values, expected.values)
            assert np.array_equal(ours.offsets, expected.offsets)


def test_growth_past_the_first_buffer_keeps_every_row(tmp_path: Path) -> None:
    batch = prepare_batch([article(i, WORDS * 3) for i in range(700)], PARAMS)
    large: GrowingFactory
    for large in (InMemory, partial(SpilledArray, directory=str(tmp_path))):
        run = PreparedRun(PARAMS.bands, large)
        for _ in range(3):  # 2,100 rows of keys: past the first 1,024
            run.add(batch)
        joined = run.finish()
        assert joined.band_keys.shape == (2100, PARAMS.bands)
        assert np.array_equal(joined.band_keys[1400:], batch.band_keys)
        assert len(joined.shingles) == 2100
