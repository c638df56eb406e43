"""Pipeline API for staff (a staff session or a staff-scoped X-API-Key): submit a URL to scrape, read a
scrape's status, see pipeline counts, failures and the task queue."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from core.api_errors import responses
from core.auth import STAFF_ONLY
from mystage.pipeline import dashboard
from mystage.pipeline.services import pipeline_counts
from mystage.pipeline.workers import worker_status
from sourcing import services
from sourcing.models import Scrape, SourceKind, UrlKind
from sourcing.urlnorm import MAX_URL_LENGTH, check_scrapable_url

router = Router(tags=["pipeline"], auth=STAFF_ONLY)


class ScrapeRequestIn(Schema):
    url: str = Field(
        ...,
        max_length=MAX_URL_LENGTH,
        description="An http(s) URL of a public host (no private address, IPv6 literal, user name or odd port).",
    )
    source: str = Field(..., pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=100)
    source_kind: SourceKind = SourceKind.VENUE_SITE
    url_kind: UrlKind = UrlKind.LISTING

    @field_validator("url")
    @classmethod
    def _scrapable(cls, value: str) -> str:
        """The one check of sourcing.urlnorm; its reason becomes the 422's message."""
        return check_scrapable_url(value, allowed_private=settings.SCRAPE_ALLOWED_PRIVATE_HOSTS)


class ScrapeOut(Schema):
    id: int
    url: str
    status: str
    attempts: int
    last_error: str
    http_status: int | None
    body_size: int | None
    unchanged: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None
    extractions: list[dict[str, Any]]

    @staticmethod
    def resolve_url(obj: Scrape) -> str:
        return obj.url.url

    @staticmethod
    def resolve_extractions(obj: Scrape) -> list[dict[str, Any]]:
        return [
            {
                "id": e.pk,
                "extractor": e.extractor,
                "version": e.extractor_version,
                "status": e.status,
                "performances": e.performance_count,
                "error": e.last_error,
            }
            for e in obj.extractions.all()
        ]


class ScrapeRequestOut(Schema):
    scrape_id: int | None
    url_id: int
    queued: bool
    worker_running: bool = Field(
        ..., description="Whether a worker cluster was seen in the last minute; without one the scrape waits."
    )
    detail: str


@router.post("/scrapes", response=responses({202: ScrapeRequestOut}, 400, 401, 403, 422))
def request_scrape(request: HttpRequest, payload: ScrapeRequestIn) -> Any:
    scrape, url, queued = services.scrape_request_for_url(
        url=payload.url, source=payload.source, source_kind=payload.source_kind, url_kind=payload.url_kind
    )
    detail = "Queued." if queued else "A scrape of this URL is already queued."
    workers = worker_status()
    if not workers.running:
        detail += " " + workers.describe()
    return Status(
        202,
        {
            "scrape_id": scrape.pk if scrape else None,
            "url_id": url.pk,
            "queued": queued,
            "worker_running": workers.running,
            "detail": detail,
        },
    )


@router.get("/scrapes/{scrape_id}", response=responses({200: ScrapeOut}, 401, 403, 404, 422))
def get_scrape(request: HttpRequest, scrape_id: int) -> Any:
    if not 0 < scrape_id < 2**63:
        raise HttpError(404, "No such scrape.")
    return get_object_or_404(
        Scrape.objects.select_related("url").prefetch_related("extractions"), pk=scrape_id
    )


@router.get("/stats", response=responses({200: dict[str, Any]}, 401, 403))
def stats(request: HttpRequest) -> dict[str, Any]:
    """Counts per stage and status, canonical entities, duplicates and sync state."""
    return pipeline_counts()


class FailureOut(Schema):
    stage: str
    status: str
    last_error: str
    count: int


class QueueOut(Schema):
    broker: str
    queued: int | None
    orm_queue: int | None
    successes: int
    failures: int


class WorkersOut(Schema):
    running: bool = Field(..., description="A worker cluster was seen in the last minute.")
    clusters: int = Field(..., description="Clusters whose heartbeat is fresh now.")
    workers: int
    last_seen: dt.datetime | None
    detail: str


class PipelineStatusOut(Schema):
    counts: dict[str, Any]
    failures: list[FailureOut]
    queue: QueueOut
    workers: WorkersOut


@router.get("/status", response=responses({200: PipelineStatusOut}, 401, 403))
def status(request: HttpRequest) -> Any:
    """Counts, the most frequent failure reasons per stage, the task queue and whether workers run."""
    workers = worker_status()
    return {
        "counts": pipeline_counts(),
        "failures": [group.as_dict() for group in dashboard.failure_groups(limit=10)],
        "queue": dashboard.queue_depth(),
        "workers": {
            "running": workers.running,
            "clusters": workers.clusters,
            "workers": workers.workers,
            "last_seen": workers.last_seen,
            "detail": workers.describe(),
        },
    }
