"""The published contract without a database: the schema files are what the models generate, the
serialisers publish only what the contract allows, and the size limits count as the targets do."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from sync.contract import COORD_PRECISIONS, SCHEMA_VERSION, json_schemas
from sync.serializers import (
    ContractViolation,
    algolia_payload,
    artist_document,
    content_hash,
    firestore_payload,
    images,
    performance_document,
    public_external_ids,
    search_record,
    street_line,
    venue_document,
)
from sync.targets.limits import algolia_problem, firestore_document_size, firestore_problem
from tests.sync.schemas import SCHEMAS, leaks, problems

ROOT = Path(__file__).resolve().parents[2]
WHEN = dt.datetime(2026, 3, 1, 18, 30, tzinfo=dt.UTC)
VENUE_ID, ARTIST_ID, SHOW_ID = (
    "01J0VENVE00000000000000000",
    "6K0ART1ST00000000000000000",
    "3P0SH0W0000000000000000000",
)


def venue(**overrides):
    return {
        "public_id": VENUE_ID,
        "status": "active",
        "name": "Fremont Abbey Arts Center",
        "former_names": [],
        "kind": "venue",
        "street": "4272 Fremont Ave N, Seattle, WA 98103, USA",
        "locality": "Seattle",
        "region": "WA",
        "postal_code": "98103",
        "country": "US",
        "latitude": 47.6588,
        "longitude": -122.3501,
        "coord_precision": "",
        "timezone": "America/Los_Angeles",
        "phone": "+12064141792",
        "website": "https://fremontabbey.org/",
        "socials": ["https://www.instagram.com/fremontabbey/", "javascript:alert(1)"],
        "capacity": 0,
        "image_urls": [],
        "image_variants": [],
        "external_ids": {
            "source:fremont-abbey": ["fp:53839e753170aef9"],
            "source:google-places": ["google_place:ChIJ123"],
            "google_place": ["ChIJ123"],
            "yelp": ["fremont-abbey-seattle"],
            "songkick": ["29331"],
            "dice_venue": ["10639"],
            "made_up_service": ["1"],
        },
    } | overrides


def show(**overrides):
    return {
        "public_id": SHOW_ID,
        "status": "active",
        "name": "Elysian Fields",
        "event_status": "scheduled",
        "ticket_status": "instock",
        "venue": {
            "public_id": VENUE_ID,
            "name": "Fremont Abbey",
            "locality": "Seattle",
            "region": "WA",
            "country": "us",
            "latitude": 47.6588,
            "longitude": -122.3501,
        },
        "artists": [{"public_id": ARTIST_ID, "name": "Elysian Fields", "billing": "headliner", "order": 0}],
        "local_date": "2026-03-01",
        "local_start_time": "19:30:00",
        "local_doors_time": None,
        "timezone": "America/Los_Angeles",
        "starts_at": dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC),
        "time_precision": "exact",
        "previous_dates": ["2026-02-20", "not a date"],
        "offers": [
            {"url": "https://tickets.example/1", "price": 25, "currency": "usd", "availability": "instock"},
            {"url": None, "price": None, "currency": "USD", "availability": "instock"},  # says nothing
            {"url": None, "min_price": 10.0, "max_price": 30.0, "currency": "EUR"},
        ],
        "url": "https://fremontabbey.org/events/elysian-fields",
        "image_urls": [],
        "image_variants": [],
        "external_ids": {"bandsintown_event": ["103512941"], "source:bandsintown": ["103512941"]},
    } | overrides


def record_of(entity_type, doc):
    record = search_record(entity_type, doc)
    assert record is not None
    return algolia_payload(record)


def test_the_schema_files_are_what_the_models_generate():
    generated = json_schemas()
    on_disk = {
        str(p.relative_to(SCHEMAS)): json.loads(p.read_text()) for p in SCHEMAS.glob("*/*.schema.json")
    }
    assert set(on_disk) == set(generated), "run `make schemas` and commit sync/schemas/"
    for name, schema in generated.items():
        assert on_disk[name] == schema, f"{name} is stale: run `make schemas` and commit sync/schemas/"
        Draft202012Validator.check_schema(schema)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"].endswith(f":v{SCHEMA_VERSION}")


def test_the_check_command_fails_on_a_stale_file(tmp_path):
    run = [sys.executable, "manage.py", "sync_schemas", "--dir", str(tmp_path)]
    subprocess.run(run, cwd=ROOT, check=True, capture_output=True)
    assert subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True).returncode == 0
    stale = tmp_path / "algolia" / "venues.schema.json"
    stale.write_text(stale.read_text().replace('"_geoloc"', '"geoloc"'))
    checked = subprocess.run([*run, "--check"], cwd=ROOT, capture_output=True, text=True)
    assert checked.returncode != 0
    assert "algolia/venues.schema.json differs" in checked.stderr


def test_a_venue_document_publishes_only_what_the_contract_allows():
    doc = venue_document(venue(), updated_at=WHEN)
    data = firestore_payload(doc)

    assert problems("firestore", "evt_venues", data) == []
    assert leaks(data) == []
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["updated_at"] == WHEN  # a datetime: the client writes a Firestore Timestamp
    # The street lines alone, the rest of the address in its own fields
    assert data["address"] == {
        "street": "4272 Fremont Ave N",
        "locality": "Seattle",
        "region": "WA",
        "postal_code": "98103",
        "country": "US",
    }
    assert data["location"] == {"lat": 47.6588, "lng": -122.3501, "precision": "reported"}
    # Public IDs only, under their public keys; ours, Google's, Yelp's and unknown services' stay home
    assert data["external_ids"] == {"dice": ["10639"], "songkick": ["29331"]}
    assert data["socials"] == ["https://www.instagram.com/fremontabbey/"]
    assert data["capacity"] is None


def test_a_performance_embeds_its_venue_and_bill_and_keeps_offers_that_say_something():
    doc = performance_document(show(), updated_at=WHEN)
    data = firestore_payload(doc)

    assert problems("firestore", "evt_performances", data) == []
    assert data["status"] == "active"
    assert data["event_status"] == "scheduled"
    assert data["venue"] == {
        "id": VENUE_ID,
        "name": "Fremont Abbey",
        "locality": "Seattle",
        "region": "WA",
        "country": "US",
        "location": {"lat": 47.6588, "lng": -122.3501},
    }
    assert data["artist_ids"] == [ARTIST_ID]
    assert data["starts_at"] == dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC)
    assert data["previous_dates"] == ["2026-02-20"]
    assert [(o["price"], o["min_price"], o["currency"]) for o in data["offers"]] == [
        (25.0, None, "USD"),
        (None, 10.0, "EUR"),
    ]
    assert data["external_ids"] == {"bandsintown": ["103512941"]}

    record = record_of("performance", doc)
    assert problems("algolia", "performances", record) == []
    assert record["_geoloc"] == {"lat": 47.6588, "lng": -122.3501}
    assert record["starts_at"] == int(dt.datetime(2026, 3, 2, 3, 30, tzinfo=dt.UTC).timestamp())
    assert record["updated_at"] == int(WHEN.timestamp())
    assert (record["venue"], record["venue_id"], record["artists"]) == (
        "Fremont Abbey",
        VENUE_ID,
        ["Elysian Fields"],
    )


def test_a_record_without_coordinates_has_no_geoloc_and_an_unpublished_venue_is_not_embedded():
    doc = venue_document(venue(latitude=None, longitude=None), updated_at=WHEN)
    record = record_of("venue", doc)
    assert "_geoloc" not in record
    assert problems("algolia", "venues", record) == []
    hidden = show(venue={**show()["venue"], "publishable": False})
    assert performance_document(hidden, updated_at=WHEN).venue is None


def test_one_image_shape_for_every_entity():
    processed = [
        {
            "url": "https://img.example/a.jpg",
            "width": 1600,
            "height": 900,
            "variants": {"480": "/media/images/ab/x/480.webp", "160": "/media/images/ab/x/160.webp"},
            "license": None,
            "attribution": None,
        }
    ]
    artist = {
        "public_id": ARTIST_ID,
        "status": "active",
        "name": "ODESZA",
        "artist_type": "Group",
        "url": "https://www.odesza.com",
        "images": [
            {"url": "https://img.example/a.jpg", "license": "CC BY 4.0", "attribution": "Jane"},
            {"url": "data:image/png;base64,AAAA"},
        ],
        "image_variants": processed,
        "external_ids": {"musicbrainz": ["06aaec3c-bb3a-4476-91b4-92e56b885dfa"], "spotify": ["not-an-id"]},
    }
    doc = artist_document(artist, updated_at=WHEN)
    data = firestore_payload(doc)
    assert problems("firestore", "evt_artists", data) == []
    assert data["images"] == [
        {
            "url": "https://img.example/a.jpg",
            "width": 1600,
            "height": 900,
            "variants": [
                {"url": "/media/images/ab/x/160.webp", "width": 160},
                {"url": "/media/images/ab/x/480.webp", "width": 480},
            ],
            "license": "CC BY 4.0",
            "attribution": "Jane",
        }
    ]
    assert data["type"] == "group"
    assert data["external_ids"] == {"musicbrainz": ["06aaec3c-bb3a-4476-91b4-92e56b885dfa"]}
    assert record_of("artist", doc)["image"] == "/media/images/ab/x/160.webp"
    # Not processed yet: the original, no variants
    assert images(["https://img.example/b.jpg"], processed)[0].variants == []


def test_an_entity_outside_the_contract_is_refused_with_the_reason():
    with pytest.raises(ContractViolation, match="name: String should have at least 1 character"):
        venue_document(venue(name="  "), updated_at=WHEN)
    with pytest.raises(ContractViolation, match="event_status"):
        performance_document(show(event_status="merged"), updated_at=WHEN)


@pytest.mark.parametrize(
    ("street", "expected"),
    [
        ("4272 Fremont Ave N, Seattle, WA 98103, USA", "4272 Fremont Ave N"),
        ("4272 Fremont Ave N, Seattle, WA 98103, United States", "4272 Fremont Ave N"),
        ("1245 10th Ave E", "1245 10th Ave E"),
        ("Suite 2, 400 North 35th Street", "Suite 2, 400 North 35th Street"),  # nothing repeats
        ("Seattle", "Seattle"),  # never emptied
        ("400 N 35th St, Portland, OR", "400 N 35th St, Portland, OR"),  # another city: kept
    ],
)
def test_street_keeps_the_street_lines(street, expected):
    assert street_line(street, locality="Seattle", region="WA", postal_code="98103", country="US") == expected


def test_external_ids_need_their_service_form():
    ids = public_external_ids(
        {
            "wikidata": ["Q123", "https://www.wikidata.org/wiki/Q123"],
            "website": ["band.example/tour", "https://band.example"],
            "spotify": ["4Z8W4fKeB5YxbusRsdQVPb"],
            "instagram": ["odesza"],
            "bandsintown_artist": ["3213796", "3213796"],
        }
    ).model_dump()
    assert ids == {
        "bandsintown": ["3213796"],
        "instagram": ["odesza"],
        "spotify": ["4Z8W4fKeB5YxbusRsdQVPb"],
        "website": ["band.example/tour"],
        "wikidata": ["Q123"],
    }


# One link of each kind the entities' link classifier types (entities.resolution.links), as pages and
# APIs give them: each must come out of the contract under its own key, in the form the classifier gave.
LINKS_BY_SCHEME = {
    "apple_music": "https://music.apple.com/us/artist/odesza/560042429",
    "bandcamp": "https://odesza.bandcamp.com/album/a-moment-apart",
    "bandsintown": "https://www.bandsintown.com/a/3213796-odesza",
    "bluesky": "https://bsky.app/profile/odesza.bsky.social",
    "deezer": "https://www.deezer.com/fr/artist/4675226",
    "discogs": "https://www.discogs.com/artist/2917343-Odesza",
    "facebook": "https://www.facebook.com/odesza/",
    "instagram": "https://www.instagram.com/odesza/?hl=en",
    "lastfm": "https://www.last.fm/music/ODESZA",
    "musicbrainz": "https://musicbrainz.org/artist/D0B14B3F-9C45-4D5B-8DCD-7D4DEDC24B0B",
    "songkick": "https://www.songkick.com/artists/5963554-odesza",
    "soundcloud": "https://soundcloud.com/odesza",
    "spotify": "spotify:artist:21mKp7DqtSNHhCAU2ugvUw",
    "threads": "https://www.threads.net/@odesza",
    "tidal": "https://tidal.com/browse/artist/5220135",
    "tiktok": "https://www.tiktok.com/@odesza",
    "twitter": "https://x.com/odesza",
    "website": "https://www.ODESZA.com/tour/?utm_source=x",
    "wikidata": "https://www.wikidata.org/wiki/Special:EntityPage/q18703087",
    "wikipedia": "https://en.wikipedia.org/wiki/Odesza",
    "youtube": "https://www.youtube.com/channel/UCJzOtCdI5DBIvSBvCc9RCnQ",
}


def test_every_link_the_entities_type_is_published_under_its_key():
    from entities.resolution.links import LASTFM, RESOLVING_SCHEMES, WEBSITE, WIKIPEDIA, classify_link

    # A scheme the classifier learns must be placed in the contract (published, or listed private).
    assert set(LINKS_BY_SCHEME) == RESOLVING_SCHEMES | {WEBSITE, WIKIPEDIA, LASTFM}
    typed = {}
    for scheme, link in LINKS_BY_SCHEME.items():
        found = classify_link(link)
        assert found is not None, link
        assert found.scheme == scheme, link
        typed[scheme] = [found.value]
    assert public_external_ids(typed).model_dump() == typed


@pytest.mark.parametrize(
    "link",
    [
        "https://www.youtube.com/@ODESZA",
        "https://www.youtube.com/user/odeszamusic",
        "https://www.youtube.com/c/odesza",
        "https://www.facebook.com/profile.php?id=100044158271352",
        "https://www.facebook.com/pages/Odesza/123456789",
        "https://band.example",
    ],
)
def test_the_other_forms_of_a_typed_link_are_published_too(link):
    from entities.resolution.links import classify_link

    found = classify_link(link)
    assert found is not None
    ids = {found.scheme: [found.value]}
    assert public_external_ids(ids).model_dump() == ids


def test_content_hash_ignores_updated_at_only():
    doc = firestore_payload(venue_document(venue(), updated_at=WHEN))
    later = {**doc, "updated_at": WHEN + dt.timedelta(days=1)}
    assert content_hash(doc) == content_hash(later)
    assert content_hash(doc) != content_hash({**doc, "name": "Other"})


def test_firestore_size_counts_as_firestore_documents_it():
    # The worked example of Firestore's "Storage size calculations": a task document of 147 bytes.
    task = {"type": "Personal", "done": False, "priority": 1, "description": "Learn Cloud Firestore"}
    assert firestore_document_size("users/jeff/tasks", "my_task_id", task) == 147
    assert firestore_problem("evt_venues", VENUE_ID, {"name": "x" * 1_000_000}) is None
    reason = firestore_problem("evt_venues", VENUE_ID, {"name": "x" * 1_048_576})
    assert reason is not None
    assert "over its limit of 1,048,576 bytes" in reason


def test_algolia_size_is_the_minified_record():
    record = {"objectID": VENUE_ID, "name": "é" * 4000}
    assert algolia_problem(record, max_bytes=10_000) is None
    reason = algolia_problem({**record, "name": "é" * 5000}, max_bytes=10_000)
    assert reason is not None
    assert "10,000 bytes" in reason


def test_coordinate_precisions_are_those_geocoding_gives():
    from entities.enrichment.geocoding import PRECISIONS

    assert COORD_PRECISIONS == PRECISIONS
    doc = venue_document(venue(coord_precision="postal_code"), updated_at=WHEN)
    assert doc.location is not None
    assert doc.location.precision == "postal_code"
    doc = venue_document(venue(coord_precision="somewhere"), updated_at=WHEN)
    assert doc.location is not None
    assert doc.location.precision is None


def test_public_ids_are_random_not_time_ordered():
    from ulid import ULID

    from entities.models import new_public_id

    ids = [new_public_id() for _ in range(1000)]
    assert len(set(ids)) == 1000
    assert ids != sorted(ids)  # made one after another, yet not in key order: no hotspot
    assert len({i[0] for i in ids}) >= 6  # spread over the key space, not under one prefix
    pattern = json_schemas()["firestore/evt_venues.schema.json"]["$defs"]["VenueDocument"]["properties"]["id"]
    validator = Draft202012Validator(pattern)
    assert all(validator.is_valid(i) for i in ids)
    assert str(ULID.from_str(ids[0])) == ids[0]  # the ULID form earlier IDs have, so URLs keep working


def test_the_firestore_indexes_name_fields_of_the_contract():
    indexes = json.loads((ROOT / "sync" / "firestore.indexes.json").read_text())
    schemas = json_schemas()

    def has(collection: str, path: str) -> bool:
        schema = schemas[f"firestore/{collection}.schema.json"]
        node = next(
            d for n, d in schema["$defs"].items() if n.endswith("Document") and n != "RedirectDocument"
        )
        for part in path.split("."):
            props = node.get("properties", {})
            if part not in props:
                return False
            node = props[part]
            refs = [node] + node.get("anyOf", [])
            ref = next((r["$ref"] for r in refs if "$ref" in r), None)
            if ref:
                node = schema["$defs"][ref.rsplit("/", 1)[1]]
        return True

    named = [(i["collectionGroup"], f["fieldPath"]) for i in indexes["indexes"] for f in i["fields"]]
    named += [(o["collectionGroup"], o["fieldPath"]) for o in indexes["fieldOverrides"]]
    assert named
    assert [(c, p) for c, p in named if not has(c, p)] == []


def test_published_links_carry_no_tracking_and_none_of_our_credentials():
    tracked = "https://www.bandsintown.com/t/1024726167?app_id=6e37869bb&came_from=267&utm_source=public_api"
    doc = performance_document(
        show(
            url=tracked,
            offers=[{"url": tracked, "price": 20}],
            image_urls=["https://cdn.example/a.jpg?token=s1"],
        ),
        updated_at=WHEN,
    )
    assert doc.url == "https://www.bandsintown.com/t/1024726167?came_from=267"
    assert doc.offers[0].url == "https://www.bandsintown.com/t/1024726167?came_from=267"
    assert doc.images[0].url == "https://cdn.example/a.jpg?token=s1"  # a signed image URL stays whole


def test_the_examples_in_the_consumer_docs_fit_the_schemas():
    import re

    text = (ROOT / "docs" / "consumers.md").read_text()
    examples = re.findall(r"### (Firestore|Algolia) `(\w+)`\n\n```json\n(.*?)\n```", text, re.S)
    assert {(t.lower(), c) for t, c, _ in examples} == {
        ("firestore", "evt_venues"),
        ("firestore", "evt_artists"),
        ("firestore", "evt_performances"),
        ("algolia", "venues"),
        ("algolia", "artists"),
        ("algolia", "performances"),
    }
    for target, collection, body in examples:
        doc = json.loads(body)
        assert problems(target.lower(), collection, doc) == [], collection
        assert leaks(doc) == []
