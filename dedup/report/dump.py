"""The article dump a report shows texts from: read once, streamed, only what the page needs.

Only the clustered members' clean bodies are kept (a dump's other texts are never shown),
and every article is counted by outlet so the page can say what share of an outlet's
output is copies. Bad records are counted, not fatal: the report is about the clusters.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from dedup.agencies import domain_of
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, read_records
from dedup.normalize import normalize
from dedup.pipeline import articles_from
from dedup.records import Reject

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


def read_dump(
    paths: Sequence[str | os.PathLike[str]],
    wanted: Collection[str],
    *,
    fields: FieldMap | None = None,
    reading: ReadOptions | None = None,
) -> Dump:
    """Stream ``paths`` (any input ``dedup scan`` reads); normalize only ``wanted`` ids.

    Bodies are normalized as the scan compared them, so the shared passages the page
    highlights are the text the decision was made on.
    """
    dump = Dump()

    def count_reject(reject: Reject) -> None:
        del reject
        dump.rejected += 1

    records = read_records(
        paths, fields=fields or FieldMap(), strict=False, options=reading or ReadOptions()
    )
    for article in articles_from(records, count_reject):
        dump.articles += 1
        dump.outlet_totals[outlet_key(article.outlet, article.url)] += 1
        if article.id in wanted:
            clean = normalize(article.text, title=article.title, pointer=article.pointer)
            dump.bodies[article.id] = clean.body
    return dump
