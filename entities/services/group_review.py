"""Staff review of a pair or a group: an anchor venue or artist and every candidate filed against it,
decided member by member (the same, a room of it, having it as a room, different, or skipped), with
values picked from any member or typed, written to the survivor and locked. One implementation for
venues and artists (what differs is data in entities.review_kinds).

A review is a `Review` with one `ReviewDecision` per member; undoing it (a reason is required) puts
everything back and keeps both reasons. The reviewer must hold the group's claim (entities.services.claims).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from entities.models import (
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    DuplicateStatus,
    EntityType,
    MergeRecord,
    Review,
    ReviewDecision,
    Venue,
    VenueDuplicate,
)
from entities.review_kinds import Decision, ReviewKind, review_kind
from entities.services.artist_duplicates import artist_pick_winner
from entities.services.artist_merge import artist_merge, artist_unmerge
from entities.services.claims import review_claim, review_claims_release
from entities.services.curation import entity_fields_lock, entity_fields_unlock, lock_value
from entities.services.merge import venue_merge, venue_pick_winner, venue_unmerge
from entities.services.rooms import venue_room_set, venue_room_unset

Entity = Venue | Artist
Pair = VenueDuplicate | ArtistDuplicate

# The pair status each decision leaves.
PAIR_STATUS: dict[str, str] = {
    Decision.SAME: DuplicateStatus.MERGED,
    Decision.ROOM_OF: DuplicateStatus.ROOM_OF,
    Decision.CONTAINS: DuplicateStatus.ROOM_OF,
    Decision.DIFFERENT: DuplicateStatus.NOT_DUPLICATE,
    Decision.SKIPPED: DuplicateStatus.SKIPPED,
}
# Fields that no source decides: an undo puts their old value back by hand (recompute would not).
HAND_ONLY_FIELDS = frozenset({"kind"})


def _user(by: Any) -> Any:
    return by if getattr(by, "pk", None) else None


def review_values(kind: ReviewKind, survivor: Entity, values: Mapping[str, Any]) -> dict[str, Any]:
    """The values to lock, by field: a part of a group (an address, a point) is completed from the
    survivor, so that the group is locked whole and survives together."""
    out = dict(values)
    for group in kind.groups.values():
        if any(name in out for name in group):
            for name in group:
                out.setdefault(name, getattr(survivor, name))
    allowed = {name for choice in kind.choices for name in kind.fields_of(choice)}
    unknown = sorted(set(out) - allowed)
    if unknown:
        raise ValueError(f"Cannot set {', '.join(unknown)}; settable: {', '.join(sorted(allowed))}")
    return out


def _pick_winner(kind: ReviewKind, entities: list[Entity]) -> Entity:
    if kind.model is Venue:
        return venue_pick_winner(entities)  # type: ignore[arg-type]
    return artist_pick_winner(entities)  # type: ignore[arg-type]


def _merge(
    kind: ReviewKind, *, winner: Entity, loser: Entity, by: Any, reason: str, score: float | None
) -> MergeRecord:
    if isinstance(winner, Venue) and isinstance(loser, Venue):
        return venue_merge(winner=winner, loser=loser, by=by, reason=reason, score=score)
    if not (isinstance(winner, Artist) and isinstance(loser, Artist)):
        raise TypeError("A merge takes two venues or two artists.")
    record = artist_merge(winner=winner, loser=loser, by=by, reason=reason)
    if score is not None and record.score is None:
        record.score = score
        record.save(update_fields=["score"])
    return record


def _unmerge(record: MergeRecord, *, by: Any, reason: str) -> None:
    if record.undone_at is not None:
        return
    if record.entity_type == EntityType.VENUE:
        venue_unmerge(record=record, by=by, reason=reason)
    else:
        artist_unmerge(record=record, by=by, reason=reason)


def _decide_pair(pair: Pair, *, status: str, by: Any, reason: str) -> None:
    pair.status = status
    pair.decided_by = _user(by)
    pair.decided_at = timezone.now()
    pair.reason = reason
    pair.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])


@transaction.atomic
def review_apply(
    *,
    entity_type: str,
    anchor_id: int,
    decisions: Mapping[int, str],
    survivor_id: int | None = None,
    values: Mapping[str, Any] | None = None,
    by: Any = None,
    reason: str = "",
) -> Review:
    """Apply one review of the group around `anchor_id`: per member (`decisions`: member pk -> decision;
    a member left out stays pending), then `values` (field -> value, picked or typed, checked as the
    pipeline checks a source's) written to the survivor and locked.

    The members the same as the anchor merge into `survivor_id` (the anchor, or one of them; by default
    the one with most sources and shows). A room goes into the complex where the anchor now lives (the
    survivor, if the anchor merged). Raises ValueError, changing nothing, when a decision does not fit,
    a pair was decided or an entity merged meanwhile, or another reviewer holds the group."""
    kind = review_kind(entity_type)
    chosen = {int(member): decision for member, decision in decisions.items() if decision}
    values = dict(values or {})
    for decision in chosen.values():
        if decision not in kind.decisions:
            raise ValueError(
                f"{decision!r} is not a decision for {kind.noun}s: one of {', '.join(kind.decisions)}"
            )
    if anchor_id in chosen:
        raise ValueError(f"The {kind.noun} the group is about cannot be decided against itself.")
    if not chosen and not values:
        raise ValueError("Decide at least one candidate, or set a value.")
    if sum(d == Decision.CONTAINS for d in chosen.values()) > 1:
        raise ValueError(f"The {kind.noun} can be a room of one complex only.")
    ids = [anchor_id, *chosen]
    user = _user(by)
    if user is not None:
        claim = review_claim(entity_type=kind.entity_type, entity_ids=ids, by=user)
        if not claim.held:
            raise ValueError(claim.refusal())
    # Locked in pk order, as every merge takes them: two reviews of overlapping groups wait in turn.
    entities: dict[int, Entity] = {
        e.pk: e for e in kind.model.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    if len(entities) != len(ids):
        raise ValueError(f"One of these {kind.noun}s no longer exists.")
    merged = [str(e) for e in entities.values() if e.status == CanonicalStatus.MERGED]
    if merged:
        raise ValueError(
            f"Already merged meanwhile: {', '.join(merged)}. Review the surviving {kind.noun} instead."
        )
    anchor = entities[anchor_id]
    pairs: dict[int, Pair] = {}
    for member, decision in chosen.items():
        pair = (
            kind.duplicate_model.objects.select_for_update()
            .filter(kind.pair_between(anchor_id, member))
            .first()
        )
        if pair is None:
            raise ValueError(f"{entities[member]} is not a candidate of {anchor}.")
        # Only "same" may overrule an earlier decision (a merge staff now see is right); the others
        # answer pending pairs.
        if decision != Decision.SAME and pair.status != DuplicateStatus.PENDING:
            raise ValueError(
                f"{anchor} ~ {entities[member]} was decided meanwhile ({pair.get_status_display()})."
            )
        pairs[member] = pair
    same = [anchor_id, *(m for m, d in chosen.items() if d == Decision.SAME)]
    if survivor_id is None:
        survivor_id = _pick_winner(kind, [entities[i] for i in same]).pk if len(same) > 1 else anchor_id
    if survivor_id not in same:
        raise ValueError(f"The survivor must be the {kind.noun} the group is about or one marked the same.")
    survivor = entities[survivor_id]
    review = Review.objects.create(
        entity_type=kind.entity_type,
        anchor_public_id=anchor.public_id,
        survivor_public_id=survivor.public_id,
        reviewed_by=user,
        reason=reason,
    )
    if values:
        # Before the merges: a locked value wins over every source the merges bring.
        locks = review_values(kind, survivor, values)
        review.values_before = {
            "locked": {f: survivor.locked_fields[f] for f in locks if f in survivor.locked_fields},
            "fields": {f: lock_value(getattr(survivor, f)) for f in locks},
        }
        entity_fields_lock(
            entity=survivor, values=locks, by=user, reason=reason or f"review #{review.pk}", review=review
        )
        review.values = {f: survivor.locked_fields[f] for f in locks}
        review.save(update_fields=["values", "values_before"])
    for member in (m for m, d in chosen.items() if d == Decision.SAME):
        loser = anchor if member == survivor_id else entities[member]
        record = _merge(kind, winner=survivor, loser=loser, by=user, reason=reason, score=pairs[member].score)
        _decision(kind, review, entities[member], anchor, Decision.SAME, pairs[member], record=record)
    if len(same) > 2:
        # Pairs between members merged into one survivor are settled with them.
        kind.duplicate_model.objects.filter(
            Q(**{f"{kind.side_a}__in": same, f"{kind.side_b}__in": same}),
            status__in=[DuplicateStatus.PENDING, DuplicateStatus.SKIPPED],
        ).update(status=DuplicateStatus.MERGED, decided_by=user, decided_at=timezone.now(), reason=reason)
    # Rooms go where the anchor lives now: the survivor (the anchor itself, or what it merged into).
    place = survivor
    for member, decision in chosen.items():
        if decision == Decision.SAME:
            continue
        detail: dict[str, Any] = {}
        if decision == Decision.ROOM_OF:
            detail = venue_room_set(room=entities[member], complex_venue=place)  # type: ignore[arg-type]
        elif decision == Decision.CONTAINS:
            detail = venue_room_set(room=place, complex_venue=entities[member])  # type: ignore[arg-type]
        _decide_pair(pairs[member], status=PAIR_STATUS[decision], by=user, reason=reason)
        _decision(kind, review, entities[member], anchor, decision, pairs[member], detail=detail)
    if user is not None:
        review_claims_release(entity_type=kind.entity_type, entity_ids=ids, by=user)
    return review


def _decision(
    kind: ReviewKind,
    review: Review,
    subject: Entity,
    anchor: Entity,
    decision: str,
    pair: Pair,
    *,
    record: MergeRecord | None = None,
    detail: dict[str, Any] | None = None,
) -> ReviewDecision:
    return ReviewDecision.objects.create(
        review=review,
        subject_public_id=subject.public_id,
        other_public_id=anchor.public_id,
        decision=decision,
        merge_record=record,
        detail=detail or {},
        **{kind.duplicate_link(): pair},
    )


def _undo_decision(decision: ReviewDecision, *, by: Any, reason: str) -> None:
    pair: Pair | None = decision.venue_duplicate or decision.artist_duplicate
    if decision.decision == Decision.SAME:
        if decision.merge_record is not None:
            _unmerge(decision.merge_record, by=by, reason=reason)
    else:
        if decision.decision in (Decision.ROOM_OF, Decision.CONTAINS) and decision.detail:
            venue_room_unset(before=decision.detail)
        if pair is not None and pair.status == PAIR_STATUS[decision.decision]:
            pair.status = DuplicateStatus.PENDING
            pair.decided_by = None
            pair.decided_at = None
            pair.reason = f"decision undone: {reason}"
            pair.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    decision.undone_at = timezone.now()
    decision.undone_by = _user(by)
    decision.undo_reason = reason
    decision.save(update_fields=["undone_at", "undone_by", "undo_reason"])


def _restore_values(kind: ReviewKind, review: Review, *, by: Any, reason: str) -> None:
    """Put the survivor's values and locks back as they were before the review, field by field, where
    nobody changed them since (a lock set later by someone else is theirs to keep)."""
    survivor = kind.model.objects.filter(public_id=review.survivor_public_id).first()
    if survivor is None or survivor.status == CanonicalStatus.MERGED or not review.values:
        return
    locked_before = review.values_before.get("locked", {})
    fields_before = review.values_before.get("fields", {})
    ours = [f for f, v in review.values.items() if survivor.locked_fields.get(f, object()) == v]
    relock = {f: locked_before[f] for f in ours if f in locked_before}
    release = [f for f in ours if f not in locked_before]
    why = f"undo of review #{review.pk}: {reason}"
    if relock:
        entity_fields_lock(entity=survivor, values=relock, by=by, reason=why, review=review)
    if release:
        entity_fields_unlock(entity=survivor, fields=release, by=by, reason=why, review=review)
        hand = {f: fields_before[f] for f in release if f in HAND_ONLY_FIELDS and f in fields_before}
        if hand:
            survivor.refresh_from_db()
            for name, value in hand.items():
                setattr(survivor, name, value)
            survivor.save(update_fields=[*hand, "updated_at"])


@transaction.atomic
def review_undo(*, review: Review, by: Any = None, reason: str) -> Review:
    """Undo a whole review: its decisions newest first (merges undone, rooms taken back, pairs pending
    again), then the values it locked. `reason` is required and kept beside the review's own."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why you undo this review: the reason is kept beside the original one.")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.undone_at is not None:
        raise ValueError(
            f"This review was undone already, on {timezone.localtime(review.undone_at):%Y-%m-%d %H:%M}."
        )
    kind = review_kind(review.entity_type)
    live = review.decisions.filter(undone_at__isnull=True).select_related(
        "merge_record", "venue_duplicate", "artist_duplicate"
    )
    for decision in live.order_by("-pk"):
        _undo_decision(decision, by=by, reason=reason)
    _restore_values(kind, review, by=by, reason=reason)
    review.undone_at = timezone.now()
    review.undone_by = _user(by)
    review.undo_reason = reason
    review.save(update_fields=["undone_at", "undone_by", "undo_reason"])
    return review


@transaction.atomic
def review_decision_undo(*, decision: ReviewDecision, by: Any = None, reason: str) -> ReviewDecision:
    """Undo one decision of a review (one merge, from the merge records), leaving the others and the
    values as they are. `reason` is required and kept beside the review's own."""
    reason = reason.strip()
    if not reason:
        raise ValueError("Say why you undo this decision: the reason is kept beside the original one.")
    decision = ReviewDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.undone_at is not None:
        raise ValueError("This decision was undone already.")
    _undo_decision(decision, by=by, reason=reason)
    return decision
