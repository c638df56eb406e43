"""Staff review of venue duplicates: merge with chosen values (locked on the winner), bulk merge of
sure pairs, decisions, and undo. The admin only calls these.

Every decision records who, when and why: `VenueDuplicate.decided_by/decided_at/reason` and
`MergeRecord.merged_by/reason`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from entities.models import (
    Artist,
    CanonicalStatus,
    DuplicateStatus,
    EntityType,
    MergeRecord,
    Performance,
    Venue,
    VenueDuplicate,
)
from entities.services.artist_merge import artist_unmerge
from entities.services.curation import entity_fields_lock, lock_value
from entities.services.duplicates import venue_duplicate_decide
from entities.services.group_review import review_decision_undo
from entities.services.merge import venue_merge, venue_pick_winner, venue_unmerge
from entities.services.moved import performance_unmerge
from entities.services.recompute import venue_recompute
from entities.venue_fields import VENUE_CHOICES, VENUE_FIELD_GROUPS, venue_choice_fields


def _complete_groups(winner: Venue, chosen: Mapping[str, Any]) -> dict[str, Any]:
    """A partly chosen group is completed with the winner's current values, so that it is locked whole."""
    values = dict(chosen)
    for group in VENUE_FIELD_GROUPS.values():
        if any(name in values for name in group):
            for name in group:
                values.setdefault(name, getattr(winner, name))
    return values


@transaction.atomic
def venue_merge_with_choices(
    *,
    winner: Venue,
    losers: Sequence[Venue],
    chosen_values: Mapping[str, Any],
    by: Any = None,
    reason: str = "",
    duplicate: VenueDuplicate | None = None,
) -> list[MergeRecord]:
    """Merge `losers` into `winner`; the values staff chose are written to the winner and locked.

    `chosen_values` maps venue fields to values (a part of an address or of coordinates locks the
    whole group, completed from the winner). Returns one MergeRecord per loser; each remembers the
    winner's locks from before, so that `venue_review_undo` restores them.
    """
    ids = [winner.pk, *(v.pk for v in losers)]
    if len(set(ids)) != len(ids) or not losers:
        raise ValueError("Choose one surviving venue and at least one other venue to merge into it.")
    # Lock the rows: two staff members deciding on the same venues at once must not both merge.
    current = {v.pk: v for v in Venue.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    if len(current) != len(ids):
        raise ValueError("One of these venues no longer exists.")
    merged = [v for v in current.values() if v.status == CanonicalStatus.MERGED]
    if merged:
        names = ", ".join(str(v) for v in merged)
        raise ValueError(f"Already merged meanwhile: {names}. Review the surviving venue instead.")
    winner = current[winner.pk]
    losers = [current[v.pk] for v in losers]
    allowed = {name for choice in VENUE_CHOICES for name in venue_choice_fields(choice)}
    unknown = sorted(set(chosen_values) - allowed)
    if unknown:
        raise ValueError(f"Cannot choose {', '.join(unknown)}; choosable: {', '.join(sorted(allowed))}")
    locks = _complete_groups(winner, chosen_values)
    locked_before = dict(winner.locked_fields)
    fields_before = {name: lock_value(getattr(winner, name)) for name in locks}
    if locks:
        entity_fields_lock(entity=winner, values=locks, by=by, reason=reason or "chosen in a merge")
    score = duplicate.score if duplicate is not None else None
    records = [venue_merge(winner=winner, loser=loser, by=by, reason=reason, score=score) for loser in losers]
    batch = [r.pk for r in records]
    for record in records:
        record.moved = {
            **record.moved,
            "review": {
                "batch": batch,
                "locked": {k: lock_value(v) for k, v in locks.items()},
                "locked_before": locked_before,
                "fields_before": fields_before,
            },
        }
        record.save(update_fields=["moved"])
    # Pairs among the merged venues that were not winner~loser (two losers) are settled too.
    now = timezone.now()
    decided_by = by if getattr(by, "pk", None) else None
    VenueDuplicate.objects.filter(
        venue_a__in=ids, venue_b__in=ids, status__in=[DuplicateStatus.PENDING, DuplicateStatus.SKIPPED]
    ).update(status=DuplicateStatus.MERGED, decided_by=decided_by, decided_at=now, reason=reason)
    return records


@transaction.atomic
def venue_review_undo(*, records: Iterable[MergeRecord], by: Any = None, reason: str = "") -> Venue:
    """Undo merges (newest first); when the last merge of a review batch is undone, the winner's locks
    and hand-set values are put back as they were before the review. Returns the winner."""
    ordered = sorted(records, key=lambda r: r.pk, reverse=True)
    if not ordered:
        raise ValueError("Nothing to undo.")
    if any(r.entity_type != EntityType.VENUE for r in ordered):
        raise ValueError("Only venue merges are undone here.")
    winner_ids = {r.winner_public_id for r in ordered}
    if len(winner_ids) != 1:
        raise ValueError("These merges have different winners; undo them one by one.")
    for record in ordered:
        venue_unmerge(record=record, by=by, reason=reason)
    winner = Venue.objects.get(public_id=winner_ids.pop())
    for review in {str(r.moved.get("review")): r.moved.get("review") for r in ordered}.values():
        if not review:
            continue
        still_merged = MergeRecord.objects.filter(pk__in=review["batch"], undone_at__isnull=True).exists()
        if still_merged:
            continue
        _restore_locks(winner, review)
    return winner


def merge_record_undo(*, record: MergeRecord, by: Any = None, reason: str = "") -> None:
    """Undo one merge of any entity type, keeping `reason` beside the merge's own (venue merges from the
    compare page also put back the values chosen there; a merge made by a review undoes that decision).

    Raises ValueError when it cannot be undone (already undone, or the entities changed since)."""
    try:
        decision = record.decisions.filter(undone_at__isnull=True).first()
        if decision is not None:
            review_decision_undo(decision=decision, by=by, reason=reason or "merge undone")
        elif record.entity_type == EntityType.VENUE:
            venue_review_undo(records=[record], by=by, reason=reason)
        elif record.entity_type == EntityType.ARTIST:
            artist_unmerge(record=record, by=by, reason=reason)
        else:
            performance_unmerge(record=record, by=by, reason=reason)
    except (Venue.DoesNotExist, Artist.DoesNotExist, Performance.DoesNotExist) as exc:
        raise ValueError(f"An entity of this merge no longer exists: {exc}") from exc


def _restore_locks(winner: Venue, review: Mapping[str, Any]) -> None:
    """Put back the locks from before the review; a lock changed since (by someone else) is kept."""
    locked_now = dict(winner.locked_fields)
    restored = dict(locked_now)
    for name, value in review["locked"].items():
        if locked_now.get(name) != value:
            continue  # changed after the review: not ours to undo
        if name in review["locked_before"]:
            restored[name] = review["locked_before"][name]
        else:
            restored.pop(name, None)
    if restored != locked_now:
        winner.locked_fields = restored
        # Fields that no source decides (e.g. kind) go back to their old value by hand.
        if "kind" in review["fields_before"] and "kind" not in restored:
            winner.kind = review["fields_before"]["kind"]
        winner.save()
        venue_recompute(winner)


def venue_duplicate_skip(*, duplicate: VenueDuplicate, by: Any = None, reason: str = "") -> VenueDuplicate:
    """Leave the pair for later: it leaves the queue until someone reopens it."""
    return venue_duplicate_decide(duplicate=duplicate, status=DuplicateStatus.SKIPPED, by=by, reason=reason)


def venue_duplicate_reject(*, duplicate: VenueDuplicate, by: Any = None, reason: str = "") -> VenueDuplicate:
    """Not the same place: the pair is never asked again."""
    return venue_duplicate_decide(
        duplicate=duplicate, status=DuplicateStatus.NOT_DUPLICATE, by=by, reason=reason
    )


def venue_duplicates_reopen(*, duplicates: QuerySet[VenueDuplicate], by: Any = None) -> int:
    """Put skipped or rejected pairs back in the queue (both venues must still be active)."""
    return (
        duplicates.filter(
            status__in=[DuplicateStatus.SKIPPED, DuplicateStatus.NOT_DUPLICATE, DuplicateStatus.ROOM_OF]
        )
        .exclude(Q(venue_a__status=CanonicalStatus.MERGED) | Q(venue_b__status=CanonicalStatus.MERGED))
        .update(status=DuplicateStatus.PENDING, decided_by=None, decided_at=None, reason="reopened")
    )


@dataclass
class BulkMergeResult:
    merged: int = 0
    below_threshold: int = 0
    not_pending: int = 0
    errors: list[str] = field(default_factory=list)


def venue_duplicates_merge_bulk(
    *, duplicates: QuerySet[VenueDuplicate], min_score: float, by: Any = None, reason: str = ""
) -> BulkMergeResult:
    """Merge every pending pair scoring at least `min_score`, each into its likelier survivor; others are
    left for one-by-one review. Each pair merges in its own transaction: one failure stops nothing."""
    result = BulkMergeResult()
    for dup in duplicates.select_related("venue_a", "venue_b").order_by("-score", "pk"):
        if dup.status != DuplicateStatus.PENDING:
            result.not_pending += 1
            continue
        if dup.score < min_score:
            result.below_threshold += 1
            continue
        dup.refresh_from_db()
        venues = [Venue.objects.get(pk=dup.venue_a_id), Venue.objects.get(pk=dup.venue_b_id)]
        winner = venue_pick_winner(venues)
        loser = venues[1] if winner.pk == venues[0].pk else venues[0]
        try:
            venue_merge_with_choices(
                winner=winner,
                losers=[loser],
                chosen_values={},
                by=by,
                reason=reason or f"bulk merge (score ≥ {min_score:.2f})",
                duplicate=dup,
            )
            result.merged += 1
        except ValueError as exc:
            result.errors.append(f"{dup}: {exc}")
    return result
