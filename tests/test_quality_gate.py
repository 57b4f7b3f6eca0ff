"""The quality gate: dedup's figures on the shared evaluation data never fall below the
floors pinned in benchmarks/baseline.json (raised with quality.py --update-baseline, never
lowered). Runs when ../shared/data is present, as it is in CI; skips on a fresh clone."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
DATA = Path(os.environ.get("DEDUP_SHARED_DATA", ROOT.parent / "shared" / "data"))
BASELINE = json.loads((ROOT / "benchmarks" / "baseline.json").read_text())
ISSUE_TARGETS = {
    "helsinki ari": 0.92,
    "helsinki pairwise f1": 0.92,
    "seed checks passed": 12,
}


def test_floors_are_at_least_the_targets() -> None:
    floors = BASELINE["floors"]
    assert {name: floors[name] >= target for name, target in ISSUE_TARGETS.items()} == {
        name: True for name in ISSUE_TARGETS
    }


@pytest.mark.skipif(not (DATA / "helsinki").is_dir(), reason="no shared evaluation data here")
def test_quality_does_not_fall_below_the_floors() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import quality

    if quality.data_hash(DATA) != BASELINE["data"]:
        pytest.skip("the evaluation data changed: re-pin the floors with --update-baseline")
    rows = quality.measure(
        DATA,
        synth_articles=BASELINE["synth"]["articles"],
        seed=BASELINE["synth"]["seed"],
        with_anchors=False,
    )
    # a simulator change must come with re-pinned synth floors (--update-baseline)
    assert quality.synth_digest(rows) == BASELINE["synth"]["output"]
    figures = quality.gate_figures(rows, quality.seed_checks(DATA))
    below = {
        name: (figures.get(name), floor)
        for name, floor in BASELINE["floors"].items()
        if figures.get(name, 0.0) < floor
    }
    assert below == {}
