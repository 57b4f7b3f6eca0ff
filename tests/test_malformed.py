"""The malformed-input corpus (reliability.md): 40 damaged inputs through `dedup scan`.

Each case checks the exit code, the one line naming the file and the record, the exact
number of valid records processed, and that the rejects file holds every skipped one.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dedup.cli import app

STORY = (
    "The central bank raised its main rate by a quarter point on Tuesday, citing prices "
    "that kept rising through the spring. "
)


def _text(i: int) -> str:
    return f"Story {i}. " + STORY * 3


def _jsonl(rows: list[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in rows)


def _good(n: int, prefix: str = "g") -> list[dict[str, object]]:
    return [{"id": f"{prefix}{i}", "text": _text(i)} for i in range(n)]


def _page(title: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{body} Paragraph {i} goes on about the matter.</p>" for i in range(6))
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav>"
        f"<article><h1>{title}</h1>{paragraphs}</article><footer>About us</footer></body></html>"
    ).encode()


def _warc(pages: list[tuple[str, bytes]], gzipped: bool = True) -> bytes:
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for uri, html in pages:
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(html), http_headers=headers
        )
        writer.write_record(record)
    return out.getvalue()


def _parquet(columns: dict[str, list[object]]) -> bytes:
    out = io.BytesIO()
    pq.write_table(pa.table(columns), out)
    return out.getvalue()


_PAGES = [
    (f"https://news{i}.example.com/story", _page(f"Headline {i}", _text(i))) for i in range(4)
]


@dataclass(frozen=True)
class Case:
    """Files to write, the arguments to add, and what the run must report."""

    files: dict[str, bytes | Callable[[Path], None]]
    articles: int
    #: (where, relative to the temp dir, and the start of the reason) per skipped record
    rejects: list[tuple[str, str]] = field(default_factory=list)
    args: tuple[str, ...] = ()
    exit_code: int = 0
    error: str = ""


def _big_node(path: Path) -> None:
    path.write_bytes(
        b"<html><body><p>" + b"word " * (12 * 1024 * 1024 // 5) + b"</p></body></html>"
    )


def _bomb(path: Path) -> None:
    member = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
    path.write_bytes(gzip.compress(_jsonl(_good(2))) + member * 1024)


def _cut(data: bytes, share: float = 0.6) -> bytes:
    return data[: int(len(data) * share)]


_LINES = _jsonl(_good(2000))
_WARC = _warc(_PAGES)
_BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    b"<html><body><p>&lol3;</p>" + _page("Laughs", _text(1)) + b"</body></html>"
)

CASES: dict[str, Case] = {
    # --- JSONL (12)
    "jsonl-invalid-json": Case(
        {"d.jsonl": _jsonl(_good(2)) + b"{oops\n" + _jsonl(_good(2, "h"))},
        4,
        [("d.jsonl:3", "invalid JSON: Expecting property name")],
    ),
    "jsonl-nan": Case(
        {"d.jsonl": b'{"id":"x","text":"a story","score":NaN}\n' + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "invalid JSON: NaN is not allowed")],
    ),
    "jsonl-duplicate-key": Case(
        {"d.jsonl": _jsonl(_good(1)) + b'{"id":"x","text":"a","text":"b"}\n'},
        1,
        [("d.jsonl:2", "invalid JSON: duplicate key 'text'")],
    ),
    "jsonl-lone-surrogate": Case(
        {"d.jsonl": b'{"id":"x","text":"bad \\ud800 text"}\n' + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "text contains a lone surrogate")],
    ),
    "jsonl-invalid-utf8": Case(
        {"d.jsonl": _jsonl(_good(1)) + b'{"id":"x","text":"caf\xe9"}\n' + _jsonl(_good(1, "h"))},
        2,
        [("d.jsonl:2", "invalid UTF-8 at byte 21")],
    ),
    "jsonl-not-an-object": Case(
        {"d.jsonl": b"[1, 2]\n" + _jsonl(_good(1))}, 1, [("d.jsonl:1", "not a JSON object")]
    ),
    "jsonl-missing-text": Case(
        {"d.jsonl": b'{"id":"x","body":"a"}\n' + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "missing text field 'text'")],
    ),
    "jsonl-empty-text": Case(
        {"d.jsonl": b'{"id":"x","text":"  "}\n' + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "empty text")],
    ),
    "jsonl-duplicate-id": Case(
        {"d.jsonl": _jsonl(_good(2)) + _jsonl(_good(1))},
        2,
        [("d.jsonl:3", "duplicate id 'g0' (first seen at")],
    ),
    "jsonl-huge-integer": Case(
        {"d.jsonl": b'{"id":"x","text":"a","n":' + b"7" * 5000 + b"}\n" + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "invalid JSON: Exceeds the limit (4300 digits)")],
    ),
    "jsonl-nested-too-deeply": Case(
        {"d.jsonl": b"[" * 100_000 + b"\n" + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "invalid JSON: nested too deeply")],
    ),
    "jsonl-text-not-a-string": Case(
        {"d.jsonl": b'{"id":"x","text":42}\n' + _jsonl(_good(1))},
        1,
        [("d.jsonl:1", "text field 'text' is not a string")],
    ),
    # --- CSV (5)
    "csv-wrong-field-count": Case(
        {"d.csv": b"id,text\na,first story,extra\nb,second story\n"},
        1,
        [("d.csv:2", "row has 3 fields, header has 2")],
    ),
    "csv-no-text-column": Case(
        {"d.csv": b"id,body\na,first\nb,second\n"},
        0,
        [
            ("d.csv:1", "missing header: no column 'text' in line 1"),
            ("d.csv:2", "missing header: no column 'text' in line 1"),
            ("d.csv:3", "missing header: no column 'text' in line 1"),
        ],
    ),
    "csv-invalid-utf8": Case(
        {"d.csv": b"id,text\na,caf\xe9\nb,fine story\n"}, 1, [("d.csv:2", "invalid UTF-8")]
    ),
    "csv-empty-text": Case({"d.csv": b"id,text\na,\nb,fine\n"}, 1, [("d.csv:2", "empty text")]),
    "tsv-truncated-gzip": Case(
        {
            "d.tsv.gz": _cut(
                gzip.compress(
                    b"id\ttext\n"
                    + b"".join(b"r%d\t%s\n" % (i, _text(i).encode()) for i in range(3000))
                )
            )
        },
        -1,
        [("d.tsv.gz:", "truncated gzip stream")],
    ),
    # --- Parquet (4)
    "parquet-not-parquet": Case(
        {"a.parquet": b"id,text\nx,y\n", "b.parquet": _parquet({"id": ["b"], "text": ["fine"]})},
        1,
        [("a.parquet", "not a readable Parquet file")],
    ),
    "parquet-cut-footer": Case(
        {"a.parquet": _parquet({"id": ["a"], "text": ["fine"]})[:-12]},
        0,
        [("a.parquet", "not a readable Parquet file")],
    ),
    "parquet-null-text": Case(
        {"a.parquet": _parquet({"id": ["a", "b", "c"], "text": ["fine", None, "also fine"]})},
        2,
        [("a.parquet:row 2", "missing text field 'text'")],
    ),
    "parquet-text-wrong-type": Case(
        {"a.parquet": _parquet({"id": ["a", "b"], "text": [1, 2]})},
        0,
        [
            ("a.parquet:row 1", "text field 'text' is not a string"),
            ("a.parquet:row 2", "text field 'text' is not a string"),
        ],
    ),
    # --- WARC (4)
    "warc-truncated-gzip": Case({"c.warc.gz": _WARC[: len(_WARC) - 200]}, 3, [("c.warc.gz@", "")]),
    "warc-not-a-warc": Case(
        {"c.warc": b"this is no archive\n" * 20, "d.warc.gz": _WARC},
        4,
        [("c.warc", "not a WARC")],
    ),
    "warc-page-without-text": Case(
        {"c.warc.gz": _warc([*_PAGES[:2], ("https://empty.example.com/", b"<html></html>")])},
        2,
        [("c.warc.gz@", "")],
    ),
    "warc-garbage-between-records": Case(
        {
            "c.warc": _warc(_PAGES[:2], gzipped=False)
            + b"\r\nGARBAGE\r\n" * 3
            + _warc(_PAGES[2:], gzipped=False)
        },
        -1,
        [("c.warc@", "")],
    ),
    # --- HTML (6)
    "html-empty-page": Case(
        {"a.html": b"", "b.html": _page("Fine", _text(2))}, 1, [("a.html", "")]
    ),
    "html-scripts-only": Case(
        {
            "a.html": b"<html><script>var x = 1;</script><style>p{}</style></html>",
            "b.html": _page("Fine", _text(2)),
        },
        1,
        [("a.html", "")],
    ),
    "html-binary-garbage": Case(
        {"a.html": bytes(range(256)) * 40, "b.htm": _page("Fine", _text(2))}, -1, []
    ),
    "html-billion-laughs": Case({"a.html": _BILLION_LAUGHS}, 1, []),
    "html-12mib-text-node": Case({"a.html": _big_node}, 1, []),
    "html-wrong-charset": Case(
        {"a.html": _page("Caf\xe9", _text(3)).replace(b"<head>", b'<head><meta charset="nope">')},
        1,
        [],
    ),
    # --- compression (5)
    "gzip-truncated": Case(
        {"a.jsonl.gz": _cut(gzip.compress(_LINES)), "b.jsonl": _jsonl(_good(1, "b"))},
        -1,
        [("a.jsonl.gz:", "truncated gzip stream")],
    ),
    "zstd-truncated": Case(
        {"a.jsonl.zst": _cut(zstandard.ZstdCompressor().compress(_LINES))},
        -1,
        [("a.jsonl.zst:", "truncated zstd stream")],
    ),
    "bz2-truncated": Case(
        {"a.jsonl.bz2": _cut(bz2.compress(_LINES, 1))}, -1, [("a.jsonl.bz2:", "truncated bz2")]
    ),
    "gzip-bomb": Case(
        {"a.jsonl.gz": _bomb, "b.jsonl": _jsonl(_good(1, "b"))},
        3,
        [("a.jsonl.gz:3", "expands more than 100:1")],
    ),
    "xz-garbage-after-stream": Case(
        {"a.jsonl.xz": lzma.compress(_jsonl(_good(3))) + b"not xz at all"},
        3,
        [("a.jsonl.xz:4", "corrupt xz data")],
    ),
    # --- directories (4)
    "dir-nothing-readable": Case(
        {"notes.md": b"nothing", "sub/README": b"nothing"},
        0,
        exit_code=3,
        error="no readable files in directory",
    ),
    "dir-broken-link": Case(
        {"a.jsonl": _jsonl(_good(2)), "b.jsonl": lambda p: os.symlink(p.parent / "gone", p)},
        2,
        [("b.jsonl", "cannot open the file")],
    ),
    "dir-glob-and-unknown-files": Case(
        {
            "a.txt": _text(1).encode(),
            "b.html": _page("B", _text(2)),
            "c.md": b"skipped",
            "sub/d.txt": _text(4).encode(),
        },
        2,
        args=("--glob", "*.txt"),
    ),
    "dir-duplicate-ids-across-files": Case(
        {"a.jsonl": _jsonl(_good(2)), "sub/b.jsonl": _jsonl(_good(3))},
        3,
        [("sub/b.jsonl:1", "duplicate id 'g0'"), ("sub/b.jsonl:2", "duplicate id 'g1'")],
    ),
}


def test_the_corpus_has_forty_cases() -> None:
    assert len(CASES) == 40


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_input(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    dump = tmp_path / "dump"
    for relative, content in case.files.items():
        target = dump / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if callable(content):
            content(target)
        else:
            target.write_bytes(content)
    out = tmp_path / "out"
    out.mkdir()
    args = [
        "scan",
        str(dump),
        "-o",
        str(out / "clusters.jsonl"),
        "--rejects",
        str(out / "rejects.jsonl"),
        "--summary-json",
        str(out / "summary.json"),
        "--workers",
        "1",
        *case.args,
    ]
    result = CliRunner().invoke(app, args, prog_name="dedup")
    assert result.exit_code == case.exit_code, result.output
    if case.exit_code:
        assert result.stderr.startswith("error: ")
        assert case.error in result.stderr
        assert result.stderr.count("\n") == 1
        return
    summary = json.loads((out / "summary.json").read_text())
    skipped = [line for line in result.stderr.splitlines() if line.startswith("skipped ")]
    rows = (
        [json.loads(line) for line in (out / "rejects.jsonl").read_text().splitlines()]
        if (out / "rejects.jsonl").exists()
        else []
    )
    assert summary["rejected"] == len(rows) == len(skipped)
    if case.articles >= 0:
        assert summary["articles"] == case.articles
    else:  # a cut stream: the valid records before the cut, at least one
        assert summary["articles"] > 0
    if case.rejects:
        assert len(rows) == len(case.rejects)
    for row, line, (where, reason) in zip(rows, skipped, case.rejects, strict=False):
        assert row["path"].startswith(str(dump))
        assert line.startswith(f"skipped {dump}/{where}")
        assert reason in row["reason"]
        assert line.endswith(row["reason"])
