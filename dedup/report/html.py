"""Report data to one self-contained HTML page.

Everything is inline (style, script, SVG, data) and a Content-Security-Policy pins the
one script and stylesheet by hash, so the page loads nothing and runs nothing else even
if an article's text slipped past the escaping. Data travels as JSON in
``<script type="application/json">`` blocks with ``<``, ``>`` and ``&`` escaped, so no
text can close the block.
"""

from __future__ import annotations

import base64
import hashlib
import json
from html import escape
from typing import Any

from dedup.report.assets import CSS, JS
from dedup.report.model import ReportData
from dedup.report.svg import half_point, s_curve_svg

PAGE_SIZE = 100
#: rows of each outlet table written into the page (the rest are counted)
MAX_OUTLET_ROWS = 1000


def embed_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: ``</script>``, ``<!--`` and
    line separators cannot appear in it (they occur only inside strings, where the
    ``\\uXXXX`` escapes mean the same)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return text


def _digest(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def delay_text(seconds: float | None) -> str:
    """A delay as the page shows it: "2h 05m", "3d 4h", "-15m"."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    total = abs(round(seconds))
    days, hours, minutes = total // 86400, total % 86400 // 3600, total % 3600 // 60
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    return f"{sign}{minutes}m"


def _figure(label: str, value: object, element_id: str | None = None) -> str:
    shown = "\u2013" if value is None else (f"{value:,}" if isinstance(value, int) else str(value))
    ident = f' id="{element_id}"' if element_id else ""
    return f'<div class="figure"><b{ident}>{escape(shown)}</b>{escape(label)}</div>'


def _cell(text: object, sort: object, numeric: bool = False) -> str:
    cls = ' class="num"' if numeric else ""
    key = "" if sort is None else str(sort)
    return f'<td{cls} data-v="{escape(key)}">{escape(str(text))}</td>'


def _header(*columns: tuple[str, bool]) -> str:
    cells = "".join(
        f"<th{' class=num' if numeric else ''}>{escape(label)}</th>" for label, numeric in columns
    )
    return f"<thead><tr>{cells}</tr></thead>"


def _sortable(
    table_id: str, columns: tuple[tuple[str, bool], ...], rows: list[str], total: int, more: str
) -> str:
    """A sortable table of rendered rows (cells), and how many rows were left out."""
    body = "".join(f"<tr>{cells}</tr>" for cells in rows)
    table = (
        f'<table class="sortable" id="{table_id}">{_header(*columns)}<tbody>{body}</tbody></table>'
    )
    if total > len(rows):
        table += f'<p class="muted">{total - len(rows):,} {escape(more)}.</p>'
    return table


def _outlet_tables(data: ReportData) -> str:
    parts = [
        '<h3>Who copies whom</h3><p class="muted small">Copies (members that are not '
        "the canonical) per origin and copying outlet; the delay runs from the "
        "canonical's publish time to the copy's.</p>"
    ]
    parts.append(
        _sortable(
            "flows",
            (
                ("origin", False),
                ("copying outlet", False),
                ("copies", True),
                ("median delay", True),
            ),
            [
                _cell(flow["origin"], flow["origin"])
                + _cell(flow["outlet"], flow["outlet"])
                + _cell(f"{flow['copies']:,}", flow["copies"], True)
                + _cell(delay_text(flow["median_delay"]), flow["median_delay"], True)
                for flow in data.flows[:MAX_OUTLET_ROWS]
            ],
            len(data.flows),
            "more pairs with fewer copies are not listed",
        )
    )
    parts.append("<h3>Outlets</h3>")
    if not data.has_dump:
        parts.append(
            '<p class="note">No --dump: each outlet\'s article total, and so the '
            "share of its articles that are copies, is unknown.</p>"
        )
    parts.append(
        _sortable(
            "outlets",
            (
                ("outlet", False),
                ("articles", True),
                ("copies", True),
                ("share copies", True),
                ("canonicals", True),
                ("median delay", True),
            ),
            [
                _cell(row["outlet"], row["outlet"])
                + _cell(
                    "" if row["articles"] is None else f"{row['articles']:,}", row["articles"], True
                )
                + _cell(f"{row['copies']:,}", row["copies"], True)
                + _cell("" if row["share"] is None else f"{row['share']:.0%}", row["share"], True)
                + _cell(f"{row['canonicals']:,}", row["canonicals"], True)
                + _cell(delay_text(row["median_delay"]), row["median_delay"], True)
                for row in data.outlets[:MAX_OUTLET_ROWS]
            ],
            len(data.outlets),
            "more outlets are not listed",
        )
    )
    return "".join(parts)


def _summary(data: ReportData) -> str:
    s, lsh = data.summary, data.lsh
    half = half_point(lsh.bands, lsh.rows)
    figures = "".join(
        (
            _figure("articles", s["articles"], "article-count"),
            _figure("clusters", s["clusters"], "cluster-count"),
            _figure("copies", s["copies"], "copy-count"),
            _figure("clustered articles", s["clustered_articles"]),
            _figure("rejected records", s["rejected"], "reject-count"),
        )
    )
    source = (
        "from the scan's summary"
        if lsh.from_summary
        else "the default parameters' (the scan's summary did not say which the scan used)"
    )
    lines = [
        f'<p>LSH: <b id="lsh-shape">{lsh.bands} bands &times; {lsh.rows} rows</b> of '
        f"{lsh.num_perm} permutations, {escape(source)}. A pair of Jaccard <i>s</i> becomes "
        f"a candidate with probability 1 &minus; (1 &minus; <i>s</i><sup>{lsh.rows}</sup>)"
        f"<sup>{lsh.bands}</sup>: half the time at <i>s</i> = {half:.3f}. Every candidate "
        "is then verified exactly.</p>"
    ]
    if s["dump_articles"] is not None:
        lines.append(
            f'<p class="muted">Dump: {s["dump_articles"]:,} articles read, '
            f"{s['dump_rejected']:,} records rejected.</p>"
        )
    if s["scan_clusters"] is not None and s["scan_clusters"] != s["clusters"]:
        lines.append(
            f'<p class="note">The summary counts {s["scan_clusters"]:,} clusters, the '
            f"clusters file {s['clusters']:,}: they may come from different runs.</p>"
        )
    notes = "".join(f'<p class="note" id="no-dump">{escape(n)}</p>' for n in data.notes)
    return (
        f'<section id="summary"><h2>Summary</h2><div class="summary"><div>'
        f'<div class="figures">{figures}</div>{"".join(lines)}{notes}</div>'
        f"{s_curve_svg(lsh.bands, lsh.rows)}</div></section>"
    )


_TABLE = """<section id="cluster-table"><h2>Clusters</h2>
<div class="pager"><input id="cluster-filter" type="search" placeholder="filter: id, canonical,
origin, outlet" aria-label="filter clusters"><button id="page-prev" type="button">&larr;
previous</button><button id="page-next" type="button">next &rarr;</button>
<span id="table-status" class="muted"></span></div>
<table id="clusters"><thead><tr><th class="num" data-key="2">size</th>
<th data-key="3">canonical</th><th data-key="4">origin</th><th data-key="5">outlets</th>
<th data-key="6">first published</th><th data-key="8">last published</th></tr></thead>
<tbody id="cluster-rows"></tbody></table>
<noscript><p class="note">The cluster table and details need JavaScript.</p></noscript>
</section><section id="detail" hidden></section>"""


def render_html(data: ReportData, *, title: str = "dedup report") -> str:
    """The whole page as one string."""
    page: dict[str, Any] = {
        "rows": data.rows,
        "page_size": PAGE_SIZE,
        "has_dump": data.has_dump,
    }
    policy = (
        f"default-src 'none'; script-src '{_digest(JS)}'; style-src '{_digest(CSS)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    return "".join(
        (
            '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{escape(policy)}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<link rel="icon" href="data:,">',
            f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
            f"<h1>{escape(title)}</h1>",
            _summary(data),
            _TABLE,
            '<section id="outlet-view"><h2>Outlets</h2>',
            _outlet_tables(data),
            "</section>",
            f'<script type="application/json" id="report-data">{embed_json(page)}</script>',
            # the script runs before the large blocks are parsed: the table shows first
            f"<script>{JS}</script>",
            '<script type="application/json" id="report-clusters">',
            embed_json(data.clusters),
            "</script>",
            f'<script type="application/json" id="report-texts">{embed_json(data.texts)}</script>',
            "</body></html>\n",
        )
    )
