"""What the API answers when something is wrong, and that it says so plainly: a wrong key is never
anonymous (401), a key without the staff scope is 403, key-authenticated requests are never
CSRF-checked, a staff session is, and an unacceptable scrape URL is a 422 that says why."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from core.api_keys import api_key_create, api_key_revoke
from mystage.pipeline.workers import LAST_SEEN_KEY
from sourcing.models import Scrape
from tests.factories import build_review_world

pytestmark = pytest.mark.django_db

SCRAPES = "/api/pipeline/scrapes"
GOOD_URL = {"url": "https://example.org/events", "source": "api-test"}


@pytest.fixture
def world():
    return build_review_world()


@pytest.fixture
def staff_key():
    return api_key_create(name="staff", is_staff=True)[1]


@pytest.fixture
def public_key():
    return api_key_create(name="partner")[1]


def post(client, payload, **headers):
    return client.post(SCRAPES, payload, content_type="application/json", **headers)


def public_paths(world) -> list[str]:
    return [
        "/api/venues",
        f"/api/venues/{world.hall.public_id}",
        "/api/artists",
        "/api/performances",
        "/api/search?q=hall",
    ]


@pytest.mark.parametrize("key", ["ms_bogus", "not-even-our-prefix", "ms_" + "x" * 300])
def test_a_wrong_key_is_401_even_on_public_endpoints(world, key):
    for path in [*public_paths(world), "/api/pipeline/stats"]:
        response = Client().get(path, HTTP_X_API_KEY=key)
        assert response.status_code == 401, path
        assert "Unknown or revoked API key" in response.json()["detail"]


def test_a_revoked_key_is_401(world):
    api_key, raw = api_key_create(name="old", is_staff=True)
    assert Client().get("/api/venues", HTTP_X_API_KEY=raw).status_code == 200
    api_key_revoke(api_key=api_key)
    assert Client().get("/api/venues", HTTP_X_API_KEY=raw).status_code == 401
    assert post(Client(), GOOD_URL, HTTP_X_API_KEY=raw).status_code == 401


def test_no_key_is_anonymous_on_public_endpoints_and_401_on_staff_ones(world):
    for path in public_paths(world):
        assert Client().get(path).status_code == 200, path
    for path in ["/api/pipeline/stats", "/api/pipeline/status", "/api/pipeline/scrapes/1"]:
        response = Client().get(path)
        assert response.status_code == 401, path
        assert response.json() == {"detail": "Unauthorized"}


def test_a_valid_key_without_the_staff_scope_is_403_on_staff_endpoints(world, public_key):
    for path in ["/api/pipeline/stats", "/api/pipeline/status"]:
        response = Client().get(path, HTTP_X_API_KEY=public_key)
        assert response.status_code == 403, path
        assert "staff-scoped API key" in response.json()["detail"]
    # A POST too: 403 for the scope, never a CSRF failure.
    response = post(Client(enforce_csrf_checks=True), GOOD_URL, HTTP_X_API_KEY=public_key)
    assert response.status_code == 403
    assert "CSRF" not in response.json()["detail"]


def test_a_logged_in_member_who_is_not_staff_is_403(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("fan"))
    assert client.get("/api/pipeline/stats").status_code == 403
    assert client.get("/api/venues").status_code == 200


def test_key_authenticated_requests_are_never_csrf_checked(staff_key, django_user_model):
    client = Client(enforce_csrf_checks=True)
    # Even with a staff session cookie beside the key, the key decides and no CSRF token is asked for.
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    response = post(client, GOOD_URL, HTTP_X_API_KEY=staff_key)
    assert response.status_code == 202, response.content


def test_a_staff_session_needs_the_csrf_token_on_unsafe_methods(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("staff", is_staff=True))
    refused = post(client, GOOD_URL)
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert client.get("/api/pipeline/stats").status_code == 200  # safe methods need no token
    client.get("/admin/")  # its logout form sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    assert post(client, GOOD_URL, HTTP_X_CSRFTOKEN=token).status_code == 202


def test_anonymous_post_is_401_not_a_csrf_failure():
    response = post(Client(enforce_csrf_checks=True), GOOD_URL)
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.0.0.1/x", "private"),
        ("http://127.0.0.1:8000/x", "private, loopback"),
        ("http://[::1]:8771/x", "IPv6"),
        ("http://user:secret@example.org/", "user name or password"),
        ("http://example.org:22/", "Port 22"),
        ("http://example.org:70000/", "Not a valid URL"),
        ("javascript:alert(1)", "Only http and https"),
        ("http://localhost/", "not a public host name"),
        ("http://2130706433/", "unusual notation"),
    ],
)
def test_unacceptable_scrape_urls_are_422_with_the_reason(staff_key, url, reason):
    response = post(Client(), {"url": url, "source": "api-test"}, HTTP_X_API_KEY=staff_key)
    assert response.status_code == 422, response.content
    (issue,) = response.json()["detail"]
    assert issue["loc"] == ["body", "payload", "url"]
    assert reason in issue["msg"]
    assert not Scrape.objects.exists()


def test_allowed_private_hosts_may_be_scraped(staff_key, settings):
    settings.SCRAPE_ALLOWED_PRIVATE_HOSTS = ["127.0.0.1"]
    response = post(
        Client(), {"url": "http://127.0.0.1:8000/x", "source": "api-test"}, HTTP_X_API_KEY=staff_key
    )
    assert response.status_code == 202


def test_a_body_that_is_not_json_is_400(staff_key):
    response = Client().post(SCRAPES, "{not json", content_type="application/json", HTTP_X_API_KEY=staff_key)
    assert response.status_code == 400
    assert response.json()["detail"]


def test_the_202_says_when_no_worker_has_been_seen(staff_key):
    body = post(Client(), GOOD_URL, HTTP_X_API_KEY=staff_key).json()
    assert body["queued"] is True
    assert body["worker_running"] is False
    assert "No worker has been seen" in body["detail"]
    assert "make run" in body["detail"]


def test_the_202_says_nothing_more_while_a_worker_was_seen_within_the_minute(staff_key):
    from django.utils import timezone

    caches["workers"].set(LAST_SEEN_KEY, timezone.now().isoformat(), timeout=None)
    body = post(Client(), GOOD_URL, HTTP_X_API_KEY=staff_key).json()
    assert (body["worker_running"], body["detail"]) == (True, "Queued.")


def test_every_documented_error_has_a_body_schema():
    schema = Client().get("/api/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "401" in codes, (method, path)
            for code in codes - {"200", "202", "301"}:
                assert operation["responses"][code]["content"]["application/json"]["schema"], (path, code)
