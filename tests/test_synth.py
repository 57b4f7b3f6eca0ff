"""The syndication simulator (benchmarks/synth.py) on invented base stories.

Every base text here is made up for these tests (a fictional harbour, a fictional orchestra,
a fictional rail line, ...); none is copied from real reporting.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from dedup.io.readers import Record, read_records

SYNTH_PATH = Path(__file__).parents[1] / "benchmarks" / "synth.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dedup_bench_synth", SYNTH_PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


synth = _load()

STORIES = [
    (
        "Port Vellan approves harbour expansion",
        [
            "Officials in Port Vellan on Tuesday approved a plan to add twelve ferry berths "
            "before the summer season, ending months of argument over the cost of the works.",
            '"We have waited long enough for this decision," said Mira Tolland, who chairs '
            "the harbour committee and has campaigned on the issue for a decade.",
            "The work is expected to cost about forty million crowns, paid for by regional "
            "grants, a visitor levy and a loan from a public bank.",
            "Residents of the old quarter fear more traffic and noise once the larger boats "
            "begin calling at the northern pier in the spring.",
        ],
    ),
    (
        "Castelmoor orchestra cancels winter tour",
        [
            "The Castelmoor city orchestra has cancelled its winter tour of three northern "
            "capitals after a dispute with its insurer over instrument transport.",
            "Conductor Edvin Saarne told musicians in a letter that the decision was painful "
            "but that the rare cellos could not travel without proper cover.",
            '"Nobody wants to play in a half-empty hall at home," one violinist said, adding '
            "that ticket holders abroad would receive full refunds within weeks.",
            "The orchestra hopes to reschedule the concerts for the autumn and is negotiating "
            "with two other insurers, according to its managing director.",
        ],
    ),
    (
        "Norrbeck night trains to return",
        [
            "Night trains will return to the Norrbeck line in March for the first time in "
            "nine years, the regional rail company announced on Wednesday.",
            "Sleeper carriages bought second hand from a southern operator are being refitted "
            "with new bunks, lockers and a small dining counter in a depot near the coast.",
            "Lotte Brandvik, the company's planning chief, said demand had grown among hikers "
            "and skiers who want to reach the mountains without driving at night.",
            "Environmental groups welcomed the move but asked why fares for the sleeper "
            "service will be higher than a cheap flight on the same route.",
        ],
    ),
    (
        "Ardenfield libraries extend opening hours",
        [
            "Reading rooms across Ardenfield county will stay open until ten in the evening "
            "from next month, after councillors voted to fund extra staff.",
            "Students preparing for exams had petitioned for longer hours, collecting more "
            "than six thousand signatures in a campaign led by a local teenager.",
            "Pavel Ostrin, head of the library service, said heating costs remained a worry "
            "but that quiet study space was something the county simply had to provide.",
            "Two smaller branches in rural villages will also open on Sunday afternoons, "
            "with volunteers helping to run a book exchange and a homework club.",
        ],
    ),
    (
        "Kellmouth bridge closed for repairs",
        [
            "The old stone bridge at Kellmouth was closed to traffic on Friday after "
            "engineers found cracks in two of its arches during a routine inspection.",
            "Drivers face a detour of almost twenty kilometres through the hills, and the "
            "local bus company has cut its timetable to one service an hour.",
            "Sunniva Harlow, who runs a bakery beside the river, said takings had already "
            "fallen by half because customers from the far bank could not reach her.",
            "The highways agency said temporary steel supports would be installed within a "
            "month so that pedestrians and cyclists could cross again before winter.",
        ],
    ),
    (
        "Montrace growers expect early harvest",
        [
            "Grape growers around Montrace expect the earliest harvest on record after a hot "
            "dry summer that ripened the fruit weeks ahead of the usual calendar.",
            "Aurelio Fenn, president of the cooperative, said pickers had been called back "
            "from holiday and the presses would start running at the end of August.",
            "Yields are likely to be small because the berries stayed tiny in the heat, but "
            "winemakers say the sugar levels promise a strong and concentrated vintage.",
            "Some younger growers are now planting varieties from further south that cope "
            "better with drought, a change the older families view with suspicion.",
        ],
    ),
]


def _text(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs)


DISTINCT = [(title, _text(paragraphs)) for title, paragraphs in STORIES]
# a re-send of each story with a paragraph added: the pool must keep one of each
RESENDS = [
    (title, _text([*paragraphs, "A spokesperson declined to comment further on Monday."]))
    for title, paragraphs in STORIES
]


def _run(tmp_path: Path, seed: int, articles: int = 240, name: str = "a") -> tuple[Path, Path]:
    pool = synth.build_pool(DISTINCT)
    out, gold = tmp_path / f"{name}.jsonl", tmp_path / f"{name}.gold.jsonl"
    synth.write(pool, out, gold, articles=articles, seed=seed, window=50)
    return out, gold


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    out1, gold1 = _run(tmp_path, 7, name="one")
    out2, gold2 = _run(tmp_path, 7, name="two")
    out3, _ = _run(tmp_path, 8, name="three")
    assert out1.read_bytes() == out2.read_bytes()
    assert gold1.read_bytes() == gold2.read_bytes()
    assert out1.read_bytes() != out3.read_bytes()


def test_gold_covers_every_id_once_with_canonical_inside(tmp_path: Path) -> None:
    out, gold = _run(tmp_path, 3, articles=300)
    records = _lines(out)
    clusters = _lines(gold)
    assert len(records) == 300
    assert all(r["generated"] is True for r in records)
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    gold_ids = Counter(i for c in clusters for i in c["ids"])
    assert set(gold_ids) == set(ids)
    assert max(gold_ids.values()) == 1
    for cluster in clusters:
        assert set(cluster) >= {"cluster_id", "ids", "origin", "canonical_id"}
        assert cluster["canonical_id"] in cluster["ids"]
        alternatives = set(cluster["canonical_alternatives"])
        assert alternatives <= set(cluster["ids"]) - {cluster["canonical_id"]}
    assert len({c["cluster_id"] for c in clusters}) == len(clusters)
    assert any(len(c["ids"]) == 1 for c in clusters)
    assert any(len(c["ids"]) > 2 for c in clusters)


def test_scraper_copies_point_to_another_member(tmp_path: Path) -> None:
    out, gold = _run(tmp_path, 5, articles=400)
    by_id = {r["id"]: r for r in _lines(out)}
    cluster_of = {i: c["cluster_id"] for c in _lines(gold) for i in c["ids"]}
    urls = {r["url"]: r["id"] for r in by_id.values() if r["url"]}
    assert len(urls) == sum(1 for r in by_id.values() if r["url"])  # urls are unique
    scrapers = [r for r in by_id.values() if r["outlet"] in synth.SCRAPERS]
    assert scrapers
    for record in scrapers:
        parent = urls.get(record["source_link"])
        assert parent is not None
        assert parent != record["id"]
        assert cluster_of[parent] == cluster_of[record["id"]]


def test_origin_page_is_canonical_and_earliest(tmp_path: Path) -> None:
    out, gold = _run(tmp_path, 11, articles=300)
    by_id = {r["id"]: r for r in _lines(out)}
    agencies = {a.name for a in synth.AGENCIES}
    checked = 0
    for cluster in _lines(gold):
        members = [by_id[i] for i in cluster["ids"]]
        own = [m for m in members if m["outlet"] == cluster["origin"]]
        if cluster["origin"] in agencies and own and len(members) > 1:
            assert cluster["canonical_id"] == own[0]["id"]
            first = own[0]["published_at"]
            others = [m["published_at"] for m in members if m is not own[0]]
            if first:
                assert all(t is None or t >= first for t in others)
            checked += 1
    assert checked


def test_output_reads_back_without_rejects(tmp_path: Path) -> None:
    out, _ = _run(tmp_path, 2)
    read = list(read_records([out]))
    assert all(isinstance(item, Record) for item in read)
    assert len(read) == 240


def test_reused_bases_stay_distinct_and_near_duplicate_bases_are_skipped() -> None:
    pool = synth.build_pool(DISTINCT + RESENDS)
    assert pool.size == len(STORIES)
    assert pool.skipped_duplicate == len(STORIES)
    stories = list(synth.generate(pool, articles=200, seed=4))
    assert sum(len(s.records) for s in stories) == 200
    wire = [s for s in stories if s.kind in {"wire", "outlet"}]
    assert len(wire) > 2 * pool.size  # the pool was reused
    shingles = []
    for story in wire:
        canonical = next(r for r in story.records if r["id"] == story.gold["canonical_id"])
        words = canonical["text"].lower().split()
        shingles.append({tuple(words[i : i + 6]) for i in range(len(words) - 5)})
    for i, first in enumerate(shingles):
        for second in shingles[i + 1 :]:
            assert len(first & second) < 0.5 * min(len(first), len(second))


def test_short_bases_are_skipped_and_empty_pool_refused() -> None:
    pool = synth.build_pool([("Tiny", "Too short to use as a base story.")])
    assert pool.size == 0
    assert pool.skipped_short == 1
    with pytest.raises(ValueError, match="no usable base"):
        list(synth.generate(pool, articles=5, seed=1))
