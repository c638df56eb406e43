import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mystage.pipeline import pipeline_counts


class Command(BaseCommand):
    help = "Counts per stage and status, canonical entities, duplicates and sync state."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = pipeline_counts()
        if options["json"]:
            self.stdout.write(json.dumps(counts, sort_keys=True))
            return
        for key, value in counts.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
            self.stdout.write(f"{key:<16} {value}")
