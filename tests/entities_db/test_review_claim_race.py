"""Two reviewers at once: claiming one group, exactly one holds it; applying reviews of one group,
exactly one goes through and the other is refused with a reason. Real threads with their own
connections on PostgreSQL (where rows lock; SQLite serialises writers anyway)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from entities.models import Review, ReviewClaim, Venue, VenueDuplicate
from entities.services import review_apply, review_claim
from entities.services.claims import ClaimOutcome
from entities.services.duplicates import venue_duplicate_file
from tests.entities_db.test_auto_merge_race import _race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def _group() -> list[Venue]:
    venues = [
        Venue.objects.create(name=name, locality="Seattle", street="1245 10th Ave E")
        for name in ("St. Mark's Cathedral", "Saint Mark's Episcopal Cathedral", "Thomsen Chapel")
    ]
    for other in venues[1:]:
        venue_duplicate_file(venues[0].pk, other.pk, score=0.8, explanation=[])
    return venues


def test_two_reviewers_claiming_one_group_at_once_one_holds_it():
    users = [get_user_model().objects.create_user(name) for name in ("alice", "bob")]
    for round_ in range(5):
        ReviewClaim.objects.all().delete()
        ids = [v.pk for v in _group()]
        turns = iter(users)  # one reviewer per thread (a list iterator's next is atomic)

        def claim(ids: list[int] = ids, turns: Iterator[object] = turns) -> ClaimOutcome:
            return review_claim(entity_type="venue", entity_ids=ids, by=next(turns))

        outcomes = _race(claim)
        assert sorted(o.held for o in outcomes if isinstance(o, ClaimOutcome)) == [False, True], round_
        holders = set(ReviewClaim.objects.filter(entity_id__in=ids).values_list("claimed_by", flat=True))
        assert len(holders) == 1
        assert ReviewClaim.objects.filter(entity_id__in=ids).count() == 3


def test_two_reviewers_applying_one_group_at_once_one_review_goes_through():
    users = [get_user_model().objects.create_user(name) for name in ("alice", "bob")]
    cathedral, listed, chapel = _group()
    turns = iter(users)

    def apply() -> object:
        try:
            return review_apply(
                entity_type="venue",
                anchor_id=cathedral.pk,
                decisions={listed.pk: "same", chapel.pk: "room_of"},
                by=next(turns),
            )
        except ValueError as exc:
            return str(exc)

    outcomes = _race(apply)
    reviews = [o for o in outcomes if isinstance(o, Review)]
    refusals = [o for o in outcomes if isinstance(o, str)]
    assert (len(reviews), len(refusals)) == (1, 1)
    assert "reviewing this" in refusals[0] or "meanwhile" in refusals[0]
    assert Review.objects.count() == 1
    assert Venue.objects.get(pk=listed.pk).merged_into_id == cathedral.pk
    assert VenueDuplicate.objects.filter(status="pending").count() == 0
