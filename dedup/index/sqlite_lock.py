"""The SQLite index's single-writer lock: an exclusive ``flock`` on ``PATH.lock``.

Apart from the store because it is file locking, not SQL: the lock file, the holder
recorded in it, and the message a refused writer prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from dedup.errors import IndexLockedError, IndexStoreError
from dedup.index.common import holder_record, json_bytes, locked_message

__all__ = ["WriterLock"]


class WriterLock:
    """The writer lock of the index at ``index_path``, kept in ``index_path + ".lock"``."""

    def __init__(self, index_path: str) -> None:
        self._index = index_path
        self.path = index_path + ".lock"
        #: the run holding the lock through this object, if any
        self.holding: str | None = None

    def _open(self) -> int:
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise IndexStoreError(
                f"index {self._index}: cannot open its lock file {self.path}: {exc.strerror or exc}"
            ) from exc

    def _locked_message(self, fd: int) -> str:
        holder: dict[str, Any] = {}
        # the holder writes its name just after taking the lock: a few ms' grace
        for _ in range(3):
            try:
                value = json.loads(os.pread(fd, 4096, 0) or b"null")
            except (OSError, ValueError):
                value = None
            if isinstance(value, dict):
                holder = value
                break
            time.sleep(0.01)
        return locked_message(self._index, holder, "wait for it to finish or stop it")

    def _take(self, fd: int) -> None:
        """flock, exclusive and non-blocking; refused with the holder named."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise IndexLockedError(self._locked_message(fd)) from None
        except OSError as exc:
            raise IndexStoreError(
                f"index {self._index}: cannot lock {self.path}: {exc.strerror or exc}"
            ) from exc

    @contextmanager
    def hold(self, run_id: str) -> Iterator[None]:
        """The lock, exclusive and non-blocking: ``IndexLockedError`` if another holds it.

        The kernel drops a flock when its holder dies (even by SIGKILL), so a killed
        job's lock is taken over by the next without any stale-lock guessing. The
        holder's pid, host, run and start time are written into the file for the
        message a refused job prints. Processes forked while the lock is held inherit
        it: it is free only once they have exited too.
        """
        fd = self._open()
        try:
            self._take(fd)
            with contextlib.suppress(OSError):
                os.ftruncate(fd, 0)
                os.pwrite(fd, json_bytes(holder_record(run_id)), 0)
            self.holding = run_id
            try:
                yield
            finally:
                self.holding = None
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
        finally:
            os.close(fd)

    def check(self) -> None:
        """A write without the lock held here is allowed only while nobody holds it (as
        on Redis); BEGIN IMMEDIATE still keeps each transaction whole."""
        if self.holding is not None:
            return
        fd = self._open()
        try:
            self._take(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
        except IndexLockedError:
            raise
        except IndexStoreError:
            return  # a file system without flock: BEGIN IMMEDIATE alone guards the write
        finally:
            os.close(fd)
