"""Canonical choice, origin, roles and reasons from evidence."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup import _cluster_kernels
from dedup.canonical import cluster_id_for, describe_cluster, parse_time, url_key
from dedup.records import Article, Evidence
from dedup.shingle import shingle_batch

PARAGRAPHS = [" ".join(f"p{p}w{w}" for w in range(40)) for p in range(6)]


def body(count: int) -> str:
    return "\n\n".join(PARAGRAPHS[:count])


def describe(articles: list[Article], evidence: list[Evidence], bodies: list[str]):  # type: ignore[no-untyped-def]
    sets = shingle_batch(bodies, 3)
    return describe_cluster(
        articles,
        evidence,
        [sets.of(i) for i in range(len(articles))],
    )


def test_agency_page_wins_and_names_origin() -> None:
    articles = [
        Article(id="copy", text="", outlet="ndtv.com", url="https://www.ndtv.com/a-1"),
        Article(id="wire", text="", outlet="AFP"),
    ]
    evidence = [Evidence(syndicated=True), Evidence(agencies=("AFP",))]
    cluster = describe(articles, evidence, [body(6), body(6)])
    assert cluster.canonical_id == "wire"
    assert cluster.origin == "AFP"
    assert cluster.reasons[:2] == (
        "origin AFP: wire is the agency's own page",
        "canonical wire: it is the agency's own page",
    )
    roles = {m.id: (m.role, m.parent_id) for m in cluster.members}
    assert roles == {"wire": ("canonical", None), "copy": ("copy", "wire")}
    measures = {m.id: (m.jaccard, m.containment) for m in cluster.members}
    assert measures == {"wire": (1.0, 1.0), "copy": (1.0, 1.0)}


def test_pointer_gives_parent_and_scraper_goes_last() -> None:
    articles = [
        Article(
            id="scraper", text="", url="https://agg.net/x", pointer="https://www.ndtv.com/a-1/"
        ),
        Article(id="ndtv", text="", url="https://ndtv.com/a-1"),
    ]
    evidence = [Evidence(scraper=True, agencies=()), Evidence(syndicated=True)]
    cluster = describe(articles, evidence, [body(6), body(6)])
    assert cluster.canonical_id == "ndtv"
    scraper = next(m for m in cluster.members if m.id == "scraper")
    assert (scraper.role, scraper.parent_id) == ("copy", "ndtv")
    assert "scraper points to ndtv" in cluster.reasons


def test_most_complete_copy_beats_earlier_shorter_one_and_credit_spreads() -> None:
    articles = [
        Article(
            id="short", text="", outlet="theprint.in", published_at="2024-06-09T12:20:00+05:30"
        ),
        Article(
            id="long",
            text="",
            outlet="business-standard.com",
            published_at="2024-06-09T12:41:00+05:30",
        ),
    ]
    evidence = [Evidence(agencies=("PTI",), syndicated=True), Evidence(syndicated=True)]
    cluster = describe(articles, evidence, [body(4), body(6)])
    assert cluster.canonical_id == "long"
    assert cluster.origin == "PTI"
    assert cluster.reasons[1] == (
        "canonical long: it is the most complete version (contains the most of the others' text)"
        "; short was published earlier but holds less of the story"
    )
    short = next(m for m in cluster.members if m.id == "short")
    assert short.role == "abridged_copy"
    assert short.containment == 1.0


def test_earliest_wins_between_equal_copies() -> None:
    articles = [
        Article(id="late", text="", outlet="a.com", published_at="2024-01-02T00:00:00Z"),
        Article(id="early", text="", outlet="b.com", published_at="2024-01-01T00:00:00Z"),
    ]
    cluster = describe(articles, [Evidence(), Evidence()], [body(6), body(6)])
    assert cluster.canonical_id == "early"
    assert cluster.reasons[1] == "canonical early: it was published earliest"
    assert cluster.origin == "b.com"
    assert (
        cluster.reasons[0]
        == "origin b.com: no agency credit or agency page; the canonical's outlet"
    )


def test_same_outlet_members_are_versions() -> None:
    articles = [
        Article(id="v1", text="", url="https://site.com/story-v1"),
        Article(id="v2", text="", url="https://www.site.com/story-v2"),
    ]
    cluster = describe(articles, [Evidence(), Evidence()], [body(6), body(5)])
    roles = {m.id: m.role for m in cluster.members}
    assert roles == {"v1": "canonical", "v2": "version"}


def test_helpers() -> None:
    assert cluster_id_for("a") == cluster_id_for("a") != cluster_id_for("b")
    assert parse_time("2024-06-17T08:50:00Z") == parse_time("2024-06-17T14:20:00+05:30")
    assert parse_time("yesterday") is None
    assert url_key("https://www.ndtv.com/x/?utm=1") == url_key("http://ndtv.com/x") == "ndtv.com/x"


def test_member_sharing_little_with_canonical_gets_its_closest_member_as_parent() -> None:
    extra = [" ".join(f"q{p}w{w}" for w in range(40)) for p in range(4)]
    articles = [
        Article(id="wire", text="", outlet="AP"),
        Article(id="rewrite", text="", outlet="a.com"),
        Article(id="later", text="", outlet="b.com"),
    ]
    bodies = [
        body(6),
        "\n\n".join(PARAGRAPHS[3:6] + extra[:3]),
        "\n\n".join(extra),
    ]
    cluster = describe(articles, [Evidence(), Evidence(), Evidence()], bodies)
    parents = {m.id: (m.role, m.parent_id) for m in cluster.members}
    assert parents == {
        "wire": ("canonical", None),
        "rewrite": ("copy", "wire"),
        "later": ("copy", "rewrite"),
    }


def test_origin_from_republication_notes_when_no_agency_is_credited() -> None:
    articles = [Article(id="a", text="", outlet="x.com"), Article(id="b", text="", outlet="y.com")]
    evidence = [Evidence(sources=("USA TODAY",), syndicated=True), Evidence(sources=("USA TODAY",))]
    cluster = describe(articles, evidence, [body(6), body(5)])
    assert cluster.origin == "USA TODAY"
    assert cluster.reasons[0] == (
        "origin USA TODAY: named as the original by a republication note on 2 of 2 members"
    )


@settings(deadline=None)  # the first call compiles the kernel
@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.lists(st.floats(0, 500), min_size=n * n, max_size=n * n),
            st.lists(st.integers(0, 900), min_size=n, max_size=n),
        )
    )
)
def test_compiled_containment_equals_the_numpy_reference(
    drawn: tuple[list[float], list[int]],
) -> None:
    values, sizes = drawn
    n = len(sizes)
    shared = np.array(values).reshape(n, n)
    expected = shared / np.array([max(s, 1) for s in sizes], dtype=np.float64)[:, None]
    np.fill_diagonal(expected, 1.0)
    completeness = (expected.sum(axis=0) - 1.0) / max(n - 1, 1)
    contained, found = _cluster_kernels.containment_shares(shared, np.array(sizes, np.int64))
    assert np.array_equal(contained, expected)
    assert np.array_equal(found, completeness)
