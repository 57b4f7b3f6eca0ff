"""Candidate pairs from LSH band keys, grouped with sort/unique instead of a dict of buckets."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup import _kernels
from dedup.minhash import U64

I64 = npt.NDArray[np.int64]

DEFAULT_MAX_BUCKET = 256


@dataclass(frozen=True, slots=True)
class BandTable:
    """What a pass over some bands reads: every document's band keys, the documents that
    may pair, and the bucket cap. Passes are independent, so they can run anywhere that
    sees the table (forked workers share it without a copy)."""

    keys: U64
    docs: I64
    n_docs: int
    max_bucket: int

    @staticmethod
    def salted(keys: U64, docs: I64, bands: range) -> U64:
        """The keys of ``docs`` in ``bands``, document by document, each salted by its
        band, so that one pass groups the keys of several bands without mixing them."""
        salts = np.arange(bands.start, bands.stop, dtype=np.uint64) * np.uint64(0xD6E8FEB86659FD93)
        salted: U64 = (keys[:, bands.start : bands.stop][docs] ^ salts[None, :]).ravel()
        return salted

    def pass_codes(self, bands: range) -> I64:
        """Encoded unique pairs (i * n_docs + j, i < j) of documents sharing a key in
        ``bands``."""
        flat_keys = self.salted(self.keys, self.docs, bands)
        order = np.argsort(flat_keys)
        members = np.repeat(self.docs, len(bands))[order]
        pairs = _kernels.group_pairs(flat_keys[order], members, self.n_docs, self.max_bucket)
        return sorted_unique(pairs)


#: runs ``BandTable.pass_codes`` on each band range (in any order, anywhere)
PassMapper = Callable[[BandTable, list[range]], Iterable[I64]]


def _here(table: BandTable, passes: list[range]) -> Iterator[I64]:
    return map(table.pass_codes, passes)


def sorted_unique(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Sorted distinct values (np.unique hashes first in numpy 2, ten times slower here)."""
    values = np.sort(values)
    if values.shape[0] == 0:
        return values
    keep = np.empty(values.shape[0], dtype=np.bool_)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


@dataclass(frozen=True, slots=True)
class EncodedPairs:
    """Unique pairs as one sorted int64 each, ``i * n_docs + j`` with i < j: half the
    memory of (i, j) rows, decoded a chunk at a time where they are used."""

    codes: I64
    n_docs: int

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    def decoded(self, start: int = 0, stop: int | None = None) -> I64:
        """(i, j) rows of the pairs in ``[start, stop)``."""
        codes = self.codes[start:stop]
        rows: I64 = np.stack([codes // self.n_docs, codes % self.n_docs], axis=1)
        return rows

    def chunks(self, size: int) -> Iterator[I64]:
        """(i, j) rows, ``size`` pairs at a time."""
        for start in range(0, len(self), size):
            yield self.decoded(start, start + size)

    @classmethod
    def of_rows(cls, rows: I64, n_docs: int) -> EncodedPairs:
        """(i, j) rows with i < j, made unique and sorted."""
        return cls(sorted_unique(rows[:, 0] * np.int64(n_docs) + rows[:, 1]), n_docs)


def candidate_codes(
    keys: U64,
    *,
    eligible: npt.NDArray[np.bool_] | None = None,
    max_bucket: int = DEFAULT_MAX_BUCKET,
    bands_per_pass: int = 8,
    map_passes: PassMapper = _here,
) -> EncodedPairs:
    """Unique pairs of documents sharing at least one band key, encoded.

    ``keys`` is (n_docs x bands). Rows where ``eligible`` is false (too short to sign)
    never pair. Buckets larger than ``max_bucket`` are paired as a star around their
    lowest-numbered member: identical texts then still meet, without n² candidates. Bands
    are grouped ``bands_per_pass`` at a time and each pass's pairs are made unique before
    they join the rest: near-identical copies collide in every band, and listing each of
    their pairs once per band first would hold tens of times more pairs than there are.
    ``map_passes`` runs the passes (here, one after another, by default); their union does
    not depend on where or in which order they ran.
    """
    n_docs, n_bands = keys.shape
    docs = np.arange(n_docs, dtype=np.int64)
    if eligible is not None:
        docs = docs[eligible]
    table = BandTable(keys, docs, n_docs, max_bucket)
    passes = [
        range(start, min(start + bands_per_pass, n_bands))
        for start in range(0, n_bands, bands_per_pass)
    ]
    found = np.empty(0, dtype=np.int64)
    for codes in map_passes(table, passes):
        found = _union_in_place(found, codes)
    return EncodedPairs(found, n_docs)


def _union_in_place(found: I64, codes: I64) -> I64:
    """The union of two sorted sets of distinct codes, made in ``found`` itself: it grows
    by a realloc (remapped, not copied) by the codes it lacks, merged in from its end. Later
    passes mostly find the same pairs again, and a merge into a new array would hold the
    union twice at its largest."""
    fresh = codes[_kernels.missing_from(codes, found)]
    if fresh.shape[0] == 0:
        return found
    n_found = found.shape[0]
    found.resize(n_found + fresh.shape[0], refcheck=False)
    _kernels.merge_from_back(found, n_found, fresh)
    return found


def candidate_pairs(
    keys: U64,
    *,
    eligible: npt.NDArray[np.bool_] | None = None,
    max_bucket: int = DEFAULT_MAX_BUCKET,
) -> I64:
    """Unique (i, j) rows, i < j, in order, of documents sharing at least one band key
    (``candidate_codes``, decoded)."""
    return candidate_codes(keys, eligible=eligible, max_bucket=max_bucket).decoded()
