"""Scheduled runs against a persistent index, measured: a base index of N articles, then
one run of M new articles against it, for SQLite and Redis; next to datasketch's
``MinHashLSH`` with its Redis storage and an insertion session on the same signatures.

Usage: python benchmarks/index.py DATA_DIR [--index-size 1000000] [--new 100000]
       [--backends sqlite,redis] [--reference 20000] [--workers 2] [--corpus FILE]

The articles are GENERATED (``benchmarks/synth.py`` over the shared reuters21578 and
helsinki bases, seed 1; or ``--corpus``, a file made that way): the first N records are
indexed as run ``base`` (``dedup scan --index … --commit-every 10000``), the next M are
the measured run ``new``. Each ``dedup scan`` is a fresh process, timed, with its own and
its workers' peak RSS. Index size is the SQLite file (with its WAL) or Redis's
``used_memory``, per article. The reference inserts the first ``--reference`` base
articles' signatures into ``MinHashLSH(storage_config=redis)`` in an insertion session
and queries the first ``--reference``/10 new ones: per-article figures, next to dedup's.
Nothing is asserted; the output is a table, and a projection from the bytes-per-article
model.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
from speed import CliRun, as_minhashes, run_cli_scan, sign_dedup

from dedup.normalize import normalize
from dedup.params import DedupParams


def generate(data: Path, articles: int, folder: Path) -> Path:
    import synth

    bases = [data / name for name in ("reuters21578/articles.jsonl", "helsinki/articles.jsonl")]
    pool = synth.build_pool(synth.read_bases(bases))
    corpus, gold = folder / "synth.jsonl", folder / "gold.jsonl"
    synth.write(pool, corpus, gold, articles=articles, seed=1)
    return corpus


def split(corpus: Path, base_size: int, new_size: int, folder: Path) -> tuple[Path, Path]:
    base, new = folder / "base.jsonl", folder / "new.jsonl"
    with corpus.open("rb") as source, base.open("wb") as first, new.open("wb") as second:
        first.writelines(itertools.islice(source, base_size))
        second.writelines(itertools.islice(source, new_size))
    return base, new


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def redis_server(folder: Path) -> Iterator[int]:
    """A private redis-server with AOF (fsync every second), stopped at the end."""
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
        ],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    try:
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def redis_memory(port: int) -> int:
    import redis

    return int(redis.Redis(port=port).info("memory")["used_memory"])


def sqlite_bytes(path: Path) -> int:
    return sum(
        (path.parent / (path.name + suffix)).stat().st_size
        for suffix in ("", "-wal")
        if (path.parent / (path.name + suffix)).exists()
    )


def index_args(url: str, run_id: str) -> list[str]:
    return ["--index", url, "--run-id", run_id, "--commit-every", "10000"]


def summary_of(folder: Path) -> dict[str, object]:
    loaded: dict[str, object] = json.loads((folder / "summary.json").read_text())
    return loaded


def print_run(name: str, run: CliRun) -> None:
    print(
        f"  {name:<30} {run.docs:>9,} {run.seconds:>9.1f} {run.docs_per_second:>9,.0f} "
        f"{run.main_rss_kib / 1024:>9.0f} {run.worker_rss_kib / 1024:>10.0f}"
    )


def bench_backend(
    backend: str, base: Path, new: Path, workers: int, folder: Path
) -> tuple[CliRun, CliRun, int]:
    """Build the base index, then run the new articles against it; the index's bytes."""
    work = folder / backend
    work.mkdir()
    server = nullcontext(None) if backend == "sqlite" else redis_server(work)
    with server as port:
        url = str(work / "index.db") if backend == "sqlite" else f"redis://127.0.0.1:{port}/0"
        built = run_cli_scan(base, workers, work, extra=index_args(url, "base"))
        ran = run_cli_scan(new, workers, work, extra=index_args(url, "new"))
        index = summary_of(work)["index"]
        assert isinstance(index, dict)
        size = sqlite_bytes(work / "index.db") if port is None else redis_memory(port)
        size = size * built.docs // max(built.docs + int(index["indexed"]), 1)  # base share
    print_run(f"{backend}: build (base run)", built)
    print_run(f"{backend}: new run", ran)
    print(
        f"    new run matched {index['matched_earlier']:,} articles to earlier stories; "
        f"index {size / 1e6:,.0f} MB = {size / max(built.docs, 1):,.0f} B per article; "
        f"stages {ran.stages}"
    )
    return built, ran, size


def signatures(path: Path, count: int, params: DedupParams) -> np.ndarray:
    with path.open(encoding="utf-8") as lines:
        bodies = [
            normalize(json.loads(line)["text"]).body for line in itertools.islice(lines, count)
        ]
    return sign_dedup(bodies, params)


def bench_datasketch(base: Path, new: Path, count: int, folder: Path) -> tuple[float, float, int]:
    """MinHashLSH on Redis, the usual way: insertion session, then queries. Seconds per
    inserted article, per query, and Redis bytes per article."""
    from datasketch import MinHashLSH

    params = DedupParams()
    inserted = as_minhashes(signatures(base, count, params), params)
    queried = as_minhashes(signatures(new, max(count // 10, 1), params), params)
    work = folder / "datasketch"
    work.mkdir()
    with redis_server(work) as port:
        lsh = MinHashLSH(
            threshold=params.lsh_threshold,
            num_perm=params.num_perm,
            params=(params.bands, params.rows),
            storage_config={
                "type": "redis",
                "basename": b"bench",
                "redis": {"host": "127.0.0.1", "port": port},
            },
        )
        started = time.perf_counter()
        with lsh.insertion_session(buffer_size=50_000) as session:
            for number, minhash in enumerate(inserted):
                session.insert(f"base-{number}", minhash)
        insert_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for minhash in queried:
            lsh.query(minhash)
        query_seconds = time.perf_counter() - started
        memory = redis_memory(port)
    return insert_seconds / len(inserted), query_seconds / len(queried), memory // len(inserted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (synth's bases)")
    parser.add_argument("--index-size", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,redis")
    parser.add_argument("--reference", type=int, default=20_000, help="0: no datasketch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", type=Path, help="a generated dump to split instead")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    if "redis" in backends and shutil.which("redis-server") is None:
        parser.error("the redis backend needs redis-server (apt-get install redis-server)")
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as name:
        folder = Path(name)
        corpus = args.corpus or generate(args.data, args.index_size + args.new, folder)
        base, new = split(corpus, args.index_size, args.new, folder)
        print(f"index of {args.index_size:,} generated articles, then a run of {args.new:,}")
        print(
            f"  {'':<30} {'docs':>9} {'seconds':>9} {'docs/s':>9} {'main MiB':>9} {'work MiB':>10}"
        )
        measured = {b: bench_backend(b, base, new, args.workers, folder) for b in backends}
        if not args.reference:
            return
        per_insert, per_query, ds_bytes = bench_datasketch(base, new, args.reference, folder)
    print()
    print(
        f"datasketch MinHashLSH on Redis ({args.reference:,} inserted in an insertion session, "
        f"{max(args.reference // 10, 1):,} queried; signatures made outside the timing):"
    )
    print(
        f"  insert {per_insert * 1e3:.2f} ms/article, query {per_query * 1e3:.2f} ms/article, "
        f"{ds_bytes:,} B of Redis per article"
    )
    for backend, (built, ran, size) in measured.items():
        per_new = ran.seconds / max(ran.docs, 1)
        print(
            f"  dedup {backend}: {per_new * 1e3:.2f} ms per new article end to end "
            f"(normalize, sign, look up, verify, cluster, commit); "
            f"datasketch insert+query alone: {(per_insert + per_query) * 1e3:.2f} ms, "
            f"ratio {(per_insert + per_query) / per_new:.1f}x; "
            f"{size / max(built.docs, 1):,.0f} B per article vs {ds_bytes:,}"
        )
        for target in (10_000_000, 100_000_000):
            print(
                f"    bytes model at {target:,} articles: "
                f"{size / max(built.docs, 1) * target / 2**30:,.1f} GiB"
            )


if __name__ == "__main__":
    main()
