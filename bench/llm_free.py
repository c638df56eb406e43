"""How many of the fixture venues' pages are read without an LLM, before calendar feeds and after.

    .venv/bin/python bench/llm_free.py

Venue pages: the saved venue calendars (tests/fixtures/web/calendar-ripper, metalwatch), the demo's venue
sites (demo/web), and the feed fixtures written for this (tests/fixtures/feeds). For each page the
router picks the extractors as the pipeline does; a page is read without an LLM

- before: when the structured extractor finds shows in its markup;
- after: also when it links calendar feeds whose fixtures, read by their adapters (following their next
  pages), give shows, or carries "add to calendar" links that are shows themselves. Feeds this machine
  cannot fetch (ticketing pages on other hosts) are counted apart: the pipeline follows them instead of
  asking an LLM, but whether they give shows is not known here.
Prints one line per page and `RESULT {json}` last.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from selectolax.lexbor import LexborHTMLParser  # noqa: E402

from extraction.adapters.feeds import discover_feeds  # noqa: E402
from extraction.router import LLM_PAGE, STRUCTURED, Document, route  # noqa: E402

REFERENCE = dt.date(2026, 3, 1)
FEEDS = ROOT / "tests" / "fixtures" / "feeds"
# The feeds the feed fixtures' pages link, by URL: what fetching them would return.
FEED_FILES = {
    "https://tinroom.example/calendar/shows.ics": ("text/calendar", "tin-room.ics"),
    "https://www.eventbrite.com/o/the-tin-room-31415926535": ("text/html", "eventbrite-organiser.html"),
    "https://harborlights.example/wp-json/tribe/events/v1/events?per_page=50": (
        "application/json",
        "tribe-events-page-1.json",
    ),
    "https://harborlights.example/wp-json/tribe/events/v1/events/?per_page=2&page=2": (
        "application/json",
        "tribe-events-page-2.json",
    ),
    "https://northgate-social.example/events?format=json": ("application/json", "squarespace-events.json"),
    "https://northgate-social.example/events?offset=1775167200000&format=json": (
        "application/json",
        "squarespace-events-page-2.json",
    ),
}
VENUE_PAGES = [
    *[
        (p, "https://venue.example/")
        for p in sorted((ROOT / "tests/fixtures/web/calendar-ripper").glob("*.html"))
    ],
    (
        ROOT / "tests/fixtures/web/metalwatch/heavymetal-dk__real-page-2025-12-15.html",
        "https://heavymetal.dk/koncertkalender",
    ),
    *[
        (p, "http://127.0.0.1/" + p.relative_to(ROOT / "demo/web").as_posix())
        for p in sorted((ROOT / "demo/web").glob("*/events/index.html"))
    ],
    (FEEDS / "tin-room.html", "https://tinroom.example/shows"),
    (FEEDS / "wordpress-venue.html", "https://harborlights.example/events/"),
    (FEEDS / "squarespace-venue.html", "https://northgate-social.example/events"),
    (FEEDS / "add-to-calendar.html", "https://ravennafolk.example/calendar"),
]


def _read(body: bytes, url: str, content_type: str) -> tuple[int, int, list[tuple[str, str]]]:
    """(shows from markup, shows from "add to calendar" links, discovered links); -1 shows: the LLM's."""
    doc = Document(body=body, url=url, content_type=content_type, reference_date=REFERENCE)
    [extractor] = route(doc)
    if extractor is LLM_PAGE or extractor.run is None:
        return -1, 0, []
    result = extractor.run(doc)
    links = [(d.url, d.kind) for d in result.discovered_urls]
    if extractor is STRUCTURED:  # calendar links are read only where the markup gave no shows
        from_links = discover_feeds(LexborHTMLParser(doc.text), base_url=url).performances
        if [p.name for p in from_links] == [p.name for p in result.performances]:
            return 0, len(from_links), links
    return len(result.performances), 0, links


def _feed_shows(url: str, seen: set[str]) -> int | None:
    """Shows from a feed and its next pages; None when its fixture is not here (not fetchable)."""
    if url in seen:
        return 0
    seen.add(url)
    if url not in FEED_FILES:
        return None
    content_type, name = FEED_FILES[url]
    shows, _, links = _read((FEEDS / name).read_bytes(), url, content_type)
    for link, kind in links:
        if kind == "feed":
            more = _feed_shows(link, seen)
            shows += more or 0
    return max(shows, 0)


def main() -> None:
    rows: list[dict[str, Any]] = []
    for path, url in VENUE_PAGES:
        shows, link_shows, links = _read(path.read_bytes(), url, "text/html")
        feeds = [link for link, kind in links if kind == "feed"]
        feed_shows = [_feed_shows(link, set()) for link in feeds]
        known = sum(n for n in feed_shows if n) + link_shows
        rows.append(
            {
                "page": path.relative_to(ROOT).as_posix(),
                "before": shows > 0,
                "after": shows > 0 or known > 0,
                "shows": max(shows, 0),
                "feed_shows": known,
                "unfetchable_feeds": sum(1 for n in feed_shows if n is None),
            }
        )
    for row in rows:
        state = (
            "no LLM" if row["after"] else ("feeds, not fetchable here" if row["unfetchable_feeds"] else "LLM")
        )
        print(
            f"{row['page'][:72]:72} before {'no LLM' if row['before'] else 'LLM':6}  after {state:26} "
            f"shows {row['shows']:4} + feeds {row['feed_shows']:3}"
        )
    result = {
        "venue_pages": len(rows),
        "no_llm_before": sum(r["before"] for r in rows),
        "no_llm_after": sum(r["after"] for r in rows),
        "waiting_for_unfetchable_feeds": sum(1 for r in rows if not r["after"] and r["unfetchable_feeds"]),
        "need_llm_after": sum(1 for r in rows if not r["after"] and not r["unfetchable_feeds"]),
    }
    print("RESULT " + json.dumps(result))


if __name__ == "__main__":
    main()
