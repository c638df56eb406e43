"""`manage.py extract_file PATH`: the router and extractors on a local file, no database writes."""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from extraction.router import Document, route
from sourcing.models import SourceKind


class Command(BaseCommand):
    help = "Run the document router and its extractors on a local HTML or API JSON file; print the validated extraction as JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument(
            "--url", default="", help="The URL the file was fetched from (resolves relative links)."
        )
        parser.add_argument("--source-kind", default=SourceKind.VENUE_SITE, choices=SourceKind.values)
        parser.add_argument("--indent", type=int, default=2)

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        content_type = mimetypes.guess_type(path.name)[0] or ""
        doc = Document(
            body=body, url=options["url"], content_type=content_type, source_kind=options["source_kind"]
        )
        runs: list[dict[str, Any]] = []
        for extractor in route(doc):
            if extractor.run is None:
                runs.append(
                    {
                        "extractor": extractor.name,
                        "version": extractor.version,
                        "status": "waiting",
                        "reason": "needs an LLM agent (run the pipeline with LLM_MODEL set)",
                    }
                )
                continue
            result = extractor.run(doc)
            runs.append(
                {
                    "extractor": extractor.name,
                    "version": extractor.version,
                    "status": "done",
                    "result": result.model_dump(mode="json"),
                }
            )
        self.stdout.write(
            json.dumps(
                {"path": str(path), "extractions": runs}, indent=options["indent"] or None, ensure_ascii=False
            )
        )
