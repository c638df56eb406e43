"""Per-host politeness for the pipeline's fetches, shared by every worker through the database.

`HostState` keeps, per host (netloc): robots.txt as last read (status and text, cached for
SCRAPE_ROBOTS_TTL_SECONDS), when the last request started, a 429's pause, the next free slot, and which
fetch batch holds the host. A batch reads them before fetching (`host_seeds`: the fetcher starts each
host where the last batch left it) and writes back what its fetcher learnt (`hosts_release`): the slot
is recomputed from the last start and the delay *now* in force, so a robots.txt read again that drops
an old Crawl-delay frees a host parked by it. Every wait a site asks for (Crawl-delay, Retry-After) is
at most a day (`core.retry.clamp_wait`).

`reserve_slot` serves callers that make one request at a time from a worker (MusicBrainz enrichment):
it takes a host's next slot under a row lock, the same `next_slot_at` the fetch stage keeps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.retry import clamp_wait
from sourcing.crawler import HostReport, HostSeed
from sourcing.models import HostState, Source
from sourcing.robots import rules_for_response


def host_of(url: str) -> str:
    """A URL's host as HostState names it: its netloc, lower case."""
    return urlsplit(url).netloc.lower()


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


def host_delay(source: Source) -> float:
    """Seconds between two requests to a host of this source, before robots.txt's Crawl-delay."""
    own = source.min_delay_seconds
    return clamp_wait(own if own is not None else settings.SCRAPE_DEFAULT_HOST_DELAY_SECONDS)


def robots_fresh_after(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.SCRAPE_ROBOTS_TTL_SECONDS)


def hosts_unavailable(*, now: dt.datetime, window_seconds: float) -> Q:
    """HostState rows whose URLs a batch may not take now: held by another batch, or parked beyond the
    window by politeness while their robots.txt is fresh (a stale one is read again first, which may
    free the host: a Crawl-delay dropped)."""
    parked = Q(
        next_slot_at__gt=now + dt.timedelta(seconds=window_seconds),
        robots_fetched_at__gte=robots_fresh_after(now),
    )
    return Q(busy_until__gt=now) | parked


def host_seeds(states: Iterable[HostState], *, now: dt.datetime) -> dict[str, HostSeed]:
    """What the fetcher should know of each host before its first request, by host (netloc)."""
    fresh_after = robots_fresh_after(now)
    seeds = {}
    for state in states:
        robots = None
        ttl = 0.0
        if state.robots_fetched_at is not None and state.robots_status is not None:
            if state.robots_fetched_at >= fresh_after:
                robots = rules_for_response(state.robots_status, state.robots_txt)
                ttl = (state.robots_fetched_at - fresh_after).total_seconds()
        since = None if state.last_request_at is None else (now - state.last_request_at).total_seconds()
        paused = 0.0 if state.paused_until is None else (state.paused_until - now).total_seconds()
        seeds[state.host] = HostSeed(
            robots=robots,
            robots_ttl_seconds=ttl,
            seconds_since_last_start=since,
            paused_seconds=max(0.0, paused),
        )
    return seeds


def hosts_release(
    *, hosts: Iterable[str], reports: Iterable[HostReport], user_agent: str, now: dt.datetime | None = None
) -> None:
    """Write back what a batch's fetcher learnt of each host and let other batches take the hosts."""
    now = now or timezone.now()
    by_host: dict[str, HostReport] = {}
    for report in reports:
        host = host_of(report.origin)
        if host not in by_host or _later(report, by_host[host]):
            by_host[host] = report
    states = {state.host: state for state in HostState.objects.filter(host__in=set(hosts) | set(by_host))}
    for host, state in states.items():
        state.busy_until = None
        found = by_host.get(host)
        if found is None:
            continue
        report = found
        if report.seconds_since_last_start is not None:
            state.last_request_at = now - dt.timedelta(seconds=report.seconds_since_last_start)
        state.paused_until = (
            now + dt.timedelta(seconds=clamp_wait(report.paused_seconds)) if report.paused_seconds else None
        )
        if report.robots_answer is not None:
            status, text = report.robots_answer
            state.robots_status, state.robots_txt, state.robots_fetched_at = status, text, now
            state.crawl_delay = rules_for_response(status, text).crawl_delay(user_agent)
        slot = None
        if state.last_request_at is not None:
            slot = state.last_request_at + dt.timedelta(seconds=clamp_wait(report.min_delay_seconds))
        if state.paused_until is not None:
            slot = max(slot, state.paused_until) if slot is not None else state.paused_until
        state.next_slot_at = slot
    HostState.objects.bulk_update(
        states.values(),
        [
            "busy_until",
            "last_request_at",
            "paused_until",
            "next_slot_at",
            "robots_status",
            "robots_txt",
            "robots_fetched_at",
            "crawl_delay",
        ],
    )


def _later(a: HostReport, b: HostReport) -> bool:
    # http and https of one host share a HostState: the origin that was asked most recently wins.
    if a.seconds_since_last_start is None:
        return False
    return b.seconds_since_last_start is None or a.seconds_since_last_start < b.seconds_since_last_start
