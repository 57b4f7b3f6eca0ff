"""Re-lexicalization (reused bases, quote-sharing hosts) and base reuse across epochs."""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator

from .outlets import STOP
from .pool import _LEX, MIN_WORDS, Base, BasePool


class _Relex:
    """Maps content words and numbers through a keyed substitution; caches one key.

    ``codes`` (word -> CRC-32 of its lower case) may be shared between instances: it depends
    on the word only, and bounded by the pool's words."""

    def __init__(self, vocabulary: list[str], codes: dict[str, int] | None = None) -> None:
        self.vocabulary = vocabulary
        self.codes = {} if codes is None else codes
        self.key = ""
        self.cache: dict[str, str] = {}
        self.salt = 0
        self.digits: dict[int, int] = {}

    def __call__(self, text: str, key: str) -> str:
        if key != self.key:
            self.key, self.cache = key, {}
            self.salt = zlib.crc32(key.encode())
            shift = self.salt % 9 + 1
            shifted = "".join(str((d + shift) % 10) for d in range(10))
            self.digits = str.maketrans("0123456789", shifted)
        parts = _LEX.split(text)  # text, word, text, word, ..., text
        words = parts[1::2]
        mapped = list(map(self.cache.get, words))
        if None in mapped:
            for i, word in enumerate(words):
                if mapped[i] is None:
                    mapped[i] = self.cache[word] = self._fresh(word)
        parts[1::2] = mapped
        return "".join(parts)  # type: ignore[arg-type]

    def _fresh(self, word: str) -> str:
        if word[0].isdigit():
            got = word.translate(self.digits)
            return "1" + got[1:] if len(got) > 1 and got[0] == "0" else got
        low = word.lower()
        if low in STOP:
            return word
        code = self.codes.get(low)
        if code is None:
            code = self.codes[low] = zlib.crc32(low.encode())
        mixed = ((code ^ self.salt) * 0x9E3779B1) & 0xFFFFFFFF
        got = self.vocabulary[(mixed ^ (mixed >> 15)) % len(self.vocabulary)]
        if word.isupper():
            return got.upper()
        return got.capitalize() if word[0].isupper() else got


class _Reuse:
    """The pool's bases in a seeded order, epoch after epoch; from epoch 1 on a base is
    merged, permuted and re-lexicalized (see the module docstring of ``synth.py``)."""

    def __init__(self, pool: BasePool, seed: int) -> None:
        if not pool.bases:
            raise ValueError(f"no usable base texts (each needs {MIN_WORDS}+ words)")
        self.pool = pool
        self.seed = seed
        self.codes: dict[str, int] = {}
        self.relex = _Relex(pool.vocabulary, self.codes)

    def base_order(self) -> Iterator[tuple[int, int]]:
        size = self.pool.size
        epoch = 0
        while True:
            order = list(range(size))
            random.Random(f"{self.seed}/order/{epoch}").shuffle(order)
            for index in order:
                yield epoch, index
            epoch += 1

    def base(self, epoch: int, index: int) -> Base:
        base = self.pool.bases[index]
        if epoch == 0:
            return base
        r = random.Random(f"{self.seed}/reuse/{epoch}/{index}")
        key = f"{self.seed}:epoch{epoch}"
        paras = self.relex("\n\n".join(base.paragraphs), key).split("\n\n")
        size = self.pool.size
        if size > 1 and r.random() < 0.5:
            # half of another base, under a key of its own: that base's own story of this
            # epoch (under the epoch key) must not share its words
            other = self.pool.bases[(index + 1 + r.randrange(size - 1)) % size].paragraphs
            half = "\n\n".join(other[: max(1, len(other) // 2)])
            extra = _Relex(self.pool.vocabulary, self.codes)(half, f"{key}:merge{index}").split(
                "\n\n"
            )
            paras = paras[:1] + extra + paras[1:] if r.random() < 0.5 else paras + extra
        if len(paras) > 3 and r.random() < 0.5:
            middle = paras[1:-1]
            r.shuffle(middle)
            paras = [paras[0], *middle, paras[-1]]
        return Base(self.relex(base.title, key), tuple(paras))

    def neighbour(self, r: random.Random, base_index: int) -> Base:
        """A base near ``base_index`` in input order (most often the same source file)."""
        size = self.pool.size
        return self.pool.bases[(base_index + 1 + r.randrange(min(5, size))) % size]
