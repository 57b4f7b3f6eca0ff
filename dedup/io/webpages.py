"""Pages as articles: saved HTML and text files, and the HTML inside WARC/ARC archives.

Each page becomes one record in dedup's own field names; the provenance its HTML
declares (canonical link, JSON-LD, "Source link" hrefs, Googlebot-News noindex) rides
along as ``Item.page`` for the canonical step. A page that gives no text is a reject
naming the file (or the archive and byte offset), never a silent empty article.
Extraction costs milliseconds a page, so pages are extracted in batches on worker
processes (``workers``), in order; files and archives are still read here, one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import BinaryIO

from dedup.agencies import domain_of
from dedup.engines.local import map_ordered
from dedup.errors import InputError
from dedup.io.compression import StreamError
from dedup.io.items import Item
from dedup.pages import PageError, read_page

#: pages sent to a worker at a time
PAGES_PER_BATCH = 8


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page read but not yet extracted, or the reason it could not be read."""

    path: str
    number: int
    unit: str
    record_id: str
    url: str | None = None
    payload: bytes = b""
    problem: str | None = None


def _extract(job: PageJob, max_bytes: int) -> Item:
    if job.problem is not None:
        return Item(
            job.number,
            raw=job.record_id,
            problem=job.problem,
            unit=job.unit,
            path=job.path,
        )
    try:
        page = read_page(job.payload, url=job.url, max_bytes=max_bytes)
    except PageError as exc:
        return Item(job.number, raw=job.record_id, problem=str(exc), unit=job.unit, path=job.path)
    # a saved page's own URL: og:url, which sites set to the page itself; a partner's
    # canonical link names the original, so it comes last
    url = job.url or page.signals.og_url or page.url
    value: dict[str, object] = {
        "id": job.record_id,
        "text": page.text,
        "title": page.title,
        "url": url,
        "outlet": domain_of(url),
        "published_at": page.published_at,
    }
    return Item(
        job.number,
        value,
        job.record_id,
        unit=job.unit,
        native=True,
        page=page.signals,
        path=job.path,
    )


def _extract_batch(jobs: tuple[PageJob, ...], max_bytes: int) -> list[Item]:
    return [_extract(job, max_bytes) for job in jobs]


def _batches(jobs: Iterable[PageJob]) -> Iterator[tuple[PageJob, ...]]:
    stream = iter(jobs)
    while batch := tuple(islice(stream, PAGES_PER_BATCH)):
        yield batch


def extracted(jobs: Iterable[PageJob], *, max_bytes: int, workers: int) -> Iterator[Item]:
    """The items of the pages, in order; extraction runs on ``workers`` processes."""
    work = partial(_extract_batch, max_bytes=max_bytes)
    for _, items in map_ordered(work, _batches(jobs), workers=workers):
        yield from items


def _read_capped(stream: BinaryIO, max_bytes: int) -> bytes | str:
    """The file's bytes, or the reason it cannot be had."""
    try:
        data = stream.read(max_bytes + 1)
    except StreamError as exc:
        return str(exc)
    if len(data) > max_bytes:
        return f"file over {max_bytes:,} bytes"
    return data


def page_file_jobs(
    files: Iterable[tuple[str, Callable[[], BinaryIO]]], max_bytes: int
) -> Iterator[PageJob]:
    """One job per HTML file: ``files`` gives each path with the way to open it (which
    may raise InputError); a page's id is its path."""
    for path, opener in files:
        try:
            stream = opener()
        except InputError as exc:
            yield PageJob(path, 0, "file", path, problem=str(exc))
            continue
        with stream:
            data = _read_capped(stream, max_bytes)
        if isinstance(data, str):
            yield PageJob(path, 0, "file", path, problem=data)
        else:
            yield PageJob(path, 0, "file", path, payload=data)


def warc_jobs(stream: BinaryIO, path: str, max_bytes: int) -> Iterator[PageJob]:
    """One job per HTML or text response/resource record, numbered by byte offset; the
    id is the record's target URI (else ``archive@offset``)."""
    from dedup.io.warc import WarcProblem, read_warc

    for entry in read_warc(stream, max_payload_bytes=max_bytes):
        if isinstance(entry, WarcProblem):
            yield PageJob(
                path,
                entry.offset,
                "offset",
                f"{path}@{entry.offset}",
                problem=entry.reason,
            )
        else:
            shown = entry.uri or f"{path}@{entry.offset}"
            yield PageJob(path, entry.offset, "offset", shown, entry.uri, entry.payload)


def read_text_file(stream: BinaryIO, location: str, max_bytes: int) -> Iterator[Item]:
    """One item for a plain-text story file (UTF-8)."""
    data = _read_capped(stream, max_bytes)
    if isinstance(data, str):
        yield Item(0, raw=location, problem=data, unit="file")
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield Item(0, raw=location, problem=f"invalid UTF-8 at byte {exc.start}", unit="file")
        return
    yield Item(0, {"id": location, "text": text}, location, unit="file", native=True)
