"""The writer lease on ``{prefix}:lock``: one writer per index, renewed by a background
thread, taken over only from a dead process of this host. Kept apart from the store so
that the whole locking protocol reads in one place.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import socket
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

import redis

from dedup.errors import IndexLockedError, IndexStoreError
from dedup.index.common import holder_record, json_bytes, locked_message
from dedup.index.redis_client import LOST, StoreHandle, watch
from dedup.index.redis_values import as_bytes

# records keep the backend's logger name, as before the split
log = logging.getLogger("dedup.index.redis")


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


def _holder(raw: object) -> dict[str, Any] | None:
    """Who holds the lease, from its JSON value (None when unreadable)."""
    try:
        row = json.loads(as_bytes(raw) or b"")
    except (ValueError, TypeError):
        return None
    return row if isinstance(row, dict) else None


def _is_ours(raw: object, token: str) -> bool:
    try:
        return isinstance(raw, bytes) and json.loads(raw).get("token") == token
    except (ValueError, AttributeError):
        return False


class WriterLease:
    """The lease of one ``RedisStore``: its token while held, and the renewing thread.

    The store's ``lease_ms`` and ``renew_every_s`` are read at each use; its mutex keeps a
    renewal from running inside a commit.
    """

    def __init__(self, store: StoreHandle) -> None:
        self._store = store
        self._key = store._key("lock")
        self.token: str | None = None
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def hold(self, run_id: str) -> _Lease:
        return _Lease(self, run_id)

    def _holder_message(self, raw: object, ttl_ms: int) -> str:
        advice = "retry when it has finished"
        if ttl_ms == -1:
            advice = f"the lock never expires: delete {self._key} if no job is running"
        return locked_message(self._store.location, _holder(raw), advice)

    def acquire(self, run_id: str) -> None:
        store = self._store
        if self.token is not None:
            raise IndexLockedError(f"index {store.location}: this process already holds its lock")
        token = secrets.token_hex(16)
        value = json_bytes(holder_record(run_id, token=token))
        r = store._r
        with store._guard():
            for _ in range(3):
                if r.set(self._key, value, nx=True, px=store.lease_ms):
                    break
                if self._take_over(value):
                    break
            else:
                raw = r.get(self._key)
                raise IndexLockedError(self._holder_message(raw, int(r.pttl(self._key))))
        self.token = token
        self._stop = threading.Event()
        self._renewer = threading.Thread(
            target=self._renew, args=(token, self._stop), name="dedup-redis-lease", daemon=True
        )
        self._renewer.start()

    def _take_over(self, value: bytes) -> bool:
        """Replace a lease whose holder is a dead process of this host (compare-and-set).
        False when the lease is gone (try SET NX again); refused when the holder lives."""
        lock = self._key
        with self._store._r.pipeline(transaction=True) as pipe:
            watch(pipe, lock)
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
            pipe.set(lock, value, px=self._store.lease_ms)
            try:
                pipe.execute()
            except redis.exceptions.WatchError as exc:
                if isinstance(exc.__context__, LOST):
                    raise
                return False  # changed meanwhile: look again
        log.warning("took over the writer lock of %s from dead pid %d", self._store.location, pid)
        return True

    def _if_ours(self, token: str, action: str) -> bool:
        """Renew (``pexpire``) or delete the lease only while it still holds our token."""
        lock = self._key
        for _ in range(3):
            with self._store._r.pipeline(transaction=True) as pipe:
                watch(pipe, lock)
                if not _is_ours(pipe.get(lock), token):
                    return False
                pipe.multi()
                if action == "renew":
                    pipe.pexpire(lock, self._store.lease_ms)
                else:
                    pipe.delete(lock)
                try:
                    pipe.execute()
                    return True
                except redis.exceptions.WatchError as exc:
                    if isinstance(exc.__context__, LOST):
                        raise
        return False

    def _renew(self, token: str, stop: threading.Event) -> None:
        store = self._store
        while not stop.wait(store.renew_every_s):
            try:
                with store._mutex:
                    if stop.is_set():
                        return
                    ours = self._if_ours(token, "renew")
            except redis.exceptions.RedisError as exc:
                log.warning("could not renew the writer lock of %s: %s", store.location, exc)
                continue
            if not ours:
                log.warning("lost the writer lock of %s: another job holds it", store.location)
                return  # the next commit finds out and refuses

    def release(self) -> None:
        token, self.token = self.token, None
        self._stop.set()
        if self._renewer is not None:
            self._renewer.join()
            self._renewer = None
        if token is not None:
            with self._store._guard():
                self._if_ours(token, "release")

    def check(self, pipe: redis.client.Pipeline) -> None:
        """Inside WATCH: the lease must be ours, or nobody's if we never took it."""
        raw = pipe.get(self._key)
        if self.token is None:
            if raw is not None:
                raise IndexLockedError(self._holder_message(raw, int(pipe.pttl(self._key))))
        elif not _is_ours(raw, self.token):
            holder = _holder(raw) or {}
            now = (
                "nobody holds it now"
                if raw is None
                else f"pid {holder.get('pid', '?')} on host {holder.get('host', '?')} holds it now"
            )
            raise IndexLockedError(
                f"index {self._store.location}: this job's writer lock expired and {now}"
                + "; nothing of this batch was written"
            )


class _Lease:
    """The writer lease as a context manager (``RedisStore.writer``)."""

    def __init__(self, lease: WriterLease, run_id: str) -> None:
        self._lease = lease
        self._run_id = run_id

    def __enter__(self) -> None:
        self._lease.acquire(self._run_id)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self._lease.release()
        except IndexStoreError:
            if exc_type is None:
                raise
            # the run is failing already (the error says why, e.g. the server is gone);
            # the lease expires by itself, and a rerun on this host takes it over at once
            log.info("could not release the writer lock of %s", self._lease._store.location)
