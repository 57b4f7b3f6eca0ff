"""dedup.pages: main text and provenance signals from one HTML page, on hostile input too."""

from __future__ import annotations

import json
import sys
import time

import pytest

pytest.importorskip("trafilatura")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.errors import InputError
from dedup.pages import MAX_PAGE_BYTES, Page, PageError, read_page
from dedup.records import PageSignals

URL = "https://daily.example/news/2024/harbour-bridge"

PARAGRAPHS = (
    "The harbour authority voted on Tuesday to close the old swing bridge for six months "
    "while engineers replace the worn gears that have jammed three times since spring.",
    "Ferry operators said they would add two early crossings each weekday, and the city "
    "promised free bus transfers for anyone holding a monthly harbour pass during the works.",
    "Residents of the north quay, who rely on the bridge to reach the market, asked the "
    "council to publish a timetable for the repairs before the end of the month.",
    "The bridge was built in 1911 and has been repaired twice, most recently after a storm "
    "lifted part of its deck and left it stuck open for nine days in the autumn of 1987.",
)


def article_html(
    *,
    head: str = "",
    after: str = "",
    paragraphs: tuple[str, ...] = PARAGRAPHS,
    charset: str = "utf-8",
) -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}">
<title>Harbour bridge to close for repairs | Daily Example</title>
{head}
</head><body>
<nav class="menu"><ul><li><a href="/">Home</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather outlook</a></li>
<li><a href="/subscribe">Subscribe today</a></li></ul></nav>
<main><article>
<h1>Harbour bridge to close for repairs</h1>
{body}
{after}
</article></main>
<footer class="site-footer"><p>Copyright 2024 Daily Example Media Group. All rights reserved.</p>
<p><a href="/privacy">Privacy policy</a> | <a href="/terms">Terms of use</a></p></footer>
</body></html>"""


def json_ld(document: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(document)}</script>'


def signals_of(html: str | bytes, url: str | None = URL) -> PageSignals:
    return read_page(html, url=url).signals


# main text


def test_main_text_one_paragraph_a_line_without_furniture() -> None:
    page = read_page(article_html(), url=URL)
    assert isinstance(page, Page)
    lines = page.text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines
    assert "Subscribe today" not in page.text
    assert "All rights reserved" not in page.text
    assert "Privacy policy" not in page.text
    assert page.title == "Harbour bridge to close for repairs"
    assert page.url == URL


def test_title_falls_back_to_og_title_then_title_element() -> None:
    from dedup import pages

    head = '<meta property="og:title" content="The og title">'
    root = pages._parse(article_html(head=head).encode())
    _, og_title, html_title = pages._signals(root, None)
    assert og_title == "The og title"
    assert html_title == "Harbour bridge to close for repairs | Daily Example"


def test_article_laid_out_in_table_cells_is_kept() -> None:
    cells = "".join(f"<tr><td></td><td>{p}</td></tr>" for p in PARAGRAPHS)
    html = (
        "<html><head><title>t</title></head><body><table><tr><td>"
        '<table class="nav"><tr><td><a href="/a">Home</a></td><td><a href="/b">News</a></td>'
        f"</tr></table></td></tr>{cells}</table></body></html>"
    )
    text = read_page(html).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text


def test_broken_head_does_not_lose_the_page() -> None:
    unclosed_title = article_html().replace("</title>", "</tit")
    assert PARAGRAPHS[0] in read_page(unclosed_title).text
    self_closed = article_html().replace('<html lang="en">', '<html lang="en" x="1" />')
    assert PARAGRAPHS[0] in read_page(self_closed).text


def test_lead_paragraph_typed_loose_in_the_article_div_is_kept() -> None:
    body = f"{PARAGRAPHS[0]}<p>{PARAGRAPHS[1]}</p><p>{PARAGRAPHS[2]}</p><hr>{PARAGRAPHS[3]}"
    html = article_html(paragraphs=()).replace("</h1>", f"</h1><div class='story'>{body}</div>")
    lines = read_page(html).text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines


def test_paragraphs_spaced_by_double_line_breaks_are_lines() -> None:
    body = "<br><br>".join(PARAGRAPHS)
    tags = (
        '<br><br><a href="/t/a">Harbour</a> <a href="/t/b">Bridges</a> <a href="/t/c">Ferries</a>'
    )
    html = article_html(paragraphs=()).replace("</h1>", f"</h1><div>{body}{tags}</div>")
    lines = read_page(html).text.split("\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in lines


def test_text_after_a_stray_closing_html_tag_is_kept() -> None:
    stray = f"<p>{PARAGRAPHS[1]}</p></body></html>\n<p>{PARAGRAPHS[2]}</p>"
    html = article_html().replace(f"<p>{PARAGRAPHS[1]}</p>\n<p>{PARAGRAPHS[2]}</p>", stray)
    assert stray in html
    text = read_page(html).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text


def test_form_controls_and_reader_comments_are_not_text() -> None:
    picker = "<select>" + "".join(f"<option>Stock {i} Ltd</option>" for i in range(300))
    comments = (
        '<div id="readerComments"><h3>Reader views</h3>'
        + "".join(
            f'<p class="commentOdd">I think the council should have acted sooner on reader '
            f"point {i}, frankly this is typical of them.<br><b>- Reader {i}, Quay</b></p>"
            for i in range(5)
        )
        + "</div>"
    )
    html = article_html(after=comments).replace("</footer>", f"</footer>{picker}</select>")
    text = read_page(html).text
    assert PARAGRAPHS[0] in text
    assert "Stock 1" not in text
    assert "reader point" not in text


def test_readability_rescues_a_sliver() -> None:
    from dedup import pages

    root = pages._parse(article_html().encode())
    sliver = "Harbour bridge to close for repairs"
    rescued = pages._readability_rescue(root, sliver)
    assert PARAGRAPHS[0] in rescued.split("\n")
    long_enough = " ".join(PARAGRAPHS * 3)
    assert pages._readability_rescue(root, long_enough) == long_enough


def test_page_without_article_markup_falls_back_to_visible_text() -> None:
    html = "<html><head><style>p{color:red}</style><script>var x = 1;</script></head>"
    html += "<body><div>Short note.</div><div>Second note</div></body></html>"
    page = read_page(html)
    assert "Short note." in page.text
    assert "color" not in page.text
    assert "var x" not in page.text


# signals


def test_canonical_and_og_url_resolved_against_url() -> None:
    head = (
        '<link rel="Canonical" href="/news/story-1">'
        '<meta property="og:url" content="https://og.example/story">'
    )
    signals = signals_of(article_html(head=head))
    assert signals.canonical_url == "https://daily.example/news/story-1"
    assert signals.og_url == "https://og.example/story"


def test_page_url_falls_back_to_canonical_then_og_url() -> None:
    head = '<meta property="og:url" content="https://og.example/story">'
    assert read_page(article_html(head=head)).url == "https://og.example/story"
    head += '<link rel="canonical" href="https://canon.example/story">'
    assert read_page(article_html(head=head)).url == "https://canon.example/story"
    assert read_page(article_html(head=head), url=URL).url == URL


def test_non_http_links_are_dropped() -> None:
    head = (
        '<link rel="canonical" href="javascript:void(0)"><meta property="og:url" content="ftp://x">'
    )
    signals = signals_of(article_html(head=head))
    assert signals.canonical_url is None
    assert signals.og_url is None


def test_json_ld_graph_with_organization_author_and_publisher() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "https://daily.example/#page", "datePublished": "2020"},
            {
                "@type": ["NewsArticle"],
                "isBasedOn": {"@type": "NewsArticle", "url": "https://wire.example/a/1"},
                "author": [
                    {"@type": "Organization", "name": "Wire Service"},
                    {"@type": "Person", "name": "Ann Reporter"},
                ],
                "publisher": {"@id": "https://daily.example/#org"},
                "datePublished": "2024-05-02T08:30:00Z",
            },
            {"@type": "Organization", "@id": "https://daily.example/#org", "name": "Daily Example"},
        ],
    }
    page = read_page(article_html(head=json_ld(graph)), url=URL)
    assert page.signals.based_on == ("https://wire.example/a/1",)
    assert page.signals.author_orgs == ("Wire Service",)
    assert page.signals.publisher == "Daily Example"
    assert page.signals.published_at == "2024-05-02T08:30:00Z"
    assert page.published_at == "2024-05-02T08:30:00Z"


def test_json_ld_is_based_on_string_and_list() -> None:
    one = {"@type": "NewsArticle", "isBasedOn": "/wire/original"}
    assert signals_of(article_html(head=json_ld(one))).based_on == (
        "https://daily.example/wire/original",
    )
    many = {
        "@type": "Article",
        "isBasedOn": ["https://a.example/1", {"@id": "https://b.example/2"}, "mailto:x@y"],
    }
    assert signals_of(article_html(head=json_ld(many))).based_on == (
        "https://a.example/1",
        "https://b.example/2",
    )


def test_person_and_string_authors_are_not_organizations() -> None:
    article = {
        "@type": "BlogPosting",
        "author": {"@type": "Person", "name": "Ann Reporter"},
        "publisher": "Daily Example",
    }
    signals = signals_of(article_html(head=json_ld(article)))
    assert signals.author_orgs == ()
    assert signals.publisher == "Daily Example"
    article = {"@type": "NewsArticle", "author": "Wire Service"}
    assert signals_of(article_html(head=json_ld(article))).author_orgs == ()


def test_bad_json_ld_is_ignored() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", oops</script>'
    head += json_ld([{"@type": "NewsArticle", "isBasedOn": "https://wire.example/9"}])
    assert signals_of(article_html(head=head)).based_on == ("https://wire.example/9",)


def test_date_from_meta_when_json_ld_has_none() -> None:
    head = '<meta property="article:published_time" content="2024-03-04T05:06:07+00:00">'
    page = read_page(article_html(head=head))
    assert page.published_at == "2024-03-04T05:06:07+00:00"


def test_googlebot_news_noindex() -> None:
    head = '<meta name="GoogleBot-News" content="NoIndex, nofollow">'
    assert signals_of(article_html(head=head)).noindex_news is True
    head = '<meta name="googlebot-news" content="nosnippet">'
    assert signals_of(article_html(head=head)).noindex_news is False
    assert signals_of(article_html()).noindex_news is False


def test_source_links() -> None:
    after = """
<p>This article originally appeared on <a href="https://origin.example/story/7">Origin Post</a>.</p>
<p>The post <a href="/2024/bridge">Bridge to close</a> appeared first on
   <a href="https://blog.example">Harbour Blog</a>.</p>
<p><a href="https://wire.example/source">  Source
   link </a></p>
<p><a href="https://elsewhere.example/">Weather outlook</a></p>
"""
    signals = signals_of(article_html(after=after), url="https://copy.example/a/b")
    assert signals.source_links == (
        "https://origin.example/story/7",
        "https://copy.example/2024/bridge",
        "https://blog.example",
        "https://wire.example/source",
    )


def test_no_signals_on_a_plain_page() -> None:
    signals = signals_of(article_html(), url=None)
    assert signals == PageSignals(published_at=signals.published_at)


# decoding


def test_windows_1252_page_with_meta_charset() -> None:
    paragraphs = (PARAGRAPHS[0], "Le caf\u00e9 du port \u2019ouvre\u2019 " + PARAGRAPHS[1])
    raw = article_html(paragraphs=paragraphs, charset="windows-1252").encode("cp1252")
    assert b"caf\xe9" in raw
    text = read_page(raw).text
    assert "caf\u00e9" in text
    assert "\u2019ouvre\u2019" in text


def test_latin1_label_decodes_as_windows_1252_and_utf8_bytes_win() -> None:
    raw = article_html(paragraphs=("Caf\u00e9 \u2019" + PARAGRAPHS[0],), charset="iso-8859-1")
    assert "Caf\u00e9 \u2019" in read_page(raw.encode("cp1252")).text
    assert "Caf\u00e9 \u2019" in read_page(raw.encode("utf-8")).text


def test_utf16_with_bom() -> None:
    raw = article_html(paragraphs=("Caf\u00e9 " + PARAGRAPHS[0],)).encode("utf-16")
    assert "Caf\u00e9 " in read_page(raw).text


# refusals


@pytest.mark.parametrize(
    "html", [b"", b"   \n ", "<html><head><script>x()</script></head><body> </body></html>"]
)
def test_empty_page_is_refused(html: bytes | str) -> None:
    with pytest.raises(PageError, match="no text"):
        read_page(html)


def test_oversize_page_is_refused() -> None:
    with pytest.raises(PageError, match=r"1,001 bytes.*1,000-byte cap"):
        read_page(b"x" * 1001, max_bytes=1000)
    assert MAX_PAGE_BYTES == 32 * 1024 * 1024


def test_missing_trafilatura_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "trafilatura", None)
    with pytest.raises(InputError, match=r"pip install 'dedup\[html\]'"):
        read_page(article_html())


# hostile input


def test_billion_laughs_stays_inert() -> None:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    html = f"<?xml version='1.0'?><!DOCTYPE lolz [{entities}]>" + article_html().replace(
        PARAGRAPHS[0], PARAGRAPHS[0] + " &lol9;"
    )
    started = time.perf_counter()
    page = read_page(html.encode())
    assert time.perf_counter() - started < 10
    assert page.text.count("lol") < 10
    assert "]>" not in page.text


def test_external_entity_is_not_read() -> None:
    html = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + article_html().replace(
        PARAGRAPHS[1], PARAGRAPHS[1] + " &xxe;"
    )
    page = read_page(html.encode())
    assert "root:" not in page.text
    assert "/bin/" not in page.text
    assert PARAGRAPHS[0] in page.text


def test_deeply_nested_divs() -> None:
    depth = 100_000
    html = f"<html><body>{'<div>' * depth}deep text{'</div>' * depth}</body></html>"
    try:
        page = read_page(html)
    except PageError:
        return
    assert page.text


def test_twelve_mib_text_node_is_not_lost() -> None:
    words = "word " * (12 * 1024 * 1024 // 5)
    html = f"<html><head><title>big</title></head><body><p>{words}</p></body></html>".encode()
    try:
        page = read_page(html)
    except PageError:
        return
    assert len(page.text) > 10 * 1024 * 1024


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_give_a_page_or_page_error(data: bytes) -> None:
    reason = None
    try:
        page = read_page(data)
    except PageError as exc:
        reason = str(exc)
    if reason is None:
        assert page.text.strip()
    else:
        assert reason
        assert "\n" not in reason


_PIECES = st.sampled_from(
    [
        "<html>",
        "<head>",
        "<title>",
        "</title>",
        "<body>",
        "<p>",
        "</p>",
        "<div>",
        "</div>",
        "<table><tr><td>",
        "</td></tr></table>",
        '<a href="/x">',
        "</a>",
        "<script>",
        "</script>",
        '<script type="application/ld+json">',
        '{"@type":"NewsArticle","isBasedOn":',
        '<meta charset="',
        "windows-1252",
        '">',
        '<link rel="canonical" href="',
        "originally appeared on",
        "Source link",
        "<!DOCTYPE x [",
        "]>",
        "&amp;",
        "&#0;",
        "\x00",
        "\ufeff",
        "<html/>",
        "<?xml version='1.0' encoding='utf-16'?>",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES | st.text(max_size=40), max_size=30), st.sampled_from([None, URL, "x"]))
def test_arbitrary_markup_gives_a_page_or_page_error(pieces: list[str], url: str | None) -> None:
    html = "".join(pieces)
    for data in (html, html.encode("utf-8", "surrogatepass")):
        try:
            page = read_page(data, url=url)
        except PageError:
            continue
        assert page.text.strip()
