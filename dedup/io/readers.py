"""Streaming readers for JSON Lines and CSV/TSV dumps, plain or .gz/.bz2/.xz compressed.

Why so careful: news dumps arrive truncated, mis-encoded and hand-edited, and a reader
that stops at the first bad line (or silently ends a truncated gzip) loses stories.
Every bad record becomes a :class:`~dedup.records.Reject` with path, line and a short
reason, and reading goes on (reliability rule 1); ``strict=True`` raises
:class:`~dedup.errors.BadRecordError` at the first one instead. Files are read line by
line from bytes with a cap on line length, so memory stays flat (rule 6); each line is
decoded on its own, so one bad byte spoils one record, not the file.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import io
import json
import logging
import lzma
import math
import os
import re
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from dedup.errors import BadRecordError, InputError
from dedup.io.fields import FieldMap
from dedup.records import Article, Reject

__all__ = ["MAX_LINE_BYTES", "RAW_CHARS", "Record", "read_records"]

logger = logging.getLogger(__name__)

MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest physical line accepted; longer lines are rejected without being held in memory."""

RAW_CHARS = 500
"""How much of an offending line a Reject keeps, enough to recognise it."""

_SKIP_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"
_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}
_COMPRESSIONS = (".gz", ".bz2", ".xz")
_EXPECTED = "expected .jsonl, .ndjson, .json, .csv or .tsv, optionally .gz/.bz2/.xz"
# Errors a decompressor raises on a truncated or corrupt stream (BadGzipFile is an OSError).
_STREAM_ERRORS = (EOFError, OSError, lzma.LZMAError, zlib.error)
_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON escape that may decode to a surrogate; only then is a record walked for lone ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_MAX_SHOWN_ID = 200


@dataclass(frozen=True, slots=True)
class Record:
    """A usable article and the input record as parsed, kept for the annotated output."""

    article: Article
    raw: dict[str, object]


@dataclass(frozen=True, slots=True)
class _Source:
    path: str
    fmt: str
    compression: str


@dataclass(frozen=True, slots=True)
class _Line:
    """One physical line: its decoded text, or the reason it cannot be used."""

    number: int
    text: str
    problem: str | None = None
    broken: bool = False


def read_records(
    paths: Sequence[str | os.PathLike[str]],
    *,
    fields: FieldMap = FieldMap(),  # noqa: B008 - FieldMap is frozen, sharing it is safe
    strict: bool = False,
    max_line_bytes: int = MAX_LINE_BYTES,
) -> Iterator[Record | Reject]:
    """Yield every record of ``paths`` in input order, as a Record or a Reject.

    Paths are checked before anything is read, so a missing file, an empty directory or
    an unknown extension raises :class:`InputError` at once. Directories expand to the
    readable files inside them, recursively, in sorted order. Ids must be unique across
    all files of one call. With ``strict=True`` the first bad record raises
    :class:`BadRecordError` instead of being yielded as a Reject.
    """
    if max_line_bytes < 1:
        raise InputError(f"max_line_bytes must be positive, got {max_line_bytes}")
    sources = _expand(paths)
    return _Session(fields, strict, max_line_bytes).run(sources)


def _format_of(path: str) -> _Source | None:
    name = os.path.basename(path).lower()
    compression = ""
    for ext in _COMPRESSIONS:
        if name.endswith(ext):
            compression, name = ext, name[: -len(ext)]
            break
    fmt = _FORMATS.get(os.path.splitext(name)[1])
    return _Source(path, fmt, compression) if fmt else None


def _walk_error(exc: OSError) -> None:
    raise InputError(f"cannot read directory '{exc.filename}': {exc.strerror or exc}") from exc


def _expand(paths: Sequence[str | os.PathLike[str]]) -> list[_Source]:
    """Resolve paths to readable files up front, so bad arguments fail before any work."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not paths:
        raise InputError("no input given: pass at least one file or directory")
    sources: list[_Source] = []
    for given in paths:
        path = os.fspath(given)
        if os.path.isdir(path):
            found: list[_Source] = []
            for root, dirs, files in os.walk(path, onerror=_walk_error):
                dirs.sort()
                for name in files:
                    source = _format_of(os.path.join(root, name))
                    if source is None:
                        logger.debug("skipping %s: not a readable format", name)
                    else:
                        found.append(source)
            if not found:
                raise InputError(f"no readable files in directory '{path}': {_EXPECTED}")
            found.sort(key=lambda s: os.path.relpath(s.path, path).split(os.sep))
            sources.extend(found)
        elif os.path.exists(path):
            source = _format_of(path)
            if source is None:
                raise InputError(f"cannot tell the format of '{path}': {_EXPECTED}")
            sources.append(source)
        else:
            raise InputError(f"input '{path}' does not exist: check the path")
    return sources


def _open(source: _Source) -> io.BufferedIOBase:
    if source.compression == ".gz":
        return gzip.open(source.path, "rb")
    if source.compression == ".bz2":
        return bz2.open(source.path, "rb")
    if source.compression == ".xz":
        return lzma.open(source.path, "rb")
    return open(source.path, "rb")


def _lines(stream: io.BufferedIOBase, source: _Source, cap: int) -> Iterator[_Line]:
    """Physical lines, numbered from 1, each decoded on its own.

    A line over ``cap`` bytes is skipped in chunks, never held whole. A decompression
    error ends the file with a ``broken`` line rather than a silent, early EOF.
    """
    number = 0
    while True:
        try:
            chunk = stream.readline(cap + 1)
            if not chunk:
                return
            too_long = len(chunk) > cap and not chunk.endswith(b"\n")
            if too_long:
                tail = chunk[-1:]
                chunk = chunk[:RAW_CHARS]
                while tail and not tail.endswith(b"\n"):
                    tail = stream.readline(_SKIP_CHUNK)
        except _STREAM_ERRORS as exc:
            if not source.compression:
                raise InputError(f"cannot read '{source.path}': {exc}") from exc
            reason = f"truncated or corrupt compressed stream: {exc}"
            yield _Line(number + 1, "", reason, broken=True)
            return
        number += 1
        shift = 0
        if number == 1 and chunk.startswith(_BOM):
            chunk, shift = chunk[len(_BOM) :], len(_BOM)
        if too_long:
            text = chunk.decode("utf-8", "replace")
            yield _Line(number, text, f"line longer than {cap} bytes")
            continue
        try:
            line = _Line(number, chunk.decode("utf-8"))
        except UnicodeDecodeError as exc:
            text = chunk.decode("utf-8", "replace")
            line = _Line(number, text, f"invalid UTF-8 at byte {exc.start + shift}")
        yield line


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not allowed")


def _finite_float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"number {literal[:40]} is out of range")
    return value


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Refuse duplicate keys: json.loads would silently keep the last one."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate key '{key[:_MAX_SHOWN_ID]}'")
            seen.add(key)
    return obj


# One shared decoder: json.loads with hooks would build a new one for every line.
_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant,
    parse_float=_finite_float,
    object_pairs_hook=_unique_keys,
)


def _parse_json(text: str) -> object:
    return _DECODER.decode(text)


def _has_surrogate(value: object) -> bool:
    """Walk a parsed record iteratively (deep nesting must not overflow the stack)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _optional(value: object) -> str | None:
    """A string field, or None: blank, null, lists and objects carry nothing usable."""
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int | float):
        return str(value)
    return None


class _CsvFeed:
    """Feeds decoded lines to csv.reader while remembering what was wrong with them.

    A line that cannot be used is replaced by an empty line so the csv parser keeps its
    place; the row that contains it is then rejected with the line's own reason.
    """

    def __init__(self, lines: Iterator[_Line]) -> None:
        self._lines = lines
        self.line_no = 0
        self.problems: dict[int, str] = {}
        self.broken: str | None = None
        self._raw: list[str] = []
        self._raw_len = 0

    def __iter__(self) -> _CsvFeed:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        if line.broken:
            self.broken = line.problem
            raise StopIteration
        self.line_no = line.number
        if self._raw_len < RAW_CHARS:
            piece = line.text[: RAW_CHARS - self._raw_len]
            self._raw.append(piece)
            self._raw_len += len(piece)
        if line.problem is not None:
            self.problems[line.number] = line.problem
            return "\n"
        return line.text

    def take_raw(self) -> str:
        raw = "".join(self._raw)
        self._raw.clear()
        self._raw_len = 0
        return raw


class _Session:
    """State of one read_records call: ids seen so far across all its files."""

    def __init__(self, fields: FieldMap, strict: bool, cap: int) -> None:
        self.fields = fields
        self.strict = strict
        self.cap = cap
        self.seen: dict[str, tuple[str, int]] = {}

    def run(self, sources: list[_Source]) -> Iterator[Record | Reject]:
        for source in sources:
            try:
                stream = _open(source)
            except OSError as exc:
                raise InputError(f"cannot read '{source.path}': {exc.strerror or exc}") from exc
            with stream:
                if source.fmt == "jsonl":
                    yield from self._read_jsonl(source, stream)
                else:
                    yield from self._read_csv(source, stream)

    def _bad(self, path: str, line: int, reason: str, raw: str) -> Reject:
        if self.strict:
            raise BadRecordError(path, line, reason)
        return Reject(path, line, reason, raw[:RAW_CHARS].rstrip("\r\n"))

    def _read_jsonl(self, source: _Source, stream: io.BufferedIOBase) -> Iterator[Record | Reject]:
        for line in _lines(stream, source, self.cap):
            if line.problem is not None:
                yield self._bad(source.path, line.number, line.problem, line.text)
            elif line.text.strip():
                yield self._from_json(source.path, line.number, line.text.rstrip("\r\n"))

    def _from_json(self, path: str, number: int, text: str) -> Record | Reject:
        try:
            value = _parse_json(text)
        except RecursionError:
            return self._bad(path, number, "invalid JSON: nested too deeply", text)
        except json.JSONDecodeError as exc:
            reason = f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
            return self._bad(path, number, reason, text)
        except ValueError as exc:
            message = str(exc)
            if "integer string conversion" in message:
                # int() refuses huge integers with a hint after ';' that means nothing here.
                message = message.split(";")[0]
            reason = f"invalid JSON: {message}"
            return self._bad(path, number, reason, text)
        if not isinstance(value, dict):
            return self._bad(path, number, "not a JSON object", text)
        if _SURROGATE_ESCAPE.search(text) and _has_surrogate(value):
            body = value.get(self.fields.text)
            if isinstance(body, str) and _SURROGATE.search(body):
                return self._bad(path, number, "text contains a lone surrogate", text)
            return self._bad(path, number, "record contains a lone surrogate", text)
        return self._make(path, number, value, text)

    def _read_csv(self, source: _Source, stream: io.BufferedIOBase) -> Iterator[Record | Reject]:
        # The default 128 KiB field limit would reject long stories; the line cap bounds it.
        if csv.field_size_limit() < self.cap:
            csv.field_size_limit(self.cap)
        feed = _CsvFeed(_lines(stream, source, self.cap))
        reader = csv.reader(feed, delimiter="\t" if source.fmt == "tsv" else ",")
        path = source.path
        header: list[str] | None = None
        header_error: str | None = None
        while True:
            start = feed.line_no + 1
            row: list[str] | None
            try:
                row = next(reader)
            except StopIteration:
                row = None
            except csv.Error as exc:
                if feed.broken is None:
                    yield self._bad(path, start, f"invalid CSV: {exc}", feed.take_raw())
                    feed.problems.clear()
                    if feed.line_no >= start:
                        continue
                row = None
            if feed.broken is not None:
                yield self._bad(path, start, feed.broken, feed.take_raw())
                return
            if row is None:
                return
            raw = feed.take_raw()
            if feed.problems:
                line_no, reason = min(feed.problems.items())
                feed.problems.clear()
                yield self._bad(path, line_no, reason, raw)
                if header is None and header_error is None:
                    header_error = f"missing header: line {line_no} is unreadable"
                continue
            if not row:
                continue
            if header is None and header_error is None:
                names = [name.strip() for name in row]
                if self.fields.text in names:
                    header = names
                    continue
                header_error = f"missing header: no column '{self.fields.text}' in line {start}"
            if header_error is not None or header is None:
                yield self._bad(path, start, header_error or "missing header", raw)
            elif len(row) != len(header):
                reason = f"row has {len(row)} fields, header has {len(header)}"
                yield self._bad(path, start, reason, raw)
            else:
                yield self._make(path, start, dict(zip(header, row, strict=True)), raw)

    def _make(self, path: str, number: int, value: dict[str, object], raw: str) -> Record | Reject:
        """Map one parsed record to an Article, or say why it cannot be one."""
        names = self.fields
        text = value.get(names.text)
        if text is None:
            return self._bad(path, number, f"missing text field '{names.text}'", raw)
        if not isinstance(text, str):
            return self._bad(path, number, f"text field '{names.text}' is not a string", raw)
        if not text.strip():
            return self._bad(path, number, "empty text", raw)
        given = value.get(names.id)
        url = _optional(value.get(names.url))
        if isinstance(given, str) and given.strip():
            record_id = given
        elif isinstance(given, int) and not isinstance(given, bool):
            record_id = str(given)
        elif given is None or (isinstance(given, str) and not given.strip()):
            record_id = url if url is not None else f"{path}:{number}"
        else:
            reason = f"id field '{names.id}' is not a string or integer"
            return self._bad(path, number, reason, raw)
        first = self.seen.get(record_id)
        if first is not None:
            shown = record_id[:_MAX_SHOWN_ID]
            reason = f"duplicate id '{shown}' (first seen at {first[0]}:{first[1]})"
            return self._bad(path, number, reason, raw)
        self.seen[record_id] = (path, number)
        article = Article(
            id=record_id,
            text=text,
            title=_optional(value.get(names.title)),
            url=url,
            outlet=_optional(value.get(names.outlet)),
            published_at=_optional(value.get(names.published_at)),
            pointer=_optional(value.get(names.pointer)),
            location=f"{path}:{number}",
        )
        return Record(article, value)
