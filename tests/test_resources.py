"""Resource caps (reliability.md rule 6), measured on real processes: one 50 MB story,
a 1 GiB gzip bomb, and a million-line input."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import textwrap
from pathlib import Path

MIB = 1024 * 1024

# Runs `dedup scan` in this process (one worker) and prints its peak RSS in KiB. VmHWM, not
# ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
_PEAK_KIB = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
_MEASURED_SCAN = textwrap.dedent(
    f"""
    import sys
    from dedup.cli import app
    try:
        app(sys.argv[1:], prog_name="dedup")
    except SystemExit as exc:
        code = exc.code
    print({_PEAK_KIB}, code, file=sys.stderr)
    """
)


def _measured_scan(*args: str | Path) -> tuple[int, int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED_SCAN, "scan", *map(str, args), "--workers", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    *lines, last = done.stderr.strip().splitlines()
    peak_kib, code = (int(v) for v in last.split())
    return peak_kib * 1024, code, "\n".join(lines)


def _story(i: int) -> str:
    return f"Story {i}: the harbour authority opened a new quay on Monday after two years. " * 8


def test_one_50_mb_story_stays_under_512_mib(tmp_path: Path) -> None:
    words = " ".join(f"word{i % 50_000}" for i in range(5_000_000))[: 50 * 1_000_000]
    dump = tmp_path / "dump.jsonl"
    with dump.open("w") as out:
        out.write(json.dumps({"id": "before", "text": _story(1)}) + "\n")
        out.write(json.dumps({"id": "huge", "text": words}) + "\n")
        out.write(json.dumps({"id": "after", "text": _story(2)}) + "\n")
    summary = tmp_path / "summary.json"
    peak, code, stderr = _measured_scan(
        dump, "-o", tmp_path / "c.jsonl", "--summary-json", summary, "--quiet"
    )
    assert code == 0, stderr
    assert json.loads(summary.read_text())["articles"] == 3
    assert peak < 512 * MIB


def test_a_gzip_bomb_is_refused_at_the_cap_with_memory_to_spare(tmp_path: Path) -> None:
    member = gzip.compress(b"\0" * MIB, compresslevel=9)
    bomb = tmp_path / "bomb.jsonl.gz"
    first = gzip.compress(json.dumps({"id": "first", "text": _story(0)}).encode() + b"\n")
    bomb.write_bytes(first + member * 1024)  # 1 GiB once expanded, about 1 MB on disk
    rejects = tmp_path / "rejects.jsonl"
    summary = tmp_path / "summary.json"
    peak, code, stderr = _measured_scan(
        bomb, "-o", tmp_path / "c.jsonl", "--rejects", rejects, "--summary-json", summary
    )
    assert code == 0
    [row] = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert "refused as a compression bomb" in row["reason"]
    assert f"skipped {bomb}:2: expands more than 100:1" in stderr
    assert json.loads(summary.read_text())["articles"] == 1
    assert peak < 512 * MIB


_READ_ONLY = textwrap.dedent(
    f"""
    import sys
    from dedup.io import read_records
    marks = {{}}
    for n, _ in enumerate(read_records([sys.argv[1]]), 1):
        if n in (100_000, 1_000_000):
            marks[n] = {_PEAK_KIB}
    print(marks[100_000], marks[1_000_000])
    """
)


def test_memory_is_flat_over_a_million_lines(tmp_path: Path) -> None:
    dump = tmp_path / "lines.jsonl.gz"
    with gzip.open(dump, "wt", compresslevel=1) as out:
        for i in range(1_000_000):
            out.write(f'{{"id":"n{i}","text":"line {i} of a long dump"}}\n')
    done = subprocess.run(
        [sys.executable, "-c", _READ_ONLY, str(dump)], capture_output=True, text=True, check=True
    )
    at_100k, at_1m = (int(v) * 1024 for v in done.stdout.split())
    # Only the duplicate-id check grows with the input: one short id and its first place.
    assert (at_1m - at_100k) / 900_000 < 300
