"""Bytes in and out of an index: articles and evidence as JSON, arrays as little-endian.

JSON, not pickle: whoever can write to a shared Redis must not be able to run code in
our process (reliability rule 7, datasketch#320). Arrays are stored little-endian
whatever the machine, so an index moves between hosts.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

from dedup.canonical import member_of
from dedup.errors import IndexStoreError
from dedup.index.base import U64
from dedup.index.common import json_bytes
from dedup.io.schema import evidence_to_dict
from dedup.records import Article, Cluster, Evidence, Member, StrippedLine

_LITTLE_U64 = np.dtype("<u8")
_LITTLE_HOST = sys.byteorder == "little"


def array_bytes(values: U64) -> bytes:
    return np.ascontiguousarray(values, dtype=_LITTLE_U64).tobytes()


def array_of(data: bytes) -> U64:
    """A stored array: on a little-endian host a read-only view of ``data`` (no copy:
    a lookup decodes hundreds of thousands of them), elsewhere a byte-swapped copy."""
    if len(data) % 8:
        raise IndexStoreError(f"a stored array has {len(data)} bytes, not a multiple of 8")
    values = np.frombuffer(data, dtype=_LITTLE_U64)
    return values if _LITTLE_HOST else values.astype(np.uint64)


def _loads(data: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise IndexStoreError(f"a stored {what} is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise IndexStoreError(f"a stored {what} is not a JSON object")
    return value


def meta_bytes(article: Article, evidence: Evidence) -> bytes:
    """The article without its text, and its evidence."""
    return json_bytes(
        {
            "id": article.id,
            "title": article.title,
            "url": article.url,
            "outlet": article.outlet,
            "published_at": article.published_at,
            "pointer": article.pointer,
            "location": article.location,
            "evidence": evidence_to_dict(evidence),
        }
    )


def is_compilation(meta: bytes) -> bool:
    """Whether stored evidence marks a compilation, without parsing the JSON: ``meta_bytes``
    writes the flag, only when set, as exactly these bytes, which an escaped quote inside
    a string value cannot produce."""
    return b'"compilation":true' in meta


def _evidence_of(row: dict[str, Any]) -> Evidence:
    return Evidence(
        agencies=tuple(row.get("agencies", ())),
        sources=tuple(row.get("sources", ())),
        dateline=row.get("dateline"),
        pointers=tuple(row.get("pointers", ())),
        timestamps=tuple(row.get("timestamps", ())),
        syndicated=bool(row.get("syndicated", False)),
        scraper=bool(row.get("scraper", False)),
        compilation=bool(row.get("compilation", False)),
        stripped=tuple(
            StrippedLine(s["family"], s["text"], s.get("agency")) for s in row.get("stripped", ())
        ),
        kept_boilerplate=bool(row.get("kept_boilerplate", False)),
        page=tuple(row.get("page", ())),
    )


def article_of(meta: bytes) -> tuple[Article, Evidence]:
    """The article (text empty) and evidence that ``meta_bytes`` stored."""
    row = _loads(meta, "article")
    article = Article(
        id=row["id"],
        text="",
        title=row.get("title"),
        url=row.get("url"),
        outlet=row.get("outlet"),
        published_at=row.get("published_at"),
        pointer=row.get("pointer"),
        location=row.get("location", ""),
    )
    return article, _evidence_of(row.get("evidence", {}))


def cluster_bytes(cluster: Cluster) -> bytes:
    """A cluster's decision; its members' articles and evidence are stored with them."""
    return json_bytes(
        {
            "canonical_id": cluster.canonical_id,
            "origin": cluster.origin,
            "reasons": list(cluster.reasons),
            "members": [
                [m.id, m.role, m.parent_id, m.jaccard, m.containment] for m in cluster.members
            ],
        }
    )


def cluster_of(
    cluster_id: str, payload: bytes, found: dict[str, tuple[Article, Evidence]]
) -> Cluster:
    """The stored cluster with its members' articles and evidence (members no longer
    indexed, pruned say, are left out)."""
    row = _loads(payload, "cluster")
    members: list[Member] = []
    for member_id, role, parent_id, jaccard, containment in row["members"]:
        if member_id in found:
            article, evidence = found[member_id]
            members.append(member_of(article, evidence, role, parent_id, jaccard, containment))
    return Cluster(
        cluster_id=cluster_id,
        canonical_id=row["canonical_id"],
        origin=row["origin"],
        reasons=tuple(row["reasons"]),
        members=tuple(members),
    )


def member_ids(payload: bytes) -> Sequence[str]:
    return [m[0] for m in _loads(payload, "cluster")["members"]]
