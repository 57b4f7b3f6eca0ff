"""The local engine: results in input order, bounded work in flight, errors surface."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dedup.engines.local import default_workers, map_ordered


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
