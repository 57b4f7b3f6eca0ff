"""Real processes killed with SIGKILL at named points and at random times, then resumed,
on both backends (a real SQLite file, a real redis-server); and two jobs started together
on one index. Reliability rules 2 and 3 of the design, as countable tests.

Every kill must leave an index with no consistency problems, and the resumed run must
write byte-identical outputs to an uninterrupted run's.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from conftest import RedisServer
from test_incremental import write_dump
from test_pipeline import fixture_articles

from dedup.errors import IndexStoreError
from dedup.index import open_index

ROOT = Path(__file__).resolve().parents[1]
POINTS = ["after_read", "after_signatures", "inside_transaction", "after_commit", "before_rename"]
LOCKED = 6


def dedup(
    *args: str, env: dict[str, str] | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dedup", *args],
        cwd=ROOT,
        env=os.environ | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dedup", *args],
        cwd=ROOT,
        env=os.environ | (env or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The invented stories, plus a bad line in the middle (rejects must survive resume)."""
    folder = tmp_path_factory.mktemp("dump")
    path = write_dump(folder / "day.jsonl", fixture_articles())
    lines = Path(path).read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(5, '{"id": "broken", "text": \n')
    Path(path).write_text("".join(lines), encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_index(backend: str, request: pytest.FixtureRequest, folder: Path, name: str) -> str:
    if backend == "sqlite":
        return str(folder / f"{name}.db")
    url: str = request.getfixturevalue("redis_url")
    return f"{url}-{name}"


def scan_args(dump: str, index: str, out: Path) -> list[str]:
    return [
        "scan",
        dump,
        "--index",
        index,
        "--run-id",
        "day-1",
        "--commit-every",
        "3",
        "--workers",
        "1",
        "-q",
        "-o",
        str(out / "clusters.jsonl"),
        "--rejects",
        str(out / "rejects.jsonl"),
    ]


def outputs(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("clusters.jsonl", "rejects.jsonl")}


def exported(index: str) -> list[tuple[str, str, str]]:
    """The index's articles: id, cluster and run (each run has its own ingest time)."""
    with closing(open_index(index, must_exist=True)) as store:
        return [(a.article_id, a.cluster_id, a.run_id) for a in store.export()]


def assert_sound(index: str, *, may_be_missing: bool = False) -> None:
    try:
        store = open_index(index, must_exist=True)
    except IndexStoreError as error:
        if may_be_missing and str(error).startswith("no index at"):
            return  # killed before it created the index
        raise
    with closing(store):
        assert store.problems() == []


Expected = tuple[dict[str, bytes], list[tuple[str, str, str]]]


@pytest.fixture(scope="module")
def uninterrupted_runs() -> dict[str, Expected]:
    return {}


def committed(index: str) -> int:
    """Input records the run ``day-1`` has committed so far (0 before its first batch)."""
    with closing(open_index(index)) as store:
        found = store.run("day-1")
    return found.records_done if found else 0


def uninterrupted_run(
    backend: str,
    dump: str,
    uninterrupted_runs: dict[str, Expected],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Expected:
    """One uninterrupted run per backend, in its own process like the others."""
    if backend not in uninterrupted_runs:
        folder = tmp_path / "whole"
        folder.mkdir()
        index = new_index(backend, request, tmp_path, "whole")
        done = dedup(*scan_args(dump, index, folder))
        assert done.returncode == 0, done.stderr
        uninterrupted_runs[backend] = (outputs(folder), exported(index))
    return uninterrupted_runs[backend]


@pytest.fixture
def uninterrupted(
    backend: str,
    dump: str,
    uninterrupted_runs: dict[str, Expected],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> Expected:
    return uninterrupted_run(backend, dump, uninterrupted_runs, request, tmp_path)


@pytest.mark.parametrize("point", POINTS)
def test_a_kill_at_a_named_point_then_a_rerun_gives_the_uninterrupted_outputs(
    point: str,
    backend: str,
    dump: str,
    uninterrupted: Expected,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    folder = tmp_path / "killed"
    folder.mkdir()
    index = new_index(backend, request, tmp_path, "killed")
    # the second time the point is reached: one batch is in, the run is under way
    occurrence = "1" if point == "before_rename" else "2"
    killed = dedup(*scan_args(dump, index, folder), env={"DEDUP_CRASH_AT": f"{point}:{occurrence}"})
    assert killed.returncode == -signal.SIGKILL
    assert_sound(index)
    resumed = dedup(*scan_args(dump, index, folder))
    assert resumed.returncode == 0, resumed.stderr
    assert_sound(index)
    expected_outputs, expected_rows = uninterrupted
    assert outputs(folder) == expected_outputs
    assert exported(index) == expected_rows


def test_kills_at_random_times_then_reruns_give_the_uninterrupted_outputs(
    backend: str,
    dump: str,
    uninterrupted: Expected,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    chance = random.Random(20261129)
    expected_outputs, expected_rows = uninterrupted
    for attempt in range(2):
        folder = tmp_path / f"random-{attempt}"
        folder.mkdir()
        index = new_index(backend, request, tmp_path, f"random-{attempt}")
        args = scan_args(dump, index, folder)
        for _ in range(2):  # killed twice, at random moments, before it may finish
            process = start(*args)
            time.sleep(chance.uniform(0.5, 4.0))
            process.send_signal(signal.SIGKILL)
            process.communicate(timeout=60)
            assert_sound(index, may_be_missing=True)
        finished = dedup(*args)
        assert finished.returncode == 0, finished.stderr
        assert outputs(folder) == expected_outputs
        assert exported(index) == expected_rows


def test_two_jobs_started_together_exactly_one_proceeds_twenty_times(
    backend: str, dump: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    """Both jobs pause 4 s with the lock held (if they get it), so they surely overlap."""
    hold = {"DEDUP_PAUSE_AT": "after_read:4"}
    outcomes: list[tuple[int, ...]] = []
    for group in range(5):  # 4 rounds at a time: 20 rounds in all
        rounds = []
        for number in range(4):
            name = f"race-{group}-{number}"
            folder = tmp_path / name
            folder.mkdir()
            index = new_index(backend, request, tmp_path, name)
            for side in "ab":
                (folder / side).mkdir()
            pair = [start(*scan_args(dump, index, folder / side), env=hold) for side in "ab"]
            rounds.append(pair)
        for pair in rounds:
            results = [(p.wait(timeout=120), p.communicate()[1]) for p in pair]
            codes = tuple(sorted(code for code, _ in results))
            outcomes.append(codes)
            assert codes == (0, LOCKED), results
            loser = next(err for code, err in results if code == LOCKED)
            winner = next(p for p in pair if p.returncode == 0)
            assert f"is locked by pid {winner.pid}" in loser, loser
    assert outcomes == [(0, LOCKED)] * 20


def test_redis_killed_mid_run_is_a_clear_error_and_a_restart_resumes_to_the_same_outputs(
    dump: str,
    start_redis: Callable[..., RedisServer],
    uninterrupted_runs: dict[str, Expected],
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> None:
    expected_outputs, expected_rows = uninterrupted_run(
        "redis", dump, uninterrupted_runs, request, tmp_path
    )
    server = start_redis(persistent=True)
    index = server.url("killed-mid-run")
    folder = tmp_path / "mid-run"
    folder.mkdir()
    args = scan_args(dump, index, folder)
    process = start(*args, env={"DEDUP_PAUSE_AT": "after_commit:4"})
    deadline = time.monotonic() + 60
    while committed(index) == 0:  # kill it once the first batch is in, during the pause
        assert time.monotonic() < deadline
        time.sleep(0.1)
    server.kill()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 7
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    line = lines[0]
    assert line.startswith("error: ")
    assert f"redis at 127.0.0.1:{server.port}" in line
    server.start()  # the AOF is replayed
    resumed = dedup(*args)
    assert resumed.returncode == 0, resumed.stderr
    assert_sound(index)
    assert outputs(folder) == expected_outputs
    assert exported(index) == expected_rows
