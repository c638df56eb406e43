"""The pipeline benchmark's anchor: Scrapy + extruct writing every page's events into SQLite.

    python bench/pipeline_scrapy.py --urls FILE --db OUT.sqlite3 --override '*.venues.test=127.0.0.1' \\
        [--concurrency 16] [--per-host 1] [--delay 1.0] [--user-agent UA]

What a user would otherwise write to get the same pages' events: a plain Spider over the benchmark's
URLs (the venue calendars and about pages, the listings pages), robots.txt obeyed, `extruct.extract`
(JSON-LD and microdata, uniform) on every response, one item per schema.org Event found (at the top
level or nested in a list), and an item pipeline inserting them into one SQLite table
`events(page, name, start, venue, performers)` (performers as a JSON list), committed at the end.
Politeness as ours: `CONCURRENT_REQUESTS_PER_DOMAIN` 1 and `DOWNLOAD_DELAY` = our host delay, not
randomised (ours keeps a fixed gap per host); `CONCURRENT_REQUESTS` is Scrapy's default, 16.
Host names reach 127.0.0.1 through `OverrideResolver`, a Twisted resolver installed with Scrapy's
`TWISTED_DNS_RESOLVER` setting (the newer name of `DNS_RESOLVER`) that answers the override's
pattern itself and asks the system for anything else.

Prints one JSON line: pages parsed, events written, seconds from spider_opened to spider_closed,
and Scrapy's counts of robots.txt requests and responses.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import extruct
import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class OverrideResolver(CachingThreadedResolver):
    """Answers names matching BENCH_HOST_OVERRIDES ("*.suffix=address" or "name=address") itself."""

    overrides: list[tuple[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: Any) -> Any:
        resolver = super().from_crawler(crawler, reactor)
        resolver.overrides = [
            (pattern.strip().lower(), address.strip())
            for pattern, _, address in (
                e.partition("=") for e in crawler.settings.getlist("BENCH_HOST_OVERRIDES")
            )
        ]
        return resolver

    def getHostByName(self, name: str, timeout: Any = ()) -> Any:  # noqa: N802 - Twisted's name
        host = name.lower()
        for pattern, address in self.overrides:
            if host == pattern or (pattern.startswith("*.") and host.endswith(pattern[1:])):
                return defer.succeed(address)
        return super().getHostByName(name, timeout)


def events_in(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every schema.org Event among extruct's uniform items, at any depth of lists and @graph."""
    stack: list[Any] = list(items)
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack[:0] = item
            continue
        if not isinstance(item, dict):
            continue
        types = item.get("@type")
        names = types if isinstance(types, list) else [types]
        if any(isinstance(t, str) and t.endswith("Event") for t in names):
            yield item
        elif "@graph" in item:
            stack[:0] = item["@graph"] if isinstance(item["@graph"], list) else [item["@graph"]]


def _name(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, dict):
        return str(value.get("name", ""))
    return str(value or "")


class EventsSpider(scrapy.Spider):
    name = "bench_events"

    def __init__(self, urls: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = urls
        self.pages = 0
        self.opened_at = 0.0
        self.closed_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> EventsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _opened(self, spider: scrapy.Spider) -> None:
        self.opened_at = time.perf_counter()

    def _closed(self, spider: scrapy.Spider) -> None:
        self.closed_at = time.perf_counter()

    async def start(self) -> Any:
        for url in self.urls:
            yield scrapy.Request(url)

    def parse(self, response: Any, **kwargs: Any) -> Any:
        self.pages += 1
        data = extruct.extract(
            response.text, base_url=response.url, syntaxes=["json-ld", "microdata"], uniform=True
        )
        for event in events_in(data.get("json-ld", []) + data.get("microdata", [])):
            performers = event.get("performer") or []
            performers = performers if isinstance(performers, list) else [performers]
            yield {
                "page": response.url,
                "name": _name(event.get("name")),
                "start": _name(event.get("startDate")),
                "venue": _name(event.get("location")),
                "performers": [_name(p) for p in performers],
            }


class SQLitePipeline:
    """One row per event item; one transaction for the whole crawl, committed when the spider closes."""

    def open_spider(self, spider: EventsSpider) -> None:
        self.db = sqlite3.connect(spider.settings.get("BENCH_DB"))
        self.db.execute(
            "create table if not exists events (id integer primary key, page text, name text, start text, "
            "venue text, performers text)"
        )
        self.count = 0

    def process_item(self, item: dict[str, Any], spider: EventsSpider) -> dict[str, Any]:
        self.db.execute(
            "insert into events (page, name, start, venue, performers) values (?, ?, ?, ?, ?)",
            (item["page"], item["name"], item["start"], item["venue"], json.dumps(item["performers"])),
        )
        self.count += 1
        return item

    def close_spider(self, spider: EventsSpider) -> None:
        self.db.commit()
        self.db.close()
        spider.crawler.stats.set_value("bench/events_written", self.count)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--urls", required=True, help="a file with one URL per line")
    parser.add_argument("--db", required=True)
    parser.add_argument("--override", action="append", default=[], help="PATTERN=ADDRESS")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=1)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--user-agent", default="MyStageBot/0.1 (+benchmark)")
    args = parser.parse_args()
    with open(args.urls, encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
            "DOWNLOAD_DELAY": args.delay,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": False,
            "HTTPCACHE_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "USER_AGENT": args.user_agent,
            "TWISTED_DNS_RESOLVER": f"{__name__}.OverrideResolver",
            "BENCH_HOST_OVERRIDES": args.override,
            "BENCH_DB": args.db,
            "ITEM_PIPELINES": {f"{__name__}.SQLitePipeline": 300},
        }
    )
    crawler = process.create_crawler(EventsSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, EventsSpider)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(
        json.dumps(
            {
                "pages": spider.pages,
                "events": stats.get("bench/events_written", 0),
                "seconds": spider.closed_at - spider.opened_at,
                "robots_requests": stats.get("robotstxt/request_count", 0),
                "responses": stats.get("response_received_count", 0),
                "errors": stats.get("log_count/ERROR", 0),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
