"""`manage.py import_sources FILE.json [--base-url URL]`: add sources and URLs from a JSON file.

The file: {"sources": [{"name", "kind", "priority", "url_kind", "urls": [...]}]}; a URL may be a path
joined to --base-url. Every source and URL is checked first (names, kinds, and the one scrapable-URL
check); one problem and nothing is written, each problem is reported with where it is.
"""

import json
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser
from django.db import transaction

from core.commands import BaseCommand, fail_with, input_file
from sourcing.importing import check_kind, check_priority, check_source_name, check_url, check_url_kind
from sourcing.services import sources_import


class Command(BaseCommand):
    help = (
        'Add sources and URLs from a JSON file: {"sources": [{"name", "kind", "priority", "urls": [...]}]}; '
        "all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The JSON file.")
        parser.add_argument("--base-url", default="", help="Prefix for URLs given as paths.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = input_file(options["path"], "JSON file")
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError as exc:
            raise CommandError(f"{path} is not UTF-8 text.") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{path} is not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from exc
        checked, problems = self._check(spec, base_url=options["base_url"])
        if problems:
            fail_with(self, problems, f"nothing was imported from {path}")
        with transaction.atomic():
            urls = sources_import(spec=checked, base_url=options["base_url"])
        self.stdout.write(self.style.SUCCESS(f"{len(checked['sources'])} sources, {len(urls)} URLs due now."))

    def _check(self, spec: Any, *, base_url: str) -> tuple[dict[str, Any], list[str]]:
        if not isinstance(spec, dict) or not isinstance(spec.get("sources"), list):
            return {}, [
                'the file must be an object with a list "sources": {"sources": [{"name": …, "urls": […]}]}'
            ]
        allowed = settings.SCRAPE_ALLOWED_PRIVATE_HOSTS
        problems: list[str] = []
        sources: list[dict[str, Any]] = []
        for i, item in enumerate(spec["sources"]):
            where = f"sources[{i}]"
            if not isinstance(item, dict):
                problems.append(f"{where}: each source must be an object")
                continue
            checked: dict[str, Any] = {}
            for key, check in (
                ("name", check_source_name),
                ("kind", check_kind),
                ("priority", check_priority),
                ("url_kind", check_url_kind),
            ):
                try:
                    checked[key] = check(item.get(key))
                except ValueError as exc:
                    problems.append(f"{where}: {exc}")
            urls = item.get("urls")
            if not isinstance(urls, list) or not urls:
                problems.append(f'{where}: "urls" must be a non-empty list')
                urls = []
            checked["urls"] = []
            for j, url in enumerate(urls):
                try:
                    checked["urls"].append(check_url(url, base_url=base_url, allowed_private=allowed))
                except ValueError as exc:
                    problems.append(f"{where}.urls[{j}]: {exc}")
            sources.append(checked)
        return {"sources": sources}, problems
