"""Physical lines of a byte stream, each decoded on its own, with a cap on length.

One bad byte spoils one line, not the file; a line over the cap is skipped in chunks and
never held whole (reliability rule 6); a damaged or oversized compressed stream ends the
file with a ``broken`` line that says so, never with a silent early end.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

from dedup.io.compression import StreamError
from dedup.io.items import RAW_CHARS

_SKIP_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Line:
    """One physical line: its decoded text, or the reason it cannot be used."""

    number: int
    text: str
    problem: str | None = None
    broken: bool = False


def read_lines(stream: io.BufferedIOBase, cap: int) -> Iterator[Line]:
    """Lines numbered from 1. A stream that cannot go on ends with a ``broken`` line."""
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
        except StreamError as exc:
            yield Line(number + 1, "", str(exc), broken=True)
            return
        number += 1
        shift = 0
        if number == 1 and chunk.startswith(_BOM):
            chunk, shift = chunk[len(_BOM) :], len(_BOM)
        if too_long:
            yield Line(number, chunk.decode("utf-8", "replace"), f"line longer than {cap} bytes")
            continue
        try:
            line = Line(number, chunk.decode("utf-8"))
        except UnicodeDecodeError as exc:
            text = chunk.decode("utf-8", "replace")
            line = Line(number, text, f"invalid UTF-8 at byte {exc.start + shift}")
        yield line
