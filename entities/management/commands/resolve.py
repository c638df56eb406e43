"""`manage.py resolve [--all] [--source NAME] [--type venue]`: resolve entity sources in this process."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Case, IntegerField, Value, When
from tqdm import tqdm

from core.commands import BaseCommand
from core.stages import StageStatus
from entities.models import EntitySource, EntityType
from entities.services import entity_source_resolve
from entities.services.operator import entity_sources_requeue
from entities.signals import entities_resolved
from sourcing.models import Source

TYPE_ORDER = Case(
    When(entity_type=EntityType.VENUE, then=Value(0)),
    When(entity_type=EntityType.ARTIST, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


class Command(BaseCommand):
    help = (
        "Resolve pending entity sources now, in this process (venues, then artists, then performances). "
        "With --all, every source is resolved again (e.g. after a matching change)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Re-resolve done and failed sources too.")
        parser.add_argument("--source", help="Only this source's entity sources.")
        parser.add_argument("--type", choices=EntityType.values, dest="entity_type")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = EntitySource.objects.all()
        if options["source"]:
            if not Source.objects.filter(name=options["source"]).exists():
                raise CommandError(f"No source {options['source']!r}.")
            rows = rows.filter(source__name=options["source"])
        if options["entity_type"]:
            rows = rows.filter(entity_type=options["entity_type"])
        if options["all"]:
            requeued = entity_sources_requeue(queryset=rows.exclude(status=StageStatus.PENDING))
            self.stdout.write(f"{requeued} entity source(s) put back to pending.")
        ids = list(
            rows.filter(status=StageStatus.PENDING).order_by(TYPE_ORDER, "pk").values_list("pk", flat=True)
        )
        resolved = 0
        for pk in tqdm(
            ids, desc="resolve", unit="src", file=sys.stderr, disable=options["no_progress"] or None
        ):
            if entity_source_resolve(entity_source_id=pk) is not None:
                resolved += 1
        failed = rows.filter(pk__in=ids, status=StageStatus.FAILED).count()
        waiting = rows.filter(pk__in=ids, status=StageStatus.PENDING).count()
        self.stdout.write(
            f"{resolved} resolved, {failed} failed, {waiting} still pending (waiting on a dependency or "
            f"held by a worker), of {len(ids)}."
        )
        if resolved:
            entities_resolved.send(sender=EntitySource, resolved=resolved)
            self.stdout.write("Changed entities are marked for sync: a worker pushes them, or run sync_push.")
