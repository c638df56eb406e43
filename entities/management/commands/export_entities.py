"""`manage.py export_entities --type venue --format jsonl --out venues.jsonl`: canonical entities out."""

from __future__ import annotations

import csv
import json
import sys
from typing import Any

from django.core.management.base import CommandParser
from tqdm import tqdm

from core.commands import BaseCommand, output_file
from entities.exporting import csv_cell, export_columns, export_queryset, export_records
from entities.models import EntityType


class Command(BaseCommand):
    help = "Export canonical venues, artists or performances as JSON lines or CSV (lists as JSON in a cell)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--type", required=True, choices=EntityType.values, dest="entity_type")
        parser.add_argument("--format", choices=["jsonl", "csv"], default="jsonl")
        parser.add_argument("--out", required=True, help="File to write, or - for standard output.")
        parser.add_argument("--include-merged", action="store_true", help="Also merged entities (redirects).")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        entity_type = options["entity_type"]
        target = None if options["out"] == "-" else output_file(options["out"], f"{options['format']} file")
        total = export_queryset(entity_type, include_merged=options["include_merged"]).count()
        out = sys.stdout if target is None else target.open("w", newline="", encoding="utf-8")
        records = export_records(entity_type, include_merged=options["include_merged"])
        bar = tqdm(
            total=total,
            desc=f"export {entity_type}",
            unit="row",
            file=sys.stderr,
            disable=options["no_progress"] or None,
        )
        written = 0
        try:
            if options["format"] == "jsonl":
                for record in records:
                    out.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
                    written += 1
                    bar.update()
            else:
                columns = export_columns(entity_type)
                writer = csv.writer(out)
                writer.writerow(columns)
                for record in records:
                    writer.writerow([csv_cell(record[c]) for c in columns])
                    written += 1
                    bar.update()
        finally:
            bar.close()
            if out is not sys.stdout:
                out.close()
        if options["out"] != "-":
            self.stdout.write(f"Wrote {written} {entity_type}(s) to {options['out']}.")
