"""Compression told by content, decompressed with caps, and never silently cut short.

Why our own reader: dumps are named carelessly (a ``.jsonl`` that is gzipped, a ``.gz``
that is not), Python's and zstandard's stream readers end a truncated stream without an
error (reliability.md: 262 KB of 900 KB came back from a cut zstd file), and a small file
can expand into gigabytes. Here each stream is decompressed member by member; a stream
that ends inside a member raises :class:`DamagedStreamError`, and one that outgrows
``max_bytes`` or ``max_ratio`` raises :class:`OversizeStreamError` before it is held.
"""

from __future__ import annotations

import bz2
import io
import lzma
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

from dedup.errors import InputError

__all__ = [
    "DEFAULT_LIMITS",
    "DamagedStreamError",
    "DecompressionLimits",
    "OversizeStreamError",
    "StreamError",
    "buffer",
    "open_decompressed",
    "sniff_compression",
]

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_RAW_CHUNK = 64 * 1024
# zstd cannot bound one call's output: small reads keep a bomb's burst small (≤ 32 MiB)
_ZSTD_RAW_CHUNK = 1024
_OUT_CHUNK = 1024 * 1024


class StreamError(OSError):
    """A compressed stream that cannot be read on; everything read before it is valid."""


class DamagedStreamError(StreamError):
    """The compressed stream is truncated or corrupt; what came before it was read."""


class OversizeStreamError(StreamError):
    """The stream expands past the decompressed-size or ratio cap (a compression bomb)."""


@dataclass(frozen=True, slots=True)
class DecompressionLimits:
    """Caps per compressed file: total decompressed bytes, and the ratio of decompressed
    to compressed bytes, checked once ``ratio_after`` bytes have come out (small files
    of repeated text compress well and are no threat)."""

    max_bytes: int = 64 * 1024**3
    max_ratio: float = 100.0
    ratio_after: int = 64 * 1024 * 1024

    def __post_init__(self) -> None:
        if self.max_bytes < 1 or self.max_ratio <= 1 or self.ratio_after < 0:
            raise InputError(
                "decompression limits must be positive and the ratio over 1, got "
                f"max_bytes={self.max_bytes}, max_ratio={self.max_ratio}"
            )


DEFAULT_LIMITS = DecompressionLimits()


def sniff_compression(head: bytes) -> str | None:
    """The compression a stream's first bytes announce: gzip, bz2, xz, zstd, or None."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


class _Member:
    """One member (bz2 or xz stream; subclasses: gzip member, zstd frame) being
    decompressed; the decompressor keeps the input it did not take yet."""

    def __init__(self, decompressor: Any) -> None:
        self._d = decompressor

    @property
    def eof(self) -> bool:
        return bool(self._d.eof)

    @property
    def unused_data(self) -> bytes:
        return bytes(self._d.unused_data)

    def feed(self, data: bytes, limit: int) -> bytes:
        return bytes(self._d.decompress(data, limit))

    def pending(self) -> bool:
        """Whether output is waiting without more input."""
        return not self._d.needs_input and not self._d.eof


class _Zlib(_Member):
    """A gzip member: zlib hands back the input it did not take, to be fed again."""

    def __init__(self) -> None:
        super().__init__(zlib.decompressobj(wbits=31))

    def feed(self, data: bytes, limit: int) -> bytes:
        return bytes(self._d.decompress(self._d.unconsumed_tail + data, limit))

    def pending(self) -> bool:
        return bool(self._d.unconsumed_tail)


class _Zstd(_Member):
    """A zstd frame; its decompressor cannot bound its output, so the caller feeds little."""

    def __init__(self) -> None:
        try:
            import zstandard
        except ImportError as exc:
            raise InputError(
                "zstd input needs the 'zstd' extra: pip install 'dedup[zstd]'"
            ) from exc
        super().__init__(zstandard.ZstdDecompressor().decompressobj())

    def feed(self, data: bytes, limit: int) -> bytes:
        return bytes(self._d.decompress(data))

    def pending(self) -> bool:
        return False


_MEMBERS: dict[str, Callable[[], _Member]] = {
    "gzip": _Zlib,
    "bz2": lambda: _Member(bz2.BZ2Decompressor()),
    "xz": lambda: _Member(lzma.LZMADecompressor()),
    "zstd": _Zstd,
}


class _DecompressingReader(io.RawIOBase):
    """A readable, unseekable stream of the decompressed bytes of every member in turn."""

    def __init__(self, raw: io.BufferedReader, kind: str, limits: DecompressionLimits) -> None:
        self._raw = raw
        self._kind = kind
        self._limits = limits
        self._new = _MEMBERS[kind]
        self._member: _Member | None = None
        self._input = b""
        self._buffer = b""
        self._raw_eof = False
        self._error: OversizeStreamError | None = None
        self.compressed = 0
        self.decompressed = 0
        self._chunk = _ZSTD_RAW_CHUNK if kind == "zstd" else _RAW_CHUNK

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview | bytearray) -> int:  # type: ignore[override]
        while not self._buffer:
            if not self._fill():
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size

    def _fill(self) -> bool:
        """Decompress more into the buffer; False at the clean end of the stream."""
        if self._error is not None:
            raise self._error
        member = self._member
        if member is not None and member.eof:
            self._input = member.unused_data + self._input
            self._member = member = None
        if not self._input and not (member is not None and member.pending()):
            if self._raw_eof:
                return self._end(member)
            data = self._raw.read(self._chunk)
            if not data:
                self._raw_eof = True
                return self._end(member)
            self.compressed += len(data)
            self._input = data
        if member is None:
            if not self._input.strip(b"\0"):  # padding after the last member
                self._input = b""
                return True
            self._member = member = self._new()
        try:
            out = member.feed(self._input, _OUT_CHUNK)
        except Exception as exc:  # each library has its own error type (zstd's is no OSError)
            raise DamagedStreamError(
                f"corrupt {self._kind} data after {self.decompressed:,} bytes: {exc}"
            ) from exc
        self._input = b""
        self._buffer = self._admit(out)
        return True

    def _end(self, member: _Member | None) -> bool:
        if member is not None and not member.eof:
            raise DamagedStreamError(
                f"truncated {self._kind} stream: it ends inside a compressed block "
                f"after {self.decompressed:,} bytes"
            )
        return False

    def _admit(self, out: bytes) -> bytes:
        """What of ``out`` the caps let through; past a cap, the error waits for the next
        read, so the records before it are still read."""
        limits = self._limits
        allowed = limits.max_bytes - self.decompressed
        if len(out) > allowed:
            self._error = OversizeStreamError(
                f"decompressed size over the cap of {limits.max_bytes:,} bytes (--max-decompressed)"
            )
            out = out[: max(allowed, 0)]
        self.decompressed += len(out)
        if (
            self._error is None
            and self.decompressed > limits.ratio_after
            and self.decompressed > limits.max_ratio * max(self.compressed, 1)
        ):
            self._error = OversizeStreamError(
                f"expands more than {limits.max_ratio:g}:1 ({self.decompressed:,} bytes from "
                f"{self.compressed:,}): refused as a compression bomb (--max-ratio)"
            )
        return out

    def close(self) -> None:
        try:
            self._raw.close()
        finally:
            super().close()


class _Reading(io.RawIOBase):
    """Any object with ``read(n)`` (an fsspec file, a socket-backed stream) as a raw
    stream, so a BufferedReader gives it ``peek`` and a bounded ``readline``."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview | bytearray) -> int:  # type: ignore[override]
        data = self._source.read(len(target))
        target[: len(data)] = data
        return len(data)

    def close(self) -> None:
        try:
            self._source.close()
        finally:
            super().close()


def buffer(source: BinaryIO) -> io.BufferedReader:
    """``source`` as a BufferedReader (``peek``, bounded ``readline``), wrapped if need be."""
    if isinstance(source, io.BufferedReader):
        return source
    return io.BufferedReader(_Reading(source), _RAW_CHUNK)


def open_decompressed(
    source: BinaryIO, limits: DecompressionLimits = DEFAULT_LIMITS
) -> tuple[io.BufferedReader, str | None]:
    """Wrap ``source`` in the decompressor its first bytes call for (or none) and return
    a buffered stream with the compression found. Reading may raise DamagedStreamError or
    OversizeStreamError; both leave everything read before them valid."""
    buffered = buffer(source)
    kind = sniff_compression(buffered.peek(8)[:8])
    if kind is None:
        return buffered, None
    return io.BufferedReader(_DecompressingReader(buffered, kind, limits), _OUT_CHUNK), kind
