"""Clustering quality on real syndicated news: ARI and pairwise P/R/F1 on helsinki's labels.

Usage: python benchmarks/quality.py PATH_TO_SHARED_DATA [--baseline]

Reads ``helsinki/articles.jsonl`` (outlet in ``source``, scrape time in ``date``) and scores
on the ids of ``helsinki/dev_clusters.jsonl`` only. ``--baseline`` adds datasketch used the
usual way (MinHashLSH over raw text, 5-gram shingles, threshold 0.5, connected components) in
the same run, for comparison.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from dedup.evaluate import Scores, score_clusters
from dedup.io.fields import FieldMap
from dedup.params import DedupParams
from dedup.pipeline import ScanResult, scan

HELSINKI_FIELDS = FieldMap(outlet="source", published_at="date")


def load_labels(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def canonical_agreement(labels: list[dict[str, Any]], result: ScanResult) -> str:
    """How often the gold canonical is ours, and the gold wire origin is ours, per cluster."""
    canonical_hits = canonical_total = origin_hits = origin_total = 0
    for row in labels:
        if len(row["ids"]) < 2 or not row["canonical_id"]:
            continue
        placed = result.assignment(row["canonical_id"])
        canonical_total += 1
        canonical_hits += placed.canonical_id == row["canonical_id"]
        if row["origin"] in WIRES:
            cluster = next((c for c in result.clusters if c.cluster_id == placed.cluster_id), None)
            origin_total += 1
            origin_hits += cluster is not None and cluster.origin == row["origin"]
    return (
        f"canonical = gold canonical in {canonical_hits} of {canonical_total} labelled clusters; "
        f"wire origin right in {origin_hits} of {origin_total}"
    )


WIRES = {"AP", "Reuters", "AFP", "Bloomberg"}


def datasketch_baseline(articles_path: Path) -> dict[str, str]:
    """datasketch as most people use it: raw text, MinHash per doc, MinHashLSH, union-find."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    signatures: dict[str, MinHash] = {}
    with articles_path.open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            words = row["text"].lower().split()
            minhash = MinHash(num_perm=128)
            for i in range(max(len(words) - 4, 1)):
                minhash.update(" ".join(words[i : i + 5]).encode("utf-8"))
            lsh.insert(row["id"], minhash)
            signatures[row["id"]] = minhash
    parent = {i: i for i in signatures}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for article_id, minhash in signatures.items():
        for other in lsh.query(minhash):
            parent[find(other)] = find(article_id)
    return {i: find(i) for i in signatures}


def show(name: str, scores: Scores, seconds: float) -> None:
    print(
        f"{name:<28} ARI {scores.ari:.3f}  pairwise P {scores.precision:.3f} "
        f"R {scores.recall:.3f} F1 {scores.f1:.3f}  "
        f"({scores.predicted_pairs} predicted / {scores.true_pairs} true pairs, {seconds:.2f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="path to shared/data")
    parser.add_argument("--baseline", action="store_true", help="also score datasketch's usual use")
    args = parser.parse_args()
    articles = args.data / "helsinki" / "articles.jsonl"
    labels = load_labels(args.data / "helsinki" / "dev_clusters.jsonl")
    gold = {i: row["cluster_id"] for row in labels for i in row["ids"]}
    print(f"helsinki: {len(gold)} labelled ids of {sum(1 for _ in articles.open())} articles")
    started = time.perf_counter()
    result = scan([articles], DedupParams(), fields=HELSINKI_FIELDS)
    predicted = {i: result.assignment(i).cluster_id for i in gold}
    show("dedup", score_clusters(gold, predicted), time.perf_counter() - started)
    print(f"{'':<28} {canonical_agreement(labels, result)}")
    if args.baseline:
        started = time.perf_counter()
        baseline = datasketch_baseline(articles)
        show(
            "datasketch MinHashLSH@0.5",
            score_clusters(gold, baseline),
            time.perf_counter() - started,
        )


if __name__ == "__main__":
    main()
