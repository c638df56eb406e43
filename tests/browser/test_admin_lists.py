"""Every admin list of ours fits a 1280 px screen (no sideways scrolling), in a real browser (Debian's
Chromium through Playwright), on rows with long URLs and names; each list is saved as a PNG under
test-artifacts/admin-lists/ for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from django.urls import reverse

from entities.services import venue_merge
from sourcing.models import Url
from tests.admin.test_changelists import PINNED
from tests.factories import ScrapeFactory, UrlFactory, VenueFactory, build_review_world, make_rows

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin-lists"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
WIDTH = 1280
LONG_URL = (
    "https://www.a-venue-with-a-rather-long-domain-name.example/calendar/2026/12/events?page=3&view=list"
)

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="/usr/bin/chromium is missing: install Debian's chromium (scripts/test.sh does: apt-get install chromium)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def _rows() -> None:
    world = build_review_world()
    venue_merge(
        winner=world.hall, loser=VenueFactory.create(name="The Hidden Hall Ballroom and Cocktail Lounge")
    )
    url = UrlFactory.create(url=LONG_URL)
    ScrapeFactory.create(url=url, status="failed", http_status=503, last_error="HTTP 503 " + "x" * 300)
    Url.objects.filter(pk=url.pk).update(consecutive_failures=3)
    for _, model_name in sorted(PINNED):
        make_rows(model_name, 2)


def test_every_list_fits_1280_px(live_server, chromium, admin_user):
    _rows()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page = chromium.new_page(viewport={"width": WIDTH, "height": 900})
    page.set_default_timeout(30_000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    with page.expect_navigation():
        page.click("input[type=submit]")
    too_wide = {}
    for app_label, model_name in sorted(PINNED):
        page.goto(live_server.url + reverse(f"admin:{app_label}_{model_name}_changelist"))
        page.wait_for_selector("#result_list")
        table, room, document = page.evaluate(
            "[document.querySelector('#result_list').scrollWidth,"
            " document.querySelector('#changelist-form .results').clientWidth,"
            " document.documentElement.scrollWidth]"
        )
        page.screenshot(path=str(ARTIFACTS / f"{app_label}-{model_name}.png"))
        if table > room or document > WIDTH:
            too_wide[f"{app_label}.{model_name}"] = (table, room, document)
    assert too_wide == {}, "lists wider than the screen (table, room, page): see test-artifacts/admin-lists/"
    page.close()
