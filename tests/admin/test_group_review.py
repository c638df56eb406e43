"""The group review over HTTP and through its services: a group is an anchor with every candidate filed
against it; decisions per member (same, room of, has it as a room, different, skip), values picked or
typed (checked as the pipeline checks a source's), claims that hold a group for one reviewer and lapse,
undo that asks why and keeps both reasons, and the history page of a venue or an artist."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from entities.models import (
    Artist,
    ArtistDuplicate,
    CanonicalStatus,
    CurationRecord,
    DuplicateStatus,
    MergeRecord,
    Review,
    ReviewClaim,
    ReviewDecision,
    Venue,
    VenueDuplicate,
    VenueKind,
)
from entities.review_kinds import VENUE_REVIEW
from entities.review_selectors import review_pair_queue
from entities.services import (
    entity_fields_lock,
    merge_record_undo,
    review_apply,
    review_claim,
    review_claim_next_group,
    review_undo,
)
from tests.factories import build_artist_review_world, build_group_world, build_review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_group_world()


@pytest.fixture
def reviewers(django_user_model):
    permissions = Permission.objects.filter(
        content_type__app_label="entities",
        codename__in=[
            "view_venue",
            "change_venue",
            "view_venueduplicate",
            "change_venueduplicate",
            "view_artist",
            "change_artist",
            "view_artistduplicate",
            "change_artistduplicate",
        ],
    )
    users = []
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, is_staff=True)
        user.user_permissions.set(permissions)
        users.append(user)
    return users


def _group(venue: Venue) -> str:
    return reverse("admin:entities_venueduplicate_group", args=[venue.pk])


def _pair(a: Venue, b: Venue) -> VenueDuplicate:
    low, high = sorted((a.pk, b.pk))
    return VenueDuplicate.objects.get(venue_a_id=low, venue_b_id=high)


# --- the page ------------------------------------------------------------------------------------------


def test_the_queue_opens_one_group_for_three_listings(admin_client, world):
    queue = admin_client.get(reverse("admin:entities_pendingvenueduplicate_changelist")).content.decode()
    # every St. Mark's pair opens a group of all three, not a pair
    assert queue.count("3 venues</a>") == 3
    assert 'id="start-group-review"' in queue
    # "next group" claims and opens it
    response = admin_client.get(reverse("admin:entities_venueduplicate_group_next"))
    assert response["Location"] == _group(world.cathedral)


def test_the_group_page_shows_past_and_upcoming_shows_and_line_up_overlap(admin_client, world):
    html = admin_client.get(_group(world.cathedral)).content.decode()
    for expected in (
        "St. Mark&#x27;s Cathedral",
        "Saint Mark&#x27;s Episcopal Cathedral",
        "Thomsen Chapel at St. Mark&#x27;s",
        "53 past",  # the cathedral's 53 past Sundays are not "None"
        "Past shows (53), latest first",
        "Upcoming shows (3)",
        "Advent Lessons and Carols",
        "same night",
        'name="typed_name"',  # any field can be typed
        'name="typed_street"',
        f'name="decision_{world.chapel.pk}" value="room_of"',
        f'name="decision_{world.chapel.pk}" value="contains"',
        "Why it was filed against A",
    ):
        assert expected in html, expected
    assert "10</strong> same nights" in html  # the listing lists ten of the cathedral's nights
    assert "13 m" in html  # the listing's point, 13 m from the cathedral's


def test_a_view_only_reviewer_reads_the_group_but_cannot_decide_or_claim(client, django_user_model, world):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(Permission.objects.filter(codename__in=["view_venue", "view_venueduplicate"]))
    client.force_login(viewer)
    page = client.get(_group(world.cathedral))
    assert page.status_code == 200
    assert 'id="btn-apply"' not in page.content.decode()
    assert not ReviewClaim.objects.exists()
    assert client.post(_group(world.cathedral), {f"decision_{world.listed.pk}": "same"}).status_code == 403


# --- deciding ------------------------------------------------------------------------------------------


def test_same_and_room_of_with_a_typed_value_over_http(admin_client, admin_user, world):
    # when: the listing is the cathedral, the chapel is a room of it, the name is typed, the phone picked
    response = admin_client.post(
        _group(world.cathedral),
        {
            f"decision_{world.listed.pk}": "same",
            f"decision_{world.chapel.pk}": "room_of",
            "survivor": world.cathedral.pk,
            "value_name": "typed",
            "typed_name": "  St. Mark's Episcopal Cathedral  ",
            "value_capacity": "typed",
            "typed_capacity": "1100",
            "value_phone": "auto",
            "reason": "one cathedral; the chapel is inside it",
        },
    )

    # then: a review with its two decisions, everything done, and the claim released
    assert response.status_code == 302
    review = Review.objects.get()
    assert response["Location"] == reverse("admin:entities_review_result", args=[review.pk])
    cathedral = Venue.objects.get(pk=world.cathedral.pk)
    chapel = Venue.objects.get(pk=world.chapel.pk)
    assert (cathedral.name, cathedral.capacity) == ("St. Mark's Episcopal Cathedral", 1100)
    assert cathedral.locked_fields == {"name": "St. Mark's Episcopal Cathedral", "capacity": 1100}
    assert Venue.objects.get(pk=world.listed.pk).merged_into_id == cathedral.pk
    assert (chapel.parent_id, chapel.kind, cathedral.kind) == (
        cathedral.pk,
        VenueKind.ROOM,
        VenueKind.COMPLEX,
    )
    assert _pair(world.cathedral, world.chapel).status == DuplicateStatus.ROOM_OF
    assert _pair(world.cathedral, world.listed).status == DuplicateStatus.MERGED
    # the pair between the two candidates leaves the queue with the merged listing
    assert not review_pair_queue(VENUE_REVIEW).exists()
    decisions = {d.subject_public_id: d.decision for d in review.decisions.all()}
    assert decisions == {world.listed.public_id: "same", world.chapel.public_id: "room_of"}
    assert (review.reviewed_by, review.reason) == (admin_user, "one cathedral; the chapel is inside it")
    assert review.values == {"name": "St. Mark's Episcopal Cathedral", "capacity": 1100}
    records = CurationRecord.objects.filter(entity_public_id=world.cathedral.public_id)
    assert {(r.field, r.previous, r.by_id) for r in records} == {
        ("name", "St. Mark's Cathedral", admin_user.pk),
        ("capacity", 1200, admin_user.pk),
    }
    assert not ReviewClaim.objects.exists()
    # the result page says what happened
    result = admin_client.get(response["Location"]).content.decode()
    assert "A room of" in result
    assert f"/api/venues/{world.listed.public_id}" in result
    assert "and locked" in result


def test_a_typed_value_the_pipeline_would_refuse_is_explained_and_nothing_changes(admin_client, world):
    response = admin_client.post(
        _group(world.cathedral),
        {
            f"decision_{world.listed.pk}": "same",
            "value_phone": "typed",
            "typed_phone": "not a phone",
            "reason": "typo",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a valid phone number" in html
    assert 'value="not a phone"' in html  # what was typed stays in the form
    assert f'name="decision_{world.listed.pk}" value="same" checked' in html
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    assert not Review.objects.exists()
    assert not MergeRecord.objects.exists()


def test_the_survivor_may_be_a_candidate_and_a_room_goes_into_it(world, reviewers):
    alice, _ = reviewers
    # when: the listing survives (the anchor merges into it), and the chapel is a room
    review_apply(
        entity_type="venue",
        anchor_id=world.cathedral.pk,
        decisions={world.listed.pk: "same", world.chapel.pk: "room_of"},
        survivor_id=world.listed.pk,
        by=alice,
        reason="keep the listing's ID",
    )
    # then: the chapel is a room of where the cathedral lives now
    assert Venue.objects.get(pk=world.cathedral.pk).merged_into_id == world.listed.pk
    assert Venue.objects.get(pk=world.chapel.pk).parent_id == world.listed.pk


@pytest.mark.parametrize(
    ("decisions", "message"),
    [
        ({"chapel": "bogus"}, "is not a decision"),
        ({"chapel": "contains", "listed": "contains"}, "a room of one complex only"),
        ({}, "Decide at least one candidate"),
        ({"cathedral": "same"}, "cannot be decided against itself"),
    ],
)
def test_decisions_that_do_not_fit_are_refused_with_a_reason(world, reviewers, decisions, message):
    venues = {"cathedral": world.cathedral, "listed": world.listed, "chapel": world.chapel}
    with pytest.raises(ValueError, match=message):
        review_apply(
            entity_type="venue",
            anchor_id=world.cathedral.pk,
            decisions={venues[k].pk: v for k, v in decisions.items()},
            by=reviewers[0],
        )
    assert not Review.objects.exists()


def test_a_pair_decided_meanwhile_is_not_decided_again(world, reviewers):
    alice, bob = reviewers
    review_apply(
        entity_type="venue", anchor_id=world.chapel.pk, decisions={world.cathedral.pk: "different"}, by=bob
    )
    with pytest.raises(ValueError, match="decided meanwhile"):
        review_apply(
            entity_type="venue",
            anchor_id=world.cathedral.pk,
            decisions={world.chapel.pk: "room_of"},
            by=alice,
        )
    assert Venue.objects.get(pk=world.chapel.pk).parent_id is None


# --- claims --------------------------------------------------------------------------------------------


def test_a_second_reviewer_is_given_the_next_group_and_cannot_decide_a_claimed_one(client, world, reviewers):
    alice, bob = reviewers
    hall = build_review_world()
    # given: Alice opens the St. Mark's group
    client.force_login(alice)
    assert client.get(_group(world.cathedral)).status_code == 200
    held = ReviewClaim.objects.filter(claimed_by=alice)
    assert set(held.values_list("entity_id", flat=True)) == {
        world.cathedral.pk,
        world.listed.pk,
        world.chapel.pk,
    }

    # when: Bob asks for the next group
    client.force_login(bob)
    response = client.get(reverse("admin:entities_venueduplicate_group_next"))

    # then: he gets the Hidden Hall, not Alice's group; hers he may read, not decide
    assert response["Location"] in (_group(hall.hall), _group(hall.listed))
    page = client.get(_group(world.cathedral)).content.decode()
    assert "alice</strong> is reviewing this group" in page
    assert 'id="btn-apply"' not in page
    refused = client.post(_group(world.cathedral), {f"decision_{world.listed.pk}": "different"})
    assert refused.status_code == 400
    assert "alice is reviewing this" in refused.content.decode()
    assert _pair(world.cathedral, world.listed).status == DuplicateStatus.PENDING
    # the queue says who reviews what
    queue = client.get(reverse("admin:entities_pendingvenueduplicate_changelist")).content.decode()
    assert "alice" in queue
    # a pair page of Alice's group is hers too
    pair = _pair(world.cathedral, world.listed)
    pair_page = client.get(reverse("admin:entities_venueduplicate_review", args=[pair.pk])).content.decode()
    assert 'id="claimed-by-other"' in pair_page
    assert 'id="btn-merge"' not in pair_page


def test_a_claim_lapses_and_the_next_reviewer_takes_it_over(world, reviewers, settings):
    alice, bob = reviewers
    settings.REVIEW_CLAIM_MINUTES = 15
    ids = [world.cathedral.pk, world.listed.pk, world.chapel.pk]
    assert review_claim(entity_type="venue", entity_ids=ids, by=alice).held
    refused = review_claim(entity_type="venue", entity_ids=ids, by=bob)
    assert not refused.held
    assert refused.blocking is not None
    assert refused.blocking.claimed_by == alice
    assert review_claim_next_group(entity_type="venue", by=bob) is None  # nothing else waits
    # Alice walks away: sixteen minutes later her claim has lapsed and Bob is given the group
    ReviewClaim.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert review_claim_next_group(entity_type="venue", by=bob) == world.cathedral.pk
    assert set(ReviewClaim.objects.values_list("claimed_by", flat=True)) == {bob.pk}


def test_moving_on_to_the_next_group_lets_go_of_the_last(world, reviewers):
    alice, bob = reviewers
    hall = build_review_world()
    assert review_claim_next_group(entity_type="venue", by=alice) == world.cathedral.pk
    # Alice moves on without deciding: she gets the next group, and St. Mark's is free for Bob at
    # once, not when her claim lapses
    leaving = [world.cathedral.pk, world.listed.pk, world.chapel.pk]
    assert review_claim_next_group(entity_type="venue", by=alice, leaving=leaving) in (
        hall.hall.pk,
        hall.listed.pk,
    )
    assert review_claim_next_group(entity_type="venue", by=bob) == world.cathedral.pk


def test_next_from_a_group_page_gives_another_group(client, world, reviewers):
    alice, _ = reviewers
    hall = build_review_world()
    client.force_login(alice)
    page = client.get(_group(world.cathedral)).content.decode()
    next_url = reverse("admin:entities_venueduplicate_group_next") + f"?after={world.cathedral.pk}"
    assert f'href="{next_url}"' in page
    assert client.get(next_url)["Location"] in (_group(hall.hall), _group(hall.listed))
    assert not ReviewClaim.objects.filter(entity_id=world.cathedral.pk).exists()


def test_claims_are_all_or_nothing(world, reviewers):
    alice, bob = reviewers
    assert review_claim(entity_type="venue", entity_ids=[world.chapel.pk], by=alice).held
    # Bob's claim on the whole group fails on the chapel and holds nothing else either
    assert not review_claim(
        entity_type="venue", entity_ids=[world.cathedral.pk, world.chapel.pk], by=bob
    ).held
    assert list(ReviewClaim.objects.values_list("claimed_by", flat=True)) == [alice.pk]


# --- undo ----------------------------------------------------------------------------------------------


def test_undo_asks_why_keeps_both_reasons_and_puts_everything_back(world, reviewers):
    alice, bob = reviewers
    entity_fields_lock(entity=world.cathedral, values={"capacity": 1000}, by=bob, reason="box office says so")
    review = review_apply(
        entity_type="venue",
        anchor_id=world.cathedral.pk,
        decisions={world.listed.pk: "same", world.chapel.pk: "room_of"},
        values={"name": "St. Mark's Episcopal Cathedral", "capacity": 1100},
        by=alice,
        reason="one cathedral",
    )
    with pytest.raises(ValueError, match="Say why"):
        review_undo(review=review, by=bob, reason="   ")

    review_undo(review=review, by=bob, reason="the chapel sells its own tickets")

    review.refresh_from_db()
    assert (review.reason, review.undo_reason, review.undone_by) == (
        "one cathedral",
        "the chapel sells its own tickets",
        bob,
    )
    assert all(d.undone_at and d.undo_reason == review.undo_reason for d in review.decisions.all())
    cathedral = Venue.objects.get(pk=world.cathedral.pk)
    chapel = Venue.objects.get(pk=world.chapel.pk)
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    assert (chapel.parent_id, chapel.kind, cathedral.kind) == (None, VenueKind.VENUE, VenueKind.VENUE)
    # the name goes back to the sources; Bob's earlier capacity lock comes back
    assert cathedral.name == "St. Mark's Cathedral"
    assert cathedral.locked_fields == {"capacity": 1000}
    assert cathedral.capacity == 1000
    statuses = set(VenueDuplicate.objects.values_list("status", flat=True))
    assert statuses == {DuplicateStatus.PENDING}
    record = MergeRecord.objects.get()
    assert (record.reason, record.undo_reason, record.undone_by) == (
        "one cathedral",
        "the chapel sells its own tickets",
        bob,
    )
    with pytest.raises(ValueError, match="undone already"):
        review_undo(review=review, by=bob, reason="again")


def test_undoing_one_merge_of_a_review_from_the_merge_records_keeps_the_rest(world, reviewers):
    alice, _ = reviewers
    review_apply(
        entity_type="venue",
        anchor_id=world.cathedral.pk,
        decisions={world.listed.pk: "same", world.chapel.pk: "room_of"},
        by=alice,
        reason="one cathedral",
    )
    merge_record_undo(record=MergeRecord.objects.get(), by=alice, reason="the listing is the parish hall")
    same = ReviewDecision.objects.get(decision="same")
    room = ReviewDecision.objects.get(decision="room_of")
    assert (same.undone_at is not None, same.undo_reason) == (True, "the listing is the parish hall")
    assert room.undone_at is None
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    assert Venue.objects.get(pk=world.chapel.pk).parent_id == world.cathedral.pk


def test_undo_over_http_needs_a_reason(admin_client, world):
    admin_client.post(
        _group(world.cathedral), {f"decision_{world.chapel.pk}": "contains", "reason": "the other way"}
    )
    review = Review.objects.get()
    cathedral = Venue.objects.get(pk=world.cathedral.pk)
    assert (cathedral.parent_id, cathedral.kind) == (world.chapel.pk, VenueKind.ROOM)
    url = reverse("admin:entities_review_result", args=[review.pk])
    refused = admin_client.post(url, {"undo_reason": ""})
    assert refused.status_code == 400
    assert Venue.objects.get(pk=world.cathedral.pk).parent_id == world.chapel.pk
    undone = admin_client.post(url, {"undo_reason": "I read it backwards"})
    assert undone["Location"] == _group(world.cathedral)
    assert Venue.objects.get(pk=world.cathedral.pk).parent_id is None
    page = admin_client.get(url).content.decode()
    assert "the other way" in page
    assert "I read it backwards" in page
    assert 'id="btn-undo"' not in page


# --- history -------------------------------------------------------------------------------------------


def test_the_history_page_tells_merges_decisions_and_values_with_who_when_and_why(
    admin_client, world, reviewers
):
    alice, bob = reviewers
    review = review_apply(
        entity_type="venue",
        anchor_id=world.cathedral.pk,
        decisions={world.listed.pk: "same", world.chapel.pk: "different"},
        values={"website": "https://saintmarks.example/music"},
        by=alice,
        reason="one cathedral; the chapel books its own shows",
    )
    review_undo(review=review, by=bob, reason="the listing is the diocese office")
    change = admin_client.get(
        reverse("admin:entities_venue_change", args=[world.cathedral.pk])
    ).content.decode()
    history_url = reverse("admin:entities_venue_history", args=[world.cathedral.pk])
    assert history_url in change  # the admin page's History button
    html = admin_client.get(history_url).content.decode()
    for expected in (
        "Saint Mark&#x27;s Episcopal Cathedral merged into this venue",
        "Thomsen Chapel at St. Mark&#x27;s and this venue are different venues",
        "Website set to “https://saintmarks.example/music” and locked",
        "Website unlocked",
        "one cathedral; the chapel books its own shows",
        "the listing is the diocese office",
        "alice",
        "bob",
        f"review #{review.pk}",
    ):
        assert expected in html, expected
    # the merged listing's own history says where it went, and that it came back
    listed = admin_client.get(
        reverse("admin:entities_venue_history", args=[world.listed.pk])
    ).content.decode()
    assert "This venue merged into St. Mark&#x27;s Cathedral" in listed
    assert "the listing is the diocese office" in listed


def test_values_edited_in_the_admin_form_are_in_the_history_with_what_they_replaced(admin_client, admin_user):
    hall = build_review_world().hall
    url = reverse("admin:entities_venue_change", args=[hall.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: ("" if form[name].value() is None else form[name].value()) for name in form.fields}
    data["capacity"] = "350"
    for inline in admin_client.get(url).context["inline_admin_formsets"]:
        data |= {f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"}
    assert admin_client.post(url, data).status_code == 302
    record = CurationRecord.objects.get(entity_public_id=hall.public_id)
    assert (record.field, record.previous, record.value, record.by) == ("capacity", 300, 350, admin_user)
    html = admin_client.get(reverse("admin:entities_venue_history", args=[hall.pk])).content.decode()
    assert "Capacity set to “350” and locked (was “300”)" in html
    assert "edited in the admin" in html


# --- artists: the same page, the same services ----------------------------------------------------------


def test_an_artist_group_merges_with_a_typed_name_and_undoes(admin_client, admin_user):
    world = build_artist_review_world()
    anchor, other = sorted((world.porto, world.leeds), key=lambda a: a.pk)
    url = reverse("admin:entities_artistduplicate_group", args=[anchor.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="room_of"' not in page  # rooms are venues'
    assert "Hot Clube" in page  # the shows, with where they are
    response = admin_client.post(
        url,
        {
            f"decision_{other.pk}": "same",
            "survivor": other.pk,
            "value_name": "typed",
            "typed_name": "The Solar Lanterns",
            "reason": "one band touring Europe",
        },
    )
    assert response.status_code == 302
    assert Artist.objects.get(pk=anchor.pk).merged_into_id == other.pk
    survivor = Artist.objects.get(pk=other.pk)
    assert survivor.locked_fields == {"name": "The Solar Lanterns"}
    assert ArtistDuplicate.objects.get().status == DuplicateStatus.MERGED
    undo = admin_client.post(response["Location"], {"undo_reason": "two Spotify pages after all"})
    assert undo.status_code == 302
    assert Artist.objects.get(pk=anchor.pk).status == CanonicalStatus.ACTIVE
    assert Artist.objects.get(pk=other.pk).locked_fields == {}
    assert ArtistDuplicate.objects.get().status == DuplicateStatus.PENDING
    history = admin_client.get(reverse("admin:entities_artist_history", args=[other.pk])).content.decode()
    assert "merged into this artist" in history
    assert "two Spotify pages after all" in history


def test_the_artist_pair_page_claims_and_decides_through_the_review(client, reviewers):
    alice, bob = reviewers
    world = build_artist_review_world()
    url = reverse("admin:entities_artistduplicate_review", args=[world.duplicate.pk])
    client.force_login(alice)
    assert 'id="claim-banner"' in client.get(url).content.decode()
    client.force_login(bob)
    page = client.get(url).content.decode()
    assert 'id="claimed-by-other"' in page
    assert 'id="btn-merge"' not in page
    client.force_login(alice)
    client.post(url, {"decision": "not_duplicate", "reason": "two bands"})
    decision = ReviewDecision.objects.get()
    assert (decision.decision, decision.review.reviewed_by, decision.artist_duplicate) == (
        "different",
        alice,
        world.duplicate,
    )
