"""Which input field holds which piece of an article.

Dumps name their fields differently ("source" vs "outlet", "body" vs "text"); one small
mapping object keeps the readers format-agnostic and lets the CLI expose ``--field``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from dedup.errors import ConfigError


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldMap:
    """Input field names for each :class:`~dedup.records.Article` attribute.

    ``pointer`` is the field holding the page the record names as its parent
    (a scraper's "Source link").
    """

    id: str = "id"
    text: str = "text"
    title: str = "title"
    url: str = "url"
    outlet: str = "outlet"
    published_at: str = "published_at"
    pointer: str = "source_link"

    def __post_init__(self) -> None:
        for spec in fields(self):
            name = getattr(self, spec.name)
            if not isinstance(name, str) or not name.strip():
                raise ConfigError(
                    f"field name for {spec.name!r} must be a non-empty string, got {name!r}"
                )
