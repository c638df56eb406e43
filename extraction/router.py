"""Document routing: which extractors run on a document (pure: no Django import).

Deterministic adapters come first: a known API's JSON by its source kind; calendar feeds by what
their bodies are (iCalendar, The Events Calendar's REST pages, Squarespace's JSON view); HTML with
markup and JSON-LD documents by the structured extractor. A page with no structured data we can read
goes to an LLM agent, which is parked as "waiting" when no model is configured rather than failing.
Every deterministic extractor's result is held to the extraction budget (`extraction.budget`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from types import ModuleType

from extraction import llm
from extraction.adapters import (
    bandsintown,
    dice,
    eventbrite,
    google_places,
    icalendar_feed,
    jsonld,
    squarespace,
    structured,
    ticketmaster,
    tribe_events,
    yelp,
)
from extraction.budget import DEFAULT_BUDGET, ExtractionBudget, apply_budget
from extraction.schemas import ExtractionResult
from sourcing.fetchrules import body_text


@dataclass(frozen=True)
class Document:
    """One fetched document. `text` decodes it once (`sourcing.fetchrules.decode_body`)."""

    body: bytes
    url: str = ""
    content_type: str = ""
    source_kind: str = ""
    default_timezone: str | None = None
    # Recurring events are expanded from this date (the fetch date; today when None) over the horizon.
    reference_date: dt.date | None = None
    horizon_days: int = 180
    budget: ExtractionBudget = field(default=DEFAULT_BUDGET)

    @property
    def looks_like_json(self) -> bool:
        if "json" in self.content_type.lower():
            return True
        return self.body.lstrip()[:1] in (b"{", b"[")

    @cached_property
    def text(self) -> str:
        return body_text(self.body, self.content_type)


@dataclass(frozen=True)
class Extractor:
    name: str
    version: str
    run: Callable[[Document], ExtractionResult] | None  # None: needs an LLM agent
    needs_llm: bool = False


def _run_jsonld(doc: Document) -> ExtractionResult:
    return jsonld.extract_jsonld(doc.text, url=doc.url or None, default_timezone=doc.default_timezone)


def _run_icalendar(doc: Document) -> ExtractionResult:
    return icalendar_feed.extract_icalendar(
        doc.body,
        url=doc.url or None,
        default_timezone=doc.default_timezone,
        reference_date=doc.reference_date,
        horizon_days=doc.horizon_days,
        budget=doc.budget,
    )


def _run_tribe(doc: Document) -> ExtractionResult:
    return tribe_events.extract_tribe_events(doc.body, url=doc.url or None)


def _run_squarespace(doc: Document) -> ExtractionResult:
    return squarespace.extract_squarespace(
        doc.body,
        url=doc.url or None,
        default_timezone=doc.default_timezone,
        reference_date=doc.reference_date,
    )


def _run_bandsintown(doc: Document) -> ExtractionResult:
    return bandsintown.extract_bandsintown(doc.body, url=doc.url or None)


def _run_dice(doc: Document) -> ExtractionResult:
    return dice.extract_dice(doc.body, url=doc.url or None)


def _run_structured(doc: Document) -> ExtractionResult:
    return structured.extract_structured(
        doc.text,
        url=doc.url or None,
        default_timezone=doc.default_timezone,
        reference_date=doc.reference_date,
        horizon_days=doc.horizon_days,
        budget=doc.budget,
    )


def _budgeted(run: Callable[[Document], ExtractionResult]) -> Callable[[Document], ExtractionResult]:
    """An extractor whose result is held to the document's budget (counts and size)."""

    def _run(doc: Document) -> ExtractionResult:
        return apply_budget(run(doc), doc.budget)

    return _run


def _api(module: ModuleType, function: str) -> Extractor:
    """An API adapter as an extractor: each module has EXTRACTOR_NAME, EXTRACTOR_VERSION and one function."""
    run = getattr(module, function)

    def _run(doc: Document) -> ExtractionResult:
        result: ExtractionResult = run(doc.body, url=doc.url or None)
        return result

    return Extractor(name=module.EXTRACTOR_NAME, version=module.EXTRACTOR_VERSION, run=_budgeted(_run))


# JSON-LD alone: kept so extractions it made can be replayed; HTML now goes to STRUCTURED.
JSONLD = Extractor(name=jsonld.EXTRACTOR_NAME, version=jsonld.EXTRACTOR_VERSION, run=_budgeted(_run_jsonld))
# One parse of the page for JSON-LD, microdata, RDFa and OpenGraph (and the feeds it links to).
STRUCTURED = Extractor(
    name=structured.EXTRACTOR_NAME, version=structured.EXTRACTOR_VERSION, run=_budgeted(_run_structured)
)
BANDSINTOWN = Extractor(
    name=bandsintown.EXTRACTOR_NAME, version=bandsintown.EXTRACTOR_VERSION, run=_budgeted(_run_bandsintown)
)
DICE = Extractor(name=dice.EXTRACTOR_NAME, version=dice.EXTRACTOR_VERSION, run=_budgeted(_run_dice))
# Calendar feeds a venue's page points to (discovered as URLs of kind "feed").
ICALENDAR = Extractor(
    name=icalendar_feed.EXTRACTOR_NAME,
    version=icalendar_feed.EXTRACTOR_VERSION,
    run=_budgeted(_run_icalendar),
)
TRIBE_EVENTS = Extractor(
    name=tribe_events.EXTRACTOR_NAME, version=tribe_events.EXTRACTOR_VERSION, run=_budgeted(_run_tribe)
)
SQUARESPACE = Extractor(
    name=squarespace.EXTRACTOR_NAME, version=squarespace.EXTRACTOR_VERSION, run=_budgeted(_run_squarespace)
)
GOOGLE_PLACES = _api(google_places, "extract_google_places")
YELP = _api(yelp, "extract_yelp")
TICKETMASTER = _api(ticketmaster, "extract_ticketmaster")
EVENTBRITE = _api(eventbrite, "extract_eventbrite")
# Run by `extraction.services` (it needs the configured model and the cache), not through `run`.
LLM_PAGE = Extractor(name=llm.AGENT_NAME, version=llm.AGENT_VERSION, run=None, needs_llm=True)

EXTRACTORS: dict[str, Extractor] = {
    e.name: e
    for e in (
        JSONLD,
        STRUCTURED,
        BANDSINTOWN,
        DICE,
        GOOGLE_PLACES,
        YELP,
        TICKETMASTER,
        EVENTBRITE,
        ICALENDAR,
        TRIBE_EVENTS,
        SQUARESPACE,
        LLM_PAGE,
    )  # fmt: skip
}
# Sources whose responses are a known API's JSON, read by that API's adapter (keyed by source kind).
API_ADAPTERS: dict[str, Extractor] = {
    "bandsintown": BANDSINTOWN,
    "dice": DICE,
    "google_places": GOOGLE_PLACES,
    "yelp": YELP,
    "ticketmaster": TICKETMASTER,
    "eventbrite": EVENTBRITE,
}
# Cheap signs that a page carries markup the structured extractor reads, or links to calendar feeds it
# discovers (`adapters.feeds`): such a page is read without an LLM first.
_MARKUP_SIGNS = (b"application/ld+json", b"itemscope", b"typeof=", b"vocab=")
_FEED_SIGNS = (
    b".ics", b"webcal:", b"ical=", b"text/calendar", b"calendar.google.com", b"eventbrite.", b"tribe-events",
    b"the-events-calendar", b"squarespace", b"outlook.live.com", b"outlook.office.com", b"dice.fm",
    b"ticketweb.", b"seetickets.", b"etix.com", b"tixr.com", b"axs.com",
)  # fmt: skip


def route(doc: Document) -> list[Extractor]:
    """The extractors for this document, most trusted first. A page with markup that turns out to
    hold no entities is handed to the LLM afterwards (see `extraction.services`)."""
    if doc.source_kind in API_ADAPTERS and doc.looks_like_json:
        return [API_ADAPTERS[doc.source_kind]]
    if "calendar" in doc.content_type.lower() or icalendar_feed.looks_like_icalendar(doc.body):
        return [ICALENDAR]
    if doc.looks_like_json:
        if tribe_events.looks_like_tribe(doc.body):
            return [TRIBE_EVENTS]
        if squarespace.looks_like_squarespace(doc.body):
            return [SQUARESPACE]
        return [STRUCTURED]
    head = doc.body.lower()
    if any(sign in head for sign in _MARKUP_SIGNS) or any(sign in head for sign in _FEED_SIGNS):
        return [STRUCTURED]
    return [LLM_PAGE]
