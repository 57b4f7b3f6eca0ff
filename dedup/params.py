"""What changes results lives in ``DedupParams``; what does not, in ``RunOptions``.

``DedupParams.fingerprint()`` names a parameter set, so stored signatures and indexes
can refuse to be mixed with ones made under other settings.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from dedup.errors import ConfigError

NORMALIZER_VERSION = 2
HASH_SCHEME = "xxh64-token/kgram-mix64/datasketch-affine32"


#: datasketch's answer for the default settings, kept here because its numerical
#: integration takes a second at every start (a test checks it still agrees)
_KNOWN_BANDS = {(0.2, 256, 0.1, 0.9): (76, 2)}


def candidate_probability(similarity: float, bands: int, rows: int) -> float:
    """The chance two texts of this Jaccard share at least one of ``bands`` LSH bands of
    ``rows`` rows each: 1 - (1 - s^rows)^bands, the S-curve the band choice draws."""
    if bands < 1 or rows < 1:
        raise ValueError(f"bands and rows must be >= 1, got {bands}x{rows}")
    if not 0.0 <= similarity <= 1.0:
        raise ValueError(f"similarity must be in [0, 1], got {similarity}")
    return float(1.0 - (1.0 - similarity**rows) ** bands)


@lru_cache(maxsize=64)
def optimal_bands(
    threshold: float, num_perm: int, fp_weight: float, fn_weight: float
) -> tuple[int, int]:
    """bands x rows minimising weighted false positive/negative areas (datasketch's optimiser)."""
    known = _KNOWN_BANDS.get((threshold, num_perm, round(fp_weight, 6), fn_weight))
    if known is not None:
        return known
    from datasketch.lsh import _optimal_param  # datasketch's own optimiser, not re-derived

    bands, rows = _optimal_param(threshold, num_perm, fp_weight, fn_weight)
    return int(bands), int(rows)


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupParams:
    """Parameters that decide which articles are copies of each other.

    The exact check accepts a candidate pair when its shingle Jaccard reaches
    ``jaccard_threshold`` **or** its containment (share of the smaller text found in the
    larger) reaches ``containment_threshold``, with at least ``min_shared_shingles`` in
    common: an abridged copy has a low Jaccard but a containment near 1. ``lsh_threshold``
    is deliberately loose and the band optimiser is weighted toward recall, because every
    candidate is verified exactly afterwards.

    Clustering merges groups while their average pairwise containment is at least
    ``link_threshold``; each member must then be verified against the centre or a core
    member (containment to the centre >= ``core_containment``). Components larger than
    ``max_exact_component`` use star clustering instead of an all-pairs matrix. Only the
    first ``max_body_chars`` of a clean body are shingled, which bounds memory per story.
    """

    shingle_size: int = 3
    num_perm: int = 256
    seed: int = 1
    lsh_threshold: float = 0.2
    recall_weight: float = 0.9
    jaccard_threshold: float = 0.5
    containment_threshold: float = 0.4
    min_shared_shingles: int = 20
    link_threshold: float = 0.3
    core_containment: float = 0.7
    min_shingles: int = 20
    max_cluster_size: int = 500
    max_exact_component: int = 1500
    max_body_chars: int = 1_000_000
    min_entity_agreement: float = 0.4
    min_entities: int = 5
    bands: int = 0
    rows: int = 0
    normalizer_version: int = field(default=NORMALIZER_VERSION)

    def __post_init__(self) -> None:
        if self.shingle_size < 1:
            raise ConfigError(f"shingle_size must be >= 1, got {self.shingle_size}")
        if not 1 <= self.num_perm <= 4096:
            raise ConfigError(f"num_perm must be between 1 and 4096, got {self.num_perm}")
        for name in (
            "lsh_threshold",
            "jaccard_threshold",
            "containment_threshold",
            "link_threshold",
            "core_containment",
        ):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], got {value}")
        if not 0.0 < self.recall_weight < 1.0:
            raise ConfigError(f"recall_weight must be in (0, 1), got {self.recall_weight}")
        if self.min_shingles < 1:
            raise ConfigError(f"min_shingles must be >= 1, got {self.min_shingles}")
        if self.max_body_chars < 1:
            raise ConfigError(f"max_body_chars must be >= 1, got {self.max_body_chars}")
        if self.max_cluster_size < 2:
            raise ConfigError(f"max_cluster_size must be >= 2, got {self.max_cluster_size}")
        if (self.bands == 0) != (self.rows == 0):
            raise ConfigError("give both bands and rows, or neither (then they are optimised)")
        if self.bands == 0:
            bands, rows = optimal_bands(
                self.lsh_threshold, self.num_perm, 1.0 - self.recall_weight, self.recall_weight
            )
            object.__setattr__(self, "bands", bands)
            object.__setattr__(self, "rows", rows)
        if self.bands * self.rows > self.num_perm:
            raise ConfigError(
                f"bands*rows must be <= num_perm ({self.bands}*{self.rows} > {self.num_perm}); "
                "did you forget num_perm?"
            )

    def fingerprint(self) -> str:
        """A short stable name of every setting that changes signatures or decisions."""
        payload = asdict(self) | {"hash_scheme": HASH_SCHEME}
        digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        return digest[:16]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunOptions:
    """How a run is carried out; never changes its results."""

    batch_size: int = 1000
    strict: bool = False
    #: worker processes (per-article work, verification, clustering); 0 means every core
    workers: int = 0
    #: keep the normalized bodies to find the passages each member shares with its
    #: canonical (``Member.reuse``); costs the bodies' memory for the whole run
    spans: bool = False
    #: where the run's shingle sets, names and band keys are kept, memory-mapped, in
    #: unlinked files: a directory, or None for the system's (``TMPDIR``)
    spill_dir: str | None = None
    #: "local" (this machine's cores) or "dask" (a Dask cluster: the scheduler at
    #: ``scheduler``, or a ``LocalCluster`` of ``workers`` processes started for the run)
    engine: str = "local"
    scheduler: str | None = None
    #: articles per Dask partition (a file is cut into partitions of this many); the
    #: engine makes about partitions² small tasks, so keep partitions to a few hundred
    partition_size: int = 50_000

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ConfigError(f"unknown engine '{self.engine}': choose one of {', '.join(ENGINES)}")
        if self.scheduler and self.engine != "dask":
            raise ConfigError("a scheduler address needs the Dask engine (engine='dask')")
        if self.partition_size < 1:
            raise ConfigError(f"partition_size must be positive, got {self.partition_size}")


ENGINES = ("local", "dask")
