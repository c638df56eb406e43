"""Generated pages of events in every schema.org syntax form, with their truth (pure Python).

Used by the tests (tuning seeds) and by `bench/extract.py --forms` (a held-out seed, never looked at
while tuning the extractor), which scores each syntax form on its own:

    jsonld_compact   one or several blocks, "@context": "https://schema.org", nested places and acts
    jsonld_expanded  the expanded form: full IRIs, value objects, arrays, places by "_:b" reference
    jsonld_prefixed  a custom prefix and custom terms ("s:", "when": "s:startDate", a term for the type)
    jsonld_reverse   a venue with "@reverse": {"location": [...]}, acts by a term defined with @reverse
    jsonld_graph     "@graph" with venues and acts as nodes of their own, referenced by "@id"
    microdata_nested items nested in items
    microdata_itemref venues and acts described once, pulled into each event with itemref
    rdfa_lite        vocab + typeof + property
    rdfa_full        prefix + CURIEs, rel/rev, resource/href references to nodes described elsewhere,
                     a hanging rel
    mixed            JSON-LD, microdata and RDFa events on one page

Every page also holds distractors that must give no performance: a TV episode's BroadcastEvent, a
PublicationEvent, an ExhibitionEvent, events in other vocabularies (FOAF RDFa, data-vocabulary.org
microdata, a JSON-LD block with a FOAF @vocab), and an unnamed place whose link text must not become a
venue. Times are written with offsets, in UTC with the page's zone given, or as dates; some events
recur by an eventSchedule (their truth is every date within the horizon, computed here by plain date
arithmetic, not by the extractor's code).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SYNTAXES = (
    "jsonld_compact",
    "jsonld_expanded",
    "jsonld_prefixed",
    "jsonld_reverse",
    "jsonld_graph",
    "microdata_nested",
    "microdata_itemref",
    "rdfa_lite",
    "rdfa_full",
    "mixed",
)
REFERENCE_DATE = dt.date(2026, 3, 2)  # the "fetch date" of every generated page
HORIZON_DAYS = 120
PAGE_ZONE = "America/Chicago"
SCHEMA = "http://schema.org/"

_WORDS = (
    "Velvet Harbor Neon Orchard Static Lantern Copper Meadow Paper Comet Hollow Pines Midnight Choir "
    "Glass Canyon Amber Tides Silver Fern Quiet Riot Lunar Garden Wild Atlas Crimson Owl Golden Hour "
    "Broken Compass Electric Sheep Northern Lights Second Story Driftwood Saints Cedar Smoke Feral Hearts "
    "Paper Kites Marble Arch Iron Lung Sugar Moth Blue Heron Ghost Town Rust Belt Honey Trap"
).split()
_VENUE_WORDS = ("Hall", "Room", "Tavern", "Ballroom", "Lounge", "Theatre", "Club", "Cellar", "Stage", "Hi-Fi")
_CITIES = ("Chicago", "Evanston", "Oak Park", "Cicero", "Skokie")
_EVENT_TYPES = ("MusicEvent", "Event", "ComedyEvent", "TheaterEvent", "DanceEvent", "Festival", "SocialEvent")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Venue:
    key: str
    name: str | None  # None: an unnamed place (its link text must not name it)
    city: str
    link_text: str


@dataclass
class Act:
    key: str
    name: str


@dataclass
class GenEvent:
    key: str
    type: str
    name: str
    day: dt.date
    clock: dt.time | None
    written: str  # startDate as written on the page
    venue: Venue | None
    acts: list[Act]
    schedule: dict[str, object] | None = None
    dates: list[dt.date] = field(default_factory=list)  # a recurring event's truth dates


@dataclass
class Page:
    name: str
    syntax: str
    html: str
    url: str
    default_timezone: str | None
    truth: list[dict[str, object]]
    distractors: list[str]  # names that must not become performances


def generate(seed: int, pages_per_syntax: int = 6) -> list[Page]:
    """`pages_per_syntax` pages of each syntax form, deterministic for a seed."""
    rng = random.Random(seed)
    pages = []
    for syntax in SYNTAXES:
        for number in range(pages_per_syntax):
            pages.append(_page(rng, syntax, f"{syntax}-{seed}-{number}"))
    return pages


# ---------------------------------------------------------------------------------------------
# Content


def _title(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


def _events(rng: random.Random, prefix: str, utc_zone: ZoneInfo | None) -> list[GenEvent]:
    venues = [
        Venue(
            key=f"{prefix}-venue-{i}",
            name=None if rng.random() < 0.12 else f"The {_title(rng, 1)} {rng.choice(_VENUE_WORDS)}",
            city=rng.choice(_CITIES),
            link_text=f"About {rng.choice(_CITIES)}, IL",
        )
        for i in range(rng.randint(1, 3))
    ]
    acts = [Act(key=f"{prefix}-act-{i}", name=_title(rng, rng.randint(1, 3))) for i in range(6)]
    events = []
    used: set[str] = set()
    for index in range(rng.randint(2, 7)):
        name = _title(rng, rng.randint(2, 4))
        while name.casefold() in used:
            name = _title(rng, rng.randint(2, 4))
        used.add(name.casefold())
        day = REFERENCE_DATE + dt.timedelta(days=rng.randint(3, 300))
        form = rng.random()
        clock = (
            None if form < 0.15 else dt.time(rng.choice((18, 19, 20, 21, 22)), rng.choice((0, 15, 30, 45)))
        )
        if clock is None:
            written = day.isoformat()
        elif form < 0.35 and utc_zone is not None:  # written in UTC, read in the page's zone
            local = dt.datetime.combine(day, clock, tzinfo=utc_zone)
            written = local.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        elif form < 0.7:
            local = dt.datetime.combine(day, clock, tzinfo=ZoneInfo(PAGE_ZONE))
            offset = int((local.utcoffset() or dt.timedelta(0)).total_seconds()) // 60
            hours, minutes = divmod(abs(offset), 60)
            sign = "-" if offset < 0 else "+"
            written = f"{day.isoformat()}T{clock.strftime('%H:%M')}:00{sign}{hours:02d}:{minutes:02d}"
        else:
            written = f"{day.isoformat()}T{clock.strftime('%H:%M')}"
        event = GenEvent(
            key=f"{prefix}-event-{index}",
            type=rng.choice(_EVENT_TYPES),
            name=name,
            day=day,
            clock=clock,
            written=written,
            venue=rng.choice(venues),
            acts=rng.sample(acts, rng.randint(0, 3)),
        )
        if rng.random() < 0.12:
            _make_recurring(rng, event)
        events.append(event)
    return events


def _make_recurring(rng: random.Random, event: GenEvent) -> None:
    """A weekly event on one weekday, some weeks excepted; its truth dates by plain arithmetic."""
    weekday = rng.randrange(7)
    first = REFERENCE_DATE - dt.timedelta(days=rng.randint(0, 60))
    first += dt.timedelta(days=(weekday - first.weekday()) % 7)
    last = REFERENCE_DATE + dt.timedelta(days=rng.randint(20, 200))
    clock = event.clock or dt.time(20, 0)
    dates = []
    day = first
    while day <= last:
        if REFERENCE_DATE <= day <= REFERENCE_DATE + dt.timedelta(days=HORIZON_DAYS):
            dates.append(day)
        day += dt.timedelta(days=7)
    excepted = rng.sample(dates, min(len(dates), rng.randint(0, 2)))
    event.clock = clock
    event.dates = [d for d in dates if d not in excepted]
    event.schedule = {
        "@type": "Schedule",
        "startDate": first.isoformat(),
        "endDate": last.isoformat(),
        "repeatFrequency": "P1W",
        "byDay": f"https://schema.org/{_DAYS[weekday]}",
        "startTime": clock.strftime("%H:%M"),
        "scheduleTimezone": PAGE_ZONE,
        **({"exceptDate": [d.isoformat() for d in excepted]} if excepted else {}),
    }


def _truth(events: list[GenEvent]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for event in events:
        for day in event.dates if event.schedule else [event.day]:
            rows.append(
                {
                    "name": event.name,
                    "local_date": day.isoformat(),
                    "local_start_time": event.clock.strftime("%H:%M") if event.clock else None,
                    "venue": event.venue.name if event.venue else None,
                    "performers": [act.name for act in event.acts],
                }
            )
    return rows


# ---------------------------------------------------------------------------------------------
# Pages


def _page(rng: random.Random, syntax: str, name: str) -> Page:
    utc_zone = ZoneInfo(PAGE_ZONE) if rng.random() < 0.6 else None
    events = _events(rng, name, utc_zone)
    if utc_zone is None:  # no zone known for the page: no UTC times on it
        for event in events:
            if event.written.endswith("Z") and event.clock is not None:
                event.written = f"{event.day.isoformat()}T{event.clock.strftime('%H:%M')}"
    if syntax == "mixed":
        body = _mixed(rng, events)
    else:
        body = _RENDER[syntax](rng, events)
    distractors, distractor_html = _distractors(rng, syntax)
    parts = [body, distractor_html]
    rng.shuffle(parts)
    page = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Shows</title></head><body>"
        f"<h1>Upcoming shows</h1>{''.join(parts)}<footer>© venue</footer></body></html>"
    )
    return Page(
        name=name,
        syntax=syntax,
        html=page,
        url=f"https://{name}.example/events/",
        default_timezone=PAGE_ZONE if utc_zone else None,
        truth=_truth(events),
        distractors=distractors,
    )


def _mixed(rng: random.Random, events: list[GenEvent]) -> str:
    chunks = []
    for event in events:
        render = rng.choice(
            (_jsonld_compact, _microdata_nested, _rdfa_lite, _jsonld_graph, _rdfa_full, _jsonld_prefixed)
        )
        chunks.append(render(rng, [event]))
    return "\n".join(chunks)


def _script(document: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(document, ensure_ascii=False)}</script>'


def _place(venue: Venue | None) -> dict[str, object] | None:
    if venue is None:
        return None
    place: dict[str, object] = {"@type": "MusicVenue" if venue.name else "Place"}
    if venue.name:
        place["name"] = venue.name
    place["address"] = {"@type": "PostalAddress", "addressLocality": venue.city, "addressRegion": "IL"}
    place["url"] = f"/venues/{venue.key}"
    return place


def _compact_event(event: GenEvent) -> dict[str, object]:
    node: dict[str, object] = {"@type": event.type, "name": event.name, "startDate": event.written}
    if event.schedule:
        node["eventSchedule"] = event.schedule
        node.pop("startDate")
    if event.venue:
        node["location"] = _place(event.venue)
    if event.acts:
        node["performer"] = [{"@type": "MusicGroup", "name": act.name} for act in event.acts]
    node["url"] = f"/events/{event.key}"
    return node


def _jsonld_compact(rng: random.Random, events: list[GenEvent]) -> str:
    nodes = [{"@context": "https://schema.org", **_compact_event(e)} for e in events]
    if rng.random() < 0.5:
        return "".join(_script(node) for node in nodes)
    return _script(nodes)


def _expanded_value(value: object) -> object:
    if isinstance(value, dict):
        out: dict[str, object] = {}
        for key, item in value.items():
            if key == "@type":
                out["@type"] = [SCHEMA + str(item)]
            elif key.startswith("@"):
                out[key] = item
            else:
                items = item if isinstance(item, list) else [item]
                out[SCHEMA + key] = [_expanded_value(i) for i in items]
        return out
    return {"@value": value}


def _jsonld_expanded(rng: random.Random, events: list[GenEvent]) -> str:
    graph: list[object] = []
    venues: dict[str, str] = {}
    for event in events:
        node = _compact_event(event)
        node["url"] = f"https://example.org/events/{event.key}"  # the expanded form has no base to lean on
        if event.venue is not None and rng.random() < 0.7:
            place = _place(event.venue)
            place_id = venues.setdefault(event.venue.key, f"_:b{len(venues)}")
            node["location"] = {"@id": place_id}
            if place is not None and all(
                not (isinstance(g, dict) and g.get("@id") == place_id) for g in graph
            ):
                place.pop("url", None)
                expanded_place = _expanded_value(place)
                assert isinstance(expanded_place, dict)
                expanded_place["@id"] = place_id
                graph.append(expanded_place)
        elif isinstance(location := node.get("location"), dict):
            location.pop("url", None)
        graph.append(_expanded_value(node))
    rng.shuffle(graph)
    return _script(graph)


def _jsonld_prefixed(rng: random.Random, events: list[GenEvent]) -> str:
    prefix = rng.choice(("s", "sdo", "schema2", "x"))
    when = rng.choice(("when", "starts", "datum"))
    where = rng.choice(("where", "venue", "ort"))
    who = rng.choice(("who", "lineup", "acts"))
    context: dict[str, object] = {
        prefix: SCHEMA,
        when: f"{prefix}:startDate",
        where: {"@id": f"{prefix}:location"},
        who: {"@id": f"{prefix}:performer", "@container": "@list" if rng.random() < 0.3 else "@set"},
        "gig": f"{prefix}:MusicEvent",
    }
    nodes = []
    for event in events:
        node: dict[str, object] = {
            "@type": "gig" if event.type == "MusicEvent" else f"{prefix}:{event.type}",
            f"{prefix}:name": event.name,
        }
        if event.schedule:
            node[f"{prefix}:eventSchedule"] = {
                (k if k.startswith("@") else f"{prefix}:{k}"): (f"{prefix}:{v}" if k == "@type" else v)
                for k, v in event.schedule.items()
            }
        else:
            node[when] = event.written
        if event.venue is not None:
            place = {
                f"{prefix}:{k}" if not k.startswith("@") else k: v
                for k, v in (_place(event.venue) or {}).items()
            }
            place["@type"] = f"{prefix}:{place['@type']}"
            place[f"{prefix}:address"] = {
                "@type": f"{prefix}:PostalAddress",
                f"{prefix}:addressLocality": event.venue.city,
            }
            node[where] = place
        if event.acts:
            node[who] = [{"@type": f"{prefix}:MusicGroup", f"{prefix}:name": act.name} for act in event.acts]
        nodes.append(node)
    return _script({"@context": context, "@graph": nodes})


def _jsonld_reverse(rng: random.Random, events: list[GenEvent]) -> str:
    by_venue: dict[str, list[GenEvent]] = {}
    loose: list[GenEvent] = []
    for event in events:
        if event.venue is not None and event.venue.name:
            by_venue.setdefault(event.venue.key, []).append(event)
        else:
            loose.append(event)
    blocks = []
    context = ["https://schema.org", {"plays": {"@reverse": "performer"}}]
    for group in by_venue.values():
        venue = group[0].venue
        assert venue is not None
        reversed_events = []
        for event in group:
            node = _compact_event(event)
            node.pop("location", None)
            acts = node.pop("performer", None)
            if acts and rng.random() < 0.5:  # the acts point at the event instead
                node["@id"] = f"#{event.key}"
                for act in event.acts:
                    blocks.append(
                        _script(
                            {
                                "@context": context,
                                "@type": "MusicGroup",
                                "name": act.name,
                                "plays": {"@id": f"#{event.key}"},
                            }
                        )
                    )
            elif acts:
                node["performer"] = acts
            reversed_events.append(node)
        blocks.append(
            _script(
                {
                    "@context": "https://schema.org",
                    "@type": "MusicVenue",
                    "@id": f"#{venue.key}",
                    "name": venue.name,
                    "@reverse": {"location": reversed_events},
                }
            )
        )
    if loose:
        blocks.append(_script([{"@context": "https://schema.org", **_compact_event(e)} for e in loose]))
    rng.shuffle(blocks)
    return "".join(blocks)


def _jsonld_graph(rng: random.Random, events: list[GenEvent]) -> str:
    graph: list[dict[str, object]] = []
    seen: set[str] = set()
    for event in events:
        node = _compact_event(event)
        if event.venue is not None:
            node["location"] = {"@id": f"#{event.venue.key}"}
            if event.venue.key not in seen:
                seen.add(event.venue.key)
                place = _place(event.venue) or {}
                graph.append({"@id": f"#{event.venue.key}", **place})
        if event.acts:
            node["performer"] = [{"@id": f"#{act.key}"} for act in event.acts]
            for act in event.acts:
                if act.key not in seen:
                    seen.add(act.key)
                    graph.append({"@id": f"#{act.key}", "@type": "MusicGroup", "name": act.name})
        graph.append(node)
    rng.shuffle(graph)
    return _script({"@context": "https://schema.org", "@graph": graph})


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _md_schedule(schedule: dict[str, object]) -> str:
    parts = ['<div itemprop="eventSchedule" itemscope itemtype="https://schema.org/Schedule">']
    for key, value in schedule.items():
        if key == "@type":
            continue
        for item in value if isinstance(value, list) else [value]:
            parts.append(f'<meta itemprop="{key}" content="{_e(str(item))}">')
    parts.append("</div>")
    return "".join(parts)


def _md_place(venue: Venue, itemprop: str = 'itemprop="location" ') -> str:
    name = f'<span itemprop="name">{_e(venue.name)}</span>' if venue.name else ""
    return (
        f'<div {itemprop}itemscope itemtype="https://schema.org/{"MusicVenue" if venue.name else "Place"}">{name}'
        f'<a itemprop="url" href="/venues/{venue.key}">{_e(venue.link_text)}</a>'
        f'<span itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">'
        f'<span itemprop="addressLocality">{_e(venue.city)}</span></span></div>'
    )


def _md_date(event: GenEvent) -> str:
    if event.schedule:
        return _md_schedule(event.schedule)
    if event.clock is not None and event.written[10:11] == "T" and random.Random(event.key).random() < 0.5:
        return f'<time itemprop="startDate" datetime="{event.written}">{event.day:%b %d}</time>'
    return f'<meta itemprop="startDate" content="{event.written}">'


def _microdata_nested(rng: random.Random, events: list[GenEvent]) -> str:
    rows = []
    for event in events:
        acts = "".join(
            f'<span itemprop="performer" itemscope itemtype="https://schema.org/MusicGroup">'
            f'<span itemprop="name">{_e(act.name)}</span></span>'
            for act in event.acts
        )
        venue = _md_place(event.venue) if event.venue else ""
        rows.append(
            f'<article itemscope itemtype="https://schema.org/{event.type}">'
            f'<h2><a itemprop="url" href="/events/{event.key}"><span itemprop="name">{_e(event.name)}</span></a></h2>'
            f"{_md_date(event)}{venue}<p>With {acts}</p></article>"
        )
    return "<section>" + "".join(rows) + "</section>"


def _microdata_itemref(rng: random.Random, events: list[GenEvent]) -> str:
    refs = []
    described: set[str] = set()
    rows = []
    for event in events:
        ids = []
        if event.venue is not None:
            ids.append(f"ref-{event.venue.key}")
            if event.venue.key not in described:
                described.add(event.venue.key)
                refs.append(f'<div id="ref-{event.venue.key}">{_md_place(event.venue)}</div>')
        for act in event.acts:
            ids.append(f"ref-{act.key}")
            if act.key not in described:
                described.add(act.key)
                refs.append(
                    f'<span id="ref-{act.key}" itemprop="performer" itemscope itemtype="https://schema.org/MusicGroup">'
                    f'<span itemprop="name">{_e(act.name)}</span></span>'
                )
        itemref = f' itemref="{" ".join(ids)}"' if ids else ""
        rows.append(
            f'<li itemscope itemtype="https://schema.org/{event.type}"{itemref}>'
            f'<span itemprop="name">{_e(event.name)}</span>{_md_date(event)}</li>'
        )
    return f"<ul>{''.join(rows)}</ul><aside>{''.join(refs)}</aside>"


def _rdfa_date(event: GenEvent, prefix: str) -> str:
    if event.schedule:
        inner = "".join(
            f'<meta property="{prefix}{k}" content="{_e(str(item))}">'
            for k, v in event.schedule.items()
            if k != "@type"
            for item in (v if isinstance(v, list) else [v])
        )
        return f'<div property="{prefix}eventSchedule" typeof="{prefix}Schedule">{inner}</div>'
    if event.written[10:11] == "T" and random.Random(event.key).random() < 0.5:
        return f'<time property="{prefix}startDate" datetime="{event.written}">{event.day:%b %d}</time>'
    return f'<meta property="{prefix}startDate" content="{event.written}">'


def _rdfa_lite(rng: random.Random, events: list[GenEvent]) -> str:
    rows = []
    for event in events:
        venue = ""
        if event.venue is not None:
            name = f'<span property="name">{_e(event.venue.name)}</span>' if event.venue.name else ""
            venue = (
                f'<div property="location" typeof="{"MusicVenue" if event.venue.name else "Place"}">{name}'
                f'<a property="url" href="/venues/{event.venue.key}">{_e(event.venue.link_text)}</a></div>'
            )
        acts = "".join(
            f'<span property="performer" typeof="MusicGroup"><span property="name">{_e(a.name)}</span></span>'
            for a in event.acts
        )
        rows.append(
            f'<div typeof="{event.type}"><h3 property="name">{_e(event.name)}</h3>{_rdfa_date(event, "")}'
            f"{venue}{acts}</div>"
        )
    return f'<div vocab="http://schema.org/">{"".join(rows)}</div>'


def _rdfa_full(rng: random.Random, events: list[GenEvent]) -> str:
    p = rng.choice(("s", "sc", "sdo"))
    described: dict[str, str] = {}
    rows = []
    for event in events:
        parts = [f'<div typeof="{p}:{event.type}" about="#{event.key}">']
        parts.append(f'<span property="{p}:name">{_e(event.name)}</span>{_rdfa_date(event, p + ":")}')
        venue = event.venue
        if venue is not None:
            style = rng.random()
            if venue.name and style < 0.4:  # a reference to a node described elsewhere
                parts.append(f'<a rel="{p}:location" href="#{venue.key}">{_e(venue.link_text)}</a>')
                described.setdefault(
                    venue.key,
                    f'<div about="#{venue.key}" typeof="{p}:MusicVenue"><span property="{p}:name">{_e(venue.name)}</span></div>',
                )
            elif style < 0.7:  # a hanging rel
                name = f'<span property="{p}:name">{_e(venue.name)}</span>' if venue.name else ""
                parts.append(
                    f'<div rel="{p}:location"><div typeof="{p}:Place">{name}'
                    f'<a property="{p}:url" href="/venues/{venue.key}">{_e(venue.link_text)}</a></div></div>'
                )
            else:
                name = f'<span property="{p}:name">{_e(venue.name)}</span>' if venue.name else ""
                parts.append(
                    f'<div property="{p}:location" typeof="{p}:Place" resource="#{venue.key}-here">{name}'
                    f'<a property="{p}:url" href="/venues/{venue.key}">{_e(venue.link_text)}</a></div>'
                )
        for act in event.acts:
            if rng.random() < 0.5:  # the act points back at the event
                described.setdefault(
                    f"{act.key}-{event.key}",
                    f'<div typeof="{p}:MusicGroup"><span property="{p}:name">{_e(act.name)}</span>'
                    f'<a rev="{p}:performer" href="#{event.key}">plays</a></div>',
                )
            else:
                parts.append(
                    f'<span rel="{p}:performer"><span typeof="{p}:MusicGroup">'
                    f'<span property="{p}:name">{_e(act.name)}</span></span></span>'
                )
        parts.append(f'<a href="/events/{event.key}" rel="nofollow">details</a></div>')
        rows.append("".join(parts))
    return f'<div prefix="{p}: http://schema.org/">{"".join(rows)}{"".join(described.values())}</div>'


_RENDER = {
    "jsonld_compact": _jsonld_compact,
    "jsonld_expanded": _jsonld_expanded,
    "jsonld_prefixed": _jsonld_prefixed,
    "jsonld_reverse": _jsonld_reverse,
    "jsonld_graph": _jsonld_graph,
    "microdata_nested": _microdata_nested,
    "microdata_itemref": _microdata_itemref,
    "rdfa_lite": _rdfa_lite,
    "rdfa_full": _rdfa_full,
}


def _distractors(rng: random.Random, syntax: str) -> tuple[list[str], str]:
    """Things that look like shows and are not: (their names, their markup)."""
    day = (REFERENCE_DATE + dt.timedelta(days=rng.randint(5, 90))).isoformat()
    names: list[str] = []
    chunks: list[str] = []

    def name() -> str:
        value = f"Distractor {_title(rng, 2)}"
        names.append(value)
        return value

    family = syntax.split("_")[0]
    options = []
    if family in ("jsonld", "mixed"):
        options += [
            lambda: _script(
                {
                    "@context": "https://schema.org",
                    "@type": "TVEpisode",
                    "name": name(),
                    "publication": {
                        "@type": "BroadcastEvent",
                        "name": name(),
                        "startDate": f"{day}T20:00:00-06:00",
                        "location": {"@type": "Place", "name": "Studio 4"},
                    },
                }
            ),
            lambda: _script(
                {
                    "@context": "https://schema.org",
                    "@type": "PublicationEvent",
                    "name": name(),
                    "startDate": day,
                }
            ),
            lambda: _script(
                {
                    "@context": "https://schema.org",
                    "@type": "ExhibitionEvent",
                    "name": name(),
                    "startDate": day,
                }
            ),
            lambda: _script(
                {
                    "@context": {"@vocab": "http://xmlns.com/foaf/0.1/"},
                    "@type": "Event",
                    "name": name(),
                    "startDate": day,
                }
            ),
        ]
    if family in ("microdata", "mixed"):
        options += [
            lambda: (
                f'<div itemscope itemtype="http://data-vocabulary.org/Event"><span itemprop="name">{name()}</span>'
                f'<meta itemprop="startDate" content="{day}"></div>'
            ),
            lambda: (
                f'<div itemscope itemtype="https://schema.org/RadioEpisode"><span itemprop="name">Ep</span>'
                f'<div itemprop="publication" itemscope itemtype="https://schema.org/BroadcastEvent"><span itemprop="name">{name()}</span>'
                f'<meta itemprop="startDate" content="{day}T19:00"></div></div>'
            ),
        ]
    if family in ("rdfa", "mixed"):
        options += [
            lambda: (
                f'<div vocab="http://xmlns.com/foaf/0.1/"><div typeof="Event"><span property="name">{name()}</span>'
                f'<meta property="startDate" content="{day}"></div><div typeof="Person"><span property="name">{name()}</span></div></div>'
            ),
            lambda: (
                f'<div vocab="http://schema.org/" typeof="ScreeningEvent"><span property="name">{name()}</span>'
                f'<meta property="startDate" content="{day}T19:00"></div>'
            ),
        ]
    for make in rng.sample(options, k=min(len(options), rng.randint(1, 3))):
        chunks.append(make())
    return names, "".join(chunks)
