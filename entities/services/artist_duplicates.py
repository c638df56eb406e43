"""Artist duplicates: the batch pass that files uncertain artist pairs, online matching of a new
artist source, automatic merges and reopening, mirroring the venue ones (duplicates.py, review.py).
Staff decisions on artist pairs go through the one review of venues and artists (group_review.py).

Every score comes from ``entities.resolution.artists`` (the scorer ``manage.py dedupe_artists``
runs): links decide both ways, then names, genres, co-billed acts and cities.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from entities.models import (
    STAFF_SEPARATED,
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    DuplicateStatus,
    PerformanceArtist,
)
from entities.resolution.artists import (
    ArtistRecord,
    PreparedArtist,
    artist_name_words,
    candidate_pairs,
    name_counts,
    score_artist_pair,
)
from entities.resolution.model import FieldComparison, MatchScore
from entities.services.artist_merge import artist_merge

# Canonical artists scored against one new source at most.
ONLINE_CANDIDATES_MAX = 50


def _typed_ids(external_ids: Mapping[str, Any]) -> list[tuple[str, str]]:
    """A canonical artist's external IDs ({scheme: [ID, ...]}, typed and normalised by recompute through
    ``entities.resolution.links``) as the scorer's (scheme, ID) pairs."""
    out = []
    for scheme, ids in external_ids.items():
        if scheme.startswith("source:"):
            continue  # a source's own key says nothing across sources
        out += [(scheme, str(value)) for value in (ids if isinstance(ids, list) else [ids]) if value]
    return out


def artist_record(artist: Artist, *, city: str | None = None, co_billed: Sequence[str] = ()) -> ArtistRecord:
    """A canonical artist as the scorer sees it: its name, genres, links, where it plays most and whom
    it is billed with."""
    return ArtistRecord(
        id=str(artist.pk),
        name=artist.name,
        city=city,
        genres=list(artist.genres or []),
        urls=[artist.url] if artist.url else [],
        ids=_typed_ids(artist.external_ids or {}),
        co_billed=list(co_billed),
    )


def _contexts(artists: Sequence[Artist]) -> dict[int, tuple[str | None, list[str]]]:
    """Per artist: the city of most of its performances, and the names it is billed with."""
    ids = [a.pk for a in artists]
    cities: dict[int, Counter[str]] = {}
    bills: dict[int, list[int]] = {}
    for artist_id, performance_id, city in PerformanceArtist.objects.filter(artist_id__in=ids).values_list(
        "artist_id", "performance_id", "performance__venue__locality"
    ):
        if city:
            cities.setdefault(artist_id, Counter())[city] += 1
        bills.setdefault(performance_id, []).append(artist_id)
    names = dict(
        Artist.objects.filter(pk__in={a for acts in bills.values() for a in acts}).values_list("pk", "name")
    )
    together: dict[int, set[str]] = {}
    for acts in bills.values():
        for artist_id in acts:
            together.setdefault(artist_id, set()).update(names[o] for o in acts if o != artist_id)
    return {
        pk: (cities[pk].most_common(1)[0][0] if pk in cities else None, sorted(together.get(pk, ())))
        for pk in ids
    }


def _prepared(artists: Sequence[Artist]) -> list[PreparedArtist]:
    context = _contexts(artists)
    return [artist_record(a, city=context[a.pk][0], co_billed=context[a.pk][1]).prepare() for a in artists]


@dataclass(frozen=True)
class FiledArtistPair:
    duplicate: ArtistDuplicate
    created: bool
    updated: bool


def artist_duplicate_file(
    a: int,
    b: int,
    *,
    score: float,
    explanation: Sequence[FieldComparison],
    upcoming: Mapping[int, int] | None = None,
) -> FiledArtistPair:
    """File (or refresh, while pending) the pair of artists `a` < `b`, its explanation with `a`'s values
    on side A; a decided pair stays as it is."""
    if a >= b:
        raise ValueError("file artist pairs in pk order")
    upcoming = upcoming or {}
    rows = [item.to_json() for item in explanation]
    uncertainty = 1 - abs(score - 0.5) * 2
    priority = round(uncertainty * (1 + upcoming.get(a, 0) + upcoming.get(b, 0)), 4)
    with transaction.atomic():
        row, created = ArtistDuplicate.objects.get_or_create(
            artist_a_id=a, artist_b_id=b, defaults={"score": score, "explanation": rows, "priority": priority}
        )
        if created or row.status != DuplicateStatus.PENDING or (row.score, row.priority) == (score, priority):
            return FiledArtistPair(row, created, False)
        row.score, row.explanation, row.priority = score, rows, priority
        row.save(update_fields=["score", "explanation", "priority", "updated_at"])
        return FiledArtistPair(row, False, True)


def _sides(explanation: Sequence[FieldComparison], *, first: int, a: int) -> tuple[FieldComparison, ...]:
    if first == a:
        return tuple(explanation)
    return tuple(row._replace(value_a=row.value_b, value_b=row.value_a) for row in explanation)


def artist_duplicates_find() -> dict[str, int]:
    """Score likely pairs among active artists: merge those at or above the automatic threshold
    (never across a staff decision), file the uncertain ones for staff. Decided pairs stay decided."""
    artists = list(Artist.objects.exclude(status=CanonicalStatus.MERGED).order_by("pk"))
    prepared = _prepared(artists)
    counts = name_counts(prepared)
    upcoming = _upcoming_counts()
    review, auto = settings.RESOLUTION_REVIEW_THRESHOLD, settings.RESOLUTION_AUTO_MERGE_THRESHOLD
    out = {"artists": len(artists), "candidates": 0, "filed": 0, "updated": 0, "merged": 0}
    merged_away: set[int] = set()
    for i, j in candidate_pairs(prepared):
        result = score_artist_pair(prepared[i], prepared[j], name_mentions=counts)
        if result.score < review:
            continue
        out["candidates"] += 1
        a, b = artists[i].pk, artists[j].pk  # artists are in pk order
        if a in merged_away or b in merged_away:
            continue
        filed = artist_duplicate_file(
            a, b, score=result.score, explanation=result.explanation, upcoming=upcoming
        )
        if filed.duplicate.status == DuplicateStatus.PENDING and result.score >= auto:
            loser = artist_duplicate_auto_merge(duplicate_id=filed.duplicate.pk)
            if loser is not None:
                merged_away.add(loser)
                out["merged"] += 1
        elif filed.created:
            out["filed"] += 1
        elif filed.updated:
            out["updated"] += 1
    return out


def _upcoming_counts() -> dict[int, int]:
    today = timezone.localdate()
    rows = (
        Artist.objects.filter(performances__local_date__gte=today)
        .annotate(n=Count("performances"))
        .values_list("pk", "n")
    )
    return dict(rows)


def _merged_group(artist: Artist) -> set[int]:
    group, frontier = {artist.pk}, {artist.pk}
    while frontier:
        frontier = set(Artist.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - group
        group |= frontier
    return group


def _staff_separated(a: Artist, b: Artist) -> bool:
    side_a, side_b = _merged_group(a), _merged_group(b)
    return (
        ArtistDuplicate.objects.filter(status__in=STAFF_SEPARATED)
        .filter(Q(artist_a__in=side_a, artist_b__in=side_b) | Q(artist_a__in=side_b, artist_b__in=side_a))
        .exists()
    )


def artist_pick_winner(artists: Sequence[Artist]) -> Artist:
    """The default survivor: most sources, then most performances, then the oldest."""
    counts = {
        row["pk"]: (row["n_sources"], row["n_billing"])
        for row in Artist.objects.filter(pk__in=[a.pk for a in artists])
        .annotate(n_sources=Count("sources", distinct=True), n_billing=Count("billing", distinct=True))
        .values("pk", "n_sources", "n_billing")
    }
    return max(artists, key=lambda a: (*counts.get(a.pk, (0, 0)), -a.pk))


def artist_duplicate_auto_merge(*, duplicate_id: int) -> int | None:
    """Merge a pending artist pair at or above the automatic threshold; the loser's pk, or None when
    there is nothing to merge any more. The pair row and both artists are locked and re-checked, as
    in ``duplicates.venue_duplicate_auto_merge``."""
    with transaction.atomic():
        duplicate = ArtistDuplicate.objects.select_for_update().filter(pk=duplicate_id).first()
        if duplicate is None or duplicate.status != DuplicateStatus.PENDING:
            return None
        pair = list(
            Artist.objects.select_for_update()
            .filter(pk__in=[duplicate.artist_a_id, duplicate.artist_b_id])
            .order_by("pk")
        )
        if len(pair) != 2 or any(a.status == CanonicalStatus.MERGED for a in pair):
            return None
        if _staff_separated(pair[0], pair[1]):
            return None
        winner = artist_pick_winner(pair)
        loser = next(a for a in pair if a.pk != winner.pk)
        artist_merge(
            winner=winner,
            loser=loser,
            reason=f"automatic: score {duplicate.score:.3f} at or above RESOLUTION_AUTO_MERGE_THRESHOLD",
        )
        return loser.pk


# --- staff decisions ------------------------------------------------------------------------------


def artist_duplicates_reopen(*, duplicates: QuerySet[ArtistDuplicate], by: Any = None) -> int:
    """Put skipped or rejected pairs back in the queue (both artists must still be active)."""
    return (
        duplicates.filter(status__in=[DuplicateStatus.SKIPPED, DuplicateStatus.NOT_DUPLICATE])
        .exclude(Q(artist_a__status=CanonicalStatus.MERGED) | Q(artist_b__status=CanonicalStatus.MERGED))
        .update(status=DuplicateStatus.PENDING, decided_by=None, decided_at=None, reason="reopened")
    )


# --- online matching of a new artist source -------------------------------------------------------


@dataclass(frozen=True)
class ArtistCandidate:
    artist: Artist
    result: MatchScore


def artist_candidates_scored(
    *, name: str, name_key: str, genres: Sequence[str], ids: Sequence[tuple[str, str]]
) -> list[ArtistCandidate]:
    """Active canonical artists of the same name key, scored against a new source (best first); ``ids``
    are the source's typed IDs and links (``links.record_external_ids``)."""
    # The stored key (normalize_artist_name) and the scorer's (billing notes, ", The" and country
    # tags out): "Solar Lanterns, The" finds "The Solar Lanterns".
    keys = {name_key, artist_name_words(name)} - {""}
    found = list(
        Artist.objects.filter(name_key__in=keys)
        .exclude(status=CanonicalStatus.MERGED)
        .order_by("pk")[:ONLINE_CANDIDATES_MAX]
    )
    if not found:
        return []
    new = ArtistRecord(id="new", name=name, genres=list(genres), ids=list(ids)).prepare()
    known = _prepared(found)
    out = [ArtistCandidate(a, score_artist_pair(new, k)) for a, k in zip(found, known, strict=True)]
    out.sort(key=lambda c: (-c.result.score, c.artist.pk))
    return out


def artist_pair_file_for_review(*, new: Artist, other: Artist, result: MatchScore) -> FiledArtistPair:
    """File a new artist and a same-named one for review (explanation scored new-first)."""
    a, b = sorted((new.pk, other.pk))
    return artist_duplicate_file(
        a, b, score=result.score, explanation=_sides(result.explanation, first=new.pk, a=a)
    )
