"""Arrays appended batch by batch and then read, kept in a temporary file and memory-mapped.

A scan's shingle sets, names and band keys take about 2.4 KB an article and are written once,
then read by the workers (verification, clustering) and never by the main process. Held in
the process's memory they were most of its peak; written to a file and mapped, they are page
cache the kernel evicts and reads back as needed, so a run can hold more of them than there
is memory. The file is unlinked as soon as it is made: a killed run leaves nothing behind.
"""

from __future__ import annotations

import mmap
import tempfile
from typing import Any

import numpy as np
import numpy.typing as npt

from dedup.errors import OutputError


class SpilledArray:
    """Rows appended to an unlinked temporary file; ``finish`` maps them as one array.

    The mapping is private and copy-on-write: reading shares the page cache, and the array
    is as writable as an in-memory one (what is written stays in this process).
    """

    def __init__(
        self, dtype: type[np.generic], width: int | None = None, directory: str | None = None
    ) -> None:
        self.dtype = np.dtype(dtype)
        self.shape_tail: tuple[int, ...] = () if width is None else (width,)
        self.size = 0
        self._directory = directory or "TMPDIR"
        try:
            self._directory = directory or tempfile.gettempdir()  # raises if none is usable
            # closed by ``finish``, or with the object if a run stops before it
            self._file = tempfile.TemporaryFile(dir=self._directory)  # noqa: SIM115
        except OSError as exc:
            raise self._cannot_write(exc) from exc

    def _cannot_write(self, exc: OSError) -> OutputError:
        return OutputError(
            f"cannot keep the run's working arrays in '{self._directory}': "
            f"{exc.strerror or exc} (TMPDIR names the directory they go to)"
        )

    def extend(self, rows: npt.NDArray[Any]) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if rows.shape[1:] != self.shape_tail:
            raise ValueError(f"rows of shape {rows.shape[1:]}, expected {self.shape_tail}")
        try:
            self._file.write(rows.data)
        except OSError as exc:  # a full disk, most likely
            raise self._cannot_write(exc) from exc
        self.size += rows.shape[0]

    def finish(self) -> npt.NDArray[Any]:
        """The rows written, as an array over the mapped file (the file is closed; the
        mapping keeps its pages until the array is freed)."""
        shape = (self.size, *self.shape_tail)
        nbytes = self.size * self.dtype.itemsize * int(np.prod(self.shape_tail, dtype=np.int64))
        try:
            if nbytes == 0:
                return np.empty(shape, dtype=self.dtype)
            self._file.flush()
            mapped = mmap.mmap(self._file.fileno(), nbytes, access=mmap.ACCESS_COPY)
        finally:
            self._file.close()
        return np.frombuffer(mapped, dtype=self.dtype).reshape(shape)
