"""The batch pass that files venue duplicate candidates, and staff decisions on them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from entities.models import CanonicalStatus, DuplicateStatus, Venue, VenueDuplicate
from entities.resolution.matching import VenueRecord, find_duplicates


def venue_record(venue: Venue) -> VenueRecord:
    return VenueRecord(
        id=str(venue.pk),
        name=venue.name,
        street=venue.street or None,
        city=venue.locality or None,
        postal_code=venue.postal_code or None,
        country=venue.country or None,
        phone=venue.phone or None,
        website=venue.website or None,
        latitude=venue.latitude,
        longitude=venue.longitude,
        external_ids={
            scheme: ids[0]
            for scheme, ids in venue.external_ids.items()
            if ids and not scheme.startswith("source:")
        },
    )


def venue_duplicates_find() -> dict[str, int]:
    """Score likely pairs among active venues and file new candidates; decided pairs are never asked again."""
    venues = list(Venue.objects.exclude(status=CanonicalStatus.MERGED))
    prepared = [VenueRecord.prepare(venue_record(v)) for v in venues]
    candidates = find_duplicates(
        prepared,
        review_threshold=settings.RESOLUTION_REVIEW_THRESHOLD,
        auto_threshold=settings.RESOLUTION_AUTO_MERGE_THRESHOLD,
    )
    upcoming = _upcoming_counts()
    filed = updated = 0
    for candidate in candidates:
        a, b = sorted((int(candidate.a_id), int(candidate.b_id)))
        explanation = [item.to_json() for item in candidate.explanation]
        # Staff see the most uncertain pairs with the most upcoming shows first.
        uncertainty = 1 - abs(candidate.score - 0.5) * 2
        priority = round(uncertainty * (1 + upcoming.get(a, 0) + upcoming.get(b, 0)), 4)
        with transaction.atomic():
            row, created = VenueDuplicate.objects.get_or_create(
                venue_a_id=a,
                venue_b_id=b,
                defaults={"score": candidate.score, "explanation": explanation, "priority": priority},
            )
            if created:
                filed += 1
            elif row.status == DuplicateStatus.PENDING and (row.score, row.priority) != (
                candidate.score,
                priority,
            ):
                row.score, row.explanation, row.priority = candidate.score, explanation, priority
                row.save(update_fields=["score", "explanation", "priority", "updated_at"])
                updated += 1
    return {"venues": len(venues), "candidates": len(candidates), "filed": filed, "updated": updated}


def _upcoming_counts() -> dict[int, int]:
    from django.db.models import Count

    today = timezone.localdate()
    rows = (
        Venue.objects.filter(performances__local_date__gte=today)
        .annotate(n=Count("performances"))
        .values_list("pk", "n")
    )
    return dict(rows)


def venue_duplicate_decide(
    *, duplicate: VenueDuplicate, status: str, by: Any = None, reason: str = ""
) -> VenueDuplicate:
    """Record a staff decision ("not a duplicate", "skipped"); merging goes through `venue_merge`."""
    duplicate.status = status
    duplicate.decided_by = by
    duplicate.decided_at = timezone.now()
    duplicate.reason = reason
    duplicate.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    return duplicate
