"""The inner loops, compiled with numba: token hashing, k-grams, MinHash, set intersections.

Each kernel is the loop its Python caller describes, over flat arrays (no Python object per
token, shingle or pair). Results are bit-identical to the numpy and pure-Python references
they replaced (the tests compare them). Callers import these through typed wrappers in
``shingle``, ``minhash`` and ``verify``; this module is the only untyped one.

Compiled code is cached on disk next to this file (``cache=True``); the first call in a
fresh environment compiles (a few seconds), later processes load the cache.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_P1 = np.uint64(0x9E3779B185EBCA87)
_P2 = np.uint64(0xC2B2AE3D27D4EB4F)
_P3 = np.uint64(0x165667B19E3779F9)
_P4 = np.uint64(0x85EBCA77C2B2AE63)
_P5 = np.uint64(0x27D4EB2F165667C5)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_FMIX1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX2 = np.uint64(0xC4CEB9FE1A85EC53)


@njit(cache=True, inline="always")
def _rotl(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


@njit(cache=True, inline="always")
def _round(acc, lane):
    acc = acc + lane * _P2
    return _rotl(acc, 31) * _P1


@njit(cache=True, inline="always")
def _read64(buf, p):
    value = np.uint64(0)
    for i in range(8):
        value |= np.uint64(buf[p + i]) << np.uint64(8 * i)
    return value


@njit(cache=True, inline="always")
def _read32(buf, p):
    value = np.uint64(0)
    for i in range(4):
        value |= np.uint64(buf[p + i]) << np.uint64(8 * i)
    return value


@njit(cache=True)
def xxh64(buf, start, stop):
    """XXH64 (seed 0) of ``buf[start:stop]``: the same value as ``xxhash.xxh64_intdigest``."""
    length = stop - start
    p = start
    if length >= 32:
        v1 = _P1 + _P2
        v2 = _P2
        v3 = np.uint64(0)
        v4 = np.uint64(0) - _P1
        while p + 32 <= stop:
            v1 = _round(v1, _read64(buf, p))
            v2 = _round(v2, _read64(buf, p + 8))
            v3 = _round(v3, _read64(buf, p + 16))
            v4 = _round(v4, _read64(buf, p + 24))
            p += 32
        h = _rotl(v1, 1) + _rotl(v2, 7) + _rotl(v3, 12) + _rotl(v4, 18)
        for v in (v1, v2, v3, v4):
            h = (h ^ _round(np.uint64(0), v)) * _P1 + _P4
    else:
        h = _P5
    h = h + np.uint64(length)
    while p + 8 <= stop:
        h = h ^ _round(np.uint64(0), _read64(buf, p))
        h = _rotl(h, 27) * _P1 + _P4
        p += 8
    if p + 4 <= stop:
        h = h ^ (_read32(buf, p) * _P1)
        h = _rotl(h, 23) * _P2 + _P3
        p += 4
    while p < stop:
        h = h ^ (np.uint64(buf[p]) * _P5)
        h = _rotl(h, 11) * _P1
        p += 1
    h = h ^ (h >> np.uint64(33))
    h = h * _P2
    h = h ^ (h >> np.uint64(29))
    h = h * _P3
    return h ^ (h >> np.uint64(32))


@njit(cache=True, inline="always")
def _fmix64(value):
    value = value ^ (value >> np.uint64(33))
    value = value * _FMIX1
    value = value ^ (value >> np.uint64(33))
    value = value * _FMIX2
    return value ^ (value >> np.uint64(33))


@njit(cache=True)
def _sorted_unique(values):
    if values.shape[0] == 0:
        return values
    ordered = np.sort(values)
    keep = np.ones(ordered.shape[0], dtype=np.bool_)
    keep[1:] = ordered[1:] != ordered[:-1]
    return ordered[keep]


@njit(cache=True)
def kgram_sets(token_hashes, counts, k):
    """Per document, the sorted unique hashes of its k-grams of token hashes (combined as
    ``c = c * MIX + h`` over the k tokens, then fmix64). Returns CSR (values, offsets).
    Each document's hashes are sorted and made unique in place in the output."""
    n_docs = counts.shape[0]
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    total = 0
    for d in range(n_docs):
        total += max(counts[d] - k + 1, 0)
    values = np.empty(total, dtype=np.uint64)
    token = 0
    out = 0
    for d in range(n_docs):
        grams = counts[d] - k + 1
        if grams > 0:
            for g in range(grams):
                combined = np.uint64(0)
                for offset in range(k):
                    combined = combined * _MIX + token_hashes[token + g + offset]
                values[out + g] = _fmix64(combined)
            doc = values[out : out + grams]
            doc.sort()
            kept = 1
            for g in range(1, grams):
                if doc[g] != doc[kept - 1]:
                    doc[kept] = doc[g]
                    kept += 1
            out += kept
        token += counts[d]
        offsets[d + 1] = out
    return values[:out], offsets


@njit(cache=True)
def unique_runs(hashes, counts):
    """Per document, its sorted unique hashes. Returns CSR (values, offsets)."""
    n_docs = counts.shape[0]
    offsets = np.zeros(n_docs + 1, dtype=np.int64)
    values = np.empty(hashes.shape[0], dtype=np.uint64)
    start = 0
    out = 0
    for d in range(n_docs):
        unique = _sorted_unique(hashes[start : start + counts[d]])
        values[out : out + unique.shape[0]] = unique
        out += unique.shape[0]
        start += counts[d]
        offsets[d + 1] = out
    return values[:out], offsets


@njit(cache=True)
def minhash(premixed, offsets, a, b, out):
    """``out[d, j] = min over d's shingles x of (a[j] * x + b[j]) mod 2**32``; ``out`` comes
    filled with the empty value. The arithmetic stays in 32 bits (it wraps mod 2**32 by
    itself), which lets the permutation loop run as 32-bit vector lanes: with 64-bit
    products, which AVX2 cannot multiply, the same loop ran 15 times slower."""
    num_perm = a.shape[0]
    row = np.empty(num_perm, dtype=np.uint32)
    for d in range(offsets.shape[0] - 1):
        for j in range(num_perm):
            row[j] = out[d, j]
        for i in range(offsets[d], offsets[d + 1]):
            x = premixed[i]
            for j in range(num_perm):
                row[j] = min(row[j], np.uint32(a[j] * x + b[j]))
        for j in range(num_perm):
            out[d, j] = row[j]


@njit(cache=True, inline="always")
def _intersect(values, offsets, first, second):
    i = offsets[first]
    i_end = offsets[first + 1]
    j = offsets[second]
    j_end = offsets[second + 1]
    shared = 0
    while i < i_end and j < j_end:  # branch-free: which side moves is a coin toss
        left = values[i]
        right = values[j]
        shared += left == right
        i += left <= right
        j += right <= left
    return shared


@njit(cache=True)
def intersection_counts(values, offsets, left, right):
    """Shared members of the sorted sets ``left[k]`` and ``right[k]``, for every k."""
    out = np.empty(left.shape[0], dtype=np.int64)
    for k in range(left.shape[0]):
        out[k] = _intersect(values, offsets, left[k], right[k])
    return out


@njit(cache=True)
def all_pairs_counts(values, offsets, nodes):
    """Symmetric matrix of shared members of every pair of ``nodes`` (diagonal 0)."""
    size = nodes.shape[0]
    out = np.zeros((size, size), dtype=np.int64)
    for i in range(size):
        for j in range(i + 1, size):
            shared = _intersect(values, offsets, nodes[i], nodes[j])
            out[i, j] = shared
            out[j, i] = shared
    return out


# --- text: tokens and names over code points --------------------------------------------------

WORD = 1  #: a letter or digit of a spaced script: part of a word token
SOLO = 2  #: a character of a script written without spaces: a token on its own
UPPER = 4
DIGIT = 8
SPACE = 16


@njit(cache=True, inline="always")
def _utf8(code, out, n):
    """Append the UTF-8 bytes of one code point (surrogates as 3 bytes, like surrogatepass)."""
    if code < 0x80:
        out[n] = code
        return n + 1
    if code < 0x800:
        out[n] = 0xC0 | (code >> 6)
        out[n + 1] = 0x80 | (code & 0x3F)
        return n + 2
    if code < 0x10000:
        out[n] = 0xE0 | (code >> 12)
        out[n + 1] = 0x80 | ((code >> 6) & 0x3F)
        out[n + 2] = 0x80 | (code & 0x3F)
        return n + 3
    out[n] = 0xF0 | (code >> 18)
    out[n + 1] = 0x80 | ((code >> 12) & 0x3F)
    out[n + 2] = 0x80 | ((code >> 6) & 0x3F)
    out[n + 3] = 0x80 | (code & 0x3F)
    return n + 4


@njit(cache=True)
def token_hashes(codes, doc_offsets, classes):
    """xxh64 of every token's UTF-8 (runs of WORD characters; each SOLO character alone) of
    documents concatenated as code points. Returns (hashes, tokens per document)."""
    n_docs = doc_offsets.shape[0] - 1
    hashes = np.empty(codes.shape[0], dtype=np.uint64)
    counts = np.zeros(n_docs, dtype=np.int64)
    scratch = np.empty(4 * codes.shape[0] + 4, dtype=np.uint8)
    n = 0
    for d in range(n_docs):
        length = 0
        for i in range(doc_offsets[d], doc_offsets[d + 1]):
            kind = classes[codes[i]] & (WORD | SOLO)
            if kind == WORD:
                length = _utf8(codes[i], scratch, length)
                continue
            if length:
                hashes[n] = xxh64(scratch, 0, length)
                n += 1
                counts[d] += 1
                length = 0
            if kind == SOLO:
                hashes[n] = xxh64(scratch, 0, _utf8(codes[i], scratch, 0))
                n += 1
                counts[d] += 1
        if length:
            hashes[n] = xxh64(scratch, 0, length)
            n += 1
            counts[d] += 1
    return hashes[:n], counts


@njit(cache=True)
def token_bounds(codes, classes):
    """(starts, stops) of the tokens ``token_hashes`` hashes, as code point offsets in one
    text: runs of WORD characters, and each SOLO character alone."""
    starts = np.empty(codes.shape[0], dtype=np.int64)
    stops = np.empty(codes.shape[0], dtype=np.int64)
    n = 0
    start = -1
    for i in range(codes.shape[0]):
        kind = classes[codes[i]] & (WORD | SOLO)
        if kind == WORD:
            if start < 0:
                start = i
            continue
        if start >= 0:
            starts[n] = start
            stops[n] = i
            n += 1
            start = -1
        if kind == SOLO:
            starts[n] = i
            stops[n] = i + 1
            n += 1
    if start >= 0:
        starts[n] = start
        stops[n] = codes.shape[0]
        n += 1
    return starts[:n], stops[:n]


@njit(cache=True)
def name_spans(codes, classes):
    """(start, stop) of each name or figure in one text: a word (run of WORD characters)
    that is capitalised and not its sentence's first word, or that holds a digit. A
    sentence ends at a line break, or at . ! ? followed by closing quotes or brackets and
    whitespace."""
    n = codes.shape[0]
    spans = np.empty((n // 2 + 1, 2), dtype=np.int64)
    found = 0
    position = 0
    i = 0
    while i < n:
        code = codes[i]
        kind = classes[code]
        if kind & WORD:
            start = i
            digit = False
            while i < n and classes[codes[i]] & WORD:
                digit = digit or (classes[codes[i]] & DIGIT) != 0
                i += 1
            if digit or (position > 0 and classes[code] & UPPER):
                spans[found, 0] = start
                spans[found, 1] = i
                found += 1
            position += 1
            continue
        if code == 10:  # "\n"
            position = 0
        elif code == 46 or code == 33 or code == 63:  # . ! ?
            j = i + 1
            while j < n and (codes[j] == 34 or codes[j] == 39 or codes[j] == 41 or codes[j] == 93):
                j += 1
            if j < n and classes[codes[j]] & SPACE:
                position = 0
        i += 1
    return spans[:found]


#: in ``name_hashes``' fold table: this bit marks an index into the multi-character folds
MULTI_FOLD = 0x80000000


@njit(cache=True, inline="always")
def _folded_utf8(code, fold, multi, out, n):
    """Append the UTF-8 of ``chr(code).casefold()``: one code point from ``fold``, or a
    row of ``multi`` (zero-padded) where casefolding makes several ("ß" → "ss")."""
    target = fold[code]
    if target & MULTI_FOLD == 0:
        return _utf8(target, out, n)
    row = target & ~MULTI_FOLD
    for j in range(multi.shape[1]):
        if multi[row, j] == 0:
            break
        n = _utf8(multi[row, j], out, n)
    return n


@njit(cache=True)
def name_hashes(codes, doc_offsets, classes, fold, multi):
    """``xxh64`` of each casefolded name or figure (``name_spans``) of documents
    concatenated as code points. Casefolding is per character, so a span's fold is its
    characters' folds in turn. Returns (hashes, names per document)."""
    n_docs = doc_offsets.shape[0] - 1
    hashes = np.empty(codes.shape[0] // 2 + n_docs, dtype=np.uint64)
    counts = np.zeros(n_docs, dtype=np.int64)
    longest = 0
    for d in range(n_docs):
        longest = max(longest, doc_offsets[d + 1] - doc_offsets[d])
    scratch = np.empty(12 * longest + 12, dtype=np.uint8)  # a code point folds to ≤ 3
    found = 0
    for d in range(n_docs):
        spans = name_spans(codes[doc_offsets[d] : doc_offsets[d + 1]], classes)
        for s in range(spans.shape[0]):
            length = 0
            for i in range(doc_offsets[d] + spans[s, 0], doc_offsets[d] + spans[s, 1]):
                length = _folded_utf8(codes[i], fold, multi, scratch, length)
            hashes[found] = xxh64(scratch, 0, length)
            found += 1
        counts[d] = spans.shape[0]
    return hashes[:found], counts


@njit(cache=True, inline="always")
def _run_end(sorted_keys, start):
    """Where the run of keys equal to ``sorted_keys[start]`` ends."""
    stop = start + 1
    while stop < sorted_keys.shape[0] and sorted_keys[stop] == sorted_keys[start]:
        stop += 1
    return stop


@njit(cache=True)
def group_pairs(sorted_keys, members, n_docs, max_bucket):
    """Encoded pairs (low * n_docs + high) of the members of each run of equal keys: every
    pair in a run of up to ``max_bucket``, the lowest member with each other in a larger
    one (a star, linear in the run). A member paired with itself is left out. Unsorted."""
    n = sorted_keys.shape[0]
    total = 0
    start = 0
    while start < n:
        stop = _run_end(sorted_keys, start)
        size = stop - start
        total += size * (size - 1) // 2 if size <= max_bucket else size - 1
        start = stop
    codes = np.empty(total, dtype=np.int64)
    found = 0
    start = 0
    while start < n:
        stop = _run_end(sorted_keys, start)
        if stop - start <= max_bucket:
            for i in range(start, stop):
                for j in range(i + 1, stop):
                    low, high = min(members[i], members[j]), max(members[i], members[j])
                    if low != high:
                        codes[found] = low * n_docs + high
                        found += 1
        else:
            lowest = members[start]
            for i in range(start, stop):
                lowest = min(lowest, members[i])
            for i in range(start, stop):
                if members[i] != lowest:
                    codes[found] = lowest * n_docs + members[i]
                    found += 1
        start = stop
    return codes[:found]


@njit(cache=True)
def missing_from(values, known):
    """Which of ``values`` are not in ``known`` (both sorted and distinct), in one linear
    pass."""
    missing = np.ones(values.shape[0], dtype=np.bool_)
    j = 0
    for i in range(values.shape[0]):
        value = values[i]
        while j < known.shape[0] and known[j] < value:
            j += 1
        if j < known.shape[0] and known[j] == value:
            missing[i] = False
    return missing


@njit(cache=True)
def merge_from_back(buffer, n_first, second):
    """Merge sorted ``second`` into ``buffer``, whose first ``n_first`` values are sorted
    and none of ``second``'s, filling the buffer (``n_first + len(second)`` long) from its
    end, so that nothing moves twice and no second buffer is needed."""
    i = n_first - 1
    j = second.shape[0] - 1
    for k in range(n_first + second.shape[0] - 1, -1, -1):
        if j < 0:
            break
        if i >= 0 and buffer[i] > second[j]:
            buffer[k] = buffer[i]
            i -= 1
        else:
            buffer[k] = second[j]
            j -= 1
