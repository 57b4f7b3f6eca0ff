"""Does `dedup scan` find the real cross-outlet copies in a crawl, read as WARC and as pages?

    python benchmarks/crawl_copies.py ../shared/data [--workers 2]

Runs `dedup scan` (a fresh process each) on L3S-GN1's reconstructed WARC and on its folder
of original HTML pages, then checks every near-duplicate pair the dataset lists
(`near_dup_pairs.tsv`: word 5-gram Jaccard >= 0.5 on the human-annotated text) against the
clusters found: the Business Wire release on three sites, the Canadian Press story on a TV
station's site, the regional-network reprints. Prints time, peak RSS, and each pair.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _scan(inputs: Path, out: Path, workers: int) -> tuple[float, int, dict[str, object]]:
    summary = out.with_suffix(".summary.json")
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dedup",
            "scan",
            str(inputs),
            "-o",
            str(out),
            "--quiet",
            "--summary-json",
            str(summary),
            "--workers",
            str(workers),
        ],
        check=True,
    )
    seconds = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return seconds, peak // 1024, json.loads(summary.read_text())


def _cluster_of(clusters: Path, key: Callable[[dict[str, Any]], str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for line in clusters.read_text().splitlines():
        cluster = json.loads(line)
        for member in cluster["members"]:
            found[key(member)] = cluster["cluster_id"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", type=Path, help="the shared data folder")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    root = args.data / "l3s_gn1"
    url_of_uuid = {}
    for line in (root / "url-mapping.txt").read_text(encoding="utf-8").splitlines():
        uuid, url = line.split("\t", 1)
        url_of_uuid[uuid.strip().removeprefix("<urn:uuid:").removesuffix(">")] = url.strip()
    with (root / "near_dup_pairs.tsv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t"))
    cross = [p for p in pairs if p["outlet_a"] != p["outlet_b"]]
    warc = root / "warc_reconstructed" / "L3S-GN1-reconstructed.warc.gz"
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "WARC": (warc, lambda m: m["id"], lambda uuid: url_of_uuid[uuid]),
            "HTML folder": (
                root / "original",
                lambda m: Path(m["id"]).stem,
                lambda uuid: uuid,
            ),
        }
        for name, (inputs, member_key, gold_key) in runs.items():
            out = Path(tmp) / f"{name.split()[0].lower()}.jsonl"
            seconds, peak_mib, summary = _scan(inputs, out, args.workers)
            clusters = _cluster_of(out, member_key)
            found = 0
            print(f"\n{name}: {inputs}")
            print(
                f"  {summary['articles']} articles, {summary['rejected']} rejected, "
                f"{summary['clusters']} clusters; {seconds:.1f} s "
                f"({summary['articles'] / seconds:.1f} pages/s), peak RSS {peak_mib} MiB"
            )
            for pair in pairs:
                a, b = (gold_key(pair[k].removeprefix("l3sgn1-")) for k in ("id_a", "id_b"))
                same = a in clusters and clusters.get(a) == clusters.get(b)
                found += same and pair in cross
                mark = "found " if same else "MISSED"
                print(
                    f"  {mark} J5={pair['jaccard5']}  {pair['outlet_a']} ~ {pair['outlet_b']}"
                    f"  ({pair['title_a'][:50]})"
                )
            print(f"  cross-outlet pairs found: {found} of {len(cross)}")


if __name__ == "__main__":
    main()
