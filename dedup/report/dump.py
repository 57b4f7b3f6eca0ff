"""The article dump a report shows texts from: read once, streamed, only what the page needs.

Only the clustered members' clean bodies are kept (a dump's other texts are never shown),
and every article is counted by outlet so the page can say what share of an outlet's
output is copies. Bad records are counted, not fatal: the report is about the clusters.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field

from dedup.agencies import domain_of
from dedup.engines.local import map_ordered
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, read_records
from dedup.normalize import normalize
from dedup.pipeline import articles_from
from dedup.records import Article, Reject

UNKNOWN_OUTLET = "(unknown)"


def outlet_key(outlet: str | None, url: str | None) -> str:
    """The name an article is counted under: its outlet, else its URL's domain. Members
    and dump articles go through this one function, so their counts meet."""
    return outlet or domain_of(url) or UNKNOWN_OUTLET


@dataclass(slots=True)
class Dump:
    """What the report takes from a dump: clean bodies of the wanted ids and counts."""

    bodies: dict[str, str] = field(default_factory=dict)
    outlet_totals: Counter[str] = field(default_factory=Counter)
    articles: int = 0
    rejected: int = 0


#: articles normalized per task on the workers
_BATCH = 200


def _bodies(articles: list[Article]) -> list[str]:
    return [normalize(a.text, title=a.title, pointer=a.pointer).body for a in articles]


def read_dump(
    paths: Sequence[str | os.PathLike[str]],
    wanted: Collection[str],
    *,
    fields: FieldMap | None = None,
    reading: ReadOptions | None = None,
    workers: int = 1,
) -> Dump:
    """Stream ``paths`` (any input ``dedup scan`` reads); normalize only ``wanted`` ids,
    on ``workers`` processes (0: every core).

    Bodies are normalized as the scan compared them, so the shared passages the page
    highlights are the text the decision was made on.
    """
    dump = Dump()

    def count_reject(reject: Reject) -> None:
        del reject
        dump.rejected += 1

    def wanted_batches() -> Iterator[list[Article]]:
        batch: list[Article] = []
        records = read_records(
            paths, fields=fields or FieldMap(), strict=False, options=reading or ReadOptions()
        )
        for article in articles_from(records, count_reject):
            dump.articles += 1
            dump.outlet_totals[outlet_key(article.outlet, article.url)] += 1
            if article.id in wanted:
                batch.append(article)
                if len(batch) == _BATCH:
                    yield batch
                    batch = []
        if batch:
            yield batch

    for batch, bodies in map_ordered(_bodies, wanted_batches(), workers=workers):
        dump.bodies.update(zip((a.id for a in batch), bodies, strict=True))
    return dump
