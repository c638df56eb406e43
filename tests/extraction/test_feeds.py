"""Calendar feeds: discovery in venue pages, the iCalendar, The Events Calendar and Squarespace adapters,
"add to calendar" links, and the router's choice. Fixture feeds in tests/fixtures/feeds (written for
these tests, see its README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from extraction.adapters.icalendar_feed import extract_icalendar
from extraction.adapters.squarespace import extract_squarespace
from extraction.adapters.structured import extract_structured
from extraction.adapters.tribe_events import extract_tribe_events
from extraction.budget import ExtractionBudget
from extraction.router import Document, route
from extraction.schemas import EventStatus, ExtractionResult, TimePrecision

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
REFERENCE = dt.date(2026, 3, 1)


def _read(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def _rows(result: ExtractionResult) -> list[tuple[Any, ...]]:
    return [
        (
            p.name,
            p.local_date.isoformat(),
            p.local_start_time.strftime("%H:%M") if p.local_start_time else None,
            p.utc_offset_minutes,
            p.venue.name if p.venue else None,
        )
        for p in result.performances
    ]


# ---------------------------------------------------------------------------------------------
# iCalendar


def test_icalendar_feed_with_vtimezone_rrule_exdate_override_utc_and_all_day() -> None:
    result = extract_icalendar(
        _read("tin-room.ics"), url="https://tinroom.example/calendar/shows.ics", reference_date=REFERENCE
    )
    assert _rows(result) == [
        ("Marisol Vega Quartet", "2026-03-14", "19:30", -420, "The Tin Room"),
        # UTC in the feed, X-WR-TIMEZONE America/Los_Angeles: 03:30Z on the 4th is 20:30 on the 3rd
        ("The Night Owls Record Release", "2026-04-03", "20:30", -420, "The Tin Room"),
        ("Dexter Avenue Spring Fair", "2026-05-01", None, None, None),  # all day; an address names no venue
        ("Brass Tacks (cancelled)", "2026-03-20", "20:00", -420, "The Tin Room"),
        # the weekly jam from the reference date: PST before 8 March, PDT after; the 17th excepted, the
        # 24th moved to 21:00 (RECURRENCE-ID), UNTIL 28 April 23:59:59Z leaves out that evening's 03:00Z
        ("Tuesday Jazz Jam", "2026-03-03", "20:00", -480, "The Tin Room"),
        ("Tuesday Jazz Jam", "2026-03-10", "20:00", -420, "The Tin Room"),
        ("Tuesday Jazz Jam (late start)", "2026-03-24", "21:00", -420, "The Tin Room"),
        ("Tuesday Jazz Jam", "2026-03-31", "20:00", -420, "The Tin Room"),
        ("Tuesday Jazz Jam", "2026-04-07", "20:00", -420, "The Tin Room"),
        ("Tuesday Jazz Jam", "2026-04-14", "20:00", -420, "The Tin Room"),
        ("Tuesday Jazz Jam", "2026-04-21", "20:00", -420, "The Tin Room"),
    ]
    by_name: dict[str, Any] = {}
    for performance in result.performances:
        by_name.setdefault(performance.name, performance)  # the first of each name
    marisol = by_name["Marisol Vega Quartet"]
    assert marisol.url == "https://tinroom.example/shows/marisol-vega-quartet"
    assert marisol.source_key == "ical:20260314-marisol@tinroom.example"
    assert marisol.venue is not None
    assert marisol.venue.address is not None
    assert marisol.venue.address.street == "2200 Dexter Ave N, Seattle, WA 98109"
    assert by_name["Brass Tacks (cancelled)"].status is EventStatus.CANCELLED
    assert by_name["Dexter Avenue Spring Fair"].time_precision is TimePrecision.DATE
    jam = by_name["Tuesday Jazz Jam"]
    assert jam.venue is not None
    assert (jam.venue.latitude, jam.venue.longitude) == (47.6391, -122.3467)
    assert jam.source_key == "ical:tuesday-jam-2026@tinroom.example#2026-03-03"
    assert jam.description == "House trio at 8, open jam from 9. Sign-up sheet at the bar.\nNo cover."
    assert result.warnings == ["event 'no-summary@tinroom.example': no SUMMARY; skipped"]


def test_icalendar_horizon_and_occurrence_budget() -> None:
    short = extract_icalendar(_read("tin-room.ics"), reference_date=REFERENCE, horizon_days=14)
    assert [p.local_date.isoformat() for p in short.performances if "Jam" in p.name] == [
        "2026-03-03",
        "2026-03-10",
    ]
    # one-off events are kept however far ahead; only recurrences stop at the horizon
    assert "Dexter Avenue Spring Fair" in [p.name for p in short.performances]
    capped = extract_icalendar(
        _read("tin-room.ics"), reference_date=REFERENCE, budget=ExtractionBudget(max_occurrences=2)
    )
    assert len([p for p in capped.performances if "Jam" in p.name]) == 2
    assert any(
        w.startswith("budget: event 'tuesday-jam-2026@tinroom.example': more than 2 dates")
        for w in capped.warnings
    )


def test_a_daily_rule_since_1900_stays_cheap_within_the_horizon() -> None:
    feed = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:daily@x\r\nSUMMARY:Daily\r\n"
        "DTSTART:19000101T120000\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = extract_icalendar(feed, reference_date=REFERENCE, horizon_days=10)
    assert len(result.performances) == 11
    assert {p.utc_offset_minutes for p in result.performances} == {None}  # floating: no offset claimed


@pytest.mark.parametrize(
    "body", [b"", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\x00\xff garbage", b"BEGIN:VEVENT\r\nEND:VEVENT"]
)
def test_broken_icalendar_is_a_warning_not_a_crash(body: bytes) -> None:
    result = extract_icalendar(body, reference_date=REFERENCE)
    assert result.performances == []
    assert result.warnings


# ---------------------------------------------------------------------------------------------
# The Events Calendar (WordPress) and Squarespace


def test_tribe_events_pages_with_prices_all_day_events_and_the_next_page() -> None:
    url = "https://harborlights.example/wp-json/tribe/events/v1/events?per_page=2"
    first = extract_tribe_events(_read("tribe-events-page-1.json"), url=url)
    assert _rows(first) == [
        ("The Lanterns", "2026-03-06", "20:00", -480, "Harbor Lights Ballroom"),
        ("Spring Swing Dance", "2026-03-21", "19:30", -420, "Harbor Lights Ballroom"),
    ]
    lanterns = first.performances[0]
    assert lanterns.source_key == lanterns.url == "https://harborlights.example/event/the-lanterns/"
    assert [(o.min_price, o.max_price, o.currency, o.url) for o in lanterns.offers] == [
        (18.0, 22.0, "USD", "https://tickets.example/the-lanterns")
    ]
    assert lanterns.description == "The Lanterns live at the ballroom.\nAll ages & accessible."
    venue = lanterns.venue
    assert venue is not None
    assert venue.address is not None
    assert (venue.address.street, venue.address.locality, venue.address.region, venue.address.postal_code) == (
        "1401 Alki Ave SW", "Seattle", "WA", "98116",
    )  # fmt: skip
    assert (venue.latitude, venue.phone) == (47.5794, "(206) 555-0190")
    assert [o.price for o in first.performances[1].offers] == [0.0]  # "Free"
    assert [(d.url, d.kind) for d in first.discovered_urls] == [
        ("https://harborlights.example/wp-json/tribe/events/v1/events/?per_page=2&page=2", "feed")
    ]
    second = extract_tribe_events(_read("tribe-events-page-2.json"), url=first.discovered_urls[0].url)
    assert _rows(second) == [("Tom’s Record Fair", "2026-04-11", None, None, None)]
    assert second.performances[0].time_precision is TimePrecision.DATE
    assert second.discovered_urls == []


def test_squarespace_json_in_the_sites_zone_past_events_left_out_and_next_page() -> None:
    result = extract_squarespace(
        _read("squarespace-events.json"),
        url="https://northgate-social.example/events?format=json",
        reference_date=REFERENCE,
    )
    assert _rows(result) == [
        ("Open Mic Night", "2026-03-05", "19:00", -300, "Northgate Social"),
        ("Spring Equinox Sessions", "2026-03-20", "21:30", -240, "Northgate Social"),
        ("Songwriters in the Round", "2026-04-02", "18:00", -240, None),
    ]
    venue = result.performances[0].venue
    assert venue is not None
    assert venue.address is not None
    assert (venue.address.street, venue.address.locality, venue.address.region, venue.address.postal_code) == (
        "118 E 15th St", "New York", "NY", "10003",
    )  # fmt: skip
    [following] = result.discovered_urls
    assert (following.url, following.kind) == (
        "https://northgate-social.example/events?offset=1775167200000&format=json",
        "feed",
    )
    last = extract_squarespace(
        _read("squarespace-events-page-2.json"), url=following.url, reference_date=REFERENCE
    )
    assert _rows(last) == [("Late Night Vinyl", "2026-04-18", "23:00", -240, "Northgate Social")]
    assert last.discovered_urls == []


@pytest.mark.parametrize(
    ("name", "content_type", "extractor"),
    [
        ("tin-room.ics", "text/calendar; charset=utf-8", "icalendar"),
        ("tin-room.ics", "application/octet-stream", "icalendar"),  # sniffed from BEGIN:VCALENDAR
        ("tribe-events-page-1.json", "application/json", "tribe_events"),
        ("squarespace-events.json", "application/json; charset=utf-8", "squarespace"),
        ("tin-room.html", "text/html", "structured"),  # no markup, but feeds: read without an LLM
        ("add-to-calendar.html", "text/html", "structured"),
    ],
)
def test_router_sends_each_feed_to_its_adapter(name: str, content_type: str, extractor: str) -> None:
    [chosen] = route(Document(body=_read(name), url="https://x.example/", content_type=content_type))
    assert chosen.name == extractor


# ---------------------------------------------------------------------------------------------
# Discovery in venue pages


def _discovered(name: str, url: str) -> list[tuple[str, str]]:
    result = extract_structured(_read(name), url=url, reference_date=REFERENCE)
    return [(d.url, d.kind) for d in result.discovered_urls]


def test_icalendar_link_webcal_and_eventbrite_organiser_are_feeds() -> None:
    assert _discovered("tin-room.html", "https://tinroom.example/shows") == [
        ("https://tinroom.example/calendar/shows.ics", "feed"),  # <link rel=alternate> and webcal: alike
        ("https://www.eventbrite.com/o/the-tin-room-31415926535", "feed"),
    ]


def test_the_events_calendar_rest_api_is_the_feed_and_its_ical_export_is_not_fetched_again() -> None:
    assert _discovered("wordpress-venue.html", "https://harborlights.example/events/") == [
        ("https://harborlights.example/wp-json/tribe/events/v1/events?per_page=50", "feed"),
    ]
    export = '<a href="/events/?ical=1">Export</a><a href="/cal/all.ics">All</a>'
    assert _discovered_text(f"<html><body>{export}</body></html>") == [
        ("https://venue.example/events/?ical=1", "feed"),  # without the plugin it is the calendar
        ("https://venue.example/cal/all.ics", "feed"),
    ]


def test_squarespace_events_page_is_read_as_json() -> None:
    assert _discovered("squarespace-venue.html", "https://northgate-social.example/events") == [
        ("https://northgate-social.example/events?format=json", "feed")
    ]


def test_add_to_calendar_links_are_events_and_an_embedded_google_calendar_is_a_feed() -> None:
    result = extract_structured(_read("add-to-calendar.html"), url="https://ravennafolk.example/calendar")
    assert _rows(result) == [
        # Google's UTC dates in the link's ctz; the Outlook link to the same show is the same show
        ("Contra Dance with The Stringbenders", "2026-03-07", "19:30", -480, "Ravenna Folk Club"),
        ("Sea Shanty Sing", "2026-04-12", "15:00", -420, None),  # floating time in ctz; an address only
        ("Folk Fest Weekend", "2026-06-05", None, None, None),
    ]
    assert [(d.url, d.kind) for d in result.discovered_urls] == [
        ("https://calendar.google.com/calendar/ical/ravennafolk@gmail.com/public/basic.ics", "feed")
    ]


def test_ticketing_pages_are_followed_only_from_pages_without_shows_of_their_own() -> None:
    links = (
        '<a href="https://www.ticketweb.com/event/band-tickets/14067094?REFID=site">Tickets</a>'
        '<a href="https://dice.fm/event/abc123-show">DICE</a><a href="https://example.com/other">x</a>'
    )
    bare = extract_structured(f"<html><body>{links}</body></html>", url="https://venue.example/")
    assert [(d.url, d.kind) for d in bare.discovered_urls] == [
        ("https://www.ticketweb.com/event/band-tickets/14067094", "feed"),
        ("https://dice.fm/event/abc123-show", "feed"),
    ]
    marked = '<script type="application/ld+json">{"@type": "MusicEvent", "name": "Own", "startDate": "2026-05-01"}</script>'
    with_shows = extract_structured(
        f"<html><body>{marked}{links}</body></html>", url="https://venue.example/"
    )
    assert [d.kind for d in with_shows.discovered_urls] == []


def test_eventbrite_widget_event_ids_become_event_pages() -> None:
    page = """<div id="eventbrite-widget-container-7777777777"></div>
    <script src="https://www.eventbrite.com/static/widgets/eb_widgets.js"></script>
    <script>window.EBWidgets.createWidget({widgetType: 'checkout', eventId: '7777777777', modal: true});</script>"""
    assert _discovered_text(page) == [("https://www.eventbrite.com/e/7777777777", "feed")]


def _discovered_text(page: str) -> list[tuple[str, str]]:
    result = extract_structured(page, url="https://venue.example/")
    return [(d.url, d.kind) for d in result.discovered_urls]


def test_a_page_without_feed_signs_costs_no_discovery() -> None:
    assert (
        _discovered_text("<html><body><a href='/about'>About</a><a href='/x.pdf'>menu</a></body></html>")
        == []
    )
