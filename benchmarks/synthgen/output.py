"""Streaming API: generate stories, interleave records, write the files; the summary."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .negatives import _Generator
from .pages import Story
from .pool import MIN_WORDS, BasePool, build_pool
from .stories import P_QUOTE_NEGATIVE, P_TEMPLATE_GROUP


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
