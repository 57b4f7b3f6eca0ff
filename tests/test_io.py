"""Readers quarantine every bad record and keep going; writers replace outputs atomically."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import stat
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.errors import BadRecordError, ConfigError, InputError, OutputError
from dedup.io import (
    FieldMap,
    Record,
    atomic_output,
    read_records,
    write_json,
    write_jsonl,
    write_rejects,
)
from dedup.records import Reject

GOOD_BEFORE = b'{"id":"before","text":"first story"}'
GOOD_AFTER = b'{"id":"after","text":"last story"}'
EXPECTED = (
    "expected .jsonl, .ndjson, .json, .csv, .tsv, .parquet, .html, .htm, .txt, .warc or .arc,"
    " optionally compressed (.gz, .bz2, .xz, .zst)"
)


def _split(items: Iterable[Record | Reject]) -> tuple[list[Record], list[Reject]]:
    records: list[Record] = []
    rejects: list[Reject] = []
    for item in items:
        if isinstance(item, Record):
            records.append(item)
        else:
            rejects.append(item)
    return records, rejects


def _jsonl(rows: Iterable[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def _stories(n: int, prefix: str = "s") -> list[dict[str, object]]:
    return [{"id": f"{prefix}{i}", "text": f"story number {i}"} for i in range(n)]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --- JSONL rejects -------------------------------------------------------------------

REJECT_CASES = [
    (b"{not json", "invalid JSON: Expecting property name enclosed in double quotes at column 2"),
    (b'{"id":"x","text":"a"} trailing', "invalid JSON: Extra data at column 23"),
    (b'{"id":"x","text":NaN}', "invalid JSON: NaN is not allowed"),
    (b'{"id":"x","text":"a","score":-Infinity}', "invalid JSON: -Infinity is not allowed"),
    (b'{"id":"x","text":"a","score":Infinity}', "invalid JSON: Infinity is not allowed"),
    (b'{"id":"x","text":"a","score":1e400}', "invalid JSON: number 1e400 is out of range"),
    (
        b'{"id":"x","text":"a","n":' + b"7" * 5000 + b"}",
        "invalid JSON: Exceeds the limit (4300 digits) for integer string conversion: "
        "value has 5000 digits",
    ),
    (b'{"id":"x","text":"a","text":"b"}', "invalid JSON: duplicate key 'text'"),
    (b"[" * 100_000, "invalid JSON: nested too deeply"),
    (b"[1, 2]", "not a JSON object"),
    (b'"just a string"', "not a JSON object"),
    (b"null", "not a JSON object"),
    (b'{"id":"x","text":"caf\xe9"}', "invalid UTF-8 at byte 21"),
    (b'{"id":"x","body":"a"}', "missing text field 'text'"),
    (b'{"id":"x","text":null}', "missing text field 'text'"),
    (b'{"id":"x","text":42}', "text field 'text' is not a string"),
    (b'{"id":"x","text":["a"]}', "text field 'text' is not a string"),
    (b'{"id":"x","text":""}', "empty text"),
    (b'{"id":"x","text":" \\n\\t "}', "empty text"),
    (b'{"id":"x","text":"a\\ud800b"}', "text contains a lone surrogate"),
    (b'{"id":"x","text":"a\\udc00"}', "text contains a lone surrogate"),
    (b'{"id":"x","text":"a","title":"\\uDBFF"}', "record contains a lone surrogate"),
    (b'{"id":1.5,"text":"a"}', "id field 'id' is not a string or integer"),
    (b'{"id":true,"text":"a"}', "id field 'id' is not a string or integer"),
    (b'{"id":"before","text":"again"}', "duplicate id 'before' (first seen at {path}:1)"),
]


@pytest.mark.parametrize(("bad", "reason"), REJECT_CASES)
def test_jsonl_reject_reason_and_neighbours_kept(tmp_path: Path, bad: bytes, reason: str) -> None:
    path = _write(tmp_path / "in.jsonl", GOOD_BEFORE + b"\n" + bad + b"\n" + GOOD_AFTER + b"\n")
    records, rejects = _split(read_records([path]))
    assert [r.article.id for r in records] == ["before", "after"]
    assert [r.article.location for r in records] == [f"{path}:1", f"{path}:3"]
    assert len(rejects) == 1
    assert rejects[0].path == str(path)
    assert rejects[0].line == 2
    assert rejects[0].reason == reason.format(path=path)
    assert rejects[0].raw == bad[:500].decode("utf-8", "replace")


def test_line_longer_than_cap_is_skipped_without_losing_neighbours(tmp_path: Path) -> None:
    long_line = b'{"id":"long","text":"' + b"x" * 5000 + b'"}'
    path = _write(tmp_path / "in.jsonl", b"\n".join([GOOD_BEFORE, long_line, GOOD_AFTER]))
    records, rejects = _split(read_records([path], max_line_bytes=200))
    assert [r.article.id for r in records] == ["before", "after"]
    assert [(j.line, j.reason) for j in rejects] == [(2, "line longer than 200 bytes")]
    assert rejects[0].raw.startswith('{"id":"long","text":"xxx')
    assert len(rejects[0].raw) <= 500


def test_line_exactly_at_cap_is_accepted(tmp_path: Path) -> None:
    line = b'{"id":"a","text":"' + b"y" * 100 + b'"}'
    path = _write(tmp_path / "in.jsonl", line + b"\n" + line.replace(b'"a"', b'"b"'))
    records, rejects = _split(read_records([path], max_line_bytes=len(line)))
    assert (len(records), rejects) == (2, [])


def test_default_line_cap_is_64_mib() -> None:
    from dedup.io.readers import MAX_LINE_BYTES

    assert MAX_LINE_BYTES == 64 * 1024 * 1024


def test_valid_surrogate_pair_and_non_ascii_are_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", '{"id":"e","text":"\\ud83d\\ude00 café ✓"}\n'.encode())
    records, rejects = _split(read_records([path]))
    assert rejects == []
    assert records[0].article.text == "\U0001f600 café ✓"


def test_blank_lines_crlf_and_bom_are_tolerated(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + GOOD_BEFORE + b"\r\n\r\n   \n" + GOOD_AFTER + b"\r\n"
    records, rejects = _split(read_records([_write(tmp_path / "in.ndjson", data)]))
    assert rejects == []
    assert [r.article.location.rsplit(":", 1)[1] for r in records] == ["1", "4"]


def test_raw_keeps_the_parsed_record_unchanged(tmp_path: Path) -> None:
    row = {"id": 7, "text": "t", "extra": {"nested": [1, 2]}, "title": ["ignored"]}
    records, _ = _split(read_records([_write(tmp_path / "in.json", _jsonl([row]))]))
    assert records[0].raw == row
    assert records[0].article.title is None


def test_reject_raw_is_truncated(tmp_path: Path) -> None:
    bad = b"{" + b"z" * 2000
    _, rejects = _split(read_records([_write(tmp_path / "in.jsonl", bad)]))
    assert len(rejects[0].raw) == 500


# --- strict mode ---------------------------------------------------------------------


def test_strict_raises_at_first_bad_record_after_yielding_earlier_ones(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", GOOD_BEFORE + b"\n[1]\n" + GOOD_AFTER + b"\n")
    items = read_records([path], strict=True)
    first = next(items)
    assert isinstance(first, Record)
    assert first.article.id == "before"
    with pytest.raises(BadRecordError) as info:
        next(items)
    assert (info.value.path, info.value.line, info.value.reason) == (
        str(path),
        2,
        "not a JSON object",
    )
    assert str(info.value) == f"{path}:2: not a JSON object"


def test_strict_reads_clean_input_normally(tmp_path: Path) -> None:
    path = _write(tmp_path / "in.jsonl", _jsonl(_stories(5)))
    assert len(list(read_records([path], strict=True))) == 5


# --- compression ---------------------------------------------------------------------

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": lambda data: bz2.compress(data, 1),  # 100 kB blocks: truncation keeps some
    "xz": lzma.compress,
}


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_compressed_jsonl_round_trip(tmp_path: Path, ext: str) -> None:
    rows = _stories(50)
    path = _write(tmp_path / f"in.jsonl.{ext}", COMPRESSORS[ext](_jsonl(rows)))
    records, rejects = _split(read_records([path]))
    assert rejects == []
    assert [r.raw for r in records] == rows


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_compressed_csv_round_trip(tmp_path: Path, ext: str) -> None:
    data = b'id,text\na,"hello, world"\nb,second\n'
    path = _write(tmp_path / f"in.CSV.{ext}", COMPRESSORS[ext](data))
    records, rejects = _split(read_records([path]))
    assert rejects == []
    assert [(r.article.id, r.article.text) for r in records] == [
        ("a", "hello, world"),
        ("b", "second"),
    ]


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_truncated_stream_yields_earlier_records_then_reject(tmp_path: Path, ext: str) -> None:
    rows = _stories(5000)
    whole = COMPRESSORS[ext](_jsonl(rows))
    cut = _write(tmp_path / f"a.jsonl.{ext}", whole[: len(whole) * 3 // 4])
    after = _write(tmp_path / "b.jsonl", _jsonl(_stories(3, prefix="next")))
    records, rejects = _split(read_records([cut, after]))
    from_cut = [r for r in records if r.article.location.startswith(str(cut))]
    assert 0 < len(from_cut) < 5000
    assert [r.raw for r in from_cut] == rows[: len(from_cut)]
    assert len(rejects) == 1
    assert rejects[0].path == str(cut)
    assert rejects[0].line == len(from_cut) + 1
    assert rejects[0].reason.startswith(("truncated ", "corrupt "))
    assert [r.article.id for r in records[len(from_cut) :]] == ["next0", "next1", "next2"]


def test_truncated_gzip_in_strict_mode_raises(tmp_path: Path) -> None:
    whole = gzip.compress(_jsonl(_stories(2000)))
    cut = _write(tmp_path / "a.jsonl.gz", whole[:-20])
    with pytest.raises(BadRecordError) as info:
        list(read_records([cut], strict=True))
    assert info.value.reason.startswith(("truncated ", "corrupt "))


def test_compression_is_told_by_content_not_by_name(tmp_path: Path) -> None:
    plain = _write(tmp_path / "a.jsonl.gz", GOOD_BEFORE + b"\n")
    zipped = _write(tmp_path / "b.jsonl", gzip.compress(GOOD_AFTER + b"\n"))
    records, rejects = _split(read_records([plain, zipped]))
    assert rejects == []
    assert [r.article.id for r in records] == ["before", "after"]


def test_truncated_gzip_csv_drops_only_the_unfinished_row(tmp_path: Path) -> None:
    body = b"id,text\n" + b"".join(b'r%d,"line one\nline two %d"\n' % (i, i) for i in range(3000))
    whole = gzip.compress(body)
    cut = _write(tmp_path / "a.csv.gz", whole[: len(whole) // 2])
    records, rejects = _split(read_records([cut]))
    assert len(rejects) == 1
    assert rejects[0].reason.startswith(("truncated ", "corrupt "))
    assert rejects[0].line == 2 + 2 * len(records)
    assert all(r.article.text.startswith("line one\nline two") for r in records)


# --- CSV -----------------------------------------------------------------------------


def test_csv_quoted_newlines_keep_physical_line_numbers(tmp_path: Path) -> None:
    data = b'id,text,source\na,"para one\n\npara three",AFP\n\nb,"x\r\ny",Reuters\r\nc,plain,\n'
    records, rejects = _split(read_records([_write(tmp_path / "in.csv", data)]))
    assert rejects == []
    assert [r.article.location.rsplit(":", 1)[1] for r in records] == ["2", "6", "8"]
    assert records[0].article.text == "para one\n\npara three"
    assert records[0].raw == {"id": "a", "text": "para one\n\npara three", "source": "AFP"}


def test_csv_rejects_keep_neighbours(tmp_path: Path) -> None:
    data = (
        b"id,text,url\n"
        b"a,good one,\n"
        b"b,too,many,fields\n"
        b"c,,\n"
        b"d,caf\xe9,\n"
        b'e,"spans\nlines",\n'
        b"a,dup,\n"
        b"f,good two,\n"
    )
    path = _write(tmp_path / "in.csv", data)
    records, rejects = _split(read_records([path]))
    assert [r.article.id for r in records] == ["a", "e", "f"]
    assert [(j.line, j.reason) for j in rejects] == [
        (3, "row has 4 fields, header has 3"),
        (4, "empty text"),
        (5, "invalid UTF-8 at byte 5"),
        (8, f"duplicate id 'a' (first seen at {path}:2)"),
    ]
    assert rejects[0].raw == "b,too,many,fields"


def test_csv_without_text_column_rejects_every_row(tmp_path: Path) -> None:
    data = b"a1,first story\na2,second story\n"
    _, rejects = _split(read_records([_write(tmp_path / "in.csv", data)]))
    assert [(j.line, j.reason) for j in rejects] == [
        (1, "missing header: no column 'text' in line 1"),
        (2, "missing header: no column 'text' in line 1"),
    ]


def test_csv_strict_missing_header_raises(tmp_path: Path) -> None:
    with pytest.raises(BadRecordError) as info:
        list(read_records([_write(tmp_path / "in.csv", b"x,y\n1,2\n")], strict=True))
    assert (info.value.line, info.value.reason) == (1, "missing header: no column 'text' in line 1")


def test_empty_csv_and_header_only_csv_yield_nothing(tmp_path: Path) -> None:
    empty = _write(tmp_path / "a.csv", b"")
    header_only = _write(tmp_path / "b.csv", b"id,text\n")
    assert list(read_records([empty, header_only])) == []


def test_csv_long_line_and_long_field(tmp_path: Path) -> None:
    big = b"w" * 300_000  # over csv's default 128 KiB field limit
    data = b"id,text\na," + big + b"\nb," + b"v" * 1000 + b"\nc,ok\n"
    path = _write(tmp_path / "in.csv", data)
    records, rejects = _split(read_records([path], max_line_bytes=500_000))
    assert [r.article.id for r in records] == ["a", "b", "c"]
    records, rejects = _split(read_records([path], max_line_bytes=600))
    assert [r.article.id for r in records] == ["c"]
    assert [(j.line, j.reason) for j in rejects] == [
        (2, "line longer than 600 bytes"),
        (3, "line longer than 600 bytes"),
    ]


def test_tsv_uses_tabs_and_bom_header(tmp_path: Path) -> None:
    data = "\ufeffid\ttext\toutlet\nt1\ta, b, c\tLe Monde\n".encode()
    records, rejects = _split(read_records([_write(tmp_path / "in.tsv", data)]))
    assert rejects == []
    assert (records[0].article.id, records[0].article.text) == ("t1", "a, b, c")
    assert records[0].article.outlet == "Le Monde"


# --- field mapping -------------------------------------------------------------------


def test_field_mapping_and_id_fallbacks(tmp_path: Path) -> None:
    rows: list[dict[str, object]] = [
        {"doc": 17, "body": "int id", "source": "AFP", "link": "https://a.example/1"},
        {"doc": "", "body": "url id", "link": "https://a.example/2", "headline": 5},
        {"body": "no id at all", "source": ["x"], "when": "2024-05-01", "src": "https://o/"},
        {"doc": "  ", "body": "blank id", "headline": "  ", "date": None},
    ]
    path = _write(tmp_path / "in.jsonl", _jsonl(rows))
    fields = FieldMap(
        id="doc",
        text="body",
        title="headline",
        url="link",
        outlet="source",
        published_at="when",
        pointer="src",
    )
    records, rejects = _split(read_records([path], fields=fields))
    assert rejects == []
    first, second, third, fourth = (r.article for r in records)
    assert (first.id, first.outlet, first.url) == ("17", "AFP", "https://a.example/1")
    assert (second.id, second.title) == ("https://a.example/2", "5")
    assert (third.id, third.outlet, third.published_at, third.pointer) == (
        f"{path}:3",
        None,
        "2024-05-01",
        "https://o/",
    )
    assert (fourth.id, fourth.title) == (f"{path}:4", None)
    assert fourth.location == f"{path}:4"


def test_default_field_names() -> None:
    fields = FieldMap()
    assert (fields.id, fields.text, fields.title, fields.url) == ("id", "text", "title", "url")
    assert (fields.outlet, fields.published_at, fields.pointer) == (
        "outlet",
        "published_at",
        "source_link",
    )


@pytest.mark.parametrize("name", ["", "   "])
def test_field_map_refuses_empty_names(name: str) -> None:
    with pytest.raises(ConfigError, match="field name for 'text' must be a non-empty string"):
        FieldMap(text=name)


def test_duplicate_ids_are_tracked_across_files(tmp_path: Path) -> None:
    one = _write(tmp_path / "one.jsonl", _jsonl([{"id": 1, "text": "a"}]))
    two = _write(tmp_path / "two.csv", b"id,text\n1,b\n2,c\n")
    records, rejects = _split(read_records([one, two]))
    assert [r.article.id for r in records] == ["1", "2"]
    assert [(j.path, j.line, j.reason) for j in rejects] == [
        (str(two), 2, f"duplicate id '1' (first seen at {one}:1)")
    ]


# --- paths ---------------------------------------------------------------------------


def test_directory_expands_recursively_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    _write(tmp_path / "b.jsonl", _jsonl(_stories(1, "b")))
    _write(tmp_path / "a.csv", b"id,text\na0,x\n")
    _write(tmp_path / "sub" / "c.ndjson.gz", gzip.compress(_jsonl(_stories(1, "c"))))
    _write(tmp_path / "sub" / "deeper" / "d.tsv", b"id\ttext\nd0\tx\n")
    _write(tmp_path / "notes.md", b"ignored")
    _write(tmp_path / "sub" / "README", b"ignored")
    records, rejects = _split(read_records([tmp_path]))
    assert rejects == []
    assert [r.article.id for r in records] == ["a0", "b0", "c0", "d0"]


def test_empty_directory_is_an_input_error(tmp_path: Path) -> None:
    _write(tmp_path / "notes.md", b"nothing readable")
    with pytest.raises(InputError) as info:
        read_records([tmp_path])
    assert str(info.value) == f"no readable files in directory '{tmp_path}': {EXPECTED}"


def test_unknown_extension_is_an_input_error(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.docx", b"")
    with pytest.raises(InputError) as info:
        read_records([path])
    assert str(info.value) == f"cannot tell the format of '{path}': {EXPECTED}"


def test_missing_path_is_an_input_error_before_reading(tmp_path: Path) -> None:
    good = _write(tmp_path / "good.jsonl", _jsonl(_stories(1)))
    missing = tmp_path / "nope.jsonl"
    with pytest.raises(InputError) as info:
        read_records([good, missing])
    assert str(info.value) == f"input '{missing}' does not exist: check the path"
    assert info.value.exit_code == 3


def test_no_paths_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no input given"):
        read_records([])


# --- writers -------------------------------------------------------------------------


def test_atomic_output_replaces_on_success(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")
    target.chmod(0o640)
    with atomic_output(target) as out:
        out.write("new\n")
        assert target.read_text() == "old\n"
    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["out.jsonl"]


def test_atomic_output_new_file_gets_normal_permissions(tmp_path: Path) -> None:
    target = tmp_path / "fresh.json"
    write_json(target, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask


def test_atomic_output_leaves_old_file_on_exception(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    target.write_text("old\n")

    def write_then_fail() -> None:
        with atomic_output(target) as out:
            out.write("partial")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        write_then_fail()
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.jsonl"]


def test_atomic_output_leaves_nothing_when_writing_fails(tmp_path: Path) -> None:
    rows = ({"i": i} if i < 3 else {"bad": float("nan")} for i in range(5))
    with pytest.raises(ValueError, match="Out of range float"):
        write_jsonl(tmp_path / "out.jsonl", rows)
    assert os.listdir(tmp_path) == []


def test_atomic_output_unwritable_directory_is_an_output_error(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.jsonl"
    with pytest.raises(OutputError) as info:
        write_jsonl(target, [{"a": 1}])
    assert f"cannot write '{target}'" in str(info.value)
    assert info.value.exit_code == 4


def test_dash_means_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    assert write_jsonl("-", [{"a": 1}, {"b": "é"}]) == 2
    assert capsys.readouterr().out == '{"a":1}\n{"b":"é"}\n'


def test_write_jsonl_content_and_count(tmp_path: Path) -> None:
    target = tmp_path / "out.jsonl"
    rows: list[dict[str, object]] = [
        {"id": "a", "text": "café\nline", "n": 1},
        {"id": "b", "nested": {"x": [1]}},
    ]
    assert write_jsonl(target, rows) == 2
    assert target.read_bytes() == (
        '{"id":"a","text":"café\\nline","n":1}\n{"id":"b","nested":{"x":[1]}}\n'.encode()
    )


def test_write_rejects_round_trips_reader_rejects(tmp_path: Path) -> None:
    src = _write(tmp_path / "in.jsonl", GOOD_BEFORE + b"\n[1]\n{oops\n")
    _, rejects = _split(read_records([src]))
    target = tmp_path / "rejects.jsonl"
    assert write_rejects(target, rejects) == 2
    lines = [json.loads(line) for line in target.read_text().splitlines()]
    assert lines == [
        {"path": str(src), "line": 2, "unit": "line", "reason": "not a JSON object", "raw": "[1]"},
        {
            "path": str(src),
            "line": 3,
            "unit": "line",
            "reason": "invalid JSON: Expecting property name enclosed in double quotes at column 2",
            "raw": "{oops",
        },
    ]


def test_write_json_is_pretty(tmp_path: Path) -> None:
    target = tmp_path / "summary.json"
    write_json(target, {"articles": 3, "outlet": "Le Monde"})
    assert target.read_text() == '{\n  "articles": 3,\n  "outlet": "Le Monde"\n}\n'


# --- property ------------------------------------------------------------------------

_texts = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60).filter(
    lambda s: bool(s.strip())
)
_ids = st.text(alphabet=st.characters(codec="utf-8"), max_size=20).filter(lambda s: bool(s.strip()))


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.tuples(_ids, _texts), max_size=20, unique_by=lambda row: row[0]),
    compress=st.booleans(),
)
def test_jsonl_round_trip_property(
    tmp_path: Path, rows: list[tuple[str, str]], compress: bool
) -> None:
    name = "prop.jsonl.gz" if compress else "prop.jsonl"
    target = tmp_path / name
    dicts: list[dict[str, object]] = [{"id": i, "text": text} for i, text in rows]
    if compress:
        payload = "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in dicts).encode()
        target.write_bytes(gzip.compress(payload))
    else:
        assert write_jsonl(target, dicts) == len(dicts)
    records, rejects = _split(read_records([target]))
    assert rejects == []
    assert [(r.article.id, r.article.text) for r in records] == rows
