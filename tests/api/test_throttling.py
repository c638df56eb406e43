"""API rate limits: one budget per client address for anonymous callers, one per API key; over it, 429
with Retry-After, and another caller is not affected. Time is frozen (time-machine), never measured."""

from __future__ import annotations

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from core.api_keys import api_key_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _tight_rates(settings):
    settings.API_RATE_ANONYMOUS = "3/min"
    settings.API_RATE_AUTHENTICATED = "5/min"
    cache.clear()
    yield
    cache.clear()


def test_anonymous_callers_get_429_with_retry_after_past_their_budget():
    client = Client(REMOTE_ADDR="203.0.113.7")
    with time_machine.travel("2031-01-01 12:00:00", tick=False):
        statuses = [client.get("/api/venues").status_code for _ in range(4)]
        refused = client.get("/api/venues")

    assert statuses == [200, 200, 200, 429]
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_the_budget_comes_back_after_its_period():
    client = Client(REMOTE_ADDR="203.0.113.8")
    with time_machine.travel("2031-01-01 12:00:00", tick=False):
        for _ in range(3):
            client.get("/api/venues")
        assert client.get("/api/venues").status_code == 429
    with time_machine.travel("2031-01-01 12:01:01", tick=False):
        assert client.get("/api/venues").status_code == 200


def test_each_address_and_each_key_has_its_own_budget():
    _, raw = api_key_create(name="ops", is_staff=True)
    with time_machine.travel("2031-01-01 12:00:00", tick=False):
        for _ in range(3):
            Client(REMOTE_ADDR="203.0.113.9").get("/api/venues")
        assert Client(REMOTE_ADDR="203.0.113.9").get("/api/venues").status_code == 429
        # another address, and a key from the throttled address, still get through
        assert Client(REMOTE_ADDR="198.51.100.1").get("/api/venues").status_code == 200
        keyed = Client(REMOTE_ADDR="203.0.113.9")
        statuses = [keyed.get("/api/pipeline/stats", HTTP_X_API_KEY=raw).status_code for _ in range(6)]

    assert statuses == [200] * 5 + [429]
