"""The pipeline benchmark's web: N generated venue sites, each on its own host name, served by one process.

`Web(venues, seed)` is deterministic: the same seed gives the same pages, byte for byte, whatever
else was generated before (each venue draws from a generator seeded with the seed and its number),
so the server can build any page on demand and a test can ask what a page carries.

- Venue i lives at `v{i:05d}.venues.test` with `/events/` (its calendar: 9 or 10 upcoming shows
  as HTML cards with schema.org MusicEvent data, JSON-LD on four venues in five and microdata on the
  fifth, each event with its venue and address, performers in billing order, doors, offers), `/about/`
  (the venue's details: a MusicVenue JSON-LD block with address, phone, coordinates, capacity and
  social profiles, and prose), and `/robots.txt`. The two pages link to each other. Pages are sized
  like real ones: 25-35 KB calendars (inline CSS, navigation, cards, JSON-LD, footer, scripts),
  about pages of 10-15 KB.
- Performers come from one pool of touring artists (twice as many as venues, with a long tail:
  the popular ones play many venues), so artists are shared across venues.
- About one venue in twenty is also listed by a second source: `listings{k:03d}.venues.test` (one
  listings site per block of 200 venues) has a page `/venues/v{i:05d}/` with the same shows in
  JSON-LD, the venue's name written without its leading "The" where it has one.
- Start times: a venue in three writes local times without an offset, the others with the offset
  of the venue's zone on that date. The calendars start on a fixed date (2027-03-01), not today, so
  a seed means the same pages in any year.

`python bench/pipeline_site.py serve --venues N [--seed S]` serves every host on one 127.0.0.1 port
(aiohttp's low-level server, dispatching on the Host header), prints `PORT <n>` once listening,
and stops when its stdin closes. `GET /__bench/stats` on any host answers the requests counted so
far (pages, robots.txt, not found) as JSON, so a benchmark can check what each crawler asked for.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import html
import json
import random
import sys
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

DOMAIN = "venues.test"
START = dt.date(2027, 3, 1)
LISTING_BLOCK = 200  # venues per listings site
LISTED_PERCENT = 5

# name, region, postcode prefix, zone, latitude, longitude, area code
CITIES = [
    ("Seattle", "WA", "981", "America/Los_Angeles", 47.61, -122.33, "206"),
    ("Portland", "OR", "972", "America/Los_Angeles", 45.52, -122.68, "503"),
    ("San Francisco", "CA", "941", "America/Los_Angeles", 37.77, -122.42, "415"),
    ("Oakland", "CA", "946", "America/Los_Angeles", 37.80, -122.27, "510"),
    ("Los Angeles", "CA", "900", "America/Los_Angeles", 34.05, -118.24, "213"),
    ("San Diego", "CA", "921", "America/Los_Angeles", 32.72, -117.16, "619"),
    ("Las Vegas", "NV", "891", "America/Los_Angeles", 36.17, -115.14, "702"),
    ("Phoenix", "AZ", "850", "America/Phoenix", 33.45, -112.07, "602"),
    ("Denver", "CO", "802", "America/Denver", 39.74, -104.99, "303"),
    ("Salt Lake City", "UT", "841", "America/Denver", 40.76, -111.89, "801"),
    ("Austin", "TX", "787", "America/Chicago", 30.27, -97.74, "512"),
    ("Dallas", "TX", "752", "America/Chicago", 32.78, -96.80, "214"),
    ("Houston", "TX", "770", "America/Chicago", 29.76, -95.37, "713"),
    ("Chicago", "IL", "606", "America/Chicago", 41.88, -87.63, "312"),
    ("Minneapolis", "MN", "554", "America/Chicago", 44.98, -93.27, "612"),
    ("Nashville", "TN", "372", "America/Chicago", 36.16, -86.78, "615"),
    ("New Orleans", "LA", "701", "America/Chicago", 29.95, -90.07, "504"),
    ("Atlanta", "GA", "303", "America/New_York", 33.75, -84.39, "404"),
    ("Detroit", "MI", "482", "America/Detroit", 42.33, -83.05, "313"),
    ("Philadelphia", "PA", "191", "America/New_York", 39.95, -75.17, "215"),
    ("Brooklyn", "NY", "112", "America/New_York", 40.68, -73.94, "718"),
    ("Boston", "MA", "021", "America/New_York", 42.36, -71.06, "617"),
    ("Washington", "DC", "200", "America/New_York", 38.91, -77.04, "202"),
    ("Miami", "FL", "331", "America/New_York", 25.76, -80.19, "305"),
]
ADJECTIVES = (
    "Blue Red Golden Silver Crimson Velvet Electric Rusty Hidden Lucky Little Grand Royal Wild Black "
    "White Green Copper Iron Neon Lazy Howling Broken Sunset Midnight Paper Crooked Painted Salty Empty "
    "Tin Amber Cosmic Hollow Quiet Rolling Sleeping Burning Frozen Northern Southern Western Eastern "
    "Stubborn Wandering Jolly Secret Lonely Brass Marble"
).split()
NOUNS = (
    "Lantern Crocodile Owl Anchor Sparrow Fox Whale Rooster Moon Star Tavern Harbor Lion Raven Bear "
    "Mule Thistle Compass Bell Mirror Horse Wolf Dragon Pelican Heron Badger Otter Falcon Rabbit "
    "Coyote Salmon Bison Cricket Magpie Moth Comet Orchid Cactus Cedar Willow Maple Pine Garnet Pearl "
    "Arrow Barrel Kettle Ladder Needle Saddle"
).split()
KINDS = [
    "Room",
    "Hall",
    "Lounge",
    "Ballroom",
    "Theatre",
    "Tavern",
    "Club",
    "Music Hall",
    "Social Club",
    "Bar",
]
STREETS = (
    "Main Pine Oak Maple Cedar Elm Market Union Madison Jackson Lincoln Broadway Grand Spring Water "
    "Mill Church Bridge Lake Hill Park River Harbor Railroad Division"
).split()
STREET_TYPES = ["St", "Ave", "Blvd", "Street", "Avenue", "Way", "Rd"]
ARTIST_FIRST = (
    "Velvet Paper Glass Electric Neon Silver Midnight Golden Hollow Static Lunar Crystal Desert Ocean "
    "Echo Violet Wild Broken Secret Lost Young Cold Northern Little Bright Holy Strange Sleepy Honey "
    "Thunder Analog Cosmic Feral Modern Ancient Gentle Loud Sad Happy Dizzy Hungry Tender Savage Lazy"
).split()
ARTIST_SECOND = (
    "Wolves Rivers Machines Ghosts Daughters Brothers Sisters Kids Lights Hearts Pilots Tigers Foxes "
    "Horses Saints Sinners Strangers Orchards Oceans Mountains Satellites Parades Mirrors Teeth Bones "
    "Flowers Shadows Comets Radios Engines Giants Witches Kings Queens Cowboys Sailors Painters "
    "Dancers Dreamers Lovers Ravens Swans Moths Owls"
).split()
ARTIST_FORMS = ["The {a} {b}", "{a} {b}", "{a} {b} Band", "{a} & the {b}", "DJ {a}{b}", "{a} {b} Trio"]
GENRES = ["indie rock", "folk", "jazz", "electronic", "hip hop", "soul", "punk", "country", "metal", "pop"]
WORDS = (
    "music live stage night show doors tickets sound crowd dance floor bar drinks kitchen local band "
    "artist tour record release evening weekend community neighborhood room balcony lights history "
    "building friends family welcome accessible parking transit bikes food menu season summer winter "
    "spring autumn years since founded independent family-owned staff volunteers booking calendar"
).split()
CSS_RULES = [
    f".c{i} {{ margin: {i % 7}px {i % 5}px; padding: {i % 3}rem; color: #{(i * 2654435761) % 0xFFFFFF:06x}; "
    f"font: {12 + i % 6}px/1.{i % 9} system-ui, sans-serif; border-radius: {i % 4}px; }}"
    for i in range(60)
]
INLINE_CSS = "\n".join(CSS_RULES)
SCRIPT = (
    "window.dataLayer = window.dataLayer || [];\nfunction gtag(){dataLayer.push(arguments);}\n"
    "gtag('js', new Date());\ngtag('config', 'G-BENCHMARK');\n"
    "document.addEventListener('DOMContentLoaded', function () {\n"
    "  document.querySelectorAll('[data-toggle]').forEach(function (el) {\n"
    "    el.addEventListener('click', function () { el.classList.toggle('open'); });\n  });\n});\n"
)


def _paragraph_bank(seed: int) -> list[str]:
    rng = random.Random(f"{seed}:paragraphs")
    bank = []
    for _ in range(96):
        sentences = []
        for _ in range(rng.randint(3, 6)):
            words = rng.choices(WORDS, k=rng.randint(8, 18))
            sentences.append(" ".join(words).capitalize() + ".")
        bank.append(" ".join(sentences))
    return bank


def _nth(index: int, total: int, salt: int) -> int:
    """A permutation of range(total): distinct indexes get distinct values."""
    step = 7919 if total % 7919 else 7907
    return (index * step + salt) % total


@dataclass(frozen=True)
class Event:
    ident: str
    name: str
    start: str  # ISO local date-time, with the zone's offset or without
    doors: str  # "HH:MM"
    performers: tuple[str, ...]  # billing order, headliner first
    price: int
    image: str


@dataclass(frozen=True)
class Venue:
    index: int
    host: str
    name: str
    street: str
    city: str
    region: str
    postcode: str
    timezone: str
    latitude: float
    longitude: float
    phone: str
    capacity: int
    microdata: bool
    offsets: bool  # start times written with the zone's offset
    listing: int | None  # the listings site that also lists it
    events: tuple[Event, ...]

    @property
    def listed_name(self) -> str:
        return self.name.removeprefix("The ")


class Web:
    """The generated web for `venues` venues; pages are built on demand (`page`)."""

    def __init__(self, venues: int, seed: int = 7, *, port: int | None = None) -> None:
        self.venue_count = venues
        self.seed = seed
        self.port = port
        self.artist_count = max(60, 2 * venues)
        self._paragraphs = _paragraph_bank(seed)

    # -- names and URLs

    def origin(self, host: str) -> str:
        return f"http://{host}" + (f":{self.port}" if self.port else "")

    @staticmethod
    def venue_host(index: int) -> str:
        return f"v{index:05d}.{DOMAIN}"

    @staticmethod
    def listing_host(block: int) -> str:
        return f"listings{block:03d}.{DOMAIN}"

    def artist_name(self, index: int) -> str:
        total = len(ARTIST_FIRST) * len(ARTIST_SECOND) * len(ARTIST_FORMS)
        n = _nth(index, total, self.seed) if index < total else index
        a = ARTIST_FIRST[n % len(ARTIST_FIRST)]
        b = ARTIST_SECOND[(n // len(ARTIST_FIRST)) % len(ARTIST_SECOND)]
        form = ARTIST_FORMS[(n // (len(ARTIST_FIRST) * len(ARTIST_SECOND))) % len(ARTIST_FORMS)]
        name = form.format(a=a, b=b)
        return name if index < total else f"{name} {index // total + 1}"

    # -- what there is

    @functools.lru_cache(maxsize=4096)  # noqa: B019 - one Web per process; pages ask for their venue often
    def venue(self, index: int) -> Venue:
        rng = random.Random(f"{self.seed}:venue:{index}")
        total = len(ADJECTIVES) * len(NOUNS) * len(KINDS)
        n = _nth(index, total, self.seed * 31)
        name = f"{ADJECTIVES[n % len(ADJECTIVES)]} {NOUNS[(n // len(ADJECTIVES)) % len(NOUNS)]}"
        kind = KINDS[(n // (len(ADJECTIVES) * len(NOUNS))) % len(KINDS)]
        name = f"{name} {kind}" if index < total else f"{name} {kind} {index // total + 1}"
        if rng.random() < 0.3:
            name = "The " + name
        city, region, zip3, zone, lat, lng, area = CITIES[rng.randrange(len(CITIES))]
        street = f"{rng.randint(100, 4999)} {rng.choice(STREETS)} {rng.choice(STREET_TYPES)}"
        listed = rng.randrange(100) < LISTED_PERCENT
        venue = Venue(
            index=index,
            host=self.venue_host(index),
            name=name,
            street=street,
            city=city,
            region=region,
            postcode=f"{zip3}{rng.randint(0, 99):02d}",
            timezone=zone,
            latitude=round(lat + rng.uniform(-0.08, 0.08), 5),
            longitude=round(lng + rng.uniform(-0.08, 0.08), 5),
            phone=f"+1 {area}-{rng.randint(200, 989)}-{rng.randint(1000, 9999)}",
            capacity=rng.choice([120, 250, 300, 450, 600, 900, 1200, 1800]),
            microdata=rng.randrange(5) == 0,
            offsets=rng.randrange(3) != 0,
            listing=index // LISTING_BLOCK if listed else None,
            events=(),
        )
        return _with_events(venue, self._events(venue, rng))

    def _events(self, venue: Venue, rng: random.Random) -> list[Event]:
        zone = ZoneInfo(venue.timezone)
        days = sorted(rng.sample(range(90), 9 + (rng.random() < 0.5)))
        events = []
        for k, day in enumerate(days):
            date = START + dt.timedelta(days=day)
            hour, minute = rng.choice([(19, 0), (19, 30), (20, 0), (20, 0), (20, 30), (21, 0), (21, 30)])
            when = dt.datetime(date.year, date.month, date.day, hour, minute, tzinfo=zone)
            start = when.isoformat() if venue.offsets else when.replace(tzinfo=None).isoformat()
            count = rng.choices([1, 2, 3], weights=[3, 5, 2])[0]
            performers: list[str] = []
            while len(performers) < count:
                # A long tail: low numbers (the big touring acts) come up far more often.
                name = self.artist_name(int(self.artist_count * rng.random() ** 2.5))
                if name not in performers:
                    performers.append(name)
            name = performers[0] if count == 1 else f"{performers[0]} with {' & '.join(performers[1:])}"
            if rng.random() < 0.15:
                name = f"{performers[0]}: {rng.choice(['Spring Tour', 'Album Release Show', 'Live', 'An Evening With'])}"
            events.append(
                Event(
                    ident=f"{venue.index:05d}-{k}",
                    name=name,
                    start=start,
                    doors=f"{hour - 1:02d}:{minute:02d}",
                    performers=tuple(performers),
                    price=rng.choice([10, 12, 15, 18, 20, 25, 30, 35, 45]),
                    image=f"https://img.{DOMAIN}/events/{venue.index:05d}-{k}.jpg",
                )
            )
        return events

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def listed_venues(self, block: int) -> list[Venue]:
        first = block * LISTING_BLOCK
        last = min(first + LISTING_BLOCK, self.venue_count)
        return [v for v in (self.venue(i) for i in range(first, last)) if v.listing == block]

    @functools.lru_cache(maxsize=1)  # noqa: B019
    def listing_blocks(self) -> list[int]:
        blocks = (self.venue_count + LISTING_BLOCK - 1) // LISTING_BLOCK
        return [b for b in range(blocks) if self.listed_venues(b)]

    def sources(self) -> dict[str, Any]:
        """The `import_sources` spec: one source per venue site and per listings site."""
        sources: list[dict[str, Any]] = []
        for i in range(self.venue_count):
            origin = self.origin(self.venue_host(i))
            sources.append(
                {
                    "name": f"v{i:05d}",
                    "kind": "venue_site",
                    "priority": 50,
                    "urls": [origin + "/events/", origin + "/about/"],
                }
            )
        for block in self.listing_blocks():
            origin = self.origin(self.listing_host(block))
            sources.append(
                {
                    "name": f"listings{block:03d}",
                    "kind": "aggregator",
                    "priority": 30,
                    "urls": [f"{origin}/venues/v{v.index:05d}/" for v in self.listed_venues(block)],
                }
            )
        return {"sources": sources}

    def urls(self) -> list[str]:
        return [url for source in self.sources()["sources"] for url in source["urls"]]

    def expected(self) -> dict[str, int]:
        """What the web holds: pages, hosts, distinct shows, event records on all pages."""
        venues = [self.venue(i) for i in range(self.venue_count)]
        shows = sum(len(v.events) for v in venues)
        listed = sum(len(v.events) for v in venues if v.listing is not None)
        listed_venues = sum(1 for v in venues if v.listing is not None)
        blocks = len(self.listing_blocks())
        return {
            "venues": self.venue_count,
            "pages": 2 * self.venue_count + listed_venues,
            "hosts": self.venue_count + blocks,
            "shows": shows,
            "event_records": shows + listed,  # a listed venue's shows are on two pages
            "listed_venues": listed_venues,
            "artists_billed": len({p for v in venues for e in v.events for p in e.performers}),
        }

    # -- pages

    def page(self, host: str, path: str) -> bytes | None:
        host = host.lower()
        if path == "/robots.txt":
            return self._robots(host).encode() if self._known_host(host) else None
        if host.startswith("v") and host.endswith("." + DOMAIN):
            index = _number(host[1 : -len(DOMAIN) - 1])
            if index is None or index >= self.venue_count:
                return None
            if path in ("/events/", "/events"):
                return self.calendar_page(self.venue(index)).encode()
            if path in ("/about/", "/about"):
                return self.about_page(self.venue(index)).encode()
            return None
        if host.startswith("listings") and path.startswith("/venues/v"):
            block = _number(host[len("listings") : -len(DOMAIN) - 1])
            index = _number(path[len("/venues/v") :].rstrip("/"))
            if block is None or index is None or index >= self.venue_count:
                return None
            venue = self.venue(index)
            return self.listing_page(venue).encode() if venue.listing == block else None
        return None

    def _known_host(self, host: str) -> bool:
        if not host.endswith("." + DOMAIN):
            return False
        if host.startswith("v"):
            index = _number(host[1 : -len(DOMAIN) - 1])
            return index is not None and index < self.venue_count
        block = _number(host[len("listings") : -len(DOMAIN) - 1]) if host.startswith("listings") else None
        return block is not None and block in self.listing_blocks()

    def _robots(self, host: str) -> str:
        return (
            "User-agent: *\nDisallow: /admin/\nDisallow: /cart/\nDisallow: /search\nAllow: /\n\n"
            f"Sitemap: {self.origin(host)}/sitemap.xml\n"
        )

    def _text(self, rng: random.Random, paragraphs: int) -> str:
        return "\n".join(f"<p>{p}</p>" for p in rng.sample(self._paragraphs, paragraphs))

    def _head(self, title: str, description: str, url: str) -> str:
        t, d = html.escape(title), html.escape(description)
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{t}</title>\n<meta name="description" content="{d}">\n'
            f'<link rel="canonical" href="{url}">\n'
            f'<meta property="og:title" content="{t}">\n<meta property="og:type" content="website">\n'
            f'<meta property="og:url" content="{url}">\n<meta property="og:description" content="{d}">\n'
            '<link rel="preconnect" href="https://fonts.example">\n'
            '<link rel="stylesheet" href="/static/css/site.min.css?v=20270301">\n'
            f"<style>\n{INLINE_CSS}\n</style>\n"
            '<script async src="https://analytics.example/gtag/js?id=G-BENCHMARK"></script>\n'
            f"<script>\n{SCRIPT}</script>\n</head>\n"
        )

    def _nav(self, venue: Venue) -> str:
        items = [("/events/", "Calendar"), ("/about/", "About &amp; directions"), ("/private-events/", "Private events"),
                 ("/faq/", "FAQ"), ("/jobs/", "Jobs"), ("/contact/", "Contact")]  # fmt: skip
        links = "\n".join(
            f'<li class="c{n}"><a href="{href}">{label}</a></li>' for n, (href, label) in enumerate(items)
        )
        return (
            '<header class="site-header c1">\n<div class="c2"><a class="logo" href="/">'
            f'<img src="/static/img/logo.svg" alt="{html.escape(venue.name)}" width="180" height="48"></a></div>\n'
            f'<nav aria-label="Main" class="c3"><button data-toggle="menu">Menu</button>\n<ul>\n{links}\n</ul></nav>\n'
            "</header>\n"
        )

    def _footer(self, venue: Venue) -> str:
        return (
            '<footer class="site-footer c40">\n<div class="c41">\n'
            f"<p><strong>{html.escape(venue.name)}</strong><br>{html.escape(venue.street)}<br>"
            f"{html.escape(venue.city)}, {venue.region} {venue.postcode}<br>"
            f'<a href="tel:{venue.phone.replace(" ", "").replace("-", "")}">{venue.phone}</a></p>\n'
            '<ul class="social"><li><a href="https://social.example/venue">Instagram</a></li>'
            '<li><a href="https://video.example/venue">Videos</a></li>'
            '<li><a href="/newsletter/">Newsletter</a></li></ul>\n'
            '<form class="c42" action="/newsletter/" method="post"><label>Email <input type="email" name="email">'
            '</label><button type="submit">Sign up</button></form>\n'
            f'<p class="c43">All ages unless noted. &copy; 2027 {html.escape(venue.name)}. '
            'Tickets sold by <a href="https://tickets.example/">Tickets Example</a>.</p>\n'
            "</div>\n</footer>\n"
        )

    def _place(self, venue: Venue, name: str | None = None) -> dict[str, Any]:
        return {
            "@type": "MusicVenue",
            "name": name or venue.name,
            "address": {
                "@type": "PostalAddress",
                "streetAddress": venue.street,
                "addressLocality": venue.city,
                "addressRegion": venue.region,
                "postalCode": venue.postcode,
                "addressCountry": "US",
            },
        }

    def _event_jsonld(
        self, venue: Venue, event: Event, page_url: str, place_name: str | None = None
    ) -> dict[str, Any]:
        return {
            "@context": "https://schema.org",
            "@type": "MusicEvent",
            "name": event.name,
            "url": f"{page_url}#e{event.ident}",
            "startDate": event.start,
            "doorTime": event.doors,
            "eventStatus": "https://schema.org/EventScheduled",
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "image": event.image,
            "description": f"{event.name} live at {venue.name}. Doors {event.doors}. All ages.",
            "location": self._place(venue, place_name),
            "performer": [{"@type": "MusicGroup", "name": name} for name in event.performers],
            "offers": {
                "@type": "Offer",
                "price": str(event.price),
                "priceCurrency": "USD",
                "availability": "https://schema.org/InStock",
                "url": f"https://tickets.example/e/{event.ident}",
            },
            "organizer": {"@type": "Organization", "name": venue.name, "url": self.origin(venue.host) + "/"},
        }

    def _card(self, venue: Venue, event: Event, rng: random.Random, microdata: bool) -> str:
        date = dt.datetime.fromisoformat(event.start)
        shown = date.strftime("%a %b %d, %Y · %I:%M %p").replace(" 0", " ")
        acts = "".join(
            (f'<li itemprop="performer" itemscope itemtype="https://schema.org/MusicGroup">'
             f'<span itemprop="name">{html.escape(p)}</span></li>') if microdata
            else f"<li>{html.escape(p)}</li>"
            for p in event.performers
        )  # fmt: skip
        blurb = rng.choice(self._paragraphs)[:220]
        if not microdata:
            return (
                f'<article class="event-card c{rng.randrange(60)}" id="e{event.ident}">\n'
                f'<img loading="lazy" src="{event.image}" alt="" width="400" height="225">\n'
                f'<div class="event-body"><p class="date"><time datetime="{event.start}">{shown}</time></p>\n'
                f'<h3><a href="#e{event.ident}">{html.escape(event.name)}</a></h3>\n<ul class="acts">{acts}</ul>\n'
                f'<p class="blurb">{blurb}</p>\n'
                f'<p class="meta">Doors {event.doors} · ${event.price} · All ages</p>\n'
                f'<a class="button" href="https://tickets.example/e/{event.ident}">Tickets</a></div>\n</article>\n'
            )
        return (
            f'<article class="event-card c{rng.randrange(60)}" id="e{event.ident}" itemscope '
            'itemtype="https://schema.org/MusicEvent">\n'
            f'<img loading="lazy" itemprop="image" src="{event.image}" alt="" width="400" height="225">\n'
            f'<div class="event-body"><p class="date"><time itemprop="startDate" datetime="{event.start}">{shown}</time>'
            f'<meta itemprop="doorTime" content="{event.doors}"></p>\n'
            f'<h3 itemprop="name">{html.escape(event.name)}</h3>\n<ul class="acts">{acts}</ul>\n'
            f'<p class="blurb" itemprop="description">{blurb}</p>\n'
            '<div itemprop="location" itemscope itemtype="https://schema.org/MusicVenue">'
            f'<meta itemprop="name" content="{html.escape(venue.name)}">'
            '<div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
            f'<meta itemprop="streetAddress" content="{html.escape(venue.street)}">'
            f'<meta itemprop="addressLocality" content="{html.escape(venue.city)}">'
            f'<meta itemprop="addressRegion" content="{venue.region}">'
            f'<meta itemprop="postalCode" content="{venue.postcode}">'
            '<meta itemprop="addressCountry" content="US"></div></div>\n'
            f'<p class="meta" itemprop="offers" itemscope itemtype="https://schema.org/Offer">Doors {event.doors} · '
            f'<span itemprop="priceCurrency" content="USD">$</span><span itemprop="price">{event.price}</span> · '
            f'<a itemprop="url" class="button" href="https://tickets.example/e/{event.ident}">Tickets</a></p>\n'
            "</div>\n</article>\n"
        )

    def calendar_page(self, venue: Venue) -> str:
        rng = random.Random(f"{self.seed}:calendar:{venue.index}")
        url = self.origin(venue.host) + "/events/"
        cards = "".join(self._card(venue, e, rng, venue.microdata) for e in venue.events)
        blocks: list[Any] = [
            {"@context": "https://schema.org", "@type": "WebSite", "name": venue.name, "url": self.origin(venue.host) + "/",
             "potentialAction": {"@type": "SearchAction", "target": self.origin(venue.host) + "/search?q={q}",
                                 "query-input": "required name=q"}},
            {"@context": "https://schema.org", "@type": "BreadcrumbList", "itemListElement": [
                {"@type": "ListItem", "position": 1, "name": "Home", "item": self.origin(venue.host) + "/"},
                {"@type": "ListItem", "position": 2, "name": "Calendar", "item": url}]},
        ]  # fmt: skip
        if not venue.microdata:
            blocks.append([self._event_jsonld(venue, e, url) for e in venue.events])
        scripts = "".join(
            f'<script type="application/ld+json">\n{json.dumps(b, indent=1)}\n</script>\n' for b in blocks
        )
        months = sorted({dt.datetime.fromisoformat(e.start).strftime("%B %Y") for e in venue.events})
        filters = "".join(f'<li><a href="?month={m.replace(" ", "-").lower()}">{m}</a></li>' for m in months)
        return (
            self._head(f"Calendar | {venue.name}", f"Upcoming shows at {venue.name} in {venue.city}.", url)
            + f'<body class="calendar c0">\n<a class="skip" href="#main">Skip to content</a>\n{self._nav(venue)}'
            + f'<main id="main" class="c5">\n<h1>Upcoming shows at {html.escape(venue.name)}</h1>\n'
            + f'<aside class="c6"><h2>Filter</h2><ul class="months">{filters}</ul>\n'
            + '<p><a href="/about/">Getting here, accessibility and box office hours</a></p></aside>\n'
            + f'<section class="events c7">\n{cards}</section>\n'
            + f'<section class="c8"><h2>Good to know</h2>\n{self._text(rng, 3)}\n</section>\n</main>\n'
            + self._footer(venue)
            + scripts
            + '<script src="/static/js/calendar.min.js?v=20270301" defer></script>\n</body>\n</html>\n'
        )

    def about_page(self, venue: Venue) -> str:
        rng = random.Random(f"{self.seed}:about:{venue.index}")
        origin = self.origin(venue.host)
        place = {
            "@context": "https://schema.org",
            **self._place(venue),
            "@id": origin + "/#venue",
            "url": origin + "/",
            "telephone": venue.phone,
            "geo": {"@type": "GeoCoordinates", "latitude": venue.latitude, "longitude": venue.longitude},
            "maximumAttendeeCapacity": venue.capacity,
            "image": f"https://img.{DOMAIN}/venues/{venue.index:05d}.jpg",
            "sameAs": [f"https://social.example/{venue.host.split('.')[0]}", f"https://video.example/{venue.host.split('.')[0]}"],
            "openingHoursSpecification": [
                {"@type": "OpeningHoursSpecification", "dayOfWeek": day, "opens": "17:00", "closes": "02:00"}
                for day in ("Wednesday", "Thursday", "Friday", "Saturday")
            ],
        }  # fmt: skip
        faq = "".join(
            f"<details class=\"c{20 + n}\"><summary>{q}</summary>{self._text(rng, 1)}</details>\n"
            for n, q in enumerate(["Is there parking?", "Is the venue accessible?", "Can I bring a camera?",
                                   "When does the box office open?", "Are shows all ages?"])
        )  # fmt: skip
        return (
            self._head(
                f"About | {venue.name}",
                f"{venue.name}: directions, hours and accessibility.",
                origin + "/about/",
            )
            + f'<body class="about c0">\n{self._nav(venue)}<main id="main" class="c5">\n'
            + f"<h1>About {html.escape(venue.name)}</h1>\n{self._text(rng, 4)}\n"
            + f"<h2>Getting here</h2>\n<p>{html.escape(venue.street)}, {html.escape(venue.city)}, {venue.region} "
            + f"{venue.postcode}. Call {venue.phone}.</p>\n"
            + f'<iframe title="Map" loading="lazy" src="https://maps.example/embed?q={venue.latitude},{venue.longitude}" '
            + 'width="600" height="300"></iframe>\n'
            + f"<h2>Frequently asked</h2>\n{faq}"
            + '<p><a href="/events/">See the calendar</a></p>\n</main>\n'
            + self._footer(venue)
            + f'<script type="application/ld+json">\n{json.dumps(place, indent=1)}\n</script>\n</body>\n</html>\n'
        )

    def listing_page(self, venue: Venue) -> str:
        assert venue.listing is not None
        rng = random.Random(f"{self.seed}:listing:{venue.index}")
        origin = self.origin(self.listing_host(venue.listing))
        url = f"{origin}/venues/v{venue.index:05d}/"
        events = [self._event_jsonld(venue, e, url, venue.listed_name) for e in venue.events]
        rows = "".join(
            f'<tr class="c{n}"><td>{dt.datetime.fromisoformat(e.start):%b %d}</td>'
            f"<td>{html.escape(e.name)}</td><td>${e.price}</td></tr>\n"
            for n, e in enumerate(venue.events)
        )
        return (
            self._head(f"{venue.listed_name} shows | City Listings", f"Shows at {venue.listed_name}.", url)
            + '<body class="listing c0">\n<header class="c1"><a href="/">City Listings</a></header>\n'
            + f'<main class="c5"><h1>{html.escape(venue.listed_name)}</h1>\n'
            + f"<p>{html.escape(venue.street)}, {html.escape(venue.city)}</p>\n"
            + f'<table class="c9"><thead><tr><th>Date</th><th>Show</th><th>Price</th></tr></thead>\n<tbody>\n{rows}</tbody></table>\n'
            + f"{self._text(rng, 2)}\n</main>\n"
            + f'<script type="application/ld+json">\n{json.dumps(events, indent=1)}\n</script>\n</body>\n</html>\n'
        )


def _with_events(venue: Venue, events: list[Event]) -> Venue:
    from dataclasses import replace

    return replace(venue, events=tuple(events))


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None


# --- the server --------------------------------------------------------------------------------


async def _serve(venues: int, seed: int, host: str, port: int) -> None:
    from aiohttp import web

    html_headers = {"Content-Type": "text/html; charset=utf-8"}
    text_headers = {"Content-Type": "text/plain; charset=utf-8"}
    stats = {"pages": 0, "robots": 0, "not_found": 0}
    loop = asyncio.get_running_loop()
    site: Web | None = None

    async def handler(request: web.BaseRequest) -> web.Response:
        assert site is not None
        if request.path == "/__bench/stats":
            return web.Response(body=json.dumps(stats).encode(), headers=text_headers)
        name = (request.host or "").rsplit(":", 1)[0] if not (request.host or "").startswith("[") else ""
        body = site.page(name, request.path)
        if body is None:
            stats["not_found"] += 1
            return web.Response(status=404, body=b"not found", headers=text_headers)
        robots = request.path == "/robots.txt"
        stats["robots" if robots else "pages"] += 1
        return web.Response(body=body, headers=text_headers if robots else html_headers)

    listener = await loop.create_server(
        web.Server(handler, access_log=None), host, port, backlog=1024, reuse_address=True
    )
    bound = listener.sockets[0].getsockname()[1]
    site = Web(venues, seed, port=bound)
    print(f"PORT {bound}", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # stop when the parent closes our stdin (or dies)
    listener.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["serve"])
    parser.add_argument("--venues", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.venues, args.seed, args.host, args.port))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
