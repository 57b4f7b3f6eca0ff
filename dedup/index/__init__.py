"""Persistent indexes for scheduled runs: ``open_index(url)`` and the manifest checks.

URL forms: a file path or ``sqlite:///path`` (the embedded default, SQLite in WAL mode),
and ``redis://host:port/db?prefix=name`` (a shared index on a Redis server). Backends
are imported only when used, so Redis is needed only by those who index into it.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from dedup.errors import ConfigError, IndexStoreError
from dedup.index.base import (
    SCHEMA_VERSION,
    CanonicalMove,
    CommitBatch,
    IndexedArticle,
    IndexStats,
    IndexStore,
    Manifest,
    RunRecord,
    StoredCluster,
    WindowBy,
)
from dedup.params import HASH_SCHEME, DedupParams

__all__ = [
    "CanonicalMove",
    "CommitBatch",
    "IndexStats",
    "IndexStore",
    "IndexedArticle",
    "Manifest",
    "RunRecord",
    "StoredCluster",
    "WindowBy",
    "check_manifest",
    "manifest_for",
    "open_index",
    "params_of",
]


def open_index(url: str, *, must_exist: bool = False, rebuild: bool = False) -> IndexStore:
    """The store a URL names. ``must_exist`` refuses to create one (for commands that
    only read); ``rebuild`` lets a Redis index that lost its data start again empty
    instead of being refused.

    ``sqlite:///data/index.db`` is relative to the working directory and
    ``sqlite:////srv/index.db`` absolute, as in SQLAlchemy.
    """
    parts = urlsplit(url)
    if parts.scheme in ("", "sqlite"):
        from dedup.index.sqlite import SqliteStore

        path = url if parts.scheme == "" else url.removeprefix("sqlite:///")
        if not path or (parts.scheme and not url.startswith("sqlite:///")):
            raise ConfigError(f"index URL '{url}' names no file; e.g. sqlite:///data/index.db")
        return SqliteStore(path, must_exist=must_exist)
    if parts.scheme in ("redis", "rediss"):
        from dedup.index.redis import RedisStore

        query = parse_qs(parts.query)
        prefix = query.get("prefix", ["dedup"])[-1]
        db_text = parts.path.strip("/") or "0"
        if not db_text.isdigit():
            raise ConfigError(f"index URL '{url}': the database must be a number, got {db_text}")
        return RedisStore(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=int(db_text),
            prefix=prefix,
            password=parts.password,
            ssl=parts.scheme == "rediss",
            must_exist=must_exist,
            rebuild=rebuild,
        )
    raise ConfigError(
        f"index URL '{url}' is neither a file path, sqlite:///path nor redis://host:port/db"
    )


def _params_of(params: DedupParams) -> dict[str, object]:
    return asdict(params) | {"hash_scheme": HASH_SCHEME}


def manifest_for(params: DedupParams) -> Manifest:
    """A new index's manifest for these parameters."""
    return Manifest(
        schema_version=SCHEMA_VERSION,
        fingerprint=params.fingerprint(),
        params=_params_of(params),
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        epoch=secrets.token_hex(8),
    )


def params_of(manifest: Manifest) -> DedupParams:
    """The parameters an index was built with, for commands that only read it."""
    settings = {k: v for k, v in manifest.params.items() if k != "hash_scheme"}
    try:
        return DedupParams(**settings)  # type: ignore[arg-type]
    except (TypeError, ConfigError) as exc:
        raise IndexStoreError(
            f"the index's parameters are not ones this dedup knows ({exc}); upgrade dedup"
        ) from exc


def check_manifest(store: IndexStore, params: DedupParams) -> Manifest:
    """The index's manifest, created for ``params`` if the index is new; refused with
    the differing settings named when the index was built with others."""
    found = store.manifest()
    if found is None:
        store.create(manifest_for(params))
        found = store.manifest()
        if found is None:
            raise IndexStoreError(f"index {store.location}: the manifest was not stored")
    if found.schema_version > SCHEMA_VERSION:
        raise IndexStoreError(
            f"index {store.location} has schema version {found.schema_version}, newer than "
            f"this dedup understands ({SCHEMA_VERSION}); upgrade dedup to use it"
        )
    if found.fingerprint != params.fingerprint():
        wanted = _params_of(params)
        differing = [
            f"{name}={found.params.get(name)!r} (this run: {wanted.get(name)!r})"
            for name in sorted(set(found.params) | set(wanted))
            if found.params.get(name) != wanted.get(name)
        ]
        raise IndexStoreError(
            f"index {store.location} was built with other parameters: "
            + ", ".join(differing or ["(fingerprints differ)"])
            + "; run with the index's parameters, or give a new --index"
        )
    return found
