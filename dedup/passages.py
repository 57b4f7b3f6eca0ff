"""The passages two bodies share, in word offsets: what a copy took from its source.

Verification says how much two texts share; this says where. A copy is read left to
right; wherever its next ``min_words`` words occur in the source, the match is extended
as far as both texts agree and the longest one is kept, so passages never overlap in
the copy (a source passage may be reused twice). Reordered and trimmed paragraphs are
found as well as copies in order. Words are the casefolded tokens shingles are made of.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from dedup.records import Passage, Reuse
from dedup.shingle import span_hashes, token_bounds, token_spans

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


_KEY_MIX = np.uint64(0x9E3779B97F4A7C15)


@dataclass(frozen=True, slots=True)
class Words:
    """A body's words, with where each is (character span) and its paragraph (1-based,
    non-empty lines). Tokenized once, so a canonical is not tokenized again for each of its
    copies. ``words`` are the words' hashes (``hash_token`` of the casefolded word), so
    runs compare as integers and index as arrays."""

    text: str
    spans: list[tuple[int, int]]
    words: list[int]
    paragraphs: list[int]
    _index: dict[int, tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]] = field(
        default_factory=dict
    )

    @classmethod
    def of(cls, body: str) -> Words:
        starts, stops = token_bounds(body)
        newlines = [newline.start() for newline in _NEWLINE.finditer(body)]
        lines = np.searchsorted(np.asarray(newlines, dtype=np.int64), starts)
        spans = list(zip(starts.tolist(), stops.tolist(), strict=True))
        return cls(
            text=body,
            spans=spans,
            words=span_hashes(body, starts, stops).view(np.int64).tolist(),
            paragraphs=(np.unique(lines, return_inverse=True)[1] + 1).tolist(),
        )

    def run_keys(self, length: int) -> npt.NDArray[np.uint64]:
        """One key per run of ``length`` words, by where it starts."""
        ids = np.asarray(self.words, dtype=np.int64).view(np.uint64)
        count = ids.shape[0] - length + 1
        keys = np.zeros(max(count, 0), dtype=np.uint64)
        for offset in range(length if count > 0 else 0):
            keys = keys * _KEY_MIX + ids[offset : offset + count]
        return keys

    def index(self, length: int) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        """The run keys sorted, and where each starts (earliest first among equal keys);
        built once per length asked."""
        if length not in self._index:
            keys = self.run_keys(length)
            order = np.argsort(keys, kind="stable")
            self._index[length] = (keys[order], order)
        return self._index[length]


def _longest_run(source: list[int], copy: list[int], at: int, starts: list[int]) -> tuple[int, int]:
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
    """``shared_passages`` of bodies tokenized already: the copy's runs of ``min_words``
    words looked up in the source's sorted run keys at once, then extended one by one."""
    if min_words < 1:
        raise ValueError("min_words must be at least 1")
    keys, order = source.index(min_words)
    wanted = copy.run_keys(min_words)
    first = np.searchsorted(keys, wanted, side="left")
    last = np.searchsorted(keys, wanted, side="right")
    found: list[Passage] = []
    at = 0
    for position in np.flatnonzero(last > first).tolist():
        if position < at:
            continue
        starts = order[first[position] : min(last[position], first[position] + MAX_STARTS_TRIED)]
        start, length = _longest_run(source.words, copy.words, position, starts.tolist())
        if length >= min_words:  # else two runs' keys collided: no shared run here
            found.append(Passage(start, start + length, position, position + length))
            at = position + length
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
