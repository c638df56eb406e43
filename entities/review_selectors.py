"""Reads for the staff review of venues and artists, one implementation for both (entities.review_kinds):
the queue, who holds which claim, the next unclaimed group, a group side by side with past and upcoming
shows and their line-up overlap, and an entity's history (merges, decisions, curated values)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from entities.models import (
    Artist,
    CanonicalStatus,
    CurationRecord,
    DuplicateStatus,
    EntitySource,
    MergeRecord,
    Performance,
    PerformanceArtist,
    ReviewClaim,
    ReviewDecision,
    ReviewDecisionKind,
    Venue,
)
from entities.resolution.lineups import LineupOverlap, Show, lineup_overlap
from entities.resolution.scoring import haversine_m
from entities.review_kinds import ReviewKind
from entities.selectors import _artist_display, _display, _distance, _ids

SHOWS_LISTED = 8
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# A group shows at most this many candidates at once (a hub with more is reviewed in turns).
GROUP_MAX_MEMBERS = 8


# --- queue and claims ------------------------------------------------------------------------------


def review_pair_queue(kind: ReviewKind) -> QuerySet[Any]:
    """Pending pairs of two active entities, in review order (priority = uncertainty × upcoming shows,
    then score)."""
    return (
        kind.duplicate_model.objects.filter(status=DuplicateStatus.PENDING)
        .exclude(**{f"{kind.side_a}__status": CanonicalStatus.MERGED})
        .exclude(**{f"{kind.side_b}__status": CanonicalStatus.MERGED})
        .order_by("-priority", "-score", "pk")
    )


def pending_candidates(kind: ReviewKind, outer: str) -> Any:
    """How many pending pairs the entity in `outer` (a lookup from the outer row) is in: the size of
    its group, less one."""
    # COUNT as a plain function, not an aggregate: no GROUP BY, one row per outer row.
    query = (
        review_pair_queue(kind)
        .filter(kind.pairs_with(OuterRef(outer)))
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    return Coalesce(Subquery(query, output_field=IntegerField()), 0)


def live_claims(kind: ReviewKind) -> QuerySet[ReviewClaim]:
    return ReviewClaim.objects.filter(entity_type=kind.entity_type, expires_at__gt=timezone.now())


def claimed_by_others(kind: ReviewKind, user: Any, outer: str) -> Exists:
    """Whether another reviewer holds a live claim on the entity in `outer`."""
    return Exists(live_claims(kind).filter(entity_id=OuterRef(outer)).exclude(claimed_by=user))


def claim_holder(kind: ReviewKind, outer: str) -> Subquery:
    """The user name of whoever holds a live claim on the entity in `outer` (for the queue's column)."""
    return Subquery(live_claims(kind).filter(entity_id=OuterRef(outer)).values("claimed_by__username")[:1])


def blocking_claim(kind: ReviewKind, entity_ids: Iterable[int], user: Any) -> ReviewClaim | None:
    """Another reviewer's live claim on one of these entities, if any."""
    return (
        live_claims(kind)
        .filter(entity_id__in=list(entity_ids))
        .exclude(claimed_by=user)
        .select_related("claimed_by")
        .order_by("expires_at")
        .first()
    )


def group_anchor(kind: ReviewKind, pair: Any) -> int:
    """The entity a pair's group is about: the side with more pending candidates (the hub), else A."""
    a, b = kind.pair_of(pair)
    queue = review_pair_queue(kind)
    if queue.filter(kind.pairs_with(b)).count() > queue.filter(kind.pairs_with(a)).count():
        return b
    return a


def next_anchors(kind: ReviewKind, user: Any, *, limit: int = 25) -> list[int]:
    """The anchors of the next groups in queue order whose pair nobody else holds (a reviewer is given
    the first whose whole group they can claim)."""
    pairs = (
        review_pair_queue(kind)
        .exclude(claimed_by_others(kind, user, kind.side_a))
        .exclude(claimed_by_others(kind, user, kind.side_b))
        .annotate(n_a=pending_candidates(kind, kind.side_a), n_b=pending_candidates(kind, kind.side_b))
    )
    anchors: list[int] = []
    for pair in pairs[:limit]:
        a, b = kind.pair_of(pair)
        anchor = b if pair.n_b > pair.n_a else a
        if anchor not in anchors:
            anchors.append(anchor)
    return anchors


def next_pairs(kind: ReviewKind, user: Any, *, limit: int = 25) -> list[int]:
    """The next pairs in queue order whose entities nobody else holds."""
    pairs = (
        review_pair_queue(kind)
        .exclude(claimed_by_others(kind, user, kind.side_a))
        .exclude(claimed_by_others(kind, user, kind.side_b))
    )
    return list(pairs.values_list("pk", flat=True)[:limit])


# --- a group side by side -----------------------------------------------------------------------------


def group_pairs(kind: ReviewKind, anchor_id: int) -> list[Any]:
    """The anchor's pending pairs with active entities, strongest first (at most GROUP_MAX_MEMBERS)."""
    return list(
        review_pair_queue(kind)
        .filter(kind.pairs_with(anchor_id))
        .select_related(kind.side_a, kind.side_b)
        .order_by("-score", "pk")[:GROUP_MAX_MEMBERS]
    )


def pair_other(kind: ReviewKind, pair: Any, anchor_id: int) -> Any:
    """The entity of `pair` that is not the anchor."""
    return getattr(pair, kind.side_b) if kind.pair_of(pair)[0] == anchor_id else getattr(pair, kind.side_a)


def group_decided_pairs(kind: ReviewKind, anchor_id: int) -> list[Any]:
    """The anchor's pairs decided before (for context: who said what, and why)."""
    return list(
        kind.duplicate_model.objects.filter(kind.pairs_with(anchor_id))
        .exclude(status=DuplicateStatus.PENDING)
        .select_related(kind.side_a, kind.side_b, "decided_by")
        .order_by("-decided_at", "-pk")[:20]
    )


@dataclass
class ShowRow:
    performance: Performance
    acts: list[dict[str, Any]] = field(default_factory=list)  # {"name", "shared"}
    same_night: bool = False


def _shows(
    kind: ReviewKind, entities: list[Any]
) -> dict[int, list[tuple[Performance, list[tuple[str, str]]]]]:
    """Every show of each entity with its line-up ((name key, name) per act), in one query for the shows
    and one for their acts."""
    if kind.model is Venue:
        performances = Performance.objects.filter(venue__in=entities)
        owner = {p.pk: [p.venue_id] for p in performances.only("pk", "venue_id")}
    else:
        rows = PerformanceArtist.objects.filter(artist__in=entities).values_list(
            "performance_id", "artist_id"
        )
        owner = {}
        for performance_id, artist_id in rows:
            owner.setdefault(performance_id, []).append(artist_id)
        performances = Performance.objects.filter(pk__in=list(owner))
    shows = {
        p.pk: p
        for p in performances.exclude(status=CanonicalStatus.MERGED)
        .select_related("venue")
        .order_by("local_date", "local_start_time", "pk")
    }
    acts: dict[int, list[tuple[str, str]]] = {pk: [] for pk in shows}
    for performance_id, key, name in (
        PerformanceArtist.objects.filter(performance_id__in=list(shows))
        .order_by("performance_id", "order", "pk")
        .values_list("performance_id", "artist__name_key", "artist__name")
    ):
        acts[performance_id].append((key or name.casefold(), name))
    out: dict[int, list[tuple[Performance, list[tuple[str, str]]]]] = {e.pk: [] for e in entities}
    for pk, show in shows.items():
        for entity_id in owner.get(pk, []):
            if entity_id in out:
                out[entity_id].append((show, acts[pk]))
    return out


def _overlap_shows(
    kind: ReviewKind, entity: Any, shows: list[tuple[Performance, list[tuple[str, str]]]]
) -> list[Show]:
    if kind.model is Venue:
        return [Show(date=p.local_date, acts=frozenset(k for k, _ in acts)) for p, acts in shows]
    own = entity.name_key or entity.name.casefold()
    # An artist's evidence is whom it plays with and where: its own name is left out of the bill.
    return [
        Show(date=p.local_date, acts=frozenset(k for k, _ in acts if k != own), place=str(p.venue_id or ""))
        for p, acts in shows
    ]


def _show_rows(
    performances: list[tuple[Performance, list[tuple[str, str]]]], shared: set[str], nights: set[dt.date]
) -> list[ShowRow]:
    return [
        ShowRow(
            performance=p,
            acts=[{"name": name, "shared": key in shared} for key, name in acts],
            same_night=p.local_date in nights,
        )
        for p, acts in performances
    ]


def _cell_display(kind: ReviewKind, entity: Any, choice: str) -> str:
    if kind.model is Venue:
        return _display(choice, entity)
    return _artist_display(getattr(entity, choice))


def _oriented(pair: Any, kind: ReviewKind, anchor_id: int) -> list[dict[str, Any]]:
    """The pair's explanation with the anchor's value first, whichever side of the pair it is on."""
    anchor_is_a = kind.pair_of(pair)[0] == anchor_id
    return [
        {
            **row,
            "anchor_value": row.get("value_a") if anchor_is_a else row.get("value_b"),
            "member_value": row.get("value_b") if anchor_is_a else row.get("value_a"),
        }
        for row in pair.explanation
        if isinstance(row, dict)
    ]


def review_group(kind: ReviewKind, anchor: Any, *, pairs: list[Any] | None = None) -> dict[str, Any]:
    """Everything the group page shows: the anchor and each pending candidate side by side (values per
    field, differences and locks flagged), why each was filed, their sources, their past and upcoming
    shows, and each candidate's line-up overlap with the anchor."""
    today = timezone.localdate()
    pairs = group_pairs(kind, anchor.pk) if pairs is None else pairs
    members = [pair_other(kind, pair, anchor.pk) for pair in pairs]
    entities = [anchor, *members]
    sources: dict[int, list[EntitySource]] = {e.pk: [] for e in entities}
    for es in (
        EntitySource.objects.filter(**{f"{kind.noun}__in": entities})
        .select_related("source")
        .order_by("-source__priority", "pk")
    ):
        sources[getattr(es, f"{kind.noun}_id")].append(es)
    shows = _shows(kind, entities)
    anchor_shows = _overlap_shows(kind, anchor, shows[anchor.pk])
    overlaps: dict[int, LineupOverlap] = {
        m.pk: lineup_overlap(anchor_shows, _overlap_shows(kind, m, shows[m.pk])) for m in members
    }
    anchor_shared = {act for o in overlaps.values() for act in o.shared_acts}
    anchor_nights = {night for o in overlaps.values() for night in o.same_nights}
    columns = []
    for i, entity in enumerate(entities):
        pair = pairs[i - 1] if i else None
        overlap = overlaps.get(entity.pk)
        shared = set(overlap.shared_acts) if overlap else anchor_shared
        nights = set(overlap.same_nights) if overlap else anchor_nights
        rows = _show_rows(shows[entity.pk], shared, nights)
        upcoming = [r for r in rows if r.performance.local_date >= today]
        past = [r for r in reversed(rows) if r.performance.local_date < today]
        names = {k: n for _, acts in shows[entity.pk] for k, n in acts}
        columns.append(
            {
                "letter": LETTERS[i % 26],
                "entity": entity,
                "is_anchor": i == 0,
                "pair": pair,
                "sources": sources[entity.pk],
                "upcoming": upcoming[:SHOWS_LISTED],
                "upcoming_count": len(upcoming),
                "past": past[:SHOWS_LISTED],
                "past_count": len(past),
                "overlap": overlap,
                "shared_names": [names.get(k, k) for k in overlap.shared_acts] if overlap else [],
                "explanation": _oriented(pair, kind, anchor.pk) if pair is not None else [],
                "total_weight": round(sum(float(e.get("weight") or 0) for e in pair.explanation), 2)
                if pair is not None
                else None,
                "distance": _venue_distance(anchor, entity) if kind.model is Venue and i else None,
            }
        )
    field_rows = []
    for choice in kind.choices:
        fields = kind.fields_of(choice)
        raw = [tuple(getattr(e, n) for n in fields) for e in entities]
        field_rows.append(
            {
                "choice": choice,
                "label": kind.label(choice),
                "fields": [{"name": n, "label": kind.label(n), "value": getattr(anchor, n)} for n in fields],
                "cells": [
                    {
                        "entity": e,
                        "display": _cell_display(kind, e, choice),
                        "locked": bool(set(fields) & set(e.locked_fields)),
                        "odd": r != raw[0],
                    }
                    for e, r in zip(entities, raw, strict=True)
                ],
                "differs": any(r != raw[0] for r in raw[1:]),
            }
        )
    return {
        "anchor": anchor,
        "members": members,
        "columns": columns,
        "rows": field_rows,
        "extra_rows": _extra_rows(kind, entities),
    }


def _venue_distance(a: Venue, b: Venue) -> str:
    if None in (a.latitude, a.longitude, b.latitude, b.longitude):
        return _distance(None)
    return _distance(haversine_m(a.latitude, a.longitude, b.latitude, b.longitude))  # type: ignore[arg-type]


def _extra_rows(kind: ReviewKind, entities: list[Any]) -> list[dict[str, Any]]:
    if kind.model is Venue:
        labelled = [
            ("Former names", [", ".join(v.former_names) for v in entities]),
            ("External IDs", [_ids(v.external_ids) for v in entities]),
            ("Room of", [str(v.parent) if v.parent_id else "" for v in entities]),
        ]
    else:
        labelled = [
            ("Aliases", [", ".join(a.aliases) for a in entities]),
            ("Genres", [", ".join(a.genres) for a in entities]),
            # A source's own key says nothing across sources (as in the venue rows).
            (
                "Links and IDs",
                [
                    _artist_display({k: v for k, v in a.external_ids.items() if not k.startswith("source:")})
                    for a in entities
                ],
            ),
        ]
    labelled.append(("Staff locks", [", ".join(sorted(e.locked_fields)) for e in entities]))
    return [
        {
            "label": label,
            "cells": [{"display": v, "odd": v != values[0]} for v in values],
            "differs": len(set(values)) > 1,
        }
        for label, values in labelled
    ]


# --- an entity's history -----------------------------------------------------------------------------


@dataclass
class HistoryEvent:
    at: dt.datetime
    what: str
    who: str
    reason: str = ""
    detail: str = ""
    undone_at: dt.datetime | None = None
    undone_by: str = ""
    undo_reason: str = ""
    review_id: int | None = None
    kind: str = ""  # merge, decision, value, admin, created


def _name(user: Any, default: str = "the pipeline") -> str:
    return str(user) if user is not None else default


def _names(kind: ReviewKind, public_ids: Iterable[str]) -> dict[str, str]:
    return dict(kind.model.objects.filter(public_id__in=set(public_ids)).values_list("public_id", "name"))


# How the history says a review decision about `s` (the candidate) against `o` (the anchor).
DECISION_PHRASES: dict[str, str] = {
    ReviewDecisionKind.SAME: "{s} is the same {noun} as {o}",
    ReviewDecisionKind.ROOM_OF: "{s} is a room of {o}",
    ReviewDecisionKind.CONTAINS: "{o} is a room of {s}",
    ReviewDecisionKind.DIFFERENT: "{s} and {o} are different {noun}s",
    ReviewDecisionKind.SKIPPED: "{s} ~ {o}: skipped for now",
}


def entity_history(kind: ReviewKind, entity: Venue | Artist) -> list[HistoryEvent]:
    """What happened to one venue or artist, newest first: merges into it or of it, review decisions
    about it, values staff set or released on it, edits in the admin, with who, when and why, and for
    what was undone, who undid it, when and why."""
    pid = entity.public_id
    events: list[HistoryEvent] = [
        HistoryEvent(at=entity.created_at, what="Created", who="the pipeline", kind="created")
    ]
    merges = list(
        MergeRecord.objects.filter(entity_type=kind.entity_type)
        .filter(Q(winner_public_id=pid) | Q(loser_public_id=pid))
        .select_related("merged_by", "undone_by")
    )
    decisions = list(
        ReviewDecision.objects.filter(review__entity_type=kind.entity_type)
        .filter(Q(subject_public_id=pid) | Q(other_public_id=pid))
        .select_related("review__reviewed_by", "undone_by")
    )
    names = _names(
        kind,
        [m.winner_public_id for m in merges]
        + [m.loser_public_id for m in merges]
        + [d.subject_public_id for d in decisions]
        + [d.other_public_id for d in decisions],
    )
    this = f"this {kind.noun}"

    def called(public_id: str) -> str:
        return this if public_id == pid else names.get(public_id, public_id)

    for m in merges:
        events.append(
            HistoryEvent(
                at=m.created_at,
                what=_sentence(f"{called(m.loser_public_id)} merged into {called(m.winner_public_id)}"),
                who="automatic" if m.automatic else _name(m.merged_by),
                reason=m.reason,
                detail=" · ".join(
                    [f"score {m.score:.2f}"] * (m.score is not None)
                    + [f"merged ID {m.loser_public_id}"] * (m.loser_public_id != pid)
                ),
                undone_at=m.undone_at,
                undone_by=_name(m.undone_by, "") if m.undone_at else "",
                undo_reason=m.undo_reason,
                kind="merge",
            )
        )
    for d in decisions:
        phrase = DECISION_PHRASES[d.decision].format(
            s=called(d.subject_public_id), o=called(d.other_public_id), noun=kind.noun
        )
        events.append(
            HistoryEvent(
                at=d.review.reviewed_at,
                what=_sentence(phrase),
                who=_name(d.review.reviewed_by),
                reason=d.review.reason,
                undone_at=d.undone_at,
                undone_by=_name(d.undone_by, "") if d.undone_at else "",
                undo_reason=d.undo_reason,
                review_id=d.review_id,
                kind="decision",
            )
        )
    for c in CurationRecord.objects.filter(entity_type=kind.entity_type, entity_public_id=pid).select_related(
        "by"
    ):
        if c.action == "lock":
            what = f"{kind.label(c.field)} set to “{_value(c.value)}” and locked (was “{_value(c.previous)}”)"
        else:
            what = f"{kind.label(c.field)} unlocked (was “{_value(c.previous)}”): the sources decide again"
        events.append(
            HistoryEvent(
                at=c.at,
                what=what,
                who=_name(c.by, "a command"),
                reason=c.reason,
                review_id=c.review_id,
                kind="value",
            )
        )
    content_type = ContentType.objects.get_for_model(kind.model)
    for entry in LogEntry.objects.filter(content_type=content_type, object_id=str(entity.pk)).select_related(
        "user"
    ):
        events.append(
            HistoryEvent(at=entry.action_time, what=f"Admin: {entry}", who=_name(entry.user), kind="admin")
        )
    events.sort(key=lambda e: e.at, reverse=True)
    return events


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _value(value: Any) -> str:
    return "" if value is None else str(value)
