"""Seeded syndication simulator: GENERATED news dumps with ground-truth clusters.

Usage::

    python benchmarks/synth.py BASE_JSONL [BASE_JSONL ...] --articles N --seed S \\
        -o OUT.jsonl --gold GOLD.jsonl [--text-field text --title-field title] [--window W]

Everything written is generated: every output record carries ``"generated": true`` and the
summary on stderr says so. Base stories are real texts read from the given JSON Lines files
(e.g. the shared ``reuters21578``, ``helsinki`` and ``l3s_gn1`` ``articles.jsonl``; never
commit them or the output). Each base story becomes one gold cluster:

* an **origin**: a wire agency (AP, Reuters, AFP, PTI, IANS, ANI, TASS, Xinhua, Bloomberg,
  Kyodo, Yonhap) or, for some stories, an outlet (USA Today, The Conversation, a blog);
* the origin's **own page** in about 60% of stories (outlet = agency name, URL on the agency's
  domain, the agency's dateline "PARIS (AFP) -" and its credit/rights tail lines); it is then
  the cluster's canonical. Without it, copy #1 is a full-text republication and the
  canonical is the **most complete faithful copy**: the non-scraper copy that keeps every
  paragraph, with no inserted paragraph, no word edits, and the fewest added lines (the
  agency's own credit lines are not "added"; the earliest, then the first made, breaks ties).
  The gold line names it in ``canonical_id`` and lists the other copies that are just as
  complete and faithful (they differ only in furniture or time) in
  ``canonical_alternatives``, so a scorer can accept those too.
* 0..N **copies** (heavy-tailed: ~35% of stories with an agency page have none, the rest a
  Pareto-distributed count, capped) made with what real outlets do (``shared/docs/news.md``
  section 1): new headline, the outlets' real syndication disclaimers, datelines with the
  credit, bare ("Moscow:") or removed, captions "(File)", bylines, credit and rights lines,
  tag lists, page furniture ("Advertisement", "Also Read: ..."), trimmed tails, teasers
  ("Read more"), inserted update paragraphs, light word edits (said -> says, synonyms, number
  formats), republication notes, and **scraper copies** ("You are currently viewing ...",
  timestamp line, "Source link", "Like Loading...") of any earlier page of the story, copies
  of copies included, with ``source_link`` = that page's URL.
* publish times: the origin first, copies minutes to hours later (log-normal), scrapers
  after their parent; some missing.

Hard negatives, each its own gold cluster: **quote-sharing stories** (one or two sentences of
a story wrapped into a different story's text) and **templated items** (groups of short
texts from one invented template that differ only in names and numbers).

Base reuse. Real bases are used once each, in a seeded order (epoch 0). When ``--articles``
needs more stories than the pool holds, later epochs reuse the pool, and a reused base
would give a near-identical text under a different gold label. So from epoch 1 on a base is
merged with part of another base, its middle paragraphs may be permuted, and every content
word (4+ letters, not a function word) and every number is **re-lexicalized** through a
seeded per-epoch substitution into the pool's vocabulary. The result keeps real news
structure (paragraph and sentence lengths, function words, quotes) but shares no content
shingles with any other story. Quote-sharing hosts are re-lexicalized the same way with
their own key, so only the wrapped quote is shared. Bases are cleaned lightly (page junk
lines under 4 words, tables, a headline repeat, an existing "(AP)"-style dateline, credit
and copyright lines, the Reuters "Reuter" signature), bases under 80 words are skipped, and
a base that shares 30% of the smaller one's sampled word 3-grams with an earlier one is
skipped (real
dumps hold re-sends and copies, which would otherwise be two gold clusters).

Deterministic: the same bases, ``--articles`` and ``--seed`` give byte-identical files.
Streaming: the base pool is read once into memory; stories are generated one by one and
written as they are made (records pass a bounded shuffle window of ``--window`` records so
that a story's copies are not adjacent); memory does not grow with ``--articles``.

Library use::

    pool = build_pool(read_bases(paths))
    for story in generate(pool, articles=2000, seed=1):
        story.records  # tuple of article dicts (id, text, title, url, outlet, ...)
        story.gold     # {"cluster_id", "ids", "origin", "canonical_id",
                       #  "canonical_alternatives", "confidence", "note"}

Code: this file is the command-line entry and the public facade; the simulator lives in
the package ``benchmarks/synthgen/`` (``outlets`` data tables, ``pool`` bases, ``relex``
base reuse, ``pages`` records and gold lines, ``stories`` copies, ``negatives`` hard
negatives, ``output`` streaming API). This file puts its own folder on ``sys.path`` so the
package is found when the file is run as a script or loaded by path.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # finds synthgen/ when loaded by path

from synthgen.outlets import AGENCIES as AGENCIES  # re-exported (tests)
from synthgen.outlets import SCRAPERS as SCRAPERS  # re-exported (tests)
from synthgen.output import Summary, generate, interleave, write
from synthgen.pages import Story
from synthgen.pool import MIN_WORDS, BasePool, build_pool, read_bases

__all__ = [
    "MIN_WORDS",
    "BasePool",
    "Story",
    "Summary",
    "build_pool",
    "generate",
    "interleave",
    "main",
    "read_bases",
    "write",
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Generate a synthetic syndicated-news dump with gold clusters "
        "(real base texts, generated copies)."
    )
    parser.add_argument("bases", nargs="+", type=Path, help="JSON Lines files of base stories")
    parser.add_argument("--articles", type=int, required=True, help="records to generate")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, required=True, help="records (.jsonl)")
    parser.add_argument("--gold", type=Path, required=True, help="gold clusters (.jsonl)")
    parser.add_argument("--text-field", default="text")
    parser.add_argument("--title-field", default="title")
    parser.add_argument("--window", type=int, default=1000, help="shuffle window (records)")
    args = parser.parse_args(argv)
    if args.articles < 0:
        parser.error("--articles must be >= 0")
    started = time.perf_counter()
    pool = build_pool(
        read_bases(args.bases, text_field=args.text_field, title_field=args.title_field)
    )
    if not pool.bases:
        parser.error(f"no usable base texts in the inputs (each needs {MIN_WORDS}+ words)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.gold.parent.mkdir(parents=True, exist_ok=True)
    summary = write(
        pool, args.output, args.gold, articles=args.articles, seed=args.seed, window=args.window
    )
    summary.seconds = time.perf_counter() - started
    print(summary.line(args.seed, pool), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
