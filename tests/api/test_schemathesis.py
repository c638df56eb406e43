"""Property-based run of every API operation against our own OpenAPI schema (schemathesis, through the
WSGI app, no server) with all of schemathesis' checks: whatever the input, every response is one the
schema documents, with the body it documents, and no response is a server error.

Runs with a staff API key, so that the staff-only paths (pipeline endpoints, sources in details) are
exercised too, on a database holding a few real entities. Examples are limited to keep it short.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from core.api_keys import api_key_create
from entities.models import Artist
from entities.services import venue_merge
from mystage.wsgi import application
from tests.factories import (
    ArtistFactory,
    EntitySourceFactory,
    ExtractionFactory,
    PerformanceArtistFactory,
    PerformanceFactory,
    VenueFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """Django closes a connection it thinks obsolete at each request's start and end; inside the test's
    transaction on PostgreSQL that would end the transaction. Django's test client unhooks this too."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def entities() -> None:
    """A venue with a source and a show with two acts, one merged venue (a redirect) and a merged artist."""
    venue = VenueFactory.create(name="Hidden Hall", provenance={"name": {"source": "hall", "reason": "only"}})
    EntitySourceFactory.create(
        venue=venue, data={"name": "Hidden Hall"}, extraction=ExtractionFactory.create()
    )
    show = PerformanceFactory.create(venue=venue, name="The Quiet Ones")
    PerformanceArtistFactory.create(performance=show)
    PerformanceArtistFactory.create(performance=show, order=1)
    venue_merge(winner=venue, loser=VenueFactory.create(name="Hidden Hall (Fremont)"))
    winner, loser = ArtistFactory.create(), ArtistFactory.create()
    Artist.objects.filter(pk=loser.pk).update(status="merged", merged_into=winner)


@pytest.fixture
def staff_key(entities) -> str:
    return api_key_create(name="schemathesis", is_staff=True)[1]


# Every built-in check runs (server errors, status codes, content types, headers, response schemas,
# negative data rejected, positive data accepted, ignored auth, missing headers, unsupported methods...).
# One expectation is widened, for one operation, with its reason: a URL may match the documented form
# (http(s)://...) and still name a destination the scraping policy refuses (a private or link-local
# address, a bad port, a host that cannot be public). SCRAPE_ALLOWED_PRIVATE_HOSTS decides part of that,
# so no static schema can spell it out; such a URL is a documented 422 that says why.
CONFIG = SchemathesisConfig.from_str(
    """
[[operations]]
include-path = "/api/pipeline/scrapes"
include-method = "POST"
checks.positive_data_acceptance.expected-statuses = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]
"""
)

# Loaded at import (the schema is static; pytest-django has configured Django by now). The lazy
# `schemathesis.pytest.from_fixture` loader does not work with pytest 9 (it writes Function._nodeid).
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application, config=CONFIG)

HYPOTHESIS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)


@schema.parametrize()
@settings(HYPOTHESIS, max_examples=25)
def test_api_conforms_with_a_staff_key(case, staff_key):
    case.call_and_validate(headers={"X-API-Key": staff_key})


@schema.parametrize()
@settings(HYPOTHESIS, max_examples=8)
def test_api_conforms_anonymously(case, entities):
    case.call_and_validate()
