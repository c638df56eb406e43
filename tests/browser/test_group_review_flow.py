"""The group review in a real browser (Debian's Chromium through Playwright), as two staff members meet
it on one morning: Alice opens the next group from the venue queue (three listings of St. Mark's: the
cathedral, its full-name listing and its chapel), Bob asks for the next group and is given another one,
and finds Alice's group claimed; Alice answers "same" for the listing, "room of" for the chapel, types
the name the cathedral should carry, applies, then undoes the review with a reason; the cathedral's
history page shows all of it. The artist group page is the same page, driven once for artists.

Screenshots go to test-artifacts/review/; with MYSTAGE_UPDATE_SCREENSHOTS=1 also to docs/screenshots/
(small palette PNGs), which docs/reviewing-duplicates.md shows.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from PIL import Image

from entities.models import (
    Artist,
    CanonicalStatus,
    CurationRecord,
    DuplicateStatus,
    MergeRecord,
    Review,
    ReviewClaim,
    Venue,
    VenueDuplicate,
    VenueKind,
)
from tests.browser.test_review_flow import ARTIFACTS, CHROMIUM, browser  # noqa: F401 - the fixture
from tests.factories import build_artist_review_world, build_group_world, build_review_world

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PERMISSIONS = [
    "view_venue",
    "change_venue",
    "view_venueduplicate",
    "change_venueduplicate",
    "view_artist",
    "change_artist",
    "view_artistduplicate",
    "change_artistduplicate",
    "view_mergerecord",
    "view_review",
]
WIDTH = 1280

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="/usr/bin/chromium is missing: install Debian's chromium"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def staff(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    permissions = Permission.objects.filter(content_type__app_label="entities", codename__in=PERMISSIONS)
    users = {}
    for name in ("alice", "bob"):
        user = django_user_model.objects.create_user(name, password="review-pass", is_staff=True)
        user.user_permissions.set(permissions)
        users[name] = user
    return users


def _login(browser: Any, live_server: Any, name: str) -> Any:  # noqa: F811
    # Each reviewer in a browser context of their own: their own cookies, their own session.
    page = browser.new_context(viewport={"width": WIDTH, "height": 900}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", name)
    page.fill("#id_password", "review-pass")
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def _shot(page: Any, name: str, *, full_page: bool = True) -> None:
    """A small palette PNG of the page: always under test-artifacts/review/, and under docs/screenshots/
    when MYSTAGE_UPDATE_SCREENSHOTS=1."""
    image = Image.open(io.BytesIO(page.screenshot(full_page=full_page))).convert("RGB")
    image = image.quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    targets = [ARTIFACTS / "review"]
    if os.environ.get("MYSTAGE_UPDATE_SCREENSHOTS") == "1":
        targets.append(DOCS_SCREENSHOTS)
    for folder in targets:
        folder.mkdir(parents=True, exist_ok=True)
        image.save(folder / f"{name}.png", optimize=True)


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, "wider than a 1280 px screen"


def test_two_reviewers_a_group_with_a_room_a_typed_value_undo_and_history(
    live_server,
    browser,  # noqa: F811
    staff,
):
    world = build_group_world()
    hall = build_review_world()  # another pair in the queue, for the second reviewer

    # Alice opens the queue from the admin index and starts with the next group
    alice = _login(browser, live_server, "alice")
    alice.click("#operations-module >> text=the queue")
    alice.wait_for_selector("#start-group-review")
    queue = alice.text_content("#result_list")
    assert "3 venues" in queue  # the St. Mark's pairs are one group
    with alice.expect_navigation():
        alice.click("#start-group-review")
    alice.wait_for_selector("#group-table")
    assert alice.url.endswith(f"/admin/entities/venueduplicate/group/{world.cathedral.pk}/")
    assert alice.is_visible("#claim-banner")
    header = alice.text_content("#group-table thead")
    for name in ("St. Mark's Cathedral", "Saint Mark's Episcopal Cathedral", "Thomsen Chapel at St. Mark's"):
        assert name in header
    # Past and upcoming shows, and each candidate's line-up overlap with the cathedral
    assert "53 past" in header
    assert "Past shows (53)" in alice.text_content("#column-A")
    assert "10 same nights" in alice.text_content(f"#overlap-{world.listed.pk}")
    assert "Compline Choir" in alice.text_content(f"#overlap-{world.listed.pk}")
    chapel_overlap = alice.text_content(f"#overlap-{world.chapel.pk}")
    assert "Byrd Ensemble" in chapel_overlap
    assert "0 same nights" in chapel_overlap
    assert alice.locator("#column-B .same-night").count() > 0
    _fits(alice)
    _shot(alice, "group-review")

    # Bob asks for the next group: he is given the other one, not Alice's
    bob = _login(browser, live_server, "bob")
    bob.goto(f"{live_server.url}/admin/entities/venueduplicate/group/next/")
    bob.wait_for_selector("#group-table")
    assert f"/group/{world.cathedral.pk}/" not in bob.url
    assert hall.hall.name in bob.text_content("#group-table thead")
    assert bob.is_visible("#claim-banner")
    # ... and finds Alice's group claimed: he can read it, not decide it
    bob.goto(f"{live_server.url}/admin/entities/venueduplicate/group/{world.cathedral.pk}/")
    bob.wait_for_selector("#claimed-by-other")
    assert "alice" in bob.text_content("#claimed-by-other")
    assert bob.locator("#btn-apply").count() == 0
    _shot(bob, "group-claimed", full_page=False)
    # The queue says who reviews what
    bob.goto(f"{live_server.url}/admin/entities/pendingvenueduplicate/")
    reviewing = bob.text_content("#result_list")
    assert "alice" in reviewing
    assert "bob" in reviewing
    _fits(bob)
    _shot(bob, "review-queue", full_page=False)

    # Alice decides: the listing is the cathedral, the chapel is a room of it, and she types the name
    alice.check(f'input[name="decision_{world.listed.pk}"][value="same"]')
    alice.check(f'input[name="decision_{world.chapel.pk}"][value="room_of"]')
    alice.check(f'input[name="survivor"][value="{world.cathedral.pk}"]')
    alice.click('tr[data-choice="name"] summary')  # "type a value…" opens the field's text box
    alice.fill('input[name="typed_name"]', "St. Mark's Episcopal Cathedral (Capitol Hill)")
    assert alice.is_checked('input[name="value_name"][value="typed"]')  # typing chose "type a value"
    alice.check(f'tr[data-choice="website"] input[value="{world.cathedral.pk}"]')
    alice.fill("#id_reason", "one cathedral, listed in full by the listings site; the chapel is inside it")
    alice.locator('tr[data-choice="name"]').scroll_into_view_if_needed()
    _shot(alice, "group-decisions", full_page=False)
    with alice.expect_navigation():
        alice.click("#btn-apply")
    alice.wait_for_selector("#review-result")
    result = alice.text_content("#review-result")
    assert "Same as" in result
    assert "A room of" in result
    assert "St. Mark's Episcopal Cathedral (Capitol Hill)" in alice.text_content("#review-values")
    _shot(alice, "review-result")
    cathedral = Venue.objects.get(pk=world.cathedral.pk)
    chapel = Venue.objects.get(pk=world.chapel.pk)
    assert cathedral.name == "St. Mark's Episcopal Cathedral (Capitol Hill)"
    assert cathedral.locked_fields["name"] == "St. Mark's Episcopal Cathedral (Capitol Hill)"
    assert (cathedral.kind, chapel.kind, chapel.parent_id) == (
        VenueKind.COMPLEX,
        VenueKind.ROOM,
        cathedral.pk,
    )
    assert Venue.objects.get(pk=world.listed.pk).merged_into_id == cathedral.pk
    assert not ReviewClaim.objects.filter(claimed_by=staff["alice"]).exists()  # deciding released it

    # Undo asks why: without a reason the browser does not send the form, and nothing changes
    alice.click("#btn-undo")
    assert alice.url.endswith("/result/")
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.MERGED
    alice.fill(
        "#id_undo_reason", "the chapel has its own entrance and box office; check with the venue first"
    )
    with alice.expect_navigation():
        alice.click("#btn-undo")
    alice.wait_for_selector("#group-table")
    assert "Undone" in alice.text_content("ul.messagelist")
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    chapel.refresh_from_db()
    cathedral.refresh_from_db()
    assert (chapel.parent_id, chapel.kind, cathedral.kind) == (None, VenueKind.VENUE, VenueKind.VENUE)
    assert cathedral.name == "St. Mark's Cathedral"
    assert "name" not in cathedral.locked_fields
    assert set(
        VenueDuplicate.objects.filter(venue_a__in=[cathedral, chapel]).values_list("status", flat=True)
    ) == {DuplicateStatus.PENDING}
    review = Review.objects.get()
    assert review.reason.startswith("one cathedral")
    assert review.undo_reason.startswith("the chapel has its own entrance")
    assert MergeRecord.objects.get().undo_reason == review.undo_reason
    alice.goto(f"{live_server.url}/admin/entities/review/{review.pk}/result/")
    assert "one cathedral" in alice.text_content("#original-reason")
    assert "own entrance" in alice.text_content("#undo-reason")
    assert "released by the undo" in alice.text_content("#values-state")
    _shot(alice, "review-undone", full_page=False)

    # The cathedral's history, from its admin page's History button
    alice.goto(f"{live_server.url}/admin/entities/venue/{world.cathedral.pk}/change/")
    with alice.expect_navigation():
        alice.click("a.historylink")
    alice.wait_for_selector("#history-table")
    history = alice.text_content("#history-table")
    assert "Saint Mark's Episcopal Cathedral merged into this venue" in history
    assert "Thomsen Chapel at St. Mark's is a room of this venue" in history
    assert "Name set to “St. Mark's Episcopal Cathedral (Capitol Hill)” and locked" in history
    assert "Undone" in history
    assert "own entrance" in history
    assert "alice" in history
    assert alice.locator("#history-table tr.undone").count() >= 3  # the merge and both decisions
    assert CurationRecord.objects.filter(entity_public_id=world.cathedral.public_id).count() >= 2
    _fits(alice)
    _shot(alice, "venue-history")


def test_the_same_group_page_reviews_artists(
    live_server,
    browser,  # noqa: F811
    staff,
):
    world = build_artist_review_world()
    page = _login(browser, live_server, "alice")
    page.click("#artist-group-link")
    page.wait_for_selector("#group-table")
    header = page.text_content("#group-table thead")
    assert "The Solar Lanterns" in header
    assert "Solar Lanterns, The" in header
    # Artists are the same act or two: no room decisions
    assert page.locator('input[value="room_of"]').count() == 0
    anchor = Artist.objects.get(pk=min(world.porto.pk, world.leeds.pk))
    other = world.leeds if anchor.pk == world.porto.pk else world.porto
    page.check(f'input[name="decision_{other.pk}"][value="different"]')
    page.click('tr[data-choice="disambiguation"] summary')
    page.fill('input[name="typed_disambiguation"]', "Porto jazz quartet")
    page.fill("#id_reason", "two bands of one name: Porto bebop, Leeds doom")
    _fits(page)
    page.evaluate("document.getElementById('group-table').scrollIntoView()")
    _shot(page, "artist-group-review", full_page=False)
    with page.expect_navigation():
        page.click("#btn-apply")
    page.wait_for_selector("#review-result")
    anchor.refresh_from_db()
    assert anchor.disambiguation == "Porto jazz quartet"
    assert anchor.locked_fields["disambiguation"] == "Porto jazz quartet"
    world.duplicate.refresh_from_db()
    assert world.duplicate.status == DuplicateStatus.NOT_DUPLICATE
    page.goto(f"{live_server.url}/admin/entities/artist/{anchor.pk}/history/")
    history = page.text_content("#history-table")
    assert "are different artists" in history
    assert "Disambiguation set to “Porto jazz quartet”" in history
