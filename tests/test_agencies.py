"""Agency names, aliases and domains."""

from __future__ import annotations

import pytest

from dedup.agencies import (
    AGENCY_ALIASES,
    AGENCY_DOMAINS,
    agency_names,
    agency_of_domain,
    agency_of_source,
    canonical_agency,
    domain_of,
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("AP", "AP"),
        ("Associated Press", "AP"),
        ("The Associated Press", "AP"),
        ("the associated press", "AP"),
        ("AFP", "AFP"),
        ("Agence France-Presse", "AFP"),
        ("Agence France Presse", "AFP"),
        ("agence france-presse", "AFP"),
        ("Reuters", "Reuters"),
        ("Thomson Reuters", "Reuters"),
        ("REUTERS", "Reuters"),
        ("Press Trust of India", "PTI"),
        ("PTI", "PTI"),
        ("IANS", "IANS"),
        ("ANI", "ANI"),
        ("/TASS/", "TASS"),
        ("(AFP)", "AFP"),
        ("Xinhua", "Xinhua"),
        ("Yonhap", "Yonhap"),
        ("Kyodo News", "Kyodo"),
        ("dpa", "dpa"),
        ("DPA", "dpa"),
        ("Bloomberg", "Bloomberg"),
        ("UPI", "UPI"),
        ("The Canadian Press", "CP"),
        ("Canadian Press", "CP"),
        ("EFE", "EFE"),
        ("ANSA", "ANSA"),
        ("  Associated   Press  ", "AP"),
    ],
)
def test_canonical_agency_maps_aliases(name: str, expected: str) -> None:
    assert canonical_agency(name) == expected


@pytest.mark.parametrize("name", ["", "NDTV", "The New York Times", "the", "Press", "CNN"])
def test_canonical_agency_rejects_non_agencies(name: str) -> None:
    assert canonical_agency(name) is None


def test_every_canonical_name_maps_to_itself() -> None:
    for canonical in AGENCY_ALIASES:
        assert canonical_agency(canonical) == canonical
    for agency in AGENCY_DOMAINS.values():
        assert agency in AGENCY_ALIASES


def test_agency_names_longest_first() -> None:
    names = agency_names()
    assert names.index("Agence France-Presse") < names.index("AFP")
    assert [len(n) for n in names] == sorted((len(n) for n in names), reverse=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.ndtv.com/world-news/story-5906", "ndtv.com"),
        ("http://WWW.Reuters.COM/world/", "reuters.com"),
        ("ndtv.com", "ndtv.com"),
        ("yahoo.com/news", "yahoo.com"),
        ("www.apnews.com", "apnews.com"),
        ("https://en.yna.co.kr/view/1", "en.yna.co.kr"),
        ("https://example.org:8080/a?b=c", "example.org"),
        ("//cdn.example.net/x", "cdn.example.net"),
        (None, None),
        ("", None),
        ("   ", None),
        ("AFP", None),
        ("http://[::1", None),
    ],
)
def test_domain_of(value: str | None, expected: str | None) -> None:
    assert domain_of(value) == expected


def test_agency_of_domain_counts_subdomains() -> None:
    assert agency_of_domain("apnews.com") == "AP"
    assert agency_of_domain("uk.reuters.com") == "Reuters"
    assert agency_of_domain("english.kyodonews.net") == "Kyodo"
    assert agency_of_domain("notreuters.com") is None
    assert agency_of_domain("reuters.com.example.net") is None
    assert agency_of_domain(None) is None


@pytest.mark.parametrize(
    ("outlet", "url", "expected"),
    [
        ("AFP", None, "AFP"),
        ("Agence France-Presse", "https://example.com/x", "AFP"),
        ("reuters.com", None, "Reuters"),
        (None, "https://www.reuters.com/world/asia/x", "Reuters"),
        ("apnews.com/article", None, "AP"),
        ("ndtv.com", "https://www.ndtv.com/world-news/x", None),
        ("yahoo.com/news", "https://news.yahoo.com/x", None),
        (None, "https://www.ptinews.com/story/1", "PTI"),
        (None, "https://www.aninews.in/news/1", "ANI"),
        (None, "https://tass.com/politics/1", "TASS"),
        (None, "http://www.xinhuanet.com/english/1", "Xinhua"),
        (None, None, None),
        ("", "", None),
    ],
)
def test_agency_of_source(outlet: str | None, url: str | None, expected: str | None) -> None:
    assert agency_of_source(outlet, url) == expected
