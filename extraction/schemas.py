"""The extraction contract: what an extractor returns and what `entities` ingests.

Pure pydantic, no Django import: adapters, LLM agents and tests all build these.
Every model is strict about shape but lenient about missing facts: a source that does not
know a value leaves it None rather than inventing one (no placeholder times).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class TimePrecision(StrEnum):
    EXACT = "exact"  # a wall-clock start time is known
    DATE = "date"  # only the local date is known
    TBA = "tba"  # the source says the time is to be announced


class EventStatus(StrEnum):
    SCHEDULED = "scheduled"
    POSTPONED = "postponed"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"
    MOVED_ONLINE = "moved_online"


class Billing(StrEnum):
    HEADLINER = "headliner"
    CO_HEADLINER = "co_headliner"
    SUPPORT = "support"
    GUEST = "guest"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ExtractedAddress(_Model):
    street: str | None = None
    locality: str | None = None  # city
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where the source allows it, else as given


class ExtractedVenue(_Model):
    # The source's own stable identifier for this venue, if it has one (API id, JSON-LD @id, page URL).
    source_key: str | None = None
    name: str = Field(min_length=1)
    address: ExtractedAddress | None = None
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    timezone: str | None = None  # IANA name, when the source states it
    phone: str | None = None
    website: str | None = None
    socials: list[str] = Field(default_factory=list)
    capacity: int | None = Field(default=None, ge=0)
    # Other identifiers the source gives, by scheme: {"google_place": "...", "musicbrainz": "..."}.
    external_ids: dict[str, str] = Field(default_factory=dict)
    image_urls: list[str] = Field(default_factory=list)


class ExtractedArtist(_Model):
    source_key: str | None = None
    name: str = Field(min_length=1)
    type: str | None = None  # "group", "person", ...
    url: str | None = None
    genres: list[str] = Field(default_factory=list)
    external_ids: dict[str, str] = Field(default_factory=dict)
    image_urls: list[str] = Field(default_factory=list)


class ExtractedPerformer(_Model):
    artist: ExtractedArtist
    billing: Billing | None = None
    order: int = 0  # billing order, 0 = first listed


class ExtractedOffer(_Model):
    url: str | None = None
    price: float | None = None
    min_price: float | None = None
    max_price: float | None = None
    currency: str | None = None  # ISO 4217
    availability: str | None = None  # schema.org availability, lower-case tail: "instock", "soldout"


class ExtractedPerformance(_Model):
    """One show at one venue on one date, with its acts (schema.org Event / MusicEvent)."""

    source_key: str | None = None
    name: str = Field(min_length=1)
    venue: ExtractedVenue | None = None
    performers: list[ExtractedPerformer] = Field(default_factory=list)
    local_date: dt.date
    local_start_time: dt.time | None = None
    local_doors_time: dt.time | None = None
    # Offset from UTC in minutes when the source wrote one (e.g. "-07:00" -> -420); None when it did not.
    utc_offset_minutes: int | None = None
    time_precision: TimePrecision = TimePrecision.DATE
    status: EventStatus = EventStatus.SCHEDULED
    previous_local_dates: list[dt.date] = Field(default_factory=list)
    ticket_status: str | None = None
    offers: list[ExtractedOffer] = Field(default_factory=list)
    url: str | None = None
    description: str | None = None
    image_urls: list[str] = Field(default_factory=list)
    external_ids: dict[str, str] = Field(default_factory=dict)


class DiscoveredUrl(_Model):
    url: str
    kind: str = "detail"  # "detail" for an event page, "listing" for pagination or calendars


class ExtractionResult(_Model):
    """Everything one extractor found in one document."""

    venues: list[ExtractedVenue] = Field(default_factory=list)
    artists: list[ExtractedArtist] = Field(default_factory=list)
    performances: list[ExtractedPerformance] = Field(default_factory=list)
    discovered_urls: list[DiscoveredUrl] = Field(default_factory=list)
    # Problems that did not stop extraction (a malformed block skipped, a date that did not parse).
    warnings: list[str] = Field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.venues or self.artists or self.performances)
