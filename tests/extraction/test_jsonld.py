"""The JSON-LD adapter on real saved pages (tests/fixtures/web) and on inline malformed cases."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from extraction.adapters import lenient_json, schemaorg
from extraction.adapters.jsonld import (
    EXTRACTOR_NAME,
    EXTRACTOR_VERSION,
    extract_jsonld,
    find_jsonld_blocks,
)
from extraction.adapters.lenient_json import parse_lenient_json
from extraction.adapters.schemaorg_dates import load_zone, parse_datetime, parse_time
from extraction.schemas import Billing, EventStatus, ExtractionResult, TimePrecision
from sourcing.fetchrules import body_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "web"
RIPPER = FIXTURES / "calendar-ripper"
EXTRUCT = FIXTURES / "extruct"


def _extract_file(path: Path, **kwargs: str) -> ExtractionResult:
    return extract_jsonld(path.read_bytes(), **kwargs)


def _page(*blocks: str, head: str = "") -> str:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>\n' for block in blocks)
    return f"<!DOCTYPE html><html><head>{head}{scripts}</head><body><p>hi</p></body></html>"


def _event(**fields: object) -> str:
    return json.dumps({"@context": "https://schema.org", "@type": "Event", **fields}, ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Real pages


def test_extractor_identity() -> None:
    assert (EXTRACTOR_NAME, EXTRACTOR_VERSION) == ("jsonld", "1")


def test_cannonball_item_list_and_standalone_music_venue() -> None:
    result = _extract_file(
        RIPPER / "cannonball_arts__sample-data.html", url="https://cannonballarts.com/events"
    )

    assert [venue.name for venue in result.venues] == ["Cannonball Arts"]
    assert result.venues[0].website == "https://cannonballarts.com"
    first, second = result.performances
    assert first.name == "Cannonball Community Day"
    assert first.source_key == "https://cannonballarts.com/events/cannonball-community-day"
    # "2026-05-31T19:00:00.000Z": wall time as written, offset 0 (no zone given).
    assert (first.local_date, first.local_start_time) == (dt.date(2026, 5, 31), dt.time(19, 0))
    assert first.utc_offset_minutes == 0
    assert first.time_precision is TimePrecision.EXACT
    assert first.venue is not None
    assert first.venue.name == "Cannonball Arts"
    assert second.name == "Summer Open Studio"
    assert [url.url for url in result.discovered_urls] == [
        "https://cannonballarts.com/events/cannonball-community-day",
        "https://cannonballarts.com/events/summer-open-studio",
    ]
    assert result.warnings == []


def test_cannonball_utc_times_convert_with_default_timezone() -> None:
    result = _extract_file(
        RIPPER / "cannonball_arts__sample-data.html", default_timezone="America/Los_Angeles"
    )

    first = result.performances[0]
    assert (first.local_date, first.local_start_time) == (dt.date(2026, 5, 31), dt.time(12, 0))
    assert first.utc_offset_minutes == -420


def test_fremont_abbey_twelve_events_with_offers_and_addresses() -> None:
    result = _extract_file(RIPPER / "fremont_abbey__sample-data.html")

    assert len(result.performances) == 12
    assert result.venues == []
    assert result.artists == []
    volunteer = result.performances[0]
    assert volunteer.name == "Volunteer to support live music & arts in Seattle [2026 Events]"  # &amp;
    # "2026-01-23T17:30:00-0800": an offset without a colon.
    assert (volunteer.local_date, volunteer.local_start_time) == (dt.date(2026, 1, 23), dt.time(17, 30))
    assert volunteer.utc_offset_minutes == -480

    moth = result.performances[1]
    assert moth.name == "5/15 The Moth StorySLAM @ BLOEDEL HALL, ST. MARK'S Seattle"
    assert moth.local_start_time == dt.time(20, 0, 25)  # seconds as the source wrote them
    assert moth.utc_offset_minutes == -420
    assert moth.venue is not None
    assert moth.venue.name == "Bloedel Hall, St Mark's Cathedral"
    assert moth.venue.address is not None
    assert moth.venue.address.model_dump() == {
        "street": "1245 10th Ave E, Seattle, WA 98102, USA",
        "locality": "Seattle",
        "region": "WA",
        "postal_code": "98102",
        "country": "US",
    }
    # AggregateOffer first, then the distinct ticket offers (identical ticket types collapse).
    assert [(offer.price, offer.currency, offer.availability) for offer in moth.offers] == [
        (None, "USD", "instock"),
        (0.0, "USD", "instock"),
        (17.0, "USD", "instock"),
    ]
    assert moth.offers[1].url == "https://events.humanitix.com/5-15-26-the-moth-storyslam/tickets"
    assert moth.ticket_status == "instock"
    assert moth.image_urls == ["https://images.humanitix.com/i/3kSzwzfLSbQ0C6rsr8Fw@seo-500.jpg"]
    assert result.warnings == []


def test_hidden_hall_one_block_with_109_events() -> None:
    result = _extract_file(RIPPER / "hidden_hall__sample-data.html", default_timezone="America/Los_Angeles")

    assert len(result.performances) == 109
    first = result.performances[0]
    assert first.name == "Bonkonomics w/ Montlake Traffic, Wendy Darling"
    # Tixr writes UTC: 2026-02-20T03:30:00+00:00 is 19:30 on the 19th in Seattle.
    assert (first.local_date, first.local_start_time) == (dt.date(2026, 2, 19), dt.time(19, 30))
    assert first.utc_offset_minutes == -480
    assert first.venue is not None
    assert first.venue.name == "Nectar Lounge"
    assert first.venue.address is not None
    assert first.venue.address.locality == "Seattle"
    assert first.venue.address.street is None  # "" in the source
    assert first.performers == []  # "performer": "Organization" is a placeholder
    assert [(o.price, o.currency) for o in first.offers] == [(12.0, "USD")]
    assert first.description is not None
    assert first.description.startswith("2.19.26 Thursday (Funk/Jazz/Soul)\nNectar Presents:\nBonkonomics")
    assert {p.venue.name for p in result.performances if p.venue} == {"Nectar Lounge", "Hidden Hall"}
    assert result.warnings == []


def test_nectar_lounge_json_document_array() -> None:
    result = _extract_file(RIPPER / "nectar_lounge__sample-data.json")

    assert len(result.performances) == 116
    first, last = result.performances[0], result.performances[-1]
    assert first.name == "HIDDEN HONKY TONK: A Local Country Music Showcase"
    assert (first.local_date, first.local_start_time, first.utc_offset_minutes) == (
        dt.date(2026, 5, 14),
        dt.time(2, 0),
        0,
    )
    assert first.description is not None
    assert "Ramblin' Joey Roger" in first.description
    assert last.name == "ROBERT GLASPER (two shows!)"
    assert [(o.price, o.availability) for o in last.offers] == [(45.0, "instock")]
    assert len(result.discovered_urls) == 116


def test_royal_room_capitalised_keys_placeholders_and_naive_time() -> None:
    result = _extract_file(RIPPER / "royal_room__sample-event.html")

    (show,) = result.performances
    assert show.name == "Sh\u2019ma presents Meeting Worlds: Jazz, Folk, & Indian Classical"  # &#8217; &#038;
    # "2026-05-10 19:30:00": a space separator, no offset.
    assert (show.local_date, show.local_start_time) == (dt.date(2026, 5, 10), dt.time(19, 30))
    assert show.utc_offset_minutes is None
    assert show.time_precision is TimePrecision.EXACT
    assert show.status is EventStatus.SCHEDULED  # "EventScheduled" without the URL prefix
    assert show.venue is None  # "Location": {"name": "-"} is a placeholder
    assert show.performers == []  # "performer": ""
    assert show.description is not None
    assert show.description.startswith("Doors: 6:30pm")
    assert result.warnings == [
        "event 'Sh\u2019ma presents Meeting Worlds: Jazz, Folk, & Indian Classical' location: "
        "place without a usable name ('-'); venue skipped"
    ]


def test_emerald_city_comedy_blocks_arrays_and_place_events() -> None:
    result = _extract_file(RIPPER / "emerald_city_comedy__sample-events.html")

    assert [p.name for p in result.performances] == [
        "Daniel Tosh: Live at Emerald City",
        "Tig Notaro: Under A Rock",
        "Open Mic Night",
        "Cancelled Show",
        "Maria Bamford: Weakness Is the Brand",
        "Kyle Kinane: Trampoline",
        "Nate Bargatze: The Be Funny Tour",
    ]
    tosh, _, open_mic, cancelled, *_, kinane, _ = result.performances
    assert tosh.venue is not None
    assert tosh.venue.address is not None
    assert (tosh.venue.address.street, tosh.venue.address.postal_code) == ("210 Broadway E", "98102")
    assert open_mic.venue is not None
    assert open_mic.venue.address is not None
    assert open_mic.venue.address.street == "210 Broadway E, Seattle, WA 98102"  # a one-line address
    assert cancelled.status is EventStatus.CANCELLED
    # Events listed under a Place ("Events": [...]) happen there.
    assert kinane.venue is not None
    assert kinane.venue.name == "Emerald City Comedy Club"
    assert (kinane.local_date, kinane.local_start_time) == (dt.date(2026, 6, 12), dt.time(20, 0))
    assert [venue.name for venue in result.venues] == ["Emerald City Comedy Club"]
    assert result.warnings == []


def test_dogwood_events_without_dates_are_skipped_but_their_pages_discovered() -> None:
    result = _extract_file(RIPPER / "dogwoodplaypark__dogwood-2025-04-07.html")

    assert result.performances == []
    assert len(result.discovered_urls) == 7
    assert (
        result.discovered_urls[0].url == "https://www.dogwoodplaypark.com/event-details/small-dog-meet-up-38"
    )
    assert {url.kind for url in result.discovered_urls} == {"detail"}
    assert len(result.warnings) == 7
    assert result.warnings[0] == (
        "event 'Small Dog Meet Up' <https://www.dogwoodplaypark.com/event-details/small-dog-meet-up-38>: "
        "no startDate; skipped"
    )


def test_page_without_json_ld_is_empty() -> None:
    result = _extract_file(RIPPER / "el_corazon__sample-data.html")

    assert result.is_empty
    assert result.warnings == []
    assert result.discovered_urls == []


@pytest.mark.parametrize("number", ["001", "002", "003", "004", "008"])
def test_schema_org_microdata_examples_have_no_json_ld(number: str) -> None:
    result = _extract_file(EXTRUCT / f"schema.org__Event.{number}.html")

    assert result.performances == []
    assert result.warnings == []


def test_songkick_event_page_details() -> None:
    page = EXTRUCT / "songkick__Elysian_Fields_Brooklyn_Tickets_The_Owl_Music_Parlor_31_Oct_2015.html"
    (show,) = _extract_file(page).performances

    assert show.source_key == "http://www.songkick.com/concerts/25248299-elysian-fields-at-owl-music-parlor"
    assert (show.local_date, show.local_start_time, show.utc_offset_minutes) == (
        dt.date(2015, 10, 31),
        dt.time(19, 30),
        -240,
    )
    venue = show.venue
    assert venue is not None
    assert (venue.name, venue.latitude, venue.longitude) == ("The Owl Music Parlor", 40.660109, -73.953193)
    assert venue.website == "http://www.theowl.nyc"
    assert venue.address is not None
    assert venue.address.street == "497 Rogers Ave"
    (performer,) = show.performers
    assert (performer.artist.name, performer.artist.type, performer.order) == ("Elysian Fields", "group", 0)
    assert performer.billing is None
    assert performer.artist.external_ids == {"songkick": "236156"}


def test_songkick_gigography_festival_and_performer_order() -> None:
    result = _extract_file(EXTRUCT / "songkick__Maximo_Park_Gigography_Tour_History_Past_Concerts.html")

    festival = result.performances[0]
    assert festival.name == "BBC Radio 6 Music Festival 2015"
    assert festival.time_precision is TimePrecision.DATE
    assert festival.local_start_time is None
    assert [p.artist.name for p in festival.performers][:3] == ["Interpol", "Hot Chip", "Mogwai"]
    assert [p.order for p in festival.performers] == list(range(44))
    assert festival.venue is not None
    assert festival.venue.address is not None
    assert festival.venue.address.country == "GB"  # Songkick writes "UK"
    assert result.artists == []  # performers are not listed again


def test_songkick_artist_page_lists_the_main_music_group() -> None:
    result = _extract_file(EXTRUCT / "songkick__Years_Years_Tickets_Tour_Dates_2015_Concerts.html")

    (artist,) = result.artists
    assert (artist.name, artist.type) == ("Years & Years", "group")
    assert artist.source_key == "http://www.songkick.com/artists/3976856-years-and-years"  # utm_* dropped
    assert artist.external_ids == {"songkick": "3976856"}
    assert len(result.performances) == 13


def _expected_events(path: Path) -> list[dict[str, object]]:
    """MusicEvents in extruct's expected output (a list of blocks, {"items": ...} or {"json-ld": ...})."""
    data = json.loads(path.read_text())
    if isinstance(data, dict):
        data = data.get("json-ld", data.get("items"))
    events: list[dict[str, object]] = []

    def walk(value: object) -> None:
        if isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            if value.get("@type") == "MusicEvent":
                events.append(value)
            else:
                for item in value.values():
                    walk(item)

    walk(data)
    return events


def _clean(text: object) -> str:
    return " ".join(html.unescape(str(text)).split())


@pytest.mark.parametrize(
    ("page", "expected"),
    [
        (
            "songkick__Elysian_Fields_Brooklyn_Tickets_The_Owl_Music_Parlor_31_Oct_2015.html",
            "songkick__Elysian_Fields_Brooklyn_Tickets_The_Owl_Music_Parlor_31_Oct_2015.jsonld",
        ),
        (
            "songkick__Maximo_Park_Gigography_Tour_History_Past_Concerts.html",
            "songkick__Maximo_Park_Gigography_Tour_History_Past_Concerts.jsonld",
        ),
        (
            "songkick__Years_Years_Tickets_Tour_Dates_2015_Concerts.html",
            "songkick__Years_Years_Tickets_Tour_Dates_2015_Concerts.jsonld",
        ),
        ("songkick__elysianfields.html", "songkick__elysianfields.json"),
        ("songkick__tovestyrke.html", "songkick__tovestyrke.json"),
    ],
)
def test_songkick_pages_match_extruct_expected_output(page: str, expected: str) -> None:
    result = _extract_file(EXTRUCT / page)
    events = _expected_events(EXTRUCT / expected)

    assert len(result.performances) == len(events) > 0
    for performance, event in zip(result.performances, events, strict=True):
        start = str(event["startDate"])
        location = event["location"]
        assert isinstance(location, dict)
        performers = event.get("performer") or []
        assert isinstance(performers, list)
        assert performance.name == _clean(event["name"])
        assert performance.local_date.isoformat() == start[:10]
        expected_time = start[11:19] if len(start) > 10 else None
        actual_time = performance.local_start_time.isoformat() if performance.local_start_time else None
        assert actual_time == expected_time
        assert performance.venue is not None
        assert performance.venue.name == _clean(location["name"])
        expected_names = list(dict.fromkeys(_clean(p["name"]) for p in performers))
        assert [p.artist.name for p in performance.performers] == expected_names
    assert result.warnings == []


# ---------------------------------------------------------------------------------------------
# Synthetic pages: structure


def test_graph_with_id_references_and_no_duplicates() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "MusicVenue", "@id": "#venue", "name": "The Crocodile", "telephone": "+1 206 441 4618",
             "sameAs": ["https://www.instagram.com/thecrocodile", "https://musicbrainz.org/place/"
                        "2a8a1f3b-9a84-4f0b-a0a8-2f0c8d0b3e01"],
             "maximumAttendeeCapacity": "750", "geo": {"@type": "GeoCoordinates", "latitude": "47.6134",
                                                    "longitude": "-122.3466"}},
            {"@type": ["Event", "MusicEvent"], "@id": "#e1", "name": "Rock &amp; Roll Night",
             "startDate": "2026-05-02T20:00:00-07:00", "location": {"@id": "#venue"},
             "performer": [{"@type": "MusicGroup", "name": "Band A", "@id": "https://ex.org/artists/a"},
                           "Band B", {"@type": "Person", "name": "DJ C", "url": "/djs/c"}]},
            {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": {"@id": "#e1"}}]},
            {"@type": "Person", "name": "Article Author"},
        ],
    }  # fmt: skip
    result = extract_jsonld(_page(json.dumps(graph)), url="https://ex.org/calendar")

    (show,) = result.performances  # the ItemList reference is the same event
    assert show.name == "Rock & Roll Night"
    assert show.source_key == "https://ex.org/calendar#e1"
    assert show.venue is not None
    assert show.venue.name == "The Crocodile"
    assert [(p.artist.name, p.artist.type, p.order) for p in show.performers] == [
        ("Band A", "group", 0),
        ("Band B", None, 1),
        ("DJ C", "person", 2),
    ]
    assert show.performers[0].artist.source_key == "https://ex.org/artists/a"
    assert show.performers[2].artist.url == "https://ex.org/djs/c"
    (venue,) = result.venues
    assert venue.source_key == "https://ex.org/calendar#venue"
    assert (venue.latitude, venue.longitude, venue.capacity) == (47.6134, -122.3466, 750)
    assert venue.phone == "+1 206 441 4618"
    assert venue.socials == ["https://www.instagram.com/thecrocodile"]
    assert venue.external_ids == {"musicbrainz": "2a8a1f3b-9a84-4f0b-a0a8-2f0c8d0b3e01"}
    assert result.artists == []  # a Person in @graph is an author, not the page's subject
    assert result.warnings == []


@pytest.mark.parametrize(
    "type_value",
    ["MusicEvent", "ComedyEvent", "TheaterEvent", "Festival", "http://schema.org/MusicEvent",
     ["Thing", "DanceEvent"]],
)  # fmt: skip
def test_event_types(type_value: object) -> None:
    block = json.dumps({"@type": type_value, "name": "X", "startDate": "2026-01-02"})

    assert [p.name for p in extract_jsonld(_page(block)).performances] == ["X"]


def test_festival_sub_events_inherit_the_location() -> None:
    festival = _event(
        name="Fest",
        startDate="2026-07-01",
        location={"@type": "Place", "name": "Big Field"},
        subEvent=[
            {"@type": "MusicEvent", "name": "Main stage: A", "startDate": "2026-07-01T18:00"},
            {"@type": "MusicEvent", "name": "Side stage: B", "startDate": "2026-07-02T18:00",
             "location": {"@type": "Place", "name": "Tent"}},
        ],
    )  # fmt: skip
    result = extract_jsonld(_page(festival))

    assert [(p.name, p.venue.name if p.venue else None) for p in result.performances] == [
        ("Fest", "Big Field"),
        ("Main stage: A", "Big Field"),
        ("Side stage: B", "Tent"),
    ]


def test_standalone_person_is_an_artist_only_as_main_entity() -> None:
    person = json.dumps({"@type": "Person", "name": "Solo Singer", "genre": ["Folk", "Rock &amp; Roll"],
                         "sameAs": ["https://www.wikidata.org/wiki/Q42", "https://solosinger.bandcamp.com/"],
                         "image": {"@type": "ImageObject", "url": "/img/solo.jpg"}})  # fmt: skip
    page = json.dumps({"@type": "ProfilePage", "mainEntity": {"@type": "MusicGroup", "name": "The Group"}})
    result = extract_jsonld(_page(person, page), url="https://ex.org/a/")

    assert [(a.name, a.type) for a in result.artists] == [("Solo Singer", "person"), ("The Group", "group")]
    solo = result.artists[0]
    assert solo.genres == ["Folk", "Rock & Roll"]
    assert solo.external_ids == {"wikidata": "Q42", "bandcamp": "https://solosinger.bandcamp.com/"}
    assert solo.image_urls == ["https://ex.org/img/solo.jpg"]


def test_artist_page_tour_dates_default_to_the_artist() -> None:
    group = {"@type": "MusicGroup", "name": "Touring Band", "url": "https://band.example/",
             "event": [{"@type": "MusicEvent", "name": "Touring Band live", "startDate": "2026-09-01",
                        "location": "Paradiso"},
                       {"@type": "MusicEvent", "name": "Split bill", "startDate": "2026-09-02",
                        "performer": ["Other Band", "Touring Band"]}]}  # fmt: skip
    result = extract_jsonld(_page(json.dumps(group)))

    assert [a.name for a in result.artists] == ["Touring Band"]
    live, split = result.performances
    assert [(p.artist.name, p.artist.url, p.order) for p in live.performers] == [
        ("Touring Band", "https://band.example/", 0)
    ]
    assert live.venue is not None
    assert live.venue.name == "Paradiso"
    assert [p.artist.name for p in split.performers] == ["Other Band", "Touring Band"]


def test_bare_list_items_are_discovered_detail_pages_but_breadcrumbs_are_not() -> None:
    item_list = {
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "url": "/events/1"},
            {"@type": "ListItem", "position": 2, "item": "https://ex.org/events/2"},
        ],
    }
    crumbs = {"@type": "BreadcrumbList", "itemListElement": [
        {"@type": "ListItem", "position": 1, "item": "https://ex.org/"}]}  # fmt: skip
    result = extract_jsonld(_page(json.dumps(item_list), json.dumps(crumbs)), url="https://ex.org/events")

    assert [(u.url, u.kind) for u in result.discovered_urls] == [
        ("https://ex.org/events/1", "detail"),
        ("https://ex.org/events/2", "detail"),
    ]


def test_script_type_is_matched_case_insensitively_with_parameters() -> None:
    body = (
        '<html><head><SCRIPT TYPE="Application/LD+JSON; charset=utf-8">'
        + _event(name="Loud", startDate="2026-03-04")
        + '</SCRIPT><script type="application/json">{"@type": "Event"}</script></head></html>'
    )

    assert find_jsonld_blocks(body) == [_event(name="Loud", startDate="2026-03-04")]
    assert [p.name for p in extract_jsonld(body).performances] == ["Loud"]


def test_base_href_resolves_relative_urls() -> None:
    body = _page(
        _event(name="Rel", startDate="2026-03-04", url="shows/rel", image=["a.jpg", {"url": "/b.png"}]),
        head='<base href="https://cdn.ex.org/site/">',
    )
    (show,) = extract_jsonld(body, url="https://ex.org/page").performances

    assert show.url == "https://cdn.ex.org/site/shows/rel"
    assert show.image_urls == ["https://cdn.ex.org/site/a.jpg", "https://cdn.ex.org/b.png"]


# ---------------------------------------------------------------------------------------------
# Synthetic pages: fields


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("https://schema.org/EventScheduled", EventStatus.SCHEDULED),
        ("http://schema.org/EventPostponed", EventStatus.POSTPONED),
        ("EventRescheduled", EventStatus.RESCHEDULED),
        ("schema:EventCancelled", EventStatus.CANCELLED),
        ("https://schema.org/EventMovedOnline", EventStatus.MOVED_ONLINE),
        (None, EventStatus.SCHEDULED),
    ],
)
def test_event_status(status: str | None, expected: EventStatus) -> None:
    (show,) = extract_jsonld(_page(_event(name="S", startDate="2026-01-01", eventStatus=status))).performances

    assert show.status is expected


def test_unknown_event_status_warns() -> None:
    result = extract_jsonld(_page(_event(name="S", startDate="2026-01-01", eventStatus="EventOnFire")))

    assert result.performances[0].status is EventStatus.SCHEDULED
    assert result.warnings == ["event 'S': unknown eventStatus 'EventOnFire'; taken as scheduled"]


@pytest.mark.parametrize(
    ("previous", "expected"),
    [
        ("2026-03-01T20:00:00-08:00", [dt.date(2026, 3, 1)]),
        (["2026-02-01", "2026-03-01T20:00"], [dt.date(2026, 2, 1), dt.date(2026, 3, 1)]),
        (None, []),
    ],
)
def test_previous_start_dates(previous: object, expected: list[dt.date]) -> None:
    block = _event(
        name="R", startDate="2026-04-01", eventStatus="EventRescheduled", previousStartDate=previous
    )

    assert extract_jsonld(_page(block)).performances[0].previous_local_dates == expected


@pytest.mark.parametrize(
    ("door_time", "expected"),
    [
        ("2026-04-01T19:00:00-07:00", dt.time(19, 0)),
        ("19:30", dt.time(19, 30)),
        ("T18:45:00", dt.time(18, 45)),
        ("7:30 PM", dt.time(19, 30)),
        ("7pm", dt.time(19, 0)),
        (None, None),
    ],
)
def test_door_time(door_time: str | None, expected: dt.time | None) -> None:
    block = _event(name="D", startDate="2026-04-01T20:00:00-07:00", doorTime=door_time)

    assert extract_jsonld(_page(block)).performances[0].local_doors_time == expected


def test_offers_variants() -> None:
    offers = [
        {"@type": "AggregateOffer", "lowPrice": "15", "highPrice": 40.5, "priceCurrency": "usd",
         "offers": [{"@type": "Offer", "price": "$20.50", "availability": "http://schema.org/SoldOut"}]},
        {"@type": "Offer", "price": "Free", "priceCurrency": "$", "url": "/tickets"},
        {"@type": "Offer", "priceSpecification": {"price": "1.234,50", "priceCurrency": "EUR"}},
        {"@type": "Offer", "price": "-5"},
        {"@type": "AggregateOffer"},
    ]  # fmt: skip
    (show,) = extract_jsonld(
        _page(_event(name="O", startDate="2026-01-01", offers=offers)), url="https://ex.org/"
    ).performances

    assert [o.model_dump(exclude_none=True) for o in show.offers] == [
        {"min_price": 15.0, "max_price": 40.5, "currency": "USD"},
        {"price": 20.5, "availability": "soldout"},
        {"price": 0.0, "url": "https://ex.org/tickets"},  # "$" is not an ISO code
        {"price": 1234.5, "currency": "EUR"},
    ]
    assert show.ticket_status == "soldout"


def test_single_offer_object() -> None:
    offer = {
        "@type": "Offer",
        "price": 25,
        "priceCurrency": "GBP",
        "availability": "https://schema.org/InStock",
    }
    (show,) = extract_jsonld(_page(_event(name="O", startDate="2026-01-01", offers=offer))).performances

    assert [(o.price, o.currency, o.availability) for o in show.offers] == [(25.0, "GBP", "instock")]


@pytest.mark.parametrize(
    ("location", "expected_name"),
    [
        ("The Tractor Tavern", "The Tractor Tavern"),
        ({"@type": "MusicVenue", "name": " Neumos "}, "Neumos"),
        ({"@type": "NightClub", "name": "Kremwerk"}, "Kremwerk"),
        ([{"@type": "VirtualLocation", "url": "https://stream"}, {"@type": "Place", "name": "Hall"}], "Hall"),
        ({"@type": "VirtualLocation", "url": "https://stream.ex.org"}, None),
        ({"@type": "Place", "name": ""}, None),
    ],
)
def test_location_shapes(location: object, expected_name: str | None) -> None:
    (show,) = extract_jsonld(_page(_event(name="L", startDate="2026-01-01", location=location))).performances

    assert (show.venue.name if show.venue else None) == expected_name


def test_address_country_object_and_string_geo() -> None:
    location = {
        "@type": "Place", "name": "Paradiso",
        "address": {"@type": "PostalAddress", "streetAddress": ["Weteringschans 6-8", "Centrum"],
                    "addressLocality": "Amsterdam", "postalCode": 1017,
                    "addressCountry": {"@type": "Country", "name": "nl"}},
        "geo": {"@type": "GeoCoordinates", "latitude": "52.3622", "longitude": "4.8838"},
    }  # fmt: skip
    venue = (
        extract_jsonld(_page(_event(name="P", startDate="2026-01-01", location=location)))
        .performances[0]
        .venue
    )

    assert venue is not None
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "Weteringschans 6-8, Centrum",
        "locality": "Amsterdam",
        "region": None,
        "postal_code": "1017",
        "country": "NL",
    }
    assert (venue.latitude, venue.longitude) == (52.3622, 4.8838)


@pytest.mark.parametrize(
    ("geo", "warning"),
    [
        ({"latitude": 200, "longitude": 10}, "coordinates 200.0,10.0 out of range; dropped"),
        ({"latitude": 0, "longitude": 0}, "coordinates 0,0 look like a placeholder; dropped"),
    ],
)
def test_bad_coordinates_drop_only_the_coordinates(geo: dict[str, int], warning: str) -> None:
    location = {"@type": "Place", "name": "Far Away", "geo": geo}
    result = extract_jsonld(_page(_event(name="G", startDate="2026-01-01", location=location)))

    venue = result.performances[0].venue
    assert venue is not None
    assert venue.name == "Far Away"
    assert (venue.latitude, venue.longitude) == (None, None)
    assert result.warnings == [f"event 'G' location 'Far Away': {warning}"]


def test_a_field_failing_validation_is_dropped_not_the_venue() -> None:
    place = json.dumps({"@type": "MusicVenue", "name": "Negative Room", "maximumAttendeeCapacity": -5})
    result = extract_jsonld(_page(place))

    (venue,) = result.venues
    assert venue.name == "Negative Room"
    assert venue.capacity is None
    assert result.warnings == [
        "venue 'Negative Room': invalid capacity (Input should be greater than or equal to 0); dropped"
    ]


def test_performer_roles_give_billing() -> None:
    top, opener = {"@type": "MusicGroup", "name": "Top"}, {"@type": "MusicGroup", "name": "Opener"}
    performers = [
        {"@type": "PerformanceRole", "roleName": "Headliner", "performer": top},
        {"@type": "PerformanceRole", "roleName": "support", "performer": opener},
        {"@type": "MusicGroup", "name": "Unbilled"},
        {"@type": "MusicGroup", "name": "top"},  # listed twice
        {"@type": "MusicGroup", "name": "   "},
    ]  # fmt: skip
    result = extract_jsonld(_page(_event(name="B", startDate="2026-01-01", performer=performers)))

    assert [(p.artist.name, p.billing, p.order) for p in result.performances[0].performers] == [
        ("Top", Billing.HEADLINER, 0),
        ("Opener", Billing.SUPPORT, 1),
        ("Unbilled", None, 2),
    ]
    assert result.warnings == ["event 'B' performer: performer without a usable name; skipped"]


def test_same_as_external_ids_and_event_source_keys() -> None:
    block = _event(
        name="Ids",
        startDate="2026-01-01",
        sameAs=["https://www.songkick.com/concerts/123-x?utm_source=a", "https://example.com/elsewhere"],
        url="https://ex.org/e/ids?utm_medium=b&id=7&flag&UTM_Term=c&fbclid=d",
    )
    (show,) = extract_jsonld(_page(block)).performances

    assert show.external_ids == {"songkick": "123"}
    # Tracking parameters go by sourcing.urlnorm's policy; the rest stays as written.
    assert show.url == show.source_key == "https://ex.org/e/ids?id=7&flag"


def test_blank_node_ids_are_not_source_keys() -> None:
    (show,) = extract_jsonld(
        _page(_event(**{"@id": "_:b0", "name": "Blank", "startDate": "2026-01-01"}))
    ).performances

    assert show.source_key is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Rock &amp; Roll", "Rock & Roll"),
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
        ("  Spaced \n\t Out  ", "Spaced Out"),
        ("<b>Bold</b> Name", "Bold Name"),
        ("Caf&eacute; &#8216;Live&#8217;", "Caf\u00e9 \u2018Live\u2019"),
        ("AT&T Park?a=1&not=2", "AT&T Park?a=1&not=2"),
    ],
)
def test_names_are_unescaped_and_trimmed(name: str, expected: str) -> None:
    (show,) = extract_jsonld(_page(_event(name=name, startDate="2026-01-01"))).performances

    assert show.name == expected


@pytest.mark.parametrize("name", ["", "   ", "-", None])
def test_event_without_a_name_is_skipped_with_a_warning(name: str | None) -> None:
    result = extract_jsonld(_page(_event(name=name, startDate="2026-01-01", url="https://ex.org/e/1")))

    assert result.performances == []
    assert result.warnings == ["event 'https://ex.org/e/1': no name; skipped"]


def test_unparseable_start_date_skips_the_event() -> None:
    result = extract_jsonld(
        _page(_event(name="When?", startDate="next Friday"), _event(name="Ok", startDate="2026-01-01"))
    )

    assert [p.name for p in result.performances] == ["Ok"]
    assert result.warnings == ["event 'When?': unparseable startDate 'next Friday'; skipped"]


def test_unknown_default_timezone_warns_and_keeps_utc() -> None:
    result = extract_jsonld(
        _page(_event(name="Z", startDate="2026-01-01T03:00:00Z")), default_timezone="Mars/Base"
    )

    show = result.performances[0]
    assert (show.local_date, show.local_start_time, show.utc_offset_minutes) == (
        dt.date(2026, 1, 1),
        dt.time(3),
        0,
    )
    assert result.warnings == ["unknown default_timezone 'Mars/Base'; UTC times kept as written"]


# ---------------------------------------------------------------------------------------------
# Malformed JSON-LD

_GOOD = '{"@type": "Event", "name": "Good", "startDate": "2026-01-01"}'


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "Event", "name": "Good", "startDate": "2026-01-01",}',
        '[{"@type": "Event", "name": "Good", "startDate": "2026-01-01"},]',
        '{"@type": "Event", "name": "Go\nod", "startDate": "2026-01-01"}'.replace("Go\nod", "Good\t"),
        '{"@type": "Event", "name": "Good\n", "startDate": "2026-01-01"}',
        f"<!-- {_GOOD} -->",
        f"/* generated */ {_GOOD} // end",
        '{\n  // the event\n  "@type": "Event", /* inline */ "name": "Good",\n  "startDate": "2026-01-01"\n}',
        f"//<![CDATA[\n{_GOOD}\n//]]>",
        f"<![CDATA[{_GOOD}]]>",
        '{"@type": "Event", "name": "Good", "startDate": "2026-01-01", "description": "It\\\'s"}',
        json.dumps(_GOOD),  # JSON-encoded twice
    ],
)
def test_lenient_json_repairs(block: str) -> None:
    result = extract_jsonld(_page(block))

    assert [p.name for p in result.performances] == ["Good"]
    assert result.warnings == []


def test_concatenated_objects_in_one_script_are_all_read() -> None:
    block = _GOOD + "\n" + _GOOD.replace("Good", "Also good") + ";" + _GOOD.replace("Good", "Third")

    assert [p.name for p in extract_jsonld(_page(block)).performances] == ["Good", "Also good", "Third"]


def test_unrecoverable_block_warns_with_position_and_others_still_extract() -> None:
    broken = '\n{\n  "@type": "Event",\n  "name": "Broken"\n  "startDate": "2026-01-01"\n}'
    result = extract_jsonld(
        _page(_GOOD, _GOOD.replace("Good", "Second"), broken, _GOOD.replace("Good", "Fourth"))
    )

    assert [p.name for p in result.performances] == ["Good", "Second", "Fourth"]
    assert result.warnings == ["JSON-LD block 3: invalid JSON at line 5 column 3: Expecting ',' delimiter"]


def test_valid_object_followed_by_garbage_keeps_the_object() -> None:
    value, problems = parse_lenient_json(_GOOD + " }} oops")

    assert isinstance(value, dict)
    assert value["name"] == "Good"
    assert problems == [f"invalid JSON at line 1 column {len(_GOOD) + 2}: Expecting value"]  # the first "}"


def test_parse_lenient_json_fast_path_and_empty() -> None:
    assert parse_lenient_json('{"a": [1, 2]}') == ({"a": [1, 2]}, [])
    assert parse_lenient_json("   ") == (None, [])


@pytest.mark.parametrize(
    "garbage",
    [
        "[" * 1_000_000,
        '"' + "\\" * 999_999,
        "/*" * 500_000,
        "{}" * 500_000,
        "".join(random.Random(7).choices('{}[]",:/*\\ \nabc01<!-->', k=1_000_000)),
    ],
    ids=["deep", "unterminated-string", "comments", "many-values", "random"],
)
def test_one_megabyte_garbage_block_is_bounded(garbage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Bounded work, counted rather than timed: JSON values decoded and nodes visited stay under caps.
    decoded = []
    visits = []

    class CountingDecoder(json.JSONDecoder):
        def raw_decode(self, s: str, idx: int = 0) -> tuple[object, int]:
            decoded.append(idx)
            return super().raw_decode(s, idx)

    real_visit = schemaorg._visit

    def counting_visit(*args: object, **kwargs: object) -> None:
        visits.append(1)
        real_visit(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(json, "JSONDecoder", CountingDecoder)  # the module lenient_json decodes with
    monkeypatch.setattr(schemaorg, "_visit", counting_visit)
    result = extract_jsonld(_page(garbage, _GOOD))

    assert [p.name for p in result.performances] == ["Good"]
    assert len(decoded) <= lenient_json.MAX_VALUES_PER_BLOCK + 2  # the strict attempt, then the capped ones
    assert len(visits) <= schemaorg.MAX_NODE_VISITS + 1
    assert all(not warning.startswith("jsonld: unexpected") for warning in result.warnings)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        random.Random(1).randbytes(200_000),
        b"\xff\xfe\x00<html><script type='application/ld+json'>\x00\x01{",
        b"<html><head><script type='application/ld+json'>" + b"\xc3\x28" * 10,
        '<p>unclosed <script type=\'application/ld+json\'>{"@type": "Event"',
        b"\x00" * 1000 + b"ld+json",
        "{not json at all",
        "[1, 2, 3]",
    ],
    ids=[
        "empty",
        "random-bytes",
        "utf16-bom-garbage",
        "bad-utf8",
        "unclosed",
        "nuls",
        "json-ish",
        "json-numbers",
    ],
)
def test_bad_input_never_raises(body: bytes | str) -> None:
    result = extract_jsonld(body)

    assert result.performances == []
    assert all(not warning.startswith("jsonld: unexpected") for warning in result.warnings)


def test_absurd_numbers_are_dropped_not_fatal() -> None:
    huge = "1" + "0" * 400
    block = (
        '{"@type": "Event", "name": "Big", "startDate": "2026-01-01", "offers": {"price": 1e999}, '
        f'"location": {{"name": "X", "geo": {{"latitude": {huge}, "longitude": 5}}}}}}'
    )
    digits = '{"@type": "Event", "name": "Long", "startDate": "2026-01-01", "x": ' + "9" * 5000 + "}"
    result = extract_jsonld(_page(block, digits))

    (show,) = result.performances
    assert show.offers == []
    assert show.venue is not None
    assert (show.venue.name, show.venue.latitude) == ("X", None)
    assert len(result.warnings) == 1
    assert result.warnings[0].startswith("JSON-LD block 2: invalid JSON: Exceeds the limit")


def test_meta_charset_is_honoured() -> None:
    page = _page(_event(name="Caf\u00e9 Nights", startDate="2026-01-01"), head='<meta charset="iso-8859-1">')
    body = page.encode("latin-1")

    assert body_text(body).count("Caf\u00e9") == 1
    assert [p.name for p in extract_jsonld(body).performances] == ["Caf\u00e9 Nights"]


def test_bytes_that_are_not_utf8_are_windows_1252_not_fatal() -> None:
    body = (
        _page(_event(name="Caf\u00e9", startDate="2026-01-01", description="x"))
        .encode()
        .replace(b'"x"', b'"\xff\xfe\x81"')
    )

    (show,) = extract_jsonld(body).performances
    assert (show.name, show.description) == ("Caf\u00e9", "\xff\xfe\x81")  # "\xfe" is "þ" in windows-1252


def test_warnings_are_capped() -> None:
    events = [{"@type": "Event", "name": f"E{i}", "startDate": "soon"} for i in range(500)]
    result = extract_jsonld(_page(json.dumps(events)))

    assert len(result.warnings) == 101
    assert result.warnings[-1] == "further warnings suppressed"


def test_pure_cores_do_not_import_django() -> None:
    code = (
        "import importlib, pkgutil, sys, extraction.adapters as adapters\n"
        "for module in pkgutil.iter_modules(adapters.__path__):\n"
        "    importlib.import_module(f'extraction.adapters.{module.name}')\n"
        "import extraction.router, sourcing.fetchrules, sourcing.urlnorm\n"
        "assert len(sys.modules) > 100 and not any(m.startswith('django') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


# ---------------------------------------------------------------------------------------------
# schema.org dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2015-10-31T19:00:00-04:00", (dt.date(2015, 10, 31), dt.time(19, 0), -240, TimePrecision.EXACT)),
        ("2015-10-31T19:30:00-0400", (dt.date(2015, 10, 31), dt.time(19, 30), -240, TimePrecision.EXACT)),
        ("2026-05-31T19:00:00.000Z", (dt.date(2026, 5, 31), dt.time(19, 0), 0, TimePrecision.EXACT)),
        ("2026-05-31T19:00:00+05:30", (dt.date(2026, 5, 31), dt.time(19, 0), 330, TimePrecision.EXACT)),
        ("2015-10-31", (dt.date(2015, 10, 31), None, None, TimePrecision.DATE)),
        ("2015-10-31+01:00", (dt.date(2015, 10, 31), None, None, TimePrecision.DATE)),
        ("2026-02-11T00:00", (dt.date(2026, 2, 11), None, None, TimePrecision.DATE)),  # placeholder midnight
        ("2026-02-11T00:00:00", (dt.date(2026, 2, 11), None, None, TimePrecision.DATE)),
        ("2026-02-11T00:00:00Z", (dt.date(2026, 2, 11), dt.time(0, 0), 0, TimePrecision.EXACT)),
        ("2026-02-11T00:00:00-08:00", (dt.date(2026, 2, 11), dt.time(0, 0), -480, TimePrecision.EXACT)),
        ("2026-05-10 19:30:00", (dt.date(2026, 5, 10), dt.time(19, 30), None, TimePrecision.EXACT)),
        (" 2026-05-10T9:05 ", (dt.date(2026, 5, 10), dt.time(9, 5), None, TimePrecision.EXACT)),
    ],
)
def test_parse_datetime(value: str, expected: tuple[object, ...]) -> None:
    parsed = parse_datetime(value)

    assert parsed is not None
    assert (parsed.local_date, parsed.local_time, parsed.utc_offset_minutes, parsed.precision) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-07-04T03:00:00Z", (dt.date(2026, 7, 3), dt.time(20, 0), -420)),  # summer: PDT
        ("2026-01-04T03:00:00+00:00", (dt.date(2026, 1, 3), dt.time(19, 0), -480)),  # winter: PST
        ("2026-07-04T20:00:00-04:00", (dt.date(2026, 7, 4), dt.time(20, 0), -240)),  # non-zero: as written
        ("2026-07-04T20:00:00", (dt.date(2026, 7, 4), dt.time(20, 0), None)),  # naive: no offset invented
    ],
)
def test_parse_datetime_with_zone(value: str, expected: tuple[object, ...]) -> None:
    parsed = parse_datetime(value, zone=load_zone("America/Los_Angeles"))

    assert parsed is not None
    assert (parsed.local_date, parsed.local_time, parsed.utc_offset_minutes) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "next Friday",
        "2026-13-01",
        "2026-02-30",
        "2026-01-01T24:00",
        "2026-01-01T19:00+99:00",
        "10/05/2026",
    ],
)
def test_parse_datetime_rejects(value: str) -> None:
    assert parse_datetime(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("19:30", dt.time(19, 30)), ("12 am", dt.time(0, 0)), ("12:15 p.m.", dt.time(12, 15)), ("13 pm", None),
     ("19", None), ("doors", None)],
)  # fmt: skip
def test_parse_time(value: str, expected: dt.time | None) -> None:
    assert parse_time(value) == expected


def test_load_zone() -> None:
    assert load_zone("Europe/London") is not None
    assert load_zone("Nowhere/Land") is None
    assert load_zone(None) is None


def test_the_c_parser_reads_every_value_as_json_does() -> None:
    # parse_lenient_json tries orjson first: what it accepts must be what json (strict=False) reads.
    rng = random.Random(11)
    atoms = [
        "0", "-0", "1e400", "-1.5E-3", "12345678901234567890123", "1.0000000000000002", "NaN", "Infinity",
        '"a"', '"\\u00e9\\ud83c\\udfb8"', '"\\ud800"', '"tab\there"', '"nul\\u0000"', "true", "null", '"é"',
        '"\\/"', "3.14159265358979323846",
    ]  # fmt: skip

    def value(depth: int) -> str:
        roll = rng.random()
        if depth > 3 or roll < 0.5:
            return rng.choice(atoms)
        if roll < 0.75:
            return "[" + ", ".join(value(depth + 1) for _ in range(rng.randint(0, 4))) + "]"
        keys = [rng.choice(['"k"', '"name"', '"@id"', '"k"']) for _ in range(rng.randint(0, 4))]
        return "{" + ", ".join(f"{k}: {value(depth + 1)}" for k in keys) + "}"

    for _ in range(3000):
        text = value(0)
        try:
            expected = json.loads(text, strict=False)
        except ValueError:
            continue
        parsed, problems = parse_lenient_json(text)
        assert problems == []
        try:  # where orjson reads the text, its one difference applies
            orjson.loads(text)
            expected = _big_ints_as_floats(expected)
        except orjson.JSONDecodeError:
            pass
        assert json.dumps(parsed) == json.dumps(expected), text


def _big_ints_as_floats(value: object) -> object:
    """json's reading with orjson's one difference: integers beyond 64 bits as floats."""
    if isinstance(value, list):
        return [_big_ints_as_floats(item) for item in value]
    if isinstance(value, dict):
        return {key: _big_ints_as_floats(item) for key, item in value.items()}
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**64:
        return float(value)
    return value
