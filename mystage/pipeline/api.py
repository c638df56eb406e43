"""Pipeline API for staff (a staff session or a staff-scoped X-API-Key): submit a URL to scrape, read a
scrape's status, see pipeline counts, failures and the task queue."""

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import field_validator

from core.auth import STAFF_ONLY
from mystage.pipeline import dashboard
from mystage.pipeline.services import pipeline_counts
from sourcing import services
from sourcing.models import Scrape, SourceKind, UrlKind

router = Router(tags=["pipeline"], auth=STAFF_ONLY)


class ScrapeRequestIn(Schema):
    url: str = Field(..., max_length=2000, description="An http(s) URL.")
    source: str = Field(..., pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=100)
    source_kind: SourceKind = SourceKind.VENUE_SITE
    url_kind: UrlKind = UrlKind.LISTING

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        """Only http(s) URLs with a host (and a valid port) can be fetched."""
        try:
            parts = urlsplit(value.strip())
            parts.port  # noqa: B018 - raises ValueError on a port out of range
        except ValueError as exc:
            raise ValueError(f"not a URL: {exc}") from exc
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError("give an http or https URL with a host")
        if any(ch.isspace() or ord(ch) < 32 for ch in value.strip()):
            raise ValueError("a URL may not contain spaces or control characters")
        return value.strip()


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
    detail: str


@router.post("/scrapes", response={202: ScrapeRequestOut})
def request_scrape(request: HttpRequest, payload: ScrapeRequestIn) -> Any:
    scrape, url, queued = services.scrape_request_for_url(
        url=payload.url, source=payload.source, source_kind=payload.source_kind, url_kind=payload.url_kind
    )
    detail = "Queued." if queued else "A scrape of this URL is already queued."
    return Status(
        202,
        {"scrape_id": scrape.pk if scrape else None, "url_id": url.pk, "queued": queued, "detail": detail},
    )


@router.get("/scrapes/{scrape_id}", response=ScrapeOut)
def get_scrape(request: HttpRequest, scrape_id: int) -> Any:
    if not 0 < scrape_id < 2**63:
        raise HttpError(404, "No such scrape.")
    return get_object_or_404(
        Scrape.objects.select_related("url").prefetch_related("extractions"), pk=scrape_id
    )


@router.get("/stats")
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


class PipelineStatusOut(Schema):
    counts: dict[str, Any]
    failures: list[FailureOut]
    queue: QueueOut


@router.get("/status", response=PipelineStatusOut)
def status(request: HttpRequest) -> Any:
    """Counts, the most frequent failure reasons per stage, and the worker cluster's queue depth."""
    return {
        "counts": pipeline_counts(),
        "failures": [group.as_dict() for group in dashboard.failure_groups(limit=10)],
        "queue": dashboard.queue_depth(),
    }
