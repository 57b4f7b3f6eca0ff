"""Batches of work on this machine's cores, results in input order.

A pool of worker processes starts only when the input holds more than one batch (a small
scan pays no start-up). Workers are forked where the platform allows, so they share what
the caller loaded before (compiled kernels, tables). At most two batches per worker are in
flight (memory stays bounded on any input size), and each batch comes back with its result
in the order the batches came, so a run's output does not depend on the number of workers.

``map_with_shared`` is for the stages after signing, whose work reads the whole run's sets
and evidence: forked workers inherit that state as copy-on-write pages, and only the small
items and their results cross between processes.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from itertools import chain, islice
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Shared = TypeVar("Shared")

IN_FLIGHT_PER_WORKER = 2


def default_workers() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _context() -> multiprocessing.context.BaseContext:
    # fork shares the parent's imported modules and compiled kernels: workers start at once
    return multiprocessing.get_context("fork" if _can_fork() else None)


def _pooled(
    work: Callable[[Item], Result],
    items: Iterable[Item],
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> Iterator[tuple[Item, Result]]:
    """Run ``work`` on the items here (one worker, or fewer than two items) or in a pool."""
    workers = workers if workers > 0 else default_workers()
    stream = iter(items)
    head = list(islice(stream, 2))
    if workers <= 1 or len(head) < 2:
        if initializer is not None:
            initializer(*initargs)
        for item in chain(head, stream):
            yield item, work(item)
        return
    pending: deque[tuple[Item, Future[Result]]] = deque()
    gc.freeze()  # forked workers' collector then never walks (and copies) the caller's objects
    try:
        with ProcessPoolExecutor(
            max_workers=workers, mp_context=_context(), initializer=initializer, initargs=initargs
        ) as pool:
            for item in chain(head, stream):
                pending.append((item, pool.submit(work, item)))
                if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                    done, future = pending.popleft()
                    yield done, future.result()
            while pending:
                done, future = pending.popleft()
                yield done, future.result()
    finally:
        gc.unfreeze()


def map_ordered(
    work: Callable[[Item], Result], items: Iterable[Item], *, workers: int
) -> Iterator[tuple[Item, Result]]:
    """``(item, work(item))`` for every item, in order; ``work`` must be picklable.

    ``workers`` 0 means every core this process may use; 1 runs everything here.
    """
    return _pooled(work, items, workers)


_shared: Any = None


def _share(state: object) -> None:
    global _shared
    _shared = state


def _with_shared(work: Callable[[Any, Item], Result], item: Item) -> Result:
    return work(_shared, item)


def map_with_shared(
    work: Callable[[Shared, Item], Result],
    shared: Shared,
    items: Iterable[Item],
    *,
    workers: int,
) -> Iterator[tuple[Item, Result]]:
    """``(item, work(shared, item))`` for every item, in order.

    ``shared`` reaches forked workers through the fork itself, never pickled; where
    processes cannot be forked, everything runs here. ``work`` must be picklable.
    """
    if not _can_fork():
        workers = 1
    try:
        yield from _pooled(partial(_with_shared, work), items, workers, _share, (shared,))
    finally:
        _share(None)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (and in workers forked
    meanwhile). A scan makes millions of long-lived records that hold no reference cycles,
    and the collector walking them again and again cost about a tenth of a scan's CPU;
    reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
