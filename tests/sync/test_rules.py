"""sync/firestore.rules against the Firestore emulator, as a client that is not an admin: anyone reads
published documents (entities and redirects) a page at a time, nobody writes, every other path is closed.

The emulator takes rules per project (`PUT /emulator/v1/projects/{p}:securityRules`) and evaluates
them for requests without `Authorization: Bearer owner`; our pipeline's client sends that token (admin
credentials in production), which rules do not apply to."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

from entities.models import Performance, Venue
from entities.services import venue_merge
from sync.services import sync_push
from tests.sync.conftest import FIRESTORE_HOST, FIRESTORE_PROJECT, firestore_wipe, make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

RULES = Path(__file__).resolve().parents[2] / "sync" / "firestore.rules"
PROJECT = f"{FIRESTORE_PROJECT}-rules"
DOCS = f"http://{FIRESTORE_HOST}/v1/projects/{PROJECT}/databases/(default)/documents"


def call(method: str, url: str, body: Any = None, *, admin: bool = False) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json"}
    if admin:
        headers["Authorization"] = "Bearer owner"
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urlopen(Request(url, data=data, method=method, headers=headers), timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def query(collection: str, *, limit: int | None, where: tuple[str, str] | None = None) -> tuple[int, Any]:
    structured: dict[str, Any] = {"from": [{"collectionId": collection}]}
    if limit is not None:
        structured["limit"] = limit
    if where is not None:
        field, value = where
        structured["where"] = {
            "fieldFilter": {"field": {"fieldPath": field}, "op": "EQUAL", "value": {"stringValue": value}}
        }
    return call("POST", f"{DOCS}:runQuery", {"structuredQuery": structured})


@pytest.fixture
def ruled(firestore, sync_settings):
    """The rules loaded for a project of this test's own, and sync writing to it."""
    sync_settings.FIRESTORE_PROJECT = PROJECT
    firestore_wipe(FIRESTORE_HOST, PROJECT)
    status, answer = call(
        "PUT",
        f"http://{FIRESTORE_HOST}/emulator/v1/projects/{PROJECT}:securityRules",
        {"rules": {"files": [{"name": "firestore.rules", "content": RULES.read_text()}]}},
    )
    assert status == 200, answer  # the rules compile
    yield
    firestore_wipe(FIRESTORE_HOST, PROJECT)


def test_clients_read_published_documents_and_write_nothing(ruled):
    made = make_entities(venues=2, artists=1, performances=2)
    winner, loser = (Venue.objects.get(pk=v.pk) for v in made["venue"])
    venue_merge(winner=winner, loser=loser, reason="same place")
    # Our pipeline writes under the rules: its client is an admin
    assert sync_push(target="firestore")["failed"] == 0

    # Anyone reads an entity, and the redirect a merge left
    status, doc = call("GET", f"{DOCS}/evt_venues/{winner.public_id}")
    assert status == 200
    assert doc["fields"]["name"]["stringValue"] == "Venue 0"
    status, doc = call("GET", f"{DOCS}/evt_venues/{loser.public_id}")
    assert status == 200
    assert doc["fields"]["merged_into"]["stringValue"] == winner.public_id
    # ... and queries a page at a time: the shows at a venue
    show = Performance.objects.filter(venue=winner).first()
    assert show is not None
    status, rows = query("evt_performances", limit=100, where=("venue.id", winner.public_id))
    assert status == 200
    assert {r["document"]["name"].rsplit("/", 1)[1] for r in rows if "document" in r} == set(
        Performance.objects.filter(venue=winner).values_list("public_id", flat=True)
    )
    status, _ = query("evt_artists", limit=500)
    assert status == 200

    # A whole collection at once is refused
    assert query("evt_venues", limit=None)[0] == 403
    assert query("evt_venues", limit=501)[0] == 403

    # Nobody but the pipeline writes: create, update, delete
    new_doc = {"fields": {"name": {"stringValue": "Fake venue"}}}
    assert call("PATCH", f"{DOCS}/evt_venues/NEWVENUE", new_doc)[0] == 403
    assert call("PATCH", f"{DOCS}/evt_venues/{winner.public_id}", new_doc)[0] == 403
    assert call("DELETE", f"{DOCS}/evt_performances/{show.public_id}")[0] == 403
    assert (
        call("GET", f"{DOCS}/evt_venues/{winner.public_id}")[1]["fields"]["name"]["stringValue"] == "Venue 0"
    )

    # Every other path is closed, even to reading
    assert call("PATCH", f"{DOCS}/pipeline_state/x", new_doc, admin=True)[0] == 200
    assert call("GET", f"{DOCS}/pipeline_state/x")[0] == 403
    assert query("pipeline_state", limit=10)[0] == 403
    # The same write as an admin goes through: it is the rules that refused the client
    assert call("PATCH", f"{DOCS}/evt_venues/NEWVENUE", new_doc, admin=True)[0] == 200
