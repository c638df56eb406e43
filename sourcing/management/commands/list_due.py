"""`manage.py list_due`: the URLs whose next scrape time has come, highest priority first."""

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils import timezone

from core.commands import BaseCommand
from sourcing.models import Url


class Command(BaseCommand):
    help = "List the URLs that are due for scraping now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--limit", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        now = timezone.now()
        due = Url.objects.filter(is_active=True, source__is_active=True, next_scrape_at__lte=now)
        total = due.count()
        for url in due.select_related("source").order_by("-priority", "next_scrape_at")[: options["limit"]]:
            late = int((now - url.next_scrape_at).total_seconds() // 60) if url.next_scrape_at else 0
            self.stdout.write(f"{url.priority:>4}  {url.source.name:<24} {late:>6} min late  {url.url}")
        self.stdout.write(f"{total} URL(s) due.")
