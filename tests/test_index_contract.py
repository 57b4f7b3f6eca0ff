"""The ``IndexStore`` contract, run against every backend.

Each test gets a ``store`` of one backend (the ``backend`` fixture's params); adding a
backend is one entry in ``BACKENDS`` and one branch in ``new_url``. Nothing here looks
inside a backend: what one backend does beyond the contract (SQLite's WAL, migrations,
corruption) is tested in its own file.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from dedup.errors import IndexLockedError, IndexStoreError
from dedup.index import (
    CanonicalMove,
    CommitBatch,
    IndexedArticle,
    IndexStore,
    RunRecord,
    StoredCluster,
    WindowBy,
    check_manifest,
    manifest_for,
    open_index,
    sqlite_bands,
)
from dedup.index.codec import meta_bytes
from dedup.params import DedupParams
from dedup.records import Article, Evidence

ROOT = Path(__file__).resolve().parents[1]
PARAMS = DedupParams()
BACKENDS = ["sqlite", "redis"]
TOP = 2**64 - 1


# -- test data -----------------------------------------------------------------------------


def meta_for(article_id: str) -> bytes:
    article = Article(
        id=article_id,
        text="",
        title=f"Title of {article_id}",
        url=f"https://example.com/{article_id}",
        outlet="Example News",
        published_at="2024-05-01T10:00:00Z",
    )
    return meta_bytes(article, Evidence(agencies=("AP",), dateline="LONDON", syndicated=True))


def make_article(
    article_id: str,
    keys: Sequence[int],
    *,
    cluster_id: str | None = None,
    run_id: str = "run-1",
    ingested: float = 1_000.0,
    published: float | None = None,
) -> IndexedArticle:
    """An article with random shingles and entities (seeded by its id), the extreme
    uint64 values among them, and these band keys."""
    rng = np.random.default_rng(zlib.crc32(article_id.encode()))
    shingles = np.unique(rng.integers(0, 2**64, size=40, dtype=np.uint64, endpoint=False))
    entities = np.concatenate(
        [np.array([0, TOP, 2**63], dtype=np.uint64), rng.integers(0, 2**64, 4, np.uint64)]
    )
    return IndexedArticle(
        article_id=article_id,
        cluster_id=cluster_id or f"c-{article_id}",
        run_id=run_id,
        ingested=ingested,
        published=published,
        meta=meta_for(article_id),
        shingles=shingles,
        entities=entities,
        index_keys=np.array(keys, dtype=np.uint64),
    )


def make_batch(
    articles: Sequence[IndexedArticle],
    *,
    run_id: str = "run-1",
    records_done: int | None = None,
    clusters: Sequence[StoredCluster] = (),
    moves: Sequence[CanonicalMove] = (),
    finished: bool = False,
) -> CommitBatch:
    return CommitBatch(
        run_id=run_id,
        records_done=len(articles) if records_done is None else records_done,
        articles=list(articles),
        clusters=list(clusters),
        moves=list(moves),
        finished=finished,
    )


def lookup(
    store: IndexStore, keys: Sequence[int], rows: Sequence[int], since: float, by: WindowBy
) -> list[tuple[int, int]]:
    found = store.lookup(np.array(keys, np.uint64), np.array(rows, np.int64), since, by)
    assert found.dtype == np.int64
    assert found.ndim == 2
    assert found.shape[1] == 2
    return [(int(r), int(d)) for r, d in found]


def docs_of(store: IndexStore) -> dict[str, int]:
    return {a.article_id: a.doc for a in store.export()}


# -- fixtures ------------------------------------------------------------------------------


def _with_prefix(url: str, prefix: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "prefix"] + [("prefix", prefix)]
    return urlunsplit(parts._replace(query=urlencode(query)))


@pytest.fixture(params=BACKENDS)
def new_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[], str]:
    """Each call names a new, empty index of the backend under test (SQLite's band runs
    made tiny, so that these small indexes span several blocks and merge runs)."""
    if request.param == "sqlite":
        monkeypatch.setattr(sqlite_bands, "BLOCK_ENTRIES", 2)
        monkeypatch.setattr(sqlite_bands, "FANOUT", 2)
        names = itertools.count()

        def sqlite_url() -> str:
            number = next(names)
            return str(tmp_path / ("index.db" if number == 0 else f"index-{number}.db"))

        return sqlite_url
    if request.param == "redis":
        pytest.importorskip("dedup.index.redis")
        base = str(request.getfixturevalue("redis_url"))
        first = [base]

        def redis_url() -> str:
            if first:
                return first.pop()
            return _with_prefix(base, f"t-{uuid.uuid4().hex[:12]}")

        return redis_url
    raise AssertionError(f"no URL for backend {request.param}")


@pytest.fixture
def make_store(new_url: Callable[[], str]) -> Iterator[Callable[..., IndexStore]]:
    """Open (and close at the end) stores: a new index, or ``url``'s; with ``params`` the
    manifest is checked or created, as a run does before its first batch."""
    opened: list[IndexStore] = []

    def make(url: str | None = None, *, params: DedupParams | None = PARAMS) -> IndexStore:
        store = open_index(url or new_url())
        opened.append(store)
        if params is not None:
            check_manifest(store, params)
        return store

    yield make
    for store in opened:
        store.close()


@pytest.fixture
def url(new_url: Callable[[], str]) -> str:
    return new_url()


@pytest.fixture
def store(make_store: Callable[..., IndexStore], url: str) -> IndexStore:
    return make_store(url)


# -- manifest ------------------------------------------------------------------------------


def test_a_new_index_has_no_manifest_until_one_is_created(
    make_store: Callable[..., IndexStore],
) -> None:
    store = make_store(params=None)
    assert store.manifest() is None
    manifest = manifest_for(PARAMS)
    store.create(manifest)
    assert store.manifest() == manifest
    with pytest.raises(IndexStoreError):
        store.create(manifest_for(PARAMS))
    assert store.manifest() == manifest


def test_the_manifest_survives_reopening(
    make_store: Callable[..., IndexStore], store: IndexStore, url: str
) -> None:
    found = store.manifest()
    assert found is not None
    assert found.fingerprint == PARAMS.fingerprint()
    again = make_store(url, params=None)
    assert again.manifest() == found
    assert check_manifest(again, PARAMS) == found


def test_check_manifest_refuses_other_parameters_naming_the_setting(store: IndexStore) -> None:
    with pytest.raises(IndexStoreError, match=r"jaccard_threshold=0\.5 \(this run: 0\.6\)") as info:
        check_manifest(store, DedupParams(jaccard_threshold=0.6))
    assert "\n" not in str(info.value)
    assert "num_perm" not in str(info.value)


# -- commit, lookup, articles --------------------------------------------------------------


def test_documents_are_numbered_in_commit_order_from_one(store: IndexStore) -> None:
    store.commit(make_batch([make_article(i, [1]) for i in ("x", "b", "m")]))
    store.commit(make_batch([make_article(i, [2]) for i in ("a", "z")]))
    assert [(a.article_id, a.doc) for a in store.export()] == [
        ("x", 1),
        ("b", 2),
        ("m", 3),
        ("a", 4),
        ("z", 5),
    ]


def test_articles_by_id_in_the_order_asked_without_unknown_ids(store: IndexStore) -> None:
    store.commit(make_batch([make_article(i, [1]) for i in ("x", "b", "m")]))
    found = store.articles_by_id(["m", "nope", "x", "m"])
    assert [(a.article_id, a.doc) for a in found] == [("m", 3), ("x", 1)]
    assert store.articles_by_id([]) == []


def test_document_numbers_are_not_reused_after_a_prune(store: IndexStore) -> None:
    store.commit(make_batch([make_article("old", [1], ingested=10.0)]))
    store.commit(make_batch([make_article("new", [1], ingested=500.0)]))
    assert store.prune(600.0, "ingested") == 2
    store.commit(make_batch([make_article("later", [1])]))
    assert docs_of(store) == {"later": 3}


def test_lookup_returns_sorted_unique_row_document_pairs(store: IndexStore) -> None:
    store.commit(
        make_batch(
            [
                make_article("a", [1, 2, 3]),
                make_article("b", [3, 4]),
                make_article("c", [5, TOP, 2**63]),
            ]
        )
    )
    found = lookup(
        store,
        keys=[3, 1, 3, 4, 9, TOP, 2**63, 2, 3],
        rows=[0, 0, 1, 2, 3, 4, 4, 5, 0],
        since=0.0,
        by="ingested",
    )
    assert found == [(0, 1), (0, 2), (1, 1), (1, 2), (2, 2), (4, 3), (5, 1)]


def test_lookup_of_nothing_or_unknown_keys_is_empty(store: IndexStore) -> None:
    assert lookup(store, [], [], 0.0, "published") == []
    store.commit(make_batch([make_article("a", [1])]))
    assert lookup(store, [7, 8], [0, 1], 0.0, "published") == []


@pytest.mark.parametrize(
    ("since", "by", "expected"),
    [
        # a: ingested 100, published 50; b: ingested 50, unknown publication; c: 10 / 200
        (0.0, "ingested", ["a", "b", "c"]),
        (60.0, "ingested", ["a"]),
        (100.0, "ingested", ["a"]),
        (100.1, "ingested", []),
        (0.0, "published", ["a", "b", "c"]),
        (50.0, "published", ["a", "b", "c"]),
        (60.0, "published", ["c"]),
        (200.0, "published", ["c"]),
        (201.0, "published", []),
    ],
)
def test_lookup_keeps_documents_inside_the_window(
    store: IndexStore, since: float, by: WindowBy, expected: list[str]
) -> None:
    store.commit(
        make_batch(
            [
                make_article("a", [42], ingested=100.0, published=50.0),
                make_article("b", [42], ingested=50.0, published=None),
                make_article("c", [42], ingested=10.0, published=200.0),
            ]
        )
    )
    numbers = docs_of(store)
    assert lookup(store, [42], [7], since, by) == [(7, numbers[i]) for i in expected]


def test_a_huge_bucket_gives_its_lowest_document_in_the_window(store: IndexStore) -> None:
    # key 42 is held by five documents, key 7 by two; the window drops document 1
    store.commit(
        make_batch(
            [make_article("early", [42], ingested=10.0)]
            + [make_article(f"k{n}", [42, 7] if n < 2 else [42]) for n in range(4)]
        )
    )

    def capped(keys: list[int], rows: list[int], max_bucket: int) -> list[tuple[int, int]]:
        found = store.lookup(
            np.array(keys, np.uint64), np.array(rows, np.int64), 100.0, "ingested", max_bucket
        )
        return [(int(r), int(d)) for r, d in found]

    # four stored in the window and one row: five holders; a bucket of up to five is whole
    assert capped([42, 7], [0, 0], 5) == [(0, 2), (0, 3), (0, 4), (0, 5)]
    # over the cap: the row meets the lowest document in the window only; key 7 stays whole
    assert capped([42, 7], [0, 0], 4) == [(0, 2), (0, 3)]
    # the caller's rows count too: two rows holding 42 make six holders
    assert capped([42, 42], [0, 1], 5) == [(0, 2), (1, 2)]
    assert capped([42], [0], 1) == [(0, 2)]


def test_articles_round_trip_exactly_in_the_order_asked(store: IndexStore) -> None:
    sent = [
        make_article("a", [1, 2], cluster_id="c1", ingested=1.5, published=None),
        make_article("b", [3], cluster_id="c1", ingested=2.25, published=1e9 + 0.5),
        make_article("c", [], cluster_id="c9", run_id="run-1", ingested=3.0, published=0.0),
    ]
    store.commit(make_batch(sent))
    got = store.articles([3, 1, 99, 2, 0])
    assert [a.article_id for a in got] == ["c", "a", "b"]
    for article in got:
        original = next(s for s in sent if s.article_id == article.article_id)
        assert article.doc == {"a": 1, "b": 2, "c": 3}[article.article_id]
        assert article.cluster_id == original.cluster_id
        assert article.run_id == original.run_id
        assert article.ingested == original.ingested
        assert article.published == original.published
        assert article.meta == original.meta
        for name in ("shingles", "entities"):
            value = getattr(article, name)
            assert value.dtype == np.uint64
            np.testing.assert_array_equal(value, getattr(original, name))
        assert article.index_keys.size == 0
    assert store.articles([]) == []


def test_articles_without_sets_carry_everything_else(store: IndexStore) -> None:
    sent = [make_article("a", [1], published=5.0), make_article("b", [2], cluster_id="c-a")]
    store.commit(make_batch(sent))
    whole = store.articles([2, 1, 99])
    bare = store.articles([2, 1, 99], sets=False)
    assert [(a.doc, a.article_id, a.cluster_id, a.run_id) for a in bare] == [
        (a.doc, a.article_id, a.cluster_id, a.run_id) for a in whole
    ]
    assert [(a.ingested, a.published, a.meta) for a in bare] == [
        (a.ingested, a.published, a.meta) for a in whole
    ]
    assert all(a.shingles.size == a.entities.size == 0 for a in bare)
    assert all(a.shingles.size > 0 for a in whole)
    assert [a.article_id for a in store.run_articles("run-1", sets=False)] == ["a", "b"]


def test_known_names_the_stored_ids(store: IndexStore) -> None:
    assert store.known(["a", "b"]) == set()
    store.commit(make_batch([make_article("a", [1]), make_article("c", [2])]))
    assert store.known(["a", "b", "c", "a"]) == {"a", "c"}
    assert store.known([]) == set()


def test_clusters_are_upserted_and_their_documents_listed(store: IndexStore) -> None:
    first = StoredCluster("c1", "a", b'{"canonical_id":"a"}')
    store.commit(
        make_batch(
            [make_article("a", [1], cluster_id="c1"), make_article("b", [1], cluster_id="c1")],
            clusters=[first],
        )
    )
    assert store.clusters(["c1", "nope"]) == {"c1": first}
    changed = StoredCluster("c1", "d", b'{"canonical_id":"d"}')
    store.commit(
        make_batch(
            [make_article("c", [2], cluster_id="c2"), make_article("d", [1], cluster_id="c1")],
            clusters=[changed],
        )
    )
    assert store.clusters(["c1"]) == {"c1": changed}
    assert store.clusters(["c2"]) == {}
    assert store.cluster_docs(["c1"]) == [1, 2, 4]
    assert store.cluster_docs(["c2", "c1", "none"]) == [1, 2, 3, 4]
    assert store.cluster_docs([]) == []
    assert store.stats().clusters == 1


def test_run_markers_record_the_resume_point(store: IndexStore) -> None:
    assert store.run("r") is None
    assert store.begin_run("r", 100.0) == RunRecord("r", 100.0, 0, False)
    assert store.begin_run("r", 200.0) == RunRecord("r", 100.0, 0, False)
    store.commit(make_batch([make_article("a", [1], run_id="r")], run_id="r", records_done=7))
    assert store.run("r") == RunRecord("r", 100.0, 7, False)
    store.commit(make_batch([], run_id="r", records_done=9, finished=True))
    assert store.run("r") == RunRecord("r", 100.0, 9, True)
    assert store.begin_run("r", 300.0) == RunRecord("r", 100.0, 9, True)


def test_run_articles_and_moves_are_per_run_in_order(store: IndexStore) -> None:
    store.begin_run("r1", 1.0)
    store.begin_run("r2", 2.0)
    store.commit(
        make_batch(
            [make_article("b", [1], run_id="r1"), make_article("a", [2], run_id="r1")],
            run_id="r1",
            moves=[CanonicalMove("c1", "x", "y"), CanonicalMove("c0", "p", "q")],
        )
    )
    store.commit(
        make_batch(
            [make_article("c", [1], run_id="r2")],
            run_id="r2",
            moves=[CanonicalMove("c9", "m", "n")],
        )
    )
    store.commit(
        make_batch(
            [make_article("d", [3], run_id="r1")],
            run_id="r1",
            moves=[CanonicalMove("c1", "y", "z")],
        )
    )
    assert [a.article_id for a in store.run_articles("r1")] == ["b", "a", "d"]
    assert [a.doc for a in store.run_articles("r1")] == [1, 2, 4]
    assert [a.article_id for a in store.run_articles("r2")] == ["c"]
    assert store.run_articles("r3") == []
    assert store.run_moves("r1") == [
        CanonicalMove("c1", "x", "y"),
        CanonicalMove("c0", "p", "q"),
        CanonicalMove("c1", "y", "z"),
    ]
    assert store.run_moves("r2") == [CanonicalMove("c9", "m", "n")]
    assert store.run_moves("r3") == []


# -- prune, export, stats, problems --------------------------------------------------------


def _four_articles(store: IndexStore) -> None:
    store.commit(
        make_batch(
            [
                make_article("t10", [1, 2], cluster_id="old", ingested=10.0),
                make_article("t20", [2, 3], cluster_id="mixed", ingested=20.0, published=35.0),
                make_article("t30", [3, 4], cluster_id="mixed", ingested=30.0, published=5.0),
                make_article("t40", [4, 1], cluster_id="new", ingested=40.0),
            ],
            clusters=[
                StoredCluster("old", "t10", b"{}"),
                StoredCluster("mixed", "t20", b"{}"),
                StoredCluster("new", "t40", b"{}"),
            ],
        )
    )


def test_prune_by_ingest_time_removes_articles_entries_and_empty_clusters(
    store: IndexStore,
) -> None:
    _four_articles(store)
    assert store.prune(25.0, "ingested") == 2
    assert store.known(["t10", "t20", "t30", "t40"]) == {"t30", "t40"}
    assert lookup(store, [1, 2, 3, 4], [0, 1, 2, 3], 0.0, "ingested") == [
        (0, 4),
        (2, 3),
        (3, 3),
        (3, 4),
    ]
    assert [a.article_id for a in store.articles([1, 2, 3, 4])] == ["t30", "t40"]
    assert set(store.clusters(["old", "mixed", "new"])) == {"mixed", "new"}
    assert store.cluster_docs(["mixed"]) == [3]
    stats = store.stats()
    assert (stats.articles, stats.clusters, stats.band_entries) == (2, 2, 4)
    assert store.problems() == []
    assert store.prune(25.0, "ingested") == 0


def test_prune_by_publication_falls_back_to_ingest_time(store: IndexStore) -> None:
    _four_articles(store)
    # window times by publication: t10 10, t20 35, t30 5, t40 40
    assert store.prune(20.0, "published") == 2
    assert store.known(["t10", "t20", "t30", "t40"]) == {"t20", "t40"}
    assert set(store.clusters(["old", "mixed", "new"])) == {"mixed", "new"}
    assert lookup(store, [3], [0], 0.0, "published") == [(0, 2)]
    assert store.problems() == []


def test_export_streams_every_article_in_document_order(store: IndexStore) -> None:
    ids = [f"a{n:03d}" for n in range(120)]
    rng = np.random.default_rng(5)
    order = rng.permutation(len(ids))
    for chunk in np.array_split(order, 7):
        store.commit(make_batch([make_article(ids[i], [int(i) % 9]) for i in chunk]))
    exported = list(store.export())
    assert [a.doc for a in exported] == list(range(1, 121))
    assert [a.article_id for a in exported] == [ids[i] for i in order]


def test_stats_count_what_is_stored(store: IndexStore) -> None:
    empty = store.stats()
    assert (empty.articles, empty.clusters, empty.band_entries, empty.runs) == (0, 0, 0, 0)
    assert empty.oldest is None
    assert empty.newest is None
    assert empty.manifest == store.manifest()
    _four_articles(store)
    store.commit(make_batch([make_article("e", [9, 9, 8], run_id="r2")], run_id="r2"))
    stats = store.stats()
    assert (stats.articles, stats.clusters, stats.band_entries, stats.runs) == (5, 3, 10, 2)
    assert stats.oldest == 5.0  # t30's publication
    assert stats.newest == 1_000.0  # e, known only by its ingest time
    assert stats.bytes_on_disk is None or stats.bytes_on_disk > 0


def test_problems_is_empty_after_normal_use(store: IndexStore) -> None:
    assert store.problems() == []
    _four_articles(store)
    store.commit(
        make_batch(
            [make_article("e", [1, 9], cluster_id="new")],
            clusters=[StoredCluster("new", "e", b"{}")],
            moves=[CanonicalMove("new", "t40", "e")],
        )
    )
    store.prune(15.0, "ingested")
    assert store.problems() == []


def _snapshot(store: IndexStore) -> object:
    stats = store.stats()
    return (
        (stats.articles, stats.clusters, stats.band_entries, stats.runs),
        [(a.doc, a.article_id, a.cluster_id, a.meta) for a in store.export()],
        store.clusters(["c1", "c2", "c-a", "c-b"]),
        store.run("run-1"),
        store.run_moves("run-1"),
        lookup(store, [1, 2, 3, 4], [0, 1, 2, 3], 0.0, "ingested"),
    )


def test_a_failing_commit_leaves_the_store_unchanged(store: IndexStore) -> None:
    store.commit(
        make_batch(
            [make_article("a", [1, 2], cluster_id="c1")],
            clusters=[StoredCluster("c1", "a", b"one")],
            records_done=3,
        )
    )
    before = _snapshot(store)
    duplicate = make_batch(
        [
            make_article("b", [2, 3], cluster_id="c1"),
            make_article("a", [4], cluster_id="c2"),
        ],
        clusters=[StoredCluster("c1", "b", b"two"), StoredCluster("c2", "a", b"three")],
        moves=[CanonicalMove("c1", "a", "b")],
        records_done=99,
        finished=True,
    )
    with pytest.raises(IndexStoreError) as info:
        store.commit(duplicate)
    assert "\n" not in str(info.value)
    assert _snapshot(store) == before
    twice = make_batch([make_article("b", [3]), make_article("b", [4])], records_done=99)
    with pytest.raises(IndexStoreError):
        store.commit(twice)
    assert _snapshot(store) == before
    assert store.known(["b"]) == set()
    assert store.problems() == []
    # the refused batches used no document numbers
    store.commit(make_batch([make_article("b", [3])], records_done=5))
    assert docs_of(store) == {"a": 1, "b": 2}


# -- the writer lock -----------------------------------------------------------------------

HOLDER = """
import sys, time
from dedup.index import open_index
store = open_index(sys.argv[1])
with store.writer("holder-run"):
    print("locked", flush=True)
    time.sleep(300)
"""


def _subprocess_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("DEDUP_CRASH_AT", None)
    return env


def test_the_writer_lock_refuses_a_second_process_and_recovers_from_a_killed_holder(
    store: IndexStore, url: str
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_subprocess_env(),
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        with (
            pytest.raises(IndexLockedError, match=rf"pid {holder.pid}\b") as info,
            store.writer("second-run"),
        ):
            pytest.fail("a second writer got the lock")
        assert time.monotonic() - started < 5
        message = str(info.value)
        assert "holder-run" in message
        assert "\n" not in message
        # a write without the lock is refused too while someone holds it
        with pytest.raises(IndexLockedError):
            store.commit(make_batch([make_article("a", [1])]))
        assert store.known(["a"]) == set()
        # reads keep working
        assert store.stats().articles == 0
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    deadline = time.monotonic() + 60
    while True:
        try:
            with store.writer("after-the-kill"):
                store.commit(make_batch([make_article("a", [1])]))
            break
        except IndexLockedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert store.known(["a"]) == {"a"}
    assert store.problems() == []


def test_the_writer_lock_is_released_on_exit_and_held_against_another_store(
    make_store: Callable[..., IndexStore], store: IndexStore, url: str
) -> None:
    other = make_store(url)
    with store.writer("one"):
        store.commit(make_batch([make_article("a", [1])], run_id="one"))
        with pytest.raises(IndexLockedError, match=rf"pid {os.getpid()}\b"), other.writer("two"):
            pytest.fail("a second writer got the lock")
    with other.writer("two"):
        other.commit(make_batch([make_article("b", [1])], run_id="two"))
    with pytest.raises(RuntimeError, match="boom"), store.writer("three"):
        raise RuntimeError("boom")
    with other.writer("four"):
        pass
    assert store.known(["a", "b"]) == {"a", "b"}


# -- a state machine against a dict model --------------------------------------------------

KEY_POOL = [0, 1, 2, 3, 2**63, 2**63 - 1, 2**40 + 7, TOP]
ID_POOL = [f"art-{n}" for n in range(10)]
CLUSTER_POOL = ["c-a", "c-b", "c-c"]
RUN_POOL = ["run-1", "run-2"]
TIMES = st.integers(0, 100).map(float)


@dataclass(frozen=True)
class Modelled:
    doc: int
    keys: frozenset[int]
    cluster_id: str
    ingested: float
    published: float | None

    def window(self, by: WindowBy) -> float:
        if by == "published" and self.published is not None:
            return self.published
        return self.ingested


ARTICLE_SPECS = st.lists(
    st.tuples(
        st.sampled_from(ID_POOL),
        st.lists(st.sampled_from(KEY_POOL), max_size=4),
        st.sampled_from(CLUSTER_POOL),
        TIMES,
        st.one_of(st.none(), TIMES),
    ),
    max_size=4,
    unique_by=lambda spec: spec[0],
)


def test_the_store_behaves_like_a_dict_model(make_store: Callable[..., IndexStore]) -> None:
    class IndexMachine(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.store = make_store()
            self.articles: dict[str, Modelled] = {}
            self.clusters: dict[str, StoredCluster] = {}
            self.runs: set[str] = set()
            self.last_doc = 0

        @rule(specs=ARTICLE_SPECS, run_id=st.sampled_from(RUN_POOL), payload=st.binary(max_size=8))
        def commit(
            self,
            specs: list[tuple[str, list[int], str, float, float | None]],
            run_id: str,
            payload: bytes,
        ) -> None:
            fresh = [spec for spec in specs if spec[0] not in self.articles]
            batch = [
                make_article(
                    article_id,
                    keys,
                    cluster_id=cluster_id,
                    run_id=run_id,
                    ingested=ingested,
                    published=published,
                )
                for article_id, keys, cluster_id, ingested, published in fresh
            ]
            clusters = [
                StoredCluster(c, batch[0].article_id, payload)
                for c in sorted({a.cluster_id for a in batch})
            ]
            self.store.commit(make_batch(batch, run_id=run_id, clusters=clusters))
            numbers = docs_of(self.store)
            for offset, (article_id, keys, cluster_id, ingested, published) in enumerate(fresh):
                doc = self.last_doc + 1 + offset
                assert numbers[article_id] == doc
                self.articles[article_id] = Modelled(
                    doc, frozenset(keys), cluster_id, ingested, published
                )
            self.last_doc += len(fresh)
            self.clusters.update((c.cluster_id, c) for c in clusters)
            self.runs.add(run_id)

        @precondition(lambda self: bool(self.articles))
        @rule(data=st.data(), spec=ARTICLE_SPECS)
        def commit_a_duplicate(self, data: st.DataObject, spec: list[tuple[str, ...]]) -> None:
            stored = data.draw(st.sampled_from(sorted(self.articles)))
            fresh = [make_article(s[0], [1]) for s in spec if s[0] not in self.articles]
            with pytest.raises(IndexStoreError):
                self.store.commit(make_batch([*fresh, make_article(stored, [2])]))

        @rule(before=TIMES, by=st.sampled_from(["published", "ingested"]))
        def prune(self, before: float, by: WindowBy) -> None:
            gone = {i for i, a in self.articles.items() if a.window(by) < before}
            assert self.store.prune(before, by) == len(gone)
            for article_id in gone:
                del self.articles[article_id]
            alive = {a.cluster_id for a in self.articles.values()}
            self.clusters = {c: v for c, v in self.clusters.items() if c in alive}

        @rule(
            query=st.lists(
                st.tuples(st.sampled_from([*KEY_POOL, 777]), st.integers(0, 5)), max_size=8
            ),
            since=TIMES,
            by=st.sampled_from(["published", "ingested"]),
        )
        def lookup(self, query: list[tuple[int, int]], since: float, by: WindowBy) -> None:
            expected = sorted(
                {
                    (row, a.doc)
                    for key, row in query
                    for a in self.articles.values()
                    if key in a.keys and a.window(by) >= since
                }
            )
            keys = [key for key, _ in query]
            rows = [row for _, row in query]
            assert lookup(self.store, keys, rows, since, by) == expected

        @invariant()
        def agrees_with_the_model(self) -> None:
            assert self.store.known(ID_POOL) == set(self.articles)
            stats = self.store.stats()
            assert stats.articles == len(self.articles)
            assert stats.band_entries == sum(len(a.keys) for a in self.articles.values())
            assert stats.clusters == len(self.clusters)
            assert stats.runs == len(self.runs)
            assert self.store.clusters(CLUSTER_POOL) == self.clusters
            assert self.store.problems() == []

        def teardown(self) -> None:
            self.store.close()

    run_state_machine_as_test(
        IndexMachine,
        settings=settings(max_examples=40, stateful_step_count=15, deadline=None),
    )
