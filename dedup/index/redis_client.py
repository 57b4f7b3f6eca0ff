"""The connection to one Redis server: redis-py set up to fail fast, its errors turned into
``DedupError``s (the server gone: exit 7; a command refused), and its WATCH typed.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import redis
from redis.backoff import ConstantBackoff
from redis.retry import Retry

from dedup.errors import IndexStoreError, IndexUnavailableError
from dedup.index.base import I64

#: the errors of a server gone or hung (as opposed to one refusing a command)
LOST = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def connect(host: str, port: int, db: int, password: str | None, ssl: bool) -> redis.Redis:
    return redis.Redis(
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


@contextmanager
def redis_errors(host: str, port: int, prefix: str, *, contacted: bool) -> Iterator[None]:
    """Every redis-py error as a ``DedupError``: the server gone (exit 7) or refusing.
    ``contacted``: the server has answered before, so it was lost, not unreachable."""
    where = f"{host}:{port}"
    try:
        yield
    except LOST as exc:
        raise IndexUnavailableError(_unreachable(where, exc, contacted)) from exc
    except redis.exceptions.WatchError as exc:
        # redis-py reports a connection lost while watching keys as a WatchError
        if isinstance(exc.__context__, LOST):
            raise IndexUnavailableError(_unreachable(where, exc.__context__, contacted)) from exc
        raise IndexStoreError(f"redis at {where}: {exc}") from exc
    except redis.exceptions.RedisError as exc:
        detail = str(exc).rpartition("of pipeline caused error: ")[2]
        raise IndexStoreError(
            f"redis at {where} refused a command on index {prefix}: {detail}"
        ) from exc


def _unreachable(where: str, exc: BaseException, contacted: bool) -> str:
    detail = " ".join(str(exc).split()) or type(exc).__name__
    if not contacted:
        return f"cannot reach redis at {where}: {detail}"
    return f"lost the connection to redis at {where}: {detail}"


def watch(pipe: redis.client.Pipeline, *keys: str) -> None:
    pipe.watch(*keys)  # type: ignore[no-untyped-call]  # redis-py leaves watch untyped


class StoreHandle(Protocol):
    """What the lease and the checker use of a ``RedisStore``, so they need not import
    it (the store imports them)."""

    prefix: str
    chunk: int
    lease_ms: int
    renew_every_s: float
    _r: redis.Redis
    _mutex: threading.Lock

    @property
    def location(self) -> str: ...

    def _key(self, name: str) -> str: ...

    def _guard(self) -> AbstractContextManager[None]: ...

    def _band_members(self, names: str) -> tuple[I64, I64]: ...
