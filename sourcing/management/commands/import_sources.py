"""`manage.py import_sources FILE.json [--base-url URL]`: add sources and URLs from a JSON file, all or
nothing: a URL that cannot be fetched (not http(s), no host) stores nothing and is named with its line."""

import json
import re
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcing.services import sources_import
from sourcing.urlnorm import InvalidUrl

_WHERE = re.compile(r"^sources\[(\d+)\]\.urls\[(\d+)\]: ")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


class Command(BaseCommand):
    help = (
        'Add sources and URLs from a JSON file: {"sources": [{"name", "kind", "priority", "urls": [...]}]}; '
        "all or nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--base-url", default="", help="Prefix for URLs given as paths.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = options["path"].read_text()
        spec = json.loads(text)
        try:
            urls = sources_import(spec=spec, base_url=options["base_url"])
        except InvalidUrl as exc:
            raise CommandError(
                f"{options['path']}{_line_of(text, spec, str(exc))}: {exc} Nothing was imported."
            ) from None
        self.stdout.write(self.style.SUCCESS(f"{len(spec['sources'])} sources, {len(urls)} URLs due now."))


def _line_of(text: str, spec: dict[str, Any], message: str) -> str:
    """ ", line N" of the URL an error names (sources[i].urls[j]), found among the file's strings."""
    where = _WHERE.match(message)
    if where is None:
        return ""
    i, j = int(where.group(1)), int(where.group(2))
    wanted = spec["sources"][i]["urls"][j]
    # The same text may occur earlier (another source's URL): count the occurrences before it.
    nth = sum(url == wanted for item in spec["sources"][:i] for url in item["urls"])
    nth += sum(url == wanted for url in spec["sources"][i]["urls"][:j])
    for match in _STRING.finditer(text):
        if json.loads(match.group(0)) == wanted:
            if nth == 0:
                return f", line {text.count(chr(10), 0, match.start()) + 1}"
            nth -= 1
    return ""
