"""What a commit and a prune queue inside the store's MULTI/EXEC: every key a document
touches, added and removed side by side (the key layout is in ``dedup.index.redis``).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from dedup.index.base import U64, CommitBatch
from dedup.index.codec import array_of
from dedup.index.common import json_bytes
from dedup.index.redis_bands import hex_names
from dedup.index.redis_values import as_text, doc_mapping

#: ``RedisStore._key``: a key name with the index's prefix
Key = Callable[[str], str]
#: ``RedisStore._queue_bands``: queue SADD or SREM of documents to band sets
QueueBands = Callable[[redis.client.Pipeline, str, str, list[int]], None]
#: id, cluster, run, keys of a ``doc:{n}`` hash (None where missing)
DocRow = list[bytes | None]


def queue_commit(
    pipe: redis.client.Pipeline,
    key: Key,
    bands: QueueBands,
    batch: CommitBatch,
    keys: list[U64],
    count: int,
) -> None:
    """Queue the batch's articles as documents ``count + 1`` on, with ``keys`` their
    band keys, its clusters, moves and run marker, and the new count."""
    names: list[str] = []
    owners: list[int] = []
    members: dict[str, list[int]] = {}
    published: dict[str, float] = {}
    ingested: dict[str, float] = {}
    numbers: dict[str, int] = {}
    for offset, (article, article_keys) in enumerate(zip(batch.articles, keys, strict=True)):
        doc = count + 1 + offset
        pipe.hset(key(f"doc:{doc}"), mapping=doc_mapping(article, article_keys))
        names.append(hex_names(article_keys))
        owners.extend([doc] * len(article_keys))
        members.setdefault(article.cluster_id, []).append(doc)
        published[str(doc)] = article.window_time("published")
        ingested[str(doc)] = float(article.ingested)
        numbers[article.article_id] = doc
    bands(pipe, "SADD", "".join(names), owners)
    for cluster_id, docs in members.items():
        pipe.sadd(key(f"members:{cluster_id}"), *docs)
    if numbers:
        pipe.hset(key("ids"), mapping={k: v for k, v in numbers.items()})
        pipe.zadd(key("time:published"), published)
        pipe.zadd(key("time:ingested"), ingested)
        pipe.zadd(key(f"rundocs:{batch.run_id}"), {str(doc): doc for doc in numbers.values()})
        pipe.incrby(key("entries"), sum(len(k) for k in keys))
    for cluster in batch.clusters:
        pipe.hset(
            key(f"cluster:{cluster.cluster_id}"),
            mapping={"canonical": cluster.canonical_id, "payload": cluster.payload},
        )
        pipe.sadd(key("clusters"), cluster.cluster_id)
    if batch.moves:
        pipe.rpush(
            key(f"moves:{batch.run_id}"),
            *[json_bytes([m.cluster_id, m.previous, m.current]) for m in batch.moves],
        )
    run = key(f"run:{batch.run_id}")
    pipe.hsetnx(run, "started", repr(time.time()))
    pipe.hset(run, mapping={"records_done": batch.records_done, "finished": int(batch.finished)})
    pipe.sadd(key("runs"), batch.run_id)
    pipe.set(key("count"), count + len(numbers))


def prune_reads(r: redis.Redis, key: Key, docs: list[int]) -> tuple[list[DocRow], list[str]]:
    """What pruning these documents needs, read before its transaction: each one's
    ``DocRow``, and the clusters it empties."""
    with r.pipeline(transaction=False) as pipe:
        for doc in docs:
            pipe.hmget(key(f"doc:{doc}"), ["id", "cluster", "run", "keys"])
        rows: list[DocRow] = pipe.execute()
    gone: dict[str, int] = {}
    for _, cluster, _, _ in rows:
        if cluster is not None:
            name = as_text(cluster, "a document's cluster")
            gone[name] = gone.get(name, 0) + 1
    clusters = list(gone)
    with r.pipeline(transaction=False) as pipe:
        for cluster_id in clusters:
            pipe.scard(key(f"members:{cluster_id}"))
        sizes = dict(zip(clusters, pipe.execute(), strict=True))
    return rows, [c for c, size in sizes.items() if int(size) <= gone[c]]


def queue_prune(
    pipe: redis.client.Pipeline,
    key: Key,
    bands: QueueBands,
    docs: list[int],
    rows: list[DocRow],
    emptied: list[str],
    count: int,
) -> None:
    """Queue the removal of these documents (``rows`` as ``prune_reads`` read them), of
    their band entries, and of the ``emptied`` clusters; the count is set unchanged."""
    names: list[str] = []
    owners: list[int] = []
    for doc, (article_id, cluster, run, keys) in zip(docs, rows, strict=True):
        pipe.delete(key(f"doc:{doc}"))
        pipe.zrem(key("time:published"), doc)
        pipe.zrem(key("time:ingested"), doc)
        if article_id is not None:
            pipe.hdel(key("ids"), article_id)
        if run is not None:
            pipe.zrem(key(f"rundocs:{as_text(run, 'a run id')}"), doc)
        if cluster is not None:
            pipe.srem(key(f"members:{as_text(cluster, 'a cluster id')}"), doc)
        band_keys = array_of(keys or b"")
        names.append(hex_names(band_keys))
        owners.extend([doc] * len(band_keys))
    bands(pipe, "SREM", "".join(names), owners)
    for cluster_id in emptied:
        pipe.delete(key(f"cluster:{cluster_id}"))
        pipe.srem(key("clusters"), cluster_id)
    pipe.decrby(key("entries"), len(owners))
    pipe.set(key("count"), count)  # touches the watched count
