"""Streaming readers for article dumps in every format ``sources`` knows.

Why so careful: news dumps arrive truncated, mis-encoded, hand-edited and compressed
carelessly, and a reader that stops at the first bad record (or silently ends a
truncated stream) loses stories. The format modules only parse; here every parsed
record is mapped to an :class:`~dedup.records.Article` (or a
:class:`~dedup.records.Reject` with its file, place and reason), ids are checked across
all files, and reading goes on (reliability rule 1). ``strict=True`` raises
:class:`~dedup.errors.BadRecordError` at the first bad record instead.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import groupby
from typing import BinaryIO

from dedup.errors import BadRecordError, InputError
from dedup.io import webpages
from dedup.io.compression import DEFAULT_LIMITS, DecompressionLimits, buffer, open_decompressed
from dedup.io.delimited import read_delimited
from dedup.io.fields import FieldMap
from dedup.io.items import RAW_CHARS, Item
from dedup.io.jsonl import json_layout, read_json_array, read_json_document, read_jsonl
from dedup.io.sources import Source, expand, open_source
from dedup.records import Article, Reject, location_of

__all__ = [
    "MAX_LINE_BYTES",
    "MAX_PAGE_BYTES",
    "RAW_CHARS",
    "ReadOptions",
    "Record",
    "duplicate_of",
    "read_records",
    "read_sources",
]

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest physical line (or JSON array element) accepted; longer ones are rejected
without being held in memory."""

MAX_PAGE_BYTES = 32 * 1024 * 1024
"""Largest HTML page, text file or WARC payload read as one article."""

_MAX_SHOWN_ID = 200


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """Which files of a directory to read (``pattern``, a glob on the path below it) and
    the resource caps for reading them (reliability rule 6)."""

    pattern: str | None = None
    #: processes that extract HTML pages' text; 0 means every core, 1 extracts here
    workers: int = 1
    max_line_bytes: int = MAX_LINE_BYTES
    max_page_bytes: int = MAX_PAGE_BYTES
    decompression: DecompressionLimits = field(default_factory=lambda: DEFAULT_LIMITS)

    def __post_init__(self) -> None:
        if self.max_line_bytes < 1:
            raise InputError(f"max_line_bytes must be positive, got {self.max_line_bytes}")
        if self.max_page_bytes < 1:
            raise InputError(f"max_page_bytes must be positive, got {self.max_page_bytes}")


@dataclass(frozen=True, slots=True)
class Record:
    """A usable article and the input record as parsed, kept for the annotated output;
    where it was (``path``, ``line`` in ``unit``) and how it began (``text``, its first
    ``RAW_CHARS``), for rejecting it later as a duplicate of a record read elsewhere."""

    article: Article
    raw: dict[str, object]
    path: str = ""
    line: int = 0
    unit: str = "line"
    text: str = ""


def _rejected(path: str, line: int, unit: str, raw: str, reason: str, *, strict: bool) -> Reject:
    """A Reject (or, ``strict``, the error reading stops with)."""
    if strict:
        raise BadRecordError(path, line, reason, location_of(path, line, unit))
    return Reject(path, line, reason, raw, unit)


def duplicate_of(record: Record, first: str, *, strict: bool) -> Reject:
    """The Reject of a record whose id was first seen at ``first``."""
    reason = f"duplicate id '{record.article.id[:_MAX_SHOWN_ID]}' (first seen at {first})"
    return _rejected(record.path, record.line, record.unit, record.text, reason, strict=strict)


def _raw(item: Item) -> str:
    return item.raw[:RAW_CHARS].rstrip("\r\n")


def read_records(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    fields: FieldMap = FieldMap(),  # noqa: B008 - FieldMap is frozen, sharing it is safe
    strict: bool = False,
    max_line_bytes: int | None = None,
    options: ReadOptions | None = None,
) -> Iterator[Record | Reject]:
    """Yield every record of ``paths`` in input order, as a Record or a Reject.

    Paths are checked before anything is read, so a missing file, an empty directory or
    an unknown extension raises :class:`InputError` at once. Directories expand to the
    readable files inside them (those matching ``options.pattern``, if given),
    recursively, in sorted order; URLs go through fsspec. Ids must be unique across all
    files of one call. With ``strict=True`` the first bad record raises
    :class:`BadRecordError` instead of being yielded as a Reject.
    """
    options = options or ReadOptions()
    if max_line_bytes is not None:
        options = replace(options, max_line_bytes=max_line_bytes)
    return read_sources(
        expand(paths, options.pattern), fields=fields, strict=strict, options=options
    )


def read_sources(
    sources: Sequence[Source],
    *,
    fields: FieldMap = FieldMap(),  # noqa: B008 - FieldMap is frozen, sharing it is safe
    strict: bool = False,
    options: ReadOptions | None = None,
) -> Iterator[Record | Reject]:
    """``read_records`` of files already found (``sources.expand``): ids are checked
    across these files only. The Dask engine reads each file on a worker this way."""
    return _Session(fields, strict, options or ReadOptions()).run(list(sources))


def _optional(value: object) -> str | None:
    """A string field, or None: blank, null, lists and objects carry nothing usable."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return None


def _refused(number: int, reason: str, unit: str = "file") -> Iterator[Item]:
    yield Item(number, problem=reason, unit=unit)


class _Session:
    """State of one read_records call: ids seen so far across all its files."""

    def __init__(self, fields: FieldMap, strict: bool, options: ReadOptions) -> None:
        self.fields = fields
        self.strict = strict
        self.options = options
        self.seen: dict[str, str] = {}

    def run(self, sources: list[Source]) -> Iterator[Record | Reject]:
        for is_page, group in groupby(sources, key=lambda source: source.fmt == "html"):
            if is_page:  # consecutive pages share one pool of extracting workers
                yield from self._records(self._page_files(list(group)), "")
                continue
            for source in group:
                try:
                    raw = open_source(source)
                except InputError as exc:  # a file that vanished or is unreadable: go on
                    yield self._bad(source.location, Item(0, unit="file"), str(exc))
                    continue
                with raw:
                    yield from self._records(self._items(source, raw), source.location)

    def _records(self, items: Iterator[Item], path: str) -> Iterator[Record | Reject]:
        try:
            for item in items:
                where = item.path or path
                if item.value is None:
                    yield self._bad(where, item, item.problem or "unreadable record")
                else:
                    yield self._make(where, item)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise InputError(f"cannot read '{path or exc.filename}': {reason}") from exc

    def _page_files(self, sources: list[Source]) -> Iterator[Item]:
        limits = self.options

        def opener(source: Source) -> Callable[[], BinaryIO]:
            return lambda: open_decompressed(open_source(source), limits.decompression)[0]

        files = ((source.location, opener(source)) for source in sources)
        jobs = webpages.page_file_jobs(files, limits.max_page_bytes)
        return webpages.extracted(jobs, max_bytes=limits.max_page_bytes, workers=limits.workers)

    def _items(self, source: Source, raw: BinaryIO) -> Iterator[Item]:
        """The parsed records of one file (not a page), by its format."""
        limits = self.options
        if source.fmt == "parquet":
            from dedup.io.parquet import read_parquet

            return read_parquet(raw)
        if source.fmt == "warc":
            stream = buffer(raw)
            head = stream.peek(4)[:4]
            if head[:2] != b"\x1f\x8b" and not head.startswith((b"WARC", b"file", b"http")):
                return _refused(0, "not a WARC or ARC file (or compressed other than gzip)")
            jobs = webpages.warc_jobs(stream, source.location, limits.max_page_bytes)
            return webpages.extracted(jobs, max_bytes=limits.max_page_bytes, workers=limits.workers)
        stream, _ = open_decompressed(raw, limits.decompression)
        cap, text = limits.max_line_bytes, self.fields.text
        if source.fmt in ("jsonl", "json"):
            layout = json_layout(stream) if source.fmt == "json" else "lines"
            if layout == "array":
                return read_json_array(stream, cap, text)
            if layout == "document":
                return read_json_document(stream, cap, text)
            return read_jsonl(stream, cap, text)
        if source.fmt in ("csv", "tsv"):
            return read_delimited(stream, cap, text, "\t" if source.fmt == "tsv" else ",")
        return webpages.read_text_file(stream, source.location, limits.max_page_bytes)

    def _bad(self, path: str, item: Item, reason: str) -> Reject:
        return _rejected(path, item.number, item.unit, _raw(item), reason, strict=self.strict)

    def _make(self, path: str, item: Item) -> Record | Reject:
        """Map one parsed record to an Article, or say why it cannot be one."""
        value = item.value or {}
        names = FieldMap() if item.native else self.fields
        text = value.get(names.text)
        if text is None:
            return self._bad(path, item, f"missing text field '{names.text}'")
        if not isinstance(text, str):
            return self._bad(path, item, f"text field '{names.text}' is not a string")
        if not text.strip():
            return self._bad(path, item, "empty text")
        given = value.get(names.id)
        url = _optional(value.get(names.url))
        where = location_of(path, item.number, item.unit)
        if isinstance(given, str) and given.strip():
            record_id = given
        elif isinstance(given, int) and not isinstance(given, bool):
            record_id = str(given)
        elif given is None or (isinstance(given, str) and not given.strip()):
            record_id = url if url is not None else where
        else:
            return self._bad(path, item, f"id field '{names.id}' is not a string or integer")
        article = Article(
            id=record_id,
            text=text,
            title=_optional(value.get(names.title)),
            url=url,
            outlet=_optional(value.get(names.outlet)),
            published_at=_optional(value.get(names.published_at)),
            pointer=_optional(value.get(names.pointer)),
            location=where,
            page=item.page,
        )
        record = Record(article, value, path, item.number, item.unit, _raw(item))
        first = self.seen.get(record_id)
        if first is not None:
            return duplicate_of(record, first, strict=self.strict)
        self.seen[record_id] = where
        return record
