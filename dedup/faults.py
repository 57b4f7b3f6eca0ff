"""Named fault points, so tests can kill or stall a run exactly where it hurts most.

``DEDUP_CRASH_AT=name`` (or ``name:N``, the Nth time the point is reached) makes the
process kill itself with SIGKILL there: no cleanup, no ``finally``, as a power cut or the
OOM killer would. ``DEDUP_PAUSE_AT=name:SECONDS`` sleeps there instead (the first time),
which lets a test hold a run at a known place, e.g. with the writer lock taken. Unset,
a point costs one environment lookup. ``DEDUP_CRASH_ONCE=PATH`` makes the crash happen
once across processes (a Dask worker restarted after it must not die again): the point
creates PATH and crashes only if PATH did not exist. Points: ``after_read``,
``after_signatures``, ``inside_transaction``, ``after_commit``, ``before_rename``,
``dask_verify`` (in a Dask worker, verifying a partition).
"""

from __future__ import annotations

import os
import signal
import time

_reached: dict[str, int] = {}
_paused: set[str] = set()


def crash_point(name: str) -> None:
    """Die (or pause) here if ``DEDUP_CRASH_AT`` (``DEDUP_PAUSE_AT``) names this point."""
    crash = os.environ.get("DEDUP_CRASH_AT")
    if crash:
        point, _, count = crash.partition(":")
        if point == name:
            _reached[name] = _reached.get(name, 0) + 1
            if _reached[name] >= int(count or 1) and _first_across_processes():
                os.kill(os.getpid(), signal.SIGKILL)
    pause = os.environ.get("DEDUP_PAUSE_AT")
    if pause and name not in _paused:
        point, _, seconds = pause.partition(":")
        if point == name:
            _paused.add(name)
            time.sleep(float(seconds or 1))


def _first_across_processes() -> bool:
    marker = os.environ.get("DEDUP_CRASH_ONCE")
    if not marker:
        return True
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True
