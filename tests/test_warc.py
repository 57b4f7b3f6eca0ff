"""dedup.io.warc: pages out of WARC/ARC files, and damage reported, never silently cut short.

The fixtures are written here with warcio's WARCWriter (gzip per record and plain); the
files in shared/data/warc_fixtures and the L3S-GN1 WARC are read when they are present.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.io.warc import WarcCounts, WarcPage, WarcProblem, is_warc_name, read_warc

pytest.importorskip("warcio")

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SHARED = Path(__file__).parents[2] / "shared" / "data"
FIXTURES = SHARED / "warc_fixtures"
L3S_WARC = SHARED / "l3s_gn1" / "warc_reconstructed" / "L3S-GN1-reconstructed.warc.gz"
DATE = "2024-05-01T12:00:00Z"


# --- building WARCs -------------------------------------------------------------------


@dataclass(frozen=True)
class Built:
    data: bytes
    offsets: list[int]
    """Where each record starts (the gzip member's start in a .warc.gz)."""


Writer = Callable[[WARCWriter], object]


def build(writers: Iterable[Writer], *, compress: bool) -> Built:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=compress)
    offsets = []
    for write in writers:
        offsets.append(out.tell())
        writer.write_record(write(writer))
    return Built(out.getvalue(), offsets)


def http(content_type: str | None, *extra: tuple[str, str]) -> StatusAndHeaders:
    headers = [("Content-Type", content_type)] if content_type else []
    return StatusAndHeaders("200 OK", headers + list(extra), protocol="HTTP/1.1")


def response(
    uri: str, body: bytes, content_type: str | None = "text/html", *extra: tuple[str, str]
) -> Writer:
    return lambda w: w.create_warc_record(
        uri,
        "response",
        payload=io.BytesIO(body),
        http_headers=http(content_type, *extra),
        warc_headers_dict={"WARC-Date": DATE},
    )


def record(uri: str, kind: str, body: bytes, content_type: str) -> Writer:
    return lambda w: w.create_warc_record(
        uri,
        kind,
        payload=io.BytesIO(body),
        warc_content_type=content_type,
        warc_headers_dict={"WARC-Date": DATE},
    )


def html(n: int, size: int = 300) -> bytes:
    return b"<html><body><p>" + (b"story %d " % n) * (size // 8) + b"</p></body></html>"


def chunked(body: bytes, size: int = 50) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


PLAIN_PAGE = html(1)
CHUNKED_PAGE = html(2)
GZIPPED_PAGE = html(3)
RESOURCE_PAGE = html(4)
SNIFFED_PAGE = b"\n  <!DOCTYPE html><html><body>no content type</body></html>"
DEFLATED_PAGE = html(5)
TEXT_PAGE = b"just text"

MIXED: list[Writer] = [
    lambda w: w.create_warcinfo_record("mixed.warc", {"software": "test"}),
    response("http://example.com/plain", PLAIN_PAGE, "text/html; charset=UTF-8"),
    record(
        "http://example.com/plain",
        "request",
        b"GET /plain HTTP/1.1\r\n\r\n",
        "application/http; msgtype=request",
    ),
    response(
        "http://example.com/chunked",
        chunked(CHUNKED_PAGE),
        "application/xhtml+xml",
        ("Transfer-Encoding", "chunked"),
    ),
    response(
        "http://example.com/gzipped",
        gzip.compress(GZIPPED_PAGE),
        'text/html; charset="ISO-8859-1"',
        ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked"),
    ),
    record(
        "http://example.com/plain", "metadata", b"fetchTimeMs: 12\r\n", "application/warc-fields"
    ),
    record("http://example.com/resource", "resource", RESOURCE_PAGE, "text/html"),
    lambda w: w.create_revisit_record(
        "http://example.com/again", "sha1:AAAA", "http://example.com/plain", DATE
    ),
    response("http://example.com/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
    response("http://example.com/sniffed", SNIFFED_PAGE, None),
    response("http://example.com/binary", b"\x00\x01 not html", None),
    response(
        "http://example.com/deflated",
        zlib.compress(DEFLATED_PAGE),
        "text/html",
        ("Content-Encoding", "deflate"),
    ),
    response("http://example.com/text", TEXT_PAGE, "text/plain"),
    response("http://example.com/empty", b"", "text/html"),
]
# MIXED[4] is chunked as well: its body gets chunked below.
MIXED[4] = response(
    "http://example.com/gzipped",
    chunked(gzip.compress(GZIPPED_PAGE), 40),
    'text/html; charset="ISO-8859-1"',
    ("Content-Encoding", "gzip"),
    ("Transfer-Encoding", "chunked"),
)
MIXED_PAGES = {  # record index -> (uri, content type, charset, payload)
    1: ("http://example.com/plain", "text/html", "utf-8", PLAIN_PAGE),
    3: ("http://example.com/chunked", "application/xhtml+xml", None, CHUNKED_PAGE),
    4: ("http://example.com/gzipped", "text/html", "iso-8859-1", GZIPPED_PAGE),
    6: ("http://example.com/resource", "text/html", None, RESOURCE_PAGE),
    9: ("http://example.com/sniffed", "text/html", None, SNIFFED_PAGE),
    11: ("http://example.com/deflated", "text/html", None, DEFLATED_PAGE),
    12: ("http://example.com/text", "text/plain", None, TEXT_PAGE),
}
MIXED_SKIPPED = {
    "warcinfo": 1,
    "request": 1,
    "metadata": 1,
    "revisit": 1,
    "non-html response": 2,
    "empty payload": 1,
}


def five_pages(*, compress: bool, size: int = 2000) -> Built:
    return build(
        [response(f"http://example.com/{n}", html(n, size)) for n in range(5)], compress=compress
    )


def read(
    data: bytes, max_payload_bytes: int = 32 * 1024 * 1024
) -> tuple[list[WarcPage], list[WarcProblem], WarcCounts]:
    counts = WarcCounts()
    pages: list[WarcPage] = []
    problems: list[WarcProblem] = []
    stream = io.BytesIO(data)
    for entry in read_warc(stream, max_payload_bytes=max_payload_bytes, counts=counts):
        if isinstance(entry, WarcPage):
            assert not problems or not problems[-1].fatal, "nothing may follow a fatal problem"
            pages.append(entry)
        else:
            assert isinstance(entry, WarcProblem)
            assert not problems or not problems[-1].fatal, "nothing may follow a fatal problem"
            assert "\n" not in entry.reason
            problems.append(entry)
    return pages, problems, counts


def uris(pages: list[WarcPage]) -> list[str | None]:
    return [page.uri for page in pages]


# --- reading --------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_pages_with_their_fields_and_the_rest_counted(compress: bool) -> None:
    built = build(MIXED, compress=compress)
    pages, problems, counts = read(built.data)
    assert problems == []
    expected = [
        WarcPage(built.offsets[i], uri, DATE, ctype, charset, payload)
        for i, (uri, ctype, charset, payload) in MIXED_PAGES.items()
    ]
    assert pages == expected
    assert counts.records == len(MIXED)
    assert counts.pages == len(MIXED_PAGES)
    assert counts.skipped == MIXED_SKIPPED


def test_error_pages_and_redirects_are_no_stories() -> None:
    def status(uri: str, line: str) -> Writer:
        headers = StatusAndHeaders(line, [("Content-Type", "text/html")], protocol="HTTP/1.1")
        return lambda w: w.create_warc_record(
            uri, "response", payload=io.BytesIO(html(1)), http_headers=headers
        )

    built = build(
        [
            status("http://a.example.com/gone", "404 Not Found"),
            status("http://a.example.com/moved", "301 Moved Permanently"),
            response("http://a.example.com/story", html(2)),
        ],
        compress=True,
    )
    pages, problems, counts = read(built.data)
    assert problems == []
    assert uris(pages) == ["http://a.example.com/story"]
    assert counts.skipped == {"not a 2xx response": 2}


def test_gzip_offsets_point_at_the_record_member() -> None:
    built = build(MIXED, compress=True)
    pages, _, _ = read(built.data)
    for page in pages:
        member = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(built.data[page.offset :])
        assert member.startswith(b"WARC/1.0\r\n")
        assert page.uri is not None
        assert page.uri.encode() in member


def test_offsets_count_from_where_the_stream_stood() -> None:
    built = five_pages(compress=True)
    stream = io.BytesIO(b"x" * 100 + built.data)
    stream.seek(100)
    offsets = [e.offset for e in read_warc(stream) if isinstance(e, WarcPage)]
    assert offsets == [o + 100 for o in built.offsets]


class Trickle(io.RawIOBase):
    """An unseekable stream that hands out a few bytes per read."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._data.read(min(len(buffer), self._step))
        buffer[: len(chunk)] = chunk
        return len(chunk)


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
@pytest.mark.parametrize("step", [1, 7, 4096])
def test_short_reads_from_an_unseekable_stream(compress: bool, step: int) -> None:
    built = build(MIXED, compress=compress)
    at = built.offsets[5]
    junk = b"junk\r\n" if not compress else b"\x1f\x8b\x08 junk that looks like gzip"
    data = built.data[:at] + junk + built.data[at:]
    expected = list(read_warc(io.BytesIO(data)))
    problems = [entry for entry in expected if isinstance(entry, WarcProblem)]
    assert len(expected) == len(MIXED_PAGES) + 1
    assert [(p.offset, p.fatal) for p in problems] == [(at, False)]
    assert list(read_warc(Trickle(data, step))) == expected  # type: ignore[arg-type]


def test_is_warc_name() -> None:
    for name in ("a.warc", "a.WARC.GZ", "dir/b.arc", "c.arc.gz", "CC-MAIN-1.warc.gz"):
        assert is_warc_name(name), name
    for name in ("a.warc.lz4", "a.warc.zst", "a.gz", "a.html", "warc", "a.warc.gz.bad"):
        assert not is_warc_name(name), name


def test_empty_input_gives_nothing() -> None:
    assert read(b"") == ([], [], WarcCounts())


def test_arc_records() -> None:
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + html(7)
    info = b"1 0 Test\nURL IP-address Archive-date Content-type Archive-length\n"
    data = (
        b"filedesc://test.arc 0.0.0.0 20080430204825 text/plain %d\n%s\n" % (len(info), info)
        + b"http://example.com/a 10.0.0.1 20080430204826 text/html %d\n%s\n" % (len(body), body)
        + b"dns:example.com 10.0.0.1 20080430204827 text/dns 12\n10.0.0.1\r\n\r\n\n"
    )
    pages, problems, counts = read(data)
    assert problems == []
    assert uris(pages) == ["http://example.com/a"]
    assert pages[0].date == "2008-04-30T20:48:26Z"
    assert pages[0].payload == html(7)
    assert counts.skipped == {"warcinfo": 1, "non-html response": 1}


# --- damage ---------------------------------------------------------------------------


def test_truncated_gzip_gives_the_pages_before_then_a_fatal_problem() -> None:
    built = five_pages(compress=True)
    third = built.offsets[2]
    cut = built.data[: (third + built.offsets[3]) // 2]
    pages, problems, _ = read(cut)
    assert uris(pages) == ["http://example.com/0", "http://example.com/1"]
    assert problems == [WarcProblem(third, f"truncated gzip record at offset {third}", True)]


def test_gzip_member_cut_in_its_trailer_is_not_trusted() -> None:
    built = five_pages(compress=True)
    pages, problems, _ = read(built.data[:-3])
    assert len(pages) == 4
    assert problems == [
        WarcProblem(built.offsets[4], f"truncated gzip record at offset {built.offsets[4]}", True)
    ]


def test_gzip_cut_in_the_next_member_header_keeps_the_page_before() -> None:
    built = five_pages(compress=True)
    pages, problems, _ = read(built.data[: built.offsets[3] + 5])
    assert len(pages) == 3
    assert [p.fatal for p in problems] == [True]


def test_truncated_plain_warc() -> None:
    built = five_pages(compress=False)
    third = built.offsets[2]
    pages, problems, _ = read(built.data[: third + 700])
    assert uris(pages) == ["http://example.com/0", "http://example.com/1"]
    assert len(problems) == 1
    assert (problems[0].offset, problems[0].fatal) == (third, True)
    assert "truncated record" in problems[0].reason


def test_plain_warc_cut_inside_a_header() -> None:
    built = five_pages(compress=False)
    pages, problems, _ = read(built.data[: built.offsets[4] + 40])
    assert len(pages) == 4
    assert [(p.offset, p.fatal) for p in problems] == [(built.offsets[4], True)]


@pytest.mark.parametrize("compress", [True, False], ids=["gzip", "plain"])
def test_garbage_between_records_is_reported_and_skipped(compress: bool) -> None:
    built = five_pages(compress=compress)
    at = built.offsets[2]
    junk = b"\x00\xffjunk between records\r\nmore junk\r\n" * 5
    pages, problems, _ = read(built.data[:at] + junk + built.data[at:])
    assert len(pages) == 5
    assert len(problems) == 1
    assert (problems[0].offset, problems[0].fatal) == (at, False)


def test_garbage_right_before_a_plain_record_header() -> None:
    built = five_pages(compress=False)
    at = built.offsets[2]
    pages, problems, _ = read(built.data[:at] + b"junk" + built.data[at:])
    assert len(pages) == 5
    assert [(p.offset, p.fatal) for p in problems] == [(at, False)]


def test_gzip_member_of_junk_between_records() -> None:
    built = five_pages(compress=True)
    at = built.offsets[3]
    pages, problems, _ = read(built.data[:at] + gzip.compress(b"junk\n" * 50) + built.data[at:])
    assert len(pages) == 5
    assert [(p.offset, p.fatal) for p in problems] == [(at, False)]


def test_trailing_garbage_is_fatal() -> None:
    built = five_pages(compress=True)
    pages, problems, _ = read(built.data + b"\x00" * 100)
    assert len(pages) == 5
    assert [(p.offset, p.fatal) for p in problems] == [(len(built.data), True)]


def test_corrupt_gzip_member_is_skipped_and_reading_resumes() -> None:
    built = five_pages(compress=True)
    data = bytearray(built.data)
    start, end = built.offsets[1], built.offsets[2]
    for i in range(start + 30, end - 30, 7):
        data[i] ^= 0x55
    pages, problems, _ = read(bytes(data))
    assert uris(pages) == [f"http://example.com/{n}" for n in (0, 2, 3, 4)]
    assert len(problems) == 1
    assert (problems[0].offset, problems[0].fatal) == (start, False)
    assert f"skipped to offset {end}" in problems[0].reason


def test_gzip_crc_error_withholds_the_page() -> None:
    built = five_pages(compress=True)
    data = bytearray(built.data)
    data[built.offsets[2] - 6] ^= 0x01  # the CRC of member 1
    pages, problems, _ = read(bytes(data))
    assert uris(pages) == [f"http://example.com/{n}" for n in (0, 2, 3, 4)]
    assert [(p.offset, p.fatal) for p in problems] == [(built.offsets[1], False)]


def test_content_length_too_short_is_reported_and_the_next_record_read() -> None:
    built = five_pages(compress=False)
    at = built.offsets[1]
    head = built.data[at : at + 1000]
    length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
    wrong = head.replace(b"Content-Length: %d" % length, b"Content-Length: %d" % (length - 10))
    pages, problems, _ = read(built.data[:at] + wrong + built.data[at + 1000 :])
    assert uris(pages) == [f"http://example.com/{n}" for n in (0, 2, 3, 4)]
    assert [(p.offset, p.fatal) for p in problems] == [(at, False)]
    assert "Content-Length" in problems[0].reason


def test_missing_content_length_is_reported() -> None:
    built = five_pages(compress=True)
    member = built.offsets[1], built.offsets[2]
    text = gzip.decompress(built.data[member[0] : member[1]])
    bad = gzip.compress(text.replace(b"Content-Length", b"Content-Lost"))
    pages, problems, _ = read(built.data[: member[0]] + bad + built.data[member[1] :])
    assert len(pages) == 4
    assert [(p.offset, p.fatal) for p in problems] == [(member[0], False)]
    assert "Content-Length" in problems[0].reason


def test_oversize_payload_is_a_problem_and_read_past() -> None:
    records = [
        response("http://example.com/small", html(1, 100)),
        response("http://example.com/big", html(2, 5000)),
        response(
            "http://example.com/bomb",
            gzip.compress(b" " * 100_000),
            "text/html",
            ("Content-Encoding", "gzip"),
        ),
        response("http://example.com/after", html(3, 100)),
    ]
    built = build(records, compress=True)
    pages, problems, _ = read(built.data, max_payload_bytes=2000)
    assert uris(pages) == ["http://example.com/small", "http://example.com/after"]
    assert problems == [
        WarcProblem(built.offsets[1], "record payload over 2,000 bytes", False),
        WarcProblem(built.offsets[2], "record payload over 2,000 bytes", False),
    ]


def test_bad_chunking_and_bad_content_encoding_are_problems() -> None:
    body = html(1)
    records = [
        response(
            "http://example.com/cut-chunks",
            chunked(body)[:-20],
            "text/html",
            ("Transfer-Encoding", "chunked"),
        ),
        response(
            "http://example.com/bad-gzip",
            gzip.compress(body)[:-30] + b"x" * 30,
            "text/html",
            ("Content-Encoding", "gzip"),
        ),
        response(
            "http://example.com/short-gzip",
            gzip.compress(body)[:-30],
            "text/html",
            ("Content-Encoding", "gzip"),
        ),
        # stored de-chunked / decoded by the crawler: read as it is
        response(
            "http://example.com/dechunked", body, "text/html", ("Transfer-Encoding", "chunked")
        ),
        response("http://example.com/decoded", body, "text/html", ("Content-Encoding", "gzip")),
        response(
            "http://example.com/brotli", b"\x1b\x00\x00", "text/html", ("Content-Encoding", "br")
        ),
    ]
    built = build(records, compress=False)
    pages, problems, counts = read(built.data)
    assert uris(pages) == ["http://example.com/dechunked", "http://example.com/decoded"]
    assert all(page.payload == body for page in pages)
    assert [(p.offset, p.fatal) for p in problems] == [(o, False) for o in built.offsets[:3]]
    assert counts.skipped == {"unsupported content-encoding": 1}


def test_whole_file_gzip_reads_with_a_problem() -> None:
    built = build(MIXED, compress=False)
    pages, problems, _ = read(gzip.compress(built.data))
    assert len(pages) == len(MIXED_PAGES)
    assert {page.offset for page in pages} == {0}
    assert [(p.offset, p.fatal) for p in problems] == [(0, False)]
    assert "more than one record" in problems[0].reason


def test_malformed_header_is_skipped() -> None:
    built = five_pages(compress=False)
    at = built.offsets[1]
    data = built.data[:at] + b"WARC/1.0\r\nnot a header\r\n" + built.data[built.offsets[2] :]
    pages, problems, _ = read(data)
    assert len(pages) == 4
    assert [(p.offset, p.fatal) for p in problems] == [(at, False)]


# --- any bytes in, only pages and problems out ----------------------------------------


SMALL_GZIP = five_pages(compress=True, size=200)
SMALL_PLAIN = five_pages(compress=False, size=200)
MIXED_GZIP = build(MIXED, compress=True)
MIXED_PLAIN = build(MIXED, compress=False)


def check_any(data: bytes) -> tuple[list[WarcPage], list[WarcProblem]]:
    pages, problems, counts = read(data, max_payload_bytes=5000)
    for page in pages:
        assert isinstance(page.payload, bytes)
        assert 0 <= page.offset < max(len(data), 1)
    assert counts.pages == len(pages)
    return pages, problems


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=3000),
        st.binary(max_size=3000).map(lambda b: b"\x1f\x8b\x08" + b),
        st.binary(max_size=3000).map(lambda b: b"WARC/1.0\r\n" + b),
        st.binary(max_size=300).map(
            lambda b: gzip.compress(b"WARC/1.0\r\nContent-Length: 5\r\n" + b)
        ),
    )
)
def test_any_bytes_give_only_pages_and_problems(data: bytes) -> None:
    check_any(data)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([SMALL_GZIP.data, SMALL_PLAIN.data, MIXED_GZIP.data]),
    st.lists(
        st.tuples(
            st.sampled_from(["flip", "cut", "insert", "delete"]),
            st.floats(0, 1),
            st.integers(0, 255),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_mutated_warcs_give_only_pages_and_problems(
    data: bytes, edits: list[tuple[str, float, int]]
) -> None:
    mutated = bytearray(data)
    for kind, where, value in edits:
        at = min(int(where * len(mutated)), max(len(mutated) - 1, 0))
        if kind == "flip" and mutated:
            mutated[at] ^= 1 << (value % 8)
        elif kind == "cut":
            del mutated[at:]
        elif kind == "insert":
            mutated[at:at] = bytes([value]) * (1 + value % 7)
        elif mutated:
            del mutated[at : at + 1 + value % 50]
    check_any(bytes(mutated))


def boundaries(built: Built, *, compress: bool) -> set[int]:
    """Cuts that leave a valid, shorter file: at a record (member) boundary, and in a plain
    file anywhere in the blank lines after a record's block."""
    ends = [*built.offsets[1:], len(built.data)]
    if compress:
        return {0, *ends}
    cuts = {0}
    for start, end in zip(built.offsets, ends, strict=True):
        header_end = built.data.index(b"\r\n\r\n", start) + 4
        length = int(built.data[start:header_end].split(b"Content-Length: ")[1].split(b"\r")[0])
        cuts.update(range(header_end + length, end + 1))
    return cuts


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_a_cut_anywhere_gives_all_pages_or_a_problem(data: st.DataObject) -> None:
    compress = data.draw(st.booleans())
    built = MIXED_GZIP if compress else MIXED_PLAIN
    whole, _, _ = read(built.data)
    cut = data.draw(st.integers(0, len(built.data) - 1))
    pages, problems, _ = read(built.data[:cut])
    assert pages == whole[: len(pages)]  # never a wrong page, only fewer
    if cut not in boundaries(built, compress=compress):
        assert problems, f"cut at {cut} lost pages silently"
        assert problems[-1].fatal


# --- real files -----------------------------------------------------------------------


def fixture_files() -> list[Path]:
    if not FIXTURES.is_dir():
        return []
    return sorted(p for p in FIXTURES.rglob("*") if p.is_file() and is_warc_name(p.name))


# file (relative to warc_fixtures) -> pages; the deliberately malformed and the damaged
# ones are in DAMAGED instead.
IAH = "ukwa_webarchive_test_suite/small-arcs-and-warcs/IAH-20080430204825-00000-blackbook-truncated"
SOPA = "ukwa_webarchive_test_suite/wikipedia-sopa-blackout-2012/"
CLEAN = {
    "jwarc/cc.warc.gz": 1,
    "jwarc/gzip_extra_sl.warc.gz": 0,
    "resiliparse_cc_main/block-sized-records.warc": 0,
    "resiliparse_cc_main/block-sized-records.warc.gz": 0,
    "resiliparse_cc_main/clueweb-quirk.warc.gz": 29,
    "resiliparse_cc_main/warcfile.warc": 16,
    "resiliparse_cc_main/warcfile.warc.gz": 16,
    IAH + ".arc": 3,
    IAH + ".arc.gz": 3,
    IAH + ".warc": 3,
    IAH + ".warc.gz": 3,
    # 9 of its responses are redirects or errors
    "ukwa_webarchive_test_suite/small-arcs-and-warcs/IAH-urls-wget.warc.gz": 6,
    SOPA + "wikipedia-blackout/sopa-wikipedia-homepage.warc.gz": 6,
    SOPA + "wikipedia-post-blackout/main-page.warc.gz": 6,
    SOPA + "wikipedia-post-blackout/post-blackout.warc.gz": 6,
    "warcio/example-digest.warc": 0,
    "warcio/example-iana.org-chunked.warc": 1,
    "warcio/example-resource.warc.gz": 1,
    "warcio/example-space-in-target-uri.warc.gz": 0,
    "warcio/example-wget-bad-target-uri.warc.gz": 3,
    "warcio/example.arc": 1,
    "warcio/example.arc.gz": 1,
    "warcio/example.warc": 1,
    "warcio/example.warc.gz": 1,
    "warcio/post-test.warc.gz": 0,
}
# file -> (pages, whether the last problem is fatal)
DAMAGED = {
    "warcio/bad.arc": (0, True),  # ARC lines with lengths -1 and "abc"
    "warcio/example-bad-non-chunked.warc.gz": (1, False),  # one gzip member for the file
    "warcio/example-bad.warc.gz.bad": (1, False),  # the same; one page is a redirect
    "warcio/example-trunc.warc": (0, False),  # a response 2 bytes longer than its Content-Length
    "warcio/example-wrong-chunks.warc.gz": (1, False),  # gzip members split a record
    "resiliparse_cc_main/clipped.warc.gz": (0, True),  # its only gzip member is cut short
    "warcio/example-space-in-url.arc": (0, True),  # its record is 12 bytes short of its length
}


needs_fixtures = pytest.mark.skipif(not FIXTURES.is_dir(), reason="no shared/data/warc_fixtures")


@needs_fixtures
def test_every_fixture_file_is_read_or_reported() -> None:
    names = {p.relative_to(FIXTURES).as_posix() for p in fixture_files()}
    assert names == (set(CLEAN) | set(DAMAGED)) - {"warcio/example-bad.warc.gz.bad"}
    for name in sorted(set(CLEAN) | set(DAMAGED)):
        pages, problems, counts = read((FIXTURES / name).read_bytes())
        assert counts.records > 0, name
        if name in CLEAN:
            assert (len(pages), problems) == (CLEAN[name], []), name
        else:
            expected_pages, fatal = DAMAGED[name]
            assert len(pages) == expected_pages, name
            assert problems, name
            assert problems[-1].fatal is fatal, name


@needs_fixtures
def test_common_crawl_excerpt_gives_every_html_response() -> None:
    path = FIXTURES / "resiliparse_cc_main" / "warcfile.warc"
    expected = []  # counted with warcio's own iterator
    with path.open("rb") as stream:
        for rec in ArchiveIterator(stream):
            if rec.rec_type == "response" and rec.http_headers is not None:
                ctype = (rec.http_headers.get_header("Content-Type") or "").split(";")[0]
                if ctype.strip().lower() in ("text/html", "application/xhtml+xml", "text/plain"):
                    uri = rec.rec_headers.get_header("WARC-Target-URI")
                    expected.append((uri, rec.content_stream().read()))
    assert len(expected) == 16
    for data in (path.read_bytes(), path.with_suffix(".warc.gz").read_bytes()):
        pages, problems, counts = read(data)
        assert problems == []
        assert [(page.uri, page.payload) for page in pages] == expected
        assert counts.records == 50
        assert counts.skipped == {"warcinfo": 1, "request": 17, "metadata": 16}


@needs_fixtures
def test_arc_and_warc_copies_of_one_crawl_agree() -> None:
    folder = FIXTURES / "ukwa_webarchive_test_suite" / "small-arcs-and-warcs"
    stem = "IAH-20080430204825-00000-blackbook-truncated"
    results = [
        read((folder / (stem + suffix)).read_bytes())[0]
        for suffix in (".arc", ".arc.gz", ".warc", ".warc.gz")
    ]
    first = [(p.uri, p.date, p.payload) for p in results[0]]
    for other in results[1:]:
        assert [(p.uri, p.date, p.payload) for p in other] == first


@pytest.mark.skipif(not L3S_WARC.is_file(), reason="no L3S-GN1 reconstructed WARC")
def test_l3s_reconstructed_warc() -> None:
    with L3S_WARC.open("rb") as stream:
        counts = WarcCounts()
        entries = list(read_warc(stream, counts=counts))
    pages = [entry for entry in entries if isinstance(entry, WarcPage)]
    assert pages == entries
    assert len(pages) == 621 == counts.pages
    assert counts.skipped == {"warcinfo": 1, "conversion": 621}
    assert {page.content_type for page in pages} == {"text/html"}
    mapping = L3S_WARC.parents[1] / "url-mapping.txt"
    if mapping.is_file():
        lines = mapping.read_text(encoding="utf-8").splitlines()
        urls = sorted(line.split("\t")[1].strip() for line in lines if "\t" in line)
        assert sorted(str(page.uri) for page in pages) == urls
