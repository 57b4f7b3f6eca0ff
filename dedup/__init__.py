"""dedup: find syndicated copies of news stories and point each story to its canonical source.

The library in one screen::

    from dedup import DedupParams, scan

    result = scan(["dump.jsonl.gz"], DedupParams())
    for cluster in result.clusters:
        print(cluster.canonical_id, cluster.origin, cluster.reasons)

``scan_articles`` takes ``Article`` objects instead of files; ``evaluate`` scores a result
(``result.prediction()``) against labels read with ``dedup.io.labels.read_gold``.
"""

__version__ = "0.1.0"

from dedup.evaluate import Evaluation, evaluate
from dedup.params import DedupParams, RunOptions
from dedup.pipeline import Assignment, ScanResult, scan, scan_articles
from dedup.records import Article, Cluster, Evidence, Member, RunStats

__all__ = [
    "Article",
    "Assignment",
    "Cluster",
    "DedupParams",
    "Evaluation",
    "Evidence",
    "Member",
    "RunOptions",
    "RunStats",
    "ScanResult",
    "__version__",
    "evaluate",
    "scan",
    "scan_articles",
]
