"""Index records as SQLite rows and values, and SQLite errors as one-line messages.

Shared by the store (``sqlite.py``) and its consistency checks (``sqlite_checks.py``),
so that neither imports the other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from dedup.errors import ConfigError, IndexLockedError, IndexStoreError
from dedup.index.base import I64, NO_KEYS, U64, IndexedArticle, RunRecord, WindowBy
from dedup.index.codec import array_bytes, array_of
from dedup.index.common import one_line

#: items named in a message before it says "…"
EXAMPLES = 5
#: the columns ``article_of`` reads, in its order
ARTICLE_COLUMNS = (
    "doc, article_id, cluster_id, run_id, ingested, published, meta, shingles, entities"
)
#: the same without the sets (empty blobs in their place), for readers of metadata only
META_COLUMNS = ARTICLE_COLUMNS.replace("shingles, entities", "x'', x''")
#: the statement that inserts ``article_row``
INSERT_ARTICLE = (
    "INSERT INTO articles (doc, article_id, cluster_id, run_id, ingested, "
    "published, meta, shingles, entities, index_keys) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
#: one run's row, as ``run_of`` reads it
RUN_SQL = "SELECT run_id, started, records_done, finished FROM runs WHERE run_id = ?"


@contextlib.contextmanager
def immediate(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One ``BEGIN IMMEDIATE … COMMIT``: all of it, or (on any exception) nothing."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def window_sql(by: WindowBy, table: str = "") -> str:
    """The SQL of an article's window time (``IndexedArticle.window_time``)."""
    prefix = f"{table}." if table else ""
    if by == "published":
        return f"COALESCE({prefix}published, {prefix}ingested)"
    if by == "ingested":
        return f"{prefix}ingested"
    raise ConfigError(f"window must be 'published' or 'ingested', got {by!r}")


def signed(keys: U64) -> I64:
    """uint64 band keys as the int64 with the same bits (SQLite integers are signed)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64)


def store_error(exc: sqlite3.Error | OSError, location: str, what: str) -> IndexStoreError:
    """A backend error as a one-line ``IndexStoreError`` naming the file: the CLI prints
    it without a traceback. ``what`` names the operation that failed."""
    text = one_line(exc)
    if isinstance(exc, sqlite3.OperationalError):
        if "locked" in text or "busy" in text:
            return IndexLockedError(
                f"index {location} is busy: another process is writing to it ({text}); "
                "wait for it to finish or stop it"
            )
    elif isinstance(exc, sqlite3.DatabaseError):
        if "not a database" in text:
            return IndexStoreError(
                f"{location} is not an SQLite database, so not a dedup index; "
                "give another --index path"
            )
        if "malformed" in text or "corrupt" in text:
            return IndexStoreError(
                f"index {location} is damaged ({text}); "
                "run 'dedup index check', or rebuild it with a new --index"
            )
    return IndexStoreError(f"index {location}: {what} failed: {text}")


def examples(items: Sequence[object]) -> str:
    shown = ", ".join(str(item) for item in items[:EXAMPLES])
    return shown + (", …" if len(items) > EXAMPLES else "")


def article_row(doc: int, article: IndexedArticle) -> tuple[Any, ...]:
    """The values ``INSERT_ARTICLE`` stores for ``article`` as document ``doc``."""
    return (
        doc,
        article.article_id,
        article.cluster_id,
        article.run_id,
        float(article.ingested),
        None if article.published is None else float(article.published),
        bytes(article.meta),
        array_bytes(article.shingles),
        array_bytes(article.entities),
        array_bytes(article.index_keys),
    )


def article_of(row: Sequence[Any]) -> IndexedArticle:
    """An article from a row of ``ARTICLE_COLUMNS``."""
    doc, article_id, cluster_id, run_id, ingested, published, meta, shingles, entities = row
    return IndexedArticle(
        article_id=article_id,
        cluster_id=cluster_id,
        run_id=run_id,
        ingested=float(ingested),
        published=None if published is None else float(published),
        meta=bytes(meta),
        shingles=array_of(shingles),
        entities=array_of(entities),
        index_keys=NO_KEYS,
        doc=int(doc),
    )


def run_of(row: Sequence[Any]) -> RunRecord:
    return RunRecord(str(row[0]), float(row[1]), int(row[2]), bool(row[3]))
