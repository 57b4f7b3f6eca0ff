"""The band sets (``band:{16 hex}``), read and written thousands a call by two Lua
scripts, or one command each where the server refuses EVAL: the hot path of every
lookup and commit, kept apart from the store's bookkeeping.
"""

from __future__ import annotations

import logging

import numpy as np
import redis

from dedup.index.base import I64, U64
from dedup.index.redis_values import doc_numbers

# records keep the backend's logger name, as before the split
log = logging.getLogger("dedup.index.redis")

_NO_DOCS = np.zeros(0, np.int64)

# SADD/SREM of document ARGV[4][i] to band set ARGV[2] .. ARGV[3][16 hex digits i]; and
# the members of each named band set, as "counts" and "documents" joined by commas.
WRITE_BANDS = """
local command, head, names, docs = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local i = 0
for doc in string.gmatch(docs, "[^,]+") do
  redis.call(command, head .. string.sub(names, i * 16 + 1, i * 16 + 16), doc)
  i = i + 1
end
return i
"""
READ_BANDS = """
local head, names = ARGV[1], ARGV[2]
local counts, docs = {}, {}
for i = 1, #names, 16 do
  local name = string.sub(names, i, i + 15)
  local members = redis.call("SMEMBERS", head .. name)
  for _, member in ipairs(members) do
    if not string.match(member, "^[0-9]+$") then
      return redis.error_reply("band:" .. name .. " holds something that is not a document number")
    end
    docs[#docs + 1] = member
  end
  counts[#counts + 1] = #members
end
return {table.concat(counts, ","), table.concat(docs, ",")}
"""


def scripts_allowed(r: redis.Redis, host: str, port: int) -> bool:
    """Whether the server runs Lua scripts (some managed ones refuse EVAL)."""
    try:
        return bool(r.eval("return 1", 0) == 1)
    except redis.exceptions.ResponseError as exc:
        log.info("redis at %s:%s refuses EVAL (%s): band sets one command each", host, port, exc)
        return False


def hex_names(keys: U64) -> str:
    """Band keys as one string of 16 hex digits each (the ``band:`` key suffixes)."""
    return np.asarray(keys, ">u8").tobytes().hex()


def _joined_numbers(joined: object) -> I64:
    """``b"3,14,15"`` → int64 array (what ``READ_BANDS`` returns)."""
    return (
        np.array(joined.split(b","), np.int64) if isinstance(joined, bytes) and joined else _NO_DOCS
    )


def band_members(
    r: redis.Redis, head: str, names: str, *, scripts: bool, chunk: int
) -> tuple[I64, I64]:
    """For band keys given as ``hex_names``: how many documents each set holds, and
    those documents, set after set. ``head`` is ``{prefix}:band:``; ``chunk`` commands
    (or five times as many keys a script) go in each call, ten calls a round trip."""
    step = 16 * (5 * chunk if scripts else chunk)
    counts: list[I64] = []
    docs: list[I64] = []
    for start in range(0, len(names), 10 * step):
        with r.pipeline(transaction=False) as pipe:
            parts = [
                names[i : i + step] for i in range(start, min(len(names), start + 10 * step), step)
            ]
            for part in parts:
                if scripts:
                    pipe.eval(READ_BANDS, 0, head, part)
                else:
                    for i in range(0, len(part), 16):
                        pipe.smembers(head + part[i : i + 16])
            replies = pipe.execute()
        if scripts:
            for joined_counts, joined_docs in replies:
                counts.append(_joined_numbers(joined_counts))
                docs.append(_joined_numbers(joined_docs))
        else:
            for offset, members in enumerate(replies):
                at = start + 16 * offset
                found = doc_numbers(members, f"band:{names[at : at + 16]}")
                counts.append(np.array([len(found)], np.int64))
                docs.append(found)
    if not counts:
        return _NO_DOCS, _NO_DOCS
    return np.concatenate(counts), np.concatenate(docs)


def queue_bands(
    pipe: redis.client.Pipeline,
    head: str,
    command: str,
    names: str,
    docs: list[int],
    *,
    scripts: bool,
) -> None:
    """Queue SADD or SREM of each doc to the band set named at the same position."""
    if not docs:
        return
    if scripts:
        pipe.eval(WRITE_BANDS, 0, command, head, names, ",".join(map(str, docs)))
        return
    for offset, doc in enumerate(docs):
        name = head + names[16 * offset : 16 * offset + 16]
        if command == "SADD":
            pipe.sadd(name, doc)
        else:
            pipe.srem(name, doc)
