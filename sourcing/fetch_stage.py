"""The fetch stage: batches of due scrapes, fetched concurrently under the shared per-host politeness.

A batch (`scrapes_fetch_batch`, run by `sourcing.tasks.scrapes_fetch_batch_task`):

1. **Claims** due scrapes (pending with their retry time come, or running past the lease with attempts
   left: `core.stages.claimable`), highest URL priority first, of hosts that no other batch holds and
   whose next slot falls within the window (`SCRAPE_BATCH_WINDOW_SECONDS`) or whose robots.txt is due
   to be read again; per host only as many as its delay lets start within the window, at most
   `SCRAPE_BATCH_SIZE` in all. In the same transaction each host is marked held (`HostState.busy_until`).
   PostgreSQL skips rows another claimer has locked (SKIP LOCKED); SQLite has one writer at a time.
2. **Fetches** them with one `AsyncFetcher` (the one fetcher: every rule of `sourcing.fetchrules`) in an
   event loop on a thread of its own: each host starts where the database left it (robots.txt while
   fresh, the last request's start, a 429's pause), a stale robots.txt is read first and its Crawl-delay
   applies at once, requests to a host are spaced by its delay *inside the event loop* (other hosts go
   on meanwhile; no worker sleeps), each fetch has one deadline for connect, headers and body together,
   and a page its host cannot start within the window is handed back unstarted.
3. **Stores** each outcome as it arrives, on the task's own thread: a page is stored and handed on
   (`sourcing.signals.scrape_stored`) in one transaction; a failure is recorded with its reason (a
   Retry-After clamped to a day); a page not started goes back to pending without counting an attempt
   (its host's next slot, in HostState, says when it can be taken). Rows are stored one by one: a row
   that cannot be stored is recorded as failed and the others go on.
4. **Releases** the hosts with what the fetcher learnt (`politeness.hosts_release`: robots.txt read,
   last start, the next slot recomputed with the delay now in force).

`scrapes_fetch_batch_task` queues itself again (a job per key, `core.queue.enqueue_job`, in the `fetch`
lane) while a batch could take more now.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import queue
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core.queue import FETCH_LANE, enqueue_job
from core.retry import clamp_wait
from core.stages import StageStatus, claim_rows, claimable, fail, finish, rows_fail_unexpected
from sourcing.crawler import (
    AsyncFetcher,
    CrawlPolicy,
    FetchOutcome,
    FetchRequest,
    HostPolicy,
    HostReport,
    RetryPolicy,
)
from sourcing.fetchrules import FetchError, FetchPolicy, FetchResult
from sourcing.models import HostState, Scrape, Url
from sourcing.politeness import host_delay, host_seeds, hosts_release, hosts_unavailable
from sourcing.signals import scrape_stored
from sourcing.urlnorm import redact_url

logger = logging.getLogger(__name__)

FETCH_BATCH_TASK = "sourcing.tasks.scrapes_fetch_batch_task"


def fetch_policy() -> FetchPolicy:
    """The rules every scrape is fetched under (SCRAPE_* settings)."""
    return FetchPolicy(
        user_agent=settings.SCRAPE_USER_AGENT,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
        max_bytes=settings.SCRAPE_MAX_BYTES,
        max_redirects=settings.SCRAPE_MAX_REDIRECTS,
        allowed_private=tuple(settings.SCRAPE_ALLOWED_PRIVATE_HOSTS),
        host_overrides=tuple(settings.SCRAPE_HOST_OVERRIDES),
    )


def scrapes_enqueue_fetch(ids: list[int] | None = None) -> None:
    """Queue the fetch stage's batch tasks (at most SCRAPE_FETCH_TASKS at a time; asking again while they
    wait in the queue does nothing). `ids` is accepted for the admin's retry: any batch takes them."""
    for n in range(max(1, settings.SCRAPE_FETCH_TASKS)):
        enqueue_job(FETCH_BATCH_TASK, key=f"fetch-{n + 1}", lane=FETCH_LANE)


@dataclass
class BatchReport:
    claimed: int = 0
    done: int = 0
    failed: int = 0  # retryable or not
    deferred: int = 0  # handed back unstarted (politeness)
    hosts: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)


def scrapes_due(*, now: dt.datetime | None = None) -> Any:
    """Scrapes a batch could take now (the claim's query, before its per-host limits)."""
    now = now or timezone.now()
    unavailable = HostState.objects.filter(host=OuterRef("url__host")).filter(
        hosts_unavailable(now=now, window_seconds=settings.SCRAPE_BATCH_WINDOW_SECONDS)
    )
    return (
        Scrape.objects.filter(claimable(now=now))
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .filter(~Exists(unavailable))
    )


def scrapes_next_try(scrapes: Any, *, now: dt.datetime | None = None) -> list[tuple[dt.datetime, int]]:
    """(when a batch may take it, pk) for each pending scrape of `scrapes`: its retry time, or later its
    host's next slot (a page handed back for politeness has no retry time of its own)."""
    now = now or timezone.now()
    slot = HostState.objects.filter(host=OuterRef("url__host")).values("next_slot_at")[:1]
    rows = (
        scrapes.filter(status=StageStatus.PENDING)
        .annotate(host_slot=Subquery(slot))
        .values_list("pk", "retry_at", "host_slot")
    )
    return [(max(retry_at or now, host_slot or now), pk) for pk, retry_at, host_slot in rows]


def scrapes_fetch_batch(*, scrape_ids: list[int] | None = None) -> BatchReport:
    """Claim a batch of due scrapes (or only those of `scrape_ids` that are due), fetch, store and hand
    each on; see the module's docstring."""
    started = time.monotonic()
    report = BatchReport()
    scrapes, hosts = _claim(scrape_ids=scrape_ids)
    report.claimed, report.hosts = len(scrapes), len(hosts)
    if not scrapes:
        return report
    reports: list[HostReport] = []
    try:
        reports = _fetch_and_store(scrapes, hosts, report)
    finally:
        hosts_release(hosts=hosts, reports=reports, user_agent=settings.SCRAPE_USER_AGENT)
    report.seconds = round(time.monotonic() - started, 3)
    logger.info(
        "fetch batch: %d scrapes on %d hosts in %.1f s: %d done, %d failed, %d handed back",
        report.claimed,
        report.hosts,
        report.seconds,
        report.done,
        report.failed,
        report.deferred,
    )
    return report


# --- 1. the claim ------------------------------------------------------------------------------


def _claim(*, scrape_ids: list[int] | None) -> tuple[list[Scrape], dict[str, HostState]]:
    now = timezone.now()
    size = max(1, settings.SCRAPE_BATCH_SIZE)
    window = settings.SCRAPE_BATCH_WINDOW_SECONDS
    due = scrapes_due(now=now)
    if scrape_ids is not None:
        due = due.filter(pk__in=scrape_ids)
    with transaction.atomic():
        candidates = list(
            due.select_related("url__source")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("-url__priority", "pk")[: size * 4]
        )
        if not candidates:
            return [], {}
        names = {scrape.url.host or _netloc(scrape.url.url) for scrape in candidates}
        HostState.objects.bulk_create([HostState(host=name) for name in names], ignore_conflicts=True)
        # Hosts another claimer holds the lock of are skipped, as are hosts a batch took meanwhile.
        hosts = {
            state.host: state
            for state in HostState.objects.select_for_update(skip_locked=True)
            .filter(host__in=names)
            .exclude(busy_until__gt=now)
        }
        per_host: dict[str, int] = defaultdict(int)
        chosen: list[int] = []
        for scrape in candidates:
            name = scrape.url.host or _netloc(scrape.url.url)
            state = hosts.get(name)
            if state is None or per_host[name] >= _per_host_limit(scrape, state, window):
                continue
            per_host[name] += 1
            chosen.append(scrape.pk)
            if len(chosen) >= size:
                break
        rows = claim_rows(Scrape, chosen, now=now)
        by_pk = {scrape.pk: scrape for scrape in candidates}
        held = {by_pk[row.pk].url.host or _netloc(by_pk[row.pk].url.url) for row in rows}
        # A batch holds its hosts for its window plus the longest a fetch may take (robots.txt, then a
        # page), and never past its rows' lease: a batch whose worker died frees its hosts with its rows.
        hold_seconds = min(window + 2 * settings.SCRAPE_TIMEOUT_SECONDS + 30, settings.PIPELINE_LEASE_SECONDS)
        hold = now + dt.timedelta(seconds=hold_seconds)
        HostState.objects.filter(host__in=held).update(busy_until=hold)
    for row in rows:  # the claimed rows, with the URL and source read above
        row.url = by_pk[row.pk].url
    return rows, {name: hosts[name] for name in held}


def _netloc(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _per_host_limit(scrape: Scrape, state: HostState, window: float) -> int:
    """How many pages of one host a batch takes: as many as its delay lets start within the window."""
    delay = max(host_delay(scrape.url.source), clamp_wait(state.crawl_delay or 0.0))
    cap = max(1, settings.SCRAPE_BATCH_PER_HOST)
    return cap if delay <= 0 else min(cap, 1 + int(window // delay))


# --- 2. fetching, on a thread of its own -------------------------------------------------------


def _fetch_and_store(
    scrapes: list[Scrape], hosts: dict[str, HostState], report: BatchReport
) -> list[HostReport]:
    now = timezone.now()
    policy = fetch_policy()
    seeds = host_seeds(hosts.values(), now=now)
    delays: dict[str, float] = {}
    for scrape in scrapes:
        host = scrape.url.host or _netloc(scrape.url.url)
        delays[host] = max(delays.get(host, 0.0), host_delay(scrape.url.source))
    by_url = {scrape.url.url: scrape for scrape in scrapes}
    outcomes: queue.Queue[tuple[str, Any]] = queue.Queue()
    window = settings.SCRAPE_BATCH_WINDOW_SECONDS
    start_by = time.monotonic() + window
    requests = [
        FetchRequest(scrape.url.url, scrape.url.etag, scrape.url.last_modified, start_by=start_by)
        for scrape in scrapes
    ]
    crawl = CrawlPolicy(
        fetch=policy,
        host=HostPolicy(max_concurrency=settings.SCRAPE_HOST_CONCURRENCY, min_delay_seconds=0),
        retry=RetryPolicy(max_attempts=1),  # the rows retry, with backoff in retry_at
        robots_ttl_seconds=settings.SCRAPE_ROBOTS_TTL_SECONDS,
    )
    host_policies = {
        host: HostPolicy(max_concurrency=settings.SCRAPE_HOST_CONCURRENCY, min_delay_seconds=delay)
        for host, delay in delays.items()
    }
    origin_seeds = {}
    for scrape in scrapes:
        parts = urlsplit(scrape.url.url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        seed = seeds.get(parts.netloc.lower())
        if seed is not None:
            origin_seeds[origin] = seed

    async def fetch_all() -> None:
        async with AsyncFetcher(
            crawl, host_policies=host_policies, concurrency=settings.SCRAPE_CONCURRENCY
        ) as fetcher:
            for origin, seed in origin_seeds.items():
                fetcher.seed_host(origin, seed)
            async for outcome in fetcher.fetch_many(requests):
                outcomes.put(("outcome", outcome))
            outcomes.put(("hosts", fetcher.host_reports()))

    def run() -> None:
        try:
            asyncio.run(fetch_all())
        except BaseException as exc:  # reported to the storing thread, which records it on the rows
            outcomes.put(("crashed", exc))
        finally:
            outcomes.put(("end", None))

    thread = threading.Thread(target=run, name="fetch-batch", daemon=True)
    thread.start()
    # However a site behaves, every fetch ends by its deadline; this bound only guards against a bug.
    give_up = time.monotonic() + window + 3 * policy.timeout_seconds + 60
    reports: list[HostReport] = []
    pending = dict(by_url)
    crash: BaseException | None = None
    ended = False
    while not ended:
        try:
            kind, item = outcomes.get(timeout=max(0.1, give_up - time.monotonic()))
        except queue.Empty:
            crash = TimeoutError(f"the fetch batch did not finish within {give_up - start_by + window:.0f} s")
            break
        # What else has arrived meanwhile is stored with it, in one transaction (see _store_group).
        group: list[tuple[Scrape, FetchOutcome]] = []
        while True:
            if kind == "end":
                ended = True
            elif kind == "hosts":
                reports = item
            elif kind == "crashed":
                crash = item
            elif item.url in pending:
                group.append((pending.pop(item.url), item))
            if ended or len(group) >= STORE_GROUP:
                break
            try:
                kind, item = outcomes.get_nowait()
            except queue.Empty:
                break
        if group:
            _store_group(group, report)
    if pending and crash is not None:
        logger.error("fetch batch stopped: %r", crash)
        report.failed += rows_fail_unexpected(pending.values(), crash)
    elif pending:  # cannot happen: every request has an outcome
        report.failed += rows_fail_unexpected(pending.values(), RuntimeError("no outcome for this page"))
    return reports


# --- 3. storing --------------------------------------------------------------------------------


# Outcomes stored in one transaction at most: a commit per page cost more than the page's own writes.
STORE_GROUP = 50


def _store_group(group: list[tuple[Scrape, FetchOutcome]], report: BatchReport) -> None:
    """Store outcomes in one transaction, each in a savepoint of its own: one that cannot be stored (a
    receiver of scrape_stored failed) rolls back alone, and its failure is recorded once the others are
    committed, in a write of its own."""
    crashed: list[tuple[Scrape, Exception]] = []
    with transaction.atomic():
        for scrape, outcome in group:
            try:
                with transaction.atomic():
                    _store_outcome(scrape, outcome, report)
            except Exception as exc:
                logger.exception("storing scrape %s failed", scrape.pk)
                crashed.append((scrape, exc))
    for scrape, error in crashed:
        report.failed += rows_fail_unexpected([scrape], error)


def _store_outcome(scrape: Scrape, outcome: FetchOutcome, report: BatchReport) -> None:
    if outcome.result is not None:
        if _store_result(scrape, outcome.result):
            report.done += 1
        return
    error = outcome.error or FetchError("The fetch ended without an answer.", retryable=True)
    if outcome.deferred:
        _hand_back(scrape, error)
        report.deferred += 1
        return
    _record_failure(scrape, error)
    report.failed += 1
    report.errors[error.reason[:80]] = report.errors.get(error.reason[:80], 0) + 1


def _store_result(scrape: Scrape, result: FetchResult) -> bool:
    url = scrape.url
    now = timezone.now()
    content_hash = result.content_hash if not result.not_modified else url.last_content_hash
    unchanged = result.not_modified or (bool(url.last_content_hash) and content_hash == url.last_content_hash)
    body = None if result.not_modified else Scrape.compress(result.body)
    with transaction.atomic():
        stored = finish(
            scrape,
            status=StageStatus.DONE,
            http_status=result.status_code,
            final_url=result.final_url,
            content_type=result.content_type[:255],
            response_headers=result.headers,
            body_compressed=body,
            body_size=len(result.body),
            content_hash=content_hash,
            unchanged=unchanged,
            fetch_ms=result.elapsed_ms,
        )
        if not stored:
            return False  # our lease expired and another worker took over; its result stands
        Url.objects.filter(pk=url.pk).update(
            last_scraped_at=now,
            consecutive_failures=0,
            etag=result.headers.get("etag", url.etag)[:255],
            last_modified=result.headers.get("last-modified", url.last_modified)[:64],
            last_content_hash=content_hash,
        )
        if not unchanged:
            scrape_stored.send(sender=Scrape, scrape=scrape)
    logger.debug(
        "scrape %s of %s: HTTP %s, %d bytes%s",
        scrape.pk,
        redact_url(url.url),
        result.status_code,
        len(result.body),
        " (unchanged)" if unchanged else "",
    )
    return True


def _record_failure(scrape: Scrape, error: FetchError) -> None:
    url = scrape.url
    logger.warning("scrape %s of %s failed: %s", scrape.pk, redact_url(url.url), error.reason)
    failures = url.consecutive_failures + 1
    # Back off the URL's schedule after repeated failures, capped at a week.
    backoff = dt.timedelta(hours=min(24 * 7, 2 ** min(failures, 16)))
    retry_after = clamp_wait(error.retry_after) if error.retry_after is not None else None
    with transaction.atomic():
        fail(
            scrape,
            error.reason,
            retryable=error.retryable,
            retry_after=retry_after,
            http_status=error.status_code,
        )
        Url.objects.filter(pk=url.pk).update(
            consecutive_failures=failures, next_scrape_at=timezone.now() + backoff
        )


def _hand_back(scrape: Scrape, error: FetchError) -> None:
    """Back to pending, unstarted: no attempt counted, and no retry time (its host's next slot in
    HostState keeps batches off until it comes; a robots.txt read again may bring it forward)."""
    finish(
        scrape,
        status=StageStatus.PENDING,
        error=error.reason,
        attempts=scrape.attempts - 1,
        started_at=None,
        finished_at=None,
    )
