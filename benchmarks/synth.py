"""Seeded syndication simulator: GENERATED news dumps with ground-truth clusters.

Usage::

    python benchmarks/synth.py BASE_JSONL [BASE_JSONL ...] --articles N --seed S \\
        -o OUT.jsonl --gold GOLD.jsonl [--text-field text --title-field title] [--window W]

Everything written is generated: every output record carries ``"generated": true`` and the
summary on stderr says so. Base stories are real texts read from the given JSON Lines files
(e.g. the shared ``reuters21578``, ``helsinki`` and ``l3s_gn1`` ``articles.jsonl``; never
commit them or the output). Each base story becomes one gold cluster:

* an **origin**: a wire agency (AP, Reuters, AFP, PTI, IANS, ANI, TASS, Xinhua, Bloomberg,
  Kyodo, Yonhap) or, for some stories, an outlet (USA Today, The Conversation, a blog);
* the origin's **own page** in about 60% of stories (outlet = agency name, URL on the agency's
  domain, the agency's dateline "PARIS (AFP) -" and its credit/rights tail lines); it is then
  the cluster's canonical. Without it, copy #1 is a full-text republication and the
  canonical is the **most complete faithful copy**: the non-scraper copy that keeps every
  paragraph, with no inserted paragraph, no word edits, and the fewest added lines (the
  agency's own credit lines are not "added"; the earliest, then the first made, breaks ties).
  The gold line names it in ``canonical_id`` and lists the other copies that are just as
  complete and faithful (they differ only in furniture or time) in
  ``canonical_alternatives``, so a scorer can accept those too.
* 0..N **copies** (heavy-tailed: ~35% of stories with an agency page have none, the rest a
  Pareto-distributed count, capped) made with what real outlets do (``shared/docs/news.md``
  section 1): new headline, the outlets' real syndication disclaimers, datelines with the
  credit, bare ("Moscow:") or removed, captions "(File)", bylines, credit and rights lines,
  tag lists, page furniture ("Advertisement", "Also Read: ..."), trimmed tails, teasers
  ("Read more"), inserted update paragraphs, light word edits (said -> says, synonyms, number
  formats), republication notes, and **scraper copies** ("You are currently viewing ...",
  timestamp line, "Source link", "Like Loading...") of any earlier page of the story, copies
  of copies included, with ``source_link`` = that page's URL.
* publish times: the origin first, copies minutes to hours later (log-normal), scrapers
  after their parent; some missing.

Hard negatives, each its own gold cluster: **quote-sharing stories** (one or two sentences of
a story wrapped into a different story's text) and **templated items** (groups of short
texts from one invented template that differ only in names and numbers).

Base reuse. Real bases are used once each, in a seeded order (epoch 0). When ``--articles``
needs more stories than the pool holds, later epochs reuse the pool, and a reused base
would give a near-identical text under a different gold label. So from epoch 1 on a base is
merged with part of another base, its middle paragraphs may be permuted, and every content
word (4+ letters, not a function word) and every number is **re-lexicalized** through a
seeded per-epoch substitution into the pool's vocabulary. The result keeps real news
structure (paragraph and sentence lengths, function words, quotes) but shares no content
shingles with any other story. Quote-sharing hosts are re-lexicalized the same way with
their own key, so only the wrapped quote is shared. Bases are cleaned lightly (page junk
lines under 4 words, tables, a headline repeat, an existing "(AP)"-style dateline, credit
and copyright lines, the Reuters "Reuter" signature), bases under 80 words are skipped, and
a base that shares most of its sampled word 5-grams with an earlier one is skipped (real
dumps hold re-sends and copies, which would otherwise be two gold clusters).

Deterministic: the same bases, ``--articles`` and ``--seed`` give byte-identical files.
Streaming: the base pool is read once into memory; stories are generated one by one and
written as they are made (records pass a bounded shuffle window of ``--window`` records so
that a story's copies are not adjacent); memory does not grow with ``--articles``.

Library use::

    pool = build_pool(read_bases(paths))
    for story in generate(pool, articles=2000, seed=1):
        story.records  # tuple of article dicts (id, text, title, url, outlet, ...)
        story.gold     # {"cluster_id", "ids", "origin", "canonical_id",
                       #  "canonical_alternatives", "confidence", "note"}
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = [
    "MIN_WORDS",
    "BasePool",
    "Story",
    "Summary",
    "build_pool",
    "generate",
    "interleave",
    "main",
    "read_bases",
    "write",
]

MIN_WORDS = 80
"""Bases with fewer words (after cleaning) are skipped."""

P_AGENCY_PAGE = 0.6
P_OUTLET_ORIGIN = 0.15
P_SINGLETON = 0.35
P_SCRAPER = 0.13
P_QUOTE_NEGATIVE = 0.05
P_TEMPLATE_GROUP = 0.03
MAX_COPIES = 40
_ID_MASK = (1 << 40) - 1
_EPOCH0 = datetime(2024, 1, 1)

# ---------------------------------------------------------------------------------------
# Tables: agencies, outlets and the real boilerplate wordings (shared/docs/news.md, s. 1)
# ---------------------------------------------------------------------------------------


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

# ---------------------------------------------------------------------------------------
# Base pool: read, clean, skip short and near-duplicate bases
# ---------------------------------------------------------------------------------------

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u200b]")
_TABLE = re.compile(r"\S[ \t]{3,}\S")
_REUTERS_INDENT = re.compile(r"\n(?=[ \t]{2,}\S)")
_BLANK = re.compile(r"\n[ \t]*\n")
_SIG = re.compile(r"\s+Reuter\s*$", re.IGNORECASE)
_OLD_DATELINE = re.compile(
    r"^[A-Z][\w .,'/-]{0,60}?\s*\((?:AP|Reuters|AFP|Bloomberg|PTI|IANS|ANI|Xinhua)\)"
    r"\s*[-\u2014\u2013:]*\s*"
)
_OLD_CREDIT = re.compile(
    r"^(?:\(?reporting by|by |copyright|©|\(c\)|our standards|all rights reserved|read more|"
    r"advertisement|share this|follow us|sign up|related:|\(ap photo|file photo|"
    r"the associated press contributed|associated press writers?)",
    re.IGNORECASE,
)
_LEX = re.compile(r"([A-Za-z]{4,}|\d+)")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[\"“A-Z])|(?<=[.!?][\"\u201d'\u2019])\s+(?=[\"“A-Z])")


@dataclass(frozen=True, slots=True)
class Base:
    """A cleaned base story: its headline and paragraphs."""

    title: str
    paragraphs: tuple[str, ...]


@dataclass(slots=True)
class BasePool:
    """The usable bases, in input order, with counts of what was skipped and the vocabulary
    (sorted content words) that re-lexicalization draws from."""

    bases: list[Base]
    vocabulary: list[str]
    read: int = 0
    skipped_short: int = 0
    skipped_duplicate: int = 0

    @property
    def size(self) -> int:
        return len(self.bases)


def read_bases(
    paths: Iterable[str | Path], *, text_field: str = "text", title_field: str = "title"
) -> Iterator[tuple[str, str]]:
    """(title, text) of every JSON Lines record of ``paths`` with a string text."""
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if not isinstance(row, dict):
                    continue
                text, title = row.get(text_field), row.get(title_field)
                if isinstance(text, str) and text.strip():
                    yield (title if isinstance(title, str) else "", text)


def _split_paragraphs(text: str) -> list[str]:
    text = _CTRL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _BLANK.search(text):
        blocks = _BLANK.split(text)
    elif _REUTERS_INDENT.search(text):
        blocks = _REUTERS_INDENT.split(text)
    else:
        blocks = text.split("\n")
    out: list[str] = []
    seen: set[str] = set()
    for block in blocks:
        if _TABLE.search(block.strip()):
            continue
        para = " ".join(block.split())
        if len(para.split()) < 4 or para in seen:
            continue
        seen.add(para)
        out.append(para)
    return out


def clean_base(title: str, text: str) -> Base | None:
    """A base with light cleaning, or None when under MIN_WORDS words remain."""
    if len(text.split()) < MIN_WORDS:
        return None
    title = " ".join(title.split())
    paras = _split_paragraphs(text)
    if paras:
        paras[-1] = _SIG.sub("", paras[-1])
    folded = title.casefold()
    paras = [p for p in paras if p.casefold() != folded and not _OLD_CREDIT.match(p)]
    for i in range(min(3, len(paras))):
        stripped = _OLD_DATELINE.sub("", paras[i], count=1)
        if stripped != paras[i]:
            paras[i] = stripped[:1].upper() + stripped[1:]
            break
    paras = [p for p in paras if len(p.split()) >= 4]
    if sum(len(p.split()) for p in paras) < MIN_WORDS:
        return None
    if len(paras) < 3:  # one block of text: cut it into paragraphs of two sentences
        sentences = [s for p in paras for s in _SENTENCE.split(p)]
        paras = [" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2)]
    if not title:
        title = " ".join(paras[0].split()[:10])
    return Base(title, tuple(paras))


def _sample5(paragraphs: Sequence[str], cache: dict[str, int]) -> set[int]:
    """Hashes of about one in eight word 5-grams, sampled by hash value (so the same 5-gram
    is sampled in every text). Words are coded by CRC-32 and tuples of ints hash the same in
    every process, so the sample is deterministic."""
    words = " ".join(paragraphs).lower().split()
    codes = list(map(cache.get, words))
    if None in codes:
        for i, word in enumerate(words):
            if codes[i] is None:
                codes[i] = cache[word] = zlib.crc32(word.encode())
    grams = zip(codes, codes[1:], codes[2:], codes[3:], codes[4:], strict=False)
    return {h for h in map(hash, grams) if not h & 7}


def build_pool(base_texts: Iterable[tuple[str, str]]) -> BasePool:
    """Clean every (title, text); skip short ones and near-duplicates of an earlier base
    (30% or more of its sampled word 5-grams already seen in one earlier base)."""
    pool = BasePool([], [])
    owner: dict[int, int] = {}
    cache: dict[str, int] = {}
    for title, text in base_texts:
        pool.read += 1
        base = clean_base(title, text)
        if base is None:
            pool.skipped_short += 1
            continue
        sample = _sample5(base.paragraphs, cache)
        hits: dict[int, int] = {}
        for h in sample:
            got = owner.get(h)
            if got is not None:
                hits[got] = hits.get(got, 0) + 1
        if hits and max(hits.values()) >= max(2, 0.3 * len(sample)):
            pool.skipped_duplicate += 1
            continue
        index = len(pool.bases)
        for h in sample:
            owner.setdefault(h, index)
        pool.bases.append(base)
    vocab = {w for w in cache if len(w) >= 4 and w.isalpha() and w.isascii()} - STOP
    pool.vocabulary = sorted(vocab) or ["story"]
    return pool


# ---------------------------------------------------------------------------------------
# Re-lexicalization (reused bases, quote-sharing hosts)
# ---------------------------------------------------------------------------------------


class _Relex:
    """Maps content words and numbers through a keyed substitution; caches one key.

    ``codes`` (word -> CRC-32 of its lower case) may be shared between instances: it depends
    on the word only, and bounded by the pool's words."""

    def __init__(self, vocabulary: list[str], codes: dict[str, int] | None = None) -> None:
        self.vocabulary = vocabulary
        self.codes = {} if codes is None else codes
        self.key = ""
        self.cache: dict[str, str] = {}
        self.salt = 0
        self.digits: dict[int, int] = {}

    def __call__(self, text: str, key: str) -> str:
        if key != self.key:
            self.key, self.cache = key, {}
            self.salt = zlib.crc32(key.encode())
            shift = self.salt % 9 + 1
            shifted = "".join(str((d + shift) % 10) for d in range(10))
            self.digits = str.maketrans("0123456789", shifted)
        parts = _LEX.split(text)  # text, word, text, word, ..., text
        words = parts[1::2]
        mapped = list(map(self.cache.get, words))
        if None in mapped:
            for i, word in enumerate(words):
                if mapped[i] is None:
                    mapped[i] = self.cache[word] = self._fresh(word)
        parts[1::2] = mapped
        return "".join(parts)  # type: ignore[arg-type]

    def _fresh(self, word: str) -> str:
        if word[0].isdigit():
            got = word.translate(self.digits)
            return "1" + got[1:] if len(got) > 1 and got[0] == "0" else got
        low = word.lower()
        if low in STOP:
            return word
        code = self.codes.get(low)
        if code is None:
            code = self.codes[low] = zlib.crc32(low.encode())
        mixed = ((code ^ self.salt) * 0x9E3779B1) & 0xFFFFFFFF
        got = self.vocabulary[(mixed ^ (mixed >> 15)) % len(self.vocabulary)]
        if word.isupper():
            return got.upper()
        return got.capitalize() if word[0].isupper() else got


# ---------------------------------------------------------------------------------------
# Story generation
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Story:
    """One gold cluster: its article records and its gold line."""

    records: tuple[dict[str, Any], ...]
    gold: dict[str, Any]
    kind: str  # "wire", "outlet", "quote_negative", "template"


@dataclass(slots=True)
class _Page:
    """A generated page and what was done to it (for the canonical and the note)."""

    record: dict[str, Any]
    when: datetime | None
    scraper: bool = False
    complete: bool = True
    inserted: int = 0
    edited: bool = False
    added: int = 0
    order: int = 0


def _completeness(page: _Page) -> tuple[bool, bool, bool, int, datetime, int]:
    """Sort key of the gold canonical among copies when the origin page is absent: keeps
    every paragraph, nothing inserted, no word edits, fewest added lines, earliest, first made."""
    when = page.when or datetime.max
    return (not page.complete, page.inserted > 0, page.edited, page.added, when, page.order)


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())[:8]
    return "-".join(words) or "story"


def _stamp(when: datetime | None) -> str | None:
    if when is None:
        return None
    return (
        f"{when.year:04d}-{when.month:02d}-{when.day:02d}"
        f"T{when.hour:02d}:{when.minute:02d}:{when.second:02d}Z"
    )


def _name(r: random.Random) -> str:
    return f"{r.choice(FIRST_NAMES)} {r.choice(LAST_NAMES)}"


def _sentence_case(title: str) -> str:
    if title.isupper():
        title = title.lower()
        return title[:1].upper() + title[1:]
    return title


class _Generator:
    def __init__(self, pool: BasePool, seed: int) -> None:
        if not pool.bases:
            raise ValueError(f"no usable base texts (each needs {MIN_WORDS}+ words)")
        self.pool = pool
        self.seed = seed
        self.codes: dict[str, int] = {}
        self.relex = _Relex(pool.vocabulary, self.codes)
        self.next_n = 0
        self.add = zlib.crc32(f"ids{seed}".encode()) * 0x9E3779B9 & _ID_MASK
        self.clusters = 0

    # --- ids, urls, times ----------------------------------------------------------------

    def _new_id(self) -> tuple[str, int]:
        n = self.next_n
        self.next_n += 1
        # bijective on 40 bits (odd multipliers, xor-shifts): unique, not in story order
        x = (n * 0x5DEECE66D + self.add) & _ID_MASK
        x ^= x >> 19
        x = (x * 0x9E3779B97F5) & _ID_MASK
        x ^= x >> 21
        return f"syn-{x:010x}", n

    def _url(self, template: str, title: str, n: int, when: datetime) -> str:
        mixed = (n * 0x9E3779B1 + self.seed) & 0xFFFFFFFF
        return template.format(
            slug=_slug(title),
            num=f"{mixed:08d}",
            hex=f"{mixed:08x}{n & 0xFFFF:04x}",
            date=f"{when.year:04d}-{when.month:02d}-{when.day:02d}",
            ymd=f"{when.year:04d}{when.month:02d}{when.day:02d}",
            year=when.year,
        )

    def _record(
        self,
        *,
        text: str,
        title: str,
        url_template: str | None,
        outlet: str,
        when: datetime | None,
        nominal: datetime,
        source_link: str | None = None,
    ) -> dict[str, Any]:
        rid, n = self._new_id()
        url = self._url(url_template, title, n, nominal) if url_template else None
        return {
            "id": rid,
            "title": title,
            "text": text,
            "url": url,
            "outlet": outlet,
            "published_at": _stamp(when),
            "source_link": source_link,
            "generated": True,
        }

    def _gold(
        self,
        pages: list[_Page],
        origin: str | None,
        canonical: str,
        note: str,
        alternatives: Sequence[str] = (),
    ) -> dict[str, Any]:
        """A gold line; ``canonical_alternatives`` are the other members as complete and
        faithful as the canonical (all paragraphs, nothing inserted, no word edits) that
        lost only on added furniture or time: acceptable answers when the origin is absent."""
        self.clusters += 1
        return {
            "cluster_id": f"synth-{self.clusters:07d}",
            "ids": [p.record["id"] for p in pages],
            "origin": origin,
            "canonical_id": canonical,
            "canonical_alternatives": list(alternatives),
            "confidence": "generated",
            "note": note,
        }

    # --- bases ---------------------------------------------------------------------------

    def base_order(self) -> Iterator[tuple[int, int]]:
        size = self.pool.size
        epoch = 0
        while True:
            order = list(range(size))
            random.Random(f"{self.seed}/order/{epoch}").shuffle(order)
            for index in order:
                yield epoch, index
            epoch += 1

    def base(self, epoch: int, index: int) -> Base:
        base = self.pool.bases[index]
        if epoch == 0:
            return base
        r = random.Random(f"{self.seed}/reuse/{epoch}/{index}")
        key = f"{self.seed}:epoch{epoch}"
        paras = self.relex("\n\n".join(base.paragraphs), key).split("\n\n")
        size = self.pool.size
        if size > 1 and r.random() < 0.5:
            # half of another base, under a key of its own: that base's own story of this
            # epoch (under the epoch key) must not share its words
            other = self.pool.bases[(index + 1 + r.randrange(size - 1)) % size].paragraphs
            half = "\n\n".join(other[: max(1, len(other) // 2)])
            extra = _Relex(self.pool.vocabulary, self.codes)(half, f"{key}:merge{index}").split(
                "\n\n"
            )
            paras = paras[:1] + extra + paras[1:] if r.random() < 0.5 else paras + extra
        if len(paras) > 3 and r.random() < 0.5:
            middle = paras[1:-1]
            r.shuffle(middle)
            paras = [paras[0], *middle, paras[-1]]
        return Base(self.relex(base.title, key), tuple(paras))

    def neighbour(self, r: random.Random, base_index: int) -> Base:
        """A base near ``base_index`` in input order (most often the same source file)."""
        size = self.pool.size
        return self.pool.bases[(base_index + 1 + r.randrange(min(5, size))) % size]

    # --- one story -------------------------------------------------------------------------

    def story(
        self,
        r: random.Random,
        base: Base,
        base_index: int,
        budget: int,
        *,
        kind: str = "wire",
        max_copies: int = MAX_COPIES,
    ) -> Story:
        agency: Agency | None = None
        outlet_origin: OutletOrigin | None = None
        if r.random() < P_OUTLET_ORIGIN:
            outlet_origin = r.choice(OUTLET_ORIGINS)
            origin = outlet_origin.domain
            city, country = r.choice(WORLD_CITIES + INDIAN_CITIES)
        else:
            agency = r.choices(AGENCIES, _AGENCY_WEIGHTS)[0]
            origin = agency.name
            city, country = r.choice(INDIAN_CITIES if agency.indian else WORLD_CITIES)
        t0 = _EPOCH0 + timedelta(minutes=r.randrange(366 * 24 * 60))
        present = r.random() < P_AGENCY_PAGE
        if present and r.random() < P_SINGLETON:
            copies = 0
        else:
            copies = min(max_copies, int(r.paretovariate(1.3)))
        copies = max(0, min(copies, budget - (1 if present else 0)))
        if not present and copies == 0:
            copies = 1
        fill = {
            "CITY": city.upper(),
            "City": city,
            "Country": country,
            "Month": MONTHS[t0.month - 1],
            "Mon": MONTHS_SHORT[t0.month - 1],
            "d": t0.day,
            "year": t0.year,
        }
        dateline = agency.dateline.format(**fill) if agency else ""
        bare = f"{city}: "
        tails: list[str] = []
        if agency:
            for tail in agency.tails:
                tails.append(
                    tail.format(
                        year=t0.year,
                        n1=_name(r),
                        n2=_name(r),
                        n3=_name(r),
                        City=city,
                        initials=f"bur-{_letters(r, 3)}/{_letters(r, 2)}",
                        desk=f"{_letters(r, 3).upper()} {_letters(r, 2).upper()}",
                        desk2=f"{_letters(r, 2)}/{_letters(r, 3)}",
                    )
                )
        pages: list[_Page] = []
        title = base.title
        if present:
            head_title = title
            if agency and agency.name == "Reuters" and r.random() < 0.1:
                head_title = f"UPDATE 1-{title}"
            lines = [dateline + base.paragraphs[0], *base.paragraphs[1:], *tails]
            byline = r.random() < 0.3 and not agency
            if byline:
                lines.insert(0, f"By {_name(r)}")
            if agency:
                template, outlet_name = agency.url, agency.name
            else:
                assert outlet_origin is not None
                template, outlet_name = outlet_origin.url, outlet_origin.domain
            when = t0 if r.random() > 0.05 else None
            record = self._record(
                text="\n\n".join(lines),
                title=head_title,
                url_template=template,
                outlet=outlet_name,
                when=when,
                nominal=t0,
            )
            pages.append(_Page(record, t0, order=0))
        origin_url = pages[0].record["url"] if pages else None
        for i in range(copies):
            parents = [p for p in pages if p.record["url"]]
            if parents and (i > 0 or present) and r.random() < P_SCRAPER:
                pages.append(self._scraper(r, parents, len(pages)))
                continue
            outlet = r.choice(
                _OUTLETS_IN if (agency and agency.indian) or r.random() < 0.1 else _OUTLETS_OTHER
            )
            pages.append(
                self._copy(
                    r,
                    base,
                    base_index,
                    outlet,
                    agency,
                    outlet_origin,
                    dateline=dateline,
                    bare=bare,
                    tails=tails,
                    t0=t0,
                    faithful=not present and i == 0,
                    origin_url=origin_url,
                    order=len(pages),
                )
            )
        alternatives: list[str] = []
        if present:
            canonical = pages[0]
        else:
            candidates = [p for p in pages if not p.scraper]
            canonical = min(candidates, key=_completeness)
            faithful = _completeness(canonical)[:3]
            alternatives = [
                p.record["id"]
                for p in candidates
                if p is not canonical and _completeness(p)[:3] == faithful
            ]
        scrapers = sum(p.scraper for p in pages)
        trimmed = sum(not p.complete for p in pages)
        what = {"wire": f"{origin} story", "outlet": f"{origin} story"}.get(kind, kind)
        note = (
            f"{what}; origin page {'present' if present else 'absent'}; "
            f"{len(pages) - (1 if present else 0)} copies ({scrapers} scraper, {trimmed} abridged)"
        )
        gold = self._gold(pages, origin, canonical.record["id"], note, alternatives)
        story_kind = kind if kind != "wire" or agency else "outlet"
        return Story(tuple(p.record for p in pages), gold, story_kind)

    def _copy(
        self,
        r: random.Random,
        base: Base,
        base_index: int,
        outlet: Outlet,
        agency: Agency | None,
        outlet_origin: OutletOrigin | None,
        *,
        dateline: str,
        bare: str,
        tails: list[str],
        t0: datetime,
        faithful: bool,
        origin_url: str | None,
        order: int,
    ) -> _Page:
        paras = list(base.paragraphs)
        page = _Page({}, None, order=order)
        # body: trim, teaser, inserted update, light edits
        roll = r.random()
        teaser = False
        if not faithful and len(paras) > 2 and roll < 0.3:
            keep = len(paras) - r.randint(1, min(3, len(paras) - 2))
            paras = paras[:keep]
            page.complete = False
        elif not faithful and roll < 0.36:
            paras = paras[: r.randint(1, 2)]
            page.complete, teaser = False, True
        if not faithful and not teaser and r.random() < 0.1:
            if r.random() < 0.6:
                update = r.choice(UPDATE_SENTENCES).format(
                    name=_name(r), weekday=r.choice(WEEKDAYS), city=r.choice(WORLD_CITIES)[0]
                )
            else:
                update = r.choice(self.neighbour(r, base_index).paragraphs)
            paras.insert(r.randint(1, len(paras)), update)
            page.inserted = 1
        if not faithful and r.random() < 0.3:
            paras = [_edit(r, p) for p in paras]
            page.edited = True
        # dateline
        style = outlet.dateline if r.random() < 0.8 else r.choice(("keep", "bare", "none"))
        if agency is None or (agency.name == "Bloomberg" and style == "bare"):
            style = "keep"
        lead = {"keep": dateline, "bare": bare, "none": ""}[style]
        paras[0] = lead + paras[0]
        added = 0
        head: list[str] = []
        title = _headline(r, base, agency)
        if r.random() < 0.1:
            head.append(title)
            if r.random() < 0.5:
                head.append(f"“{title}”")
        if r.random() < 0.15:
            who = agency.name if agency and r.random() < 0.5 else _name(r)
            head.append(f"By {who}")
        if r.random() < 0.12:
            subject = " ".join(title.split()[:3])
            head.append(f"{subject} {r.choice(CAPTION_TAILS)}. (File)")
        elif agency and agency.name == "AP" and r.random() < 0.1:
            head.append(f"(AP Photo/{_name(r)})")
        elif agency and agency.name == "Reuters" and r.random() < 0.1:
            head.append(f"FILE PHOTO: {title}. REUTERS/{_name(r)}/File Photo")
        added += len(head)
        body = paras
        if r.random() < 0.2 and len(body) > 2:
            body.insert(r.randint(1, len(body) - 1), "Advertisement")
            added += 1
        if r.random() < 0.05 and len(body) > 3:
            body.insert(r.randint(2, len(body) - 1), "Story continues below advertisement")
            added += 1
        tail: list[str] = []
        if teaser:
            tail.append("Read more")
        # the original's own credit lines: kept by some copies, not counted as added material
        credits = [line for line in tails if r.random() < 0.4] if not teaser else []
        source_link = None
        if outlet_origin is not None and outlet_origin.note and r.random() < 0.8:
            tail.append(outlet_origin.note.format(title=base.title))
            if r.random() < 0.7:
                source_link = origin_url
        if (
            agency is not None
            and outlet.disclaimer
            and r.random() < 0.85
            and (outlet.disclaimer != "print" or agency.indian)
        ):
            tail.append(DISCLAIMERS[outlet.disclaimer].format(agency=agency.name))
        if r.random() < 0.15:
            other = _sentence_case(self.neighbour(r, base_index).title)
            tail.append(r.choice(FURNITURE_TAIL).format(other=other))
        if r.random() < 0.08:
            words = [w for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3][:4]
            if len(words) >= 2:
                tail.append(",".join([words[0], f"{words[0]} {words[1]}".lower(), *words[2:]]))
        added += len(tail)
        page.added = added
        delay = timedelta(minutes=max(2.0, r.lognormvariate(4.0, 1.2)))
        nominal = t0 + delay
        page.when = nominal if r.random() > 0.15 else None
        page.record = self._record(
            text="\n\n".join([*head, *body, *credits, *tail]),
            title=title,
            url_template=f"https://www.{outlet.domain}/{outlet.section}/{{slug}}-{{num}}",
            outlet=outlet.domain,
            when=page.when,
            nominal=nominal,
            source_link=source_link,
        )
        page.when = nominal
        return page

    def _scraper(self, r: random.Random, parents: list[_Page], order: int) -> _Page:
        plain = [p for p in parents if not p.scraper]
        parent = r.choice(plain if plain and r.random() < 0.85 else parents)
        up = parent.record
        nominal = (parent.when or _EPOCH0) + timedelta(minutes=max(1.0, r.lognormvariate(3, 1)))
        lines: list[str] = []
        if r.random() < 0.7:
            lines.append(f"You are currently viewing {up['title']}")
        if r.random() < 0.6:
            lines.append(nominal.strftime("%Y-%m-%d %H:%M:%S"))
        lines.append(up["text"])
        if r.random() < 0.9:
            lines.append("Source link")
        if r.random() < 0.3:
            lines.append("Like this:\n\nLike Loading...")
        elif r.random() < 0.2:
            lines.append("Loading")
        domain = r.choice(SCRAPERS)
        record = self._record(
            text="\n\n".join(lines),
            title=up["title"],
            url_template=f"https://{domain}/{{date}}/{{slug}}-{{num}}/",
            outlet=domain,
            when=nominal if r.random() > 0.1 else None,
            nominal=nominal,
            source_link=up["url"],
        )
        return _Page(
            record,
            nominal,
            scraper=True,
            complete=parent.complete,
            inserted=parent.inserted,
            edited=parent.edited,
            added=parent.added + len(lines) - 1,
            order=order,
        )

    # --- hard negatives ------------------------------------------------------------------

    def quote_negative(
        self, r: random.Random, source: Base, base_index: int, budget: int
    ) -> Story | None:
        """A different story (re-lexicalized host) that quotes 1-2 sentences of ``source``."""
        sentences = [
            s for p in source.paragraphs for s in _SENTENCE.split(p) if len(s.split()) >= 8
        ]
        if not sentences:
            return None
        quoted = [s for s in sentences if '"' in s or "“" in s] or sentences
        picked = r.sample(quoted, min(len(quoted), r.randint(1, 2)))
        host_index = (base_index + 1 + r.randrange(max(1, self.pool.size - 1))) % self.pool.size
        host = self.pool.bases[host_index]
        key = f"{self.seed}:quote{self.clusters}"
        relex = _Relex(self.pool.vocabulary, self.codes)
        paras = [relex(p, key) for p in host.paragraphs]
        for sentence in picked:
            paras.insert(r.randint(1, len(paras)), sentence)
        base = Base(relex(host.title, key), tuple(paras))
        return self.story(r, base, host_index, budget, kind="quote_negative", max_copies=2)

    def template_group(self, r: random.Random, budget: int) -> list[Story]:
        """2-4 short items from one template, differing in names and numbers: singletons."""
        template = r.choice(TEMPLATES)
        stories = []
        for _ in range(min(budget, r.randint(2, 4))):
            title, text = _fill_template(r, template)
            when = _EPOCH0 + timedelta(minutes=r.randrange(366 * 24 * 60))
            agency = r.choices(AGENCIES, _AGENCY_WEIGHTS)[0]
            record = self._record(
                text=text,
                title=title,
                url_template=agency.url,
                outlet=agency.name,
                when=when,
                nominal=when,
            )
            page = _Page(record, when)
            gold = self._gold([page], agency.name, record["id"], "templated item (singleton)")
            stories.append(Story((record,), gold, "template"))
        return stories


def _letters(r: random.Random, n: int) -> str:
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _edit(r: random.Random, text: str) -> str:
    """Light copy-desk edits, each occurrence with probability one half."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if r.random() < 0.5:
            return word
        if word[0].isdigit():
            return word.replace(",", "")
        return SYNONYMS[word]

    return _EDIT.sub(swap, text)


def _headline(r: random.Random, base: Base, agency: Agency | None) -> str:
    title = _sentence_case(base.title)
    roll = r.random()
    if roll < 0.2:
        return title
    if roll < 0.45:
        words = base.paragraphs[0].split()[: r.randint(7, 12)]
        return " ".join(words).rstrip(",;:") if words else title
    if roll < 0.6:
        return f"{title} | {r.choice(('World News', 'Latest News', 'News', 'Business'))}"
    if roll < 0.7 and agency:
        return f"{title}: {agency.name}"
    if roll < 0.8:
        return f"{title}, says {r.choice(LAST_NAMES)}"
    words = title.split()
    if len(words) > 4:
        cut = r.randint(2, len(words) - 2)
        return " ".join([*words[cut:], "-", *words[:cut]])
    return title


# ---------------------------------------------------------------------------------------
# Templated look-alikes (invented templates, random entities)
# ---------------------------------------------------------------------------------------

TEMPLATES = (
    (
        "{company} {quarter} profit {rises} to {m1} mln {cur}",
        "{company} said on {weekday} its {quarter} net profit {rose} to {m1} million {cur} from "
        "{m2} million {cur} a year earlier, on revenue of {r1} billion {cur}, {beat} analyst "
        "forecasts. The {city}-based {sector} group said it expects full-year sales growth of "
        "{p1} to {p2} percent and will pay a dividend of {d} cents per share. Chief executive "
        "{person} said demand in {region} remained strong but warned that higher {cost} costs "
        "could weigh on margins in the second half. Shares in {company} closed {updown} {p3} "
        "percent at {price} {cur} on {weekday}.",
    ),
    (
        "{team1} beat {team2} {g1}-{g2}",
        "{team1} beat {team2} {g1}-{g2} in the {league} on {weekday}, with {player1} scoring "
        "twice before half-time in front of {crowd} fans at the {stadium} stadium. {team2} "
        "pulled one back through {player2} after the break, but {team1} held on to move {n} "
        "points clear in {pos} place. Coach {person} said the win showed the character of the "
        "squad after a difficult run of {k} games without a victory. {team1} travel to {city} "
        "next {weekday2} while {team2} host {team3}.",
    ),
    (
        "{index} closes {updown} {pct} pct",
        "The {index} index closed {updown} {pts} points, or {pct} percent, at {lvl} on "
        "{weekday}, as investors weighed {factor} ahead of a central bank meeting next week. "
        "Trading volume was {vol} million shares, {morefewer} than the {days}-day average. "
        "{sector} stocks led the move, with {company} {moving} {pct2} percent after {news}. The "
        "{cur} traded at {fx} per dollar, while yields on ten-year government bonds {rosefell} "
        "to {y} percent.",
    ),
    (
        "{n} killed in {vehicle} crash near {town}",
        "Police in {city} said {n} people were killed and {m} injured on {weekday} when a "
        "{vehicle} collided with a {vehicle2} on the {road} highway near {town}. Rescue teams "
        "worked for {h} hours to free passengers trapped in the wreckage, a {dept} spokesman "
        "said. The injured were taken to the {hospital} hospital, where {k} remained in "
        "critical condition. Authorities have opened an investigation into the cause of the "
        "crash, which happened in heavy {weather} shortly after {hour} o'clock.",
    ),
)
_SYLLABLES = _split("ka lo mer tan vi dor sel bra nu quin ros tel mar zen pol dra fin gal hor lin")


def _coined(r: random.Random, parts: int = 2) -> str:
    return "".join(r.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _fill_template(r: random.Random, template: tuple[str, str]) -> tuple[str, str]:
    up = r.random() < 0.5
    slots = {
        "company": f"{_coined(r)} {r.choice(('Holdings', 'Group', 'Industries', 'Corp', 'AG'))}",
        "quarter": r.choice(("first-quarter", "second-quarter", "third-quarter", "fourth-quarter")),
        "rises": "rises" if up else "falls",
        "rose": "rose" if up else "fell",
        "beat": "beating" if up else "missing",
        "m1": r.randint(12, 980),
        "m2": r.randint(12, 980),
        "r1": f"{r.uniform(1, 40):.2f}",
        "cur": r.choice(("euros", "dollars", "pounds", "Swiss francs", "yen")),
        "city": r.choice(WORLD_CITIES)[0],
        "sector": r.choice(("chemicals", "engineering", "retail", "software", "shipping")),
        "p1": r.randint(1, 5),
        "p2": r.randint(6, 12),
        "d": r.randint(5, 95),
        "person": f"{r.choice(FIRST_NAMES)} {_coined(r, 3)}",
        "region": r.choice(("Asia", "Europe", "North America", "Latin America", "Africa")),
        "cost": r.choice(("energy", "labour", "shipping", "raw material")),
        "updown": "up" if up else "down",
        "p3": f"{r.uniform(0.2, 9):.1f}",
        "price": f"{r.uniform(5, 300):.2f}",
        "weekday": r.choice(WEEKDAYS),
        "weekday2": r.choice(WEEKDAYS),
        "team1": f"{_coined(r)} {r.choice(('United', 'City', 'Rovers', 'FC'))}",
        "team2": f"{_coined(r)} {r.choice(('Athletic', 'Town', 'Wanderers', 'SC'))}",
        "team3": f"{_coined(r)} {r.choice(('Albion', 'County', 'Sporting'))}",
        "g1": r.randint(2, 5),
        "g2": r.randint(0, 1),
        "league": r.choice(("premier division", "first division", "national league")),
        "player1": f"{r.choice(FIRST_NAMES)} {_coined(r)}",
        "player2": f"{r.choice(FIRST_NAMES)} {_coined(r)}",
        "crowd": f"{r.randint(3, 80)},{r.randint(100, 999)}",
        "stadium": _coined(r, 3),
        "n": r.randint(2, 19),
        "pos": r.choice(("first", "second", "third", "fourth")),
        "k": r.randint(2, 9),
        "index": f"{_coined(r)} {r.choice(('All-Share', 'Composite', '50', 'General'))}",
        "pts": f"{r.uniform(1, 400):.2f}",
        "pct": f"{r.uniform(0.1, 3.5):.2f}",
        "lvl": f"{r.uniform(900, 40000):,.2f}",
        "factor": r.choice(("inflation data", "weak factory orders", "bond yields", "oil prices")),
        "vol": r.randint(40, 900),
        "morefewer": r.choice(("more", "fewer")),
        "days": r.choice((10, 20, 30, 50)),
        "moving": "rising" if up else "falling",
        "pct2": f"{r.uniform(1, 12):.1f}",
        "news": r.choice(("a profit warning", "a takeover bid", "a broker upgrade", "a lawsuit")),
        "fx": f"{r.uniform(0.5, 150):.2f}",
        "rosefell": r.choice(("rose", "fell")),
        "y": f"{r.uniform(0.5, 7):.2f}",
        "m": r.randint(3, 40),
        "vehicle": r.choice(("bus", "lorry", "minibus", "train")),
        "vehicle2": r.choice(("truck", "car", "tanker", "van")),
        "road": f"{_coined(r)}-{_coined(r)}",
        "town": _coined(r, 3),
        "h": r.randint(2, 9),
        "dept": r.choice(("fire department", "police", "civil defence")),
        "hospital": _coined(r, 3),
        "weather": r.choice(("rain", "fog", "snow")),
        "hour": r.randint(1, 11),
    }
    title, text = template
    return title.format(**slots), text.format(**slots)


# ---------------------------------------------------------------------------------------
# Streaming API
# ---------------------------------------------------------------------------------------


def generate(
    base_texts: Iterable[tuple[str, str]] | BasePool, *, articles: int, seed: int
) -> Iterator[Story]:
    """Yield stories (records + gold line) until exactly ``articles`` records were made.

    ``base_texts`` are (title, text) pairs, or a pool from :func:`build_pool`. Deterministic
    in (bases, articles, seed). Each story is generated from its own RNG, seeded from
    ``seed`` and the story's number.
    """
    if articles < 0:
        raise ValueError(f"articles must be >= 0, got {articles}")
    pool = base_texts if isinstance(base_texts, BasePool) else build_pool(base_texts)
    gen = _Generator(pool, seed)
    order = gen.base_order()
    remaining = articles
    number = 0
    while remaining > 0:
        r = random.Random(f"{seed}/story/{number}")
        number += 1
        if r.random() < P_TEMPLATE_GROUP:
            made = gen.template_group(r, remaining)
        else:
            epoch, index = next(order)
            base = gen.base(epoch, index)
            made = [gen.story(r, base, index, remaining)]
            left = remaining - len(made[0].records)
            if left > 0 and r.random() < P_QUOTE_NEGATIVE:
                negative = gen.quote_negative(r, base, index, left)
                if negative is not None:
                    made.append(negative)
        for story in made:
            remaining -= len(story.records)
            yield story


def interleave(
    records: Iterable[dict[str, Any]], *, window: int, seed: int
) -> Iterator[dict[str, Any]]:
    """Records in a seeded, bounded shuffle: at most ``window`` held at once."""
    if window <= 1:
        yield from records
        return
    r = random.Random(f"{seed}/interleave")
    buffer: list[dict[str, Any]] = []
    for record in records:
        if len(buffer) < window:
            buffer.append(record)
            continue
        i = r.randrange(window)
        yield buffer[i]
        buffer[i] = record
    r.shuffle(buffer)
    yield from buffer


@dataclass(slots=True)
class Summary:
    """What a run wrote."""

    articles: int = 0
    clusters: int = 0
    singletons: int = 0
    largest: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def mean_size(self) -> float:
        return self.articles / self.clusters if self.clusters else 0.0

    def line(self, seed: int, pool: BasePool) -> str:
        kinds = ", ".join(f"{k} {v}" for k, v in sorted(self.kinds.items()))
        return (
            f"GENERATED data (synthetic syndication, seed {seed}): {self.articles} articles in "
            f"{self.clusters} gold clusters ({self.singletons} singletons, mean size "
            f"{self.mean_size:.2f}, largest {self.largest}); clusters by kind: {kinds}; "
            f"{pool.size} base stories used of {pool.read} read ({pool.skipped_short} under "
            f"{MIN_WORDS} words, {pool.skipped_duplicate} near-duplicates); "
            f"{self.seconds:.1f} s"
        )


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False) + "\n"


def write(
    pool: BasePool,
    out: Path,
    gold: Path,
    *,
    articles: int,
    seed: int,
    window: int = 1000,
) -> Summary:
    """Generate into ``out`` (records) and ``gold`` (one line per cluster), streaming."""
    summary = Summary()
    started = time.perf_counter()

    def records(gold_handle: Any) -> Iterator[dict[str, Any]]:
        for story in generate(pool, articles=articles, seed=seed):
            gold_handle.write(_dump(story.gold))
            size = len(story.records)
            summary.clusters += 1
            summary.singletons += size == 1
            summary.largest = max(summary.largest, size)
            summary.kinds[story.kind] = summary.kinds.get(story.kind, 0) + 1
            yield from story.records

    with (
        out.open("w", encoding="utf-8", newline="\n") as out_handle,
        gold.open("w", encoding="utf-8", newline="\n") as gold_handle,
    ):
        for record in interleave(records(gold_handle), window=window, seed=seed):
            out_handle.write(_dump(record))
            summary.articles += 1
    summary.seconds = time.perf_counter() - started
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a synthetic syndicated-news dump with gold clusters "
        "(real base texts, generated copies)."
    )
    parser.add_argument("bases", nargs="+", type=Path, help="JSON Lines files of base stories")
    parser.add_argument("--articles", type=int, required=True, help="records to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True, help="records (.jsonl)")
    parser.add_argument("--gold", type=Path, required=True, help="gold clusters (.jsonl)")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--title-field", default="title")
    parser.add_argument("--window", type=int, default=1000, help="shuffle window (records)")
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be >= 0")
    started = time.perf_counter()
    pool = build_pool(
        read_bases(args.bases, text_field=args.text_field, title_field=args.title_field)
    )
    if not pool.bases:
        parser.error(f"no usable base texts in the inputs (each needs {MIN_WORDS}+ words)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.gold.parent.mkdir(parents=True, exist_ok=True)
    summary = write(
        pool, args.output, args.gold, articles=args.articles, seed=args.seed, window=args.window
    )
    summary.seconds = time.perf_counter() - started
    print(summary.line(args.seed, pool), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
