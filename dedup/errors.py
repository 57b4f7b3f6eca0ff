"""One exception tree for everything dedup raises on purpose.

::

    DedupError                       base; the CLI maps it to an exit code and one line
    ├── ConfigError(ValueError)      bad parameters or options (exit 2)
    ├── InputError(ValueError)       an input file cannot be read at all (exit 3)
    │   └── BadRecordError           one record is malformed; carries path, line, reason
    │                                (raised only in strict mode, otherwise the record
    │                                is quarantined to the rejects file)
    ├── OutputError(OSError)         an output cannot be written (exit 4)
    └── IndexStoreError(RuntimeError) a persistent index cannot be used as asked (exit 5)
        ├── IndexLockedError         another job is writing to it (exit 6: retry later)
        └── IndexUnavailableError    its server cannot be reached (exit 7)
    EngineError(RuntimeError)        the Dask cluster cannot be reached, or gave up on a
                                     task whose workers kept dying (exit 8)

Each error subclasses the builtin it resembles, so callers that already catch
``ValueError`` or ``OSError`` keep working.
"""

from __future__ import annotations


class DedupError(Exception):
    """Base class for errors dedup raises deliberately (never for bugs)."""

    exit_code: int = 1


class ConfigError(DedupError, ValueError):
    """Parameters or options that cannot work together; the message says how to fix them."""

    exit_code = 2


class InputError(DedupError, ValueError):
    """An input path is missing, unreadable, or in a format we cannot read."""

    exit_code = 3


class BadRecordError(InputError):
    """One record of an input file is malformed (raised only in strict mode)."""

    def __init__(self, path: str, line: int, reason: str, where: str | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = reason
        self.where = where
        super().__init__(f"{where or f'{path}:{line}'}: {reason}")

    def __reduce__(self) -> tuple[type[BadRecordError], tuple[str, int, str, str | None]]:
        # raised on a Dask worker, it is pickled back to the driver
        return (type(self), (self.path, self.line, self.reason, self.where))


class OutputError(DedupError, OSError):
    """An output file cannot be written."""

    exit_code = 4


class IndexStoreError(DedupError, RuntimeError):
    """An index refuses the run: other parameters, a newer schema, lost or damaged data.
    The message says what to do."""

    exit_code = 5


class IndexLockedError(IndexStoreError):
    """Another job holds the index's writer lock; the message names the holder."""

    exit_code = 6


class IndexUnavailableError(IndexStoreError):
    """The index's server cannot be reached or the connection was lost mid-run."""

    exit_code = 7


class EngineError(DedupError, RuntimeError):
    """The Dask scheduler cannot be reached, or it gave up on a task (its workers died
    too many times running it)."""

    exit_code = 8
