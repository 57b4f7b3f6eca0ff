"""Cluster rows (and optionally the dump's bodies and counts) to the data a report shows.

Pure: nothing here reads a file or prints. The page's table needs one short row per
cluster; a cluster's members, evidence and highlighted passages are kept apart so the
page can parse them only when a cluster is opened.
"""

from __future__ import annotations

import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dedup.canonical import parse_time as canonical_time
from dedup.errors import InputError
from dedup.params import DedupParams
from dedup.passages import Words, passages_between
from dedup.report.dump import Dump, outlet_key

Span = tuple[int, int]


@dataclass(frozen=True, slots=True)
class LshShape:
    """The banding the scan used, for the S-curve."""

    bands: int
    rows: int
    num_perm: int
    from_summary: bool


@dataclass(slots=True)
class ReportData:
    """Everything the page shows, as JSON-ready values.

    ``rows`` are the table (one list per cluster: index, id, size, canonical, origin,
    outlets, first and last publish time as epoch seconds and as text); ``clusters`` the
    detail of each, in the same order; ``texts`` the clean bodies by id.
    """

    summary: dict[str, Any]
    lsh: LshShape
    rows: list[list[Any]]
    clusters: list[dict[str, Any]]
    texts: dict[str, str]
    outlets: list[dict[str, Any]]
    flows: list[dict[str, Any]]
    has_dump: bool
    notes: list[str] = field(default_factory=list)


def parse_time(text: object) -> datetime | None:
    """``canonical.parse_time`` for any JSON value: one odd timestamp never fails a report."""
    return canonical_time(text) if isinstance(text, str) else None


def _time_text(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def _epoch(moment: datetime | None) -> float | None:
    return moment.timestamp() if moment else None


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values (an outlet with no dated copy)."""
    return float(statistics.median(values)) if values else None


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (and the page could not embed them)."""
    raise ValueError(f"{name} is not a JSON number")


def cluster_rows(lines: Iterable[str], name: str) -> Iterator[dict[str, Any]]:
    """Parse and check ``clusters.jsonl`` lines; a bad one raises ``InputError`` naming
    its line, since a report of half a file would mislead."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line, parse_constant=_no_constant)
        except json.JSONDecodeError as error:
            raise InputError(f"{name}:{number}: invalid JSON: {error.msg}") from None
        except ValueError as error:
            raise InputError(f"{name}:{number}: invalid JSON: {error}") from None
        problem = _row_problem(row)
        if problem:
            raise InputError(f"{name}:{number}: not a dedup cluster: {problem}")
        yield row


def _row_problem(row: object) -> str | None:
    if not isinstance(row, dict):
        return "not a JSON object"
    for key in ("cluster_id", "canonical_id"):
        if not isinstance(row.get(key), str):
            return f"missing {key}"
    members = row.get("members")
    if not isinstance(members, list) or not members:
        return "missing members"
    for member in members:
        if not isinstance(member, dict) or not isinstance(member.get("id"), str):
            return "a member without an id"
    return None


def lsh_shape(summary: Mapping[str, Any] | None) -> LshShape:
    """The summary's ``lsh`` object when the scan wrote one, else the default parameters'."""
    found = (summary or {}).get("lsh")
    if isinstance(found, dict):
        values = [found.get(k) for k in ("bands", "rows", "num_perm")]
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and v > 0]
        if len(numbers) == len(values):
            return LshShape(numbers[0], numbers[1], numbers[2], from_summary=True)
        raise InputError("the summary's lsh object needs positive integers bands, rows, num_perm")
    defaults = DedupParams()
    return LshShape(defaults.bands, defaults.rows, defaults.num_perm, from_summary=False)


def _merged(spans: Iterable[Span]) -> list[list[int]]:
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _passages(source: Words, copy: Words, min_words: int) -> dict[str, Any]:
    """Shared runs of words as character spans on both sides (for ``<mark>``) and
    paragraph ranges (for the list under the texts)."""
    found = passages_between(source, copy, min_words=min_words)
    listed = [
        [
            p.copy_end - p.copy_start,
            source.paragraphs[p.source_start],
            source.paragraphs[p.source_end - 1],
            copy.paragraphs[p.copy_start],
            copy.paragraphs[p.copy_end - 1],
        ]
        for p in found
    ]
    return {
        "src": _merged(
            (source.spans[p.source_start][0], source.spans[p.source_end - 1][1]) for p in found
        ),
        "cp": _merged((copy.spans[p.copy_start][0], copy.spans[p.copy_end - 1][1]) for p in found),
        "passages": listed,
        "shared_words": sum(p.copy_end - p.copy_start for p in found),
        "copy_words": len(copy.spans),
    }


@dataclass(slots=True)
class _OutletTally:
    copies: int = 0
    canonicals: int = 0
    delays: list[float] = field(default_factory=list)


def _member_detail(
    member: Mapping[str, Any],
    canonical_id: str,
    canonical_time: datetime | None,
    source: Words | None,
    texts: Mapping[str, str],
    min_words: int,
) -> tuple[dict[str, Any], float | None]:
    moment = parse_time(member.get("published_at"))
    delay = (
        (moment - canonical_time).total_seconds()
        if moment and canonical_time and member["id"] != canonical_id
        else None
    )
    detail: dict[str, Any] = {
        key: member.get(key) for key in ("id", "url", "outlet", "published_at", "role", "parent_id")
    }
    detail["jaccard"] = member.get("jaccard")
    detail["containment"] = member.get("containment")
    evidence = member.get("evidence")
    detail["evidence"] = evidence if isinstance(evidence, dict) else {}
    detail["delay"] = delay
    text = texts.get(member["id"])
    if member["id"] != canonical_id and source is not None and text is not None:
        detail |= _passages(source, Words.of(text), min_words)
    return detail, delay


def build_report(
    rows: Iterable[Mapping[str, Any]],
    *,
    dump: Dump | None = None,
    summary: Mapping[str, Any] | None = None,
    min_words: int = 8,
) -> ReportData:
    """The report of a scan's clusters: summary, table rows, details, outlet view."""
    lsh = lsh_shape(summary)
    texts = dump.bodies if dump else {}
    table: list[list[Any]] = []
    details: list[dict[str, Any]] = []
    tallies: defaultdict[str, _OutletTally] = defaultdict(_OutletTally)
    flows: Counter[tuple[str, str]] = Counter()
    flow_delays: defaultdict[tuple[str, str], list[float]] = defaultdict(list)
    members_seen = copies = 0
    for index, row in enumerate(rows):
        canonical_id: str = row["canonical_id"]
        members: list[Mapping[str, Any]] = row["members"]
        canonical = next((m for m in members if m["id"] == canonical_id), members[0])
        canonical_time = parse_time(canonical.get("published_at"))
        origin = str(row.get("origin") or outlet_key(canonical.get("outlet"), canonical.get("url")))
        times = [t for t in (parse_time(m.get("published_at")) for m in members) if t]
        source_text = texts.get(canonical_id)
        source = Words.of(source_text) if source_text is not None else None  # once a cluster
        outlets: list[str] = []
        member_details = []
        for member in members:
            outlet = outlet_key(member.get("outlet"), member.get("url"))
            if outlet not in outlets:
                outlets.append(outlet)
            detail, delay = _member_detail(
                member, canonical_id, canonical_time, source, texts, min_words
            )
            member_details.append(detail)
            members_seen += 1
            if member["id"] == canonical_id:
                tallies[outlet].canonicals += 1
                continue
            copies += 1
            tallies[outlet].copies += 1
            flows[(origin, outlet)] += 1
            if delay is not None:
                tallies[outlet].delays.append(delay)
                flow_delays[(origin, outlet)].append(delay)
        first, last = (min(times), max(times)) if times else (None, None)
        table.append(
            [
                index,
                row["cluster_id"],
                len(members),
                canonical_id,
                origin,
                outlets,
                _epoch(first),
                _time_text(first),
                _epoch(last),
                _time_text(last),
            ]
        )
        details.append(
            {
                "cluster_id": row["cluster_id"],
                "canonical_id": canonical_id,
                "origin": origin,
                "reasons": [str(r) for r in row.get("reasons") or []],
                "members": member_details,
            }
        )
    totals = dump.outlet_totals if dump else None
    outlet_rows: list[dict[str, Any]] = []
    for outlet in sorted(set(tallies) | set(totals or ())):
        tally = tallies.get(outlet, _OutletTally())
        total = totals.get(outlet, 0) if totals is not None else None
        outlet_rows.append(
            {
                "outlet": outlet,
                "articles": total,
                "copies": tally.copies,
                "canonicals": tally.canonicals,
                "share": tally.copies / total if total else None,
                "median_delay": median(tally.delays),
                "dated_copies": len(tally.delays),
            }
        )
    outlet_rows.sort(key=lambda o: (-int(o["copies"]), -int(o["articles"] or 0), str(o["outlet"])))
    flow_rows = [
        {
            "origin": origin,
            "outlet": outlet,
            "copies": count,
            "median_delay": median(flow_delays[(origin, outlet)]),
        }
        for (origin, outlet), count in sorted(flows.items(), key=lambda f: (-f[1], f[0]))
    ]
    notes = []
    if dump is None:
        notes.append(
            "No --dump was given: article texts, shared passages and the share of each "
            "outlet's articles that are copies are not shown."
        )
    summary_counts = _summary_counts(summary, dump, len(table), copies, members_seen)
    return ReportData(
        summary_counts, lsh, table, details, texts, outlet_rows, flow_rows, dump is not None, notes
    )


def _summary_counts(
    summary: Mapping[str, Any] | None,
    dump: Dump | None,
    clusters: int,
    copies: int,
    members: int,
) -> dict[str, Any]:
    """The figures at the top: the scan's own counters where its summary was given,
    else what the dump or the clusters themselves tell."""
    given = summary or {}

    def count(key: str) -> int | None:
        value = given.get(key)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    articles = count("articles")
    if articles is None and dump is not None:
        articles = dump.articles
    rejected = count("rejected")
    if rejected is None and dump is not None:
        rejected = dump.rejected
    return {
        "articles": articles,
        "clusters": clusters,
        "clustered_articles": members,
        "copies": copies,
        "rejected": rejected,
        "dump_articles": dump.articles if dump else None,
        "dump_rejected": dump.rejected if dump else None,
        "singletons": count("singletons"),
        "scan_clusters": count("clusters"),
    }
