"""The report in a real browser (headless Chromium): it renders, sorts, opens a cluster
with its shared passages highlighted, logs no error, and loads nothing but itself, even
with 10k clusters. Skipped without Chromium unless DEDUP_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from browser import Opened, need_browser, open_file
from test_report import HOSTILE, scan_and_report

from dedup.report.html import render_html
from dedup.report.model import build_report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _browser() -> None:
    need_browser()


def _sizes(opened: Opened) -> list[int]:
    cells = opened.page.locator("#cluster-rows tr td:first-child").all_inner_texts()
    return [int(c) for c in cells]


def test_report_renders_sorts_and_highlights_in_chromium(tmp_path: Path) -> None:
    page_file, rows = scan_and_report(tmp_path)
    dialogs: list[str] = []
    with open_file(page_file) as opened:
        page = opened.page
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        assert page.get_attribute("html", "data-ready") == "1"
        assert page.inner_text("#cluster-count") == str(len(rows))
        assert page.get_attribute("#table-status", "data-total") == str(len(rows))
        assert page.locator("#cluster-rows tr").count() == len(rows)

        assert _sizes(opened) == [4, 2]  # largest first
        page.click("#clusters th[data-key='2']")
        assert _sizes(opened) == [2, 4]
        assert page.get_attribute("#clusters th[data-key='2']", "aria-sort") == "ascending"
        page.click("#clusters th[data-key='3']")  # canonical, A to Z
        canonicals = page.locator("#cluster-rows tr td:nth-child(2)").all_inner_texts()
        assert canonicals == sorted(canonicals) == ["sarrel-original", "valmora-wire"]

        page.click("#cluster-rows tr[data-cluster] >> text=valmora-wire")
        page.wait_for_selector("#detail mark")
        assert page.locator("#detail mark").count() >= 1
        assert page.locator("#detail .member").count() == 4
        shared = page.locator("#detail [data-member='daily-short'] mark").all_inner_texts()
        assert any("grain pier" in text for text in shared)
        detail_text = page.inner_text("#detail")
        assert HOSTILE in detail_text  # shown as text, never as markup
        assert page.locator("#detail img, #detail script").count() == 0
        assert page.locator("#detail a[href^='javascript']").count() == 0
        assert page.locator("#detail a[href='https://coasttimes.example/pier']").count() == 1

        page.click("#outlets th:nth-child(3)")  # copies
        page.click("#outlets th:nth-child(3)")
        assert page.get_attribute("#outlets th:nth-child(3)", "aria-sort") == "descending"
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)

        assert opened.console_errors == []
        assert opened.foreign_requests() == []
        assert dialogs == []
    assert (tmp_path / "report.png").stat().st_size > 10_000


def test_report_without_dump_in_chromium(tmp_path: Path) -> None:
    page_file, rows = scan_and_report(tmp_path, with_dump=False)
    with open_file(page_file) as opened:
        page = opened.page
        assert page.is_visible("#no-dump")
        page.click("#cluster-rows tr >> nth=0")
        page.wait_for_selector("#detail .member")
        assert page.locator("#detail mark").count() == 0
        assert "without --dump" in page.inner_text("#detail")
        # a link to one cluster opens its detail on load
        linked = page.context.new_page()
        linked.goto(f"{opened.url}#{rows[-1]['cluster_id']}", wait_until="load")
        linked.wait_for_selector("#detail .member")
        assert rows[-1]["cluster_id"] in linked.inner_text("#detail h2")
        assert opened.console_errors == []
        assert opened.foreign_requests() == []


def synthetic_rows(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """``count`` clusters shaped like ``dedup scan``'s, 2 to 6 members each."""
    rng = random.Random(seed)
    outlets = [f"outlet-{i}.example" for i in range(300)]
    rows = []
    for n in range(count):
        size = rng.randint(2, 6)
        day, hour = 1 + n % 28, rng.randint(0, 20)
        members = [
            {
                "id": f"a-{n}-{k}",
                "url": f"https://{outlets[(n + k) % 300]}/story/{n}",
                "outlet": outlets[(n * 7 + k * 13) % 300],
                "published_at": f"2026-02-{day:02d}T{hour + k:02d}:{rng.randint(0, 59):02d}:00Z",
                "role": "canonical" if k == 0 else "copy",
                "parent_id": None if k == 0 else f"a-{n}-0",
                "jaccard": 1.0 if k == 0 else round(rng.random(), 4),
                "containment": 1.0,
                "evidence": {"agencies": ["AP"]} if k == 0 else {},
            }
            for k in range(size)
        ]
        rows.append(
            {
                "cluster_id": f"c-{n:016x}",
                "size": size,
                "canonical_id": members[0]["id"],
                "origin": rng.choice(["AP", "Reuters", "AFP", None]),
                "reasons": ["synthetic"],
                "members": members,
                "schema_version": 1,
                "params": "synthetic",
            }
        )
    return rows


def test_ten_thousand_clusters_open_fast(tmp_path: Path) -> None:
    rows = synthetic_rows(10_000)
    page_file = tmp_path / "big.html"
    page_file.write_text(render_html(build_report(rows)), encoding="utf-8")
    with open_file(page_file) as opened:
        page = opened.page
        timing = opened.timing()
        assert page.inner_text("#cluster-count") == "10,000"
        assert page.get_attribute("#table-status", "data-total") == "10000"
        assert page.locator("#cluster-rows tr").count() == 100  # one page only
        page.click("#page-next")
        assert page.inner_text("#table-status").startswith("clusters 101\u2013200 of 10000")
        page.click("#clusters th[data-key='6']")  # first published
        page.click("#cluster-rows tr >> nth=0")
        page.wait_for_selector("#detail .member")
        page.fill("#cluster-filter", "c-0000000000000fff")
        assert page.get_attribute("#table-status", "data-total") == "1"
        assert opened.console_errors == []
        assert opened.foreign_requests() == []
    assert timing["table"] > 0, timing  # the table was drawn (benchmarks/report_open.py times it)


SHARED = Path(os.environ.get("DEDUP_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.mark.skipif(not (SHARED / "seed").is_dir(), reason="no shared evaluation data here")
def test_the_seed_report_shows_the_afp_cluster_as_the_issue_asks() -> None:
    checked = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "seed_report.py"), str(SHARED)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("ok  ") == 5
