"""`manage.py import_sources_csv FILE`: add sources and URLs from a CSV file (source,url[,kind,priority,url_kind]).

Every row is checked first (names, kinds, priorities and the one scrapable-URL check); one bad row and
nothing is written, each bad row reported with its line number.
"""

import csv
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from core.commands import BaseCommand, fail_with, input_file
from sourcing.importing import (
    SourceRow,
    check_kind,
    check_priority,
    check_source_name,
    check_url,
    check_url_kind,
)
from sourcing.services import source_upsert, url_add

REQUIRED = {"source", "url"}


class Command(BaseCommand):
    help = (
        "Add sources and URLs from a CSV with the columns source,url and optionally kind,priority,url_kind; "
        "all rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The CSV file (UTF-8, a header row).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = input_file(options["path"], "CSV file")
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle, strict=True)
                missing = REQUIRED - {name.strip() for name in reader.fieldnames or []}
                if missing:
                    raise CommandError(
                        f"The CSV lacks the column(s): {', '.join(sorted(missing))} "
                        f"(its header reads {','.join(reader.fieldnames or [])!r})."
                    )
                raw_rows = [(reader.line_num, row) for row in reader]
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text.") from exc
        except csv.Error as exc:
            raise CommandError(f"{path}, line {reader.line_num}: malformed CSV ({exc}).") from exc
        if not raw_rows:
            raise CommandError(f"{path} has no rows under its header.")
        rows, problems = self._check(raw_rows)
        if problems:
            fail_with(self, problems, f"nothing was imported from {path}")
        sources: set[int] = set()
        with transaction.atomic():
            for row in rows:
                source = source_upsert(name=row.name, kind=row.kind, priority=row.priority)
                url_add(source=source, url=row.url, kind=row.url_kind)
                sources.add(source.pk)
        self.stdout.write(self.style.SUCCESS(f"{len(sources)} sources, {len(rows)} URLs."))

    def _check(self, raw_rows: list[tuple[int, dict[str, Any]]]) -> tuple[list[SourceRow], list[str]]:
        allowed = settings.SCRAPE_ALLOWED_PRIVATE_HOSTS
        rows: list[SourceRow] = []
        problems: list[str] = []
        for line, raw in raw_rows:
            row = {(k or "").strip(): v for k, v in raw.items()}
            if None in raw:
                problems.append(f"line {line}: more fields than the header has columns")
                continue
            try:
                rows.append(
                    SourceRow(
                        name=check_source_name(row.get("source")),
                        kind=check_kind(row.get("kind")),
                        priority=check_priority(row.get("priority")),
                        url=check_url(row.get("url") or "", base_url="", allowed_private=allowed),
                        url_kind=check_url_kind(row.get("url_kind")),
                    )
                )
            except ValueError as exc:
                problems.append(f"line {line}: {exc}")
        return rows, problems
