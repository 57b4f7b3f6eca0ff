"""``dedup report``: the S-curve math, the outlet figures, the command, and a page that
loads nothing from outside and never lets an article's text become markup."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dedup.cli import app
from dedup.errors import InputError
from dedup.params import DedupParams, candidate_probability
from dedup.report.dump import Dump
from dedup.report.html import delay_text, embed_json, render_html
from dedup.report.model import (
    build_report,
    cluster_rows,
    lsh_shape,
    median,
    parse_time,
)
from dedup.report.svg import curve_points, half_point, s_curve_svg

# --- a small made-up dump: a wire story with three copies, a second story with one, and a
# --- story nobody copied (the browser tests use it too)

WIRE_PARAGRAPHS = [
    "The harbour authority of Valmora said on Tuesday it would close the old grain pier "
    "for eighteen months while engineers replace the timber piles that have rotted since "
    "the pier was built in 1911.",
    "Ships that normally unload wheat and barley at the pier will be sent to the new "
    "container terminal on the eastern breakwater, which the authority says can take "
    "the extra traffic without delays for other cargo.",
    "Harbour master Ilse Gandarro told reporters that divers found damage to more than "
    "four hundred of the pier's twelve hundred piles during an inspection in the winter, "
    "far more than the survey of five years ago had suggested.",
    "The repair will cost about 46 million euros, two thirds of it paid by the regional "
    "government and the rest by a loan the authority took out last year for work on the "
    "breakwater and the dredging of the approach channel.",
    "Grain traders welcomed the decision but asked for a discount on berth fees at the "
    "container terminal, where they say the cranes are slower at handling bulk cargo "
    "than the pneumatic unloaders on the old pier.",
    "Fishermen who moor their boats along the southern side of the grain pier will be "
    "moved to floating pontoons in the inner basin, which the authority promised to "
    "install before the sardine season begins in May.",
    "Local historians asked the authority to keep the cast-iron bollards and the "
    "weighbridge house, both listed monuments, and to put the oldest piles that come out "
    "of the water on show at the maritime museum on Calle Ferrer.",
    "Work is due to start in September, after the summer cruise calls, and the pier "
    "should reopen to shipping in the spring of the year after next, the authority said.",
]
WIRE_TEXT = "\n\n".join(WIRE_PARAGRAPHS)
HOSTILE = "Readers wrote in: </script><script>alert(1)</script><img src=x onerror=alert(2)>"

SECOND_PARAGRAPHS = [
    "The observatory on Mount Sarrel will lend its 1.2-metre telescope to school groups on "
    "clear nights this autumn, its director Paolo Ventrisca announced on Friday.",
    "Pupils aged twelve to eighteen can book two-hour sessions through their teachers; "
    "the observatory will run a bus from the railway station at Sarrel Bassa at 7 pm.",
    "Ventrisca said the telescope had been idle on many nights since the research group "
    "that used it moved its survey to a larger instrument in Chile three years ago.",
    "The programme is paid for by a grant of 180,000 euros from the Lenzi foundation, "
    "which also funds a planetarium in the provincial capital and a prize for young "
    "astronomers.",
    "Teachers who took part in a trial in the spring said the pupils' favourite targets "
    "were Saturn's rings, the craters along the edge of the Moon and the Andromeda galaxy.",
]
SECOND_TEXT = "\n\n".join(SECOND_PARAGRAPHS)

ALONE_TEXT = (
    "A bakery in the old town of Brenzo has been baking the same rye loaf for two hundred "
    "years, and the family that runs it says the sourdough starter is as old as the oven.\n\n"
    "Every morning at four the baker, Tomasz Hellering, feeds the starter with flour from a "
    "mill on the river and water from the town well, as his grandfather did.\n\n"
    "The town council gave the bakery a plaque last week, and a queue formed outside the "
    "shop before dawn on Saturday as visitors came to buy a loaf before they sold out."
)


def report_articles() -> list[dict[str, Any]]:
    """Records of the fixture dump, as ``dedup scan`` reads them."""
    return [
        {
            "id": "valmora-wire",
            "title": "Valmora to rebuild its grain pier",
            "text": WIRE_TEXT,
            "url": "https://wire.example/valmora-pier",
            "outlet": "Wire Agency",
            "published_at": "2026-03-10T08:00:00Z",
        },
        {
            "id": "coast-times-copy",
            "title": "Grain pier to close for repairs",
            "text": WIRE_TEXT,
            "url": "https://coasttimes.example/pier",
            "outlet": "coasttimes.example",
            "published_at": "2026-03-10T10:30:00+01:00",
        },
        {
            "id": "daily-short",
            "title": "Pier closes",
            "text": "\n\n".join(WIRE_PARAGRAPHS[:5]),
            "url": "https://daily.example/pier-closes",
            "outlet": "daily.example",
            "published_at": "2026-03-10T11:00:00",
        },
        {
            "id": "hostile-copy",
            "title": "Pier </script> news",
            "text": WIRE_TEXT + "\n\n" + HOSTILE,
            "url": "javascript:alert(3)",
            "outlet": "<b>evil</b>.example",
            "published_at": "not a date",
        },
        {
            "id": "sarrel-original",
            "title": "Observatory opens to schools",
            "text": SECOND_TEXT,
            "url": "https://sarrel-news.example/telescope",
            "outlet": "sarrel-news.example",
            "published_at": "2026-10-02T17:00:00+02:00",
        },
        {
            "id": "sarrel-copy",
            "title": "Telescope for pupils",
            "text": SECOND_TEXT,
            "url": "https://province.example/telescope",
            "outlet": "province.example",
            "published_at": "2026-10-03T09:00:00+02:00",
        },
        {
            "id": "brenzo-bakery",
            "title": "Two hundred years of rye",
            "text": ALONE_TEXT,
            "url": "https://brenzo.example/bakery",
            "outlet": "coasttimes.example",
            "published_at": "2026-03-11T06:00:00Z",
        },
    ]


def write_dump(path: Path) -> Path:
    """The fixture dump as JSON Lines, plus one broken line (a reject)."""
    lines = [json.dumps(record) for record in report_articles()]
    lines.append('{"id": "broken", "text": "unterminated')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def scan_and_report(tmp_path: Path, *, with_dump: bool = True) -> tuple[Path, list[dict[str, Any]]]:
    """Run ``dedup scan`` then ``dedup report`` on the fixture dump; the page and clusters."""
    dump = write_dump(tmp_path / "dump.jsonl")
    clusters, summary, page = (tmp_path / n for n in ("c.jsonl", "s.json", "report.html"))
    runner = CliRunner()
    scanned = runner.invoke(
        app,
        [
            "scan",
            str(dump),
            "-o",
            str(clusters),
            "--summary-json",
            str(summary),
            "-q",
            "--workers",
            "1",
        ],
    )
    assert scanned.exit_code == 0, scanned.output
    args = ["report", str(clusters), "--summary", str(summary), "-o", str(page)]
    if with_dump:
        args += ["--dump", str(dump)]
    reported = runner.invoke(app, args)
    assert reported.exit_code == 0, reported.output
    rows = [json.loads(line) for line in clusters.read_text().splitlines()]
    return page, rows


# --- the S-curve


def test_candidate_probability_matches_the_formula() -> None:
    assert candidate_probability(0.0, 20, 5) == 0.0
    assert candidate_probability(1.0, 20, 5) == 1.0
    assert candidate_probability(0.5, 20, 5) == pytest.approx(1 - (1 - 0.5**5) ** 20)
    assert candidate_probability(0.5, 20, 5) == pytest.approx(0.4701, abs=1e-4)
    assert candidate_probability(0.3, 1, 1) == pytest.approx(0.3)


@pytest.mark.parametrize(("bands", "rows"), [(76, 2), (20, 5), (1, 1), (32, 8)])
def test_half_point_is_where_the_curve_crosses_one_half(bands: int, rows: int) -> None:
    half = half_point(bands, rows)
    assert 0.0 < half < 1.0
    assert candidate_probability(half, bands, rows) == pytest.approx(0.5)


def test_curve_rises_from_zero_to_one() -> None:
    points = curve_points(76, 2)
    assert points[0] == (0.0, 0.0)
    assert points[-1] == (1.0, 1.0)
    values = [p for _, p in points]
    assert values == sorted(values)


def test_curve_refuses_impossible_shapes() -> None:
    with pytest.raises(ValueError, match="bands and rows"):
        candidate_probability(0.5, 0, 2)
    with pytest.raises(ValueError, match="similarity"):
        candidate_probability(1.5, 2, 2)


def test_svg_has_axes_labels_curve_and_the_half_marker() -> None:
    svg = s_curve_svg(76, 2)
    assert svg.startswith("<svg")
    assert svg.endswith("</svg>")
    assert "<polyline" in svg
    assert "Jaccard similarity s" in svg
    assert "P(candidate)" in svg
    assert f"s = {half_point(76, 2):.3f}" in svg
    assert "http" not in svg


def test_lsh_shape_from_summary_else_defaults() -> None:
    given = lsh_shape({"lsh": {"bands": 20, "rows": 5, "num_perm": 128}})
    assert (given.bands, given.rows, given.num_perm, given.from_summary) == (20, 5, 128, True)
    defaults = DedupParams()
    fallback = lsh_shape({"articles": 3})
    assert (fallback.bands, fallback.rows) == (defaults.bands, defaults.rows)
    assert not fallback.from_summary
    with pytest.raises(InputError, match="lsh"):
        lsh_shape({"lsh": {"bands": "x"}})


# --- times, delays and outlets


def test_parse_time_zones_naive_and_junk() -> None:
    assert parse_time("2026-03-10T08:00:00Z") == datetime(2026, 3, 10, 8, tzinfo=UTC)
    plus_one = parse_time("2026-03-10T10:30:00+01:00")
    assert plus_one == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert parse_time("2026-03-10 11:00:00") == datetime(2026, 3, 10, 11, tzinfo=UTC)
    assert parse_time("2026-03-10") == datetime(2026, 3, 10, tzinfo=UTC)
    for junk in ("not a date", "", None, 12):
        assert parse_time(junk) is None
    assert parse_time("2026-03-10T08:00:00-05:00") == datetime(2026, 3, 10, 13, tzinfo=UTC)


def test_median() -> None:
    assert median([]) is None
    assert median([3.0]) == 3.0
    assert median([1.0, 10.0, 2.0]) == 2.0
    assert median([1.0, 2.0, 3.0, 10.0]) == 2.5


def _member(
    member_id: str, outlet: str | None, when: str | None, role: str = "copy"
) -> dict[str, Any]:
    return {
        "id": member_id,
        "url": None,
        "outlet": outlet,
        "published_at": when,
        "role": role,
        "parent_id": None,
        "jaccard": 1.0,
        "containment": 1.0,
        "evidence": {},
    }


def _cluster(cluster_id: str, origin: str, members: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "cluster_id": cluster_id,
        "size": len(members),
        "canonical_id": members[0]["id"],
        "origin": origin,
        "reasons": [f"origin {origin}"],
        "members": members,
        "schema_version": 1,
        "params": "x",
    }


ROWS = [
    _cluster(
        "c-1",
        "AP",
        [
            _member("ap-1", "AP", "2026-01-01T10:00:00Z", "canonical"),
            _member("a-1", "a.example", "2026-01-01T11:00:00+00:00"),
            _member("b-1", "b.example", "2026-01-01T12:00:00+01:00"),  # 1h after
            _member("c-1", None, None),  # no outlet, no time
        ],
    ),
    _cluster(
        "c-2",
        "AP",
        [
            _member("ap-2", "AP", "2026-01-02T10:00:00", "canonical"),
            _member("a-2", "a.example", "2026-01-02T13:00:00Z"),  # 3h after
        ],
    ),
    _cluster(
        "c-3",
        "Reuters",
        [
            _member("a-3", "a.example", "2026-01-03T10:00:00Z", "canonical"),
            _member("b-3", "b.example", "2026-01-03T09:30:00Z"),  # before the canonical
        ],
    ),
]


def test_outlet_view_counts_copies_shares_and_median_delays() -> None:
    totals = Counter({"AP": 2, "a.example": 10, "b.example": 4, "quiet.example": 7})
    data = build_report(ROWS, dump=Dump(outlet_totals=totals, articles=23))
    outlets = {o["outlet"]: o for o in data.outlets}
    assert outlets["a.example"]["copies"] == 2
    assert outlets["a.example"]["canonicals"] == 1
    assert outlets["a.example"]["share"] == pytest.approx(0.2)
    assert outlets["a.example"]["median_delay"] == pytest.approx(2 * 3600)  # of 1h and 3h
    assert outlets["b.example"]["median_delay"] == pytest.approx((3600 - 1800) / 2)
    assert outlets["b.example"]["share"] == pytest.approx(0.5)
    assert outlets["AP"]["copies"] == 0
    assert outlets["AP"]["share"] == 0.0
    assert outlets["quiet.example"]["copies"] == 0
    assert outlets["(unknown)"]["articles"] == 0
    assert outlets["(unknown)"]["share"] is None
    assert outlets["(unknown)"]["median_delay"] is None
    flows = {(f["origin"], f["outlet"]): f for f in data.flows}
    assert flows[("AP", "a.example")]["copies"] == 2
    assert flows[("AP", "a.example")]["median_delay"] == pytest.approx(2 * 3600)
    assert flows[("Reuters", "b.example")]["median_delay"] == pytest.approx(-1800)
    assert data.summary["copies"] == 5
    assert data.summary["clusters"] == 3
    assert data.summary["articles"] == 23


def test_without_a_dump_there_are_no_totals_and_the_page_says_so() -> None:
    data = build_report(ROWS)
    assert all(o["articles"] is None and o["share"] is None for o in data.outlets)
    assert data.texts == {}
    assert data.notes
    assert "--dump" in data.notes[0]
    assert 'id="no-dump"' in render_html(data)


def test_table_rows_hold_first_and_last_publish_times() -> None:
    data = build_report(ROWS)
    first = data.rows[0]
    assert first[1:6] == ["c-1", 4, "ap-1", "AP", ["AP", "a.example", "b.example", "(unknown)"]]
    assert first[7] == "2026-01-01 10:00 UTC"
    assert first[9] == "2026-01-01 11:00 UTC"
    assert first[6] == datetime(2026, 1, 1, 10, tzinfo=UTC).timestamp()


def test_delay_text() -> None:
    assert delay_text(None) == ""
    assert delay_text(300) == "5m"
    assert delay_text(3600 + 5 * 60) == "1h 05m"
    assert delay_text(-1800) == "-30m"
    assert delay_text(3 * 86400 + 4 * 3600) == "3d 4h"


def test_passages_become_character_spans_on_both_sides() -> None:
    copy = "Breaking.\n" + "\n".join(WIRE_PARAGRAPHS[:2])
    dump = Dump(bodies={"ap-1": WIRE_TEXT, "a-1": copy})
    data = build_report(ROWS[:1], dump=dump)
    member = data.clusters[0]["members"][1]
    assert member["passages"], "the copy shares its two paragraphs with the wire text"

    def words(text: str) -> str:
        return " ".join(text.split())

    for start, end in member["cp"]:
        assert words(copy[start:end]) in words(WIRE_TEXT)
    for start, end in member["src"]:
        assert words(WIRE_TEXT[start:end]) in words(copy)
    assert member["shared_words"] == len(words("\n".join(WIRE_PARAGRAPHS[:2])).split())
    assert member["passages"][0][1:] == [1, 2, 2, 3]  # paragraphs: canonical 1-2, copy 2-3
    assert "passages" not in data.clusters[0]["members"][0]  # the canonical itself


# --- reading clusters.jsonl


def test_cluster_rows_names_the_bad_line() -> None:
    good = json.dumps(ROWS[0])
    with pytest.raises(InputError, match=r"c\.jsonl:2: invalid JSON"):
        list(cluster_rows([good, "{nope"], "c.jsonl"))
    with pytest.raises(InputError, match=r"c\.jsonl:1: not a dedup cluster: missing members"):
        list(cluster_rows(['{"cluster_id": "c", "canonical_id": "x"}'], "c.jsonl"))
    with pytest.raises(InputError, match="not a JSON object"):
        list(cluster_rows(["[1, 2]"], "c.jsonl"))
    assert list(cluster_rows([good, "", good], "c.jsonl")) == [ROWS[0], ROWS[0]]


# --- the page


EXTERNAL = re.compile(r"""(?:src|href|action|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def test_embed_json_cannot_close_its_script_block() -> None:
    value = {"t": "</script><!-- & \u2028 >", "n": [1, 2.5, None]}
    text = embed_json(value)
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert json.loads(text) == value


def test_page_loads_nothing_from_outside_and_escapes_hostile_text(tmp_path: Path) -> None:
    page, rows = scan_and_report(tmp_path)
    html = page.read_text(encoding="utf-8")
    # only our own four script elements open and close; the hostile text is data
    assert html.count("<script") == 4
    assert html.count("</script>") == 4
    assert "<img" not in html
    assert "onerror" not in html.replace("onerror=alert", "")
    assert "<b>evil</b>" not in html
    assert "&lt;b&gt;evil&lt;/b&gt;.example" in html  # the outlet table, escaped
    assert not EXTERNAL.search(html)
    assert "url(" not in html
    assert "@import" not in html
    # article URLs are in the data (shown as links by the script), never loaded
    assert "https://coasttimes.example/pier" in html
    assert "Content-Security-Policy" in html
    assert "default-src &#x27;none&#x27;" in html
    hostile = next(m for r in rows for m in r["members"] if m["id"] == "hostile-copy")
    assert hostile["role"] != "canonical"
    data = json.loads(_script(html, "report-texts"))
    assert HOSTILE in data["hostile-copy"]


def _script(html: str, ident: str) -> str:
    found = re.search(rf'<script type="application/json" id="{ident}">(.*?)</script>', html, re.S)
    assert found is not None
    return found.group(1)


def test_report_command_end_to_end(tmp_path: Path) -> None:
    page, rows = scan_and_report(tmp_path)
    html = page.read_text(encoding="utf-8")
    data = json.loads(_script(html, "report-data"))
    assert len(data["rows"]) == len(rows) == 2
    assert sorted(r[2] for r in data["rows"]) == [2, 4]
    details = json.loads(_script(html, "report-clusters"))
    wire = next(d for d in details if d["canonical_id"] == "valmora-wire")
    daily = next(m for m in wire["members"] if m["id"] == "daily-short")
    assert daily["passages"]
    assert daily["delay"] == pytest.approx(3 * 3600)
    coast = next(m for m in wire["members"] if m["id"] == "coast-times-copy")
    assert coast["delay"] == pytest.approx(1.5 * 3600)
    assert f'id="cluster-count">{len(rows)}<' in html
    assert 'id="reject-count">1<' in html
    assert "76 bands &times; 2 rows" in html


def test_report_without_dump_still_renders(tmp_path: Path) -> None:
    page, _ = scan_and_report(tmp_path, with_dump=False)
    html = page.read_text(encoding="utf-8")
    assert 'id="no-dump"' in html
    assert json.loads(_script(html, "report-texts")) == {}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{broken\n", "c.jsonl:1: invalid JSON"),
        ('{"cluster_id": 1}\n', "not a dedup cluster"),
        (
            '{"cluster_id": "c", "canonical_id": "a", "members": [{"id": "a", "jaccard": NaN}]}\n',
            "NaN is not a JSON number",
        ),
    ],
)
def test_bad_clusters_file_is_one_line_and_exit_3(
    tmp_path: Path, content: str, message: str
) -> None:
    clusters = tmp_path / "c.jsonl"
    clusters.write_text(content)
    result = CliRunner().invoke(app, ["report", str(clusters), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 3
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "r.html").exists()


def test_missing_inputs_are_input_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    out = str(tmp_path / "r.html")
    missing = runner.invoke(app, ["report", str(tmp_path / "none.jsonl"), "-o", out])
    assert missing.exit_code == 3
    assert "cannot read" in missing.output
    clusters = tmp_path / "c.jsonl"
    clusters.write_text(json.dumps(ROWS[0]) + "\n")
    (tmp_path / "s.json").write_text("[1]")
    bad_summary = runner.invoke(
        app, ["report", str(clusters), "--summary", str(tmp_path / "s.json"), "-o", out]
    )
    assert bad_summary.exit_code == 3
    assert "summary" in bad_summary.output
    no_dump = runner.invoke(
        app, ["report", str(clusters), "--dump", str(tmp_path / "nope.jsonl"), "-o", out]
    )
    assert no_dump.exit_code == 3
    assert "Traceback" not in no_dump.output
