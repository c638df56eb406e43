"""`manage.py dedupe_venues --csv IN --out OUT`: cluster the venues of a CSV file, without a database.

Reads id,name,addr,city,phone (and optionally postcode,country,lat,lng,website), resolves them with
the pipeline's own pure resolution code (``entities.resolution.batch``: the same normalisers,
blocking keys, comparisons and weights, estimated from the file itself when it is large enough, run
over whole columns), and writes id,cluster_id for every input row, in input order (rows whose fields
are all empty are skipped). The cluster id is the smallest id in the
cluster. It touches no database (no migrations needed), so it runs on any CSV anywhere.
"""

from __future__ import annotations

import csv
import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Literal

import polars as pl
from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from core.commands import BaseCommand, input_file, output_file
from entities.resolution.batch import DEFAULT_MATCH_THRESHOLD, resolve_csv


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
        parser.add_argument("--max-block-size", type=int, default=100)
        parser.add_argument(
            "--model-out", type=Path, default=None, help="Also write the model used (weights, m, u) as JSON."
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress bars.")

    def handle(self, *args: Any, **options: Any) -> None:
        # Path() again: call_command(csv="...") passes options through without argparse's type.
        source = input_file(options["csv"], "CSV file")
        target = output_file(options["out"], "CSV file")
        if options["model_out"] is not None:
            output_file(options["model_out"], "JSON file")
        if not 0.0 < options["threshold"] < 1.0:
            raise CommandError("--threshold must be between 0 and 1")
        if options["max_block_size"] < 2:
            raise CommandError("--max-block-size must be at least 2")
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

        model: Literal["auto", "hand"] = "hand" if options["model"] == "hand" else "auto"
        try:
            resolution = resolve_csv(
                source,
                model=model,
                threshold=options["threshold"],
                max_block_size=options["max_block_size"],
                progress=progress,
            )
        except ValueError as exc:  # unreadable file, missing columns, missing or repeated ids
            raise CommandError(f"Cannot read {source}: {explain_csv_error(source, str(exc))}") from exc
        finally:
            for bar in bars.values():
                bar.close()
        ids = resolution.ids

        pl.DataFrame({"id": ids, "cluster_id": resolution.cluster_ids}).write_csv(target)
        if options["model_out"] is not None:
            Path(options["model_out"]).write_text(json.dumps(resolution.model.to_json(), indent=2))

        stats = resolution.stats
        clusters = int(stats["clusters"])
        rows = len(ids)
        self.stdout.write(
            f"{rows} rows -> {clusters} venues ({rows - clusters} rows merged into another) "
            f"with the {resolution.model.kind} model in {time.perf_counter() - started:.1f}s; "
            f"wrote {target}"
        )


def explain_csv_error(path: Path, message: str) -> str:
    """The reader's complaint as one line a person acts on: where the file is malformed (found again
    with the csv module, which counts lines), not the CSV library's advice about its own options."""
    if "utf-8" in message.lower():
        return "it is not UTF-8 text (save it as UTF-8 CSV)."
    if "need at least the columns" in message:
        with path.open(encoding="utf-8", errors="replace") as handle:
            header = handle.readline().strip()
        return f"the header row must name at least the columns id and name (it reads {header[:120]!r}; the separator is a comma)."
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle, strict=True)
            for _ in reader:
                pass
    except csv.Error as exc:
        hint = (
            " (a quote is opened and never closed)"
            if "end of data" in str(exc) or "quote" in str(exc)
            else ""
        )
        return f"line {reader.line_num}: malformed CSV: {exc}{hint}."
    column = re.search(r"at column '([^']*)'", message)
    where = f" in column {column.group(1)!r}" if column else ""
    first = message.strip().splitlines()[0] if message.strip() else "unreadable"
    return f"malformed CSV{where}: {first}"
