"""Microdata, RDFa Lite and OpenGraph (microdata.py) and the combined HTML extractor (structured.py),
on real saved pages (tests/fixtures/web), extruct's expected outputs, and inline cases."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bench.evaluation import ZERO, score_page
from extraction.adapters import microdata, schemaorg, structured
from extraction.adapters.microdata import extract_microdata, merge_duplicate_performances
from extraction.adapters.structured import extract_structured
from extraction.budget import BUDGET_PREFIX, DEFAULT_BUDGET
from extraction.schemas import (
    EventStatus,
    ExtractedPerformance,
    ExtractedVenue,
    ExtractionResult,
    TimePrecision,
)

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "tests" / "fixtures" / "web"
EXPECTED = ROOT / "tests" / "fixtures" / "expected"
EXTRUCT = WEB / "extruct"
HELLBENT = WEB / "calendar-ripper" / "hellbent_brewing__sample-data.html"
PIKE = WEB / "calendar-ripper" / "pike_place_market__sample-data.html"
HEAVYMETAL = WEB / "metalwatch" / "heavymetal-dk__real-page-2025-12-15.html"


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def _only(result: ExtractionResult) -> ExtractedPerformance:
    assert len(result.performances) == 1, result.performances
    return result.performances[0]


# ---------------------------------------------------------------------------------------------
# Identity and purity


def test_extractor_identities() -> None:
    assert (microdata.EXTRACTOR_NAME, microdata.EXTRACTOR_VERSION) == ("microdata", "1")
    assert (structured.EXTRACTOR_NAME, structured.EXTRACTOR_VERSION) == ("structured", "2")


def test_modules_do_not_import_django() -> None:
    code = (
        "import sys, extraction.adapters.microdata, extraction.adapters.structured; "
        "assert not any(m.startswith('django') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------------------------
# extruct's schema.org samples, against extruct's expected outputs


def _extruct_events(name: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads((EXTRUCT / f"{name}.json").read_text(encoding="utf-8"))
    events: list[dict[str, Any]] = []

    def walk(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if str(value.get("type", "")).endswith("Event"):
                events.append(value["properties"])
            for child in value.get("properties", {}).values():
                walk(child)

    walk(items)
    return events


@pytest.mark.parametrize(
    "name",
    [
        "schema.org__Event.001",
        "schema.org__Event.002",
        "schema.org__Event.003",
        "schema.org__Event.004",
        "schema.org__Event.008",
    ],
)
def test_schema_org_samples_agree_with_extruct(name: str) -> None:
    result = extract_microdata((EXTRUCT / f"{name}.html").read_bytes(), url="https://schema.org/Event")

    expected = _extruct_events(name)
    assert [p.name for p in result.performances] == [e["name"] for e in expected]
    for performance, event in zip(result.performances, expected, strict=True):
        start = event["startDate"]
        assert performance.local_date.isoformat() == start[:10]
        if len(start) > 10:
            assert performance.local_start_time is not None
            assert performance.local_start_time.strftime("%H:%M") == start[11:16]
        location = event["location"]
        if isinstance(location, dict) and "name" not in location["properties"]:
            assert performance.venue is None  # an unnamed place is no venue (never named from a link)
            continue
        assert performance.venue is not None
        if isinstance(location, str):
            assert performance.venue.name == location
        elif "name" in location["properties"]:
            assert performance.venue.name == location["properties"]["name"]
        address = location["properties"].get("address") if isinstance(location, dict) else None
        if isinstance(address, dict):
            assert performance.venue.address is not None
            assert performance.venue.address.locality == address["properties"]["addressLocality"]
    assert result.warnings in ([], ["a place without a name is no venue; left out"])


def test_event_001_unnamed_place_is_no_venue_and_relative_urls_resolved() -> None:
    performance = _only(
        extract_microdata(
            (EXTRUCT / "schema.org__Event.001.html").read_bytes(), url="https://schema.org/Event"
        )
    )

    assert performance.name == "Miami Heat at Philadelphia 76ers - Game 3 (Home Game 1)"
    assert (performance.local_date, performance.local_start_time) == (dt.date(2016, 4, 21), dt.time(20, 0))
    assert performance.time_precision is TimePrecision.EXACT
    assert performance.utc_offset_minutes is None  # "2016-04-21T20:00": wall time, no offset written
    assert performance.url == "https://schema.org/nba-miami-philidelphia-game3.html"
    # The Place has no itemprop=name: its url link's text ("Wells Fargo Center") is not read as one.
    assert performance.venue is None
    assert [(o.min_price, o.currency) for o in performance.offers] == [
        (35.0, None)
    ]  # "$35": currency unknown


def test_event_002_events_of_a_music_group_are_its_shows() -> None:
    result = extract_microdata(
        (EXTRUCT / "schema.org__Event.002.html").read_bytes(), url="https://schema.org/Event"
    )

    assert [a.name for a in result.artists] == ["Foo Fighters"]
    assert result.artists[0].image_urls[:1] == [
        "https://schema.org/foofighters-1.jpg"
    ]  # <a itemprop=image href>
    first, second = result.performances
    assert (first.name, first.local_date, first.time_precision) == (
        "FedExForum",
        dt.date(2011, 5, 20),
        TimePrecision.DATE,
    )
    assert first.venue is not None
    assert first.venue.name == "Memphis, TN, US"
    assert [p.artist.name for p in first.performers] == ["Foo Fighters"]
    assert second.url == "https://schema.org/foo-fighters-may23-midamericacenter"


def test_event_003_content_on_div_offers_and_004_cancelled() -> None:
    three = _only(extract_microdata((EXTRUCT / "schema.org__Event.003.html").read_bytes()))
    four = _only(extract_microdata((EXTRUCT / "schema.org__Event.004.html").read_bytes()))

    assert three.local_start_time == dt.time(21, 30)  # <div itemprop=startDate content=...>
    assert three.venue is not None
    assert three.venue.address is not None
    assert three.venue.address.model_dump() == {
        "street": "7 S. Broadway",
        "locality": "Denver",
        "region": "CO",
        "postal_code": "80209",
        "country": None,
    }
    assert [(o.price, o.currency, o.url) for o in three.offers] == [
        (13.0, "USD", "http://www.ticketfly.com/purchase/309433")
    ]
    assert three.status is EventStatus.SCHEDULED
    assert four.status is EventStatus.CANCELLED


def test_event_008_meta_and_link_properties() -> None:
    performance = _only(
        extract_microdata((EXTRUCT / "schema.org__Event.008.html").read_bytes(), url="https://schema.org/x")
    )

    venue = performance.venue
    assert venue is not None
    assert venue.name == "Shakespeare's Globe"  # <meta itemprop=name content=...>
    assert venue.website == "http://www.shakespearesglobe.com/"  # <link itemprop=sameAs href=...>
    assert venue.address is not None
    assert venue.address.street == "London, UK"
    assert performance.performers == []  # workPerformed's creator wrote the play; not a performer
    assert [o.url for o in performance.offers] == ["https://schema.org/examples/ticket/0012301230123"]


# ---------------------------------------------------------------------------------------------
# Real calendars


def test_hellbent_simple_calendar_thirty_food_trucks() -> None:
    result = extract_structured(HELLBENT.read_bytes(), url="https://hellbentbrewingcompany.com/food-trucks/")

    assert len(result.performances) == 30
    first = result.performances[0]
    assert first.name == "Llama Fusion"
    # startDate given twice (date span and time span), same value: read once.
    assert (first.local_date, first.local_start_time) == (dt.date(2026, 4, 1), dt.time(17, 0))
    assert (first.utc_offset_minutes, first.time_precision) == (-420, TimePrecision.EXACT)
    assert first.venue is not None
    assert first.venue.name == "Llama Fusion"
    assert result.performances[1].name == "Tat's Deli"  # &#039; decoded
    assert result.warnings == []


def test_heavymetal_dk_rows_performers_from_artist_links_and_unnamed_places_no_venue() -> None:
    result = extract_structured(HEAVYMETAL.read_bytes(), url="https://heavymetal.dk/koncertkalender")

    assert len(result.performances) == 118
    assert result.venues == []  # the footer's Organization (the site itself) is not a venue
    radiohead = result.performances[0]
    assert (radiohead.name, radiohead.local_date, radiohead.time_precision) == (
        "Radiohead",
        dt.date(2025, 12, 15),
        TimePrecision.DATE,
    )
    # Each row's Place has only a url link ("Royal Arena, København S"): no name, so no venue.
    assert all(p.venue is None for p in result.performances)
    assert [(p.artist.name, p.artist.source_key) for p in radiohead.performers] == [
        ("Radiohead", "https://heavymetal.dk/artist/radiohead")
    ]
    festival = result.performances[3]
    assert festival.name == "Udgårdsfest 2025: Einherjer, Finsterforst, Hamferð, HELGE, Maunah, m.fl."
    assert [p.artist.name for p in festival.performers] == [
        "Einherjer",
        "Finsterforst",
        "Hamferð",
        "HELGE",
        "Maunah",
    ]
    assert [p.order for p in festival.performers] == [0, 1, 2, 3, 4]
    assert result.warnings == ["a place without a name is no venue; left out"]


def test_pike_place_json_ld_events_untyped_microdata_ignored_listing_image_not_spread() -> None:
    result = extract_structured(PIKE.read_bytes(), url="https://www.pikeplacemarket.org/events/")

    assert len(result.performances) == 12  # the <article itemscope> items have no type
    assert all(p.time_precision is TimePrecision.DATE for p in result.performances)
    assert result.performances[0].venue is None  # location name ""
    # og:image is the listing's picture: it does not go to each of 12 events.
    og_image = "https://images.pikeplacemarket.org/wp-content/uploads/2021/11/21052253/2007-Magic-in-the-Market-2-scaled.jpg"
    assert all(og_image not in p.image_urls for p in result.performances)


def test_microdata_only_extractor_ignores_json_ld() -> None:
    assert extract_microdata(PIKE.read_bytes()).performances == []
    assert len(extract_microdata(HELLBENT.read_bytes()).performances) == 30


# ---------------------------------------------------------------------------------------------
# Accuracy against the hand-checked expected files (see tests/fixtures/expected/README.md)


def test_expected_files_precision_and_recall() -> None:
    events, venues = ZERO, ZERO
    for path in sorted(EXPECTED.glob("*.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        result = extract_structured(
            (ROOT / "tests" / "fixtures" / expected["page"]).read_bytes(),
            url=expected["url"],
            default_timezone=expected["default_timezone"],
        )
        event_score, venue_score = score_page(expected, result)
        events, venues = events + event_score, venues + venue_score
    assert events.expected == 365
    assert (events.precision, events.recall) >= (0.98, 0.98)
    assert (venues.precision, venues.recall) >= (0.98, 0.98)


# ---------------------------------------------------------------------------------------------
# Microdata rules, inline


def test_values_by_element_and_nested_items() -> None:
    body = """
    <div itemscope itemtype="https://schema.org/MusicEvent" itemid="https://example.org/e/1">
      <h1 itemprop="name"> The   Band  <b>live</b></h1>
      <time itemprop="startDate" datetime="2026-05-02T20:00-07:00">May 2</time>
      <meta itemprop="doorTime" content="19:00">
      <img itemprop="image" src="/img/band.jpg" alt="">
      <a itemprop="url" href="/e/1">details</a>
      <div itemprop="location" itemscope itemtype="https://schema.org/MusicVenue">
        <span itemprop="name">The Hall</span>
        <div itemprop="geo" itemscope itemtype="https://schema.org/GeoCoordinates">
          <meta itemprop="latitude" content="47.61"><meta itemprop="longitude" content="-122.33">
        </div>
      </div>
      <div itemprop="performer" itemscope itemtype="https://schema.org/MusicGroup">
        <span itemprop="name">The Band</span><link itemprop="sameAs" href="https://musicbrainz.org/artist/0383dadf-2a4e-4d10-a46a-e9e041da8eb3">
      </div>
      <span itemprop="performer">Opener</span>
      <data itemprop="maximumAttendeeCapacity" value="300">three hundred</data>
    </div>"""
    result = extract_structured(_page(body, head='<base href="https://example.org/">'))

    performance = _only(result)
    assert performance.source_key == "https://example.org/e/1"  # itemid
    assert performance.name == "The Band live"
    assert (performance.local_start_time, performance.utc_offset_minutes) == (dt.time(20, 0), -420)
    assert performance.local_doors_time == dt.time(19, 0)
    assert performance.image_urls == ["https://example.org/img/band.jpg"]
    assert performance.url == "https://example.org/e/1"
    assert performance.venue is not None
    assert (performance.venue.name, performance.venue.latitude, performance.venue.longitude) == (
        "The Hall",
        47.61,
        -122.33,
    )
    assert [p.artist.name for p in performance.performers] == ["The Band", "Opener"]
    assert performance.performers[0].artist.external_ids == {
        "musicbrainz": "0383dadf-2a4e-4d10-a46a-e9e041da8eb3"
    }


def test_itemref_and_multiple_property_names() -> None:
    body = """
    <div itemscope itemtype="http://schema.org/Event" itemref="when where"><span itemprop="name alternateName">Show</span></div>
    <p id="when"><meta itemprop="startDate" content="2026-06-01"></p>
    <div id="where" itemprop="location" itemscope itemtype="http://schema.org/Place"><span itemprop="name">Club</span></div>
    """
    performance = _only(extract_microdata(_page(body)))

    assert (performance.name, performance.local_date) == ("Show", dt.date(2026, 6, 1))
    assert performance.venue is not None
    assert performance.venue.name == "Club"


def test_items_without_a_type_and_properties_without_an_item_are_ignored() -> None:
    body = """
    <article itemscope><span itemprop="startDate">11 Feb</span><span itemprop="name">Tour</span></article>
    <span itemprop="name">orphan</span>
    """
    result = extract_microdata(_page(body))

    assert result.is_empty
    assert result.warnings == []


# ---------------------------------------------------------------------------------------------
# RDFa Lite


def test_rdfa_lite_event_with_place_and_performer() -> None:
    body = """
    <div vocab="https://schema.org/" typeof="MusicEvent" resource="#show">
      <span property="name">Night Show</span>
      <time property="startDate" datetime="2026-07-04T21:00:00-05:00">July 4</time>
      <div property="location" typeof="MusicVenue">
        <span property="name">Empty Bottle</span>
        <div property="address" typeof="PostalAddress">
          <span property="streetAddress">1035 N Western Ave</span>
          <span property="addressLocality">Chicago</span>
        </div>
      </div>
      <div property="performer" typeof="MusicGroup"><span property="name">Tortoise</span></div>
      <a property="url" href="https://example.org/show">tickets</a>
      <span property="dc:title">ignored vocabulary</span>
    </div>"""
    head = '<meta property="og:title" content="Night Show"><meta property="og:image" content="https://example.org/og.jpg">'
    performance = _only(extract_structured(_page(body, head=head), url="https://example.org/"))

    assert performance.name == "Night Show"
    assert (performance.local_date, performance.local_start_time, performance.utc_offset_minutes) == (
        dt.date(2026, 7, 4),
        dt.time(21, 0),
        -300,
    )
    assert performance.venue is not None
    assert performance.venue.name == "Empty Bottle"
    assert performance.venue.address is not None
    assert (performance.venue.address.street, performance.venue.address.locality) == (
        "1035 N Western Ave",
        "Chicago",
    )
    assert [p.artist.name for p in performance.performers] == ["Tortoise"]
    assert performance.url == "https://example.org/show"
    assert performance.image_urls == ["https://example.org/og.jpg"]  # the page's one event had none


def test_rdfa_prefixed_terms() -> None:
    body = """<div prefix="schema: http://schema.org/" typeof="schema:Event">
      <span property="schema:name">Prefixed</span><meta property="schema:startDate" content="2026-01-02"></div>"""
    performance = _only(extract_microdata(_page(body)))

    assert (performance.name, performance.local_date) == ("Prefixed", dt.date(2026, 1, 2))


# ---------------------------------------------------------------------------------------------
# One show described twice; OpenGraph


def test_json_ld_and_microdata_of_one_show_merge() -> None:
    jsonld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "MusicEvent",
            "name": "Double Bill",
            "startDate": "2026-03-01T20:00:00-08:00",
            "location": {"@type": "MusicVenue", "name": "The Hall"},
            "offers": {"@type": "Offer", "price": "15", "priceCurrency": "USD"},
        }
    )
    body = """<div itemscope itemtype="https://schema.org/MusicEvent">
      <span itemprop="name">double  bill</span><meta itemprop="startDate" content="2026-03-01T20:00:00-08:00">
      <span itemprop="performer">Headliner</span><img itemprop="image" src="https://example.org/a.jpg">
    </div>"""
    result = extract_structured(_page(body, head=f'<script type="application/ld+json">{jsonld}</script>'))

    performance = _only(result)
    assert performance.name == "Double Bill"  # the first description wins
    assert performance.venue is not None
    assert performance.venue.name == "The Hall"
    assert [(o.price, o.currency) for o in performance.offers] == [(15.0, "USD")]
    assert [p.artist.name for p in performance.performers] == ["Headliner"]  # blanks filled from the second
    assert performance.image_urls == ["https://example.org/a.jpg"]


def _show(**fields: Any) -> ExtractedPerformance:
    values: dict[str, Any] = {"name": "Show", "local_date": dt.date(2026, 1, 1)}
    values.update(fields)
    return ExtractedPerformance(**values)


@pytest.mark.parametrize(
    ("first", "second", "merged"),
    [
        ({}, {}, True),
        ({"local_start_time": dt.time(20)}, {"local_start_time": dt.time(20)}, True),
        ({"local_start_time": dt.time(20)}, {}, False),  # a time and no time: not the same start
        ({"local_start_time": dt.time(20)}, {"local_start_time": dt.time(21)}, False),
        ({"source_key": "a"}, {"source_key": "b"}, False),  # two entries of the source
        ({"source_key": "a"}, {}, True),
        ({"venue": ExtractedVenue(name="A")}, {"venue": ExtractedVenue(name="B")}, False),
        ({"venue": ExtractedVenue(name="A")}, {"venue": ExtractedVenue(name=" a ")}, True),
        ({}, {"name": "Other"}, False),
        ({}, {"local_date": dt.date(2026, 1, 2)}, False),
    ],
)
def test_merge_rules(first: dict[str, Any], second: dict[str, Any], merged: bool) -> None:
    performances = [_show(**first), _show(**second)]

    assert len(merge_duplicate_performances(performances)) == (1 if merged else 2)


def test_merge_fills_venue_blanks_and_keeps_the_list_when_nothing_merges() -> None:
    first = _show(venue=ExtractedVenue(name="Hall"))
    second = _show(venue=ExtractedVenue(name="Hall", latitude=1.0, longitude=2.0, phone="123"))
    merged = merge_duplicate_performances([first, second])
    assert merged[0].venue == ExtractedVenue(name="Hall", latitude=1.0, longitude=2.0, phone="123")

    distinct = [_show(), _show(name="Other")]
    assert merge_duplicate_performances(distinct) is distinct


def test_opengraph_image_and_url_for_a_single_event_page() -> None:
    jsonld = json.dumps({"@type": "Event", "name": "Solo", "startDate": "2026-04-04"})
    head = (
        f'<script type="application/ld+json">{jsonld}</script>'
        '<meta property="og:image" content="/images/solo.jpg">'
        '<meta property="og:url" content="https://example.org/solo?utm_source=og&amp;fbclid=x&amp;s=1">'
    )
    performance = _only(extract_structured(_page("", head=head), url="https://example.org/events/solo"))

    assert performance.image_urls == ["https://example.org/images/solo.jpg"]
    assert performance.url == "https://example.org/solo?s=1"  # the one tracking policy (sourcing.urlnorm)


def test_opengraph_image_for_a_venue_page_but_not_over_an_entity_image() -> None:
    venue = json.dumps({"@type": "MusicVenue", "name": "The Hall"})
    head = f'<script type="application/ld+json">{venue}</script><meta property="og:image" content="https://example.org/hall.jpg">'
    result = extract_structured(_page("", head=head))
    assert [v.image_urls for v in result.venues] == [["https://example.org/hall.jpg"]]

    event = json.dumps(
        {"@type": "Event", "name": "Solo", "startDate": "2026-04-04", "image": "https://example.org/own.jpg"}
    )
    head = f'<script type="application/ld+json">{event}</script><meta property="og:image" content="https://example.org/og.jpg">'
    assert _only(extract_structured(_page("", head=head))).image_urls == ["https://example.org/own.jpg"]


# ---------------------------------------------------------------------------------------------
# Bad input


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\xff\xfe\x00garbage",
        "<html><body><div itemscope itemtype='http://schema.org/Event'><span itemprop='name'>x</span></div>",
        "<div itemscope itemtype='http://schema.org/Event' itemref='\"]\\'>x</div>",
        "<div typeof='Event'><span property='startDate'>not a date</span><span property='name'>N</span></div>",
        "{not json",
        "[]",
    ],
)
def test_bad_input_never_raises(body: bytes | str) -> None:
    result = extract_structured(body)

    assert result.performances == []


def test_deeply_nested_items_stay_cheap(monkeypatch: pytest.MonkeyPatch) -> None:
    nested = '<div itemprop="subEvent" itemscope itemtype="http://schema.org/Event">' * 3000
    body = _page(
        '<div itemscope itemtype="http://schema.org/Event"><span itemprop="name">Top</span>'
        '<meta itemprop="startDate" content="2026-01-01">' + nested + "</div>" * 3001
    )
    # Work is counted, never timed: properties given an owner, and events the mapper descends into.
    calls = {"_owners": 0, "_add_event": 0}

    def counting(module: object, name: str) -> None:
        real = getattr(module, name)

        def counted(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, counted)

    counting(microdata, "_owners")
    counting(schemaorg, "_add_event")
    result = extract_structured(body)

    assert [p.name for p in result.performances] == ["Top"]
    # The parser sees the page only to the budget's depth: one property per element kept, no more.
    assert calls["_owners"] <= DEFAULT_BUDGET.max_html_depth + 1
    assert (
        calls["_add_event"] <= schemaorg.MAX_DEPTH + 1
    )  # the subEvent chain is cut, not followed 3,000 deep
    assert result.warnings[0].startswith(f"{BUDGET_PREFIX}page nested deeper than")


def test_many_events_on_one_page() -> None:
    row = '<tr itemscope itemtype="http://schema.org/Event"><td itemprop="name">Show {n}</td><td><meta itemprop="startDate" content="2026-02-{d:02d}"></td></tr>'
    body = _page("<table>" + "".join(row.format(n=n, d=n % 28 + 1) for n in range(2000)) + "</table>")

    result = extract_structured(body)

    assert len(result.performances) == 2000
