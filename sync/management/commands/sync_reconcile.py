from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from core.commands import BaseCommand
from sync.management.commands._progress import progress_bar
from sync.models import SyncTarget
from sync.reconcile import sync_reconcile
from sync.services import MODELS

SHOW_IDS = 10


class Command(BaseCommand):
    help = (
        "Compare each target with the database (counts and payload hashes per entity type) and print "
        "the drift: missing, extra and stale documents (whole documents are read and hashed, so hand "
        "edits show), and records rejected for good. --repair marks missing and stale records dirty and "
        "pushes them, and deletes extras."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--target", choices=[*SyncTarget.values, "all"], default="all")
        parser.add_argument("--repair", action="store_true")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **options: Any) -> None:
        targets = SyncTarget.values if options["target"] == "all" else [options["target"]]
        total = sum(model.objects.count() for model in MODELS.values())
        for target in targets:
            with progress_bar(f"reconcile {target}", total, enabled=not options["no_progress"]) as progress:
                report = sync_reconcile(target=target, repair=options["repair"], progress=progress)
            for drift in report.drift:
                self.stdout.write(
                    f"{target} {drift.collection}: database {drift.expected}, target {drift.found}, "
                    f"missing {len(drift.missing)}, extra {len(drift.extra)}, stale {len(drift.stale)}, "
                    f"rejected {len(drift.rejected)}"
                )
                for kind in ("missing", "extra", "stale", "rejected"):
                    ids = getattr(drift, kind)
                    if ids:
                        more = f" (+{len(ids) - SHOW_IDS} more)" if len(ids) > SHOW_IDS else ""
                        self.stdout.write(f"  {kind}: {', '.join(ids[:SHOW_IDS])}{more}")
                for index, names in drift.settings.items():
                    self.stdout.write(f"  settings of {index} differ from the code: {', '.join(names)}")
            if report.clean:
                self.stdout.write(f"{target}: no drift")
            elif report.repaired:
                done = ", ".join(f"{k} {v}" for k, v in report.repaired.items())
                self.stdout.write(f"{target}: repaired ({done})")
            else:
                self.stdout.write(f"{target}: drift found; run again with --repair to fix it")
