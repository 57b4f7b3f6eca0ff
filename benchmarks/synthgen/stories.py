"""One story: the origin's own page, its copies and scraper copies, and its gold line."""

from __future__ import annotations

import random
import re
from datetime import datetime, timedelta
from typing import Any

from .outlets import (
    _AGENCY_WEIGHTS,
    _EDIT,
    _OUTLETS_IN,
    _OUTLETS_OTHER,
    AGENCIES,
    CAPTION_TAILS,
    DISCLAIMERS,
    FURNITURE_TAIL,
    INDIAN_CITIES,
    LAST_NAMES,
    MONTHS,
    MONTHS_SHORT,
    OUTLET_ORIGINS,
    SCRAPERS,
    SYNONYMS,
    UPDATE_SENTENCES,
    WEEKDAYS,
    WORLD_CITIES,
    Agency,
    Outlet,
    OutletOrigin,
)
from .pages import _EPOCH0, Story, _completeness, _name, _Page, _Pages, _sentence_case
from .pool import Base

P_AGENCY_PAGE = 0.6
P_OUTLET_ORIGIN = 0.15
P_SINGLETON = 0.35
P_SCRAPER = 0.13
P_QUOTE_NEGATIVE = 0.05
P_TEMPLATE_GROUP = 0.03
MAX_COPIES = 40


class _StoryGenerator(_Pages):
    """Makes one story (origin page, copies, scraper copies) from a base."""

    def story(
        self,
        r: random.Random,
        base: Base,
        base_index: int,
        budget: int,
        *,
        kind: str = "wire",
        max_copies: int = MAX_COPIES,
    ) -> Story:
        agency: Agency | None = None
        outlet_origin: OutletOrigin | None = None
        if r.random() < P_OUTLET_ORIGIN:
            outlet_origin = r.choice(OUTLET_ORIGINS)
            origin = outlet_origin.domain
            city, country = r.choice(WORLD_CITIES + INDIAN_CITIES)
        else:
            agency = r.choices(AGENCIES, _AGENCY_WEIGHTS)[0]
            origin = agency.name
            city, country = r.choice(INDIAN_CITIES if agency.indian else WORLD_CITIES)
        t0 = _EPOCH0 + timedelta(minutes=r.randrange(366 * 24 * 60))
        present = r.random() < P_AGENCY_PAGE
        if present and r.random() < P_SINGLETON:
            copies = 0
        else:
            copies = min(max_copies, int(r.paretovariate(1.3)))
        copies = max(0, min(copies, budget - (1 if present else 0)))
        if not present and copies == 0:
            copies = 1
        fill = {
            "CITY": city.upper(),
            "City": city,
            "Country": country,
            "Month": MONTHS[t0.month - 1],
            "Mon": MONTHS_SHORT[t0.month - 1],
            "d": t0.day,
            "year": t0.year,
        }
        dateline = agency.dateline.format(**fill) if agency else ""
        bare = f"{city}: "
        tails: list[str] = []
        if agency:
            for tail in agency.tails:
                tails.append(
                    tail.format(
                        year=t0.year,
                        n1=_name(r),
                        n2=_name(r),
                        n3=_name(r),
                        City=city,
                        initials=f"bur-{_letters(r, 3)}/{_letters(r, 2)}",
                        desk=f"{_letters(r, 3).upper()} {_letters(r, 2).upper()}",
                        desk2=f"{_letters(r, 2)}/{_letters(r, 3)}",
                    )
                )
        pages: list[_Page] = []
        title = base.title
        if present:
            head_title = title
            if agency and agency.name == "Reuters" and r.random() < 0.1:
                head_title = f"UPDATE 1-{title}"
            lines = [dateline + base.paragraphs[0], *base.paragraphs[1:], *tails]
            byline = r.random() < 0.3 and not agency
            if byline:
                lines.insert(0, f"By {_name(r)}")
            if agency:
                template, outlet_name = agency.url, agency.name
            else:
                assert outlet_origin is not None
                template, outlet_name = outlet_origin.url, outlet_origin.domain
            when = t0 if r.random() > 0.05 else None
            record = self._record(
                text="\n\n".join(lines),
                title=head_title,
                url_template=template,
                outlet=outlet_name,
                when=when,
                nominal=t0,
            )
            pages.append(_Page(record, t0, order=0))
        origin_url = pages[0].record["url"] if pages else None
        for i in range(copies):
            parents = [p for p in pages if p.record["url"]]
            if parents and (i > 0 or present) and r.random() < P_SCRAPER:
                pages.append(self._scraper(r, parents, len(pages)))
                continue
            outlet = r.choice(
                _OUTLETS_IN if (agency and agency.indian) or r.random() < 0.1 else _OUTLETS_OTHER
            )
            pages.append(
                self._copy(
                    r,
                    base,
                    base_index,
                    outlet,
                    agency,
                    outlet_origin,
                    dateline=dateline,
                    bare=bare,
                    tails=tails,
                    t0=t0,
                    faithful=not present and i == 0,
                    origin_url=origin_url,
                    order=len(pages),
                )
            )
        alternatives: list[str] = []
        if present:
            canonical = pages[0]
        else:
            candidates = [p for p in pages if not p.scraper]
            canonical = min(candidates, key=_completeness)
            faithful = _completeness(canonical)[:3]
            alternatives = [
                p.record["id"]
                for p in candidates
                if p is not canonical and _completeness(p)[:3] == faithful
            ]
        scrapers = sum(p.scraper for p in pages)
        trimmed = sum(not p.complete for p in pages)
        what = {"wire": f"{origin} story", "outlet": f"{origin} story"}.get(kind, kind)
        note = (
            f"{what}; origin page {'present' if present else 'absent'}; "
            f"{len(pages) - (1 if present else 0)} copies ({scrapers} scraper, {trimmed} abridged)"
        )
        named = present or any(_names_origin(p.record, agency, outlet_origin) for p in pages)
        if not named:
            note += "; no record names the origin"
        gold = self._gold(
            pages, origin if named else None, canonical.record["id"], note, alternatives
        )
        story_kind = kind if kind != "wire" or agency else "outlet"
        return Story(tuple(p.record for p in pages), gold, story_kind)

    def _copy(
        self,
        r: random.Random,
        base: Base,
        base_index: int,
        outlet: Outlet,
        agency: Agency | None,
        outlet_origin: OutletOrigin | None,
        *,
        dateline: str,
        bare: str,
        tails: list[str],
        t0: datetime,
        faithful: bool,
        origin_url: str | None,
        order: int,
    ) -> _Page:
        paras = list(base.paragraphs)
        page = _Page({}, None, order=order)
        # body: trim, teaser, inserted update, light edits
        roll = r.random()
        teaser = False
        if not faithful and len(paras) > 2 and roll < 0.3:
            keep = len(paras) - r.randint(1, min(3, len(paras) - 2))
            paras = paras[:keep]
            page.complete = False
        elif not faithful and roll < 0.36:
            paras = paras[: r.randint(1, 2)]
            page.complete, teaser = False, True
        if not faithful and not teaser and r.random() < 0.1:
            if r.random() < 0.6:
                update = r.choice(UPDATE_SENTENCES).format(
                    name=_name(r), weekday=r.choice(WEEKDAYS), city=r.choice(WORLD_CITIES)[0]
                )
            else:
                update = r.choice(self.neighbour(r, base_index).paragraphs)
            paras.insert(r.randint(1, len(paras)), update)
            page.inserted = 1
        if not faithful and r.random() < 0.3:
            paras = [_edit(r, p) for p in paras]
            page.edited = True
        # dateline
        style = outlet.dateline if r.random() < 0.8 else r.choice(("keep", "bare", "none"))
        if agency is None or (agency.name == "Bloomberg" and style == "bare"):
            style = "keep"
        lead = {"keep": dateline, "bare": bare, "none": ""}[style]
        paras[0] = lead + paras[0]
        added = 0
        head: list[str] = []
        title = _headline(r, base, agency)
        if r.random() < 0.1:
            head.append(title)
            if r.random() < 0.5:
                head.append(f"“{title}”")
        if r.random() < 0.15:
            who = agency.name if agency and r.random() < 0.5 else _name(r)
            head.append(f"By {who}")
        if r.random() < 0.12:
            subject = " ".join(title.split()[:3])
            head.append(f"{subject} {r.choice(CAPTION_TAILS)}. (File)")
        elif agency and agency.name == "AP" and r.random() < 0.1:
            head.append(f"(AP Photo/{_name(r)})")
        elif agency and agency.name == "Reuters" and r.random() < 0.1:
            head.append(f"FILE PHOTO: {title}. REUTERS/{_name(r)}/File Photo")
        added += len(head)
        body = paras
        if r.random() < 0.2 and len(body) > 2:
            body.insert(r.randint(1, len(body) - 1), "Advertisement")
            added += 1
        if r.random() < 0.05 and len(body) > 3:
            body.insert(r.randint(2, len(body) - 1), "Story continues below advertisement")
            added += 1
        tail: list[str] = []
        if teaser:
            tail.append("Read more")
        # the original's own credit lines: kept by some copies, not counted as added material
        credits = [line for line in tails if r.random() < 0.4] if not teaser else []
        source_link = None
        if outlet_origin is not None and outlet_origin.note and r.random() < 0.8:
            tail.append(outlet_origin.note.format(title=base.title))
            if r.random() < 0.7:
                source_link = origin_url
        if (
            agency is not None
            and outlet.disclaimer
            and r.random() < 0.85
            and (outlet.disclaimer != "print" or agency.indian)
        ):
            tail.append(DISCLAIMERS[outlet.disclaimer].format(agency=agency.name))
        if r.random() < 0.15:
            other = _sentence_case(self.neighbour(r, base_index).title)
            tail.append(r.choice(FURNITURE_TAIL).format(other=other))
        if r.random() < 0.08:
            words = [w for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3][:4]
            if len(words) >= 2:
                tail.append(",".join([words[0], f"{words[0]} {words[1]}".lower(), *words[2:]]))
        added += len(tail)
        page.added = added
        delay = timedelta(minutes=max(2.0, r.lognormvariate(4.0, 1.2)))
        nominal = t0 + delay
        page.when = nominal if r.random() > 0.15 else None
        page.record = self._record(
            text="\n\n".join([*head, *body, *credits, *tail]),
            title=title,
            url_template=f"https://www.{outlet.domain}/{outlet.section}/{{slug}}-{{num}}",
            outlet=outlet.domain,
            when=page.when,
            nominal=nominal,
            source_link=source_link,
        )
        page.when = nominal
        return page

    def _scraper(self, r: random.Random, parents: list[_Page], order: int) -> _Page:
        plain = [p for p in parents if not p.scraper]
        parent = r.choice(plain if plain and r.random() < 0.85 else parents)
        up = parent.record
        nominal = (parent.when or _EPOCH0) + timedelta(minutes=max(1.0, r.lognormvariate(3, 1)))
        lines: list[str] = []
        if r.random() < 0.7:
            lines.append(f"You are currently viewing {up['title']}")
        if r.random() < 0.6:
            lines.append(nominal.strftime("%Y-%m-%d %H:%M:%S"))
        lines.append(up["text"])
        if r.random() < 0.9:
            lines.append("Source link")
        if r.random() < 0.3:
            lines.append("Like this:\n\nLike Loading...")
        elif r.random() < 0.2:
            lines.append("Loading")
        domain = r.choice(SCRAPERS)
        record = self._record(
            text="\n\n".join(lines),
            title=up["title"],
            url_template=f"https://{domain}/{{date}}/{{slug}}-{{num}}/",
            outlet=domain,
            when=nominal if r.random() > 0.1 else None,
            nominal=nominal,
            source_link=up["url"],
        )
        return _Page(
            record,
            nominal,
            scraper=True,
            complete=parent.complete,
            inserted=parent.inserted,
            edited=parent.edited,
            added=parent.added + len(lines) - 1,
            order=order,
        )


def _names_origin(
    record: dict[str, Any], agency: Agency | None, outlet_origin: OutletOrigin | None
) -> bool:
    """Whether a page names its story's origin anywhere (credit, dateline, disclaimer,
    byline, republication note, link): without such a page the gold leaves ``origin`` empty,
    since no method could name it."""
    text = f"{record.get('title') or ''}\n{record['text']}"
    if agency is not None:
        names = [re.escape(agency.name)] + (["Associated Press"] if agency.name == "AP" else [])
        if agency.name == "AFP":
            names.append(r"^bur-")
        return re.search(rf"\b(?:{'|'.join(names)})", text, re.MULTILINE) is not None
    assert outlet_origin is not None
    note = max((outlet_origin.note or "").split("{title}"), key=len).strip()
    return bool(note and note in text) or bool(
        record.get("source_link") and outlet_origin.domain in str(record["source_link"])
    )


def _letters(r: random.Random, n: int) -> str:
    return "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _edit(r: random.Random, text: str) -> str:
    """Light copy-desk edits, each occurrence with probability one half."""

    def swap(match: re.Match[str]) -> str:
        word = match.group()
        if r.random() < 0.5:
            return word
        if word[0].isdigit():
            return word.replace(",", "")
        return SYNONYMS[word]

    return _EDIT.sub(swap, text)


def _headline(r: random.Random, base: Base, agency: Agency | None) -> str:
    title = _sentence_case(base.title)
    roll = r.random()
    if roll < 0.2:
        return title
    if roll < 0.45:
        words = base.paragraphs[0].split()[: r.randint(7, 12)]
        return " ".join(words).rstrip(",;:") if words else title
    if roll < 0.6:
        return f"{title} | {r.choice(('World News', 'Latest News', 'News', 'Business'))}"
    if roll < 0.7 and agency:
        return f"{title}: {agency.name}"
    if roll < 0.8:
        return f"{title}, says {r.choice(LAST_NAMES)}"
    words = title.split()
    if len(words) > 4:
        cut = r.randint(2, len(words) - 2)
        return " ".join([*words[cut:], "-", *words[:cut]])
    return title
