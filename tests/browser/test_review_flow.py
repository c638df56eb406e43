"""The review flow in a real browser (Debian's Chromium through Playwright; never a downloaded one):
a staff member logs in, opens the duplicate queue, compares a pair, chooses values, merges with the
keyboard, checks the result and the redirect of the merged venue's API URL, and undoes the merge.

The review page is saved as test-artifacts/review-page.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.db import connections

from entities.models import CanonicalStatus, DuplicateStatus, MergeRecord, Venue, VenueDuplicate
from tests.factories import build_review_world

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PERMISSIONS = [
    "view_venue",
    "change_venue",
    "view_venueduplicate",
    "change_venueduplicate",
    "view_mergerecord",
    "change_mergerecord",
]

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing: install Debian's chromium (scripts/test.sh does: apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; the test still reads the database here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            # The test's queries ran in Playwright's context, on a connection of their own: close it,
            # or PostgreSQL refuses to drop the test database at the end.
            connections.close_all()


@pytest.fixture
def reviewer(django_user_model, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user = django_user_model.objects.create_user("reviewer", password="review-pass", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="entities", codename__in=PERMISSIONS)
    )
    return user


def test_staff_member_reviews_merges_and_undoes(live_server, browser, reviewer):
    world = build_review_world()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.set_default_timeout(15_000)

    # Log in
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "review-pass")
    page.click("input[type=submit]")
    page.wait_for_selector("#operations-module")

    # The admin index links the queue; the queue starts the review
    page.click("#operations-module >> text=the queue")
    page.wait_for_selector("#start-review")
    assert "Hidden Hall" in page.inner_text("#result_list")
    page.click("#start-review")
    page.wait_for_selector("#comparison")
    assert page.url.endswith(f"/admin/entities/venueduplicate/{world.duplicate.pk}/review/")

    # The comparison: both venues, the differences highlighted, the explanation, the distance, the legend
    table = page.inner_text("#comparison")
    assert "Hidden Hall (Fremont)" in table
    assert "123 N 36th St" in table
    assert "123 North 36th Street" in table
    assert page.locator("#comparison td.odd").count() >= 3
    assert page.locator("#explanation tr").count() >= 5
    assert " m" in page.inner_text(".distance")
    assert page.is_visible("#shortcut-legend")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-page.png"), full_page=True)

    # Choose: the hall survives, with the listing's name and street, and the phone left to the sources
    page.check(f'input[name="winner"][value="{world.hall.pk}"]')
    page.check(f'tr[data-field="name"] input[value="{world.listed.pk}"]')
    page.check(f'tr[data-field="address"] input[value="{world.listed.pk}"]')
    page.fill("#id_reason", "same room; the listing has the official street name")
    page.locator("body").click(position={"x": 5, "y": 5})  # leave the text box, so that keys are shortcuts
    with page.expect_navigation():
        page.keyboard.press("m")

    # The result page: what merged, the locked values, the redirect and the undo, which asks why
    page.wait_for_selector("#review-result")
    assert "Same as" in page.inner_text("#review-result")
    locked = page.inner_text("#review-values")
    assert "Hidden Hall (Fremont)" in locked
    assert "123 North 36th Street" in locked
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.name == "Hidden Hall (Fremont)"
    assert hall.street == "123 North 36th Street"
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.MERGED
    record = MergeRecord.objects.get()
    assert (record.merged_by_id, record.reason) == (
        reviewer.pk,
        "same room; the listing has the official street name",
    )

    loser_api = f"{live_server.url}/api/venues/{world.listed.public_id}"
    redirect = page.request.get(loser_api, max_redirects=0)
    assert redirect.status == 301
    assert redirect.headers["location"].endswith(f"/api/venues/{world.hall.public_id}")
    followed = page.request.get(loser_api)
    assert followed.ok
    assert followed.json()["id"] == world.hall.public_id

    # Undo, saying why: back to the pair, both venues separate again, the locks gone, both reasons kept
    page.fill("#id_undo_reason", "the listing is the hall's upstairs bar")
    with page.expect_navigation():
        page.click("#btn-undo")
    page.wait_for_selector("#comparison")
    assert "Undone" in page.inner_text("ul.messagelist")
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    assert Venue.objects.get(pk=world.hall.pk).locked_fields == {}
    assert VenueDuplicate.objects.get(pk=world.duplicate.pk).status == DuplicateStatus.PENDING
    record.refresh_from_db()
    assert (record.reason, record.undo_reason) == (
        "same room; the listing has the official street name",
        "the listing is the hall's upstairs bar",
    )
    assert page.request.get(loser_api, max_redirects=0).status == 200
    page.close()


def test_skip_with_the_keyboard_moves_on(live_server, browser, reviewer):
    world = build_review_world()
    page = browser.new_page()
    page.goto(f"{live_server.url}/admin/login/?next=/admin/entities/venueduplicate/review/")
    page.fill("#id_username", "reviewer")
    page.fill("#id_password", "review-pass")
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.wait_for_selector("#comparison")
    with page.expect_navigation():
        page.keyboard.press("s")
    duplicate = VenueDuplicate.objects.get(pk=world.duplicate.pk)
    assert (duplicate.status, duplicate.decided_by_id) == (DuplicateStatus.SKIPPED, reviewer.pk)
    assert "Skipped" in page.inner_text("ul.messagelist")
    assert os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE") == "true"
    page.close()
