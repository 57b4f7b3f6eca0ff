"""Tokens → word k-grams → 64-bit shingle hashes, a whole batch of documents at a time.

``tokenize`` and ``entities`` are the definitions, in regular expressions; the batch
functions compute the same with compiled passes over code points (``_kernels``), so no
Python object is made per token, hash or shingle. ``hash_shingle`` is the scalar reference
of a k-gram's hash, used for datasketch interop and tests.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import xxhash

from dedup import _kernels

U64 = npt.NDArray[np.uint64]

# Scripts written without spaces between words get one token per character.
_NO_SPACE_SCRIPTS = (
    "\u0e00-\u0eff"  # Thai, Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff\u31f0-\u31ff"  # Hiragana, Katakana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
)
_TOKEN = re.compile(rf"[{_NO_SPACE_SCRIPTS}]|[^\W_{_NO_SPACE_SCRIPTS}]+")

_MASK64 = (1 << 64) - 1
#: planes 4 and up hold no letter, digit or space (a test checks it for this Python)
LAST_WORD_CODE_POINT = 0x3FFFF
_MIX_MULTIPLIER = 0x9E3779B97F4A7C15
_FMIX1 = 0xFF51AFD7ED558CCD
_FMIX2 = 0xC4CEB9FE1A85EC53


def tokenize(body: str) -> list[str]:
    """Casefolded word tokens (character tokens for scripts without spaces)."""
    return _TOKEN.findall(body.casefold())


def token_bounds(body: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where each of ``tokenize``'s tokens sits in ``body``: (starts, stops) as character
    offsets, by a compiled pass equal to ``_TOKEN.finditer`` (a test checks it), so that
    word offsets can be shown in the text they were counted in."""
    starts, stops = _kernels.token_bounds(_code_points(body), _classes())
    return starts, stops


def token_spans(body: str) -> list[tuple[int, int]]:
    """``token_bounds`` as (start, stop) pairs."""
    starts, stops = token_bounds(body)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def hash_token(token: str) -> int:
    """64-bit hash of one token; stable across processes and machines."""
    return int(xxhash.xxh64_intdigest(token.encode("utf-8", "surrogatepass")))


def _fmix64_scalar(value: int) -> int:
    value ^= value >> 33
    value = (value * _FMIX1) & _MASK64
    value ^= value >> 33
    value = (value * _FMIX2) & _MASK64
    return value ^ (value >> 33)


def hash_shingle(tokens: Sequence[str]) -> int:
    """Scalar reference for one k-gram's hash: identical to what ``shingle_batch`` computes."""
    combined = 0
    for token in tokens:
        combined = (combined * _MIX_MULTIPLIER + hash_token(token)) & _MASK64
    return _fmix64_scalar(combined)


def hash_shingle32(tokens: Sequence[str]) -> int:
    """The 32-bit value MinHash sees for a k-gram (low half of ``hash_shingle``)."""
    return hash_shingle(tokens) & 0xFFFFFFFF


@dataclass(frozen=True, slots=True)
class ShingleSets:
    """Sorted unique shingle hashes of many documents, concatenated (CSR layout)."""

    values: U64
    offsets: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return int(self.offsets.shape[0] - 1)

    def of(self, index: int) -> U64:
        return self.values[self.offsets[index] : self.offsets[index + 1]]

    def sizes(self) -> npt.NDArray[np.int64]:
        return np.diff(self.offsets)

    def sizes_of(self, index: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Sizes of some documents only: costs the subset, not the whole batch."""
        sizes: npt.NDArray[np.int64] = self.offsets[index + 1] - self.offsets[index]
        return sizes

    @classmethod
    def from_sets(cls, sets: Sequence[U64]) -> ShingleSets:
        """Pack per-document sorted unique arrays into one CSR pair."""
        offsets = np.zeros(len(sets) + 1, dtype=np.int64)
        offsets[1:] = np.cumsum([s.shape[0] for s in sets])
        values = np.concatenate(sets) if sets else np.empty(0, dtype=np.uint64)
        return cls(values=values.astype(np.uint64, copy=False), offsets=offsets)

    @classmethod
    def concat(cls, parts: Sequence[ShingleSets]) -> ShingleSets:
        """Documents of several batches, in order."""
        sizes = [part.sizes() for part in parts]
        offsets = np.zeros(sum(len(part) for part in parts) + 1, dtype=np.int64)
        if sizes:
            offsets[1:] = np.cumsum(np.concatenate(sizes))
        values = [part.values for part in parts]
        merged = np.concatenate(values) if values else np.empty(0, dtype=np.uint64)
        return cls(values=merged.astype(np.uint64, copy=False), offsets=offsets)


_CASED_WORD = re.compile(rf"[^\W_{_NO_SPACE_SCRIPTS}]+")
_SENTENCE_BREAK = re.compile(r"\n|(?<=[.!?])[\"')\]]*\s+")


def entities(body: str) -> list[str]:
    """Names and figures: capitalised words not opening a sentence, and tokens with digits.

    Copies keep them; templated items (results, bond notices) change exactly these.
    """
    found: list[str] = []
    for sentence in _SENTENCE_BREAK.split(body):
        words = _CASED_WORD.findall(sentence)
        found += [
            word.casefold()
            for position, word in enumerate(words)
            if (position and word[0].isupper())
            or (not word.isalpha() and any(c.isdigit() for c in word))
        ]
    return found


@cache
def _classes() -> npt.NDArray[np.uint8]:
    """Per code point: word character, spaceless-script character, upper case, digit, space
    (the same tests ``tokenize`` and ``entities`` make with regular expressions and str)."""
    no_space = re.compile(f"[{_NO_SPACE_SCRIPTS}]")
    flags = bytearray(sys.maxunicode + 1)
    for code in range(LAST_WORD_CODE_POINT + 1):  # nothing above is a letter, digit or space
        ch = chr(code)
        if no_space.match(ch):
            flags[code] = _kernels.SOLO
        elif ch.isalnum():
            flags[code] = (
                _kernels.WORD
                | (_kernels.UPPER if ch.isupper() else 0)
                | (_kernels.DIGIT if ch.isdigit() else 0)
            )
        elif ch.isspace():
            flags[code] = _kernels.SPACE
    return np.frombuffer(bytes(flags), dtype=np.uint8)


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def entity_batch(bodies: Sequence[str]) -> ShingleSets:
    """Sorted unique hashes of each body's names and figures (what ``entities`` finds),
    found, casefolded and hashed by one compiled pass over the batch."""
    offsets = np.zeros(len(bodies) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(body) for body in bodies])
    hashes, counts = _kernels.name_hashes(
        _code_points("".join(bodies)), offsets, _classes(), *_casefolds()
    )
    values, set_offsets = _kernels.unique_runs(hashes, counts)
    return ShingleSets(values=values, offsets=set_offsets)


@cache
def _casefolds() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """``str.casefold`` per code point, for the code points a word can hold: (fold, multi).
    ``fold[c]`` is the one code point c folds to, or ``MULTI_FOLD`` | a row of ``multi``
    holding the several it folds to, zero-padded."""
    fold = np.arange(LAST_WORD_CODE_POINT + 1, dtype=np.uint32)
    multi: list[list[int]] = []
    for code in range(LAST_WORD_CODE_POINT + 1):
        folded = chr(code).casefold()
        if len(folded) == 1:
            fold[code] = ord(folded)
        else:
            fold[code] = _kernels.MULTI_FOLD | len(multi)
            multi.append([ord(c) for c in folded])
    width = max(map(len, multi))
    rows = np.zeros((len(multi), width), dtype=np.uint32)
    for row, folded_codes in enumerate(multi):
        rows[row, : len(folded_codes)] = folded_codes
    return fold, rows


def span_hashes(body: str, starts: npt.NDArray[np.int64], stops: npt.NDArray[np.int64]) -> U64:
    """``hash_token(body[a:b].casefold())`` for each span of ``token_bounds(body)``.

    Compiled over the casefolded body when casefolding keeps every character one character
    and the token bounds with it (almost always); else ("İ" gains a dot, a combining mark
    becomes a letter) one span at a time.
    """
    folded = body.casefold()
    if len(folded) == len(body):
        codes = _code_points(folded)
        bounds = _kernels.token_bounds(codes, _classes())
        if np.array_equal(bounds[0], starts) and np.array_equal(bounds[1], stops):
            hashes: U64 = _kernels.token_hashes(
                codes, np.array([0, len(folded)], dtype=np.int64), _classes()
            )[0]
            return hashes
    spans = zip(starts.tolist(), stops.tolist(), strict=True)
    return np.array([hash_token(body[a:b].casefold()) for a, b in spans], dtype=np.uint64)


def shingle_batch(bodies: Sequence[str], k: int) -> ShingleSets:
    """Shingle every body: sorted unique k-gram hashes per body (``hash_shingle`` of the
    k-grams of ``tokenize``), tokenized and hashed by a compiled pass over code points."""
    folded = [body.casefold() for body in bodies]
    offsets = np.zeros(len(folded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(text) for text in folded])
    hashes, counts = _kernels.token_hashes(_code_points("".join(folded)), offsets, _classes())
    values, set_offsets = _kernels.kgram_sets(hashes, counts, k)
    return ShingleSets(values=values, offsets=set_offsets)
