"""The seed scenario's report, checked in a browser, and the screenshot the README shows.

Usage: python benchmarks/seed_report.py DATA_DIR [--screenshot docs/img/seed-report.png]

Scans ``DATA_DIR/seed/articles.jsonl``, writes ``dedup report`` with the dump, opens it in
headless Chromium (through ``tests/browser.py``), opens the AFP cluster and checks what the
issue asks the page to show: origin AFP, the NDTV and scraper copies highlighted against
the AFP text, the scraper's parent NDTV. Prints one line per check, exits 1 if one fails.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from browser import missing_browser, open_file

AFP = "afp-20240617-0850"


def _dedup(*args: str | Path) -> None:
    subprocess.run([sys.executable, "-m", "dedup", *map(str, args), "-q"], check=True)


def check(data: Path, out: Path, screenshot: Path | None) -> bool:
    dump = data / "seed" / "articles.jsonl"
    clusters, summary, page_file = out / "clusters.jsonl", out / "summary.json", out / "seed.html"
    _dedup("scan", dump, "-o", clusters, "--summary-json", summary)
    _dedup("report", clusters, "--dump", dump, "--summary", summary, "-o", page_file)
    with open_file(page_file, width=1100, height=760) as opened:
        page = opened.page
        page.click(f"#cluster-rows tr[data-cluster] >> text={AFP}")
        page.wait_for_selector("#detail mark")
        detail = page.inner_text("#detail")
        marked = {
            member: page.locator(f"#detail [data-member='{member}'] mark").count()
            for member in ("ndtv-5906", "scraper-77121")
        }
        scraper = page.inner_text("#detail [data-member='scraper-77121']")
        results = [
            ("the AFP cluster's origin is AFP", "origin: AFP" in detail),
            ("the NDTV copy is highlighted against the AFP text", marked["ndtv-5906"] > 0),
            ("the scraper copy is highlighted against the AFP text", marked["scraper-77121"] > 0),
            ("the scraper's parent is NDTV", "parent: ndtv-5906" in scraper),
            (
                "no console error, no request",
                not (opened.console_errors + opened.foreign_requests()),
            ),
        ]
        if screenshot is not None:
            member = page.locator("#detail [data-member='scraper-77121']")
            member.evaluate("element => element.scrollIntoView({block: 'start'})")
            page.screenshot(path=str(screenshot))
    for name, ok in results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}")
    return all(ok for _, ok in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (holds seed/)")
    parser.add_argument("--screenshot", type=Path, help="save the opened cluster as a PNG here")
    args = parser.parse_args()
    problem = missing_browser()
    if problem:
        sys.exit(problem)
    with tempfile.TemporaryDirectory() as out:
        if not check(args.data, Path(out), args.screenshot):
            sys.exit(1)


if __name__ == "__main__":
    main()
