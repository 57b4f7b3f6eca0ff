"""Unicode folding and zone-aware boilerplate stripping, returning a clean body and Evidence.

Copies of one story differ mostly in their wrapping (headline, dateline, captions, credits,
disclaimers, page furniture); stripping it lets shingles compare the story itself, and what is
stripped is kept as evidence of where the text came from. Stripping is a fixpoint (lines are
removed from each edge until none match), so normalizing a normalized body changes nothing.
"""

from __future__ import annotations

import logging
import re
import sys
import unicodedata
from collections import deque
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import chain, islice

import numpy as np
import numpy.typing as npt

from dedup.agencies import canonical_agency
from dedup.boilerplate import (
    AGENCY_SEARCH_RE,
    BARE_DATELINE_RE,
    CERTAIN_FAMILIES,
    CREDITING_FAMILIES,
    DATELINE_PATTERNS,
    LINE_PATTERNS,
    LIVE_FILE_RE,
    MIN_TIME_HEADINGS,
    REPUBLISHED_FROM_RE,
    REVISION_LEAD_RE,
    REVISION_TAG_RE,
    SYNDICATION_FAMILIES,
    TIME_HEADING_RE,
    URL_RE,
    LinePattern,
    Zone,
)
from dedup.records import Evidence, NormalizedText, StrippedLine

logger = logging.getLogger(__name__)

#: stripping more than this share of a text's characters means something is wrong: keep it.
MAX_STRIPPED_SHARE = 0.4
#: agency datelines ("MOSCOW (AFP) -") are looked for in this many leading body lines.
DATELINE_WINDOW = 8
#: a repeated headline is looked for among this many leading lines.
HEADLINE_REPEAT_WINDOW = 4

_QUOTES = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2032": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
}  # fmt: skip
_DASHES = "\u2013\u2014\u2015\u2212\u2010\u2011\u2012\ufe58\ufe63"
_LINE_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_SPACE_RUN = re.compile(" {2,}")
_ASCII_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_WORD = re.compile(r"\w+")


#: the code points that can fold: planes 0-3, and plane 14's tags and variation selectors
#: (the rest of planes 4-16 is unassigned or private use; a test checks it for this Python)
_FOLDABLE_RANGES = (range(0x40000), range(0xE0000, 0xE1000))


@cache
def _fold_table() -> dict[int, str | None]:
    """The folding map (code point → replacement, None to drop): format/control chars
    dropped, quotes/dashes/digits/spaces folded. ``_fold_codes`` is its array form."""
    table: dict[int, str | None] = {}
    for code in chain.from_iterable(_FOLDABLE_RANGES):
        ch = chr(code)
        category = unicodedata.category(ch)
        if ch in _LINE_BREAKS:
            table[code] = "\n"
        elif ch == "\n" or ch == " ":
            continue
        elif ch.isspace():
            table[code] = " "
        elif category in ("Cf", "Cs", "Cc"):
            table[code] = None
        elif category == "Nd" and not ch.isascii():
            table[code] = str(unicodedata.digit(ch, 0))
    for quote, ascii_quote in _QUOTES.items():
        table[ord(quote)] = ascii_quote
    for dash in _DASHES:
        table[ord(dash)] = "-"
    return table


#: in ``_fold_codes``: the character is dropped (no code point is this large)
_DROP = np.uint32(0xFFFFFFFF)


@cache
def _fold_codes() -> npt.NDArray[np.uint32]:
    """``_fold_table`` as an array over code points: the folded code point, or ``_DROP``."""
    codes = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    for code, target in _fold_table().items():
        codes[code] = _DROP if target is None else ord(target)
    return codes


def _fold_chars(text: str) -> str:
    """``text.translate(_fold_table())``, done on an array of code points (str.translate
    looks every character up in a dict: ten times slower on a news page)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = _fold_codes()[codes]
    if not (folded != codes).any():
        return text
    kept: bytes = folded[folded != _DROP].tobytes()
    return kept.decode("utf-32-le", "surrogatepass")


def fold_unicode(text: str) -> str:
    """NFKC plus the folds NFKC lacks (quotes, dashes, format chars, digits); case is kept.

    Horizontal whitespace runs become one space, lines are stripped, runs of blank lines
    become one blank line, and line breaks become "\\n".
    """
    current = text.replace("\r\n", "\n")
    if current.isascii():  # NFKC leaves ASCII alone; only control characters can fold
        if _ASCII_CONTROL.search(current):
            current = _fold_chars(current)
    else:
        for _ in range(6):  # dropping a format char can make NFKC compose anew: repeat
            current = unicodedata.normalize("NFKC", _fold_chars(current))
            if _fold_chars(current) == current:  # NFKC is idempotent: stable now
                break
    out: list[str] = []
    if "  " in current:
        current = _SPACE_RUN.sub(" ", current)
    for raw in current.split("\n"):
        line = raw.strip(" ")
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


@lru_cache(maxsize=1 << 12)
def headline_key(text: str) -> str:
    """A headline compared without case, punctuation, quote style or revision markers.
    Cached: the stripping loop keys the same leading lines again after each removal."""
    lead = REVISION_LEAD_RE.match(text)
    if lead is not None:
        text = text[lead.end() :]
    if "(" in text:
        text = REVISION_TAG_RE.sub(" ", text)
    return " ".join(_WORD.findall(text.casefold()))


def _title_keys(title: str | None) -> frozenset[str]:
    """The title's key, and its key without a trailing " | Site Name"."""
    if not title:
        return frozenset()
    folded = fold_unicode(title).replace("\n", " ")
    keys = {headline_key(folded)}
    for sep in (" | ", " - "):
        head, found, _ = folded.rpartition(sep)
        if found and len(head) >= 15:
            keys.add(headline_key(head))
    keys.discard("")
    return frozenset(keys)


@dataclass(slots=True)
class _Line:
    text: str
    pos: int


@dataclass(frozen=True, slots=True)
class _Hit:
    family: str
    text: str
    agency: str | None
    pos: int


#: families whose lines may credit an agency anywhere in them ("X and AP contributed").
_SEARCHED_FAMILIES = frozenset({"credit", "rights", "disclaimer", "republication"})


@dataclass(frozen=True, slots=True)
class _ZonePatterns:
    """A zone's patterns in order, and one alternation of those without ``needs``: most
    lines match none, and one fullmatch of the alternation plus a few substring checks for
    the screened patterns say so."""

    patterns: tuple[LinePattern, ...]
    any_of: re.Pattern[str]
    #: (substring, pattern) for each substring a screened pattern needs
    screened: tuple[tuple[str, LinePattern], ...]
    max_len: int

    @classmethod
    def of(cls, zone: Zone) -> _ZonePatterns:
        patterns = tuple(p for p in LINE_PATTERNS if p.zone == zone)
        alternatives = (
            f"(?{'i' if p.regex.flags & re.IGNORECASE else ''}:"
            f"{_NAMED_GROUP.sub('(?:', p.regex.pattern)})"
            for p in patterns
            if not p.needs
        )
        return cls(
            patterns,
            re.compile("|".join(alternatives)),
            tuple((need, p) for p in patterns for need in p.needs),
            max(p.max_len for p in patterns),
        )


_NAMED_GROUP = re.compile(r"\(\?P<\w+>")
_BY_ZONE: dict[Zone, _ZonePatterns] = {
    zone: _ZonePatterns.of(zone) for zone in ("head", "tail", "anywhere")
}
#: the non-ASCII letters an IGNORECASE match lets stand for an ASCII one that ``str.lower``
#: does not turn into it (a test derives them from ``re``)
_IGNORECASE_TO_ASCII = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s"})


def _screen_text(text: str) -> str:
    """``text`` lowered so that a ``needs`` substring is in it whenever a match needs it."""
    return (text if text.isascii() else text.translate(_IGNORECASE_TO_ASCII)).lower()


def _tried(pattern: LinePattern, text: str, lowered: str) -> bool:
    return len(text) <= pattern.max_len and (
        not pattern.needs or any(need in lowered for need in pattern.needs)
    )


def _match(text: str, zone: Zone, pos: int) -> _Hit | None:
    """The first pattern fullmatching a line, with the agency it names (if any)."""
    found = _classify(text, zone)
    return None if found is None else _Hit(found[0], text, found[1], pos)


def _first_match(text: str, zone: _ZonePatterns) -> tuple[LinePattern, re.Match[str]] | None:
    """The zone's first pattern fullmatching ``text``, screened: the alternation and the
    ``needs`` substrings rule out most lines before any pattern is tried on its own."""
    if len(text) > zone.max_len:
        return None
    lowered = _screen_text(text)
    if zone.any_of.fullmatch(text) is None and not any(
        need in lowered and pattern.regex.fullmatch(text) for need, pattern in zone.screened
    ):
        return None
    for pattern in zone.patterns:
        if _tried(pattern, text, lowered) and (m := pattern.regex.fullmatch(text)) is not None:
            return pattern, m
    return None


@lru_cache(maxsize=1 << 16)
def _classify(text: str, zone: Zone) -> tuple[str, str | None] | None:
    """(family, agency) of the first pattern of the zone fullmatching ``text``. Cached:
    copies of a story repeat its lines, and page furniture repeats across a whole dump."""
    found = _first_match(text, _BY_ZONE[zone])
    if found is None:
        return None
    pattern, m = found
    agency = pattern.agency
    if "agency" in pattern.regex.groupindex and m.group("agency"):
        agency = canonical_agency(m.group("agency")) or agency
    if agency is None and pattern.family in _SEARCHED_FAMILIES:
        named = AGENCY_SEARCH_RE.search(text)
        agency = canonical_agency(named.group("agency")) if named else None
    return pattern.family, agency


def _head_hit(lines: deque[_Line], headline_keys: set[str]) -> _Hit | None:
    """Why the first line is head boilerplate (headline, dateline, byline, ...), or None.

    A line repeated among the first few (a headline printed twice in two quote styles) is a
    headline too; its key joins ``headline_keys`` so every leading copy goes.
    """
    first = lines[0]
    if len(first.text) <= 600:
        key = headline_key(first.text)
        if key and key in headline_keys:
            return _Hit("headline", first.text, None, first.pos)
        if (
            key
            and not first.text.endswith(".")
            and any(headline_key(o.text) == key for o in islice(lines, 1, HEADLINE_REPEAT_WINDOW))
        ):
            headline_keys.add(key)
            return _Hit("headline", first.text, None, first.pos)
        if BARE_DATELINE_RE.fullmatch(first.text):
            return _Hit("dateline", first.text, None, first.pos)
    return _match(first.text, "head", first.pos)


def _dateline_prefix(lines: deque[_Line]) -> tuple[int, _Hit, str] | None:
    """A dateline opening one of the first body lines: (index, hit, rest of the line)."""
    for index, line in enumerate(islice(lines, DATELINE_WINDOW)):
        for pattern in DATELINE_PATTERNS:
            if (index > 0 and not pattern.strict) or pattern.needs not in line.text:
                continue
            m = pattern.regex.match(line.text)
            if m is None or m.end() == 0 or (index > 0 and m.end() == len(line.text)):
                continue
            named = m.groupdict().get("agency")
            agency = canonical_agency(named) if named else None
            prefix = line.text[: m.end()].strip()
            return index, _Hit("dateline", prefix, agency, line.pos), line.text[m.end() :].strip()
    return None


def _strip(lines: deque[_Line], title_keys: frozenset[str]) -> list[_Hit]:
    """Remove boilerplate in place until nothing more matches (a fixpoint); return the hits."""
    hits: list[_Hit] = []
    kept: deque[_Line] = deque()
    for line in lines:
        hit = _match(line.text, "anywhere", line.pos)
        if hit is None:
            kept.append(line)
        else:
            hits.append(hit)
    lines.clear()
    lines.extend(kept)
    headline_keys = set(title_keys)
    changed = True
    while changed and lines:
        changed = False
        while lines and (hit := _head_hit(lines, headline_keys)) is not None:
            hits.append(hit)
            lines.popleft()
            changed = True
        found = _dateline_prefix(lines)
        if found is not None:
            index, hit, rest = found
            hits.append(hit)
            changed = True
            again = _match(rest, "anywhere", hit.pos) if rest else None
            if again is not None:
                hits.append(again)
            if rest and again is None:
                lines[index].text = rest
            else:
                del lines[index]
        while lines and (hit := _match(lines[-1].text, "tail", lines[-1].pos)):
            hits.append(hit)
            lines.pop()
            changed = True
    return hits


def _is_compilation(lines: list[str]) -> bool:
    """A live file or digest: "(all times local)", or several time-of-day heading lines."""
    headings = sum(
        1 for line in lines if line[:1].isdecimal() and TIME_HEADING_RE.fullmatch(line)
    )  # a heading starts with a digit
    return headings >= MIN_TIME_HEADINGS or LIVE_FILE_RE.search("\n".join(lines)) is not None


def _evidence(
    hits: list[_Hit], pointer: str | None, kept_boilerplate: bool, compilation: bool = False
) -> Evidence:
    """Collect agencies, dateline, pointers and flags from what was stripped, in text order."""
    ordered = sorted(hits, key=lambda h: h.pos)
    agencies: list[str] = []
    sources: list[str] = []
    pointers: list[str] = [pointer] if pointer else []
    dateline: str | None = None
    for hit in ordered:
        credits = hit.family in CREDITING_FAMILIES or hit.family == "dateline"
        if hit.agency and credits and hit.agency not in agencies:
            agencies.append(hit.agency)
        if hit.family == "dateline" and dateline is None:
            dateline = hit.text
        if hit.family == "republication":
            named = REPUBLISHED_FROM_RE.search(hit.text)
            if named and named["outlet"].strip() not in sources:
                sources.append(named["outlet"].strip())
        if hit.family in ("republication", "scraper"):
            for url in URL_RE.findall(hit.text):
                if url not in pointers:
                    pointers.append(url)
    return Evidence(
        agencies=tuple(agencies),
        sources=tuple(sources),
        dateline=dateline,
        pointers=tuple(pointers),
        timestamps=tuple(h.text for h in ordered if h.family == "timestamp"),
        syndicated=any(h.family in SYNDICATION_FAMILIES for h in ordered),
        scraper=any(h.family == "scraper" for h in ordered),
        compilation=compilation,
        stripped=tuple(StrippedLine(h.family, h.text, h.agency) for h in ordered),
        kept_boilerplate=kept_boilerplate,
    )


def normalize(text: str, *, title: str | None = None, pointer: str | None = None) -> NormalizedText:
    """Fold ``text``, strip its boilerplate by zone, and return the body with the evidence.

    Never raises on a str, and never empties a text: when stripping would remove more than
    ``MAX_STRIPPED_SHARE`` of its characters (or all of them), the folded text is kept, less
    only the lines of unmistakable families (disclaimers, rights, credits, scraper lines),
    and ``kept_boilerplate`` is set. ``pointer`` (an href the record names as its parent)
    is reported first among the evidence's pointers.
    """
    folded = fold_unicode(text)
    all_lines = [line for line in folded.split("\n") if line]
    if not all_lines:
        return NormalizedText("", _evidence([], pointer, kept_boilerplate=False))
    compilation = _is_compilation(all_lines)
    lines = deque(_Line(line, pos) for pos, line in enumerate(all_lines))
    hits = _strip(lines, _title_keys(title))
    certain = {h.pos for h in hits if h.family in CERTAIN_FAMILIES and h.text == all_lines[h.pos]}
    total = sum(len(line) for pos, line in enumerate(all_lines) if pos not in certain)
    remaining = sum(len(line.text) for line in lines)
    if not lines or total - remaining > MAX_STRIPPED_SHARE * total:
        logger.debug(
            "kept boilerplate: stripping would remove %d of %d chars", total - remaining, total
        )
        evidence = _evidence(hits, pointer, kept_boilerplate=True, compilation=compilation)
        kept = [line for pos, line in enumerate(all_lines) if pos not in certain]
        return NormalizedText("\n\n".join(kept or all_lines), evidence)
    body = "\n\n".join(line.text for line in lines)
    evidence = _evidence(hits, pointer, kept_boilerplate=False, compilation=compilation)
    return NormalizedText(body, evidence)
