"""`manage.py import_sources_csv FILE`: add sources and URLs from a CSV file."""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from sourcing.models import SourceKind, UrlKind
from sourcing.services import source_upsert, url_add
from sourcing.urlnorm import InvalidUrl

REQUIRED = {"source", "url"}


class Command(BaseCommand):
    help = (
        "Add sources and URLs from a CSV with the columns source,url and optionally kind,priority,url_kind."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        with options["path"].open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = REQUIRED - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"The CSV lacks the column(s): {', '.join(sorted(missing))}.")
            rows = list(reader)
        sources, urls = set(), 0
        with transaction.atomic():
            for line, row in enumerate(rows, start=2):
                kind = row.get("kind") or SourceKind.VENUE_SITE
                if kind not in SourceKind.values:
                    raise CommandError(
                        f"Line {line}: unknown kind {kind!r} (one of {', '.join(SourceKind.values)})."
                    )
                url_kind = row.get("url_kind") or UrlKind.LISTING
                if url_kind not in UrlKind.values:
                    raise CommandError(f"Line {line}: unknown url_kind {url_kind!r}.")
                source = source_upsert(name=row["source"], kind=kind, priority=int(row.get("priority") or 50))
                try:
                    url_add(source=source, url=row["url"], kind=url_kind)
                except InvalidUrl as exc:  # the whole file rolls back
                    raise CommandError(f"Line {line}: {exc} Nothing was imported.") from None
                sources.add(source.pk)
                urls += 1
        self.stdout.write(self.style.SUCCESS(f"{len(sources)} sources, {urls} URLs."))
