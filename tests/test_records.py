"""Records that cross process boundaries pickle as constructor calls, equal after the trip."""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from dedup.records import (
    Article,
    Cluster,
    Evidence,
    Member,
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
