"""The batch pass that files venue duplicate candidates, and staff decisions on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from entities.models import CanonicalStatus, DuplicateStatus, Venue, VenueDuplicate
from entities.resolution.duplicates import find_duplicates, possibly_renamed
from entities.resolution.keys import venue_block_key
from entities.resolution.links import is_identifying, record_external_ids
from entities.resolution.model import FieldComparison, MatchScore
from entities.resolution.normalize import normalize_city, normalize_name
from entities.resolution.records import VenueRecord
from entities.resolution.scoring import score_venue_pair
from entities.services.merge import venue_merge, venue_pick_winner
from extraction.schemas import ExtractedVenue

# Coordinates precise enough to say where a building is. A postal-code or city centroid (the offline
# gazetteer) puts every venue of a town on one point: as evidence that two venues are one place it
# would be false, so matching does not see it.
PLACE_PRECISIONS = frozenset({"", "reported", "rooftop", "address"})


def venue_record(venue: Venue) -> VenueRecord:
    precise = venue.coord_precision in PLACE_PRECISIONS
    return VenueRecord(
        id=str(venue.pk),
        name=venue.name,
        street=venue.street or None,
        city=venue.locality or None,
        postal_code=venue.postal_code or None,
        country=venue.country or None,
        phone=venue.phone or None,
        website=venue.website or None,
        latitude=venue.latitude if precise else None,
        longitude=venue.longitude if precise else None,
        # Typed IDs that name one place (a shared website is the website field's business).
        external_ids={
            scheme: ids[0]
            for scheme, ids in venue.external_ids.items()
            if ids and not scheme.startswith("source:") and is_identifying(scheme, "venue")
        },
    )


def venue_duplicates_find() -> dict[str, int]:
    """Score likely pairs among active venues: merge those above the automatic threshold, file the
    rest above the review threshold for staff. Decided pairs are never asked again (nor merged)."""
    venues = list(Venue.objects.exclude(status=CanonicalStatus.MERGED))
    prepared = [VenueRecord.prepare(venue_record(v)) for v in venues]
    candidates = find_duplicates(
        prepared,
        review_threshold=settings.RESOLUTION_REVIEW_THRESHOLD,
        auto_threshold=settings.RESOLUTION_AUTO_MERGE_THRESHOLD,
    )
    upcoming = _upcoming_counts()
    counts = {"venues": len(venues), "candidates": len(candidates), "filed": 0, "updated": 0, "merged": 0}
    merged_away: set[int] = set()
    for candidate in candidates:
        a, b = sorted((int(candidate.a_id), int(candidate.b_id)))
        if a in merged_away or b in merged_away:
            continue  # the pass scored this pair before an automatic merge took one side away
        outcome = venue_duplicate_file(
            a, b, score=candidate.score, explanation=candidate.explanation, upcoming=upcoming
        )
        if outcome.status == DuplicateStatus.PENDING and candidate.decision == "auto_merge":
            loser = _merge_automatically(outcome)
            if loser is not None:
                merged_away.add(loser)
                counts["merged"] += 1
        elif outcome.created:
            counts["filed"] += 1
        elif outcome.updated:
            counts["updated"] += 1
    return counts


@dataclass(frozen=True)
class Filed:
    duplicate: VenueDuplicate
    created: bool
    updated: bool

    @property
    def status(self) -> str:
        return self.duplicate.status


def venue_duplicate_file(
    a: int,
    b: int,
    *,
    score: float,
    explanation: Sequence[FieldComparison],
    upcoming: Mapping[int, int] | None = None,
) -> Filed:
    """File (or refresh, while pending) the candidate pair of venues `a` < `b`; a decided pair stays as it is."""
    upcoming = _upcoming_counts() if upcoming is None else upcoming
    rows = [item.to_json() for item in explanation]
    # Staff see the most uncertain pairs with the most upcoming shows first.
    uncertainty = 1 - abs(score - 0.5) * 2
    priority = round(uncertainty * (1 + upcoming.get(a, 0) + upcoming.get(b, 0)), 4)
    with transaction.atomic():
        row, created = VenueDuplicate.objects.get_or_create(
            venue_a_id=a, venue_b_id=b, defaults={"score": score, "explanation": rows, "priority": priority}
        )
        if created or row.status != DuplicateStatus.PENDING or (row.score, row.priority) == (score, priority):
            return Filed(row, created, False)
        row.score, row.explanation, row.priority = score, rows, priority
        row.save(update_fields=["score", "explanation", "priority", "updated_at"])
        return Filed(row, False, True)


def _merge_automatically(filed: Filed) -> int | None:
    """Merge a pending pair that scored above the automatic threshold; the loser's pk, or None if one
    side is gone already."""
    duplicate = filed.duplicate
    pair = list(Venue.objects.filter(pk__in=[duplicate.venue_a_id, duplicate.venue_b_id]))
    if len(pair) != 2 or any(v.status == CanonicalStatus.MERGED for v in pair):
        return None
    winner = venue_pick_winner(pair)
    loser = next(v for v in pair if v.pk != winner.pk)
    venue_merge(
        winner=winner,
        loser=loser,
        reason=f"automatic: score {duplicate.score:.3f} at or above RESOLUTION_AUTO_MERGE_THRESHOLD",
        score=duplicate.score,
    )
    return loser.pk


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


def extracted_venue_record(data: ExtractedVenue) -> VenueRecord:
    address = data.address
    return VenueRecord(
        id="new",
        name=data.name,
        street=address.street if address else None,
        city=address.locality if address else None,
        postal_code=address.postal_code if address else None,
        country=address.country if address else None,
        phone=data.phone,
        website=data.website,
        latitude=data.latitude,
        longitude=data.longitude,
        external_ids=_identifying_ids(record_external_ids("venue", data.model_dump(mode="json"))),
    )


def _identifying_ids(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """The first ID per scheme of those that name one place, as the canonical side keeps them."""
    ids: dict[str, str] = {}
    for scheme, value in pairs:
        if not scheme.startswith("source:") and is_identifying(scheme, "venue"):
            ids.setdefault(scheme, value)
    return ids


# Canonical venues scored against one new source at most: blocks stay small, matching stays fast.
ONLINE_CANDIDATES_MAX = 200


def venue_candidates_scored(data: ExtractedVenue) -> list[tuple[Venue, MatchScore]]:
    """Canonical venues this newly seen venue may be, best first: those scoring at least the review
    threshold, or filed by the renamed-venue rule. Blocks in the database on the same keys the batch
    pass uses most (name, phone, city + first name word), then scores each pair with its explanation."""
    new = extracted_venue_record(data).prepare()
    name_key = normalize_name(data.name)
    blocks = Q(name_key=name_key)
    if new.phone:
        blocks |= Q(phone=new.phone)
    city = data.address.locality if data.address else None
    block_key = venue_block_key(name_key, normalize_city(city) if city else "")
    if block_key:
        blocks |= Q(block_key=block_key)
    out = []
    # Each block is one index lookup: name_key, phone and block_key are indexed.
    for venue in Venue.objects.filter(blocks).exclude(status=CanonicalStatus.MERGED)[:ONLINE_CANDIDATES_MAX]:
        known = venue_record(venue).prepare()
        result = score_venue_pair(new, known)
        if result.score >= settings.RESOLUTION_REVIEW_THRESHOLD or possibly_renamed(new, known):
            out.append((venue, result))
    out.sort(key=lambda pair: (-pair[1].score, pair[0].pk))
    return out
