"""Source API queries in the pipeline: a ScheduledTask of kind "api_query" names a client call; each
page it returns is stored as a Scrape of its own URL and goes through routing and extraction like a
fetched page. Keys never reach a stored URL (the clients redact them)."""

from __future__ import annotations

import datetime as dt
import itertools
import logging
from collections.abc import Iterable
from typing import Any

import httpx
from django.db import transaction
from django.utils import timezone

from core.retry import clamp_wait
from core.stages import StageStatus, readable, unexpected_reason
from sourcing.api_clients import api_client_for
from sourcing.clients import ApiResponse, MissingApiKeyError, SourceApiError
from sourcing.models import ScheduledTask, Scrape, Source, Url, UrlKind
from sourcing.services import url_add
from sourcing.signals import scrape_stored

logger = logging.getLogger(__name__)
DEFAULT_MAX_PAGES = 10


def _page_url(page: ApiResponse) -> str:
    # A POST search (Places text search) has one URL for every page: the page number tells them apart.
    if page.request_body is None:
        return page.url
    separator = "&" if "?" in page.url else "?"
    return f"{page.url}{separator}_page={page.page_index}"


def api_page_store(*, source: Source, page: ApiResponse) -> Scrape:
    """Store one API page as a finished Scrape; hand it on for extraction unless its body is unchanged."""
    now = timezone.now()
    with transaction.atomic():
        url = url_add(source=source, url=_page_url(page), kind=UrlKind.API)
        unchanged = url.last_content_hash == page.content_hash
        scrape = Scrape.objects.create(
            url=url,
            requested_by="api_query",
            status=StageStatus.DONE,
            attempts=page.attempts,
            started_at=now - dt.timedelta(milliseconds=page.elapsed_ms),
            finished_at=now,
            http_status=page.status_code,
            final_url=page.url,
            content_type=page.content_type[:255],
            response_headers=page.headers,
            body_compressed=Scrape.compress(page.body),
            body_size=len(page.body),
            content_hash=page.content_hash,
            unchanged=unchanged,
            fetch_ms=page.elapsed_ms,
        )
        # An API page is refreshed by its query's schedule, never fetched by URL (it needs the key).
        Url.objects.filter(pk=url.pk).update(
            last_scraped_at=now, last_content_hash=page.content_hash, next_scrape_at=None
        )
        if not unchanged:
            scrape_stored.send(sender=Scrape, scrape=scrape)
    return scrape


def _call(client: Any, method: str, args: dict[str, Any]) -> Iterable[ApiResponse]:
    if method.startswith("_") or not callable(getattr(client, method, None)):
        raise ValueError(f"{type(client).__name__} has no method {method!r}.")
    result = getattr(client, method)(**args)
    return [result] if isinstance(result, ApiResponse) else result


def api_query_run(*, task_id: int) -> dict[str, int]:
    """Run one API query task: every page it returns (up to params["max_pages"]) becomes a Scrape.

    Any failure, expected (the API refused, a key is missing, the params are wrong) or not (a bug), is
    recorded on the task (`last_error`) and the query waits before it runs again (the API's Retry-After,
    at most a day, else 15 minutes); pages stored before it stay stored."""
    task = ScheduledTask.objects.select_related("source").get(pk=task_id)
    params = task.params or {}
    counts = {"pages": 0, "changed": 0}
    try:
        if task.source is None:
            raise ValueError(f"The API query {task.name!r} has no source.")
        with httpx.Client() as http:
            client = api_client_for(task.source.kind, http=http)
            pages = _call(client, params["method"], dict(params.get("args") or {}))
            for page in itertools.islice(pages, int(params.get("max_pages") or DEFAULT_MAX_PAGES)):
                counts["pages"] += 1
                counts["changed"] += not api_page_store(source=task.source, page=page).unchanged
    except (SourceApiError, MissingApiKeyError, ValueError, KeyError) as exc:
        _record_failure(task, f"{type(exc).__name__}: {exc}", getattr(exc, "retry_after", None))
        return counts
    except Exception as exc:  # a bug: recorded where people look, and the query does not run every minute
        logger.exception("API query %s failed unexpectedly", task.name)
        _record_failure(task, unexpected_reason(exc), None)
        return counts
    ScheduledTask.objects.filter(pk=task.pk).update(last_error="")
    return counts


def _record_failure(task: ScheduledTask, reason: str, retry_after: float | None) -> None:
    wait = clamp_wait(retry_after) if retry_after else 15 * 60
    logger.warning("API query %s failed: %s", task.name, reason)
    ScheduledTask.objects.filter(pk=task.pk).update(
        last_error=readable(reason)[:2000], next_run_at=timezone.now() + dt.timedelta(seconds=wait)
    )
