from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from mystage.pipeline.services import pipeline_sweep


class Command(BaseCommand):
    help = "Re-enqueue pipeline rows left pending or stuck running (e.g. after a worker was killed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--grace", type=int, default=60, help="Skip rows touched in the last N seconds.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["grace"] < 0:
            raise CommandError("--grace must be 0 or more seconds.")
        counts = pipeline_sweep(grace_seconds=options["grace"])
        self.stdout.write(", ".join(f"{n} {stage}" for stage, n in counts.items()) + " re-enqueued")
