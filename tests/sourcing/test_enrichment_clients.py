"""The Google Geocoding and MusicBrainz clients against the local fake APIs (tests/fake_apis.py), which
serve the real saved responses: request shapes, Google's in-body statuses, MusicBrainz's User-Agent and
one-request-a-second rules, 429/503 handling, key redaction."""

from __future__ import annotations

import httpx
import pytest

from entities.enrichment.geocoding import google_candidates, google_precision
from sourcing.clients import MissingApiKeyError, SourceApiError
from sourcing.clients.google_geocoding import GoogleGeocodingClient, retainable_body
from sourcing.clients.musicbrainz import (
    MusicBrainzClient,
    artist_query,
    parse_artist,
    parse_search,
    parse_url_artists,
)
from tests.fake_apis import FakeApis
from tests.sourcing.test_clients import FakeTime

WITHIN_TEMPTATION = "eace2373-31c8-4aba-9a5c-7bce22dd140a"


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


def geocoder(fake, http, clock, **kwargs):
    options = {
        "api_key": fake.keys["google_geocoding"],
        "base_url": fake.base_url,
        "http": http,
        "sleep": clock.sleep,
        "clock": clock.clock,
        "jitter": lambda: 0.5,
    }
    return GoogleGeocodingClient(**(options | kwargs))


def musicbrainz(fake, http, clock, **kwargs):
    options = {
        "contact": "ops@mystage.example",
        "base_url": fake.base_url,
        "http": http,
        "sleep": clock.sleep,
        "clock": clock.clock,
        "jitter": lambda: 0.5,
    }
    return MusicBrainzClient(**(options | kwargs))


# --- Google Geocoding ---------------------------------------------------------------------------


def test_geocode_sends_address_components_and_key_and_reads_a_rooftop_answer(fake, http, clock):
    client = geocoder(fake, http, clock)
    page = client.geocode(
        "277 Bedford Ave, Brooklyn, NY 11211", components={"country": "US", "postal_code": "11211"}
    )
    (request,) = fake.requests_to("/maps/api/geocode/json")
    assert request.param("address") == "277 Bedford Ave, Brooklyn, NY 11211"
    assert request.param("components") == "country:US|postal_code:11211"
    assert request.param("key") == fake.keys["google_geocoding"]
    assert fake.keys["google_geocoding"] not in page.url
    assert "key=REDACTED" in page.url
    (candidate,) = google_candidates(page.data)
    assert (candidate.place_id, candidate.country, google_precision(candidate)) == (
        "ChIJd8BlQ2BZwokRAFUEcm_qrcA",
        "US",
        "rooftop",
    )
    # What the terms let us keep: place IDs and coordinates, nothing else of Google's answer
    kept = retainable_body(page.data).decode()
    assert "ChIJd8BlQ2BZwokRAFUEcm_qrcA" in kept
    assert "40.7142205" in kept
    assert "Bedford" not in kept
    assert "formatted_address" not in kept


def test_a_locality_answer_is_city_precision(fake, http, clock):
    page = geocoder(fake, http, clock).geocode(components={"locality": "santa cruz", "country": "ES"})
    candidates = google_candidates(page.data)
    assert [google_precision(c) for c in candidates] == ["city", "city"]
    assert candidates[0].country == "ES"


def test_zero_results_is_an_answer_and_errors_in_the_body_are_errors(fake, http, clock):
    client = geocoder(fake, http, clock)
    assert google_candidates(client.geocode("Nowhere Street 1, Atlantis").data) == []
    with pytest.raises(ValueError, match="address or components"):
        client.geocode("  ")
    wrong = geocoder(fake, http, clock, api_key="wrong-key-1234")
    with pytest.raises(SourceApiError, match="check GOOGLE_GEOCODING_API_KEY") as denied:
        wrong.geocode("277 Bedford Ave")
    assert not denied.value.retryable
    assert "wrong-key-1234" not in str(denied.value)
    with pytest.raises(MissingApiKeyError, match="GOOGLE_GEOCODING_API_KEY"):
        geocoder(fake, http, clock, api_key="")


def test_over_query_limit_and_daily_quota(fake, http, clock):
    client = geocoder(fake, http, clock)
    fake.fail("/maps/api/geocode/json", status=200, body={"results": [], "status": "OVER_QUERY_LIMIT"})
    with pytest.raises(SourceApiError) as slow_down:
        client.geocode("277 Bedford Ave")
    assert slow_down.value.retryable
    assert not slow_down.value.quota_exhausted
    fake.fail(
        "/maps/api/geocode/json",
        status=200,
        body={
            "results": [],
            "status": "OVER_DAILY_LIMIT",
            "error_message": "You have exceeded your daily request quota.",
        },
    )
    with pytest.raises(SourceApiError, match="quota is used up") as quota:
        client.geocode("277 Bedford Ave")
    assert quota.value.retryable
    assert quota.value.quota_exhausted
    # HTTP 503 from the front end is retried in the call, with backoff
    fake.fail("/maps/api/geocode/json", status=503, times=2)
    page = client.geocode("277 Bedford Ave")
    assert page.attempts == 3
    assert clock.sleeps[-2:] == [0.75, 1.5]


def test_a_kept_place_id_refreshes_its_coordinates(fake, http, clock):
    page = geocoder(fake, http, clock).place("ChIJd8BlQ2BZwokRAFUEcm_qrcA")
    assert fake.requests[-1].param("place_id") == "ChIJd8BlQ2BZwokRAFUEcm_qrcA"
    assert google_candidates(page.data)[0].latitude == 40.7142205


# --- MusicBrainz --------------------------------------------------------------------------------


def test_search_by_name_with_a_contact_user_agent_and_one_request_a_second(fake, http, clock):
    client = musicbrainz(fake, http, clock)
    first = client.search_artists("Manowar")
    second = client.search_artists("Burzum")
    requests = fake.requests_to("/ws/2/artist")
    assert [r.param("query") for r in requests] == ['artist:"Manowar"', 'artist:"Burzum"']
    assert all(r.param("fmt") == "json" for r in requests)
    assert requests[0].headers["user-agent"] == "MyStageSourcing/0.1 ( ops@mystage.example )"
    assert clock.sleeps == [1.0]  # the second call waited out the first one's second
    manowar = parse_search(first.data)
    assert [(a.name, a.score) for a in manowar[:2]] == [("Manowar", 100), ("Womanowar", 39)]
    top = manowar[0]
    assert (top.mbid, top.type, top.country, top.area, top.area_countries) == (
        "00eeed6b-5897-4359-8347-b8cd28375331",
        "Group",
        "US",
        "United States",
        (),
    )
    assert top.aliases == ("Man o' War",)
    burzum = parse_search(second.data)[0]
    assert (burzum.disambiguation, burzum.area, burzum.country) == ("Norwegian black metal", "Limousis", "")


def test_lookup_by_mbid_gives_genres_type_and_area(fake, http, clock):
    page = musicbrainz(fake, http, clock).lookup_artist(WITHIN_TEMPTATION.upper())
    request = fake.requests[-1]
    assert request.path == f"/ws/2/artist/{WITHIN_TEMPTATION}"
    assert request.param("inc") == "genres+url-rels"
    artist = parse_artist(page.data)
    assert artist is not None
    assert (artist.name, artist.type, artist.country, artist.area_countries) == (
        "Within Temptation",
        "Group",
        "NL",
        ("NL",),
    )
    assert artist.genres == ("symphonic metal", "gothic metal", "metal")  # most votes first
    assert artist.links == ()  # this saved lookup asked for artist relationships, not URLs
    with pytest.raises(SourceApiError, match="HTTP 404") as missing:
        musicbrainz(fake, http, clock).lookup_artist("00000000-0000-0000-0000-000000000000")
    assert not missing.value.retryable
    with pytest.raises(ValueError, match="not a MusicBrainz ID"):
        musicbrainz(fake, http, clock).lookup_artist("Within Temptation")


def test_url_lookup_names_the_artist_a_link_belongs_to(fake, http, clock):
    page = musicbrainz(fake, http, clock).lookup_url("https://open.spotify.com/artist/3hE8S8ohRErocpkY7uJW4a")
    assert fake.requests[-1].param("inc") == "artist-rels"
    assert [a.mbid for a in parse_url_artists(page.data)] == [WITHIN_TEMPTATION]


def test_rate_limited_503_is_retried_and_a_missing_contact_refuses_to_start(fake, http, clock):
    client = musicbrainz(fake, http, clock)
    fake.fail("/ws/2/artist", status=503, times=1)
    page = client.search_artists("Manowar")
    assert page.attempts == 2
    assert parse_search(page.data)[0].name == "Manowar"
    with pytest.raises(MissingApiKeyError, match="MUSICBRAINZ_CONTACT"):
        musicbrainz(fake, http, clock, contact=" ")
    # MusicBrainz blocks agents that name no contact: the fake does too, and the client never sends one
    blocked = http.get(fake.url("/ws/2/artist"), params={"query": "x", "fmt": "json"})
    assert blocked.status_code == 403


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("Manowar", 'artist:"Manowar"'),
        ("AC/DC", 'artist:"AC\\/DC"'),
        ("Sunn O)))", 'artist:"Sunn O\\)\\)\\)"'),
    ],
)
def test_artist_query_escapes_lucene(name, query):
    assert artist_query(name) == query
