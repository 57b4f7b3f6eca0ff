"""End-to-end library tests: invented wire stories and their copies through ``scan_articles``.

Every text here is made up for these tests (a fictional Paris council plan, a fictional
British metals firm, a fictional ferry timetable); none is copied from real reporting.
"""

from __future__ import annotations

import gc
import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.canonical import cluster_id_for
from dedup.params import DedupParams
from dedup.pipeline import Assignment, ScanResult, scan, scan_articles
from dedup.records import Article, Cluster, Reject

# --- invented fixtures ----------------------------------------------------------------

AFP_PARAGRAPHS = [
    "PARIS (AFP) - Paris city hall on Thursday unveiled a plan to turn a disused tram depot "
    "in the eastern Charonne district into a covered market garden, promising fresh "
    "vegetables for school canteens within three years and a new green space for residents "
    "who have long complained about summer heat.",
    "The project, budgeted at forty-two million euros, would see the depot's iron roof "
    "replaced with glass panels, while raised beds, beehives and a small orchard of pear and "
    "quince trees fill the vast hall where trams were once repaired.",
    "Deputy mayor Colette Varennes told reporters the garden would supply roughly a fifth of "
    "the vegetables served in the district's primary schools, cutting delivery trucks from "
    "the ring road and giving pupils a place to learn how food grows.",
    "Opposition councillors questioned the cost, arguing that the money would be better spent "
    "on social housing in a city where rents have climbed sharply, and they demanded an "
    "independent audit before any construction contract is signed next year.",
    "Urban farming has spread quickly across the French capital over the past decade, with "
    "rooftop plots on supermarkets, exhibition halls and even a former parking garage, "
    "although critics say the yields remain tiny compared with the city's appetite.",
    "Engineers hired by the city said the depot's concrete floor could carry the weight of "
    "several hundred tonnes of soil, but warned that the building's drainage would need to be "
    "rebuilt entirely to cope with daily watering in the dry months.",
    "Neighbourhood associations in Charonne welcomed the plan cautiously, saying they hoped "
    "the garden would stay open to the public at weekends rather than becoming a showcase "
    "that visitors can only admire from behind a locked fence.",
    "The council is expected to vote on the project in October, and if it is approved, work "
    "could begin the following spring, with a first harvest of lettuce, radishes and herbs "
    "planned for the autumn of the year after that.",
]
AFP_TEXT = "\n\n".join(AFP_PARAGRAPHS)
DISCLAIMER = (
    "(This story has not been edited by our staff and is auto-generated from a syndicated feed.)"
)

INDEPENDENT_TEXT = "\n\n".join(
    [
        "Shopkeepers along the Rue de Bagnolet gave a mixed welcome on Friday to the idea of "
        "growing lettuces under glass in the old tram shed, with several saying they would "
        "rather see the empty building become a covered car park for delivery vans.",
        "A baker who has worked opposite the shed for twenty years said the neighbourhood "
        "needed shade and benches more than beehives, although she admitted her grandchildren "
        "were thrilled by the thought of picking pears a short walk from home.",
        "Local historians pointed out that the hall, built in the nineteen twenties, still "
        "carries painted route numbers on its brick walls, and they asked architects to keep "
        "those traces visible whatever the final use of the site turns out to be.",
        "Parents at a nearby primary school collected signatures in favour, arguing that "
        "children who see carrots pulled from the soil are far more likely to eat them, a "
        "claim that a nutritionist at the town hall meeting said research broadly supports.",
    ]
)

REUTERS_PARAGRAPHS = [
    "LONDON, May 2 (Reuters) - Norbridge Metals, a British copper recycler, said on Tuesday "
    "it would build a smelter on the Humber estuary able to reclaim sixty thousand tonnes of "
    "scrap cable a year, betting that demand from grid operators will keep rising.",
    "Chief executive Priya Oakhurst said the plant would cost about three hundred million "
    "pounds and create four hundred jobs once running, with construction due to start after "
    "planning approval that the company expects to receive before the winter.",
    "Prices for recycled copper have outpaced those for newly mined metal this year as cable "
    "makers look for cheaper feedstock, and analysts say collection of old wiring from "
    "demolished buildings has struggled to keep pace with the appetite of refiners.",
    "The company's shares jumped nine percent in early trading in London, their biggest "
    "daily gain since the firm listed, before easing back as investors weighed the risk "
    "that power costs could squeeze margins at an energy hungry furnace.",
    "Norbridge said it had signed a memorandum with two regional electricity networks to "
    "take back cable replaced during upgrades, which would supply roughly a third of the "
    "scrap the new smelter needs in its first full year of operation.",
    "Environmental groups broadly welcomed the plan but urged the company to publish "
    "detailed figures on emissions from the furnace and on how it intends to handle the "
    "plastic insulation stripped from cables before the copper is melted down.",
]
REUTERS_TEXT = "\n\n".join(REUTERS_PARAGRAPHS)
REUTERS_CREDIT = "(Reporting by Dara Whitcombe; Editing by Lionel Farrow)"

FERRY_TEXT = (
    "The island ferry company announced that from the first of June the morning crossing "
    "will leave the harbour half an hour earlier, so that commuters can reach the mainland "
    "rail station before the express trains depart for the city.\n\n"
    "Passengers holding season tickets will not pay more under the new timetable, the "
    "company said, but single fares bought on board will rise slightly to cover the cost "
    "of an extra crew member on the busiest sailings of the week."
)
SHORT_TEXT = "Markets closed early today."

AFP_URL = "https://www.afp.com/en/news/paris-depot-market-garden"
SYNDICATED_URL = "https://www.dailyherald-sample.example/world/paris-garden-plan-123"


def fixture_articles() -> list[Article]:
    """Two wire stories with their copies, an independent story, duplicates and short texts."""
    return [
        Article(
            id="afp-wire",
            text=AFP_TEXT,
            title="Paris plans market garden in old tram depot",
            url=AFP_URL,
            outlet="AFP",
            published_at="2026-04-02T09:00:00Z",
        ),
        Article(
            id="herald-syndicated",
            text=AFP_TEXT + "\n\n" + DISCLAIMER,
            title="Paris to grow vegetables in tram depot",
            url=SYNDICATED_URL,
            outlet="dailyherald-sample.example",
            published_at="2026-04-02T10:15:00Z",
        ),
        Article(
            id="courier-abridged",
            text="\n\n".join(AFP_PARAGRAPHS[:4]),
            title="Tram depot to become garden",
            url="https://courier-sample.example/paris-garden",
            outlet="courier-sample.example",
            published_at="2026-04-02T11:30:00Z",
        ),
        Article(
            id="aggregator-scrape",
            text=AFP_TEXT,
            title="Paris to grow vegetables in tram depot",
            url="https://newsbucket-sample.example/paris-to-grow-vegetables",
            outlet="newsbucket-sample.example",
            published_at="2026-04-02T12:00:00",
            pointer=SYNDICATED_URL,
        ),
        Article(
            id="local-independent",
            text=INDEPENDENT_TEXT,
            title="Charonne neighbours split over tram shed garden",
            url="https://charonne-voice.example/tram-shed",
            outlet="charonne-voice.example",
            published_at="2026-04-03T08:00:00Z",
        ),
        Article(
            id="reuters-wire",
            text=REUTERS_TEXT + "\n\n" + REUTERS_CREDIT,
            title="Norbridge Metals to build Humber copper smelter",
            url="https://www.reuters.com/markets/commodities/norbridge-smelter",
            outlet="Reuters",
            published_at="2026-05-02T07:30:00Z",
        ),
        Article(
            id="metals-weekly-copy",
            text=REUTERS_TEXT + "\n\n" + REUTERS_CREDIT,
            title="Norbridge bets on recycled copper",
            url="https://metalsweekly-sample.example/norbridge",
            outlet="metalsweekly-sample.example",
            published_at="2026-05-02T09:00:00Z",
        ),
        Article(
            id="business-brief-abridged",
            text="\n\n".join(REUTERS_PARAGRAPHS[:3]),
            title="Copper recycler plans smelter",
            url="https://businessbrief-sample.example/copper",
            outlet="businessbrief-sample.example",
            published_at="2026-05-02T10:00:00Z",
        ),
        Article(id="ferry-a", text=FERRY_TEXT, outlet="islandnews-sample.example"),
        Article(id="ferry-b", text=FERRY_TEXT, outlet="coastgazette-sample.example"),
        Article(id="short-1", text=SHORT_TEXT, outlet="tickerfeed-sample.example"),
        Article(id="short-2", text=SHORT_TEXT, outlet="otherticker-sample.example"),
    ]


def cluster_sets(result: ScanResult) -> set[frozenset[str]]:
    return {frozenset(m.id for m in c.members) for c in result.clusters}


def cluster_of(result: ScanResult, article_id: str) -> Cluster:
    return next(c for c in result.clusters if article_id in {m.id for m in c.members})


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return scan_articles(fixture_articles())


# --- clusters, canonical and roles -----------------------------------------------------


def test_clusters_are_the_stories(result: ScanResult) -> None:
    assert cluster_sets(result) == {
        frozenset({"afp-wire", "herald-syndicated", "courier-abridged", "aggregator-scrape"}),
        frozenset({"reuters-wire", "metals-weekly-copy", "business-brief-abridged"}),
        frozenset({"ferry-a", "ferry-b"}),
    }
    stats = result.stats
    assert stats.articles == 12
    assert stats.clusters == 3
    assert stats.clustered_articles == 9
    assert stats.singletons == 3  # the independent story and the two short texts
    assert stats.largest_cluster == 4
    assert stats.verified_pairs >= 6 + 3 + 1
    assert stats.warnings == []


def test_afp_cluster_canonical_origin_and_roles(result: ScanResult) -> None:
    cluster = cluster_of(result, "afp-wire")
    assert cluster.canonical_id == "afp-wire"
    assert cluster.origin == "AFP"
    assert cluster.cluster_id == cluster_id_for("afp-wire")
    assert cluster.size == 4
    roles = {m.id: (m.role, m.parent_id) for m in cluster.members}
    assert roles == {
        "afp-wire": ("canonical", None),
        "herald-syndicated": ("copy", "afp-wire"),
        "courier-abridged": ("abridged_copy", "afp-wire"),
        "aggregator-scrape": ("copy", "herald-syndicated"),
    }
    assert cluster.members[0].id == "afp-wire"  # canonical first
    assert cluster.reasons[0] == "origin AFP: afp-wire is the agency's own page"
    assert cluster.reasons[1] == "canonical afp-wire: it is the agency's own page"
    assert "aggregator-scrape points to herald-syndicated" in cluster.reasons
    assert (
        "herald-syndicated carries a syndication disclaimer or republication note"
        in cluster.reasons
    )
    members = {m.id: m for m in cluster.members}
    assert members["herald-syndicated"].evidence.syndicated
    assert members["courier-abridged"].containment == 1.0
    assert members["aggregator-scrape"].jaccard == 1.0


def test_reuters_cluster_canonical_origin_and_roles(result: ScanResult) -> None:
    cluster = cluster_of(result, "reuters-wire")
    assert cluster.canonical_id == "reuters-wire"
    assert cluster.origin == "Reuters"
    roles = {m.id: (m.role, m.parent_id) for m in cluster.members}
    assert roles == {
        "reuters-wire": ("canonical", None),
        "metals-weekly-copy": ("copy", "reuters-wire"),
        "business-brief-abridged": ("abridged_copy", "reuters-wire"),
    }


def test_every_cluster_explains_itself(result: ScanResult) -> None:
    for cluster in result.clusters:
        assert cluster.reasons, cluster.cluster_id
        assert all(reason.strip() for reason in cluster.reasons)
        assert cluster.reasons[0].startswith("origin ")
        assert cluster.reasons[1].startswith(f"canonical {cluster.canonical_id}: ")
        assert cluster.cluster_id == cluster_id_for(cluster.canonical_id)
        assert [m.role for m in cluster.members].count("canonical") == 1


def test_independent_story_on_same_topic_stays_alone(result: ScanResult) -> None:
    assert "local-independent" not in result.assignments
    assert result.assignment("local-independent") == Assignment(
        cluster_id="c-" + hashlib.sha256(b"local-independent").hexdigest()[:16],
        canonical_id="local-independent",
        role="unique",
    )


def test_assignments_match_clusters(result: ScanResult) -> None:
    for cluster in result.clusters:
        for member in cluster.members:
            assert result.assignment(member.id) == Assignment(
                cluster.cluster_id, cluster.canonical_id, member.role
            )
    assert set(result.evidence) == {a.id for a in fixture_articles()}


def test_a_mapping_made_on_first_use_is_made_once_and_reads_as_its_dict() -> None:
    from dedup.pipeline import MadeOnFirstUse

    made: list[int] = []

    def make() -> dict[str, int]:
        made.append(1)
        return {"a": 1, "b": 2}

    lazy = MadeOnFirstUse(make)
    assert made == []  # a scan that never reads it never pays for it
    assert lazy == {"a": 1, "b": 2}
    assert (lazy["b"], lazy.get("c"), len(lazy), list(lazy)) == (2, None, 2, ["a", "b"])
    assert made == [1]


def test_exact_duplicates_under_different_ids_cluster(result: ScanResult) -> None:
    cluster = cluster_of(result, "ferry-a")
    assert {m.id for m in cluster.members} == {"ferry-a", "ferry-b"}
    copy = next(m for m in cluster.members if m.role != "canonical")
    assert (copy.jaccard, copy.containment) == (1.0, 1.0)
    assert copy.role == "copy"
    assert copy.parent_id == cluster.canonical_id
    # a perfect tie: nothing but the ids decides, and the reasons say so
    assert cluster.canonical_id == "ferry-a"
    assert cluster.reasons[1] == (
        "canonical ferry-a: nothing else separates them, and its id sorts first"
    )
    # no agency credit anywhere: the origin falls back to the canonical's outlet
    assert cluster.reasons[0].startswith("origin ")
    assert "no agency credit" in cluster.reasons[0]


def test_short_texts_are_counted_and_never_clustered(result: ScanResult) -> None:
    assert result.stats.too_short == 2
    for short in ("short-1", "short-2"):
        assert short not in result.assignments
        assert result.assignment(short).role == "unique"
        assert result.assignment(short).canonical_id == short


def test_identical_short_texts_alone_do_not_cluster() -> None:
    alone = scan_articles(
        [Article(id=f"brief-{i}", text="Shares rose slightly in quiet trade.") for i in range(3)]
    )
    assert alone.clusters == []
    assert alone.stats.too_short == 3
    assert alone.stats.candidate_pairs == 0
    assert alone.stats.singletons == 3


def test_empty_input_gives_empty_result() -> None:
    empty = scan_articles([])
    assert empty.clusters == []
    assert empty.assignments == {}
    assert (empty.stats.articles, empty.stats.clusters, empty.stats.too_short) == (0, 0, 0)


def test_results_do_not_depend_on_batch_size() -> None:
    from dedup.params import RunOptions

    whole = scan_articles(fixture_articles(), options=RunOptions(workers=1))
    batched = scan_articles(fixture_articles(), options=RunOptions(batch_size=2, workers=1))
    assert batched.clusters == whole.clusters


def test_results_do_not_depend_on_worker_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    from dedup import pipeline
    from dedup.params import RunOptions

    serial = scan_articles(fixture_articles(), options=RunOptions(batch_size=2, workers=1))
    # small work items, so that verification and clustering run on the workers too
    monkeypatch.setattr(pipeline, "VERIFY_CHUNK", 3)
    monkeypatch.setattr(pipeline, "CLUSTER_ITEM_SIZE", 2)
    parallel = scan_articles(fixture_articles(), options=RunOptions(batch_size=2, workers=2))
    assert parallel.clusters == serial.clusters
    assert parallel.evidence == serial.evidence
    assert parallel.stats.verified_pairs == serial.stats.verified_pairs


# --- reading files ---------------------------------------------------------------------


def _line(article: Article) -> str:
    row = {"id": article.id, "text": article.text, "url": article.url, "outlet": article.outlet}
    return json.dumps(row)


def test_scan_keeps_going_after_a_bad_line(tmp_path: Path) -> None:
    articles = {a.id: a for a in fixture_articles()}
    first = tmp_path / "part1.jsonl"
    first.write_text(
        "\n".join(
            [
                _line(articles["afp-wire"]),
                _line(articles["local-independent"]),
                _line(articles["reuters-wire"]),
                '{"id": "cut-off", "text": "this record stops in the mid',
                _line(articles["courier-abridged"]),
                _line(articles["metals-weekly-copy"]),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    second = tmp_path / "part2.jsonl"
    second.write_text(_line(articles["herald-syndicated"]) + "\n", encoding="utf-8")
    seen: list[Reject] = []

    result = scan([first, second], on_reject=seen.append)

    assert len(seen) == 1
    assert (seen[0].path, seen[0].line) == (str(first), 4)
    assert seen[0].reason.startswith("invalid JSON: ")
    assert seen[0].raw == '{"id": "cut-off", "text": "this record stops in the mid'
    stats = result.stats
    assert (stats.records_read, stats.rejected, stats.articles) == (7, 1, 6)
    # records before and after the bad line (and in the next file) were all scanned
    assert set(result.evidence) == {
        "afp-wire",
        "local-independent",
        "reuters-wire",
        "courier-abridged",
        "metals-weekly-copy",
        "herald-syndicated",
    }
    assert cluster_sets(result) == {
        frozenset({"afp-wire", "courier-abridged", "herald-syndicated"}),
        frozenset({"reuters-wire", "metals-weekly-copy"}),
    }


def test_scan_without_on_reject_still_counts(tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        _line(fixture_articles()[0]) + '\n{"id": "x", "text": ""}\n[1, 2]\n', encoding="utf-8"
    )
    result = scan([dump])
    assert (result.stats.records_read, result.stats.rejected, result.stats.articles) == (3, 2, 1)


# --- order independence ----------------------------------------------------------------

EXPECTED_SETS = {
    frozenset({"afp-wire", "herald-syndicated", "courier-abridged", "aggregator-scrape"}),
    frozenset({"reuters-wire", "metals-weekly-copy", "business-brief-abridged"}),
    frozenset({"ferry-a", "ferry-b"}),
}


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(fixture_articles()))
def test_input_order_does_not_change_clusters(shuffled: list[Article]) -> None:
    unshuffled = scan_articles(fixture_articles())
    result = scan_articles(shuffled)
    assert cluster_sets(result) == EXPECTED_SETS
    # the canonical (even of the exact tie) and the roles do not depend on order either
    assert {c.cluster_id: c.canonical_id for c in result.clusters} == {
        c.cluster_id: c.canonical_id for c in unshuffled.clusters
    }
    assert result.assignments == unshuffled.assignments


def test_overlong_bodies_are_truncated_and_reported() -> None:
    words = " ".join(f"w{i}" for i in range(2000))
    articles = [Article(id="long-a", text=words), Article(id="long-b", text=words + " tail")]
    result = scan_articles(articles, DedupParams(max_body_chars=500))
    assert result.stats.truncated == 2
    assert result.stats.warnings == [
        "2 texts longer than max_body_chars=500 were compared on their first "
        "max_body_chars characters only"
    ]
    assert [sorted(m.id for m in c.members) for c in result.clusters] == [["long-a", "long-b"]]


def test_cluster_over_the_size_guard_is_kept_and_warned_about() -> None:
    text = " ".join(f"word{i}" for i in range(120))
    articles = [Article(id=f"dup-{i}", text=text) for i in range(4)]
    result = scan_articles(articles, DedupParams(max_cluster_size=3))
    assert [c.size for c in result.clusters] == [4]
    cluster_id = result.clusters[0].cluster_id
    assert result.stats.warnings == [
        f"cluster {cluster_id} has 4 members (more than max_cluster_size=3); check it for chaining"
    ]


def test_live_file_does_not_glue_the_stories_it_bundles() -> None:
    live_file = "\n\n".join(
        [
            "The Latest on the Paris garden plan (all times local):",
            "6:10 p.m.",
            *AFP_PARAGRAPHS[:4],
            "___",
            "5 p.m.",
            *REUTERS_PARAGRAPHS[:4],
        ]
    )
    updated_live_file = live_file.replace("6:10 p.m.", "7:45 p.m.\n\nA late update.\n\n6:10 p.m.")
    articles = [
        Article(id="afp", text=AFP_TEXT),
        Article(id="afp-copy", text=AFP_TEXT + "\n\n" + DISCLAIMER),
        Article(id="reuters", text=REUTERS_TEXT),
        Article(id="reuters-copy", text=REUTERS_TEXT + "\n\n" + REUTERS_CREDIT),
        Article(id="latest-1", text=live_file),
        Article(id="latest-2", text=updated_live_file),
    ]
    result = scan_articles(articles)
    assert result.evidence["latest-1"].compilation
    assert not result.evidence["afp"].compilation
    assert cluster_sets(result) == {
        frozenset({"afp", "afp-copy"}),
        frozenset({"reuters", "reuters-copy"}),
        frozenset({"latest-1", "latest-2"}),
    }


TEMPLATE = (
    "{home} beat {away} {score} in the premier division on {day}, with {scorer} scoring twice "
    "before half-time in front of {crowd} fans at the {ground} stadium. {away} pulled one back "
    "through {other} after the break, but {home} held on to move {gap} points clear in first "
    "place. Coach {coach} said the win showed the character of the squad after a difficult run "
    "of {run} games without a victory. {home} travel to {city} next week while {away} host "
    "{next}."
)


def test_templated_items_with_different_names_and_figures_are_not_copies() -> None:
    first = TEMPLATE.format(
        home="Selbra City", away="Finpol SC", score="2-1", day="Thursday", scorer="Mei Mertan",
        crowd="60,352", ground="Brabratan", other="Chen Marhor", gap="19", coach="Ahmed Sellin",
        run="4", city="Oslo", next="Nufin County",
    )  # fmt: skip
    second = TEMPLATE.format(
        home="Polnu FC", away="Dorhor Athletic", score="5-1", day="Sunday", scorer="Nadia Tannu",
        crowd="31,510", ground="Finfinsel", other="Lucas Horzen", gap="4", coach="Sara Polbranu",
        run="8", city="Lima", next="Polvi Albion",
    )  # fmt: skip
    copy_of_first = "By Staff Reporter\n\n" + first
    result = scan_articles(
        [
            Article(id="first", text=first),
            Article(id="second", text=second),
            Article(id="first-copy", text=copy_of_first),
        ]
    )
    assert cluster_sets(result) == {frozenset({"first", "first-copy"})}


STOCK_SENTENCE = (
    "The office said in a statement late on Tuesday that it was monitoring the situation "
    "closely and would give further details in the coming days."
)


def test_a_stock_sentence_hub_does_not_glue_a_large_component() -> None:
    # a short page that is little more than a stock sentence is "contained" in every story
    # carrying that sentence, so it links them all into one component; the fallback for
    # components over max_exact_component must not let it gather those stories
    stories = {"afp": AFP_TEXT, "reuters": REUTERS_TEXT, "ferry": FERRY_TEXT}
    articles = [Article(id="hub", text=f"Updated: 22 minutes ago\n\n{STOCK_SENTENCE}")]
    for name, text in stories.items():
        articles.append(Article(id=name, text=f"{text}\n\n{STOCK_SENTENCE}"))
        articles.append(Article(id=f"{name}-copy", text=f"{text}\n\n{STOCK_SENTENCE}\n\nShare"))
    result = scan_articles(articles, DedupParams(max_exact_component=3))
    assert "clustered neighbourhood by neighbourhood" in result.stats.warnings[0]
    found = cluster_sets(result)
    for name in stories:
        assert any({name, f"{name}-copy"} <= cluster for cluster in found)
    for cluster in found:
        assert len({member.split("-")[0] for member in cluster} - {"hub"}) == 1


def test_a_scan_pauses_the_collector_and_its_records_hold_no_cycles() -> None:
    """The collector is off during a scan, on the premise that its records form no
    reference cycles (garbage cycles would pile up). So: it is off while the scan runs and
    on again after, and what a scan leaves to it is one-off (lazy imports), not per article."""
    articles = [
        replace(article, id=f"{article.id}-{copy}")
        for copy in range(20)
        for article in fixture_articles()
    ]
    seen: list[bool] = []
    scan_articles(articles[:20], progress=lambda phase, done: seen.append(gc.isenabled()))
    assert seen
    assert not any(seen)
    assert gc.isenabled()
    while gc.collect():  # until settled: finalizers of what one pass frees can leave more
        pass
    gc.disable()
    try:
        scan_articles(articles)
        leftover = gc.collect()
    finally:
        gc.enable()
    assert leftover < len(articles) / 10
