"""Inputs from the wild: compression told by content, JSON arrays, Parquet, text files,
fsspec URLs and globs; damaged streams reported, never cut short in silence."""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import io
import json
import lzma
from collections.abc import Callable, Iterable
from pathlib import Path

import fsspec
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.errors import InputError
from dedup.io import Record, read_records
from dedup.io.compression import (
    DamagedStreamError,
    DecompressionLimits,
    OversizeStreamError,
    open_decompressed,
    sniff_compression,
)
from dedup.io.readers import ReadOptions
from dedup.records import Reject

COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {
    "gz": gzip.compress,
    "bz2": lambda data: bz2.compress(data, 1),
    "xz": lzma.compress,
    "zst": lambda data: zstandard.ZstdCompressor().compress(data),
}


def _rows(n: int, prefix: str = "s") -> list[dict[str, object]]:
    return [{"id": f"{prefix}{i}", "text": f"story number {i} " * 3} for i in range(n)]


def _jsonl(rows: Iterable[dict[str, object]]) -> bytes:
    return b"".join(json.dumps(row).encode() + b"\n" for row in rows)


def _split(items: Iterable[Record | Reject]) -> tuple[list[Record], list[Reject]]:
    records: list[Record] = []
    rejects: list[Reject] = []
    for item in items:
        (records if isinstance(item, Record) else rejects).append(item)  # type: ignore[arg-type]
    return records, rejects


# --- compression ---------------------------------------------------------------------


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_each_compression_is_read_whatever_the_file_is_called(tmp_path: Path, ext: str) -> None:
    rows = _rows(300)
    half = len(rows) // 2
    data = COMPRESSORS[ext](_jsonl(rows[:half])) + COMPRESSORS[ext](_jsonl(rows[half:]))
    named = tmp_path / f"dump.jsonl.{ext}"
    misnamed = tmp_path / "other.jsonl"
    named.write_bytes(data)
    misnamed.write_bytes(COMPRESSORS[ext](_jsonl(_rows(2, "m"))))
    records, rejects = _split(read_records([named, misnamed]))
    assert rejects == []
    assert [r.raw for r in records] == [*rows, *_rows(2, "m")]


@pytest.mark.parametrize("ext", sorted(COMPRESSORS))
def test_a_cut_stream_keeps_what_came_before_and_says_so(tmp_path: Path, ext: str) -> None:
    rows = _rows(20_000)
    whole = COMPRESSORS[ext](_jsonl(rows))
    cut = tmp_path / f"cut.jsonl.{ext}"
    cut.write_bytes(whole[: len(whole) * 2 // 3])
    after = tmp_path / "after.jsonl"
    after.write_bytes(_jsonl(_rows(2, "after")))
    records, rejects = _split(read_records([cut, after]))
    from_cut = [r for r in records if r.article.location.startswith(str(cut))]
    assert 0 < len(from_cut) < len(rows)
    assert [r.raw for r in from_cut] == rows[: len(from_cut)]
    assert len(rejects) == 1
    assert rejects[0].reason.startswith(("truncated ", "corrupt "))
    assert rejects[0].line == len(from_cut) + 1
    assert [r.article.id for r in records[len(from_cut) :]] == ["after0", "after1"]


@given(st.binary(max_size=2000), st.sampled_from(sorted(COMPRESSORS)))
@settings(max_examples=150, deadline=None)
def test_any_damage_is_an_error_of_ours_never_a_crash(noise: bytes, ext: str) -> None:
    good = COMPRESSORS[ext](_jsonl(_rows(50)))
    for data in (good[: len(noise) % len(good)], good[:20] + noise, noise):
        stream, _ = open_decompressed(io.BytesIO(data))
        try:
            while stream.read(65536):
                pass
        except (DamagedStreamError, OversizeStreamError):
            pass


def test_a_gzip_bomb_is_refused_at_the_ratio_cap_and_the_next_file_is_read(
    tmp_path: Path,
) -> None:
    first = _jsonl(_rows(3))
    member = gzip.compress(b"\0" * (1 << 20), compresslevel=9)
    bomb = tmp_path / "bomb.jsonl.gz"
    bomb.write_bytes(gzip.compress(first) + member * 1024)  # 1 GiB once expanded
    after = tmp_path / "after.jsonl"
    after.write_bytes(_jsonl(_rows(1, "after")))
    records, rejects = _split(read_records([bomb, after]))
    assert [r.article.id for r in records] == ["s0", "s1", "s2", "after0"]
    assert len(rejects) == 1
    assert "refused as a compression bomb" in rejects[0].reason
    assert rejects[0].where == f"{bomb}:4"


def test_the_size_cap_holds_for_files_that_compress_modestly(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl.gz"
    path.write_bytes(gzip.compress(_jsonl(_rows(5000))))
    limits = DecompressionLimits(max_bytes=100_000)
    records, rejects = _split(read_records([path], options=ReadOptions(decompression=limits)))
    assert 0 < len(records) < 5000
    assert [r.reason for r in rejects] == [
        "decompressed size over the cap of 100,000 bytes (--max-decompressed)"
    ]


def test_magic_bytes_name_the_compression() -> None:
    assert sniff_compression(gzip.compress(b"x")) == "gzip"
    assert sniff_compression(bz2.compress(b"x")) == "bz2"
    assert sniff_compression(lzma.compress(b"x")) == "xz"
    assert sniff_compression(zstandard.ZstdCompressor().compress(b"x")) == "zstd"
    assert sniff_compression(b'{"id": 1}') is None


def test_limits_are_checked() -> None:
    with pytest.raises(InputError):
        DecompressionLimits(max_ratio=1)


# --- JSON arrays ---------------------------------------------------------------------


def test_a_json_array_is_streamed_record_by_record(tmp_path: Path) -> None:
    rows = _rows(3000)
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(rows, indent=2))
    records, rejects = _split(read_records([path], max_line_bytes=4096))
    assert rejects == []
    assert [r.raw for r in records] == rows
    assert records[-1].article.location == f"{path}:record 3000"


@pytest.mark.parametrize(
    ("text", "ids", "problems"),
    [
        (
            '[{"id":"a","text":"x"}, 7, {"id":"b"}, {"id":"c","text":"y"}]',
            ["a", "c"],
            [(2, "not a JSON object"), (3, "missing text field 'text'")],
        ),
        (
            '[{"id":"a","text":"x"}, {"id": oops}, {"id":"c","text":"y"}]',
            ["a"],
            [(2, "invalid JSON: Expecting value at character 8 of the record")],
        ),
        (
            '[{"id":"a","text":"x"}, {"id":"b","text":"cut sho',
            ["a"],
            [(2, "invalid JSON: Unterminated string starting at character 18 of the record")],
        ),
        ('[{"id":"a","text":"x"}', ["a"], [(2, "the array is not closed: the file ends early")]),
        ('[{"id":"a","text":"x"}] [', ["a"], [(2, "data after the end of the array")]),
        ("[]", [], []),
    ],
)
def test_json_array_damage_is_reported_by_record(
    tmp_path: Path, text: str, ids: list[str], problems: list[tuple[int, str]]
) -> None:
    path = tmp_path / "dump.json"
    path.write_text(text)
    records, rejects = _split(read_records([path]))
    assert [r.article.id for r in records] == ids
    assert [(r.line, r.reason) for r in rejects] == problems
    assert all(r.unit == "record" for r in rejects)


def test_a_json_file_holding_one_object_is_one_record(tmp_path: Path) -> None:
    story = tmp_path / "story.json"
    story.write_text(json.dumps({"id": "one", "text": "a story"}, indent=2))
    sidecar = tmp_path / "sidecar.json"
    sidecar.write_text(json.dumps({"query": {"pages": [1, 2, 3]}}, indent=2))
    records, rejects = _split(read_records([story, sidecar]))
    assert [r.article.id for r in records] == ["one"]
    assert [(r.where, r.reason) for r in rejects] == [
        (f"{sidecar}:record 1", "missing text field 'text'")
    ]


def test_a_json_file_of_lines_is_still_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_bytes(_jsonl(_rows(3)))
    assert [r.article.id for r in _split(read_records([path]))[0]] == ["s0", "s1", "s2"]


# --- Parquet -------------------------------------------------------------------------


def _parquet(path: Path, columns: dict[str, list[object]]) -> Path:
    pq.write_table(pa.table(columns), path, row_group_size=2)
    return path


def test_parquet_rows_become_articles_with_json_values(tmp_path: Path) -> None:
    when = dt.datetime(2024, 6, 17, 8, 50, tzinfo=dt.UTC)
    path = _parquet(
        tmp_path / "dump.parquet",
        {
            "id": ["a", "b", "c", "d"],
            "text": ["first story", "", None, "fourth story"],
            "published_at": [when, None, None, when],
        },
    )
    records, rejects = _split(read_records([path]))
    assert [r.article.id for r in records] == ["a", "d"]
    assert records[0].article.published_at == "2024-06-17T08:50:00+00:00"
    assert records[0].raw["published_at"] == "2024-06-17T08:50:00+00:00"
    assert [(r.where, r.reason) for r in rejects] == [
        (f"{path}:row 2", "empty text"),
        (f"{path}:row 3", "missing text field 'text'"),
    ]


def test_parquet_with_the_wrong_text_type_rejects_rows(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "dump.parquet", {"id": ["a"], "text": [42]})
    records, rejects = _split(read_records([path]))
    assert records == []
    assert [r.reason for r in rejects] == ["text field 'text' is not a string"]


@pytest.mark.parametrize("damage", ["not parquet", "cut footer", "empty"])
def test_unreadable_parquet_is_one_reject_and_the_run_goes_on(tmp_path: Path, damage: str) -> None:
    good = _parquet(tmp_path / "good.parquet", {"id": ["a"], "text": ["a story"]})
    data = good.read_bytes()
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(
        {"not parquet": b"id,text\nx,y\n", "cut footer": data[:-10], "empty": b""}[damage]
    )
    records, rejects = _split(read_records([bad, good]))
    assert [r.article.id for r in records] == ["a"]
    assert len(rejects) == 1
    assert rejects[0].where == str(bad)
    assert rejects[0].reason.startswith("not a readable Parquet file: ")


# --- text files, fsspec, globs -------------------------------------------------------


def test_text_files_are_one_story_each(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("A story in a file.\nSecond line.")
    (tmp_path / "b.txt").write_bytes(b"caf\xe9 au lait")
    (tmp_path / "c.txt.gz").write_bytes(gzip.compress(b"Compressed story."))
    records, rejects = _split(read_records([tmp_path]))
    assert [(r.article.id, r.article.text) for r in records] == [
        (str(tmp_path / "a.txt"), "A story in a file.\nSecond line."),
        (str(tmp_path / "c.txt.gz"), "Compressed story."),
    ]
    assert [(r.where, r.reason) for r in rejects] == [
        (str(tmp_path / "b.txt"), "invalid UTF-8 at byte 3")
    ]


def test_a_glob_picks_files_below_a_directory(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_text("A story.")
    (tmp_path / "sub" / "b.txt").write_text("B story.")
    (tmp_path / "sub" / "c.jsonl").write_bytes(_jsonl(_rows(1)))
    only_text = ReadOptions(pattern="*.txt")
    assert [r.article.text for r in _split(read_records([tmp_path], options=only_text))[0]] == [
        "A story.",
        "B story.",
    ]
    nothing = ReadOptions(pattern="*.html")
    with pytest.raises(InputError, match="no readable files in directory"):
        read_records([tmp_path], options=nothing)


def test_fsspec_urls_read_like_paths(tmp_path: Path) -> None:
    local = tmp_path / "local.jsonl.gz"
    local.write_bytes(gzip.compress(_jsonl(_rows(2, "f"))))
    memory = fsspec.filesystem("memory")
    memory.pipe("/dedup-test/a.jsonl", _jsonl(_rows(2, "m")))
    memory.pipe("/dedup-test/sub/b.csv", b"id,text\nc0,a csv story\n")
    try:
        records, rejects = _split(
            read_records([f"file://{local}", "memory://dedup-test/", "memory://dedup-test/*.jsonl"])
        )
    finally:
        memory.rm("/dedup-test", recursive=True)
    ids = [r.article.id for r in records]
    assert ids == ["f0", "f1", "m0", "m1", "c0"]
    assert records[2].article.location == "memory:///dedup-test/a.jsonl:1"
    # the glob names a.jsonl a second time: its ids are duplicates, with where they were first
    first = "memory:///dedup-test/a.jsonl"
    assert [r.reason for r in rejects] == [
        f"duplicate id 'm{i}' (first seen at {first}:{i + 1})" for i in range(2)
    ]


def test_a_missing_url_fails_before_reading() -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_records(["memory://no-such-folder/x.jsonl"])
