"""``dedup index check`` on SQLite: the consistency checks, as functions of a connection.

Apart from the store because they only read and need none of its state;
``SqliteStore.problems`` runs ``problems`` inside one read transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import numpy as np

from dedup.errors import IndexStoreError
from dedup.index.base import U64
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
    """Each article's stored keys against the band rows, and band rows against the
    articles: a missing entry is a copy never found again, an orphan a false hit.

    One pass over each table, in the order it is stored: per document, the count and
    a wrapping sum of mixed keys, once from the articles' keys and once from the band
    rows (``bands`` has no index on ``doc``, and a GROUP BY would sort every row).
    Only the documents whose sums differ are then probed key by key.
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
    cursor = conn.execute("SELECT key, doc FROM bands")
    while rows := cursor.fetchmany(100_000):
        pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
        docs = pairs[:, 1]
        inside = (docs >= 1) & (docs <= top)
        inside[inside] = stored[docs[inside]]
        if not inside.all():
            orphans.update(docs[~inside].tolist())
        docs = docs[inside]
        np.add.at(count, docs, 1)
        np.add.at(total, docs, _mix(pairs[inside, 0].view(np.uint64)))
    if damaged:
        found.append(f"{len(damaged)} articles have damaged stored keys (docs {examples(damaged)})")
    bad = stored & ((count != expected_count) | (total != expected_sum))
    bad[damaged] = False
    missing: dict[int, int] = {}
    extra: list[int] = []
    for doc in np.flatnonzero(bad).tolist():
        (blob,) = conn.execute("SELECT index_keys FROM articles WHERE doc = ?", (doc,)).fetchone()
        held = signed(np.unique(array_of(bytes(blob))))
        lost = int(
            conn.execute(
                "SELECT COUNT(*) FROM json_each(?) AS j WHERE NOT EXISTS "
                "(SELECT 1 FROM bands AS b WHERE b.key = j.value AND b.doc = ?)",
                (json.dumps(held.tolist()), doc),
            ).fetchone()[0]
        )
        if lost:
            missing[doc] = lost
        if count[doc] > held.size - lost:
            extra.append(doc)
    if missing:
        docs_missing = sorted(missing)
        found.append(
            f"{len(docs_missing)} articles miss {sum(missing.values())} band entries "
            f"(docs {examples(docs_missing)}); they would never be found again"
        )
    if orphans:
        found.append(
            f"band entries point to {len(orphans)} documents that are not stored "
            f"(docs {examples(sorted(orphans))})"
        )
    if extra:
        found.append(
            f"{len(extra)} articles have band entries for keys they do not hold "
            f"(docs {examples(extra)})"
        )
    row = conn.execute("SELECT value FROM meta WHERE key = 'next_doc'").fetchone()
    if row is not None and (not str(row[0]).isdigit() or int(row[0]) <= top):
        found.append(f"the next document number ({row[0]}) is not above the highest stored ({top})")
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
