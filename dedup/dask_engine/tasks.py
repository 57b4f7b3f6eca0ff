"""The Dask engine's tasks: plain functions of their arguments, run on the workers.

Each calls the local engine's own functions (``read_sources``, ``prepare_batch``, the band
grouping kernel, ``verify_chunk``) on one partition, so a Dask run computes what a local
run computes; only where the work runs differs. Documents are numbered globally by the
driver (each partition's ``offset``), in input order, as a local run numbers them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass, replace
from itertools import islice, pairwise
from typing import TypeVar

import numpy as np
import numpy.typing as npt
from dask.sizeof import sizeof

from dedup import _kernels
from dedup.candidates import BandTable, EncodedPairs, sorted_unique
from dedup.engines.local import collector_paused
from dedup.faults import crash_point
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions, Record, read_sources
from dedup.io.sources import Source
from dedup.params import DedupParams
from dedup.prepare import PreparedBatch, PreparedRun, prepare_batch
from dedup.records import Article, Evidence, Reject
from dedup.shingle import ShingleSets
from dedup.stages import RunState, compilation_flags, verify_chunk

I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]
Result = TypeVar("Result")

#: candidate pairs verified at a time inside a task (bounds its memory, not its result)
VERIFY_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ReadFile:
    """One input file as read on a worker: its records (the parsed dicts dropped) cut into
    chunks, and its rejects."""

    chunks: tuple[tuple[Record, ...], ...]
    rejects: tuple[Reject, ...]


def read_file(
    source: Source, fields: FieldMap, strict: bool, reading: ReadOptions, chunk: int
) -> ReadFile:
    """Read one file with the local reader (ids checked within the file; the driver checks
    them across files), its records in chunks of ``chunk``."""
    records: list[Record] = []
    rejects: list[Reject] = []
    for item in read_sources([source], fields=fields, strict=strict, options=reading):
        if isinstance(item, Record):
            records.append(replace(item, raw={}))
        else:
            rejects.append(item)
    stream = iter(records)
    chunks = tuple(iter(lambda: tuple(islice(stream, chunk)), ()))
    return ReadFile(chunks, tuple(rejects))


@dataclass(frozen=True, slots=True)
class Listing:
    """What the driver needs of a file before its partitions are prepared: every
    article's (id, location) in order, the file's rejects, and its chunks' sizes."""

    ids: tuple[tuple[str, str], ...]
    rejects: tuple[Reject, ...]
    chunk_sizes: tuple[int, ...]


def listing(read: ReadFile) -> Listing:
    return Listing(
        tuple((r.article.id, r.article.location) for chunk in read.chunks for r in chunk),
        read.rejects,
        tuple(len(chunk) for chunk in read.chunks),
    )


def records_at(read: ReadFile, rows: Sequence[int]) -> tuple[Record, ...]:
    """Some records of a file by their row (the driver rejects them as duplicates)."""
    flat = [r for chunk in read.chunks for r in chunk]
    return tuple(flat[row] for row in rows)


def chunk_of(read: ReadFile, index: int) -> tuple[Article, ...]:
    return tuple(r.article for r in read.chunks[index])


@dataclass(frozen=True, slots=True)
class Part:
    """One partition's prepared articles, as ``prepare_batch`` made them."""

    articles: tuple[Article, ...]
    prepared: PreparedBatch


@dataclass(frozen=True, slots=True)
class PartHead:
    """What the driver keeps of a partition: the articles' metadata and evidence, and
    its counters."""

    articles: tuple[Article, ...]
    evidence: tuple[Evidence, ...]
    truncated: int
    boilerplate_kept: int
    #: documents long enough to sign (``min_shingles``)
    eligible: int


@dataclass(frozen=True, slots=True)
class PartArrays:
    """What the workers keep of a partition for grouping and verifying: arrays only, which
    move between workers as buffers (no Python object per article)."""

    shingles: ShingleSets
    entities: ShingleSets
    band_keys: U64
    compilation: npt.NDArray[np.bool_]
    #: the normalized bodies, when the run keeps them (``RunOptions.spans``)
    bodies: tuple[str, ...]


def paused(function: Callable[..., Result], *args: object) -> Result:
    """``function(*args)`` with Python's cyclic collector off, as a local run has it: a
    worker holds millions of small records with no cycles, which every full collection
    would walk again."""
    with collector_paused():
        return function(*args)


def prepare_part(
    articles: Sequence[Article],
    dropped: frozenset[int],
    params: DedupParams,
    batch_size: int,
    keep_bodies: bool,
) -> Part:
    """``prepare_batch`` over a partition, batch by batch as a local run does; ``dropped``
    rows (ids met in an earlier file) are left out."""
    kept = [a for row, a in enumerate(articles) if row not in dropped]
    joined = PreparedRun(params.bands)
    for start in range(0, len(kept), batch_size):
        batch = kept[start : start + batch_size]
        joined.add(prepare_batch(batch, params, keep_bodies=keep_bodies))
    return Part(tuple(a.for_clustering() for a in kept), joined.finish())


def head_of(part: Part, params: DedupParams) -> PartHead:
    prepared = part.prepared
    return PartHead(
        part.articles,
        prepared.evidence,
        prepared.truncated,
        sum(e.kept_boilerplate for e in prepared.evidence),
        int(np.count_nonzero(prepared.shingles.sizes() >= params.min_shingles)),
    )


def arrays_of(part: Part) -> PartArrays:
    prepared = part.prepared
    return PartArrays(
        prepared.shingles,
        prepared.entities,
        prepared.band_keys,
        compilation_flags(prepared.evidence),
        prepared.bodies,
    )


@dataclass(frozen=True, slots=True)
class BandEntries:
    """Band entries of some documents: salted key, global document, band pass."""

    keys: U64
    docs: I64
    passes: npt.NDArray[np.int16]

    @classmethod
    def concat(cls, pieces: Sequence[BandEntries]) -> BandEntries:
        return cls(
            np.concatenate([p.keys for p in pieces]),
            np.concatenate([p.docs for p in pieces]),
            np.concatenate([p.passes for p in pieces]),
        )


def band_entries(
    part: PartArrays, offset: int, params: DedupParams, groups: int, bands_per_pass: int
) -> tuple[BandEntries, ...]:
    """The map side of the shuffle: a partition's band entries split into ``groups``."""
    return entries_of(
        part.band_keys,
        part.shingles.sizes(),
        offset,
        params.min_shingles,
        groups,
        bands_per_pass,
    )


def entries_of(
    keys: U64, sizes: I64, offset: int, min_shingles: int, groups: int, bands_per_pass: int
) -> tuple[BandEntries, ...]:
    """The band entries of the documents long enough to sign (numbered from ``offset``),
    split into ``groups`` by key. Keys are salted per band, as the local grouping salts
    them, and carry their pass, so that a group holds whole buckets of each pass."""
    eligible = np.flatnonzero(sizes >= min_shingles)
    pieces: list[BandEntries] = []
    for number, start in enumerate(range(0, keys.shape[1], bands_per_pass)):
        bands = range(start, min(start + bands_per_pass, keys.shape[1]))
        flat = BandTable.salted(keys, eligible, bands)
        docs = np.repeat(eligible + offset, len(bands))
        pieces.append(BandEntries(flat, docs, np.full(flat.shape[0], number, dtype=np.int16)))
    entries = BandEntries.concat(pieces)
    group = entries.keys % np.uint64(groups)
    order = np.argsort(group, kind="stable")
    bounds = np.searchsorted(group[order], np.arange(groups + 1, dtype=np.uint64))
    return tuple(
        BandEntries(entries.keys[order[a:b]], entries.docs[order[a:b]], entries.passes[order[a:b]])
        for a, b in pairwise(bounds)
    )


def piece(pieces: Sequence[object], index: int) -> object:
    """One output of a split task (the shuffle's ``getitem``)."""
    return pieces[index]


def group_pairs(
    pieces: Sequence[BandEntries], n_docs: int, max_bucket: int, offsets: I64
) -> tuple[I64, ...]:
    """The reduce side: the encoded pairs of every bucket (pass, key) in this group, with
    the local grouping's kernel and star rule, split by the partition that holds each
    pair's lower document (where it will be verified)."""
    entries = BandEntries.concat(pieces)
    by_pass = np.argsort(entries.passes, kind="stable")
    passes = entries.passes[by_pass]
    found = []
    for a, b in pairwise(np.searchsorted(passes, np.arange(passes[-1] + 2 if passes.size else 1))):
        keys, docs = entries.keys[by_pass[a:b]], entries.docs[by_pass[a:b]]
        order = np.argsort(keys)
        found.append(_kernels.group_pairs(keys[order], docs[order], n_docs, max_bucket))
    codes = sorted_unique(np.concatenate(found)) if found else np.empty(0, np.int64)
    return split_by_part(codes, codes // n_docs, offsets)


def split_by_part(values: I64, docs: I64, offsets: I64) -> tuple[I64, ...]:
    """``values`` (sorted by ``docs``) cut where ``docs`` cross partition ``offsets``."""
    bounds = np.searchsorted(docs, offsets)
    return tuple(values[a:b] for a, b in pairwise(bounds))


def candidates_of(pieces: Sequence[I64]) -> I64:
    """One partition's candidate pairs: the pieces from every group, made unique (a pair
    sharing keys in several groups came from each)."""
    return sorted_unique(np.concatenate(pieces)) if pieces else np.empty(0, np.int64)


def wanted(codes: I64, n_docs: int, offsets: I64) -> tuple[I64, ...]:
    """The documents a partition's candidate pairs name, split by the partition holding
    them (the request side of fetching their sets)."""
    docs = sorted_unique(np.concatenate([codes // n_docs, codes % n_docs]))
    return split_by_part(docs, docs, offsets)


@dataclass(frozen=True, slots=True)
class SetsOf:
    """What verifying and clustering read of some documents (global numbers, sorted)."""

    docs: I64
    sets: ShingleSets
    entities: ShingleSets
    compilation: npt.NDArray[np.bool_]
    bodies: tuple[str, ...]

    @classmethod
    def concat(cls, taken: Sequence[SetsOf]) -> SetsOf:
        return cls(
            np.concatenate([t.docs for t in taken]),
            ShingleSets.concat([t.sets for t in taken]),
            ShingleSets.concat([t.entities for t in taken]),
            np.concatenate([t.compilation for t in taken]),
            tuple(body for t in taken for body in t.bodies),
        )


def take(part: PartArrays, offset: int, docs: I64) -> SetsOf:
    """The sets, names, compilation flags (and bodies, when kept) of some documents of a
    partition."""
    rows = docs - offset
    return SetsOf(
        docs,
        _rows_of(part.shingles, rows),
        _rows_of(part.entities, rows),
        part.compilation[rows],
        tuple(part.bodies[r] for r in rows) if part.bodies else (),
    )


def _rows_of(sets: ShingleSets, rows: I64) -> ShingleSets:
    starts = sets.offsets[rows]
    sizes = sets.offsets[rows + 1] - starts
    offsets = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    index = np.repeat(starts - offsets[:-1], sizes) + np.arange(offsets[-1], dtype=np.int64)
    return ShingleSets(values=sets.values[index], offsets=offsets)


def verify_part(codes: I64, taken: Sequence[SetsOf], n_docs: int, params: DedupParams) -> I64:
    """A partition of candidate pairs checked with the local ``verify_chunk``, on the sets
    fetched for them; the accepted pairs as global (i, j) rows, in order."""
    crash_point("dask_verify")
    known = SetsOf.concat(taken)
    run = RunState(
        params=params,
        sets=known.sets,
        entities=known.entities,
        compilation=known.compilation,
        articles=[],
        evidence=(),
    )
    accepted = [np.empty((0, 2), dtype=np.int64)]
    for rows in EncodedPairs(codes, n_docs).chunks(VERIFY_CHUNK):
        accepted.append(rows[verify_chunk(run, np.searchsorted(known.docs, rows))])
    return np.concatenate(accepted)


def _size_of_fields(value: object) -> int:
    """What a record of ours holds, field by field (``dask.sizeof`` sees only the shallow
    size of an object it does not know, and would move a partition of a million small
    records between workers as if it were empty)."""
    assert is_dataclass(value)
    return sys.getsizeof(value) + sum(int(sizeof(getattr(value, f.name))) for f in fields(value))


for _record_type in (
    Article,
    Evidence,
    Record,
    ReadFile,
    Listing,
    Part,
    PartHead,
    PartArrays,
    PreparedBatch,
    ShingleSets,
    BandEntries,
    SetsOf,
):
    sizeof.register(_record_type)(_size_of_fields)
