"""CSV and TSV with a header row; quoted fields may span lines.

Each physical line is decoded on its own (``lines.read_lines``), so a bad byte spoils
the row it is in; a row is reported at the line where it starts.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from dedup.io.items import RAW_CHARS, Item
from dedup.io.lines import Line, read_lines


class _Feed:
    """Feeds decoded lines to csv.reader while remembering what was wrong with them.

    A line that cannot be used is replaced by an empty line so the csv parser keeps its
    place; the row that contains it is then rejected with the line's own reason.
    """

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = lines
        self.line_no = 0
        self.problems: dict[int, str] = {}
        self.broken: str | None = None
        self._raw: list[str] = []
        self._raw_len = 0

    def __iter__(self) -> _Feed:
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


def read_delimited(
    stream: io.BufferedIOBase, cap: int, text_field: str, delimiter: str
) -> Iterator[Item]:
    """One item per row after the header; the header must name ``text_field``."""
    # The default 128 KiB field limit would reject long stories; the line cap bounds it.
    if csv.field_size_limit() < cap:
        csv.field_size_limit(cap)
    feed = _Feed(read_lines(stream, cap))
    reader = csv.reader(feed, delimiter=delimiter)
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
                yield Item(start, raw=feed.take_raw(), problem=f"invalid CSV: {exc}")
                feed.problems.clear()
                if feed.line_no >= start:
                    continue
            row = None
        if feed.broken is not None:
            yield Item(start, raw=feed.take_raw(), problem=feed.broken)
            return
        if row is None:
            return
        raw = feed.take_raw()
        if feed.problems:
            line_no, reason = min(feed.problems.items())
            feed.problems.clear()
            yield Item(line_no, raw=raw, problem=reason)
            if header is None and header_error is None:
                header_error = f"missing header: line {line_no} is unreadable"
            continue
        if not row:
            continue
        if header is None and header_error is None:
            names = [name.strip() for name in row]
            if text_field in names:
                header = names
                continue
            header_error = f"missing header: no column '{text_field}' in line {start}"
        if header_error is not None or header is None:
            yield Item(start, raw=raw, problem=header_error or "missing header")
        elif len(row) != len(header):
            yield Item(
                start, raw=raw, problem=f"row has {len(row)} fields, header has {len(header)}"
            )
        else:
            yield Item(start, dict(zip(header, row, strict=True)), raw)
