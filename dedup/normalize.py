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
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from itertools import chain, islice
from operator import itemgetter

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
from dedup.line_screen import LineScreen
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
#: a run of spaces, spelt with a literal first space, which the regex engine scans for
#: quickly (" {2,}" it would try at every position)
_SPACE_RUN = re.compile("  +")
_WORD = re.compile(r"\w+")
#: a byte table keeping the ASCII characters ``_WORD`` matches and making the others spaces
_ASCII_NON_WORD_TO_SPACE = bytes(
    code if code < 0x80 and _WORD.match(chr(code)) else 0x20 for code in range(0x100)
)


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
#: a text with more distinct foldable characters than this is folded as an array at once
_MAX_REPLACED_CHARS = 16


@cache
def _fold_codes() -> npt.NDArray[np.uint32]:
    """``_fold_table`` as an array over code points: the folded code point, or ``_DROP``."""
    codes = np.arange(sys.maxunicode + 1, dtype=np.uint32)
    for code, target in _fold_table().items():
        codes[code] = _DROP if target is None else ord(target)
    return codes


@cache
def _foldable() -> frozenset[str]:
    """Every character ``_fold_table`` changes."""
    return frozenset(map(chr, _fold_table()))


@cache
def _ascii_kept() -> bytes:
    """The ASCII bytes whose character never folds."""
    return bytes(code for code in range(0x80) if code not in _fold_table())


def _foldable_in(text: str) -> frozenset[str]:
    """The distinct characters of ``text`` that fold. Its UTF-8 less the ASCII bytes that
    never fold (two C passes) leaves the few characters worth looking at."""
    data = text.encode("utf-8", "surrogatepass").translate(None, _ascii_kept())
    return _foldable().intersection(data.decode("utf-8", "surrogatepass"))


def _fold_chars(text: str) -> str:
    """``text.translate(_fold_table())``. A news page holds few distinct foldable characters
    (curly quotes, a no-break space): each is replaced throughout in one C pass, where
    ``str.translate`` would look every character up in a dict."""
    found = _foldable_in(text)
    if not found:
        return text
    if len(found) > _MAX_REPLACED_CHARS:
        return _fold_chars_as_array(text)
    table = _fold_table()
    for char in found:  # no replacement folds further, so the order does not matter
        text = text.replace(char, table[ord(char)] or "")
    return text


def _fold_chars_as_array(text: str) -> str:
    """``text.translate(_fold_table())``, done on an array of code points (str.translate
    looks every character up in a dict: ten times slower on a news page)."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    folded = _fold_codes()[codes]
    if not (folded != codes).any():
        return text
    kept: bytes = folded[folded != _DROP].tobytes()
    return kept.decode("utf-32-le", "surrogatepass")


def _fold_and_compose(text: str) -> str:
    """Fold characters, then apply NFKC to each line that is not ASCII. Neither joins
    characters across a line break, so lines can be composed one by one, and most are ASCII
    once folded (NFKC leaves those alone)."""
    folded = _fold_chars(text)
    if folded.isascii():
        return folded
    return "\n".join([line if line.isascii() else _compose(line) for line in folded.split("\n")])


def _compose(line: str) -> str:
    """NFKC of a folded line, folded and composed again while that leaves characters to fold
    (six compositions at most): dropping a format character can make NFKC compose anew."""
    composed = unicodedata.normalize("NFKC", line)
    for _ in range(5):
        if composed == line or not _foldable_in(composed):
            break
        line = _fold_chars(composed)
        composed = unicodedata.normalize("NFKC", line)
    return composed


def fold_unicode(text: str) -> str:
    """NFKC plus the folds NFKC lacks (quotes, dashes, format chars, digits); case is kept.

    Horizontal whitespace runs become one space, lines are stripped, runs of blank lines
    become one blank line, and line breaks become "\\n".
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return _tidy_lines(_fold_and_compose(text))


def _tidy_lines(text: str) -> str:
    """Squeeze space runs, strip the lines, and squeeze runs of blank lines to one."""
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    out: list[str] = []
    for raw in text.split("\n"):
        line = raw.strip(" ")
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


@lru_cache(maxsize=1 << 14)
def headline_key(text: str) -> str:
    """A headline compared without case, punctuation, quote style or revision markers.
    Cached: the stripping loop keys the same leading lines again after each removal."""
    lead = REVISION_LEAD_RE.match(text)
    if lead is not None:
        text = text[lead.end() :]
    if "(" in text:
        text = REVISION_TAG_RE.sub(" ", text)
    folded = text.casefold()
    if folded.isascii():  # the words are what is left between spaces once the rest is spaces
        words = folded.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE).split()
        return b" ".join(words).decode("ascii")
    return " ".join(_WORD.findall(folded))


@lru_cache(maxsize=1 << 12)
def _title_keys(title: str | None) -> frozenset[str]:
    """The title's key, and its key without a trailing " | Site Name". Cached: copies of a
    story often keep its title."""
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


#: a stripped line (or line prefix), and the index of its line among the text's lines
_Hit = tuple[int, StrippedLine]


#: families whose lines may credit an agency anywhere in them ("X and AP contributed").
_SEARCHED_FAMILIES = frozenset({"credit", "rights", "disclaimer", "republication"})


@dataclass(frozen=True, slots=True)
class _ZonePatterns:
    """A zone's patterns in order, and the RE2 screen that says which of them could
    fullmatch a line: most lines match none, and only those it names are tried."""

    patterns: tuple[LinePattern, ...]
    screen: LineScreen
    max_len: int

    @classmethod
    def of(cls, zone: Zone) -> _ZonePatterns:
        patterns = tuple(p for p in LINE_PATTERNS if p.zone == zone)
        return cls(
            patterns, LineScreen([p.regex for p in patterns]), max(p.max_len for p in patterns)
        )


@cache
def _zone_patterns(zone: Zone) -> _ZonePatterns:
    """A zone's patterns and screen, built on first use (in the main process before workers
    fork, by the warm-up): commands that never normalize do not pay for the RE2 sets."""
    return _ZonePatterns.of(zone)


def _match(text: str, zone: Zone, pos: int) -> _Hit | None:
    """The first pattern fullmatching a line, with the agency it names (if any)."""
    found = _CLASSIFIED[zone](text)
    return None if found is None else (pos, found)


def _first_match(text: str, zone: _ZonePatterns) -> tuple[LinePattern, re.Match[str]] | None:
    """The zone's first pattern fullmatching ``text``, trying only those the screen names."""
    if len(text) > zone.max_len:
        return None
    for index in zone.screen.candidates(text):
        pattern = zone.patterns[index]
        if len(text) <= pattern.max_len:
            m = pattern.regex.fullmatch(text)
            if m is not None:
                return pattern, m
    return None


def _classify(text: str, zone: Zone) -> StrippedLine | None:
    """The line stripped by the first pattern of the zone fullmatching ``text``, with the
    agency it names (if any)."""
    found = _first_match(text, _zone_patterns(zone))
    if found is None:
        return None
    pattern, m = found
    agency = pattern.agency
    if "agency" in pattern.regex.groupindex and m.group("agency"):
        agency = canonical_agency(m.group("agency")) or agency
    if agency is None and pattern.family in _SEARCHED_FAMILIES:
        named = AGENCY_SEARCH_RE.search(text)
        agency = canonical_agency(named.group("agency")) if named else None
    return StrippedLine(pattern.family, text, agency)


#: how many lines ``_CLASSIFIED`` keeps the verdict of, by zone
_CACHED_LINES: dict[Zone, int] = {"anywhere": 1 << 16, "head": 1 << 14, "tail": 1 << 14}
#: ``_classify`` for each zone, cached on the line: copies of a story repeat its lines, and
#: page furniture repeats across a whole dump
_CLASSIFIED: dict[Zone, Callable[[str], StrippedLine | None]] = {
    zone: lru_cache(maxsize=size)(partial(_classify, zone=zone))
    for zone, size in _CACHED_LINES.items()
}


def _head_hit(order: deque[int], lines: list[str], headline_keys: set[str]) -> _Hit | None:
    """Why the first kept line is head boilerplate (headline, dateline, byline, ...), or None.

    A line repeated among the first few (a headline printed twice in two quote styles) is a
    headline too; its key joins ``headline_keys`` so every leading copy goes.
    """
    pos = order[0]
    first = lines[pos]
    if len(first) <= 600:
        key = headline_key(first)
        if key and key in headline_keys:
            return pos, StrippedLine("headline", first)
        if (
            key
            and not first.endswith(".")
            and any(headline_key(lines[o]) == key for o in islice(order, 1, HEADLINE_REPEAT_WINDOW))
        ):
            headline_keys.add(key)
            return pos, StrippedLine("headline", first)
        if BARE_DATELINE_RE.fullmatch(first):
            return pos, StrippedLine("dateline", first)
    return _match(first, "head", pos)


def _dateline_prefix(order: deque[int], lines: list[str]) -> tuple[int, _Hit, str] | None:
    """A dateline opening one of the first kept lines: (index in ``order``, hit, rest)."""
    for index, pos in enumerate(islice(order, DATELINE_WINDOW)):
        found = (_opening_dateline if index == 0 else _agency_dateline)(lines[pos])
        if found is not None:
            dateline, rest = found
            return index, (pos, dateline), rest
    return None


@lru_cache(maxsize=1 << 14)
def _opening_dateline(line: str) -> tuple[StrippedLine, str] | None:
    """The dateline opening the first body line, and the rest of the line. Cached (as is
    ``_agency_dateline``): the stripping loop looks at the same leading lines again after
    each removal."""
    return _dateline_at(line, first=True)


@lru_cache(maxsize=1 << 14)
def _agency_dateline(line: str) -> tuple[StrippedLine, str] | None:
    """The dateline naming an agency that opens a later body line, and the rest of it."""
    return _dateline_at(line, first=False)


def _dateline_at(line: str, first: bool) -> tuple[StrippedLine, str] | None:
    """The dateline opening ``line``, and the rest of the line: on the first line any
    dateline, further down only one naming an agency and followed by text."""
    for pattern in DATELINE_PATTERNS:
        if (not first and not pattern.strict) or pattern.needs not in line:
            continue
        m = pattern.regex.match(line)
        if m is None or m.end() == 0 or (not first and m.end() == len(line)):
            continue
        named = m.groupdict().get("agency")
        agency = canonical_agency(named) if named else None
        return StrippedLine("dateline", line[: m.end()].strip(), agency), line[m.end() :].strip()
    return None


def _strip(lines: list[str], title_keys: frozenset[str]) -> tuple[list[_Hit], deque[int]]:
    """Strip boilerplate until nothing more matches (a fixpoint): the hits, and the indices
    of the lines kept. A line losing only its dateline prefix is edited in ``lines``."""
    found = list(map(_CLASSIFIED["anywhere"], lines))
    hits: list[_Hit] = [(pos, hit) for pos, hit in enumerate(found) if hit is not None]
    order = deque(pos for pos, hit in enumerate(found) if hit is None)
    headline_keys = set(title_keys)
    changed = True
    while changed and order:
        changed = False
        while order and (hit := _head_hit(order, lines, headline_keys)) is not None:
            hits.append(hit)
            order.popleft()
            changed = True
        dateline = _dateline_prefix(order, lines)
        if dateline is not None:
            index, hit, rest = dateline
            hits.append(hit)
            changed = True
            again = _match(rest, "anywhere", hit[0]) if rest else None
            if again is not None:
                hits.append(again)
            if rest and again is None:
                lines[order[index]] = rest
            else:
                del order[index]
        while order and (hit := _match(lines[order[-1]], "tail", order[-1])):
            hits.append(hit)
            order.pop()
            changed = True
    return hits, order


def _is_compilation(lines: list[str], folded: str) -> bool:
    """A live file or digest: "(all times local)", or several time-of-day heading lines."""
    headings = sum(
        1 for line in lines if line[:1].isdecimal() and TIME_HEADING_RE.fullmatch(line)
    )  # a heading starts with a digit
    return headings >= MIN_TIME_HEADINGS or LIVE_FILE_RE.search(folded) is not None


def _evidence(
    hits: list[_Hit], pointer: str | None, kept_boilerplate: bool, compilation: bool = False
) -> Evidence:
    """Collect agencies, dateline, pointers and flags from what was stripped, in text order."""
    pointers: list[str] = [pointer] if pointer else []
    if not hits:
        return Evidence(
            pointers=tuple(pointers), compilation=compilation, kept_boilerplate=kept_boilerplate
        )
    agencies: list[str] = []
    sources: list[str] = []
    timestamps: list[str] = []
    stripped: list[StrippedLine] = []
    dateline: str | None = None
    syndicated = scraper = False
    for _, hit in sorted(hits, key=itemgetter(0)):
        family = hit.family
        stripped.append(hit)
        credits = family in CREDITING_FAMILIES or family == "dateline"
        if hit.agency and credits and hit.agency not in agencies:
            agencies.append(hit.agency)
        if family == "dateline" and dateline is None:
            dateline = hit.text
        elif family == "timestamp":
            timestamps.append(hit.text)
        elif family == "republication":
            named = REPUBLISHED_FROM_RE.search(hit.text)
            if named and named["outlet"].strip() not in sources:
                sources.append(named["outlet"].strip())
        syndicated = syndicated or family in SYNDICATION_FAMILIES
        scraper = scraper or family == "scraper"
        if family in ("republication", "scraper"):
            for url in URL_RE.findall(hit.text):
                if url not in pointers:
                    pointers.append(url)
    return Evidence(
        agencies=tuple(agencies),
        sources=tuple(sources),
        dateline=dateline,
        pointers=tuple(pointers),
        timestamps=tuple(timestamps),
        syndicated=syndicated,
        scraper=scraper,
        compilation=compilation,
        stripped=tuple(stripped),
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
    all_lines = list(filter(None, folded.split("\n")))
    if not all_lines:
        return NormalizedText("", _evidence([], pointer, kept_boilerplate=False))
    compilation = _is_compilation(all_lines, folded)
    lines = all_lines.copy()
    hits, order = _strip(lines, _title_keys(title))
    body = "\n\n".join([lines[pos] for pos in order])
    certain = {
        pos for pos, hit in hits if hit.family in CERTAIN_FAMILIES and hit.text == all_lines[pos]
    }
    total = len(folded) - folded.count("\n") - sum(len(all_lines[pos]) for pos in certain)
    remaining = len(body) - 2 * (len(order) - 1) if order else 0
    if not order or total - remaining > MAX_STRIPPED_SHARE * total:
        logger.debug(
            "kept boilerplate: stripping would remove %d of %d chars", total - remaining, total
        )
        evidence = _evidence(hits, pointer, kept_boilerplate=True, compilation=compilation)
        kept = [line for pos, line in enumerate(all_lines) if pos not in certain]
        return NormalizedText("\n\n".join(kept or all_lines), evidence)
    evidence = _evidence(hits, pointer, kept_boilerplate=False, compilation=compilation)
    return NormalizedText(body, evidence)
