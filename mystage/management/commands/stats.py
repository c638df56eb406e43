import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from mystage.pipeline.services import pipeline_counts


class Command(BaseCommand):
    help = "Counts per stage and status, canonical entities, duplicates and sync state; the task queue; failures."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--failures", action="store_true", help="Also the most frequent failure reasons per stage."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from mystage.pipeline import dashboard

        counts = pipeline_counts()
        queue = dashboard.queue_depth()
        failures = [g.as_dict() for g in dashboard.failure_groups(limit=5)] if options["failures"] else None
        if options["json"]:
            extra: dict[str, Any] = {"queue": queue} | (
                {"failures": failures} if failures is not None else {}
            )
            self.stdout.write(json.dumps(counts | extra, sort_keys=True))
            return
        for key, value in counts.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "none"
            self.stdout.write(f"{key:<16} {value}")
        waiting = "unavailable" if queue["queued"] is None else queue["queued"]
        self.stdout.write(
            f"{'task queue':<16} {waiting} waiting at the {queue['broker']} broker; "
            f"{queue['successes']} succeeded, {queue['failures']} failed (kept by django-q2)"
        )
        for group in failures or []:
            self.stdout.write(
                f"{group['stage']:<16} {group['count']:>5} {group['status']}: {group['last_error'][:150]}"
            )
