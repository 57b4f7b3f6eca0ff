"""How fast the report of a real dump opens in a browser.

Usage: python benchmarks/report_open.py DATA_DIR [--keep DIR] [--generated N]

Scans ``DATA_DIR/helsinki/articles.jsonl`` (680 real articles, outlet in ``source``, scrape
time in ``date``), builds ``dedup report`` with ``--dump`` and ``--summary``, opens the page
in headless Chromium (the system's, through ``tests/browser.py``) and prints: the time from
navigation start to the load event and to the cluster table drawn, the time to open the
largest cluster's detail, the clusters the page shows against those in clusters.jsonl, and
the page's size. The data stay in DATA_DIR; outputs go to a temp dir (or ``--keep``).

``--generated N`` does the same on N GENERATED articles instead (``benchmarks/synth.py``
with the reuters21578 and helsinki bases, seed 1): 50,000 of them make about 10,000
clusters, the size at which the page must still open fast.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import missing_browser, open_file

HELSINKI_FIELDS = ["--outlet-field", "source", "--time-field", "date"]


def _run(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "dedup", *args], check=True)
    return time.perf_counter() - started


def generated(data: Path, articles: int, out: Path) -> Path:
    import synth

    bases = [data / name for name in ("reuters21578/articles.jsonl", "helsinki/articles.jsonl")]
    corpus = out / "generated.jsonl"
    synth.write(
        synth.build_pool(synth.read_bases(bases)),
        corpus,
        out / "gold.jsonl",
        articles=articles,
        seed=1,
    )
    return corpus


def measure(dump: Path, out: Path, fields: list[str]) -> None:
    clusters, summary, page = out / "clusters.jsonl", out / "summary.json", out / "report.html"
    scan_s = _run(
        ["scan", str(dump), *fields, "-o", str(clusters), "--summary-json", str(summary), "-q"]
    )
    report_s = _run(
        [
            "report",
            str(clusters),
            "--dump",
            str(dump),
            *fields,
            "--summary",
            str(summary),
            "-o",
            str(page),
            "-q",
        ]
    )
    in_file = sum(1 for line in clusters.read_text(encoding="utf-8").splitlines() if line.strip())
    with open_file(page) as opened:
        timing = opened.timing()
        shown = opened.page.inner_text("#cluster-count").replace(",", "")
        total = opened.page.get_attribute("#table-status", "data-total")
        opened.page.click("#clusters th[data-key='2']")  # size: make the largest first
        if opened.page.get_attribute("#clusters th[data-key='2']", "aria-sort") != "descending":
            opened.page.click("#clusters th[data-key='2']")
        started = time.perf_counter()
        opened.page.click("#cluster-rows tr >> nth=0")
        opened.page.wait_for_selector("#detail .member")
        detail_ms = (time.perf_counter() - started) * 1000
        marks = opened.page.locator("#detail mark").count()
        problems = opened.console_errors + opened.foreign_requests()
    print(f"dump: {dump}")
    print(f"scan {scan_s:.1f} s, report {report_s:.1f} s (both as subprocesses, with startup)")
    print(f"HTML size: {page.stat().st_size / 1e6:.2f} MB")
    print(
        f"load: navigation start -> load event {timing['load']:.0f} ms, "
        f"-> table rendered {timing['table']:.0f} ms"
    )
    print(f"largest cluster's detail opened in {detail_ms:.0f} ms ({marks} <mark> passages)")
    print(f"clusters shown {shown} (table {total}) vs in clusters.jsonl {in_file}")
    print(f"console errors / foreign requests: {problems or 'none'}")
    if str(in_file) != shown or problems:
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="the shared data folder (holds helsinki/)")
    parser.add_argument("--keep", type=Path, help="write the outputs here and keep them")
    parser.add_argument("--generated", type=int, help="use this many generated articles")
    args = parser.parse_args()
    problem = missing_browser()
    if problem:
        sys.exit(f"error: {problem}")
    with tempfile.TemporaryDirectory() as temporary:
        out = args.keep or Path(temporary)
        out.mkdir(parents=True, exist_ok=True)
        if args.generated:
            measure(generated(args.data, args.generated, out), out, [])
        else:
            measure(args.data / "helsinki" / "articles.jsonl", out, HELSINKI_FIELDS)


if __name__ == "__main__":
    main()
