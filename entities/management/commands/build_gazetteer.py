"""Build the offline gazetteer index now (it is otherwise built by the first venue that needs it)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from core.commands import BaseCommand
from entities.enrichment.gazetteer import gazetteer_file_name, open_gazetteer


class Command(BaseCommand):
    help = "Build the offline gazetteer (GeoNames cities and postal codes) into GAZETTEER_DIR; idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.GAZETTEER_DIR / gazetteer_file_name()
        if path.exists():
            self.stdout.write(f"The gazetteer is built: {path}")
            return
        started = time.monotonic()
        try:
            open_gazetteer(settings.GAZETTEER_DIR)
        except OSError as exc:
            raise CommandError(
                f"Cannot build the gazetteer in {settings.GAZETTEER_DIR}: {exc.strerror or exc}."
            ) from exc
        self.stdout.write(f"Built the gazetteer in {time.monotonic() - started:.0f} s: {path}")
