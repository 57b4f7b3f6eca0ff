"""The consistency scan behind ``RedisStore.problems()`` (``dedup index check``): it reads
every key of an index once, far more than a run does, so it lives apart from the store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np

from dedup.errors import IndexStoreError, IndexUnavailableError
from dedup.index.base import I64, U64
from dedup.index.codec import array_of
from dedup.index.common import chunks, manifest_of
from dedup.index.redis_bands import hex_names
from dedup.index.redis_client import StoreHandle
from dedup.index.redis_values import (
    ARRAY_FIELDS,
    as_bytes,
    as_number,
    as_seconds,
    as_text,
    doc_numbers,
)


class _Doc(NamedTuple):
    """What the checker keeps of a document."""

    article_id: str
    cluster_id: str
    run_id: str
    keys: U64
    published: float  # the window time by publication
    ingested: float


_HEX16 = re.compile(r"[0-9a-f]{16}")


class Checker:
    """The consistency scan behind ``problems()``: two SCANs of the keyspace and every
    entry read once (band sets through ``READ_BANDS``), so it is for ``dedup index
    check``, not for every run. Each kind of problem is listed up to ``cap`` times."""

    cap = 20

    def __init__(self, store: StoreHandle) -> None:
        self.store, self.r = store, store._r
        self.found: list[str] = []
        self.counts: dict[str, int] = {}

    def add(self, kind: str, message: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] <= self.cap:
            self.found.append(message)

    def keys(self, pattern: str) -> Iterator[str]:
        """The names after ``{prefix}:`` of this index's keys matching ``pattern``."""
        head = len(self.store.prefix) + 1
        for key in self.r.scan_iter(match=f"{self.store.prefix}:{pattern}", count=5000):
            yield bytes(key)[head:].decode(errors="replace")

    def run(self) -> list[str]:
        families: dict[str, list[str]] = {}
        for name in self.keys("[^b]*"):  # all but the band sets, which are streamed
            family, _, rest = name.partition(":")
            if rest:
                families.setdefault(family, []).append(rest)
        raw = self.r.get(self.store._key("manifest"))
        if raw is not None:
            try:
                manifest_of(raw, self.store.location)
            except IndexStoreError as exc:
                self.add("manifest", str(exc))
        try:
            count = as_number(self.r.get(self.store._key("count")) or 0, "the count")
        except IndexStoreError as exc:
            self.add("count", str(exc))
            count = 0
        docs = self.documents(families.get("doc", []))
        if raw is None and docs:
            self.add("manifest", f"no manifest, but {len(docs)} documents")
        if docs and max(docs) > count:
            self.add("count", f"the count is {count} but document {max(docs)} exists")
        self.check_ids(docs)
        self.check_bands(docs)
        self.check_clusters(docs, set(families.get("cluster", [])), families.get("members", []))
        self.check_times(docs)
        self.check_runs(docs, families.get("rundocs", []))
        for kind, seen in self.counts.items():
            if seen > self.cap:
                self.found.append(f"… and {seen - self.cap} more problems of kind '{kind}'")
        return self.found

    def documents(self, names: list[str]) -> dict[int, _Doc]:
        numbers: list[int] = []
        for name in names:
            if name.isdigit():
                numbers.append(int(name))
            else:
                self.add("doc", f"a document key has no number: doc:{name}")
        docs: dict[int, _Doc] = {}
        fields = ["id", "cluster", "run", "ingested", "published", "keys"]
        for part in chunks(sorted(numbers), 1_000):
            with self.r.pipeline(transaction=False) as pipe:
                for doc in part:
                    key = self.store._key(f"doc:{doc}")
                    pipe.hmget(key, fields)
                    for array in ("meta", *ARRAY_FIELDS):
                        pipe.hstrlen(key, array)
                replies = pipe.execute(raise_on_error=False)
            for offset, doc in enumerate(part):
                values, *sizes = replies[4 * offset : 4 * offset + 4]
                try:
                    docs[doc] = self.document(doc, values, sizes)
                except IndexStoreError as exc:
                    self.add("doc", str(exc))
        return docs

    @staticmethod
    def document(doc: int, values: object, sizes: list[object]) -> _Doc:
        what = f"document {doc}"
        if not isinstance(values, list) or any(isinstance(n, Exception) for n in sizes):
            raise IndexStoreError(f"{what} is not a hash")
        article_id, cluster, run, ingested, published, keys = values
        if sizes[0] == 0 or any(as_number(n, what) % 8 for n in sizes[1:]):
            raise IndexStoreError(f"{what} is damaged: no meta, or an array cut short")
        window = as_seconds(ingested, f"{what}'s ingest time")
        return _Doc(
            as_text(article_id, f"{what}'s id"),
            as_text(cluster, f"{what}'s cluster"),
            as_text(run, f"{what}'s run"),
            array_of(as_bytes(keys) or b""),
            as_seconds(published, f"{what}'s publication time") if published else window,
            window,
        )

    def check_ids(self, docs: dict[int, _Doc]) -> None:
        ids: dict[str, int] = {}
        for field, value in self.r.hscan_iter(self.store._key("ids"), count=5000):
            name = bytes(field).decode(errors="replace")
            try:
                ids[name] = as_number(value, f"ids[{name}]")
            except IndexStoreError as exc:
                self.add("ids", str(exc))
        for doc, row in docs.items():
            if ids.get(row.article_id) != doc:
                self.add("ids", f"document {doc} ({row.article_id}) is not in the ids hash")
        for article_id, doc in ids.items():
            if doc not in docs:
                self.add("ids", f"ids names document {doc} for {article_id}; it does not exist")

    def band_members(self, names: str) -> tuple[I64, I64] | None:
        try:
            with self.store._guard():
                return self.store._band_members(names)
        except IndexUnavailableError:
            raise
        except IndexStoreError as exc:
            self.add("band", str(exc))
            return None

    def check_bands(self, docs: dict[int, _Doc]) -> None:
        # every document is in each of its band sets …
        present = 0
        for part in chunks(list(docs), 2_000):
            owners = np.repeat(np.array(part, np.int64), [len(docs[d].keys) for d in part])
            found = self.band_members("".join(hex_names(docs[d].keys) for d in part))
            if found is None:
                continue
            counts, members = found
            entry = np.repeat(np.arange(owners.size), counts)
            held = np.zeros(owners.size, np.bool_)
            held[entry[members == owners[entry]]] = True
            present += int(held.sum())
            lost, times = np.unique(owners[~held], return_counts=True)
            for doc, n in zip(lost.tolist(), times.tolist(), strict=True):
                self.add(
                    "band", f"document {doc} ({docs[doc].article_id}) is missing from {n} band sets"
                )
        # … and the band sets name nothing else
        known = np.array(sorted(docs), np.int64)
        total = unknown = 0
        names: list[str] = []

        def check(names: list[str]) -> None:
            nonlocal total, unknown
            found = self.band_members("".join(names))
            if found is None:
                return
            counts, members = found
            total += int(members.size)
            stray = np.flatnonzero(~np.isin(members, known))
            entry = np.repeat(np.arange(len(names)), counts)
            for at in stray.tolist():
                self.add("band", f"band:{names[entry[at]]} names unknown document {members[at]}")
            unknown += int(stray.size)

        for name in self.keys("band:*"):
            suffix = name[len("band:") :]
            if _HEX16.fullmatch(suffix):
                names.append(suffix)
            else:
                self.add("band", f"a band key is not 16 hex digits: {name}")
            if len(names) >= 20_000:
                check(names)
                names = []
        check(names)
        if total - unknown > present:
            extra = total - unknown - present
            self.add("band", f"{extra} band entries name a document without that key")
        entries = self.r.get(self.store._key("entries"))
        if as_number(entries or 0, "the entry count") != total:
            self.add("band", f"the entry count says {entries!r}, the band sets hold {total}")

    def check_clusters(self, docs: dict[int, _Doc], stored: set[str], members: list[str]) -> None:
        listed = {
            as_text(as_bytes(c), "a cluster id")
            for c in self.r.smembers(self.store._key("clusters"))
        }
        for cluster_id in sorted(stored - listed):
            self.add("cluster", f"cluster {cluster_id} is stored but not listed")
        for cluster_id in sorted(listed - stored):
            self.add("cluster", f"cluster {cluster_id} is listed but not stored")
        placed: set[tuple[str, int]] = set()
        for part in chunks(members, self.store.chunk):
            with self.r.pipeline(transaction=False) as pipe:
                for cluster_id in part:
                    pipe.smembers(self.store._key(f"members:{cluster_id}"))
                replies = pipe.execute()
            for cluster_id, found in zip(part, replies, strict=True):
                for doc in doc_numbers(found, f"members:{cluster_id}").tolist():
                    placed.add((cluster_id, doc))
                    if doc not in docs or docs[doc].cluster_id != cluster_id:
                        self.add(
                            "cluster", f"members:{cluster_id} names document {doc}, not its own"
                        )
        have = {cluster_id for cluster_id, _ in placed}
        for cluster_id in sorted(listed - have):
            self.add("cluster", f"cluster {cluster_id} has no members")
        for doc, row in docs.items():
            if (row.cluster_id, doc) not in placed:
                self.add(
                    "cluster",
                    f"document {doc} ({row.article_id}) is not in members:{row.cluster_id}",
                )

    def check_times(self, docs: dict[int, _Doc]) -> None:
        for by in ("published", "ingested"):
            scores = {
                as_number(doc, "a time entry"): float(score)
                for doc, score in self.r.zscan_iter(self.store._key(f"time:{by}"), count=5000)
            }
            for doc, row in docs.items():
                if scores.pop(doc, None) != getattr(row, by):
                    self.add("time", f"document {doc} has no or a wrong time:{by} entry")
            for doc in sorted(scores):
                self.add("time", f"time:{by} names unknown document {doc}")

    def check_runs(self, docs: dict[int, _Doc], rundocs: list[str]) -> None:
        runs = {as_text(as_bytes(r), "a run id") for r in self.r.smembers(self.store._key("runs"))}
        added: set[tuple[str, int]] = set()
        for run_id in rundocs:
            for entry in self.r.zrange(self.store._key(f"rundocs:{run_id}"), 0, -1):
                number = as_number(entry, f"rundocs:{run_id}")
                added.add((run_id, number))
                if number not in docs:
                    self.add("run", f"rundocs:{run_id} names unknown document {number}")
        for doc, row in docs.items():
            if (row.run_id, doc) not in added:
                self.add("run", f"document {doc} ({row.article_id}) is not in rundocs:{row.run_id}")
            if row.run_id not in runs:
                self.add("run", f"run {row.run_id} of document {doc} is not in the runs set")
                runs.add(row.run_id)
