"""Records that cross process boundaries pickle as constructor calls, equal after the trip."""

from __future__ import annotations

import pickle
from dataclasses import dataclass, fields, replace

from dedup.records import (
    Article,
    Cluster,
    Evidence,
    Member,
    PageSignals,
    StrippedLine,
    _pickled_by_constructor,
)


@_pickled_by_constructor
@dataclass(frozen=True, slots=True)
class _OneField:
    value: str


def test_records_survive_pickling() -> None:
    evidence = Evidence(agencies=("AP",), stripped=(StrippedLine("credit", "(AP)", "AP"),))
    member = Member("b", "https://x/b", "x", None, "copy", "a", 0.9, 0.95, evidence)
    records = [
        Article(id="a", text="t", title="T", location="f:1"),
        evidence,
        member,
        Cluster("c-1", "a", "AP", ("reason",), (member,)),
        _OneField("only"),
    ]
    for record in records:
        assert pickle.loads(pickle.dumps(record)) == record


def test_an_article_without_its_text_keeps_every_other_field() -> None:
    page = PageSignals(source_links=("https://wire.example/a",))
    values = {f.name: f"{f.name}-value" for f in fields(Article)} | {"page": page}
    article = Article(**values)
    bare = article.without_text()
    assert bare.text == ""
    assert replace(bare, text=article.text) == article
    slim = article.for_clustering()
    assert replace(slim, text=article.text, title=article.title, location=article.location) == (
        article
    )
