"""JSON Lines and JSON arrays, parsed strictly: what ``json.loads`` lets through is refused.

``json.loads`` accepts NaN, keeps the last of duplicate keys, accepts lone surrogates
(which crash later, at ``.encode()``) and raises ValueError on a 5,000-digit integer
(reliability.md); each becomes a reject with a reason instead. A JSON array is read
element by element with a bounded buffer, so a multi-gigabyte array stays streamed.
"""

from __future__ import annotations

import codecs
import io
import json
import math
import re
from collections.abc import Iterator

from dedup.io.compression import StreamError
from dedup.io.items import Item
from dedup.io.lines import read_lines

_SURROGATE = re.compile("[\ud800-\udfff]")
# A JSON escape that may decode to a surrogate; only then is a record walked for lone ones.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_CHUNK = 1 << 20
_SPACE = re.compile(r"[ \t\r\n]*")


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
                raise ValueError(f"duplicate key '{key[:200]}'")
            seen.add(key)
    return obj


# One shared decoder: json.loads with hooks would build a new one for every line.
_DECODER = json.JSONDecoder(
    parse_constant=_reject_constant,
    parse_float=_finite_float,
    object_pairs_hook=_unique_keys,
)


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


def _error_reason(exc: ValueError | RecursionError) -> str:
    if isinstance(exc, RecursionError):
        return "invalid JSON: nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON: {exc.msg.removesuffix(' at')} at column {exc.colno}"
    message = str(exc)
    if "integer string conversion" in message:
        # int() refuses huge integers with a hint after ';' that means nothing here.
        message = message.split(";")[0]
    return f"invalid JSON: {message}"


def _checked(number: int, value: object, text: str, text_field: str, unit: str) -> Item:
    if not isinstance(value, dict):
        return Item(number, raw=text, problem="not a JSON object", unit=unit)
    if _SURROGATE_ESCAPE.search(text) and _has_surrogate(value):
        body = value.get(text_field)
        where = "text" if isinstance(body, str) and _SURROGATE.search(body) else "record"
        return Item(number, raw=text, problem=f"{where} contains a lone surrogate", unit=unit)
    return Item(number, value, text, unit=unit)


def read_jsonl(stream: io.BufferedIOBase, cap: int, text_field: str) -> Iterator[Item]:
    """One item per non-blank line."""
    for line in read_lines(stream, cap):
        if line.problem is not None:
            yield Item(line.number, raw=line.text, problem=line.problem)
            if line.broken:
                return
        elif line.text.strip():
            text = line.text.rstrip("\r\n")
            try:
                value = _DECODER.decode(text)
            except (ValueError, RecursionError) as exc:
                yield Item(line.number, raw=text, problem=_error_reason(exc))
                continue
            yield _checked(line.number, value, text, text_field, "line")


def json_layout(stream: io.BufferedReader) -> str:
    """How a .json file holds its records: ``array`` (one top-level array), ``document``
    (one object spread over several lines) or ``lines`` (JSON Lines)."""
    head = stream.peek(65536)[:65536].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "array"
    first = head.split(b"\n", 1)[0]
    if head.startswith(b"{") and b"\n" in head:
        try:
            _DECODER.decode(first.decode("utf-8"))
        except (ValueError, RecursionError):
            return "document"
    return "lines"


def read_json_document(stream: io.BufferedIOBase, cap: int, text_field: str) -> Iterator[Item]:
    """The one record of a file holding a single (pretty-printed) JSON object."""
    try:
        data = stream.read(cap + 1)
    except StreamError as exc:
        yield Item(1, problem=str(exc), unit="record")
        return
    if len(data) > cap:
        yield Item(1, problem=f"record longer than {cap} bytes", unit="record")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Item(1, problem=f"invalid UTF-8 at byte {exc.start}", unit="record")
        return
    try:
        value = _DECODER.decode(text)
    except (ValueError, RecursionError) as exc:
        yield Item(1, raw=text[:500], problem=_error_reason(exc), unit="record")
        return
    yield _checked(1, value, text, text_field, "record")


class _ArrayText:
    """The decoded text of a JSON array, read chunk by chunk; ``pos`` is where parsing is."""

    def __init__(self, stream: io.BufferedIOBase, cap: int) -> None:
        self._stream = stream
        self._decode = codecs.getincrementaldecoder("utf-8-sig")("strict").decode
        self.cap = cap
        self.text = ""
        self.pos = 0
        self.at_end = False

    def more(self) -> None:
        """Drop what was parsed and read the next chunk (may raise the stream's errors,
        UnicodeDecodeError, or ValueError for a record over the cap)."""
        data = self._stream.read(_CHUNK)
        self.text = self.text[self.pos :] + self._decode(data, final=not data)
        self.pos, self.at_end = 0, not data
        if len(self.text) > self.cap + _CHUNK:
            raise ValueError(f"record longer than {self.cap} bytes")

    def next_char(self) -> str:
        """The next character that is not JSON whitespace, or "" at the end of the file."""
        while True:
            self.pos = _SPACE.match(self.text, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.text) or self.at_end:
                return self.text[self.pos : self.pos + 1]
            self.more()

    def value(self) -> tuple[object, str]:
        """The JSON value at ``pos`` and its text; reads on while the chunk cuts it."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as exc:
                cut = exc.pos >= len(self.text) - 1 or exc.msg.startswith("Unterminated string")
                if self.at_end or not cut:
                    where = exc.pos - self.pos + 1
                    raise ValueError(
                        f"{exc.msg.removesuffix(' at')} at character {where} of the record"
                    ) from exc
                self.more()
                continue
            if end == len(self.text) and not self.at_end:  # a number may go on: read more
                self.more()
                continue
            text = self.text[self.pos : end]
            self.pos = end
            return value, text


def read_json_array(stream: io.BufferedIOBase, cap: int, text_field: str) -> Iterator[Item]:
    """One item per element of the top-level array, numbered from 1 (unit ``record``).

    An element that is not valid JSON leaves no safe place to resume, so it ends the
    file with a problem item; elements before it were already yielded.
    """
    array = _ArrayText(stream, cap)
    number = 0
    try:
        if array.next_char() != "[":
            yield Item(1, raw=array.text[:500], problem="not a JSON array", unit="record")
            return
        array.pos += 1
        char = array.next_char()
        while char != "]":
            if number and char != ",":
                reason = f"expected ',' or ']' after record {number}"
                if not char:
                    reason = "the array is not closed: the file ends early"
                yield Item(
                    number + 1,
                    raw=array.text[array.pos : array.pos + 500],
                    problem=reason,
                    unit="record",
                )
                return
            if number:
                array.pos += 1
                array.next_char()
            number += 1
            value, text = array.value()
            yield _checked(number, value, text, text_field, "record")
            char = array.next_char()
        array.pos += 1
        if array.next_char():
            yield Item(
                number + 1,
                raw=array.text[array.pos : array.pos + 500],
                problem="data after the end of the array",
                unit="record",
            )
    except StreamError as exc:
        yield Item(number + 1, problem=str(exc), unit="record")
    except UnicodeDecodeError as exc:
        reason = f"invalid UTF-8 in record {number}: {exc.reason}"
        yield Item(max(number, 1), problem=reason, unit="record")
    except (ValueError, RecursionError) as exc:
        yield Item(
            max(number, 1),
            raw=array.text[array.pos : array.pos + 500],
            problem=_error_reason(exc),
            unit="record",
        )
