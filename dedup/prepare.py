"""The per-article work of a scan, one batch at a time: normalize, shingle, sign, band.

Pure: a batch of articles and the parameters in, arrays and evidence out, nothing shared
between batches. That is what lets an engine run batches in worker processes (or Dask
tasks) and still give the output a serial run gives. ``PreparedRun`` joins the batches'
results in order as they come back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from dedup.minhash import band_keys, sign_batch
from dedup.normalize import normalize
from dedup.params import DedupParams
from dedup.provenance import with_page_signals
from dedup.records import Article, Evidence
from dedup.shingle import ShingleSets, entity_batch, shingle_batch


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """What the rest of a scan needs from a batch of articles, aligned with the batch."""

    evidence: tuple[Evidence, ...]
    shingles: ShingleSets
    entities: ShingleSets
    #: LSH band keys (n x bands); the signatures they come from are not kept
    band_keys: npt.NDArray[np.uint64]
    truncated: int
    #: the normalized bodies, when the run keeps them (``RunOptions.spans``)
    bodies: tuple[str, ...] = ()


class Growing(Protocol):
    """An array appended to batch by batch, then read whole (``finish``)."""

    size: int

    def extend(self, rows: npt.NDArray[Any]) -> None: ...

    def finish(self) -> npt.NDArray[Any]: ...


#: makes a ``Growing`` array of a dtype and a row width (None: one value a row)
GrowingFactory = Callable[[type[np.generic], int | None], Growing]


class InMemory:
    """An array appended to in place, grown by ``ndarray.resize`` (a realloc: a large array
    is remapped, not copied), so that no batch's arrays outlive their append and the whole
    is never held twice."""

    GROWTH = 1.5

    def __init__(self, dtype: type[np.generic], width: int | None = None) -> None:
        self.shape_tail: tuple[int, ...] = () if width is None else (width,)
        self.buffer: npt.NDArray[Any] = np.empty((1024, *self.shape_tail), dtype=dtype)
        self.size = 0

    def extend(self, rows: npt.NDArray[Any]) -> None:
        needed = self.size + rows.shape[0]
        if needed > self.buffer.shape[0]:
            grown = max(needed, int(self.buffer.shape[0] * self.GROWTH))
            self.buffer.resize((grown, *self.shape_tail), refcheck=False)
        self.buffer[self.size : needed] = rows
        self.size = needed

    def finish(self) -> npt.NDArray[Any]:
        self.buffer.resize((self.size, *self.shape_tail), refcheck=False)
        return self.buffer


class PreparedRun:
    """Prepared batches joined as they arrive, in order (``finish`` gives the whole).

    The shingle sets', names' and band keys' values go to arrays ``large`` makes (in
    memory by default; the pipeline maps them from files); their sizes stay in memory.
    """

    def __init__(self, bands: int, large: GrowingFactory = InMemory) -> None:
        self.evidence: list[Evidence] = []
        self.bodies: list[str] = []
        self.truncated = 0
        self._sets = (large(np.uint64, None), InMemory(np.int64))
        self._entities = (large(np.uint64, None), InMemory(np.int64))
        self._keys = large(np.uint64, bands)

    def add(self, batch: PreparedBatch) -> None:
        self.evidence.extend(batch.evidence)
        self.bodies.extend(batch.bodies)
        self.truncated += batch.truncated
        for (values, sizes), sets in (
            (self._sets, batch.shingles),
            (self._entities, batch.entities),
        ):
            values.extend(sets.values)
            sizes.extend(sets.sizes())
        self._keys.extend(batch.band_keys)

    def finish(self) -> PreparedBatch:
        return PreparedBatch(
            evidence=tuple(self.evidence),
            shingles=_joined(*self._sets),
            entities=_joined(*self._entities),
            band_keys=self._keys.finish(),
            truncated=self.truncated,
            bodies=tuple(self.bodies),
        )


def _joined(values: Growing, sizes: Growing) -> ShingleSets:
    offsets = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes.finish(), out=offsets[1:])
    return ShingleSets(values=values.finish(), offsets=offsets)


def prepare_batch(
    articles: Sequence[Article], params: DedupParams, *, keep_bodies: bool = False
) -> PreparedBatch:
    """Normalize each article (keeping its evidence), then shingle, sign and band the batch."""
    evidence: list[Evidence] = []
    bodies: list[str] = []
    truncated = 0
    for article in articles:
        normalized = normalize(article.text, title=article.title, pointer=article.pointer)
        evidence.append(with_page_signals(normalized.evidence, article))
        body = normalized.body
        if len(body) > params.max_body_chars:
            body = body[: params.max_body_chars]
            truncated += 1
        bodies.append(body)
    shingles = shingle_batch(bodies, params.shingle_size)
    return PreparedBatch(
        evidence=tuple(evidence),
        shingles=shingles,
        entities=entity_batch(bodies),
        band_keys=band_keys(
            sign_batch(
                shingles,
                num_perm=params.num_perm,
                seed=params.seed,
                columns=params.bands * params.rows,
            ),
            bands=params.bands,
            rows=params.rows,
        ),
        truncated=truncated,
        bodies=tuple(bodies) if keep_bodies else (),
    )


def warm_up(params: DedupParams) -> None:
    """Load what every batch needs (compiled kernels, character tables) in this process, so
    that worker processes forked from it start with them instead of each loading its own."""
    prepare_batch([Article(id="warm-up", text="Warm up, 1 line.\n\nA second one.")], params)
