"""Tokens → word k-grams → 64-bit shingle hashes, a whole batch of documents at a time.

Each distinct token is hashed once (xxh64); k-gram hashes are then combined from the token
hashes with numpy, so no Python object is made per shingle. ``hash_shingle`` is the scalar
reference of the same function, used for datasketch interop and tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import xxhash

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
_MIX_MULTIPLIER = 0x9E3779B97F4A7C15
_FMIX1 = 0xFF51AFD7ED558CCD
_FMIX2 = 0xC4CEB9FE1A85EC53


def tokenize(body: str) -> list[str]:
    """Casefolded word tokens (character tokens for scripts without spaces)."""
    return _TOKEN.findall(body.casefold())


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


def _fmix64(values: U64) -> U64:
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(_FMIX1)
    values = values ^ (values >> np.uint64(33))
    values = values * np.uint64(_FMIX2)
    return values ^ (values >> np.uint64(33))


def kgram_hashes(token_hashes: U64, k: int) -> U64:
    """Hashes of every k-gram of one token-hash sequence (empty when fewer than k tokens)."""
    count = token_hashes.shape[0] - k + 1
    if count <= 0:
        return np.empty(0, dtype=np.uint64)
    combined = np.zeros(count, dtype=np.uint64)
    multiplier = np.uint64(_MIX_MULTIPLIER)
    for offset in range(k):
        combined = combined * multiplier + token_hashes[offset : offset + count]
    return _fmix64(combined)


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
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")


def entities(body: str) -> list[str]:
    """Names and figures: capitalised words not opening a sentence, and tokens with digits.

    Copies keep them; templated items (results, bond notices) change exactly these.
    """
    found: list[str] = []
    for line in body.split("\n"):
        for sentence in _SENTENCE_END.split(line):
            for position, word in enumerate(_CASED_WORD.findall(sentence)):
                if (position and word[0].isupper()) or any(c.isdigit() for c in word):
                    found.append(word.casefold())
    return found


def entity_batch(bodies: Sequence[str]) -> ShingleSets:
    """Sorted unique hashes of each body's names and figures."""
    sets = [
        np.unique(np.fromiter((hash_token(e) for e in entities(b)), dtype=np.uint64))
        for b in bodies
    ]
    return ShingleSets.from_sets(sets)


def shingle_batch(bodies: Sequence[str], k: int) -> ShingleSets:
    """Shingle every body; each distinct token of the batch is hashed once."""
    vocabulary: dict[str, int] = {}
    parts: list[U64] = []
    for body in bodies:
        tokens = tokenize(body)
        ids = [vocabulary.setdefault(token, len(vocabulary)) for token in tokens]
        parts.append(np.asarray(ids, dtype=np.int64))
    token_table = np.fromiter(
        (hash_token(token) for token in vocabulary), dtype=np.uint64, count=len(vocabulary)
    )
    return ShingleSets.from_sets([np.unique(kgram_hashes(token_table[ids], k)) for ids in parts])
