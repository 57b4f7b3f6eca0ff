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
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from dedup.agencies import agency_of_source, domain_of
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


def url_key(url: str | None) -> str | None:
    """A URL reduced to host + path, for matching pointers against member URLs."""
    if not url:
        return None
    parts = urlsplit(url.strip() if "//" in url else "//" + url.strip())
    host = (parts.hostname or "").removeprefix("www.")
    return (host + parts.path.rstrip("/")) or None


@dataclass(frozen=True, slots=True)
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


def _containment_matrix(
    sets: Sequence[U64], shared: npt.NDArray[np.float64] | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """(``m``, shared counts): ``m[i, j]`` is the share of member i's shingles found in
    member j (1 on the diagonal). The counts come from the clustering step when it measured
    them; else they are measured here."""
    if shared is None:
        shared = pairwise(ShingleSets.from_sets(list(sets)), range(len(sets)))[0]
    sizes = np.array([max(len(s), 1) for s in sets], dtype=np.float64)
    matrix = shared / sizes[:, None]
    np.fill_diagonal(matrix, 1.0)
    return matrix, shared


def _completeness(contained: npt.NDArray[np.float64]) -> list[float]:
    """Per member, the mean share of the other members' shingles it contains."""
    n = contained.shape[0]
    return [float(v) for v in (contained.sum(axis=0) - 1.0) / max(n - 1, 1)]


def _pointer_parents(articles: Sequence[Article], evidence: Sequence[Evidence]) -> list[int | None]:
    by_url = {key: i for i, a in enumerate(articles) if (key := url_key(a.url))}
    parents: list[int | None] = []
    for i, (article, ev) in enumerate(zip(articles, evidence, strict=True)):
        pointers = (article.pointer, *ev.pointers)
        targets = [by_url.get(url_key(p) or "") for p in pointers if p] if by_url else []
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
    votes: Counter[str] = Counter()
    for ev in evidence:
        votes.update(set(ev.agencies))
    if votes:
        agency, count = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        example = _credit_example(agency, articles, evidence)
        return agency, f"origin {agency}: credited on {count} of {len(articles)} members{example}"
    named: Counter[str] = Counter()
    for ev in evidence:
        named.update(set(ev.sources))
    if named:
        source, count = sorted(named.items(), key=lambda kv: (-kv[1], kv[0]))[0]
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


def describe_cluster(
    articles: Sequence[Article],
    evidence: Sequence[Evidence],
    sets: Sequence[U64],
    *,
    shared: npt.NDArray[np.float64] | None = None,
) -> Cluster:
    """The cluster record for verified members (``shared``: their shared-shingle counts,
    when the caller has measured them already)."""
    agency_pages = [agency_of_source(a.outlet, a.url) for a in articles]
    parents = _pointer_parents(articles, evidence)
    contained, shared = _containment_matrix(sets, shared)
    completeness = _completeness(contained)
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
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    union = sizes + sizes[canonical] - shared[:, canonical]
    jaccard = np.divide(shared[:, canonical], union, out=np.ones_like(union), where=union > 0)
    jaccard[canonical] = 1.0  # the shared counts leave the diagonal at 0
    members = [
        _member(i, articles, evidence, sizes, contained, float(jaccard[i]), canonical, parents[i])
        for i in range(len(articles))
    ]
    members.sort(key=lambda m: (m.role != "canonical", m.id))
    canonical_id = articles[canonical].id
    return Cluster(
        cluster_id=cluster_id_for(canonical_id),
        canonical_id=canonical_id,
        origin=origin,
        reasons=tuple(reasons),
        members=tuple(members),
    )


def _outlet_name(article: Article) -> str | None:
    return article.outlet or domain_of(article.url)


def _outlet_key(article: Article) -> str | None:
    return domain_of(article.url) or domain_of(article.outlet) or article.outlet


def _same_outlet(first: Article, second: Article) -> bool:
    """Two pages of one outlet: versions of a story, not syndication."""
    key = _outlet_key(first)
    return key is not None and key == _outlet_key(second)


def _member(
    index: int,
    articles: Sequence[Article],
    evidence: Sequence[Evidence],
    sizes: npt.NDArray[np.float64],
    contained: npt.NDArray[np.float64],
    jaccard: float,
    canonical: int,
    pointer_parent: int | None,
) -> Member:
    """A member's role and parent: its pointer's target, else the canonical, else (for a
    member that shares little with the canonical) the member that contains it most."""
    article = articles[index]
    containment = float(contained[index, canonical])
    role = "copy"
    parent: int | None = canonical
    if index == canonical:
        role, parent = "canonical", None
    elif pointer_parent is not None:
        parent = pointer_parent
    elif _same_outlet(article, articles[canonical]):
        role = "version"
    elif (
        containment >= ABRIDGED_CONTAINMENT
        and sizes[index] <= ABRIDGED_SIZE_RATIO * sizes[canonical]
    ):
        role = "abridged_copy"
    elif containment < DIRECT_PARENT_CONTAINMENT:
        closest = contained[index].copy()
        closest[index] = -1.0
        parent = int(np.argmax(closest)) if closest.max() > containment else canonical
    return member_of(
        article,
        evidence[index],
        role,
        articles[parent].id if parent is not None else None,
        round(jaccard, 4),
        round(containment, 4),
    )


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
