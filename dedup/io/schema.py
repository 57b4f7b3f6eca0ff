"""The JSON shape of clusters and evidence in ``clusters.jsonl`` (documented in the README)."""

from __future__ import annotations

from typing import Any

from dedup.evaluate import Evaluation
from dedup.params import DedupParams
from dedup.records import Cluster, Evidence, Member, Reuse, RunStats

SCHEMA_VERSION = 1


def evidence_to_dict(evidence: Evidence) -> dict[str, Any]:
    """Evidence as JSON: only what was found, so rows stay short."""
    row: dict[str, Any] = {}
    if evidence.agencies:
        row["agencies"] = list(evidence.agencies)
    if evidence.sources:
        row["sources"] = list(evidence.sources)
    if evidence.dateline:
        row["dateline"] = evidence.dateline
    if evidence.pointers:
        row["pointers"] = list(evidence.pointers)
    if evidence.timestamps:
        row["timestamps"] = list(evidence.timestamps)
    if evidence.syndicated:
        row["syndicated"] = True
    if evidence.scraper:
        row["scraper"] = True
    if evidence.compilation:
        row["compilation"] = True
    if evidence.kept_boilerplate:
        row["kept_boilerplate"] = True
    if evidence.page:
        row["page"] = list(evidence.page)
    if evidence.stripped:
        row["stripped"] = [
            {"family": s.family, "text": s.text} | ({"agency": s.agency} if s.agency else {})
            for s in evidence.stripped
        ]
    return row


def reuse_summary(reuse: Reuse) -> str:
    """In words: "paragraphs 3-9, 11 of the canonical's 12; 412 of 430 words"."""
    spans = ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in reuse.paragraphs)
    noun = (
        "paragraph"
        if len(reuse.paragraphs) == 1 and reuse.paragraphs[0][0] == reuse.paragraphs[0][1]
        else "paragraphs"
    )
    where = (
        f"{noun} {spans} of the canonical's {reuse.source_paragraphs}" if spans else "no passage"
    )
    return f"{where}; {reuse.shared_words} of {reuse.words} words"


def reuse_to_dict(reuse: Reuse) -> dict[str, Any]:
    """Word offsets are into each text's normalized body (``dedup explain`` shows them)."""
    return {
        "summary": reuse_summary(reuse),
        "shared_words": reuse.shared_words,
        "words": reuse.words,
        "canonical_paragraphs": [list(r) for r in reuse.paragraphs],
        "canonical_paragraph_count": reuse.source_paragraphs,
        "passages": [
            {
                "canonical_words": [p.source_start, p.source_end],
                "member_words": [p.copy_start, p.copy_end],
            }
            for p in reuse.passages
        ],
    }


def member_to_dict(member: Member) -> dict[str, Any]:
    row = {
        "id": member.id,
        "url": member.url,
        "outlet": member.outlet,
        "published_at": member.published_at,
        "role": member.role,
        "parent_id": member.parent_id,
        "jaccard": member.jaccard,
        "containment": member.containment,
        "evidence": evidence_to_dict(member.evidence),
    }
    if member.reuse is not None:
        row["reuse"] = reuse_to_dict(member.reuse)
    return row


def cluster_to_dict(cluster: Cluster, *, params_fingerprint: str) -> dict[str, Any]:
    return {
        "cluster_id": cluster.cluster_id,
        "size": cluster.size,
        "canonical_id": cluster.canonical_id,
        "origin": cluster.origin,
        "reasons": list(cluster.reasons),
        "members": [member_to_dict(m) for m in cluster.members],
        "schema_version": SCHEMA_VERSION,
        "params": params_fingerprint,
    }


def stats_to_dict(stats: RunStats, *, params: DedupParams) -> dict[str, Any]:
    """The run's counters, and the LSH settings a report draws the S-curve of."""
    return {
        "schema_version": SCHEMA_VERSION,
        "params": params.fingerprint(),
        "lsh": {"bands": params.bands, "rows": params.rows, "num_perm": params.num_perm},
        "records_read": stats.records_read,
        "articles": stats.articles,
        "rejected": stats.rejected,
        "too_short": stats.too_short,
        "truncated": stats.truncated,
        "boilerplate_kept": stats.boilerplate_kept,
        "candidate_pairs": stats.candidate_pairs,
        "verified_pairs": stats.verified_pairs,
        "clusters": stats.clusters,
        "clustered_articles": stats.clustered_articles,
        "singletons": stats.singletons,
        "largest_cluster": stats.largest_cluster,
        "seconds": stats.seconds,
        "stage_seconds": dict(stats.stage_seconds),
        "warnings": list(stats.warnings),
    }


def evaluation_to_dict(result: Evaluation) -> dict[str, Any]:
    s = result.scores
    return {
        "ids": s.ids,
        "ari": round(s.ari, 4),
        "pairwise": {
            "precision": round(s.precision, 4),
            "recall": round(s.recall, 4),
            "f1": round(s.f1, 4),
            "true_pairs": s.true_pairs,
            "predicted_pairs": s.predicted_pairs,
        },
        "bcubed": {
            "precision": round(s.bcubed_precision, 4),
            "recall": round(s.bcubed_recall, 4),
            "f1": round(s.bcubed_f1, 4),
        },
        "origin": {"hits": result.origin_hits, "total": result.origin_total},
        "canonical": {"hits": result.canonical_hits, "total": result.canonical_total},
    }
