"""Links on pages and in APIs become typed external IDs on canonical entities, and those IDs resolve:
an artist source carrying a Spotify link joins the artist that holds it, whatever its name says."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from entities.models import Artist, ExternalId, Venue
from extraction.adapters import links as adapter_links
from tests.factories import SourceFactory, _ingest

pytestmark = [pytest.mark.django_db]

SPOTIFY_ID = "0OdUWJ0sBjDrqHygGUXeCF"


def _show(venue: dict[str, Any], artist: dict[str, Any], day: int = 1) -> dict[str, Any]:
    return {
        "performances": [
            {
                "name": f"{artist['name']} live",
                "local_date": (dt.date(2031, 5, 1) + dt.timedelta(days=day)).isoformat(),
                "venue": venue,
                "performers": [{"artist": artist, "billing": "headliner"}],
            }
        ]
    }


VENUE = {
    "source_key": "hall",
    "name": "Linked Hall",
    "address": {"locality": "Portland", "region": "OR", "country": "US"},
    "website": "https://linkedhall.example/",
    "socials": ["https://www.instagram.com/LinkedHall/", "https://m.facebook.com/linkedhall?ref=bookmarks"],
}


def test_artist_and_venue_links_become_typed_ids():
    source = SourceFactory.create(name="hall-site")
    artist = {
        "source_key": "band-1",
        "name": "Band of Horses",
        "url": "https://bandofhorses.com/",
        "external_ids": {
            "spotify": SPOTIFY_ID,
            "bandcamp": "https://bandofhorses.bandcamp.com/album/x",
            "musicbrainz": "0F0A4D5B-9C3E-4E4B-8AE8-4A1C6D2B1E01",
        },
    }
    _ingest(source, _show(VENUE, artist))
    band = Artist.objects.get()
    assert band.external_ids == {
        "bandcamp": ["bandofhorses"],
        "musicbrainz": ["0f0a4d5b-9c3e-4e4b-8ae8-4a1c6d2b1e01"],
        "source:hall-site": ["band-1"],
        "spotify": [SPOTIFY_ID],
        "website": ["bandofhorses.com"],
    }
    hall = Venue.objects.get()
    assert hall.external_ids["instagram"] == ["linkedhall"]
    assert hall.external_ids["facebook"] == ["linkedhall"]
    assert hall.external_ids["website"] == ["linkedhall.example"]
    rows = set(ExternalId.objects.filter(public_id=band.public_id).values_list("scheme", "value"))
    assert ("spotify", SPOTIFY_ID) in rows
    assert ("bandcamp", "bandofhorses") in rows


def test_an_artist_source_with_a_spotify_link_resolves_to_the_artist_holding_it():
    site = SourceFactory.create(name="hall-site")
    listings = SourceFactory.create(name="city-listings", priority=20)
    _ingest(
        site,
        _show(VENUE, {"source_key": "b1", "name": "Band of Horses", "external_ids": {"spotify": SPOTIFY_ID}}),
    )
    # Another source spells the name differently, but links the same Spotify artist (as a URL in sameAs).
    other = {
        "source_key": "bandofhorses",
        "name": "Band Of Horses (US)",
        "url": f"https://open.spotify.com/intl-fr/artist/{SPOTIFY_ID}?si=abc",
    }
    _ingest(listings, _show({**VENUE, "source_key": "linked-hall"}, other, day=3))
    assert Artist.objects.count() == 1
    band = Artist.objects.get()
    assert sorted(band.external_ids) == ["source:city-listings", "source:hall-site", "spotify"]


def test_a_shared_website_alone_does_not_resolve():
    """A calendar that gives its own page as every performer's URL must not make them one artist."""
    site = SourceFactory.create(name="hall-site")
    page = "https://linkedhall.example/events/"
    _ingest(site, _show(VENUE, {"source_key": "a", "name": "First Band", "url": page}))
    _ingest(site, _show(VENUE, {"source_key": "b", "name": "Second Band", "url": page}, day=2))
    assert sorted(Artist.objects.values_list("name", flat=True)) == ["First Band", "Second Band"]


def test_the_adapters_already_classify_registries_we_now_type():
    # The extraction adapters keep a registry link's URL where they have no ID pattern (bandcamp):
    # the typed ID comes from that URL at recompute (test above), not from the adapter.
    assert adapter_links.external_ids(["https://x.bandcamp.com/"]) == {"bandcamp": "https://x.bandcamp.com/"}
