"""`manage.py reextract`: re-run extractors over stored scrapes, in batches, idempotently."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from core.commands import BaseCommand
from extraction.replay import batched_ids, extractions_replay, known_extractors, replayable_scrapes
from sourcing.models import Source


def _date(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


class Command(BaseCommand):
    help = (
        "Re-run extractors over stored scrapes. A scrape that already has an extraction by the current "
        "version of an extractor is skipped, so after an extractor's version is bumped this replays exactly "
        "what it has not seen yet; --force re-runs anyway."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", help="Only scrapes of this source (its name).")
        parser.add_argument("--since", type=_date, help="Scraped on or after this date (YYYY-MM-DD).")
        parser.add_argument("--until", type=_date, help="Scraped before this date (YYYY-MM-DD).")
        parser.add_argument("--extractor", help=f"Only this extractor ({', '.join(known_extractors())}).")
        parser.add_argument(
            "--all-scrapes", action="store_true", help="Every stored body, not only each URL's latest."
        )
        parser.add_argument("--force", action="store_true", help="Re-run extractions that already exist.")
        parser.add_argument("--batch-size", type=int, default=200)
        parser.add_argument(
            "--inline", action="store_true", help="Run here instead of queueing for the workers."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["source"] and not Source.objects.filter(name=options["source"]).exists():
            raise CommandError(f"No source {options['source']!r}.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["since"] and options["until"] and options["since"] >= options["until"]:
            raise CommandError("--since must be before --until.")
        if options["extractor"] and options["extractor"] not in known_extractors():
            raise CommandError(
                f"Unknown extractor {options['extractor']!r}; known: {', '.join(known_extractors())}."
            )
        scrapes = replayable_scrapes(
            source=options["source"],
            since=options["since"],
            until=options["until"],
            latest_only=not options["all_scrapes"],
        )
        total = {"created": 0, "rerun": 0, "unchanged": 0}
        # Progress on stderr, shown on a terminal only: stdout carries the result.
        with tqdm(total=scrapes.count(), desc="Scrapes", unit="scrape", file=sys.stderr, disable=None) as bar:
            for ids in batched_ids(scrapes, options["batch_size"]):
                with transaction.atomic():
                    counts = extractions_replay(
                        scrape_ids=ids,
                        extractor=options["extractor"],
                        force=options["force"],
                        run_inline=options["inline"],
                    )
                for key, value in counts.items():
                    total[key] += value
                bar.update(len(ids))
        verb = "ran" if options["inline"] else "queued"
        self.stdout.write(
            f"{total['created']} new and {total['rerun']} re-run extractions {verb}; "
            f"{total['unchanged']} already up to date."
        )
