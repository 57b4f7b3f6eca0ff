"""News agencies: canonical names, aliases and domains, with tiny lookups.

A wire agency is the usual root origin of a syndicated story, so the normalizer maps every
credit it finds ("Agence France-Presse", "The Associated Press", "/TASS/") to one canonical
name, and the canonical step asks whether a page is the agency's own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import urlsplit

#: canonical name -> aliases (the canonical name itself is always an alias too).
AGENCY_ALIASES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "AP": ("Associated Press", "The Associated Press", "AP News"),
        "AFP": ("Agence France-Presse", "Agence France Presse", "Agence France Press"),
        "Reuters": ("Thomson Reuters", "Reuters News"),
        "PTI": ("Press Trust of India",),
        "IANS": ("Indo-Asian News Service", "Indo Asian News Service"),
        "ANI": ("Asian News International",),
        "UNI": ("United News of India",),
        "TASS": ("ITAR-TASS", "TASS News Agency", "Russian News Agency TASS"),
        "Interfax": (),
        "RIA Novosti": ("RIA",),
        "Sputnik": (),
        "Xinhua": ("Xinhua News Agency", "Xinhuanet"),
        "Yonhap": ("Yonhap News Agency",),
        "Kyodo": ("Kyodo News",),
        "dpa": ("Deutsche Presse-Agentur",),
        "Bloomberg": ("Bloomberg News",),
        "UPI": ("United Press International",),
        "CP": ("Canadian Press", "The Canadian Press"),
        "EFE": ("Agencia EFE",),
        "ANSA": ("Agenzia Nazionale Stampa Associata",),
        "AAP": ("Australian Associated Press",),
        "PA": ("PA Media", "Press Association", "PA Wire"),
        "Anadolu": ("Anadolu Agency", "Anadolu Ajansi"),
        "ANP": (),
        "APA": ("Austria Presse Agentur",),
        "Bernama": (),
        "Antara": ("Antara News",),
        "IRNA": (),
        "WAFA": (),
        "SPA": ("Saudi Press Agency",),
        "WAM": ("Emirates News Agency",),
        "MENA": ("Middle East News Agency",),
        "CNA": ("Central News Agency",),
        "KCNA": ("Korean Central News Agency",),
        "Ukrinform": (),
        "PAP": ("Polish Press Agency",),
        "Lusa": (),
        "Belga": (),
        "Europa Press": (),
        "NTB": (),
        "TT": ("Tidningarnas Telegrambyra",),
        "STT": ("Suomen Tietotoimisto",),
    }
)

#: agency domains; a page on one of them (or a subdomain) is the agency's own copy.
AGENCY_DOMAINS: Mapping[str, str] = MappingProxyType(
    {
        "apnews.com": "AP",
        "ap.org": "AP",
        "reuters.com": "Reuters",
        "afp.com": "AFP",
        "ptinews.com": "PTI",
        "ians.in": "IANS",
        "ianslive.in": "IANS",
        "aninews.in": "ANI",
        "uniindia.com": "UNI",
        "tass.com": "TASS",
        "tass.ru": "TASS",
        "interfax.com": "Interfax",
        "interfax.ru": "Interfax",
        "ria.ru": "RIA Novosti",
        "sputniknews.com": "Sputnik",
        "xinhuanet.com": "Xinhua",
        "news.cn": "Xinhua",
        "yna.co.kr": "Yonhap",
        "en.yna.co.kr": "Yonhap",
        "kyodonews.net": "Kyodo",
        "english.kyodonews.net": "Kyodo",
        "dpa.com": "dpa",
        "dpa-international.com": "dpa",
        "bloomberg.com": "Bloomberg",
        "upi.com": "UPI",
        "thecanadianpress.com": "CP",
        "efe.com": "EFE",
        "ansa.it": "ANSA",
        "aap.com.au": "AAP",
        "aa.com.tr": "Anadolu",
        "bernama.com": "Bernama",
        "antaranews.com": "Antara",
        "irna.ir": "IRNA",
        "wafa.ps": "WAFA",
        "spa.gov.sa": "SPA",
        "wam.ae": "WAM",
        "kcna.kp": "KCNA",
        "ukrinform.net": "Ukrinform",
        "pap.pl": "PAP",
    }
)


def _alias_key(name: str) -> str:
    """Casefold and squeeze separators, so "Agence France-Presse" == "agence france presse"."""
    return re.sub(r"[\s\-.]+", " ", name.casefold()).strip()


_ALIAS_TO_CANONICAL: Mapping[str, str] = MappingProxyType(
    {
        _alias_key(alias): canonical
        for canonical, aliases in AGENCY_ALIASES.items()
        for alias in (canonical, *aliases)
    }
)


def agency_names() -> tuple[str, ...]:
    """Every canonical name and alias, longest first (so regex alternations prefer them)."""
    names = {alias for c, aliases in AGENCY_ALIASES.items() for alias in (c, *aliases)}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@lru_cache(maxsize=1 << 14)
def canonical_agency(name: str) -> str | None:
    """The canonical agency for a name or alias (case-insensitive), else None.

    A leading "The " and surrounding slashes/brackets are ignored ("/TASS/", "(AFP)").
    Cached: credits and outlets repeat the same few names.
    """
    key = _alias_key(name.strip(" \t/()[]|,;:•"))
    if key.startswith("the ") and key not in _ALIAS_TO_CANONICAL:
        key = key[4:]
    return _ALIAS_TO_CANONICAL.get(key)


#: a URL (or "//" + a bare domain) with a plain ASCII host (no user, port or brackets) and
#: a path without tabs or line breaks: what ``urlsplit`` would make of it is plain to see
_PLAIN_URL = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?"  # scheme
    r"//([A-Za-z0-9.-]*)"  # host
    r"(/[^?#\t\r\n]*)?"  # path
    r"(?:[?#]|\Z)"
)


def host_and_path(url: str) -> tuple[str | None, str]:
    """``urlsplit(url)``'s hostname and path (and its ValueError). Most URLs are plain and
    read by one regular expression: a scan reads every clustered page's URL."""
    plain = _PLAIN_URL.match(url)
    if plain is not None:
        return plain.group(1).lower() or None, plain.group(2) or ""
    parts = urlsplit(url)
    return parts.hostname, parts.path


@lru_cache(maxsize=1 << 16)
def domain_of(url_or_outlet: str | None) -> str | None:
    """Lowercased host without "www." of a URL, bare domain ("ndtv.com") or outlet path.
    Cached: a dump names the same outlets over and over."""
    if not url_or_outlet:
        return None
    text = url_or_outlet.strip()
    if not text:
        return None
    if "://" not in text:
        text = "//" + text.lstrip("/")
    try:
        host = host_and_path(text)[0]
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    host = host.rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


@lru_cache(maxsize=1 << 16)
def agency_of_domain(domain: str | None) -> str | None:
    """The agency owning a domain or one of its parent domains, else None. Cached: a dump
    holds far fewer domains than pages."""
    if not domain:
        return None
    parts = domain.lower().split(".")
    for start in range(len(parts) - 1):
        agency = AGENCY_DOMAINS.get(".".join(parts[start:]))
        if agency is not None:
            return agency
    return None


def agency_of_source(outlet: str | None, url: str | None) -> str | None:
    """The agency whose OWN page this is: an outlet naming an agency, or an agency domain."""
    named = _agency_of_outlet(outlet) if outlet else None
    return named if named is not None else agency_of_domain(domain_of(url))


@lru_cache(maxsize=1 << 14)
def _agency_of_outlet(outlet: str) -> str | None:
    """The agency an outlet names, or whose domain it is. Cached: outlets repeat."""
    named = canonical_agency(outlet)
    return named if named is not None else agency_of_domain(domain_of(outlet))
