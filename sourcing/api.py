"""Pipeline API: submit a URL to scrape, read a scrape's status, see pipeline counts."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.security import django_auth

from sourcing import services
from sourcing.models import Scrape, Source, SourceKind, UrlKind

router = Router(tags=["pipeline"], auth=django_auth)


class ScrapeRequestIn(Schema):
    url: str
    source: str
    source_kind: str = SourceKind.VENUE_SITE
    url_kind: str = UrlKind.LISTING


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
    with transaction.atomic():
        source = Source.objects.filter(name=payload.source).first() or services.source_upsert(
            name=payload.source, kind=payload.source_kind
        )
        url = services.url_add(source=source, url=payload.url, kind=payload.url_kind)
        scrape = services.scrape_request(url=url, requested_by="api")
    if scrape is None:
        open_scrape = Scrape.objects.filter(url=url, status__in=["pending", "running"]).first()
        return Status(
            202,
            {
                "scrape_id": open_scrape.pk if open_scrape else None,
                "url_id": url.pk,
                "queued": False,
                "detail": "A scrape of this URL is already queued.",
            },
        )
    return Status(202, {"scrape_id": scrape.pk, "url_id": url.pk, "queued": True, "detail": "Queued."})


@router.get("/scrapes/{scrape_id}", response=ScrapeOut)
def get_scrape(request: HttpRequest, scrape_id: int) -> Any:
    return get_object_or_404(
        Scrape.objects.select_related("url").prefetch_related("extractions"), pk=scrape_id
    )


@router.get("/stats")
def stats(request: HttpRequest) -> dict[str, Any]:
    from mystage.pipeline import pipeline_counts

    return pipeline_counts()
