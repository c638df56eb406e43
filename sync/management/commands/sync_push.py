from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser
from django.utils import timezone

from core.commands import BaseCommand
from sync.management.commands._progress import progress_bar
from sync.models import SyncTarget
from sync.services import due_records, sync_push, target_for


class Command(BaseCommand):
    help = "Push every dirty (or due failed) sync record to its target; a second run writes nothing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", choices=[*SyncTarget.values, "all"], default="all")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        targets = SyncTarget.values if options["target"] == "all" else [options["target"]]
        failed = rejected = 0
        for target in targets:
            store = target_for(target)
            try:
                total = due_records(target, timezone.now()).count()
                with progress_bar(f"push {target}", total, enabled=not options["no_progress"]) as progress:
                    totals = sync_push(target=target, store=store, progress=progress)
            finally:
                store.close()
            failed += totals["failed"]
            rejected += totals["rejected"]
            self.stdout.write(
                f"{target} ({type(store).__name__}): written {totals['written']}, "
                f"deleted {totals['deleted']}, failed {totals['failed']}, rejected {totals['rejected']}"
            )
        if failed:
            self.stderr.write(
                f"{failed} record(s) failed and will be retried with backoff (see the admin's sync records)."
            )
        if rejected:
            self.stderr.write(
                f"{rejected} record(s) were rejected (too big, or outside the published contract) and will "
                "not be sent until they change: the admin's sync records say why."
            )
