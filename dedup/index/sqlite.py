"""The embedded index: one SQLite file in WAL mode, next to a ``.lock`` file.

Why SQLite: a scheduled job on one machine needs no server, and SQLite gives what the
batch protocol needs (reliability rule 2) for free: a batch is one ``BEGIN IMMEDIATE …
COMMIT``, so a process killed anywhere leaves the file as it was before the batch or
after it, never in between. Why WAL: readers (``dedup index stats``, a lookup from
another job) keep reading the last committed state while the writer writes (rule 3).

Layout (``MIGRATIONS[0]``): ``meta`` (the manifest as JSON, the next document number),
``articles`` (one row per document), ``bands`` (one row per band key and document,
keyed by both, without rowid, so a lookup is one B-tree probe per key), ``clusters``,
``runs`` and ``moves``. Band keys are uint64 and stored as the int64 with the same bits.

The file must live on a local file system: WAL needs shared memory and the writer
lock is ``flock``, neither of which network file systems provide reliably.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import numpy as np

from dedup.errors import ConfigError, IndexLockedError, IndexStoreError
from dedup.faults import crash_point
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
from dedup.index.codec import array_bytes, array_of

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SqliteStore"]

#: ``PRAGMA application_id`` of a dedup index ("dedu"), so another program's SQLite
#: file is recognised as such instead of being written into
APPLICATION_ID = 0x64656475

#: The schema as ordered migration scripts; ``PRAGMA user_version`` counts how many ran.
#: Never edit a released script: append a new one, so every old file can be brought up.
MIGRATIONS: list[str] = [
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
]

_TABLES = ("meta", "articles", "bands", "clusters", "runs", "moves")
_BUSY_MS = 2000
#: page cache per connection (filled lazily): band keys are random, so probes and inserts
#: land on random pages; SQLite's 2 MiB default cannot even hold the B-trees' inner pages
_CACHE_KIB = 64 * 1024
#: ids or numbers per ``IN (…)`` list: under SQLite's oldest variable limit (999)
_IN_CHUNK = 900
#: distinct band keys per lookup statement (a JSON array of ~10 MB)
_LOOKUP_CHUNK = 500_000
_EXAMPLES = 5
_ARTICLE_COLUMNS = (
    "doc, article_id, cluster_id, run_id, ingested, published, meta, shingles, entities"
)


def _window(by: WindowBy, table: str = "") -> str:
    """The SQL of an article's window time (``IndexedArticle.window_time``)."""
    prefix = f"{table}." if table else ""
    if by == "published":
        return f"COALESCE({prefix}published, {prefix}ingested)"
    if by == "ingested":
        return f"{prefix}ingested"
    raise ConfigError(f"window must be 'published' or 'ingested', got {by!r}")


def _statements(script: str) -> Iterator[str]:
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


def _chunks(values: Sequence[Any], size: int = _IN_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _marks(count: int) -> str:
    return ",".join("?" * count)


def _signed(keys: U64) -> I64:
    """uint64 band keys as the int64 with the same bits (SQLite integers are signed)."""
    return np.ascontiguousarray(keys, dtype=np.uint64).view(np.int64)


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


def _one_line(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return " ".join(text.split())


def _manifest_of(text: str, location: str) -> Manifest:
    try:
        row = json.loads(text)
        if not isinstance(row, dict) or not isinstance(row.get("params"), dict):
            raise ValueError("not a JSON object with params")
        return Manifest(
            schema_version=int(row["schema_version"]),
            fingerprint=str(row["fingerprint"]),
            params=dict(row["params"]),
            created=str(row["created"]),
            epoch=str(row["epoch"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise IndexStoreError(
            f"index {location}: its stored manifest is damaged ({_one_line(exc)}); "
            "rebuild the index with a new --index"
        ) from exc


def _article_of(row: Sequence[Any]) -> IndexedArticle:
    doc, article_id, cluster_id, run_id, ingested, published, meta, shingles, entities = row
    return IndexedArticle(
        article_id=article_id,
        cluster_id=cluster_id,
        run_id=run_id,
        ingested=float(ingested),
        published=None if published is None else float(published),
        meta=bytes(meta),
        shingles=array_of(bytes(shingles)),
        entities=array_of(bytes(entities)),
        doc=int(doc),
    )


_RUN_SQL = "SELECT run_id, started, records_done, finished FROM runs WHERE run_id = ?"


def _run_of(row: Sequence[Any]) -> RunRecord:
    return RunRecord(str(row[0]), float(row[1]), int(row[2]), bool(row[3]))


def _examples(items: Sequence[object]) -> str:
    shown = ", ".join(str(item) for item in items[:_EXAMPLES])
    return shown + (", …" if len(items) > _EXAMPLES else "")


class SqliteStore:
    """``IndexStore`` on one SQLite file (see the module docstring for the layout).

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
        self._holding: str | None = None
        self._conn: sqlite3.Connection | None = None
        if must_exist and not os.path.exists(self._path):
            raise IndexStoreError(
                f"no index at {self._path}; a scan with --index {self._path} creates one"
            )
        try:
            self._conn = sqlite3.connect(self._path, isolation_level=None, timeout=_BUSY_MS / 1000)
        except sqlite3.Error as exc:
            raise IndexStoreError(f"index {self._path} cannot be opened: {_one_line(exc)}") from exc
        try:
            with self._guard("opening it"):
                self._conn.execute(f"PRAGMA busy_timeout = {_BUSY_MS}")
                self._recognise()
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
                self._migrate()
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
        except sqlite3.OperationalError as exc:
            text = _one_line(exc)
            if "locked" in text or "busy" in text:
                raise IndexLockedError(
                    f"index {self._path} is busy: another process is writing to it ({text}); "
                    "wait for it to finish or stop it"
                ) from exc
            raise IndexStoreError(f"index {self._path}: {what} failed: {text}") from exc
        except sqlite3.DatabaseError as exc:
            text = _one_line(exc)
            if "not a database" in text:
                raise IndexStoreError(
                    f"{self._path} is not an SQLite database, so not a dedup index; "
                    "give another --index path"
                ) from exc
            if "malformed" in text or "corrupt" in text:
                raise IndexStoreError(
                    f"index {self._path} is damaged ({text}); "
                    "run 'dedup index check', or rebuild it with a new --index"
                ) from exc
            raise IndexStoreError(f"index {self._path}: {what} failed: {text}") from exc
        except (sqlite3.Error, OSError) as exc:
            raise IndexStoreError(f"index {self._path}: {what} failed: {_one_line(exc)}") from exc

    @contextmanager
    def _write(self, what: str) -> Iterator[sqlite3.Connection]:
        """One ``BEGIN IMMEDIATE … COMMIT``; rolled back on any exception."""
        conn = self._connection()
        with self._guard(what):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("ROLLBACK")
                raise

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

    def _recognise(self) -> None:
        """Refuse a file that is some other program's database before writing to it."""
        conn = self._connection()
        conn.execute("BEGIN")  # one snapshot: another process may be creating the index
        try:
            application = int(conn.execute("PRAGMA application_id").fetchone()[0])
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            tables = [
                str(row[0])
                for row in conn.execute(
                    "SELECT name FROM sqlite_master "
                    "WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
        finally:
            conn.execute("COMMIT")
        ours = application == APPLICATION_ID
        fresh = application == 0 and version == 0 and not tables
        if not (ours or fresh):
            raise IndexStoreError(
                f"{self._path} is an SQLite database but not a dedup index; "
                "give another --index path"
            )

    def _migrate(self) -> None:
        """Apply the migrations this file lacks, all in one transaction; refuse a file
        written by a newer dedup (its layout may mean something we do not know)."""
        conn = self._connection()
        known = len(MIGRATIONS)
        if int(conn.execute("PRAGMA user_version").fetchone()[0]) == known:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # read again under the write lock: another process may have migrated meanwhile
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > known:
                raise IndexStoreError(
                    f"index {self._path} has layout version {version}, newer than this dedup "
                    f"knows ({known}); upgrade dedup to use it"
                )
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {known}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise
        missing = [
            name
            for name in _TABLES
            if conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
            ).fetchone()
            is None
        ]
        if missing:
            raise IndexStoreError(
                f"index {self._path} lacks its tables {', '.join(missing)}; "
                "rebuild it with a new --index"
            )

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
        return None if row is None else _manifest_of(str(row[0]), self._path)

    def create(self, manifest: Manifest) -> None:
        text = json.dumps(
            {
                "schema_version": manifest.schema_version,
                "fingerprint": manifest.fingerprint,
                "params": manifest.params,
                "created": manifest.created,
                "epoch": manifest.epoch,
            },
            sort_keys=True,
        )
        with self._write("creating the manifest") as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'manifest'").fetchone():
                raise IndexStoreError(f"index {self._path} already has a manifest")
            conn.execute("INSERT INTO meta (key, value) VALUES ('manifest', ?)", (text,))

    # -- the writer lock -----------------------------------------------------------------

    @property
    def _lock_path(self) -> str:
        return self._path + ".lock"

    def _open_lock(self) -> int:
        try:
            return os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexStoreError(
                f"index {self._path}: cannot open its lock file {self._lock_path}: "
                f"{exc.strerror or exc}"
            ) from exc

    def _locked_message(self, fd: int) -> str:
        holder: dict[str, Any] = {}
        # the holder writes its name just after taking the lock: a few ms' grace
        for _ in range(3):
            try:
                value = json.loads(os.pread(fd, 4096, 0) or b"null")
            except (OSError, ValueError):
                value = None
            if isinstance(value, dict):
                holder = value
                break
            time.sleep(0.01)
        if not holder:
            return (
                f"index {self._path} is locked by another process (holder not recorded); "
                "wait for it to finish or stop it"
            )
        return (
            f"index {self._path} is locked by pid {holder.get('pid', '?')} on host "
            f"{holder.get('host', '?')} (run {holder.get('run_id', '?')}, since "
            f"{holder.get('since', '?')}); wait for it to finish or stop it"
        )

    @contextmanager
    def writer(self, run_id: str) -> Iterator[None]:
        """The single-writer lock: an exclusive, non-blocking ``flock`` on ``PATH.lock``.

        The kernel drops a flock when its holder dies (even by SIGKILL), so a killed
        job's lock is taken over by the next without any stale-lock guessing. The
        holder's pid, host, run and start time are written into the file for the
        message a refused job prints. Processes forked while the lock is held inherit
        it: it is free only once they have exited too.
        """
        fd = self._open_lock()
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(self._locked_message(fd)) from None
            except OSError as exc:
                raise IndexStoreError(
                    f"index {self._path}: cannot lock {self._lock_path}: {exc.strerror or exc}"
                ) from exc
            holder = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "run_id": run_id,
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, json.dumps(holder).encode(), 0)
            self._holding = run_id
            try:
                yield
            finally:
                self._holding = None
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
        finally:
            os.close(fd)

    def _check_writer(self) -> None:
        """A write without ``writer()`` held is allowed only while nobody holds it (as
        on Redis); BEGIN IMMEDIATE still keeps each transaction whole."""
        if self._holding is not None:
            return
        fd = self._open_lock()
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise IndexLockedError(self._locked_message(fd)) from None
            except OSError:
                return
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # -- runs ----------------------------------------------------------------------------

    def begin_run(self, run_id: str, started: float) -> RunRecord:
        """Created with ``started`` if new; a resumed run keeps its first start."""
        with self._write("starting the run") as conn:
            conn.execute(
                "INSERT INTO runs (run_id, started) VALUES (?, ?) ON CONFLICT (run_id) DO NOTHING",
                (run_id, float(started)),
            )
            row = conn.execute(_RUN_SQL, (run_id,)).fetchone()
        return _run_of(row)

    def run(self, run_id: str) -> RunRecord | None:
        with self._guard("reading the run"):
            row = self._connection().execute(_RUN_SQL, (run_id,)).fetchone()
        return None if row is None else _run_of(row)

    # -- reads ---------------------------------------------------------------------------

    def known(self, article_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        ids = list(dict.fromkeys(article_ids))
        with self._read("looking up article ids") as conn:
            for chunk in _chunks(ids):
                found.update(
                    str(row[0])
                    for row in conn.execute(
                        "SELECT article_id FROM articles "
                        f"WHERE article_id IN ({_marks(len(chunk))})",
                        tuple(chunk),
                    )
                )
        return found

    def lookup(self, index_keys: U64, rows: I64, since: float, by: WindowBy) -> I64:
        """One statement per 500k distinct keys: the keys go in as one JSON array
        (``json_each``), each probes the ``bands`` primary key, and the window is checked
        on the article's row; rows are joined back in numpy, so a key that many rows
        share is probed once. Filling a TEMP table with ``executemany`` instead cost three
        times as much as the probes themselves. Measured on a 2-core VM: 7.6M keys
        (100k articles, 76 bands each) against 15M entries in about 18 s, most of it B-tree
        probes and fetching the hits. All statements read one snapshot.
        """
        keys = _signed(np.asarray(index_keys)).ravel()
        where = np.asarray(rows, dtype=np.int64).ravel()
        if keys.shape != where.shape:
            raise ValueError(f"lookup: {keys.size} keys but {where.size} rows")
        if keys.size == 0:
            return np.zeros((0, 2), dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        sorted_rows = where[order]
        starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
        ends = np.r_[starts[1:], sorted_keys.size]
        distinct = sorted_keys[starts]
        sql = (
            "SELECT j.key, b.doc FROM json_each(?) AS j "
            "CROSS JOIN bands AS b ON b.key = j.value "
            "CROSS JOIN articles AS a ON a.doc = b.doc "
            f"WHERE {_window(by, 'a')} >= ?"
        )
        found_keys: list[I64] = []
        found_docs: list[I64] = []
        with self._read("looking up band keys") as conn:
            for low in range(0, distinct.size, _LOOKUP_CHUNK):
                chunk = distinct[low : low + _LOOKUP_CHUNK]
                hits = conn.execute(sql, (json.dumps(chunk.tolist()), float(since))).fetchall()
                if hits:
                    pairs = np.array(hits, dtype=np.int64).reshape(-1, 2)
                    found_keys.append(pairs[:, 0] + low)
                    found_docs.append(pairs[:, 1])
        if not found_keys:
            return np.zeros((0, 2), dtype=np.int64)
        which = np.concatenate(found_keys)
        docs = np.concatenate(found_docs)
        counts = ends[which] - starts[which]
        total = int(counts.sum())
        # each hit (key, doc) becomes one pair per caller row holding the key
        first = np.repeat(starts[which], counts)
        within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        pair_rows = sorted_rows[first + within]
        pair_docs = np.repeat(docs, counts)
        order2 = np.lexsort((pair_docs, pair_rows))
        pair_rows = pair_rows[order2]
        pair_docs = pair_docs[order2]
        keep = np.r_[True, (pair_rows[1:] != pair_rows[:-1]) | (pair_docs[1:] != pair_docs[:-1])]
        return np.stack([pair_rows[keep], pair_docs[keep]], axis=1).astype(np.int64)

    def articles(self, docs: Sequence[int]) -> list[IndexedArticle]:
        wanted = [int(doc) for doc in docs]
        found: dict[int, IndexedArticle] = {}
        with self._read("reading articles") as conn:
            for chunk in _chunks(list(dict.fromkeys(wanted))):
                for row in conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE doc IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ):
                    article = _article_of(row)
                    found[article.doc] = article
        return [found[doc] for doc in wanted if doc in found]

    def cluster_docs(self, cluster_ids: Sequence[str]) -> list[int]:
        docs: list[int] = []
        with self._read("reading cluster members") as conn:
            for chunk in _chunks(list(dict.fromkeys(cluster_ids))):
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
            for chunk in _chunks(list(dict.fromkeys(cluster_ids))):
                for cluster_id, canonical_id, payload in conn.execute(
                    "SELECT cluster_id, canonical_id, payload FROM clusters "
                    f"WHERE cluster_id IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ):
                    found[str(cluster_id)] = StoredCluster(
                        str(cluster_id), str(canonical_id), bytes(payload)
                    )
        return found

    def run_articles(self, run_id: str) -> list[IndexedArticle]:
        with self._read("reading the run's articles") as conn:
            return [
                _article_of(row)
                for row in conn.execute(
                    f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE run_id = ? ORDER BY doc",
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
            cursor = conn.execute(f"SELECT {_ARTICLE_COLUMNS} FROM articles ORDER BY doc")
            try:
                while rows := cursor.fetchmany(500):
                    for row in rows:
                        yield _article_of(row)
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
            entries = conn.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
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
                f"index {self._path}: a batch names article {_examples(twice)} twice; "
                "nothing of it was written"
            )
        self._check_writer()
        with self._write("committing a batch") as conn:
            if conn.execute("SELECT 1 FROM meta WHERE key = 'manifest'").fetchone() is None:
                raise IndexStoreError(
                    f"index {self._path} has no manifest: create it (check_manifest) before "
                    "the first batch, so that the index knows its parameters"
                )
            stored = sorted(self.known(ids))
            if stored:
                raise IndexStoreError(
                    f"index {self._path}: article {_examples(stored)} is indexed already; "
                    "nothing of this batch was written"
                )
            first = self._next_doc(conn)
            numbers = range(first, first + len(batch.articles))
            try:
                conn.executemany(
                    "INSERT INTO articles (doc, article_id, cluster_id, run_id, ingested, "
                    "published, meta, shingles, entities, index_keys) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            doc,
                            a.article_id,
                            a.cluster_id,
                            a.run_id,
                            float(a.ingested),
                            None if a.published is None else float(a.published),
                            bytes(a.meta),
                            array_bytes(a.shingles),
                            array_bytes(a.entities),
                            array_bytes(a.index_keys),
                        )
                        for doc, a in zip(numbers, batch.articles, strict=True)
                    ],
                )
            except sqlite3.IntegrityError as exc:
                raise IndexStoreError(
                    f"index {self._path}: a batch's article could not be stored "
                    f"({_one_line(exc)}); nothing of this batch was written"
                ) from exc
            if batch.articles:
                conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('next_doc', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (str(first + len(batch.articles)),),
                )
                keys = [_signed(np.unique(np.asarray(a.index_keys))) for a in batch.articles]
                all_keys = np.concatenate(keys)
                all_docs = np.repeat(np.asarray(numbers, dtype=np.int64), [k.size for k in keys])
                order = np.argsort(all_keys, kind="stable")
                conn.executemany(
                    "INSERT OR IGNORE INTO bands (key, doc) VALUES (?, ?)",
                    zip(all_keys[order].tolist(), all_docs[order].tolist(), strict=True),
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
        (deleted by primary key from the article's stored keys: ``bands`` has no index
        on ``doc``, which would double its size), and clusters left empty. One
        transaction. The caller holds ``writer()`` (or nobody does)."""
        window = _window(by)
        self._check_writer()
        with self._write("pruning") as conn:
            docs = [
                int(row[0])
                for row in conn.execute(
                    f"SELECT doc FROM articles WHERE {window} < ? ORDER BY doc", (float(before),)
                )
            ]
            touched: set[str] = set()
            for chunk in _chunks(docs):
                rows = conn.execute(
                    "SELECT doc, cluster_id, index_keys FROM articles "
                    f"WHERE doc IN ({_marks(len(chunk))})",
                    tuple(chunk),
                ).fetchall()
                entries: list[tuple[int, int]] = []
                for doc, cluster_id, index_keys in rows:
                    touched.add(str(cluster_id))
                    keys = _signed(np.unique(array_of(bytes(index_keys))))
                    entries.extend((key, int(doc)) for key in keys.tolist())
                entries.sort()
                conn.executemany("DELETE FROM bands WHERE key = ? AND doc = ?", entries)
                conn.executemany("DELETE FROM articles WHERE doc = ?", [(d,) for d in chunk])
            conn.executemany(
                "DELETE FROM clusters WHERE cluster_id = ? AND NOT EXISTS "
                "(SELECT 1 FROM articles WHERE cluster_id = ?)",
                [(c, c) for c in sorted(touched)],
            )
        return len(docs)

    # -- consistency ---------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every check that runs, each finding one line with examples; a check that
        cannot run (a damaged file) is itself reported."""
        found: list[str] = []
        conn = self._connection()
        checks = (
            self._check_integrity,
            self._check_manifest,
            self._check_bands,
            self._check_clusters,
            self._check_runs,
        )
        with self._read("checking"):
            for check in checks:
                try:
                    found.extend(check(conn))
                except (sqlite3.Error, IndexStoreError) as exc:
                    found.append(f"{check.__name__.removeprefix('_check_')}: {_one_line(exc)}")
        return found

    def _check_integrity(self, conn: sqlite3.Connection) -> list[str]:
        lines = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
        return [] if lines == ["ok"] else [f"SQLite integrity_check: {line}" for line in lines]

    def _check_manifest(self, conn: sqlite3.Connection) -> list[str]:
        row = conn.execute("SELECT value FROM meta WHERE key = 'manifest'").fetchone()
        if row is None:
            if conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone():
                return ["articles are stored but the manifest is missing"]
            return []
        try:
            _manifest_of(str(row[0]), self._path)
        except IndexStoreError as exc:
            return [str(exc)]
        return []

    def _check_bands(self, conn: sqlite3.Connection) -> list[str]:
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
            found.append(
                f"{len(damaged)} articles have damaged stored keys (docs {_examples(damaged)})"
            )
        bad = stored & ((count != expected_count) | (total != expected_sum))
        bad[damaged] = False
        missing: dict[int, int] = {}
        extra: list[int] = []
        for doc in np.flatnonzero(bad).tolist():
            (blob,) = conn.execute(
                "SELECT index_keys FROM articles WHERE doc = ?", (doc,)
            ).fetchone()
            held = _signed(np.unique(array_of(bytes(blob))))
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
                f"(docs {_examples(docs_missing)}); they would never be found again"
            )
        if orphans:
            found.append(
                f"band entries point to {len(orphans)} documents that are not stored "
                f"(docs {_examples(sorted(orphans))})"
            )
        if extra:
            found.append(
                f"{len(extra)} articles have band entries for keys they do not hold "
                f"(docs {_examples(extra)})"
            )
        row = conn.execute("SELECT value FROM meta WHERE key = 'next_doc'").fetchone()
        if row is not None and (not str(row[0]).isdigit() or int(row[0]) <= top):
            found.append(
                f"the next document number ({row[0]}) is not above the highest stored ({top})"
            )
        return found

    def _check_clusters(self, conn: sqlite3.Connection) -> list[str]:
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
        return [f"{len(empty)} clusters have no stored article ({_examples(empty)})"]

    def _check_runs(self, conn: sqlite3.Connection) -> list[str]:
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
                found.append(f"{what} of {len(lost)} unrecorded runs ({_examples(lost)})")
        bad = [
            str(row[0])
            for row in conn.execute(
                "SELECT run_id FROM runs WHERE records_done < 0 OR finished NOT IN (0, 1) "
                "ORDER BY run_id"
            )
        ]
        if bad:
            found.append(f"{len(bad)} run records are malformed ({_examples(bad)})")
        return found
