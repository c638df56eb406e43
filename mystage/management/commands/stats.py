"""`manage.py stats [--json] [--failures]`: where the pipeline stands, in words (or JSON for scripts)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import CommandParser

from core.commands import BaseCommand
from mystage.pipeline.services import pipeline_counts
from mystage.pipeline.workers import worker_status

STAGE_LABELS = {
    "scrapes": "scrapes",
    "extractions": "extractions",
    "entity_sources": "entity sources",
    "url_images": "images",
}
WIDTH = 16


def _by_status(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "none"


class Command(BaseCommand):
    help = "Counts per stage and status, canonical entities, duplicates and sync state; the task queue and the workers; failures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="One JSON object instead of text.")
        parser.add_argument(
            "--failures", action="store_true", help="Also the most frequent failure reasons per stage."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mystage.pipeline import dashboard

        counts = pipeline_counts()
        queue = dashboard.queue_depth()
        workers = worker_status()
        failures = [g.as_dict() for g in dashboard.failure_groups(limit=5)] if options["failures"] else None
        if options["json"]:
            extra: dict[str, Any] = {
                "queue": queue,
                "workers": {
                    "running": workers.running,
                    "clusters": workers.clusters,
                    "workers": workers.workers,
                    "last_seen": workers.last_seen.isoformat() if workers.last_seen else None,
                    "detail": workers.describe(),
                },
            }
            if failures is not None:
                extra["failures"] = failures
            self.stdout.write(json.dumps(counts | extra, sort_keys=True))
            return
        line = self.stdout.write
        line("Pipeline rows")
        for key, label in STAGE_LABELS.items():
            line(f"  {label:<{WIDTH}} {_by_status(counts[key])}")
        line("Canonical")
        line(
            f"  {'entities':<{WIDTH}} {counts['venues']} venues, {counts['artists']} artists, "
            f"{counts['performances']} performances"
        )
        line(f"  {'venue duplicates':<{WIDTH}} {_by_status(counts['duplicates'])}")
        line("Sync")
        for target, by_status in counts["sync"].items() or [("targets", {})]:
            line(f"  {target:<{WIDTH}} {_by_status(by_status)}")
        line("Workers")
        waiting = "unknown (broker unavailable)" if queue["queued"] is None else queue["queued"]
        line(
            f"  {'task queue':<{WIDTH}} {waiting} waiting at the {queue['broker']} broker; "
            f"{queue['successes']} succeeded, {queue['failures']} failed (kept by django-q2)"
        )
        line(f"  {'clusters':<{WIDTH}} {workers.describe()}")
        if options["failures"]:
            line("Most frequent failures")
            for group in failures or []:
                line(
                    f"  {STAGE_LABELS.get(group['stage'], group['stage']):<{WIDTH}} {group['count']:>5} "
                    f"{group['status']}: {group['last_error'][:150] or '(no message)'}"
                )
            if not failures:
                line("  none")
