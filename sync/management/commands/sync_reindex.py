from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from sync.management.commands._progress import progress_bar
from sync.models import SyncTarget
from sync.reconcile import sync_reindex
from sync.services import MODELS


class Command(BaseCommand):
    help = (
        "Rebuild the Algolia indexes from the database without downtime: copy each live index's settings "
        "to a temporary index, push every record there, then move it onto the live index."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", choices=[SyncTarget.ALGOLIA], default=SyncTarget.ALGOLIA)
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        total = sum(model.objects.count() for model in MODELS.values())
        try:
            with progress_bar("reindex", total, enabled=not options["no_progress"]) as progress:
                counts = sync_reindex(target=options["target"], progress=progress)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for entity_type, count in counts.items():
            self.stdout.write(f"{entity_type}: {count} records moved onto the live index")
