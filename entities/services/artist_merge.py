"""Merging two canonical artists, leaving a redirect forever, and undoing it (mirrors venue_merge)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from entities.models import (
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    DuplicateStatus,
    EntitySource,
    EntityType,
    MergeRecord,
    Performance,
    PerformanceArtist,
)
from entities.services.recompute import artist_recompute, performance_recompute
from entities.services.redirects import external_id_pks, merged_pair, redirect_leave, redirect_remove
from entities.signals import announce_change


@transaction.atomic
def artist_merge(*, winner: Artist, loser: Artist, by: Any = None, reason: str = "") -> MergeRecord:
    """Fold `loser` into `winner`: repoint its sources, billing rows and IDs; keep a redirect."""
    if winner.pk == loser.pk:
        raise ValueError("An artist cannot be merged into itself.")
    rows = {a.pk: a for a in Artist.objects.select_for_update().filter(pk__in=[winner.pk, loser.pk])}
    if CanonicalStatus.MERGED in (rows[winner.pk].status, rows[loser.pk].status):
        raise ValueError("One of these artists was already merged; merge the surviving artist instead.")
    winner_performances = set(
        PerformanceArtist.objects.filter(artist=winner).values_list("performance_id", flat=True)
    )
    billing = list(PerformanceArtist.objects.filter(artist=loser))
    # Both on one bill: the winner's row stays, the loser's is removed (and kept here for undo).
    dropped = [b for b in billing if b.performance_id in winner_performances]
    moved: dict[str, Any] = {
        "entity_sources": list(EntitySource.objects.filter(artist=loser).values_list("pk", flat=True)),
        "billing": [b.pk for b in billing if b.performance_id not in winner_performances],
        "billing_dropped": [
            {
                "performance": b.performance_id,
                "billing": b.billing,
                "order": b.order,
                "set_start_time": b.set_start_time.isoformat() if b.set_start_time else None,
            }
            for b in dropped
        ],
        "external_ids": external_id_pks(EntityType.ARTIST, loser.public_id),
        "loser_fields": {"name": loser.name, "locked_fields": loser.locked_fields},
    }
    EntitySource.objects.filter(pk__in=moved["entity_sources"]).update(artist=winner)
    PerformanceArtist.objects.filter(pk__in=[b.pk for b in dropped]).delete()
    PerformanceArtist.objects.filter(pk__in=moved["billing"]).update(artist=winner)
    record = redirect_leave(
        entity_type=EntityType.ARTIST, winner=winner, loser=loser, moved=moved, by=by, reason=reason
    )
    ArtistDuplicate.objects.filter(artist_a__in=[winner, loser], artist_b__in=[winner, loser]).update(
        status=DuplicateStatus.MERGED, decided_by=record.merged_by, decided_at=timezone.now(), reason=reason
    )
    artist_recompute(winner)
    announce_change(entity_type=EntityType.ARTIST, entity=loser)
    _touch_performances({b.performance_id for b in billing})
    return record


@transaction.atomic
def artist_unmerge(*, record: MergeRecord, by: Any = None, reason: str = "") -> Artist:
    """Undo an artist merge: the loser comes back with its sources, billing rows and IDs."""
    winner, loser = merged_pair(record, Artist)
    moved = record.moved
    EntitySource.objects.filter(pk__in=moved.get("entity_sources", []), artist=winner).update(artist=loser)
    PerformanceArtist.objects.filter(pk__in=moved.get("billing", []), artist=winner).update(artist=loser)
    for row in moved.get("billing_dropped", []):
        PerformanceArtist.objects.get_or_create(
            performance_id=row["performance"],
            artist=loser,
            defaults={
                "billing": row["billing"],
                "order": row["order"],
                "set_start_time": row["set_start_time"],
            },
        )
    redirect_remove(record=record, loser=loser, by=by, reason=reason)
    ArtistDuplicate.objects.filter(artist_a__in=[winner, loser], artist_b__in=[winner, loser]).update(
        status=DuplicateStatus.PENDING,
        decided_by=None,
        decided_at=None,
        reason=f"merge undone: {reason}" if reason else "merge undone",
    )
    artist_recompute(winner)
    artist_recompute(loser)
    announce_change(entity_type=EntityType.ARTIST, entity=loser)
    performances = set(
        PerformanceArtist.objects.filter(artist=loser).values_list("performance_id", flat=True)
    )
    _touch_performances(performances)
    return loser


def _touch_performances(ids: set[int]) -> None:
    """Bills follow the artists' sources; their documents embed the acts' names and IDs."""
    for performance in Performance.objects.filter(pk__in=ids).select_related("venue"):
        if not (performance.sources.exists() and performance_recompute(performance)):
            announce_change(entity_type=EntityType.PERFORMANCE, entity=performance)
