"""The shared index on a Redis server: our own thin layer over redis-py.

Not datasketch's Redis storage: it unpickles what it reads (anyone who can write to the
server runs code in ours, datasketch#320) and its inserts are not atomic. Here values are
bytes, numbers and JSON only, and a batch is one ``MULTI/EXEC``.

Key layout, every key under ``{prefix}:`` (the prefix is restricted to letters, digits,
``_ . -`` so that a SCAN pattern of one index never matches another's keys):

=====================  =======  ====================================================
``manifest``           string   the ``Manifest`` as JSON
``count``              string   the last document number given (never decreases)
``doc:{n}``            hash     id, cluster, run, ingested, published ("" unknown),
                                meta (JSON), shingles, entities, keys (little-endian
                                uint64 arrays; ``keys`` are the article's band keys)
``ids``                hash     article id → document number
``band:{16 hex}``      set      document numbers holding this band key
``entries``            string   the number of (band key, document) entries
``cluster:{id}``       hash     canonical, payload (a stored cluster decision)
``clusters``           set      the ids of stored clusters
``members:{id}``       set      document numbers whose article has this cluster id
``run:{id}``           hash     started, records_done, finished (the run marker)
``runs``               set      run ids
``rundocs:{run}``      zset     document numbers a run added (score = the number)
``moves:{run}``        list     the run's canonical moves as JSON, in commit order
``time:published``     zset     document → window time (published, else ingested)
``time:ingested``      zset     document → ingest time
``lock``               string   the writer lease: JSON token, pid, host, run, since
=====================  =======  ====================================================

Each article has one band entry per band (76 with the default parameters), about 13 KB of
server memory an article in all. The band sets are read and written by two small Lua
scripts, thousands of keys a call, because redis-py spends ~25 µs packing and parsing
each command; a server that refuses EVAL gets the same commands one by one. The scripts
name their keys themselves, so a Redis Cluster is not supported (one server, any db).

A batch is one WATCH (lock, manifest, count) + MULTI/EXEC: a writer whose lease was taken
over, or that finds the index replaced, writes nothing. A Redis that restarts without
persistence comes back empty, and a dedup that trusted it would call every old story new.
So each client that writes keeps a small sentinel file (epoch and count, in
``$DEDUP_STATE_DIR``) and refuses a server that has fallen behind it.

``RedisStore`` is here; its parts are beside it: ``redis_client`` (connection, errors),
``redis_values`` (reply and hash decoding), ``redis_bands`` (band sets, Lua scripts),
``redis_writes`` (what a commit or prune queues), ``redis_lock`` (the writer lease),
``redis_sentinel`` (restart detection) and ``redis_checks`` (``dedup index check``).
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

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

try:
    import redis
    import redis.backoff  # what redis_client uses besides
    import redis.retry
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ConfigError("Redis indexes need redis-py: pip install 'dedup[redis]'") from exc

# after the check above: these modules import redis-py themselves
from dedup.index.common import chunks, manifest_bytes, manifest_of
from dedup.index.keys import KeyQuery
from dedup.index.redis_bands import band_members, hex_names, queue_bands, scripts_allowed
from dedup.index.redis_checks import Checker
from dedup.index.redis_client import LOST, connect, redis_errors, watch
from dedup.index.redis_lock import WriterLease
from dedup.index.redis_sentinel import Sentinel, warn_without_persistence
from dedup.index.redis_sentinel import state_dir as state_dir  # public here before the split
from dedup.index.redis_values import (
    DOC_FIELDS,
    as_bytes,
    as_number,
    as_seconds,
    as_text,
    doc_article,
    doc_numbers,
    without_sets,
)
from dedup.index.redis_writes import prune_reads, queue_commit, queue_prune

log = logging.getLogger(__name__)

F64 = npt.NDArray[np.float64]

_PREFIX = re.compile(r"[A-Za-z0-9_.-]{1,100}")


class RedisStore:
    """An ``IndexStore`` on one Redis database, its keys under ``{prefix}:``.

    ``client`` replaces the connection (tests pass a ``fakeredis.FakeRedis``); the other
    arguments are those of a ``redis://`` URL (``dedup.index.open_index``).
    """

    #: the lease's lifetime; renewed every ``renew_every_s`` while the writer holds it
    lease_ms = 30_000
    renew_every_s = 10.0
    #: commands per pipeline round trip
    chunk = 2_000

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 6379,
        db: int = 0,
        prefix: str = "dedup",
        password: str | None = None,
        ssl: bool = False,
        must_exist: bool = False,
        rebuild: bool = False,
        client: redis.Redis | None = None,
    ) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ConfigError(
                f"index prefix '{prefix}' must be 1 to 100 letters, digits, '_', '.' or '-'"
            )
        self.host, self.port, self.db, self.prefix = host, port, db, prefix
        self._contacted = False
        self._owns_client = client is None
        self._r = client or connect(host, port, db, password, ssl)
        self._mutex = threading.Lock()  # the lease renewal never runs inside a commit
        self._lease = WriterLease(self)
        self._sentinel = Sentinel(host, port, db, prefix, self.location)
        with self._guard():
            self._r.ping()
        self._contacted = True  # from now on a failure is a lost connection
        with self._guard():
            warn_without_persistence(self._r, self.host, self.port)
            self._scripts = scripts_allowed(self._r, self.host, self.port)
            self._open(must_exist=must_exist, rebuild=rebuild)

    # -- plumbing ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}?prefix={self.prefix}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def _guard(self) -> AbstractContextManager[None]:
        """Every redis-py error as a ``DedupError``: the server gone (exit 7) or refusing."""
        return redis_errors(self.host, self.port, self.prefix, contacted=self._contacted)

    # -- band sets -----------------------------------------------------------------------

    def _band_members(self, names: str) -> tuple[I64, I64]:
        """For band keys given as ``hex_names``: how many documents each set holds, and
        those documents, set after set."""
        head = self._key("band:")
        return band_members(self._r, head, names, scripts=self._scripts, chunk=self.chunk)

    def _queue_bands(
        self, pipe: redis.client.Pipeline, command: str, names: str, docs: list[int]
    ) -> None:
        """Queue SADD or SREM of each doc to the band set named at the same position."""
        queue_bands(pipe, self._key("band:"), command, names, docs, scripts=self._scripts)

    # -- restart detection ---------------------------------------------------------------

    def _sentinel_path(self) -> Path:
        return self._sentinel.path

    def _open(self, *, must_exist: bool, rebuild: bool) -> None:
        raw, count_raw = self._r.mget([self._key("manifest"), self._key("count")])
        count = 0 if count_raw is None else as_number(count_raw, "the index's count")
        epoch = None if raw is None else manifest_of(raw, self.location).epoch
        lost = self._sentinel.behind(epoch, count)
        if lost is not None:
            if not rebuild:
                raise lost
            log.warning("%s; rebuilding it empty", lost)
            self._wipe()
            self._sentinel.path.unlink(missing_ok=True)
            raw, count, epoch = None, 0, None
        if raw is None and must_exist:
            raise IndexStoreError(f"no index at {self.location}: nothing was indexed there yet")
        self._sentinel.epoch, self._sentinel.count = epoch, count

    def _wipe(self) -> None:
        """Delete every key of this prefix (SCAN + UNLINK, never KEYS or FLUSHDB)."""
        batch: list[bytes] = []
        for key in self._r.scan_iter(match=self._key("*"), count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                self._r.unlink(*batch)
                batch.clear()
        if batch:
            self._r.unlink(*batch)

    # -- manifest and runs ---------------------------------------------------------------

    def manifest(self) -> Manifest | None:
        with self._guard():
            raw = as_bytes(self._r.get(self._key("manifest")))
        return None if raw is None else manifest_of(raw, self.location)

    def create(self, manifest: Manifest) -> None:
        with self._guard(), self._r.pipeline(transaction=True) as pipe:
            pipe.set(self._key("manifest"), manifest_bytes(manifest), nx=True)
            pipe.setnx(self._key("count"), 0)
            created, _ = pipe.execute()
            if not created:
                raise IndexStoreError(f"index {self.location} exists already")
            count = as_number(self._r.get(self._key("count")), "the index's count")
        self._sentinel.epoch, self._sentinel.count = manifest.epoch, count
        self._sentinel.write()

    def begin_run(self, run_id: str, started: float) -> RunRecord:
        with self._guard(), self._r.pipeline(transaction=True) as pipe:
            key = self._key(f"run:{run_id}")
            pipe.hsetnx(key, "started", repr(float(started)))
            pipe.hsetnx(key, "records_done", 0)
            pipe.hsetnx(key, "finished", 0)
            pipe.sadd(self._key("runs"), run_id)
            pipe.execute()
        record = self.run(run_id)
        if record is None:  # pragma: no cover - only if deleted between the two calls
            raise IndexStoreError(f"index {self.location}: run {run_id} was not stored")
        return record

    def run(self, run_id: str) -> RunRecord | None:
        with self._guard():
            row = self._r.hgetall(self._key(f"run:{run_id}"))
        if not row:
            return None
        what = f"run {run_id}'s record"
        return RunRecord(
            run_id=run_id,
            started=as_seconds(row.get(b"started"), what),
            records_done=as_number(row.get(b"records_done", 0), what),
            finished=row.get(b"finished") == b"1",
        )

    # -- the writer lease and transactions -----------------------------------------------

    def writer(self, run_id: str) -> AbstractContextManager[None]:
        return self._lease.hold(run_id)

    def _check_index(self, pipe: redis.client.Pipeline) -> int:
        """Inside WATCH: the index must still be the one we opened; its count."""
        raw = pipe.get(self._key("manifest"))
        count_raw = pipe.get(self._key("count"))
        count = 0 if count_raw is None else as_number(count_raw, "the index's count")
        self._sentinel.check(None if raw is None else manifest_of(raw, self.location).epoch, count)
        return count

    def _transaction(self, queue: Callable[[redis.client.Pipeline, int], int]) -> int:
        """WATCH lock, manifest and count; check them; ``queue(pipe, count)`` the writes;
        EXEC. Retried when a watched key changed, refused when the lease was lost."""
        watched = [self._key(name) for name in ("lock", "manifest", "count")]
        for _ in range(5):
            with self._mutex, self._r.pipeline(transaction=True) as pipe:
                watch(pipe, *watched)
                self._lease.check(pipe)
                count = self._check_index(pipe)
                result = queue(pipe, count)
                try:
                    pipe.execute()
                except redis.exceptions.WatchError as exc:
                    if isinstance(exc.__context__, LOST):
                        raise
                    continue
                except redis.exceptions.ResponseError as exc:
                    # EXEC applies what it can: a key of the wrong type (planted, or
                    # damaged) fails its command alone
                    raise IndexStoreError(
                        f"redis at {self.host}:{self.port} refused part of a transaction on "
                        f"index {self.prefix} ({exc}); the rest may be applied: run "
                        "'dedup index check' before using the index again"
                    ) from exc
                return result
        raise IndexLockedError(
            f"index {self.location} kept changing under this writer: another job writes to it"
        )

    # -- writes --------------------------------------------------------------------------

    def commit(self, batch: CommitBatch) -> None:
        ids = [article.article_id for article in batch.articles]
        if len(set(ids)) != len(ids):
            raise IndexStoreError(f"index {self.location}: a batch names one article twice")
        keys = [np.unique(np.asarray(a.index_keys, np.uint64)) for a in batch.articles]

        def queue(pipe: redis.client.Pipeline, count: int) -> int:
            found = [
                article_id
                for article_id, doc in zip(
                    ids, self._hmget(pipe, self._key("ids"), ids), strict=True
                )
                if doc is not None
            ]
            if found:
                raise IndexStoreError(
                    f"index {self.location} already holds {len(found)} of this batch's "
                    f"articles (e.g. {found[0]}); nothing was written"
                )
            pipe.multi()
            queue_commit(pipe, self._key, self._queue_bands, batch, keys, count)
            crash_point("inside_transaction")
            return count + len(ids)

        with self._guard():
            new_count = self._transaction(queue)
        self._sentinel.count = new_count
        self._sentinel.write()

    def _hmget(self, pipe: redis.client.Pipeline, key: str, fields: Sequence[str]) -> list[Any]:
        """HMGET in chunks on a watching pipeline (each call is one round trip)."""
        values: list[Any] = []
        for part in chunks(fields, 5 * self.chunk):
            values.extend(pipe.hmget(key, list(part)) if part else [])
        return values

    def prune(self, before: float, by: WindowBy) -> int:
        removed = 0
        with self._guard():
            while True:
                found = self._r.zrangebyscore(
                    self._key(f"time:{by}"), "-inf", f"({float(before)!r}", start=0, num=500
                )
                if not found:
                    return removed
                removed += self._prune_docs(
                    sorted(as_number(d, "a document number") for d in found)
                )

    def _prune_docs(self, docs: list[int]) -> int:
        """One transaction removing these documents, their entries, and clusters they empty."""
        rows, emptied = prune_reads(self._r, self._key, docs)

        def queue(pipe: redis.client.Pipeline, count: int) -> int:
            pipe.multi()
            queue_prune(pipe, self._key, self._queue_bands, docs, rows, emptied, count)
            return len(docs)

        return self._transaction(queue)

    # -- reads ---------------------------------------------------------------------------

    def known(self, article_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._guard():
            for part in chunks(list(article_ids), 5 * self.chunk):
                docs = self._r.hmget(self._key("ids"), list(part))
                found.update(i for i, doc in zip(part, docs, strict=True) if doc is not None)
        return found

    def lookup(
        self,
        index_keys: U64,
        rows: I64,
        since: float,
        by: WindowBy,
        max_bucket: int | None = None,
    ) -> I64:
        """Each distinct key's band set read once (``band_members``), the documents hit
        checked against the window (one ZMSCORE per chunk), and hits joined back to the
        caller's rows in numpy (``KeyQuery``)."""
        query = KeyQuery.of(index_keys, rows)
        if query.distinct.size == 0:
            return np.zeros((0, 2), np.int64)
        with self._guard():
            sizes, docs = self._band_members(hex_names(query.distinct.view(np.uint64)))
            candidates = np.unique(docs)
            times = self._times(candidates.tolist(), by)
        which = np.repeat(np.arange(sizes.size, dtype=np.int64), sizes)
        inside = np.isin(docs, candidates[times >= since])
        return query.pairs(which[inside], docs[inside], max_bucket)

    def _times(self, docs: list[int], by: WindowBy) -> F64:
        """Window times of these documents (NaN, never in a window, for those pruned)."""
        times: list[float] = []
        for part in chunks(docs, 5 * self.chunk):
            scores = self._r.zmscore(self._key(f"time:{by}"), [str(d) for d in part])
            times.extend(np.nan if s is None else float(s) for s in scores)
        return np.array(times, np.float64)

    def articles(self, docs: Sequence[int], *, sets: bool = True) -> list[IndexedArticle]:
        found: list[IndexedArticle] = []
        with self._guard():
            for part in chunks(list(docs), 500):
                with self._r.pipeline(transaction=False) as pipe:
                    for doc in part:
                        if sets:
                            pipe.hgetall(self._key(f"doc:{doc}"))
                        else:
                            pipe.hmget(self._key(f"doc:{doc}"), DOC_FIELDS)
                    rows = pipe.execute()
                if not sets:
                    rows = [without_sets(values) for values in rows]
                found.extend(
                    doc_article(doc, row, self.location)
                    for doc, row in zip(part, rows, strict=True)
                    if row
                )
        return found

    def articles_by_id(self, article_ids: Sequence[str]) -> list[IndexedArticle]:
        wanted = list(dict.fromkeys(article_ids))
        with self._guard():
            docs = self._r.hmget(self._key("ids"), wanted) if wanted else []
        return self.articles([int(doc) for doc in docs if doc is not None])

    def cluster_docs(self, cluster_ids: Sequence[str]) -> list[int]:
        docs: set[int] = set()
        with self._guard():
            for part in chunks(list(cluster_ids), self.chunk):
                with self._r.pipeline(transaction=False) as pipe:
                    for cluster_id in part:
                        pipe.smembers(self._key(f"members:{cluster_id}"))
                    for cluster_id, found in zip(part, pipe.execute(), strict=True):
                        docs.update(doc_numbers(found, f"members:{cluster_id}").tolist())
        return sorted(docs)

    def clusters(self, cluster_ids: Sequence[str]) -> dict[str, StoredCluster]:
        found: dict[str, StoredCluster] = {}
        with self._guard():
            for part in chunks(list(cluster_ids), self.chunk):
                with self._r.pipeline(transaction=False) as pipe:
                    for cluster_id in part:
                        pipe.hmget(self._key(f"cluster:{cluster_id}"), ["canonical", "payload"])
                    for cluster_id, (canonical, payload) in zip(part, pipe.execute(), strict=True):
                        if canonical is not None and payload is not None:
                            found[cluster_id] = StoredCluster(
                                cluster_id,
                                as_text(canonical, f"cluster {cluster_id}'s canonical"),
                                bytes(payload),
                            )
        return found

    def run_articles(self, run_id: str, *, sets: bool = True) -> list[IndexedArticle]:
        with self._guard():
            docs = self._r.zrange(self._key(f"rundocs:{run_id}"), 0, -1)
        return self.articles([as_number(d, f"run {run_id}'s document") for d in docs], sets=sets)

    def run_moves(self, run_id: str) -> list[CanonicalMove]:
        with self._guard():
            rows = self._r.lrange(self._key(f"moves:{run_id}"), 0, -1)
        moves: list[CanonicalMove] = []
        for raw in rows:
            try:
                cluster_id, previous, current = json.loads(raw)
                moves.append(CanonicalMove(str(cluster_id), str(previous), str(current)))
            except (ValueError, TypeError) as exc:
                raise IndexStoreError(f"a canonical move of run {run_id} is damaged") from exc
        return moves

    def stats(self) -> IndexStats:
        """Counts; times are window times by publication; ``bytes_on_disk`` is the AOF's
        size when the server keeps one (the whole server's, not this prefix's)."""
        with self._guard():
            with self._r.pipeline(transaction=False) as pipe:
                pipe.hlen(self._key("ids"))
                pipe.scard(self._key("clusters"))
                pipe.get(self._key("entries"))
                pipe.scard(self._key("runs"))
                pipe.zrange(self._key("time:published"), 0, 0, withscores=True)
                pipe.zrange(self._key("time:published"), -1, -1, withscores=True)
                articles, clusters, entries, runs, first, last = pipe.execute()
            try:
                info = self._r.info("persistence")
                on_disk = int(info["aof_current_size"]) if info.get("aof_enabled") else None
            except (redis.exceptions.ResponseError, KeyError, TypeError, ValueError):
                on_disk = None
        return IndexStats(
            articles=int(articles),
            clusters=int(clusters),
            band_entries=0 if entries is None else as_number(entries, "the entry count"),
            runs=int(runs),
            oldest=float(first[0][1]) if first else None,
            newest=float(last[0][1]) if last else None,
            bytes_on_disk=on_disk,
            manifest=self.manifest(),
        )

    def export(self) -> Iterator[IndexedArticle]:
        with self._guard():
            count_raw = self._r.get(self._key("count"))
        count = 0 if count_raw is None else as_number(count_raw, "the index's count")
        for start in range(1, count + 1, 500):
            yield from self.articles(range(start, min(start + 500, count + 1)))

    def problems(self) -> list[str]:
        with self._guard():
            return Checker(self).run()

    def close(self) -> None:
        if self._lease.token is not None:
            try:
                self._lease.release()
            except IndexStoreError as exc:
                log.warning("%s", exc)
        if self._owns_client:
            self._r.close()
