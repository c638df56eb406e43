"""`manage.py scrape_now URL… | --source NAME`: queue scrapes of known URLs, or of every URL of a source, now.

Every URL given must pass the one scrapable-URL check and be known already (import_sources adds URLs);
an unknown URL or source is an error and nothing is queued.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand, fail_with
from sourcing.models import Source, Url
from sourcing.services import scrape_request
from sourcing.urlnorm import UnacceptableUrl, check_scrapable_url, url_hash


class Command(BaseCommand):
    help = "Queue a scrape now for the given URLs (already known) or for every active URL of --source."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("urls", nargs="*", help="Known URLs (see list_due, or the admin's URLs).")
        parser.add_argument("--source", help="Every active URL of this source.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["urls"] and not options["source"]:
            raise CommandError("Give URLs or --source NAME.")
        problems: list[str] = []
        urls: list[Url] = []
        for given in options["urls"]:
            try:
                normalised = check_scrapable_url(given, allowed_private=settings.SCRAPE_ALLOWED_PRIVATE_HOSTS)
            except UnacceptableUrl as exc:
                problems.append(f"{given[:200]}: {exc}")
                continue
            url = Url.objects.filter(url_hash=url_hash(normalised)).first()
            if url is None:
                problems.append(f"{given[:200]}: not a known URL (add it with import_sources first)")
            else:
                urls.append(url)
        if options["source"]:
            source = Source.objects.filter(name=options["source"]).first()
            if source is None:
                known = ", ".join(Source.objects.order_by("name").values_list("name", flat=True)[:20])
                problems.append(f"no source {options['source']!r} (known: {known or 'none'})")
            else:
                active = list(source.urls.filter(is_active=True))
                if not active:
                    problems.append(f"source {source.name!r} has no active URLs")
                urls += active
        if problems:
            fail_with(self, problems, "nothing was queued")
        queued = sum(1 for url in urls if scrape_request(url=url, requested_by="command"))
        self.stdout.write(f"{queued} scrapes queued; {len(urls) - queued} already queued.")
