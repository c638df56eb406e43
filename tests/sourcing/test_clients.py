"""The source API clients against the local fake APIs (tests/fake_apis.py), which serve the real saved
responses: request shapes, pagination, 429 and 5xx handling, missing keys and key redaction."""

from __future__ import annotations

import json
import logging
import socket
import subprocess
import sys
import time
from email.utils import formatdate

import httpx
import pytest

from core.retry import MAX_WAIT_SECONDS
from sourcing.clients import (
    BandsintownClient,
    GooglePlacesClient,
    MissingApiKeyError,
    RetryPolicy,
    SourceApiError,
    TicketmasterClient,
    YelpClient,
    google_places,
    yelp,
)
from sourcing.clients.bandsintown import encode_artist_name
from sourcing.clients.base import redact
from tests.fake_apis import FIXTURES, FakeApis

GOOGLEPLEX = "ChIJj61dQgK6j4AR4GeTYWZsKWw"
HANDELS = "rNRq1qKhIuheb-KyW7jN4g"


class FakeTime:
    """A clock that only moves when the client sleeps: sleeps are recorded, never slept."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake():
    with FakeApis() as server:
        yield server


@pytest.fixture
def http():
    with httpx.Client() as client:
        yield client


@pytest.fixture
def clock():
    return FakeTime()


def make(cls, fake, http, clock, **kwargs):
    options = {
        "api_key": fake.keys[cls.api],
        "base_url": fake.base_url,
        "http": http,
        "min_interval_seconds": 0,
        "sleep": clock.sleep,
        "clock": clock.clock,
        "jitter": lambda: 0.5,
    }
    options.update(kwargs)
    return cls(**options)


def fixture_json(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


# --- Google Places (New) ------------------------------------------------------------------------


def test_google_text_search_sends_key_and_field_mask_and_gets_only_masked_fields(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)

    page = client.search_text("live music in Mountain View", region_code="US")

    (request,) = fake.requests
    assert request.method == "POST"
    assert request.path == "/v1/places:searchText"
    assert request.headers["x-goog-api-key"] == fake.keys["google_places"]
    assert request.headers["x-goog-fieldmask"] == (
        "places.id,places.displayName,places.formattedAddress,places.location,"
        "places.nationalPhoneNumber,places.websiteUri"
    )
    assert request.headers["content-type"] == "application/json"
    assert request.json == {"textQuery": "live music in Mountain View", "pageSize": 20, "regionCode": "US"}
    assert not request.query  # the key is not in the URL
    assert page.status_code == 200
    assert page.url == fake.url("/v1/places:searchText")
    assert page.request_body == request.body
    assert json.loads(page.body) == page.data
    first = page.data["places"][0]
    assert first["id"] == GOOGLEPLEX
    assert set(first) == {
        "id",
        "displayName",
        "formattedAddress",
        "location",
        "nationalPhoneNumber",
        "websiteUri",
    }
    assert "reviews" not in page.body.decode()  # masked out by the server, as Google does
    assert "nextPageToken" not in page.data  # not in the mask, so not sent


def test_google_text_search_pages_follow_next_page_token(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)

    pages = list(client.iter_search_text("live music", page_size=8, fields=["id", "displayName"]))

    assert [len(p.data["places"]) for p in pages] == [8, 8, 5]
    assert [p.page_index for p in pages] == [0, 1, 2]
    ids = [place["id"] for p in pages for place in p.data["places"]]
    assert len(set(ids)) == 21
    assert ids[0] == GOOGLEPLEX
    masks = {r.headers["x-goog-fieldmask"] for r in fake.requests}
    assert masks == {"places.id,places.displayName,nextPageToken"}
    bodies = [r.json for r in fake.requests]
    assert "pageToken" not in bodies[0]
    assert bodies[1]["pageToken"] == pages[0].data["nextPageToken"]
    assert bodies[2]["pageToken"] == pages[1].data["nextPageToken"]
    assert {b["textQuery"] for b in bodies} == {"live music"}  # the same request each time
    assert "nextPageToken" not in pages[-1].data


def test_google_text_search_max_pages(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)
    assert len(list(client.iter_search_text("x", page_size=5, max_pages=2))) == 2
    assert len(fake.requests) == 2


def test_google_place_details_with_default_and_chosen_field_masks(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)

    details = client.place_details(GOOGLEPLEX)
    assert fake.requests[-1].method == "GET"
    assert fake.requests[-1].path == f"/v1/places/{GOOGLEPLEX}"
    assert fake.requests[-1].headers["x-goog-fieldmask"] == (
        "id,displayName,formattedAddress,location,nationalPhoneNumber,websiteUri"
    )
    assert details.data["displayName"]["text"] == "Googleplex"
    assert details.data["nationalPhoneNumber"] == "(650) 253-0000"
    assert "reviews" not in details.data

    hours = client.place_details(f"places/{GOOGLEPLEX}", fields="places.id,regularOpeningHours.periods")
    assert fake.requests[-1].path == f"/v1/places/{GOOGLEPLEX}"
    assert fake.requests[-1].headers["x-goog-fieldmask"] == "id,regularOpeningHours.periods"
    assert set(hours.data) == {"id", "regularOpeningHours"}
    assert set(hours.data["regularOpeningHours"]) == {"periods"}
    full = fixture_json("google_places_new_place_details_full.json")
    assert hours.data["regularOpeningHours"]["periods"] == full["regularOpeningHours"]["periods"]


def test_google_unknown_place_is_not_retried(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)
    with pytest.raises(SourceApiError, match="NOT_FOUND") as info:
        client.place_details("ChIJ-no-such-place")
    assert info.value.status_code == 404
    assert not info.value.retryable
    assert len(fake.requests) == 1


def test_google_field_mask_helpers():
    assert google_places.search_field_mask("displayName, id,places.id") == "places.displayName,places.id"
    assert google_places.search_field_mask(["id"], with_next_page_token=True) == "places.id,nextPageToken"
    assert google_places.search_field_mask("*", with_next_page_token=True) == "*"
    assert google_places.details_field_mask(["places.id", "location"]) == "id,location"
    with pytest.raises(ValueError, match="at least one field"):
        google_places.details_field_mask(" , ")


def test_google_search_rejects_bad_arguments(fake, http, clock):
    client = make(GooglePlacesClient, fake, http, clock)
    with pytest.raises(ValueError, match="page_size"):
        client.search_text("x", page_size=21)
    with pytest.raises(ValueError, match="non-empty"):
        client.search_text("  ")
    assert not fake.requests


# --- Yelp Fusion --------------------------------------------------------------------------------


def test_yelp_search_sends_bearer_key_and_parameters(fake, http, clock):
    client = make(YelpClient, fake, http, clock)

    page = client.search_businesses(
        term="live music", location="Seattle, WA", categories=["musicvenues", "bars"]
    )

    (request,) = fake.requests
    assert request.path == "/v3/businesses/search"
    assert request.headers["authorization"] == f"Bearer {fake.keys['yelp']}"
    assert {k: v[0] for k, v in request.query.items()} == {
        "term": "live music",
        "location": "Seattle, WA",
        "categories": "musicvenues,bars",
        "limit": "50",
        "offset": "0",
    }
    assert page.data["total"] == 3
    assert [b["id"] for b in page.data["businesses"]][0] == HANDELS
    assert fake.keys["yelp"] not in page.url


def test_yelp_search_pages_by_offset_until_total(fake, http, clock):
    client = make(YelpClient, fake, http, clock)

    pages = list(client.iter_search_businesses(latitude=47.61, longitude=-122.33, limit=2))

    assert [r.param("offset") for r in fake.requests] == ["0", "2"]
    assert [r.param("limit") for r in fake.requests] == ["2", "2"]
    assert [yelp.business_ids(p.data) for p in pages] == [
        [HANDELS, "spIGAtquYQ0S7xai5eJSuA"],
        ["4kMBvIEWPxWkWKFN__8SxQ"],
    ]
    assert fake.requests[0].param("latitude") == "47.61"


@pytest.mark.parametrize(("limit", "requests", "last"), [(50, 20, ("950", "50")), (30, 34, ("990", "10"))])
def test_yelp_search_stops_at_the_1000_result_cap(http, clock, limit, requests, last):
    with FakeApis(yelp_total=1200) as fake:
        client = make(YelpClient, fake, http, clock)
        pages = list(client.iter_search_businesses(location="Seattle", limit=limit))
        assert len(fake.requests) == requests
        assert (fake.requests[-1].param("offset"), fake.requests[-1].param("limit")) == last
        assert sum(len(p.data["businesses"]) for p in pages) == 1000
        assert all(int(r.param("offset") or 0) + int(r.param("limit") or 0) <= 1000 for r in fake.requests)


def test_yelp_business_details_by_id_and_alias(fake, http, clock):
    client = make(YelpClient, fake, http, clock)
    by_id = client.business_details(HANDELS)
    by_alias = client.business_details("handels-homemade-ice-cream-carlsbad")
    assert fake.requests[0].path == f"/v3/businesses/{HANDELS}"
    assert (
        by_id.data
        == by_alias.data
        == {k: v for k, v in fixture_json("yelp_fusion_business_details.json").items() if k != "_note"}
    )
    paris = client.business_details("basilique-du-sacré-cœur-de-montmartre-paris-3")
    assert (
        fake.requests[-1].raw_path == "/v3/businesses/basilique-du-sacr%C3%A9-c%C5%93ur-de-montmartre-paris-3"
    )
    assert paris.data["id"] == "spIGAtquYQ0S7xai5eJSuA"


def test_yelp_unknown_business_and_bad_search(fake, http, clock):
    client = make(YelpClient, fake, http, clock)
    with pytest.raises(SourceApiError, match="BUSINESS_NOT_FOUND") as info:
        client.business_details("nope")
    assert info.value.status_code == 404
    assert not info.value.retryable
    with pytest.raises(ValueError, match="location"):
        client.search_businesses(term="jazz")
    with pytest.raises(ValueError, match="1000"):
        client.search_businesses(location="Seattle", offset=990, limit=20)


def test_yelp_daily_quota_is_not_retried_in_process(fake, http, clock):
    client = make(YelpClient, fake, http, clock)
    body = {
        "error": {
            "code": "ACCESS_LIMIT_REACHED",
            "description": "You've reached the access limit for this client.",
        }
    }
    fake.fail("/v3/businesses/search", status=429, times=5, body=body)
    with pytest.raises(SourceApiError, match="quota is used up") as info:
        client.search_businesses(location="Seattle")
    assert info.value.retryable
    assert info.value.quota_exhausted
    assert len(fake.requests) == 1
    assert clock.sleeps == []


# --- Bandsintown --------------------------------------------------------------------------------


def test_bandsintown_artist_events_request_and_real_response(fake, http, clock):
    client = make(BandsintownClient, fake, http, clock)

    page = client.artist_events("San Holo")

    (request,) = fake.requests
    assert request.raw_path == "/artists/San%20Holo/events"
    assert request.param("app_id") == fake.keys["bandsintown"]
    assert request.param("date") == "upcoming"
    assert page.data == fixture_json("bandsintown_artist_events_excerpt.json")["San Holo"]
    assert len(page.data) == 17
    assert page.url == fake.url("/artists/San%20Holo/events?date=upcoming&app_id=REDACTED")
    assert [p.data for p in client.iter_artist_events("Ekali")] == [
        fixture_json("bandsintown_artist_events_excerpt.json")["Ekali"]
    ]


@pytest.mark.parametrize(
    ("name", "encoded"),
    [
        ("AC/DC", "AC%252FDC"),
        ("Why?", "Why%253F"),
        ("P!nk*", "P%21nk%252A"),
        ('"Weird Al" Yankovic', "%27CWeird%20Al%27C%20Yankovic"),
        ("Guns N' Roses", "Guns%20N'%20Roses"),
        ("Sigur Rós", "Sigur%20R%C3%B3s"),
        ("#1 Dads & Co", "%231%20Dads%20%26%20Co"),
    ],
)
def test_bandsintown_artist_names_are_encoded_as_documented(name, encoded):
    assert encode_artist_name(name) == encoded


def test_bandsintown_encoded_name_reaches_the_server_unchanged(fake, http, clock):
    client = make(BandsintownClient, fake, http, clock)
    with pytest.raises(SourceApiError, match=r"\[NotFound\] The artist was not found") as info:
        client.artist_events("AC/DC")
    assert fake.requests[0].raw_path == "/artists/AC%252FDC/events"
    assert info.value.status_code == 404
    assert not info.value.retryable


def test_bandsintown_date_range(fake, http, clock):
    client = make(BandsintownClient, fake, http, clock)
    page = client.artist_events("ekali", date="2022-08-01,2022-09-30")
    assert fake.requests[0].param("date") == "2022-08-01,2022-09-30"
    assert [e["datetime"] for e in page.data] == ["2022-08-19T19:00:00", "2022-09-24T21:00:00"]
    with pytest.raises(ValueError, match="upcoming"):
        client.artist_events("Ekali", date="soon")


def test_bandsintown_error_body_with_200_is_an_error(fake, http, clock):
    client = make(BandsintownClient, fake, http, clock)
    fake.fail(
        "/artists/Ekali/events", status=200, body={"errorMessage": "[NotFound] The artist was not found"}
    )
    with pytest.raises(SourceApiError, match="NotFound") as info:
        client.artist_events("Ekali")
    assert info.value.status_code == 404
    assert not info.value.retryable


# --- Ticketmaster Discovery -------------------------------------------------------------------


def test_ticketmaster_event_search_request_and_embedded_events(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock)

    page = client.search_events(keyword="radiohead", classificationName="music", countryCode="US")

    (request,) = fake.requests
    assert request.path == "/discovery/v2/events.json"
    assert {k: v[0] for k, v in request.query.items()} == {
        "keyword": "radiohead",
        "classificationName": "music",
        "countryCode": "US",
        "page": "0",
        "size": "20",
        "apikey": fake.keys["ticketmaster"],
    }
    assert page.data["_embedded"]["events"] == [fixture_json("ticketmaster_discovery_event.json")]
    assert page.data["page"] == {"size": 20, "totalElements": 1, "totalPages": 1, "number": 0}
    assert "apikey=REDACTED" in page.url
    assert fake.keys["ticketmaster"] not in page.url
    assert page.headers["rate-limit"] == "5000"


def test_ticketmaster_pages_by_page_number_until_the_last(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock)

    pages = list(client.iter_events(size=1))

    assert [r.param("page") for r in fake.requests] == ["0", "1", "2"]
    assert [p.data["_embedded"]["events"][0]["id"] for p in pages] == [
        "vvG1VZKS5pr1qy",
        "G5diZfkn0B-bh",
        "Z698xZu0Zaaxy",
    ]
    assert [p.page_index for p in pages] == [0, 1, 2]


def test_ticketmaster_deep_paging_cap(http, clock):
    with FakeApis(ticketmaster_total=1500) as fake:
        client = make(TicketmasterClient, fake, http, clock)
        pages = list(client.iter_events(size=200))
        assert [r.param("page") for r in fake.requests] == ["0", "1", "2", "3", "4"]
        assert sum(len(p.data["_embedded"]["events"]) for p in pages) == 1000
        with pytest.raises(ValueError, match="first 1000 items"):
            client.search_events(page=5, size=200)


def test_ticketmaster_venues_attractions_and_details(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock)

    venues = [v["id"] for p in client.iter_venues(size=2) for v in p.data["_embedded"]["venues"]]
    attractions = [a["id"] for p in client.iter_attractions() for a in p.data["_embedded"]["attractions"]]

    assert venues == ["KovZpZAaEldA", "KovZpZA7AAEA", "Z598xZu0Zdv61", "KovZpZAFnIEA"]
    assert attractions == ["K8vZ917uc57", "K8vZ91713wV", "K8vZ9171Lz0", "K8vZ9175BhV"]
    assert client.venue("KovZpZAFnIEA").data == fixture_json("ticketmaster_discovery_v2_get-venue.json")
    assert client.attraction("K8vZ9175BhV").data["name"] == "!!!"
    assert client.event("Z698xZu0Zaaxy").data["dates"]["status"]["code"] == "rescheduled"
    assert fake.requests[-1].path == "/discovery/v2/events/Z698xZu0Zaaxy.json"
    with pytest.raises(SourceApiError, match="DIS1004") as info:
        client.event("nope")
    assert info.value.status_code == 404


def test_ticketmaster_empty_search_has_no_embedded(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock)
    pages = list(client.iter_events(keyword="no such band"))
    assert len(pages) == 1
    assert "_embedded" not in pages[0].data


def test_ticketmaster_daily_quota_uses_rate_limit_reset(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock, wall_clock=lambda: 1_700_000_000.0)
    fault = {
        "fault": {
            "faultstring": "Rate limit quota violation. Quota limit  exceeded. Identifier : REDACTED",
            "detail": {"errorcode": "policies.ratelimit.QuotaViolation"},
        }
    }
    fake.fail(
        "/discovery/v2/events.json",
        status=429,
        body=fault,
        headers={"Rate-Limit-Reset": str((1_700_000_000 + 7200) * 1000)},
    )
    with pytest.raises(SourceApiError, match="QuotaViolation") as info:
        client.search_events()
    assert info.value.quota_exhausted
    assert info.value.retryable
    assert info.value.retry_after == 7200
    assert len(fake.requests) == 1


def test_ticketmaster_quota_reset_of_5000_digits_is_clamped_to_a_day(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock, wall_clock=lambda: 1_700_000_000.0)
    fault = {
        "fault": {"faultstring": "Rate limit quota violation.", "detail": {"errorcode": "QuotaViolation"}}
    }
    fake.fail("/discovery/v2/events.json", status=429, body=fault, headers={"Rate-Limit-Reset": "9" * 5000})
    with pytest.raises(SourceApiError, match="QuotaViolation") as info:
        client.search_events()
    assert info.value.quota_exhausted
    assert info.value.retry_after == MAX_WAIT_SECONDS


# --- common behaviour, for every client -------------------------------------------------------

CALLS = {
    "google_places": (GooglePlacesClient, "/v1/places:searchText", lambda c: c.search_text("music venues")),
    "yelp": (YelpClient, "/v3/businesses/search", lambda c: c.search_businesses(location="Seattle")),
    "bandsintown": (BandsintownClient, "/artists/Ekali/events", lambda c: c.artist_events("Ekali")),
    "ticketmaster": (TicketmasterClient, "/discovery/v2/events.json", lambda c: c.search_events()),
}
ALL = pytest.mark.parametrize("api", sorted(CALLS))


@ALL
def test_429_waits_retry_after_then_succeeds(fake, http, clock, api):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    fake.fail(path, status=429, times=2, retry_after=3)

    page = call(client)

    assert page.status_code == 200
    assert page.attempts == 3
    assert clock.sleeps == [3.0, 3.0]
    assert len(fake.requests_to(path)) == 3


@ALL
def test_429_with_a_http_date_retry_after(fake, http, clock, api):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    # An HTTP date has one-second resolution and we compare with the real time: allow a second.
    fake.fail(path, status=429, retry_after=formatdate(time.time() + 5, usegmt=True))
    assert call(client).attempts == 2
    assert 3.0 <= clock.sleeps[0] <= 5.0


@ALL
def test_5xx_is_retried_with_backoff_then_given_up_with_a_reason(fake, http, clock, api):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    fake.fail(path, status=503, times=10)

    with pytest.raises(SourceApiError) as info:
        call(client)

    error = info.value
    assert error.retryable
    assert error.status_code == 503
    assert "(HTTP 503)" in error.reason
    assert error.reason.endswith("Gave up after 4 attempts.")
    assert error.reason.startswith(cls.label)
    assert len(fake.requests_to(path)) == 4
    # Exponential backoff with equal jitter (jitter fixed at 0.5): 3/4 of 1, 2, 4 seconds.
    assert clock.sleeps == [0.75, 1.5, 3.0]


@ALL
def test_a_500_then_success(fake, http, clock, api):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    fake.fail(path, status=500)
    assert call(client).attempts == 2
    assert len(clock.sleeps) == 1


@ALL
def test_a_long_retry_after_is_left_to_the_pipeline(fake, http, clock, api):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock, retry=RetryPolicy(max_retry_after_seconds=60))
    fake.fail(path, status=429, retry_after=3600)
    with pytest.raises(SourceApiError, match="rate limit") as info:
        call(client)
    assert info.value.retryable
    assert info.value.retry_after == 3600
    assert clock.sleeps == []
    assert len(fake.requests) == 1


@ALL
def test_missing_key_is_a_clear_error(http, api):
    cls = CALLS[api][0]
    for key in ("", "   "):
        with pytest.raises(MissingApiKeyError) as info:
            cls(api_key=key, http=http)
        assert cls.key_setting in info.value.reason
        assert not info.value.retryable


@ALL
def test_a_wrong_key_is_refused_and_never_shown(fake, http, clock, api, caplog):
    cls, path, call = CALLS[api]
    secret = "sk-live-DO-NOT-LEAK-1234567890"
    client = make(cls, fake, http, clock, api_key=secret)

    with caplog.at_level(logging.DEBUG), pytest.raises(SourceApiError) as info:
        call(client)

    error = info.value
    assert not error.retryable
    assert error.status_code in (400, 401, 403)
    assert cls.key_setting in error.reason
    assert len(fake.requests) == 1  # refused keys are not retried
    assert secret not in str(error)
    assert secret not in repr(client)
    assert secret not in caplog.text


@ALL
def test_keys_are_redacted_from_transport_errors_and_logs(http, clock, api, caplog):
    cls, _path, call = CALLS[api]
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    secret = "sk-live-DO-NOT-LEAK-abcdef"
    client = cls(
        api_key=secret,
        base_url=f"http://127.0.0.1:{port}",
        http=http,
        min_interval_seconds=0,
        sleep=clock.sleep,
        retry=RetryPolicy(max_attempts=2),
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(SourceApiError, match="could not be reached") as info:
        call(client)
    assert info.value.retryable
    assert info.value.__cause__ is None  # the httpx exception (with the URL) is not chained
    assert secret not in str(info.value)
    assert secret not in caplog.text


@ALL
def test_successful_calls_log_no_key(fake, http, clock, api, caplog):
    cls, _path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    with caplog.at_level(logging.DEBUG):
        call(client)
    assert "-> 200" in caplog.text
    assert fake.keys[api] not in caplog.text  # httpx's own "HTTP Request: GET ..." line included


def test_a_silent_server_times_out_as_a_retryable_error(http, clock):
    with socket.socket() as server:  # accepts connections (backlog) but never answers
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        client = TicketmasterClient(
            api_key="k-1234",
            base_url=f"http://127.0.0.1:{server.getsockname()[1]}",
            http=http,
            timeout_seconds=0.2,
            min_interval_seconds=0,
            sleep=clock.sleep,
            retry=RetryPolicy(max_attempts=2),
        )
        with pytest.raises(SourceApiError, match=r"did not answer within 0.2 s. Gave up after 2 attempts"):
            client.search_events()


def test_min_interval_spaces_calls(fake, http, clock):
    client = make(BandsintownClient, fake, http, clock, min_interval_seconds=0.5)
    for _ in range(3):
        client.artist_events("Ekali")
    assert clock.sleeps == [0.5, 0.5]


def test_a_429_slows_the_next_calls_too(fake, http, clock):
    client = make(YelpClient, fake, http, clock, min_interval_seconds=0.2)
    fake.fail("/v3/businesses/search", status=429, retry_after=2)
    client.search_businesses(location="Seattle")
    client.search_businesses(location="Seattle")
    # The 2 s Retry-After, then (the clock having moved past both) the minimum interval.
    assert clock.sleeps == [2.0, 0.2]


def test_response_larger_than_max_bytes_is_refused(fake, http, clock):
    client = make(TicketmasterClient, fake, http, clock, max_bytes=1000)
    with pytest.raises(SourceApiError, match="more than 1000 bytes") as info:
        client.event("G5diZfkn0B-bh")
    assert not info.value.retryable


def test_redact_helper():
    text = "GET https://x/e.json?apikey=abc123&page=1&app_id=zz9 Authorization: Bearer tok.en-1 key sk-1234"
    assert redact(text, ["sk-1234"]) == (
        "GET https://x/e.json?apikey=REDACTED&page=1&app_id=REDACTED Authorization: Bearer REDACTED key REDACTED"
    )


def test_retainable_bodies_keep_ids_only(fake, http, clock):
    """Storage terms: what may be kept of a Google or Yelp response is its IDs."""
    places = make(GooglePlacesClient, fake, http, clock).place_details(GOOGLEPLEX, fields="*")
    assert "Googleplex" in places.body.decode()
    assert json.loads(google_places.retainable_body(places.data)) == {"places": [{"id": GOOGLEPLEX}]}
    search = make(YelpClient, fake, http, clock).search_businesses(location="Carlsbad")
    kept = json.loads(yelp.retainable_body(search.data))
    assert kept == {
        "businesses": [{"id": HANDELS}, {"id": "spIGAtquYQ0S7xai5eJSuA"}, {"id": "4kMBvIEWPxWkWKFN__8SxQ"}]
    }


def test_clients_do_not_import_django():
    code = (
        "import sys, sourcing.clients, tests.fake_apis\n"
        "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_clients_from_settings(settings, http, fake):
    from sourcing.api_clients import api_client_for

    settings.YELP_API_KEY = fake.keys["yelp"]
    settings.YELP_BASE_URL = fake.base_url
    client = api_client_for("yelp", http=http)
    assert isinstance(client, YelpClient)
    assert client.base_url == fake.base_url
    assert client.search_businesses(location="Seattle").data["total"] == 3

    settings.TICKETMASTER_API_KEY = ""
    with pytest.raises(MissingApiKeyError, match="set TICKETMASTER_API_KEY in the environment"):
        api_client_for("ticketmaster", http=http)
    settings.GOOGLE_PLACES_API_KEY = "k-1234"
    settings.GOOGLE_PLACES_BASE_URL = ""
    assert api_client_for("google_places", http=http).base_url == "https://places.googleapis.com"


@ALL
@pytest.mark.parametrize("retry_after", ["inf", "9" * 5000, "Fri, 31 Dec 9999 23:59:59 GMT"])
def test_an_absurd_retry_after_is_clamped_and_left_to_the_pipeline(fake, http, clock, api, retry_after):
    cls, path, call = CALLS[api]
    client = make(cls, fake, http, clock)
    fake.fail(path, status=429, retry_after=retry_after)
    with pytest.raises(SourceApiError, match="rate limit") as info:
        call(client)
    assert info.value.retryable
    assert info.value.retry_after == MAX_WAIT_SECONDS  # a day, not an OverflowError or years
    assert clock.sleeps == []
