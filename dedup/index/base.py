"""What a persistent index stores, and the ``IndexStore`` protocol every backend meets.

The index is deliberately dumb: it keeps bytes, numbers and short strings, assigns each
article a document number, and answers "which documents share one of these band keys".
Every decision (what is a copy, which cluster, which canonical) is made above it, in
``dedup.incremental``; the store only has to commit a batch of those decisions whole or
not at all (reliability rule 2), keep one writer at a time (rule 3) and know the
parameters its data was made with (rule 4).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]

#: version of the stored layout; a store refuses data written by a newer one
SCHEMA_VERSION = 1

WindowBy = Literal["published", "ingested"]


@dataclass(frozen=True, slots=True)
class Manifest:
    """The settings every stored signature and decision depends on.

    ``params`` is ``DedupParams`` as a dict plus the hash scheme; ``epoch`` is a random
    token chosen when the index is created, so a client can tell "the same index" from
    "an empty server that forgot it" (Redis without persistence).
    """

    schema_version: int
    fingerprint: str
    params: dict[str, object]
    created: str
    epoch: str


#: the band keys of an article read back (``articles()`` returns none), shared read-only
NO_KEYS: U64 = np.zeros(0, np.uint64)
NO_KEYS.setflags(write=False)


@dataclass(frozen=True, slots=True)
class IndexedArticle:
    """One article as the index holds it.

    ``doc`` is the store's document number (0 on the way in: the store assigns numbers
    in commit order, 1, 2, 3, …); ``meta`` is the article without its text and its
    evidence, as JSON bytes (``dedup.index.codec``); ``index_keys`` are its band keys
    made distinct per band (``minhash.index_keys``), only on the way in: ``articles()``
    returns them empty. Times are seconds since the epoch; ``published`` may be unknown.
    """

    article_id: str
    cluster_id: str
    run_id: str
    ingested: float
    published: float | None
    meta: bytes
    shingles: U64
    entities: U64
    index_keys: U64 = field(default_factory=lambda: np.zeros(0, np.uint64))
    doc: int = 0

    def window_time(self, by: WindowBy) -> float:
        """The time a window is measured on: the publish time when known, else ingest."""
        if by == "published" and self.published is not None:
            return self.published
        return self.ingested


@dataclass(frozen=True, slots=True)
class StoredCluster:
    """A cluster's current decision: canonical, origin, reasons and its members' roles,
    as JSON bytes (``dedup.index.codec``). Membership itself lives on the articles
    (``IndexedArticle.cluster_id``), so it cannot disagree with them."""

    cluster_id: str
    canonical_id: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class CanonicalMove:
    """A cluster whose canonical changed in a run (a better source arrived)."""

    cluster_id: str
    previous: str
    current: str


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run as the index remembers it: when it first started (its ingest time, kept
    on resume so the resumed run decides the same), how many input records it has
    committed, and whether it finished."""

    run_id: str
    started: float
    records_done: int = 0
    finished: bool = False


@dataclass(frozen=True, slots=True)
class CommitBatch:
    """Everything one batch changes, committed in one transaction with its marker."""

    run_id: str
    #: input records (valid or rejected) consumed once this batch is in: the resume point
    records_done: int
    articles: Sequence[IndexedArticle]
    #: clusters created or changed by the batch, stored whole (upsert)
    clusters: Sequence[StoredCluster]
    moves: Sequence[CanonicalMove] = ()
    finished: bool = False


@dataclass(frozen=True, slots=True)
class IndexStats:
    """Counts for ``dedup index stats``."""

    articles: int
    clusters: int
    band_entries: int
    runs: int
    oldest: float | None
    newest: float | None
    bytes_on_disk: int | None
    manifest: Manifest | None


class IndexStore(Protocol):
    """A persistent index backend (``sqlite``, ``redis``).

    Reads may happen while another process writes; writes need ``writer()`` held.
    Every method raises ``IndexStoreError`` (or a subclass), never backend errors.
    """

    @property
    def location(self) -> str:
        """Where the index lives, for messages (a path, or host:port/db and prefix)."""
        ...

    def manifest(self) -> Manifest | None:
        """The stored manifest, or None for a new, empty index."""
        ...

    def create(self, manifest: Manifest) -> None:
        """Write the manifest of a new index (refused when one exists)."""
        ...

    def writer(self, run_id: str) -> AbstractContextManager[None]:
        """Hold the single-writer lock for a run; ``IndexLockedError`` naming the current
        holder (pid, host, run, since when) when another process has it, raised at once,
        never after a wait. A lock whose holder died is taken over."""
        ...

    def begin_run(self, run_id: str, started: float) -> RunRecord:
        """The run's record, created with ``started`` if new (under the writer lock)."""
        ...

    def run(self, run_id: str) -> RunRecord | None: ...

    def known(self, article_ids: Sequence[str]) -> set[str]:
        """Which of these ids are indexed already."""
        ...

    def lookup(
        self,
        index_keys: U64,
        rows: I64,
        since: float,
        by: WindowBy,
        max_bucket: int | None = None,
    ) -> I64:
        """Pairs (row, doc): for each key, the documents holding it whose window time is
        at least ``since``; ``rows[i]`` is the caller's row of ``index_keys[i]``.
        Sorted, without repeats. With ``max_bucket``, a key held by more documents than
        that (in the window, the caller's rows included) gives its lowest document only
        (``keys.KeyQuery``)."""
        ...

    def articles(self, docs: Sequence[int], *, sets: bool = True) -> list[IndexedArticle]:
        """The stored articles of these document numbers, in that order (unknown numbers,
        e.g. pruned meanwhile, are left out). ``sets=False`` leaves their shingle and
        name sets empty, for readers of metadata only (a run's read-back)."""
        ...

    def articles_by_id(self, article_ids: Sequence[str]) -> list[IndexedArticle]:
        """The stored articles with these ids, in that order (unknown ids left out)."""
        ...

    def cluster_docs(self, cluster_ids: Sequence[str]) -> list[int]:
        """Document numbers of every article in these clusters, sorted."""
        ...

    def clusters(self, cluster_ids: Sequence[str]) -> dict[str, StoredCluster]:
        """The stored clusters among these ids (a singleton has none)."""
        ...

    def commit(self, batch: CommitBatch) -> None:
        """Add the batch's articles (numbered in order) and band entries, upsert its
        clusters, record its moves and its run marker: all of it, or nothing."""
        ...

    def run_articles(self, run_id: str, *, sets: bool = True) -> list[IndexedArticle]:
        """The articles a run added, in document order (``sets`` as for ``articles``)."""
        ...

    def run_moves(self, run_id: str) -> list[CanonicalMove]:
        """The canonical moves a run recorded, in commit order."""
        ...

    def prune(self, before: float, by: WindowBy) -> int:
        """Remove articles whose window time is before ``before`` (with their band
        entries, and clusters left with no member); the number removed."""
        ...

    def stats(self) -> IndexStats: ...

    def export(self) -> Iterator[IndexedArticle]:
        """Every stored article in document order (streamed)."""
        ...

    def problems(self) -> list[str]:
        """Consistency violations: an article missing band entries, band entries or
        clusters without articles, a damaged manifest, backend checks (SQLite
        ``integrity_check``). Empty when the index is sound."""
        ...

    def close(self) -> None: ...
