from typing import Any

from core.commands import BaseCommand
from sourcing.services import scrapes_request_due


class Command(BaseCommand):
    help = "Queue scrapes for every URL whose next scrape time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"{scrapes_request_due()} scrapes queued.")
