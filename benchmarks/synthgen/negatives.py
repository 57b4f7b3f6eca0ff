"""Hard negatives: quote-sharing stories and templated look-alikes (invented templates,
random entities)."""

from __future__ import annotations

import random
from datetime import timedelta

from .outlets import _AGENCY_WEIGHTS, AGENCIES, FIRST_NAMES, WEEKDAYS, WORLD_CITIES, _split
from .pages import _EPOCH0, Story, _Page
from .pool import _SENTENCE, Base
from .relex import _Relex
from .stories import _StoryGenerator

TEMPLATES = (
    (
        "{company} {quarter} profit {rises} to {m1} mln {cur}",
        "{company} said on {weekday} its {quarter} net profit {rose} to {m1} million {cur} from "
        "{m2} million {cur} a year earlier, on revenue of {r1} billion {cur}, {beat} analyst "
        "forecasts. The {city}-based {sector} group said it expects full-year sales growth of "
        "{p1} to {p2} percent and will pay a dividend of {d} cents per share. Chief executive "
        "{person} said demand in {region} remained strong but warned that higher {cost} costs "
        "could weigh on margins in the second half. Shares in {company} closed {updown} {p3} "
        "percent at {price} {cur} on {weekday}.",
    ),
    (
        "{team1} beat {team2} {g1}-{g2}",
        "{team1} beat {team2} {g1}-{g2} in the {league} on {weekday}, with {player1} scoring "
        "twice before half-time in front of {crowd} fans at the {stadium} stadium. {team2} "
        "pulled one back through {player2} after the break, but {team1} held on to move {n} "
        "points clear in {pos} place. Coach {person} said the win showed the character of the "
        "squad after a difficult run of {k} games without a victory. {team1} travel to {city} "
        "next {weekday2} while {team2} host {team3}.",
    ),
    (
        "{index} closes {updown} {pct} pct",
        "The {index} index closed {updown} {pts} points, or {pct} percent, at {lvl} on "
        "{weekday}, as investors weighed {factor} ahead of a central bank meeting next week. "
        "Trading volume was {vol} million shares, {morefewer} than the {days}-day average. "
        "{sector} stocks led the move, with {company} {moving} {pct2} percent after {news}. The "
        "{cur} traded at {fx} per dollar, while yields on ten-year government bonds {rosefell} "
        "to {y} percent.",
    ),
    (
        "{n} killed in {vehicle} crash near {town}",
        "Police in {city} said {n} people were killed and {m} injured on {weekday} when a "
        "{vehicle} collided with a {vehicle2} on the {road} highway near {town}. Rescue teams "
        "worked for {h} hours to free passengers trapped in the wreckage, a {dept} spokesman "
        "said. The injured were taken to the {hospital} hospital, where {k} remained in "
        "critical condition. Authorities have opened an investigation into the cause of the "
        "crash, which happened in heavy {weather} shortly after {hour} o'clock.",
    ),
)
_SYLLABLES = _split("ka lo mer tan vi dor sel bra nu quin ros tel mar zen pol dra fin gal hor lin")


def _coined(r: random.Random, parts: int = 2) -> str:
    return "".join(r.choice(_SYLLABLES) for _ in range(parts)).capitalize()


def _fill_template(r: random.Random, template: tuple[str, str]) -> tuple[str, str]:
    up = r.random() < 0.5
    slots = {
        "company": f"{_coined(r)} {r.choice(('Holdings', 'Group', 'Industries', 'Corp', 'AG'))}",
        "quarter": r.choice(("first-quarter", "second-quarter", "third-quarter", "fourth-quarter")),
        "rises": "rises" if up else "falls",
        "rose": "rose" if up else "fell",
        "beat": "beating" if up else "missing",
        "m1": r.randint(12, 980),
        "m2": r.randint(12, 980),
        "r1": f"{r.uniform(1, 40):.2f}",
        "cur": r.choice(("euros", "dollars", "pounds", "Swiss francs", "yen")),
        "city": r.choice(WORLD_CITIES)[0],
        "sector": r.choice(("chemicals", "engineering", "retail", "software", "shipping")),
        "p1": r.randint(1, 5),
        "p2": r.randint(6, 12),
        "d": r.randint(5, 95),
        "person": f"{r.choice(FIRST_NAMES)} {_coined(r, 3)}",
        "region": r.choice(("Asia", "Europe", "North America", "Latin America", "Africa")),
        "cost": r.choice(("energy", "labour", "shipping", "raw material")),
        "updown": "up" if up else "down",
        "p3": f"{r.uniform(0.2, 9):.1f}",
        "price": f"{r.uniform(5, 300):.2f}",
        "weekday": r.choice(WEEKDAYS),
        "weekday2": r.choice(WEEKDAYS),
        "team1": f"{_coined(r)} {r.choice(('United', 'City', 'Rovers', 'FC'))}",
        "team2": f"{_coined(r)} {r.choice(('Athletic', 'Town', 'Wanderers', 'SC'))}",
        "team3": f"{_coined(r)} {r.choice(('Albion', 'County', 'Sporting'))}",
        "g1": r.randint(2, 5),
        "g2": r.randint(0, 1),
        "league": r.choice(("premier division", "first division", "national league")),
        "player1": f"{r.choice(FIRST_NAMES)} {_coined(r)}",
        "player2": f"{r.choice(FIRST_NAMES)} {_coined(r)}",
        "crowd": f"{r.randint(3, 80)},{r.randint(100, 999)}",
        "stadium": _coined(r, 3),
        "n": r.randint(2, 19),
        "pos": r.choice(("first", "second", "third", "fourth")),
        "k": r.randint(2, 9),
        "index": f"{_coined(r)} {r.choice(('All-Share', 'Composite', '50', 'General'))}",
        "pts": f"{r.uniform(1, 400):.2f}",
        "pct": f"{r.uniform(0.1, 3.5):.2f}",
        "lvl": f"{r.uniform(900, 40000):,.2f}",
        "factor": r.choice(("inflation data", "weak factory orders", "bond yields", "oil prices")),
        "vol": r.randint(40, 900),
        "morefewer": r.choice(("more", "fewer")),
        "days": r.choice((10, 20, 30, 50)),
        "moving": "rising" if up else "falling",
        "pct2": f"{r.uniform(1, 12):.1f}",
        "news": r.choice(("a profit warning", "a takeover bid", "a broker upgrade", "a lawsuit")),
        "fx": f"{r.uniform(0.5, 150):.2f}",
        "rosefell": r.choice(("rose", "fell")),
        "y": f"{r.uniform(0.5, 7):.2f}",
        "m": r.randint(3, 40),
        "vehicle": r.choice(("bus", "lorry", "minibus", "train")),
        "vehicle2": r.choice(("truck", "car", "tanker", "van")),
        "road": f"{_coined(r)}-{_coined(r)}",
        "town": _coined(r, 3),
        "h": r.randint(2, 9),
        "dept": r.choice(("fire department", "police", "civil defence")),
        "hospital": _coined(r, 3),
        "weather": r.choice(("rain", "fog", "snow")),
        "hour": r.randint(1, 11),
    }
    title, text = template
    return title.format(**slots), text.format(**slots)


class _Generator(_StoryGenerator):
    """The story generator with the hard negatives."""

    def quote_negative(
        self, r: random.Random, source: Base, base_index: int, budget: int
    ) -> Story | None:
        """A different story (re-lexicalized host) that quotes 1-2 sentences of ``source``."""
        sentences = [
            s for p in source.paragraphs for s in _SENTENCE.split(p) if len(s.split()) >= 8
        ]
        if not sentences:
            return None
        quoted = [s for s in sentences if '"' in s or "“" in s] or sentences
        picked = r.sample(quoted, min(len(quoted), r.randint(1, 2)))
        host_index = (base_index + 1 + r.randrange(max(1, self.pool.size - 1))) % self.pool.size
        host = self.pool.bases[host_index]
        key = f"{self.seed}:quote{self.clusters}"
        relex = _Relex(self.pool.vocabulary, self.codes)
        paras = [relex(p, key) for p in host.paragraphs]
        for sentence in picked:
            paras.insert(r.randint(1, len(paras)), sentence)
        base = Base(relex(host.title, key), tuple(paras))
        return self.story(r, base, host_index, budget, kind="quote_negative", max_copies=2)

    def template_group(self, r: random.Random, budget: int) -> list[Story]:
        """2-4 short items from one template, differing in names and numbers: singletons."""
        template = r.choice(TEMPLATES)
        stories = []
        for _ in range(min(budget, r.randint(2, 4))):
            title, text = _fill_template(r, template)
            when = _EPOCH0 + timedelta(minutes=r.randrange(366 * 24 * 60))
            agency = r.choices(AGENCIES, _AGENCY_WEIGHTS)[0]
            record = self._record(
                text=text,
                title=title,
                url_template=agency.url,
                outlet=agency.name,
                when=when,
                nominal=when,
            )
            page = _Page(record, when)
            gold = self._gold([page], agency.name, record["id"], "templated item (singleton)")
            stories.append(Story((record,), gold, "template"))
        return stories
