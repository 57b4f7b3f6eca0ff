"""What a page's HTML says about where its story came from, merged into its Evidence.

The normalizer reads provenance from the text (credits, disclaimers, "Source link"
lines); an HTML page can say more before extraction throws it away (news.md §1, §4): a
canonical link or ``og:url`` on another site, JSON-LD ``isBasedOn``, an agency as
author, the hrefs behind "Source link", and Googlebot-News ``noindex``, which Google asks
syndication partners to set. Pointers give the canonical step a parent edge; the others
mark the page as a copy or credit an agency.
"""

from __future__ import annotations

from dataclasses import replace

from dedup.agencies import canonical_agency, domain_of
from dedup.records import Article, Evidence, PageSignals


def _elsewhere(url: str | None, own_domain: str | None) -> bool:
    """A link to another site (a page's canonical link to itself says nothing)."""
    domain = domain_of(url)
    return domain is not None and domain != own_domain


def _signals(page: PageSignals, own_url: str | None) -> tuple[list[str], list[str], list[str]]:
    """(pointers, agencies, notes) the page's signals give, strongest pointer first."""
    own = domain_of(own_url)
    pointers: list[str] = []
    notes: list[str] = []
    for url, what in (
        *((u, "JSON-LD isBasedOn") for u in page.based_on),
        (page.canonical_url, "canonical link to"),
        (page.og_url, "og:url"),
        *((u, "source link to") for u in page.source_links),
    ):
        if url and _elsewhere(url, own) and url not in pointers:
            pointers.append(url)
            notes.append(f"{what} {url}")
    agencies: list[str] = []
    for name in page.author_orgs:
        agency = canonical_agency(name)
        if agency and agency not in agencies:
            agencies.append(agency)
            notes.append(f"JSON-LD author {name}")
    if page.noindex_news:
        notes.append("Googlebot-News noindex (a syndication partner's copy)")
    return pointers, agencies, notes


def with_page_signals(evidence: Evidence, article: Article) -> Evidence:
    """``evidence`` plus what ``article.page`` declares; unchanged for non-page records.

    The page is marked syndicated when it points elsewhere by canonical link or
    ``isBasedOn``, or carries Googlebot-News noindex.
    """
    page = article.page
    if page is None:
        return evidence
    pointers, agencies, notes = _signals(page, article.url)
    if not notes:
        return evidence
    copy_signal = page.noindex_news or any(
        _elsewhere(url, domain_of(article.url)) for url in (*page.based_on, page.canonical_url)
    )
    return replace(
        evidence,
        pointers=tuple(dict.fromkeys((*pointers, *evidence.pointers))),
        agencies=tuple(dict.fromkeys((*evidence.agencies, *agencies))),
        syndicated=evidence.syndicated or copy_signal,
        page=tuple(notes),
    )
