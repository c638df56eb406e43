"""What every merge of two canonical entities does alike: move the loser's external IDs, leave a
redirect (status "merged", `merged_into`) with a MergeRecord saying what moved, and undo both.

The entity-specific parts (which rows point at the loser, what to recompute) stay in `merge.py`
(venues), `artist_merge.py` and `moved.py` (performances)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from entities.models import Artist, CanonicalStatus, ExternalId, MergeRecord, Performance, Venue


def external_id_pks(entity_type: str, public_id: str) -> list[int]:
    return list(
        ExternalId.objects.filter(entity_type=entity_type, public_id=public_id).values_list("pk", flat=True)
    )


def redirect_leave(
    *,
    entity_type: str,
    winner: Venue | Artist | Performance,
    loser: Venue | Artist | Performance,
    moved: dict[str, Any],
    by: Any = None,
    reason: str = "",
    score: float | None = None,
) -> MergeRecord:
    """Move the loser's external IDs, mark it merged into the winner, and record the merge."""
    ExternalId.objects.filter(pk__in=moved.get("external_ids", [])).update(public_id=winner.public_id)
    loser.status = CanonicalStatus.MERGED
    loser.merged_into = winner
    loser.save(update_fields=["status", "merged_into", "updated_at"])
    return MergeRecord.objects.create(
        entity_type=entity_type,
        winner_public_id=winner.public_id,
        loser_public_id=loser.public_id,
        merged_by=by if getattr(by, "pk", None) else None,
        automatic=by is None,
        reason=reason,
        score=score,
        moved=moved,
    )


def merged_pair[E: (Venue, Artist, Performance)](record: MergeRecord, model: type[E]) -> tuple[E, E]:
    """The winner and loser of a merge that can still be undone, or ValueError saying why not."""
    if record.entity_type != model._meta.model_name:
        raise ValueError(f"Not a merge of {model._meta.verbose_name_plural}.")
    if record.undone_at is not None:
        raise ValueError("This merge was already undone.")
    winner = model.objects.get(public_id=record.winner_public_id)
    loser = model.objects.get(public_id=record.loser_public_id)
    return winner, loser


def redirect_remove(
    *, record: MergeRecord, loser: Venue | Artist | Performance, by: Any = None, reason: str = ""
) -> None:
    """The loser answers for itself again: its external IDs come back and the record is marked undone,
    with who undid it and why beside the merge's own reason."""
    ExternalId.objects.filter(pk__in=record.moved.get("external_ids", [])).update(public_id=loser.public_id)
    loser.status = CanonicalStatus.ACTIVE
    loser.merged_into = None
    loser.save(update_fields=["status", "merged_into", "updated_at"])
    record.undone_at = timezone.now()
    record.undone_by = by if getattr(by, "pk", None) else None
    record.undo_reason = reason
    record.save(update_fields=["undone_at", "undone_by", "undo_reason"])
