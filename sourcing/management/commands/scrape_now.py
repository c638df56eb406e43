"""`manage.py scrape_now`: queue scrapes of given URLs, or of all URLs of a source, now."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sourcing.models import Url
from sourcing.services import scrape_request
from sourcing.urlnorm import url_hash


class Command(BaseCommand):
    help = "Queue a scrape now for the given URLs (already known) or for every URL of --source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*")
        parser.add_argument("--source", help="Every active URL of this source.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["urls"] and not options["source"]:
            raise CommandError("Give URLs or --source NAME.")
        urls = list(Url.objects.filter(url_hash__in=[url_hash(u) for u in options["urls"]]))
        unknown = len(options["urls"]) - len(urls)
        if options["source"]:
            urls += list(Url.objects.filter(source__name=options["source"], is_active=True))
        queued = sum(1 for url in urls if scrape_request(url=url, requested_by="command"))
        self.stdout.write(f"{queued} scrapes queued; {len(urls) - queued} already queued.")
        if unknown:
            self.stderr.write(f"{unknown} URL(s) are not known: add them with import_sources first.")
