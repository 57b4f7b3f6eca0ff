"""``dedup explain A B --from DUMP``: which passages two articles share, what was stripped
from each and why, the similarity figures and LSH bands, and the cluster decision."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from dedup.boilerplate import FAMILY_MEANINGS
from dedup.cli_support import user_errors
from dedup.explain import Comparison, Explanation, Placement, Side, explain
from dedup.io.fields import FieldMap
from dedup.io.readers import ReadOptions
from dedup.io.schema import evidence_to_dict
from dedup.params import DedupParams, RunOptions
from dedup.passages import word_spans
from dedup.records import Passage

#: words of a passage shown at each end on a terminal (--json has the whole text)
_PASSAGE_ENDS = 10


def explain_command(
    first: Annotated[str, typer.Argument(metavar="A", help="Id of the first article.")],
    second: Annotated[str, typer.Argument(metavar="B", help="Id of the second article.")],
    dumps: Annotated[
        list[str],
        typer.Option("--from", help="Dump(s) holding both articles (any input scan reads)."),
    ],
    clusters: Annotated[
        str | None,
        typer.Option(
            help="Take the cluster decision from this clusters.jsonl instead of scanning "
            "the dumps again."
        ),
    ] = None,
    index: Annotated[
        str | None,
        typer.Option(
            help="Take the cluster decision, and the settings, from this index (PATH, "
            "sqlite:///PATH or redis://…)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
    workers: Annotated[
        int, typer.Option(min=0, help="Worker processes for the scan; 0 = every core.")
    ] = 0,
) -> None:
    """Show why two articles are, or are not, copies of one story.

    Example: dedup explain scraper-77121 afp-20240617-0850 --from articles.jsonl

    Example: dedup explain new-17 old-4 --from today.jsonl --from yesterday.jsonl --index news.db
    """
    with user_errors():
        result = explain(
            dumps,
            first,
            second,
            DedupParams(),
            fields=FieldMap(),
            reading=ReadOptions(workers=workers),
            options=RunOptions(workers=workers),
            clusters_path=clusters,
            index_url=index,
        )
    if as_json:
        typer.echo(json.dumps(explanation_to_dict(result), ensure_ascii=False, indent=2))
    else:
        typer.echo(explanation_text(result))


def _words(body: str, start: int, end: int) -> str:
    spans = word_spans(body)
    return body[spans[start][0] : spans[end - 1][1]]


def _passage_text(body: str, passage: Passage) -> str:
    start, end = passage.source_start, passage.source_end
    if end - start <= 2 * _PASSAGE_ENDS:
        return _words(body, start, end)
    return (
        f"{_words(body, start, start + _PASSAGE_ENDS)} … {_words(body, end - _PASSAGE_ENDS, end)}"
    )


def _side_text(label: str, side: Side) -> str:
    article = side.article
    about = ", ".join(v for v in (article.outlet, article.published_at) if v)
    return f"{label}: {article.id}" + (f" ({about})" if about else "")


def _verdict(c: Comparison) -> str:
    if not c.long_enough:
        return "not compared: a text has fewer shingles than min_shingles"
    return "passed: copies of one story" if c.verified else "failed: not copies"


def _stripped_lines(side: Side) -> list[str]:
    lines = [f"stripped from {side.article.id}:"]
    if not side.evidence.stripped:
        lines.append("  nothing")
    for line in side.evidence.stripped:
        lines.append(f"  [{line.family}] {line.text}")
        lines.append(f"      {FAMILY_MEANINGS.get(line.family, line.family)}")
    if side.evidence.kept_boilerplate:
        lines.append("  (kept whole: stripping would have removed over 40% of the text)")
    return lines


def _placement_lines(explanation: Explanation) -> list[str]:
    first, second = explanation.first, explanation.second
    lines = [f"cluster decision (from {explanation.decided_by}):"]
    if explanation.same_cluster:
        lines.append(
            f"  both in {first.cluster_id}: canonical {first.canonical_id}, "
            f"origin {first.origin or 'unknown'}"
        )
    for placed in (first, second):
        lines.append(f"  {_placement_text(placed)}")
    if explanation.same_cluster:
        lines.append("  reasons:")
        lines.extend(f"    - {reason}" for reason in first.reasons)
    return lines


def _placement_text(placed: Placement) -> str:
    if placed.role == "not indexed":
        return f"{placed.article_id}: not in the index"
    if placed.cluster_id is None:
        return f"{placed.article_id}: in no cluster (no verified copy)"
    parent = f", parent {placed.parent_id}" if placed.parent_id else ""
    return f"{placed.article_id}: {placed.role} in {placed.cluster_id}{parent}"


def explanation_text(explanation: Explanation) -> str:
    c = explanation.comparison
    a, b = c.first, c.second
    lines = [
        _side_text("A", a),
        _side_text("B", b),
        "",
        "similarity of the normalized texts (word 3-gram shingles):",
        f"  shared shingles   {c.shared_shingles} (A has {a.shingles}, B has {b.shingles})",
        f"  Jaccard           {c.jaccard:.3f}",
        f"  containment       {c.first_in_second:.3f} of A is in B, "
        f"{c.second_in_first:.3f} of B is in A",
        f"  LSH bands shared  {c.shared_bands} of {c.bands} ({c.rows} rows each); at this "
        f"Jaccard a pair shares one with probability {c.candidate_probability:.3f}",
        f"  exact check       {_verdict(c)}",
        "",
        *_stripped_lines(a),
        "",
        *_stripped_lines(b),
        "",
        f"shared passages ({len(c.passages)}; word offsets [start, end) in A and in B):",
    ]
    for p in c.passages:
        lines.append(
            f"  A[{p.source_start}, {p.source_end}) = B[{p.copy_start}, {p.copy_end}), "
            f"{p.source_end - p.source_start} words: {_passage_text(a.body, p)}"
        )
    lines += ["", *_placement_lines(explanation)]
    for side in (a, b):
        lines += ["", f"normalized body of {side.article.id} ({side.words} words):", side.body]
    return "\n".join(lines)


def _side_dict(side: Side) -> dict[str, Any]:
    article = side.article
    return {
        "id": article.id,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": article.published_at,
        "words": side.words,
        "shingles": side.shingles,
        "body": side.body,
        "stripped": [
            {"family": s.family, "text": s.text, "why": FAMILY_MEANINGS.get(s.family, s.family)}
            for s in side.evidence.stripped
        ],
        "evidence": evidence_to_dict(side.evidence),
    }


def _placement_dict(placed: Placement) -> dict[str, Any]:
    return {
        "id": placed.article_id,
        "cluster_id": placed.cluster_id,
        "canonical_id": placed.canonical_id,
        "origin": placed.origin,
        "role": placed.role,
        "parent_id": placed.parent_id,
    }


def explanation_to_dict(explanation: Explanation) -> dict[str, Any]:
    c = explanation.comparison
    return {
        "a": _side_dict(c.first),
        "b": _side_dict(c.second),
        "shared_shingles": c.shared_shingles,
        "jaccard": round(c.jaccard, 4),
        "containment": {
            "a_in_b": round(c.first_in_second, 4),
            "b_in_a": round(c.second_in_first, 4),
        },
        "lsh": {
            "shared_bands": c.shared_bands,
            "bands": c.bands,
            "rows": c.rows,
            "candidate_probability": round(c.candidate_probability, 4),
        },
        "compared": c.long_enough,
        "verified": c.verified,
        "passages": [
            {
                "a_words": [p.source_start, p.source_end],
                "b_words": [p.copy_start, p.copy_end],
                "text": _words(c.first.body, p.source_start, p.source_end),
            }
            for p in c.passages
        ],
        "cluster": {
            "decided_by": explanation.decided_by,
            "same_cluster": explanation.same_cluster,
            "reasons": list(explanation.first.reasons) if explanation.same_cluster else [],
            "placements": [_placement_dict(explanation.first), _placement_dict(explanation.second)],
        },
    }
