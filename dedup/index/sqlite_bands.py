"""The SQLite index's band entries as sorted runs of blocks: a log-structured merge.

Why not one B-tree of (key, document) rows: band keys are random, so a batch's keys land
on nearly every leaf page of it, and in WAL mode every page touched is written twice (to
the WAL, then back at the checkpoint). A batch of 10,000 articles against 200,000 spent
most of its commit rewriting the band table, a cost that grows with the whole index.

Here a batch writes its entries once, sorted by (key, document), as a new **run** of
**blocks** (``BLOCK_ENTRIES`` entries each, keys and documents as little-endian int64
arrays, with the block's first and last key in columns). Runs of one size tier are merged
``FANOUT`` at a time, so an entry is rewritten about log_FANOUT(index / batch) times and
a lookup reads a bounded number of runs. A lookup reads only the blocks whose key range
holds a wanted key: a single article's ``check`` reads a few blocks per run, a batch's
lookup reads every block once, sequentially, instead of probing a B-tree per key.

Everything happens inside the caller's transaction, so a batch's entries, and any merge
it triggers, commit with the batch or not at all. Keys are the int64 with the bits of the
uint64 band key (SQLite integers are signed); runs are sorted in that signed order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

import numpy as np

from dedup.errors import IndexStoreError
from dedup.index.base import I64

__all__ = [
    "BLOCK_ENTRIES",
    "CREATE_SQL",
    "FANOUT",
    "Block",
    "add_run",
    "blocks",
    "count",
    "find",
    "read_block",
    "remove_docs",
    "runs_from_rows",
]

#: entries per block: 128 KiB of keys and documents; a lookup of one article's 76 keys
#: reads at most 76 blocks per run
BLOCK_ENTRIES = 8192
#: runs of one size tier merged at a time
FANOUT = 8

#: the table (migration 2 creates it)
CREATE_SQL = """
    CREATE TABLE band_blocks (
        block INTEGER PRIMARY KEY,
        run INTEGER NOT NULL,
        first_key INTEGER NOT NULL,
        last_key INTEGER NOT NULL,
        entries INTEGER NOT NULL,
        keys BLOB NOT NULL,
        docs BLOB NOT NULL
    );
    CREATE INDEX band_blocks_run ON band_blocks (run, block);
"""

_LITTLE_I64 = np.dtype("<i8")
Entries = tuple[I64, I64]


@dataclass(frozen=True, slots=True)
class Block:
    """A block's row without its arrays."""

    block: int
    run: int
    first_key: int
    last_key: int
    entries: int


def blocks(conn: sqlite3.Connection) -> list[Block]:
    """Every block, run by run, each run's blocks in key order."""
    return [
        Block(*map(int, row))
        for row in conn.execute(
            "SELECT block, run, first_key, last_key, entries FROM band_blocks ORDER BY run, block"
        )
    ]


def count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COALESCE(SUM(entries), 0) FROM band_blocks").fetchone()[0])


def read_block(conn: sqlite3.Connection, block: int) -> Entries:
    """One block's keys and documents; a block whose arrays disagree with each other is
    damaged, and says so (a lookup must not silently read half of it)."""
    row = conn.execute("SELECT keys, docs FROM band_blocks WHERE block = ?", (block,)).fetchone()
    if row is None:
        raise IndexStoreError(f"band block {block} vanished while it was read")
    keys_blob, docs_blob = bytes(row[0]), bytes(row[1])
    if len(keys_blob) % 8 or len(keys_blob) != len(docs_blob):
        raise IndexStoreError(
            f"band block {block} is damaged: {len(keys_blob)} bytes of keys, "
            f"{len(docs_blob)} of documents"
        )
    keys = np.frombuffer(keys_blob, dtype=_LITTLE_I64).astype(np.int64)
    docs = np.frombuffer(docs_blob, dtype=_LITTLE_I64).astype(np.int64)
    return keys, docs


def find(conn: sqlite3.Connection, wanted: I64) -> Entries:
    """(position in ``wanted``, document) for every entry whose key is wanted.

    ``wanted`` is sorted and distinct. Only the blocks whose key range holds a wanted
    key are read; within one, each wanted key is found by binary search.
    """
    refs = blocks(conn)
    if not refs or wanted.size == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    firsts = np.array([b.first_key for b in refs], dtype=np.int64)
    lasts = np.array([b.last_key for b in refs], dtype=np.int64)
    lows = np.searchsorted(wanted, firsts, side="left")
    highs = np.searchsorted(wanted, lasts, side="right")
    positions: list[I64] = []
    documents: list[I64] = []
    for ref, low, high in zip(refs, lows.tolist(), highs.tolist(), strict=True):
        if low == high:
            continue
        keys, docs = read_block(conn, ref.block)
        needles = wanted[low:high]
        left = np.searchsorted(keys, needles, side="left")
        counts = np.searchsorted(keys, needles, side="right") - left
        hit = counts > 0
        if not hit.any():
            continue
        counts = counts[hit]
        starts = np.repeat(left[hit] - np.cumsum(counts) + counts, counts)
        positions.append(np.repeat(np.flatnonzero(hit) + low, counts))
        documents.append(docs[starts + np.arange(starts.size)])
    if not positions:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(positions), np.concatenate(documents)


def _sorted_unique(keys: I64, docs: I64) -> Entries:
    order = np.lexsort((docs, keys))
    keys, docs = keys[order], docs[order]
    keep = np.r_[True, (keys[1:] != keys[:-1]) | (docs[1:] != docs[:-1])]
    return keys[keep], docs[keep]


def _write_run(conn: sqlite3.Connection, parts: Iterable[Entries]) -> None:
    """Sorted entries, arriving in pieces, written as a new run's blocks."""
    run = int(conn.execute("SELECT COALESCE(MAX(run), 0) + 1 FROM band_blocks").fetchone()[0])
    pending_keys: list[I64] = []
    pending_docs: list[I64] = []
    held = 0

    def emit(keys: I64, docs: I64) -> None:
        conn.execute(
            "INSERT INTO band_blocks (run, first_key, last_key, entries, keys, docs) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (
                run,
                int(keys[0]),
                int(keys[-1]),
                int(keys.size),
                keys.astype(_LITTLE_I64).tobytes(),
                docs.astype(_LITTLE_I64).tobytes(),
            ),
        )

    for keys, docs in parts:
        if keys.size == 0:
            continue
        pending_keys.append(keys)
        pending_docs.append(docs)
        held += keys.size
        if held >= BLOCK_ENTRIES:
            all_keys, all_docs = np.concatenate(pending_keys), np.concatenate(pending_docs)
            whole = held - held % BLOCK_ENTRIES
            for low in range(0, whole, BLOCK_ENTRIES):
                emit(all_keys[low : low + BLOCK_ENTRIES], all_docs[low : low + BLOCK_ENTRIES])
            pending_keys, pending_docs = [all_keys[whole:]], [all_docs[whole:]]
            held -= whole
    if held:
        emit(np.concatenate(pending_keys), np.concatenate(pending_docs))


def _run_blocks(conn: sqlite3.Connection, ids: Sequence[int]) -> Iterator[Entries]:
    for block in ids:
        yield read_block(conn, block)


def _upto(keys: I64, docs: I64, key: int, doc: int) -> int:
    """How many of the sorted entries come at or before (``key``, ``doc``)."""
    low = int(np.searchsorted(keys, key, side="left"))
    high = int(np.searchsorted(keys, key, side="right"))
    return low + int(np.searchsorted(docs[low:high], doc, side="right"))


def _merged(sources: list[Iterator[Entries]]) -> Iterator[Entries]:
    """Sorted runs merged into one sorted stream, a block of each at a time: whatever
    every run has passed (up to the smallest of their buffers' last entries) is safe to
    emit, and the run that set that bound is refilled."""
    buffers: list[tuple[I64, I64, Iterator[Entries]]] = []
    for source in sources:
        first = next(source, None)
        if first is not None:
            buffers.append((first[0], first[1], source))
    while buffers:
        bound = min((int(k[-1]), int(d[-1])) for k, d, _ in buffers)
        taken_keys: list[I64] = []
        taken_docs: list[I64] = []
        refilled: list[tuple[I64, I64, Iterator[Entries]]] = []
        for keys, docs, source in buffers:
            cut = _upto(keys, docs, *bound)
            taken_keys.append(keys[:cut])
            taken_docs.append(docs[:cut])
            rest: tuple[I64, I64] | None = (keys[cut:], docs[cut:])
            while rest is not None and rest[0].size == 0:
                rest = next(source, None)
            if rest is not None:
                refilled.append((rest[0], rest[1], source))
        buffers = refilled
        keys, docs = np.concatenate(taken_keys), np.concatenate(taken_docs)
        order = np.lexsort((docs, keys))
        yield keys[order], docs[order]


def _merge(conn: sqlite3.Connection, runs: Sequence[int], drop: I64 | None = None) -> None:
    """Replace ``runs`` by one run holding their entries (less those of documents in
    the sorted ``drop``)."""
    merging = set(runs)
    refs = [b for b in blocks(conn) if b.run in merging]
    by_run: dict[int, list[int]] = {}
    for ref in refs:
        by_run.setdefault(ref.run, []).append(ref.block)
    stream = _merged([_run_blocks(conn, ids) for ids in by_run.values()])
    _write_run(conn, stream if drop is None else _without(stream, drop))
    conn.executemany("DELETE FROM band_blocks WHERE block = ?", [(r.block,) for r in refs])


def _without(stream: Iterator[Entries], drop: I64) -> Iterator[Entries]:
    for keys, docs in stream:
        kept = ~np.isin(docs, drop)
        yield keys[kept], docs[kept]


def _tier(entries: int) -> int:
    tier = 0
    while entries >= FANOUT:
        entries //= FANOUT
        tier += 1
    return tier


def _due(conn: sqlite3.Connection) -> list[int]:
    """The runs to merge next: the smallest tier that has ``FANOUT`` runs, if any."""
    tiers: dict[int, list[int]] = {}
    for run, entries in conn.execute(
        "SELECT run, SUM(entries) FROM band_blocks GROUP BY run ORDER BY run"
    ):
        tiers.setdefault(_tier(int(entries)), []).append(int(run))
    for tier in sorted(tiers):
        if len(tiers[tier]) >= FANOUT:
            return tiers[tier]
    return []


def add_run(conn: sqlite3.Connection, keys: I64, docs: I64) -> None:
    """A batch's entries as a new run, then whatever merges that makes due."""
    if np.size(keys) == 0:
        return
    keys, docs = _sorted_unique(np.asarray(keys, np.int64), np.asarray(docs, np.int64))
    _write_run(conn, [(keys, docs)])
    while runs := _due(conn):
        _merge(conn, runs)


def remove_docs(conn: sqlite3.Connection, docs: I64) -> None:
    """Every entry of these documents removed: all runs merged into one without them
    (a prune is rare, and leaves the runs compact)."""
    runs = [int(row[0]) for row in conn.execute("SELECT DISTINCT run FROM band_blocks")]
    if runs and docs.size:
        _merge(conn, runs, drop=np.unique(np.asarray(docs, np.int64)))


def runs_from_rows(conn: sqlite3.Connection, rows: Iterator[Sequence[int]]) -> None:
    """(key, doc) rows already in (key, doc) order written as one run (migration 2)."""

    def pieces() -> Iterator[Entries]:
        while True:
            chunk = list(islice(rows, BLOCK_ENTRIES))
            if not chunk:
                return
            pairs = np.array(chunk, dtype=np.int64).reshape(-1, 2)
            yield pairs[:, 0].copy(), pairs[:, 1].copy()

    _write_run(conn, pieces())
