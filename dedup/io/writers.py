"""Writers that never leave a half-written output behind (reliability rule 5).

Each output goes to a temp file in the target's directory, is fsynced, then renamed over
the target with ``os.replace``; a crash or an exception leaves the old file (or no file)
in place, never a truncated one that a later step would trust.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

from dedup.errors import OutputError
from dedup.faults import crash_point
from dedup.records import Reject

__all__ = ["atomic_output", "write_json", "write_jsonl", "write_rejects"]

STDOUT = "-"


def _new_file_mode() -> int:
    """The mode a plain open() would give, since mkstemp creates files as 0600."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(directory: str) -> None:
    """Make the rename itself durable; not every platform can open a directory."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str]) -> Iterator[TextIO]:
    """Open ``path`` for writing text so that it appears whole or not at all.

    ``"-"`` means standard output (flushed at the end, no atomicity). An ``OSError``
    becomes :class:`OutputError` naming the path; any exception removes the temp file.
    """
    target = os.fspath(path)
    if target == STDOUT:
        try:
            yield sys.stdout
            sys.stdout.flush()
        except OutputError:
            raise
        except OSError as exc:
            raise OutputError(f"cannot write to standard output: {exc}") from exc
        return
    directory = os.path.dirname(os.path.abspath(target))
    try:
        mode = os.stat(target).st_mode & 0o7777
    except OSError:
        mode = _new_file_mode()
    try:
        fd, temp = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(target)}.", suffix=".tmp"
        )
    except OSError as exc:
        raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        crash_point("before_rename")
        os.replace(temp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(exc, OSError) and not isinstance(exc, OutputError):
            raise OutputError(f"cannot write '{target}': {exc.strerror or exc}") from exc
        raise
    _fsync_dir(directory)


def _json_line(row: Mapping[str, object]) -> str:
    # allow_nan=False: NaN/Infinity are not JSON, and the readers reject them too.
    return json.dumps(row, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def write_jsonl(path: str | os.PathLike[str], rows: Iterable[Mapping[str, object]]) -> int:
    """Write one compact JSON object per line, atomically; return how many were written."""
    count = 0
    with atomic_output(path) as out:
        for row in rows:
            out.write(_json_line(row))
            out.write("\n")
            count += 1
    return count


def write_rejects(path: str | os.PathLike[str], rejects: Iterable[Reject]) -> int:
    """Write the quarantine file: one {path, line, unit, reason, raw} object per rejected
    record (``line`` counts in ``unit``: line, row, record, offset, file)."""
    rows = (
        {
            "path": reject.path,
            "line": reject.line,
            "unit": reject.unit,
            "reason": reject.reason,
            "raw": reject.raw,
        }
        for reject in rejects
    )
    return write_jsonl(path, rows)


def write_json(path: str | os.PathLike[str], obj: object) -> None:
    """Write one pretty-printed JSON document (the run summary) atomically."""
    with atomic_output(path) as out:
        json.dump(obj, out, ensure_ascii=False, indent=2, allow_nan=False)
        out.write("\n")
