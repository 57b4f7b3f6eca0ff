"""The Dask engine against the local engine, the same input in the same run.

Usage::

    python benchmarks/engines.py ../shared/data --articles 1000000 [--shards 16]
        [--workers 2] [--partition-size N] [--corpus FILE] [--repeat 1]

The articles are GENERATED (``benchmarks/synth.py`` over the shared reuters21578 and
helsinki bases, seed 1; or ``--corpus``, a file made that way): the first N records, cut
into ``--shards`` files as a crawl's dump arrives. Each engine runs ``dedup scan`` in a
fresh process (``--workers`` processes: the local pool, or a ``LocalCluster`` of that many
Dask workers); the two outputs must be byte-identical. Printed: seconds, docs/s, the
stage split, and the peak RSS of the main process and of its children.
"""

from __future__ import annotations

import argparse
import filecmp
import sys
import tempfile
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from index import generate
from speed import CliRun, run_cli_scan


def shard(corpus: Path, articles: int, shards: int, folder: Path) -> Path:
    """The first ``articles`` lines of ``corpus`` in ``shards`` files of equal length."""
    dump = folder / "dump"
    dump.mkdir()
    per_shard = -(-articles // shards)
    with corpus.open("rb") as source:
        lines = islice(source, articles)
        for number in range(shards):
            with (dump / f"part-{number:04d}.jsonl").open("wb") as out:
                out.writelines(islice(lines, per_shard))
    return dump


def line(name: str, run: CliRun, base: CliRun | None = None) -> str:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in run.stages.items())
    ratio = f"{run.seconds / base.seconds:.2f}x" if base else "1.00x"
    return (
        f"{name:<8} {run.docs:>9,} {run.seconds:>9.1f} {run.docs_per_second:>8,.0f} {ratio:>7} "
        f"{run.main_rss_kib / 1024:>9,.0f} {run.worker_rss_kib / 1024:>9,.0f}  {stages}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (synth's bases)")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--shards", type=int, default=16, help="input files (default 16)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-size", type=int, help="the Dask engine's (default: its own)")
    parser.add_argument("--corpus", type=Path, help="a generated dump to use instead")
    parser.add_argument("--repeat", type=int, default=1, help="runs per engine, alternating")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dedup-engines-") as scratch:
        folder = Path(scratch)
        corpus = args.corpus or generate(args.data, args.articles, folder)
        dump = shard(corpus, args.articles, args.shards, folder)
        runs: dict[str, list[CliRun]] = {"local": [], "dask": []}
        outputs = {name: folder / name for name in runs}
        for path in outputs.values():
            path.mkdir()
        dask = ["--engine", "dask"]
        if args.partition_size:
            dask += ["--partition-size", str(args.partition_size)]
        for _ in range(args.repeat):
            for name, extra in (("local", []), ("dask", dask)):
                runs[name].append(run_cli_scan(dump, args.workers, outputs[name], extra))
        same = filecmp.cmp(
            outputs["local"] / "clusters.jsonl", outputs["dask"] / "clusters.jsonl", shallow=False
        )
        print(
            f"{args.articles:,} generated articles in {args.shards} files, "
            f"{args.workers} workers, Dask partitions of {args.partition_size or 'the default'}; "
            f"outputs byte-identical: {same}"
        )
        print(
            f"{'engine':<8} {'articles':>9} {'seconds':>9} {'docs/s':>8} {'ratio':>7} "
            f"{'main MiB':>9} {'child MiB':>9}  stages (s)"
        )
        local = min(runs["local"], key=lambda r: r.seconds)
        print(line("local", local))
        print(line("dask", min(runs["dask"], key=lambda r: r.seconds), local))
        if not same:
            raise SystemExit("the engines' outputs differ")


if __name__ == "__main__":
    main()
