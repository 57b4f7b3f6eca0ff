"""Base pool: read, clean, skip short and near-duplicate bases."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from .outlets import STOP

MIN_WORDS = 80
"""Bases with fewer words (after cleaning) are skipped."""

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


def _sample3(paragraphs: Sequence[str], cache: dict[str, int]) -> set[int]:
    """Hashes of about one in four word 3-grams, sampled by hash value (so the same 3-gram
    is sampled in every text; dense enough that an edited re-send of an 80-word item still
    shows). Words are coded by CRC-32 and tuples of ints hash the same in every process, so
    the sample is deterministic."""
    words = " ".join(paragraphs).lower().split()
    codes = list(map(cache.get, words))
    if None in codes:
        for i, word in enumerate(words):
            if codes[i] is None:
                codes[i] = cache[word] = zlib.crc32(word.encode())
    grams = zip(codes, codes[1:], codes[2:], strict=False)
    return {h for h in map(hash, grams) if not h & 3}


def build_pool(base_texts: Iterable[tuple[str, str]]) -> BasePool:
    """Clean every (title, text); skip short ones and near-duplicates of an earlier base:
    30% or more of the smaller one's sampled word 3-grams shared with one earlier base (a
    short base inside a longer one, or a longer one holding an earlier short one). A 3-gram
    remembers its first eight bases; one found in more is too common to tell copies apart."""
    pool = BasePool([], [])
    owners: dict[int, list[int]] = {}
    sample_sizes: list[int] = []
    cache: dict[str, int] = {}
    for title, text in base_texts:
        pool.read += 1
        base = clean_base(title, text)
        if base is None:
            pool.skipped_short += 1
            continue
        sample = _sample3(base.paragraphs, cache)
        hits: dict[int, int] = {}
        for h in sample:
            for earlier in owners.get(h, ()):
                hits[earlier] = hits.get(earlier, 0) + 1
        if any(
            shared >= max(2, 0.3 * min(len(sample), sample_sizes[earlier]))
            for earlier, shared in hits.items()
        ):
            pool.skipped_duplicate += 1
            continue
        index = len(pool.bases)
        for h in sample:
            found = owners.setdefault(h, [])
            if len(found) < 8:
                found.append(index)
        pool.bases.append(base)
        sample_sizes.append(len(sample))
    vocab = {w for w in cache if len(w) >= 4 and w.isalpha() and w.isascii()} - STOP
    pool.vocabulary = sorted(vocab) or ["story"]
    return pool
