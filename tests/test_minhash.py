"""Signatures agree with datasketch and are identical across processes."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from dedup.minhash import band_keys, estimate_jaccard, permutations, sign_batch
from dedup.shingle import hash_shingle, hash_shingle32, hash_token, shingle_batch, tokenize

VOCABULARY = ["alpha", "beta", "gamma", "delta", "eta", "theta", "iota", "kappa", "mu", "nu"]
words = st.lists(st.sampled_from(VOCABULARY))
documents = st.lists(words.map(" ".join), min_size=1, max_size=6)


def datasketch_signature(body: str, k: int, num_perm: int, seed: int) -> np.ndarray:
    tokens = tokenize(body)
    reference = MinHash(num_perm=num_perm, seed=seed, hashfunc=hash_shingle32)
    for start in range(len(tokens) - k + 1):
        reference.update(tuple(tokens[start : start + k]))
    return np.asarray(reference.hashvalues)


@settings(max_examples=60, deadline=None)
@given(
    documents,
    st.integers(min_value=1, max_value=4),
    st.sampled_from([16, 64, 128]),
    st.integers(0, 2**31),
)
def test_batch_signature_equals_datasketch(
    bodies: list[str], k: int, num_perm: int, seed: int
) -> None:
    sets = shingle_batch(bodies, k)
    ours = sign_batch(sets, num_perm=num_perm, seed=seed)
    for row, body in enumerate(bodies):
        assert np.array_equal(ours[row], datasketch_signature(body, k, num_perm, seed))


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=512), st.integers(0, 2**32 - 1))
def test_permutations_are_datasketchs(num_perm: int, seed: int) -> None:
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = permutations(num_perm, seed)
    assert ours[0].dtype == ours[1].dtype == np.uint32
    assert np.array_equal(ours[0], a)
    assert np.array_equal(ours[1], b)


@settings(max_examples=30, deadline=None)
@given(documents, st.integers(min_value=1, max_value=128), st.integers(0, 2**31))
def test_leading_columns_equal_those_of_the_whole_signature(
    bodies: list[str], columns: int, seed: int
) -> None:
    sets = shingle_batch(bodies, 3)
    whole = sign_batch(sets, num_perm=128, seed=seed)
    leading = sign_batch(sets, num_perm=128, seed=seed, columns=columns)
    assert np.array_equal(leading, whole[:, :columns])


@settings(deadline=None)  # the first call compiles the kernels
@given(st.lists(st.lists(st.sampled_from(["a", "b", "c", "dé", "漢"]), max_size=12), max_size=4))
def test_compiled_kgrams_equal_scalar_reference(documents: list[list[str]]) -> None:
    sets = shingle_batch([" ".join(tokens) for tokens in documents], 3)
    for row, tokens in enumerate(documents):
        expected = {hash_shingle(tokens[i : i + 3]) for i in range(len(tokens) - 2)}
        assert sets.of(row).tolist() == sorted(expected)


@settings(deadline=None)  # the first call compiles the kernels
@given(st.binary(max_size=100))
def test_compiled_xxh64_equals_xxhash(data: bytes) -> None:
    import xxhash

    from dedup._kernels import xxh64

    buffer = np.frombuffer(b"\x07" + data, dtype=np.uint8)
    assert int(xxh64(buffer, 1, buffer.shape[0])) == xxhash.xxh64_intdigest(data)


def test_token_hash_is_xxh64_of_utf8() -> None:
    import xxhash

    assert hash_token("grüße") == xxhash.xxh64_intdigest("grüße".encode())


def test_document_shorter_than_k_has_no_shingles_and_max_signature() -> None:
    sets = shingle_batch(["one two", ""], 3)
    assert sets.sizes().tolist() == [0, 0]
    signatures = sign_batch(sets, num_perm=8, seed=1)
    assert (signatures == 0xFFFFFFFF).all()


def test_signatures_identical_across_processes() -> None:
    program = (
        "from dedup.shingle import shingle_batch; from dedup.minhash import sign_batch;"
        "s = shingle_batch(['the quick brown fox jumps over the lazy dog'], 3);"
        "print(sign_batch(s, num_perm=32, seed=5).tobytes().hex())"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", program],
            check=True,
            capture_output=True,
            text=True,
            env={"PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in (1, 2, 3)
    }
    sets = shingle_batch(["the quick brown fox jumps over the lazy dog"], 3)
    assert outputs == {sign_batch(sets, num_perm=32, seed=5).tobytes().hex() + "\n"}


def test_golden_fingerprint_fails_when_hashing_changes() -> None:
    sets = shingle_batch(["Russia and North Korea will sign several important documents"], 3)
    assert hex(int(sets.values[0])) == GOLDEN_FIRST_SHINGLE
    assert int(sign_batch(sets, num_perm=4, seed=1)[0].sum()) == GOLDEN_SIGNATURE_SUM


GOLDEN_FIRST_SHINGLE = "0x1ab4c4646eec3167"
GOLDEN_SIGNATURE_SUM = 2367386896


def test_band_keys_equal_for_equal_bands_only() -> None:
    signatures = np.array([[1, 2, 3, 4], [1, 2, 9, 9], [5, 2, 3, 4]], dtype=np.uint32)
    keys = band_keys(signatures, bands=2, rows=2)
    assert keys[0, 0] == keys[1, 0]
    assert keys[0, 1] != keys[1, 1]
    assert keys[0, 1] == keys[2, 1]
    assert keys[0, 0] != keys[2, 0]


def test_estimate_tracks_exact_jaccard() -> None:
    base = " ".join(f"w{i}" for i in range(400))
    half = " ".join(f"w{i}" for i in range(200)) + " " + " ".join(f"x{i}" for i in range(200))
    signatures = sign_batch(shingle_batch([base, half], 3), num_perm=256, seed=1)
    exact = 198 / (398 + 398 - 198)
    assert abs(estimate_jaccard(signatures[0], signatures[1]) - exact) < 0.08
