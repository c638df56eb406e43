"""A change to an artist or a venue re-publishes every document that embeds it: renaming an artist
(through the staff curation service, as the admin does) re-sends exactly the performances billing it,
to the Algolia wire server and the Firestore emulator, so searching the new name finds the shows; a
venue's new name and city reach its shows; a change nothing embeds (a phone) re-sends no show."""

from __future__ import annotations

import datetime as dt

import pytest

from entities.models import Artist, Performance, PerformanceArtist, Venue
from entities.services import entity_fields_lock
from sync.services import sync_mark_dirty, sync_push, target_for
from sync.targets.firestore import FirestoreTarget
from tests.sync.conftest import INDEX_PREFIX

pytestmark = [pytest.mark.django_db(transaction=True)]

PERFORMANCES, VENUES = f"{INDEX_PREFIX}performances", f"{INDEX_PREFIX}venues"


def bill() -> dict[str, list]:
    """Six shows at two venues; the headliner plays all six, the support act the first three."""
    venues = [
        Venue.objects.create(
            name=f"Hall {i}", locality="Seattle", country="US", timezone="America/Los_Angeles"
        )
        for i in range(2)
    ]
    headliner = Artist.objects.create(name="The Headliners")
    support = Artist.objects.create(name="Old Support Name")
    shows = []
    for i in range(6):
        show = Performance.objects.create(
            name=f"Night {i}", venue=venues[i % 2], local_date=dt.date(2026, 7, 1) + dt.timedelta(days=i)
        )
        PerformanceArtist.objects.create(performance=show, artist=headliner, order=0, billing="headliner")
        if i < 3:
            PerformanceArtist.objects.create(performance=show, artist=support, order=1, billing="support")
        shows.append(show)
    for entity_type, entities in (
        ("venue", venues),
        ("artist", [headliner, support]),
        ("performance", shows),
    ):
        for entity in entities:
            sync_mark_dirty(entity_type=entity_type, entity=entity)
    return {"venues": venues, "artists": [headliner, support], "shows": shows}


def sent_shows(algolia, since: int) -> list[str]:
    return [r["body"]["objectID"] for b in algolia.batches(PERFORMANCES)[since:] for r in b.body["requests"]]


def test_renaming_an_artist_or_a_venue_republishes_the_shows_in_algolia(algolia):
    made = bill()
    sync_push(target="algolia")
    support, shows = made["artists"][1], made["shows"]
    before = len(algolia.batches(PERFORMANCES))

    entity_fields_lock(entity=Artist.objects.get(pk=support.pk), values={"name": "New Support Name"})
    totals = sync_push(target="algolia")

    # The artist's record and exactly the three shows billing it, once each
    assert totals["written"] == 4
    assert sorted(sent_shows(algolia, before)) == sorted(s.public_id for s in shows[:3])
    records = algolia.records(PERFORMANCES)
    for show in shows[:3]:
        assert records[show.public_id]["artists"] == ["The Headliners", "New Support Name"]
    found = algolia.indexes[PERFORMANCES]
    hits = {oid for oid, r in found.records.items() if "New Support Name" in r["artists"]}
    assert hits == {s.public_id for s in shows[:3]}
    assert not [r for r in records.values() if "Old Support Name" in r["artists"]]

    # A venue's new name and city reach its shows (and only its shows)
    hall = Venue.objects.get(pk=made["venues"][0].pk)
    before = len(algolia.batches(PERFORMANCES))
    # The country is locked with them: a venue without sources has none of its own, and a phone number
    # could otherwise supply one (country inference), which performances do embed.
    entity_fields_lock(entity=hall, values={"name": "Hall Zero", "locality": "Tacoma", "country": "US"})
    sync_push(target="algolia")
    assert sorted(sent_shows(algolia, before)) == sorted(s.public_id for s in shows if s.venue_id == hall.pk)
    for show in shows:
        record = algolia.records(PERFORMANCES)[show.public_id]
        expected = ("Hall Zero", "Tacoma") if show.venue_id == hall.pk else ("Hall 1", "Seattle")
        assert (record["venue"], record["city"]) == expected

    # A phone number is not embedded: the venue's document changes, no show is sent
    before = len(algolia.batches(PERFORMANCES))
    entity_fields_lock(entity=Venue.objects.get(pk=hall.pk), values={"phone": "+12065550100"})
    sync_push(target="algolia")
    assert sent_shows(algolia, before) == []


def test_renaming_an_artist_republishes_the_shows_in_firestore(firestore):
    made = bill()
    sync_push(target="firestore")
    target = target_for("firestore")
    assert isinstance(target, FirestoreTarget)
    shows = made["shows"]
    refs = {s.public_id: target.client.collection("evt_performances").document(s.public_id) for s in shows}
    written = {pid: ref.get().update_time for pid, ref in refs.items()}
    stamped = {pid: (ref.get().to_dict() or {})["updated_at"] for pid, ref in refs.items()}

    entity_fields_lock(
        entity=Artist.objects.get(pk=made["artists"][1].pk), values={"name": "New Support Name"}
    )
    assert sync_push(target="firestore")["written"] == 4

    for show in shows:
        doc = refs[show.public_id].get()
        data = doc.to_dict() or {}
        names = [a["name"] for a in data["artists"]]
        if show in shows[:3]:
            assert names == ["The Headliners", "New Support Name"]
            assert doc.update_time > written[show.public_id]
            assert data["updated_at"] > stamped[show.public_id]  # the content changed
        else:
            assert names == ["The Headliners"]
            assert doc.update_time == written[show.public_id]  # untouched
    artist = target.get("evt_artists", made["artists"][1].public_id) or {}
    assert artist["name"] == "New Support Name"
