"""What a format reader hands the session: one parsed record, or why one could not be had.

Format readers (JSONL, CSV, Parquet, pages, WARC) only parse; the session in
``readers.py`` maps fields, checks ids and turns problems into rejects, so every format
quarantines bad records the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from dedup.records import PageSignals

#: how much of an offending record a Reject keeps, enough to recognise it
RAW_CHARS = 500


@dataclass(frozen=True, slots=True)
class Item:
    """One record of a file, counted in ``unit`` (line, row, record, offset, file).

    ``value`` is the parsed record, or None with ``problem`` saying why (a reader that
    cannot go on yields that problem last). A ``native`` item (a page or text file) uses
    dedup's own field names, not the user's field map; ``page`` is what its HTML said
    about its provenance; ``path`` names the file it came from when the reader reads
    several at once (a batch of pages).
    """

    number: int
    value: dict[str, object] | None = None
    raw: str = ""
    problem: str | None = None
    unit: str = "line"
    native: bool = False
    page: PageSignals | None = None
    path: str = ""
