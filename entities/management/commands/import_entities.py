"""`manage.py import_entities FILE.jsonl`: staff-curated values, written through the services and locked.

One JSON object per line:
    {"type": "venue", "id": "01H…", "fields": {"phone": "+12065550100"}, "unlock": ["website"]}
Without "id" a new entity is created (an unknown "id" is an error, never a new entity); a new performance needs
"fields": {"venue": "<venue ID>", "name": …, "local_date": "YYYY-MM-DD"}. Every field given is locked,
so that no source or merge overwrites it; "unlock" hands fields back to the sources.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from entities.services import entity_import


class DryRun(Exception):
    pass


class Command(BaseCommand):
    help = "Create or update canonical entities from staff-curated JSON lines; the values given are locked."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="JSON lines; - for standard input.")
        parser.add_argument("--by", help="Username recorded as the curator.")
        parser.add_argument("--dry-run", action="store_true", help="Check every line, change nothing.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"No user {options['by']!r}.")
        if options["file"] == "-":
            lines = sys.stdin.read().splitlines()
        else:
            path = Path(options["file"])
            if not path.exists():
                raise CommandError(f"{path} does not exist.")
            lines = path.read_text(encoding="utf-8").splitlines()
        counts = {"created": 0, "updated": 0, "failed": 0}
        try:
            with transaction.atomic():
                for number, line in enumerate(
                    tqdm(
                        lines,
                        desc="import",
                        unit="line",
                        file=sys.stderr,
                        disable=options["no_progress"] or None,
                    ),
                    start=1,
                ):
                    if not line.strip():
                        continue
                    try:
                        with transaction.atomic():
                            self._one(line, by, counts)
                    except (ValueError, TypeError, KeyError) as exc:
                        counts["failed"] += 1
                        self.stderr.write(f"line {number}: {exc}")
                if options["dry_run"]:
                    raise DryRun
        except DryRun:
            self.stdout.write("Dry run: nothing was changed.")
        self.stdout.write(
            f"{counts['created']} created, {counts['updated']} updated, {counts['failed']} failed."
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} line(s) failed; see above.")

    def _one(self, line: str, by: Any, counts: dict[str, int]) -> None:
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc})") from exc
        if not isinstance(record, dict):
            raise ValueError("each line must be a JSON object")
        fields = record.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValueError('"fields" must be an object')
        _, created = entity_import(
            entity_type=record.get("type", ""),
            public_id=record.get("id"),
            fields=fields,
            unlock=record.get("unlock") or [],
            by=by,
        )
        counts["created" if created else "updated"] += 1
