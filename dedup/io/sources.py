"""Which files an input names, in which format, and how to open them (local or fsspec).

Paths are resolved before anything is read, so a typo fails at once rather than after an
hour of work. Directories are walked recursively in sorted order; ``pattern`` (a glob
on the path below the directory) narrows them. A URL with a scheme (``s3://``,
``gs://``, ``memory://``, ``file://``) goes through fsspec, an optional extra.
"""

from __future__ import annotations

import fnmatch
import logging
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO

from dedup.errors import InputError

logger = logging.getLogger(__name__)

_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
    ".txt": "text",
    ".warc": "warc",
    ".arc": "warc",
}
_COMPRESSIONS = (".gz", ".bz2", ".xz", ".zst", ".zstd")
EXPECTED = (
    "expected .jsonl, .ndjson, .json, .csv, .tsv, .parquet, .html, .htm, .txt, .warc or .arc,"
    " optionally compressed (.gz, .bz2, .xz, .zst)"
)
_URL = re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]+://")


@dataclass(frozen=True, slots=True)
class Source:
    """One file to read: ``location`` is the path or URL messages show."""

    location: str
    fmt: str
    remote: bool = False


def format_of(name: str) -> str | None:
    """The format a file name announces, compression suffix aside (content decides that)."""
    name = os.path.basename(name).lower()
    for suffix in _COMPRESSIONS:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return _FORMATS.get(os.path.splitext(name)[1])


def _fsspec(url: str) -> tuple[Any, str]:
    try:
        from fsspec.core import url_to_fs
    except ImportError as exc:
        raise InputError(
            f"reading '{url}' needs the 'remote' extra: pip install 'dedup[remote]'"
        ) from exc
    try:
        return url_to_fs(url)  # type: ignore[no-any-return]
    except (ImportError, ValueError) as exc:
        raise InputError(f"cannot open '{url}': {exc}") from exc


def _walk_error(exc: OSError) -> None:
    raise InputError(f"cannot read directory '{exc.filename}': {exc.strerror or exc}") from exc


def _in_directory(root: str, files: list[str], pattern: str | None, remote: bool) -> list[Source]:
    found: list[tuple[list[str], Source]] = []
    for path in files:
        relative = os.path.relpath(path, root) if not remote else path[len(root) :].lstrip("/")
        if pattern and not fnmatch.fnmatch(relative.replace(os.sep, "/"), pattern):
            continue
        fmt = format_of(path)
        if fmt is None:
            logger.debug("skipping %s: not a readable format", path)
            continue
        found.append((relative.replace(os.sep, "/").split("/"), Source(path, fmt, remote)))
    found.sort(key=lambda pair: pair[0])
    return [source for _, source in found]


def _local(path: str, pattern: str | None) -> list[Source]:
    if os.path.isdir(path):
        files: list[str] = []
        for root, dirs, names in os.walk(path, onerror=_walk_error):
            dirs.sort()
            files.extend(os.path.join(root, name) for name in names)
        sources = _in_directory(path, files, pattern, remote=False)
        if not sources:
            raise InputError(f"no readable files in directory '{path}': {EXPECTED}")
        return sources
    if os.path.exists(path):
        fmt = format_of(path)
        if fmt is None:
            raise InputError(f"cannot tell the format of '{path}': {EXPECTED}")
        return [Source(path, fmt)]
    raise InputError(f"input '{path}' does not exist: check the path")


def _remote(url: str, pattern: str | None) -> list[Source]:
    fs, path = _fsspec(url)
    try:
        if any(char in path for char in "*?["):
            names = sorted(fs.glob(path))
        elif fs.isdir(path):
            root = path.rstrip("/")
            files = [fs.unstrip_protocol(name) for name in fs.find(root)]
            sources = _in_directory(fs.unstrip_protocol(root), files, pattern, remote=True)
            if not sources:
                raise InputError(f"no readable files in '{url}': {EXPECTED}")
            return sources
        elif fs.exists(path):
            names = [path]
        else:
            raise InputError(f"input '{url}' does not exist: check the URL")
    except OSError as exc:
        raise InputError(f"cannot list '{url}': {exc}") from exc
    sources = []
    for name in names:
        shown = fs.unstrip_protocol(name)
        fmt = format_of(name)
        if fmt is None:
            raise InputError(f"cannot tell the format of '{shown}': {EXPECTED}")
        sources.append(Source(shown, fmt, remote=True))
    if not sources:
        raise InputError(f"nothing matches '{url}'")
    return sources


def expand(
    paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str], pattern: str | None = None
) -> list[Source]:
    """Every file the inputs name, checked to exist and to have a known format."""
    if isinstance(paths, str | os.PathLike):
        paths = [paths]
    if not paths:
        raise InputError("no input given: pass at least one file or directory")
    sources: list[Source] = []
    for given in paths:
        path = os.fspath(given)
        sources.extend(_remote(path, pattern) if _URL.match(path) else _local(path, pattern))
    return sources


def open_source(source: Source) -> BinaryIO:
    """The file's raw bytes (compressed or not), for reading from the start."""
    try:
        if source.remote:
            fs, path = _fsspec(source.location)
            return fs.open(path, "rb")  # type: ignore[no-any-return]
        return open(source.location, "rb")
    except OSError as exc:
        raise InputError(f"cannot open the file: {exc.strerror or exc}") from exc
