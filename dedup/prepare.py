"""The per-article work of a scan, one batch at a time: normalize, shingle, sign, band.

Pure: a batch of articles and the parameters in, arrays and evidence out, nothing shared
between batches. That is what lets an engine run batches in worker processes (or Dask
tasks) and still give the output a serial run gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedup.minhash import band_keys, sign_batch
from dedup.normalize import normalize
from dedup.params import DedupParams
from dedup.records import Article, Evidence
from dedup.shingle import ShingleSets, drain_concat, entity_batch, shingle_batch


@dataclass(frozen=True, slots=True)
class PreparedBatch:
    """What the rest of a scan needs from a batch of articles, aligned with the batch."""

    evidence: tuple[Evidence, ...]
    shingles: ShingleSets
    entities: ShingleSets
    #: LSH band keys (n x bands); the signatures they come from are not kept
    band_keys: npt.NDArray[np.uint64]
    truncated: int

    @classmethod
    def concat(cls, parts: list[PreparedBatch], bands: int) -> PreparedBatch:
        """Several batches as one, in order; ``parts`` is emptied on the way, so the
        batches' arrays and the joined ones are never all held at once."""
        evidence = tuple(e for p in parts for e in p.evidence)
        truncated = sum(p.truncated for p in parts)
        shingles = [p.shingles for p in parts]
        entities = [p.entities for p in parts]
        keys = [p.band_keys for p in parts]
        parts.clear()
        return cls(
            evidence=evidence,
            shingles=ShingleSets.concat(shingles),
            entities=ShingleSets.concat(entities),
            band_keys=drain_concat(keys, np.empty((0, bands), dtype=np.uint64)),
            truncated=truncated,
        )


def prepare_batch(articles: Sequence[Article], params: DedupParams) -> PreparedBatch:
    """Normalize each article (keeping its evidence), then shingle, sign and band the batch."""
    evidence: list[Evidence] = []
    bodies: list[str] = []
    truncated = 0
    for article in articles:
        normalized = normalize(article.text, title=article.title, pointer=article.pointer)
        evidence.append(normalized.evidence)
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
    )


def warm_up(params: DedupParams) -> None:
    """Load what every batch needs (compiled kernels, character tables) in this process, so
    that worker processes forked from it start with them instead of each loading its own."""
    prepare_batch([Article(id="warm-up", text="Warm up, 1 line.\n\nA second one.")], params)
