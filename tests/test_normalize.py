"""Unicode folding, zone-aware boilerplate stripping and the evidence it yields.

Every fixture here is invented; it imitates the shapes of real wire copies, never their text.
"""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dedup.agencies import agency_names
from dedup.boilerplate import LINE_PATTERNS, REVISION_LEAD_RE, REVISION_TAG_RE, LinePattern, Zone
from dedup.normalize import (
    _first_match,
    _fold_chars,
    _fold_chars_as_array,
    _fold_table,
    _foldable,
    _zone_patterns,
    fold_unicode,
    headline_key,
    normalize,
)
from dedup.records import Evidence, StrippedLine

# --- invented story used by several tests -------------------------------------------------

P1 = (
    "Portugal and Chile will sign a set of \u201cmajor agreements\u201d during the Chilean "
    "president\u2019s state visit next week, officials in both capitals said on Monday."
)
P2 = (
    "The two governments have spent two years negotiating a framework on copper, wine and "
    "fishing quotas that diplomats describe as the widest deal between them in decades."
)
P3 = (
    "A foreign ministry spokeswoman said the texts would be published after the ceremony, "
    "but declined to say whether a separate defence protocol was ready."
)
P4 = (
    "Trade between the two countries has tripled over the past ten years, driven mostly by "
    "shipments of fruit, timber and industrial machinery across the Atlantic."
)
P6 = (
    "Officials in Santiago said the visit had been planned since the spring, when the two "
    "foreign ministers met on the sidelines of a regional summit and agreed on a calendar."
)
P7 = (
    "Opposition lawmakers in both countries have asked to see the full texts before any vote, "
    "saying earlier agreements were ratified without a proper debate in parliament."
)
P5 = "The president will travel on to Madrid for a two-day visit, her office said."
TITLE = "Portugal, Chile To Sign \u201cMajor Agreements\u201d During State Visit: Report"

AFP_ORIGINAL = "\n\n".join(
    ["LISBON (AFP) - " + P1, P2, P3, P4, P6, P7, P5, "bur-xy/zz", "\u00a9 2024 AFP"]
)
NDTV_COPY = "\n\n".join(
    [
        "The Chilean president has made few trips abroad this year. (File)",
        "Lisbon:",
        P1,
        P2,
        P3,
        P4,
        P6,
        P7,
        "(Except for the headline, this story has not been edited by NDTV staff and is "
        "published from a syndicated feed.)",
    ]
)
SOURCE = "https://www.ndtv.com/world-news/portugal-chile-to-sign-major-agreements-1234"
SCRAPER_PAGE = "\n\n".join(
    [
        "You are currently viewing " + TITLE,
        TITLE,
        "2024-06-17 15:05:21",
        TITLE.replace("\u201c", "'").replace("\u201d", "'"),
        "The Chilean president has made few trips abroad this year. (File)",
        "Lisbon:",
        P1,
        P2,
        P3,
        P4,
        P6,
        P7,
        "(Except for the headline, this story has not been edited by NDTV staff and is "
        "published from a syndicated feed.)",
        "Chile,chile portugal,chile trade deal",
        "Source link",
        "Loading",
    ]
)
CLEAN_BODY = "\n\n".join(fold_unicode(p) for p in (P1, P2, P3, P4, P6, P7))


def families(text: str, title: str | None = None) -> list[str]:
    return [s.family for s in normalize(text, title=title).evidence.stripped]


# --- fold_unicode ---------------------------------------------------------------------------


def test_fold_quotes_dashes_and_format_chars() -> None:
    raw = (
        "\u201cHe\u00adllo\u201d \u2014 it\u2019s\u200b 1\u20132 \u00abok\u00bb "
        "\u2032x\u2033 Putin\u02bcs"
    )
    assert fold_unicode(raw) == '"Hello" - it\'s 1-2 "ok" \'x" Putin\'s'


def test_fold_digits_spaces_and_newlines() -> None:
    raw = (
        "Year \u0662\u0660\u0662\u0664\u00a0\u00a0and\t\tmore  \r\n\r\n\r\n\r\nnext\rline\u2028end"
    )
    assert fold_unicode(raw) == "Year 2024 and more\n\nnext\nline\nend"


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_fold_of_ascii_text_equals_the_general_path(text: str) -> None:
    expected = unicodedata.normalize("NFKC", text.replace("\r\n", "\n").translate(_fold_table()))
    folded = fold_unicode(text)
    assert folded == fold_unicode(expected)
    assert folded == fold_unicode(folded)


def test_fold_keeps_case_and_applies_nfkc() -> None:
    assert fold_unicode("\uff21BC \ufb01ne") == "ABC fine"
    assert fold_unicode("Mixed CASE") == "Mixed CASE"


def test_fold_drops_controls_and_lone_surrogates() -> None:
    assert fold_unicode("a\x00b\x07c\ud800d") == "abcd"


def test_fold_collapses_blank_runs_and_strips_edges() -> None:
    assert fold_unicode("\n\n  a  \n \n\n\n  b \n\n") == "a\n\nb"


# --- the seed-like scenario ----------------------------------------------------------------


def test_afp_original_dateline_initials_and_rights() -> None:
    result = normalize(AFP_ORIGINAL, title="Portugal, Chile to sign 'major agreements'")
    ev = result.evidence
    assert result.body.startswith("Portugal and Chile will sign")
    assert result.body.endswith("her office said.")
    assert ev.agencies == ("AFP",)
    assert ev.dateline == "LISBON (AFP) -"
    assert [s.family for s in ev.stripped] == ["dateline", "credit", "rights"]
    assert not ev.syndicated
    assert not ev.kept_boilerplate


def test_ndtv_copy_caption_bare_dateline_disclaimer() -> None:
    result = normalize(NDTV_COPY, title=TITLE)
    ev = result.evidence
    assert result.body == CLEAN_BODY
    assert ev.dateline == "Lisbon:"
    assert ev.syndicated
    assert not ev.scraper
    assert ev.agencies == ()
    assert [s.family for s in ev.stripped] == ["caption", "dateline", "disclaimer"]


def test_scraper_page_of_the_copy() -> None:
    result = normalize(SCRAPER_PAGE, title=TITLE, pointer=SOURCE)
    ev = result.evidence
    assert result.body == CLEAN_BODY
    assert ev.scraper
    assert ev.syndicated
    assert ev.pointers == (SOURCE,)
    assert ev.timestamps == ("2024-06-17 15:05:21",)
    assert ev.dateline == "Lisbon:"
    assert [s.family for s in ev.stripped] == [
        "scraper",
        "headline",
        "timestamp",
        "headline",
        "caption",
        "dateline",
        "disclaimer",
        "furniture",
        "scraper",
        "scraper",
    ]


def test_repeated_headline_without_title() -> None:
    text = "\n\n".join([TITLE, TITLE.replace("\u201c", '"').replace("\u201d", '"'), P1, P2, P3])
    result = normalize(text)
    assert result.body.startswith("Portugal and Chile will sign")
    assert families(text) == ["headline", "headline"]


def test_all_copies_share_one_body() -> None:
    afp = normalize(AFP_ORIGINAL).body
    ndtv = normalize(NDTV_COPY, title=TITLE).body
    scraper = normalize(SCRAPER_PAGE, title=TITLE).body
    assert afp.startswith(ndtv)
    assert ndtv == scraper


# --- datelines ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first_line", "dateline", "agency"),
    [
        ("LISBON (AFP) - Officials met.", "LISBON (AFP) -", "AFP"),
        ("BRUSSELS, Belgium (AP) \u2014 Officials met.", "BRUSSELS, Belgium (AP) -", "AP"),
        ("WASHINGTON (Reuters) - Officials met.", "WASHINGTON (Reuters) -", "Reuters"),
        ("OSLO, March 3. /TASS/. Officials met.", "OSLO, March 3. /TASS/.", "TASS"),
        ("Pune, Jul 4 (PTI) Officials met.", "Pune, Jul 4 (PTI)", "PTI"),
        ("Chennai, May 2 (IANS) Officials met.", "Chennai, May 2 (IANS)", "IANS"),
        (
            "New Delhi [India], Oct 2 (ANI): Officials met.",
            "New Delhi [India], Oct 2 (ANI):",
            "ANI",
        ),
        ("BEIJING, Jan 5 (Xinhua) -- Officials met.", "BEIJING, Jan 5 (Xinhua) --", "Xinhua"),
        ("SEOUL, Feb 1 (Yonhap) -- Officials met.", "SEOUL, Feb 1 (Yonhap) --", "Yonhap"),
    ],
)
def test_agency_datelines(first_line: str, dateline: str, agency: str) -> None:
    result = normalize(f"{first_line}\n\n{P2}\n\n{P3}")
    assert result.body.startswith("Officials met.")
    assert result.evidence.dateline == dateline
    assert result.evidence.agencies == (agency,)


@pytest.mark.parametrize(
    ("first_line", "dateline"),
    [
        ("HELSINKI - Officials met.", "HELSINKI -"),
        ("WASHINGTON \u2014 Officials met.", "WASHINGTON -"),
        ("TURNBERRY, Scotland -- Officials met.", "TURNBERRY, Scotland --"),
    ],
)
def test_bare_uppercase_datelines(first_line: str, dateline: str) -> None:
    result = normalize(f"{first_line}\n\n{P2}\n\n{P3}")
    assert result.body.startswith("Officials met.")
    assert result.evidence.dateline == dateline
    assert result.evidence.agencies == ()


def test_agency_dateline_found_below_head_junk() -> None:
    text = f"Now showing: a video\n\nMADRID (AP) - {P1}\n\n{P2}\n\n{P3}\n\n{P4}"
    ev = normalize(text).evidence
    assert ev.agencies == ("AP",)
    assert ev.dateline == "MADRID (AP) -"


def test_dateline_only_in_the_head() -> None:
    text = f"{P1}\n\n{P2}\n\nLISBON - the second office opened later.\n\n{P3}"
    assert normalize(text).body == fold_unicode(text)


# --- bylines and the body sentences that look like them --------------------------------------


@pytest.mark.parametrize(
    ("line", "agency"),
    [
        ("By AFP - Agence France Presse", "AFP"),
        ("By Reuters", "Reuters"),
        ("By The Associated Press", "AP"),
        ("The Associated Press", "AP"),
        ("By MARTA ORTIZ, AP Diplomatic Writer", "AP"),
        ("Marta Ortiz and Joao Silva, Associated Press", "AP"),
        ("By JOAO SILVA Associated Press", "AP"),
        ("By Marta Ortiz", None),
        ("By MARTA ORTIZ and JOAO SILVA", None),
    ],
)
def test_bylines(line: str, agency: str | None) -> None:
    result = normalize(f"{line}\n\n{P1}\n\n{P2}\n\n{P3}")
    assert result.body == "\n\n".join(fold_unicode(p) for p in (P1, P2, P3))
    assert result.evidence.stripped[0].family == "byline"
    assert result.evidence.stripped[0].agency == agency


@pytest.mark.parametrize(
    "sentence",
    [
        "By the end of the day, the two delegations had agreed on a timetable for the talks.",
        "By Monday, the ministry said, nearly all the documents were ready for signature.",
        "Copyright lawyers for the publisher said the case would go to the supreme court soon.",
        "The copyright on the anthem expired decades ago, a museum curator told reporters.",
        "Reporting by local media suggested the ceremony would be held in the old palace.",
        "Shares rose 3% | analysts said the outlook was bright. Investors cheered the news.",
    ],
)
def test_body_sentences_survive_at_both_edges(sentence: str) -> None:
    text = f"{sentence}\n\n{P2}\n\n{P3}\n\n{sentence}"
    result = normalize(text)
    assert result.body == fold_unicode(text)
    assert result.evidence.stripped == ()


# --- tail families --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "family", "agency"),
    [
        ("(Reporting by Ana Costa in Lisbon; Editing by Tom Reed)", "credit", "Reuters"),
        ("The Associated Press contributed to this report.", "credit", "AP"),
        ("Associated Press writer Joao Silva in Santiago contributed.", "credit", "AP"),
        ("PTI ABC XY", "credit", "PTI"),
        ("--IANS", "credit", "IANS"),
        ("bur-ab/cd", "credit", "AFP"),
        ("\u00a9 2024 AFP", "rights", "AFP"),
        (
            "Copyright 2018 The Associated Press. All rights reserved. This material may not "
            "be published, broadcast, rewritten or redistributed.",
            "rights",
            "AP",
        ),
        ("Our Standards: The Thomson Reuters Trust Principles.", "rights", "Reuters"),
        (
            "This report is auto-generated from PTI news service. The Daily Example holds no "
            "responsibility for its content.",
            "disclaimer",
            "PTI",
        ),
        ("(With inputs from PTI)", "disclaimer", "PTI"),
        (
            "(Only the headline and picture of this report may have been reworked by the "
            "Example Times staff; the rest of the content is auto-generated from a syndicated "
            "feed.)",
            "disclaimer",
            None,
        ),
        (
            "This story has been published from a wire agency feed without modifications to "
            "the text. Only the headline has been changed.",
            "disclaimer",
            None,
        ),
        (
            "This report by The Canadian Press was first published March 2, 2024.",
            "republication",
            "CP",
        ),
        (
            "The post Chile signs deal appeared first on Example Daily.",
            "republication",
            None,
        ),
    ],
)
def test_tail_lines(line: str, family: str, agency: str | None) -> None:
    result = normalize(f"{P1}\n\n{P2}\n\n{P3}\n\n{line}")
    assert result.body == "\n\n".join(fold_unicode(p) for p in (P1, P2, P3))
    assert result.evidence.stripped == (StrippedLine(family, fold_unicode(line), agency),)
    if agency is not None:
        assert result.evidence.agencies == (agency,)
    assert result.evidence.syndicated == (family in ("disclaimer", "republication"))


def test_republication_pointer_is_collected() -> None:
    url = "https://example-times.com/story/chile-deal-99"
    text = f"{P1}\n\n{P2}\n\n{P3}\n\nThis article originally appeared on Example Times: {url}"
    ev = normalize(text, pointer="https://parent.example/x").evidence
    assert ev.pointers == ("https://parent.example/x", url)
    assert ev.syndicated


def test_tail_families_do_not_apply_in_the_head() -> None:
    text = f"(With inputs from PTI)\n\n{P1}\n\n{P2}\n\n{P3}"
    assert normalize(text).body == fold_unicode(text)


def test_agencies_in_text_order_without_duplicates() -> None:
    text = (
        f"By Reuters\n\nLISBON (Reuters) - {P1}\n\n{P2}\n\n{P3}\n\n"
        "The Associated Press contributed to this report.\n\n"
        "(Reporting by Ana Costa; Editing by Tom Reed)"
    )
    assert normalize(text).evidence.agencies == ("Reuters", "AP")


# --- head families --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "family"),
    [
        ("July 15, 2018", "timestamp"),
        ("2024-06-17 15:05:21", "timestamp"),
        ("Updated 7:32 am CDT, Sunday, July 15, 2018", "timestamp"),
        ("Monday, 16 July 2018 09:45 AM", "timestamp"),
        ("FILE PHOTO: Delegates arrive at the palace in Lisbon, Portugal.", "caption"),
        ("Delegates arrive in Lisbon. (AP Photo/Joao Silva)", "caption"),
        ("Photo: Joao Silva", "caption"),
        ("Image copyright Example Images", "caption"),
        ("Delegates wave at the airport in Lisbon. (File)", "caption"),
        ("You are currently viewing Portugal and Chile sign a deal", "scraper"),
        ("Lisbon:", "dateline"),
    ],
)
def test_head_lines(line: str, family: str) -> None:
    result = normalize(f"{line}\n\n{P1}\n\n{P2}\n\n{P3}")
    assert result.body == "\n\n".join(fold_unicode(p) for p in (P1, P2, P3))
    assert [s.family for s in result.evidence.stripped] == [family]


def test_timestamps_are_reported() -> None:
    ev = normalize(f"{TITLE}\n\nJuly 15, 2018\n\n{P1}\n\n{P2}", title=TITLE).evidence
    assert ev.timestamps == ("July 15, 2018",)


def test_headline_with_revision_marker() -> None:
    text = f"UPDATE 2-Chile and Portugal sign trade deal\n\n{P1}\n\n{P2}\n\n{P3}"
    result = normalize(text, title="Chile and Portugal sign trade deal")
    assert result.body.startswith("Portugal and Chile")
    assert result.evidence.stripped[0].family == "headline"
    text = f"(LEAD) Chile and Portugal sign trade deal\n\n{P1}\n\n{P2}\n\n{P3}"
    assert families(text, "Chile and Portugal sign trade deal") == ["headline"]


def test_headline_key_ignores_quotes_case_and_markers() -> None:
    assert headline_key("REFILE-Chile \u201cSigns\u201d Deal") == headline_key("chile 'signs' deal")
    assert headline_key("Chile signs deal (2nd LD)") == "chile signs deal"


# --- anywhere -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "Read more",
        "Share this:",
        "Story continues below advertisement",
        "Also Read: Chile names new envoy to Lisbon",
        "Sign up for our newsletter",
        "Follow us on Instagram",
        "chile,portugal,trade deal,copper",
        "Like this: Like Loading...",
        "___",
        "Report this comment",
        "© Copyright 2008 Times Newspapers Ltd.",
        "All contents © Copyright 2008 summitdaily.com",
        "Distributed by Internet Broadcasting. This material may not be published, broadcast,"
        " rewritten or redistributed.",
    ],
)
def test_furniture_anywhere(line: str) -> None:
    text = f"{P1}\n\n{line}\n\n{P2}\n\n{P3}"
    result = normalize(text)
    assert result.body == "\n\n".join(fold_unicode(p) for p in (P1, P2, P3))
    assert len(result.evidence.stripped) == 1


def test_menus_at_the_edges_go_and_a_title_with_its_site_stays_a_headline() -> None:
    text = f"Front Page |\n\nBank raises rates | World News\n\n{P1}\n\n{P2}\n\nSky | Bet | Bingo"
    result = normalize(text, title="Bank raises rates | World News")
    assert result.body == "\n\n".join(fold_unicode(p) for p in (P1, P2))
    assert [s.family for s in result.evidence.stripped] == ["furniture", "headline", "furniture"]


def test_dateline_prefix_only_strips_the_prefix() -> None:
    result = normalize(f"MADRID (AFP) - {P1}")
    assert result.body == fold_unicode(P1)


# --- guards ---------------------------------------------------------------------------------


def test_forty_percent_guard_keeps_text() -> None:
    text = "Advertisement\n\nRead more\n\nShare this:\n\nSign up for our newsletter\n\nShort."
    result = normalize(text)
    assert result.evidence.kept_boilerplate
    assert result.body == "\n\n".join(line for line in fold_unicode(text).split("\n") if line)
    assert len(result.evidence.stripped) == 4


def test_all_boilerplate_keeps_text() -> None:
    result = normalize("Advertisement\nRead more", title="x")
    assert result.body == "Advertisement\n\nRead more"
    assert result.evidence.kept_boilerplate


def test_title_only_text_is_kept() -> None:
    result = normalize(TITLE, title=TITLE)
    assert result.body == fold_unicode(TITLE)
    assert result.evidence.kept_boilerplate


@pytest.mark.parametrize("blank", ["", "   ", "\n\n\t\n", "\u200b\u00ad", "\x00\x01"])
def test_blank_input_gives_empty_body(blank: str) -> None:
    result = normalize(blank, title="A title")
    assert result.body == ""
    assert not result.evidence.kept_boilerplate


def test_pointer_reported_on_blank_text() -> None:
    assert normalize("", pointer="https://a.example/x").evidence.pointers == (
        "https://a.example/x",
    )


def test_huge_input_is_fast_enough() -> None:
    line = "By the end of the day (AP) - copyright 2024 \u201cquote\u201d Advertisement " * 50
    text = "\n".join([line, "Advertisement", "Read more"] * 2000)
    result = normalize(text, title=line)
    assert result.body


def test_pathological_lines_do_not_hang() -> None:
    for line in (
        "A " * 400,
        "A, " * 300,
        "A and " * 200,
        "1, " * 300,
        "July 1, 2018 " * 60,
        "(" * 900,
        "a.a" * 300,
        "By " + "Ab Cd, " * 150,
    ):
        normalize(f"{line}\n\n{line}\n\n{line}", title=line)


# --- properties -----------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    [*"aAbByZ09 .,:;-'\"()/|\n\t\u00a0\u2014\u201c\u201d\u2019\u00ad\u200b\u0301",
       "By ", "(AP) - ", "LISBON ", "Advertisement", "\n\n", "Read more", "(File)", "PTI ",
       "Copyright ", "\u00a9 2024 AFP", "Source link", "Loading", "July 15, 2018", "bur-ab/cd"]
)  # fmt: skip
_TEXTS = st.one_of(st.text(), st.lists(_ALPHABET, max_size=60).map("".join))
_TITLES = st.one_of(st.none(), st.text(max_size=40), st.lists(_ALPHABET, max_size=8).map("".join))
_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_SETTINGS
@given(_TEXTS, _TITLES)
def test_normalize_is_total(text: str, title: str | None) -> None:
    result = normalize(text, title=title, pointer=title)
    assert isinstance(result.body, str)


@_SETTINGS
@given(_TEXTS, _TITLES)
def test_normalize_is_idempotent(text: str, title: str | None) -> None:
    once = normalize(text, title=title).body
    assert normalize(once, title=title).body == once


@_SETTINGS
@given(_TEXTS, _TITLES)
def test_normalize_never_empties(text: str, title: str | None) -> None:
    result = normalize(text, title=title)
    if fold_unicode(text).strip():
        assert result.body.strip()
    else:
        assert result.body == ""


@_SETTINGS
@given(st.text())
def test_fold_is_idempotent(text: str) -> None:
    once = fold_unicode(text)
    assert fold_unicode(once) == once


def _plain_fold(text: str) -> str:
    """``fold_unicode`` as first written: every character looked up in the table and NFKC
    until both are done, then the text split into lines, each stripped. The fast paths (a
    replace per foldable character, no NFKC on ASCII, whole-text tidying) must equal it."""
    table = _fold_table()
    current = text.replace("\r\n", "\n")
    for _ in range(6):
        current = unicodedata.normalize("NFKC", current.translate(table))
        if current.translate(table) == current:
            break
    out: list[str] = []
    for raw in re.sub(" {2,}", " ", current).split("\n"):
        line = raw.strip(" ")
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


_FOLD_PIECES = st.sampled_from(
    [*"aZ09 .-'\"\n\r\t", "\r\n", "  ", " \n ", "\n \n", "\n\n\n", "\u00a0", "\u2028", "\u3000",
     "\u200b", "\u00ad", "\ufeff", "\u2060", "\U000e0041", "\ufe0f", "\u0301", "\u0308",
     "e\u0301", "A\u00ad\u030a", "\u1100\u200b\u1161", "\uff11\uff12", "\u0662", "\U0001d7d8",
     "\u2018", "\u2019", "\u201c", "\u201d", "\u00ab", "\u2014", "\u2212", "\ufe58", "\u0130",
     "\u0131", "\u017f", "\u212a", "\ufb01", "\u00bd", "\u2460", "\ud800", "\udfff", "\x00",
     "\x03", "\x7f", "\u00e9", "\u0391\u03a3 "]
)  # fmt: skip
_FOLD_TEXTS = st.one_of(st.text(), st.lists(_FOLD_PIECES, max_size=40).map("".join))


@_SETTINGS
@given(_FOLD_TEXTS)
def test_fold_equals_the_plain_definition(text: str) -> None:
    assert fold_unicode(text) == _plain_fold(text)


def test_nfkc_never_joins_across_a_line_break() -> None:
    """What lets the fold compose line by line: a line break decomposes to nothing else, is
    a starter, and is in no composition (no character decomposes to a pair holding it)."""
    assert unicodedata.combining("\n") == 0
    assert not unicodedata.decomposition("\n")
    assert unicodedata.is_normalized("NFKC", "\n")
    for code in range(sys.maxunicode + 1):
        assert "000A" not in unicodedata.decomposition(chr(code)).split(), hex(code)


@_SETTINGS
@given(st.lists(st.one_of(st.sampled_from(sorted(_foldable())), _FOLD_PIECES), max_size=60))
def test_fold_chars_by_replacing_or_as_an_array_equals_the_table(pieces: list[str]) -> None:
    text = "".join(pieces)  # often more distinct foldable characters than are replaced one by one
    assert _fold_chars(text) == text.translate(_fold_table())
    assert _fold_chars_as_array(text) == text.translate(_fold_table())


def _plain_headline_key(text: str) -> str:
    lead = REVISION_LEAD_RE.match(text)
    text = text[lead.end() :] if lead else text
    return " ".join(re.findall(r"\w+", REVISION_TAG_RE.sub(" ", text).casefold()))


@_SETTINGS
@given(st.one_of(st.text(), st.text(st.characters(max_codepoint=127)), _FOLD_TEXTS))
def test_headline_key_equals_the_word_list(text: str) -> None:
    assert headline_key.__wrapped__(text) == _plain_headline_key(text)


def test_text_without_boilerplate_has_empty_evidence() -> None:
    assert normalize(CLEAN_BODY).evidence == Evidence()
    assert normalize(CLEAN_BODY, pointer="https://a.example/x").evidence == Evidence(
        pointers=("https://a.example/x",)
    )


def test_live_files_are_flagged_as_compilations() -> None:
    timed = "Leaders met.\n\n10:20 a.m.\n\nThe first item of the day.\n\n9 a.m.\n\nAn earlier one."
    assert normalize(timed).evidence.compilation
    header = "The Latest on the summit (all times local):\n\nThe first item, with enough words."
    assert normalize(header).evidence.compilation
    single = "The meeting began at 10 a.m.\n\n10 a.m.\n\nOnly one time line here, in a story."
    assert not normalize(single).evidence.compilation


def test_republication_notes_name_the_original_outlet() -> None:
    body = " ".join(f"word{i}" for i in range(60))
    usa = normalize(body + "\n\nThis article originally appeared on USA TODAY: Big story")
    assert usa.evidence.sources == ("USA TODAY",)
    conversation = normalize(
        body + "\n\nThis article is republished from The Conversation under a Creative "
        "Commons license. Read the original article."
    )
    assert conversation.evidence.sources == ("The Conversation",)


def test_bare_desk_initials_are_stripped_without_naming_an_agency() -> None:
    body = " ".join(f"word{i}" for i in range(60))
    bare = normalize(body + "\n\nqs/bhk")
    assert bare.body == body
    assert bare.evidence.agencies == ()
    assert normalize(body + "\n\nbur-oc/jj").evidence.agencies == ("AFP",)


def test_code_points_outside_the_folding_ranges_never_fold() -> None:
    from dedup.normalize import _FOLDABLE_RANGES

    covered = set().union(*(set(r) for r in _FOLDABLE_RANGES))
    for code in range(sys.maxunicode + 1):
        if code in covered:
            continue
        ch = chr(code)
        assert not ch.isspace()
        assert unicodedata.category(ch) not in ("Cf", "Cs", "Cc", "Nd")


# --- the line screen ------------------------------------------------------------------------


def _first_fullmatch(text: str, zone: Zone) -> LinePattern | None:
    """The unscreened reference: the zone's first pattern matching the line."""
    for pattern in LINE_PATTERNS:
        if pattern.zone == zone and len(text) <= pattern.max_len and pattern.regex.fullmatch(text):
            return pattern
    return None


def _screened_first(text: str, zone: Zone) -> LinePattern | None:
    found = _first_match(text, _zone_patterns(zone))
    return found and found[0]


#: substrings the patterns that scan a whole line look for
_KEYS = ["all rights reserved", "this material may not be published", "\u00a9", "(c)", " photo",
         "/", "\u2022", "|", "auto-generated from", "syndicated feed", "news service",
         "contributed"]  # fmt: skip
#: words the zones' patterns list
_LISTED_WORDS = [
    *agency_names(),
    "Advertisement",
    "Read more",
    "Share",
    "share this story",
    "Photo:",
    "Image copyright",
    "Getty Images",
    "Updated",
    "Published",
    "By",
    "July",
    "Monday",
    "(file)",
    "more_vert",
    "Loading...",
    "Follow us on",
]
_SCREEN_PIECES = st.sampled_from(
    [*_KEYS, *(n.upper() for n in _KEYS), *(n.title() for n in _KEYS), "(AP", "(Reuters",
     " Photo)", "AP ", "The ", "staff ", "edited ", "modifications ", "by the AP. ", "Reuters",
     "Jane Doe ", ", ", ".", "(", ")", "/", " ", "x", "\u0131", "\u0130", "\u017f", "2024 ",
     *_LISTED_WORDS, *(w.upper() for w in _LISTED_WORDS), *(w.lower() for w in _LISTED_WORDS),
     *(w[:3] for w in _LISTED_WORDS), "- ", ": ", "15, ", "10:30 ", "|", "\u2022"]
)  # fmt: skip
_SCREEN_LINES = st.lists(_SCREEN_PIECES, min_size=1, max_size=14).map("".join)


@_SETTINGS
@given(_SCREEN_LINES, st.sampled_from(["head", "tail", "anywhere"]))
def test_screened_classify_equals_trying_every_pattern(text: str, zone: Zone) -> None:
    assert _screened_first(text, zone) is _first_fullmatch(text, zone)


@pytest.mark.parametrize("line", [line for text in (AFP_ORIGINAL, NDTV_COPY, SCRAPER_PAGE)
                                  for line in fold_unicode(text).split("\n") if line] + [
    "Reuters photographer Jane Doe contributed to this report.",
    "AP writers John Smith and Jane Roe contributed.",
    "Copyright 2024 The Associated Press. All rights reserved.",
    "Lisbon News Group 2024. All Rights Reserved.",
    "A crowd gathers in Lisbon. (AP Photo/Jane Doe)",
    "Ships in port (Reuters/John Smith).",
    "This story was auto-generated from a syndicated feed and not edited.",
    "Text auto-generated from PTI feed; only the headline was edited.",
    "Lisbon News \u2022",
])  # fmt: skip
def test_screen_keeps_every_verdict_on_real_lines(line: str) -> None:
    for zone in ("head", "tail", "anywhere"):
        assert _screened_first(line, zone) is _first_fullmatch(line, zone)


@given(st.text(alphabet=st.sampled_from([*"UPDATE REFILE(LEAD)(2nd LD)Eds: x-:1 \n"]), max_size=40))
def test_headline_key_strips_revision_markers_like_one_anchored_alternation(text: str) -> None:
    reference = re.compile(rf"^(?:{REVISION_LEAD_RE.pattern})|\s*{REVISION_TAG_RE.pattern}\s*")
    words = " ".join(re.findall(r"\w+", reference.sub(" ", text).casefold()))
    assert headline_key.__wrapped__(text) == words
