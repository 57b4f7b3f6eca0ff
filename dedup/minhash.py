"""Batch MinHash over many documents at once, and LSH band keys.

Signatures follow datasketch's default ``affine32`` scheme bit for bit (MurmurHash3 fmix32
pre-mix, then ``a*h + b`` modulo 2**32 with datasketch's own permutation parameters), so a
signature here equals ``datasketch.MinHash(num_perm, seed, hashfunc=hash_shingle32)`` fed the
same k-grams. The loop is compiled (``_kernels.minhash``): one pass over each document's
shingles, one running minimum per permutation, no temporaries beyond the output.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

from dedup import _kernels
from dedup.shingle import ShingleSets

U32 = npt.NDArray[np.uint32]
U64 = npt.NDArray[np.uint64]

EMPTY_VALUE = np.uint32(0xFFFFFFFF)


@lru_cache(maxsize=16)
def permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    """datasketch's ``affine32`` permutation parameters (a, b) for this num_perm and seed,
    drawn as datasketch draws them (an odd ``a``, then ``b``, from ``RandomState(seed)``).
    Not asked of datasketch itself: importing it takes half a second, on every command;
    the tests hold the signatures equal to datasketch's."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def _fmix32(values: U32) -> U32:
    values = values ^ (values >> np.uint32(16))
    values = values * np.uint32(0x85EBCA6B)
    values = values ^ (values >> np.uint32(13))
    values = values * np.uint32(0xC2B2AE35)
    return values ^ (values >> np.uint32(16))


def sign_batch(sets: ShingleSets, *, num_perm: int, seed: int, columns: int | None = None) -> U32:
    """MinHash signatures (n_docs x num_perm, uint32); a document with no shingles gets all-max.

    ``columns`` computes only the first so many permutations of the num_perm signature (the
    ones LSH bands read), the same values as those columns of the whole signature.
    """
    a, b = permutations(num_perm, seed)
    if columns is not None:
        a, b = a[:columns], b[:columns]
    signatures = np.full((len(sets), a.shape[0]), EMPTY_VALUE, dtype=np.uint32)
    premixed = _fmix32((sets.values & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    _kernels.minhash(premixed, sets.offsets, a, b, signatures)
    return signatures


def band_keys(signatures: U32, *, bands: int, rows: int) -> U64:
    """One 64-bit key per (document, band); equal rows in a band give equal keys."""
    n_docs = signatures.shape[0]
    used = signatures[:, : bands * rows].reshape(n_docs, bands, rows).astype(np.uint64)
    keys = np.zeros((n_docs, bands), dtype=np.uint64)
    multiplier = np.uint64(0x9E3779B97F4A7C15)
    for row in range(rows):
        keys = keys * multiplier + used[:, :, row]
    keys ^= keys >> np.uint64(31)
    keys *= np.uint64(0xBF58476D1CE4E5B9)
    return keys ^ (keys >> np.uint64(29))


def index_keys(keys: U64) -> U64:
    """Band keys made distinct per band, so a persistent index can keep every band in one
    key space: equal rows in one band still give equal keys, equal rows in two bands do
    not."""
    salts = np.arange(1, keys.shape[1] + 1, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    return keys ^ salts[None, :]


def estimate_jaccard(first: U32, second: U32) -> float:
    """Share of equal signature positions: the MinHash estimate of Jaccard similarity."""
    return float(np.count_nonzero(first == second)) / float(first.shape[0])
