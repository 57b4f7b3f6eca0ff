"""Reading gold labels and predictions for ``dedup eval``.

Gold, JSON Lines, one of two layouts (detected per line):
- clusters: ``{"cluster_id", "ids": [...], "origin"?, "canonical_id"?,
  "canonical_alternatives"?: [...]}`` (our own format, the helsinki labels', the simulator's);
- articles: one record per article with an id field and a cluster field, as NEWS-COPY is
  usually distributed (``{"idx": 17, "cluster": 4, ...}``).

Predictions: our ``clusters.jsonl`` (lines with ``members``) or an ``--annotate`` output
(records with ``cluster_id``). Labels must be exact, so a malformed line is an error naming
the file and line, not a skipped record.
"""

from __future__ import annotations

import gzip
import json
import os
from collections import defaultdict
from collections.abc import Iterator
from typing import Any, TextIO

from dedup.errors import InputError
from dedup.records import GoldCluster, Prediction

PathLike = str | os.PathLike[str]


def _open_text(path: PathLike) -> TextIO:
    try:
        if os.fspath(path).endswith(".gz"):
            return gzip.open(path, "rt", encoding="utf-8")
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read '{os.fspath(path)}': {exc.strerror or exc}") from exc


def _rows(path: PathLike) -> Iterator[tuple[int, dict[str, Any]]]:
    name = os.fspath(path)
    with _open_text(path) as handle:
        try:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError as exc:
                    raise InputError(f"{name}:{number}: invalid JSON: {exc}") from exc
                if not isinstance(row, dict):
                    raise InputError(f"{name}:{number}: not a JSON object")
                yield number, row
        except (OSError, EOFError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot read '{name}': {exc}") from exc


def _text(value: object) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def _texts(values: object) -> tuple[str, ...]:
    if not isinstance(values, list):
        return ()
    return tuple(t for t in map(_text, values) if t is not None)


def read_gold(
    path: PathLike, *, id_field: str = "id", cluster_field: str = "cluster"
) -> list[GoldCluster]:
    """Gold clusters from either layout; articles-layout rows fall back to ``idx`` for ids."""
    name = os.fspath(path)
    clusters: list[GoldCluster] = []
    grouped: dict[str, list[str]] = defaultdict(list)
    for number, row in _rows(path):
        if isinstance(row.get("ids"), list):
            clusters.append(
                GoldCluster(
                    _text(row.get("cluster_id")) or f"{name}:{number}",
                    _texts(row["ids"]),
                    _text(row.get("origin")),
                    _text(row.get("canonical_id")),
                    _texts(row.get("canonical_alternatives")),
                )
            )
            continue
        article_id = _text(row.get(id_field)) or _text(row.get("idx"))
        label = _text(row.get(cluster_field))
        if article_id is None or label is None:
            raise InputError(
                f'{name}:{number}: neither a cluster ("ids") nor an article with '
                f"'{id_field}' and '{cluster_field}' fields"
            )
        grouped[label].append(article_id)
    clusters.extend(GoldCluster(label, tuple(ids)) for label, ids in grouped.items())
    seen: set[str] = set()
    for cluster in clusters:
        for article_id in cluster.ids:
            if article_id in seen:
                raise InputError(f"{name}: id '{article_id}' is labelled in two clusters")
            seen.add(article_id)
    if not seen:
        raise InputError(f"{name}: no labelled ids")
    return clusters


def read_prediction(path: PathLike, *, id_field: str = "id") -> Prediction:
    """A prediction from our clusters output or from an annotated dump."""
    name = os.fspath(path)
    cluster_of: dict[str, str] = {}
    canonical_of: dict[str, str] = {}
    origin_of: dict[str, str | None] = {}
    for number, row in _rows(path):
        cluster_id = _text(row.get("cluster_id"))
        if cluster_id is None:
            raise InputError(f"{name}:{number}: no 'cluster_id': not a dedup output")
        canonical = _text(row.get("canonical_id"))
        if isinstance(row.get("members"), list):
            origin_of[cluster_id] = _text(row.get("origin"))
            for member in row["members"]:
                member_id = _text(member.get("id")) if isinstance(member, dict) else None
                if member_id is None:
                    raise InputError(f"{name}:{number}: a member without an id")
                cluster_of[member_id] = cluster_id
                canonical_of[member_id] = canonical or member_id
            continue
        article_id = _text(row.get(id_field))
        if article_id is None:
            raise InputError(f"{name}:{number}: no '{id_field}' field")
        cluster_of[article_id] = cluster_id
        canonical_of[article_id] = canonical or article_id
    return Prediction(cluster_of, canonical_of, origin_of)
