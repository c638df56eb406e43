import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sourcing.services import sources_import


class Command(BaseCommand):
    help = (
        'Add sources and URLs from a JSON file: {"sources": [{"name", "kind", "priority", "urls": [...]}]}.'
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--base-url", default="", help="Prefix for URLs given as paths.")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = json.loads(options["path"].read_text())
        urls = sources_import(spec=spec, base_url=options["base_url"])
        self.stdout.write(self.style.SUCCESS(f"{len(spec['sources'])} sources, {len(urls)} URLs due now."))
