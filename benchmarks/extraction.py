"""Main-text extraction quality: ``dedup.pages.read_page`` next to plain ``trafilatura.extract``.

Usage: python benchmarks/extraction.py DATA_DIR [--json PATH] [--limit N] [--ngram N]
                                        [--dataset NAME]

Datasets, read from the shared data folder (never copied into the repo):
- scrapinghub_aeb: 181 article pages (``html/<id>.html.gz``) with the annotated
  ``articleBody`` of ``ground-truth.json``;
- l3s_gn1: 621 Google News pages of 2008 (``original/<uuid>.html``, encodings vary) with the
  human-annotated main text of ``articles.jsonl``. That text joins every ``x-nc-sel2`` span
  of the annotated page, and the annotator nested such spans, so on about 140 pages it
  repeats paragraphs up to seven times (recall of the repeats is out of any extractor's
  reach; the run prints how many pages repeat a line). The pages are also scored
  against the annotation read again: the outermost ``x-nc-sel2`` spans of
  ``annotated/<uuid>.html``, one block a line; the row "annotated blocks" shows how that
  reading itself scores against the shipped text (the ceiling there).

Scoring is upstream's ``evaluate.py`` (scrapinghub/article-extraction-benchmark): per page,
true/false positives and false negatives over ``\\w+`` token 4-grams (``--ngram``), each
page's counts scaled to sum to 1; precision is the mean over pages that gave any output,
recall the mean over pages with a gold text, F1 the harmonic mean of those two means. Pages
where an extractor gave nothing (``read_page`` raised ``PageError``) count as empty output.

Rows: ``read_page`` (its ``Page.text``), ``read_page + normalize`` (that text after
``dedup.normalize.normalize`` with the page title, as the pipeline does) and
``trafilatura.extract`` with its defaults on the raw bytes. Also printed: the lines the
normalizer still strips from ``read_page``'s text, per boilerplate family.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import lxml.html
import trafilatura

from dedup.normalize import normalize
from dedup.pages import PageError, read_page

_SEL2 = 'contains(concat(" ", normalize-space(@class), " "), " x-nc-sel2 ")'
_OUTERMOST_SEL2 = f"//*[{_SEL2}][not(ancestor::*[{_SEL2}])]"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE | re.MULTILINE | re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True, slots=True)
class Sample:
    id: str
    url: str | None
    html: bytes
    gold: str
    annotated: str | None = None


@dataclass(slots=True)
class Score:
    method: str
    gold: str
    pages: int = 0
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    empty: int = 0
    ms_per_page: float = 0.0


@dataclass(slots=True)
class DatasetResult:
    dataset: str
    scores: list[Score] = field(default_factory=list)
    stripped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    repeated_gold: int | None = None


def load_aeb(root: Path) -> Iterator[Sample]:
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    for key, item in sorted(truth.items()):
        html = gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes())
        yield Sample(key, item.get("url"), html, item.get("articleBody") or "")


def load_l3s(root: Path) -> Iterator[Sample]:
    with (root / "articles.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            item = json.loads(line)
            html = (root / item["html_file"]).read_bytes()
            annotated = annotated_blocks((root / item["annotated_file"]).read_bytes())
            yield Sample(item["id"], item.get("url"), html, item.get("text") or "", annotated)


def annotated_blocks(html: bytes) -> str:
    """The text of the outermost ``x-nc-sel2`` (full text) spans, one a line."""
    try:
        text = html.decode("utf-8")
    except UnicodeDecodeError:
        text = html.decode("cp1252", "replace")
    parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, no_network=True)
    tree = lxml.html.document_fromstring(text.encode("utf-8", "replace"), parser=parser)
    blocks = (" ".join(span.text_content().split()) for span in tree.xpath(_OUTERMOST_SEL2))
    return "\n".join(block for block in blocks if block)


DATASETS = {"scrapinghub_aeb": load_aeb, "l3s_gn1": load_l3s}


def _repeats_a_line(text: str) -> bool:
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    return len(set(lines)) < len(lines)


def _ngrams(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN_RE.findall(text or "")
    grams = (tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)))
    return Counter(gram for gram in grams if gram)


def shingle_counts(true: str, pred: str, n: int) -> tuple[float, float, float]:
    """Upstream's string_shingle_matching: (tp, fp, fn) over n-grams, scaled to sum to 1."""
    gold, got = _ngrams(true, n), _ngrams(pred, n)
    tp = sum((gold & got).values())
    fp = sum((got - gold).values())
    fn = sum((gold - got).values())
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fp == 0 else tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    return 0.0 if tp == fn == 0 else tp / (tp + fn)


def score(
    method: str, gold: str, golds: list[str], preds: list[str], seconds: float, n: int
) -> Score:
    counts = [shingle_counts(g, p, n) for g, p in zip(golds, preds, strict=True)]
    precisions = [_precision(*c) for c in counts if c[0] + c[1] > 0]
    recalls = [_recall(*c) for c in counts if c[0] + c[2] > 0]
    precision = statistics.mean(precisions) if precisions else 0.0
    recall = statistics.mean(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(
        method,
        gold,
        pages=len(golds),
        precision=precision,
        recall=recall,
        f1=f1,
        empty=sum(not p.strip() for p in preds),
        ms_per_page=1000 * seconds / max(1, len(golds)),
    )


def run_dataset(name: str, samples: list[Sample], n: int) -> DatasetResult:
    result = DatasetResult(name)
    golds = [s.gold for s in samples]
    ours: list[str] = []
    titles: list[str | None] = []
    errors: Counter[str] = Counter()
    started = time.perf_counter()
    for sample in samples:
        try:
            page = read_page(sample.html, url=sample.url)
        except PageError as exc:
            errors[str(exc)] += 1
            ours.append("")
            titles.append(None)
            continue
        ours.append(page.text)
        titles.append(page.title)
    ours_seconds = time.perf_counter() - started

    stripped: Counter[str] = Counter()
    normalized: list[str] = []
    started = time.perf_counter()
    for text, title in zip(ours, titles, strict=True):
        clean = normalize(text, title=title)
        normalized.append(clean.body)
        stripped.update(line.family for line in clean.evidence.stripped)
    normalize_seconds = time.perf_counter() - started

    peer: list[str] = []
    started = time.perf_counter()
    for sample in samples:
        peer.append(trafilatura.extract(sample.html) or "")
    peer_seconds = time.perf_counter() - started

    outputs = [
        ("read_page", ours, ours_seconds),
        ("read_page + normalize", normalized, ours_seconds + normalize_seconds),
        ("trafilatura.extract", peer, peer_seconds),
    ]
    gold_sets = [("shipped", golds)]
    annotated = [s.annotated for s in samples]
    if all(a is not None for a in annotated):
        blocks = [a or "" for a in annotated]
        gold_sets.append(("annotated", blocks))
        result.repeated_gold = sum(_repeats_a_line(g) for g in golds)
        outputs.append(("annotated blocks", blocks, 0.0))
    for gold_name, gold_texts in gold_sets:
        for method, texts, seconds in outputs:
            if gold_texts is not texts:
                result.scores.append(score(method, gold_name, gold_texts, texts, seconds, n))
    result.stripped = dict(stripped.most_common())
    result.errors = dict(errors.most_common())
    return result


def print_result(result: DatasetResult, n: int) -> None:
    print(f"\n{result.dataset}: {result.scores[0].pages} pages, {n}-gram shingles")
    print(
        f"  {'gold':<10} {'method':<22} {'precision':>9} {'recall':>7} {'F1':>6} "
        f"{'empty':>6} {'ms/page':>8}"
    )
    for s in result.scores:
        print(
            f"  {s.gold:<10} {s.method:<22} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} "
            f"{s.empty:>6} {s.ms_per_page:>8.1f}"
        )
    families = ", ".join(f"{family} {count}" for family, count in result.stripped.items())
    print(f"  lines normalize strips from read_page's text: {families or 'none'}")
    if result.repeated_gold is not None:
        print(
            f"  pages whose shipped text repeats a line: {result.repeated_gold} "
            "(nested annotation spans)"
        )
    for reason, count in result.errors.items():
        print(f"  PageError x{count}: {reason}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path, help="the shared data folder")
    parser.add_argument("--json", type=Path, metavar="PATH", help="write the figures here")
    parser.add_argument("--limit", type=int, default=0, help="first N pages of each dataset")
    parser.add_argument("--ngram", type=int, default=4, help="shingle size (upstream: 4)")
    parser.add_argument("--dataset", choices=sorted(DATASETS), action="append")
    args = parser.parse_args(argv)
    for noisy in ("trafilatura", "htmldate", "charset_normalizer"):
        logging.getLogger(noisy).setLevel(logging.CRITICAL)

    results = []
    for name in args.dataset or list(DATASETS):
        root = args.data_dir / name
        if not root.is_dir():
            print(f"{name}: not found under {args.data_dir}", file=sys.stderr)
            return 2
        samples = list(DATASETS[name](root))
        if args.limit:
            samples = samples[: args.limit]
        result = run_dataset(name, samples, args.ngram)
        print_result(result, args.ngram)
        results.append(result)
    if args.json:
        figures = {"ngram": args.ngram, "datasets": [asdict(r) for r in results]}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
