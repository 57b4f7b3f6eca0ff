"""The index commands end to end on the team's sample dumps: ``scan --index`` over two
days, ``check``, ``index stats|export|prune|verify``, exact messages and exit codes."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dedup.canonical import cluster_id_for
from dedup.cli import app
from dedup.index import open_index

DAY_1 = "examples/sample.jsonl"
DAY_2 = "examples/next-day.jsonl"
KERALA = cluster_id_for("bs-kerala-rain")


@pytest.fixture(autouse=True)
def _at_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parents[1])


def dedup(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], input=stdin)


def two_days(tmp_path: Path) -> tuple[Path, Result, Result]:
    index = tmp_path / "news.db"
    first = dedup(
        "scan", DAY_1, "--index", index, "--run-id", "day-1", "-o", tmp_path / "day-1.jsonl"
    )
    second = dedup(
        "scan",
        DAY_2,
        "--index",
        index,
        "--run-id",
        "day-2",
        "-o",
        tmp_path / "day-2.jsonl",
        "--summary-json",
        tmp_path / "day-2.summary.json",
    )
    return index, first, second


def test_the_next_day_finds_copies_of_stories_seen_the_day_before(tmp_path: Path) -> None:
    index, first, second = two_days(tmp_path)
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "run day-1: 11 articles in the index from this run" in first.output
    assert "0 match stories seen in earlier runs; 3 new clusters; 0 already indexed" in (
        first.output
    )
    assert "run day-2: 3 articles in the index from this run" in second.output
    assert "2 match stories seen in earlier runs; 0 new clusters; 0 already indexed" in (
        second.output
    )
    assert "2 clusters hold 2 of this run's articles (largest 5); 1 with no copy yet" in (
        second.output
    )
    assert f"canonical of {KERALA} moved from bs-kerala-rain to pti-kerala-rain" in second.output
    rows = {
        row["cluster_id"]: row
        for row in map(json.loads, (tmp_path / "day-2.jsonl").read_text().splitlines())
    }
    kerala = rows[KERALA]
    assert kerala["canonical_id"] == "pti-kerala-rain"
    assert kerala["previous_canonical_id"] == "bs-kerala-rain"
    assert kerala["new_ids"] == ["pti-kerala-rain"]
    assert kerala["origin"] == "PTI"
    bikes = rows[cluster_id_for("ap-riverton-bikes")]
    assert bikes["canonical_id"] == "ap-riverton-bikes"
    assert bikes["new_ids"] == ["valley-times-bikes"]
    assert bikes["previous_canonical_id"] is None
    roles = {m["id"]: (m["role"], m["parent_id"]) for m in bikes["members"]}
    assert roles["valley-times-bikes"] == ("copy", "ap-riverton-bikes")
    summary = json.loads((tmp_path / "day-2.summary.json").read_text())
    assert summary["index"]["canonical_moves"] == [
        {"cluster_id": KERALA, "from": "bs-kerala-rain", "to": "pti-kerala-rain"}
    ]
    assert summary["index"]["matched_earlier"] == 2
    assert dedup("index", "verify", index).exit_code == 0


def test_check_shows_matches_without_adding_the_article(tmp_path: Path) -> None:
    index, _, _ = two_days(tmp_path)
    article = {
        "id": "harbor-daily-bikes",
        "outlet": "harbordaily.example",
        "published_at": "2026-03-07T09:00:00Z",
        "text": "\n\n".join(
            json.loads(Path(DAY_1).read_text().splitlines()[0])["text"].split("\n\n")[:6]
        ),
    }
    shown = dedup("check", "-", "--index", index, stdin=json.dumps(article))
    assert shown.exit_code == 0, shown.output
    report = json.loads(shown.stdout)
    assert report["cluster_id"] == cluster_id_for("ap-riverton-bikes")
    assert report["canonical_id"] == "ap-riverton-bikes"
    assert report["role"] != "canonical"
    assert "ap-riverton-bikes" in {m["id"] for m in report["matches"]}
    with closing(open_index(str(index))) as store:
        assert store.known(["harbor-daily-bikes"]) == set()
    again = dedup(
        "check", "-", "--index", index, stdin=json.dumps({"id": "gazette-8841", "text": "x"})
    )
    assert json.loads(again.stdout) == {"id": "gazette-8841", "indexed_already": True}


def test_stats_export_prune_and_verify(tmp_path: Path) -> None:
    index, _, _ = two_days(tmp_path)
    stats = dedup("index", "stats", index, "--json")
    assert stats.exit_code == 0, stats.output
    counts = json.loads(stats.stdout)
    assert (counts["articles"], counts["clusters"], counts["runs"]) == (14, 3, 2)
    exported = tmp_path / "articles.jsonl"
    assert dedup("index", "export", index, "-o", exported).exit_code == 0
    rows = [json.loads(line) for line in exported.read_text().splitlines()]
    assert len(rows) == 14
    assert {r["run_id"] for r in rows} == {"day-1", "day-2"}
    assert dedup("index", "verify", index).exit_code == 0
    pruned = dedup("index", "prune", index, "--older-than", "36500d")
    assert pruned.exit_code == 0, pruned.output
    assert "removed 0 articles" in pruned.output
    everything = dedup("index", "prune", index, "--older-than", "1s")
    assert "removed 14 articles" in everything.output
    assert json.loads(dedup("index", "stats", index, "--json").stdout)["articles"] == 0
    assert dedup("index", "verify", index).exit_code == 0


def test_verify_reports_a_damaged_index_with_exit_5(tmp_path: Path) -> None:
    index, _, _ = two_days(tmp_path)
    with closing(sqlite3.connect(index)) as db, db:
        db.execute("DELETE FROM band_blocks WHERE block = (SELECT MIN(block) FROM band_blocks)")
    checked = dedup("index", "verify", index)
    assert checked.exit_code == 5
    assert "problem:" in checked.output


def test_an_index_built_with_other_parameters_is_refused(tmp_path: Path) -> None:
    index, _, _ = two_days(tmp_path)
    refused = dedup(
        "scan", DAY_2, "--index", index, "--num-perm", "128", "-o", tmp_path / "x.jsonl"
    )
    assert refused.exit_code == 5
    assert "num_perm=256 (this run: 128)" in refused.output
    assert not (tmp_path / "x.jsonl").exists()


def test_a_locked_index_is_refused_with_exit_6(tmp_path: Path) -> None:
    index, _, _ = two_days(tmp_path)
    article = json.dumps({"id": "probe", "text": Path(DAY_2).read_text().splitlines()[0]})
    with closing(open_index(str(index))) as store, store.writer("nightly"):
        refused = dedup("scan", DAY_2, "--index", index, "-o", tmp_path / "x.jsonl")
        checked = dedup("check", "-", "--index", index, stdin=article)  # reads go on
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["id"] == "probe"
    assert refused.exit_code == 6
    assert "is locked by pid" in refused.output
    assert "nightly" in refused.output


def test_options_that_need_an_index_and_ones_that_do_not_mix(tmp_path: Path) -> None:
    out = tmp_path / "x.jsonl"
    window = dedup("scan", DAY_2, "--window", "7d", "-o", out)
    assert window.exit_code == 2
    assert "error: --window and --run-id work with --index only" in window.output
    annotate = dedup(
        "scan", DAY_2, "--index", tmp_path / "i.db", "--annotate", tmp_path / "a.jsonl", "-o", out
    )
    assert annotate.exit_code == 2
    bad_window = dedup("scan", DAY_2, "--index", tmp_path / "i.db", "--window", "soon", "-o", out)
    assert bad_window.exit_code == 2
    assert "--window takes a duration such as 7d, 36h or 90m, got 'soon'" in bad_window.output
    missing = dedup("index", "stats", tmp_path / "nothing.db")
    assert missing.exit_code == 5
    assert "no index at" in missing.output
