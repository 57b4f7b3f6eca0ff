"""The Redis index against a real redis-server: round trips, no pickle, one transaction per
batch, lost connections, restarts with and without persistence, one writer at a time.
A few fast unit tests use fakeredis through ``RedisStore(client=…)``."""

from __future__ import annotations

import ast
import logging
import os
import pickle
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import fakeredis
import numpy as np
import pytest
import redis
from conftest import RedisServer

from dedup.errors import ConfigError, IndexLockedError, IndexStoreError, IndexUnavailableError
from dedup.index import (
    CanonicalMove,
    CommitBatch,
    IndexedArticle,
    StoredCluster,
    manifest_for,
    open_index,
)
from dedup.index.redis import RedisStore
from dedup.params import DedupParams

ROOT = Path(__file__).resolve().parents[1]


def _article(
    n: int,
    keys: list[int],
    *,
    cluster: str | None = None,
    run: str = "r1",
    ingested: float = 1_000.0,
    published: float | None = None,
) -> IndexedArticle:
    return IndexedArticle(
        article_id=f"a{n}",
        cluster_id=cluster or f"c-a{n}",
        run_id=run,
        ingested=ingested,
        published=published,
        meta=f'{{"id":"a{n}"}}'.encode(),
        shingles=np.arange(n, n + 30, dtype=np.uint64),
        entities=np.array([n, 2**64 - 1], dtype=np.uint64),
        index_keys=np.array(keys, dtype=np.uint64),
    )


def _batch(
    articles: list[IndexedArticle],
    done: int,
    *,
    clusters: tuple[StoredCluster, ...] = (),
    moves: tuple[CanonicalMove, ...] = (),
    finished: bool = False,
) -> CommitBatch:
    run_id = articles[0].run_id if articles else "r1"
    return CommitBatch(run_id, done, articles, clusters, moves, finished)


def _new(url: str, **kw: bool) -> RedisStore:
    store = open_index(url, **kw)
    assert isinstance(store, RedisStore)
    if store.manifest() is None:
        store.create(manifest_for(DedupParams()))
    return store


def _raw(store: RedisStore) -> redis.Redis:
    return redis.Redis(host=store.host, port=store.port, db=store.db)


def _count(store: RedisStore) -> int:
    return int(_raw(store).get(f"{store.prefix}:count") or 0)


def _python(code: str, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


#: a second process writing to an index: ``hold`` keeps the lock, ``commit`` commits two
#: batches (for DEDUP_CRASH_AT)
_WRITER = """
    import sys, time
    import numpy as np
    from dedup.index import CommitBatch, IndexedArticle, open_index

    url, mode = sys.argv[1], sys.argv[2]
    store = open_index(url)

    def article(n):
        return IndexedArticle(
            f"p{n}", f"c-p{n}", "proc", 2000.0 + n, None, b"{}",
            np.arange(3, dtype=np.uint64) + n, np.zeros(0, np.uint64),
            np.arange(4, dtype=np.uint64) + 100 * n,
        )

    with store.writer("proc"):
        if mode == "hold":
            print("held", flush=True)
            time.sleep(120)
        store.commit(CommitBatch("proc", 2, [article(1), article(2)], []))
        print("first", flush=True)
        store.commit(CommitBatch("proc", 4, [article(3), article(4)], []))
        print("second", flush=True)
"""


# -- with the real server ---------------------------------------------------------------


@pytest.fixture(params=["lua", "plain"])
def band_scripts(request: pytest.FixtureRequest) -> bool:
    """Band sets through the Lua scripts (any real server), or one command each (a server
    that refuses EVAL)."""
    return bool(request.param == "lua")


def test_round_trip(redis_url: str, band_scripts: bool) -> None:
    store = _new(redis_url)
    assert store._scripts  # a real server runs them
    store._scripts = band_scripts
    first = [
        _article(1, [10, 11, 12], cluster="c1", published=500.0),
        _article(2, [12, 13], cluster="c1"),
        _article(3, [14], ingested=2_000.0),
    ]
    with store.writer("r1"):
        assert store.begin_run("r1", 900.0).records_done == 0
        store.commit(
            _batch(
                first,
                3,
                clusters=(StoredCluster("c1", "a1", b'{"canonical_id":"a1"}'),),
                moves=(CanonicalMove("c1", "a0", "a1"),),
            )
        )
        store.commit(_batch([_article(4, [10, 99], cluster="c1")], 5, finished=True))
    record = store.run("r1")
    assert record is not None
    assert (record.started, record.records_done, record.finished) == (900.0, 5, True)
    pairs = store.lookup(
        np.array([12, 10, 14, 7], np.uint64), np.array([0, 1, 2, 3], np.int64), 0.0, "published"
    )
    assert pairs.dtype == np.int64
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 1], [1, 4], [2, 3]]
    # window: a1 was published at 500, the others count from their ingest time
    late = store.lookup(np.array([12, 10], np.uint64), np.array([0, 0], np.int64), 600, "published")
    assert late.tolist() == [[0, 2], [0, 4]]
    early = store.lookup(np.array([12], np.uint64), np.array([5], np.int64), 600, "ingested")
    assert early.tolist() == [[5, 1], [5, 2]]
    got = store.articles([3, 1, 42])
    assert [a.article_id for a in got] == ["a3", "a1"]
    one = got[1]
    assert (one.article_id, one.cluster_id, one.run_id, one.doc) == ("a1", "c1", "r1", 1)
    assert (one.ingested, one.meta) == (1000.0, b'{"id":"a1"}')
    assert one.shingles.dtype == np.uint64
    assert np.array_equal(one.shingles, first[0].shingles)
    assert got[1].entities.tolist() == [1, 2**64 - 1]
    assert got[1].index_keys.size == 0
    assert (got[1].published, got[0].published) == (500.0, None)
    assert store.known(["a1", "a4", "zz"]) == {"a1", "a4"}
    assert store.cluster_docs(["c1", "c-a3", "none"]) == [1, 2, 3, 4]
    assert store.clusters(["c1", "c-a3"]) == {
        "c1": StoredCluster("c1", "a1", b'{"canonical_id":"a1"}')
    }
    assert [a.doc for a in store.run_articles("r1")] == [1, 2, 3, 4]
    assert store.run_moves("r1") == [CanonicalMove("c1", "a0", "a1")]
    assert [a.article_id for a in store.export()] == ["a1", "a2", "a3", "a4"]
    stats = store.stats()
    assert (stats.articles, stats.clusters, stats.band_entries, stats.runs) == (4, 1, 8, 1)
    assert (stats.oldest, stats.newest) == (500.0, 2000.0)
    assert (stats.bytes_on_disk or 0) > 0  # the AOF
    assert stats.manifest == store.manifest()
    assert store.problems() == []
    store.close()


def test_already_indexed_refused_before_writing(redis_url: str) -> None:
    store = _new(redis_url)
    with store.writer("r1"):
        store.commit(_batch([_article(1, [1])], 1))
        with pytest.raises(IndexStoreError, match="already holds 1 of this batch"):
            store.commit(_batch([_article(2, [2]), _article(1, [1])], 3))
        with pytest.raises(IndexStoreError, match="names one article twice"):
            store.commit(_batch([_article(5, [5]), _article(5, [5])], 3))
    assert _count(store) == 1
    assert store.known(["a2", "a5"]) == set()
    assert store.lookup(np.array([2], np.uint64), np.array([0], np.int64), 0, "published").size == 0
    assert store.run("r1").records_done == 1  # type: ignore[union-attr]
    assert store.problems() == []


def test_prune_removes_documents_entries_and_empty_clusters(
    redis_url: str, band_scripts: bool
) -> None:
    store = _new(redis_url)
    store._scripts = band_scripts
    with store.writer("r1"):
        store.commit(
            _batch(
                [
                    _article(1, [1, 2], cluster="old", ingested=100.0),
                    _article(2, [2, 3], cluster="mixed", ingested=100.0),
                    _article(3, [3, 4], cluster="mixed", ingested=900.0),
                ],
                3,
                clusters=(StoredCluster("old", "a1", b"{}"), StoredCluster("mixed", "a2", b"{}")),
            )
        )
        assert store.prune(500.0, "ingested") == 2
    assert store.known(["a1", "a2", "a3"]) == {"a3"}
    assert list(store.clusters(["old", "mixed"])) == ["mixed"]
    assert store.cluster_docs(["mixed", "old"]) == [3]
    assert store.stats().band_entries == 2
    assert store.lookup(
        np.array([2, 3], np.uint64), np.zeros(2, np.int64), 0, "ingested"
    ).tolist() == [[0, 3]]
    assert [a.doc for a in store.run_articles("r1")] == [3]
    assert [a.doc for a in store.export()] == [3]
    assert store.problems() == []


class _Payload:
    """What an attacker plants: unpickling it creates the marker file."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (str(self.marker), "w"))


def test_planted_pickle_never_runs(redis_url: str, tmp_path: Path, band_scripts: bool) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(marker))
    if len(payload) % 8 == 0:  # would read as whole uint64 values: a damaged set must not
        marker = tmp_path / "pwned!"
        payload = pickle.dumps(_Payload(marker))
    pickle.loads(payload).close()  # a real payload: unpickling it creates the marker
    assert marker.exists()
    marker.unlink()
    store = _new(redis_url)
    store._scripts = band_scripts
    with store.writer("r1"):
        store.commit(
            _batch(
                [_article(1, [7], cluster="c1"), _article(2, [8])],
                2,
                clusters=(StoredCluster("c1", "a1", b"{}"),),
            )
        )
    raw, p = _raw(store), store.prefix
    raw.sadd(f"{p}:band:{7:016x}", payload)
    raw.hset(f"{p}:doc:1", "meta", payload)
    raw.hset(f"{p}:doc:2", "shingles", payload)
    raw.hset(f"{p}:cluster:c1", "payload", payload)
    raw.rpush(f"{p}:moves:r1", payload)
    with pytest.raises(IndexStoreError, match="not a document number"):
        store.lookup(np.array([7], np.uint64), np.array([0], np.int64), 0, "published")
    assert store.articles([1])[0].meta == payload  # plain bytes, handed on untouched
    with pytest.raises(IndexStoreError, match=r"document 2 .* is damaged"):
        store.articles([2])
    assert store.clusters(["c1"])["c1"].payload == payload
    with pytest.raises(IndexStoreError, match="move of run r1 is damaged"):
        store.run_moves("r1")
    raw.set(f"{p}:doc:3", payload)  # not even a hash
    with pytest.raises(IndexStoreError, match="refused a command"):
        store.articles([3])
    raw.set(f"{p}:lock", payload, px=60_000)
    with pytest.raises(IndexLockedError, match="holder not recorded"):
        store.writer("r2").__enter__()
    raw.set(f"{p}:manifest", payload)
    with pytest.raises(IndexStoreError, match=r"manifest is damaged"):
        store.manifest()
    assert store.problems()
    assert not marker.exists()


@pytest.mark.parametrize("module", sorted((ROOT / "dedup").rglob("*.py")), ids=str)
def test_no_pickle_anywhere_in_dedup(module: Path) -> None:
    """Reliability rule 7: nothing in dedup/ can unpickle what an index hands back."""
    tree = ast.parse(module.read_text())
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    } | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert not imported & {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve"}


def test_crash_inside_the_transaction_writes_nothing(redis_url: str) -> None:
    store = _new(redis_url)
    proc = _python(_WRITER, redis_url, "commit", DEDUP_CRASH_AT="inside_transaction:2")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -9, err
    assert out.split() == ["first"]
    assert _count(store) == 2
    assert store.known(["p1", "p2", "p3", "p4"]) == {"p1", "p2"}
    assert store.run("proc").records_done == 2  # type: ignore[union-attr]
    assert store.problems() == []
    # the dead writer's lease is still there; this host's next writer takes it over
    with store.writer("proc"):
        store.commit(_batch([_article(3, [300], run="proc")], 4))
    assert store.problems() == []


def test_killed_server_is_reported_then_restart_with_aof_keeps_the_index(
    start_redis: Callable[..., RedisServer],
) -> None:
    server = start_redis()
    url = server.url("killed")
    store = _new(url)
    with store.writer("r1"):
        store.commit(_batch([_article(n, [n, 1000 + n]) for n in range(1, 51)], 50))
    assert store.lookup(np.array([7], np.uint64), np.array([0], np.int64), 0, "published").size
    server.kill()
    started = time.monotonic()
    with pytest.raises(IndexUnavailableError) as caught:
        store.lookup(np.array([7], np.uint64), np.array([0], np.int64), 0, "published")
    assert time.monotonic() - started < 10  # the socket timeout
    message = str(caught.value)
    server_at = f"127.0.0.1:{server.port}"
    assert f"lost the connection to redis at {server_at}: " in message
    assert "\n" not in message
    assert caught.value.exit_code == 7
    with pytest.raises(IndexUnavailableError, match=f"cannot reach redis at {server_at}"):
        open_index(url)

    server.restart()  # AOF replayed
    again = _new(url)
    assert again.known([f"a{n}" for n in range(1, 51)]) == {f"a{n}" for n in range(1, 51)}
    assert again.problems() == []
    with again.writer("r2"):
        again.commit(_batch([_article(51, [51], run="r2")], 1))
    assert _count(again) == 51
    # the first client reconnects by itself
    assert store.known(["a51"]) == {"a51"}


def test_empty_restart_is_refused_unless_rebuilding(
    start_redis: Callable[..., RedisServer],
) -> None:
    server = start_redis()
    url = server.url("forgot")
    store = _new(url)
    with store.writer("r1"):
        store.commit(_batch([_article(1, [1]), _article(2, [2])], 2))
    server.restart(empty=True)
    with pytest.raises(IndexStoreError) as caught:
        open_index(url)
    assert str(caught.value) == (
        f"redis at 127.0.0.1:{server.port} db 0 prefix forgot has lost the index it had "
        "(count 0, expected ≥ 2): it restarted without persistence or was flushed; restore "
        "it, or run again with --rebuild-index to start an empty one"
    )
    # the client that was using it when it restarted is refused too
    with store.writer("r1"), pytest.raises(IndexStoreError, match="has lost the index"):
        store.commit(_batch([_article(3, [3])], 3))
    rebuilt = open_index(url, rebuild=True)
    assert rebuilt.manifest() is None
    rebuilt.create(manifest_for(DedupParams()))
    assert open_index(url).manifest() == rebuilt.manifest()  # accepted from now on


def test_flushed_or_replaced_index_is_refused(redis_url: str) -> None:
    store = _new(redis_url)
    with store.writer("r1"):
        store.commit(_batch([_article(1, [1])], 1))
    raw = _raw(store)
    raw.set(f"{store.prefix}:count", 0)
    with pytest.raises(IndexStoreError, match=r"\(count 0, expected ≥ 1\)"):
        open_index(redis_url)
    raw.set(f"{store.prefix}:count", 1)
    assert open_index(redis_url).manifest() == store.manifest()
    # this client remembers another index than the one the server has now
    store._sentinel_path().write_text('{"epoch": "feedfeedfeedfeed", "count": 0}')
    epoch = store.manifest().epoch  # type: ignore[union-attr]
    with pytest.raises(IndexStoreError, match=f"another index is there, epoch {epoch}"):
        open_index(redis_url)
    raw.set(f"{store.prefix}:manifest", b"{}")
    with pytest.raises(IndexStoreError, match=r"manifest is damaged"):
        open_index(redis_url)


def test_must_exist(redis_url: str) -> None:
    with pytest.raises(IndexStoreError, match=r"no index at redis://127\.0\.0\.1:"):
        open_index(redis_url, must_exist=True)
    _new(redis_url)
    assert open_index(redis_url, must_exist=True).manifest() is not None


def test_server_without_persistence_is_warned_about(
    start_redis: Callable[..., RedisServer],
    redis_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    server = start_redis(persistent=False)
    with caplog.at_level(logging.WARNING, logger="dedup.index.redis"):
        open_index(redis_url)
        assert not caplog.records
        open_index(server.url("volatile"))
    assert [r.getMessage() for r in caplog.records] == [
        f"redis at 127.0.0.1:{server.port} has no persistence (no AOF, no RDB snapshots): "
        "a restart forgets the index"
    ]


def test_second_writer_is_refused_at_once_and_a_killed_holder_taken_over(redis_url: str) -> None:
    store = _new(redis_url)
    holder = _python(_WRITER, redis_url, "hold")
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(IndexLockedError) as caught:
            store.writer("mine").__enter__()
        assert time.monotonic() - started < 1
        message = str(caught.value)
        host = socket.gethostname()
        assert f"locked by pid {holder.pid} on host {host} (run proc, since " in message
        assert caught.value.exit_code == 6
    finally:
        holder.kill()
        holder.wait()
    with store.writer("mine"):
        store.commit(_batch([_article(1, [1])], 1))
    assert _raw(store).get(f"{store.prefix}:lock") is None  # released


def test_two_writers_in_one_process(redis_url: str) -> None:
    first, second = _new(redis_url), _new(redis_url)
    with first.writer("a"):
        with pytest.raises(IndexLockedError, match=f"locked by pid {os.getpid()} "):
            second.writer("b").__enter__()
        with pytest.raises(IndexLockedError, match="locked by pid"):
            second.commit(_batch([_article(1, [1])], 1))
    with second.writer("b"):
        second.commit(_batch([_article(1, [1])], 1))


def test_a_writer_that_lost_its_lease_cannot_commit(redis_url: str) -> None:
    store = _new(redis_url)
    with store.writer("r1"):
        store.commit(_batch([_article(1, [1])], 1))
        # the lease expired meanwhile and another job took the lock
        _raw(store).set(
            f"{store.prefix}:lock",
            b'{"token":"x","pid":1,"host":"elsewhere","run":"r9","since":"then"}',
            px=60_000,
        )
        with pytest.raises(
            IndexLockedError, match=r"lock expired and pid 1 on host elsewhere holds it now"
        ):
            store.commit(_batch([_article(2, [2])], 2))
    assert _count(store) == 1
    assert _raw(store).get(f"{store.prefix}:lock") is not None  # not ours: left alone


def test_remote_holder_waits_for_its_lease_to_expire(redis_url: str) -> None:
    store = _new(redis_url)
    _raw(store).set(
        f"{store.prefix}:lock",
        b'{"token":"x","pid":999999,"host":"elsewhere","run":"r9","since":"then"}',
        px=300,
    )
    with pytest.raises(IndexLockedError, match="pid 999999 on host elsewhere"):
        store.writer("r1").__enter__()  # a dead pid, but of another host: left alone
    time.sleep(0.4)
    with store.writer("r1"):
        pass


def test_lease_is_renewed_while_held(redis_url: str) -> None:
    store = _new(redis_url)
    store.lease_ms, store.renew_every_s = 800, 0.1
    with store.writer("r1"):
        time.sleep(1.5)  # outlives the lease unless renewed
        raw = _raw(store)
        assert raw.pttl(f"{store.prefix}:lock") > 0
        store.commit(_batch([_article(1, [1])], 1))  # still ours
    assert _raw(store).get(f"{store.prefix}:lock") is None


def test_problems_finds_planted_damage(redis_url: str) -> None:
    store = _new(redis_url)
    with store.writer("r1"):
        store.commit(
            _batch(
                [_article(1, [1, 2], cluster="c1"), _article(2, [3])],
                2,
                clusters=(StoredCluster("c1", "a1", b"{}"), StoredCluster("c2", "a9", b"{}")),
            )
        )
    raw, p = _raw(store), store.prefix
    raw.srem(f"{p}:band:{2:016x}", 1)
    raw.sadd(f"{p}:band:{9:016x}", 77)
    raw.hdel(f"{p}:ids", "a2")
    raw.set(f"{p}:count", 1)
    found = store.problems()
    assert "document 1 (a1) is missing from 1 band sets" in found
    assert "band:0000000000000009 names unknown document 77" in found
    assert "cluster c2 has no members" in found
    assert "document 2 (a2) is not in the ids hash" in found
    assert "the count is 1 but document 2 exists" in found


# -- fast unit tests with fakeredis -----------------------------------------------------


@pytest.fixture
def fake() -> RedisStore:
    store = RedisStore(prefix="unit", client=fakeredis.FakeRedis())
    store.create(manifest_for(DedupParams()))
    return store


def test_fake_round_trip_and_window(fake: RedisStore) -> None:
    with fake.writer("r1"):
        fake.commit(
            _batch(
                [
                    _article(1, [5, 6], ingested=100.0, published=10.0),
                    _article(2, [6], ingested=200.0),
                ],
                2,
            )
        )
    keys, rows = np.array([6, 6, 5], np.uint64), np.array([4, 3, 3], np.int64)
    assert fake.lookup(keys, rows, 50, "published").tolist() == [[3, 2], [4, 2]]
    assert fake.lookup(keys, rows, 50, "ingested").tolist() == [[3, 1], [3, 2], [4, 1], [4, 2]]
    assert fake.lookup(keys[:0], rows[:0], 0, "ingested").shape == (0, 2)
    assert [a.article_id for a in fake.export()] == ["a1", "a2"]
    assert fake.problems() == []


def test_fake_lookup_skips_documents_without_a_time(fake: RedisStore) -> None:
    with fake.writer("r1"):
        fake.commit(_batch([_article(1, [5]), _article(2, [5])], 2))
    fake._r.zrem("unit:time:published", 1)  # pruned by another job meanwhile
    found = fake.lookup(np.array([5], np.uint64), np.array([0], np.int64), -np.inf, "published")
    assert found.tolist() == [[0, 2]]
    assert "document 1 has no or a wrong time:published entry" in fake.problems()


def test_fake_create_twice_refused(fake: RedisStore) -> None:
    with pytest.raises(IndexStoreError, match="exists already"):
        fake.create(manifest_for(DedupParams()))


def test_fake_dead_local_holder_taken_over(fake: RedisStore) -> None:
    dead = subprocess.Popen(["true"])
    dead.wait()
    holder = (
        f'{{"token":"x","pid":{dead.pid},"host":"{socket.gethostname()}",'
        '"run":"r0","since":"then"}'
    )
    fake._r.set("unit:lock", holder.encode(), px=30_000)
    with fake.writer("r1"):
        assert b'"run":"r1"' in (fake._r.get("unit:lock") or b"")


def test_fake_flushed_server_refused_then_rebuilt(fake: RedisStore) -> None:
    client = fake._r
    with fake.writer("r1"):
        fake.commit(_batch([_article(1, [1])], 1))
    client.flushall()
    with pytest.raises(IndexStoreError, match=r"lost the index it had \(count 0, expected ≥ 1\)"):
        RedisStore(prefix="unit", client=client)
    rebuilt = RedisStore(prefix="unit", client=client, rebuild=True)
    assert rebuilt.manifest() is None
    assert not rebuilt._sentinel_path().exists()


@pytest.mark.parametrize("prefix", ["", "a:b", "a*", "x y", "ü"])
def test_prefix_must_be_plain(prefix: str) -> None:
    with pytest.raises(ConfigError, match="index prefix"):
        RedisStore(prefix=prefix, client=fakeredis.FakeRedis())


def test_sentinel_lives_in_the_state_dir(fake: RedisStore, tmp_path: Path) -> None:
    path = fake._sentinel_path()
    assert path.parent == Path(os.environ["DEDUP_STATE_DIR"])
    assert path.name.startswith("redis-")
    assert path.suffix == ".json"
    assert not list(path.parent.glob("*.tmp"))


def test_missing_redis_py_names_the_extra() -> None:
    proc = _python(
        "import sys; sys.modules['redis'] = None; import dedup.index.redis",
    )
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "ConfigError: Redis indexes need redis-py: pip install 'dedup[redis]'" in err
