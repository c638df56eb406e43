"""Merging two canonical venues, leaving a redirect forever, and undoing it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from entities.models import (
    CanonicalStatus,
    DuplicateStatus,
    EntitySource,
    EntityType,
    MergeRecord,
    Performance,
    Venue,
    VenueDuplicate,
)
from entities.services.recompute import venue_recompute
from entities.services.redirects import external_id_pks, merged_pair, redirect_leave, redirect_remove
from entities.signals import announce_change


def venue_pick_winner(venues: Sequence[Venue]) -> Venue:
    """The default survivor: most sources, then most performances, then the oldest."""
    counts = {
        row["pk"]: (row["n_sources"], row["n_performances"])
        for row in Venue.objects.filter(pk__in=[v.pk for v in venues])
        .annotate(
            n_sources=Count("sources", distinct=True), n_performances=Count("performances", distinct=True)
        )
        .values("pk", "n_sources", "n_performances")
    }
    return max(venues, key=lambda v: (*counts.get(v.pk, (0, 0)), -v.pk))


@transaction.atomic
def venue_merge(
    *, winner: Venue, loser: Venue, by: Any = None, reason: str = "", score: float | None = None
) -> MergeRecord:
    """Fold `loser` into `winner`: repoint its sources, performances, rooms and IDs; keep a redirect."""
    if winner.pk == loser.pk:
        raise ValueError("A venue cannot be merged into itself.")
    if CanonicalStatus.MERGED in (winner.status, loser.status):
        raise ValueError("One of these venues was already merged; review the surviving venue instead.")
    moved: dict[str, Any] = {
        "entity_sources": list(EntitySource.objects.filter(venue=loser).values_list("pk", flat=True)),
        "performances": list(Performance.objects.filter(venue=loser).values_list("pk", flat=True)),
        "rooms": list(Venue.objects.filter(parent=loser).values_list("pk", flat=True)),
        "external_ids": external_id_pks(EntityType.VENUE, loser.public_id),
        "loser_fields": {"name": loser.name, "locked_fields": loser.locked_fields},
    }
    EntitySource.objects.filter(pk__in=moved["entity_sources"]).update(venue=winner)
    Performance.objects.filter(pk__in=moved["performances"]).update(venue=winner)
    Venue.objects.filter(pk__in=moved["rooms"]).update(parent=winner)
    record = redirect_leave(
        entity_type=EntityType.VENUE,
        winner=winner,
        loser=loser,
        moved=moved,
        by=by,
        reason=reason,
        score=score,
    )
    VenueDuplicate.objects.filter(venue_a__in=[winner, loser], venue_b__in=[winner, loser]).update(
        status=DuplicateStatus.MERGED, decided_by=record.merged_by, decided_at=timezone.now(), reason=reason
    )
    venue_recompute(winner)
    announce_change(entity_type=EntityType.VENUE, entity=loser)
    for performance in Performance.objects.filter(pk__in=moved["performances"]):
        announce_change(entity_type=EntityType.PERFORMANCE, entity=performance)
    return record


@transaction.atomic
def venue_unmerge(*, record: MergeRecord, by: Any = None, reason: str = "") -> Venue:
    """Undo a merge: the loser comes back with the sources, performances, rooms and IDs that moved."""
    winner, loser = merged_pair(record, Venue)
    moved = record.moved
    EntitySource.objects.filter(pk__in=moved.get("entity_sources", []), venue=winner).update(venue=loser)
    Performance.objects.filter(pk__in=moved.get("performances", []), venue=winner).update(venue=loser)
    Venue.objects.filter(pk__in=moved.get("rooms", []), parent=winner).update(parent=loser)
    redirect_remove(record=record, loser=loser, by=by, reason=reason)
    VenueDuplicate.objects.filter(venue_a__in=[winner, loser], venue_b__in=[winner, loser]).update(
        status=DuplicateStatus.PENDING,
        decided_by=None,
        decided_at=None,
        reason=f"merge undone: {reason}" if reason else "merge undone",
    )
    venue_recompute(winner)
    venue_recompute(loser)
    announce_change(entity_type=EntityType.VENUE, entity=loser)
    for performance in Performance.objects.filter(pk__in=moved.get("performances", [])):
        announce_change(entity_type=EntityType.PERFORMANCE, entity=performance)
    return loser
