"""The Dask engine: a scan's per-article work, band grouping and verification on a Dask
cluster, the rest on the driver.

Why this split: reading, normalizing, signing and the exact check are most of a scan's
CPU and split cleanly by partition; clustering and the canonical choice need whole
components, so the driver alone does them (with the local engine's functions, on its own
cores), and it alone writes outputs. What runs where:

- each input file is read by one worker (the local reader; a URL through fsspec there),
  its articles cut into partitions of ``RunOptions.partition_size``; the driver checks ids
  across files and numbers the documents in input order, as a local run does;
- each partition is prepared on a worker with ``prepare_batch`` and stays there;
- band entries are shuffled by key (split, ``getitem``, concatenate: a tasks shuffle) into
  groups; each group makes the pairs of its buckets with the local kernel and star rule;
- pairs are shuffled again to the partition of their lower document, made unique, and
  verified there with ``verify_chunk`` on the sets fetched from the partitions they name;
- the driver gathers the verified edges and the sets of the documents they join.

Every task is a pure function of its inputs, so a lost worker's results are recomputed
from their lineage and the output does not change.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from dedup.candidates import DEFAULT_MAX_BUCKET
from dedup.dask_engine import tasks
from dedup.engines.local import default_workers
from dedup.errors import ConfigError, EngineError
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, duplicate_of
from dedup.io.sources import Source
from dedup.params import DedupParams, RunOptions
from dedup.prepare import InMemory
from dedup.records import Article, Evidence, Reject
from dedup.shingle import ShingleSets

if TYPE_CHECKING:
    from distributed import Client, Future

I64 = npt.NDArray[np.int64]

#: band entries per group of the shuffle (18 bytes each), small enough to balance the
#: groups over the workers; never more groups than partitions (the split makes
#: partitions x groups pieces)
ENTRIES_PER_GROUP = 1_000_000
#: bands grouped per pass, as the local grouping does
BANDS_PER_PASS = 8

Progress = Callable[[str, int], None]

#: Dask's defaults changed for the workers of a ``LocalCluster`` started here. Dask sets
#: ``MALLOC_TRIM_THRESHOLD_=65536`` in its workers to hand freed memory back to the system
#: sooner; it made normalizing and signing 25% slower here (every batch's many small
#: objects freed and fetched again from the kernel). The statistical profiler samples the
#: task thread every 10 ms. A cluster of your own keeps its own settings (docs/scale.md).
LOCAL_WORKER_CONFIG = {
    "distributed.nanny.pre-spawn-environ": {
        "OMP_NUM_THREADS": 1,
        "MKL_NUM_THREADS": 1,
        "OPENBLAS_NUM_THREADS": 1,
    },
    "distributed.worker.profile.enabled": False,
}


@contextmanager
def dask_client(scheduler: str | None, workers: int) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a ``LocalCluster`` of ``workers``
    processes (0: one per core) started here and closed at the end. A cluster that cannot
    be reached, or that gives up on a task, is an ``EngineError``."""
    try:
        import dask
        from distributed import Client, LocalCluster
        from distributed.client import FutureCancelledError
        from distributed.scheduler import KilledWorker
    except ImportError as exc:
        raise ConfigError(
            "the Dask engine needs dask.distributed: pip install 'dedup[dask]'"
        ) from exc
    try:
        if scheduler:
            try:
                client = Client(scheduler)  # waits distributed.comm.timeouts.connect
            except OSError as exc:
                raise EngineError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
            with client:
                yield client
            return
        with (
            dask.config.set(LOCAL_WORKER_CONFIG),
            LocalCluster(
                n_workers=workers if workers > 0 else default_workers(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    except KilledWorker as exc:
        raise EngineError(
            f"the Dask cluster gave up on a task: {exc} (its workers died running it; "
            "check their memory limits and logs)"
        ) from exc
    except FutureCancelledError as exc:
        raise EngineError(
            f"the Dask cluster lost work it cannot recompute: {exc} (articles handed over "
            "in memory live only on the worker that got them; scan files to survive a "
            "worker's loss)"
        ) from exc


@dataclass(frozen=True, slots=True)
class DistributedRun:
    """What the cluster's work leaves the driver: every article's metadata and evidence,
    the verified edges, and the sets (full length; empty for documents no edge joins)."""

    articles: list[Article]
    evidence: tuple[Evidence, ...]
    edges: I64
    sets: ShingleSets
    entities: ShingleSets
    bodies: tuple[str, ...]
    candidate_pairs: int
    too_short: int
    truncated: int
    boilerplate_kept: int

    @classmethod
    def empty(cls) -> DistributedRun:
        """A run with no article (every record rejected)."""
        nothing = ShingleSets.from_sets([])
        edges = np.empty((0, 2), dtype=np.int64)
        return cls([], (), edges, nothing, nothing, (), 0, 0, 0, 0)


@dataclass(frozen=True, slots=True)
class _Partition:
    """A partition's articles (a future) and its rows to leave out (ids met earlier)."""

    chunk: Future[Any]
    #: its articles, less the dropped ones
    size: int
    dropped: frozenset[int] = frozenset()


class _Run:
    """One Dask scan: the futures it made and the driver's bookkeeping."""

    def __init__(
        self,
        client: Client,
        params: DedupParams,
        options: RunOptions,
        report: Progress,
        lap: Callable[[str], None],
        large: Callable[..., Any],
    ) -> None:
        self.client = client
        self.params = params
        self.options = options
        self.report = report
        self.lap = lap
        self.large = large

    def submit(
        self, function: Callable[..., Any], *args: Any, on: Sequence[str] = ()
    ) -> Future[Any]:
        """``function(*args)`` on the cluster (preferably on the workers ``on``), named
        after the function: the dashboard shows "prepare_part", not the wrapper."""
        key = f"{getattr(function, '__name__', 'task')}-{uuid.uuid4().hex}"
        where: dict[str, Any] = {"workers": list(on), "allow_other_workers": True} if on else {}
        return self.client.submit(tasks.paused, function, *args, key=key, **where)

    def from_files(
        self,
        sources: Sequence[Source],
        fields: FieldMap,
        reading: ReadOptions,
        strict: bool,
        on_reject: Callable[[Reject], None],
    ) -> list[_Partition]:
        """Each file read on a worker; ids checked across files here, in input order (a
        later duplicate rejected as the local reader rejects it)."""
        size = self.options.partition_size
        reads = [self.submit(tasks.read_file, s, fields, strict, reading, size) for s in sources]
        listings = [self.submit(tasks.listing, read) for read in reads]
        seen: dict[str, str] = {}
        partitions: list[_Partition] = []
        for read, listed in zip(reads, listings, strict=True):
            files: tasks.Listing = listed.result()
            duplicates: dict[int, str] = {}
            for row, (article_id, where) in enumerate(files.ids):
                if article_id in seen:
                    duplicates[row] = seen[article_id]
                else:
                    seen[article_id] = where
            rejects = list(files.rejects)
            if duplicates:
                records = self.submit(tasks.records_at, read, sorted(duplicates)).result()
                rejects += [
                    duplicate_of(record, duplicates[row], strict=strict)
                    for row, record in zip(sorted(duplicates), records, strict=True)
                ]
            for reject in sorted(rejects, key=lambda r: r.line):
                on_reject(reject)
            start = 0
            for index, length in enumerate(files.chunk_sizes):
                dropped = frozenset(r - start for r in duplicates if start <= r < start + length)
                chunk = self.submit(tasks.chunk_of, read, index)
                partitions.append(_Partition(chunk, length - len(dropped), dropped))
                start += length
        return partitions

    def from_articles(self, articles: Sequence[Article]) -> list[_Partition]:
        """Articles in memory, sent to the workers a partition at a time."""
        size = self.options.partition_size
        chunks = [tuple(articles[start : start + size]) for start in range(0, len(articles), size)]
        return [
            _Partition(self.client.scatter([chunk], hash=False)[0], len(chunk)) for chunk in chunks
        ]

    def run(self, partitions: list[_Partition]) -> DistributedRun:
        """Prepare the partitions, then group and verify while the driver takes in the
        articles' metadata, and gather the edges and the sets they join. The driver
        holds only futures of the partitions' arrays: their articles are let go on the
        workers, and Dask can recompute any of them from its lineage. Empties
        ``partitions``."""
        params, options = self.params, self.options
        sizes = [p.size for p in partitions]
        offsets = _offsets(np.array(sizes, dtype=np.int64))
        n_docs = int(offsets[-1])
        if n_docs == 0:
            return DistributedRun.empty()
        parts = [
            self.submit(
                tasks.prepare_part, p.chunk, p.dropped, params, options.batch_size, options.spans
            )
            for p in partitions
        ]
        partitions.clear()
        heads, arrays = self._taken_apart(parts, sizes)
        del parts
        self.lap("prepare")
        candidates = self._candidates(arrays, offsets, n_docs)
        counted = [self.submit(len, c) for c in candidates]
        verified = self._verified(arrays, candidates, offsets, n_docs)
        gathered: list[tasks.PartHead] = []
        heads.reverse()
        while heads:  # taken in while the cluster works, each let go on the workers then
            gathered.append(heads.pop().result())
        counts: list[int] = self.client.gather(counted)
        self.lap("candidates")
        edges = [np.empty((0, 2), dtype=np.int64)]
        for count, future in zip(counts, verified, strict=True):
            edges.append(future.result())
            self.report("verify", count)
        joined = np.concatenate(edges)
        sets, entities, bodies = self._sets_of(arrays, joined, offsets, n_docs)
        self.lap("verify")
        return DistributedRun(
            articles=[a for h in gathered for a in h.articles],
            evidence=tuple(e for h in gathered for e in h.evidence),
            edges=joined,
            sets=sets,
            entities=entities,
            bodies=bodies,
            candidate_pairs=sum(counts),
            too_short=n_docs - sum(h.eligible for h in gathered),
            truncated=sum(h.truncated for h in gathered),
            boilerplate_kept=sum(h.boilerplate_kept for h in gathered),
        )

    def _taken_apart(
        self, parts: list[Future[Any]], sizes: list[int]
    ) -> tuple[list[Future[Any]], list[Future[Any]]]:
        """Each partition's head (for the driver) and arrays (for the workers), taken out
        on the worker that prepared it as soon as it is ready: Dask balancing its load
        would otherwise, now and then, copy a whole partition of small objects to
        another worker for that."""
        from distributed import as_completed

        position = {part.key: i for i, part in enumerate(parts)}
        heads: list[Future[Any]] = [None] * len(parts)  # type: ignore[list-item]
        arrays: list[Future[Any]] = [None] * len(parts)  # type: ignore[list-item]
        for done in as_completed(parts):
            i = position[done.key]
            where = sorted(self.client.who_has([done]).get(done.key, ()))
            heads[i] = self.submit(tasks.head_of, done, self.params, on=where)
            arrays[i] = self.submit(tasks.arrays_of, done, on=where)
            self.report("read", sizes[i])
            self.report("sign", sizes[i])
        return heads, arrays

    def _candidates(self, parts: list[Future[Any]], offsets: I64, n_docs: int) -> list[Future[Any]]:
        """The shuffle by band key, then by the partition of each pair's lower document:
        one future of unique encoded pairs per partition."""
        groups = max(
            2 * len(self.client.nthreads()),
            min(len(parts), -(-n_docs * self.params.bands // ENTRIES_PER_GROUP)),
        )
        split = [
            self.submit(
                tasks.band_entries, part, int(offsets[p]), self.params, groups, BANDS_PER_PASS
            )
            for p, part in enumerate(parts)
        ]
        grouped = [
            self.submit(
                tasks.group_pairs,
                [self.submit(tasks.piece, pieces, g) for pieces in split],
                n_docs,
                DEFAULT_MAX_BUCKET,
                offsets,
            )
            for g in range(groups)
        ]
        return [
            self.submit(tasks.candidates_of, [self.submit(tasks.piece, g, p) for g in grouped])
            for p in range(len(parts))
        ]

    def _verified(
        self, parts: list[Future[Any]], candidates: list[Future[Any]], offsets: I64, n_docs: int
    ) -> list[Future[Any]]:
        """Each partition's pairs verified where the sets they name are sent (from its own
        partition and the later ones: a pair's higher document is never earlier); the
        accepted edges, in the order of their codes, a local run's order."""
        verified = []
        for a, codes in enumerate(candidates):
            wanted = self.submit(tasks.wanted, codes, n_docs, offsets)
            taken = [
                self.submit(
                    tasks.take, parts[b], int(offsets[b]), self.submit(tasks.piece, wanted, b)
                )
                for b in range(a, len(parts))
            ]
            verified.append(self.submit(tasks.verify_part, codes, taken, n_docs, self.params))
        return verified

    def _sets_of(
        self, parts: list[Future[Any]], edges: I64, offsets: I64, n_docs: int
    ) -> tuple[ShingleSets, ShingleSets, tuple[str, ...]]:
        """The sets of the documents the edges join, gathered here a partition at a time
        into arrays ``large`` makes, laid out full length (an empty set for every other
        document), as the clustering step reads them."""
        nodes = np.unique(edges)
        wanted = tasks.split_by_part(nodes, nodes, offsets)
        sizes = (np.zeros(n_docs, dtype=np.int64), np.zeros(n_docs, dtype=np.int64))
        values = (self.large(np.uint64, None), self.large(np.uint64, None))
        bodies = [""] * n_docs if self.options.spans else []
        for b, part in enumerate(parts):
            if not wanted[b].shape[0]:
                continue
            taken: tasks.SetsOf = self.submit(tasks.take, part, int(offsets[b]), wanted[b]).result()
            for size, value, sets in zip(sizes, values, (taken.sets, taken.entities), strict=True):
                size[taken.docs] = sets.sizes()
                value.extend(sets.values)
            for doc, body in zip(taken.docs, taken.bodies, strict=False):
                bodies[doc] = body
        sets, entities = (
            ShingleSets(values=value.finish(), offsets=_offsets(size))
            for size, value in zip(sizes, values, strict=True)
        )
        return sets, entities, tuple(bodies)


def _offsets(sizes: I64) -> I64:
    offsets = np.zeros(sizes.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return offsets


def scan_files(
    sources: Sequence[Source],
    params: DedupParams,
    options: RunOptions,
    *,
    fields: FieldMap,
    reading: ReadOptions,
    on_reject: Callable[[Reject], None],
    report: Progress,
    lap: Callable[[str], None],
    large: Callable[..., Any] = InMemory,
) -> DistributedRun:
    """The cluster's part of a scan of files, each read by a worker (which extracts its
    pages itself)."""
    worker_reading = replace(reading, workers=1)

    def partitions(run: _Run) -> list[_Partition]:
        return run.from_files(sources, fields, worker_reading, options.strict, on_reject)

    return _on_cluster(partitions, params, options, report, lap, large)


def scan_in_memory(
    articles: Sequence[Article],
    params: DedupParams,
    options: RunOptions,
    *,
    report: Progress,
    lap: Callable[[str], None],
    large: Callable[..., Any] = InMemory,
) -> DistributedRun:
    """The cluster's part of a scan of articles held here (sent a partition at a time)."""
    return _on_cluster(lambda run: run.from_articles(articles), params, options, report, lap, large)


def _on_cluster(
    partitions: Callable[[_Run], list[_Partition]],
    params: DedupParams,
    options: RunOptions,
    report: Progress,
    lap: Callable[[str], None],
    large: Callable[..., Any],
) -> DistributedRun:
    with dask_client(options.scheduler, options.workers) as client:
        run = _Run(client, params, options, report, lap, large)
        return run.run(partitions(run))
