"""Pick each cluster's canonical source, its root origin, every member's role, and why.

Evidence, strongest first (docs: news.md §4): the agency's own page; an explicit pointer
from a copy to another member; agency credits (which name the root origin even when the
agency's page is absent, and are spread to the whole cluster); completeness (the original
contains the copies, copies trim it); earliest publish time; scraper markers put a page last.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from dedup import _cluster_kernels
from dedup.agencies import agency_of_source, domain_of, host_and_path
from dedup.records import Article, Cluster, Evidence, Member, Reuse
from dedup.shingle import U64, ShingleSets
from dedup.verify import pairwise

ABRIDGED_SIZE_RATIO = 0.9
ABRIDGED_CONTAINMENT = 0.8
DIRECT_PARENT_CONTAINMENT = 0.5
_COMPLETENESS_STEP = 0.05


def cluster_id_for(canonical_id: str) -> str:
    """Stable cluster id derived from the canonical's id (a singleton is its own canonical)."""
    return "c-" + hashlib.sha256(canonical_id.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def parse_time(value: str | None) -> datetime | None:
    """An ISO-8601 time as aware UTC; naive times are taken as UTC; junk gives None."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@lru_cache(maxsize=1 << 16)
def url_key(url: str | None) -> str | None:
    """A URL reduced to host + path, for matching pointers against member URLs. Cached:
    many copies point to the same few originals."""
    if not url:
        return None
    host, path = host_and_path(url.strip() if "//" in url else "//" + url.strip())
    return ((host or "").removeprefix("www.") + path.rstrip("/")) or None


@dataclass(slots=True)
class _Candidate:
    index: int
    agency_page: str | None
    parent: int | None
    completeness: float
    published: datetime | None

    def sort_key(self, evidence: Evidence) -> tuple[object, ...]:
        """Higher is more likely the original; ties go to the smaller id (sorted first)."""
        published = self.published.timestamp() if self.published else float("inf")
        return (
            self.agency_page is not None,
            self.parent is None,
            not evidence.scraper,
            round(self.completeness / _COMPLETENESS_STEP),
            not evidence.syndicated,
            -published,
        )


def _containment(
    sets: Sequence[U64], shared: npt.NDArray[np.float64] | None
) -> tuple[npt.NDArray[np.float64], list[float], npt.NDArray[np.float64]]:
    """(``m``, completeness, shared counts): ``m[i, j]`` is the share of member i's
    shingles found in member j (1 on the diagonal); completeness, per member, the mean
    share of the other members' shingles it contains. The counts come from the clustering
    step when it measured them; else they are measured here."""
    if shared is None:
        shared = pairwise(ShingleSets.from_sets(list(sets)), range(len(sets)))[0]
    sizes = np.array([len(s) for s in sets], dtype=np.int64)
    contained, completeness = _cluster_kernels.containment_shares(shared, sizes)
    return contained, completeness.tolist(), shared


def _pointer_parents(articles: Sequence[Article], evidence: Sequence[Evidence]) -> list[int | None]:
    """Per member, the first other member its pointers (its own, then its page's) name."""
    unparented: list[int | None] = [None] * len(articles)
    if not any(a.pointer or ev.pointers for a, ev in zip(articles, evidence, strict=True)):
        return unparented  # most clusters: no URL to read
    by_url = {key: i for i, a in enumerate(articles) if (key := url_key(a.url))}
    if not by_url:
        return unparented
    parents: list[int | None] = []
    for i, (article, ev) in enumerate(zip(articles, evidence, strict=True)):
        targets = [by_url.get(url_key(p) or "") for p in (article.pointer, *ev.pointers) if p]
        parents.append(next((t for t in targets if t is not None and t != i), None))
    return parents


def _credit_example(agency: str, articles: Sequence[Article], evidence: Sequence[Evidence]) -> str:
    for article, ev in zip(articles, evidence, strict=True):
        for line in ev.stripped:
            if line.agency == agency and line.family != "caption":
                return f" ({line.family} '{line.text}' on {article.id})"
    return ""


def _origin(
    articles: Sequence[Article],
    evidence: Sequence[Evidence],
    agency_pages: Sequence[str | None],
    canonical: int,
) -> tuple[str | None, str]:
    """The root origin: an agency page's agency, else the most credited agency (spread to
    the whole cluster), else the outlet republication notes name, else the canonical's own
    outlet."""
    own = [(a, articles[i].id) for i, a in enumerate(agency_pages) if a]
    if own:
        return own[0][0], f"origin {own[0][0]}: {own[0][1]} is the agency's own page"
    votes = Counter(agency for ev in evidence for agency in set(ev.agencies))
    if votes:
        agency, count = min(votes.items(), key=lambda kv: (-kv[1], kv[0]))
        example = _credit_example(agency, articles, evidence)
        return agency, f"origin {agency}: credited on {count} of {len(articles)} members{example}"
    named = Counter(source for ev in evidence for source in set(ev.sources))
    if named:
        source, count = min(named.items(), key=lambda kv: (-kv[1], kv[0]))
        return source, (
            f"origin {source}: named as the original by a republication note on {count} "
            f"of {len(articles)} members"
        )
    outlet = _outlet_name(articles[canonical])
    return outlet, f"origin {outlet}: no agency credit or agency page; the canonical's outlet"


_COMPLETENESS_RANK = 3
_DECIDERS = (
    "it is the agency's own page",
    "the others point to it or elsewhere",
    "the others carry scraper markers",
    "it is the most complete version (contains the most of the others' text)",
    "the others carry a syndication disclaimer",
    "it was published earliest",
    "nothing else separates them, and its id sorts first",
)


def _canonical_reason(
    ranked: Sequence[_Candidate], articles: Sequence[Article], evidence: Sequence[Evidence]
) -> str:
    """Why the winner beat the runner-up: the first ranking criterion that differs."""
    best, runner = ranked[0], ranked[1]
    best_key = best.sort_key(evidence[best.index])
    runner_key = runner.sort_key(evidence[runner.index])
    differing = (i for i, (x, y) in enumerate(zip(best_key, runner_key, strict=True)) if x != y)
    decider = next(differing, len(_DECIDERS) - 1)
    reason = f"canonical {articles[best.index].id}: {_DECIDERS[decider]}"
    earlier = best.published and runner.published and runner.published < best.published
    if decider == _COMPLETENESS_RANK and earlier:
        reason += f"; {articles[runner.index].id} was published earlier but holds less of the story"
    return reason


Row = tuple[int, str, int | None, float, float]
"""A member as the canonical step placed it: (position, role, parent position, Jaccard,
containment), positions indexing the cluster's member lists."""


@dataclass(frozen=True, slots=True)
class Judgement:
    """What the canonical step decided about a cluster, by member position: all that is
    needed to build its ``Cluster`` wherever the articles and evidence are at hand (a
    worker sends this, not the members)."""

    canonical: int
    origin: str | None
    reasons: tuple[str, ...]
    #: the canonical first, then the others by id
    members: tuple[Row, ...]

    def cluster(self, articles: Sequence[Article], evidence: Sequence[Evidence]) -> Cluster:
        """The cluster record of the members this judgement was made on."""
        canonical_id = articles[self.canonical].id
        return Cluster(
            cluster_id=cluster_id_for(canonical_id),
            canonical_id=canonical_id,
            origin=self.origin,
            reasons=self.reasons,
            members=tuple(
                member_of(
                    articles[i],
                    evidence[i],
                    role,
                    articles[parent].id if parent is not None else None,
                    jaccard,
                    containment,
                )
                for i, role, parent, jaccard, containment in self.members
            ),
        )


def describe_cluster(
    articles: Sequence[Article],
    evidence: Sequence[Evidence],
    sets: Sequence[U64],
    *,
    shared: npt.NDArray[np.float64] | None = None,
) -> Cluster:
    """The cluster record for verified members (``shared``: their shared-shingle counts,
    when the caller has measured them already)."""
    return judge_cluster(articles, evidence, sets, shared=shared).cluster(articles, evidence)


def judge_cluster(
    articles: Sequence[Article],
    evidence: Sequence[Evidence],
    sets: Sequence[U64],
    *,
    shared: npt.NDArray[np.float64] | None = None,
) -> Judgement:
    """``describe_cluster``'s decisions (canonical, origin, reasons, roles), without
    building the member records."""
    agency_pages = [agency_of_source(a.outlet, a.url) for a in articles]
    parents = _pointer_parents(articles, evidence)
    contained, completeness, shared = _containment(sets, shared)
    candidates = [
        _Candidate(i, agency_pages[i], parents[i], completeness[i], parse_time(a.published_at))
        for i, a in enumerate(articles)
    ]
    by_id = sorted(candidates, key=lambda c: articles[c.index].id)
    ranked = sorted(by_id, key=lambda c: c.sort_key(evidence[c.index]), reverse=True)
    best = ranked[0]
    canonical = best.index
    origin, origin_reason = _origin(articles, evidence, agency_pages, canonical)
    reasons = [origin_reason, _canonical_reason(ranked, articles, evidence)]
    for article, ev, parent in zip(articles, evidence, parents, strict=True):
        if parent is not None:
            reasons.append(f"{article.id} points to {articles[parent].id}")
        if ev.syndicated:
            reasons.append(f"{article.id} carries a syndication disclaimer or republication note")
        if ev.scraper:
            reasons.append(f"{article.id} carries scraper/aggregator markers")
        if ev.page:
            reasons.append(f"{article.id}'s page declares: {'; '.join(ev.page)}")
    placed = _Placing(articles, sets, shared, contained, canonical)
    rows = [placed.row(i, parent) for i, parent in enumerate(parents)]
    rows.sort(key=lambda row: (row[1] != "canonical", articles[row[0]].id))
    return Judgement(canonical, origin, tuple(reasons), tuple(rows))


def _outlet_name(article: Article) -> str | None:
    return article.outlet or domain_of(article.url)


def _outlet_key(article: Article) -> str | None:
    return domain_of(article.url) or domain_of(article.outlet) or article.outlet


class _Placing:
    """What a member's figures, role and parent depend on, besides its own pointer."""

    __slots__ = (
        "articles",
        "canonical",
        "canonical_outlet",
        "contained",
        "in_canonical",
        "sizes",
        "with_canonical",
    )

    def __init__(
        self,
        articles: Sequence[Article],
        sets: Sequence[U64],
        shared: npt.NDArray[np.float64],
        contained: npt.NDArray[np.float64],
        canonical: int,
    ) -> None:
        self.articles = articles
        self.sizes = [float(len(s)) for s in sets]
        self.contained = contained
        self.canonical = canonical
        self.in_canonical: list[float] = contained[:, canonical].tolist()
        self.with_canonical: list[float] = shared[:, canonical].tolist()
        self.canonical_outlet = _outlet_key(articles[canonical])

    def jaccard(self, index: int) -> float:
        if index == self.canonical:
            return 1.0  # the shared counts leave the diagonal at 0
        shared = self.with_canonical[index]
        union = self.sizes[index] + self.sizes[self.canonical] - shared
        return shared / union if union > 0 else 1.0

    def same_outlet(self, article: Article) -> bool:
        """A page of the canonical's outlet: a version of the story, not syndication."""
        key = _outlet_key(article)
        return key is not None and key == self.canonical_outlet

    def row(self, index: int, pointer_parent: int | None) -> Row:
        """A member's role and parent: its pointer's target, else the canonical, else (for
        a member that shares little with the canonical) the member that contains it most."""
        canonical = self.canonical
        containment = self.in_canonical[index]
        role = "copy"
        parent: int | None = canonical
        if index == canonical:
            role, parent = "canonical", None
        elif pointer_parent is not None:
            parent = pointer_parent
        elif self.same_outlet(self.articles[index]):
            role = "version"
        elif (
            containment >= ABRIDGED_CONTAINMENT
            and self.sizes[index] <= ABRIDGED_SIZE_RATIO * self.sizes[canonical]
        ):
            role = "abridged_copy"
        elif containment < DIRECT_PARENT_CONTAINMENT:
            closest = self.contained[index].copy()
            closest[index] = -1.0
            parent = int(np.argmax(closest)) if closest.max() > containment else canonical
        return index, role, parent, round(self.jaccard(index), 4), round(containment, 4)


def member_of(
    article: Article,
    evidence: Evidence,
    role: str,
    parent_id: str | None,
    jaccard: float,
    containment: float,
    *,
    reuse: Reuse | None = None,
) -> Member:
    """An article as a cluster member, with the role and figures the cluster gave it."""
    return Member(
        article.id,
        article.url,
        article.outlet,
        article.published_at,
        role,
        parent_id,
        jaccard,
        containment,
        evidence,
        reuse,
    )
