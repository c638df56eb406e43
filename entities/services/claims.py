"""Review claims: a reviewer holds the venues or artists of the pair or group open in front of them, so
that a second reviewer is given the next unclaimed one. A claim is a row per entity with an expiry; it
is renewed while the reviewer works, released by their decision, and lapses on its own when they leave.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from entities.models import ReviewClaim
from entities.review_kinds import review_kind
from entities.review_selectors import group_pairs, next_anchors, next_pairs


@dataclass(frozen=True)
class ClaimOutcome:
    held: bool
    # When `held` is false: the claim in the way (whose, and until when).
    blocking: ReviewClaim | None = None
    expires_at: dt.datetime | None = None

    def refusal(self) -> str:
        """The reason a person reads when someone else holds the claim."""
        if self.blocking is None:  # released between our attempt and our look
            return "Another reviewer took this just now; take the next one."
        until = timezone.localtime(self.blocking.expires_at).strftime("%H:%M")
        return f"{self.blocking.claimed_by} is reviewing this (claimed until {until}); take the next one."


class _Taken(Exception):
    def __init__(self, entity_id: int) -> None:
        self.entity_id = entity_id


def review_claim(*, entity_type: str, entity_ids: Iterable[int], by: Any) -> ClaimOutcome:
    """Claim every entity for `by` until REVIEW_CLAIM_MINUTES from now, or none of them when another
    reviewer holds one: all or nothing, safe when two reviewers open the same group at once."""
    now = timezone.now()
    until = now + dt.timedelta(minutes=settings.REVIEW_CLAIM_MINUTES)
    try:
        with transaction.atomic():
            # In pk order, as every claimer goes: two claimers of overlapping groups cannot deadlock.
            for entity_id in sorted(set(entity_ids)):
                rows = ReviewClaim.objects.filter(entity_type=entity_type, entity_id=entity_id)
                # Renew our own claim or take over a lapsed one; the condition is re-checked under
                # the row lock, so of two reviewers taking over one lapsed claim only one succeeds.
                renewed = rows.filter(Q(claimed_by=by) | Q(expires_at__lte=now)).update(
                    claimed_by=by, claimed_at=now, expires_at=until
                )
                if renewed:
                    continue
                try:
                    with transaction.atomic():
                        ReviewClaim.objects.create(
                            entity_type=entity_type,
                            entity_id=entity_id,
                            claimed_by=by,
                            claimed_at=now,
                            expires_at=until,
                        )
                except IntegrityError:
                    raise _Taken(entity_id) from None
    except _Taken as taken:
        blocking = (
            ReviewClaim.objects.select_related("claimed_by")
            .filter(entity_type=entity_type, entity_id=taken.entity_id)
            .first()
        )
        return ClaimOutcome(held=False, blocking=blocking)
    return ClaimOutcome(held=True, expires_at=until)


def review_claims_release(*, entity_type: str, entity_ids: Iterable[int], by: Any) -> int:
    """Give back `by`'s claims on these entities (another reviewer's are left alone)."""
    deleted, _ = ReviewClaim.objects.filter(
        entity_type=entity_type, entity_id__in=list(entity_ids), claimed_by=by
    ).delete()
    return deleted


def review_claim_next_group(*, entity_type: str, by: Any, leaving: Iterable[int] = ()) -> int | None:
    """Claim the next group in queue order that nobody else holds any part of; its anchor's pk, or
    None when every waiting group is someone else's (or none waits). The groups `by` held are let go
    (moving on, they need not wait for their claims to lapse), and a group around one of the entities
    in `leaving` (the group just left) is not given again at once."""
    kind = review_kind(entity_type)
    ReviewClaim.objects.filter(entity_type=entity_type, claimed_by=by).delete()
    skip = set(leaving)
    for anchor in next_anchors(kind, by):
        if anchor in skip:
            continue
        members = [m for pair in group_pairs(kind, anchor) for m in kind.pair_of(pair)]
        if review_claim(entity_type=entity_type, entity_ids=[anchor, *members], by=by).held:
            return anchor
    return None


def review_claim_next_pair(*, entity_type: str, by: Any) -> int | None:
    """Claim the next pair in queue order that nobody else holds; its pk, or None."""
    kind = review_kind(entity_type)
    ReviewClaim.objects.filter(entity_type=entity_type, claimed_by=by).delete()  # moving on, as above
    for pk in next_pairs(kind, by):
        pair = kind.duplicate_model.objects.get(pk=pk)
        if review_claim(entity_type=entity_type, entity_ids=kind.pair_of(pair), by=by).held:
            return pk
    return None
