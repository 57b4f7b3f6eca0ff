"""The passages two bodies share, in word offsets: what a copy took from its source.

Verification says how much two texts share; this says where. A copy is read left to
right; wherever its next ``min_words`` words occur in the source, the match is extended
as far as both texts agree and the longest one is kept, so passages never overlap in
the copy (a source passage may be reused twice). Reordered and trimmed paragraphs are
found as well as copies in order. Words are the casefolded tokens shingles are made of.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field

from dedup.records import Passage, Reuse
from dedup.shingle import token_spans

__all__ = [
    "Passage",
    "Reuse",
    "Words",
    "paragraph_range",
    "passages_between",
    "reuse_of",
    "shared_passages",
    "word_spans",
]

#: shorter common runs are stock phrases ("said in a statement on Monday"), not reuse
MIN_PASSAGE_WORDS = 8
#: places in the source a run may start from that are tried (a text repeating one phrase
#: hundreds of times would otherwise make the search quadratic)
MAX_STARTS_TRIED = 64
_NEWLINE = re.compile("\n")


def word_spans(body: str) -> list[tuple[int, int]]:
    """(char start, char end) of each word that passage offsets count."""
    return token_spans(body)


@dataclass(frozen=True, slots=True)
class Words:
    """A body's words, casefolded, with where each is (character span) and its paragraph
    (1-based, non-empty lines). Tokenized once, so a canonical is not tokenized again for
    each of its copies."""

    text: str
    spans: list[tuple[int, int]]
    words: list[str]
    paragraphs: list[int]
    _where: dict[tuple[str, ...], list[int]] = field(default_factory=dict)

    @classmethod
    def of(cls, body: str) -> Words:
        spans = token_spans(body)
        line_starts = [0, *(newline.end() for newline in _NEWLINE.finditer(body))]
        lines = [bisect_left(line_starts, start + 1) for start, _ in spans]
        numbering = {line: number for number, line in enumerate(dict.fromkeys(lines), 1)}
        return cls(
            text=body,
            spans=spans,
            words=[body[start:end].casefold() for start, end in spans],
            paragraphs=[numbering[line] for line in lines],
        )

    def starts(self, min_words: int) -> dict[tuple[str, ...], list[int]]:
        """Where each run of ``min_words`` words starts (built once per size asked)."""
        if not self._where or len(next(iter(self._where))) != min_words:
            self._where.clear()
            where: defaultdict[tuple[str, ...], list[int]] = defaultdict(list)
            words = self.words
            for start in range(len(words) - min_words + 1):
                where[tuple(words[start : start + min_words])].append(start)
            self._where.update(where)
        return self._where


def _longest_run(source: list[str], copy: list[str], at: int, starts: list[int]) -> tuple[int, int]:
    """The longest agreement between ``copy[at:]`` and ``source[s:]`` over the given
    starts: (source start, length); the earliest start wins a tie."""
    best_start, best_length = starts[0], 0
    limit = len(copy) - at
    for start in starts:
        length = 0
        most = min(limit, len(source) - start)
        while length < most and source[start + length] == copy[at + length]:
            length += 1
        if length > best_length:
            best_start, best_length = start, length
    return best_start, best_length


def passages_between(
    source: Words, copy: Words, *, min_words: int = MIN_PASSAGE_WORDS
) -> list[Passage]:
    """``shared_passages`` of bodies tokenized already."""
    if min_words < 1:
        raise ValueError("min_words must be at least 1")
    where = source.starts(min_words)
    copy_words = copy.words
    found: list[Passage] = []
    at = 0
    while at <= len(copy_words) - min_words:
        starts = where.get(tuple(copy_words[at : at + min_words]))
        if not starts:
            at += 1
            continue
        start, length = _longest_run(source.words, copy_words, at, starts[:MAX_STARTS_TRIED])
        found.append(Passage(start, start + length, at, at + length))
        at += length
    return found


def shared_passages(source: str, copy: str, *, min_words: int = MIN_PASSAGE_WORDS) -> list[Passage]:
    """Runs of at least ``min_words`` words ``copy`` shares with ``source``, in copy order."""
    return passages_between(Words.of(source), Words.of(copy), min_words=min_words)


def paragraph_range(body: str, start_word: int, end_word: int) -> tuple[int, int]:
    """The first and last paragraph (1-based, non-empty lines) a word span covers."""
    paragraphs = Words.of(body).paragraphs
    if not 0 <= start_word < end_word <= len(paragraphs):
        raise ValueError(f"[{start_word}, {end_word}) is not a span of {len(paragraphs)} words")
    return paragraphs[start_word], paragraphs[end_word - 1]


def _merged(ranges: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def reuse_of(source: Words, copy: Words, *, min_words: int = MIN_PASSAGE_WORDS) -> Reuse:
    """What ``copy`` takes from ``source``: passages, words covered, source paragraphs."""
    passages = passages_between(source, copy, min_words=min_words)
    of = source.paragraphs
    return Reuse(
        passages=tuple(passages),
        shared_words=sum(p.copy_end - p.copy_start for p in passages),
        words=len(copy.words),
        paragraphs=_merged([(of[p.source_start], of[p.source_end - 1]) for p in passages]),
        source_paragraphs=max(of, default=0),
    )
