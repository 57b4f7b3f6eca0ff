"""Anchors: the peers as their users run them, on the same raw texts dedup sees.

Usage: python benchmarks/anchors.py PATH_TO_SHARED_DATA

Each anchor takes ``(id, raw text)`` pairs and returns id → cluster label (the id of the
component's first document; singletons label themselves). Nothing here normalizes text for an
anchor: each one does exactly what its tool does to the text. All are deterministic.

- ``datasketch_usual``: datasketch ``MinHash``/``MinHashLSH`` the way most people call them.
- ``text_dedup_newscopy``: text-dedup's MinHash script in the setting its own NEWS-COPY
  benchmark uses (word bigrams, 256 permutations, threshold 0.45, the benchmark's
  ``news_copy_preprocessing``), reimplemented with numpy.
- ``datatrove_default``: datatrove's ``MinhashDedup*`` steps with the default ``MinhashConfig``,
  reimplemented with numpy (spaCy's English tokenizer re-done for simplified text).
- ``exact_jaccard_tuned``: exact word 5-gram Jaccard, connected components of pairs at or above
  a threshold; ``scan_jaccard_thresholds`` tunes that threshold on gold labels (an upper bound
  for any shingle-Jaccard method, not a fair competitor).

The two reimplementations were checked against the released packages on helsinki's 680
articles: the same partition as text-dedup 0.4.0's ``text_dedup.minhash`` (both with and without
the NEWS-COPY preprocessing) and as datatrove 0.10.1's signature/buckets/cluster pipeline (all
680 token lists and signatures equal). Neither package is needed to run this file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import struct
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import xxhash

if TYPE_CHECKING:
    from dedup.evaluate import Scores

Docs = Sequence[tuple[str, str]]
U64 = npt.NDArray[np.uint64]

_MERSENNE_61 = np.uint64((1 << 61) - 1)
_MAX_HASH_32 = np.uint64((1 << 32) - 1)


# --------------------------------------------------------------------------- union-find


class _UnionFind:
    """Connected components over document indices 0..n-1; the root is the smallest index."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            low, high = (rx, ry) if rx < ry else (ry, rx)
            self.parent[high] = low

    def union_group(self, members: Iterable[int]) -> None:
        iterator = iter(members)
        first = next(iterator, None)
        if first is None:
            return
        for other in iterator:
            self.union(first, other)

    def labels(self, docs: Docs) -> dict[str, str]:
        return {doc_id: docs[self.find(i)][0] for i, (doc_id, _) in enumerate(docs)}


def _union_equal_rows(uf: _UnionFind, keys: npt.NDArray[np.generic], rows: Sequence[int]) -> None:
    """Union the documents ``rows[i]`` whose key rows ``keys[i]`` are byte-identical."""
    if len(rows) < 2:
        return
    flat = np.ascontiguousarray(keys)
    void = flat.view(np.dtype((np.void, flat.dtype.itemsize * flat.shape[1]))).ravel()
    _, inverse, counts = np.unique(void, return_inverse=True, return_counts=True)
    shared = counts[inverse] > 1
    if not shared.any():
        return
    index = np.asarray(rows)[shared]
    group = inverse[shared]
    order = np.lexsort((index, group))
    index, group = index[order], group[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    for start, stop in zip(starts, np.r_[starts[1:], len(group)], strict=True):
        uf.union_group(index[start:stop].tolist())


# --------------------------------------------------------------------------- 1. datasketch


def _datasketch_shingles(text: str) -> list[bytes]:
    words = text.lower().split()
    if len(words) < 5:
        return [" ".join(words).encode("utf-8")]
    return [" ".join(words[i : i + 5]).encode("utf-8") for i in range(len(words) - 4)]


def datasketch_usual(docs: Docs) -> dict[str, str]:
    """datasketch as most people use it: lowercase + whitespace words, word 5-grams, one
    ``MinHash(num_perm=128)`` per text (default sha1 hashing), ``MinHashLSH(threshold=0.5)``,
    insert all, query each, union-find over the query results.

    ``update_batch`` is used instead of one ``update`` per gram: it hashes the same bytes with
    the same function and keeps the same minima, so the signatures are identical (tested).
    """
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=0.5, num_perm=128)
    signatures: list[MinHash] = []
    for index, (_, text) in enumerate(docs):
        minhash = MinHash(num_perm=128)
        minhash.update_batch(_datasketch_shingles(text))
        lsh.insert(index, minhash)
        signatures.append(minhash)
    uf = _UnionFind(len(docs))
    for index, minhash in enumerate(signatures):
        for other in lsh.query(minhash):
            uf.union(index, other)
    return uf.labels(docs)


# --------------------------------------------------------------------------- 2. text-dedup
# Followed: github.com/ChenghaoMou/text-dedup, text_dedup/minhash.py (embed_func and main, the
# click version that PyPI text-dedup 0.4.0 ships), text_dedup/utils/tokenization.py (ngrams
# with min_length), text_dedup/utils/hashfunc.py (sha1_hash), text_dedup/utils/analysis.py
# (optimal_param), text_dedup/utils/union_find.py, text_dedup/utils/preprocess.py
# (news_copy_preprocessing), and tests/test_benchmark_news.py, which runs NEWS-COPY with
# MinHashArgs(num_perm=256, ngram=2, min_length=0, threshold=0.45) on preprocessed articles.
# Defaults kept from MinHashArgs: hash_func="sha1", hash_bits=64 (uint64 arithmetic, 32-bit
# hashes, modulo the Mersenne prime 2**61 - 1), seed 42 through a module-level RandomState.

_TD_NON_ALPHA = re.compile(r"\W", re.UNICODE)
_TD_NEWS_COPY_REMOVE = str.maketrans("", "", "\"#$%&\\()*+/:;<=>@[\\]^_`{|}~.?,!'")


def news_copy_preprocessing(text: str) -> str:
    """text-dedup's NEWS-COPY preprocessing: join hyphenated line breaks, newlines to spaces,
    drop ASCII punctuation, drop non-ASCII characters."""
    text = text.replace("-\n", "").replace("\n", " ")
    text = text.translate(_TD_NEWS_COPY_REMOVE)
    return text.encode("ascii", "ignore").decode()


@lru_cache(maxsize=16)
def optimal_param(
    threshold: float,
    num_perm: int,
    false_positive_weight: float = 0.5,
    false_negative_weight: float = 0.5,
) -> tuple[int, int]:
    """(bands, rows) minimizing the weighted false positive + false negative areas of the LSH
    S-curve, as text-dedup (after datasketch) computes it. (0.45, 256) → (47, 5)."""
    from scipy.integrate import quad

    def false_positive(b: int, r: int) -> float:
        return float(quad(lambda s: 1 - (1 - s ** float(r)) ** float(b), 0.0, threshold)[0])

    def false_negative(b: int, r: int) -> float:
        return float(quad(lambda s: 1 - (1 - (1 - s ** float(r)) ** float(b)), threshold, 1.0)[0])

    best, optimum = float("inf"), (0, 0)
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            error = (
                false_positive(b, r) * false_positive_weight
                + false_negative(b, r) * false_negative_weight
            )
            if error < best:
                best, optimum = error, (b, r)
    return optimum


def _sha1_32(data: bytes) -> int:
    return int(struct.unpack("<I", hashlib.sha1(data).digest()[:4])[0])


def text_dedup_ngram_hashes(content: str, ngram: int, min_length: int) -> U64:
    """The shingle hashes of text-dedup's embed_func: split the lowercased text on every single
    non-word character (so runs of punctuation/space leave empty tokens, as upstream), word
    n-grams (the whole token list when shorter than n; nothing when shorter than min_length),
    joined by spaces, lowercased, utf-8, sha1 → first 4 bytes little-endian."""
    tokens = _TD_NON_ALPHA.split(content.lower())
    if len(tokens) < min_length:
        grams: set[str] = set()
    elif len(tokens) < ngram:
        grams = {" ".join(tokens).lower()}
    else:
        grams = {" ".join(tokens[i : i + ngram]).lower() for i in range(len(tokens) - ngram + 1)}
    return np.fromiter(
        (_sha1_32(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams)
    )


def _text_dedup_permutations(num_perm: int) -> tuple[U64, U64]:
    # upstream: module-level RNG = np.random.RandomState(42); a drawn before b, in one process
    rng = np.random.RandomState(42)
    a = rng.randint(1, _MERSENNE_61, size=(num_perm,), dtype=np.uint64)
    b = rng.randint(0, _MERSENNE_61, size=(num_perm,), dtype=np.uint64)
    return a, b


def text_dedup_minhash(
    docs: Docs,
    *,
    ngram: int,
    num_perm: int,
    threshold: float,
    min_length: int = 5,
    preprocess: Callable[[str], str] | None = None,
) -> dict[str, str]:
    """text-dedup's MinHash + LSH + union-find (python script, hash_bits=64, sha1)."""
    bands, rows = optimal_param(threshold, num_perm)
    a, b = _text_dedup_permutations(num_perm)
    texts = [preprocess(text) if preprocess else text for _, text in docs]
    # upstream filters out (keeps as singletons) texts with fewer than min_length tokens
    kept = [
        i for i, text in enumerate(texts) if len(_TD_NON_ALPHA.split(text.lower())) >= min_length
    ]
    signatures = np.empty((len(kept), num_perm), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for row, index in enumerate(kept):
            hashes = text_dedup_ngram_hashes(texts[index], ngram, min_length)
            # (h * a + b) % p & max_hash in uint64: the product wraps modulo 2**64 upstream too
            permuted = hashes[:, None] * a
            permuted += b
            np.remainder(permuted, _MERSENNE_61, out=permuted)
            permuted &= _MAX_HASH_32
            signatures[row] = permuted.min(axis=0, initial=int(_MAX_HASH_32))
    uf = _UnionFind(len(docs))
    # upstream keys each band by bytes(byteswapped slice); equal slices ⇔ equal keys
    for band in range(bands):
        _union_equal_rows(uf, signatures[:, band * rows : (band + 1) * rows], kept)
    return uf.labels(docs)


def text_dedup_newscopy(docs: Docs, *, preprocess: bool = True) -> dict[str, str]:
    """text-dedup MinHash in its NEWS-COPY benchmark setting: word bigrams, 256 permutations,
    threshold 0.45 (→ 47 bands of 5 rows), min_length 0, with the benchmark's
    ``news_copy_preprocessing`` applied to each article first (``preprocess=False`` feeds the
    raw text instead)."""
    return text_dedup_minhash(
        docs,
        ngram=2,
        num_perm=256,
        threshold=0.45,
        min_length=0,
        preprocess=news_copy_preprocessing if preprocess else None,
    )


# --------------------------------------------------------------------------- 3. datatrove
# Followed: github.com/huggingface/datatrove (as released in datatrove 0.10.1):
# src/datatrove/pipeline/dedup/minhash.py (MinhashConfig defaults n_grams=5, num_buckets=14,
# hashes_per_bucket=8, seed=1; MinhashDedupSignature.parameters / get_signature / get_shingles;
# MinhashDedupBuckets: equal bucket signatures → duplicate pairs; MinhashDedupCluster:
# union-find over the pairs, no verification), src/datatrove/utils/hashing.py (HashConfig
# defaults precision=64, hash_fc="xxhash"), src/datatrove/utils/hashes/xxhash.py (xxh64 of the
# str), src/datatrove/utils/text.py (TextNormConfig defaults, simplify_text, ngrams) and
# src/datatrove/utils/word_tokenizers.py (English → SpaCyTokenizer("en"), i.e. spacy.blank).

_DT_PUNCTUATION = (
    "!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_.\"}►»"  # noqa: RUF001
    + "".join(
        map(chr, (x for lo, hi in ((0, 9), (11, 13), (13, 32), (127, 160)) for x in range(lo, hi)))
    )
)
_DT_PUNCTUATION_TO_SPACE = str.maketrans(_DT_PUNCTUATION, " " * len(_DT_PUNCTUATION))
# upstream: the regex module's \p{Nd}+([.,<arabic/technical separators>]{1}\p{Nd}+)?;
# Python's str \d is exactly \p{Nd}
_DT_NUMBERS = re.compile(r"\d+(?:[.,\u060c\u066b\u2396\u2397\u2398]\d+)?")
_DT_WHITESPACE = re.compile(r"\s+")


def datatrove_simplify_text(text: str) -> str:
    """datatrove's simplify_text with the default TextNormConfig: lowercase, numbers → "0",
    its punctuation list → spaces, whitespace runs → one space, strip combining marks (NFD)."""
    text = _DT_NUMBERS.sub("0", text.lower())
    text = text.translate(_DT_PUNCTUATION_TO_SPACE)
    text = _DT_WHITESPACE.sub(" ", text.strip())
    if not text.isascii():  # ASCII has no combining marks: NFD would change nothing
        text = _combining_marks().sub("", unicodedata.normalize("NFD", text))
    return text.strip()


@lru_cache(maxsize=1)
def _combining_marks() -> re.Pattern[str]:
    """Every character whose category is Mn (what datatrove drops one character at a time)."""
    marks = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Mn"]
    return re.compile("[" + "".join(re.escape(m) for m in marks) + "]")


# datatrove tokenizes English with spacy.blank("en"). spaCy is not a dependency here, so its
# tokenizer is re-done for what survives simplify_text (lowercase letters, "0", spaces and the
# symbols datatrove's punctuation list lacks): per space-separated chunk, spaCy's special cases
# (its English exceptions without apostrophes, e.g. "dont" → "do" "nt", "cannot" → "can" "not";
# table below taken from spacy.blank("en").tokenizer.rules, spaCy 3.8), then prefixes and
# suffixes peeled one at a time (spaCy's LIST_PUNCT, LIST_QUOTES, LIST_CURRENCY and icon
# symbols; units and currency after a digit, "0km" → "0" "km"), then icon infixes.
# Checked token for token against spaCy 3.8 through datatrove 0.10.1 on helsinki.
_SPACY_EN_SPECIAL_SPLITS = (
    "ai nt|are nt|can not|ca nt|ca nt ve|could nt|could nt ve|could ve|dare nt|did nt|"
    "did nt ve|does nt|does nt ve|do nt|do nt ve|gon na|got ta|had nt|had nt ve|has nt|"
    "have nt|he d|he d ve|he ll ve|he s|how d|how d ve|how ll|how ll ve|how re|how s|"
    "how ve|i d|i d ve|i ll ve|i m|i m a|is nt|it d|it d ve|it ll|it ll ve|i ve|may nt|"
    "may nt ve|might nt|might nt ve|might ve|must nt|must nt ve|must ve|need nt|"
    "need nt ve|not ve|ought nt|ought nt ve|sha nt|sha nt ve|she d ve|she ll ve|she s|"
    "should nt|should nt ve|should ve|that d|that d ve|that ll|that ll ve|that s|there d|"
    "there d ve|there ll|there ll ve|there re|there s|there ve|these d|these d ve|"
    "these ll|these ll ve|these re|these ve|they d|they d ve|they ll|they ll ve|they re|"
    "they ve|this d|this d ve|this ll|this ll ve|this s|those d|those d ve|those ll|"
    "those ll ve|those re|those ve|was nt|we d|we d ve|we ll ve|were nt|we ve|what d|"
    "what d ve|what ll|what ll ve|what re|what s|what ve|when d|when d ve|when ll|"
    "when ll ve|when re|when s|when ve|where d|where d ve|where ll|where ll ve|where re|"
    "where s|where ve|who d|who d ve|who ll|who ll ve|who s|who ve|why d|why d ve|why ll|"
    "why ll ve|why re|why s|why ve|wo nt|wo nt ve|would nt|would nt ve|would ve|y all|"
    "you d|you d ve|you ll|you ll ve|you re|you ve"
)
_SPACY_EN_SPECIAL = {
    "".join(split.split()): tuple(split.split()) for split in _SPACY_EN_SPECIAL_SPLITS.split("|")
}
_SPACY_PUNCT = "…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪"  # noqa: RUF001
_SPACY_QUOTES = "'\"”“`‘´’‚,„»«「」『』（）〔〕【】《》〈〉〈〉⟦⟧"  # noqa: RUF001
_SPACY_CURRENCY = "$£€¥฿₽﷼₴₠₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₵₶₷₸₹₺₻₼₾₿"
_SPACY_PREFIX = set(_SPACY_PUNCT + _SPACY_QUOTES + _SPACY_CURRENCY + "§%=\u2014\u2013")
_SPACY_SUFFIX = set(_SPACY_PUNCT + _SPACY_QUOTES + "\u2014\u2013")
_SPACY_UNITS = (
    "km|km²|km³|m|m²|m³|dm|dm²|dm³|cm|cm²|cm³|mm|mm²|mm³|ha|µm|nm|yd|in|ft|kg|g|mg|µg|t|lb|oz|"
    "m/s|km/h|kmh|mph|hPa|Pa|mbar|mb|MB|kb|KB|gb|GB|tb|TB|T|G|M|K|%"
)
_SPACY_DIGIT_SUFFIX = re.compile(
    rf"(?<=[0-9])(?:\+|[{re.escape(_SPACY_CURRENCY)}]|{_SPACY_UNITS})$"
)


def _is_icon(char: str) -> bool:
    return unicodedata.category(char) == "So"


def _spacy_prefix_len(chunk: str) -> int:
    return 1 if chunk[0] in _SPACY_PREFIX or _is_icon(chunk[0]) else 0


def _spacy_suffix_len(chunk: str) -> int:
    if chunk[-1] in _SPACY_SUFFIX or _is_icon(chunk[-1]):
        return 1
    match = _SPACY_DIGIT_SUFFIX.search(chunk)
    return len(match.group()) if match else 0


def _spacy_chunk(chunk: str) -> list[str]:
    """spaCy Tokenizer._split_affixes + _attach_tokens for one space-free chunk."""
    prefixes: list[str] = []
    suffixes: list[str] = []
    last = -1
    while chunk and len(chunk) != last and chunk not in _SPACY_EN_SPECIAL:
        last = len(chunk)
        pre = _spacy_prefix_len(chunk)
        if pre and chunk[pre:] in _SPACY_EN_SPECIAL:
            prefixes.append(chunk[:pre])
            chunk = chunk[pre:]
            break
        suf = _spacy_suffix_len(chunk[pre:]) if chunk[pre:] else 0
        if suf and chunk[:-suf] in _SPACY_EN_SPECIAL:
            suffixes.append(chunk[-suf:])
            chunk = chunk[:-suf]
            break
        if pre and suf and pre + suf <= len(chunk):
            prefixes.append(chunk[:pre])
            suffixes.append(chunk[-suf:])
            chunk = chunk[pre:-suf]
        elif pre:
            prefixes.append(chunk[:pre])
            chunk = chunk[pre:]
        elif suf:
            suffixes.append(chunk[-suf:])
            chunk = chunk[:-suf]
    middle: list[str] = []
    if chunk in _SPACY_EN_SPECIAL:
        middle = list(_SPACY_EN_SPECIAL[chunk])
    elif chunk:
        start = 0
        for position, char in enumerate(chunk):
            if _is_icon(char) and position > 0:
                middle.extend([chunk[start:position], char] if start < position else [char])
                start = position + 1
        if start < len(chunk):
            middle.append(chunk[start:])
    return prefixes + middle + suffixes[::-1]


def datatrove_word_tokenize(simplified: str) -> list[str]:
    """spacy.blank("en") tokens of simplify_text output, blanks dropped (strip_strings)."""
    tokens: list[str] = []
    for chunk in simplified.split(" "):
        if chunk.isalpha():  # nothing to peel: only the special cases can split it
            tokens.extend(_SPACY_EN_SPECIAL.get(chunk, (chunk,)))
        elif chunk:
            tokens.extend(token for token in _spacy_chunk(chunk) if token.strip())
    return tokens


def datatrove_shingles(text: str, n_grams: int = 5) -> U64:
    """xxh64 of each space-joined word n-gram of the simplified text (no n-grams, so no
    signature, when there are fewer than n words)."""
    words = datatrove_word_tokenize(datatrove_simplify_text(text))
    count = len(words) - n_grams + 1
    return np.fromiter(
        (
            xxhash.xxh64_intdigest(" ".join(words[i : i + n_grams]).encode("utf-8"))
            for i in range(count)
        ),
        dtype=np.uint64,
        count=max(count, 0),
    )


def datatrove_default(docs: Docs) -> dict[str, str]:
    """datatrove MinhashDedupSignature → Buckets → Cluster with ``MinhashConfig()``: 5-grams,
    14 buckets of 8 hashes, seed 1, 64-bit xxhash; documents sharing one whole bucket
    signature are unioned. Documents with fewer than 5 words get no signature."""
    n_grams, num_buckets, per_bucket = 5, 14, 8
    rng = np.random.RandomState(1)
    a = rng.randint(1, _MERSENNE_61, dtype=np.uint64, size=(1, num_buckets * per_bucket))
    b = rng.randint(0, _MERSENNE_61, dtype=np.uint64, size=(1, num_buckets * per_bucket))
    kept: list[int] = []
    rows: list[U64] = []
    with np.errstate(over="ignore"):
        for index, (_, text) in enumerate(docs):
            shingles = datatrove_shingles(text, n_grams)
            if shingles.size == 0:
                continue
            # precision 64: no mask; the uint64 product wraps modulo 2**64 upstream too
            permuted = shingles[:, None] * a
            permuted += b
            np.remainder(permuted, _MERSENNE_61, out=permuted)
            rows.append(permuted.min(axis=0))
            kept.append(index)
    uf = _UnionFind(len(docs))
    if rows:
        signatures = np.stack(rows)
        for bucket in range(num_buckets):
            band = signatures[:, bucket * per_bucket : (bucket + 1) * per_bucket]
            _union_equal_rows(uf, band, kept)
    return uf.labels(docs)


# --------------------------------------------------------------------------- 4. exact Jaccard


def _word_5gram_hashes(text: str) -> U64:
    grams = _datasketch_shingles(text)  # the same 5-grams datasketch_usual sees
    return np.unique(
        np.fromiter((xxhash.xxh64_intdigest(g) for g in grams), dtype=np.uint64, count=len(grams))
    )


@dataclass(frozen=True, slots=True)
class JaccardPairs:
    """Every pair of documents sharing at least one word 5-gram, with its exact Jaccard."""

    left: npt.NDArray[np.int64]
    right: npt.NDArray[np.int64]
    jaccard: npt.NDArray[np.float64]


def jaccard_pairs(docs: Docs) -> JaccardPairs:
    """Exact word 5-gram Jaccard (lowercase, whitespace split) of every pair that shares a
    gram. The inverted index is a sparse doc-by-gram incidence matrix X; X Xᵀ counts the shared
    grams of exactly the pairs that meet in some posting list."""
    from scipy import sparse

    sets = [_word_5gram_hashes(text) for _, text in docs]
    sizes = np.array([s.shape[0] for s in sets], dtype=np.int64)
    if not sets:
        empty = np.empty(0, dtype=np.int64)
        return JaccardPairs(empty, empty, np.empty(0, dtype=np.float64))
    values = np.concatenate(sets)
    vocabulary, columns = np.unique(values, return_inverse=True)
    rows = np.repeat(np.arange(len(sets)), sizes)
    incidence = sparse.csr_matrix(
        (np.ones(values.shape[0], dtype=np.int32), (rows, columns)),
        shape=(len(sets), vocabulary.shape[0]),
    )
    shared = sparse.triu(incidence @ incidence.T, k=1).tocoo()
    left, right = shared.row.astype(np.int64), shared.col.astype(np.int64)
    inter = shared.data.astype(np.float64)
    jaccard = inter / (sizes[left] + sizes[right] - inter)
    return JaccardPairs(left, right, jaccard)


def _components(docs: Docs, pairs: JaccardPairs, threshold: float) -> dict[str, str]:
    """Connected components of the pairs at or above threshold, labelled by first member."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    keep = pairs.jaccard >= threshold
    size = len(docs)
    graph = sparse.coo_matrix(
        (np.ones(int(keep.sum()), dtype=np.int8), (pairs.left[keep], pairs.right[keep])),
        shape=(size, size),
    )
    _, component = connected_components(graph, directed=False)
    first = np.full(size, size, dtype=np.int64)
    np.minimum.at(first, component, np.arange(size))
    return {doc_id: docs[int(first[c])][0] for (doc_id, _), c in zip(docs, component, strict=True)}


def exact_jaccard_tuned(docs: Docs, threshold: float) -> dict[str, str]:
    """Connected components of pairs with exact word 5-gram Jaccard ≥ ``threshold``."""
    return _components(docs, jaccard_pairs(docs), threshold)


def scan_jaccard_thresholds(
    docs: Docs,
    gold: Mapping[str, str],
    thresholds: Sequence[float] | None = None,
) -> tuple[float, Scores, list[tuple[float, Scores]]]:
    """Exact 5-gram Jaccard at each threshold (default 0.10, 0.11, ..., 0.90) scored on
    ``gold``: returns (best threshold by ARI, its scores, every (threshold, scores))."""
    from dedup.evaluate import score_clusters

    if thresholds is None:
        thresholds = [round(0.1 + 0.01 * i, 2) for i in range(81)]
    pairs = jaccard_pairs(docs)
    table = [(t, score_clusters(gold, _components(docs, pairs, t))) for t in thresholds]
    best_threshold, best_scores = max(table, key=lambda row: (row[1].ari, -row[0]))
    return best_threshold, best_scores, table


# --------------------------------------------------------------------------- runner

ANCHORS: dict[str, Callable[[Docs], dict[str, str]]] = {
    "datasketch usual": datasketch_usual,
    "text-dedup NEWS-COPY": text_dedup_newscopy,
    "text-dedup NEWS-COPY, raw text": partial(text_dedup_newscopy, preprocess=False),
    "datatrove default": datatrove_default,
}


def load_docs(articles: Path) -> list[tuple[str, str]]:
    with articles.open(encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    return [(row["id"], row["text"]) for row in rows]


def show(name: str, scores: Scores, seconds: float) -> None:
    print(
        f"{name:<34} ARI {scores.ari:.3f}  pairwise P {scores.precision:.3f} "
        f"R {scores.recall:.3f} F1 {scores.f1:.3f}  "
        f"({scores.predicted_pairs} predicted / {scores.true_pairs} true pairs, {seconds:.2f} s)"
    )


def main() -> None:
    from dedup.evaluate import score_clusters

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="path to shared/data")
    args = parser.parse_args()
    docs = load_docs(args.data / "helsinki" / "articles.jsonl")
    with (args.data / "helsinki" / "dev_clusters.jsonl").open(encoding="utf-8") as handle:
        labels = [json.loads(line) for line in handle]
    gold = {i: row["cluster_id"] for row in labels for i in row["ids"]}
    print(f"helsinki: {len(gold)} labelled ids of {len(docs)} articles")
    for name, anchor in ANCHORS.items():
        started = time.perf_counter()
        predicted = anchor(docs)
        show(name, score_clusters(gold, predicted), time.perf_counter() - started)
    started = time.perf_counter()
    best, scores, _ = scan_jaccard_thresholds(docs, gold)
    show(f"exact 5-gram Jaccard, tuned @{best:.2f}", scores, time.perf_counter() - started)


if __name__ == "__main__":
    main()
