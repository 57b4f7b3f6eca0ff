"""What the SQLite index promises beyond the contract: WAL (readers during a write),
versioned migrations, files that are not indexes, damage reported, and a ``kill -9``
inside the transaction leaving the file as it was."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
import zlib
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

import dedup.index.sqlite as sqlite_backend
from dedup.errors import IndexLockedError, IndexStoreError
from dedup.index import (
    CommitBatch,
    IndexedArticle,
    IndexStore,
    StoredCluster,
    check_manifest,
    open_index,
    sqlite_bands,
)
from dedup.index.codec import meta_bytes
from dedup.index.sqlite import MIGRATIONS, SqliteStore
from dedup.params import DedupParams
from dedup.records import Article, Evidence

ROOT = Path(__file__).resolve().parents[1]
PARAMS = DedupParams()


def make_article(
    article_id: str,
    keys: Sequence[int],
    *,
    cluster_id: str = "c1",
    run_id: str = "run-1",
    ingested: float = 1_000.0,
) -> IndexedArticle:
    rng = np.random.default_rng(zlib.crc32(article_id.encode()))
    return IndexedArticle(
        article_id=article_id,
        cluster_id=cluster_id,
        run_id=run_id,
        ingested=ingested,
        published=None,
        meta=meta_bytes(Article(id=article_id, text="", title=article_id), Evidence()),
        shingles=np.unique(rng.integers(0, 2**64, size=30, dtype=np.uint64)),
        entities=rng.integers(0, 2**64, size=3, dtype=np.uint64),
        index_keys=np.array(keys, dtype=np.uint64),
    )


def make_batch(articles: Sequence[IndexedArticle], *, records_done: int = 0) -> CommitBatch:
    clusters = [
        StoredCluster(c, articles[0].article_id, b"{}") for c in {a.cluster_id for a in articles}
    ]
    return CommitBatch(
        run_id="run-1",
        records_done=records_done,
        articles=list(articles),
        clusters=clusters,
    )


def raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def band_entries(conn: sqlite3.Connection) -> list[tuple[int, int]]:
    """Every (key, doc) band entry, in (key, doc) order."""
    found: list[tuple[int, int]] = []
    for ref in sqlite_bands.blocks(conn):
        keys, docs = sqlite_bands.read_block(conn, ref.block)
        found.extend(zip(keys.tolist(), docs.tolist(), strict=True))
    return sorted(found)


def rewrite_bands(path: Path, entries: Sequence[tuple[int, int]]) -> None:
    """Damage for the checker: the band entries replaced by ``entries``, as one
    well-formed run."""
    with raw(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("DELETE FROM band_blocks")
        pairs = np.array(entries, dtype=np.int64).reshape(-1, 2)
        sqlite_bands.add_run(conn, pairs[:, 0], pairs[:, 1])
        conn.execute("COMMIT")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "index.db"


@pytest.fixture
def store(path: Path) -> Iterator[SqliteStore]:
    opened = open_index(str(path))
    assert isinstance(opened, SqliteStore)
    check_manifest(opened, PARAMS)
    opened.commit(
        make_batch(
            [make_article("a", [1, 2, 3]), make_article("b", [3, 4], cluster_id="c2")],
            records_done=2,
        )
    )
    yield opened
    opened.close()


def _subprocess_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.pop("DEDUP_CRASH_AT", None)
    env.update(extra)
    return env


# -- WAL and readers -----------------------------------------------------------------------


def test_the_index_is_in_wal_mode_with_normal_sync(store: SqliteStore, path: Path) -> None:
    with raw(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA application_id").fetchone()[0] == sqlite_backend.APPLICATION_ID
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert store._connection().execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL


BUSY_WRITER = """
import sqlite3, sys, time
from dedup.index import open_index
store = open_index(sys.argv[1])
with store.writer("busy-run"):
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO clusters VALUES ('pending', 'x', x'00')")
    conn.execute("DELETE FROM band_blocks")
    print("writing", flush=True)
    time.sleep(300)
"""


def test_readers_keep_reading_while_another_process_writes(store: SqliteStore, path: Path) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", BUSY_WRITER, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=_subprocess_env(),
    )
    try:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "writing"
        started = time.monotonic()
        reader = open_index(str(path), must_exist=True)
        try:
            found = reader.lookup(
                np.array([3, 4], np.uint64), np.array([0, 1], np.int64), 0.0, "ingested"
            )
            assert found.tolist() == [[0, 1], [0, 2], [1, 2]]
            assert [a.article_id for a in reader.articles([2, 1])] == ["b", "a"]
            assert reader.clusters(["pending"]) == {}
            assert reader.stats().band_entries == 5
            assert list(reader.known(["a", "b"])) != []
            with pytest.raises(IndexLockedError, match=rf"pid {writer.pid}\b.*busy-run"):
                reader.commit(make_batch([make_article("c", [9])]))
        finally:
            reader.close()
        assert time.monotonic() - started < 2
        # the same holds for the store that was open before the write began
        assert store.stats().band_entries == 5
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    assert store.clusters(["pending"]) == {}
    assert store.problems() == []
    with store.writer("next"):
        store.commit(make_batch([make_article("c", [9])]))
    assert store.known(["c"]) == {"c"}


def test_the_lock_file_names_its_holder_and_is_emptied_on_release(
    store: SqliteStore, path: Path
) -> None:
    lock = Path(str(path) + ".lock")
    with store.writer("run-x"):
        holder = lock.read_text()
        assert f'"pid":{os.getpid()}' in holder
        assert '"run":"run-x"' in holder
    assert lock.read_text() == ""


# -- opening: missing files, foreign files, migrations -------------------------------------


def test_must_exist_refuses_a_missing_index_without_creating_it(tmp_path: Path) -> None:
    missing = tmp_path / "nothing.db"
    with pytest.raises(IndexStoreError) as info:
        open_index(str(missing), must_exist=True)
    assert str(info.value) == f"no index at {missing}; a scan with --index {missing} creates one"
    assert not missing.exists()


def test_must_exist_opens_an_existing_index(store: SqliteStore, path: Path) -> None:
    again = open_index(f"sqlite:///{path}", must_exist=True)
    try:
        assert again.known(["a"]) == {"a"}
    finally:
        again.close()


def test_a_file_that_is_not_a_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    content = b"these are my notes, not a database\n" * 200
    path.write_bytes(content)
    with pytest.raises(IndexStoreError, match="is not an SQLite database") as info:
        open_index(str(path))
    assert "\n" not in str(info.value)
    assert path.read_bytes() == content


def test_another_programs_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with raw(path) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(IndexStoreError, match="not a dedup index"):
        open_index(str(path))
    with raw(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        assert tables == ["customers"]
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 0


def test_a_directory_that_does_not_exist_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(IndexStoreError, match="cannot be opened") as info:
        open_index(str(tmp_path / "no" / "such" / "dir" / "index.db"))
    assert "\n" not in str(info.value)


EXTRA = """
    CREATE TABLE extra (x INTEGER NOT NULL);
    INSERT INTO extra (x) SELECT COUNT(*) FROM articles;
"""


def test_an_older_index_is_migrated_in_place(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    monkeypatch.setattr(sqlite_backend, "MIGRATIONS", [*MIGRATIONS, EXTRA])
    migrated = open_index(str(path))
    try:
        with raw(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) + 1
            assert conn.execute("SELECT x FROM extra").fetchall() == [(2,)]
        assert migrated.known(["a", "b"]) == {"a", "b"}
        assert migrated.problems() == []
    finally:
        migrated.close()


def test_a_failing_migration_changes_nothing(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.close()
    broken = "CREATE TABLE extra (x INTEGER); INSERT INTO no_such_table VALUES (1);"
    monkeypatch.setattr(sqlite_backend, "MIGRATIONS", [*MIGRATIONS, broken])
    with pytest.raises(IndexStoreError, match="no_such_table"):
        open_index(str(path))
    with raw(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'extra'").fetchall() == []


def test_an_index_from_a_newer_dedup_is_refused(store: SqliteStore, path: Path) -> None:
    store.close()
    with raw(path) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(IndexStoreError, match="upgrade dedup") as info:
        open_index(str(path))
    assert "\n" not in str(info.value)


def test_migration_scripts_split_into_statements() -> None:
    script = "CREATE TABLE t (x TEXT DEFAULT ';');\n INSERT INTO t VALUES ('a;b'); ;\n"
    assert [s.strip() for s in sqlite_backend._statements(script)] == [
        "CREATE TABLE t (x TEXT DEFAULT ';');",
        "INSERT INTO t VALUES ('a;b');",
    ]


# -- damage --------------------------------------------------------------------------------


def test_problems_reports_each_kind_of_damage(store: SqliteStore, path: Path) -> None:
    assert store.problems() == []
    with raw(path) as conn:
        entries = [e for e in band_entries(conn) if e[0] != 1]
    rewrite_bands(path, [*entries, (77, 99), (78, 2)])
    with raw(path) as conn:
        conn.execute("INSERT INTO clusters VALUES ('ghost', 'nobody', x'7b7d')")
        conn.execute(
            "INSERT INTO moves (run_id, cluster_id, previous, current) "
            "VALUES ('lost-run', 'c1', 'a', 'b')"
        )
        conn.execute("UPDATE meta SET value = '{broken' WHERE key = 'manifest'")
    found = "\n".join(store.problems())
    assert "1 articles miss 1 band entries (docs 1)" in found
    assert "not stored (docs 99)" in found
    assert "keys they do not hold (docs 2)" in found
    assert "clusters have no stored article (ghost)" in found
    assert "unrecorded runs (lost-run)" in found
    assert "manifest is damaged" in found
    assert "integrity_check" not in found


def test_problems_finds_a_band_entry_whose_key_was_changed(store: SqliteStore, path: Path) -> None:
    # same number of entries per document, so only the per-document checksum sees it
    with raw(path) as conn:
        entries = [(555, 2) if e == (4, 2) else e for e in band_entries(conn)]
    rewrite_bands(path, entries)
    found = "\n".join(store.problems())
    assert "1 articles miss 1 band entries (docs 2)" in found
    assert "keys they do not hold (docs 2)" in found


def test_problems_finds_a_document_counter_behind_the_documents(
    store: SqliteStore, path: Path
) -> None:
    with raw(path) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'next_doc'")
    assert store.problems() == ["the next document number (2) is not above the highest stored (2)"]


def test_problems_reports_what_integrity_check_finds(store: SqliteStore, path: Path) -> None:
    store.close()
    with raw(path) as conn:
        # make an index disagree with its table: a real inconsistency integrity_check sees
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute(
            "UPDATE sqlite_master SET sql = 'CREATE INDEX articles_run ON articles (cluster_id)' "
            "WHERE name = 'articles_run'"
        )
    damaged = open_index(str(path))
    try:
        problems = damaged.problems()
        assert problems
        assert any("integrity_check" in p and "articles_run" in p for p in problems)
    finally:
        damaged.close()


def test_a_block_out_of_order_or_damaged_is_reported(store: SqliteStore, path: Path) -> None:
    with raw(path) as conn:
        conn.execute(
            "INSERT INTO band_blocks (run, first_key, last_key, entries, keys, docs) "
            "VALUES (9, 1, 3, 2, ?, ?)",
            (np.array([3, 1], "<i8").tobytes(), np.array([1, 1], "<i8").tobytes()),
        )
        conn.execute(
            "INSERT INTO band_blocks (run, first_key, last_key, entries, keys, docs) "
            "VALUES (10, 1, 1, 1, ?, x'00')",
            (np.array([1], "<i8").tobytes(),),
        )
    found = "\n".join(store.problems())
    assert "1 band blocks are out of order" in found
    assert "is damaged: 8 bytes of keys, 1 of documents" in found
    with pytest.raises(IndexStoreError, match="is damaged"):
        store.lookup(np.array([1], np.uint64), np.array([0]), 0.0, "ingested")


def test_a_version_1_index_is_brought_to_band_runs(store: SqliteStore, path: Path) -> None:
    keys = np.array([1, 2, 3, 4, 9], np.uint64)
    before = store.lookup(keys, np.arange(5), 0.0, "ingested").tolist()
    with raw(path) as conn:
        entries = band_entries(conn)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "CREATE TABLE bands (key INTEGER NOT NULL, doc INTEGER NOT NULL, "
            "PRIMARY KEY (key, doc)) WITHOUT ROWID"
        )
        conn.executemany("INSERT INTO bands VALUES (?, ?)", entries)
        conn.execute("DROP TABLE band_blocks")
        conn.execute("PRAGMA user_version = 1")
        conn.execute("COMMIT")
    store.close()
    reopened = open_index(str(path))
    try:
        with raw(path) as conn:
            assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) == 2
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            assert "bands" not in tables
            assert band_entries(conn) == entries
        assert reopened.lookup(keys, np.arange(5), 0.0, "ingested").tolist() == before
        assert reopened.problems() == []
    finally:
        reopened.close()


def test_runs_merge_as_batches_arrive_and_lookups_stay_exact(
    store: SqliteStore, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_bands, "BLOCK_ENTRIES", 3)
    monkeypatch.setattr(sqlite_bands, "FANOUT", 2)
    rng = np.random.default_rng(7)
    held: dict[int, set[int]] = {1: {1, 2, 3}, 2: {3, 4}}
    for batch in range(12):
        articles = []
        for n in range(int(rng.integers(1, 4))):
            keys = rng.integers(0, 40, size=int(rng.integers(1, 6))).tolist()
            articles.append(make_article(f"m{batch}-{n}", keys))
        store.commit(make_batch(articles))
        first = max(held) + 1
        held |= {first + i: {int(k) for k in a.index_keys} for i, a in enumerate(articles)}
    with raw(path) as conn:
        runs = [r[0] for r in conn.execute("SELECT DISTINCT run FROM band_blocks")]
        assert band_entries(conn) == sorted((k, d) for d, ks in held.items() for k in ks)
    assert len(runs) < 12  # merged along the way
    wanted = np.arange(42, dtype=np.uint64)
    pairs = store.lookup(wanted, np.arange(42), 0.0, "ingested").tolist()
    assert pairs == [[k, d] for k in range(42) for d in sorted(held) if k in held[d]]
    assert store.problems() == []
    assert store.prune(2_000.0, "ingested") == len(held)
    with raw(path) as conn:
        assert band_entries(conn) == []
    assert store.problems() == []


def test_lookups_and_reads_work_across_chunks(
    store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_backend, "_LOOKUP_CHUNK", 2)
    monkeypatch.setattr(sqlite_backend, "_IN_CHUNK", 2)
    store.commit(make_batch([make_article(f"x{n}", [n, 100 + n % 3]) for n in range(7)]))
    keys = np.array([1, 2, 3, 4, 100, 101, 102, 5, 3], np.uint64)
    rows = np.arange(keys.size, dtype=np.int64)
    pairs = store.lookup(keys, rows, 0.0, "published").tolist()
    holders = {1: [1, 4], 2: [1, 5], 3: [1, 2, 6], 4: [2, 7], 5: [8]}
    holders |= {100: [3, 6, 9], 101: [4, 7], 102: [5, 8]}
    assert pairs == [[row, doc] for row, key in enumerate(keys.tolist()) for doc in holders[key]]
    assert [a.doc for a in store.articles([9, 3, 1, 5, 4])] == [9, 3, 1, 5, 4]
    assert len(store.known([f"x{n}" for n in range(9)])) == 7
    assert store.prune(2_000.0, "ingested") == 9
    assert store.problems() == []


# -- a kill -9 inside the transaction ------------------------------------------------------

CRASHING_COMMIT = textwrap.dedent(
    """
    import sys
    import numpy as np
    from dedup.index import CommitBatch, IndexedArticle, StoredCluster, open_index

    if sys.argv[2:] == ["merge"]:  # every run merged into one inside the transaction
        from dedup.index import sqlite_bands

        def every_run(conn):
            runs = [row[0] for row in conn.execute("SELECT DISTINCT run FROM band_blocks")]
            return runs if len(runs) > 1 else []

        sqlite_bands.BLOCK_ENTRIES = 4
        sqlite_bands._due = every_run
    store = open_index(sys.argv[1])
    articles = [
        IndexedArticle(
            article_id=f"new-{n}", cluster_id="c1", run_id="run-1", ingested=2000.0,
            published=None, meta=b"{}", shingles=np.arange(n, n + 5, dtype=np.uint64),
            entities=np.zeros(0, np.uint64), index_keys=np.array([3, 50 + n], np.uint64),
        )
        for n in range(50)
    ]
    with store.writer("run-1"):
        store.commit(
            CommitBatch("run-1", 52, articles, [StoredCluster("c1", "new-0", b"changed")])
        )
    print("committed", flush=True)
    """
)


def _state(store: IndexStore) -> object:
    stats = store.stats()
    return (
        (stats.articles, stats.clusters, stats.band_entries, stats.runs),
        [(a.doc, a.article_id) for a in store.export()],
        store.clusters(["c1", "c2"]),
        store.run("run-1"),
        store.lookup(np.array([3, 50], np.uint64), np.array([0, 1]), 0.0, "ingested").tolist(),
    )


@pytest.mark.parametrize("mode", ["append", "merge"])
def test_a_kill_inside_the_transaction_leaves_the_index_as_before(
    store: SqliteStore, path: Path, mode: str
) -> None:
    before = _state(store)
    crashed = subprocess.run(
        [sys.executable, "-c", CRASHING_COMMIT, str(path), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_subprocess_env(DEDUP_CRASH_AT="inside_transaction"),
        timeout=120,
        check=False,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert "committed" not in crashed.stdout
    assert _state(store) == before
    assert store.problems() == []
    reopened = open_index(str(path))
    try:
        assert _state(reopened) == before
        assert reopened.problems() == []
    finally:
        reopened.close()
    with raw(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # the same batch without the crash: committed whole, numbered after what was there
    finished = subprocess.run(
        [sys.executable, "-c", CRASHING_COMMIT, str(path), mode],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_subprocess_env(),
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert store.known([f"new-{n}" for n in range(50)]) == {f"new-{n}" for n in range(50)}
    assert [a.doc for a in store.run_articles("run-1")][-50:] == list(range(3, 53))
    assert store.problems() == []
    with raw(path) as conn:
        runs = conn.execute("SELECT COUNT(DISTINCT run) FROM band_blocks").fetchone()[0]
    assert runs == (1 if mode == "merge" else 2)
