"""Values in and out of the Redis index, shared by its modules: replies checked as they
are read (the client never decodes), JSON, the manifest, and a document's hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dedup.errors import IndexStoreError
from dedup.index.base import I64, NO_KEYS, U64, IndexedArticle
from dedup.index.codec import array_bytes, array_of

if TYPE_CHECKING:
    from redis.typing import EncodableT, FieldT

#: the fields of ``doc:{n}`` besides ``keys``: text and numbers, then arrays
DOC_FIELDS = (b"id", b"cluster", b"run", b"ingested", b"published", b"meta")
ARRAY_FIELDS = (b"shingles", b"entities")


def as_text(raw: object, what: str) -> str:
    if isinstance(raw, bytes):
        try:
            return raw.decode()
        except UnicodeDecodeError as exc:
            raise IndexStoreError(f"{what} is not UTF-8 text") from exc
    raise IndexStoreError(f"{what} is missing")


def as_number(raw: object, what: str) -> int:
    try:
        if isinstance(raw, bytes | str | int):
            return int(raw)
    except ValueError:
        pass
    raise IndexStoreError(f"{what} is not a number: {raw!r:.60}")


def as_seconds(raw: object, what: str) -> float:
    try:
        if isinstance(raw, bytes | str | int | float):
            return float(raw)
    except ValueError:
        pass
    raise IndexStoreError(f"{what} is not a time: {raw!r:.60}")


def as_bytes(value: object) -> bytes | None:
    """A reply as bytes (the client never decodes: ``decode_responses=False``)."""
    if value is None or isinstance(value, bytes):
        return value
    return str(value).encode()


def doc_numbers(members: Any, where: str) -> I64:
    """The members of a set of document numbers, sorted."""
    try:
        return np.array(sorted(int(m) for m in members), np.int64)
    except (TypeError, ValueError) as exc:
        raise IndexStoreError(f"{where} holds something that is not a document number") from exc


def doc_mapping(article: IndexedArticle, keys: U64) -> dict[FieldT, EncodableT]:
    """The ``doc:{n}`` hash of an article whose band keys are ``keys``."""
    return {
        "id": article.article_id,
        "cluster": article.cluster_id,
        "run": article.run_id,
        "ingested": repr(float(article.ingested)),
        "published": b"" if article.published is None else repr(article.published),
        "meta": article.meta,
        "shingles": array_bytes(article.shingles),
        "entities": array_bytes(article.entities),
        "keys": array_bytes(keys),
    }


def without_sets(values: Sequence[bytes | None]) -> dict[bytes, bytes]:
    """An ``HMGET`` of ``DOC_FIELDS`` as the hash ``doc_article`` reads, its sets empty;
    nothing where the document is gone."""
    if all(value is None for value in values):
        return {}
    row = {f: v for f, v in zip(DOC_FIELDS, values, strict=True) if v is not None}
    return row | {f: b"" for f in ARRAY_FIELDS}


def doc_article(doc: int, row: dict[bytes, bytes], location: str) -> IndexedArticle:
    """The article of a ``doc:{n}`` hash (its band keys left out: no read needs them)."""
    what = f"document {doc} of {location}"
    missing = [f.decode() for f in (*DOC_FIELDS, *ARRAY_FIELDS) if f not in row]
    if missing:
        raise IndexStoreError(f"{what} is damaged: no {', '.join(missing)}")
    try:
        shingles, entities = (array_of(row[f]) for f in ARRAY_FIELDS)
    except IndexStoreError as exc:
        raise IndexStoreError(f"{what} is damaged: {exc}") from exc
    return IndexedArticle(
        article_id=as_text(row[b"id"], f"{what}'s id"),
        cluster_id=as_text(row[b"cluster"], f"{what}'s cluster"),
        run_id=as_text(row[b"run"], f"{what}'s run"),
        ingested=as_seconds(row[b"ingested"], f"{what}'s ingest time"),
        published=as_seconds(row[b"published"], what) if row[b"published"] else None,
        meta=bytes(row[b"meta"]),
        shingles=shingles,
        entities=entities,
        index_keys=NO_KEYS,
        doc=doc,
    )
