"""Restart detection: a Redis without persistence comes back empty, so each writing client
keeps what it last saw of the index (epoch and count) in a small sentinel file and
refuses a server that has fallen behind it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import redis

from dedup.errors import IndexStoreError

# records keep the backend's logger name, as before the split
log = logging.getLogger("dedup.index.redis")


def state_dir() -> Path:
    """Where restart sentinels live: ``$DEDUP_STATE_DIR``, else the XDG state home."""
    explicit = os.environ.get("DEDUP_STATE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_STATE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".local" / "state") / "dedup"


class Sentinel:
    """What this client last saw of one index (epoch and count): in memory while it runs,
    and in a file that outlives it."""

    def __init__(self, host: str, port: int, db: int, prefix: str, location: str) -> None:
        name = f"{host}:{port}/{db}/{prefix}"
        self.path = state_dir() / f"redis-{hashlib.sha256(name.encode()).hexdigest()}.json"
        self._where = f"redis at {host}:{port} db {db} prefix {prefix}"
        self._location = location
        self.epoch: str | None = None
        self.count = 0

    def lost(self, have: int, expected: int, epoch: str | None = None) -> IndexStoreError:
        what = f"count {have}, expected ≥ {expected}"
        if epoch is not None:
            what = f"another index is there, epoch {epoch}"
        return IndexStoreError(
            f"{self._where} has lost the index it had ({what}): it restarted without "
            "persistence or was flushed; restore it, or run again with --rebuild-index to "
            "start an empty one"
        )

    def behind(self, epoch: str | None, count: int) -> IndexStoreError | None:
        """On opening (``epoch`` None: no manifest): the error if the server has fallen
        behind the file; None if it has not, or there is no file."""
        known = self._read()
        if known is None:
            return None
        known_epoch, known_count = known
        if epoch is None or count < known_count:
            return self.lost(count, known_count)
        if epoch != known_epoch:
            return self.lost(count, known_count, epoch)
        return None

    def check(self, epoch: str | None, count: int) -> None:
        """Inside WATCH (``epoch`` None: no manifest): the index must still be the one
        this client opened, and not behind what it saw."""
        if epoch is None:
            if self.epoch is not None or self.count:
                raise self.lost(count, self.count)
            raise IndexStoreError(f"no index at {self._location}: create its manifest first")
        if self.epoch is None:
            self.epoch = epoch
        if epoch != self.epoch:
            raise self.lost(count, self.count, epoch)
        if count < self.count:
            raise self.lost(count, self.count)

    def _read(self) -> tuple[str, int] | None:
        """The epoch and count last written, or None (no file, or an unreadable one)."""
        try:
            row = json.loads(self.path.read_text())
            return str(row["epoch"]), int(row["count"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, TypeError, KeyError) as exc:
            log.warning("ignoring the unreadable restart sentinel %s: %s", self.path, exc)
            return None

    def write(self) -> None:
        """Replace the file with what was seen (atomically; nothing before an epoch is
        known); a failure is only warned about."""
        if self.epoch is None:
            return
        path = self.path
        row = {"epoch": self.epoch, "count": self.count, "index": self._location}
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
            temp.write_text(json.dumps(row))
            os.replace(temp, path)
        except OSError as exc:
            log.warning("could not write the restart sentinel %s: %s", path, exc)


def warn_without_persistence(r: redis.Redis, host: str, port: int) -> None:
    """A server with neither AOF nor RDB snapshots forgets the index on restart."""
    try:
        info = r.info("persistence")
        save = r.config_get("save")
    except redis.exceptions.ResponseError:
        return  # CONFIG renamed or disabled: we cannot tell
    if not isinstance(info, dict) or not isinstance(save, dict):
        return
    aof = str(info.get("aof_enabled", "")) == "1"
    snapshots = next(iter(save.values()), b"x")
    if not aof and not snapshots:
        log.warning(
            "redis at %s:%s has no persistence (no AOF, no RDB snapshots): "
            "a restart forgets the index",
            host,
            port,
        )
