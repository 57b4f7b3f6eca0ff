"""Acceptance check on the seed scenario (a scraper's copy of NDTV's copy of an AFP story).

Usage: python benchmarks/seed_acceptance.py PATH_TO_SHARED_DATA

Scans ``seed/articles.jsonl`` exactly as ``dedup scan`` does and checks the answer given in
``seed/README.md``. Prints one line per check; exits 1 if any fails. The seed texts stay in
shared data: they are other people's articles and are not committed here.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from dedup.pipeline import scan
from dedup.records import Cluster


def checks(clusters: list[Cluster], singletons: set[str]) -> list[tuple[str, bool]]:
    by_canonical = {c.canonical_id: c for c in clusters}
    afp = by_canonical.get("afp-20240617-0850")
    pti = by_canonical.get("bs-monsoon-0609")
    afp_roles = {m.id: (m.role, m.parent_id) for m in afp.members} if afp else {}
    pti_roles = {m.id: (m.role, m.parent_id) for m in pti.members} if pti else {}
    return [
        ("exactly two clusters", len(clusters) == 2),
        (
            "AFP cluster = the four AFP members",
            set(afp_roles)
            == {"afp-20240617-0850", "ndtv-5906", "scraper-77121", "barrons-af-0617"},
        ),
        ("AFP cluster canonical afp-20240617-0850", afp is not None),
        ("AFP cluster origin AFP", afp is not None and afp.origin == "AFP"),
        (
            "NDTV is a copy of the AFP page",
            afp_roles.get("ndtv-5906", ("", ""))[1] == "afp-20240617-0850",
        ),
        ("scraper page is a copy of NDTV", afp_roles.get("scraper-77121") == ("copy", "ndtv-5906")),
        (
            "Barron's is an abridged copy",
            afp_roles.get("barrons-af-0617", ("",))[0] == "abridged_copy",
        ),
        (
            "PTI cluster = the two PTI copies",
            set(pti_roles) == {"bs-monsoon-0609", "theprint-monsoon-0609"},
        ),
        ("PTI cluster canonical bs-monsoon-0609 (most complete)", pti is not None),
        ("PTI cluster origin PTI", pti is not None and pti.origin == "PTI"),
        ("reasons given for both", all(c.reasons for c in clusters)),
        ("reuters-seoul-0617 alone", "reuters-seoul-0617" in singletons),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="path to shared/data")
    args = parser.parse_args()
    result = scan([args.data / "seed" / "articles.jsonl"])
    clustered = {m.id for c in result.clusters for m in c.members}
    singletons = set(result.evidence) - clustered
    outcomes = checks(result.clusters, singletons)
    for name, passed in outcomes:
        print(f"{'PASS' if passed else 'FAIL'}  {name}")
    for cluster in result.clusters:
        print(f"\n{cluster.canonical_id} (origin {cluster.origin}):")
        for reason in cluster.reasons:
            print(f"  - {reason}")
        for member in cluster.members:
            print(f"    {member.id:<24} {member.role:<14} parent={member.parent_id}")
    failed = sum(not passed for _, passed in outcomes)
    print(f"\n{len(outcomes) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
