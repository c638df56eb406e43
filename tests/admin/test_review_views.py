"""The admin review flow over HTTP: queue, side-by-side page, decisions, merge result and undo; the
venue compare action; locks from change forms; the artist merge action; the pipeline dashboard; API keys."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import ApiKey
from entities.models import (
    Artist,
    CanonicalStatus,
    DuplicateStatus,
    MergeRecord,
    Review,
    Venue,
    VenueDuplicate,
)
from sourcing.models import Scrape
from tests.factories import ScrapeFactory, VenueFactory, build_review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_review_world()


def _review(world):
    return reverse("admin:entities_venueduplicate_review", args=[world.duplicate.pk])


def test_queue_lists_pending_pairs_in_priority_order_and_links_the_review(admin_client, world):
    a, b = sorted([VenueFactory.create(), VenueFactory.create()], key=lambda v: v.pk)
    urgent = VenueDuplicate.objects.create(venue_a=a, venue_b=b, score=0.5, priority=99, explanation=[])
    response = admin_client.get(reverse("admin:entities_pendingvenueduplicate_changelist"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(f"/{urgent.pk}/review/") < html.index(f"/{world.duplicate.pk}/review/")
    assert "Review the next pair" in html
    next_pair = admin_client.get(reverse("admin:entities_venueduplicate_review_next"))
    assert next_pair["Location"] == reverse("admin:entities_venueduplicate_review", args=[urgent.pk])


def test_review_page_shows_everything_side_by_side(admin_client, world):
    response = admin_client.get(_review(world))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Hidden Hall (Fremont)",  # both venues
        "123 N 36th St",
        "123 North 36th Street",
        'class="value odd',  # differences highlighted
        "Score explanation",
        "Distance between the coordinates",
        "seattle-listings",  # sources
        "The Quiet Ones",  # upcoming performances
        "Fremont Folk Night",
        "<kbd>m</kbd>",  # the keyboard legend
        'name="choice_name"',
        'value="auto"',
    ):
        assert expected in html, expected
    # The distance is the haversine of the two points (about 31 m)
    assert re.search(r'class="distance"><strong>\d\d m</strong>', html)


def test_merge_with_choices_then_undo_over_http(admin_client, world, admin_user):
    response = admin_client.post(
        _review(world),
        {
            "decision": "merge",
            "winner": str(world.hall.pk),
            "choice_name": str(world.listed.pk),
            "choice_phone": "auto",
            "reason": "same place",
        },
    )
    assert response.status_code == 302
    result_url = response["Location"]
    review = Review.objects.get()
    assert result_url.startswith(reverse("admin:entities_review_result", args=[review.pk]))
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.name == "Hidden Hall (Fremont)"
    assert hall.locked_fields == {"name": "Hidden Hall (Fremont)"}
    record = MergeRecord.objects.get()
    assert (record.merged_by, record.reason) == (admin_user, "same place")

    result = admin_client.get(result_url).content.decode()
    assert "Undo this review" in result
    assert f"/api/venues/{world.listed.public_id}" in result
    assert admin_client.get(f"/api/venues/{world.listed.public_id}").status_code == 301

    # An undo without a reason is refused and changes nothing
    refused = admin_client.post(result_url, {"undo_reason": "  "})
    assert refused.status_code == 400
    assert "Say why" in refused.content.decode()
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.MERGED

    result_page = admin_client.get(result_url).content.decode()
    assert f'name="back" value="{_review(world)}"' in result_page  # the undo comes back to the pair
    undo = admin_client.post(result_url, {"undo_reason": "two rooms after all", "back": _review(world)})
    assert undo["Location"] == _review(world)
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    assert Venue.objects.get(pk=world.hall.pk).locked_fields == {}
    assert VenueDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.PENDING
    record.refresh_from_db()
    review.refresh_from_db()
    # Both reasons kept, side by side
    assert (record.reason, record.undo_reason, record.undone_by) == (
        "same place",
        "two rooms after all",
        admin_user,
    )
    assert (review.reason, review.undo_reason, review.undone_by) == (
        "same place",
        "two rooms after all",
        admin_user,
    )
    after = admin_client.get(result_url).content.decode()
    assert "This review was undone." in after
    assert "released by the undo" in after
    assert "and locked" not in after


@pytest.mark.parametrize(("decision", "status"), [("not_duplicate", "not_duplicate"), ("skip", "skipped")])
def test_reject_and_skip_record_the_decision_and_move_on(admin_client, admin_user, world, decision, status):
    response = admin_client.post(_review(world), {"decision": decision, "reason": "two rooms"})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "admin:entities_pendingvenueduplicate_changelist"
    )  # queue now empty
    duplicate = VenueDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.status, duplicate.decided_by, duplicate.reason) == (status, admin_user, "two rooms")


def test_a_bad_choice_is_explained_not_merged(admin_client, world):
    response = admin_client.post(_review(world), {"decision": "merge", "winner": "0"}, follow=True)
    assert "Choose the venue that survives" in response.content.decode()
    assert not MergeRecord.objects.exists()


def test_compare_action_merges_three_venues(admin_client, world):
    third = VenueFactory.create(name="Hidden Hall Bar", locality="Seattle")
    ids = [world.hall.pk, world.listed.pk, third.pk]
    response = admin_client.post(
        reverse("admin:entities_venue_changelist"),
        {"action": "compare", "_selected_action": [str(i) for i in ids]},
    )
    assert response.status_code == 302
    page = admin_client.get(response["Location"])
    assert page.status_code == 200
    assert "Hidden Hall Bar" in page.content.decode()
    merged = admin_client.post(
        reverse("admin:entities_venue_compare"),
        {"ids": ",".join(map(str, ids)), "winner": str(world.hall.pk)},
    )
    assert merged.status_code == 302
    assert MergeRecord.objects.filter(winner_public_id=world.hall.public_id).count() == 2
    assert VenueDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.MERGED


def test_bulk_merge_action_keeps_the_threshold(admin_client, world, settings):
    settings.REVIEW_BULK_MERGE_MIN_SCORE = 1.01
    url = reverse("admin:entities_pendingvenueduplicate_changelist")
    response = admin_client.post(
        url, {"action": "bulk_merge", "_selected_action": [world.duplicate.pk]}, follow=True
    )
    assert "Merged 0 pair(s)" in response.content.decode()
    settings.REVIEW_BULK_MERGE_MIN_SCORE = 0.0
    admin_client.post(url, {"action": "bulk_merge", "_selected_action": [world.duplicate.pk]})
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.MERGED


def test_merge_record_undo_action_asks_why(admin_client, world):
    admin_client.post(
        _review(world), {"decision": "merge", "winner": str(world.hall.pk), "reason": "one hall"}
    )
    record = MergeRecord.objects.get()
    url = reverse("admin:entities_mergerecord_changelist")
    ask = admin_client.post(url, {"action": "undo", "_selected_action": [record.pk]})
    assert ask.status_code == 200
    assert 'name="undo_reason"' in ask.content.decode()
    assert MergeRecord.objects.get().undone_at is None
    admin_client.post(
        url,
        {
            "action": "undo",
            "_selected_action": [record.pk],
            "confirm": "yes",
            "undo_reason": "the listing was wrong",
        },
    )
    record.refresh_from_db()
    assert record.undone_at is not None
    assert (record.reason, record.undo_reason) == ("one hall", "the listing was wrong")


def test_editing_a_venue_by_hand_locks_the_field(admin_client, world):
    url = reverse("admin:entities_venue_change", args=[world.hall.pk])
    page = admin_client.get(url).context
    form = page["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data["name"] = "The Hidden Hall"
    for inline in page["inline_admin_formsets"]:
        data |= {f"{inline.formset.prefix}-TOTAL_FORMS": "0", f"{inline.formset.prefix}-INITIAL_FORMS": "0"}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.name == "The Hidden Hall"
    assert hall.locked_fields["name"] == "The Hidden Hall"
    assert hall.street == world.hall.street  # untouched fields are not locked
    assert "street" not in hall.locked_fields


def test_merge_artists_action_asks_then_merges(admin_client, world):
    quiet = Artist.objects.get(name="The Quiet Ones")
    other = Artist.objects.get(name="Quiet 1s")
    url = reverse("admin:entities_artist_changelist")
    ask = admin_client.post(url, {"action": "merge_artists", "_selected_action": [quiet.pk, other.pk]})
    assert ask.status_code == 200
    assert "Choose the artist that survives" in ask.content.decode()
    admin_client.post(
        url,
        {
            "action": "merge_artists",
            "_selected_action": [quiet.pk, other.pk],
            "confirm": "yes",
            "winner": quiet.pk,
            "reason": "same band",
        },
    )
    other.refresh_from_db()
    assert other.merged_into_id == quiet.pk
    assert MergeRecord.objects.get(entity_type="artist").reason == "same band"
    assert admin_client.get(f"/api/artists/{other.public_id}").status_code == 301


def test_pipeline_dashboard_counts_failures_and_retries_them(admin_client, world):
    for _ in range(3):
        ScrapeFactory.create(
            status="failed", last_error="HTTP 503 from the server", finished_at=timezone.now()
        )
    ScrapeFactory.create(status="done", finished_at=timezone.now() - dt.timedelta(hours=5))
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("pipeline_dashboard") in index
    html = admin_client.get(reverse("pipeline_dashboard")).content.decode()
    assert "HTTP 503 from the server" in html
    assert "<svg" in html
    assert 'class="bar"' in html
    assert "Worker cluster queue" in html
    response = admin_client.post(
        reverse("pipeline_retry"),
        {"stage": "scrapes", "status": "failed", "last_error": "HTTP 503 from the server"},
    )
    assert response.status_code == 302
    assert Scrape.objects.filter(last_error="HTTP 503 from the server").count() == 0
    assert Scrape.objects.filter(status="pending").count() == 3


def test_api_key_is_shown_once_and_stored_hashed(admin_client):
    response = admin_client.post(reverse("admin:core_apikey_add"), {"name": "sync bot", "is_staff": "on"})
    html = response.content.decode()
    found = re.search(r'id="new-api-key"[^>]*>(ms_[^<]+)<', html)
    assert found is not None
    raw = found.group(1)
    key = ApiKey.objects.get()
    assert key.is_staff
    assert raw.startswith(key.prefix)
    assert raw not in key.hashed_key
    assert admin_client.get("/api/pipeline/stats", HTTP_X_API_KEY=raw).status_code == 200
    listing = admin_client.get(reverse("admin:core_apikey_changelist")).content.decode()
    assert raw not in listing


def test_unlock_action_hands_fields_back_to_the_sources(admin_client, world):
    from entities.services import entity_fields_lock

    entity_fields_lock(entity=world.hall, values={"name": "Staff Name"})
    admin_client.post(
        reverse("admin:entities_venue_changelist"), {"action": "unlock", "_selected_action": [world.hall.pk]}
    )
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.locked_fields == {}
    assert hall.name == "Hidden Hall"


def test_a_view_only_staff_member_cannot_decide(client, django_user_model, world):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_venue", "view_venueduplicate", "view_mergerecord"])
    )
    client.force_login(viewer)
    page = client.get(_review(world))
    assert page.status_code == 200
    assert 'id="btn-merge"' not in page.content.decode()
    assert client.post(_review(world), {"decision": "merge", "winner": world.hall.pk}).status_code == 403
    queue = client.get(reverse("admin:entities_pendingvenueduplicate_changelist")).content.decode()
    assert "bulk_merge" not in queue
    assert not MergeRecord.objects.exists()


def test_room_of_makes_one_venue_a_room_of_the_others_complex(admin_client, admin_user, world):
    # given: the review page of a pair
    a, b = world.duplicate.venue_a, world.duplicate.venue_b
    page = admin_client.get(_review(world)).content.decode()
    assert 'id="btn-room-of-a"' in page
    assert 'id="btn-room-of-b"' in page

    # when: "B is a room of A"
    response = admin_client.post(_review(world), {"decision": "room_of_b", "reason": "the back room"})

    # then: B's parent is A, the kinds say so, the pair is decided and leaves the queue for good
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    world.duplicate.refresh_from_db()
    assert b.parent_id == a.pk
    assert b.kind == "room"
    assert a.kind == "complex"
    assert world.duplicate.status == DuplicateStatus.ROOM_OF
    assert (world.duplicate.decided_by, world.duplicate.reason) == (admin_user, "the back room")
    # a room cannot then contain its complex
    again = admin_client.post(_review(world), {"decision": "room_of_a"}, follow=True)
    a.refresh_from_db()
    assert a.parent_id is None
    assert "already decided" in again.content.decode()
