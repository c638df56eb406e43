"""Crawl benchmark: our crawler (sourcing.crawler) against Scrapy on the same local site, same run.

    .venv/bin/python bench/crawl.py [--pages 5000] [--concurrency 64]

1. Generates a site of `--pages` interlinked pages (bench/crawl_site.py) and serves it from memory
   on 127.0.0.1 with aiohttp's low-level server, in a process of its own.
2. Measures that server alone with a bare aiohttp client (no parsing, no rules), to show it is not
   what limits the crawlers.
3. Crawls the site from "/" with our crawler and its real rules (robots.txt, the private-address
   guard with 127.0.0.1 allowed, size, redirect and time limits, retries), once per HTTP backend
   (aiohttp, the default, and httpx unless --skip-httpx), then with Scrapy (bench/crawl_scrapy.py:
   the same concurrency overall and per domain, ROBOTSTXT_OBEY, no delay, no AutoThrottle, no
   cache, no depth limit, the same user agent, links restricted to the host). Every crawler runs in
   a fresh process of its own; its time is measured inside it, from the start of the crawl to its
   end (interpreter start-up excluded), and its CPU time from outside.

The last line is `RESULT {...}` with pages per second for ours (default backend) and Scrapy, their
ratio, and the pages each crawled, which must both equal the site's size (else the exit code is 1).
The machine has 2 cores: the server and the crawler share them, and so does anything else running
(the load average is printed before and after).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `python bench/crawl.py`

from bench.crawl_site import measure_capacity  # noqa: E402

USER_AGENT = "MyStageBot/0.1 (+benchmark)"


async def _crawl_ours(start: str, concurrency: int, backend: str) -> dict[str, object]:
    from sourcing.crawler import AsyncFetcher, Crawler, CrawlPolicy, FetchPolicy, HostPolicy

    policy = CrawlPolicy(
        fetch=FetchPolicy(user_agent=USER_AGENT, allowed_private=("127.0.0.1",)),
    )
    # Per host as Scrapy is configured: CONCURRENT_REQUESTS_PER_DOMAIN = concurrency, no delay.
    host_policies = {"127.0.0.1": HostPolicy(max_concurrency=concurrency, min_delay_seconds=0)}
    pages = 0
    errors: list[str] = []
    async with AsyncFetcher(
        policy, host_policies=host_policies, concurrency=concurrency, backend=backend
    ) as fetcher:
        started = time.perf_counter()
        async for outcome in Crawler(fetcher).crawl([start]):
            if outcome.result is not None and outcome.result.status_code == 200:
                pages += 1
            elif outcome.error is not None:
                errors.append(f"{outcome.url}: {outcome.error.reason}")
        seconds = time.perf_counter() - started
    return {"pages": pages, "seconds": seconds, "errors": len(errors), "first_errors": errors[:3]}


def _run_child(args: list[str]) -> tuple[dict[str, object], float]:
    """Run a crawler process; its JSON line and the CPU seconds it used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"crawler failed: {' '.join(args)}")
    return json.loads(lines[-1]), cpu


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description="Crawl a local site with our crawler and with Scrapy.")
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--skip-httpx", action="store_true", help="do not measure our httpx backend")
    parser.add_argument("--worker", choices=["aiohttp", "httpx"], help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:  # child process: one crawl with our crawler, one JSON line out
        print(json.dumps(asyncio.run(_crawl_ours(args.start, args.concurrency, args.worker))), flush=True)
        return 0

    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, load average {_load()} (1/5/15 min) at the start")
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "crawl_site.py"), "serve", "--pages", str(args.pages)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        base = f"http://127.0.0.1:{port}"
        print(f"site: {args.pages} pages, ~10 links each, robots.txt allowing all, served by {base}")
        capacity = asyncio.run(measure_capacity(base, args.pages, concurrency=args.concurrency))
        print(
            f"server alone (bare aiohttp client, {args.concurrency} concurrent, no parsing): "
            f"{capacity:,.0f} requests/s"
        )
        runs: dict[str, dict[str, object]] = {}
        for backend in ["aiohttp"] if args.skip_httpx else ["aiohttp", "httpx"]:
            child = [sys.executable, __file__, "--worker", backend, "--start", base + "/"]
            result, cpu = _run_child([*child, "--concurrency", str(args.concurrency)])
            runs[f"ours ({backend})"] = {**result, "cpu": cpu}
        scrapy_args = [sys.executable, str(ROOT / "bench" / "crawl_scrapy.py"), "--start", base + "/"]
        result, cpu = _run_child(
            [*scrapy_args, "--concurrency", str(args.concurrency), "--user-agent", USER_AGENT]
        )
        runs["scrapy"] = {**result, "cpu": cpu}
    finally:
        if server.stdin:
            server.stdin.close()
        server.wait(timeout=10)

    for name, run in runs.items():
        pages = int(str(run["pages"]))
        seconds = float(str(run["seconds"]))
        cpu = float(str(run["cpu"]))
        extra = {k: v for k, v in run.items() if k not in {"pages", "seconds", "cpu"} and v}
        print(
            f"{name:15} {pages:6} pages in {seconds:6.2f} s = {pages / seconds:7,.0f} pages/s, "
            f"process CPU {cpu:5.1f} s ({cpu / max(pages, 1) * 1000:.2f} ms/page incl. start-up) {extra or ''}"
        )
    ours, scrapy = runs["ours (aiohttp)"], runs["scrapy"]
    ours_rate = int(str(ours["pages"])) / float(str(ours["seconds"]))
    scrapy_rate = int(str(scrapy["pages"])) / float(str(scrapy["seconds"]))
    summary: dict[str, object] = {
        "ours_pages_s": round(ours_rate, 1),
        "scrapy_pages_s": round(scrapy_rate, 1),
        "ratio": round(ours_rate / scrapy_rate, 2),
        "ours_pages": ours["pages"],
        "scrapy_pages": scrapy["pages"],
        "site_pages": args.pages,
        # CPU per page (process start-up included) depends least on what else the machine runs.
        "ours_cpu_ms_per_page": round(float(str(ours["cpu"])) / max(int(str(ours["pages"])), 1) * 1000, 2),
        "scrapy_cpu_ms_per_page": round(
            float(str(scrapy["cpu"])) / max(int(str(scrapy["pages"])), 1) * 1000, 2
        ),
        "server_capacity_req_s": round(capacity),
        "concurrency": args.concurrency,
    }
    if "ours (httpx)" in runs:
        httpx_run = runs["ours (httpx)"]
        summary["ours_httpx_pages_s"] = round(
            int(str(httpx_run["pages"])) / float(str(httpx_run["seconds"])), 1
        )
    print(f"load average {_load()} at the end; whole benchmark {time.perf_counter() - began:.0f} s")
    complete = all(int(str(run["pages"])) == args.pages for run in runs.values())
    if not complete:
        print("NOT COMPLETE: a crawler did not fetch every page of the site")
    print("RESULT " + json.dumps(summary), flush=True)
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
