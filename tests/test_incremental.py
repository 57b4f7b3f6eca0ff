"""Scheduled runs against a real SQLite index: a copy today points to yesterday's
original, cluster ids stay put, a better canonical arriving later moves the canonical,
runs resume and never add anything twice.

The stories are the invented ones of ``test_pipeline`` (nothing copied from real news).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path

import pytest
from test_pipeline import fixture_articles

from dedup.canonical import cluster_id_for
from dedup.errors import IndexStoreError
from dedup.incremental import IndexRun, UpdateResult, default_run_id, update
from dedup.index import IndexStore, open_index
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import scan_articles
from dedup.records import Article

DAY = 86400.0
ONE_PROCESS = RunOptions(workers=1)


def write_dump(path: Path, articles: Sequence[Article]) -> str:
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            row = {
                "id": a.id,
                "text": a.text,
                "title": a.title,
                "url": a.url,
                "outlet": a.outlet,
                "published_at": a.published_at,
                "source_link": a.pointer,
            }
            handle.write(json.dumps({k: v for k, v in row.items() if v is not None}) + "\n")
    return str(path)


def by_id(ids: Sequence[str]) -> list[Article]:
    articles = {a.id: a for a in fixture_articles()}
    return [articles[i] for i in ids]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[IndexStore]:
    opened = open_index(str(tmp_path / "index.db"))
    yield opened
    opened.close()


def run(
    store: IndexStore,
    path: str,
    run_id: str,
    *,
    params: DedupParams | None = None,
    window: float | None = None,
    commit_size: int = 10_000,
) -> UpdateResult:
    plan = IndexRun(run_id=run_id, window=window, commit_size=commit_size)
    return update([path], store, params, plan=plan, options=ONE_PROCESS)


def shape(outcome: UpdateResult) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return [
        (c.cluster_id, c.canonical_id, tuple((m.id, m.role) for m in c.members))
        for c in outcome.result.clusters
    ]


def test_first_run_on_an_empty_index_decides_what_a_scan_decides(
    tmp_path: Path, store: IndexStore
) -> None:
    articles = fixture_articles()
    outcome = run(store, write_dump(tmp_path / "all.jsonl", articles), "day-1")
    scanned = scan_articles(articles, options=ONE_PROCESS)
    assert sorted(shape(outcome)) == sorted(
        (c.cluster_id, c.canonical_id, tuple((m.id, m.role) for m in c.members))
        for c in scanned.clusters
    )
    assert outcome.index.indexed == len(articles)
    assert outcome.index.matched_earlier == 0
    assert outcome.index.new_clusters == len(scanned.clusters)
    assert store.problems() == []
    steps = outcome.result.stats.stage_seconds
    assert list(steps) == ["prepare", "look up", "verify", "cluster", "commit", "read back"]
    assert all(seconds >= 0 for seconds in steps.values())
    assert sum(steps.values()) <= outcome.result.stats.seconds


def test_a_copy_today_points_to_the_original_indexed_yesterday(
    tmp_path: Path, store: IndexStore
) -> None:
    run(store, write_dump(tmp_path / "d1.jsonl", by_id(["reuters-wire", "ferry-a"])), "day-1")
    outcome = run(
        store, write_dump(tmp_path / "d2.jsonl", by_id(["metals-weekly-copy", "ferry-b"])), "day-2"
    )
    clusters = {c.cluster_id: c for c in outcome.result.clusters}
    reuters = clusters[cluster_id_for("reuters-wire")]
    assert reuters.canonical_id == "reuters-wire"
    roles = {m.id: m.role for m in reuters.members}
    assert roles["reuters-wire"] == "canonical"
    assert roles["metals-weekly-copy"] != "canonical"
    assert outcome.new_ids == {"metals-weekly-copy", "ferry-b"}
    assert outcome.index.matched_earlier == 2  # the Reuters copy and the second ferry notice
    assert outcome.index.new_clusters == 0
    assert outcome.index.moves == []
    assert outcome.result.assignment("metals-weekly-copy").canonical_id == "reuters-wire"


def test_a_better_canonical_arriving_later_moves_the_canonical_not_the_id(
    tmp_path: Path, store: IndexStore
) -> None:
    copies = by_id(["herald-syndicated", "aggregator-scrape"])
    first = run(store, write_dump(tmp_path / "d1.jsonl", copies), "day-1")
    [before] = first.result.clusters
    outcome = run(store, write_dump(tmp_path / "d2.jsonl", by_id(["afp-wire"])), "day-2")
    [after] = outcome.result.clusters
    assert after.cluster_id == before.cluster_id
    assert before.canonical_id != "afp-wire"
    assert after.canonical_id == "afp-wire"
    assert after.origin == "AFP"
    [move] = outcome.index.moves
    assert (move.cluster_id, move.previous, move.current) == (
        before.cluster_id,
        before.canonical_id,
        "afp-wire",
    )
    assert {m.id for m in after.members} == {"herald-syndicated", "aggregator-scrape", "afp-wire"}


def test_running_the_same_input_twice_adds_nothing_twice(tmp_path: Path, store: IndexStore) -> None:
    dump = write_dump(tmp_path / "all.jsonl", fixture_articles())
    first = run(store, dump, "day-1")
    again = run(store, dump, "day-1")  # same run id: already finished, same outputs
    other = run(store, dump, "day-1-rerun")  # a new run id: every article known already
    assert shape(again) == shape(first)
    assert other.index.indexed == 0
    assert other.index.already_indexed == len(fixture_articles())
    assert other.result.clusters == []
    assert store.stats().articles == len(fixture_articles())
    assert store.problems() == []


class _KilledError(Exception):
    pass


def test_a_run_interrupted_between_batches_resumes_to_the_same_outputs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dump = write_dump(tmp_path / "all.jsonl", fixture_articles())
    whole = open_index(str(tmp_path / "whole.db"))
    expected = shape(run(whole, dump, "r", commit_size=3))
    interrupted = open_index(str(tmp_path / "interrupted.db"))
    real_commit = interrupted.commit
    commits: list[int] = []

    def failing_commit(batch: object) -> None:
        if len(commits) == 2:
            raise _KilledError
        commits.append(1)
        real_commit(batch)  # type: ignore[arg-type]

    monkeypatch.setattr(interrupted, "commit", failing_commit)
    with pytest.raises(_KilledError):
        run(interrupted, dump, "r", commit_size=3)
    monkeypatch.undo()
    resumed = run(interrupted, dump, "r", commit_size=3)
    assert resumed.index.resumed_after == 6
    assert shape(resumed) == expected
    assert interrupted.problems() == []
    assert sorted(a.article_id for a in interrupted.export()) == sorted(
        a.article_id for a in whole.export()
    )


def test_matches_are_limited_to_the_window(tmp_path: Path, store: IndexStore) -> None:
    run(store, write_dump(tmp_path / "d1.jsonl", by_id(["reuters-wire"])), "day-1", window=DAY)
    late = [
        Article(**(asdict(a) | {"published_at": "2026-05-20T09:00:00Z"}))
        for a in by_id(["metals-weekly-copy"])
    ]
    outcome = run(store, write_dump(tmp_path / "d2.jsonl", late), "day-2", window=DAY)
    assert outcome.result.clusters == []
    assert outcome.index.matched_earlier == 0


def test_an_index_refuses_other_parameters(tmp_path: Path, store: IndexStore) -> None:
    dump = write_dump(tmp_path / "d1.jsonl", by_id(["ferry-a", "ferry-b"]))
    run(store, dump, "day-1")
    with pytest.raises(IndexStoreError, match=r"num_perm=256 \(this run: 128\)"):
        run(store, dump, "day-2", params=DedupParams(num_perm=128))


def test_default_run_id_follows_the_files(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d.jsonl", by_id(["ferry-a"]))
    first = default_run_id([dump])
    assert default_run_id([dump]) == first
    write_dump(tmp_path / "d.jsonl", by_id(["ferry-a", "ferry-b"]))  # the next day's file
    assert default_run_id([dump]) != first
