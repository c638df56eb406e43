"""Scrapy's side of the crawl benchmark, run in its own process by bench/crawl.py.

`python bench/crawl_scrapy.py --start URL --concurrency N --user-agent UA` crawls the site from URL
with a plain Spider (the fastest idiom we know: `response.follow_all` over `a::attr(href)`; a
CrawlSpider with a LinkExtractor is slower), restricted to the start host by `allowed_domains`, and
prints one JSON line: pages parsed, seconds from spider_opened to spider_closed, and Scrapy's stats
that show it obeyed robots.txt and followed no other host.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import CrawlerProcess


class SiteSpider(scrapy.Spider):
    name = "bench_site"

    def __init__(self, start: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start]
        self.allowed_domains = [urlsplit(start).hostname or ""]
        self.pages = 0
        self.opened_at = 0.0
        self.closed_at = 0.0

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    def _opened(self, spider: scrapy.Spider) -> None:
        self.opened_at = time.perf_counter()

    def _closed(self, spider: scrapy.Spider) -> None:
        self.closed_at = time.perf_counter()

    async def start(self) -> Any:
        # Scrapy's default start requests skip the duplicate filter, so "/" would be fetched again
        # when a page links to it; every page once, as our crawler does.
        for url in self.start_urls:
            yield scrapy.Request(url)

    def parse(self, response: Any, **kwargs: Any) -> Any:
        self.pages += 1
        yield from response.follow_all(css="a::attr(href)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--start", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--user-agent", required=True)
    parser.add_argument("--set", action="append", default=[], help="extra Scrapy setting NAME=VALUE")
    args = parser.parse_args()
    extra = dict(item.split("=", 1) for item in args.set)
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "ROBOTSTXT_OBEY": True,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "USER_AGENT": args.user_agent,
            "HTTPCACHE_ENABLED": False,
            "DEPTH_LIMIT": 0,
            "TELNETCONSOLE_ENABLED": False,
            **extra,
        }
    )
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, start=args.start)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, SiteSpider)
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(
        json.dumps(
            {
                "pages": spider.pages,
                "seconds": spider.closed_at - spider.opened_at,
                "robots_requests": stats.get("robotstxt/request_count", 0),
                "offsite_filtered": stats.get("offsite/filtered", 0),
                "responses": stats.get("response_received_count", 0),
                "dupes_filtered": stats.get("dupefilter/filtered", 0),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
