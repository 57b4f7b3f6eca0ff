"""The passages two bodies share, in word offsets: what a copy took from its source.

Verification says how much two texts share; this says where. A copy is read left to
right; wherever its next ``min_words`` words occur in the source, the match is extended
as far as both texts agree and the longest one is kept, so passages never overlap in
the copy (a source passage may be reused twice). Reordered and trimmed paragraphs are
found as well as copies in order. Words are the casefolded tokens shingles are made of.
"""

from __future__ import annotations

from collections import defaultdict

from dedup.records import Passage, Reuse
from dedup.shingle import token_spans

__all__ = ["Passage", "Reuse", "paragraph_range", "reuse_of", "shared_passages", "word_spans"]

#: shorter common runs are stock phrases ("said in a statement on Monday"), not reuse
MIN_PASSAGE_WORDS = 8
#: places in the source a run may start from that are tried (a text repeating one phrase
#: hundreds of times would otherwise make the search quadratic)
MAX_STARTS_TRIED = 64


def word_spans(body: str) -> list[tuple[int, int]]:
    """(char start, char end) of each word that passage offsets count."""
    return token_spans(body)


def _words(body: str) -> list[str]:
    return [body[start:end].casefold() for start, end in token_spans(body)]


def _longest_run(source: list[str], copy: list[str], at: int, starts: list[int]) -> tuple[int, int]:
    """The longest agreement between ``copy[at:]`` and ``source[s:]`` over the given
    starts: (source start, length); the earliest start wins a tie."""
    best_start, best_length = starts[0], 0
    for start in starts:
        length = 0
        while (
            start + length < len(source)
            and at + length < len(copy)
            and source[start + length] == copy[at + length]
        ):
            length += 1
        if length > best_length:
            best_start, best_length = start, length
    return best_start, best_length


def shared_passages(source: str, copy: str, *, min_words: int = MIN_PASSAGE_WORDS) -> list[Passage]:
    """Runs of at least ``min_words`` words ``copy`` shares with ``source``, in copy order."""
    if min_words < 1:
        raise ValueError("min_words must be at least 1")
    source_words, copy_words = _words(source), _words(copy)
    where: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
    for start in range(len(source_words) - min_words + 1):
        where[tuple(source_words[start : start + min_words])].append(start)
    found: list[Passage] = []
    at = 0
    while at <= len(copy_words) - min_words:
        starts = where.get(tuple(copy_words[at : at + min_words]))
        if not starts:
            at += 1
            continue
        start, length = _longest_run(source_words, copy_words, at, starts[:MAX_STARTS_TRIED])
        found.append(Passage(start, start + length, at, at + length))
        at += length
    return found


def _paragraph_of_words(body: str) -> list[int]:
    """The 1-based paragraph (non-empty line) each word of ``body`` is in."""
    numbers: list[int] = []
    paragraph = 0
    for line in body.split("\n"):
        count = len(token_spans(line))
        if count:
            paragraph += 1
            numbers.extend([paragraph] * count)
    return numbers


def paragraph_range(body: str, start_word: int, end_word: int) -> tuple[int, int]:
    """The first and last paragraph (1-based, non-empty lines) a word span covers."""
    if not 0 <= start_word < end_word:
        raise ValueError(f"not a word span: [{start_word}, {end_word})")
    numbers = _paragraph_of_words(body)
    if end_word > len(numbers):
        raise ValueError(
            f"word span [{start_word}, {end_word}) is past the body's {len(numbers)} words"
        )
    return numbers[start_word], numbers[end_word - 1]


def _merged(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def reuse_of(source: str, copy: str, *, min_words: int = MIN_PASSAGE_WORDS) -> Reuse:
    """What ``copy`` takes from ``source``: passages, words covered, source paragraphs."""
    passages = shared_passages(source, copy, min_words=min_words)
    paragraph_of = _paragraph_of_words(source)
    return Reuse(
        passages=tuple(passages),
        shared_words=sum(p.copy_end - p.copy_start for p in passages),
        words=len(token_spans(copy)),
        paragraphs=_merged(
            [(paragraph_of[p.source_start], paragraph_of[p.source_end - 1]) for p in passages]
        ),
        source_paragraphs=max(paragraph_of, default=0),
    )
