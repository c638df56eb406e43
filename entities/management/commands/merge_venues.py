"""`manage.py merge_venues WINNER LOSER --reason "…"`: merge two venues by public ID (or #pk)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError, CommandParser

from core.commands import BaseCommand
from entities.models import Venue, VenueDuplicate
from entities.services import venue_merge_with_choices


def find_venue(ref: str) -> Venue:
    venue = (
        Venue.objects.filter(pk=int(ref[1:])).first()
        if ref.startswith("#") and ref[1:].isdigit()
        else Venue.objects.filter(public_id=ref).first()
    )
    if venue is None:
        raise CommandError(f"No venue {ref!r} (give its public ID, or #<number> for its row number).")
    return venue


class Command(BaseCommand):
    help = "Merge LOSER into WINNER: the loser's sources, performances and IDs move, its ID redirects."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("winner", help="The venue that survives: public ID or #row.")
        parser.add_argument("loser", help="The venue merged into it: public ID or #row.")
        parser.add_argument("--reason", required=True, help="Why: kept with the merge record.")
        parser.add_argument("--by", help="Username recorded as the one who merged.")

    def handle(self, *args: Any, **options: Any) -> None:
        winner, loser = find_venue(options["winner"]), find_venue(options["loser"])
        by = None
        if options["by"]:
            by = get_user_model().objects.filter(username=options["by"]).first()
            if by is None:
                raise CommandError(f"No user {options['by']!r}.")
        a, b = sorted([winner.pk, loser.pk])
        duplicate = VenueDuplicate.objects.filter(venue_a_id=a, venue_b_id=b).first()
        try:
            (record,) = venue_merge_with_choices(
                winner=winner,
                losers=[loser],
                chosen_values={},
                by=by,
                reason=options["reason"],
                duplicate=duplicate,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Merged {loser} ({loser.public_id}) into {winner} ({winner.public_id}); merge record {record.pk}. "
            f"Undo with: manage.py unmerge {record.pk}"
        )
