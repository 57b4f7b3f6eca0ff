"""Which of a zone's line patterns could fullmatch a line, all patterns in one linear pass.

Python's ``re`` backtracks: the byline patterns (lists of capitalized names before an
agency) cost several microseconds on every capitalized sentence they fail on, and a zone
has a dozen or more patterns. RE2 runs a whole set of patterns at once in linear time, but
has no lookarounds and words things differently, so it only screens: each pattern is
rewritten as a *superset* in RE2 syntax (every line the Python pattern fullmatches, the
rewrite fullmatches too), and the verdict on the few lines it lets through still comes from
the Python pattern itself. The rewrite:

- lookbehinds, negative lookaheads and word boundaries are dropped (they only narrow);
- a positive lookahead at the top level becomes a second rewrite the line must match too
  (the lookahead's content, then anything), so a pattern made of lookaheads stays selective;
- bounded repeats longer than ``_LONGEST_KEPT_REPEAT`` become unbounded (RE2 would expand
  them copy by copy);
- character classes keep their ASCII members exactly (as Python's own engine decides them)
  and take every non-ASCII character; an ASCII letter matched without case also takes the
  non-ASCII letters Python's IGNORECASE folds onto it (dotted and dotless i, long s,
  the Kelvin sign).

A pattern the rewrite does not know (a group reference) is screened by "anything", which
lets every line through to ``re``: slower, never wrong.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Sequence
from functools import cache
from typing import Any

import re2

logger = logging.getLogger(__name__)

#: bounded repeats up to this many copies are kept as they are; longer ones become unbounded
_LONGEST_KEPT_REPEAT = 3
#: every non-ASCII code point RE2 accepts in UTF-8 (surrogates are not text)
_NON_ASCII = r"\x{80}-\x{D7FF}\x{E000}-\x{10FFFF}"
#: lets every line through
_ANYTHING = "(?s:.*)"
#: memory for each set's compiled program and DFA cache (RE2's default). A set's DFA that
#: fills its cache empties it and goes on, slower but with the same answers (a test screens
#: with a cache far too small and gets the same candidates)
_MAX_MEM = 8 << 20


class LineScreen:
    """RE2 supersets of a sequence of patterns: one set holds each pattern's first rewrite,
    a second one its other rewrites, asked only when the first names a pattern that has
    them (a line must match all of a pattern's rewrites)."""

    __slots__ = ("_extra", "_extras_of", "_main", "_size")

    def __init__(self, patterns: Sequence[re.Pattern[str]], *, max_mem: int = _MAX_MEM) -> None:
        self._main = _full_match_set(max_mem)
        self._extra = _full_match_set(max_mem)
        self._size = len(patterns)
        #: the entries in ``_extra`` a line must match too for each pattern that has any
        self._extras_of: dict[int, frozenset[int]] = {}
        for index, pattern in enumerate(patterns):
            main, *extras = superset_rewrites(pattern)
            self._main.Add(main)  # entries are numbered from 0 as added: pattern indices
            if extras:
                self._extras_of[index] = frozenset(map(self._extra.Add, extras))
        self._main.Compile()
        if self._extras_of:
            self._extra.Compile()

    def candidates(self, line: str) -> list[int]:
        """The indices, in order, of the patterns that may fullmatch ``line``: every pattern
        that does is among them. A line RE2 cannot take (a lone surrogate) gets them all."""
        try:
            data = line.encode("utf-8")
        except UnicodeEncodeError:
            return list(range(self._size))
        matched: list[int] | None = self._main.Match(data)
        if not matched:
            return []
        matched.sort()
        if self._extras_of.keys().isdisjoint(matched):
            return matched
        extra = frozenset(self._extra.Match(data) or ())
        return [i for i in matched if i not in self._extras_of or self._extras_of[i] <= extra]


def _full_match_set(max_mem: int) -> Any:
    options = re2.Options()
    options.max_mem = max_mem
    options.log_errors = False
    return re2.Set.FullMatchSet(options)


def superset_rewrites(pattern: re.Pattern[str]) -> list[str]:
    """RE2 patterns every line ``pattern`` fullmatches also fullmatches: one for the pattern
    with its lookarounds dropped, and one more per positive lookahead at its top level. A
    pattern opening with a lookahead states its condition there: that rewrite comes first."""
    try:
        parser = importlib.import_module("re._parser")
        tree = parser.parse(pattern.pattern, pattern.flags)
        items = list(tree.data)
        flags = tree.state.flags
        rewrites = [_rewrite(items, flags, parser)]
        for index, (op, arg) in enumerate(items):
            if op is parser.ASSERT and arg[0] == 1:  # a lookahead: its content, then anything
                head = _rewrite(items[:index], flags, parser)
                content = _rewrite(list(arg[1].data), flags, parser)
                rewrites.insert(
                    0 if index == 0 else len(rewrites), f"{head}(?:{content}){_ANYTHING}"
                )
    except Exception:  # an unknown node, or another Python's parser
        logger.debug("pattern %r screened by anything", pattern.pattern, exc_info=True)
        return [_ANYTHING]
    return rewrites


def _rewrite(items: list[Any], flags: int, parser: Any) -> str:
    """The RE2 superset of a parsed sequence under ``flags``."""
    out: list[str] = []
    for op, arg in items:
        if op is parser.LITERAL:
            out.append(_literal(arg, flags, parser))
        elif op is parser.NOT_LITERAL or op is parser.IN:
            out.append(_char_class(_members((op, arg), flags, parser)))
        elif op is parser.ANY:
            out.append("(?s:.)" if flags & re.DOTALL else ".")
        elif op is parser.BRANCH:
            branches = (_rewrite(list(branch.data), flags, parser) for branch in arg[1])
            out.append(f"(?:{'|'.join(branches)})")
        elif op is parser.SUBPATTERN:
            _, add_flags, del_flags, inner = arg
            scoped = (flags | add_flags) & ~del_flags
            out.append(f"(?:{_rewrite(list(inner.data), scoped, parser)})")
        elif op in (parser.MAX_REPEAT, parser.MIN_REPEAT, parser.POSSESSIVE_REPEAT):
            low, high, inner = arg
            body = _rewrite(list(inner.data), flags, parser)
            kept = high is not parser.MAXREPEAT and high <= _LONGEST_KEPT_REPEAT
            out.append(f"(?:{body}){{{low},{high if kept else ''}}}")
        elif op is parser.ATOMIC_GROUP:
            out.append(f"(?:{_rewrite(list(arg.data), flags, parser)})")
        elif op in (parser.AT, parser.ASSERT, parser.ASSERT_NOT):
            continue  # zero-width: dropping one only lets more lines through
        else:
            raise ValueError(f"no RE2 superset for {op}")
    return "".join(out)


@cache  # the agency names repeat in many patterns, letter by letter
def _literal(code: int, flags: int, parser: Any) -> str:
    if not flags & re.IGNORECASE:
        return _escape(code)
    return _char_class(_members((parser.LITERAL, code), flags, parser), non_ascii=code >= 0x80)


def _char_class(members: tuple[int, ...], *, non_ascii: bool = True) -> str:
    """A class of ``members`` (sorted), runs written as ranges, plus every non-ASCII one."""
    runs: list[list[int]] = []
    for code in members:
        if runs and code == runs[-1][1] + 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    spelt = "".join(
        _escape(low) if low == high else f"{_escape(low)}-{_escape(high)}" for low, high in runs
    )
    return f"[{spelt}{_NON_ASCII if non_ascii else ''}]"


def _escape(code: int) -> str:
    return f"\\x{{{code:x}}}"


#: the non-ASCII characters IGNORECASE lets stand for an ASCII letter (a test derives them
#: from ``re`` over every code point)
IGNORECASE_LETTERS = (0x130, 0x131, 0x17F, 0x212A)
_MEMBERS: dict[tuple[str, int], tuple[int, ...]] = {}


def _members(node: tuple[Any, Any], flags: int, parser: Any) -> tuple[int, ...]:
    """The characters a one-character node matches among ASCII and, under IGNORECASE, the
    non-ASCII letters folding onto ASCII ones: Python's engine decides each itself."""
    key = (repr(node), flags)
    if key not in _MEMBERS:
        compiler = importlib.import_module("re._compiler")
        state = parser.State()
        state.flags = flags
        one = compiler.compile(parser.SubPattern(state, [node]))
        codes = [*range(0x80), *(IGNORECASE_LETTERS if flags & re.IGNORECASE else ())]
        _MEMBERS[key] = tuple(code for code in codes if one.fullmatch(chr(code)))
    return _MEMBERS[key]
