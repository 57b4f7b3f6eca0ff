"""Pages out of WARC and ARC files, with damage reported instead of silently cut short.

Why not warcio's ``ArchiveIterator``: given a truncated ``.warc.gz`` it stops at the cut
with no error (a 50-record file cut in half gave 25 records and no sign of loss), it writes
zlib errors to stderr and carries on with empty data, and it cannot resume after a damaged
record. So this module frames the file itself and uses warcio only to parse record headers
(WARC, and ARC through warcio's ARC-to-WARC header conversion) and HTTP headers:

* A ``.warc.gz`` is read member by member with :mod:`zlib`, each member checked to its end
  (CRC and length). Data that ends inside a member is a truncated file (fatal); a member
  zlib rejects is corrupt, and reading resumes at the next gzip member whose data starts
  with a record header. Records are parsed from the decompressed data as one stream, so a
  file compressed whole, or whose members do not match its records, still reads (each
  reported once, as a non-fatal problem, because its offsets cannot be used to seek).
* Every record must have a complete header block (ended by a blank line, every line a
  field: warcio silently drops other lines), a valid Content-Length, and all of its block:
  a header or block cut off by the end of the data is a truncated file (fatal). A block
  followed straight away by bytes that are neither blank lines nor a record header has a
  wrong Content-Length: the record is reported, not yielded. Bytes that are not a record
  where one should start are reported, and reading resumes at the next line that starts a
  record.
* A record is yielded only once its block and, in a gzip file, its member were read in
  full; in a gzip file the member's checksum is verified first, unless it holds several
  records.

HTTP payloads are de-chunked and gzip/deflate-decoded here, with the decoded size capped
by ``max_payload_bytes`` (a compression bomb is just an oversize record). Memory stays flat:
payloads are streamed, skipped records are read past in blocks, header blocks and lines are
capped.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, BinaryIO, Final, Protocol

from dedup.errors import InputError

__all__ = ["WarcCounts", "WarcPage", "WarcProblem", "is_warc_name", "read_warc"]

_BLOCK: Final = 64 * 1024
"""Bytes read (or decompressed) in one go."""
_MAX_LINE: Final = 1 << 20
"""Longest line read in one piece; a longer one comes back in pieces."""
_HEADER_BUDGET: Final = 4 << 20
"""Most bytes a record's WARC (or HTTP) header block may take."""
_RETAIN: Final = 1 << 20
"""Raw bytes of the current gzip member kept for a rescan when it turns out corrupt."""
_PROBE: Final = 64 * 1024
"""Decompressed bytes looked at to accept a gzip member found while resynchronising."""
_CHUNK_LINE: Final = 1024
"""Longest chunk-size line of a chunked HTTP body."""
_SNIFF: Final = 1024

_GZIP_MAGIC: Final = b"\x1f\x8b\x08"
_PAGE_TYPES: Final = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_SKIPPED_TYPES: Final = frozenset(
    {"warcinfo", "request", "metadata", "revisit", "conversion", "continuation"}
)
_INSTALL_HINT: Final = "WARC/ARC input needs the 'warc' extra: pip install 'dedup[warc]'"

_WARC_LINE = re.compile(rb"WARC/[0-9]+\.[0-9]+[ \t]*\r?\n?")
_WARC_LINE_END = re.compile(rb"WARC/[0-9]+\.[0-9]+[ \t]*\r?\n\Z")
# ARC v1 record line: URL, IP address, 14-digit date, content type, length. The URL may
# hold spaces (warcio splits from the right), so only the last four fields are strict.
_ARC_LINE = re.compile(rb"\S[^\r\n]* \S+ [0-9]{12,20} \S+ [0-9]+[ \t]*\r?\n?")
_DIGITS = re.compile(r"[0-9]+")
# The status code in what warcio leaves of an HTTP status line ("1.1 200 OK").
_STATUS = re.compile(r"(?<![\d.])[1-5][0-9]{2}(?![\d.])")
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9a-fA-F]{1,16})[ \t]*(?:;[^\r\n]*)?\r?\n")


@dataclass(frozen=True, slots=True)
class WarcPage:
    """One HTML, XHTML or plain-text page out of a response or resource record."""

    offset: int
    """Byte offset of the record in the file as stored: for a ``.warc.gz``, the offset of
    the gzip member it starts in (records of a file compressed whole share one offset)."""
    uri: str | None
    """WARC-Target-URI (ARC: the URL)."""
    date: str | None
    """WARC-Date (ARC: the archive date converted), an ISO 8601 string."""
    content_type: str | None
    """Payload content type without parameters, lower-case."""
    charset: str | None
    """The charset parameter of the payload content type, lower-case, if any."""
    payload: bytes
    """The HTTP body of a response (de-chunked, gzip/deflate content-encoding decoded),
    the block of a resource record."""


@dataclass(frozen=True, slots=True)
class WarcProblem:
    """A damaged or unreadable part of the file."""

    offset: int
    reason: str
    """Short and on one line; no file name (the caller adds it)."""
    fatal: bool
    """True when the rest of the file cannot be read (nothing follows this problem)."""


@dataclass
class WarcCounts:
    """What :func:`read_warc` saw, filled in while iterating."""

    records: int = 0
    """Records with a usable header (yielded, skipped, or reported as damaged)."""
    pages: int = 0
    """Pages yielded."""
    skipped: dict[str, int] = field(default_factory=dict)
    """Records left out on purpose, by reason: the record type (``request``, ``metadata``,
    ``revisit``, ...), ``not a 2xx response``, ``non-html response``, ``non-html resource``,
    ``empty payload``,
    ``segmented``, ``unsupported content-encoding``, ``other record type``."""

    def skip(self, reason: str) -> None:
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def is_warc_name(name: str) -> bool:
    """True for ``.warc``, ``.warc.gz``, ``.arc`` and ``.arc.gz`` names, in any case."""
    return name.lower().endswith((".warc", ".warc.gz", ".arc", ".arc.gz"))


def read_warc(
    stream: BinaryIO,
    *,
    max_payload_bytes: int = 32 * 1024 * 1024,
    counts: WarcCounts | None = None,
) -> Iterator[WarcPage | WarcProblem]:
    """The pages of a WARC or ARC file (plain, or gzip-compressed per record), in order,
    with a :class:`WarcProblem` wherever the file is damaged.

    Yields response records with an HTML, XHTML or plain-text payload (when the content
    type is missing, one that starts like an HTML document) and resource records of those
    types; every other record is counted in ``counts.skipped``. A payload over
    ``max_payload_bytes`` (decoded) is a non-fatal problem and is read past, not held.
    After a damaged record, reading goes on at the next record when the file allows; a
    fatal problem is always the last thing yielded. The format is detected from the
    bytes; offsets count from where ``stream`` stood. Raises only :class:`InputError`
    (warcio not installed) and whatever reading ``stream`` raises (``OSError``).
    """
    try:
        from warcio.limitreader import LimitReader
        from warcio.recordloader import ArcWarcRecordLoader
        from warcio.statusandheaders import StatusAndHeadersParser
    except ImportError as exc:
        raise InputError(_INSTALL_HINT) from exc
    raw = _Plain(stream, _start_offset(stream))
    data: _Stream = _Gzip(raw) if raw.peek(2).startswith(_GZIP_MAGIC[:2]) else raw
    walker = _Walker(
        data,
        loader=ArcWarcRecordLoader(verify_http=False, arc2warc=True),
        http_parser=StatusAndHeadersParser(["HTTP/"], verify=True),
        limit_reader=LimitReader,
        max_payload=max_payload_bytes,
        counts=counts if counts is not None else WarcCounts(),
    )
    yield from walker.run()


def _start_offset(stream: BinaryIO) -> int:
    try:
        return int(stream.tell())
    except (OSError, ValueError, AttributeError, TypeError):
        return 0


# --- byte streams ---------------------------------------------------------------------


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...

    def readline(self, size: int = ..., /) -> bytes: ...


class _Buffered:
    """``read``/``readline``/``tell`` (what warcio's parsers use) over data that arrives in
    pieces from :meth:`_more`. ``read`` may return fewer bytes than asked (b"" only at the
    end); ``readline`` is capped, and while ``line_budget`` is set it counts against it."""

    def __init__(self) -> None:
        self._buf = b""
        self._i = 0
        self._served = 0
        self.line_budget: int | None = None
        self.lines: list[bytes] | None = None
        """When a list, every line read is added to it."""

    def _more(self) -> bytes:
        raise NotImplementedError

    def _fill(self) -> bool:
        while self._i >= len(self._buf):
            data = self._more()
            if not data:
                return False
            self._buf, self._i = data, 0
        return True

    def read(self, size: int | None = None, /) -> bytes:
        if size == 0 or not self._fill():
            return b""
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), self._i + size)
        data = self._buf[self._i : end]
        self._i = end
        self._served += len(data)
        return data

    def readline(self, size: int | None = None, /) -> bytes:
        limit = _MAX_LINE if size is None or size < 0 else min(size, _MAX_LINE)
        if self.line_budget is not None:
            limit = min(limit, self.line_budget)
        parts: list[bytes] = []
        got = 0
        while got < limit and self._fill():
            stop = min(len(self._buf), self._i + limit - got)
            newline = self._buf.find(b"\n", self._i, stop)
            if newline >= 0:
                stop = newline + 1
            parts.append(self._buf[self._i : stop])
            got += stop - self._i
            self._i = stop
            if newline >= 0:
                break
        self._served += got
        if self.line_budget is not None:
            self.line_budget -= got
        line = b"".join(parts)
        if self.lines is not None:
            self.lines.append(line)
        return line

    def tell(self) -> int:
        return self._served

    def unread(self, data: bytes) -> None:
        if data:
            self._buf = data + self._buf[self._i :]
            self._i = 0
            self._served -= len(data)

    def peek(self, size: int) -> bytes:
        """What lies ahead, at least ``size`` bytes unless the data ends first."""
        while len(self._buf) - self._i < size:
            data = self._more()
            if not data:
                break
            self._buf = self._buf[self._i :] + data
            self._i = 0
        return self._buf[self._i :]

    def skip(self, size: int) -> None:
        """Pass over ``size`` bytes already seen with :meth:`peek`."""
        self._i += size
        self._served += size

    def at_end(self) -> bool:
        return not self._fill()


class _Stream(_Buffered):
    """The data records are parsed from, and why it ended."""

    gzip = False
    end: str | None = None
    """None while data flows; then "eof", "truncated" (gzip data cut short) or "corrupt"."""
    damage_offset = 0
    damage_member = 0
    member = 0
    """The gzip member the data last read came from (counted from 1; 0 in a plain file)."""

    def offset_here(self) -> int:
        """The offset to report for a record starting at the next byte."""
        raise NotImplementedError

    def recover(self) -> int | None:
        """After "corrupt": go on at the next readable member; its offset, or None."""
        return None


class _Plain(_Stream):
    """The file's own bytes."""

    def __init__(self, stream: BinaryIO, start: int) -> None:
        super().__init__()
        self._stream = stream
        self._start = start

    def _more(self) -> bytes:
        data = self._stream.read(_BLOCK)
        if not data:
            self.end = "eof"
            return b""
        return bytes(data)

    @property
    def pos(self) -> int:
        return self._start + self._served

    def offset_here(self) -> int:
        return self.pos


class _Gzip(_Stream):
    """The decompressed data of a multi-member gzip file, member after member."""

    gzip = True

    def __init__(self, raw: _Plain) -> None:
        super().__init__()
        self._raw = raw
        self._d: zlib._Decompress | None = None
        self._member_start = raw.pos
        self._member_no = 0
        self._buf_start = raw.pos
        self._kept: list[bytes] = []
        self._kept_start = 0
        self._kept_size = 0

    def offset_here(self) -> int:
        self._fill()
        return self._buf_start

    def _more(self) -> bytes:
        while self.end is None:
            if self._d is None:
                if not self._raw.peek(1):
                    self.end = "eof"
                    break
                self._begin()
            out = self._step()
            if out:
                self.member, self._buf_start = self._member_no, self._member_start
                return out
        return b""

    def _begin(self) -> None:
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._member_start = self._raw.pos
        self._member_no += 1
        self._kept, self._kept_start, self._kept_size = [], self._member_start, 0

    def _step(self) -> bytes:
        """Decompress a little more of the current member; b"" may mean it ended."""
        d = self._d
        assert d is not None
        data = d.unconsumed_tail
        if not data:
            data = self._raw.read(_BLOCK)
            if data:
                self._keep(data)
        try:
            # With no input left this still hands out output zlib holds back.
            out = d.decompress(data, _BLOCK)
        except zlib.error:
            self._fail("corrupt")
            return b""
        if d.eof:
            self._raw.unread(d.unused_data)
            self._d = None
        elif not data and not out:
            self._fail("truncated")
        return out

    def _keep(self, data: bytes) -> None:
        self._kept.append(data)
        self._kept_size += len(data)
        while self._kept_size > _RETAIN and len(self._kept) > 1:
            dropped = self._kept.pop(0)
            self._kept_size -= len(dropped)
            self._kept_start += len(dropped)

    def _fail(self, why: str) -> None:
        self.end = why
        self.damage_offset = self._member_start
        self.damage_member = self._member_no
        self._d = None

    def recover(self) -> int | None:
        self._buf, self._i = b"", 0
        while True:
            self._replay()
            if not self._find_magic():
                return None
            self.end = None
            self._begin()
            if self._probe():
                return self._member_start

    def _replay(self) -> None:
        """Hand the current member's kept bytes back to the raw stream, less its first
        byte, so that a scan for the next member starts right after where it started."""
        data = b"".join(self._kept)[: self._raw.pos - self._kept_start]
        if self._kept_start == self._member_start:
            data = data[1:]
        self._kept, self._kept_size = [], 0
        self._raw.unread(data)

    def _find_magic(self) -> bool:
        raw = self._raw
        width = len(_GZIP_MAGIC)
        while True:
            ahead = raw.peek(width)
            at = ahead.find(_GZIP_MAGIC)
            if at >= 0:
                raw.skip(at)
                return True
            if len(ahead) < width:
                raw.skip(len(ahead))
                return False
            raw.skip(len(ahead) - width + 1)

    def _probe(self) -> bool:
        """Whether the member just begun decompresses to a record header line; if so its
        data is kept for reading."""
        got = b""
        while self._d is not None and len(got) < _PROBE:
            got += self._step()
            if _first_line(got) is not None:
                break
        line = _first_line(got)
        if self.end is not None or line is None or not _is_header(line, None):
            return False
        self._buf, self._i = got, 0
        self.member, self._buf_start = self._member_no, self._member_start
        return True


def _is_field(line: bytes) -> bool:
    """Whether a line can belong to a WARC header block: a field, a continuation, or
    the blank line that ends the block."""
    return not line.strip() or line[:1] in b" \t" or (b":" in line and line[:1] != b":")


def _first_line(data: bytes) -> bytes | None:
    """The first line that is not blank, once it is complete."""
    rest = data.lstrip()
    newline = rest.find(b"\n")
    return rest[: newline + 1] if newline >= 0 else None


def _is_header(line: bytes, fmt: str | None) -> bool:
    """Whether ``line`` starts a record: a WARC version line or an ARC record line."""
    if fmt != "arc" and _WARC_LINE.fullmatch(line):
        return True
    return fmt != "warc" and _ARC_LINE.fullmatch(line) is not None


# --- records --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    text: bytes
    """The line, b"" at the end of the data."""
    offset: int
    blanks: int
    """Blank lines passed over before it."""
    member: int


@dataclass(frozen=True, slots=True)
class _Skip:
    reason: str


@dataclass(frozen=True, slots=True)
class _Bad:
    reason: str


class _PayloadError(Exception):
    """A payload that cannot be decoded; the message is the reason."""


_Event = WarcPage | WarcProblem
_Outcome = WarcPage | _Skip | _Bad


class _Walker:
    """Walks the records of one file, yielding pages and problems."""

    def __init__(
        self,
        data: _Stream,
        *,
        loader: Any,
        http_parser: Any,
        limit_reader: Any,
        max_payload: int,
        counts: WarcCounts,
    ) -> None:
        self._s = data
        self._loader = loader
        self._http = http_parser
        self._limit_reader = limit_reader
        self._max = max_payload
        self._counts = counts
        self._fmt: str | None = None
        self._noted: set[str] = set()
        self._stopped = False

    def run(self) -> Iterator[_Event]:
        line = self._next_line()
        last_member: int | None = None
        while not self._stopped:
            if not line.text:
                if self._s.end not in ("truncated", "corrupt"):
                    return
                line = yield from self._data_ended()
                last_member = None
            elif self._is_header(line.text):
                line, last_member = yield from self._record(line, last_member)
            else:
                reason = f"unexpected data at offset {line.offset}"
                line = yield from self._skip(line.offset, line, reason)
                last_member = None

    def _problem(self, offset: int, reason: str, *, fatal: bool) -> WarcProblem:
        """A problem to yield; after a fatal one nothing more is read."""
        self._stopped = self._stopped or fatal
        return WarcProblem(offset, reason, fatal)

    def _is_header(self, text: bytes) -> bool:
        return _is_header(text, self._fmt)

    def _next_line(self) -> _Line:
        blanks = 0
        while True:
            offset = self._s.offset_here()
            text = self._s.readline()
            if not text or text.strip():
                return _Line(text, offset, blanks, self._s.member)
            blanks += 1

    def _skip(self, offset: int, line: _Line, reason: str) -> Generator[_Event, None, _Line]:
        """Report ``reason`` at ``offset`` and go on at the next record header line from
        ``line`` on (returned), or report it as fatal when none follows."""
        while True:
            if line.text:
                if self._is_header(line.text):
                    yield self._problem(offset, reason, fatal=False)
                    return line
                # A record header glued to the end of other bytes.
                tail = _WARC_LINE_END.search(line.text) if self._fmt != "arc" else None
                if tail is not None and tail.start() > 0:
                    yield self._problem(offset, reason, fatal=False)
                    start = line.offset + tail.start() if not self._s.gzip else line.offset
                    return _Line(tail.group(), start, 0, line.member)
            elif self._s.end != "corrupt" or self._s.recover() is None:
                yield self._problem(offset, reason + _no_more(self._s), fatal=True)
                return line
            line = self._next_line()

    def _data_ended(self) -> Generator[_Event, None, _Line]:
        """The data ended where a record could start: report gzip damage if that is why,
        and return the next line when reading can go on."""
        s = self._s
        offset = s.damage_offset
        if s.end == "truncated":
            yield self._problem(offset, f"truncated gzip record at offset {offset}", fatal=True)
        elif s.end == "corrupt":
            resumed = s.recover()
            if resumed is None:
                reason = f"corrupt gzip data at offset {offset}, nothing readable after it"
                yield self._problem(offset, reason, fatal=True)
            else:
                reason = f"corrupt gzip data at offset {offset}, skipped to offset {resumed}"
                yield self._problem(offset, reason, fatal=False)
                return self._next_line()
        return _Line(b"", offset, 0, s.member)

    def _record(
        self, line: _Line, last_member: int | None
    ) -> Generator[_Event, None, tuple[_Line, int | None]]:
        """One record from its header line: yields what it gives, returns the line after it
        and the gzip member its block ended in."""
        s = self._s
        offset = line.offset
        parsed = self._parse(line.text, offset)
        if isinstance(parsed, str):
            if s.end in ("truncated", "corrupt"):  # the header itself was cut short
                return (yield from self._data_ended()), None
            return (yield from self._skip(offset, self._next_line(), parsed)), None
        record, body = parsed
        self._counts.records += 1
        outcome = self._payload(record, body, offset)
        while body.read(_BLOCK):
            pass
        block_member = s.member
        if body.limit > 0:
            if s.end in ("truncated", "corrupt"):
                return (yield from self._data_ended()), None
            reason = f"truncated record at offset {offset}: its Content-Length runs past the end"
            yield self._problem(offset, reason, fatal=True)
            return _Line(b"", offset, 0, s.member), None
        if s.gzip:
            if last_member is not None and line.member == last_member:
                yield from self._note(offset, "gzip member holds more than one record")
            if block_member != line.member:
                yield from self._note(offset, "record spans gzip members")
        after = self._next_line()
        if not after.text and s.end in ("truncated", "corrupt") and s.damage_member <= block_member:
            # The record's own gzip member is damaged: its data cannot be trusted.
            return (yield from self._data_ended()), None
        if after.text and after.blanks == 0 and not self._is_header(after.text):
            reason = f"record at offset {offset} does not end where its Content-Length says"
            return (yield from self._skip(offset, after, reason)), None
        if isinstance(outcome, WarcPage):
            self._counts.pages += 1
            yield outcome
        elif isinstance(outcome, _Skip):
            self._counts.skip(outcome.reason)
        else:
            yield self._problem(offset, outcome.reason, fatal=False)
        return after, block_member

    def _note(self, offset: int, what: str) -> Iterator[_Event]:
        """A layout problem that does not stop reading, reported once per file."""
        if what not in self._noted:
            self._noted.add(what)
            reason = f"{what} (first at offset {offset}): offsets cannot be used to seek"
            yield self._problem(offset, reason, fatal=False)

    def _parse(self, first: bytes, offset: int) -> tuple[Any, Any] | str:
        """warcio's record (headers parsed) and its block as a LimitReader, or the reason
        there is none."""
        fmt = "warc" if first.startswith(b"WARC/") else "arc"
        s = self._s
        s.line_budget, s.lines = _HEADER_BUDGET, []
        try:
            record = self._loader.parse_record_stream(s, first, fmt, True)
        except OSError:
            raise
        except Exception as exc:
            return f"malformed record header at offset {offset}: {_brief(exc)}"
        finally:
            budget, s.line_budget = s.line_budget, None
            lines, s.lines = s.lines, None
        if budget is not None and budget <= 0:
            return f"record header at offset {offset} over {_HEADER_BUDGET:,} bytes"
        if fmt == "warc":
            # warcio drops lines that are not fields; such a line may be the start of the
            # next record, so reading goes on from it.
            bad = next((i for i, line in enumerate(lines) if not _is_field(line)), None)
            if bad is not None:
                s.unread(b"".join(lines[bad:]))
                return f"malformed record header at offset {offset}"
            if not lines or lines[-1].strip() or not lines[-1].endswith(b"\n"):
                return f"truncated record header at offset {offset}"  # the data ended
        headers = record.rec_headers
        length = _text(headers.get_header("Content-Length"))
        body = record.raw_stream
        if (
            length is None
            or _DIGITS.fullmatch(length.strip()) is None
            or not isinstance(body, self._limit_reader)
        ):
            return f"record at offset {offset} has no valid Content-Length"
        if self._fmt is None:
            self._fmt = fmt
        return record, body

    def _payload(self, record: Any, body: Any, offset: int) -> _Outcome:
        """The page a record holds, or why it gives none (its block not read to the end)."""
        headers = record.rec_headers
        kind = (_text(record.rec_type) or "").lower()
        if kind not in ("response", "resource"):
            return _Skip(kind if kind in _SKIPPED_TYPES else "other record type")
        if _text(headers.get_header("WARC-Segment-Number")) is not None:
            return _Skip("segmented")
        uri = _text(headers.get_header("WARC-Target-URI"))
        type_header = _text(headers.get_header("Content-Type"))
        transfer: list[str] = []
        encodings: list[str] = []
        if kind == "response" and uri is not None and uri.lower().startswith(("http:", "https:")):
            self._s.line_budget = _HEADER_BUDGET
            try:
                http = self._http.parse(body)
            except OSError:
                raise
            except EOFError:
                return _Skip("empty payload")
            except Exception as exc:
                return _Bad(f"malformed HTTP headers in record at offset {offset}: {_brief(exc)}")
            finally:
                budget, self._s.line_budget = self._s.line_budget, None
            if budget is not None and budget <= 0:
                return _Bad(f"HTTP header block at offset {offset} over {_HEADER_BUDGET:,} bytes")
            status = _STATUS.search(_text(http.statusline) or "")
            if status is not None and not status.group().startswith("2"):
                return _Skip("not a 2xx response")  # error pages and redirects are no stories
            type_header = _text(http.get_header("Content-Type"))
            transfer = _tokens(_text(http.get_header("Transfer-Encoding")))
            encodings = _tokens(_text(http.get_header("Content-Encoding")))
        content_type, charset = _split_type(type_header)
        if content_type is not None and content_type not in _PAGE_TYPES:
            return _Skip(f"non-html {kind}")
        chunks: Iterator[bytes] = _dechunk(body) if "chunked" in transfer else _blocks(body)
        for encoding in reversed([e for e in encodings if e != "identity"]):
            if encoding not in ("gzip", "x-gzip", "deflate"):
                return _Skip("unsupported content-encoding")
            chunks = _inflate(chunks, "deflate" if encoding == "deflate" else "gzip")
        try:
            payload, over = _collect(chunks, self._max)
        except _PayloadError as exc:
            return _Bad(f"{exc} in record at offset {offset}")
        if content_type is None:
            if not _looks_like_html(payload):
                return _Skip(f"non-html {kind}")
            content_type = "text/html"
        if over:
            return _Bad(f"record payload over {self._max:,} bytes")
        if not payload:
            return _Skip("empty payload")
        date = _text(headers.get_header("WARC-Date"))
        return WarcPage(offset, uri, date, content_type, charset, payload)


def _no_more(s: _Stream) -> str:
    if s.end == "truncated":
        return f", and the gzip data is truncated at offset {s.damage_offset}"
    if s.end == "corrupt":
        return f", and the gzip data is corrupt from offset {s.damage_offset}"
    return ", no record after it"


def _brief(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _tokens(value: str | None) -> list[str]:
    if value is None:
        return []
    return [token.strip().lower() for token in value.split(",") if token.strip()]


def _split_type(value: str | None) -> tuple[str | None, str | None]:
    """("text/html", "utf-8") from 'text/html; charset="UTF-8"'."""
    if value is None:
        return None, None
    main, *params = value.split(";")
    content_type = main.strip().lower() or None
    for param in params:
        name, sep, setting = param.partition("=")
        if sep and name.strip().lower() == "charset":
            charset = setting.strip().strip("\"'").strip().lower()
            return content_type, charset or None
    return content_type, None


def _looks_like_html(data: bytes) -> bool:
    head = data[:_SNIFF].lstrip().removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    return head.startswith((b"<html", b"<!doctype html"))


def _collect(chunks: Iterator[bytes], cap: int) -> tuple[bytes, bool]:
    """At most ``cap`` bytes of ``chunks``, and whether there were more."""
    parts: list[bytes] = []
    size = 0
    for piece in chunks:
        if size + len(piece) > cap:
            parts.append(piece[: cap - size])
            return b"".join(parts), True
        parts.append(piece)
        size += len(piece)
    return b"".join(parts), False


def _blocks(body: _Readable) -> Iterator[bytes]:
    while data := body.read(_BLOCK):
        yield data


def _dechunk(body: _Readable) -> Iterator[bytes]:
    """The body of an HTTP message with chunked transfer-coding. A body that does not
    start with a chunk-size line was stored de-chunked (crawlers often do): as it is."""
    line = body.readline(_CHUNK_LINE)
    size_line = _CHUNK_SIZE.fullmatch(line)
    if size_line is None:
        if line:
            yield line
        yield from _blocks(body)
        return
    while True:
        size = int(size_line.group(1), 16)
        if size == 0:
            while (trailer := body.readline(_CHUNK_LINE)) and trailer.strip():
                pass
            return
        while size > 0:
            data = body.read(min(size, _BLOCK))
            if not data:
                raise _PayloadError("chunked body ends inside a chunk")
            size -= len(data)
            yield data
        if body.readline(_CHUNK_LINE).strip():
            raise _PayloadError("chunk not followed by a line break")
        line = body.readline(_CHUNK_LINE)
        if not line:
            raise _PayloadError("chunked body ends without its last chunk")
        size_line = _CHUNK_SIZE.fullmatch(line)
        if size_line is None:
            raise _PayloadError("malformed chunk-size line")


def _inflate(chunks: Iterator[bytes], kind: str) -> Iterator[bytes]:
    """``chunks`` gzip- or deflate-decoded. A gzip body without a gzip header was stored
    decoded (some archivers do): as it is. Data after the end of the stream is ignored."""
    head = b""
    for piece in chunks:
        head += piece
        if len(head) >= 2:
            break
    if not head:
        return
    if head.startswith(b"\x1f\x8b"):
        wbits = 16 + zlib.MAX_WBITS
    elif len(head) >= 2 and head[0] & 0x0F == 8 and int.from_bytes(head[:2], "big") % 31 == 0:
        wbits = zlib.MAX_WBITS
    elif kind == "deflate":
        wbits = -zlib.MAX_WBITS
    else:
        yield head
        yield from chunks
        return
    decompressor = zlib.decompressobj(wbits)
    try:
        for piece in chain([head], chunks):
            data = piece
            while True:
                out = decompressor.decompress(data, _BLOCK)
                if out:
                    yield out
                data = decompressor.unconsumed_tail
                if decompressor.eof or not data:
                    break
            if decompressor.eof:
                return
        while not decompressor.eof:
            out = decompressor.decompress(b"", _BLOCK)
            if not out:
                raise _PayloadError(f"{kind} content-encoded payload ends early")
            yield out
    except zlib.error as exc:
        raise _PayloadError(f"corrupt {kind} content-encoding") from exc
