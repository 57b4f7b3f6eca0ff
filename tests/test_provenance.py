"""A page's own provenance claims become evidence, and the canonical step follows them."""

from __future__ import annotations

import json
from pathlib import Path

from dedup import DedupParams, scan
from dedup.provenance import with_page_signals
from dedup.records import Article, Evidence, PageSignals

COPY_URL = "https://copies.example.net/world/rate-rise"
ORIGINAL = "https://wire.example.com/2024/rate-rise"


def _page_article(signals: PageSignals, url: str | None = COPY_URL) -> Article:
    return Article(id="a", text="Some text.", url=url, page=signals)


def test_a_record_without_a_page_keeps_its_evidence() -> None:
    evidence = Evidence(agencies=("AP",))
    assert with_page_signals(evidence, Article(id="a", text="x")) is evidence


def test_a_cross_site_canonical_link_is_a_pointer_and_a_copy_signal() -> None:
    article = _page_article(PageSignals(canonical_url=ORIGINAL))
    evidence = with_page_signals(Evidence(pointers=("https://x.example.org/",)), article)
    assert evidence.pointers == (ORIGINAL, "https://x.example.org/")
    assert evidence.syndicated
    assert evidence.page == (f"canonical link to {ORIGINAL}",)


def test_a_canonical_link_to_the_page_itself_says_nothing() -> None:
    article = _page_article(PageSignals(canonical_url=COPY_URL + "?amp", og_url=COPY_URL))
    evidence = Evidence()
    assert with_page_signals(evidence, article) == evidence


def test_based_on_source_links_authors_and_noindex() -> None:
    signals = PageSignals(
        based_on=(ORIGINAL,),
        source_links=("https://blog.example.org/post",),
        author_orgs=("Agence France-Presse", "Some Blog"),
        noindex_news=True,
    )
    evidence = with_page_signals(Evidence(), _page_article(signals))
    assert evidence.pointers == (ORIGINAL, "https://blog.example.org/post")
    assert evidence.agencies == ("AFP",)
    assert evidence.syndicated
    assert evidence.page == (
        f"JSON-LD isBasedOn {ORIGINAL}",
        "source link to https://blog.example.org/post",
        "JSON-LD author Agence France-Presse",
        "Googlebot-News noindex (a syndication partner's copy)",
    )


def test_a_source_link_alone_points_without_calling_the_page_syndicated() -> None:
    evidence = with_page_signals(
        Evidence(), _page_article(PageSignals(source_links=("https://a.example.org/s",)))
    )
    assert evidence.pointers == ("https://a.example.org/s",)
    assert not evidence.syndicated


STORY = " ".join(
    f"Sentence {i} of the story says the central bank raised its rate by a quarter point, "
    f"the {i}th rise in a row, as prices kept climbing through spring."
    for i in range(12)
)


def _html(body: str, head: str = "", footer: str = "") -> str:
    paragraphs = "".join(f"<p>{p}.</p>" for p in body.split(". ") if p)
    return (
        f"<html><head><title>Bank raises rates</title>{head}</head><body>"
        f"<article><h1>Bank raises rates</h1>{paragraphs}{footer}</article></body></html>"
    )


def _write_page(path: Path, own_url: str, head: str = "", footer: str = "") -> str:
    path.parent.mkdir(exist_ok=True)
    path.write_text(_html(STORY, f'<meta property="og:url" content="{own_url}">{head}', footer))
    return str(path)


_POINTS_TO_ORIGINAL = f'<link rel="canonical" href="{ORIGINAL}">'


def test_pages_pointing_at_each_other_are_reported_as_copies_of_what_they_name(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    original = _write_page(pages / "original.html", ORIGINAL)
    noindex = '<meta name="Googlebot-News" content="noindex">'
    partner = _write_page(pages / "partner.html", COPY_URL, _POINTS_TO_ORIGINAL + noindex)
    source_link = f'<p><a href="{COPY_URL}">Source link</a></p>'
    scraper = _write_page(
        pages / "scraper.html", "https://scraped.example.info/p/77", "", source_link
    )
    result = scan([pages], DedupParams())
    [cluster] = result.clusters
    members = {m.id: m for m in cluster.members}
    assert cluster.canonical_id == original
    assert members[partner].parent_id == original
    assert members[scraper].parent_id == partner
    assert members[partner].evidence.syndicated
    assert f"{partner} points to {original}" in cluster.reasons
    assert any(
        r.startswith(f"{partner}'s page declares: canonical link to") for r in cluster.reasons
    )


def test_a_page_indexed_yesterday_is_the_parent_its_copies_point_to_today(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from dedup.cli import app

    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    original = _write_page(day1 / "original.html", ORIGINAL)
    partner = _write_page(day2 / "partner.html", COPY_URL, _POINTS_TO_ORIGINAL)
    index = tmp_path / "index.db"
    for day in (day1, day2):
        result = CliRunner().invoke(
            app,
            ["scan", str(day), "--index", str(index), "-o", str(tmp_path / f"{day.name}.jsonl")],
        )
        assert result.exit_code == 0, result.output
    [cluster] = [json.loads(line) for line in (tmp_path / "day2.jsonl").read_text().splitlines()]
    members = {m["id"]: m for m in cluster["members"]}
    assert cluster["canonical_id"] == original
    assert cluster["new_ids"] == [partner]
    assert members[partner]["parent_id"] == original
    assert members[partner]["evidence"]["page"] == [f"canonical link to {ORIGINAL}"]


def test_pages_extracted_on_worker_processes_give_the_same_clusters(tmp_path: Path) -> None:
    from dedup import RunOptions
    from dedup.io.webpages import PAGES_PER_BATCH

    pages = tmp_path / "pages"
    for i in range(3 * PAGES_PER_BATCH):  # several batches, so the pool is used
        story = STORY.replace("central bank", f"bank number {i // 3}")
        (pages / f"{i:02d}.html").parent.mkdir(exist_ok=True)
        (pages / f"{i:02d}.html").write_text(_html(story))
    here = scan([pages], DedupParams(), options=RunOptions(workers=1))
    pooled = scan([pages], DedupParams(), options=RunOptions(workers=2))
    assert here.stats.articles == pooled.stats.articles == 3 * PAGES_PER_BATCH
    assert here.clusters
    assert here.clusters == pooled.clusters
