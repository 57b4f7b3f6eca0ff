"""Arrays kept in unlinked, memory-mapped files read back what was appended, leave no file
behind, and reach forked workers."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from dedup.errors import OutputError
from dedup.spill import SpilledArray

batches = st.lists(
    st.integers(0, 40).flatmap(lambda n: arrays(np.uint64, (n, 3))), min_size=0, max_size=6
)


@settings(max_examples=40, deadline=None)
@given(batches)
def test_rows_read_back_as_appended(parts: list[np.ndarray]) -> None:
    spilled = SpilledArray(np.uint64, 3)
    for part in parts:
        spilled.extend(part)
    whole = spilled.finish()
    assert whole.shape == (sum(p.shape[0] for p in parts), 3)
    assert np.array_equal(whole, np.concatenate([np.empty((0, 3), np.uint64), *parts]))


def test_one_value_rows_and_other_dtypes_convert() -> None:
    spilled = SpilledArray(np.int64)
    spilled.extend(np.arange(5, dtype=np.int32))
    spilled.extend(np.arange(5, 8, dtype=np.int64))
    whole = spilled.finish()
    assert whole.dtype == np.int64
    assert whole.tolist() == list(range(8))


def test_rows_of_the_wrong_width_are_refused() -> None:
    spilled = SpilledArray(np.uint64, 4)
    with pytest.raises(ValueError, match="expected"):
        spilled.extend(np.zeros((2, 3), dtype=np.uint64))


def test_no_file_is_left_in_the_directory(tmp_path: Path) -> None:
    spilled = SpilledArray(np.uint64, None, str(tmp_path))
    spilled.extend(np.arange(1000, dtype=np.uint64))
    assert os.listdir(tmp_path) == []  # unlinked from the start: a killed run leaves nothing
    whole = spilled.finish()
    assert os.listdir(tmp_path) == []
    assert int(whole.sum()) == sum(range(1000))


def test_the_mapped_array_is_writable_in_this_process_only() -> None:
    spilled = SpilledArray(np.uint64, None)
    spilled.extend(np.arange(10, dtype=np.uint64))
    whole = spilled.finish()
    whole[0] = 99  # copy-on-write: what the kernels may write stays here
    assert whole[0] == 99


_inherited: np.ndarray = np.empty(0, dtype=np.uint64)


def _sum_of_inherited(start: int) -> int:
    return int(_inherited[start:].sum())


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork")
def test_forked_workers_read_the_same_values() -> None:
    global _inherited
    spilled = SpilledArray(np.uint64, None)
    for start in range(0, 100_000, 10_000):
        spilled.extend(np.arange(start, start + 10_000, dtype=np.uint64))
    _inherited = spilled.finish()
    with multiprocessing.get_context("fork").Pool(2) as pool:
        sums = pool.map(_sum_of_inherited, [0, 50_000])
    assert sums == [_sum_of_inherited(0), _sum_of_inherited(50_000)]
    assert sums[0] == sum(range(100_000))


def test_a_directory_that_cannot_be_written_is_one_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    with pytest.raises(OutputError, match=r"cannot keep the run's working arrays in .*gone"):
        SpilledArray(np.uint64, None, str(missing))


def test_a_full_disk_is_one_clear_error() -> None:
    spilled = SpilledArray(np.uint64, None)
    spilled._file.close()
    spilled._file = open("/dev/full", "wb")  # noqa: SIM115 - every write fails with ENOSPC
    with pytest.raises(OutputError, match="No space left on device"):
        spilled.extend(np.arange(100_000, dtype=np.uint64))


def test_no_usable_temporary_directory_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tempfile

    def nowhere() -> str:
        raise FileNotFoundError(2, "No usable temporary directory found")

    monkeypatch.setattr(tempfile, "gettempdir", nowhere)
    with pytest.raises(OutputError, match="in 'TMPDIR': No usable temporary directory"):
        SpilledArray(np.uint64)
