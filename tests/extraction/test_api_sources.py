"""The Google Places, Yelp, Ticketmaster and Eventbrite adapters on real saved responses
(tests/fixtures/apis) and on inline malformed cases."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from extraction.adapters import eventbrite, google_places, ticketmaster, yelp
from extraction.adapters.eventbrite import extract_eventbrite
from extraction.adapters.google_places import extract_google_places
from extraction.adapters.ticketmaster import extract_ticketmaster
from extraction.adapters.yelp import extract_yelp
from extraction.schemas import Billing, EventStatus, ExtractionResult, TimePrecision

ROOT = Path(__file__).resolve().parents[2]
APIS = ROOT / "tests" / "fixtures" / "apis"


def _json(name: str) -> Any:
    return json.loads((APIS / name).read_text(encoding="utf-8"))


def _body(name: str) -> bytes:
    return (APIS / name).read_bytes()


@pytest.mark.parametrize(
    ("module", "name"),
    [
        (google_places, "google_places"),
        (yelp, "yelp"),
        (ticketmaster, "ticketmaster"),
        (eventbrite, "eventbrite"),
    ],
)
def test_names_and_versions(module: Any, name: str) -> None:
    assert (module.EXTRACTOR_NAME, module.EXTRACTOR_VERSION) == (name, "1")


def test_adapters_do_not_import_django() -> None:
    code = (
        "import sys; from extraction.adapters import google_places, yelp, ticketmaster, eventbrite; "
        "assert not any(m.startswith('django') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# ---------------------------------------------------------------------------------------------
# Google Places: the place ID to keep, the rest for matching only


def test_google_places_new_place_details() -> None:
    result = extract_google_places(_body("google_places_new_place_details_full.json"))

    assert result.performances == []
    assert result.artists == []
    assert result.warnings == []
    (venue,) = result.venues
    assert venue.external_ids == {"google_place": "ChIJj61dQgK6j4AR4GeTYWZsKWw"}
    assert venue.source_key == "google_place:ChIJj61dQgK6j4AR4GeTYWZsKWw"
    assert venue.name == "Googleplex"  # displayName.text, not the resource name "places/..."
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "1600 Amphitheatre Pkwy",  # postalAddress.addressLines
        "locality": "Mountain View",
        "region": "CA",  # the short form of administrative_area_level_1
        "postal_code": "94043",
        "country": "US",
    }
    assert (venue.latitude, venue.longitude) == (37.4220541, -122.08532419999999)
    assert venue.timezone == "America/Los_Angeles"
    assert venue.phone == "+1 650-253-0000"  # the international number
    assert venue.website == "https://about.google/locations/?region=north-america"
    assert venue.image_urls == []
    assert venue.socials == []


def test_google_places_new_text_search_page() -> None:
    place = _json("google_places_new_place_details_full.json")
    minimal = {"id": "ChIJminimal", "displayName": {"text": "Minimal Club"}}
    body = json.dumps({"places": [place, minimal, place], "nextPageToken": "abc"})

    result = extract_google_places(body)

    assert [v.external_ids["google_place"] for v in result.venues] == [
        "ChIJj61dQgK6j4AR4GeTYWZsKWw",
        "ChIJminimal",
    ]
    assert result.venues[1].address is None
    assert result.discovered_urls == []  # the page token goes in the next POST body


def test_google_places_legacy_details_and_text_search() -> None:
    details = extract_google_places(_body("maps_http_places_details_response.json"))
    (venue,) = details.venues
    assert venue.external_ids == {"google_place": "ChIJN1t_tDeuEmsRUsoyG83frY4"}
    assert venue.name == "Google Workplace 6"
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "48 Pirrama Road",
        "locality": "Pyrmont",
        "region": "NSW",
        "postal_code": "2009",
        "country": "AU",
    }
    assert venue.phone == "+61 2 9374 4000"
    assert venue.timezone is None  # the legacy API gives an offset, not a zone

    search = extract_google_places(_body("maps_http_places_textsearch_response.json"))
    assert len(search.venues) == 20
    first = search.venues[0]
    assert (first.name, first.external_ids) == (
        "Aria Restaurant Sydney",
        {"google_place": "ChIJdxxU1WeuEmsR11c4fswX-Io"},
    )
    assert first.address is not None
    assert first.address.street == "1 Macquarie St, Sydney NSW 2000, Australia"  # no components: kept whole
    assert search.warnings == []


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            '{"error": {"code": 403, "message": "API key not valid", "status": "PERMISSION_DENIED"}}',
            "PERMISSION_DENIED API key not valid",
        ),
        (
            '{"status": "REQUEST_DENIED", "error_message": "The provided API key is invalid."}',
            "REQUEST_DENIED",
        ),
        ('{"places": [{"displayName": {"text": "No id"}}]}', "without an id"),
        ('{"places": [{"id": "X"}]}', "no name"),
        ("[1, 2]", "expected a place object"),
        ("not json", "not JSON"),
        ("", "empty body"),
        ('"a string"', "got a JSON string"),
    ],
)
def test_google_places_bad_input(body: str, warning: str) -> None:
    result = extract_google_places(body)

    assert result.venues == []
    assert any(warning in w for w in result.warnings), result.warnings


def test_google_places_zero_results_and_closed_place() -> None:
    assert extract_google_places('{"results": [], "status": "ZERO_RESULTS"}').warnings == []
    closed = {
        "id": "P1",
        "displayName": {"text": "Gone"},
        "businessStatus": "CLOSED_PERMANENTLY",
        "location": {"latitude": 0, "longitude": 0},
    }
    result = extract_google_places(json.dumps(closed))
    assert [v.name for v in result.venues] == ["Gone"]
    assert result.venues[0].latitude is None
    assert any("permanently closed" in w for w in result.warnings)
    assert any("0,0" in w for w in result.warnings)


# ---------------------------------------------------------------------------------------------
# Yelp: the business ID to keep, the rest for matching only


def test_yelp_business_details() -> None:
    result = extract_yelp(_body("yelp_fusion_business_details.json"))

    (venue,) = result.venues
    assert venue.external_ids == {"yelp": "rNRq1qKhIuheb-KyW7jN4g"}
    assert venue.source_key == "yelp:rNRq1qKhIuheb-KyW7jN4g"
    assert venue.name == "Handel's Homemade Ice Cream"
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "2825 State St",  # address2 "" and address3 null dropped
        "locality": "Carlsbad",
        "region": "CA",
        "postal_code": "92008",
        "country": "US",
    }
    assert (venue.latitude, venue.longitude, venue.phone) == (33.16107, -117.35023, "+17606963519")
    assert venue.website is None  # `url` is Yelp's page
    assert venue.image_urls == []
    assert result.warnings == []


def test_yelp_python_lookups_and_a_search_page() -> None:
    paris = extract_yelp(_body("business_lookup_sacre_coeur_paris.json")).venues[0]
    assert paris.name == "Basilique du Sacré-Cœur de Montmartre"
    assert paris.address is not None
    assert (paris.address.locality, paris.address.country) == ("Paris", "FR")
    assert paris.phone == "+33153418900"

    search = {
        "businesses": [
            _json("business_lookup_yelp_san_francisco.json"),
            _json("business_lookup_sacre_coeur_paris.json"),
        ],
        "total": 2,
    }
    result = extract_yelp(json.dumps(search))
    assert [v.external_ids["yelp"] for v in result.venues] == [
        "4kMBvIEWPxWkWKFN__8SxQ",
        "spIGAtquYQ0S7xai5eJSuA",
    ]


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            '{"error": {"code": "BUSINESS_NOT_FOUND", "description": "The requested business could not be found."}}',
            "BUSINESS_NOT_FOUND",
        ),
        ('{"businesses": [{"name": "No id"}]}', "without an id"),
        ('{"businesses": [{"id": "x"}, "junk"]}', "no name"),
        ('{"foo": 1}', "keys ['foo']"),
        (b"\xff\xfd", "not JSON"),
    ],
)
def test_yelp_bad_input(body: str | bytes, warning: str) -> None:
    result = extract_yelp(body)

    assert result.venues == []
    assert any(warning in w for w in result.warnings), result.warnings


def test_yelp_closed_business_kept_with_a_warning() -> None:
    business = _json("business_lookup_yelp_san_francisco.json")
    business["is_closed"] = True
    result = extract_yelp(json.dumps(business))

    assert len(result.venues) == 1
    assert any("closed for good" in w for w in result.warnings)


# ---------------------------------------------------------------------------------------------
# Ticketmaster Discovery v2


def test_ticketmaster_event_detail() -> None:
    result = extract_ticketmaster(_body("ticketmaster_discovery_v2_get-event.json"))

    assert result.warnings == []
    (show,) = result.performances
    assert (show.source_key, show.external_ids) == (
        "ticketmaster:event:G5diZfkn0B-bh",
        {"ticketmaster": "G5diZfkn0B-bh"},
    )
    assert show.name == "Radiohead"
    assert (show.local_date, show.local_start_time) == (dt.date(2016, 7, 27), dt.time(19, 30))
    assert (show.utc_offset_minutes, show.time_precision) == (-240, TimePrecision.EXACT)  # 23:30Z
    assert (show.status, show.ticket_status) == (EventStatus.SCHEDULED, "instock")
    assert [(o.min_price, o.max_price, o.currency) for o in show.offers] == [(80.0, 80.0, "USD")]
    assert show.url == "http://ticketmaster.com/event/3B00506AA4EA161B"
    assert show.description is not None
    assert show.description.startswith("No tickets will be delivered")
    assert len(show.image_urls) == 3
    assert "TABLET_LANDSCAPE_LARGE_16_9" in show.image_urls[0]
    venue = show.venue
    assert venue is not None
    assert (venue.name, venue.external_ids, venue.timezone) == (
        "Madison Square Garden",
        {"ticketmaster": "KovZpZA7AAEA"},
        "America/New_York",
    )
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "7th Ave & 32nd Street",
        "locality": "New York",
        "region": "NY",
        "postal_code": "10001",
        "country": "US",
    }
    assert (venue.latitude, venue.longitude) == (40.7497062, -73.9916006)
    (performer,) = show.performers
    assert performer.billing is Billing.HEADLINER  # a lone attraction
    assert performer.artist.external_ids == {"ticketmaster": "K8vZ91713wV"}
    assert performer.artist.genres == ["Rock", "Alternative Rock"]


def test_ticketpy_event_is_the_same_response() -> None:
    assert extract_ticketmaster(_body("ticketmaster_discovery_event.json")) == extract_ticketmaster(
        _body("ticketmaster_discovery_v2_get-event.json")
    )


def test_ticketmaster_rescheduled_event_doors_and_external_links() -> None:
    (show,) = extract_ticketmaster(
        _body("ticketmaster_discovery_v2_event_rescheduled_with_externalLinks.json")
    ).performances

    assert show.status is EventStatus.RESCHEDULED
    assert show.previous_local_dates == []  # the API does not say what the date was
    assert (show.local_date, show.local_start_time, show.utc_offset_minutes) == (
        dt.date(2022, 7, 28),
        dt.time(19, 30),
        120,
    )
    assert show.local_doors_time == dt.time(20, 0)  # access.startDateTime 18:00Z in Prague
    assert show.ticket_status is None
    assert [(o.min_price, o.max_price, o.currency) for o in show.offers] == [
        (1290.0, 1790.0, "CZK"),
        (1161.01, 1611.01, "CZK"),
    ]
    assert show.venue is not None
    assert show.venue.address is not None
    assert (show.venue.name, show.venue.address.street, show.venue.address.country) == (
        "O2 Arena",
        "Českomoravská 2345/17a",
        "CZ",
    )
    artist = show.performers[0].artist
    assert artist.external_ids == {
        "ticketmaster": "K8vZ9171Lz0",
        "musicbrainz": "a466c2a2-6517-42fb-a160-1087c3bafd9f",
        "spotify": "05fG473iIaoy82BF1aGhL8",
        "lastfm": "https://www.last.fm/music/Slipknot",
    }
    assert artist.url == "http://www.slipknot1.com/"  # the homepage link
    assert artist.genres == ["Metal", "Heavy Metal"]


def test_ticketmaster_search_page_time_tba_and_next_link() -> None:
    result = extract_ticketmaster(
        _body("ticketmaster_discovery_event_search.json"),
        url="https://app.ticketmaster.com/discovery/v2/events.json?size=1",
    )

    (event,) = result.performances
    assert event.name == "WGC Cadillac Championship - Sunday Ticket"
    assert (event.local_date, event.local_start_time, event.time_precision) == (
        dt.date(2016, 3, 6),
        None,
        TimePrecision.TBA,
    )
    assert event.utc_offset_minutes is None
    assert event.status is EventStatus.SCHEDULED  # "offsale"
    assert [u.model_dump() for u in result.discovered_urls] == [
        {"url": "https://app.ticketmaster.com/discovery/v2/events.json?page=1&size=1", "kind": "listing"}
    ]


def test_ticketmaster_venue_and_attraction_details() -> None:
    venue_result = extract_ticketmaster(_body("ticketmaster_discovery_v2_get-venue.json"))
    (venue,) = venue_result.venues
    assert venue.external_ids == {"ticketmaster": "KovZpZAFnIEA"}
    assert venue.address is not None
    assert (venue.address.locality, venue.address.region, venue.address.country) == ("Morrisburg", "ON", "CA")
    assert venue.timezone == "America/Toronto"

    (artist,) = extract_ticketmaster(_body("ticketmaster_discovery_v2_get-attraction.json")).artists
    assert (artist.name, artist.external_ids, artist.genres) == (
        "!!!",
        {"ticketmaster": "K8vZ9175BhV"},
        ["Rock", "Pop"],
    )


def _event(**changes: Any) -> dict[str, Any]:
    event: dict[str, Any] = copy.deepcopy(_json("ticketmaster_discovery_v2_get-event.json"))
    for path, value in changes.items():
        target = event
        *parents, key = path.split("__")
        for parent in parents:
            target = target[parent]
        target[key] = value
    return event


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"dates__status__code": "cancelled"}, (EventStatus.CANCELLED, TimePrecision.EXACT)),
        ({"dates__status__code": "canceled"}, (EventStatus.CANCELLED, TimePrecision.EXACT)),
        ({"dates__status__code": "postponed"}, (EventStatus.POSTPONED, TimePrecision.EXACT)),
        ({"dates__start__noSpecificTime": True}, (EventStatus.SCHEDULED, TimePrecision.DATE)),
        ({"dates__start__timeTBA": True}, (EventStatus.SCHEDULED, TimePrecision.TBA)),
    ],
)
def test_ticketmaster_status_and_precision(
    changes: dict[str, Any], expected: tuple[EventStatus, TimePrecision]
) -> None:
    (show,) = extract_ticketmaster(json.dumps(_event(**changes))).performances

    assert (show.status, show.time_precision) == expected
    if show.time_precision is not TimePrecision.EXACT:
        assert show.local_start_time is None


def test_ticketmaster_offset_from_the_zone_when_no_utc_time() -> None:
    event = _event()
    del event["dates"]["start"]["dateTime"]
    (show,) = extract_ticketmaster(json.dumps(event)).performances

    assert show.utc_offset_minutes == -240  # America/New_York in July


def test_ticketmaster_bad_events_skipped_good_kept() -> None:
    good = _event()
    date_tba = _event(dates__start__dateTBA=True)
    date_tba["id"] = "TBA1"
    no_date = _event(dates__start__localDate="someday")
    no_date["id"] = "BAD1"
    body = json.dumps(
        {"_embedded": {"events": [good, date_tba, no_date, "junk", {"name": "no id"}]}, "page": {}}
    )

    result = extract_ticketmaster(body)

    assert [p.source_key for p in result.performances] == ["ticketmaster:event:G5diZfkn0B-bh"]
    assert any("TBA1: date to be announced" in w for w in result.warnings)
    assert any("BAD1: no usable localDate" in w for w in result.warnings)
    assert any("expected an event object" in w for w in result.warnings)
    assert any("without an id" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            '{"fault": {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}}',
            "oauth.v2.InvalidApiKey Invalid ApiKey",
        ),
        ('{"errors": [{"code": "DIS1004", "detail": "Resource not found"}]}', "DIS1004 Resource not found"),
        ('{"hello": "world"}', "keys ['hello']"),
        ("[[", "not JSON"),
    ],
)
def test_ticketmaster_error_responses(body: str, warning: str) -> None:
    result = extract_ticketmaster(body)

    assert result.is_empty
    assert any(warning in w for w in result.warnings), result.warnings


def test_ticketmaster_empty_search_page() -> None:
    result = extract_ticketmaster(
        '{"_links": {"self": {"href": "/x"}}, "page": {"size": 20, "totalElements": 0}}'
    )

    assert result.is_empty
    assert result.warnings == []


# ---------------------------------------------------------------------------------------------
# Eventbrite


def test_eventbrite_substation_page() -> None:
    result = extract_eventbrite(
        _body("eventbrite_substation_events.json"),
        url="https://www.eventbriteapi.com/v3/organizations/18831550522/events/?expand=venue",
    )

    assert result.warnings == []
    assert result.discovered_urls == []  # has_more_items is false
    assert [p.source_key for p in result.performances] == [
        f"eventbrite:event:110000000{n}" for n in range(1, 6)
    ]
    first = result.performances[0]
    assert first.name == "Dark Entries: Industrial Night"
    # start.local "2026-03-07T21:00:00", start.utc "2026-03-08T05:00:00Z": PST.
    assert (first.local_date, first.local_start_time, first.utc_offset_minutes) == (
        dt.date(2026, 3, 7),
        dt.time(21, 0),
        -480,
    )
    assert first.time_precision is TimePrecision.EXACT
    assert first.description == "A night of industrial, EBM, and post-punk. Doors at 8pm, show at 9pm."
    assert first.external_ids == {"eventbrite": "1100000001"}
    venue = first.venue
    assert venue is not None
    assert (venue.source_key, venue.name, venue.timezone) == (
        "eventbrite:venue:55000001",
        "Substation",
        "America/Los_Angeles",
    )
    assert venue.address is not None
    assert venue.address.model_dump() == {
        "street": "645 NW 45th St",
        "locality": "Seattle",
        "region": "WA",
        "postal_code": "98107",
        "country": None,
    }
    assert result.performances[1].utc_offset_minutes == -420  # after the DST change on March 8
    assert result.performances[2].name == "Electronic Music Night: Techno & House"
    last = result.performances[4]
    assert last.description is None
    assert last.venue == venue  # venue null, venue_id expanded by another event of the page


def test_eventbrite_single_event_cancelled_free_and_sold_out() -> None:
    event = _json("eventbrite_substation_events.json")["events"][0]
    event.update(status="canceled", is_free=True, venue=None, venue_id="999", online_event=False)
    result = extract_eventbrite(json.dumps(event))

    (show,) = result.performances
    assert show.status is EventStatus.CANCELLED
    assert [(o.price, o.availability) for o in show.offers] == [(0.0, None)]
    assert show.venue is None
    assert any("no venue" in w for w in result.warnings)

    event.update(
        status="live",
        is_free=False,
        ticket_availability={
            "is_sold_out": True,
            "minimum_ticket_price": {"major_value": "15.00", "currency": "usd"},
            "maximum_ticket_price": {"value": 2500, "currency": "USD"},
        },
    )
    (show,) = extract_eventbrite(json.dumps(event)).performances
    assert [(o.min_price, o.max_price, o.currency, o.availability) for o in show.offers] == [
        (15.0, 25.0, "USD", "soldout")
    ]
    assert show.ticket_status == "soldout"


def test_eventbrite_continuation_and_bad_events() -> None:
    page = _json("eventbrite_substation_events.json")
    page["pagination"].update(has_more_items=True, continuation="dGhlIG5leHQ")
    page["events"][1]["start"]["local"] = "soon"
    page["events"][2]["status"] = "draft"
    page["events"].append("junk")
    url = "https://www.eventbriteapi.com/v3/venues/55000001/events/?expand=venue&continuation=old"

    result = extract_eventbrite(json.dumps(page), url=url)

    assert len(result.performances) == 3
    assert [u.url for u in result.discovered_urls] == [
        "https://www.eventbriteapi.com/v3/venues/55000001/events/?expand=venue&continuation=dGhlIG5leHQ"
    ]
    assert any("1100000002: no usable start.local" in w for w in result.warnings)
    assert any("1100000003: a draft" in w for w in result.warnings)
    assert any("expected an event object" in w for w in result.warnings)


@pytest.mark.parametrize(
    ("body", "warning"),
    [
        (
            '{"error": "NOT_AUTHORIZED", "error_description": "An OAuth token is required", "status_code": 401}',
            "NOT_AUTHORIZED An OAuth token",
        ),
        ('{"events": "nope"}', None),
        ("42", "got a JSON number"),
        ("", "empty body"),
    ],
)
def test_eventbrite_bad_bodies(body: str, warning: str | None) -> None:
    result: ExtractionResult = extract_eventbrite(body)

    assert result.is_empty
    if warning:
        assert any(warning in w for w in result.warnings), result.warnings
