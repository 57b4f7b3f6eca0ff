"""Read one HTML page into its main text plus the provenance signals around it.

Outlets republish wire stories; what says which copy is the original (a canonical link,
JSON-LD ``isBasedOn``, "originally appeared on" links, a Googlebot-News noindex) lives in
the page's markup and is gone once only the main text is kept. So the page is decoded and
parsed once, safely (no network, no DTD entities, no silent truncation of long text), the
signals are read from that tree, and trafilatura extracts the main text from the same tree.
"""

from __future__ import annotations

import codecs
import json
import logging
import re
from collections.abc import Iterator
from copy import copy
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from dedup.errors import InputError
from dedup.records import PageSignals

logger = logging.getLogger(__name__)

MAX_PAGE_BYTES: int = 32 * 1024 * 1024

#: deeper elements are flattened into their ancestor at this depth: extractors walk the
#: tree and some are quadratic in its depth, while no real page nests this deep
MAX_DEPTH = 256
#: htmldate's text-wide date search is slow on big pages; above this size it is skipped
_SNIFF_BYTES = 4096

_INSTALL_HINT = "HTML input needs the 'html' extra: pip install 'dedup[html]'"

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_DECLARED_CHARSET_RE = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([-\w.:]+)|<\?xml[^>]*?encoding\s*=\s*["']([-\w.:]+)""",
    re.IGNORECASE,
)
#: labels decoded as their superset, as browsers do (WHATWG Encoding)
_CHARSET_ALIASES = {
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "shift_jis": "cp932",
    "euc_kr": "cp949",
}
_SINGLE_BYTE_PREFIXES = ("cp12", "iso8859", "koi8", "mac")
_NOT_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DOCTYPE_SUBSET_RE = re.compile(
    r"\A(\s*(?:<\?xml[^>]*>\s*)?)<!DOCTYPE[^\[>]*\[.*?\]\s*>", re.IGNORECASE | re.DOTALL
)
#: a self-closed ``<html .../>`` makes libxml2 end the document there
_SELF_CLOSED_HTML_RE = re.compile(r"(<html\b[^>]*?)\s*/>", re.IGNORECASE)
_TITLE_OPEN_RE = re.compile(r"<title\b[^>]*>", re.IGNORECASE)
_TITLE_CLOSE_RE = re.compile(r"</title\s*>", re.IGNORECASE)
_REPAIR_CHARS = 64 * 1024
#: libxml2 drops whatever follows ``</html>`` (a second document pasted after the first, late
#: paragraphs); browsers read on into the body, and so does the parser once these are gone
_END_OF_DOCUMENT_RE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)

_ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "SatiricalArticle",
        "Report",
        "TechArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
    }
)
_PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "CollectionPage"})
_JSONLD_MAX_NODES = 20_000
_JSONLD_MAX_DEPTH = 32

_SOURCE_LINK_TEXTS = frozenset(
    {"source link", "source", "read the original article", "original article"}
)
_SOURCE_PHRASES = (
    "originally appeared on",
    "originally appeared in",
    "appeared first on",
    "republished from",
    "originally published",
)
#: text nodes that may hold a phrase (XPath 1 has no lower-case; the phrases are re-checked)
_PHRASE_XPATH = "//text()[{}]".format(
    " or ".join(
        f"contains(., '{stem}')"
        for stem in ("ppeared", "riginally", "epublished", "PPEARED", "RIGINALLY", "EPUBLISHED")
    )
)
_SHORT_ANCHOR_XPATH = "//a[@href][string-length(normalize-space(.)) <= 40]"
#: the element holding a source phrase may keep its link one or two levels up
_SOURCE_CONTAINER_CLIMB = 2
_SOURCE_CONTAINER_MAX_CHARS = 600
_INVISIBLE_TAGS = ("script", "style", "noscript", "template")
_BLOCK_TAG_NAMES = (
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table td th tr ul"
)
_BLOCK_TAGS = frozenset(_BLOCK_TAG_NAMES.split())


@dataclass(frozen=True, slots=True)
class Page:
    """What one HTML page gave: its main text (one paragraph a line) and provenance."""

    text: str
    title: str | None
    url: str | None
    published_at: str | None
    signals: PageSignals


class PageError(ValueError):
    """A page that cannot give an article; ``str(err)`` is a short one-line reason
    (no file name: the caller adds it)."""


def read_page(
    html: bytes | str, *, url: str | None = None, max_bytes: int = MAX_PAGE_BYTES
) -> Page:
    """Decode and parse ``html`` once, read its provenance signals, extract its main text.

    Raises ``PageError`` (and nothing else) for a page that gives no article: over
    ``max_bytes``, unparseable, or without any text. Relative links resolve against ``url``.
    """
    _require_extra()
    _check_size(len(html), max_bytes)
    text = html if isinstance(html, str) else _decode(html)
    data = _NOT_XML_CHARS_RE.sub("", text)
    data = _repair_head(data[:_REPAIR_CHARS]) + data[_REPAIR_CHARS:]
    data = _END_OF_DOCUMENT_RE.sub("", data)
    raw = data.encode("utf-8", "replace")
    _check_size(len(raw), max_bytes)
    root = _parse(raw)
    _flatten_deep(root)
    base = _http_url(url)
    signals, og_title, html_title = _signals(root, base)
    _unwrap_layout_tables(root)
    _drop_non_prose(root)
    _wrap_loose_text(root)
    body = _extract(root, base) or _visible_text(root)
    body = _readability_rescue(root, body)
    if not body:
        raise PageError("no text found in the page")
    if signals.published_at is None:
        signals = replace(signals, published_at=_find_date(root, base))
    return Page(
        text=body,
        title=og_title or _headline(root, html_title),
        url=url or signals.canonical_url or signals.og_url,
        published_at=signals.published_at,
        signals=signals,
    )


def _require_extra() -> None:
    """Fail with the install hint before any page work (lxml, htmldate and
    charset_normalizer come with trafilatura)."""
    try:
        import trafilatura  # noqa: F401
    except ImportError as exc:
        raise InputError(_INSTALL_HINT) from exc


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise PageError(f"page is {size:,} bytes, over the {max_bytes:,}-byte cap")


def _repair_head(head: str) -> str:
    """Undo three breakages that make libxml2 lose a page: a DTD internal subset (shown as
    text), a self-closed ``<html/>`` (ends the document) and an unclosed ``<title>`` (swallows
    the whole page as title text)."""
    head = _DOCTYPE_SUBSET_RE.sub(r"\1", head, count=1)
    head = _SELF_CLOSED_HTML_RE.sub(r"\1>", head, count=1)
    title = _TITLE_OPEN_RE.search(head)
    if title is not None:
        end = head.find("<", title.end())
        if end != -1 and not _TITLE_CLOSE_RE.match(head, end):
            head = f"{head[:end]}</title>{head[end:]}"
    return head


def _decode(data: bytes) -> str:
    """BOM, else UTF-8 when the bytes are valid UTF-8, else the declared charset, else a guess.

    Valid UTF-8 wins over the declaration because pages that say latin-1 and hold UTF-8 are
    common, while windows-1252 text that happens to be valid UTF-8 is vanishingly rare.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data[:_SNIFF_BYTES])
    if declared is not None and declared != "utf-8":
        errors = (
            ("strict", "replace") if declared.startswith(_SINGLE_BYTE_PREFIXES) else ("strict",)
        )
        for handling in errors:
            try:
                return data.decode(declared, handling)
            except (LookupError, ValueError):
                continue
    return _guess_decode(data)


def _declared_charset(head: bytes) -> str | None:
    for match in _DECLARED_CHARSET_RE.finditer(head):
        label = (match.group(1) or match.group(2) or b"").decode("ascii", "replace").lower()
        try:
            name = codecs.lookup(label).name
            b"".decode(name)
        except (LookupError, ValueError):
            continue
        if name.startswith(("utf-16", "utf-32")):
            return "utf-8"
        return _CHARSET_ALIASES.get(name, name)
    return None


def _guess_decode(data: bytes) -> str:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover (a dependency of trafilatura)
        return data.decode("cp1252", "replace")
    sample = data if len(data) <= 200_000 else data[:100_000] + data[-100_000:]
    best = from_bytes(sample).best()
    if best is not None:
        try:
            return data.decode(best.encoding, "replace")
        except (LookupError, ValueError):
            pass
    return data.decode("cp1252", "replace")


def _parse(raw: bytes) -> Any:
    from lxml import etree, html

    parser = html.HTMLParser(
        encoding="utf-8",
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
        default_doctype=False,
    )
    try:
        root = etree.fromstring(raw, parser)
    except (etree.LxmlError, ValueError) as exc:
        reason = " ".join(str(exc).split())[:120] or type(exc).__name__
        raise PageError(f"HTML cannot be parsed: {reason}") from exc
    if root is None or not isinstance(root, html.HtmlElement):
        raise PageError("no text found in the page")
    return root


def _flatten_deep(root: Any) -> None:
    from lxml import etree

    for element in root.xpath("/" + "/".join(["*"] * MAX_DEPTH) + "[*]"):
        etree.strip_tags(element, "*")


_LAYOUT_CELL_WORDS = 40
_TABLE_PARTS = ("tbody", "thead", "tfoot", "tr", "td", "th")


def _unwrap_layout_tables(root: Any) -> None:
    """Turn tables that lay out a page (one holds another table, or a cell of prose) into
    divs, so the extractor weighs their cells as blocks; data tables stay tables."""
    for table in list(root.iter("table")):
        nested = table.find(".//table") is not None
        if not nested and not any(
            len(cell.text_content().split()) >= _LAYOUT_CELL_WORDS
            for cell in table.iter("td", "th")
        ):
            continue
        for part in table.iter(*_TABLE_PARTS):
            if next(part.iterancestors("table"), None) is table:
                part.tag = "div"
        table.tag = "div"


#: form controls and their option lists: menus, pickers and chat boxes, never the story
_CONTROL_TAGS = ("select", "option", "optgroup", "datalist", "textarea", "button")

#: reader comments by id or class anywhere in the name (``readerComments``, ``commentOdd``):
#: trafilatura only knows names that start with "comment"; "commentary" is an article
_COMMENTS_XPATH = "//body//*[re:test(concat(@id, ' ', @class), '[Cc]omment(?!ary)|COMMENT(?!ARY)')]"
#: ... unless the element holds this share of the page's text (a page-wide wrapper)
_COMMENTS_MAX_SHARE = 0.5
_REGEXP_NS = "http://exslt.org/regular-expressions"


def _drop_non_prose(root: Any) -> None:
    """Remove what no extractor should read as text: form controls (a site-wide stock picker
    gives hundreds of option lines, and trafilatura's fallbacks read the uncleaned tree) and
    reader-comment sections that trafilatura's own comment filter does not recognise."""
    from lxml import etree

    etree.strip_elements(root, *_CONTROL_TAGS, with_tail=False)
    body = root.find("body")
    if body is None:
        return
    total = len(body.text_content())
    for element in root.xpath(_COMMENTS_XPATH, namespaces={"re": _REGEXP_NS}):
        if element.getparent() is None:
            continue
        if len(element.text_content()) < total * _COMMENTS_MAX_SHARE:
            element.drop_tree()


#: elements whose loose text (beside block children) is wrapped into paragraphs
_CONTAINER_TAGS = (
    "body",
    "div",
    "section",
    "article",
    "main",
    "center",
    "td",
    "th",
    "blockquote",
    "form",
    "dd",
    "li",
    "font",
    "span",
)
#: block children end a run of loose text; a ``<br>`` stays inside it, as in a paragraph
_RUN_BREAKERS = _BLOCK_TAGS - {"br"}
#: a run mostly of link text is a menu, left as it is
_RUN_MAX_LINK_SHARE = 0.5
#: shorter runs are captions, credits and ads as often as lost lead paragraphs
_RUN_MIN_CHARS = 80
#: script text that a broken tag let loose is not prose
_RUN_MAX_CODE_SHARE = 0.01


def _wrap_loose_text(root: Any) -> None:
    """Wrap text that sits loose in a container beside block children or between double
    line breaks (a lead paragraph typed straight into the article's div, paragraphs spaced
    by ``<br><br>``) into ``<p>`` elements: extractors score paragraphs, and drop such runs
    with the container's furniture or judge them with the links around them."""
    for container in list(root.iter(*_CONTAINER_TAGS)):
        children = list(container)
        breaks = _breaks(children)
        if not any(breaks):
            continue
        rebuilt: list[Any] = []
        lead, run = container.text, []
        container.text = None
        for child, is_break in zip([*children, None], [*breaks, True], strict=True):
            if not is_break:
                run.append(child)
                continue
            if _is_prose(lead, run):
                paragraph = container.makeelement("p", {})
                paragraph.text = lead
                paragraph.extend(run)
                rebuilt.append(paragraph)
            else:
                if rebuilt:
                    rebuilt[-1].tail = lead
                else:
                    container.text = lead
                rebuilt.extend(run)
            if child is not None:
                rebuilt.append(child)
                lead, run = child.tail, []
                child.tail = None
        container[:] = rebuilt


def _breaks(children: list[Any]) -> list[bool]:
    """Which children end a run of loose text: block elements, and ``<br>``s two or more in a
    row (a single one is a line break inside the paragraph)."""
    tags = [child.tag if isinstance(child.tag, str) else "" for child in children]
    breaks = [tag in _RUN_BREAKERS for tag in tags]
    for i, tag in enumerate(tags):
        if tag != "br":
            continue
        joined_next = (
            i + 1 < len(tags) and tags[i + 1] == "br" and not (children[i].tail or "").strip()
        )
        joined_previous = i > 0 and tags[i - 1] == "br" and not (children[i - 1].tail or "").strip()
        breaks[i] = joined_next or joined_previous
    return breaks


def _is_prose(lead: str | None, run: list[Any]) -> bool:
    """Whether a run of loose text and inline elements reads as text, not as links."""
    text = links = 0
    for element in run:
        if not isinstance(element.tag, str) or element.tag in _INVISIBLE_TAGS:
            text += len((element.tail or "").strip())
            continue
        inner = len(element.text_content().strip())
        text += inner + len((element.tail or "").strip())
        if element.tag == "a":
            links += inner
        else:
            links += sum(len(a.text_content().strip()) for a in element.iter("a"))
    text += len((lead or "").strip())
    if text < _RUN_MIN_CHARS or links > text * _RUN_MAX_LINK_SHARE:
        return False
    sample = (lead or "") + "".join(
        e.text_content() + (e.tail or "")
        for e in run
        if isinstance(e.tag, str) and e.tag not in _INVISIBLE_TAGS
    )
    return sum(sample.count(c) for c in "{};=") <= len(sample) * _RUN_MAX_CODE_SHARE


def _http_url(value: str | None, base: str | None = None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        absolute = urljoin(base, value) if base else value
        parts = urlsplit(absolute)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return absolute


def _text_of(value: Any) -> str | None:
    if isinstance(value, str):
        value = " ".join(value.split())
        return value or None
    return None


def _signals(root: Any, base: str | None) -> tuple[PageSignals, str | None, str | None]:
    """The provenance signals, and the og:title and <title> for the title fallback."""
    canonical = og_url = meta_date = og_title = None
    noindex_news = False
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if canonical is None and "canonical" in rel:
            canonical = _http_url(link.get("href"), base)
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or "").strip().lower()
        content = meta.get("content")
        if key == "og:url" and og_url is None:
            og_url = _http_url(content, base)
        elif key == "og:title" and og_title is None:
            og_title = _text_of(content)
        elif key == "article:published_time" and meta_date is None:
            meta_date = _text_of(content)
        elif (meta.get("name") or "").strip().lower() == "googlebot-news":
            noindex_news = noindex_news or "noindex" in (content or "").lower()
    title_element = root.find(".//title")
    html_title = _text_of(title_element.text_content()) if title_element is not None else None
    ld = _json_ld(root, base)
    signals = PageSignals(
        canonical_url=canonical,
        og_url=og_url,
        based_on=ld.based_on,
        source_links=_source_links(root, base),
        author_orgs=ld.author_orgs,
        publisher=ld.publisher,
        published_at=ld.published_at or meta_date,
        noindex_news=noindex_news,
    )
    return signals, og_title, html_title


@dataclass(frozen=True, slots=True)
class _LinkedData:
    based_on: tuple[str, ...] = ()
    author_orgs: tuple[str, ...] = ()
    publisher: str | None = None
    published_at: str | None = None


def _json_ld(root: Any, base: str | None) -> _LinkedData:
    nodes: list[dict[str, Any]] = []
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        document = _load_json(script.text or "")
        if document is not None:
            nodes.extend(_walk(document))
    by_id = {node["@id"]: node for node in nodes if isinstance(node.get("@id"), str)}
    articles = [node for node in nodes if _types(node) & _ARTICLE_TYPES]
    candidates = articles + [node for node in nodes if _types(node) & _PAGE_TYPES]

    def first(*keys: str) -> Any:
        for node in candidates:
            for key in keys:
                if node.get(key) not in (None, "", [], {}):
                    return node[key]
        return None

    based_on = []
    for item in _as_list(first("isBasedOn", "isBasedOnUrl")):
        href = item if isinstance(item, str) else None
        if isinstance(item, dict):
            href = next((v for v in (item.get("url"), item.get("@id")) if isinstance(v, str)), None)
        resolved = _http_url(href, base)
        if resolved and resolved not in based_on:
            based_on.append(resolved)
    orgs = []
    for author in _as_list(first("author")):
        author = _dereference(author, by_id)
        name = _text_of(author.get("name")) if isinstance(author, dict) else None
        if name and "Organization" in _types(author) and name not in orgs:
            orgs.append(name)
    publisher = _dereference(next(iter(_as_list(first("publisher"))), None), by_id)
    published = first("datePublished")
    return _LinkedData(
        based_on=tuple(based_on),
        author_orgs=tuple(orgs),
        publisher=_text_of(publisher.get("name"))
        if isinstance(publisher, dict)
        else _text_of(publisher),
        published_at=_text_of(published),
    )


def _load_json(text: str) -> Any:
    text = text.strip()
    for wrapper in ("<![CDATA[", "//<![CDATA[", "/*<![CDATA[*/"):
        if text.startswith(wrapper):
            text = text[len(wrapper) :].rstrip().removesuffix("*/").rstrip()
            text = text.removesuffix("]]>").rstrip().removesuffix("//").removesuffix("/*").strip()
            break
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _walk(document: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``document``, parents first, in order; bounded in size and depth."""
    stack: list[tuple[Any, int]] = [(document, 0)]
    seen = 0
    while stack and seen < _JSONLD_MAX_NODES:
        value, depth = stack.pop()
        seen += 1
        if depth > _JSONLD_MAX_DEPTH:
            continue
        if isinstance(value, dict):
            yield value
            children = list(value.values())
        elif isinstance(value, list):
            children = value
        else:
            continue
        stack.extend((child, depth + 1) for child in reversed(children))


def _types(node: dict[str, Any]) -> frozenset[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return frozenset(re.split("[/:#]", k)[-1] for k in kinds if isinstance(k, str))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _dereference(value: Any, by_id: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and "@type" not in value and "name" not in value:
        key = value.get("@id")
        if isinstance(key, str) and key in by_id:
            return by_id[key]
    return value


def _collapsed(text: str) -> str:
    return " ".join(text.split()).lower()


def _source_links(root: Any, base: str | None) -> tuple[str, ...]:
    chosen = {
        anchor
        for anchor in root.xpath(_SHORT_ANCHOR_XPATH)
        if _collapsed(anchor.text_content()).strip(" :.>\u00bb\u203a") in _SOURCE_LINK_TEXTS
    }
    for text in root.xpath(_PHRASE_XPATH):
        if not any(phrase in _collapsed(text) for phrase in _SOURCE_PHRASES):
            continue
        container = text.getparent()
        if container is not None and text.is_tail:
            container = container.getparent()
        if container is None or container.tag in _INVISIBLE_TAGS:
            continue
        for _ in range(_SOURCE_CONTAINER_CLIMB):
            parent = container.getparent()
            if container.tag == "a" or container.find(".//a[@href]") is not None:
                break
            if parent is None or len(parent.text_content()) > _SOURCE_CONTAINER_MAX_CHARS:
                break
            container = parent
        if container.tag == "a":
            chosen.add(container)
        chosen.update(container.iterfind(".//a[@href]"))
    found: list[str] = []
    for anchor in root.iter("a") if chosen else ():
        href = _http_url(anchor.get("href"), base) if anchor in chosen else None
        if href and href not in found:
            found.append(href)
    return tuple(found)


#: chosen on the two gold sets (benchmarks/extraction.py); data tables are left out, as
#: their cells are rarely the story and often navigation; trafilatura's ``deduplicate``
#: stays off: its cache is process-wide and would drop a page seen before, i.e. a copy
_TRAFILATURA_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": False,
    "favor_precision": True,
}


def _extract(root: Any, url: str | None) -> str:
    """Main text, one paragraph a line. Without trafilatura's metadata pass, which took
    40% of the time for a title and a date read more cheaply here (same text either way)."""
    import trafilatura

    try:
        document = trafilatura.bare_extraction(
            root, url=url, with_metadata=False, **_TRAFILATURA_OPTIONS
        )
    except Exception as exc:  # an extractor bug: the visible text stands in
        logger.warning("trafilatura failed on %s: %s", url or "a page", exc)
        return ""
    if document is None:
        return ""
    return _lines(getattr(document, "text", None) or "")


#: below this many words trafilatura may have taken the wrong block, or a sliver of the story
_RESCUE_BELOW_WORDS = 200
#: ... and readability's text replaces it when it is at least this many times longer
_RESCUE_RATIO = 2


def _readability_rescue(root: Any, text: str) -> str:
    """``text``, or readability's main text when ``text`` is short and readability finds at
    least twice as much. trafilatura runs readability as well, but on a tree it has pruned by
    class names first, which can take the story with it (it then keeps its own sliver)."""
    words = len(text.split())
    if words >= _RESCUE_BELOW_WORDS:
        return text
    from trafilatura.external import try_readability

    try:
        found = _block_text(try_readability(copy(root)))
    except Exception as exc:  # an extractor bug: keep what we have
        logger.warning("readability failed: %s", exc)
        return text
    return found if len(found.split()) >= max(1, words) * _RESCUE_RATIO else text


def _headline(root: Any, title: str | None) -> str | None:
    """The ``<title>`` without its site name: the first ``<h1>`` it contains, if any."""
    if title:
        for heading in root.iter("h1"):
            text = " ".join(heading.text_content().split())
            if text and text in title:
                return text
    return title


def _find_date(root: Any, url: str | None) -> str | None:
    """The publish date htmldate reads from the page's markup (not its free text: a
    tiebreaker should not come from a date the story mentions)."""
    from htmldate import find_date

    try:
        found = find_date(
            root,
            url=url,
            original_date=True,
            extensive_search=False,
            max_date=date.today().isoformat(),
        )
    except Exception as exc:  # a date parser bug must not cost the page
        logger.debug("htmldate failed on %s: %s", url or "a page", exc)
        return None
    return _text_of(found)


def _lines(text: str) -> str:
    return "\n".join(line for line in (" ".join(raw.split()) for raw in text.splitlines()) if line)


def _visible_text(root: Any) -> str:
    """The body's text with scripts and styles removed, one block a line."""
    body = root.find("body")
    return _block_text(copy(body if body is not None else root))


def _block_text(element: Any) -> str:
    """The text of ``element`` (changed in place) without scripts and styles, one block a line."""
    from lxml import etree

    etree.strip_elements(element, *_INVISIBLE_TAGS, with_tail=False)
    for child in element.iter():
        if isinstance(child.tag, str) and child.tag in _BLOCK_TAGS:
            child.text = "\n" + (child.text or "")
            child.tail = "\n" + (child.tail or "")
    return _lines(element.text_content())
