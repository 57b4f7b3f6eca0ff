"""Boilerplate line patterns, by family and by the zone of the page where each family lives.

Data only: ``normalize`` applies them. Every regex is matched against one whole folded line
(quotes and dashes already ASCII), except the dateline patterns, which match a line prefix.
A pattern that names an agency has a named group ``agency`` (or a fixed ``agency``), so the
normalizer can record who is credited. Zones keep body sentences safe: a ``head`` family is
tried only on leading lines, a ``tail`` family only on trailing lines, ``anywhere`` families
are tight enough never to match a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from dedup.agencies import agency_names

Zone = Literal["head", "tail", "anywhere"]

FAMILIES = (
    "disclaimer",
    "republication",
    "rights",
    "credit",
    "dateline",
    "scraper",
    "timestamp",
    "furniture",
    "caption",
    "byline",
    "headline",
)

#: why each family goes, in words (``dedup explain`` prints it beside a stripped line)
FAMILY_MEANINGS = {
    "disclaimer": "a syndication disclaimer: the page says it republishes a feed",
    "republication": "a republication note naming where the story first appeared",
    "rights": "a copyright or rights line",
    "credit": "an agency credit or desk code",
    "dateline": "the dateline (city, agency) in front of the first paragraph",
    "scraper": "an aggregator's or scraper's leftovers",
    "timestamp": "a publish or update time",
    "furniture": "site furniture: share buttons, menus, read-more links",
    "caption": "a photo caption or credit",
    "byline": "the byline",
    "headline": "the headline repeated in the body",
}

#: families whose agency is a credit for the text (a photo credit is not).
CREDITING_FAMILIES = frozenset({"disclaimer", "republication", "rights", "credit", "byline"})
#: families that mark the page as a copy of someone else's story.
SYNDICATION_FAMILIES = frozenset({"disclaimer", "republication"})
#: families matched by patterns specific enough that a hit is never a misfire: their lines go
#: even when the 40% guard keeps the rest (a teaser under a long disclaimer is still a teaser)
CERTAIN_FAMILIES = frozenset({"disclaimer", "republication", "rights", "credit", "scraper"})


@dataclass(frozen=True, slots=True)
class LinePattern:
    """A whole-line pattern: ``family`` removed when it fullmatches a line in ``zone``."""

    family: str
    zone: Zone
    regex: re.Pattern[str]
    agency: str | None = None
    max_len: int = 1000


@dataclass(frozen=True, slots=True)
class DatelinePattern:
    """A dateline at the start of a body line; ``strict`` ones name an agency in brackets.

    Strict datelines are looked for in the first few body lines, the others only on the
    first body line (a bare "HELSINKI -" is too weak to hunt for further down). ``needs`` is
    a character every match contains: lines without it are not tried.
    """

    regex: re.Pattern[str]
    strict: bool
    needs: str


def _agency_alternation() -> str:
    """Agency names and aliases as one regex group; short acronyms match exact case only."""
    parts: list[str] = []
    for name in agency_names():
        if len(name) >= 5 and not name.isupper():
            parts.append(f"(?i:{re.escape(name)})")
        else:
            parts.append(re.escape(name))
            if name.upper() != name:
                parts.append(re.escape(name.upper()))
    return r"(?<![\w])(?:" + "|".join(parts) + r")(?![\w])"


AGENCY = _agency_alternation()
_AG = f"(?P<agency>{AGENCY})"
_THE = r"(?:[Tt]he\s+)?"
_NAME = r"[A-Z][\w'.-]*"
_NAMES = rf"{_NAME}(?:\s+{_NAME}){{0,5}}"
_NAMELIST = rf"{_NAMES}(?:\s*(?:,|\band\b|&)\s*{_NAMES}){{0,4}}"
_JOB = r"(?:[A-Z][\w-]*\s+){0,3}(?:Writer|Correspondent|Reporter|Editor|Photographer|Staff)"
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?"
_TIME = r"\d{1,2}[:.]\d{2}(?::\d{2})?(?:\s*[AaPp]\.?\s?[Mm]\.?)?(?:\s+[A-Z]{2,4})?"
_DATE = (
    rf"(?:\d{{4}}-\d{{2}}-\d{{2}}(?:[ T]\d{{2}}:\d{{2}}(?::\d{{2}})?(?:\.\d+)?)?"
    rf"(?:Z|[+-]\d{{2}}:?\d{{2}})?"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}"
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{2,4}}"
    rf"|{_TIME}|{_WEEKDAY})"
)
_STAMP_PREFIX = (
    r"(?:(?:Last\s+)?(?:Updated|Published|Posted|Modified|First published)(?:\s+(?:"
    r"on|at))?\s*:?\s*)?"
)
_SEP = r"(?:\s*[,|@/-]\s*|\s+(?:(?:at|on)\s+)?)"

_STAMPS = rf"(?:\s*[|,-]?\s*{_STAMP_PREFIX}{_DATE}(?:{_SEP}{_STAMP_PREFIX}{_DATE}){{0,5}})"

#: an agency named anywhere in a credit, rights or disclaimer line ("... and AP contributed").
AGENCY_SEARCH_RE = re.compile(_AG)

#: The outlet a republication note names ("originally appeared on USA TODAY: ...").
REPUBLISHED_FROM_RE = re.compile(
    r"(?:originally appeared (?:on|in)|appeared first on|republished from|"
    r"(?:originally|first) published (?:on|in|by))\s+(?P<outlet>[^:;.]{2,80}?)"
    r"(?:\s+under\b|\s*[:;.]|\s*$)",
    re.IGNORECASE,
)

#: Live files and digests ("The Latest on ... (all times local):", items headed "6:10 p.m.")
#: bundle several stories; they are compilations, not copies of the stories they contain.
LIVE_FILE_RE = re.compile(r"\(all times local\)", re.IGNORECASE)
TIME_HEADING_RE = re.compile(
    r"\d{1,2}(?::\d{2})?\s?[ap]\.?\s?m\.?(?:\s+[A-Z]{2,4})?", re.IGNORECASE
)
#: a text with this many time-of-day heading lines is a live file
MIN_TIME_HEADINGS = 2

URL_RE = re.compile(r"https?://[^\s<>()\"']+[^\s<>()\"'.,;:!?]")


def _p(
    family: str,
    zone: Zone,
    pattern: str,
    agency: str | None = None,
    *,
    flags: int = 0,
) -> LinePattern:
    return LinePattern(family, zone, re.compile(pattern, flags), agency)


def _pi(family: str, zone: Zone, pattern: str, agency: str | None = None) -> LinePattern:
    """``_p`` ignoring case."""
    return _p(family, zone, pattern, agency, flags=re.IGNORECASE)


_FURNITURE_WORDS = (
    "advertisement|advertising|sponsored|sponsored content|read more|read more\\.+|more|close"
    "|share|share this|share this:|share story|share this story|share on facebook"
    "|share on twitter|share on facebook share on twitter|tweet|email|e-mail|print|comments?"
    "|view comments|facebook|twitter|whatsapp|linkedin|pinterest|reddit|messenger|copy link"
    "|more_vert|amp|fullscreen|replay|now playing:?|just watched|top coverage|tags:?|topics:?"
    "|related|related:|related stories:?|related articles:?|related coverage:?|recommended"
    "|recommended stories|most popular|most read|trending|trending now|go to permalink"
    "|scroll to top(?: of page)?|loading comments\\.*|prev|next|prev next|previous|edit|cancel"
    "|cancelsend|sign up|subscribe|continue reading|story continues below"
    "|story continues below advertisement|article continues below|skip advertisement"
    "|skip ad|video|watch|listen|listen to this article|image|photo|photos|gallery|close x"
    "|back to top|view gallery|view all|see all|show comments|hide caption|toggle caption"
    "|enlarge this image|powered by .{1,30}|a a|\\+|-|,|•|\\|"
    "|report this comment|report this post|report abuse|view pdf now"
)

#: a menu: short items between pipes; no sentence end and no bracket (a dateline's "(AFP)")
_MENU = r"(?!.*[.!?] [A-Z])(?!.*\()\|?[^|]{1,40}(?:\|[^|]{0,40}){2,}|[^|(]{1,30}\|"

#: a feed disclaimer names one of these
_FEED_WORDS = (
    "syndicated feed",
    "agency feed",
    "wire feed",
    "news service",
    "auto-generated",
    "wire service",
)

LINE_PATTERNS: tuple[LinePattern, ...] = (
    # --- anywhere: furniture, scraper remnants, strict rights/captions/agency-only bylines
    _pi("furniture", "anywhere", rf"(?:{_FURNITURE_WORDS})"),
    _p("furniture", "anywhere", r"[_*=~.•·-]{3,}|(?:- ){2,}-|[^\w\s]{1,3}"),
    _pi(
        "furniture",
        "anywhere",
        r"(?:also read|read more|read also|see also|related|recommended|must read|don't miss"
        r"|watch|watch video|more from .{1,40}|more on this|read next)\s*[:|-]\s*.{1,300}",
    ),
    _pi(
        "furniture",
        "anywhere",
        r"(?:follow (?:us|\S+(?: \S+){0,3}) on|sign up (?:for|to)|subscribe (?:to|for|now)"
        r"|click here(?: to)?|tap here to|download the .{1,40} app|get the latest|join us on"
        r"|like us on|for the latest|get our|to find out more about)\b.{0,250}",
    ),
    _pi("furniture", "anywhere", r"image \d+ of \d+|\d+ of \d+|\d+ comments?"),
    _pi(
        "furniture",
        "anywhere",
        r"[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|co\.uk|co\.in|in|tv)(?:/\S*)?",
    ),
    # tag list: comma-joined short items without the space a sentence would have
    _p(
        "furniture",
        "anywhere",
        r"(?!.*, )(?=.*[^\W\d_])[^,.!?\s][^,.!?]{0,40}(?:,[^,.!?\s][^,.!?]{0,40}){2,}",
    ),
    _pi("scraper", "anywhere", r"loading\.{0,3}|like this:(?:\s*like\s+loading\.{0,3})?"),
    _pi("scraper", "anywhere", r"like\s+loading\.{0,3}"),
    _pi(
        "rights",
        "anywhere",
        rf"(?:©|\(c\)|copyright)(?:\s*(?:©|\(c\)|copyright))?\s*(?:\d{{4}}(?:\s*-\s*\d{{4}})?\s*,?\s*)?(?:by\s+)?{_THE}{_AG}(?:\s*\d{{4}})?(?:[.,;:]\s*.{{0,400}})?",
    ),
    _pi(
        "rights",
        "anywhere",
        r".{0,200}\ball rights reserved\b.{0,400}",
    ),
    _pi(
        "rights",
        "anywhere",
        r".{0,120}\bthis material may not be published, broadcast, rewritten,? or redistributed\b"
        r".{0,200}",
    ),
    # "© 2008", "© Copyright 2008 Times Newspapers Ltd.", "All contents © Copyright 2008 ...";
    # the sign is required: "Copyright 2008 was a record year" is a sentence
    _pi(
        "rights",
        "anywhere",
        r"(?:all (?:contents|material)\s+)?(?:copyright\s*)?(?:©|\(c\))\s*(?:copyright\s*)?"
        r"\d{4}(?:\s*-\s*\d{4})?\b.{0,300}",
    ),
    _pi("rights", "anywhere", r"our standards: the thomson reuters trust principles\.?", "Reuters"),
    _p(
        "caption",
        "anywhere",
        rf".{{0,400}}\({_AG} Photo(?:/[^)]{{0,80}})?\).{{0,200}}",
    ),
    _p("caption", "anywhere", rf".{{0,400}}\((?:{AGENCY})/[^)]{{1,80}}\)\.?"),
    _p("caption", "anywhere", r"FILE(?: PHOTO)?\s*(?:-|:).{1,600}"),
    _pi(
        "caption",
        "anywhere",
        r"(?:photo|photograph|photo credit|picture|credit|image|image credit|image source)\s*:"
        r"\s*.{1,200}",
    ),
    _pi("caption", "anywhere", r"\(\s*(?:photo|image|picture|photo credit)\s*:.{1,200}\)"),
    _pi(
        "caption",
        "anywhere",
        r"image (?:copyright|caption)\s+.{1,300}|\(?(?:\w+ via )?getty images\)?"
        r"|\(?shutterstock\)?",
    ),
    _p(
        "byline",
        "anywhere",
        rf"(?:[/|•-]\s*)?(?:(?:Media|Source|Agency|Via|From|By)\s*:?\s*)?{_THE}{_AG}(?:\s+(?:staff"
        rf"|wire|wires|news service))?\s*[•|.]?{_STAMPS}?",
    ),
    _p("furniture", "anywhere", r"[A-Z][\w.'&-]*(?: [\w.'&-]+){0,4}\s?•"),
    # --- head: bylines, datelines alone on a line, timestamps, captions, scraper headers
    _p("timestamp", "head", rf"{_STAMP_PREFIX}{_DATE}(?:{_SEP}{_STAMP_PREFIX}{_DATE}){{0,5}}\.?"),
    _pi(
        "timestamp",
        "head",
        r"(?:updated\s+)?(?:\d+|an?)\s+(?:second|minute|hour|day|week)s?\s+ago|updated|published"
        r"|just now",
    ),
    _p("scraper", "head", r"You are currently (?:viewing|reading)\s*:?\s*.{0,400}"),
    _p("byline", "head", rf"[Bb]y:?\s+{_THE}{_AG}(?:\s*[-|,/]\s*.{{0,80}})?"),
    _p(
        "byline",
        "head",
        rf"(?:{_THE}{AGENCY}\s*-\s*)?(?:By:?\s+)?{_NAMELIST}(?:\s*(?:,|\||-|/)\s*|\s+){_THE}{_AG}(?:\s+{_JOB})?(?:\s*(?:\||-|,)\s*(?:on|{AGENCY}))?\.?",
    ),
    _p(
        "byline",
        "head",
        rf"(?:By|BY):?\s+{_NAMELIST}(?:\s*(?:,|\||-)\s*{_JOB})?(?:\s*(?:\||,)\s*(?:on|updated))?\.?",
    ),
    _p("byline", "head", r"(?:By|BY):?"),
    _pi(
        "byline",
        "head",
        rf"(?:posted|published|updated)(?:\s+on)?:?\s+[^|]{{0,60}}?,?\s+by\s+{_THE}{_AG}\.?(?:\s*,\s*.{{0,80}})?",
    ),
    _p("byline", "head", rf"(?:By:?\s+)?{_NAMELIST}(?:\s*,\s*{_JOB})?{_STAMPS}"),
    _p("byline", "head", rf"[Bb]y\s+{_NAMES}\s+-\s+{_DATE}(?:{_SEP}{_DATE}){{0,4}}"),
    _pi(
        "caption",
        "head",
        r".{5,400}\((?:file|file photo|photo|representational|representational image"
        r"|representative image|representative photo|image|picture|ians|pti|ani|afp|reuters)\)\.?",
    ),
    _pi("caption", "head", r"\((?:getty images|file)\)"),
    # menus at the top or bottom: three or more short items between pipes ("Sky Bet | Sky
    # Poker | Bingo"), or one with a trailing pipe ("Front Page |"); a headline's "Title |
    # Site" is matched as a headline before these are tried
    _p("furniture", "head", _MENU),
    # --- tail: disclaimers, republication notes, credits, rights, scraper footers
    _pi(
        "disclaimer",
        "tail",
        rf".{{0,120}}auto-generated from (?:the\s+)?{_AG}.{{0,250}}",
    ),
    _pi(
        "disclaimer",
        "tail",
        rf"\(?\s*with (?:additional )?(?:agency )?inputs? from {_THE}{_AG}(?:\s*(?:,|and|&)\s"
        rf"*{AGENCY})*\s*\)?\.?",
    ),
    _pi(
        "disclaimer",
        "tail",
        r"\(?\s*with (?:additional )?(?:agency )?inputs? from (?:agencies|wires|news agencies)"
        r"\s*\)?\.?",
    ),
    _pi("disclaimer", "tail", r"\(?\s*(?:except for the headline|only the headline).{10,400}"),
    _pi(
        "disclaimer",
        "tail",
        rf"(?=.*\b(?:{'|'.join(_FEED_WORDS)})\b)"
        r"(?=.*\b(?:edited|auto-generated|modifications?|responsibility|reworked"
        r"|published from|generated from)\b)\(?.{10,400}",
    ),
    _pi(
        "republication",
        "tail",
        rf"this (?:report|story|article) by {_THE}{_AG} was first published.{{0,80}}",
    ),
    _pi(
        "republication",
        "tail",
        r"this (?:article|story|post|piece|report) (?:originally|first) (?:appeared|ran"
        r"|was published) (?:on|in|at)\b.{1,300}",
    ),
    _pi(
        "republication",
        "tail",
        r"this (?:article|story|piece) (?:is|was) republished from\b.{1,300}",
    ),
    _pi("republication", "tail", r"the post .{1,300} appeared first on .{1,200}"),
    _pi(
        "republication",
        "tail",
        r"(?:originally|first) published (?:on|in|at|by)\b.{1,300}|read the original article(?:"
        r" here)?\.?(?:\s*:?\s*\S+)?",
    ),
    _pi("scraper", "tail", r"source\s*link(?:\s*:?\s*\S+)?|source\s*:\s*https?://\S+"),
    _p(
        "credit",
        "tail",
        r"\(?\s*-{0,3}\s*(?:Reporting|Additional reporting|Writing|Compiled) by\b[^()]{1,400};"
        r"\s*(?:Editing|editing) by\b[^()]{1,200}\)?\.?",
        "Reuters",
    ),
    _p(
        "credit",
        "tail",
        r"\(\s*(?:Reporting|Additional reporting|Writing) by\b[^()]{1,400}\)\.?",
        "Reuters",
    ),
    _p(
        "credit",
        "tail",
        r"\(?\s*-{0,3}\s*(?:Reporting|Additional reporting|Writing|Editing|Compiled|Research)"
        r" by\s+[A-Z][^()]{1,400}\)?\.?",
    ),
    _p(
        "credit",
        "tail",
        rf"{_THE}{_AG}(?:'s)?(?:\s+(?:writers?|reporters?|correspondents?|photographers?|staff|journalists?))?\b[^.]{{0,250}}\bcontributed\b[^.]{{0,80}}\.?",
    ),
    _p(
        "credit",
        "tail",
        r"[A-Z][^.]{0,250}\bcontributed (?:to )?(?:this|the) (?:report|story|article)\.?",
    ),
    _p("credit", "tail", r"(?P<agency>PTI)(?:\s+[A-Z]{2,4}){1,6}"),
    _p("credit", "tail", r"-{1,3}\s*(?P<agency>IANS|ANI|UNI)(?:\s+[a-z]{1,4}(?:/[a-z]{1,4})*)?"),
    _p("credit", "tail", r"\(\s*(?P<agency>IANS|ANI|PTI|UNI)\s*\)"),
    _p("credit", "tail", r"bur(?:-[a-z]{2,5})+(?:/[a-z]{2,5})+", "AFP"),
    # bare desk initials ("qs/bhk", "kjl/sst"): IANS and AFP both sign this way, so no agency
    _p("credit", "tail", r"[a-z]{2,5}(?:-[a-z]{2,5})*(?:/[a-z]{2,5})+"),
    _pi("rights", "tail", r"©.{1,300}|(?:\(c\)|copyright)\s*(?:©|\(c\)|\d{4}|by\b|:).{0,300}"),
    _pi("furniture", "tail", r"follow .{1,60} on (?:twitter|x|facebook|instagram)\b.{0,120}"),
    _p("furniture", "tail", _MENU),
)

_PLACE_WORD = (
    r"(?:[A-Z][\w.'-]*|\d{1,4}(?:st|nd|rd|th)?|de|da|del|do|di|of|el|la|le|les|am|an|on|upon|sur)"
)
_PLACE = (
    rf"{_PLACE_WORD}(?:[ /-]+{_PLACE_WORD}){{0,5}}\.?(?:\s*\[[^\]]{{1,40}}\])?"
    rf"(?:,\s*{_PLACE_WORD}(?:[ /-]+{_PLACE_WORD}){{0,3}}\.?){{0,2}}"
)
DATELINE_PATTERNS: tuple[DatelinePattern, ...] = (
    DatelinePattern(
        re.compile(rf"(?P<place>{_PLACE})\s*\(\s*{_AG}\s*\)\s*(?:-{{1,3}}|:)?\s*"),
        strict=True,
        needs="(",
    ),
    DatelinePattern(
        re.compile(
            rf"(?P<place>[A-Z][\w .'-]{{1,40}},\s*{_MONTH}\s+\d{{1,2}})\.?\s*/{_AG}/\s*\.?\s*"
        ),
        strict=True,
        needs="/",
    ),
    DatelinePattern(
        re.compile(
            r"(?P<place>[A-Z]{2,}(?:[ /.'-]+[A-Z]{2,}){0,3}\.?(?:,\s+[A-Z][\w.'-]*(?:\s+[A-Z]["
            r"\w.'-]*){0,3})?)"
            r"\s*-{1,3}\s+(?=\S)"
        ),
        strict=False,
        needs="-",
    ),
)

#: whole-line bare datelines: "Moscow:", "HELSINKI", "New Delhi, India:"
BARE_DATELINE_RE = re.compile(
    r"[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}(?:,\s*[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,2})?\s*:"
    r"|[A-Z]{3,}(?:[ /-][A-Z]{2,}){0,2}"
)

#: revision markers around a headline: Reuters "UPDATE 1-", Yonhap "(LEAD)", PTI "(Eds: ...)";
#: the leading kind is matched at the start only, the bracketed kind anywhere.
REVISION_LEAD_RE = re.compile(
    r"\s*(?:(?:UPDATE\s*\d*|REFILE|CORRECTED|CORRECTION|RPT|REPEAT|WRAPUP\s*\d*|RECAST"
    r"|EXCLUSIVE|BREAKING|URGENT)\s*[-:]\s*)+"
)
REVISION_TAG_RE = re.compile(
    r"\((?:LEAD|\d+(?:st|nd|rd|th)\s+LD|LD|Update\s*\d*|UPDATE\s*\d*|URGENT|Eds:[^)]{0,200})\)"
)
