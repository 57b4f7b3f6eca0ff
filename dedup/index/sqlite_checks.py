"""``dedup index check`` on SQLite: the consistency checks, as functions of a connection.

Apart from the store because they only read and need none of its state;
``SqliteStore.problems`` runs ``problems`` inside one read transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np

from dedup.errors import IndexStoreError
from dedup.index import sqlite_bands
from dedup.index.base import I64, U64
from dedup.index.codec import array_of
from dedup.index.common import manifest_of, one_line
from dedup.index.sqlite_rows import examples, signed

__all__ = [
    "check_bands",
    "check_clusters",
    "check_integrity",
    "check_manifest",
    "check_runs",
    "problems",
]


def problems(conn: sqlite3.Connection, location: str) -> list[str]:
    """Every check that runs, each finding one line with examples; a check that
    cannot run (a damaged file) is itself reported, under the check's name."""
    checks: tuple[tuple[str, Callable[[], list[str]]], ...] = (
        ("integrity", lambda: check_integrity(conn)),
        ("manifest", lambda: check_manifest(conn, location)),
        ("bands", lambda: check_bands(conn)),
        ("clusters", lambda: check_clusters(conn)),
        ("runs", lambda: check_runs(conn)),
    )
    found: list[str] = []
    for name, check in checks:
        try:
            found.extend(check())
        except (sqlite3.Error, IndexStoreError) as exc:
            found.append(f"{name}: {one_line(exc)}")
    return found


def _mix(keys: U64) -> U64:
    """splitmix64's finaliser: keys spread over all 64 bits before they are summed, so
    that two damaged entries cannot cancel out in a per-document checksum."""
    z = np.asarray(keys, dtype=np.uint64).copy()
    z ^= z >> np.uint64(30)
    z *= np.uint64(0xBF58476D1CE4E5B9)
    z ^= z >> np.uint64(27)
    z *= np.uint64(0x94D049BB133111EB)
    z ^= z >> np.uint64(31)
    return z


def check_integrity(conn: sqlite3.Connection) -> list[str]:
    lines = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
    return [] if lines == ["ok"] else [f"SQLite integrity_check: {line}" for line in lines]


def check_manifest(conn: sqlite3.Connection, location: str) -> list[str]:
    row = conn.execute("SELECT value FROM meta WHERE key = 'manifest'").fetchone()
    if row is None:
        if conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
            return ["articles are stored but the manifest is missing"]
        return []
    try:
        manifest_of(str(row[0]), location)
    except IndexStoreError as exc:
        return [str(exc)]
    return []


def check_bands(conn: sqlite3.Connection) -> list[str]:
    """Each article's stored keys against the band runs, and the runs against the
    articles: a missing entry is a copy never found again, an orphan a false hit.

    One pass over the articles and one over the blocks: per document, the count and a
    wrapping sum of mixed keys, once from the articles' keys and once from the blocks.
    The documents whose sums differ are then compared key by key in a second pass over
    the blocks. Each block must also be sorted and agree with its row's key range, or a
    lookup's binary search would miss what it holds.
    """
    found: list[str] = []
    top = int(conn.execute("SELECT COALESCE(MAX(doc), 0) FROM articles").fetchone()[0])
    stored = np.zeros(top + 1, dtype=bool)
    expected_count = np.zeros(top + 1, dtype=np.int64)
    expected_sum = np.zeros(top + 1, dtype=np.uint64)
    damaged: list[int] = []
    cursor = conn.execute("SELECT doc, index_keys FROM articles ORDER BY doc")
    while rows := cursor.fetchmany(5000):
        for doc, blob in rows:
            stored[doc] = True
            try:
                keys = np.unique(array_of(bytes(blob)))
            except IndexStoreError:
                damaged.append(int(doc))
                continue
            expected_count[doc] = keys.size
            expected_sum[doc] = _mix(keys).sum(dtype=np.uint64)
    count = np.zeros(top + 1, dtype=np.int64)
    total = np.zeros(top + 1, dtype=np.uint64)
    orphans: set[int] = set()
    unsorted: list[int] = []
    readable: list[int] = []
    previous: sqlite_bands.Block | None = None
    for ref in sqlite_bands.blocks(conn):
        after = previous is None or previous.run != ref.run or previous.last_key <= ref.first_key
        previous = ref
        try:
            band_keys, docs = sqlite_bands.read_block(conn, ref.block)
        except IndexStoreError as exc:
            found.append(str(exc))
            continue
        readable.append(ref.block)
        if not (after and _sorted_block(ref, band_keys, docs)):
            unsorted.append(ref.block)
        inside = (docs >= 1) & (docs <= top)
        inside[inside] = stored[docs[inside]]
        if not inside.all():
            orphans.update(docs[~inside].tolist())
        np.add.at(count, docs[inside], 1)
        np.add.at(total, docs[inside], _mix(band_keys[inside].view(np.uint64)))
    if unsorted:
        found.append(
            f"{len(unsorted)} band blocks are out of order or disagree with their key range "
            f"(blocks {examples(unsorted)}); lookups may miss their entries"
        )
    if damaged:
        found.append(f"{len(damaged)} articles have damaged stored keys (docs {examples(damaged)})")
    bad = stored & ((count != expected_count) | (total != expected_sum))
    bad[damaged] = False
    found.extend(_differences(conn, np.flatnonzero(bad), readable))
    if orphans:
        found.append(
            f"band entries point to {len(orphans)} documents that are not stored "
            f"(docs {examples(sorted(orphans))})"
        )
    row = conn.execute("SELECT value FROM meta WHERE key = 'next_doc'").fetchone()
    if row is not None and (not str(row[0]).isdigit() or int(row[0]) <= top):
        found.append(f"the next document number ({row[0]}) is not above the highest stored ({top})")
    return found


def _sorted_block(ref: sqlite_bands.Block, keys: I64, docs: I64) -> bool:
    """Strictly increasing by (key, document), and as its row says."""
    rising = (keys[1:] > keys[:-1]) | ((keys[1:] == keys[:-1]) & (docs[1:] > docs[:-1]))
    return (
        keys.size == ref.entries > 0
        and bool(rising.all())
        and int(keys[0]) == ref.first_key
        and int(keys[-1]) == ref.last_key
    )


def _differences(conn: sqlite3.Connection, bad: I64, readable: list[int]) -> list[str]:
    """For the documents whose checksums differ: which keys the blocks lack, and which
    documents have entries for keys they do not hold."""
    if bad.size == 0:
        return []
    held: dict[int, set[int]] = {int(doc): set() for doc in bad}
    for block in readable:
        keys, docs = sqlite_bands.read_block(conn, block)
        mine = np.isin(docs, bad)
        for key, doc in zip(keys[mine].tolist(), docs[mine].tolist(), strict=True):
            held[doc].add(key)
    missing: dict[int, int] = {}
    extra: list[int] = []
    for doc, entries in held.items():
        (blob,) = conn.execute("SELECT index_keys FROM articles WHERE doc = ?", (doc,)).fetchone()
        own = set(signed(np.unique(array_of(bytes(blob)))).tolist())
        if own - entries:
            missing[doc] = len(own - entries)
        if entries - own:
            extra.append(doc)
    found: list[str] = []
    if missing:
        docs_missing = sorted(missing)
        found.append(
            f"{len(docs_missing)} articles miss {sum(missing.values())} band entries "
            f"(docs {examples(docs_missing)}); they would never be found again"
        )
    if extra:
        found.append(
            f"{len(extra)} articles have band entries for keys they do not hold "
            f"(docs {examples(extra)})"
        )
    return found


def check_clusters(conn: sqlite3.Connection) -> list[str]:
    empty = [
        str(row[0])
        for row in conn.execute(
            "SELECT cluster_id FROM clusters AS c WHERE NOT EXISTS "
            "(SELECT 1 FROM articles AS a WHERE a.cluster_id = c.cluster_id) "
            "ORDER BY cluster_id"
        )
    ]
    if not empty:
        return []
    return [f"{len(empty)} clusters have no stored article ({examples(empty)})"]


def check_runs(conn: sqlite3.Connection) -> list[str]:
    found: list[str] = []
    for table, what in (("articles", "articles"), ("moves", "canonical moves")):
        lost = [
            str(row[0])
            for row in conn.execute(
                f"SELECT DISTINCT run_id FROM {table} AS t WHERE NOT EXISTS "
                "(SELECT 1 FROM runs AS r WHERE r.run_id = t.run_id) ORDER BY run_id"
            )
        ]
        if lost:
            found.append(f"{what} of {len(lost)} unrecorded runs ({examples(lost)})")
    bad = [
        str(row[0])
        for row in conn.execute(
            "SELECT run_id FROM runs WHERE records_done < 0 OR finished NOT IN (0, 1) "
            "ORDER BY run_id"
        )
    ]
    if bad:
        found.append(f"{len(bad)} run records are malformed ({examples(bad)})")
    return found
