"""`manage.py run_source NAME [--inline]`: run the pipeline for one source and follow it to the end.

Queued (the default): scrapes go to the worker cluster (`manage.py qcluster`, on any machine) and this
command follows the source's rows until nothing is moving. `--inline`: every task runs in this process,
no worker needed (q2's sync mode); retries that come due within the timeout are run too.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from tqdm import tqdm

from core.commands import BaseCommand
from core.stages import OPEN_STATUSES, StageStatus
from entities.models import EntitySource
from extraction.models import Extraction
from sourcing.models import Scrape, Source
from sourcing.services import scrape_request

TASKS = {
    "scrapes": "sourcing.tasks.scrape_fetch_task",
    "extractions": "extraction.tasks.extraction_run_task",
    "entity_sources": "entities.tasks.entity_source_resolve_task",
}
NO_WORKER_AFTER = dt.timedelta(seconds=20)


def stage_rows(source: Source, since: dt.datetime) -> dict[str, QuerySet[Any]]:
    """The rows this run made or touched, per stage."""
    scrapes = Scrape.objects.filter(url__source=source, created_at__gte=since)
    return {
        "scrapes": scrapes,
        "extractions": Extraction.objects.filter(scrape__in=scrapes),
        "entity_sources": EntitySource.objects.filter(source=source, updated_at__gte=since),
    }


def by_status(rows: QuerySet[Any]) -> dict[str, int]:
    return {r["status"]: r["n"] for r in rows.values("status").annotate(n=Count("pk")).order_by("status")}


def _fmt(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {status}" for status, n in counts.items()) or "none"


def _moving(rows: QuerySet[Any], now: dt.datetime) -> QuerySet[Any]:
    """Open rows that are due now (a retry scheduled for later is not "moving")."""
    return rows.filter(status__in=OPEN_STATUSES).filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))


class Command(BaseCommand):
    help = "Scrape every active URL of one source, and follow its scrapes, extractions and entity sources to the end."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The source's name (see import_sources).")
        parser.add_argument(
            "--inline", action="store_true", help="Run every task in this process; no worker needed."
        )
        parser.add_argument(
            "--timeout", type=float, default=600, help="Stop following after this many seconds."
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["timeout"] <= 0:
            raise CommandError("--timeout must be more than 0 seconds.")
        source = Source.objects.filter(name=options["name"]).first()
        if source is None:
            known = ", ".join(Source.objects.order_by("name").values_list("name", flat=True)[:30])
            raise CommandError(
                f"No source {options['name']!r}. Known: {known or 'none (import_sources first)'}."
            )
        urls = list(source.urls.filter(is_active=True).order_by("-priority", "pk"))
        if not urls:
            raise CommandError(f"Source {source.name!r} has no active URLs.")
        started = timezone.now()
        deadline = time.monotonic() + options["timeout"]
        progress = not options["no_progress"]
        if options["inline"]:
            self._inline(source, urls, started, deadline, progress)
        else:
            queued = sum(1 for url in urls if scrape_request(url=url, requested_by="command"))
            self.stdout.write(f"Queued {queued} scrape(s) of {len(urls)} URL(s) of {source.name}.")
            self._follow(source, started, deadline, progress)
        self._summary(source, started)

    def _inline(
        self, source: Source, urls: list[Any], started: dt.datetime, deadline: float, progress: bool
    ) -> None:
        from django_q.conf import Conf
        from django_q.tasks import async_task

        previous = Conf.SYNC
        Conf.SYNC = True  # async_task runs the task here and now: fetch, then extract, then resolve
        try:
            for url in tqdm(
                urls, desc=source.name, unit="url", file=sys.stderr, disable=not progress or None
            ):
                scrape_request(url=url, requested_by="command")
            # Retries and politeness hand-backs that come due before the deadline.
            while time.monotonic() < deadline:
                rows = stage_rows(source, started)
                waiting = [
                    (row.retry_at or timezone.now(), stage, row.pk)
                    for stage, qs in rows.items()
                    for row in qs.filter(status=StageStatus.PENDING).only("pk", "retry_at")
                ]
                if not waiting:
                    break
                due, stage, pk = min(waiting)
                pause = (due - timezone.now()).total_seconds()
                if pause > deadline - time.monotonic():
                    break
                time.sleep(max(pause, 0))
                async_task(TASKS[stage], pk)
        finally:
            Conf.SYNC = previous

    def _follow(self, source: Source, started: dt.datetime, deadline: float, progress: bool) -> None:
        from django_q.brokers import get_broker

        broker = get_broker()
        idle_polls = 0
        warned = False
        with tqdm(desc=source.name, unit="row", file=sys.stderr, disable=not progress or None) as bar:
            while True:
                now = timezone.now()
                rows = stage_rows(source, started)
                counts = {stage: by_status(qs) for stage, qs in rows.items()}
                total = sum(sum(c.values()) for c in counts.values())
                moving = sum(_moving(qs, now).count() for qs in rows.values())
                bar.total = max(total, 1)
                bar.n = total - moving
                bar.set_postfix_str(" | ".join(f"{stage} {_fmt(c)}" for stage, c in counts.items()))
                bar.refresh()
                idle_polls = idle_polls + 1 if moving == 0 else 0
                if idle_polls >= 3:
                    return
                started_any = rows["scrapes"].exclude(status=StageStatus.PENDING).exists()
                if not (warned or started_any) and now - started > NO_WORKER_AFTER and broker.queue_size():
                    self.stderr.write(
                        "\nNo worker has taken a task yet: start one with `manage.py qcluster`, or use --inline."
                    )
                    warned = True
                if time.monotonic() > deadline:
                    self.stderr.write(
                        "\nTimed out; the rows keep moving on the workers. See `manage.py stats`."
                    )
                    return
                time.sleep(1)

    def _summary(self, source: Source, started: dt.datetime) -> None:
        rows = stage_rows(source, started)
        self.stdout.write(f"Source {source.name}:")
        for stage, qs in rows.items():
            self.stdout.write(f"  {stage:<15} {_fmt(by_status(qs))}")
        later = rows["scrapes"].filter(status=StageStatus.PENDING, retry_at__gt=timezone.now()).count()
        if later:
            self.stdout.write(f"  {later} scrape(s) will be retried later by the sweeper (see the admin).")
        failed = rows["scrapes"].filter(status=StageStatus.FAILED).values_list("last_error", flat=True)[:5]
        for error in failed:
            self.stdout.write(f"  failed: {error[:200]}")
