"""`dedup explain` and `dedup scan --spans` on the shipped sample (invented articles)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dedup.cli import app
from dedup.normalize import normalize
from dedup.passages import word_spans

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "sample.jsonl"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args], prog_name="dedup")


def sample_article(article_id: str) -> dict[str, str]:
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if row.get("id") == article_id:
            return dict(row)
    raise KeyError(article_id)


def body_of(article_id: str) -> str:
    row = sample_article(article_id)
    return normalize(row["text"], title=row.get("title"), pointer=row.get("source_link")).body


def test_explain_prints_figures_stripped_lines_passages_and_the_decision() -> None:
    result = invoke("explain", "newsfeed-30419", "ap-riverton-bikes", "--from", SAMPLE)

    assert result.exit_code == 0, result.output
    text = result.stdout
    head, rest = text.split("\nstripped from newsfeed-30419:\n", 1)
    assert head.splitlines() == [
        "A: newsfeed-30419 (newsfeed-aggregator.net, 2026-03-04T01:12:09)",
        "B: ap-riverton-bikes (AP, 2026-03-03T21:10:00Z)",
        "",
        "similarity of the normalized texts (word 3-gram shingles):",
        "  shared shingles   208 (A has 208, B has 235)",
        "  Jaccard           0.885",
        "  containment       1.000 of A is in B, 0.885 of B is in A",
        "  LSH bands shared  55 of 76 (2 rows each); at this Jaccard a pair shares one with "
        "probability 1.000",
        "  exact check       passed: copies of one story",
    ]
    stripped, rest = rest.split("\n\nshared passages", 1)
    assert stripped.splitlines()[::2] == [
        "  [scraper] You are currently viewing Council says yes to bike lanes; 600 parking "
        "spaces to go",
        "  [timestamp] 2026-03-04 01:12:09",
        "  [caption] Cyclists wait at a light on Main Street in Riverton. (File)",
        "  [furniture] bike lanes,riverton,city council",
        "  [scraper] Source link",
        "  [scraper] Loading",
        "",
        "  [dateline] RIVERTON (AP) -",
        "  [rights] Copyright 2026 The Associated Press. All rights reserved. This material "
        "may not be published, broadcast, rewritten or redistributed.",
    ]
    assert "      an aggregator's or scraper's leftovers" in stripped.splitlines()
    assert rest.splitlines()[:2] == [
        " (1; word offsets [start, end) in A and in B):",
        "  A[0, 210) = B[0, 210), 210 words: The city council of Riverton voted 7-2 on Tuesday "
        "… a big bet with other people's money,\" he said",
    ]
    decision = rest.split("cluster decision (from a scan of the dumps):\n", 1)[1]
    assert decision.splitlines()[:5] == [
        "  both in c-b644ce68810e9fc0: canonical ap-riverton-bikes, origin AP",
        "  newsfeed-30419: copy in c-b644ce68810e9fc0, parent gazette-8841",
        "  ap-riverton-bikes: canonical in c-b644ce68810e9fc0",
        "  reasons:",
        "    - origin AP: ap-riverton-bikes is the agency's own page",
    ]
    assert text.endswith(body_of("ap-riverton-bikes") + "\n")


def test_explain_json_matches_an_independent_reading_of_the_bodies() -> None:
    result = invoke("explain", "newsfeed-30419", "ap-riverton-bikes", "--from", SAMPLE, "--json")

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    first, second = body_of("newsfeed-30419"), body_of("ap-riverton-bikes")
    assert found["a"]["body"] == first
    assert found["b"]["body"] == second
    assert found["verified"] is True
    assert found["lsh"] == {
        "shared_bands": 55,
        "bands": 76,
        "rows": 2,
        "candidate_probability": 1.0,
    }
    (passage,) = found["passages"]
    start, end = passage["a_words"]
    spans = word_spans(first)
    assert passage["text"] == first[spans[start][0] : spans[end - 1][1]]
    assert [s["family"] for s in found["b"]["stripped"]] == ["dateline", "rights"]
    assert found["cluster"]["same_cluster"] is True
    assert found["cluster"]["placements"][0]["parent_id"] == "gazette-8841"


def test_unrelated_articles_share_nothing_and_sit_in_different_clusters() -> None:
    result = invoke(
        "explain", "ap-riverton-bikes", "reuters-wheat-0304", "--from", SAMPLE, "--json"
    )

    found = json.loads(result.stdout)
    assert (found["shared_shingles"], found["verified"], found["passages"]) == (0, False, [])
    assert found["lsh"]["shared_bands"] == 0
    assert found["cluster"]["same_cluster"] is False
    assert found["cluster"]["reasons"] == []


def test_a_clusters_file_gives_the_decision_a_scan_gives(tmp_path: Path) -> None:
    clusters = tmp_path / "clusters.jsonl"
    assert invoke("scan", SAMPLE, "-o", clusters, "-q").exit_code == 0
    by_scan = invoke("explain", "gazette-8841", "ap-riverton-bikes", "--from", SAMPLE, "--json")
    by_file = invoke(
        "explain",
        "gazette-8841",
        "ap-riverton-bikes",
        "--from",
        SAMPLE,
        "--clusters",
        clusters,
        "--json",
    )

    scanned, filed = json.loads(by_scan.stdout), json.loads(by_file.stdout)
    assert filed["cluster"]["decided_by"] == str(clusters)
    assert filed["cluster"]["placements"] == scanned["cluster"]["placements"]
    assert filed["cluster"]["reasons"] == scanned["cluster"]["reasons"]


@pytest.mark.parametrize(
    ("ids", "message"),
    [
        (("ap-riverton-bikes", "nope"), "error: no article with id nope in "),
        (("ap-riverton-bikes", "ap-riverton-bikes"), "error: explain needs two different"),
    ],
)
def test_unknown_or_repeated_ids_are_one_line_errors(ids: tuple[str, str], message: str) -> None:
    result = invoke("explain", *ids, "--from", SAMPLE)

    assert result.exit_code == 3
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(message)


def test_scan_spans_locate_each_members_passages_in_both_bodies(tmp_path: Path) -> None:
    output = tmp_path / "clusters.jsonl"
    assert invoke("scan", SAMPLE, "-o", output, "--spans", "-q").exit_code == 0

    rows = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    checked = 0
    for row in rows:
        canonical = body_of(row["canonical_id"])
        for member in row["members"]:
            if member["id"] == row["canonical_id"]:
                assert "reuse" not in member
                continue
            if member["jaccard"] < 0.5 and member["containment"] < 0.4:
                assert "reuse" not in member  # not verified against the canonical itself
                continue
            reuse, body = member["reuse"], body_of(member["id"])
            assert reuse["summary"].startswith("paragraph")
            for passage in reuse["passages"]:
                (a, b), (c, d) = passage["canonical_words"], passage["member_words"]
                source = [canonical[s:e].casefold() for s, e in word_spans(canonical)[a:b]]
                copy = [body[s:e].casefold() for s, e in word_spans(body)[c:d]]
                assert source == copy
                checked += 1
    assert checked >= 5


def test_scan_without_spans_writes_no_reuse(tmp_path: Path) -> None:
    output = tmp_path / "clusters.jsonl"
    assert invoke("scan", SAMPLE, "-o", output, "-q").exit_code == 0
    assert '"reuse"' not in output.read_text(encoding="utf-8")


def test_spans_with_an_index_are_refused(tmp_path: Path) -> None:
    result = invoke(
        "scan", SAMPLE, "-o", tmp_path / "c.jsonl", "--index", tmp_path / "i.db", "--spans"
    )
    assert result.exit_code == 2
    assert "--spans is for one-off scans" in result.stderr


SEED = Path(os.environ.get("DEDUP_SHARED_DATA", ROOT.parent / "shared" / "data")) / "seed"


@pytest.mark.skipif(not SEED.is_dir(), reason="no shared evaluation data here")
def test_the_seed_scraper_copy_is_explained_against_the_afp_original() -> None:
    result = invoke(
        "explain", "scraper-77121", "afp-20240617-0850", "--from", SEED / "articles.jsonl"
    )

    assert result.exit_code == 0, result.output
    stripped = [
        line.split("] ", 1)[1]
        for line in result.stdout.split("stripped from scraper-77121:\n")[1]
        .split("\n\n")[0]
        .splitlines()
        if line.startswith("  [")
    ]
    assert stripped[0].startswith("You are currently viewing")
    assert any("has not been edited by NDTV staff" in line for line in stripped)
    assert {"Source link", "Loading"} <= set(stripped)
    assert "  both in c-043ccf2d62280686: canonical afp-20240617-0850, origin AFP" in (
        result.stdout.splitlines()
    )
    assert "  scraper-77121: copy in c-043ccf2d62280686, parent ndtv-5906" in (
        result.stdout.splitlines()
    )


def test_an_index_gives_the_decision_it_stored_and_says_what_it_lacks(tmp_path: Path) -> None:
    index, day_2 = tmp_path / "index.db", ROOT / "examples" / "next-day.jsonl"
    for day, dump in (("day-1", SAMPLE), ("day-2", day_2)):
        scanned = invoke("scan", dump, "--index", index, "--run-id", day, "-o", tmp_path / day)
        assert scanned.exit_code == 0, scanned.output
    stored = [json.loads(line) for line in (tmp_path / "day-2").read_text().splitlines()]
    (bikes,) = [c for c in stored if c["canonical_id"] == "ap-riverton-bikes"]
    (valley,) = [m for m in bikes["members"] if m["id"] == "valley-times-bikes"]

    result = invoke(
        "explain", "valley-times-bikes", "ap-riverton-bikes",
        "--from", SAMPLE, "--from", day_2, "--index", index, "--json",
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    cluster = json.loads(result.stdout)["cluster"]
    assert cluster["decided_by"] == f"the index {index}"
    assert cluster["placements"][0] == {
        "id": "valley-times-bikes",
        "cluster_id": bikes["cluster_id"],
        "canonical_id": "ap-riverton-bikes",
        "origin": bikes["origin"],
        "role": valley["role"],
        "parent_id": valley["parent_id"],
    }
    assert cluster["reasons"] == bikes["reasons"]

    fresh = tmp_path / "fresh.db"
    assert invoke("scan", SAMPLE, "--index", fresh, "-o", tmp_path / "f", "-q").exit_code == 0
    result = invoke(
        "explain", "valley-times-bikes", "ap-riverton-bikes",
        "--from", SAMPLE, "--from", day_2, "--index", fresh,
    )  # fmt: skip
    assert "  valley-times-bikes: not in the index" in result.stdout.splitlines()
