"""The SQLite index's layout: its tables as ordered migrations, and bringing a file to it.

Kept apart from the store so that the schema reads in one place and a new migration is
one edit here; ``SqliteStore`` calls ``recognise`` and ``migrate`` when it opens a file.

Layout: ``meta`` (the manifest as JSON, the next document number), ``articles`` (one
row per document), ``band_blocks`` (the band entries as sorted runs of blocks,
``sqlite_bands``), ``clusters``, ``runs`` and ``moves``. Band keys are uint64 and stored
as the int64 with the same bits.

Version 1 kept the band entries as one row per (key, document) in a B-tree table,
``bands``; version 2 moves them into runs (``_bands_as_runs``) and drops it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence

from dedup.errors import IndexStoreError
from dedup.index import sqlite_bands
from dedup.index.sqlite_rows import immediate

__all__ = ["APPLICATION_ID", "MIGRATIONS", "TABLES", "migrate", "recognise", "statements"]

#: ``PRAGMA application_id`` of a dedup index ("dedu"), so another program's SQLite
#: file is recognised as such instead of being written into
APPLICATION_ID = 0x64656475

#: A migration: an SQL script, or a function of the connection where data must move.
Migration = str | Callable[[sqlite3.Connection], None]


def _bands_as_runs(conn: sqlite3.Connection) -> None:
    """Version 2: the ``bands`` rows, read in their (key, document) order, become one
    run of blocks."""
    for statement in statements(sqlite_bands.CREATE_SQL):
        conn.execute(statement)
    cursor = conn.execute("SELECT key, doc FROM bands ORDER BY key, doc")
    try:
        sqlite_bands.runs_from_rows(conn, iter(cursor))
    finally:
        cursor.close()
    conn.execute("DROP TABLE bands")


#: The schema as ordered migrations; ``PRAGMA user_version`` counts how many ran.
#: Never edit a released one: append a new one, so every old file can be brought up.
MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    CREATE TABLE articles (
        doc INTEGER PRIMARY KEY,
        article_id TEXT UNIQUE NOT NULL,
        cluster_id TEXT NOT NULL,
        run_id TEXT NOT NULL,
        ingested REAL NOT NULL,
        published REAL,
        meta BLOB NOT NULL,
        shingles BLOB NOT NULL,
        entities BLOB NOT NULL,
        index_keys BLOB NOT NULL
    );
    CREATE INDEX articles_cluster ON articles (cluster_id);
    CREATE INDEX articles_run ON articles (run_id);
    CREATE INDEX articles_ingested ON articles (ingested);
    CREATE INDEX articles_published ON articles (COALESCE(published, ingested));
    CREATE TABLE bands (
        key INTEGER NOT NULL,
        doc INTEGER NOT NULL,
        PRIMARY KEY (key, doc)
    ) WITHOUT ROWID;
    CREATE TABLE clusters (
        cluster_id TEXT PRIMARY KEY,
        canonical_id TEXT NOT NULL,
        payload BLOB NOT NULL
    );
    CREATE TABLE runs (
        run_id TEXT PRIMARY KEY,
        started REAL NOT NULL,
        records_done INTEGER NOT NULL DEFAULT 0,
        finished INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE moves (
        seq INTEGER PRIMARY KEY,
        run_id TEXT NOT NULL,
        cluster_id TEXT NOT NULL,
        previous TEXT NOT NULL,
        current TEXT NOT NULL
    );
    CREATE INDEX moves_run ON moves (run_id);
    """,
    _bands_as_runs,
]

#: the tables every migrated file has
TABLES = ("meta", "articles", "band_blocks", "clusters", "runs", "moves")


def statements(script: str) -> Iterator[str]:
    """A script's statements one by one: ``executescript`` would COMMIT first, and the
    migrations must run inside our own transaction."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \t\r\n;"):
                yield pending
            pending = ""
    if pending.strip(" \t\r\n;"):
        yield pending


def recognise(conn: sqlite3.Connection, path: str) -> None:
    """Refuse a file that is some other program's database before writing to it."""
    conn.execute("BEGIN")  # one snapshot: another process may be creating the index
    try:
        application = int(conn.execute("PRAGMA application_id").fetchone()[0])
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
    finally:
        conn.execute("COMMIT")
    ours = application == APPLICATION_ID
    fresh = application == 0 and version == 0 and not tables
    if not (ours or fresh):
        raise IndexStoreError(
            f"{path} is an SQLite database but not a dedup index; give another --index path"
        )


def migrate(conn: sqlite3.Connection, path: str, migrations: Sequence[Migration]) -> None:
    """Apply the ``migrations`` this file lacks, all in one transaction; refuse a file
    written by a newer dedup (its layout may mean something we do not know).

    ``migrations`` is ``MIGRATIONS`` as the store sees it (tests append to it there).
    """
    known = len(migrations)
    if int(conn.execute("PRAGMA user_version").fetchone()[0]) == known:
        return
    with immediate(conn):
        # read again under the write lock: another process may have migrated meanwhile
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > known:
            raise IndexStoreError(
                f"index {path} has layout version {version}, newer than this dedup "
                f"knows ({known}); upgrade dedup to use it"
            )
        for migration in migrations[version:]:
            if callable(migration):
                migration(conn)
                continue
            for statement in statements(migration):
                conn.execute(statement)
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.execute(f"PRAGMA user_version = {known}")
    missing = [
        name
        for name in TABLES
        if conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is None
    ]
    if missing:
        raise IndexStoreError(
            f"index {path} lacks its tables {', '.join(missing)}; rebuild it with a new --index"
        )
