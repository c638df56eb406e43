"""`manage.py import_entities FILE.jsonl`: staff-curated values, written through the services and locked.

One JSON object per line:
    {"type": "venue", "id": "01H…", "fields": {"phone": "+12065550100"}, "unlock": ["website"]}
Without "id" a new entity is created (an unknown "id" is an error, never a new entity); a new performance needs
"fields": {"venue": "<venue ID>", "name": …, "local_date": "YYYY-MM-DD"}. Every field given is locked,
so that no source or merge overwrites it; "unlock" hands fields back to the sources.

Every value is checked with the pipeline's own normalisers and constraints (a phone becomes E.164 or is
refused, coordinates lie on the globe, a capacity is a whole number from 0, a country an ISO code, a time
zone an IANA zone...). The file is imported whole or not at all: one bad line and nothing is written, and
every bad line is reported with its number. `--dry-run` checks everything the same way and writes nothing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser
from django.db import DatabaseError, transaction
from tqdm import tqdm

from core.commands import BaseCommand, fail_with, input_file
from entities.services import entity_import

RECORD_KEYS = {"type", "id", "fields", "unlock"}


class Rollback(Exception):
    """Leaves the import's transaction without writing anything."""


class Command(BaseCommand):
    help = (
        "Create or update canonical entities from staff-curated JSON lines; the values given are locked. "
        "All lines or none: any bad line is reported and nothing is written."
    )

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
            text = sys.stdin.read()
        else:
            path = input_file(options["file"], "file")
            try:
                text = Path(path).read_text(encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
        lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if not lines:
            raise CommandError("The file has no lines to import.")
        counts = {"created": 0, "updated": 0}
        problems: list[tuple[int, str]] = []
        try:
            with transaction.atomic():
                for number, line in tqdm(
                    lines, desc="import", unit="line", file=sys.stderr, disable=options["no_progress"] or None
                ):
                    try:
                        with transaction.atomic():
                            counts["created" if self._one(line, by) else "updated"] += 1
                    except (ValueError, TypeError, DatabaseError) as exc:
                        problems.append(
                            (
                                number,
                                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                            )
                        )
                if problems or options["dry_run"]:
                    raise Rollback
        except Rollback:
            pass
        if problems:
            fail_with(
                self,
                [f"line {number}: {problem}" for number, problem in problems],
                f"nothing was imported ({len(problems)} of {len(lines)} line(s) are not valid)",
            )
        if options["dry_run"]:
            self.stdout.write(
                f"Dry run: all {len(lines)} line(s) are valid ({counts['created']} to create, "
                f"{counts['updated']} to update); nothing was changed."
            )
        else:
            self.stdout.write(f"{counts['created']} created, {counts['updated']} updated, 0 failed.")

    def _one(self, line: str, by: Any) -> bool:
        """Import one line; returns whether it created an entity."""
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(record, dict):
            raise ValueError("each line must be a JSON object")
        unknown = sorted(set(record) - RECORD_KEYS)
        if unknown:
            raise ValueError(
                f"unknown key(s) {', '.join(unknown)}; a line has {', '.join(sorted(RECORD_KEYS))}"
            )
        fields = record.get("fields") or {}
        if not isinstance(fields, dict):
            raise ValueError('"fields" must be an object')
        unlock = record.get("unlock") or []
        if not isinstance(unlock, list) or not all(isinstance(f, str) for f in unlock):
            raise ValueError('"unlock" must be a list of field names')
        public_id = record.get("id")
        if public_id is not None and not isinstance(public_id, str):
            raise ValueError('"id" must be a string (the public ID)')
        _, created = entity_import(
            entity_type=str(record.get("type", "")), public_id=public_id, fields=fields, unlock=unlock, by=by
        )
        return created
