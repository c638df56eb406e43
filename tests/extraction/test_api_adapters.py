"""The Bandsintown and DICE API adapters on real saved responses (tests/fixtures/apis) and on
inline malformed cases."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extraction.adapters import apijson, bandsintown, dice
from extraction.adapters.bandsintown import extract_bandsintown
from extraction.adapters.dice import extract_dice
from extraction.schemas import (
    Billing,
    EventStatus,
    ExtractedArtist,
    ExtractedPerformance,
    ExtractionResult,
    TimePrecision,
)

ROOT = Path(__file__).resolve().parents[2]
APIS = ROOT / "tests" / "fixtures" / "apis"
BANDSINTOWN_EXCERPT = APIS / "bandsintown_artist_events_excerpt.json"
DICE_SUNSET = APIS / "dice_sunset_tavern_events.json"
DICE_VERA = APIS / "dice_vera_project_events_excerpt.json"
DEMO_BANDSINTOWN = ROOT / "demo" / "web" / "bandsintown" / "artists"


def _performance(result: ExtractionResult, source_key: str) -> ExtractedPerformance:
    matches = [p for p in result.performances if p.source_key == source_key]
    assert len(matches) == 1, source_key
    return matches[0]


def _bandsintown_excerpt() -> dict[str, list[dict[str, Any]]]:
    data: dict[str, list[dict[str, Any]]] = json.loads(BANDSINTOWN_EXCERPT.read_text(encoding="utf-8"))
    return data


def _dice_sunset_events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads(DICE_SUNSET.read_text(encoding="utf-8"))["data"]
    return events


# ---------------------------------------------------------------------------------------------
# Bandsintown


def test_bandsintown_names_and_version() -> None:
    assert (bandsintown.EXTRACTOR_NAME, bandsintown.EXTRACTOR_VERSION) == ("bandsintown", "1")
    assert (dice.EXTRACTOR_NAME, dice.EXTRACTOR_VERSION) == ("dice", "1")


def test_bandsintown_dump_excerpt_reads_every_event() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    assert result.warnings == []
    assert len(result.performances) == 22  # Ekali 5 + San Holo 17
    assert [a.source_key for a in result.artists] == [
        "bandsintown:artist:9386152",
        "bandsintown:artist:6789676",
    ]
    assert result.venues == []  # venues travel inside their performances
    assert result.discovered_urls == []


def test_bandsintown_event_fields() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    show = _performance(result, "bandsintown:event:103479930")
    assert show.name == "Ekali"  # untitled: named after its lineup
    assert show.local_date == dt.date(2022, 7, 29)
    assert show.local_start_time == dt.time(21, 30)
    assert show.utc_offset_minutes is None
    assert show.time_precision == TimePrecision.EXACT
    assert show.local_doors_time is None
    assert show.status == EventStatus.SCHEDULED
    assert show.external_ids == {"bandsintown_event": "103479930"}
    assert show.url is not None
    assert show.url.startswith("https://www.bandsintown.com/e/103479930?")
    assert show.description is None  # "" in the API
    venue = show.venue
    assert venue is not None
    assert venue.source_key is None  # Bandsintown venues have no id: the pipeline fingerprints them
    assert venue.name == "Time Nightclub"
    assert venue.address is not None
    assert (venue.address.locality, venue.address.region, venue.address.country) == (
        "Costa Mesa",
        "CA",
        "United States",
    )
    assert venue.latitude == pytest.approx(33.6430913)
    assert venue.longitude == pytest.approx(-117.9172914)
    assert len(show.offers) == 1
    assert show.offers[0].availability == "instock"
    assert show.offers[0].url is not None
    assert show.offers[0].url.startswith("https://www.bandsintown.com/t/103479930?")
    assert show.ticket_status == "instock"


def test_bandsintown_requested_artist_is_one_record_everywhere() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    ekali = result.artists[0]
    assert ekali.name == "Ekali"
    assert ekali.external_ids == {"bandsintown_artist": "9386152"}
    assert ekali.url is not None
    assert ekali.url.startswith("https://www.bandsintown.com/a/9386152?")
    assert ekali.image_urls == [
        "https://photos.bandsintown.com/large/9047161.jpeg",
        "https://photos.bandsintown.com/thumb/9047161.jpeg",
    ]
    # The API embeds the artist object in the first event only; every event gets the full record.
    ekali_shows = [p for p in result.performances if p.performers and p.performers[0].artist.name == "Ekali"]
    assert len(ekali_shows) == 5
    assert all(p.performers[0].artist == ekali for p in ekali_shows)


def test_bandsintown_lineup_order_and_case_insensitive_match() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    # ODESZA's tour, as listed in San Holo's events: the requested artist comes first.
    show = _performance(result, "bandsintown:event:103312859")
    assert show.name == "SAN HOLO, Odesza, Sylvan Esso, Gilligan Moss"
    assert [p.artist.name for p in show.performers] == ["SAN HOLO", "Odesza", "Sylvan Esso", "Gilligan Moss"]
    assert [p.order for p in show.performers] == [0, 1, 2, 3]
    assert [p.billing for p in show.performers] == [None] * 4  # lineup position is not billing
    assert show.performers[0].artist.source_key == "bandsintown:artist:6789676"
    assert [p.artist.source_key for p in show.performers[1:]] == [None, None, None]
    assert show.venue is not None
    assert show.venue.name == "AK Chin Pavilion"
    assert show.venue.latitude == pytest.approx(33.4715603)
    assert show.local_start_time == dt.time(19, 0)
    assert len(show.offers) == 2  # "Tickets" and "Presale" links
    assert all(offer.availability == "instock" for offer in show.offers)


def test_bandsintown_festival_range_has_no_time() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    # "datetime_display_rule": "range" at midnight (a placeholder) and at 19:00 (not shown by Bandsintown).
    freaky = _performance(result, "bandsintown:event:103528456")
    assert (freaky.name, freaky.local_date) == ("Freaky Deaky", dt.date(2022, 10, 29))
    assert (freaky.local_start_time, freaky.time_precision) == (None, TimePrecision.DATE)
    breakaway = _performance(result, "bandsintown:event:103379380")
    assert breakaway.name == "Breakaway Music Festival Kansas City 2022"
    assert (breakaway.local_date, breakaway.local_start_time) == (dt.date(2022, 8, 5), None)
    assert breakaway.time_precision == TimePrecision.DATE


def test_bandsintown_description_empty_region_and_no_offers() -> None:
    result = extract_bandsintown(BANDSINTOWN_EXCERPT.read_bytes())

    scottsdale = _performance(result, "bandsintown:event:1024918997")
    assert scottsdale.description is not None
    assert scottsdale.description.startswith("MUST BE 21 & OVER TO ATTEND")
    seoul = _performance(result, "bandsintown:event:103525975")
    assert seoul.venue is not None
    assert seoul.venue.address is not None
    assert seoul.venue.address.region is None  # "" in the API
    assert (seoul.venue.address.locality, seoul.venue.address.country) == ("Songpa-gu", "South Korea")
    nickfest = _performance(result, "bandsintown:event:103633460")
    assert (nickfest.offers, nickfest.ticket_status) == ([], None)


def test_bandsintown_bare_list_takes_the_artist_name_from_the_url() -> None:
    events = _bandsintown_excerpt()["San Holo"][1:]  # without the event that embeds the artist object
    body = json.dumps(events)
    url = "http://127.0.0.1:8741/bandsintown/artists/San%20Holo/events.json"

    result = extract_bandsintown(body, url=url)

    assert len(result.performances) == 16
    assert [(a.name, a.source_key) for a in result.artists] == [("San Holo", "bandsintown:artist:6789676")]
    tour = _performance(result, "bandsintown:event:103312859")
    assert tour.performers[0].artist.source_key == "bandsintown:artist:6789676"  # "SAN HOLO" == "San Holo"
    # Without a URL nothing names the artist: the lineup is kept as written, with no id.
    anonymous = extract_bandsintown(body)
    assert anonymous.artists == []
    assert _performance(anonymous, "bandsintown:event:103312859").performers[0].artist.name == "SAN HOLO"


@pytest.mark.parametrize(
    ("artist", "count"),
    [("ODESZA", 36), ("San Holo", 17), ("A R I Z O N A", 15), ("Ekali", 5), ("Grimes", 2), ("Elephante", 0)],
)
def test_bandsintown_demo_files(artist: str, count: int) -> None:
    path = DEMO_BANDSINTOWN / artist / "events.json"
    url = f"http://127.0.0.1:8741/bandsintown/artists/{artist.replace(' ', '%20')}/events.json"

    result = extract_bandsintown(path.read_bytes(), url=url)

    assert result.warnings == []
    assert len(result.performances) == count
    assert len(result.artists) == (1 if count else 0)


def test_bandsintown_time_rules() -> None:
    event = _bandsintown_excerpt()["Ekali"][1]
    date_rule = {**event, "id": "1", "datetime_display_rule": "date"}
    tba_rule = {**event, "id": "2", "datetime_display_rule": "tba"}
    midnight = {**event, "id": "3", "datetime": "2022-09-02T00:00:00"}
    starts_at_only = {**event, "id": "4", "datetime": None, "starts_at": "2022-09-03T20:15:00"}

    result = extract_bandsintown(json.dumps([date_rule, tba_rule, midnight, starts_at_only]))

    got = [(p.local_date, p.local_start_time, p.time_precision) for p in result.performances]
    assert got == [
        (dt.date(2022, 7, 30), None, TimePrecision.DATE),
        (dt.date(2022, 7, 30), None, TimePrecision.TBA),
        (dt.date(2022, 9, 2), None, TimePrecision.DATE),  # naive midnight is a "no time" placeholder
        (dt.date(2022, 9, 3), dt.time(20, 15), TimePrecision.EXACT),
    ]


def test_bandsintown_sold_out_offer_and_long_lineup_name() -> None:
    event = copy.deepcopy(_bandsintown_excerpt()["Ekali"][1])
    event["offers"] = [{"type": "Tickets", "url": "https://example.com/t/1", "status": "sold out"}]
    event["lineup"] = ["Ekali", "A", "B", "C", "D", "E"]

    show = extract_bandsintown(json.dumps([event])).performances[0]

    assert show.offers[0].availability == "soldout"
    assert show.ticket_status == "soldout"
    assert show.name == "Ekali, A, B + 3 more"
    assert len(show.performers) == 6


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe\x00garbage",
        "null",
        "42",
        '"a string"',
        '{"errorMessage": "[NotFound] The artist was not found"}',
        "\n{warn=Not found}\n",  # what the API used to answer for an artist without events
        "[" * 100_000,  # deeper than the JSON parser's recursion limit
    ],
)
def test_bandsintown_malformed_body_gives_a_warning(body: bytes | str) -> None:
    result = extract_bandsintown(body)

    assert result.performances == []
    assert result.warnings


def test_bandsintown_bad_events_are_skipped_good_ones_kept() -> None:
    good = _bandsintown_excerpt()["Ekali"][1]
    body = json.dumps(
        [
            "a string",
            {"datetime": "2022-07-30T17:00:00", "lineup": ["X"]},
            {**good, "id": "5", "datetime": "next friday", "starts_at": None},
            {**good, "id": "6", "venue": {**good["venue"], "latitude": "abc"}},
            {**good, "id": "7", "venue": {**good["venue"], "latitude": "95", "longitude": "10"}},
            {
                **good,
                "id": "8",
                "title": "Secret Show",
                "venue": {"city": "X"},
                "lineup": "Ekali",
                "offers": {},
            },
            {**good, "id": "9", "lineup": []},
            good,
        ]
    )

    result = extract_bandsintown(body)

    assert [p.source_key for p in result.performances] == [
        "bandsintown:event:6",
        "bandsintown:event:7",
        "bandsintown:event:8",
        "bandsintown:event:9",
        "bandsintown:event:1024918997",
    ]
    assert result.performances[0].venue is not None
    assert result.performances[0].venue.latitude is None  # unparseable: dropped, the venue kept
    assert result.performances[1].venue is not None
    assert result.performances[1].venue.latitude is None
    assert (result.performances[2].name, result.performances[2].venue) == ("Secret Show", None)
    assert result.performances[3].name == "Casino Arizona at Talking Stick Resort"  # no title, no lineup
    assert result.performances[3].performers == []
    assert result.warnings == [
        "item 0: expected an event object, got a JSON string; skipped",
        "item 1: event without an id; skipped",
        "event 5: unparseable datetime 'next friday'; skipped",
        "event 7: venue coordinates 95.0,10.0 out of range; dropped",
        "event 8: venue without a name; left out",
        "event 8: lineup is not a list; ignored",
        "event 8: offers is not a list; ignored",
    ]


def test_bandsintown_dump_key_that_is_not_a_list() -> None:
    events = _bandsintown_excerpt()["Ekali"]

    result = extract_bandsintown(json.dumps({"Ekali": events, "Broken": {"oops": 1}}))

    assert len(result.performances) == 5
    assert result.warnings == ["key 'Broken': expected a list of events, got a JSON object; skipped"]


# ---------------------------------------------------------------------------------------------
# DICE


def test_dice_sunset_tavern_page() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    assert result.warnings == []
    assert len(result.performances) == 50
    assert result.artists == []
    assert [(u.url, u.kind) for u in result.discovered_urls] == [
        (
            "https://events-api.dice.fm/v1/events?filter[venues][]=The+Sunset+Tavern&page[number]=2&page[size]=50",
            "listing",
        )
    ]
    assert {p.venue.source_key for p in result.performances if p.venue} == {"dice:venue:10639"}
    assert sum(len(p.performers) for p in result.performances) == 119


def test_dice_event_fields() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    show = _performance(result, "dice:event:696550890ecee30001914f7c")
    assert show.name == "Whitney Ballen, Small Paul, Don Piano"
    # "2026-02-21T04:30:00Z" is 20:30 the evening before in Seattle.
    assert show.local_date == dt.date(2026, 2, 20)
    assert show.local_start_time == dt.time(20, 30)
    assert show.local_doors_time == dt.time(20, 0)  # lineup "Doors open", "8:00 PM"
    assert show.utc_offset_minutes == -480
    assert show.time_precision == TimePrecision.EXACT
    assert show.status == EventStatus.SCHEDULED
    assert show.url == "https://link.dice.fm/z1d8fbda3d37"
    assert show.external_ids == {"dice_event": "696550890ecee30001914f7c"}
    assert show.image_urls == [
        "https://dice-media.imgix.net/attachments/2026-01-12/34087f32-cb14-49af-9cb8-d5a48abe035d.jpg"
    ]
    assert show.description is not None
    assert show.description.startswith("**Advance: $12 ($15.97 after fees)**\n\n**Day of:")
    venue = show.venue
    assert venue is not None
    assert (venue.source_key, venue.name, venue.timezone) == (
        "dice:venue:10639",
        "The Sunset Tavern",
        "America/Los_Angeles",
    )
    assert venue.external_ids == {"dice_venue": "10639"}
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "5433 Ballard Avenue Northwest",
        "locality": "Seattle",
        "region": "Washington",
        "postal_code": "98107",
        "country": "United States",
    }
    assert venue.latitude == pytest.approx(47.66812)
    assert venue.longitude == pytest.approx(-122.386)
    assert [(p.artist.name, p.artist.source_key, p.order) for p in show.performers] == [
        ("Whitney Ballen", "dice:artist:132314", 0),
        ("Small Paul", "dice:artist:83599", 1),
        ("Don Piano", "dice:artist:85466", 2),
    ]
    assert show.performers[0].artist.url == "https://dice.fm/artist/whitney-ballen-2ge3o"
    assert show.performers[0].artist.external_ids == {"dice_artist": "132314"}
    assert [p.billing for p in show.performers] == [None, None, None]
    # Sales have ended ("off-sale"): price known, availability not.
    assert [(o.price, o.currency, o.availability) for o in show.offers] == [(20.09, "USD", None)]
    assert show.ticket_status is None


def test_dice_offset_follows_daylight_saving() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    show = _performance(result, "dice:event:69143868317083000133a386")  # 2026-03-09T03:00:00Z
    assert (show.local_date, show.local_start_time) == (dt.date(2026, 3, 8), dt.time(20, 0))
    assert show.utc_offset_minutes == -420  # PDT from 8 March 2026
    assert show.local_doors_time == dt.time(19, 30)


def test_dice_sold_out_event() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    show = _performance(result, "dice:event:6904553aed74630001721234")
    assert show.name == "Bitchin Bajas, Geologist"
    assert show.ticket_status == "soldout"
    assert [(o.price, o.currency, o.availability) for o in show.offers] == [(25.24, "USD", "soldout")]


def test_dice_lineup_only_acts_follow_the_event_name() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    # No detailed_artists: the acts come from the timetable, ordered as in the name.
    bill = _performance(result, "dice:event:6985ac2ce887ed00012f6860")
    assert [(p.artist.name, p.artist.source_key) for p in bill.performers] == [
        ("pleasantbusstop", None),
        ("Bee Fee Tees", None),
        ("Say Hi Ants", None),
    ]
    # One DICE artist, two timetable acts named in the title.
    mixed = _performance(result, "dice:event:6977e752d6ac2c0001485f1d")
    assert [p.artist.name for p in mixed.performers] == [
        "Wearing Hats",
        "The Mural Project",
        "The Upstairs Neighbors",
    ]
    assert mixed.performers[0].artist.source_key is not None


def test_dice_guests_are_not_an_act_and_a_lone_act_headlines() -> None:
    result = extract_dice(DICE_SUNSET.read_bytes())

    show = _performance(result, "dice:event:692f6f554c69ef00013eb477")
    assert show.name == "Liz Cooper, guests"
    assert [(p.artist.name, p.billing) for p in show.performers] == [("Liz Cooper", Billing.HEADLINER)]


def test_dice_vera_headliner_flag_rescheduled_and_ticket_types() -> None:
    result = extract_dice(DICE_VERA.read_bytes())

    assert result.warnings == []
    assert len(result.performances) == 3
    assert result.discovered_urls == []  # "next": null
    moon = _performance(result, "dice:event:69938bcc333fcc00012a43b4")
    assert [(p.artist.name, p.billing) for p in moon.performers] == [
        ("Moon Walker", Billing.HEADLINER),
        ("Pretoria", Billing.SUPPORT),
        ("Super Cassette", Billing.SUPPORT),
    ]
    assert (moon.local_date, moon.local_start_time, moon.utc_offset_minutes) == (
        dt.date(2026, 6, 14),
        dt.time(19, 0),
        -420,
    )
    synth = _performance(result, "dice:event:6966c5b0ed07460001bf0ffb")
    assert synth.status == EventStatus.RESCHEDULED
    assert synth.performers == []  # a workshop
    printing = _performance(result, "dice:event:6938ca2639dea900019978c0")
    # Three ticket types, two of them identical in price and state: two offers.
    assert [(o.price, o.availability) for o in printing.offers] == [(17.98, "soldout"), (15.92, "instock")]
    assert printing.ticket_status == "instock"


def test_dice_cancelled_and_postponed_flags() -> None:
    event = _dice_sunset_events()[1]
    cancelled = {**event, "id": "c", "flags": ["qr-code", "cancelled"]}
    postponed = {**event, "id": "p", "flags": ["postponed"]}

    result = extract_dice(json.dumps({"data": [cancelled, postponed]}))

    assert [p.status for p in result.performances] == [EventStatus.CANCELLED, EventStatus.POSTPONED]


def test_dice_unknown_time_zone_keeps_utc() -> None:
    event = copy.deepcopy(_dice_sunset_events()[1])
    event["timezone"] = "Mars/Olympus_Mons"
    event["location"]["place"] = None

    result = extract_dice(json.dumps([event]))

    show = result.performances[0]
    assert (show.local_date, show.local_start_time, show.utc_offset_minutes) == (
        dt.date(2026, 2, 22),
        dt.time(4, 30),
        0,
    )
    assert show.venue is not None
    assert show.venue.timezone is None
    assert result.warnings == [
        "event 6972ae7a20b9370001578702: unknown time zone 'Mars/Olympus_Mons'; UTC time kept"
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<html>Bad gateway</html>",
        b"\xff\xfe\x00garbage",
        "null",
        "[1, 2",
        '{"errors": [{"status": "401", "title": "Unauthorized"}]}',
        '{"message": "Forbidden"}',
        '{"something": "else"}',
        "[" * 100_000,
    ],
)
def test_dice_malformed_body_gives_a_warning(body: bytes | str) -> None:
    result = extract_dice(body)

    assert result.performances == []
    assert result.warnings


def test_dice_bad_events_are_skipped_good_ones_kept() -> None:
    good = _dice_sunset_events()[1]
    body = json.dumps(
        {
            "data": [
                5,
                {"name": "No id", "date": "2026-02-22T04:30:00Z"},
                {**good, "id": "a", "name": "  "},
                {**good, "id": "b", "date": "soon"},
                {**good, "id": "c", "venues": [], "venue": None, "ticket_types": [{"price": "x"}, 3]},
                {**good, "id": "d", "location": {"lat": 200, "lng": 5}, "lineup": {"x": 1}},
                good,
            ],
            "links": {"next": "not a url"},
        }
    )

    result = extract_dice(body)

    assert [p.source_key for p in result.performances] == [
        "dice:event:c",
        "dice:event:d",
        "dice:event:6972ae7a20b9370001578702",
    ]
    c, d, _ = result.performances
    assert c.venue is None
    assert [(o.price, o.availability) for o in c.offers] == [(None, "instock")]
    assert d.venue is not None
    assert (d.venue.name, d.venue.latitude, d.venue.address) == ("The Sunset Tavern", None, None)
    assert d.local_doors_time is None
    assert result.discovered_urls == []
    assert result.warnings == [
        "item 0: expected an event object, got a JSON number; skipped",
        "item 1: event without an id; skipped",
        "event a: no name; skipped",
        "event b: unparseable date 'soon'; skipped",
        "event c: no venue name; venue left out",
        "event c: ticket type is not an object; ignored",
        "event d: lineup is not a list; ignored",
        "event d: venue coordinates 200.0,5.0 out of range; dropped",
    ]


def test_bandsintown_and_dice_keep_their_version_1_ids_and_urls() -> None:
    # Looser than the other API adapters (apijson's defaults): ids up to 64 characters, spaces
    # kept, and URLs kept as written; changing this would change their source keys.
    spaced_url = "https://example.com/a show"
    event = copy.deepcopy(_bandsintown_excerpt()["Ekali"][1])
    event.update({"id": "id with spaces", "url": spaced_url})
    show = extract_bandsintown(json.dumps([event, {**event, "id": "x" * 65}])).performances
    assert [(p.source_key, p.url) for p in show] == [("bandsintown:event:id with spaces", spaced_url)]
    dice_event = {**_dice_sunset_events()[0], "id": "dice id", "url": spaced_url}
    dice_show = extract_dice(json.dumps([dice_event])).performances
    assert [(p.source_key, p.url) for p in dice_show] == [("dice:event:dice id", spaced_url)]


def test_shared_api_json_helpers() -> None:
    assert apijson.identifier("a b") is None
    assert apijson.identifier("a b", allow_spaces=True) == "a b"
    assert apijson.identifier("x" * 65, max_length=64, allow_spaces=True) is None
    assert apijson.http_url("https://example.com/a b") is None
    assert apijson.http_url("https://example.com/a  b", allow_spaces=True) == "https://example.com/a b"
    assert [apijson.currency_code(v) for v in ("usd", " EUR ", "US$", "", 840)] == [
        "USD",
        "EUR",
        None,
        None,
        None,
    ]
    warnings = apijson.Warnings()
    assert apijson.coordinates("1.5", 2, warnings, "venue 1") == (1.5, 2.0)
    assert apijson.coordinates(None, 2, warnings, "venue 1") == (None, None)
    assert apijson.coordinates(0, 0, warnings, "event 2", "venue coordinates") == (None, None)
    assert apijson.event_with_id([], "item 0", warnings) is None
    assert apijson.event_with_id({"id": True}, "item 1", warnings) is None
    assert apijson.event_with_id({"id": 7}, "item 2", warnings) == ({"id": 7}, "7")
    assert warnings.items == [
        "event 2: venue coordinates 0,0 look like a placeholder; dropped",
        "item 0: expected an event object, got a JSON array; skipped",
        "item 1: event without an id; skipped",
    ]


def test_unique_by_source_key_keeps_the_first_of_each_key() -> None:
    a1, b, a2 = (ExtractedArtist(name=n, source_key=k) for n, k in (("A", "a"), ("B", "b"), ("A2", "a")))
    keyless = [ExtractedArtist(name="X"), ExtractedArtist(name="Y")]
    items = [a1, None, b, a2, *keyless]
    assert apijson.unique_by_source_key(items) == [a1, b, *keyless]  # items without a key are all kept


def test_adapters_do_not_import_django() -> None:
    code = (
        "import sys; import extraction.adapters.bandsintown, extraction.adapters.dice; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
