"""Batches of work on this machine's cores, results in input order.

A pool of worker processes starts only when the input holds more than one batch (a small
scan pays no start-up). Workers are forked where the platform allows, so they share what
the caller loaded before (compiled kernels, tables). At most two batches per worker are in
flight (memory stays bounded on any input size), and each batch comes back with its result
in the order the batches came, so a run's output does not depend on the number of workers.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's imported modules and compiled kernels: workers start at once
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def map_ordered(
    work: Callable[[Item], Result], items: Iterable[Item], *, workers: int
) -> Iterator[tuple[Item, Result]]:
    """``(item, work(item))`` for every item, in order; ``work`` must be picklable.

    ``workers`` 0 means every core this process may use; 1 runs everything here.
    """
    workers = workers if workers > 0 else default_workers()
    stream = iter(items)
    head = list(islice(stream, 2))
    if workers <= 1 or len(head) < 2:
        for item in chain(head, stream):
            yield item, work(item)
        return
    pending: deque[tuple[Item, Future[Result]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        for item in chain(head, stream):
            pending.append((item, pool.submit(work, item)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
