"""`manage.py resume_llm`: queue the pages parked as waiting for an LLM, once LLM_MODEL is set."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from core.commands import BaseCommand
from extraction.services import extractions_resume_waiting


class Command(BaseCommand):
    help = "Queue the llm_page extractions waiting for an LLM (run it after setting LLM_MODEL)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LLM_MODEL:
            raise CommandError("LLM_MODEL is not set: configure a model first (see docs/configuration.md).")
        self.stdout.write(f"{extractions_resume_waiting()} waiting extractions queued.")
