"""Discovered links stay on their host within the source's depth bound; operator commands for URLs."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from sourcing import services
from sourcing.models import Scrape, Source, Url

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def calendar():
    source = services.source_upsert(name="venue", kind="venue_site")
    Source.objects.filter(pk=source.pk).update(max_depth=1)
    url = services.url_add(source=source, url="https://venue.example/calendar/")
    return Scrape.objects.create(url=url, status="done", final_url="https://venue.example/calendar/")


def test_discovered_links_on_the_same_host_are_added_once_with_provenance(calendar):
    links = [
        ("/events/1?utm_source=newsletter", "detail"),
        ("https://VENUE.example/events/1#tickets", "detail"),  # the same page, spelled differently
        ("2", "detail"),  # relative to the calendar
        ("https://tickets.example/e/9", "detail"),  # another host: another source, never followed
        ("https://venue.example/calendar/", "listing"),  # the page itself
        ("/calendar/?page=2", "listing"),
    ]
    assert services.urls_discover(scrape=calendar, candidates=links) == 3
    added = {u.url: u for u in Url.objects.exclude(pk=calendar.url_id)}
    assert set(added) == {
        "https://venue.example/events/1",
        "https://venue.example/calendar/2",
        "https://venue.example/calendar/?page=2",
    }
    page = added["https://venue.example/events/1"]
    assert (page.depth, page.discovered_from_id, page.kind) == (1, calendar.url_id, "detail")
    assert added["https://venue.example/calendar/?page=2"].kind == "listing"
    # Discovering the same links again adds nothing
    assert services.urls_discover(scrape=calendar, candidates=links) == 0


def test_depth_bound_stops_discovery(calendar):
    services.urls_discover(scrape=calendar, candidates=[("/events/1", "detail")])
    event_page = Url.objects.get(url="https://venue.example/events/1")
    event_scrape = Scrape.objects.create(url=event_page, status="done")
    assert services.urls_discover(scrape=event_scrape, candidates=[("/events/2", "detail")]) == 0


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_csv_import_list_due_and_scrape_now(tmp_path: Path, django_capture_on_commit_callbacks):
    csv_file = tmp_path / "sources.csv"
    csv_file.write_text(
        "source,kind,priority,url\n"
        "neumos,venue_site,60,https://neumos.example/events\n"
        "neumos,venue_site,60,https://neumos.example/events?utm_medium=x\n"
        "bit,bandsintown,40,https://api.example/artists/x/events\n"
    )
    assert "2 sources, 3 URLs." in _call("import_sources_csv", str(csv_file))
    assert Url.objects.count() == 2  # the tracking parameter made no second URL
    due = _call("list_due")
    assert "2 URL(s) due." in due
    assert due.index("neumos") < due.index("bit")  # higher priority first

    with django_capture_on_commit_callbacks(execute=False):
        assert "1 scrapes queued" in _call("scrape_now", "https://neumos.example/events")
        assert "0 scrapes queued; 1 already queued" in _call("scrape_now", "https://neumos.example/events")
        assert "1 scrapes queued; 0 already queued" in _call("scrape_now", "--source", "bit")
    Url.objects.update(next_scrape_at=timezone.now() + dt.timedelta(days=1))
    assert "0 URL(s) due." in _call("list_due")


def test_csv_import_refuses_unknown_kinds(tmp_path: Path):
    csv_file = tmp_path / "bad.csv"
    csv_file.write_text("source,kind,url\nx,myspace,https://x.example/\n")
    with pytest.raises(Exception, match="line 2: unknown kind 'myspace'"):
        _call("import_sources_csv", str(csv_file))


CALENDAR = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "ItemList", "itemListElement": [
  {"@type": "ListItem", "position": 1, "item": {"@type": "MusicEvent", "name": "Night One",
   "startDate": "2026-03-01T20:00:00-08:00", "url": "/events/night-one/",
   "location": {"@type": "MusicVenue", "name": "The Local Room",
                "address": {"@type": "PostalAddress", "addressLocality": "Seattle", "addressCountry": "US"}}}},
  {"@type": "ListItem", "position": 2, "item": {"@type": "MusicEvent", "name": "Night Two",
   "startDate": "2026-03-02T20:00:00-08:00", "url": "https://elsewhere.example/e/2",
   "location": {"@type": "MusicVenue", "name": "The Local Room"}}}
]}</script></head><body></body></html>"""


@pytest.mark.django_db(transaction=True)
def test_extraction_hands_listing_links_back_to_sourcing(tmp_path: Path, pipeline_settings):
    from demo.webserver import start_server

    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "index.html").write_text(CALENDAR)
    (tmp_path / "events" / "night-one").mkdir(parents=True)
    (tmp_path / "events" / "night-one" / "index.html").write_text("<html><title>Night One</title></html>")
    with start_server(tmp_path) as site:
        source = services.source_upsert(name="local-room", kind="venue_site")
        services.url_add(source=source, url=site.url("/calendar/"))
        services.scrapes_request_due()
        discovered = Url.objects.exclude(url=site.url("/calendar/"))
        assert [u.url for u in discovered] == [
            site.url("/events/night-one/")
        ]  # the other host is not followed
        assert discovered.get().depth == 1
        services.scrapes_request_due()  # the discovered page is due at once
        assert Scrape.objects.get(url__url=site.url("/events/night-one/")).status == "done"
