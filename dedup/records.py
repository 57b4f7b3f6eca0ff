"""Plain data passed between the pipeline steps: no logic lives here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

_Record = TypeVar("_Record")


def _pickled_by_constructor(cls: type[_Record]) -> type[_Record]:
    """Pickle a frozen slotted dataclass as a call of its constructor.

    The default for such classes restores each object by looking its fields up again,
    which made unpickling the articles and evidence that batches carry between processes
    cost more than reading them.
    """
    names = tuple(f.name for f in fields(cls))  # type: ignore[arg-type]
    values = attrgetter(*names)
    one_field = len(names) == 1  # attrgetter of one name gives the value, not a tuple

    def reduce(self: _Record) -> tuple[Callable[..., _Record], tuple[Any, ...]]:
        found = values(self)
        return cls, (found,) if one_field else found

    setattr(cls, "__reduce__", reduce)  # noqa: B010 (a method set on a built class)
    return cls


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class PageSignals:
    """Provenance read from a page's HTML before extraction throws it away (news.md §1, §4).

    ``source_links`` are the hrefs behind "Source link", "originally appeared on" and
    "The post … appeared first on"; ``author_orgs`` the JSON-LD authors of type
    Organization; ``noindex_news`` is ``<meta name="Googlebot-News" content="noindex">``,
    which Google asks syndication partners to set on their copies.
    """

    canonical_url: str | None = None
    og_url: str | None = None
    based_on: tuple[str, ...] = ()
    source_links: tuple[str, ...] = ()
    author_orgs: tuple[str, ...] = ()
    publisher: str | None = None
    published_at: str | None = None
    noindex_news: bool = False


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Article:
    """One input record, mapped to the fields dedup uses.

    ``pointer`` is an href the record itself names as its parent page (a scraper's
    "Source link" field). ``page`` holds what an HTML page said about its own
    provenance, when the record was a page. ``location`` says where it was read
    ("path:line", "path@offset") for messages.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published_at: str | None = None
    pointer: str | None = None
    location: str = ""
    page: PageSignals | None = None

    def without_text(self) -> Article:
        """This article less its text, for holding once the text is done with."""
        return self._bare(self.title, self.location)

    def for_clustering(self) -> Article:
        """Only what clustering, the canonical choice and the cluster rows read (id, URL,
        outlet, time, pointer, page signals): a one-off scan holds one per article to its
        end, and their titles and locations took about 0.1 GiB at 1M."""
        return self._bare(None, "")

    def _bare(self, title: str | None, location: str) -> Article:
        # not ``dataclasses.replace``: it looks the fields up on every call, a million a run
        return Article(
            id=self.id,
            text="",
            title=title,
            url=self.url,
            outlet=self.outlet,
            published_at=self.published_at,
            pointer=self.pointer,
            location=location,
            page=self.page,
        )


def location_of(path: str, number: int, unit: str) -> str:
    """Where a record is, for messages: "dump.jsonl:12", "pages.parquet:row 12",
    "crawl.warc.gz@1234" (a byte offset), "page.html" (a whole file)."""
    if unit == "line":
        return f"{path}:{number}"
    if unit == "offset":
        return f"{path}@{number}"
    if unit == "file":
        return path
    return f"{path}:{unit} {number}"


@dataclass(frozen=True, slots=True)
class Reject:
    """A record that could not be used, with where it was and why.

    ``line`` counts in ``unit``: a text line (JSONL, CSV), a ``row`` (Parquet), a byte
    ``offset`` (a WARC record), a ``record`` (an element of a JSON array), or a whole
    ``file`` (a page; ``line`` is then 0).
    """

    path: str
    line: int
    reason: str
    raw: str = ""
    unit: str = "line"

    @property
    def where(self) -> str:
        return location_of(self.path, self.line, self.unit)


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class StrippedLine:
    """A line (or line prefix) the normalizer removed from the body, and its family.

    Families: ``disclaimer``, ``republication``, ``rights``, ``credit``, ``dateline``,
    ``scraper``, ``timestamp``, ``furniture``, ``caption``, ``byline``, ``headline``.
    """

    family: str
    text: str
    agency: str | None = None


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Evidence:
    """What the normalizer stripped that says where a text came from.

    ``agencies`` are canonical agency names ("AFP", "AP", "Reuters", "PTI", ...) credited
    anywhere in the text, in the order found; ``sources`` are outlets a republication note
    names ("This article originally appeared on USA TODAY"). ``syndicated`` is true when a
    line marks the page as a copy (a syndication disclaimer or republication note); ``scraper`` when
    aggregator/autoblog remnants were found; ``compilation`` when the text is a live file or
    digest bundling several stories. ``kept_boilerplate`` is true when stripping
    would have removed too much of the text, so the text was kept whole. ``page`` lists,
    in words, what the page's HTML declared about its provenance ("canonical link to …",
    "Googlebot-News noindex"); its pointers and agency authors are merged in above.
    """

    agencies: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    dateline: str | None = None
    pointers: tuple[str, ...] = ()
    timestamps: tuple[str, ...] = ()
    syndicated: bool = False
    scraper: bool = False
    compilation: bool = False
    stripped: tuple[StrippedLine, ...] = ()
    kept_boilerplate: bool = False
    page: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A clean body (headline, boilerplate and furniture removed) and the evidence."""

    body: str
    evidence: Evidence


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Passage:
    """A run of words two bodies share, as word offsets (end exclusive) in each: the
    ``source`` is the cluster's canonical, the ``copy`` a member. Words are the tokens
    shingles are made of, so offsets line up with what the similarity figures count."""

    source_start: int
    source_end: int
    copy_start: int
    copy_end: int


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Reuse:
    """What a member takes from its cluster's canonical: the shared passages, how many of
    its words they cover, and which of the canonical's paragraphs (1-based, inclusive
    ranges, merged) they come from, e.g. paragraphs 3-9 of 10."""

    passages: tuple[Passage, ...]
    shared_words: int
    words: int
    paragraphs: tuple[tuple[int, int], ...]
    source_paragraphs: int


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Member:
    """One article of a cluster, with its role and its similarity to the canonical.

    ``containment`` is the share of this member's shingles found in the canonical.
    """

    id: str
    url: str | None
    outlet: str | None
    published_at: str | None
    role: str
    parent_id: str | None
    jaccard: float
    containment: float
    evidence: Evidence
    #: shared passages with the canonical, when the scan was asked for them (``--spans``)
    reuse: Reuse | None = None


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class Cluster:
    """A story: its members, its canonical source and the reasons for that choice."""

    cluster_id: str
    canonical_id: str
    origin: str | None
    reasons: tuple[str, ...]
    members: tuple[Member, ...]

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(slots=True)
class RunStats:
    """Counters of one run; the CLI prints them, ``--summary-json`` writes them."""

    records_read: int = 0
    articles: int = 0
    rejected: int = 0
    too_short: int = 0
    truncated: int = 0
    boilerplate_kept: int = 0
    candidate_pairs: int = 0
    verified_pairs: int = 0
    clusters: int = 0
    clustered_articles: int = 0
    singletons: int = 0
    largest_cluster: int = 0
    seconds: float = 0.0
    #: wall seconds per stage: prepare (read, then normalize, shingle, sign, band on the
    #: workers), candidates, verify (workers), cluster and canonical (interleaved on the
    #: workers: their one lap split in proportion to the workers' time on each)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class GoldCluster:
    """A labelled cluster: its ids and, where labelled, root origin and canonical.

    ``canonical_alternatives`` are members the labeller accepts as canonical too (copies as
    complete and faithful as ``canonical_id`` when the origin's own page is absent).
    """

    cluster_id: str
    ids: tuple[str, ...]
    origin: str | None = None
    canonical_id: str | None = None
    canonical_alternatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Prediction:
    """What a run said, for scoring: each id's cluster and canonical, each cluster's origin.

    Ids absent from ``cluster_of`` are singletons (their own canonical).
    """

    cluster_of: dict[str, str]
    canonical_of: dict[str, str]
    origin_of: dict[str, str | None]
