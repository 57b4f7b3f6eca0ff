"""Tokens and shingle sets."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import shingle
from dedup.normalize import normalize
from dedup.shingle import (
    ShingleSets,
    entities,
    entity_batch,
    hash_shingle,
    hash_token,
    shingle_batch,
    token_spans,
    tokenize,
)


def test_tokens_are_casefolded_words() -> None:
    assert tokenize("Putin's VISIT, 2024!") == ["putin", "s", "visit", "2024"]


def test_scripts_without_spaces_get_character_tokens() -> None:
    assert tokenize("东京 visit ไทย") == ["东", "京", "visit", "ไ", "ท", "ย"]


def test_modifier_apostrophe_tokenizes_like_a_quote_after_normalizing() -> None:
    folded = normalize("Putin\u02bcs visit").body
    assert tokenize(folded) == tokenize(normalize("Putin\u2019s visit").body)


def test_sets_are_sorted_unique_per_document() -> None:
    sets = shingle_batch(["a b c a b c a b c", "x y"], 3)
    first = sets.of(0)
    assert first.tolist() == sorted(
        {hash_shingle(g) for g in [("a", "b", "c"), ("b", "c", "a"), ("c", "a", "b")]}
    )
    assert sets.sizes().tolist() == [3, 0]
    assert len(sets) == 2


def test_concat_keeps_documents_in_order() -> None:
    first = shingle_batch(["a b c d", "e f g"], 3)
    second = shingle_batch(["h i j k l"], 3)
    merged = ShingleSets.concat([first, second])
    assert merged.sizes().tolist() == [2, 1, 3]
    assert merged.of(2).tolist() == second.of(0).tolist()
    assert ShingleSets.concat([]).sizes().tolist() == []


def test_entities_are_names_and_figures_not_line_openers() -> None:
    body = "Selbra City beat Finpol SC 2-1 on Thursday\n\nThe coach said the win mattered"
    assert entities(body) == ["city", "finpol", "sc", "2", "1", "thursday"]


def test_entity_sets_are_sorted_unique_hashes() -> None:
    sets = entity_batch(["Paris met Rome and Rome met Oslo 3", "no names here"])
    assert sets.sizes().tolist() == [3, 0]
    assert sets.of(0).tolist() == sorted(sets.of(0).tolist())


def test_sentence_openers_are_not_names() -> None:
    assert entities('Talks ended. Officials left Paris. "We go," he said.') == ["paris"]


def _entities_reference(body: str) -> list[str]:
    """The first, plain formulation: line by line, sentence by sentence, word by word."""
    found: list[str] = []
    for line in body.split("\n"):
        for sentence in re.split(r"(?<=[.!?])[\"')\]]*\s+", line):
            for position, word in enumerate(re.findall(r"[^\W_]+", sentence)):
                if (position and word[0].isupper()) or any(c.isdigit() for c in word):
                    found.append(word.casefold())
    return found


@given(st.text(alphabet=st.sampled_from(list("aZé9 .!?\"')\n-_")), max_size=80))
def test_entities_equal_the_plain_reference(body: str) -> None:
    assert entities(body) == _entities_reference(body)


TEXT_ALPHABET = st.sampled_from(list("aZé9ß٣ _-.!?\"')]\nΣ\u03c3漢タไ\u00a0İ"))


@settings(deadline=None)  # the first call compiles the kernels
@given(st.lists(st.text(alphabet=TEXT_ALPHABET, max_size=60), min_size=1, max_size=4))
def test_compiled_passes_equal_the_regex_definitions(bodies: list[str]) -> None:
    sets = shingle_batch(bodies, 2)
    names = entity_batch(bodies)
    for row, body in enumerate(bodies):
        tokens = tokenize(body)
        grams = {hash_shingle(tokens[i : i + 2]) for i in range(len(tokens) - 1)}
        assert sets.of(row).tolist() == sorted(grams)
        assert names.of(row).tolist() == sorted({hash_token(e) for e in entities(body)})


@settings(deadline=None)
@given(st.text(alphabet=TEXT_ALPHABET, max_size=80))
def test_token_spans_are_the_token_patterns_matches(body: str) -> None:
    assert token_spans(body) == [m.span() for m in shingle._TOKEN.finditer(body)]


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from([*"aZé9ß٣ .İ漢ไΣσ", "\u0345", "\ufb01"]), max_size=60))
def test_span_hashes_hash_each_casefolded_span(body: str) -> None:
    starts, stops = shingle.token_bounds(body)
    expected = [hash_token(body[a:b].casefold()) for a, b in token_spans(body)]
    assert shingle.span_hashes(body, starts, stops).tolist() == expected


def test_no_letter_digit_or_space_above_the_class_table_range() -> None:
    import sys

    from dedup.shingle import LAST_WORD_CODE_POINT

    for code in range(LAST_WORD_CODE_POINT + 1, sys.maxunicode + 1):
        ch = chr(code)
        assert not ch.isalnum()
        assert not ch.isspace()
        assert not ch.isupper()
