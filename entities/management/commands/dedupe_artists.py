"""`manage.py dedupe_artists --csv IN --out OUT`: cluster the artist mentions of a CSV file, no database.

Reads id,name,city,genres,urls,co_billed (lists separated by "|", any column but id and name may be
missing or empty), resolves them with the pipeline's own artist scorer (``entities.resolution.
artists``: links decisive both ways, name variants, genres, co-billed acts, cities, name rarity) and
writes id,cluster_id for every input row, in input order (rows whose fields are all empty are
skipped). The cluster id is the smallest id in the cluster. It touches no database.
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from core.commands import BaseCommand, input_file, output_file
from entities.resolution.artists import ArtistRecord, records_from_rows, resolve_artists

COLUMNS = ("id", "name", "city", "genres", "urls", "co_billed")


def read_artist_csv(path: Path) -> list[ArtistRecord]:
    """The mentions of a CSV (header names case-insensitive; id and name required). A file that cannot
    be read raises ValueError with one line a person acts on, worded as dedupe_venues words it."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            # strict: an opened quote that never closes is an error, not a field running to the end
            reader = csv.reader(f, strict=True)
            header = next(reader, None)
            if header is None:
                return []
            names = [h.strip().lower() for h in header]
            if "id" not in names or "name" not in names:
                raise ValueError(
                    "the header row must name at least the columns id and name "
                    f"(it reads {','.join(header)[:120]!r}; the separator is a comma)."
                )
            rows = []
            for row in reader:
                if not any(cell.strip() for cell in row):
                    continue
                values = {
                    c: (row[names.index(c)] if c in names and names.index(c) < len(row) else "")
                    for c in COLUMNS
                }
                if not values["id"].strip():
                    raise ValueError(f"line {reader.line_num}: a row without an id.")
                rows.append(values)
    except UnicodeDecodeError as exc:
        raise ValueError("it is not UTF-8 text (save it as UTF-8 CSV).") from exc
    except csv.Error as exc:
        hint = " (a quote is opened and never closed)" if "end of data" in str(exc) else ""
        raise ValueError(f"line {reader.line_num}: malformed CSV: {exc}{hint}.") from exc
    return records_from_rows(rows)


class Command(BaseCommand):
    help = "Cluster the artist mentions of a CSV file (id,name,city,genres,urls,co_billed; lists separated by '|') and write id,cluster_id; no database."

    # No system checks: they may want a configured database, and this command needs none.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, required=True, help="Input CSV with a header row.")
        parser.add_argument("--out", type=Path, required=True, help="Output CSV: id,cluster_id.")
        parser.add_argument(
            "--threshold",
            type=float,
            default=0.5,
            help="Probability from which two mentions are the same act (default 0.5).",
        )
        parser.add_argument(
            "--weights-out", type=Path, default=None, help="Also write the weights used as JSON."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = input_file(options["csv"], "CSV file")
        target = output_file(options["out"], "CSV file")
        if options["weights_out"] is not None:
            output_file(options["weights_out"], "JSON file")
        if not 0.0 < options["threshold"] < 1.0:
            raise CommandError("--threshold must be between 0 and 1")
        started = time.perf_counter()
        disabled = True if options["no_progress"] else None  # None: shown on a terminal only
        with tqdm(desc="read", unit="rec", file=sys.stderr, disable=disabled) as bar:
            try:
                records = read_artist_csv(source)
            except ValueError as exc:
                raise CommandError(f"Cannot read {source}: {exc}") from exc
            bar.update(len(records))
        with tqdm(desc="resolve", total=len(records), unit="rec", file=sys.stderr, disable=disabled) as bar:
            try:
                resolution = resolve_artists(records, threshold=options["threshold"])
            except ValueError as exc:  # repeated ids
                raise CommandError(f"Cannot resolve {source}: {exc}") from exc
            bar.update(len(records))

        with target.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(("id", "cluster_id"))
            for record in records:
                writer.writerow((record.id, resolution.cluster_of[record.id]))
        if options["weights_out"] is not None:
            Path(options["weights_out"]).write_text(json.dumps(resolution.weights.to_json(), indent=2))
        acts = resolution.stats["acts"]
        rows = len(records)
        self.stdout.write(
            f"{rows} mentions -> {acts} acts ({rows - acts} mentions joined another) "
            f"in {time.perf_counter() - started:.1f}s; wrote {target}"
        )
