"""The artist review queue in a real browser (Debian's Chromium through Playwright): a staff member
opens the artist queue from the admin index, compares two acts of one name side by side with the
explanation, merges with the keyboard, checks the result and the merged artist's API redirect,
undoes it, then answers "not a duplicate" with the keyboard.

The review page is saved as test-artifacts/artist-review-page.png.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from entities.models import Artist, ArtistDuplicate, CanonicalStatus, DuplicateStatus, MergeRecord
from tests.browser.test_review_flow import ARTIFACTS, CHROMIUM, browser  # noqa: F401 - the fixture
from tests.factories import build_artist_review_world

PERMISSIONS = [
    "view_artist",
    "change_artist",
    "view_artistduplicate",
    "change_artistduplicate",
    "view_mergerecord",
    "change_mergerecord",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: install Debian's chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def artist_reviewer(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("artist-reviewer", password="review-pass", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="entities", codename__in=PERMISSIONS)
    )
    return user


def test_staff_member_reviews_an_artist_pair_merges_undoes_and_rejects(
    live_server,
    browser,  # noqa: F811
    artist_reviewer,
):
    world = build_artist_review_world()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)

    # Log in; the admin index links the artist queue; the queue starts the review
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "artist-reviewer")
    page.fill("#id_password", "review-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#operations-module")
    page.click("#artist-queue-link")
    page.wait_for_selector("#start-artist-review")
    assert "Solar Lanterns" in page.inner_text("#result_list")
    page.click("#start-artist-review")
    page.wait_for_selector("#comparison")
    assert page.url.endswith(f"/admin/entities/artistduplicate/{world.duplicate.pk}/review/")

    # Both acts side by side, the differences flagged, the evidence with the conflicting links
    table = page.inner_text("#comparison")
    assert "The Solar Lanterns" in table
    assert "Solar Lanterns, The" in table
    assert "bebop" in table
    assert "doom" in table
    assert page.locator("#comparison tr.differs").count() >= 2
    explanation = page.inner_text("#explanation")
    assert "conflict" in explanation
    assert "links" in explanation
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "artist-review-page.png"), full_page=True)

    # Merge with the keyboard, the Porto act surviving
    page.check(f'input[name="winner"][value="{world.porto.pk}"]')
    page.fill("#id_reason", "one band: the Leeds page is an old Spotify profile")
    page.locator("body").click(position={"x": 5, "y": 5})
    with page.expect_navigation():
        page.keyboard.press("m")
    page.wait_for_selector("#review-result")
    assert "Same as" in page.inner_text("#review-result")
    assert Artist.objects.get(pk=world.leeds.pk).merged_into_id == world.porto.pk
    record = MergeRecord.objects.get()
    assert (record.merged_by_id, record.entity_type) == (artist_reviewer.pk, "artist")
    loser_api = f"{live_server.url}/api/artists/{world.leeds.public_id}"
    assert page.request.get(loser_api, max_redirects=0).status == 301

    # Undo, saying why: back to the pair, two acts again
    page.fill("#id_undo_reason", "the Leeds page is another band")
    with page.expect_navigation():
        page.click("#btn-undo")
    page.wait_for_selector("#comparison")
    assert "Undone" in page.inner_text("ul.messagelist")
    assert Artist.objects.get(pk=world.leeds.pk).status == CanonicalStatus.ACTIVE
    assert ArtistDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.PENDING

    # "Not a duplicate" with the keyboard: recorded with who and why, out of the queue
    page.fill("#id_reason", "two bands of one name")
    page.locator("body").click(position={"x": 5, "y": 5})
    with page.expect_navigation():
        page.keyboard.press("n")
    duplicate = ArtistDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.status, duplicate.decided_by_id, duplicate.reason) == (
        DuplicateStatus.NOT_DUPLICATE,
        artist_reviewer.pk,
        "two bands of one name",
    )
    assert "two acts" in page.inner_text("ul.messagelist")
    page.close()
