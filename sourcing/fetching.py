"""One URL, now, from synchronous code (pure: no Django import): images and other one-off fetches.

There is one fetcher: `sourcing.crawler.AsyncFetcher`, which applies the rules of
`sourcing.fetchrules` (private-address guard with the connection pinned to the checked addresses,
redirects by hand, one deadline for connect, headers and body together, bodies decompressed a bounded
step at a time and counted after decompression, status and Retry-After). `fetch` runs it for one URL
in an event loop of its own, with no politeness and no robots.txt (the caller's business, or not
applicable: an image someone else's page shows) and no retries (the stage rows retry with backoff).
The pipeline's fetch stage (`sourcing.fetch_stage`) runs the same fetcher over whole batches.
"""

from __future__ import annotations

import asyncio
import concurrent.futures

from sourcing.crawler import (
    AnyResolver,
    AsyncFetcher,
    CrawlPolicy,
    HostPolicy,
    RetryPolicy,
    system_resolver_async,
)
from sourcing.fetchrules import REDIRECT_CODES, FetchError, FetchPolicy, FetchResult, check_destination

__all__ = ["REDIRECT_CODES", "FetchError", "FetchPolicy", "FetchResult", "check_destination", "fetch"]

# One try, at once, whatever the host: a one-off fetch is not a crawl.
ONE_OFF = {"host": HostPolicy(max_concurrency=1, min_delay_seconds=0), "retry": RetryPolicy(max_attempts=1)}


def fetch(
    url: str,
    *,
    policy: FetchPolicy,
    etag: str = "",
    last_modified: str = "",
    resolver: AnyResolver = system_resolver_async,
    backend: str = "aiohttp",
) -> FetchResult:
    """GET `url` with every fetch rule; raises FetchError with a readable reason on failure."""

    async def one() -> FetchResult:
        crawl = CrawlPolicy(fetch=policy, obey_robots=False, **ONE_OFF)  # type: ignore[arg-type]
        async with AsyncFetcher(crawl, concurrency=1, resolver=resolver, backend=backend) as fetcher:
            return await fetcher.fetch(url, etag=etag, last_modified=last_modified)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(one())
    # Called from inside an event loop (an async caller): run ours beside it rather than block it.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, one()).result()
