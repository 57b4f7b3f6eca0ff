"""Agency names, aliases and domains."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.agencies import (
    AGENCY_ALIASES,
    AGENCY_DOMAINS,
    agency_names,
    agency_of_domain,
    agency_of_source,
    canonical_agency,
    domain_of,
    host_and_path,
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


def _urlsplit_host_and_path(url: str) -> tuple[str | None, str] | str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return "ValueError"
    return parts.hostname, parts.path


def _host_and_path_or_error(url: str) -> tuple[str | None, str] | str:
    try:
        return host_and_path(url)
    except ValueError:
        return "ValueError"


#: pieces of URLs, plain and odd: schemes, users, ports, brackets, escapes, tabs and line
#: breaks (urlsplit drops them), non-ASCII hosts (checked, or lowercased to ASCII)
_URL_PIECES = st.sampled_from(
    [
        *("http:", "HTTPS:", "a1+b.c-d:", "1x:", "//", "/", "www.", "Ex.COM", "a-b", "..", "x"),
        *(":80", "@", "user", "[::1]", "[", "]", "%", "?", "#", "q=1", "\t", "\n", "\r", " "),
        *("\u00e9", "\uff45", "\u212a", "\u03a3"),
    ]
)


@settings(max_examples=2000)
@given(st.lists(_URL_PIECES, max_size=8).map("".join))
def test_host_and_path_equals_urlsplit(url: str) -> None:
    assert _host_and_path_or_error(url) == _urlsplit_host_and_path(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.Example.com/a/b?c#d",
        "//example.com",
        "//example.com/",
        "http://example.com:8080/x",
        "http://user@example.com/x",
        "http://example.com/a\tb",
        "http://example.com/a?b\tc",
        "http://[::1]/x",
        "http://[::1/x",
        "mailto:someone@example.com",
        "example.com/x",
    ],
)
def test_host_and_path_on_urls(url: str) -> None:
    assert _host_and_path_or_error(url) == _urlsplit_host_and_path(url)
