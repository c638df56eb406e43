"""Venue hard cases: a seeded table built the way real cities look, with the truth of every record.

``generate_venues(n, seed)`` makes about ``n`` venues (entities) in real cities of sixteen countries
and writes each 1-4 times, as different listings would. Every entity is generated for one case
family (``VENUE_FAMILIES``), and every record carries its entity, its family and, for the rooms of a
complex and the complex itself, the complex's id: a pair of records is the same venue, a room of the
other's complex ("room of"), or different. Nothing here looks at how any resolver works.

    .venv/bin/python -m bench.hardcases.venues --n 2000 --seed 7 --out /tmp/venues.csv

writes id,name,addr,city,phone,postcode,country,lat,lng,website (``manage.py dedupe_venues``'s
columns) and the truth beside it (``/tmp/venues.truth.csv``: id,entity_id,family,complex_id).
"""

from __future__ import annotations

import argparse
import csv
import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.hardcases import noise, vocab
from bench.hardcases.places import (
    CITIES,
    Address,
    City,
    Phone,
    city_weights,
    full_address,
    new_phone,
    render_city,
    render_country,
    render_phone,
    render_postcode,
    render_street,
    street_address,
    street_label,
)

COLUMNS = ("id", "name", "addr", "city", "phone", "postcode", "country", "lat", "lng", "website")
TRUTH_COLUMNS = ("id", "entity_id", "family", "complex_id")

# What each family is for (bench/README.md says the same).
VENUE_FAMILIES: dict[str, str] = {
    "plain": "an ordinary independent venue, written 1-4 times with everyday differences",
    "complex": "a complex and its 2-4 rooms at one address; rooms answer on the switchboard or one digit off; rooms are not duplicates of each other nor of the complex",
    "same_name_city": "2-3 different venues of one name in one city, at other numbers of the same street or on other streets",
    "same_name_elsewhere": "2-4 different venues of one name in other cities, often other countries",
    "chain": "a brand's locations in 3-6 cities (two in one city sometimes), sharing the brand's name and website",
    "renamed": "one venue listed under its old name, its new name, and 'New (formerly Old)'",
    "messy": "an ordinary venue written badly: typos, mojibake, units, cross streets, whole addresses in the street, missing fields",
    "common_name": "different venues with a name many venues have ('The Blue Room', 'La Cave', 'Der Keller')",
    "rare_name": "a venue with a name no other venue has, written with little else (no phone, address or coordinates often)",
}
# Share of entities per family, and the mean number of entities one group of the family makes:
# groups are drawn with weight share / size, so that entities come out in these shares.
_FAMILY_SHARE = {
    "plain": 26,
    "complex": 12,
    "same_name_city": 8,
    "same_name_elsewhere": 8,
    "chain": 8,
    "renamed": 8,
    "messy": 10,
    "common_name": 10,
    "rare_name": 10,
}
_GROUP_SIZE = {
    "complex": 4.0,
    "same_name_city": 2.33,
    "same_name_elsewhere": 2.6,
    "chain": 4.6,
    "common_name": 4.5,
}


@dataclass(frozen=True, slots=True)
class Noise:
    """Chances, per record, of each way a listing differs from the venue's own details."""

    article: float = 0.15  # "The"/"Le"/"El"... added or dropped
    type_word: float = 0.07  # "Bar"/"Club"/"Sala" dropped
    amp: float = 0.35  # "&" <-> "and" (when the name has either)
    city_suffix: float = 0.03  # "Blue Moon Berlin"
    accents: float = 0.12
    typo: float = 0.05
    case: float = 0.10
    mojibake: float = 0.0
    addr_missing: float = 0.10
    addr_typo: float = 0.04
    unit: float = 0.05
    cross: float = 0.03
    full_addr: float = 0.04
    city_missing: float = 0.05
    city_typo: float = 0.02
    phone_missing: float = 0.30
    extension: float = 0.03
    postcode_missing: float = 0.45
    country_missing: float = 0.40
    coords_missing: float = 0.50
    centroid: float = 0.03  # geocoded to the city centre
    website_missing: float = 0.50
    heavy: bool = False


NORMAL = Noise()
HEAVY = Noise(
    article=0.3,
    type_word=0.15,
    accents=0.3,
    typo=0.3,
    case=0.25,
    mojibake=0.05,
    addr_missing=0.25,
    addr_typo=0.2,
    unit=0.25,
    cross=0.2,
    full_addr=0.15,
    city_missing=0.15,
    city_typo=0.08,
    phone_missing=0.55,
    extension=0.1,
    postcode_missing=0.6,
    country_missing=0.6,
    coords_missing=0.8,
    centroid=0.1,
    website_missing=0.7,
    heavy=True,
)
SPARSE = replace(
    NORMAL, phone_missing=0.6, addr_missing=0.4, coords_missing=0.8, website_missing=0.7, typo=0.12
)


@dataclass(slots=True)
class VenueEntity:
    """One real venue: what its listings describe."""

    id: str
    family: str
    lang: str
    address: Address
    name: str  # its usual name
    phone: Phone | None
    website: str  # "" none, a domain ("bluemoon.de") or a page URL ("https://www.facebook.com/x")
    copies: int
    complex_id: str = ""  # the complex's entity id, for the complex itself and its rooms
    old_name: str = ""  # renamed venues: the name before
    chain_city_name: bool = False  # chain locations: the city sometimes follows the brand
    shared_phone: Phone | None = None  # a chain's central line, which some listings give
    room_word: str = ""  # rooms: "Lounge", "Sala 2"
    complex_name: str = ""  # rooms: the complex's name
    own_name: str = ""  # rooms with a name of their own
    floor: str = ""  # rooms: floor words their listings sometimes add to the street
    noise: Noise = field(default=NORMAL)

    @property
    def city(self) -> City:
        return self.address.city


@dataclass(slots=True)
class VenueSet:
    rows: list[dict[str, str]]
    truth: list[dict[str, str]]
    entities: list[VenueEntity]
    seed: int

    def write(self, path: Path) -> Path:
        """Write the table to ``path`` and the truth beside it (``<stem>.truth.csv``); returns the latter."""
        _write(path, COLUMNS, self.rows)
        truth_path = path.with_name(path.stem + ".truth.csv")
        _write(truth_path, TRUTH_COLUMNS, self.truth)
        return truth_path


def _write(path: Path, columns: Sequence[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(columns))
        writer.writeheader()
        writer.writerows(rows)


# --- building entities ----------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _NOT_ALNUM.sub("", noise.strip_accents(text).lower())


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.entities: list[VenueEntity] = []
        self.complexes = 0
        self._weights = city_weights()
        self._names_used: set[str] = set()
        self._rare = list(vocab.RARE_WORDS)
        rng.shuffle(self._rare)

    # helpers
    def city(self, lang: str | None = None) -> City:
        if lang is not None and self.rng.random() < 0.6:
            same = [c for c in CITIES if c.lang == lang]
            return self.rng.choice(same)
        return self.rng.choices(CITIES, weights=self._weights)[0]

    def lang_for(self, city: City) -> str:
        # English names are everywhere; the rest follow the city's language.
        return "en" if city.lang != "en" and self.rng.random() < 0.2 else city.lang

    def unique_name(self, lang: str, make: Callable[[], str] | None = None) -> str:
        """A name no other entity has yet (by its plain spelling)."""
        for _ in range(200):
            name = make() if make else vocab.venue_name(self.rng, lang)
            key = slug(name)
            if key not in self._names_used and key not in _COMMON_KEYS:
                self._names_used.add(key)
                return name
        raise RuntimeError("name pool exhausted")  # pragma: no cover - pools are large

    def website(self, name: str, city: City, *, own: float = 0.55) -> str:
        r = self.rng.random()
        base = slug(name)[:24] or "venue"
        if r < own:
            suffix = self.rng.choice(("", "", "", "live", "club", "bar", slug(city.name)[:10], "music"))
            return f"{base}{suffix}.{vocab.TLD[city.country]}"
        if r < own + 0.12:
            return f"https://www.facebook.com/{base}{self.rng.choice(('', 'official', slug(city.name)[:8]))}"
        return ""

    def phone(self, city: City, listed: float = 0.92) -> Phone | None:
        return new_phone(self.rng, city) if self.rng.random() < listed else None

    def copies(self) -> int:
        return self.rng.choices((1, 2, 3, 4), weights=(22, 36, 27, 15))[0]

    def add(self, family: str, **kw: object) -> VenueEntity:
        e = VenueEntity(id=f"E{len(self.entities) + 1:05d}", family=family, **kw)  # type: ignore[arg-type]
        self.entities.append(e)
        return e

    def simple(
        self,
        family: str,
        city: City,
        name: str,
        lang: str,
        *,
        noise: Noise = NORMAL,
        address: Address | None = None,
    ) -> VenueEntity:
        return self.add(
            family,
            lang=lang,
            address=address or street_address(self.rng, city),
            name=name,
            phone=self.phone(city),
            website=self.website(name, city),
            copies=self.copies(),
            noise=noise,
        )

    # families
    def plain(self) -> None:
        city = self.city()
        lang = self.lang_for(city)
        self.simple("plain", city, self.unique_name(lang), lang)

    def messy(self) -> None:
        city = self.city()
        lang = self.lang_for(city)
        self.simple("messy", city, self.unique_name(lang), lang, noise=HEAVY)

    def rare_name(self) -> None:
        city = self.city()
        lang = self.lang_for(city)

        def make() -> str:
            word = (
                self._rare.pop()
                if self._rare
                else self.rng.choice(vocab.RARE_WORDS) + " " + self.rng.choice(vocab.RARE_WORDS)
            )
            kind = self.rng.random()
            if kind < 0.35:
                return (
                    f"{word} {self.rng.choice(('Cafe', 'Club', 'Bar', 'Lounge', 'Room', 'Tavern', 'Hall'))}"
                )
            if kind < 0.55:
                article = vocab.ARTICLES[lang][0]
                return f"{article} {word}" if not article.endswith("'") else f"{article}{word}"
            if kind < 0.75:
                return {
                    "fr": "Café ",
                    "de": "Club ",
                    "es": "Sala ",
                    "ca": "Sala ",
                    "it": "Circolo ",
                    "pt": "Espaço ",
                    "nl": "Café ",
                }.get(lang, "") + word
            return word

        e = self.simple("rare_name", city, self.unique_name(lang, make), lang, noise=SPARSE)
        e.copies = self.rng.choices((2, 3, 4), weights=(45, 35, 20))[0]

    def renamed(self) -> None:
        city = self.city()
        lang = self.lang_for(city)
        old, new = self.unique_name(lang), self.unique_name(lang)
        e = self.simple("renamed", city, new, lang)
        e.old_name = old
        e.copies = self.rng.choices((2, 3, 4), weights=(40, 35, 25))[0]

    def same_name_city(self) -> None:
        city = self.city()
        lang = self.lang_for(city)
        name = self.unique_name(lang)
        first = street_address(self.rng, city)
        numbers = {first.number}
        for k in range(self.rng.choice((2, 2, 3))):
            address = first
            if k:
                if self.rng.random() < 0.5:  # another number of the same street
                    address = street_address(self.rng, city, street=first.street, kind=first.kind)
                    while address.number in numbers:
                        address = street_address(self.rng, city, street=first.street, kind=first.kind)
                else:
                    address = street_address(self.rng, city)
                numbers.add(address.number)
            self.simple("same_name_city", city, name, lang, address=address)

    def same_name_elsewhere(self) -> None:
        first = self.city()
        lang = self.lang_for(first)
        name = self.unique_name(lang)
        cities = [first]
        while len(cities) < self.rng.choice((2, 2, 3, 4)):
            other = self.city(lang if lang != "en" else None)
            if other not in cities:
                cities.append(other)
        for city in cities:
            self.simple("same_name_elsewhere", city, name, lang)

    def common_name(self) -> None:
        first = self.city()
        lang = self.lang_for(first)
        name = self.rng.choice(vocab.COMMON_NAMES[lang])
        cities = [first]
        for _ in range(self.rng.randrange(2, 6)):
            cities.append(first if self.rng.random() < 0.3 else self.city(lang))
        for city in cities:
            self.simple("common_name", city, name, lang)

    def chain(self) -> None:
        brand, domain = self.rng.choice(vocab.CHAINS)
        cities: list[City] = []
        for _ in range(self.rng.randrange(3, 7)):
            cities.append(cities[-1] if cities and self.rng.random() < 0.15 else self.city())
        central = new_phone(self.rng, cities[0]) if self.rng.random() < 0.5 else None
        for city in cities:
            path = slug(city.name)[:12]
            e = self.add(
                "chain",
                lang=self.lang_for(city),
                address=street_address(self.rng, city),
                name=brand,
                phone=self.phone(city),
                website=domain + (f"/{path}" if self.rng.random() < 0.5 else ""),
                copies=self.copies(),
                chain_city_name=True,
                shared_phone=central if central and central.country == city.country else None,
            )
            e.website = e.website if self.rng.random() < 0.8 else ""

    def complex(self) -> None:
        city = self.city()
        lang = self.lang_for(city)
        base = self.unique_name(lang)
        address = street_address(self.rng, city)
        switchboard = new_phone(self.rng, city)
        site = self.website(base, city, own=0.75)
        self.complexes += 1
        main = self.add(
            "complex",
            lang=lang,
            address=address,
            name=base,
            phone=switchboard,
            website=site,
            copies=self.copies(),
        )
        main.complex_id = main.id
        room_lang = lang if lang == "en" or self.rng.random() < 0.75 else "en"
        words = list(vocab.ROOM_WORDS[room_lang])
        self.rng.shuffle(words)
        steps = [1, 2, 3, 9, 8]
        self.rng.shuffle(steps)
        numbered = 0
        for _ in range(self.rng.randrange(2, 5)):
            r = self.rng.random()
            own = ""
            if r < 0.15:
                numbered += 1
                word = f"{self.rng.choice(vocab.ROOM_NUMBERED[room_lang])} {numbered if self.rng.random() < 0.7 else 'ABCDE'[numbered - 1]}"
            else:
                word = words.pop()
                if r < 0.3:
                    own = self.unique_name(lang)
            # Most rooms answer on the switchboard, the others on a line one digit off.
            phone = switchboard if self.rng.random() < 0.7 else switchboard.nearby(steps.pop())
            website = ""
            if site and self.rng.random() < 0.65:
                website = (
                    site if site.startswith("https://") or self.rng.random() < 0.6 else f"{site}/{slug(word)}"
                )
            floor = self.rng.choice(vocab.FLOORS[lang]) if self.rng.random() < 0.25 else ""
            self.add(
                "complex",
                lang=lang,
                address=address,
                name=own or f"{base} {word}",
                phone=phone,
                website=website,
                copies=self.rng.choices((1, 2, 3), weights=(35, 40, 25))[0],
                complex_id=main.id,
                room_word=word,
                complex_name=base,
                own_name=own,
                floor=floor,
            )


_COMMON_KEYS = frozenset(slug(n) for names in vocab.COMMON_NAMES.values() for n in names) | frozenset(
    slug(b) for b, _ in vocab.CHAINS
)


def build_entities(rng: random.Random, n: int) -> list[VenueEntity]:
    """About ``n`` entities (whole groups, so a few more), every family at least once."""
    b = _Builder(rng)
    families = list(VENUE_FAMILIES)
    for family in families:
        getattr(b, family)()
    weights = [_FAMILY_SHARE[f] / _GROUP_SIZE.get(f, 1.0) for f in families]
    while len(b.entities) < n:
        getattr(b, rng.choices(families, weights=weights)[0])()
    return b.entities


# --- writing records ------------------------------------------------------------------------------

_AND = {"en": "and", "fr": "et", "es": "y", "ca": "i", "de": "und", "it": "e", "pt": "e", "nl": "en"}


def _toggle_article(name: str, lang: str) -> str:
    """Drop a leading article ("The Loft" -> "Loft", "L'Ours" -> "Ours"), or add "The" to an English name."""
    for article in sorted((*vocab.ARTICLES[lang], "The"), key=len, reverse=True):
        if article.endswith("'"):
            if name.startswith(article) and len(name) > len(article) + 2:
                rest = name[len(article) :]
                return rest[:1].upper() + rest[1:]
        elif name.startswith(article + " ") and len(name) > len(article) + 2:
            return name[len(article) + 1 :]
    return "The " + name if lang == "en" else name


def _drop_type_word(name: str) -> str:
    words = name.split(" ")
    if len(words) < 2:
        return name
    if words[-1].lower() in vocab.TYPE_WORDS:
        return " ".join(words[:-1])
    if words[0].lower() in vocab.TYPE_WORDS:
        return " ".join(words[1:])
    return name


def _spell_name(rng: random.Random, name: str, e: VenueEntity) -> str:
    nz, lang = e.noise, e.lang
    if rng.random() < nz.article:
        name = _toggle_article(name, lang)
    if rng.random() < nz.type_word:
        name = _drop_type_word(name)
    if rng.random() < nz.amp:
        word = _AND.get(lang, "and")
        if " & " in name:
            name = name.replace(" & ", f" {word} ")
        elif f" {word} " in name:
            name = name.replace(f" {word} ", " & ")
    if rng.random() < nz.city_suffix:
        city = e.city.name
        name = rng.choice((f"{name} {city}", f"{name} - {city}", f"{name} ({city})"))
    if "'s" in name and rng.random() < 0.15:
        name = name.replace("'s", "s")
    if rng.random() < nz.accents:
        name = noise.strip_accents(name)
    if rng.random() < nz.typo:
        name = noise.word_typo(rng, name)
    if rng.random() < nz.case:
        name = noise.recase(rng, name)
    if rng.random() < nz.mojibake:
        name = noise.mojibake(name)
    return name


def _room_name(rng: random.Random, e: VenueEntity) -> str:
    """One listing's name for a room: "X Lounge", "Lounge at X", "X (Lounge)", "Salle du X"..."""
    word = e.room_word
    if rng.random() < 0.15:  # a typo of a room word is still that room ("lonuge")
        word = noise.word_typo(rng, word)
    c = e.complex_name
    if e.own_name:
        return rng.choice(
            (
                e.own_name,
                e.own_name,
                f"{e.own_name} at {c}" if e.lang == "en" else f"{e.own_name} ({c})",
                f"{c}: {e.own_name}",
            )
        )
    forms = [f"{c} {word}", f"{c} - {word}", f"{c} ({word})", f"{word} {vocab._of(e.lang, c)}"]
    if e.lang == "en":
        forms += [f"{word} at {c}", f"The {word} at {c}", f"{c}: {word}"]
    return rng.choice(forms)


def _coordinate(rng: random.Random, value: float, *, jitter: float) -> str:
    return f"{value + rng.uniform(-jitter, jitter):.{rng.choice((4, 5, 6, 6))}f}"


def _render_website(rng: random.Random, site: str, lang: str) -> str:
    if site.startswith("https://"):
        return site if rng.random() < 0.7 else site.replace("https://www.", "http://")
    domain, _, path = site.partition("/")
    path = f"/{path}" if path else ""
    r = rng.random()
    if r < 0.35:
        return f"https://www.{domain}{path or '/'}"
    if r < 0.55:
        return f"{domain}{path}"
    if r < 0.7:
        return f"www.{domain}{path}"
    if r < 0.85:
        return f"http://{domain}{path}"
    return f"https://{domain}/{rng.choice(vocab.WEB_PATHS[lang if lang in vocab.WEB_PATHS else 'en'])}"


def render_record(rng: random.Random, e: VenueEntity) -> dict[str, str]:
    """One listing of ``e``: every field as some source writes it, some of them missing."""
    nz = e.noise
    city = e.city
    lang = city.lang
    rnd = rng.random
    # name
    if e.room_word:
        name = _room_name(rng, e)
    elif e.old_name:
        r = rnd()
        name = (
            e.old_name
            if r < 0.4
            else e.name
            if r < 0.8
            else rng.choice(vocab.RENAMED_NOTES[e.lang]).format(new=e.name, old=e.old_name)
        )
    elif e.chain_city_name and rnd() < 0.45:
        name = rng.choice(("{b} {c}", "{b} - {c}", "{b} ({c})", "{b} {c}")).format(
            b=e.name, c=render_city(rng, city)
        )
    else:
        name = e.name
    name = _spell_name(rng, name, e)
    # city
    city_text = "" if rnd() < nz.city_missing else render_city(rng, city, messy=nz.heavy)
    if city_text and rnd() < nz.city_typo:
        city_text = noise.word_typo(rng, city_text)
    if nz.heavy and city_text and rnd() < 0.1:
        city_text = noise.recase(rng, city_text)
    # street
    addr = ""
    if rnd() >= nz.addr_missing:
        addr = render_street(rng, e.address)
        if e.floor and rnd() < 0.5:
            addr += rng.choice((", ", " ")) + e.floor
        elif rnd() < nz.unit:
            addr += ", " + rng.choice(vocab.UNITS[lang]).format(n=rng.randrange(1, 40))
        if rnd() < nz.cross:
            other = street_address(rng, city)
            template = rng.choice(vocab.CROSS[lang])
            addr += " " + template.format(x=street_label(other), y=street_label(street_address(rng, city)))
        if rnd() < nz.addr_typo:
            addr = noise.word_typo(rng, addr)
        if rnd() < nz.full_addr:
            addr = full_address(rng, e.address, addr, city_text or city.name)
        if nz.heavy and rnd() < 0.1:
            addr = noise.recase(rng, addr)
    # phone
    phone_text = ""
    phone = e.shared_phone if e.shared_phone and rnd() < 0.15 else e.phone
    if phone is not None and rnd() >= nz.phone_missing:
        phone_text = render_phone(rng, phone, extension=rnd() < nz.extension)
    postcode = (
        ""
        if rnd() < nz.postcode_missing
        else render_postcode(rng, e.address.postcode, city.country, messy=nz.heavy)
    )
    country = "" if rnd() < nz.country_missing else render_country(rng, city.country)
    lat = lng = ""
    if rnd() >= nz.coords_missing:
        if rnd() < nz.centroid:
            lat, lng = f"{city.lat:.4f}", f"{city.lng:.4f}"
        else:
            lat = _coordinate(rng, e.address.lat, jitter=1.5e-4)
            lng = _coordinate(rng, e.address.lng, jitter=2e-4)
    website = "" if not e.website or rnd() < nz.website_missing else _render_website(rng, e.website, lang)
    return {
        "name": name,
        "addr": addr,
        "city": city_text,
        "phone": phone_text,
        "postcode": postcode,
        "country": country,
        "lat": lat,
        "lng": lng,
        "website": website,
    }


def generate_venues(n: int, seed: int) -> VenueSet:
    """About ``n`` venues, each written 1-4 times, shuffled; ids v1..vN; the same for one seed."""
    rng = random.Random(seed)
    entities = build_entities(rng, n)
    records: list[tuple[dict[str, str], VenueEntity]] = []
    for e in entities:
        for _ in range(e.copies):
            records.append((render_record(rng, e), e))
    rng.shuffle(records)
    rows, truth = [], []
    for k, (record, e) in enumerate(records, start=1):
        rid = f"v{k}"
        rows.append({"id": rid, **record})
        truth.append({"id": rid, "entity_id": e.id, "family": e.family, "complex_id": e.complex_id})
    return VenueSet(rows=rows, truth=truth, entities=entities, seed=seed)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write a venue hard-case table and its truth.")
    parser.add_argument("--n", type=int, default=2000, help="venues (entities), about")
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    venues = generate_venues(args.n, args.seed)
    truth = venues.write(args.out)
    print(f"{len(venues.rows)} records of {len(venues.entities)} venues -> {args.out}, {truth}")


if __name__ == "__main__":
    main()
