"""The embedded index: one SQLite file in WAL mode, next to a ``.lock`` file.

Why SQLite: a scheduled job on one machine needs no server, and SQLite gives what the
batch protocol needs (reliability rule 2) for free: a batch is one ``BEGIN IMMEDIATE …
COMMIT``, so a process killed anywhere leaves the file as it was before the batch or
after it, never in between. Why WAL: readers (``dedup index stats``, a lookup from
another job) keep reading the last committed state while the writer writes (rule 3).

The layout is in ``sqlite_schema``, the consistency checks in ``sqlite_checks``, the
writer lock in ``sqlite_lock``, and row conversions in ``sqlite_rows``.

The file must live on a local file system: WAL needs shared memory and the writer
lock is ``flock``, neither of which network file systems provide reliably.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager

import numpy as np

from dedup.errors import IndexStoreError
from dedup.faults import crash_point
from dedup.index import sqlite_bands, sqlite_checks
from dedup.index.base import (
    I64,
    U64,
    CanonicalMove,
    CommitBatch,
    IndexedArticle,
    IndexStats,
    Manifest,
    RunRecord,
    StoredCluster,
    WindowBy,
)
from dedup.index.common import chunks, manifest_bytes, manifest_of, one_line
from dedup.index.keys import KeyQuery
from dedup.index.sqlite_lock import WriterLock
from dedup.index.sqlite_rows import (
    ARTICLE_COLUMNS,
    INSERT_ARTICLE,
    META_COLUMNS,
    RUN_SQL,
    article_of,
    article_row,
    examples,
    immediate,
    run_of,
    signed,
    store_error,
    window_sql,
)
from dedup.index.sqlite_schema import APPLICATION_ID, MIGRATIONS, migrate, recognise
from dedup.index.sqlite_schema import statements as _statements  # noqa: F401  (tests use it)

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SqliteStore"]

_BUSY_MS = 2000
#: page cache per connection (filled lazily): article and cluster reads land on random
#: pages of their B-trees; SQLite's 2 MiB default cannot even hold their inner pages
_CACHE_KIB = 64 * 1024
#: ids or numbers per ``IN (…)`` list: under SQLite's oldest variable limit (999)
_IN_CHUNK = 900
#: documents per window statement (a JSON array of a few MB)
_LOOKUP_CHUNK = 500_000


def _marks(count: int) -> str:
    return ",".join("?" * count)


class SqliteStore:
    """``IndexStore`` on one SQLite file (``sqlite_schema`` has the layout).

    The connection is in autocommit mode (``isolation_level=None``) and every write is an
    explicit ``BEGIN IMMEDIATE … COMMIT``: the write lock is taken at BEGIN, so a
    transaction never fails halfway for want of it, and nothing is committed implicitly.

    ``synchronous=NORMAL`` in WAL mode: a commit is durable against the process being
    killed (the WAL is in the OS's cache, which survives us); a power cut may lose the
    last few commits, but never leaves half a batch, since a transaction without its
    commit frame is ignored on recovery. A resumed run redoes the lost batches (rule 2).

    The busy timeout is short because waiting is the writer lock's business: a second
    writer is refused at ``writer()``, and readers in WAL mode never wait for writers.
    """

    def __init__(self, path: str, *, must_exist: bool = False) -> None:
        self._path = os.fspath(path)
        self._lock = WriterLock(self._path)
        self._conn: sqlite3.Connection | None = None
        if must_exist and not os.path.exists(self._path):
            raise IndexStoreError(
                f"no index at {self._path}; a scan with --index {self._path} creates one"
            )
        try:
            self._conn = sqlite3.connect(self._path, isolation_level=None, timeout=_BUSY_MS / 1000)
        except sqlite3.Error as exc:
            raise IndexStoreError(f"index {self._path} cannot be opened: {one_line(exc)}") from exc
        try:
            with self._guard("opening it"):
                self._conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
                recognise(self._conn, self._path)
                mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
                if str(mode).lower() != "wal":
                    raise IndexStoreError(
                        f"index {self._path}: SQLite refused WAL mode (journal mode {mode}); "
                        "put the index on a local file system"
                    )
                self._conn.execute("PRAGMA synchronous = NORMAL")
                self._conn.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
                self._conn.execute("PRAGMA temp_store = MEMORY")
                self._conn.execute("PRAGMA foreign_keys = OFF")
                migrate(self._conn, self._path, MIGRATIONS)
        except BaseException:
            self.close()
            raise

    # -- plumbing ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return self._path

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise IndexStoreError(f"index {self._path} is closed")
        return self._conn

    @contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """Backend errors as one-line ``IndexStoreError``s naming the file: the CLI
        prints them without a traceback."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise store_error(exc, self._path, what) from exc

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``; rolled back on any exception."""
        with self._guard(what), immediate(self._connection()) as conn:
            yield conn

    @contextmanager
    def _read(self, what: str) -> Iterator[sqlite3.Connection]:
        """A read transaction, so that several statements see one committed state (WAL
        readers take no lock a writer waits for)."""
        conn = self._connection()
        with self._guard(what):
            if conn.in_transaction:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("COMMIT")

    def close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    # -- manifest ------------------------------------------------------------------------

    def manifest(self) -> Manifest | None:
        with self._guard("reading the manifest"):
            row = (
                self._connection()
                .execute("SELECT value FROM meta WHERE key = 'manifest'")
                .fetchone()
            )
        return None if row is None else manifest_of(str(row[0]), self._path)

    def create(self, manifest: Manifest) -> None:
        text = manifest_bytes(manifest).decode()
        with self._write("creating the manifest") as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'manifest'").fetchone():
                raise IndexStoreError(f"index {self._path} already has a manifest")
            conn.execute("INSERT INTO meta (key, value) VALUES ('manifest', ?)", (text,))

    # -- the writer lock -----------------------------------------------------------------

    def writer(self, run_id: str) -> AbstractContextManager[None]:
        """The single-writer lock: an exclusive, non-blocking ``flock`` on ``PATH.lock``,
        dropped by the kernel when its holder dies (``WriterLock.hold``)."""
        return self._lock.hold(run_id)

    # -- runs ----------------------------------------------------------------------------

    def begin_run(self, run_id: str, started: float) -> RunRecord:
        """Created with ``started`` if new; a resumed run keeps its first start."""
        with self._write("starting the run") as conn:
            conn.execute(
                "INSERT INTO runs (run_id, started) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING",
                (run_id, float(started)),
            )
            row = conn.execute(RUN_SQL, (run_id,)).fetchone()
        return run_of(row)

    def run(self, run_id: str) -> RunRecord | None:
        with self._guard("reading the run"):
            row = self._connection().execute(RUN_SQL, (run_id,)).fetchone()
        return None if row is None else run_of(row)

    # -- reads ---------------------------------------------------------------------------

    def known(self, article_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(dict.fromkeys(article_ids))
        with self._read("looking up article ids") as conn:
            for chunk in chunks(ids, _IN_CHUNK):
                found.update(
                    str(row[0])
                    for row in conn.execute(
                        "SELECT article_id FROM articles "
                        f"WHERE article_id IN ({_marks(len(chunk))})",
                        tuple(chunk),
                    )
                )
        return found

    def lookup(
        self,
        index_keys: U64,
        rows: I64,
        since: float,
        by: WindowBy,
        max_bucket: int | None = None,
    ) -> I64:
        """The distinct keys are found in the band runs (``sqlite_bands.find``: only the
        blocks whose key range holds one are read), the documents hit are checked
        against the window in one statement (a JSON array joined to ``articles``), and
        hits are joined back to the caller's rows in numpy (``KeyQuery``), so a key that
        many rows share is looked up once. All statements read one snapshot.
        """
        query = KeyQuery.of(index_keys, rows)
        if query.distinct.size == 0:
            return np.zeros((0, 2), dtype=np.int64)
        with self._read("looking up band keys") as conn:
            which, docs = sqlite_bands.find(conn, query.distinct)
            inside = np.isin(docs, self._within(conn, np.unique(docs), since, by))
        return query.pairs(which[inside], docs[inside], max_bucket)

    @staticmethod
    def _within(conn: sqlite3.Connection, docs: I64, since: float, by: WindowBy) -> I64:
        """The stored ones of ``docs`` whose window time is at least ``since``."""
        sql = (
            "SELECT a.doc FROM json_each(?) AS j CROSS JOIN articles AS a ON a.doc = j.value "
            f"WHERE {window_sql(by, 'a')} >= ?"
        )
        found: list[int] = []
        for low in range(0, docs.size, _LOOKUP_CHUNK):
            chunk = json.dumps(docs[low : low + _LOOKUP_CHUNK].tolist())
            found.extend(int(row[0]) for row in conn.execute(sql, (chunk, float(since))))
        return np.array(sorted(found), dtype=np.int64)

    def articles(self, docs: Sequence[int], *, sets: bool = True) -> list[IndexedArticle]:
        wanted = [int(doc) for doc in docs]
        found: dict[int, IndexedArticle] = {}
        columns = ARTICLE_COLUMNS if sets else META_COLUMNS
        with self._read("reading articles") as conn:
            for chunk in chunks(list(dict.fromkeys(wanted)), _IN_CHUNK):
                for row in conn.execute(
                    f"SELECT {columns} FROM articles WHERE doc IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ):
                    article = article_of(row)
                    found[article.doc] = article
        return [found[doc] for doc in wanted if doc in found]

    def articles_by_id(self, article_ids: Sequence[str]) -> list[IndexedArticle]:
        wanted = list(dict.fromkeys(article_ids))
        found: dict[str, IndexedArticle] = {}
        with self._read("reading articles") as conn:
            for chunk in chunks(wanted, _IN_CHUNK):
                for row in conn.execute(
                    f"SELECT {ARTICLE_COLUMNS} FROM articles "
                    f"WHERE article_id IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ):
                    article = article_of(row)
                    found[article.article_id] = article
        return [found[i] for i in wanted if i in found]

    def cluster_docs(self, cluster_ids: Sequence[str]) -> list[int]:
        docs: list[int] = []
        with self._read("reading cluster members") as conn:
            for chunk in chunks(list(dict.fromkeys(cluster_ids)), _IN_CHUNK):
                docs.extend(
                    int(row[0])
                    for row in conn.execute(
                        f"SELECT doc FROM articles WHERE cluster_id IN ({_marks(len(chunk))})",
                        tuple(chunk),
                    )
                )
        return sorted(docs)

    def clusters(self, cluster_ids: Sequence[str]) -> dict[str, StoredCluster]:
        found: dict[str, StoredCluster] = {}
        with self._read("reading clusters") as conn:
            for chunk in chunks(list(dict.fromkeys(cluster_ids)), _IN_CHUNK):
                for cluster_id, canonical_id, payload in conn.execute(
                    "SELECT cluster_id, canonical_id, payload FROM clusters "
                    f"WHERE cluster_id IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ):
                    found[str(cluster_id)] = StoredCluster(
                        str(cluster_id), str(canonical_id), bytes(payload)
                    )
        return found

    def run_articles(self, run_id: str, *, sets: bool = True) -> list[IndexedArticle]:
        columns = ARTICLE_COLUMNS if sets else META_COLUMNS
        with self._read("reading the run's articles") as conn:
            return [
                article_of(row)
                for row in conn.execute(
                    f"SELECT {columns} FROM articles WHERE run_id = ? ORDER BY doc",
                    (run_id,),
                )
            ]

    def run_moves(self, run_id: str) -> list[CanonicalMove]:
        with self._read("reading the run's moves") as conn:
            return [
                CanonicalMove(str(cluster_id), str(previous), str(current))
                for cluster_id, previous, current in conn.execute(
                    "SELECT cluster_id, previous, current FROM moves WHERE run_id = ? ORDER BY seq",
                    (run_id,),
                )
            ]

    def export(self) -> Iterator[IndexedArticle]:
        """Streamed from one cursor (one read snapshot), in document order."""
        conn = self._connection()
        with self._guard("exporting"):
            cursor = conn.execute(f"SELECT {ARTICLE_COLUMNS} FROM articles ORDER BY doc")
            try:
                while rows := cursor.fetchmany(500):
                    for row in rows:
                        yield article_of(row)
            finally:
                cursor.close()

    def stats(self) -> IndexStats:
        """Counts; ``oldest``/``newest`` are window times by publication (the publish
        time, else the ingest time), as on Redis."""
        with self._read("counting") as conn:
            articles, oldest, newest = conn.execute(
                "SELECT COUNT(*), MIN(COALESCE(published, ingested)), "
                "MAX(COALESCE(published, ingested)) FROM articles"
            ).fetchone()
            clusters = conn.execute("SELECT COUNT(*) FROM clusters").fetchone()[0]
            entries = sqlite_bands.count(conn)
            runs = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
            manifest = self.manifest()
        on_disk = 0
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                on_disk += os.path.getsize(self._path + suffix)
        return IndexStats(
            articles=int(articles),
            clusters=int(clusters),
            band_entries=int(entries),
            runs=int(runs),
            oldest=None if oldest is None else float(oldest),
            newest=None if newest is None else float(newest),
            bytes_on_disk=on_disk,
            manifest=manifest,
        )

    # -- writes --------------------------------------------------------------------------

    def commit(self, batch: CommitBatch) -> None:
        """One transaction: articles numbered from the stored counter in batch order,
        their band entries, clusters upserted, moves appended, the run marker updated
        (a run not begun with ``begin_run`` starts now); ``crash_point
        ("inside_transaction")`` fires after every write, before COMMIT.

        Document numbers come from a counter kept in ``meta`` in the same transaction:
        a batch rolled back and committed again gets the same numbers, and numbers are
        never reused after a prune (a reader holding a pruned number finds nothing
        rather than another article). An article id already stored, or named twice,
        refuses the whole batch (the caller filters with ``known``), and so does an
        index without a manifest: data must never exist without its parameters.
        """
        ids = [a.article_id for a in batch.articles]
        twice = sorted(i for i, n in Counter(ids).items() if n > 1)
        if twice:
            raise IndexStoreError(
                f"index {self._path}: a batch names article {examples(twice)} twice; "
                "nothing of it was written"
            )
        self._lock.check()
        with self._write("committing a batch") as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'manifest'").fetchone() is None:
                raise IndexStoreError(
                    f"index {self._path} has no manifest: create it (check_manifest) before "
                    "the first batch, so that the index knows its parameters"
                )
            stored = sorted(self.known(ids))
            if stored:
                raise IndexStoreError(
                    f"index {self._path}: article {examples(stored)} is indexed already; "
                    "nothing of this batch was written"
                )
            first = self._next_doc(conn)
            numbers = range(first, first + len(batch.articles))
            try:
                conn.executemany(
                    INSERT_ARTICLE,
                    [article_row(doc, a) for doc, a in zip(numbers, batch.articles, strict=True)],
                )
            except sqlite3.IntegrityError as exc:
                raise IndexStoreError(
                    f"index {self._path}: a batch's article could not be stored "
                    f"({one_line(exc)}); nothing of this batch was written"
                ) from exc
            if batch.articles:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('next_doc', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(first + len(batch.articles)),),
                )
                keys = [signed(np.asarray(a.index_keys)) for a in batch.articles]
                sqlite_bands.add_run(
                    conn,
                    np.concatenate(keys),
                    np.repeat(np.asarray(numbers, dtype=np.int64), [k.size for k in keys]),
                )
            conn.executemany(
                "INSERT INTO clusters (cluster_id, canonical_id, payload) VALUES (?, ?, ?) "
                "ON CONFLICT (cluster_id) DO UPDATE SET canonical_id = excluded.canonical_id, "
                "payload = excluded.payload",
                [(c.cluster_id, c.canonical_id, bytes(c.payload)) for c in batch.clusters],
            )
            conn.executemany(
                "INSERT INTO moves (run_id, cluster_id, previous, current) VALUES (?, ?, ?, ?)",
                [(batch.run_id, m.cluster_id, m.previous, m.current) for m in batch.moves],
            )
            # a run committed without begin_run starts now
            conn.execute(
                "INSERT INTO runs (run_id, started, records_done, finished) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (run_id) DO UPDATE SET records_done = excluded.records_done, "
                "finished = excluded.finished",
                (batch.run_id, time.time(), int(batch.records_done), int(batch.finished)),
            )
            crash_point("inside_transaction")

    def _next_doc(self, conn: sqlite3.Connection) -> int:
        row = conn.execute("SELECT value FROM meta WHERE key = 'next_doc'").fetchone()
        counter = int(row[0]) if row is not None and str(row[0]).isdigit() else 1
        highest = int(conn.execute("SELECT COALESCE(MAX(doc), 0) FROM articles").fetchone()[0])
        return max(counter, highest + 1)

    def prune(self, before: float, by: WindowBy) -> int:
        """Remove articles whose window time is before ``before``, their band entries
        (the runs rewritten without them, ``sqlite_bands.remove_docs``), and clusters
        left empty. One transaction. The caller holds ``writer()`` (or nobody does)."""
        window = window_sql(by)
        self._lock.check()
        with self._write("pruning") as conn:
            docs = [
                int(row[0])
                for row in conn.execute(
                    f"SELECT doc FROM articles WHERE {window} < ? ORDER BY doc", (float(before),)
                )
            ]
            touched: set[str] = set()
            for chunk in chunks(docs, _IN_CHUNK):
                marks = _marks(len(chunk))
                touched.update(
                    str(row[0])
                    for row in conn.execute(
                        f"SELECT cluster_id FROM articles WHERE doc IN ({marks})", tuple(chunk)
                    )
                )
                conn.execute(f"DELETE FROM articles WHERE doc IN ({marks})", tuple(chunk))
            sqlite_bands.remove_docs(conn, np.array(docs, dtype=np.int64))
            conn.executemany(
                "DELETE FROM clusters WHERE cluster_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM articles WHERE cluster_id = ?)",
                [(c, c) for c in sorted(touched)],
            )
        return len(docs)

    # -- consistency ---------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every check of ``sqlite_checks``, in one read snapshot; a check that cannot
        run (a damaged file) is itself reported."""
        with self._read("checking") as conn:
            return sqlite_checks.problems(conn, self._path)
