"""The published document contract: what apps read from Firestore and Algolia (pure: pydantic only).

The serialisers (`sync/serializers.py`) build every document through these models, so a document that
does not fit the contract is an error in our code, never something an app discovers. The JSON Schema
files under `sync/schemas/` are generated from the same models (`json_schemas`, written by
`manage.py sync_schemas`; a test fails when they are stale) and documented in docs/consumers.md.

Versioning: every document carries `schema_version` (`SCHEMA_VERSION`). Adding an optional field keeps
the version; removing, renaming or retyping a field, or a new value in an enum, raises it.

Nothing internal is published: no hashes, no source names or fingerprints, no page URLs we crawl, no
Google or Yelp content (their terms let us keep their IDs, not publish them). Timestamps are Firestore
Timestamps (an RFC 3339 string in the JSON form these schemas describe) and, in Algolia, Unix seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    model_serializer,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, SkipJsonSchema

SCHEMA_VERSION = 1
JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

# --- value types ---------------------------------------------------------------------------------

PublicId = Annotated[
    str,
    Field(
        pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$",
        description="Our opaque, permanent ID (26 characters, Crockford base32); also the document ID.",
    ),
]
LocalDate = Annotated[
    str,
    Field(
        pattern=r"^\d{4}-\d{2}-\d{2}$",
        json_schema_extra={"format": "date"},
        description="A calendar date at the venue (YYYY-MM-DD), not an instant.",
    ),
]
LocalTime = Annotated[
    str,
    Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
        description="A wall-clock time at the venue (HH:MM or HH:MM:SS), not an instant.",
    ),
]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code.")]
CurrencyCode = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 currency code.")]
# Published links carry no tracking parameters and none of our credentials (sync.serializers._http).
HttpUrl = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000)]
# A website as a key (entities.resolution.links): host and path, no scheme, no query.
WebsiteKey = Annotated[str, Field(pattern=r"^[^\s/?#:@]+\.[^\s/?#:@]+(/[^\s?#]*)?$", max_length=500)]
# Image variants are served from our media storage: absolute in production, "/media/..." in development.
MediaUrl = Annotated[str, Field(pattern=r"^(https?://|/)\S+$", max_length=2000)]


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


Timestamp = Annotated[
    AwareDatetime,
    AfterValidator(_utc),
    Field(
        description="An instant, in UTC. A Firestore Timestamp; RFC 3339 in JSON.",
        json_schema_extra={"pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$"},
    ),
]
UnixSeconds = Annotated[int, Field(ge=0, description="An instant as seconds since 1970-01-01T00:00:00Z.")]

VenueStatus = Literal["active", "closed_temporarily", "closed_permanently"]
EventStatus = Literal[
    "scheduled", "postponed", "rescheduled", "cancelled", "moved_online", "possibly_cancelled"
]
TimePrecision = Literal["exact", "date", "tba"]
Billing = Literal["headliner", "co_headliner", "support", "guest"]
VenueKind = Literal["venue", "complex", "room"]
ArtistType = Literal["person", "group", "orchestra", "choir", "character", "other"]
# How close the coordinates are to the venue's door, best first: the values geocoding fills
# Venue.coord_precision with (entities.enrichment.geocoding.PRECISIONS; a test keeps the two equal).
CoordPrecision = Literal["reported", "rooftop", "address", "postal_code", "city", "region"]
COORD_PRECISIONS: tuple[str, ...] = CoordPrecision.__args__  # type: ignore[attr-defined]
ARTIST_TYPES: tuple[str, ...] = ArtistType.__args__  # type: ignore[attr-defined]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- parts ---------------------------------------------------------------------------------------


_DIGITS = r"^[0-9]{1,20}$"
_TOKEN = r"^[0-9A-Za-z][0-9A-Za-z._-]{0,99}$"
_UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

DigitsId = Annotated[str, Field(pattern=_DIGITS)]
TokenId = Annotated[str, Field(pattern=_TOKEN)]


class ExternalIds(_Model):
    """Public IDs of this entity in other services, per service; a list because a service may hold
    duplicates. Keys appear only when there is at least one ID (an absent key means none known)."""

    apple_music: list[DigitsId] = Field(default_factory=list, description="Apple Music artist ID.")
    bandcamp: list[TokenId] = Field(
        default_factory=list, description="Bandcamp subdomain (<id>.bandcamp.com)."
    )
    bandsintown: list[DigitsId] = Field(
        default_factory=list, description="Bandsintown artist, event or venue ID."
    )
    bluesky: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", max_length=253)]] = (
        Field(default_factory=list, description="Bluesky handle, a domain name (bsky.app/profile/<id>).")
    )
    deezer: list[DigitsId] = Field(default_factory=list, description="Deezer artist ID.")
    dice: list[TokenId] = Field(default_factory=list, description="DICE artist, event or venue ID.")
    discogs: list[DigitsId] = Field(default_factory=list, description="Discogs artist ID.")
    eventbrite: list[DigitsId] = Field(default_factory=list, description="Eventbrite event or venue ID.")
    facebook: list[TokenId] = Field(
        default_factory=list, description="Facebook page name or numeric page ID."
    )
    instagram: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._]{1,30}$")]] = Field(
        default_factory=list, description="Instagram user name, without '@'."
    )
    lastfm: list[Annotated[str, Field(pattern=r"^\S.{0,299}$")]] = Field(
        default_factory=list,
        description=(
            "Last.fm artist page name, lower case (last.fm/music/<id>). Last.fm has one page per name, "
            "shared by namesakes: a link to show, not an identity."
        ),
    )
    musicbrainz: list[Annotated[str, Field(pattern=_UUID)]] = Field(
        default_factory=list, description="MusicBrainz ID (MBID) of the artist, event or place."
    )
    seatgeek: list[DigitsId] = Field(default_factory=list, description="SeatGeek ID.")
    songkick: list[DigitsId] = Field(default_factory=list, description="Songkick artist, event or venue ID.")
    soundcloud: list[TokenId] = Field(
        default_factory=list, description="SoundCloud user name (soundcloud.com/<id>)."
    )
    spotify: list[Annotated[str, Field(pattern=r"^[0-9A-Za-z]{22}$")]] = Field(
        default_factory=list, description="Spotify artist ID (open.spotify.com/artist/<id>)."
    )
    threads: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._]{1,30}$")]] = Field(
        default_factory=list, description="Threads user name, without '@'."
    )
    ticketmaster: list[TokenId] = Field(
        default_factory=list, description="Ticketmaster (Discovery API) attraction, event or venue ID."
    )
    tiktok: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9._]{1,64}$")]] = Field(
        default_factory=list, description="TikTok user name, without '@'."
    )
    tidal: list[DigitsId] = Field(default_factory=list, description="TIDAL artist ID.")
    twitter: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_]{1,15}$")]] = Field(
        default_factory=list, description="X (Twitter) user name, without '@'."
    )
    website: list[WebsiteKey] = Field(
        default_factory=list,
        description=(
            "Official website as a key: lower-case host and path, without scheme, 'www.', query or "
            "trailing slash (band.example/tour). The link to show is the venue's `website` or the "
            "artist's `url`."
        ),
    )
    wikipedia: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,15}:\S{1,300}$")]] = Field(
        default_factory=list,
        description="Wikipedia article as <language>:<title> (en:Nirvana_(band) is en.wikipedia.org/wiki/<title>).",
    )
    wikidata: list[Annotated[str, Field(pattern=r"^Q[1-9][0-9]{0,11}$")]] = Field(
        default_factory=list, description="Wikidata item (Q-number)."
    )
    youtube: list[
        Annotated[
            str,
            Field(pattern=r"^(UC[0-9A-Za-z_-]{22}|@[A-Za-z0-9._-]{3,30}|(user|c)/[A-Za-z0-9._-]{1,100})$"),
        ]
    ] = Field(
        default_factory=list,
        description=(
            "YouTube channel: its ID (UC...), its handle (@name), or the legacy user/<name> or c/<name> "
            "path; each is youtube.com/channel/<id> or youtube.com/<id>."
        ),
    )

    @model_serializer(mode="wrap")
    def _only_known(self, handler: Any) -> dict[str, Any]:
        # An empty list says nothing: leave the key out, so documents stay small and readable.
        return {k: v for k, v in handler(self).items() if v}


PUBLIC_ID_SCHEMES: tuple[str, ...] = tuple(ExternalIds.model_fields)


class ImageVariant(_Model):
    url: MediaUrl = Field(description="A WebP rendition of the image.")
    width: int = Field(gt=0, description="Its width in pixels (the height keeps the aspect ratio).")


class Image(_Model):
    """An image, with the WebP variants we made of it once it was fetched and checked (until then, and
    when it could not be fetched, `variants` is empty and only the original URL is known)."""

    url: HttpUrl = Field(description="The original image, where the source published it.")
    width: int | None = Field(gt=0, description="The original's width in pixels, once fetched.")
    height: int | None = Field(gt=0, description="The original's height in pixels, once fetched.")
    variants: list[ImageVariant] = Field(description="WebP variants, narrowest first.")
    license: str | None = Field(description="The image's licence, when a source states it.")
    attribution: str | None = Field(description="Credit to show with the image, when required.")


class Address(_Model):
    street: str | None = Field(description="Street lines only (number, street, unit).")
    locality: str | None = Field(description="City or town.")
    region: str | None = Field(description="State, province or region, as the source wrote it (e.g. 'WA').")
    postal_code: str | None
    country: CountryCode | None


class Location(_Model):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)
    precision: CoordPrecision | None = Field(
        description=(
            "reported: the venue's own coordinates, given by a source; rooftop / address: geocoded "
            "from its street address, to the building / along the street; postal_code / city / "
            "region: the centre of its postal code area / city / region (fine for 'near me', not "
            "for a pin on the door); null: not stated."
        )
    )


class Point(_Model):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class VenueRef(_Model):
    """The venue as a performance document embeds it (kept current when the venue changes)."""

    id: PublicId
    name: str
    locality: str | None
    region: str | None
    country: CountryCode | None
    location: Point | None


class ArtistRef(_Model):
    """An act on a performance's bill (the name kept current when the artist is renamed)."""

    id: PublicId
    name: str
    billing: Billing | None
    order: int = Field(ge=0, description="Billing order: 0 is the top of the bill.")


class Offer(_Model):
    """A ticket offer; only offers with a price or a URL are published."""

    url: HttpUrl | None
    price: float | None = Field(ge=0)
    min_price: float | None = Field(ge=0)
    max_price: float | None = Field(ge=0)
    currency: CurrencyCode | None
    availability: str | None = Field(description="schema.org availability, lower case: instock, soldout...")


# --- Firestore documents -------------------------------------------------------------------------


class _Document(_Model):
    id: PublicId
    schema_version: Literal[1] = Field(description="The contract version of this document.")
    updated_at: Timestamp = Field(description="When this document's content last changed.")


class VenueDocument(_Document):
    """A venue (collection evt_venues)."""

    status: VenueStatus
    name: str = Field(min_length=1)
    former_names: list[str]
    kind: VenueKind = Field(description="venue; complex (has rooms); room (inside parent_id).")
    parent_id: PublicId | None = Field(description="The complex this room or stage belongs to.")
    address: Address
    location: Location | None
    timezone: str | None = Field(description="IANA time zone, e.g. America/Los_Angeles.")
    phone: str | None = Field(pattern=r"^\+[1-9][0-9]{1,14}$", description="E.164.")
    website: HttpUrl | None
    socials: list[HttpUrl] = Field(description="Social network pages.")
    capacity: int | None = Field(gt=0)
    images: list[Image]
    external_ids: ExternalIds


class ArtistDocument(_Document):
    """An artist (collection evt_artists)."""

    status: Literal["active"]
    name: str = Field(min_length=1)
    sort_name: str | None
    disambiguation: str | None = Field(description="Tells apart artists of the same name.")
    aliases: list[str]
    type: ArtistType | None
    genres: list[str]
    url: HttpUrl | None = Field(
        description="A page about the artist: their own site, or their page on the service that listed them."
    )
    images: list[Image]
    external_ids: ExternalIds


class PerformanceDocument(_Document):
    """One event at one venue on one date, with its bill (collection evt_performances)."""

    status: Literal["active"] = Field(description="The document's status; see event_status for the event.")
    name: str = Field(min_length=1)
    event_status: EventStatus
    ticket_status: str | None = Field(description="schema.org availability, lower case: instock, soldout...")
    venue: VenueRef | None
    artists: list[ArtistRef]
    artist_ids: list[PublicId] = Field(description="The artists' IDs, for array-contains queries.")
    local_date: LocalDate
    local_start_time: LocalTime | None
    local_doors_time: LocalTime | None
    timezone: str | None = Field(description="The venue's IANA time zone.")
    starts_at: Timestamp | None = Field(description="The start as an instant: only when the time is known.")
    time_precision: TimePrecision = Field(
        description="exact: a start time; date: date only; tba: announced later."
    )
    previous_dates: list[LocalDate] = Field(description="Dates the event had before it moved.")
    offers: list[Offer]
    url: HttpUrl | None = Field(description="The event's page on the venue's or promoter's site.")
    images: list[Image]
    external_ids: ExternalIds


class RedirectDocument(_Document):
    """What a merged entity's document becomes, kept forever: read `merged_into` instead."""

    status: Literal["merged"]
    merged_into: PublicId


VenueEntry = Annotated[VenueDocument | RedirectDocument, Field(discriminator="status")]
ArtistEntry = Annotated[ArtistDocument | RedirectDocument, Field(discriminator="status")]
PerformanceEntry = Annotated[PerformanceDocument | RedirectDocument, Field(discriminator="status")]


# --- Algolia records -----------------------------------------------------------------------------


class _Record(_Model):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    objectID: PublicId  # noqa: N815 - Algolia's name
    schema_version: Literal[1]
    updated_at: UnixSeconds = Field(description="When this record's content last changed.")

    @model_serializer(mode="wrap")
    def _no_absent_geoloc(self, handler: Any) -> dict[str, Any]:
        # Algolia reads `_geoloc` when present: a record without coordinates leaves it out.
        data: dict[str, Any] = handler(self)
        if "_geoloc" in data and data["_geoloc"] is None:
            del data["_geoloc"]
        return data


GEOLOC = "The venue's coordinates (Algolia's geo attribute); absent when unknown."
Thumbnail = Annotated[
    MediaUrl | None,
    Field(description="A small image for result lists: our narrowest WebP variant, or the original."),
]


class VenueRecord(_Record):
    """A venue in the `venues` index."""

    name: str
    former_names: list[str]
    kind: VenueKind
    status: VenueStatus
    street: str | None
    city: str | None
    region: str | None
    postal_code: str | None
    country: CountryCode | None
    geoloc: Point | SkipJsonSchema[None] = Field(None, alias="_geoloc", description=GEOLOC)
    image: Thumbnail


class ArtistRecord(_Record):
    """An artist in the `artists` index."""

    name: str
    aliases: list[str]
    disambiguation: str | None
    genres: list[str]
    artist_type: ArtistType | None
    image: Thumbnail


class PerformanceRecord(_Record):
    """A performance in the `performances` index (and its replicas sorted by date)."""

    name: str
    event_status: EventStatus
    date: LocalDate
    date_ts: int = Field(
        description="The local date's midnight as Unix seconds in UTC: for sorting and ranges."
    )
    starts_at: UnixSeconds | None = Field(description="The start as an instant, when the time is known.")
    time_precision: TimePrecision
    venue: str | None
    venue_id: PublicId | None
    city: str | None
    country: CountryCode | None
    geoloc: Point | SkipJsonSchema[None] = Field(None, alias="_geoloc", description=GEOLOC)
    artists: list[str]
    artist_ids: list[PublicId]
    image: Thumbnail


# --- where each shape is published ---------------------------------------------------------------

FIRESTORE_COLLECTIONS: dict[str, tuple[str, Any]] = {
    "venue": ("evt_venues", VenueEntry),
    "artist": ("evt_artists", ArtistEntry),
    "performance": ("evt_performances", PerformanceEntry),
}
ALGOLIA_INDEXES: dict[str, tuple[str, type[_Record]]] = {
    "venue": ("venues", VenueRecord),
    "artist": ("artists", ArtistRecord),
    "performance": ("performances", PerformanceRecord),
}


class _Generator(GenerateJsonSchema):
    """Pydantic's 2020-12 generator, with the `default` of list fields left out: a field with a default
    is optional in the model, but every document we publish has it (or, for external IDs, leaves out
    an empty list), so a default would only mislead."""

    def default_schema(self, schema: Any) -> JsonSchemaValue:
        value = super().default_schema(schema)
        value.pop("default", None)
        return value

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False  # "Postal Code" for postal_code says nothing the property name does not


def json_schemas() -> dict[str, dict[str, Any]]:
    """Every published schema by its path under sync/schemas/: `firestore/<collection>.schema.json`
    and `algolia/<index>.schema.json`."""
    schemas: dict[str, dict[str, Any]] = {}
    shapes: list[tuple[str, str, Any, str]] = [
        (
            "firestore",
            name,
            entry,
            f"A document of the Firestore collection {name}: the entity, or the "
            "redirect a merge left (status 'merged').",
        )
        for name, entry in FIRESTORE_COLLECTIONS.values()
    ]
    shapes += [
        ("algolia", name, record, f"A record of the Algolia index {name} (with the deployment's prefix).")
        for name, record in ALGOLIA_INDEXES.values()
    ]
    for target, name, shape, description in shapes:
        # Validation mode: the models' custom serialisers (dropping empty keys) would hide the fields.
        body = TypeAdapter(shape).json_schema(mode="validation", by_alias=True, schema_generator=_Generator)
        schemas[f"{target}/{name}.schema.json"] = {
            "$schema": JSON_SCHEMA_DIALECT,
            "$id": f"urn:mystage:sync:{target}:{name}:v{SCHEMA_VERSION}",
            "title": f"{name} (schema version {SCHEMA_VERSION})",
            "description": description,
            **{k: v for k, v in body.items() if k not in ("title", "description")},
        }
    return schemas
