"""Speed and memory of dedup's batch paths next to datasketch, in one run, as ratios.

Usage: python benchmarks/speed.py PATH_TO_SHARED_DATA [--docs N] [--repeat R] [--slow-docs S]
       [--usual-docs U] [--workers W] [--scale 10000,100000]

Documents are real texts read from the shared data folder (never copied into the repo):
``helsinki/articles.jsonl`` (680 multi-outlet articles with real syndicated copies) first,
then ``reuters21578/articles.jsonl`` (21,578 Reuters stories of 1987), the first ``--docs``
of that sequence. Every text goes through ``dedup.normalize`` once, outside the timings, and
all methods get the same bodies; the 3-word shingles are made from the same tokens
(``dedup.shingle.tokenize``) for every method.

Measured:

1. Signing (default permutations, seed 1): dedup's ``shingle_batch`` + ``sign_batch``; datasketch
   the usual way (a ``MinHash`` per document, ``update`` per 3-gram string, default sha1);
   datasketch's ``MinHash.bulk`` over lists of 3-gram bytes. The per-update path is slow, so
   it runs on the first ``--slow-docs`` documents only, next to dedup on those same documents.
2. Candidate pairs from the same signatures: dedup's ``band_keys`` + ``candidate_pairs``
   against ``MinHashLSH`` with the same bands x rows (insert every document, then query
   every document), and whether both find the same pair set.
3. ``dedup.pipeline.scan_articles`` end to end (normalizing included).
4. The signing stage against the floor (tokenize and hash the shingles, no permutations),
   and rensa's ``RMinHash`` on the same 3-grams when rensa is installed.
5. ``dedup scan`` as a user runs it, each run a fresh process (median of ``--repeat``), with
   1 and ``--workers`` processes: docs/s, MB/s of input, the main process's and the largest
   worker's peak RSS, and the stage split from ``--summary-json``; next to datasketch as
   usually used (``MinHash(128).update`` per word 5-gram, ``MinHashLSH(0.5)`` insert and
   query, union-find) on the first ``--usual-docs`` documents, as a docs/s ratio.
6. A scale curve: ``dedup scan`` on GENERATED simulator output of each ``--scale`` size
   (``benchmarks/synth.py`` with the reuters21578 and helsinki bases, seed 1).

Times are the best of ``--repeat`` runs (the datasketch per-update path: one run). Memory is
the tracemalloc peak of one more, separate run: Python objects and numpy buffers allocated
during the step, its result included. Nothing is asserted; the output is a table of ratios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from dedup.candidates import DEFAULT_MAX_BUCKET, candidate_pairs
from dedup.minhash import band_keys, permutations, sign_batch
from dedup.normalize import normalize
from dedup.params import DedupParams
from dedup.pipeline import scan_articles
from dedup.records import Article
from dedup.shingle import ShingleSets, entity_batch, hash_shingle32, shingle_batch, tokenize

sys.path.insert(0, str(Path(__file__).parent))
import anchors

MIB = 1 << 20
SOURCES = (
    # folder, outlet field, date field
    ("helsinki", "source", "date"),
    ("reuters21578", "outlet", "published_at"),
)


@dataclass(frozen=True, slots=True)
class Measurement:
    """One timed step: best wall time over the repeats and one tracemalloc peak."""

    name: str
    docs: int
    seconds: float
    peak_bytes: int
    runs: int

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds if self.seconds > 0 else float("inf")


def measure(name: str, docs: int, step: Callable[[], Any], repeat: int) -> tuple[Measurement, Any]:
    """Time ``step`` ``repeat`` times (best kept), then run it once more under tracemalloc."""
    best = float("inf")
    result: Any = None
    for _ in range(repeat):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = step()
        best = min(best, time.perf_counter() - started)
    result = None
    gc.collect()
    traced = time.perf_counter()
    tracemalloc.start()
    try:
        result = step()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    traced = time.perf_counter() - traced
    print(f"  [{name}, {docs} docs: best {best:.2f} s, traced {traced:.2f} s]", file=sys.stderr)
    return Measurement(name, docs, best, peak, repeat), result


# --- data -----------------------------------------------------------------------------------


def read_articles(data: Path) -> Iterator[tuple[str, Article]]:
    """(folder, article): helsinki's articles, then reuters21578's, as dedup Articles."""
    for folder, outlet_field, date_field in SOURCES:
        with (data / folder / "articles.jsonl").open(encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                yield (
                    folder,
                    Article(
                        id=str(row["id"]),
                        text=row["text"],
                        title=row.get("title"),
                        url=row.get("url"),
                        outlet=row.get(outlet_field),
                        published_at=row.get(date_field),
                    ),
                )


def load_articles(data: Path, count: int) -> tuple[list[Article], str]:
    """The first ``count`` articles, and a line saying where they came from."""
    articles: list[Article] = []
    per_folder: dict[str, int] = {}
    for folder, article in read_articles(data):
        if len(articles) >= count:
            break
        articles.append(article)
        per_folder[folder] = per_folder.get(folder, 0) + 1
    parts = [f"{n} from {folder}/articles.jsonl" for folder, n in per_folder.items()]
    described = (
        f"first {len(articles)} real articles ({', '.join(parts)}; helsinki: 2018 multi-outlet "
        f"news with wire copies, reuters21578: Reuters 1987 stories), read from {data}"
    )
    return articles, described


def three_grams(body: str) -> list[str]:
    """Word 3-gram strings of a body (duplicates kept, as a simple loop would make them)."""
    tokens = tokenize(body)
    return [" ".join(tokens[i : i + 3]) for i in range(len(tokens) - 2)]


# --- 1. signing -----------------------------------------------------------------------------


def sign_dedup(bodies: list[str], params: DedupParams, columns: int | None = None) -> np.ndarray:
    sets = shingle_batch(bodies, params.shingle_size)
    return sign_batch(sets, num_perm=params.num_perm, seed=params.seed, columns=columns)


def sign_datasketch_update(bodies: list[str], params: DedupParams) -> list[Any]:
    """datasketch as most code uses it: one MinHash per document, update() per shingle."""
    from datasketch import MinHash

    minhashes = []
    for body in bodies:
        minhash = MinHash(num_perm=params.num_perm, seed=params.seed)
        for gram in three_grams(body):
            minhash.update(gram.encode("utf-8"))
        minhashes.append(minhash)
    return minhashes


def sign_datasketch_bulk(bodies: list[str], params: DedupParams) -> list[Any]:
    """datasketch's batch path: MinHash.bulk over a list of lists of shingle bytes."""
    from datasketch import MinHash

    batches = [[gram.encode("utf-8") for gram in three_grams(body)] for body in bodies]
    return MinHash.bulk(batches, num_perm=params.num_perm, seed=params.seed)


def same_as_datasketch(bodies: list[str], signatures: np.ndarray, params: DedupParams) -> bool:
    """dedup's signatures equal datasketch MinHash(hashfunc=hash_shingle32) on the same k-grams."""
    from datasketch import MinHash

    k = params.shingle_size
    for body, signature in zip(bodies, signatures, strict=True):
        tokens = tokenize(body)
        minhash = MinHash(num_perm=params.num_perm, seed=params.seed, hashfunc=hash_shingle32)
        for i in range(len(tokens) - k + 1):
            minhash.update(tokens[i : i + k])
        if not np.array_equal(minhash.hashvalues, signature):
            return False
    return True


def bench_signing(
    bodies: list[str], params: DedupParams, repeat: int, slow_docs: int
) -> tuple[list[tuple[Measurement, Measurement]], np.ndarray]:
    """(method, dedup on the same documents) pairs, and dedup's signatures of every body."""
    n = len(bodies)
    dedup_all, signatures = measure(
        "dedup shingle_batch + sign_batch", n, lambda: sign_dedup(bodies, params), repeat
    )
    subset = bodies[:slow_docs]
    dedup_subset = dedup_all
    if len(subset) < n:
        dedup_subset, _ = measure(
            "dedup shingle_batch + sign_batch",
            len(subset),
            lambda: sign_dedup(subset, params),
            repeat,
        )
    update, _ = measure(
        "datasketch MinHash.update (sha1)",
        len(subset),
        lambda: sign_datasketch_update(subset, params),
        1,
    )
    bulk, _ = measure(
        "datasketch MinHash.bulk (sha1)", n, lambda: sign_datasketch_bulk(bodies, params), repeat
    )
    rows = [(dedup_all, dedup_all), (update, dedup_subset), (bulk, dedup_all)]
    if dedup_subset is not dedup_all:
        rows.insert(1, (dedup_subset, dedup_subset))
    return rows, signatures


# --- 2. candidates --------------------------------------------------------------------------


def candidates_dedup(signatures: np.ndarray, eligible: np.ndarray, params: DedupParams) -> Any:
    keys = band_keys(signatures, bands=params.bands, rows=params.rows)
    return candidate_pairs(keys, eligible=eligible)


def as_minhashes(signatures: np.ndarray, params: DedupParams) -> list[Any]:
    """datasketch MinHash objects holding dedup's signatures (made outside the timings)."""
    from datasketch import MinHash

    perms = permutations(params.num_perm, params.seed)
    return [
        MinHash(
            num_perm=params.num_perm,
            seed=params.seed,
            hashvalues=row,
            permutations=perms,
            scheme="affine32",
        )
        for row in signatures
    ]


def candidates_datasketch(
    minhashes: list[Any], docs: list[int], params: DedupParams
) -> set[tuple[int, int]]:
    """MinHashLSH with dedup's bands x rows: insert every document, then query every one."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(
        threshold=params.lsh_threshold,
        num_perm=params.num_perm,
        params=(params.bands, params.rows),
    )
    for doc in docs:
        lsh.insert(doc, minhashes[doc])
    pairs: set[tuple[int, int]] = set()
    for doc in docs:
        for other in lsh.query(minhashes[doc]):
            if other != doc:
                pairs.add((min(doc, other), max(doc, other)))
    return pairs


def bench_candidates(
    sets: ShingleSets, signatures: np.ndarray, params: DedupParams, repeat: int
) -> tuple[list[Measurement], list[str]]:
    n = len(sets)
    eligible = sets.sizes() >= params.min_shingles
    docs = np.flatnonzero(eligible).tolist()
    dedup, pairs = measure(
        "dedup band_keys + candidate_pairs",
        n,
        lambda: candidates_dedup(signatures, eligible, params),
        repeat,
    )
    minhashes = as_minhashes(signatures, params)
    lsh, lsh_pairs = measure(
        "datasketch MinHashLSH insert + query",
        n,
        lambda: candidates_datasketch(minhashes, docs, params),
        repeat,
    )
    dedup_pairs = {(int(i), int(j)) for i, j in pairs}
    notes = [
        f"{len(docs)} of {n} documents have >= {params.min_shingles} shingles and are indexed "
        "by both (the pipeline's rule); MinHashLSH gets dedup's signatures as MinHash objects",
        f"pairs: dedup {len(dedup_pairs)}, datasketch {len(lsh_pairs)}, both "
        f"{len(dedup_pairs & lsh_pairs)}, only dedup {len(dedup_pairs - lsh_pairs)}, "
        f"only datasketch {len(lsh_pairs - dedup_pairs)}",
    ]
    if dedup_pairs != lsh_pairs:
        keys = band_keys(signatures, bands=params.bands, rows=params.rows)
        uncapped = candidate_pairs(keys, eligible=eligible, max_bucket=n + 1)
        same = {(int(i), int(j)) for i, j in uncapped} == lsh_pairs
        verdict = "equals" if same else "still differs from"
        notes.append(
            "with max_bucket lifted (no star pairing of buckets over "
            f"{DEFAULT_MAX_BUCKET} documents) dedup's set {verdict} datasketch's"
        )
    return [dedup, lsh], notes


# --- 3. end to end --------------------------------------------------------------------------


def bench_pipeline(
    articles: list[Article], params: DedupParams, repeat: int
) -> tuple[Measurement, str]:
    scanned, result = measure(
        "dedup scan_articles (end to end)",
        len(articles),
        lambda: scan_articles(articles, params),
        repeat,
    )
    stats = result.stats
    note = (
        f"{stats.candidate_pairs} candidate pairs, {stats.verified_pairs} verified, "
        f"{stats.clusters} clusters holding {stats.clustered_articles} articles, "
        f"{stats.too_short} too short to sign"
    )
    return scanned, note


# --- 4. the floor and rensa -----------------------------------------------------------------


def floor_shingles(bodies: list[str], params: DedupParams) -> ShingleSets:
    """The floor of any MinHash pipeline: tokenize and hash the shingles, no permutations."""
    return shingle_batch(bodies, params.shingle_size)


def sign_rensa(bodies: list[str], params: DedupParams) -> list[Any]:
    """rensa's R-MinHash (Rust), fed the same 3-gram strings, one object per document."""
    from rensa import RMinHash

    signatures = []
    for body in bodies:
        minhash = RMinHash(num_perm=params.num_perm, seed=params.seed)
        minhash.update(three_grams(body))
        signatures.append(minhash.digest())
    return signatures


def bench_floor(
    bodies: list[str], params: DedupParams, repeat: int, dedup_signing: Measurement
) -> list[tuple[Measurement, str]]:
    floor, _ = measure(
        "floor: tokenize + hash shingles",
        len(bodies),
        lambda: floor_shingles(bodies, params),
        repeat,
    )
    columns = params.bands * params.rows
    pipeline_signing, _ = measure(
        f"dedup as scan signs: the {columns} permutations the bands read",
        len(bodies),
        lambda: sign_dedup(bodies, params, columns=columns),
        repeat,
    )
    rows = [
        (floor, "1.0x (reference)"),
        (dedup_signing, f"signing stage is {dedup_signing.seconds / floor.seconds:.2f}x the floor"),
        (
            pipeline_signing,
            f"signing stage is {pipeline_signing.seconds / floor.seconds:.2f}x the floor",
        ),
    ]
    try:
        import rensa  # noqa: F401
    except ImportError:
        print("  rensa is not installed: its row is skipped (pip install rensa)", file=sys.stderr)
        return rows
    rensa_row, _ = measure(
        f"rensa {version('rensa')} RMinHash",
        len(bodies),
        lambda: sign_rensa(bodies, params),
        repeat,
    )
    rows.append((rensa_row, speed_ratio(dedup_signing, rensa_row)))
    return rows


# --- 5. end to end, side by side ---------------------------------------------------------------

_RUNNER = """
import resource, runpy, sys
sys.argv = ["dedup", *sys.argv[1:]]
try:
    runpy.run_module("dedup", run_name="__main__")
except SystemExit as stop:
    if stop.code:
        raise
# ru_maxrss of this process counts the benchmark's own RSS at the fork that started it (Linux
# keeps the high-water mark across exec); VmHWM is this program's alone
try:
    with open("/proc/self/status") as status:
        own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"RSS {own} {workers}", file=sys.stderr)
"""


@dataclass(frozen=True, slots=True)
class CliRun:
    """One ``dedup scan`` in a fresh process: wall time, peak RSS, and its stage split."""

    docs: int
    input_bytes: int
    seconds: float
    main_rss_kib: int
    worker_rss_kib: int
    stages: dict[str, float]

    @property
    def docs_per_second(self) -> float:
        return self.docs / self.seconds

    @property
    def mb_per_second(self) -> float:
        return self.input_bytes / 1e6 / self.seconds


def run_cli_scan(path: Path, workers: int, folder: Path, extra: Sequence[str] = ()) -> CliRun:
    """``dedup scan PATH`` as a user runs it (clusters written, summary JSON), timed;
    ``extra`` options are passed on (``--index`` …)."""
    summary = folder / "summary.json"
    command = [
        sys.executable, "-c", _RUNNER, "scan", str(path), "-o", str(folder / "clusters.jsonl"),
        "--summary-json", str(summary), "--quiet", "--workers", str(workers), *extra,
    ]  # fmt: skip
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    rss_line = next(line for line in done.stderr.splitlines() if line.startswith("RSS "))
    own, children = (int(v) for v in rss_line.split()[1:])
    stats = json.loads(summary.read_text())
    return CliRun(
        docs=stats["articles"],
        input_bytes=path.stat().st_size,
        seconds=seconds,
        main_rss_kib=own,
        worker_rss_kib=children,
        stages=stats.get("stage_seconds", {}),
    )


def median_run(path: Path, workers: int, folder: Path, repeat: int) -> CliRun:
    runs = sorted(
        (run_cli_scan(path, workers, folder) for _ in range(repeat)), key=lambda r: r.seconds
    )
    return runs[len(runs) // 2]


def datasketch_per_update(docs: list[tuple[str, str]]) -> dict[str, str]:
    """datasketch as usually wired, strictly: ``MinHash(128).update`` per word 5-gram of the
    lower-cased text, ``MinHashLSH(threshold=0.5)`` insert all then query each, union-find."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    signatures = []
    for index, (_, text) in enumerate(docs):
        minhash = MinHash(num_perm=128)
        for gram in anchors._datasketch_shingles(text):
            minhash.update(gram)
        lsh.insert(index, minhash)
        signatures.append(minhash)
    uf = anchors._UnionFind(len(docs))
    for index, minhash in enumerate(signatures):
        for other in lsh.query(minhash):
            uf.union(index, other)
    return uf.labels(docs)


def write_corpus(articles: list[Article], path: Path) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            row = {"id": a.id, "text": a.text, "title": a.title, "url": a.url, "outlet": a.outlet}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def print_cli_run(name: str, run: CliRun) -> None:
    print(
        f"  {name:<38} {run.docs:>7} {run.seconds:>8.2f} {run.docs_per_second:>9.0f} "
        f"{run.mb_per_second:>7.2f} {run.main_rss_kib / 1024:>9.0f} "
        f"{run.worker_rss_kib / 1024:>10.0f}"
    )


def stage_split(run: CliRun) -> str:
    total = sum(run.stages.values()) or 1.0
    parts = [
        f"{name} {seconds:.2f} s ({seconds / total:.0%})" for name, seconds in run.stages.items()
    ]
    return ", ".join(parts)


def serial_split(articles: list[Article], params: DedupParams) -> str:
    """The per-article stages one after another in this process, as a scan's workers run
    them (the CLI overlaps them)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    normalized = [normalize(a.text, title=a.title, pointer=a.pointer) for a in articles]
    timings["normalize"] = time.perf_counter() - started
    bodies = [n.body for n in normalized]
    started = time.perf_counter()
    sets = shingle_batch(bodies, params.shingle_size)
    timings["shingle"] = time.perf_counter() - started
    started = time.perf_counter()
    entity_batch(bodies)
    timings["names"] = time.perf_counter() - started
    started = time.perf_counter()
    signatures = sign_batch(
        sets, num_perm=params.num_perm, seed=params.seed, columns=params.bands * params.rows
    )
    band_keys(signatures, bands=params.bands, rows=params.rows)
    timings["sign and band"] = time.perf_counter() - started
    n = len(articles)
    return ", ".join(f"{k} {v / n * 1e6:.0f} µs/doc" for k, v in timings.items())


def bench_end_to_end(
    articles: list[Article], params: DedupParams, repeat: int, usual_docs: int, workers: int
) -> None:
    print()
    print("5. End to end on the same corpus, each run a fresh process (median of runs)")
    print(
        f"  {'method':<38} {'docs':>7} {'seconds':>8} {'docs/s':>9} {'MB/s':>7} "
        f"{'main MiB':>9} {'worker MiB':>10}"
    )
    with tempfile.TemporaryDirectory() as folder:
        corpus = Path(folder) / "corpus.jsonl"
        write_corpus(articles, corpus)
        runs = {w: median_run(corpus, w, Path(folder), repeat) for w in sorted({1, workers})}
    for w, run in runs.items():
        print_cli_run(f"dedup scan --workers {w}", run)
    best = runs[workers]
    subset = [(a.id, a.text) for a in articles[:usual_docs]]
    started = time.perf_counter()
    datasketch_per_update(subset)
    usual_seconds = time.perf_counter() - started
    usual_rate = len(subset) / usual_seconds
    print(
        f"  {'datasketch as usually used':<38} {len(subset):>7} {usual_seconds:>8.2f} "
        f"{usual_rate:>9.0f}   (first {len(subset)} docs; MinHash.update per 5-gram, "
        "MinHashLSH 0.5, union-find)"
    )
    print(
        f"  dedup --workers {workers} is {best.docs_per_second / usual_rate:.0f}x the datasketch "
        "pipeline's docs/s (dedup also normalizes, verifies and picks canonicals)"
    )
    print(f"  stage split, --workers {workers}: {stage_split(best)}")
    print(f"  per-article stages one after another here: {serial_split(articles, params)}")


# --- 6. scale curve -----------------------------------------------------------------------------


def bench_scale(data: Path, sizes: list[int], workers: int) -> None:
    """``dedup scan`` on simulator output of each size (generated into a temporary folder)."""
    import synth

    print()
    print(f"6. Scale curve: dedup scan --workers {workers} on GENERATED simulator output (seed 1)")
    print(
        f"  {'articles':<38} {'docs':>7} {'seconds':>8} {'docs/s':>9} {'MB/s':>7} "
        f"{'main MiB':>9} {'worker MiB':>10}"
    )
    bases = [data / name for name in ("reuters21578/articles.jsonl", "helsinki/articles.jsonl")]
    pool = synth.build_pool(synth.read_bases(bases))
    for size in sizes:
        with tempfile.TemporaryDirectory() as folder:
            corpus, gold = Path(folder) / "synth.jsonl", Path(folder) / "gold.jsonl"
            synth.write(pool, corpus, gold, articles=size, seed=1)
            run = run_cli_scan(corpus, workers, Path(folder))
        print_cli_run(f"{size:,}", run)
        print(f"    stages: {stage_split(run)}")


# --- output ---------------------------------------------------------------------------------


def header(title: str, ratio_name: str) -> None:
    print()
    print(title)
    line = (
        f"  {'method':<38} {'docs':>6} {'seconds':>8} {'docs/s':>9} {'peak MiB':>9} "
        f"{'KiB/doc':>8}  {ratio_name}"
    )
    print(line.rstrip())


def row(measured: Measurement, ratio: str) -> None:
    runs = "" if measured.runs > 1 else " (1 run)"
    line = (
        f"  {measured.name:<38} {measured.docs:>6} {measured.seconds:>8.3f} "
        f"{measured.docs_per_second:>9.0f} {measured.peak_bytes / MIB:>9.1f} "
        f"{measured.peak_bytes / 1024 / measured.docs:>8.1f}  {ratio}{runs}"
    )
    print(line.rstrip())


def speed_ratio(dedup: Measurement, other: Measurement) -> str:
    if dedup is other:
        return "1.0x (reference)"
    speed = other.seconds / dedup.seconds
    memory = other.peak_bytes / dedup.peak_bytes if dedup.peak_bytes else float("inf")
    return f"dedup {speed:.1f}x faster; {memory:.2f}x dedup's peak memory (same {dedup.docs} docs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="path to shared/data")
    parser.add_argument("--docs", type=int, default=5000, help="documents to use (default 5000)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per step (default 3)")
    parser.add_argument(
        "--slow-docs",
        type=int,
        default=200,
        help="documents for datasketch's per-update path (default 200)",
    )
    parser.add_argument(
        "--usual-docs",
        type=int,
        default=1000,
        help="documents for the datasketch-as-usually-used pipeline (default 1000)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="dedup scan --workers (default: all)",
    )
    parser.add_argument(
        "--scale",
        default="10000",
        help="comma-separated simulator sizes for the scale curve, e.g. 10000,100000 ('' = none)",
    )
    args = parser.parse_args()
    if min(args.docs, args.repeat, args.slow_docs, args.usual_docs, args.workers) < 1:
        parser.error("--docs, --repeat, --slow-docs, --usual-docs and --workers must be positive")

    params = DedupParams()
    articles, described = load_articles(args.data, args.docs)
    bodies = [normalize(a.text, title=a.title, pointer=a.pointer).body for a in articles]
    sets = shingle_batch(bodies, params.shingle_size)
    tokens = sum(len(tokenize(b)) for b in bodies)

    print("dedup speed benchmark (ratios, not assertions)")
    print(
        f"machine: {platform.system()} {platform.machine()}, os.cpu_count()={os.cpu_count()}, "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"datasketch {version('datasketch')}, xxhash {version('xxhash')}"
    )
    print(f"data: {described}")
    print(
        f"      normalized bodies: mean {tokens / len(bodies):.0f} tokens and "
        f"{sets.sizes().mean():.0f} distinct 3-gram shingles per document"
    )
    print(
        f"params: shingle_size {params.shingle_size}, num_perm {params.num_perm}, seed "
        f"{params.seed}, LSH threshold {params.lsh_threshold} -> bands x rows "
        f"{params.bands} x {params.rows}"
    )
    print(
        f"timing: best of {args.repeat} runs; memory: tracemalloc peak of one more run "
        "(Python + numpy allocations during the step, result included)"
    )

    signing, signatures = bench_signing(bodies, params, args.repeat, args.slow_docs)
    header(
        f"1. MinHash signing ({params.shingle_size}-word shingles, {params.num_perm} permutations)",
        "dedup vs this",
    )
    for measured, reference in signing:
        row(measured, speed_ratio(reference, measured))
    if args.slow_docs < len(bodies):
        print(
            f"  datasketch's per-update path runs on the first {min(args.slow_docs, len(bodies))} "
            "documents only; it is compared with dedup on those same documents"
        )
    check = min(len(bodies), 50)
    same = same_as_datasketch(bodies[:check], signatures[:check], params)
    print(
        f"  dedup signatures {'equal' if same else 'DIFFER FROM'} datasketch "
        f"MinHash(hashfunc=hash_shingle32) fed the same k-grams (first {check} documents)"
    )

    candidates, notes = bench_candidates(sets, signatures, params, args.repeat)
    header(
        f"2. Candidate pairs from the same signatures ({params.bands} bands x {params.rows} rows)",
        "dedup vs this",
    )
    row(candidates[0], speed_ratio(candidates[0], candidates[0]))
    row(candidates[1], speed_ratio(candidates[0], candidates[1]))
    for note in notes:
        print(f"  {note}")

    scanned, note = bench_pipeline(articles, params, args.repeat)
    header("3. Whole pipeline in this process (scan_articles, default workers)", "")
    row(scanned, "")
    print(f"  {note}")

    header("4. Signing against the floor (and rensa, if installed)", "")
    dedup_signing = signing[0][0]
    for measured, ratio in bench_floor(bodies, params, args.repeat, dedup_signing):
        row(measured, ratio)

    bench_end_to_end(articles, params, args.repeat, args.usual_docs, args.workers)
    sizes = [int(size) for size in args.scale.split(",") if size.strip()]
    if sizes:
        bench_scale(args.data, sizes, args.workers)
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"\nprocess peak RSS over the whole benchmark: {peak_rss:.0f} MiB")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
