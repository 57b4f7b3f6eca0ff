"""Data tables: agencies, outlets, scrapers and the real boilerplate wordings
(shared/docs/news.md, section 1)."""

from __future__ import annotations

import re
from dataclasses import dataclass


def _split(text: str, sep: str | None = None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(sep))


MONTHS = _split(
    "January February March April May June July August September October November December"
)
MONTHS_SHORT = _split("Jan Feb March April May June July Aug Sept Oct Nov Dec")
WEEKDAYS = _split("Monday Tuesday Wednesday Thursday Friday Saturday Sunday")
WORLD_CITIES = tuple(
    tuple(_split(pair, "/"))
    for pair in _split(
        "Washington/United States|New York/United States|London/United Kingdom|Paris/France|"
        "Brussels/Belgium|Berlin/Germany|Geneva/Switzerland|Moscow/Russia|Beijing/China|"
        "Tokyo/Japan|Seoul/South Korea|Nairobi/Kenya|Cairo/Egypt|Ankara/Turkey|Kyiv/Ukraine|"
        "Jakarta/Indonesia|Sydney/Australia|Ottawa/Canada|Mexico City/Mexico|Sao Paulo/Brazil|"
        "Singapore/Singapore|Dubai/United Arab Emirates|Helsinki/Finland|Madrid/Spain",
        "|",
    )
)
INDIAN_CITIES = tuple(
    (city, "India") for city in _split("New Delhi|Mumbai|Kolkata|Chennai|Bengaluru|Hyderabad", "|")
)
FIRST_NAMES = _split(
    "Anna David Maria James Priya Kenji Olga Ahmed Laura Tomas Mei Daniel Fatima Lucas Irina "
    "Rahul Sarah Pablo Nadia Oliver Chen Elena Samuel Aisha"
)
LAST_NAMES = _split(
    "Keller Moreno Ivanova Tanaka Sharma Okafor Lindqvist Novak Haddad Brennan Costa Weber "
    "Yilmaz Park Dubois Kowalski Mensah Rossi Fischer Nguyen Gupta Petrov Silva Hughes"
)


@dataclass(frozen=True, slots=True)
class Agency:
    """A wire agency: its dateline form, its own page's URL form and its tail lines."""

    name: str
    weight: float
    dateline: str  # {CITY} upper, {City}, {Country}, {Month}, {Mon}, {d}
    url: str  # {slug}, {num}, {hex}, {date}, {ymd}
    tails: tuple[str, ...]  # {year}, {n1}..{n3}, {City}, {initials}, {desk}
    indian: bool = False


AGENCIES = (
    Agency(
        "AP",
        0.20,
        "{CITY} (AP) — ",
        "https://apnews.com/article/{slug}-{hex}",
        (
            "Copyright {year} The Associated Press. All rights reserved. This material may "
            "not be published, broadcast, rewritten or redistributed.",
        ),
    ),
    Agency(
        "Reuters",
        0.18,
        "{CITY} (Reuters) - ",
        "https://www.reuters.com/world/{slug}-{date}-{num}/",
        (
            "(Reporting by {n1} in {City}; additional reporting by {n2}; Editing by {n3})",
            "Our Standards: The Thomson Reuters Trust Principles.",
        ),
    ),
    Agency(
        "AFP",
        0.14,
        "{CITY} (AFP) - ",
        "https://www.afp.com/en/news/{num}/{slug}",
        ("{initials}", "© {year} AFP"),
    ),
    Agency(
        "PTI",
        0.10,
        "{City}, {Mon} {d} (PTI) ",
        "https://www.ptinews.com/story/national/{slug}/{num}",
        ("PTI {desk}",),
        True,
    ),
    Agency(
        "IANS",
        0.06,
        "{City}, {Month} {d} (IANS) ",
        "https://ianslive.in/{slug}-{num}",
        ("--IANS", "{desk2}"),
        True,
    ),
    Agency(
        "ANI",
        0.06,
        "{City} [{Country}], {Mon} {d} (ANI): ",
        "https://www.aninews.in/news/world/{slug}{num}/",
        ("(ANI)",),
        True,
    ),
    Agency("TASS", 0.05, "{CITY}, {Month} {d}. /TASS/. ", "https://tass.com/world/{num}", ()),
    Agency(
        "Xinhua",
        0.05,
        "{CITY}, {Month} {d} (Xinhua) -- ",
        "https://english.news.cn/{ymd}/{hex}/c.html",
        (),
    ),
    Agency(
        "Bloomberg",
        0.05,
        "(Bloomberg) -- ",
        "https://www.bloomberg.com/news/articles/{date}/{slug}",
        ("©{year} Bloomberg L.P.",),
    ),
    Agency(
        "Kyodo",
        0.03,
        "{CITY}, {Month} {d} (Kyodo) -- ",
        "https://english.kyodonews.net/news/{year}/{hex}-{slug}.html",
        (),
    ),
    Agency(
        "Yonhap",
        0.03,
        "{CITY}, {Month} {d} (Yonhap) -- ",
        "https://en.yna.co.kr/view/AEN{ymd}{num}",
        (),
    ),
)
_AGENCY_WEIGHTS = tuple(a.weight for a in AGENCIES)

DISCLAIMERS = {
    "ndtv": "(Except for the headline, this story has not been edited by NDTV staff and is "
    "published from a syndicated feed.)",
    "bs": "(Only the headline and picture of this report may have been reworked by the Business "
    "Standard staff; the rest of the content is auto-generated from a syndicated feed.)",
    "ht": "This story has been published from a wire agency feed without modifications to the "
    "text. Only the headline has been changed.",
    "print": "This report is auto-generated from {agency} news service. ThePrint holds no "
    "responsibility for its content.",
    "devdiscourse": "(This story has not been edited by Devdiscourse staff and is "
    "auto-generated from a syndicated feed.)",
    "inputs": "(With inputs from {agency})",
}


@dataclass(frozen=True, slots=True)
class Outlet:
    """A republishing site: where it is, its disclaimer and how it treats the dateline."""

    domain: str
    region: str  # "in", "us", "intl", "agg"
    disclaimer: str | None  # key of DISCLAIMERS
    dateline: str  # "keep", "bare", "none"
    section: str


OUTLETS = (
    Outlet("ndtv.com", "in", "ndtv", "bare", "world-news"),
    Outlet("business-standard.com", "in", "bs", "keep", "article/international"),
    Outlet("hindustantimes.com", "in", "ht", "bare", "world-news"),
    Outlet("livemint.com", "in", "ht", "keep", "news/world"),
    Outlet("theprint.in", "in", "print", "keep", "world"),
    Outlet("devdiscourse.com", "in", "devdiscourse", "keep", "article/international"),
    Outlet("indiatoday.in", "in", "inputs", "bare", "world/story"),
    Outlet("economictimes.indiatimes.com", "in", None, "bare", "news/international"),
    Outlet("tribuneindia.com", "in", None, "keep", "news/world"),
    Outlet("sfgate.com", "us", None, "keep", "news/article"),
    Outlet("startribune.com", "us", None, "keep", "world"),
    Outlet("seattletimes.com", "us", None, "keep", "nation-world"),
    Outlet("wtop.com", "us", None, "keep", "world"),
    Outlet("usnews.com", "us", None, "keep", "news/world/articles"),
    Outlet("nola.com", "us", None, "none", "news/nation_world"),
    Outlet("chron.com", "us", None, "keep", "news/world/article"),
    Outlet("france24.com", "intl", None, "none", "en/live-news"),
    Outlet("thestar.com.my", "intl", None, "keep", "news/world"),
    Outlet("straitstimes.com", "intl", None, "none", "world"),
    Outlet("japantoday.com", "intl", None, "keep", "category/world"),
    Outlet("news24.com", "intl", None, "keep", "world/news"),
    Outlet("gulfnews.com", "intl", None, "bare", "world"),
    Outlet("dailymail.co.uk", "intl", None, "keep", "wires/article"),
    Outlet("dawn.com", "intl", None, "keep", "news"),
    Outlet("yahoo.com", "agg", None, "keep", "news"),
    Outlet("msn.com", "agg", None, "keep", "en-us/news/world"),
)
_OUTLETS_IN = tuple(o for o in OUTLETS if o.region == "in")
_OUTLETS_OTHER = tuple(o for o in OUTLETS if o.region != "in")
SCRAPERS = _split(
    "dailyheadlines24.net worldnewsroundup.org trendingnewsdesk.com newsfeedcentral.info "
    "latestnewsroom.net globalnewswire24.com"
)


@dataclass(frozen=True, slots=True)
class OutletOrigin:
    """A non-agency origin: its domain, URL form and the note its republishers add."""

    domain: str
    url: str
    note: str | None


OUTLET_ORIGINS = (
    OutletOrigin(
        "usatoday.com",
        "https://www.usatoday.com/story/news/{date}/{slug}/{num}/",
        "This article originally appeared on USA TODAY: {title}",
    ),
    OutletOrigin(
        "theconversation.com",
        "https://theconversation.com/{slug}-{num}",
        "This article is republished from The Conversation under a Creative Commons "
        "license. Read the original article.",
    ),
    OutletOrigin(
        "marketpulseblog.com",
        "https://marketpulseblog.com/{date}/{slug}/",
        "The post {title} appeared first on Market Pulse.",
    ),
    OutletOrigin("bbc.com", "https://www.bbc.com/news/world-{num}", None),
    OutletOrigin("scroll.in", "https://scroll.in/latest/{num}/{slug}", None),
)

FURNITURE_TAIL = (
    "Share this:",
    "Follow us on Twitter",
    "Sign up for our newsletter",
    "Also Read: {other}",
)
CAPTION_TAILS = (
    "has faced mounting pressure in recent weeks",
    "is seen in a file photo",
    "has scaled down public appearances this year",
    "speaks to reporters at an earlier event",
)
UPDATE_SENTENCES = (
    "{name}, a spokesperson for the ministry, did not immediately respond to a request for "
    "comment on {weekday}.",
    "The office said in a statement late on {weekday} that it was monitoring the situation "
    "closely and would give further details in the coming days.",
    "Earlier on {weekday}, {name} told a news conference in {city} that talks would continue "
    "next week despite the disagreement.",
    "This is a developing story and will be updated as more information becomes available.",
)
SYNONYMS = {
    "said": "says",
    "percent": "per cent",
    "pct": "percent",
    "mln": "million",
    "bln": "billion",
    "dlrs": "dollars",
    "about": "around",
    "help": "assist",
    "buy": "purchase",
    "start": "begin",
    "big": "large",
    "U.S.": "US",
}
_EDIT = re.compile(
    r"\b(?:said|percent|pct|mln|bln|dlrs|about|help|buy|start|big)\b|\bU\.S\."
    r"|\b\d{1,3}(?:,\d{3})+\b"
)
_STOPWORDS = """that with from this have said says were will would been their which about there they
    also after than more year years could some other into over under told when what where
    while before because against between during should these those them then only such very
    most many much last next first percent cent added according including since until within
    without through each both either however still just even does being made make like well
    back week weeks month months monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december today
    here your ours mine what whom whose said their there's it's dont isn't wasn't"""
STOP = frozenset(_STOPWORDS.split())
