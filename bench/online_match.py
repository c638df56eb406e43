"""Online venue matching as the pipeline does it: one new venue source against N canonical venues.

    .venv/bin/python bench/online_match.py [--venues 100000] [--queries 500] [--database-url URL]

(a) Builds N canonical venues from the synthetic generator (`bench/er_synth.py`) in a temporary
    SQLite database migrated for the run (or in the database at --database-url, e.g. PostgreSQL,
    where it creates and drops its own rows), with the keys resolution stores (name, city, phone).
(b) Times `entities.services.duplicates.venue_candidates_scored` (database blocking on name, phone
    and city + first word, then scoring each candidate with its explanation) for Q queries: half
    rows of the same generated table that were not stored (mostly other spellings of stored
    venues), half venues of another seed.
(c) Times the in-memory `VenueIndex.match` over the same venues and queries as the reference: what
    the pipeline gives up by asking the database instead of holding an index in every worker.
(d) Prints RESULT {"venues", "queries", "db_match_ms", "db_match_p99_ms", "index_match_ms",
    "index_match_p99_ms", "ratio", "db_candidates_mean"} as its last line (ratio = db / index).
Reads nothing outside this repository.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from bench.er_synth import COLUMNS, generate  # noqa: E402


def setup_django(database_url: str) -> None:
    os.environ.update(
        {"DJANGO_SETTINGS_MODULE": "mystage.settings", "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING"}
    )
    os.environ.pop("REDIS_URL", None)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def rows_as_dicts(count: int, seed: int) -> list[dict[str, str]]:
    rows, _truth = generate(count, seed=seed)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows]


def extracted(row: dict[str, str]) -> object:
    from extraction.schemas import ExtractedAddress, ExtractedVenue

    lat, lng = row.get("lat") or "", row.get("lng") or ""
    return ExtractedVenue(
        name=row["name"] or "?",
        address=ExtractedAddress(
            street=row["addr"] or None,
            locality=row["city"] or None,
            postal_code=row["postcode"] or None,
            country=row["country"] or None,
        ),
        phone=row["phone"] or None,
        website=row["website"] or None,
        latitude=float(lat) if lat and lng else None,
        longitude=float(lng) if lat and lng else None,
    )


def store_venues(rows: list[dict[str, str]], tag: str) -> int:
    from entities.models import Venue
    from entities.resolution.keys import venue_block_key
    from entities.resolution.normalize import normalize_city, normalize_name, normalize_phone

    batch = []
    for row in rows:
        lat, lng = row.get("lat") or "", row.get("lng") or ""
        name_key, city_key = normalize_name(row["name"])[:255], normalize_city(row["city"])[:128]
        batch.append(
            Venue(
                name=row["name"][:255],
                name_key=name_key,
                city_key=city_key,
                block_key=venue_block_key(name_key, city_key),
                street=row["addr"][:255],
                locality=row["city"][:128],
                postal_code=row["postcode"][:32],
                country=(row["country"] or "")[:2],
                phone=normalize_phone(row["phone"]) or "",
                website=row["website"][:500],
                latitude=float(lat) if lat and lng else None,
                longitude=float(lng) if lat and lng else None,
                provenance={"bench": tag},
            )
        )
    Venue.objects.bulk_create(batch, batch_size=2000)
    return len(batch)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--venues", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--database-url", default="", help="default: a temporary SQLite database")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="mystage-bench-online-"))
    tag = f"online-{os.getpid()}"
    try:
        setup_django(args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}")
        from entities.models import Venue
        from entities.resolution.batch import records_from_rows
        from entities.resolution.index import VenueIndex
        from entities.services.duplicates import venue_candidates_scored

        started = time.perf_counter()
        # The generator writes most venues 1-4 times, shuffled: the rows after the stored ones are
        # largely other spellings of stored venues. Half the queries are those, half another seed's.
        table = rows_as_dicts(args.venues + args.queries // 2, seed=42)
        stored, copies = table[: args.venues], table[args.venues :]
        store_venues(stored, tag)
        print(f"{len(stored):,} canonical venues stored in {time.perf_counter() - started:.1f} s")
        others = rows_as_dicts(args.queries - len(copies), seed=7)
        queries = copies + others

        db_ms, candidates = [], []
        for row in queries:
            data = extracted(row)
            start = time.perf_counter()
            found = venue_candidates_scored(data)  # type: ignore[arg-type]
            db_ms.append((time.perf_counter() - start) * 1000)
            candidates.append(len(found))

        index = VenueIndex()
        index.add_all(records_from_rows(stored))
        index_ms = []
        for record in records_from_rows(queries):
            start = time.perf_counter()
            index.match(record)
            index_ms.append((time.perf_counter() - start) * 1000)

        db_median, index_median = statistics.median(db_ms), statistics.median(index_ms)
        print(
            f"database blocking + scoring: median {db_median:.2f} ms, p99 {percentile(db_ms, 0.99):.2f} ms "
            f"({statistics.mean(candidates):.2f} candidates above the review threshold per query)"
        )
        print(
            f"in-memory VenueIndex:        median {index_median:.2f} ms, p99 {percentile(index_ms, 0.99):.2f} ms"
        )
        result = {
            "venues": len(stored),
            "queries": len(queries),
            "db_match_ms": round(db_median, 3),
            "db_match_p99_ms": round(percentile(db_ms, 0.99), 3),
            "index_match_ms": round(index_median, 3),
            "index_match_p99_ms": round(percentile(index_ms, 0.99), 3),
            "ratio": round(db_median / index_median, 2),
            "db_candidates_mean": round(statistics.mean(candidates), 3),
        }
        if args.database_url:
            Venue.objects.filter(provenance__bench=tag).delete()
        print("RESULT " + json.dumps(result))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
