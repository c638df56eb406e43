"""The artist duplicate queue: the pipeline files a homonym question, staff decide it over HTTP
(merge with undo, not a duplicate, skip), every decision is recorded, and the batch pass and the
automatic merge follow the same rules as for venues."""

from __future__ import annotations

import pytest
from django.urls import reverse

from entities.models import Artist, ArtistDuplicate, CanonicalStatus, DuplicateStatus, MergeRecord
from entities.services import artist_duplicates_find
from entities.services.artist_duplicates import artist_duplicate_auto_merge
from tests.factories import build_artist_review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_artist_review_world()


def _review(world):
    return reverse("admin:entities_artistduplicate_review", args=[world.duplicate.pk])


def test_two_spotify_artists_of_one_name_become_a_question_not_a_merge(world):
    # then: two artists, one pending pair whose explanation says why
    assert world.porto.pk != world.leeds.pk
    assert world.duplicate.status == DuplicateStatus.PENDING
    rows = {row["field"]: row for row in world.duplicate.explanation}
    assert rows["links"]["level"] == "conflict"
    assert rows["links"]["weight"] < 0
    assert rows["name"]["level"] == "exact"
    # the explanation's sides follow the pair's order (A = the lower pk)
    a = Artist.objects.get(pk=world.duplicate.artist_a_id)
    assert (
        "Uys520G7PqpK6duoNpJyy3" in rows["links"]["value_a"] if a == world.porto else rows["links"]["value_b"]
    )
    # and the batch pass files nothing more, merges nothing
    assert artist_duplicates_find()["merged"] == 0
    assert ArtistDuplicate.objects.count() == 1


def test_queue_and_review_page_show_both_acts_side_by_side(admin_client, world):
    queue = admin_client.get(reverse("admin:entities_pendingartistduplicate_changelist")).content.decode()
    assert "The Solar Lanterns" in queue
    assert 'id="start-artist-review"' in queue
    page = admin_client.get(_review(world)).content.decode()
    for expected in (
        "The Solar Lanterns",
        "Solar Lanterns, The",
        "bebop",
        "doom",
        "Hot Clube",
        "links",
        "conflict",
    ):
        assert expected in page
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="artist-queue-link"' in index


def test_merge_then_undo_over_http(admin_client, admin_user, world):
    # when: staff merge the Leeds listing into the Porto act
    response = admin_client.post(
        _review(world), {"decision": "merge", "winner": world.porto.pk, "reason": "one band, two pages"}
    )

    # then: a redirect, a merge record with who and why, the pair settled
    assert response.status_code == 302
    record = MergeRecord.objects.get()
    assert (record.merged_by, record.reason, record.entity_type) == (
        admin_user,
        "one band, two pages",
        "artist",
    )
    assert Artist.objects.get(pk=world.leeds.pk).merged_into_id == world.porto.pk
    assert ArtistDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.MERGED
    result = admin_client.get(response["Location"]).content.decode()
    assert "Same as" in result
    assert f"/api/artists/{world.leeds.public_id}" in result

    # when: undone from the result page, saying why
    undo = admin_client.post(response["Location"], {"undo_reason": "two bands: different Spotify pages"})

    # then: two acts again, the pair back in the queue, both reasons kept
    assert undo.status_code == 302
    assert Artist.objects.get(pk=world.leeds.pk).status == CanonicalStatus.ACTIVE
    assert ArtistDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.PENDING
    record.refresh_from_db()
    assert (record.reason, record.undo_reason) == (
        "one band, two pages",
        "two bands: different Spotify pages",
    )


@pytest.mark.parametrize(("decision", "status"), [("not_duplicate", "not_duplicate"), ("skip", "skipped")])
def test_not_a_duplicate_and_skip_are_recorded(admin_client, admin_user, world, decision, status):
    response = admin_client.post(_review(world), {"decision": decision, "reason": "two bands"})
    assert response.status_code == 302
    duplicate = ArtistDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.status, duplicate.decided_by, duplicate.reason) == (status, admin_user, "two bands")


def test_no_automatic_merge_across_a_staff_decision(world, settings):
    # given: staff said "two acts"
    world.duplicate.status = DuplicateStatus.NOT_DUPLICATE
    world.duplicate.save()

    # when: the automatic merge reaches the pair anyway
    # then: nothing is merged
    assert artist_duplicate_auto_merge(duplicate_id=world.duplicate.pk) is None
    assert not Artist.objects.filter(status=CanonicalStatus.MERGED).exists()


def test_a_view_only_staff_member_cannot_decide(client, django_user_model, world):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename="view_artistduplicate"))
    client.force_login(user)
    assert client.get(_review(world)).status_code == 200
    assert client.post(_review(world), {"decision": "not_duplicate"}).status_code == 403
    assert ArtistDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.PENDING
