"""The RE2 screen: every line a pattern fullmatches, its rewrite lets through."""

from __future__ import annotations

import random
import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.boilerplate import LINE_PATTERNS
from dedup.line_screen import IGNORECASE_LETTERS, LineScreen, superset_rewrites

_PATTERNS = [p.regex for p in LINE_PATTERNS]
_SCREEN = LineScreen(_PATTERNS)
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: pieces of boilerplate and of prose, cased three ways, with the characters the rewrite
#: treats specially (non-ASCII letters, the IGNORECASE folds, a no-break space)
_WORDS = ["By ", "AP", "Reuters", "The Associated Press", "AFP", "PTI", "(AP Photo/Jane Doe)",
          "Copyright 2024 ", "\u00a9 ", "All rights reserved.", "Updated ", "June 3, 2024",
          "10:30 a.m. ET", "Share", "Read more: ", "Follow us on Twitter", "|", " | ", ", ",
          ". ", "(", ")", "/", "-", " ", "Jane Doe", "contributed to this report.",
          "Reporting by ", "; Editing by ", "bur-ab/cd", "qs/bhk", "auto-generated from ",
          "syndicated feed", " edited", "www.example.com", "\u2022", "Image 2 of 9",
          "Los Angeles", "said on Monday", "\u0130", "\u0131", "\u017f", "\u212a", "\u00e9",
          "\u00a0", "x", "1", "FILE PHOTO: ", "Photo: "]  # fmt: skip
_LINES = st.lists(
    st.sampled_from([*_WORDS, *(w.upper() for w in _WORDS), *(w.lower() for w in _WORDS)]),
    min_size=1,
    max_size=12,
).map("".join)


def _fullmatching(line: str) -> list[int]:
    return [i for i, pattern in enumerate(_PATTERNS) if pattern.fullmatch(line)]


@_SETTINGS
@given(_LINES)
def test_every_pattern_fullmatching_a_line_is_a_candidate(line: str) -> None:
    assert set(_fullmatching(line)) <= set(_SCREEN.candidates(line))


@_SETTINGS
@given(st.text(max_size=60))
def test_any_text_keeps_its_fullmatching_patterns(line: str) -> None:
    assert set(_fullmatching(line)) <= set(_SCREEN.candidates(line))


def test_candidates_are_in_pattern_order_and_most_prose_has_none() -> None:
    screen = LineScreen([re.compile(r"b.*"), re.compile(r"a.*"), re.compile(r".*")])
    assert screen.candidates("abc") == [1, 2]
    prose = "The minister said on Monday that talks would resume after the holiday."
    assert _SCREEN.candidates(prose) == []


def test_lookaheads_keep_a_pattern_selective() -> None:
    opening = re.compile(r"(?=.*\bfeed\b)(?=.*\bedited\b).{10,400}", re.IGNORECASE)
    inside = re.compile(r"(?!.*, )(?=.*[a-z])[^,]{1,9}(?:,[^,\s][^,]{0,9}){2,}")
    screen = LineScreen([opening, inside])
    assert screen.candidates("From the wire FEED, lightly EDITED.") == [0]
    assert screen.candidates("From the wire feed, not changed at all.") == []
    assert screen.candidates("ab,cd,ef") == [1]
    assert screen.candidates("12,34,56") == []  # the lookahead wants a letter
    assert superset_rewrites(opening)[0].startswith("(?:")  # its lookahead screens first


def test_ignorecase_letters_are_all_the_non_ascii_ones_re_folds_to_ascii() -> None:
    any_ascii_letter = re.compile("[a-z]", re.IGNORECASE)
    found = [c for c in range(0x80, sys.maxunicode + 1) if any_ascii_letter.fullmatch(chr(c))]
    assert tuple(found) == IGNORECASE_LETTERS


@pytest.mark.parametrize(
    ("pattern", "line"),
    [
        (re.compile("kit", re.IGNORECASE), "\u212aIT"),
        (re.compile("(?i:this)"), "TH\u0130S"),
        (re.compile(r"[^\W\d_]+"), "\u00e9t\u00e9"),
        (re.compile(r"\w+\s\d"), "caf\u00e9\u3000\u0663"),
        (re.compile(r".{0,400}x"), "a" * 399 + "x"),
        (re.compile(r"(?<!\w)AP\b(?! Photo)"), "AP"),
        (re.compile(r"(?>a+)b"), "aab"),
    ],
)
def test_rewrites_let_through_what_python_matches(pattern: re.Pattern[str], line: str) -> None:
    assert pattern.fullmatch(line)
    assert LineScreen([pattern]).candidates(line) == [0]


def test_a_pattern_without_a_rewrite_lets_every_line_through() -> None:
    screen = LineScreen([re.compile(r"(a)\1"), re.compile("b")])
    assert screen.candidates("zzz") == [0]
    assert screen.candidates("b") == [0, 1]


def test_a_line_re2_cannot_read_gets_every_pattern() -> None:
    assert LineScreen([re.compile("a"), re.compile("b")]).candidates("\ud800") == [0, 1]


def test_a_cache_too_small_to_hold_gives_the_same_candidates() -> None:
    rng = random.Random(7)
    lines = ["".join(rng.choices(_WORDS, k=rng.randint(1, 14))) for _ in range(3000)]
    small = LineScreen(_PATTERNS, max_mem=3 << 20)
    assert [small.candidates(line) for line in lines] == [
        _SCREEN.candidates(line) for line in lines
    ]
