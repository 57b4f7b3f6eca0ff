"""Generated pages and records: ids, URLs, times and gold lines."""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .outlets import FIRST_NAMES, LAST_NAMES
from .pool import BasePool
from .relex import _Reuse

_ID_MASK = (1 << 40) - 1
_EPOCH0 = datetime(2024, 1, 1)


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


class _Pages(_Reuse):
    """Makes records (ids, URLs, times) and gold lines."""

    def __init__(self, pool: BasePool, seed: int) -> None:
        super().__init__(pool, seed)
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
