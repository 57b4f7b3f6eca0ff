"""The local engine: results in input order, bounded work in flight, errors surface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dedup.engines import local
from dedup.engines.local import default_workers, map_ordered, map_with_shared


def square(value: int) -> int:
    return value * value


def fail_on_three(value: int) -> int:
    if value == 3:
        raise ValueError("three")
    return value


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_input_order(workers: int) -> None:
    assert list(map_ordered(square, range(20), workers=workers)) == [(i, i * i) for i in range(20)]


def test_input_is_consumed_lazily() -> None:
    consumed: list[int] = []

    def items() -> Iterator[int]:
        for i in range(1000):
            consumed.append(i)
            yield i

    results = map_ordered(square, items(), workers=2)
    first = next(results)
    assert first == (0, 0)
    assert len(consumed) <= 2 * 2 + 1
    results.close()


def test_a_worker_error_reaches_the_caller() -> None:
    with pytest.raises(ValueError, match="three"):
        list(map_ordered(fail_on_three, range(6), workers=2))


def test_default_workers_is_at_least_one() -> None:
    assert default_workers() >= 1


def scaled(table: list[int], index: int) -> int:
    return table[index] * 10


@pytest.mark.parametrize("workers", [1, 2])
def test_shared_state_reaches_every_item_in_order(workers: int) -> None:
    table = list(range(100, 130))
    results = list(map_with_shared(scaled, table, range(30), workers=workers))
    assert results == [(i, (100 + i) * 10) for i in range(30)]


def test_shared_state_is_not_held_after_the_run() -> None:
    list(map_with_shared(scaled, [1, 2, 3], range(3), workers=1))
    assert local._shared is None
