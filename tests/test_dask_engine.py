"""The Dask engine gives what the local engine gives: the same clusters, canonicals, roles,
counters and rejects, on real ``LocalCluster`` workers (separate processes), including when
a worker is killed in the middle of a task.

The corpora are the team's invented fixtures, the sample dumps in ``examples/``, a folder of
HTML pages, and 10,000 generated articles (``benchmarks/synth.py`` over invented bases).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.candidates import candidate_codes
from dedup.dask_engine import tasks as dask_tasks
from dedup.errors import BadRecordError, EngineError
from dedup.io.readers import RAW_CHARS
from dedup.io.schema import cluster_to_dict
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import ScanResult, scan, scan_articles
from dedup.records import Reject

try:
    import distributed  # noqa: F401 - only whether the extra is there
except ImportError:  # pragma: no cover - `make test` installs it and demands these tests
    if os.environ.get("DEDUP_REQUIRE_DASK") == "1":
        raise
    pytest.skip("the Dask engine's extra: pip install 'dedup[dask]'", allow_module_level=True)

import itertools

from distributed import LocalCluster
from test_pages import article_html
from test_pipeline import fixture_articles
from test_synth import DISTINCT, synth

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "examples"


def _local_cluster() -> LocalCluster:
    return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    with _local_cluster() as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """10,000 generated articles in four files."""
    folder = tmp_path_factory.mktemp("generated")
    whole = folder / "whole.jsonl"
    synth.write(synth.build_pool(DISTINCT), whole, folder / "gold.jsonl", articles=10_000, seed=3)
    lines = whole.read_text(encoding="utf-8").splitlines(keepends=True)
    whole.unlink()
    dump = folder / "dump"
    dump.mkdir()
    for number, start in enumerate(range(0, len(lines), 2_500)):
        (dump / f"part-{number}.jsonl").write_text("".join(lines[start : start + 2_500]))
    return dump


def rows(result: ScanResult) -> list[str]:
    """Every cluster as it is written: members, canonical, roles, parents, reasons."""
    return [
        json.dumps(cluster_to_dict(c, params_fingerprint=""), sort_keys=True)
        for c in result.clusters
    ]


def counters(result: ScanResult) -> dict[str, object]:
    stats = asdict(result.stats)
    del stats["seconds"], stats["stage_seconds"]
    return stats


def scanned(
    paths: list[Path | str], options: RunOptions, params: DedupParams | None = None
) -> tuple[ScanResult, list[Reject]]:
    rejects: list[Reject] = []
    result = scan(paths, params, options=options, on_reject=rejects.append)
    return result, rejects


def assert_same_scan(
    paths: list[Path | str], scheduler: str, params: DedupParams | None = None, **options: object
) -> list[Reject]:
    """Scan locally and on the cluster; assert the same clusters, counters, rejects and
    evidence; the rejects."""
    local, local_rejects = scanned(paths, RunOptions(workers=2, **options), params)  # type: ignore[arg-type]
    dask, dask_rejects = scanned(
        paths,
        RunOptions(engine="dask", scheduler=scheduler, **options),
        params,  # type: ignore[arg-type]
    )
    assert rows(dask) == rows(local)
    assert counters(dask) == counters(local)
    assert dask_rejects == local_rejects
    assert dict(dask.evidence) == dict(local.evidence)
    assert dask.stats.clusters > 0
    return dask_rejects


# --- the partition functions, against the local grouping ----------------------------------


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.lists(st.integers(0, 5), min_size=6, max_size=6), min_size=1, max_size=40),
    sizes=st.lists(st.integers(0, 25), min_size=1, max_size=40),
    cuts=st.lists(st.integers(1, 39), max_size=4),
    groups=st.integers(1, 5),
    max_bucket=st.integers(2, 6),
)
def test_shuffled_grouping_gives_the_local_candidate_pairs(
    keys: list[list[int]], sizes: list[int], cuts: list[int], groups: int, max_bucket: int
) -> None:
    """Band entries split by partition and by key group, paired per group and split again
    by the lower document's partition: the union is ``candidate_codes``' pairs, each in the
    partition of its lower document, stars included."""
    band_keys = np.array(keys, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    n_docs = band_keys.shape[0]
    shingle_sizes = np.resize(np.array(sizes, dtype=np.int64), n_docs)
    params = DedupParams(min_shingles=10)
    eligible = shingle_sizes >= params.min_shingles
    expected = candidate_codes(
        band_keys, eligible=eligible, max_bucket=max_bucket, bands_per_pass=4
    ).codes
    bounds = sorted({0, n_docs, *(c for c in cuts if c < n_docs)})
    offsets = np.array(bounds, dtype=np.int64)
    split = [
        dask_tasks.entries_of(band_keys[a:b], shingle_sizes[a:b], a, params.min_shingles, groups, 4)
        for a, b in itertools.pairwise(bounds)
    ]
    grouped = [
        dask_tasks.group_pairs([pieces[g] for pieces in split], n_docs, max_bucket, offsets)
        for g in range(groups)
    ]
    per_part = [
        dask_tasks.candidates_of([pieces[p] for pieces in grouped]) for p in range(len(bounds) - 1)
    ]
    for p, codes in enumerate(per_part):
        assert np.all((codes // n_docs >= bounds[p]) & (codes // n_docs < bounds[p + 1]))
    assert np.array_equal(np.concatenate(per_part), expected)


# --- whole scans: local engine and LocalCluster(n_workers=2) ----------------------------


def test_invented_fixtures_in_memory_with_spans(scheduler: str) -> None:
    articles = fixture_articles()
    local = scan_articles(articles, options=RunOptions(workers=2, spans=True))
    dask = scan_articles(
        articles,
        options=RunOptions(engine="dask", scheduler=scheduler, spans=True, partition_size=3),
    )
    assert rows(dask) == rows(local)
    assert counters(dask) == counters(local)
    assert any(m.reuse is not None for c in dask.clusters for m in c.members)


def test_example_dumps_with_bad_records_and_a_duplicate_across_files(
    scheduler: str, tmp_path: Path
) -> None:
    """A bad line and an id seen in an earlier file are rejected as the local reader
    rejects them (same place, reason and text), and the records around them are used."""
    first = json.loads((EXAMPLES / "sample.jsonl").read_text().splitlines()[0])
    extra = tmp_path / "extra.jsonl"
    extra.write_text(
        '{"id": "broken", "text": \n'
        + json.dumps(first)
        + "\n"
        + json.dumps({"id": "fresh-1", "text": first["text"] + " An update."})
        + "\n"
    )
    rejects = assert_same_scan(
        [EXAMPLES / "sample.jsonl", EXAMPLES / "next-day.jsonl", extra],
        scheduler,
        partition_size=7,
    )
    ours = [r for r in rejects if r.path == str(extra)]
    assert [r.line for r in ours] == [1, 2]
    assert (
        ours[1].reason
        == f"duplicate id '{first['id']}' (first seen at {EXAMPLES / 'sample.jsonl'}:1)"
    )
    assert ours[1].raw == json.dumps(first)[:RAW_CHARS]


def test_a_folder_of_html_pages(scheduler: str, tmp_path: Path) -> None:
    """Each page is read and extracted on a worker, as the local reader extracts it."""
    pages = tmp_path / "pages"
    pages.mkdir()
    for number in range(5):
        head = '<link rel="canonical" href="https://daily.example/bridge">' if number else ""
        (pages / f"copy-{number}.html").write_text(article_html(head=head))
    (pages / "empty.html").write_text("<html><body></body></html>")
    rejects = assert_same_scan([pages], scheduler)
    assert [Path(r.path).name for r in rejects] == ["empty.html"]


def test_ten_thousand_generated_articles_by_url(scheduler: str, generated: Path) -> None:
    """Given as an fsspec URL, the files are listed here and opened on the workers."""
    assert_same_scan([f"file://{generated}/*.jsonl"], scheduler, partition_size=1_500)


def test_a_dump_of_bad_records_only(scheduler: str, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text('{"id": "a", "text": ""}\nnot json\n')
    local, local_rejects = scanned([dump], RunOptions(workers=2))
    dask, dask_rejects = scanned([dump], RunOptions(engine="dask", scheduler=scheduler))
    assert counters(dask) == counters(local)
    assert dask_rejects == local_rejects
    assert dask.clusters == []
    assert dask.stats.rejected == 2


def test_a_bad_record_under_strict_stops_the_dask_run_as_the_local_one(
    scheduler: str, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text((EXAMPLES / "sample.jsonl").read_text() + "not json\n")
    raised = []
    for options in (
        RunOptions(strict=True),
        RunOptions(strict=True, engine="dask", scheduler=scheduler),
    ):
        with pytest.raises(BadRecordError) as caught:
            scan([dump], options=options)
        raised.append(str(caught.value))
    assert raised[0] == raised[1]
    assert raised[0].startswith(f"{dump}:")


def test_a_worker_killed_mid_task_changes_nothing(
    generated: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker kills itself (SIGKILL) while verifying a partition; its nanny starts a new
    one, the scheduler recomputes what the dead worker held, and the output is the same."""
    marker = tmp_path / "crashed"
    monkeypatch.setenv("DEDUP_CRASH_AT", "dask_verify")
    monkeypatch.setenv("DEDUP_CRASH_ONCE", str(marker))
    files = sorted(generated.iterdir())[:2]
    with _local_cluster() as cluster:
        dask, _ = scanned(
            files,
            RunOptions(engine="dask", scheduler=cluster.scheduler_address, partition_size=1_000),
        )
    assert marker.exists()
    monkeypatch.delenv("DEDUP_CRASH_AT")
    local, _ = scanned(files, RunOptions(workers=2))
    assert rows(dask) == rows(local)
    assert counters(dask) == counters(local)


def test_articles_in_memory_lost_with_a_worker_stop_the_run_with_engine_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Scattered articles exist only on their worker: when it dies they cannot be
    recomputed, and the run says so (files would be read again instead)."""
    monkeypatch.setenv("DEDUP_CRASH_AT", "dask_verify")
    monkeypatch.setenv("DEDUP_CRASH_ONCE", str(tmp_path / "crashed"))
    articles = fixture_articles()
    with _local_cluster() as cluster, pytest.raises(EngineError, match="cannot recompute"):
        scan_articles(
            articles,
            options=RunOptions(
                engine="dask", scheduler=cluster.scheduler_address, partition_size=2
            ),
        )


# --- the command line ---------------------------------------------------------------------


def run_dedup(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dedup", *map(str, args)],
        cwd=ROOT,
        env=os.environ | {"PYTHONHASHSEED": "0"} | env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_cli_scan_on_a_local_dask_cluster_writes_the_same_bytes(tmp_path: Path) -> None:
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    dumps = [EXAMPLES / "sample.jsonl", EXAMPLES / "next-day.jsonl"]
    assert run_dedup("scan", *dumps, "-o", local, "--workers", "2").returncode == 0
    done = run_dedup("scan", *dumps, "-o", dask, "--engine", "dask", "--workers", "2")
    assert done.returncode == 0, done.stderr
    assert dask.read_bytes() == local.read_bytes()
    assert "distributed" not in done.stderr  # Dask's own INFO lines stay out of the summary


def test_cli_unreachable_scheduler_is_one_line_and_exit_8(tmp_path: Path) -> None:
    done = run_dedup(
        "scan", EXAMPLES / "sample.jsonl", "-o", tmp_path / "out.jsonl",
        "--engine", "dask", "--scheduler", "tcp://127.0.0.1:9",
        DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT="2s",  # Dask's own setting, 30 s by default
    )  # fmt: skip
    assert done.returncode == 8
    assert done.stderr.startswith("error: cannot reach the Dask scheduler at tcp://127.0.0.1:9")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--scheduler", "tcp://127.0.0.1:8786"], "a scheduler address needs the Dask engine"),
        (["--engine", "dask", "--index", "idx.db"], "--engine dask is for one-off scans"),
    ],
)
def test_cli_dask_options_that_cannot_work_together(
    tmp_path: Path, extra: list[str], message: str
) -> None:
    done = run_dedup("scan", EXAMPLES / "sample.jsonl", "-o", tmp_path / "o.jsonl", *extra)
    assert done.returncode == 2
    assert message in done.stderr
