"""`manage.py unmerge RECORD_ID`: undo a venue, artist or performance merge (see the admin's merge records)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from entities.models import MergeRecord
from entities.services import merge_record_undo


class Command(BaseCommand):
    help = "Undo a merge by its merge record number: the merged entity comes back with what moved."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("record", type=int)
        parser.add_argument("--reason", default="", help="why (kept beside the merge's own reason)")

    def handle(self, *args: Any, **options: Any) -> None:
        record = MergeRecord.objects.filter(pk=options["record"]).first()
        if record is None:
            raise CommandError(f"No merge record {options['record']}.")
        try:
            merge_record_undo(record=record, reason=options["reason"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Undone: {record.loser_public_id} is separate from {record.winner_public_id} again."
        )
