"""Writes for sourcing: sources, URLs and scrape requests. The fetch stage itself is
`sourcing.fetch_stage`."""

from __future__ import annotations

import datetime as dt
import logging
import random
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.queue import TICK_LANE, enqueue_job
from core.stages import OPEN_STATUSES
from sourcing.fetch_stage import scrapes_enqueue_fetch
from sourcing.models import Scrape, Source, Url, UrlKind
from sourcing.urlnorm import UnacceptableUrl, check_scrapable_url, redact_url, url_hash

logger = logging.getLogger(__name__)

FETCH_TASK = "sourcing.tasks.scrape_fetch_task"
DUE_TASK = "sourcing.tasks.scrapes_request_due_task"
DUE_JOB_KEY = "scrapes-request-due"


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
    """Add a URL (normalised; an existing one is returned unchanged), due for scraping now. A URL that
    may not be scraped (`sourcing.urlnorm.check_scrapable_url`) raises UnacceptableUrl (a ValueError)
    saying why."""
    normalized = _checked(url)
    row, _ = Url.objects.get_or_create(
        url_hash=url_hash(normalized),
        defaults={
            "url": normalized,
            "host": urlsplit(normalized).netloc.lower()[:255],
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

    URLs may be paths relative to `base_url`. All or nothing: every URL is checked first, and one that
    may not be scraped raises UnacceptableUrl naming where it is (`sources[2].urls[5]`) before anything
    is written (import_sources checks the whole file first and reports every problem). With `due_now`, the URLs are queued for scraping at once (not at the next tick). Importing
    the same spec twice changes nothing new."""
    for i, item in enumerate(spec["sources"]):
        for j, raw in enumerate(item["urls"]):
            try:
                _checked(_joined(base_url, raw))
            except UnacceptableUrl as exc:
                raise UnacceptableUrl(f"sources[{i}].urls[{j}]: {exc}") from None
    urls = []
    now = timezone.now()
    with transaction.atomic():
        for item in spec["sources"]:
            source = source_upsert(
                name=item["name"],
                kind=item.get("kind", "venue_site"),
                priority=item.get("priority", 50),
                base_url=base_url,
            )
            for raw in item["urls"]:
                url = url_add(
                    source=source, url=_joined(base_url, raw), kind=item.get("url_kind", UrlKind.LISTING)
                )
                if due_now:
                    Url.objects.filter(pk=url.pk).update(next_scrape_at=now)
                urls.append(url)
        if due_now and urls:
            scrapes_enqueue_due()
    return urls


def scrapes_enqueue_due() -> None:
    """Queue the due-URL scheduler now, in the tick's lane (once: it shares its key with the tick's)."""
    enqueue_job(DUE_TASK, key=DUE_JOB_KEY, lane=TICK_LANE)


def _checked(url: str) -> str:
    return check_scrapable_url(url, allowed_private=settings.SCRAPE_ALLOWED_PRIVATE_HOSTS)


def _joined(base_url: str, raw: str) -> str:
    return base_url + raw if isinstance(raw, str) and raw.startswith("/") else raw


def urls_discover(*, scrape: Scrape, candidates: list[tuple[str, str]]) -> int:
    """Add the (url, kind) pairs a page links to, within its source's depth bound and host.

    Links to other hosts are ignored: another site is another source, added on purpose, never by
    following links; so are links that are not http(s). The exception is a calendar feed the page
    names (kind "feed": an .ics on Google Calendar, an organiser's page on Eventbrite): it is the
    venue's own calendar, wherever it is hosted. The next page of a feed is the same feed: it stays at
    the feed's depth. Returns how many URLs were new."""
    parent = Url.objects.select_related("source").get(pk=scrape.url_id)
    depth = parent.depth + 1
    added = 0
    host = urlsplit(parent.url).netloc
    for raw, kind in candidates:
        paging_a_feed = kind == UrlKind.FEED and parent.kind == UrlKind.FEED
        link_depth = parent.depth if paging_a_feed else depth
        if link_depth > parent.source.max_depth:
            continue
        try:
            # A page we do not control names it: the same check as a URL given to us.
            normalized = _checked(urljoin(scrape.final_url or parent.url, raw))
        except ValueError:  # UnacceptableUrl too
            if kind == UrlKind.FEED:
                logger.info("feed link refused: %s", redact_url(raw))
            continue
        if normalized == parent.url:
            continue
        if urlsplit(normalized).netloc != host and kind != UrlKind.FEED:
            continue
        if Url.objects.filter(url_hash=url_hash(normalized)).exists():
            continue
        url_add(
            source=parent.source,
            url=normalized,
            kind=kind if kind in UrlKind.values else UrlKind.DETAIL,
            priority=parent.priority - 1,  # a calendar before the pages it lists
            depth=link_depth,
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
    scrapes_enqueue_fetch()
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


def scrapes_request_due(*, now: dt.datetime | None = None, limit: int | None = None) -> int:
    """Queue scrapes for a batch of the active URLs whose next scrape time has come, highest priority
    first, and the fetch stage's tasks. No fixed cap on a tick's work: a full batch (SCRAPE_DUE_BATCH)
    queues this again, in the tick's lane, until nothing due is left. Returns how many were queued."""
    now = now or timezone.now()
    limit = limit or settings.SCRAPE_DUE_BATCH
    due = list(
        Url.objects.filter(is_active=True, source__is_active=True, next_scrape_at__lte=now)
        .select_related("source")
        .order_by("-priority", "next_scrape_at")[:limit]
    )
    if not due:
        return 0
    ids = [url.pk for url in due]
    already = set(
        Scrape.objects.filter(url_id__in=ids, status__in=OPEN_STATUSES).values_list("url_id", flat=True)
    )
    for url in due:
        # Jitter spreads a source's URLs over a tenth of the interval, so one host is not hit all at once.
        interval = url.effective_recrawl_interval
        url.next_scrape_at = (
            now + interval + dt.timedelta(seconds=random.uniform(0, interval.total_seconds() / 10))
        )
    with transaction.atomic():
        # A scrape opened meanwhile by another process is kept (the one-open-scrape constraint).
        Scrape.objects.bulk_create(
            [Scrape(url=url, requested_by="schedule") for url in due if url.pk not in already],
            ignore_conflicts=True,
        )
        Url.objects.bulk_update(due, ["next_scrape_at"])
    queued = Scrape.objects.filter(url_id__in=ids, status__in=OPEN_STATUSES).count() - len(already)
    scrapes_enqueue_fetch()
    if len(due) >= limit:
        scrapes_enqueue_due()
    return queued
