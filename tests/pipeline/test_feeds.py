"""Calendar feeds through the whole pipeline, over HTTP on 127.0.0.1: a venue page without markup names
its feeds; each feed is fetched as a URL of its own (kind "feed"), read by its adapter, paged, and
becomes canonical performances, without an LLM."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import time_machine

from core.stages import StageStatus
from entities.models import Performance
from extraction.models import Extraction
from sourcing import services as sourcing
from sourcing.models import Url, UrlKind

pytestmark = [pytest.mark.django_db(transaction=True)]

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
# The fixtures name their sites by these origins; the server answers for all of them.
ORIGINS = {
    "https://tinroom.example": "",
    "webcal://tinroom.example": "",
    "https://harborlights.example": "/wp",
    "https://northgate-social.example": "/sq",
}
# The Eventbrite organiser link of tin-room.html stays on Eventbrite's host: a feed on another host is
# still the venue's, so it is added (this machine cannot reach it: its fetch waits for a retry).
ROUTES = {
    "/shows": ("text/html; charset=utf-8", "tin-room.html"),
    "/calendar/shows.ics": ("text/calendar; charset=utf-8", "tin-room.ics"),
    "/wp/events/": ("text/html; charset=UTF-8", "wordpress-venue.html"),
    "/wp/wp-json/tribe/events/v1/events?per_page=50": (
        "application/json; charset=UTF-8",
        "tribe-events-page-1.json",
    ),
    "/wp/wp-json/tribe/events/v1/events/?per_page=2&page=2": (
        "application/json; charset=UTF-8",
        "tribe-events-page-2.json",
    ),
    "/sq/events": ("text/html; charset=utf-8", "squarespace-venue.html"),
    "/sq/events?format=json": ("application/json; charset=utf-8", "squarespace-events.json"),
    # Squarespace writes the next page root-relative (its site is the whole host).
    "/events?offset=1775167200000&format=json": (
        "application/json; charset=utf-8",
        "squarespace-events-page-2.json",
    ),
}


@pytest.fixture
def feed_sites() -> Iterator[str]:
    requests: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            requests.append(self.path)
            route = ROUTES.get(self.path)
            if route is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            content_type, name = route
            body = (FEEDS / name).read_text(encoding="utf-8")
            base = f"http://127.0.0.1:{port}"
            for origin, prefix in ORIGINS.items():
                body = body.replace(origin, base + prefix)
            data = body.encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _run_until_quiet(rounds: int = 6) -> None:
    for _ in range(rounds):
        if not sourcing.scrapes_request_due():
            return


def test_venue_pages_feeds_become_performances_without_an_llm(feed_sites, pipeline_settings):
    pipeline_settings.LLM_MODEL = ""
    with time_machine.travel(dt.datetime(2026, 3, 1, 18, 0, tzinfo=dt.UTC), tick=True):
        for name, path in (
            ("tin-room", "/shows"),
            ("harbor-lights", "/wp/events/"),
            ("northgate", "/sq/events"),
        ):
            source = sourcing.source_upsert(name=name, kind="venue_site")
            sourcing.url_add(source=source, url=feed_sites + path)
        _run_until_quiet()

    feeds = Url.objects.filter(kind=UrlKind.FEED)
    assert sorted(u.url.removeprefix(feed_sites) for u in feeds) == [
        "/calendar/shows.ics",  # <link rel=alternate type=text/calendar> (and the webcal: link)
        "/events?offset=1775167200000&format=json",  # a next page: the same feed, at the same depth
        "/sq/events?format=json",
        "/wp/wp-json/tribe/events/v1/events/?per_page=2&page=2",
        "/wp/wp-json/tribe/events/v1/events?per_page=50",
        "https://www.eventbrite.com/o/the-tin-room-31415926535",
    ]
    assert all(u.source.name in ("tin-room", "harbor-lights", "northgate") for u in feeds)
    done = Extraction.objects.filter(status=StageStatus.DONE)
    assert sorted(set(done.values_list("extractor", flat=True))) == [
        "icalendar",
        "squarespace",
        "structured",
        "tribe_events",
    ]
    assert not Extraction.objects.filter(extractor="llm_page").exists()  # feeds first: no page waits
    names = set(Performance.objects.values_list("name", flat=True))
    assert {
        "Marisol Vega Quartet",
        "Tuesday Jazz Jam",
        "The Lanterns",
        "Spring Swing Dance",
        "Open Mic Night",
        "Spring Equinox Sessions",
        "Late Night Vinyl",  # from the second page of the Squarespace feed
    } <= names
    lanterns = Performance.objects.get(name="The Lanterns")
    assert (lanterns.local_date, lanterns.local_start_time) == (dt.date(2026, 3, 6), dt.time(20, 0))
