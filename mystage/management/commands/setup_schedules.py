from typing import Any

from core.commands import BaseCommand
from mystage.pipeline.services import schedule_setup


class Command(BaseCommand):
    help = "Create the recurring pipeline tasks and the django-q2 tick that drives them (safe to run again)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = schedule_setup()
        self.stdout.write(
            self.style.SUCCESS(f"{count} scheduled tasks; django-q2 tick 'mystage-tick' every minute.")
        )
