"""A seeded synthetic venue table with ground truth, for the entity-resolution benchmark (bench/er.py).

Each real-world venue ("entity") appears 1-4 times, each copy written the way another source
would write it: typos, "The" added or dropped, "&" for "and", theatre/theater, street types and
directions abbreviated or spelled out, units and whole addresses in the street field, missing
fields, six phone formats, ZIP+4, coordinates a few metres off, website URLs in several shapes.
Hard cases are built in on purpose:

- complexes: 2-4 rooms with different names at one address, with switchboard phones one digit
  apart and often one website (different entities);
- chains and common names: the same name in other cities (different entities);
- renamed venues: a copy with a new name at the same address and phone (same entity).

``generate(rows, seed)`` is deterministic for a seed and fast (about a million rows in a few
seconds): everything is drawn from small pools with one ``random.Random``. Usage:

    .venv/bin/python -m bench.er_synth --rows 100000 --out /tmp/venues.csv

writes id,name,addr,city,phone,postcode,country,lat,lng,website and a truth file (id,entity).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

COLUMNS = ("id", "name", "addr", "city", "phone", "postcode", "country", "lat", "lng", "website")

_ADJ = (
    "blue red black white golden silver green crimson velvet electric royal grand little big old new "
    "lucky wild lonely happy hidden secret rusty broken dusty sunny midnight neon crystal copper iron "
    "silent loud sleepy hungry thirsty crooked twisted empty jolly merry brave proud gentle savage "
    "rolling flying dancing singing howling burning frozen hollow lost lazy mighty noble quiet rapid "
    "shady sharp smoky sweet tall tiny wicked wise young ancient amber azure cosmic dark early final "
    "first free glass high honest hot last lone low lunar magic modern mystic native northern "
    "open orange pink plain prime pure purple rebel rose round ruby sacred scarlet second solar "
    "southern spare square star steady stone strange summer tender third true twin upper urban vintage "
    "violet warm western winter wooden yellow"
).split()
_NOUN = (
    "moon star sun river lake bridge tower garden owl fox wolf bear crow raven eagle horse lion tiger "
    "rose lily oak pine maple willow anchor barrel bottle cellar chapel church mill forge foundry "
    "factory depot station harbor wharf dock pier lantern candle mirror window door gate key lock "
    "crown throne castle palace temple shrine market square corner alley avenue boulevard canyon "
    "valley mountain hill meadow field forest island ocean wave tide storm thunder lightning cloud "
    "rain snow frost fire flame ember ash smoke spark arrow bow sword shield hammer anvil wheel "
    "compass map ship sail boat train rocket comet planet galaxy orbit saturn jupiter mercury venus "
    "mars neptune apollo atlas orion phoenix dragon griffin unicorn siren mermaid pirate cowboy "
    "bandit outlaw sheriff ranger hunter sailor soldier king queen prince duke baron knight bishop "
    "monk nun saint devil angel ghost spirit shadow echo whisper rhythm melody harmony chord note "
    "tempo groove jam swing blues jazz soul funk rock punk metal disco folk gospel opera ballad "
    "record vinyl needle speaker amp drum guitar piano violin trumpet horn bass banjo fiddle harp "
    "organ whistle bell gong cymbal tambourine kettle cup mug glass pint tap still brew hop barley "
    "rye bourbon whiskey gin rum tequila wine cider mead coffee tea honey sugar salt pepper"
).split()
_TYPES = (
    "Tavern",
    "Bar",
    "Club",
    "Lounge",
    "Theatre",
    "Hall",
    "Room",
    "Cafe",
    "Saloon",
    "Ballroom",
    "Pub",
    "Music Hall",
    "Social Club",
    "Listening Room",
    "Taproom",
    "Cabaret",
    "Arena",
    "Amphitheatre",
    "Playhouse",
    "Opera House",
    "Jazz Club",
    "Supper Club",
    "Beer Garden",
    "Roadhouse",
)
_SURNAMES = (
    "smith johnson williams brown jones miller davis garcia rodriguez wilson martinez anderson taylor "
    "thomas hernandez moore martin jackson thompson white lopez lee gonzalez harris clark lewis "
    "robinson walker perez hall young allen sanchez wright king scott green baker adams nelson hill "
    "ramirez campbell mitchell roberts carter phillips evans turner torres parker collins edwards "
    "stewart flores morris nguyen murphy rivera cook rogers morgan peterson cooper reed bailey bell "
    "gomez kelly howard ward cox diaz richardson wood watson brooks bennett gray james reyes cruz "
    "hughes price myers long foster sanders ross morales powell sullivan russell ortiz jenkins "
    "gutierrez perry butler barnes fisher henderson coleman simmons patterson jordan reynolds "
    "hamilton graham kim gonzales alexander ramos wallace griffin west cole hayes chavez gibson "
    "bryant ellis stevens murray ford marshall owens mcdonald harrison ruiz kennedy wells alvarez"
).split()
_FIRST = (
    "jimmy johnny billy bobby tommy frank joe sam max jack charlie harry louie eddie ray al mo sal "
    "rosie molly lucy ruby sadie daisy maggie nora stella ella ida mae june kitty"
).split()
_STREETS = (
    "Main Pike Pine Madison Union Spring Market Broadway Elm Oak Maple Cedar Walnut Chestnut Park "
    "Lake River Hill Church Mill Water Front High Center Grand Washington Jefferson Lincoln Adams "
    "Jackson Franklin Monroe Wilson Harrison Clinton Grant Cleveland Roosevelt Kennedy Fremont "
    "Mission Valencia Folsom Howard Harvard Yale Denny Stewart Virginia Lenora Blanchard Bell "
    "Wall Canal Bleecker Houston Delancey Bowery Ludlow Orchard Essex Clark State Wabash Halsted "
    "Division Belmont Fullerton Diversey Irving Sunset Melrose Fairfax Vine Hollywood Wilshire "
    "Colfax Larimer Blake Wazee Champa Curtis Lamar Congress Guadalupe Burnet Peachtree Piedmont "
    "Ponce Euclid Magazine Tchoupitoulas Frenchmen Decatur Royal Bourbon Dauphine Rampart Beale "
    "Poplar Madison Cooper Summit Ridge Forest Prospect Highland Sheridan Lakeshore Ocean Bay"
).split()
_STREET_TYPES = (("Street", "St"), ("Avenue", "Ave"), ("Boulevard", "Blvd"), ("Road", "Rd"), ("Drive", "Dr"))
_DIRS = (("North", "N"), ("South", "S"), ("East", "E"), ("West", "W"))
_CHAINS = (
    "House of Blues|The Fillmore|Hard Rock Cafe|Blue Note|The Roxy|The Troubadour|Brooklyn Bowl|"
    "City Winery|The Cavern Club|Knitting Factory|The Basement|The Bluebird|Whisky a Go Go|"
    "Paradise Rock Club|The Sinclair|Mercury Lounge|Bowery Ballroom|The Echo|The Independent|"
    "Boot Barn Hall|Jazz Standard|The Stone Pony|Red Rocks|The Vogue|The Orpheum|The Palladium|"
    "Apollo Theater|The Paramount|The Majestic|The Rialto|The State Theatre|The Granada|"
    "The Ryman|The Tabernacle|The Wiltern|The Anthem|The Masonic|The Warfield|The Showbox|Neumos"
).split("|")
_COMPLEX_ROOMS = ("Main Stage", "Back Room", "Upstairs", "Lounge", "Studio", "Annex", "Cellar", "Loft")
_STATE_AREA = (
    ("WA", ("206", "253", "425", "360", "509")),
    ("NY", ("212", "718", "646", "917", "347")),
    ("CA", ("213", "310", "415", "510", "619", "714", "818", "916")),
    ("IL", ("312", "773", "630", "847")),
    ("TX", ("512", "713", "214", "210", "817")),
    ("GA", ("404", "678", "770")),
    ("OR", ("503", "541", "971")),
    ("CO", ("303", "720", "719")),
    ("LA", ("504", "225", "318")),
    ("TN", ("615", "901", "865")),
    ("MA", ("617", "508", "781")),
    ("FL", ("305", "407", "813", "954")),
    ("NV", ("702", "775")),
    ("AZ", ("602", "480", "520")),
    ("MN", ("612", "651", "952")),
    ("PA", ("215", "412", "610")),
)
_CITY_WORDS = (
    "spring river lake oak pine cedar maple ash elm willow fair green white black red rock stone "
    "sand bay port mill brook field wood land dale view mount glen haven ridge falls creek"
).split()
_CITY_SUFFIX = ("ville", "ton", "burg", "field", "wood", "ford", "port", " City", " Springs", " Heights")
_BIG_CITIES = (
    ("Seattle", "WA"),
    ("New York", "NY"),
    ("Los Angeles", "CA"),
    ("Chicago", "IL"),
    ("Austin", "TX"),
    ("Atlanta", "GA"),
    ("Portland", "OR"),
    ("Denver", "CO"),
    ("New Orleans", "LA"),
    ("Nashville", "TN"),
    ("Boston", "MA"),
    ("Miami", "FL"),
    ("Las Vegas", "NV"),
    ("Phoenix", "AZ"),
    ("Minneapolis", "MN"),
    ("Philadelphia", "PA"),
    ("San Francisco", "CA"),
    ("Houston", "TX"),
    ("Saint Louis", "MN"),
    ("Brooklyn", "NY"),
)


class _Rng(random.Random):
    """random.Random with cheaper choice/randrange (one random() call each); seeded, deterministic."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randrange(self, start, stop=None, step=1):
        if stop is None:
            start, stop = 0, start
        return start + int(self.random() * (stop - start))


@dataclass(frozen=True, slots=True)
class City:
    name: str
    state: str
    areas: tuple[str, ...]
    zips: tuple[str, ...]
    lat: float
    lng: float


def _cities(rng: random.Random, n: int) -> list[City]:
    areas = dict(_STATE_AREA)
    states = [s for s, _ in _STATE_AREA]
    out: list[City] = []
    seen: set[str] = set()
    for name, state in _BIG_CITIES:
        seen.add(name)
        out.append(_city(rng, name, state, areas[state]))
    while len(out) < n:
        name = (rng.choice(_CITY_WORDS) + rng.choice(_CITY_WORDS) + rng.choice(_CITY_SUFFIX)).capitalize()
        if rng.random() < 0.3:
            name = f"{rng.choice(('North', 'South', 'East', 'West', 'Lake', 'Mount', 'Fort'))} {name}"
        if name in seen:
            continue
        seen.add(name)
        state = rng.choice(states)
        out.append(_city(rng, name, state, areas[state]))
    return out


def _city(rng: random.Random, name: str, state: str, areas: tuple[str, ...]) -> City:
    base = rng.randrange(10000, 99000)
    zips = tuple(f"{base + i:05d}" for i in range(rng.randrange(1, 12)))
    return City(name, state, areas, zips, rng.uniform(26.0, 48.0), rng.uniform(-122.0, -71.0))


@dataclass(slots=True)
class Entity:
    name: str
    number: int
    street: str  # e.g. "Pike", direction and type separate
    direction: int  # -1 none, else index into _DIRS
    street_type: int
    city: City
    zip: str
    phone: str  # 10 digits
    lat: float
    lng: float
    website: str | None


def _phone(rng: random.Random, city: City) -> str:
    exchange = rng.randrange(200, 1000)
    while exchange % 100 == 11:  # N11 exchanges are not valid numbers
        exchange = rng.randrange(200, 1000)
    return f"{rng.choice(city.areas)}{exchange}{rng.randrange(10000):04d}"


def _venue_name(rng: random.Random) -> str:
    # Pools big enough that two venues of one city rarely share a name by chance (as in real
    # listings), while common patterns ("The Blue Moon") still recur across cities.
    rnd = rng.random
    adj, noun, kind = _ADJ_T, _NOUN_T, _TYPES
    r = rnd()
    if r < 0.25:
        return f"{adj[int(rnd() * len(adj))]} {noun[int(rnd() * len(noun))]} {kind[int(rnd() * len(kind))]}"
    if r < 0.40:
        return f"The {adj[int(rnd() * len(adj))]} {noun[int(rnd() * len(noun))]}"
    if r < 0.55:
        surname = _SURNAMES_T[int(rnd() * len(_SURNAMES_T))]
        return f"{surname}'s {noun[int(rnd() * len(noun))]} {kind[int(rnd() * len(kind))]}"
    if r < 0.67:
        return f"{noun[int(rnd() * len(noun))]} & {noun[int(rnd() * len(noun))]}"
    if r < 0.77:
        first, surname = _FIRST_T[int(rnd() * len(_FIRST_T))], _SURNAMES_T[int(rnd() * len(_SURNAMES_T))]
        return f"{first} {surname} {kind[int(rnd() * len(kind))]}"
    if r < 0.90:
        return (
            f"The {adj[int(rnd() * len(adj))]} {noun[int(rnd() * len(noun))]} {kind[int(rnd() * len(kind))]}"
        )
    return f"{noun[int(rnd() * len(noun))]} {noun[int(rnd() * len(noun))]}"


# The pools title-cased once (what _title would make of each word).
_ADJ_T = [w.capitalize() for w in _ADJ]
_NOUN_T = [w.capitalize() for w in _NOUN]
_SURNAMES_T = [w.capitalize() for w in _SURNAMES]
_FIRST_T = [w.capitalize() for w in _FIRST]


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _slug(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def _title(s: str) -> str:
    return " ".join(w[:1].upper() + w[1:] for w in s.split(" "))


def _entities(rng: random.Random, count: int, cities: list[City]) -> Iterator[tuple[Entity, int]]:
    """(entity, complex id or -1); Zipf-like city sizes."""
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(cities))]
    cum: list[float] = []
    total = 0.0
    for w in weights:
        total += w
        cum.append(total)
    made = 0
    complex_id = 0
    while made < count:
        city = rng.choices(cities, cum_weights=cum)[0]
        r = rng.random()
        if r < 0.02:  # a complex of rooms: one address, switchboard phones, often one website
            rooms = rng.randrange(2, 5)
            base = _venue_name(rng)
            street = rng.choice(_STREETS)
            number = rng.randrange(1, 9999)
            phone = _phone(rng, city)
            lat, lng = city.lat + rng.uniform(-0.1, 0.1), city.lng + rng.uniform(-0.1, 0.1)
            site = f"{_slug(base)}{complex_id}.com" if rng.random() < 0.7 else None  # one per complex
            direction, stype, zip_ = rng.randrange(-1, 4), rng.randrange(5), rng.choice(city.zips)
            for k in range(rooms):
                if k == 0:
                    name = base
                elif rng.random() < 0.5:
                    name = f"{base} {rng.choice(_COMPLEX_ROOMS)}"
                else:
                    name = _venue_name(rng)
                last = (int(phone[-1]) + k) % 10
                yield (
                    Entity(
                        name,
                        number,
                        street,
                        direction,
                        stype,
                        city,
                        zip_,
                        phone[:-1] + str(last),
                        lat + rng.uniform(-3e-5, 3e-5),
                        lng + rng.uniform(-3e-5, 3e-5),
                        site,
                    ),
                    complex_id,
                )
                made += 1
            complex_id += 1
            continue
        chain = r < 0.03
        name = rng.choice(_CHAINS) if chain else _venue_name(rng)
        # A chain's locations share its domain; an independent venue's domain is its own.
        site = f"{_slug(name)}.com" if chain else f"{_slug(name)}{made}.com"
        yield (
            Entity(
                name,
                rng.randrange(1, 9999),
                rng.choice(_STREETS),
                rng.randrange(-1, 4),
                rng.randrange(5),
                city,
                rng.choice(city.zips),
                _phone(rng, city),
                city.lat + rng.uniform(-0.1, 0.1),
                city.lng + rng.uniform(-0.1, 0.1),
                site if rng.random() < 0.6 else None,
            ),
            -1,
        )
        made += 1


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _typo(rng: random.Random, s: str) -> str:
    if len(s) < 4:
        return s
    i = rng.randrange(1, len(s) - 1)
    op = rng.randrange(4)
    if op == 0:
        return s[:i] + s[i + 1 :]
    if op == 1:
        return s[:i] + rng.choice(_LETTERS) + s[i:]
    if op == 2:
        return s[:i] + rng.choice(_LETTERS) + s[i + 1 :]
    return s[: i - 1] + s[i] + s[i - 1] + s[i + 1 :]


def _name_variant(rng: random.Random, name: str) -> str:
    if rng.random() < 0.25:
        name = name[4:] if name.startswith("The ") else "The " + name
    if rng.random() < 0.10:
        name = name.replace(" & ", " and ") if " & " in name else name.replace(" and ", " & ")
    if rng.random() < 0.10:
        name = name.replace("Theatre", "Theater").replace("'s", "s")
    if rng.random() < 0.10:
        name = _typo(rng, name)
    r = rng.random()
    if r < 0.10:
        name = name.upper()
    elif r < 0.2:
        name = name.lower()
    return name


def _street(rng: random.Random, e: Entity) -> str:
    long_form = rng.random() < 0.5
    parts = [str(e.number)]
    if e.direction >= 0:
        parts.append(_DIRS[e.direction][0 if rng.random() < 0.5 else 1])
    parts.append(e.street)
    stype = _STREET_TYPES[e.street_type]
    parts.append(stype[0] if long_form else stype[1] + ("." if rng.random() < 0.3 else ""))
    street = " ".join(parts)
    r = rng.random()
    if r < 0.05:
        street += f", Suite {rng.randrange(1, 400)}"
    elif r < 0.10:
        street += f", {e.city.name}, {e.city.state} {e.zip}"
    elif r < 0.14:
        street = _typo(rng, street)
    return street


def _phone_text(rng: random.Random, digits: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    return rng.choice(
        (f"({a}) {b}-{c}", f"{a}-{b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", digits, f"1-{a}-{b}-{c}")
    )


def _record(rng: random.Random, e: Entity, *, renamed: bool) -> list[str]:
    rnd = rng.random
    name = _venue_name(rng) if renamed else _name_variant(rng, e.name)
    city = "" if rnd() < 0.05 else e.city.name
    if city and rnd() < 0.03:
        city = _typo(rng, city)
    elif city.startswith("Saint ") and rnd() < 0.5:
        city = "St. " + city[6:]
    website = ""
    if e.website and rnd() < 0.5:
        website = rng.choice((f"https://www.{e.website}/", e.website, f"http://{e.website}/events"))
    return [
        name,
        "" if rnd() < 0.15 else _street(rng, e),
        city,
        "" if rnd() < 0.25 else _phone_text(rng, e.phone),
        "" if rnd() < 0.5 else (e.zip if rnd() < 0.8 else f"{e.zip}-{rng.randrange(10000):04d}"),
        "" if rnd() < 0.6 else rng.choice(("US", "USA", "United States")),
        "" if rnd() < 0.5 else f"{e.lat + rng.uniform(-1e-4, 1e-4):.6f}",
        "",  # lng filled below so lat and lng are given together
        website,
    ]


def generate(rows: int, seed: int = 42) -> tuple[list[list[str]], list[int]]:
    """``rows`` records (columns as COLUMNS, all strings) and the entity number of each."""
    rng = _Rng(seed)
    cities = _cities(rng, max(50, min(3000, rows // 300)))
    records: list[list[str]] = []
    truth: list[int] = []
    # 1 copy: 55%, 2: 28%, 3: 12%, 4: 5% (mean ~1.67 rows per venue)
    copies = rng.choices((1, 2, 3, 4), weights=(55, 28, 12, 5), k=rows)
    entity_no = 0
    for e, _complex in _entities(rng, rows, cities):
        for k in range(copies[entity_no]):
            rec = _record(rng, e, renamed=k > 0 and rng.random() < 0.005)
            if rec[6]:
                rec[7] = f"{e.lng + rng.uniform(-1e-4, 1e-4):.6f}"
            records.append(rec)
            truth.append(entity_no)
            if len(records) == rows:
                break
        entity_no += 1
        if len(records) == rows:
            break
    order = list(range(rows))
    rng.shuffle(order)
    shuffled = [[str(i + 1), *records[j]] for i, j in enumerate(order)]
    return shuffled, [truth[j] for j in order]


def write_csv(path: Path, records: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        w.writerows(records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    t = time.perf_counter()
    records, truth = generate(args.rows, args.seed)
    took = time.perf_counter() - t
    write_csv(args.out, records)
    with args.out.with_suffix(".truth.csv").open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(("id", "entity"))
        w.writerows((r[0], t) for r, t in zip(records, truth, strict=True))
    print(f"{len(records)} rows, {len(set(truth))} venues in {took:.1f}s -> {args.out}")


if __name__ == "__main__":
    main()
