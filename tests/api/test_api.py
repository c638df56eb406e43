"""The REST API: public details without provenance, staff details with it (session or API key), search,
bounds, redirects of merged IDs, and the pipeline endpoints behind staff auth."""

from __future__ import annotations

import pytest
from django.test import Client

from core.api_keys import api_key_create
from entities.models import Artist, Performance
from entities.services import venue_merge
from tests.factories import VenueFactory, build_review_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_review_world()


@pytest.fixture
def staff_key():
    return api_key_create(name="staff", is_staff=True)[1]


def _detail(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("kind", ["venues", "artists", "performances"])
def test_anonymous_details_hide_provenance_and_sources(world, kind):
    entity = {
        "venues": world.hall,
        "artists": Artist.objects.first(),
        "performances": Performance.objects.first(),
    }[kind]
    body = _detail(Client(), f"/api/{kind}/{entity.public_id}")
    assert body["id"] == entity.public_id
    assert (body["provenance"], body["sources"], body["locked_fields"]) == (None, None, None)


@pytest.mark.parametrize("kind", ["venues", "artists", "performances"])
def test_staff_key_sees_provenance_and_sources(world, staff_key, kind):
    entity = {
        "venues": world.hall,
        "artists": Artist.objects.first(),
        "performances": Performance.objects.first(),
    }[kind]
    body = _detail(Client(), f"/api/{kind}/{entity.public_id}", HTTP_X_API_KEY=staff_key)
    assert body["provenance"]
    assert body["sources"][0]["source"] == "hidden-hall"
    assert body["sources"][0]["page_url"].startswith("http://")


def test_staff_session_sees_sources_and_others_do_not(world, django_user_model):
    path = f"/api/venues/{world.hall.public_id}"
    client = Client()
    client.force_login(django_user_model.objects.create_user("fan"))
    assert _detail(client, path)["sources"] is None
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    assert _detail(client, path)["sources"][0]["key"] == "hall"


def test_public_keys_see_public_fields_only(world):
    api_key, public = api_key_create(name="partner")
    path = f"/api/venues/{world.hall.public_id}"
    assert _detail(Client(), path, HTTP_X_API_KEY=public)["sources"] is None
    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


def test_search_finds_names_former_names_and_aliases(world):
    venue_merge(winner=world.hall, loser=world.listed)
    body = Client().get("/api/search", {"q": "fremont"}).json()
    assert [v["name"] for v in body["venues"]] == [
        "Hidden Hall"
    ]  # "Hidden Hall (Fremont)" is a former name now
    assert [p["name"] for p in body["performances"]] == ["Fremont Folk Night"]
    assert Client().get("/api/search", {"q": "quiet"}).json()["artists"]
    assert Client().get("/api/performances", {"q": "quiet ones"}).json()["count"] == 1


def test_merged_ids_redirect_to_the_final_survivor(world):
    third = VenueFactory.create(name="Hidden Hall Annex")
    venue_merge(winner=world.listed, loser=third)
    venue_merge(winner=world.hall, loser=world.listed)
    response = Client().get(f"/api/venues/{third.public_id}")
    assert response.status_code == 301
    assert response["Location"].endswith(f"/api/venues/{world.hall.public_id}")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/venues/not%20an%20id", 404),
        ("/api/venues/01ZZZZZZZZZZZZZZZZZZZZZZZZ", 404),
        ("/api/venues?limit=0", 422),
        ("/api/venues?limit=100000", 422),
        ("/api/venues?offset=99999999999999999999999", 422),
        ("/api/venues?q=%00nul", 200),
        ("/api/performances?status=unknown", 422),
        ("/api/performances?date_from=2026-13-01", 422),
    ],
)
def test_bad_input_is_a_client_error(path, status):
    assert Client().get(path).status_code == status


def test_pipeline_accepts_a_staff_key(world, staff_key, settings):
    settings.SCRAPE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    payload = {"url": "http://127.0.0.1:8/x", "source": "api-test"}
    response = Client().post(
        "/api/pipeline/scrapes", payload, content_type="application/json", HTTP_X_API_KEY=staff_key
    )
    assert response.status_code == 202, response.content
    scrape_id = response.json()["scrape_id"]
    status = Client().get(f"/api/pipeline/scrapes/{scrape_id}", HTTP_X_API_KEY=staff_key).json()
    assert status["url"] == "http://127.0.0.1:8/x"
    overview = Client().get("/api/pipeline/status", HTTP_X_API_KEY=staff_key).json()
    assert overview["counts"]["venues"] == 2
    assert overview["queue"]["broker"] in ("orm", "redis")
    assert set(overview["workers"]) == {"running", "clusters", "workers", "last_seen", "detail"}


def test_openapi_documents_the_api_key():
    schema = Client().get("/api/openapi.json").json()
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-API-Key",
    }
    assert schema["paths"]["/api/venues/{public_id}"]["get"]["security"] == [
        {"ApiKeyAuth": []},
        {"StaffSession": []},
        {},
    ]
    assert schema["paths"]["/api/pipeline/stats"]["get"]["security"] == [
        {"ApiKeyAuth": []},
        {"StaffSession": []},
    ]
    assert "/api/search" in schema["paths"]
    assert Client().get("/api/docs").status_code == 200
