"""Per-host politeness for the pipeline's fetches, shared by every worker through the database:
robots.txt is fetched once per host and cached; each request takes the host's next free slot."""

from __future__ import annotations

import datetime as dt

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sourcing.fetching import FetchError, FetchPolicy, fetch
from sourcing.fetchrules import decode_body
from sourcing.models import HostState, Source
from sourcing.robots import RobotsRules, robots_url, rules_for_response


def host_of(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).netloc.lower()


def robots_for(*, url: str, client: httpx.Client, policy: FetchPolicy) -> RobotsRules:
    """The host's robots.txt rules, fetched at most once per SCRAPE_ROBOTS_TTL_SECONDS."""
    state, _ = HostState.objects.get_or_create(host=host_of(url))
    fresh_after = timezone.now() - dt.timedelta(seconds=settings.SCRAPE_ROBOTS_TTL_SECONDS)
    if state.robots_fetched_at and state.robots_fetched_at > fresh_after:
        return rules_for_response(state.robots_status or 200, state.robots_txt)
    try:
        result = fetch(robots_url(url), client=client, policy=policy)
        text, status = decode_body(result.body[:512_000], result.content_type)[0], result.status_code
    except FetchError as exc:
        if exc.status_code is not None and 400 <= exc.status_code < 500:
            text, status = "", exc.status_code  # no robots.txt (or one we may not see)
        else:
            raise FetchError(
                f"robots.txt of {state.host} could not be read ({exc.reason}); trying later.", retryable=True
            ) from exc
    rules = rules_for_response(status, text)
    HostState.objects.filter(pk=state.pk).update(
        robots_txt=text,
        robots_status=status,
        robots_fetched_at=timezone.now(),
        crawl_delay=rules.crawl_delay(policy.user_agent),
    )
    return rules


def host_delay(source: Source, crawl_delay: float | None) -> float:
    own = source.min_delay_seconds
    base = own if own is not None else settings.SCRAPE_DEFAULT_HOST_DELAY_SECONDS
    return max(base, crawl_delay or 0.0)


def reserve_slot(*, url: str, delay: float) -> float:
    """Take the host's next request slot; returns seconds to wait for it. A slot further away than
    SCRAPE_MAX_SLOT_WAIT_SECONDS is not taken: the caller reschedules instead of holding a worker."""
    host = host_of(url)
    HostState.objects.get_or_create(host=host)
    with transaction.atomic():
        state = HostState.objects.select_for_update().get(host=host)
        now = timezone.now()
        slot = max(now, state.next_slot_at or now)
        wait = (slot - now).total_seconds()
        if wait <= settings.SCRAPE_MAX_SLOT_WAIT_SECONDS:
            HostState.objects.filter(pk=state.pk).update(next_slot_at=slot + dt.timedelta(seconds=delay))
    return wait
