"""What both index backends do alike: batching, compact JSON, the manifest as JSON, the
writer lock's holder record and how a refusal names it, errors on one line."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from dedup.errors import IndexStoreError
from dedup.index.base import Manifest

_Item = TypeVar("_Item")


def chunks(values: Sequence[_Item], size: int) -> Iterator[Sequence[_Item]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def json_bytes(value: object) -> bytes:
    """Compact JSON (the codec's article flags rely on these separators)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def one_line(exc: BaseException) -> str:
    """An exception's text on one line, for messages the CLI prints as they are."""
    return " ".join(str(exc).split()) or type(exc).__name__


def manifest_bytes(manifest: Manifest) -> bytes:
    return json_bytes(
        {
            "schema_version": manifest.schema_version,
            "fingerprint": manifest.fingerprint,
            "params": manifest.params,
            "created": manifest.created,
            "epoch": manifest.epoch,
        }
    )


def manifest_of(raw: bytes | str, location: str) -> Manifest:
    """The stored manifest; a damaged one is an ``IndexStoreError`` naming the index."""
    try:
        row = json.loads(raw)
        if not isinstance(row, dict) or not isinstance(row.get("params"), dict):
            raise ValueError("not a JSON object with params")
        return Manifest(
            schema_version=int(row["schema_version"]),
            fingerprint=str(row["fingerprint"]),
            params=dict(row["params"]),
            created=str(row["created"]),
            epoch=str(row["epoch"]),
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise IndexStoreError(
            f"index {location}: its stored manifest is damaged ({one_line(exc)}); "
            "rebuild the index with a new --index"
        ) from exc


def holder_record(run_id: str, **extra: str) -> dict[str, Any]:
    """Who takes a writer lock: this process, host, run and time."""
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "run": run_id,
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
    }


def locked_message(location: str, holder: Mapping[str, Any] | None, advice: str) -> str:
    """The one line a refused job prints: the index and who holds it."""
    if not holder:
        return f"index {location} is locked by another process (holder not recorded); {advice}"
    return (
        f"index {location} is locked by pid {holder.get('pid', '?')} on host "
        f"{holder.get('host', '?')} (run {holder.get('run', '?')}, since "
        f"{holder.get('since', '?')}); {advice}"
    )
