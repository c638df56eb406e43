"""Crawl benchmark: the pipeline's fetcher against Scrapy on the same local site, same run.

    .venv/bin/python bench/crawl.py [--pages 5000] [--concurrency 64]

1. Generates a site of `--pages` interlinked pages (bench/crawl_site.py) and serves it from memory
   on 127.0.0.1 with aiohttp's low-level server, in a process of its own.
2. Measures that server alone with a bare aiohttp client (no parsing, no rules), to show it is not
   what limits the fetchers.
3. **The pipeline's fetch stage** (`sourcing.fetch_stage.scrapes_fetch_batch`, what the `fetch` tasks
   run): a fresh SQLite database, the site's pages imported as one source's URLs, scrapes queued as the
   tick queues them, then batch after batch until none is due: claim, fetch with the async fetcher and
   every rule (robots.txt, the private-address guard with 127.0.0.1 allowed, the one deadline, the
   bounded decompression), store each body compressed with its hash, and hand each page on to
   extraction (an Extraction row and its queued task). It is given the URLs (the pipeline finds links
   in extraction, a later stage); politeness as Scrapy's below: `concurrency` requests in flight on
   the one host, no delay.
4. **The crawler** (`sourcing.crawler.Crawler` on the same `AsyncFetcher`): follows links from "/" as
   Scrapy does, once per HTTP backend (aiohttp, the default, and httpx unless --skip-httpx).
5. **Scrapy** (bench/crawl_scrapy.py): the same concurrency overall and per domain, ROBOTSTXT_OBEY, no
   delay, no AutoThrottle, no cache, no depth limit, the same user agent, links restricted to the host.
   Every run is a fresh process; its time is measured inside it (from the first page asked for to the
   last one done; interpreter start-up, migrations and the import excluded), its CPU time from outside.

The last line is `RESULT {...}`: `ours_pages_s` (the pipeline's fetch stage), `scrapy_pages_s`, their
`ratio`, the crawler's `crawler_pages_s` (and `crawler_httpx_pages_s`), CPU ms per page of each, and the
pages each fetched, which must all equal the site's size (else the exit code is 1). The machine has 2
cores: the server and the fetcher share them, and so does anything else running (the load average is
printed before and after).
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


def _fetch_stage(start: str, pages: int, concurrency: int) -> dict[str, object]:
    """The pipeline's fetch stage over the site's pages, in a database of its own."""
    import tempfile

    from bench.crawl_site import page_path

    workdir = tempfile.mkdtemp(prefix="crawlbench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "mystage.settings",
            "DATABASE_URL": f"sqlite:///{workdir}/mystage.sqlite3",
            "MYSTAGE_DATA_DIR": workdir,
            "SECRET_KEY": "crawl-benchmark-secret",
            "SCRAPE_USER_AGENT": USER_AGENT,
            "SCRAPE_ALLOWED_PRIVATE_HOSTS": "127.0.0.1",
            # Politeness as Scrapy's: `concurrency` requests in flight on the one host, no delay.
            "SCRAPE_DEFAULT_HOST_DELAY_SECONDS": "0",
            "SCRAPE_HOST_CONCURRENCY": str(concurrency),
            "SCRAPE_CONCURRENCY": str(concurrency),
            "SCRAPE_BATCH_PER_HOST": os.environ.get("SCRAPE_BATCH_SIZE", "500"),
            "SCRAPE_DUE_BATCH": str(pages),
            "IMAGE_FETCH_ENABLED": "0",
            "LOG_LEVEL": "ERROR",
            "Q_LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from core.stages import StageStatus
    from sourcing import services
    from sourcing.fetch_stage import scrapes_fetch_batch
    from sourcing.models import Scrape

    call_command("migrate", verbosity=0)
    base = start.rstrip("/")
    services.sources_import(
        spec={"sources": [{"name": "site", "urls": [base + page_path(i) for i in range(pages)]}]}
    )
    services.scrapes_request_due()  # as the tick does: the scrapes, and the fetch stage's task queued
    started = time.perf_counter()
    batches = 0
    while scrapes_fetch_batch().claimed:
        batches += 1
    seconds = time.perf_counter() - started
    done = Scrape.objects.filter(status=StageStatus.DONE, http_status=200).count()
    failed = list(Scrape.objects.exclude(status=StageStatus.DONE).values_list("last_error", flat=True)[:3])
    return {
        "pages": done,
        "seconds": seconds,
        "batches": batches,
        "errors": len(failed),
        "first_errors": failed,
    }


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
    parser.add_argument("--worker", choices=["aiohttp", "httpx", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--start", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker == "pipeline":  # child process: the fetch stage over the site, one JSON line out
        print(json.dumps(_fetch_stage(args.start, args.pages, args.concurrency)), flush=True)
        return 0
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
        stage = [
            sys.executable,
            __file__,
            "--worker",
            "pipeline",
            "--start",
            base + "/",
            "--pages",
            str(args.pages),
        ]
        result, cpu = _run_child([*stage, "--concurrency", str(args.concurrency)])
        runs["fetch stage"] = {**result, "cpu": cpu}
        for backend in ["aiohttp"] if args.skip_httpx else ["aiohttp", "httpx"]:
            child = [sys.executable, __file__, "--worker", backend, "--start", base + "/"]
            result, cpu = _run_child([*child, "--concurrency", str(args.concurrency)])
            runs[f"crawler ({backend})"] = {**result, "cpu": cpu}
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

    def rate(run: dict[str, object]) -> float:
        return int(str(run["pages"])) / float(str(run["seconds"]))

    def cpu_ms(run: dict[str, object]) -> float:
        # CPU per page (process start-up included) depends least on what else the machine runs.
        return round(float(str(run["cpu"])) / max(int(str(run["pages"])), 1) * 1000, 2)

    ours, crawler, scrapy = runs["fetch stage"], runs["crawler (aiohttp)"], runs["scrapy"]
    summary: dict[str, object] = {
        "ours_pages_s": round(rate(ours), 1),
        "scrapy_pages_s": round(rate(scrapy), 1),
        "ratio": round(rate(ours) / rate(scrapy), 2),
        "crawler_pages_s": round(rate(crawler), 1),
        "crawler_ratio": round(rate(crawler) / rate(scrapy), 2),
        "ours_pages": ours["pages"],
        "crawler_pages": crawler["pages"],
        "scrapy_pages": scrapy["pages"],
        "site_pages": args.pages,
        "ours_cpu_ms_per_page": cpu_ms(ours),
        "crawler_cpu_ms_per_page": cpu_ms(crawler),
        "scrapy_cpu_ms_per_page": cpu_ms(scrapy),
        "server_capacity_req_s": round(capacity),
        "concurrency": args.concurrency,
    }
    if "crawler (httpx)" in runs:
        summary["crawler_httpx_pages_s"] = round(rate(runs["crawler (httpx)"]), 1)
    print(f"load average {_load()} at the end; whole benchmark {time.perf_counter() - began:.0f} s")
    complete = all(int(str(run["pages"])) == args.pages for run in runs.values())
    if not complete:
        print("NOT COMPLETE: a crawler did not fetch every page of the site")
    print("RESULT " + json.dumps(summary), flush=True)
    return 0 if complete else 1


if __name__ == "__main__":
    raise SystemExit(main())
