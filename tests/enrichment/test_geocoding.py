"""Offline geocoding and country inference on real venues the code was never tuned on: each address is
written as the venue's own page writes it (no coordinates, usually no country), and the answer must land
near the real place, in the right IANA zone (tzfpy at the real point is the truth).

Families: US states split between zones (the region table alone is wrong there), US single-zone states,
an international phone number and no country, and a national phone number or none outside the US."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import tzfpy

from entities.enrichment.geocoding import (
    Address,
    Geocode,
    GeocodeMiss,
    geocode_offline,
    google_candidates,
    google_precision,
    google_result,
    infer_country,
    region_countries,
)
from entities.merging.timing import timezone_at, timezone_for_region

# Real venues as their pages write them, with the true point (see tests/fixtures/enrichment/README.md);
# bench/geocode.py reports the same cases' distances per family.
HELD_OUT = {
    family: [
        (
            v["name"],
            v["street"],
            v["locality"],
            v["region"],
            v["postal_code"],
            v["phone"],
            v["latitude"],
            v["longitude"],
        )
        for v in venues
    ]
    for family, venues in json.loads(
        (
            Path(__file__).resolve().parent.parent / "fixtures" / "enrichment" / "heldout_venues.json"
        ).read_text()
    ).items()
}
CASES = [(family, *case) for family, cases in HELD_OUT.items() for case in cases]


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


@pytest.mark.parametrize(
    ("family", "name", "street", "locality", "region", "postal", "phone", "lat", "lng"),
    CASES,
    ids=[f"{c[0]}:{c[1]}" for c in CASES],
)
def test_held_out_venue_lands_in_its_zone(
    gazetteer, family, name, street, locality, region, postal, phone, lat, lng
):
    guess = infer_country(
        country="",
        region=region,
        postal_code=postal,
        phone=phone,
        locality=locality,
        default_region="US",
        gazetteer=gazetteer,
    )
    assert guess.country is not None, guess.reason
    address = Address(street=street, locality=locality, region=region, postal_code=postal)
    found = geocode_offline(
        address,
        country=guess.country,
        gazetteer=gazetteer,
        region_zone=timezone_for_region(guess.country, region),
    )
    assert isinstance(found, Geocode), found
    assert found.precision in ("postal_code", "city")
    distance = _km((found.latitude, found.longitude), (lat, lng))
    assert distance < 30, f"{name}: {found.label} is {distance:.0f} km away"
    assert timezone_at(found.latitude, found.longitude) == tzfpy.get_tz(lng, lat)


@pytest.mark.parametrize(
    ("kwargs", "country"),
    [
        ({"phone": "+49 30 61401306"}, "DE"),
        ({"phone": "0049 30 61401306"}, "DE"),
        ({"region": "Colorado"}, "US"),
        ({"region": "CO", "postal_code": "80218", "locality": "Denver"}, "US"),
        # WA is also Western Australia: the phone's country code decides
        ({"region": "WA", "phone": "+61 8 9328 7062"}, "AU"),
        # ... and without one, the deployment's default region among the candidates
        ({"region": "WA"}, "US"),
        ({"region": "NSW"}, "AU"),
        # A country name we cannot read falls back on the other evidence
        ({"country": "Deutschland", "phone": "+49 30 61401306"}, "DE"),
        ({"country": "USA"}, "US"),
        # A national number valid in DEFAULT_PHONE_REGION
        ({"phone": "(303) 832-1874"}, "US"),
        ({"postal_code": "80218", "locality": "Denver"}, "US"),
    ],
)
def test_infer_country(gazetteer, kwargs, country):
    args = {"country": "", "region": "", "postal_code": "", "phone": "", "locality": ""} | kwargs
    assert infer_country(**args, default_region="US", gazetteer=gazetteer).country == country


def test_contradictory_or_missing_evidence_gives_no_country(gazetteer):
    none = infer_country(
        country="", region="", postal_code="", phone="", locality="", default_region="US", gazetteer=gazetteer
    )
    assert none.country is None
    assert "no country" in none.reason
    # A 5-digit code fits the default, but no US place has this name: not guessed
    foreign = infer_country(
        country="",
        region="",
        postal_code="10999",
        phone="",
        locality="Kreuzberg-Friedrichshain",
        default_region="US",
        gazetteer=gazetteer,
    )
    assert foreign.country is None
    assert region_countries("Narnia") == frozenset()


def test_misses_say_why(gazetteer):
    assert geocode_offline(Address(locality="Denver"), country=None, gazetteer=gazetteer) == GeocodeMiss(
        "the country is unknown, so a postal code or city name is ambiguous"
    )
    miss = geocode_offline(Address(locality="Atlantis Under The Sea"), country="FR", gazetteer=gazetteer)
    assert isinstance(miss, GeocodeMiss)
    assert miss.reason == "no place named 'Atlantis Under The Sea' in FR"
    springfield = geocode_offline(Address(locality="Springfield"), country="US", gazetteer=gazetteer)
    assert isinstance(springfield, GeocodeMiss)
    assert "several places named so" in springfield.reason
    # With its state, Springfield is one place
    assert isinstance(
        geocode_offline(Address(locality="Springfield", region="IL"), country="US", gazetteer=gazetteer),
        Geocode,
    )


def test_a_postal_code_far_from_the_named_city_gives_way_to_the_city(gazetteer):
    # 10001 is Manhattan; the page says Denver: the city is what readers see on the page
    found = geocode_offline(
        Address(locality="Denver", region="CO", postal_code="10001"), country="US", gazetteer=gazetteer
    )
    assert isinstance(found, Geocode)
    assert (found.precision, found.source) == ("city", "gazetteer:geonames")
    assert "is elsewhere" in found.label


def test_google_answers_keep_coordinates_place_id_and_precision():
    rooftop = {
        "results": [
            {
                "geometry": {"location": {"lat": 40.7142205, "lng": -73.9612903}, "location_type": "ROOFTOP"},
                "place_id": "ChIJd8BlQ2BZwokRAFUEcm_qrcA",
                "types": ["street_address"],
                "address_components": [{"short_name": "US", "types": ["country", "political"]}],
                "formatted_address": "277 Bedford Ave, Brooklyn, NY 11211, USA",
            }
        ],
        "status": "OK",
    }
    (candidate,) = google_candidates(rooftop)
    assert google_precision(candidate) == "rooftop"
    result = google_result([candidate], country="US")
    assert result == Geocode(
        40.7142205, -73.9612903, "rooftop", "google_geocoding", "match", "ChIJd8BlQ2BZwokRAFUEcm_qrcA"
    )
    assert isinstance(google_result([candidate], country="DE"), GeocodeMiss)
