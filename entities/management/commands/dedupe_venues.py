"""`manage.py dedupe_venues --csv IN --out OUT`: cluster the venues of a CSV file, without a database.

Reads id,name,addr,city,phone (and optionally postcode,country,lat,lng,website), resolves them with
the pipeline's own pure resolution code (``entities.resolution``: the same normalisers, blocking
keys, comparisons and weights, estimated from the file itself when it is large enough), and writes
id,cluster_id for every input row, in input order. The cluster id is the smallest id in the
cluster. It touches no database (no migrations needed), so it runs on any CSV anywhere.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Literal

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from entities.resolution.batch import DEFAULT_MATCH_THRESHOLD, prepare_csv, resolve_venues


class Command(BaseCommand):
    help = "Cluster the venues of a CSV file (id,name,addr,city,phone[,postcode,country,lat,lng,website]) and write id,cluster_id; no database."

    # No system checks: they may want a configured database, and this command needs none.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, required=True, help="Input CSV with a header row.")
        parser.add_argument("--out", type=Path, required=True, help="Output CSV: id,cluster_id.")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_MATCH_THRESHOLD,
            help="Match probability from which two records are the same venue (default 0.5).",
        )
        parser.add_argument(
            "--model",
            choices=("auto", "hand"),
            default="auto",
            help="auto: weights estimated from the file (EM) when it is large enough, else the hand "
            "weights; hand: always the hand weights.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Processes that read and normalise the file (default: 2, or 1 on one core).",
        )
        parser.add_argument("--max-block-size", type=int, default=100)
        parser.add_argument(
            "--model-out", type=Path, default=None, help="Also write the model used (weights, m, u) as JSON."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Path() again: call_command(csv="...") passes options through without argparse's type.
        source, target = Path(options["csv"]), Path(options["out"])
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        if not 0.0 < options["threshold"] < 1.0:
            raise CommandError("--threshold must be between 0 and 1")
        started = time.perf_counter()
        bars: dict[str, tqdm[Any]] = {}
        disabled = True if options["no_progress"] else None  # None: shown on a terminal only

        def progress(phase: str, done: int, total: int) -> None:
            bar = bars.get(phase)
            if bar is None:
                bar = bars[phase] = tqdm(
                    desc=phase, total=total or None, unit="rec", file=sys.stderr, disable=disabled
                )
            if total and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)
            if total and done >= total:
                bar.close()

        try:
            venues = prepare_csv(source, workers=max(1, options["workers"]), progress=progress)
        except (ValueError, UnicodeDecodeError, csv.Error) as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
        missing = [n for n, v in enumerate(venues, start=2) if not v.id]
        if missing:
            raise CommandError(f"Rows without an id (line {missing[0]} first)")
        model: Literal["auto", "hand"] = "hand" if options["model"] == "hand" else "auto"
        try:
            resolution = resolve_venues(
                venues,
                model=model,
                threshold=options["threshold"],
                max_block_size=options["max_block_size"],
                progress=progress,
            )
        except ValueError as exc:  # duplicate ids
            raise CommandError(str(exc)) from exc
        finally:
            for bar in bars.values():
                bar.close()

        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(("id", "cluster_id"))
            writer.writerows((v.id, resolution.cluster_of[v.id]) for v in venues)
        if options["model_out"] is not None:
            Path(options["model_out"]).write_text(json.dumps(resolution.model.to_json(), indent=2))

        stats = resolution.stats
        clusters = int(stats["clusters"])
        self.stdout.write(
            f"{len(venues)} rows -> {clusters} venues ({len(venues) - clusters} rows merged into another) "
            f"with the {resolution.model.kind} model in {time.perf_counter() - started:.1f}s; "
            f"wrote {target}"
        )
