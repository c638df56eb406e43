"""Writes for sourcing: sources, URLs, scrape requests and the fetch stage."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.queue import enqueue
from core.stages import OPEN_STATUSES, StageStatus, claim, fail, finish
from sourcing.fetching import FetchError, FetchPolicy, PinnedClient, fetch
from sourcing.models import Scrape, Source, Url, UrlKind
from sourcing.politeness import host_delay, host_of, reserve_slot, robots_for
from sourcing.signals import scrape_stored
from sourcing.urlnorm import normalize_url, redact_url, url_hash

logger = logging.getLogger(__name__)

FETCH_TASK = "sourcing.tasks.scrape_fetch_task"


def source_upsert(*, name: str, kind: str, priority: int = 50, base_url: str = "") -> Source:
    """Create the source, or update its kind, priority and base URL."""
    source, _ = Source.objects.update_or_create(
        name=name, defaults={"kind": kind, "priority": priority, "base_url": base_url}
    )
    return source


def url_add(
    *,
    source: Source,
    url: str,
    kind: str = UrlKind.LISTING,
    priority: int = 0,
    depth: int = 0,
    discovered_from: Url | None = None,
) -> Url:
    """Add a URL (normalised; an existing one is returned unchanged), due for scraping now."""
    normalized = normalize_url(url)
    row, _ = Url.objects.get_or_create(
        url_hash=url_hash(normalized),
        defaults={
            "url": normalized,
            "source": source,
            "kind": kind,
            "priority": priority,
            "depth": depth,
            "discovered_from": discovered_from,
            "next_scrape_at": timezone.now(),
        },
    )
    return row


def sources_import(*, spec: dict[str, Any], base_url: str = "", due_now: bool = True) -> list[Url]:
    """Create or update the sources and URLs of a spec: {"sources": [{"name", "kind", "priority", "urls": [...]}]}.

    URLs may be paths relative to `base_url`. Importing the same spec twice changes nothing new."""
    urls = []
    now = timezone.now()
    for item in spec["sources"]:
        source = source_upsert(
            name=item["name"],
            kind=item.get("kind", "venue_site"),
            priority=item.get("priority", 50),
            base_url=base_url,
        )
        for raw in item["urls"]:
            url = url_add(
                source=source,
                url=base_url + raw if raw.startswith("/") else raw,
                kind=item.get("url_kind", UrlKind.LISTING),
            )
            if due_now:
                Url.objects.filter(pk=url.pk).update(next_scrape_at=now)
            urls.append(url)
    return urls


def urls_discover(*, scrape: Scrape, candidates: list[tuple[str, str]]) -> int:
    """Add the (url, kind) pairs a page links to, within its source's depth bound and host.

    Links to other hosts are ignored: another site is another source, added on purpose, never by
    following links. Returns how many URLs were new."""
    parent = Url.objects.select_related("source").get(pk=scrape.url_id)
    depth = parent.depth + 1
    if depth > parent.source.max_depth:
        return 0
    host = urlsplit(parent.url).netloc
    added = 0
    for raw, kind in candidates:
        normalized = normalize_url(urljoin(scrape.final_url or parent.url, raw))
        if urlsplit(normalized).netloc != host or normalized == parent.url:
            continue
        if Url.objects.filter(url_hash=url_hash(normalized)).exists():
            continue
        url_add(
            source=parent.source,
            url=normalized,
            kind=kind if kind in UrlKind.values else UrlKind.DETAIL,
            priority=parent.priority - 1,  # a calendar before the pages it lists
            depth=depth,
            discovered_from=parent,
        )
        added += 1
    return added


def scrape_request(*, url: Url, requested_by: str = "schedule") -> Scrape | None:
    """Queue a scrape of `url`; None when one is already queued or running (asking twice is harmless)."""
    if Scrape.objects.filter(url=url, status__in=OPEN_STATUSES).exists():
        return None
    try:
        with transaction.atomic():
            scrape = Scrape.objects.create(url=url, requested_by=requested_by)
    except IntegrityError:  # another process queued one between our check and insert
        return None
    enqueue(FETCH_TASK, scrape.pk)
    return scrape


def scrape_request_for_url(
    *, url: str, source: str, source_kind: str, url_kind: str, requested_by: str = "api"
) -> tuple[Scrape | None, Url, bool]:
    """Queue a scrape of a URL given by a person or a client, adding its source and URL when new.

    Returns (the scrape now queued or already open, the URL row, whether this call queued it)."""
    with transaction.atomic():
        source_row = Source.objects.filter(name=source).first() or source_upsert(
            name=source, kind=source_kind
        )
        url_row = url_add(source=source_row, url=url, kind=url_kind)
        scrape = scrape_request(url=url_row, requested_by=requested_by)
    if scrape is not None:
        return scrape, url_row, True
    return Scrape.objects.filter(url=url_row, status__in=OPEN_STATUSES).first(), url_row, False


def scrapes_request_due(*, now: dt.datetime | None = None, limit: int = 1000) -> int:
    """Queue scrapes for active URLs whose next scrape time has come, highest priority first."""
    now = now or timezone.now()
    due = (
        Url.objects.filter(is_active=True, source__is_active=True, next_scrape_at__lte=now)
        .select_related("source")
        .order_by("-priority", "next_scrape_at")[:limit]
    )
    queued = 0
    for url in due:
        with transaction.atomic():
            if scrape_request(url=url, requested_by="schedule"):
                queued += 1
            # Jitter spreads a source's URLs over a tenth of the interval, so one host is not hit all at once.
            interval = url.effective_recrawl_interval
            jitter = dt.timedelta(seconds=random.uniform(0, interval.total_seconds() / 10))
            Url.objects.filter(pk=url.pk).update(next_scrape_at=now + interval + jitter)
    return queued


def fetch_policy_for(source: Source) -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.SCRAPE_USER_AGENT,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
        max_bytes=settings.SCRAPE_MAX_BYTES,
        max_redirects=settings.SCRAPE_MAX_REDIRECTS,
        allowed_private=tuple(settings.SCRAPE_ALLOWED_PRIVATE_HOSTS),
        host_overrides=tuple(settings.SCRAPE_HOST_OVERRIDES),
    )


def scrape_fetch(*, scrape_id: int) -> Scrape | None:
    """Fetch a queued scrape, store the raw response, and queue extraction when the body changed."""
    scrape = claim(Scrape, scrape_id)
    if scrape is None:
        return None  # already done, or another worker holds it
    url = Url.objects.select_related("source").get(pk=scrape.url_id)
    policy = fetch_policy_for(url.source)
    # The network calls run outside any transaction: no database lock is held while we wait.
    try:
        with PinnedClient() as client:
            rules = robots_for(url=url.url, client=client, policy=policy)
            if not rules.allows(policy.user_agent, url.url):
                raise FetchError(
                    f"robots.txt of {host_of(url.url)} disallows this URL for {policy.user_agent}.",
                    retryable=False,
                )
            wait = reserve_slot(
                url=url.url, delay=host_delay(url.source, rules.crawl_delay(policy.user_agent))
            )
            if wait > settings.SCRAPE_MAX_SLOT_WAIT_SECONDS:
                # The host's next free slot is far off: hand the scrape back rather than hold a worker.
                finish(
                    scrape,
                    status=StageStatus.PENDING,
                    attempts=scrape.attempts - 1,
                    retry_at=timezone.now() + dt.timedelta(seconds=wait),
                )
                return scrape
            time.sleep(wait)
            result = fetch(
                url.url, client=client, policy=policy, etag=url.etag, last_modified=url.last_modified
            )
    except FetchError as exc:
        _record_fetch_failure(scrape, url, exc)
        return scrape

    now = timezone.now()
    content_hash = result.content_hash if not result.not_modified else url.last_content_hash
    unchanged = result.not_modified or (bool(url.last_content_hash) and content_hash == url.last_content_hash)
    with transaction.atomic():
        stored = finish(
            scrape,
            status=StageStatus.DONE,
            http_status=result.status_code,
            final_url=result.final_url,
            content_type=result.content_type[:255],
            response_headers=result.headers,
            body_compressed=None if result.not_modified else Scrape.compress(result.body),
            body_size=len(result.body),
            content_hash=content_hash,
            unchanged=unchanged,
            fetch_ms=result.elapsed_ms,
        )
        if not stored:
            return None  # our lease expired and another worker took over; its result stands
        Url.objects.filter(pk=url.pk).update(
            last_scraped_at=now,
            consecutive_failures=0,
            etag=result.headers.get("etag", url.etag)[:255],
            last_modified=result.headers.get("last-modified", url.last_modified)[:64],
            last_content_hash=content_hash,
        )
        if not unchanged:
            scrape_stored.send(sender=Scrape, scrape=scrape)
    logger.info(
        "scrape %s of %s: HTTP %s, %d bytes%s",
        scrape.pk,
        redact_url(url.url),
        result.status_code,
        len(result.body),
        " (unchanged)" if unchanged else "",
    )
    return scrape


def _record_fetch_failure(scrape: Scrape, url: Url, error: FetchError) -> None:
    logger.warning("scrape %s of %s failed: %s", scrape.pk, redact_url(url.url), error.reason)
    with transaction.atomic():
        fail(scrape, error.reason, retryable=error.retryable, http_status=error.status_code)
        failures = url.consecutive_failures + 1
        # Back off the URL's schedule after repeated failures, capped at a week.
        backoff = dt.timedelta(hours=min(24 * 7, 2**failures))
        Url.objects.filter(pk=url.pk).update(
            consecutive_failures=failures, next_scrape_at=timezone.now() + backoff
        )
        if error.retry_after:
            Scrape.objects.filter(pk=scrape.pk, status=StageStatus.PENDING).update(
                retry_at=timezone.now() + dt.timedelta(seconds=error.retry_after)
            )
