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
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from dedup.errors import ConfigError, IndexLockedError, IndexStoreError, IndexUnavailableError
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

try:
    import redis
    from redis.backoff import ConstantBackoff
    from redis.retry import Retry
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ConfigError("Redis indexes need redis-py: pip install 'dedup[redis]'") from exc

log = logging.getLogger(__name__)

F64 = npt.NDArray[np.float64]

_PREFIX = re.compile(r"[A-Za-z0-9_.-]{1,100}")
_LOST = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
_DOC_FIELDS = (b"id", b"cluster", b"run", b"ingested", b"published", b"meta")
_ARRAY_FIELDS = (b"shingles", b"entities")
_EMPTY_KEYS = np.zeros(0, np.uint64)
_NO_DOCS = np.zeros(0, np.int64)

# SADD/SREM of document ARGV[4][i] to band set ARGV[2] .. ARGV[3][16 hex digits i]; and
# the members of each named band set, as "counts" and "documents" joined by commas.
_WRITE_BANDS = """
local command, head, names, docs = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local i = 0
for doc in string.gmatch(docs, "[^,]+") do
  redis.call(command, head .. string.sub(names, i * 16 + 1, i * 16 + 16), doc)
  i = i + 1
end
return i
"""
_READ_BANDS = """
local head, names = ARGV[1], ARGV[2]
local counts, docs = {}, {}
for i = 1, #names, 16 do
  local name = string.sub(names, i, i + 15)
  local members = redis.call("SMEMBERS", head .. name)
  for _, member in ipairs(members) do
    if not string.match(member, "^[0-9]+$") then
      return redis.error_reply("band:" .. name .. " holds something that is not a document number")
    end
    docs[#docs + 1] = member
  end
  counts[#counts + 1] = #members
end
return {table.concat(counts, ","), table.concat(docs, ",")}
"""


def _text(raw: object, what: str) -> str:
    if isinstance(raw, bytes):
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            raise IndexStoreError(f"{what} is not UTF-8 text") from exc
    raise IndexStoreError(f"{what} is missing")


def _number(raw: object, what: str) -> int:
    try:
        if isinstance(raw, bytes | str | int):
            return int(raw)
    except ValueError:
        pass
    raise IndexStoreError(f"{what} is not a number: {raw!r:.60}")


def _seconds(raw: object, what: str) -> float:
    try:
        if isinstance(raw, bytes | str | int | float):
            return float(raw)
    except ValueError:
        pass
    raise IndexStoreError(f"{what} is not a time: {raw!r:.60}")


def _raw(value: object) -> bytes | None:
    """A reply as bytes (the client never decodes: ``decode_responses=False``)."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode()


def _watch(pipe: redis.client.Pipeline, *keys: str) -> None:
    pipe.watch(*keys)  # type: ignore[no-untyped-call]  # redis-py leaves watch untyped


def _hex_names(keys: U64) -> str:
    """Band keys as one string of 16 hex digits each (the ``band:`` key suffixes)."""
    return np.asarray(keys, ">u8").tobytes().hex()


def _numbers(joined: object) -> I64:
    """``b"3,14,15"`` → int64 array (what ``_READ_BANDS`` returns)."""
    return (
        np.array(joined.split(b","), np.int64) if isinstance(joined, bytes) and joined else _NO_DOCS
    )


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def _chunks(values: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _manifest_of(raw: bytes | str, location: str) -> Manifest:
    try:
        row = json.loads(raw)
        found = Manifest(
            schema_version=int(row["schema_version"]),
            fingerprint=str(row["fingerprint"]),
            params=dict(row["params"]),
            created=str(row["created"]),
            epoch=str(row["epoch"]),
        )
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise IndexStoreError(f"the manifest of index {location} is damaged: {exc!r:.200}") from exc
    return found


def _pid_alive(pid: int) -> bool:
    """Whether a process of this host still runs (a zombie, killed but not reaped, is dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def state_dir() -> Path:
    """Where restart sentinels live: ``$DEDUP_STATE_DIR``, else the XDG state home."""
    explicit = os.environ.get("DEDUP_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "dedup"


class _Lease:
    """The writer lease as a context manager (``RedisStore.writer``)."""

    def __init__(self, store: RedisStore, run_id: str) -> None:
        self._store = store
        self._run_id = run_id

    def __enter__(self) -> None:
        self._store._acquire(self._run_id)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._store._release()
        except IndexStoreError:
            if exc_type is None:
                raise
            log.warning("could not release the writer lock of %s", self._store.location)


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
        self._r = client or redis.Redis(
            host=host,
            port=port,
            db=db,
            password=password,
            ssl=ssl,
            decode_responses=False,
            socket_timeout=10.0,
            socket_connect_timeout=5.0,
            health_check_interval=30,
            # one quick retry for a connection dropped while idle; a dead server fails
            # within a second, a hung one after socket_timeout, never retried
            retry=Retry(ConstantBackoff(0.25), 1, (redis.exceptions.ConnectionError,)),
        )
        self._mutex = threading.Lock()  # the lease renewal never runs inside a commit
        self._token: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None
        self._epoch: str | None = None
        self._count_seen = 0
        with self._guard():
            self._r.ping()
            self._contacted = True
            self._warn_without_persistence()
            self._scripts = self._can_script()
            self._open(must_exist=must_exist, rebuild=rebuild)

    # -- plumbing ------------------------------------------------------------------------

    @property
    def location(self) -> str:
        return f"redis://{self.host}:{self.port}/{self.db}?prefix={self.prefix}"

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """Every redis-py error as a ``DedupError``: the server gone (exit 7) or refusing."""
        where = f"{self.host}:{self.port}"
        try:
            yield
        except _LOST as exc:
            raise IndexUnavailableError(self._unreachable(where, exc)) from exc
        except redis.exceptions.WatchError as exc:
            # redis-py reports a connection lost while watching keys as a WatchError
            if isinstance(exc.__context__, _LOST):
                raise IndexUnavailableError(self._unreachable(where, exc.__context__)) from exc
            raise IndexStoreError(f"redis at {where}: {exc}") from exc
        except redis.exceptions.RedisError as exc:
            detail = str(exc).rpartition("of pipeline caused error: ")[2]
            raise IndexStoreError(
                f"redis at {where} refused a command on index {self.prefix}: {detail}"
            ) from exc

    def _unreachable(self, where: str, exc: BaseException) -> str:
        detail = " ".join(str(exc).split()) or type(exc).__name__
        if not self._contacted:
            return f"cannot reach redis at {where}: {detail}"
        return f"lost the connection to redis at {where}: {detail}"

    def _warn_without_persistence(self) -> None:
        """A server with neither AOF nor RDB snapshots forgets the index on restart."""
        try:
            info = self._r.info("persistence")
            save = self._r.config_get("save")
        except redis.exceptions.ResponseError:
            return  # CONFIG renamed or disabled: we cannot tell
        if not isinstance(info, dict) or not isinstance(save, dict):
            return
        aof = str(info.get("aof_enabled", "")) == "1"
        snapshots = next(iter(save.values()), b"x")
        if not aof and not snapshots:
            log.warning(
                "redis at %s:%s has no persistence (no AOF, no RDB snapshots): "
                "a restart forgets the index",
                self.host,
                self.port,
            )

    def _can_script(self) -> bool:
        try:
            return bool(self._r.eval("return 1", 0) == 1)
        except redis.exceptions.ResponseError as exc:
            log.info(
                "redis at %s:%s refuses EVAL (%s): band sets one command each",
                self.host,
                self.port,
                exc,
            )
            return False

    # -- band sets -----------------------------------------------------------------------

    def _band_members(self, names: str) -> tuple[I64, I64]:
        """For band keys given as ``_hex_names``: how many documents each set holds, and
        those documents, set after set."""
        head = self._key("band:")
        step = 16 * (5 * self.chunk if self._scripts else self.chunk)
        counts: list[I64] = []
        docs: list[I64] = []
        for start in range(0, len(names), 10 * step):
            with self._r.pipeline(transaction=False) as pipe:
                parts = [
                    names[i : i + step]
                    for i in range(start, min(len(names), start + 10 * step), step)
                ]
                for part in parts:
                    if self._scripts:
                        pipe.eval(_READ_BANDS, 0, head, part)
                    else:
                        for i in range(0, len(part), 16):
                            pipe.smembers(head + part[i : i + 16])
                replies = pipe.execute()
            if self._scripts:
                for joined_counts, joined_docs in replies:
                    counts.append(_numbers(joined_counts))
                    docs.append(_numbers(joined_docs))
            else:
                for offset, members in enumerate(replies):
                    at = start + 16 * offset
                    found = self._doc_numbers(members, f"band:{names[at : at + 16]}")
                    counts.append(np.array([len(found)], np.int64))
                    docs.append(found)
        if not counts:
            return _NO_DOCS, _NO_DOCS
        return np.concatenate(counts), np.concatenate(docs)

    def _queue_bands(
        self, pipe: redis.client.Pipeline, command: str, names: str, docs: list[int]
    ) -> None:
        """Queue SADD or SREM of each doc to the band set named at the same position."""
        if not docs:
            return
        head = self._key("band:")
        if self._scripts:
            pipe.eval(_WRITE_BANDS, 0, command, head, names, ",".join(map(str, docs)))
            return
        for offset, doc in enumerate(docs):
            name = head + names[16 * offset : 16 * offset + 16]
            if command == "SADD":
                pipe.sadd(name, doc)
            else:
                pipe.srem(name, doc)

    # -- restart detection ---------------------------------------------------------------

    def _sentinel_path(self) -> Path:
        name = f"{self.host}:{self.port}/{self.db}/{self.prefix}"
        return state_dir() / f"redis-{hashlib.sha256(name.encode()).hexdigest()}.json"

    def _read_sentinel(self) -> tuple[str, int] | None:
        path = self._sentinel_path()
        try:
            row = json.loads(path.read_text())
            return str(row["epoch"]), int(row["count"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring the unreadable restart sentinel %s: %s", path, exc)
            return None

    def _write_sentinel(self, epoch: str, count: int) -> None:
        path = self._sentinel_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            temp.write_text(json.dumps({"epoch": epoch, "count": count, "index": self.location}))
            os.replace(temp, path)
        except OSError as exc:
            log.warning("could not write the restart sentinel %s: %s", path, exc)

    def _lost_index(self, have: int, expected: int, epoch: str | None = None) -> IndexStoreError:
        what = f"count {have}, expected ≥ {expected}"
        if epoch is not None:
            what = f"another index is there, epoch {epoch}"
        return IndexStoreError(
            f"redis at {self.host}:{self.port} db {self.db} prefix {self.prefix} has lost the "
            f"index it had ({what}): it restarted without persistence or was flushed; "
            "restore it, or run again with --rebuild-index to start an empty one"
        )

    def _open(self, *, must_exist: bool, rebuild: bool) -> None:
        raw, count_raw = self._r.mget([self._key("manifest"), self._key("count")])
        count = 0 if count_raw is None else _number(count_raw, "the index's count")
        epoch = None if raw is None else _manifest_of(raw, self.location).epoch
        sentinel = self._read_sentinel()
        if sentinel is not None:
            known_epoch, known_count = sentinel
            lost: IndexStoreError | None = None
            if epoch is None or count < known_count:
                lost = self._lost_index(count, known_count)
            elif epoch != known_epoch:
                lost = self._lost_index(count, known_count, epoch)
            if lost is not None:
                if not rebuild:
                    raise lost
                log.warning("%s; rebuilding it empty", lost)
                self._wipe()
                self._sentinel_path().unlink(missing_ok=True)
                raw, count, epoch = None, 0, None
        if raw is None and must_exist:
            raise IndexStoreError(f"no index at {self.location}: nothing was indexed there yet")
        self._epoch, self._count_seen = epoch, count

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
            raw = _raw(self._r.get(self._key("manifest")))
        return None if raw is None else _manifest_of(raw, self.location)

    def create(self, manifest: Manifest) -> None:
        with self._guard(), self._r.pipeline(transaction=True) as pipe:
            pipe.set(self._key("manifest"), _json(asdict(manifest)), nx=True)
            pipe.setnx(self._key("count"), 0)
            created, _ = pipe.execute()
            if not created:
                raise IndexStoreError(f"index {self.location} exists already")
            count = _number(self._r.get(self._key("count")), "the index's count")
        self._epoch, self._count_seen = manifest.epoch, count
        self._write_sentinel(manifest.epoch, count)

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
            started=_seconds(row.get(b"started"), what),
            records_done=_number(row.get(b"records_done", 0), what),
            finished=row.get(b"finished") == b"1",
        )

    # -- the writer lease ----------------------------------------------------------------

    def writer(self, run_id: str) -> _Lease:
        return _Lease(self, run_id)

    @staticmethod
    def _holder(raw: object) -> str:
        """Who holds the lease, from its JSON value."""
        try:
            row = json.loads(_raw(raw) or b"")
            return f"pid {row['pid']} on {row['host']} (run {row['run']}, since {row['since']})"
        except (ValueError, TypeError, KeyError):
            return f"an unreadable holder ({raw!r:.80})"

    def _holder_message(self, raw: object, ttl_ms: int) -> str:
        tail = "; retry when it has finished"
        if ttl_ms == -1:
            tail = f"; the lock never expires: delete {self._key('lock')} if no job is running"
        return f"index {self.location} is locked by {self._holder(raw)}{tail}"

    def _acquire(self, run_id: str) -> None:
        if self._token is not None:
            raise IndexLockedError(f"index {self.location}: this process already holds its lock")
        token = secrets.token_hex(16)
        value = _json(
            {
                "token": token,
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "run": run_id,
                "since": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
        lock = self._key("lock")
        with self._guard():
            for _ in range(3):
                if self._r.set(lock, value, nx=True, px=self.lease_ms):
                    break
                if self._take_over(value):
                    break
            else:
                raw = self._r.get(lock)
                raise IndexLockedError(self._holder_message(raw, int(self._r.pttl(lock))))
        self._token = token
        self._stop = threading.Event()
        self._renewer = threading.Thread(
            target=self._renew, args=(token, self._stop), name="dedup-redis-lease", daemon=True
        )
        self._renewer.start()

    def _take_over(self, value: bytes) -> bool:
        """Replace a lease whose holder is a dead process of this host (compare-and-set).
        False when the lease is gone (try SET NX again); refused when the holder lives."""
        lock = self._key("lock")
        with self._r.pipeline(transaction=True) as pipe:
            _watch(pipe, lock)
            raw = pipe.get(lock)
            if raw is None:
                return False
            try:
                row = json.loads(raw)
                mine, pid = row["host"] == socket.gethostname(), int(row["pid"])
            except (ValueError, TypeError, KeyError):
                mine, pid = False, 0
            if not mine or _pid_alive(pid):
                raise IndexLockedError(self._holder_message(raw, int(pipe.pttl(lock))))
            pipe.multi()
            pipe.set(lock, value, px=self.lease_ms)
            try:
                pipe.execute()
            except redis.exceptions.WatchError as exc:
                if isinstance(exc.__context__, _LOST):
                    raise
                return False  # changed meanwhile: look again
        log.warning("took over the writer lock of %s from dead pid %d", self.location, pid)
        return True

    def _if_ours(self, token: str, action: str) -> bool:
        """Renew (``pexpire``) or delete the lease only while it still holds our token."""
        lock = self._key("lock")
        for _ in range(3):
            with self._r.pipeline(transaction=True) as pipe:
                _watch(pipe, lock)
                if not self._is_ours(pipe.get(lock), token):
                    return False
                pipe.multi()
                if action == "renew":
                    pipe.pexpire(lock, self.lease_ms)
                else:
                    pipe.delete(lock)
                try:
                    pipe.execute()
                    return True
                except redis.exceptions.WatchError as exc:
                    if isinstance(exc.__context__, _LOST):
                        raise
        return False

    @staticmethod
    def _is_ours(raw: object, token: str) -> bool:
        try:
            return isinstance(raw, bytes) and json.loads(raw).get("token") == token
        except (ValueError, AttributeError):
            return False

    def _renew(self, token: str, stop: threading.Event) -> None:
        while not stop.wait(self.renew_every_s):
            try:
                with self._mutex:
                    if stop.is_set():
                        return
                    ours = self._if_ours(token, "renew")
            except redis.exceptions.RedisError as exc:
                log.warning("could not renew the writer lock of %s: %s", self.location, exc)
                continue
            if not ours:
                log.warning("lost the writer lock of %s: another job holds it", self.location)
                return  # the next commit finds out and refuses

    def _release(self) -> None:
        token, self._token = self._token, None
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if token is not None:
            with self._guard():
                self._if_ours(token, "release")

    def _check_writer(self, pipe: redis.client.Pipeline) -> None:
        """Inside WATCH: the lease must be ours, or nobody's if we never took it."""
        lock = self._key("lock")
        raw = pipe.get(lock)
        if self._token is None:
            if raw is not None:
                raise IndexLockedError(self._holder_message(raw, int(pipe.pttl(lock))))
        elif not self._is_ours(raw, self._token):
            now = "nobody holds it now" if raw is None else f"{self._holder(raw)} holds it now"
            raise IndexLockedError(
                f"index {self.location}: this job's writer lock expired and {now}"
                + "; nothing of this batch was written"
            )

    def _check_index(self, pipe: redis.client.Pipeline) -> int:
        """Inside WATCH: the index must still be the one we opened; its count."""
        raw = pipe.get(self._key("manifest"))
        count_raw = pipe.get(self._key("count"))
        count = 0 if count_raw is None else _number(count_raw, "the index's count")
        if raw is None:
            if self._epoch is not None or self._count_seen:
                raise self._lost_index(count, self._count_seen)
            raise IndexStoreError(f"no index at {self.location}: create its manifest first")
        epoch = _manifest_of(raw, self.location).epoch
        if self._epoch is None:
            self._epoch = epoch
        if epoch != self._epoch:
            raise self._lost_index(count, self._count_seen, epoch)
        if count < self._count_seen:
            raise self._lost_index(count, self._count_seen)
        return count

    def _transaction(self, queue: Callable[[redis.client.Pipeline, int], int]) -> int:
        """WATCH lock, manifest and count; check them; ``queue(pipe, count)`` the writes;
        EXEC. Retried when a watched key changed, refused when the lease was lost."""
        watched = [self._key(name) for name in ("lock", "manifest", "count")]
        for _ in range(5):
            with self._mutex, self._r.pipeline(transaction=True) as pipe:
                _watch(pipe, *watched)
                self._check_writer(pipe)
                count = self._check_index(pipe)
                result = queue(pipe, count)
                try:
                    pipe.execute()
                except redis.exceptions.WatchError as exc:
                    if isinstance(exc.__context__, _LOST):
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
            self._queue_commit(pipe, batch, keys, count)
            crash_point("inside_transaction")
            return count + len(ids)

        with self._guard():
            new_count = self._transaction(queue)
        self._count_seen = new_count
        if self._epoch is not None:
            self._write_sentinel(self._epoch, new_count)

    def _hmget(self, pipe: redis.client.Pipeline, key: str, fields: Sequence[str]) -> list[Any]:
        """HMGET in chunks on a watching pipeline (each call is one round trip)."""
        values: list[Any] = []
        for part in _chunks(fields, 5 * self.chunk):
            values.extend(pipe.hmget(key, list(part)) if part else [])
        return values

    def _queue_commit(
        self, pipe: redis.client.Pipeline, batch: CommitBatch, keys: list[U64], count: int
    ) -> None:
        names: list[str] = []
        owners: list[int] = []
        members: dict[str, list[int]] = {}
        published: dict[str, float] = {}
        ingested: dict[str, float] = {}
        numbers: dict[str, int] = {}
        for offset, (article, article_keys) in enumerate(zip(batch.articles, keys, strict=True)):
            doc = count + 1 + offset
            pipe.hset(
                self._key(f"doc:{doc}"),
                mapping={
                    "id": article.article_id,
                    "cluster": article.cluster_id,
                    "run": article.run_id,
                    "ingested": repr(float(article.ingested)),
                    "published": b"" if article.published is None else repr(article.published),
                    "meta": article.meta,
                    "shingles": array_bytes(article.shingles),
                    "entities": array_bytes(article.entities),
                    "keys": array_bytes(article_keys),
                },
            )
            names.append(_hex_names(article_keys))
            owners.extend([doc] * len(article_keys))
            members.setdefault(article.cluster_id, []).append(doc)
            published[str(doc)] = article.window_time("published")
            ingested[str(doc)] = float(article.ingested)
            numbers[article.article_id] = doc
        self._queue_bands(pipe, "SADD", "".join(names), owners)
        for cluster_id, docs in members.items():
            pipe.sadd(self._key(f"members:{cluster_id}"), *docs)
        if numbers:
            pipe.hset(self._key("ids"), mapping={k: v for k, v in numbers.items()})
            pipe.zadd(self._key("time:published"), published)
            pipe.zadd(self._key("time:ingested"), ingested)
            pipe.zadd(
                self._key(f"rundocs:{batch.run_id}"),
                {str(doc): doc for doc in numbers.values()},
            )
            pipe.incrby(self._key("entries"), sum(len(k) for k in keys))
        for cluster in batch.clusters:
            pipe.hset(
                self._key(f"cluster:{cluster.cluster_id}"),
                mapping={"canonical": cluster.canonical_id, "payload": cluster.payload},
            )
            pipe.sadd(self._key("clusters"), cluster.cluster_id)
        if batch.moves:
            pipe.rpush(
                self._key(f"moves:{batch.run_id}"),
                *[_json([m.cluster_id, m.previous, m.current]) for m in batch.moves],
            )
        run = self._key(f"run:{batch.run_id}")
        pipe.hsetnx(run, "started", repr(time.time()))
        pipe.hset(
            run, mapping={"records_done": batch.records_done, "finished": int(batch.finished)}
        )
        pipe.sadd(self._key("runs"), batch.run_id)
        pipe.set(self._key("count"), count + len(numbers))

    def prune(self, before: float, by: WindowBy) -> int:
        removed = 0
        with self._guard():
            while True:
                found = self._r.zrangebyscore(
                    self._key(f"time:{by}"), "-inf", f"({float(before)!r}", start=0, num=500
                )
                if not found:
                    return removed
                removed += self._prune_docs(sorted(_number(d, "a document number") for d in found))

    def _prune_docs(self, docs: list[int]) -> int:
        """One transaction removing these documents, their entries, and clusters they empty."""
        with self._r.pipeline(transaction=False) as pipe:
            for doc in docs:
                pipe.hmget(self._key(f"doc:{doc}"), ["id", "cluster", "run", "keys"])
            rows = pipe.execute()
        gone: dict[str, int] = {}
        for _, cluster, _, _ in rows:
            if cluster is not None:
                name = _text(cluster, "a document's cluster")
                gone[name] = gone.get(name, 0) + 1
        clusters = list(gone)
        with self._r.pipeline(transaction=False) as pipe:
            for cluster_id in clusters:
                pipe.scard(self._key(f"members:{cluster_id}"))
            sizes = dict(zip(clusters, pipe.execute(), strict=True))

        def queue(pipe: redis.client.Pipeline, count: int) -> int:
            pipe.multi()
            names: list[str] = []
            owners: list[int] = []
            for doc, (article_id, cluster, run, keys) in zip(docs, rows, strict=True):
                pipe.delete(self._key(f"doc:{doc}"))
                pipe.zrem(self._key("time:published"), doc)
                pipe.zrem(self._key("time:ingested"), doc)
                if article_id is not None:
                    pipe.hdel(self._key("ids"), article_id)
                if run is not None:
                    pipe.zrem(self._key(f"rundocs:{_text(run, 'a run id')}"), doc)
                if cluster is not None:
                    pipe.srem(self._key(f"members:{_text(cluster, 'a cluster id')}"), doc)
                band_keys = array_of(keys or b"")
                names.append(_hex_names(band_keys))
                owners.extend([doc] * len(band_keys))
            self._queue_bands(pipe, "SREM", "".join(names), owners)
            for cluster_id, size in sizes.items():
                if int(size) <= gone[cluster_id]:
                    pipe.delete(self._key(f"cluster:{cluster_id}"))
                    pipe.srem(self._key("clusters"), cluster_id)
            pipe.decrby(self._key("entries"), len(owners))
            pipe.set(self._key("count"), count)  # touches the watched count
            return len(docs)

        return self._transaction(queue)

    # -- reads ---------------------------------------------------------------------------

    def known(self, article_ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self._guard():
            for part in _chunks(list(article_ids), 5 * self.chunk):
                docs = self._r.hmget(self._key("ids"), list(part))
                found.update(i for i, doc in zip(part, docs, strict=True) if doc is not None)
        return found

    def lookup(self, index_keys: U64, rows: I64, since: float, by: WindowBy) -> I64:
        keys = np.asarray(index_keys, np.uint64)
        if keys.shape[0] == 0:
            return np.zeros((0, 2), np.int64)
        unique, inverse = np.unique(keys, return_inverse=True)
        with self._guard():
            sizes, all_docs = self._band_members(_hex_names(unique))
            # join (row, key) with (key, doc): each row repeated once per doc of its key
            inverse = inverse.reshape(-1)
            reps = sizes[inverse]
            starts = np.cumsum(sizes) - sizes
            out_rows = np.repeat(np.asarray(rows, np.int64), reps)
            within = np.arange(int(reps.sum()), dtype=np.int64) - np.repeat(
                np.cumsum(reps) - reps, reps
            )
            out_docs = all_docs[np.repeat(starts[inverse], reps) + within]
            if out_docs.shape[0] == 0:
                return np.zeros((0, 2), np.int64)
            candidates = np.unique(out_docs)
            times = self._times(candidates.tolist(), by)
        keep = candidates[times >= since]
        mask = np.isin(out_docs, keep)
        pairs = np.stack([out_rows[mask], out_docs[mask]], axis=1)
        return np.unique(pairs, axis=0).astype(np.int64).reshape(-1, 2)

    @staticmethod
    def _doc_numbers(members: Any, where: str) -> I64:
        try:
            return np.array(sorted(int(m) for m in members), np.int64)
        except (TypeError, ValueError) as exc:
            raise IndexStoreError(f"{where} holds something that is not a document number") from exc

    def _times(self, docs: list[int], by: WindowBy) -> F64:
        """Window times of these documents (NaN, never in a window, for those pruned)."""
        times: list[float] = []
        for part in _chunks(docs, 5 * self.chunk):
            scores = self._r.zmscore(self._key(f"time:{by}"), list(part))
            times.extend(np.nan if s is None else float(s) for s in scores)
        return np.array(times, np.float64)

    def articles(self, docs: Sequence[int]) -> list[IndexedArticle]:
        found: list[IndexedArticle] = []
        with self._guard():
            for part in _chunks(list(docs), 500):
                with self._r.pipeline(transaction=False) as pipe:
                    for doc in part:
                        pipe.hgetall(self._key(f"doc:{doc}"))
                    rows = pipe.execute()
                found.extend(
                    self._article(doc, row) for doc, row in zip(part, rows, strict=True) if row
                )
        return found

    def _article(self, doc: int, row: dict[bytes, bytes]) -> IndexedArticle:
        what = f"document {doc} of {self.location}"
        missing = [f.decode() for f in (*_DOC_FIELDS, *_ARRAY_FIELDS) if f not in row]
        if missing:
            raise IndexStoreError(f"{what} is damaged: no {', '.join(missing)}")
        try:
            shingles, entities = (array_of(row[f]) for f in _ARRAY_FIELDS)
        except IndexStoreError as exc:
            raise IndexStoreError(f"{what} is damaged: {exc}") from exc
        return IndexedArticle(
            article_id=_text(row[b"id"], f"{what}'s id"),
            cluster_id=_text(row[b"cluster"], f"{what}'s cluster"),
            run_id=_text(row[b"run"], f"{what}'s run"),
            ingested=_seconds(row[b"ingested"], f"{what}'s ingest time"),
            published=_seconds(row[b"published"], what) if row[b"published"] else None,
            meta=bytes(row[b"meta"]),
            shingles=shingles,
            entities=entities,
            index_keys=_EMPTY_KEYS.copy(),
            doc=doc,
        )

    def cluster_docs(self, cluster_ids: Sequence[str]) -> list[int]:
        docs: set[int] = set()
        with self._guard():
            for part in _chunks(list(cluster_ids), self.chunk):
                with self._r.pipeline(transaction=False) as pipe:
                    for cluster_id in part:
                        pipe.smembers(self._key(f"members:{cluster_id}"))
                    for cluster_id, found in zip(part, pipe.execute(), strict=True):
                        docs.update(self._doc_numbers(found, f"members:{cluster_id}").tolist())
        return sorted(docs)

    def clusters(self, cluster_ids: Sequence[str]) -> dict[str, StoredCluster]:
        found: dict[str, StoredCluster] = {}
        with self._guard():
            for part in _chunks(list(cluster_ids), self.chunk):
                with self._r.pipeline(transaction=False) as pipe:
                    for cluster_id in part:
                        pipe.hmget(self._key(f"cluster:{cluster_id}"), ["canonical", "payload"])
                    for cluster_id, (canonical, payload) in zip(part, pipe.execute(), strict=True):
                        if canonical is not None and payload is not None:
                            found[cluster_id] = StoredCluster(
                                cluster_id,
                                _text(canonical, f"cluster {cluster_id}'s canonical"),
                                bytes(payload),
                            )
        return found

    def run_articles(self, run_id: str) -> list[IndexedArticle]:
        with self._guard():
            docs = self._r.zrange(self._key(f"rundocs:{run_id}"), 0, -1)
        return self.articles([_number(d, f"run {run_id}'s document") for d in docs])

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
            band_entries=0 if entries is None else _number(entries, "the entry count"),
            runs=int(runs),
            oldest=float(first[0][1]) if first else None,
            newest=float(last[0][1]) if last else None,
            bytes_on_disk=on_disk,
            manifest=self.manifest(),
        )

    def export(self) -> Iterator[IndexedArticle]:
        with self._guard():
            count_raw = self._r.get(self._key("count"))
        count = 0 if count_raw is None else _number(count_raw, "the index's count")
        for start in range(1, count + 1, 500):
            yield from self.articles(range(start, min(start + 500, count + 1)))

    def problems(self) -> list[str]:
        with self._guard():
            return _Checker(self).run()

    def close(self) -> None:
        if self._token is not None:
            try:
                self._release()
            except IndexStoreError as exc:
                log.warning("%s", exc)
        if self._owns_client:
            self._r.close()


class _Doc(NamedTuple):
    """What the checker keeps of a document."""

    article_id: str
    cluster_id: str
    run_id: str
    keys: U64
    published: float  # the window time by publication
    ingested: float


_HEX16 = re.compile(r"[0-9a-f]{16}")


class _Checker:
    """The consistency scan behind ``problems()``: two SCANs of the keyspace and every
    entry read once (band sets through ``_READ_BANDS``), so it is for ``dedup index
    check``, not for every run. Each kind of problem is listed up to ``cap`` times."""

    cap = 20

    def __init__(self, store: RedisStore) -> None:
        self.store, self.r = store, store._r
        self.found: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] <= self.cap:
            self.found.append(message)

    def keys(self, pattern: str) -> Iterator[str]:
        """The names after ``{prefix}:`` of this index's keys matching ``pattern``."""
        head = len(self.store.prefix) + 1
        for key in self.r.scan_iter(match=f"{self.store.prefix}:{pattern}", count=5000):
            yield bytes(key)[head:].decode(errors="replace")

    def run(self) -> list[str]:
        families: dict[str, list[str]] = {}
        for name in self.keys("[^b]*"):  # all but the band sets, which are streamed
            family, _, rest = name.partition(":")
            if rest:
                families.setdefault(family, []).append(rest)
        raw = self.r.get(self.store._key("manifest"))
        if raw is not None:
            try:
                _manifest_of(raw, self.store.location)
            except IndexStoreError as exc:
                self.add("manifest", str(exc))
        try:
            count = _number(self.r.get(self.store._key("count")) or 0, "the count")
        except IndexStoreError as exc:
            self.add("count", str(exc))
            count = 0
        docs = self.documents(families.get("doc", []))
        if raw is None and docs:
            self.add("manifest", f"no manifest, but {len(docs)} documents")
        if docs and max(docs) > count:
            self.add("count", f"the count is {count} but document {max(docs)} exists")
        self.check_ids(docs)
        self.check_bands(docs)
        self.check_clusters(docs, set(families.get("cluster", [])), families.get("members", []))
        self.check_times(docs)
        self.check_runs(docs, families.get("rundocs", []))
        for kind, seen in self.counts.items():
            if seen > self.cap:
                self.found.append(f"… and {seen - self.cap} more problems of kind '{kind}'")
        return self.found

    def documents(self, names: list[str]) -> dict[int, _Doc]:
        numbers: list[int] = []
        for name in names:
            if name.isdigit():
                numbers.append(int(name))
            else:
                self.add("doc", f"a document key has no number: doc:{name}")
        docs: dict[int, _Doc] = {}
        fields = ["id", "cluster", "run", "ingested", "published", "keys"]
        for part in _chunks(sorted(numbers), 1_000):
            with self.r.pipeline(transaction=False) as pipe:
                for doc in part:
                    key = self.store._key(f"doc:{doc}")
                    pipe.hmget(key, fields)
                    for array in ("meta", *_ARRAY_FIELDS):
                        pipe.hstrlen(key, array)
                replies = pipe.execute(raise_on_error=False)
            for offset, doc in enumerate(part):
                values, *sizes = replies[4 * offset : 4 * offset + 4]
                try:
                    docs[doc] = self.document(doc, values, sizes)
                except IndexStoreError as exc:
                    self.add("doc", str(exc))
        return docs

    @staticmethod
    def document(doc: int, values: object, sizes: list[object]) -> _Doc:
        what = f"document {doc}"
        if not isinstance(values, list) or any(isinstance(n, Exception) for n in sizes):
            raise IndexStoreError(f"{what} is not a hash")
        article_id, cluster, run, ingested, published, keys = values
        if sizes[0] == 0 or any(_number(n, what) % 8 for n in sizes[1:]):
            raise IndexStoreError(f"{what} is damaged: no meta, or an array cut short")
        window = _seconds(ingested, f"{what}'s ingest time")
        return _Doc(
            _text(article_id, f"{what}'s id"),
            _text(cluster, f"{what}'s cluster"),
            _text(run, f"{what}'s run"),
            array_of(_raw(keys) or b""),
            _seconds(published, f"{what}'s publication time") if published else window,
            window,
        )

    def check_ids(self, docs: dict[int, _Doc]) -> None:
        ids: dict[str, int] = {}
        for field, value in self.r.hscan_iter(self.store._key("ids"), count=5000):
            name = bytes(field).decode(errors="replace")
            try:
                ids[name] = _number(value, f"ids[{name}]")
            except IndexStoreError as exc:
                self.add("ids", str(exc))
        for doc, row in docs.items():
            if ids.get(row.article_id) != doc:
                self.add("ids", f"document {doc} ({row.article_id}) is not in the ids hash")
        for article_id, doc in ids.items():
            if doc not in docs:
                self.add("ids", f"ids names document {doc} for {article_id}; it does not exist")

    def band_members(self, names: str) -> tuple[I64, I64] | None:
        try:
            with self.store._guard():
                return self.store._band_members(names)
        except IndexUnavailableError:
            raise
        except IndexStoreError as exc:
            self.add("band", str(exc))
            return None

    def check_bands(self, docs: dict[int, _Doc]) -> None:
        # every document is in each of its band sets …
        present = 0
        for part in _chunks(list(docs), 2_000):
            owners = np.repeat(np.array(part, np.int64), [len(docs[d].keys) for d in part])
            found = self.band_members("".join(_hex_names(docs[d].keys) for d in part))
            if found is None:
                continue
            counts, members = found
            entry = np.repeat(np.arange(owners.size), counts)
            held = np.zeros(owners.size, np.bool_)
            held[entry[members == owners[entry]]] = True
            present += int(held.sum())
            lost, times = np.unique(owners[~held], return_counts=True)
            for doc, n in zip(lost.tolist(), times.tolist(), strict=True):
                self.add(
                    "band", f"document {doc} ({docs[doc].article_id}) is missing from {n} band sets"
                )
        # … and the band sets name nothing else
        known = np.array(sorted(docs), np.int64)
        total = unknown = 0
        names: list[str] = []

        def check(names: list[str]) -> None:
            nonlocal total, unknown
            found = self.band_members("".join(names))
            if found is None:
                return
            counts, members = found
            total += int(members.size)
            stray = np.flatnonzero(~np.isin(members, known))
            entry = np.repeat(np.arange(len(names)), counts)
            for at in stray.tolist():
                self.add("band", f"band:{names[entry[at]]} names unknown document {members[at]}")
            unknown += int(stray.size)

        for name in self.keys("band:*"):
            suffix = name[len("band:") :]
            if _HEX16.fullmatch(suffix):
                names.append(suffix)
            else:
                self.add("band", f"a band key is not 16 hex digits: {name}")
            if len(names) >= 20_000:
                check(names)
                names = []
        check(names)
        if total - unknown > present:
            extra = total - unknown - present
            self.add("band", f"{extra} band entries name a document without that key")
        entries = self.r.get(self.store._key("entries"))
        if _number(entries or 0, "the entry count") != total:
            self.add("band", f"the entry count says {entries!r}, the band sets hold {total}")

    def check_clusters(self, docs: dict[int, _Doc], stored: set[str], members: list[str]) -> None:
        listed = {
            _text(_raw(c), "a cluster id") for c in self.r.smembers(self.store._key("clusters"))
        }
        for cluster_id in sorted(stored - listed):
            self.add("cluster", f"cluster {cluster_id} is stored but not listed")
        for cluster_id in sorted(listed - stored):
            self.add("cluster", f"cluster {cluster_id} is listed but not stored")
        placed: set[tuple[str, int]] = set()
        for part in _chunks(members, self.store.chunk):
            with self.r.pipeline(transaction=False) as pipe:
                for cluster_id in part:
                    pipe.smembers(self.store._key(f"members:{cluster_id}"))
                replies = pipe.execute()
            for cluster_id, found in zip(part, replies, strict=True):
                for doc in RedisStore._doc_numbers(found, f"members:{cluster_id}").tolist():
                    placed.add((cluster_id, doc))
                    if doc not in docs or docs[doc].cluster_id != cluster_id:
                        self.add(
                            "cluster", f"members:{cluster_id} names document {doc}, not its own"
                        )
        have = {cluster_id for cluster_id, _ in placed}
        for cluster_id in sorted(listed - have):
            self.add("cluster", f"cluster {cluster_id} has no members")
        for doc, row in docs.items():
            if (row.cluster_id, doc) not in placed:
                self.add(
                    "cluster",
                    f"document {doc} ({row.article_id}) is not in members:{row.cluster_id}",
                )

    def check_times(self, docs: dict[int, _Doc]) -> None:
        for by in ("published", "ingested"):
            scores = {
                _number(doc, "a time entry"): float(score)
                for doc, score in self.r.zscan_iter(self.store._key(f"time:{by}"), count=5000)
            }
            for doc, row in docs.items():
                if scores.pop(doc, None) != getattr(row, by):
                    self.add("time", f"document {doc} has no or a wrong time:{by} entry")
            for doc in sorted(scores):
                self.add("time", f"time:{by} names unknown document {doc}")

    def check_runs(self, docs: dict[int, _Doc], rundocs: list[str]) -> None:
        runs = {_text(_raw(r), "a run id") for r in self.r.smembers(self.store._key("runs"))}
        added: set[tuple[str, int]] = set()
        for run_id in rundocs:
            for entry in self.r.zrange(self.store._key(f"rundocs:{run_id}"), 0, -1):
                number = _number(entry, f"rundocs:{run_id}")
                added.add((run_id, number))
                if number not in docs:
                    self.add("run", f"rundocs:{run_id} names unknown document {number}")
        for doc, row in docs.items():
            if (row.run_id, doc) not in added:
                self.add("run", f"document {doc} ({row.article_id}) is not in rundocs:{row.run_id}")
            if row.run_id not in runs:
                self.add("run", f"run {row.run_id} of document {doc} is not in the runs set")
                runs.add(row.run_id)
