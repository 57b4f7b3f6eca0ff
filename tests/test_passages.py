"""Shared passages: where a copy's words come from in its source."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.passages import Words, paragraph_range, reuse_of, shared_passages, word_spans
from dedup.records import Passage

SOURCE = (
    "Alpha one two three four five six seven eight nine ten.\n"
    "Bravo eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen.\n"
    "Charlie nineteen twenty twentyone twentytwo twentythree twentyfour twentyfive."
)


def words(text: str, start: int, end: int) -> list[str]:
    spans = word_spans(text)[start:end]
    return [text[a:b].casefold() for a, b in spans]


def test_a_verbatim_copy_is_one_passage_over_every_word() -> None:
    count = len(word_spans(SOURCE))
    assert shared_passages(SOURCE, SOURCE) == [Passage(0, count, 0, count)]


def test_reordered_paragraphs_are_found_in_the_copy_order() -> None:
    first, _, third = SOURCE.split("\n")
    copy = f"{third}\n{first}"
    found = shared_passages(SOURCE, copy)
    assert [(p.source_start, p.source_end, p.copy_start, p.copy_end) for p in found] == [
        (20, 28, 0, 8),
        (0, 11, 8, 19),
    ]
    assert words(SOURCE, 20, 28) == words(copy, 0, 8)
    assert paragraph_range(SOURCE, 20, 28) == (3, 3)


def test_runs_shorter_than_min_words_are_stock_phrases_not_reuse() -> None:
    copy = "Something else entirely: alpha one two three four five six, and more text here."
    assert shared_passages(SOURCE, copy) == []
    assert shared_passages(SOURCE, copy, min_words=7) == [Passage(0, 7, 3, 10)]


def test_matching_ignores_case_and_punctuation_but_offsets_point_at_the_text() -> None:
    copy = "ALPHA, one; two three - four five six seven eight nine ten"
    (passage,) = shared_passages(SOURCE, copy)
    start, end = word_spans(copy)[passage.copy_start][0], word_spans(copy)[passage.copy_end - 1][1]
    assert copy[start:end] == copy
    assert passage == Passage(0, 11, 0, 11)


def test_reuse_names_the_source_paragraphs_and_counts_words() -> None:
    first, second, _ = SOURCE.split("\n")
    copy = f"An intro line of the copy, written by the outlet.\n{first}\n{second}"
    reuse = reuse_of(Words.of(SOURCE), Words.of(copy))
    assert reuse.paragraphs == ((1, 2),)
    assert reuse.source_paragraphs == 3
    assert reuse.shared_words == 20
    assert reuse.words == len(word_spans(copy))


def test_a_text_repeating_one_phrase_stays_linear_enough() -> None:
    phrase = "the same eight words over and over again "
    source = phrase * 400
    found = shared_passages(source, phrase * 300)
    assert sum(p.copy_end - p.copy_start for p in found) == 8 * 300


VOCABULARY = st.sampled_from(list("abcdefgh"))


@settings(max_examples=150, deadline=None)
@given(
    st.lists(VOCABULARY, min_size=0, max_size=80),
    st.lists(VOCABULARY, min_size=0, max_size=80),
    st.integers(min_value=1, max_value=6),
)
def test_passages_are_real_disjoint_runs_in_copy_order(
    source_words: list[str], copy_words: list[str], min_words: int
) -> None:
    source, copy = " ".join(source_words), " ".join(copy_words)
    found = shared_passages(source, copy, min_words=min_words)
    previous_end = 0
    for p in found:
        assert p.copy_end - p.copy_start == p.source_end - p.source_start >= min_words
        assert p.copy_start >= previous_end
        assert source_words[p.source_start : p.source_end] == copy_words[p.copy_start : p.copy_end]
        previous_end = p.copy_end


@settings(max_examples=100, deadline=None)
@given(st.lists(VOCABULARY, min_size=8, max_size=60), st.data())
def test_a_slice_of_the_source_is_covered_whole(
    source_words: list[str], data: st.DataObject
) -> None:
    start = data.draw(st.integers(0, len(source_words) - 8))
    end = data.draw(st.integers(start + 8, len(source_words)))
    copy_words = source_words[start:end]
    found = shared_passages(" ".join(source_words), " ".join(copy_words))
    assert sum(p.copy_end - p.copy_start for p in found) == len(copy_words)
