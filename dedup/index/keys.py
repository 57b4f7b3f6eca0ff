"""A lookup's band keys grouped, and its hits joined back to the caller's rows: the part of
``IndexStore.lookup`` that is the same on every backend.

Huge buckets: where more than ``max_bucket`` documents hold one key (the stored ones in the
window and the caller's rows together), each caller row is paired with the key's
lowest-numbered stored document only. That is the star the one-off scan makes of a huge
bucket (``candidates``): identical texts still meet, and a lookup does not return the
thousands of documents that a templated text's keys gather in a large index, each to be
fetched and verified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from dedup.index.base import I64, U64

__all__ = ["KeyQuery"]

_NO_PAIRS = np.zeros((0, 2), dtype=np.int64)


@dataclass(frozen=True, slots=True)
class KeyQuery:
    """The caller's (key, row) pairs grouped by key: ``distinct`` keys (the int64 with the
    bits of each uint64 key, sorted), and for the i-th the caller rows
    ``rows[starts[i] : starts[i] + counts[i]]``."""

    distinct: I64
    starts: I64
    counts: I64
    rows: I64

    @classmethod
    def of(cls, index_keys: U64, rows: I64) -> KeyQuery:
        keys = np.ascontiguousarray(index_keys, dtype=np.uint64).view(np.int64).ravel()
        where = np.asarray(rows, dtype=np.int64).ravel()
        if keys.shape != where.shape:
            raise ValueError(f"lookup: {keys.size} keys but {where.size} rows")
        order = np.argsort(keys, kind="stable")
        keys, where = keys[order], where[order]
        first = np.ones(keys.size, dtype=np.bool_)
        first[1:] = keys[1:] != keys[:-1]
        starts = np.flatnonzero(first)
        counts = np.diff(np.r_[starts, keys.size])
        return cls(keys[starts], starts, counts, where)

    def pairs(self, which: I64, docs: I64, max_bucket: int | None = None) -> I64:
        """Sorted unique (row, doc) pairs from hits: ``docs[i]`` holds key
        ``distinct[which[i]]`` (and is inside the window)."""
        if docs.size == 0:
            return _NO_PAIRS
        if max_bucket is not None:
            which, docs = self._starred(which, docs, max_bucket)
        counts = self.counts[which]
        total = int(counts.sum())
        # each hit becomes one pair per caller row holding its key
        first = np.repeat(self.starts[which], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        pair_rows = self.rows[first + within]
        pair_docs = np.repeat(docs, counts)
        order = np.lexsort((pair_docs, pair_rows))
        pair_rows, pair_docs = pair_rows[order], pair_docs[order]
        keep = np.r_[True, (pair_rows[1:] != pair_rows[:-1]) | (pair_docs[1:] != pair_docs[:-1])]
        return np.stack([pair_rows[keep], pair_docs[keep]], axis=1).astype(np.int64)

    def _starred(self, which: I64, docs: I64, max_bucket: int) -> tuple[I64, I64]:
        """Hits of huge buckets cut to each key's lowest document."""
        held = np.bincount(which, minlength=self.distinct.size)
        huge = held + self.counts > max_bucket
        if not huge.any():
            return which, docs
        lowest = np.full(self.distinct.size, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(lowest, which, docs)
        keep = ~huge[which] | (docs == lowest[which])
        return which[keep], docs[keep]
