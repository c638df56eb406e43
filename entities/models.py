"""Entity sources (what each source says) and canonical entities (what we publish)."""

from __future__ import annotations

import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from ulid import ULID

from core.stages import StageRow
from entities.search import search_key


def new_public_id() -> str:
    """An opaque, never-reused public ID: 128 random bits in a ULID's form (26 characters, Crockford
    base32), so IDs issued earlier as time-ordered ULIDs keep their form and their URLs.

    Random, not time-ordered: the public ID is also the Firestore document ID, and Firestore spreads
    writes by key range, so IDs that grow with time pile every new document onto one tablet (its
    guidance warns of hotspots for monotonically increasing IDs). Nothing reads an order into IDs."""
    return str(ULID.from_bytes(secrets.token_bytes(16)))


class EntityType(models.TextChoices):
    VENUE = "venue", "Venue"
    ARTIST = "artist", "Artist"
    PERFORMANCE = "performance", "Performance"


class EntitySource(StageRow):
    """One record per (source, entity type, source key); updated in place, its changes kept as revisions.

    The stage status is the resolution status: pending until matched to a canonical entity.
    """

    source = models.ForeignKey("sourcing.Source", on_delete=models.PROTECT, related_name="entity_sources")
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    # The source's external ID where it has one, else a fingerprint computed from the data.
    source_key = models.CharField(max_length=255)
    data = models.JSONField(default=dict)
    data_hash = models.CharField(max_length=64)
    extraction = models.ForeignKey(
        "extraction.Extraction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entity_sources",
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    # Consecutive scrapes of the page that used to list this entity without listing it.
    missed_scrapes = models.PositiveIntegerField(default=0)
    vanished_at = models.DateTimeField(null=True, blank=True)
    venue = models.ForeignKey(
        "Venue", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    artist = models.ForeignKey(
        "Artist", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )
    performance = models.ForeignKey(
        "Performance", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )

    class Meta:
        db_table = "entity_sources"
        constraints = [
            models.UniqueConstraint(
                fields=["source", "entity_type", "source_key"], name="one_entity_source_per_key"
            )
        ]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.entity_type}:{self.source_key}"


class EntitySourceRevision(models.Model):
    """What changed in an entity source at one sighting: {field: [old, new]}."""

    entity_source = models.ForeignKey(EntitySource, on_delete=models.CASCADE, related_name="revisions")
    extraction = models.ForeignKey("extraction.Extraction", null=True, blank=True, on_delete=models.SET_NULL)
    seen_at = models.DateTimeField()
    changes = models.JSONField(default=dict)

    class Meta:
        db_table = "entity_source_revisions"
        ordering = ["-seen_at"]

    def __str__(self) -> str:
        return f"{self.entity_source_id} at {self.seen_at:%Y-%m-%d %H:%M}: {', '.join(self.changes)}"


class CanonicalStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    CLOSED_TEMPORARILY = "closed_temporarily", "Closed temporarily"
    CLOSED_PERMANENTLY = "closed_permanently", "Closed permanently"
    MERGED = "merged", "Merged into another"


class Canonical(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    status = models.CharField(max_length=32, choices=CanonicalStatus.choices, default=CanonicalStatus.ACTIVE)
    # The redirect a merge leaves, kept forever: the loser's public ID keeps answering with the winner.
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    external_ids = models.JSONField(default=dict, blank=True, help_text='{"scheme": ["id", ...]}')
    # Per field: which source gave the surviving value, when it was seen and why it won.
    provenance = models.JSONField(default=dict, blank=True)
    # Fields a staff member set by hand: {field: value}; merges never overwrite them.
    locked_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The names, normalised (entities/search.py): what admin search and the API's `q` look in. Kept by
    # save(), whichever service changes a name. Not indexed: a B-tree cannot serve a search inside it.
    search_key = models.CharField(max_length=1000, blank=True, default="", editable=False)

    # Fields whose values make the search key: text fields and lists of text.
    SEARCH_FIELDS: ClassVar[tuple[str, ...]] = ("name",)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        names: list[str] = []
        for field in self.SEARCH_FIELDS:
            value = getattr(self, field)
            names += [v for v in value if isinstance(v, str)] if isinstance(value, list) else [value]
        self.search_key = search_key(names)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(self.SEARCH_FIELDS) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


class VenueKind(models.TextChoices):
    VENUE = "venue", "Venue"
    COMPLEX = "complex", "Complex with several rooms"
    ROOM = "room", "Room or stage inside a complex"


class Venue(Canonical):
    SEARCH_FIELDS = ("name", "former_names")

    name = models.CharField(max_length=255)
    former_names = models.JSONField(default=list, blank=True)
    kind = models.CharField(max_length=16, choices=VenueKind.choices, default=VenueKind.VENUE)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rooms")
    street = models.CharField(max_length=255, blank=True, default="")
    locality = models.CharField(max_length=128, blank=True, default="")
    region = models.CharField(max_length=64, blank=True, default="")
    postal_code = models.CharField(max_length=32, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO 3166-1 alpha-2")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    coord_precision = models.CharField(max_length=16, blank=True, default="")
    coord_source = models.CharField(max_length=100, blank=True, default="")
    timezone = models.CharField(max_length=64, blank=True, default="")
    # Indexed: online matching blocks on the phone (entities.services.duplicates).
    phone = models.CharField(max_length=32, blank=True, default="", db_index=True, help_text="E.164")
    website = models.URLField(max_length=500, blank=True, default="")
    socials = models.JSONField(default=list, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    image_urls = models.JSONField(default=list, blank=True)
    # Normalised keys for exact matching (see entities.resolution.normalize).
    name_key = models.CharField(max_length=255, blank=True, default="", db_index=True)
    city_key = models.CharField(max_length=128, blank=True, default="")
    # City + first name word (entities.resolution.keys.venue_block_key): online matching's block.
    block_key = models.CharField(max_length=160, blank=True, default="", db_index=True)

    class Meta:
        db_table = "evt_venues"
        indexes = [models.Index(fields=["name_key", "city_key"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.locality})" if self.locality else self.name


class Artist(Canonical):
    SEARCH_FIELDS = ("name", "sort_name", "aliases")

    name = models.CharField(max_length=255)
    sort_name = models.CharField(max_length=255, blank=True, default="")
    disambiguation = models.CharField(max_length=255, blank=True, default="")
    aliases = models.JSONField(default=list, blank=True)
    artist_type = models.CharField(max_length=32, blank=True, default="")
    genres = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=500, blank=True, default="")
    images = models.JSONField(default=list, blank=True, help_text='[{"url", "license", "attribution"}]')
    name_key = models.CharField(max_length=255, blank=True, default="", db_index=True)

    class Meta:
        db_table = "evt_artists"

    def __str__(self) -> str:
        return self.name


class TimePrecision(models.TextChoices):
    EXACT = "exact", "Exact time"
    DATE = "date", "Date only"
    TBA = "tba", "Time to be announced"


class EventStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    POSTPONED = "postponed", "Postponed"
    RESCHEDULED = "rescheduled", "Rescheduled"
    CANCELLED = "cancelled", "Cancelled"
    MOVED_ONLINE = "moved_online", "Moved online"
    POSSIBLY_CANCELLED = "possibly_cancelled", "Possibly cancelled (gone from its sources)"


class Performance(Canonical):
    """One event at one venue on one date, with one billing row per act."""

    venue = models.ForeignKey(
        Venue, null=True, blank=True, on_delete=models.PROTECT, related_name="performances"
    )
    artists = models.ManyToManyField(Artist, through="PerformanceArtist", related_name="performances")
    name = models.CharField(max_length=500)
    local_date = models.DateField(db_index=True)
    local_start_time = models.TimeField(null=True, blank=True)
    local_doors_time = models.TimeField(null=True, blank=True)
    timezone = models.CharField(max_length=64, blank=True, default="")
    # The UTC instant, only when the local time and the zone are both known.
    starts_at = models.DateTimeField(null=True, blank=True)
    time_precision = models.CharField(max_length=8, choices=TimePrecision.choices, default=TimePrecision.DATE)
    event_status = models.CharField(max_length=32, choices=EventStatus.choices, default=EventStatus.SCHEDULED)
    ticket_status = models.CharField(max_length=32, blank=True, default="")
    previous_dates = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=1000, blank=True, default="")
    description = models.TextField(blank=True, default="")
    image_urls = models.JSONField(default=list, blank=True)
    name_key = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        db_table = "evt_performances"
        indexes = [models.Index(fields=["venue", "local_date"])]

    def __str__(self) -> str:
        return f"{self.name} on {self.local_date}"


class Billing(models.TextChoices):
    HEADLINER = "headliner", "Headliner"
    CO_HEADLINER = "co_headliner", "Co-headliner"
    SUPPORT = "support", "Support"
    GUEST = "guest", "Guest"


class PerformanceArtist(models.Model):
    performance = models.ForeignKey(Performance, on_delete=models.CASCADE, related_name="billing")
    artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_name="billing")
    billing = models.CharField(max_length=16, choices=Billing.choices, blank=True, default="")
    order = models.PositiveSmallIntegerField(default=0)
    set_start_time = models.TimeField(null=True, blank=True)

    class Meta:
        db_table = "evt_performance_artists"
        ordering = ["order"]
        constraints = [
            models.UniqueConstraint(fields=["performance", "artist"], name="one_billing_per_artist")
        ]

    def __str__(self) -> str:
        return f"{self.artist_id} ({self.billing or 'billed'} #{self.order}) at {self.performance_id}"


class ExternalId(models.Model):
    """Index of external identifiers -> canonical entity, for exact matching at ingest."""

    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    scheme = models.CharField(max_length=64)
    value = models.CharField(max_length=500)
    public_id = models.CharField(max_length=26, db_index=True)

    class Meta:
        db_table = "external_ids"
        constraints = [
            models.UniqueConstraint(
                fields=["entity_type", "scheme", "value"], name="one_entity_per_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.scheme}:{self.value} -> {self.public_id}"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    MERGED = "merged", "Merged"
    NOT_DUPLICATE = "not_duplicate", "Not a duplicate"
    ROOM_OF = "room_of", "A room of the other (part of its complex)"
    SKIPPED = "skipped", "Skipped"


class DuplicateKind(models.TextChoices):
    """What the resolver thinks a pair is: maybe one venue, or maybe a room of the other's complex."""

    DUPLICATE = "duplicate", "Possibly the same venue"
    ROOM_OF = "room_of", "Possibly a room of the other's complex"


# Staff decisions that keep two venues apart: never asked again, never merged automatically.
STAFF_SEPARATED = (DuplicateStatus.NOT_DUPLICATE, DuplicateStatus.ROOM_OF)


class VenueDuplicate(models.Model):
    """A pair of venues that may be the same place, with the score's explanation, for staff review."""

    venue_a = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    venue_b = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.JSONField(default=list)
    # "room_of" candidates are never merged automatically; staff answer "room of" (parent/rooms),
    # "merge" or "not a duplicate".
    kind = models.CharField(max_length=16, choices=DuplicateKind.choices, default=DuplicateKind.DUPLICATE)
    status = models.CharField(max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING)
    priority = models.FloatField(default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "venue_duplicates"
        ordering = ["-priority", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["venue_a", "venue_b"], name="one_duplicate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(venue_a__lt=models.F("venue_b")), name="pair_is_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.venue_a_id} ~ {self.venue_b_id} ({self.score:.2f})"


class MergeRecord(models.Model):
    """History of merges: who merged what, and what moved, so that a merge can be undone."""

    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    winner_public_id = models.CharField(max_length=26, db_index=True)
    loser_public_id = models.CharField(max_length=26, db_index=True)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    automatic = models.BooleanField(default=False)
    reason = models.TextField(blank=True, default="")
    score = models.FloatField(null=True, blank=True)
    # Ids of the rows repointed from loser to winner: {"entity_sources": [...], "performances": [...]}.
    moved = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    # Who undid it and why, beside the merge's own `reason`.
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.TextField(blank=True, default="")

    class Meta:
        db_table = "merge_records"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entity_type} {self.loser_public_id} -> {self.winner_public_id}"


class PendingVenueDuplicateManager(models.Manager[VenueDuplicate]):
    """Pending pairs whose venues are both still active (a pair with a merged venue is moot)."""

    def get_queryset(self) -> models.QuerySet[VenueDuplicate]:
        return (
            super()
            .get_queryset()
            .filter(status=DuplicateStatus.PENDING)
            .exclude(venue_a__status=CanonicalStatus.MERGED)
            .exclude(venue_b__status=CanonicalStatus.MERGED)
        )


class PendingVenueDuplicate(VenueDuplicate):
    """The review queue: venue pairs waiting for a decision, most uncertain with most upcoming shows first."""

    objects = PendingVenueDuplicateManager()  # type: ignore[misc,assignment]

    class Meta:
        proxy = True
        ordering = ["-priority", "-score", "pk"]
        verbose_name = "venue duplicate to review"
        verbose_name_plural = "venue duplicates to review (queue)"


class ArtistDuplicate(models.Model):
    """A pair of artists that may be one act (or two acts of one name), with the score's explanation,
    for staff review: the artist counterpart of VenueDuplicate, decided the same way."""

    artist_a = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    artist_b = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    explanation = models.JSONField(default=list)
    status = models.CharField(max_length=16, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING)
    priority = models.FloatField(default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "artist_duplicates"
        ordering = ["-priority", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["artist_a", "artist_b"], name="one_artist_duplicate_per_pair"),
            models.CheckConstraint(
                condition=models.Q(artist_a__lt=models.F("artist_b")), name="artist_pair_is_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.artist_a_id} ~ {self.artist_b_id} ({self.score:.2f})"


class PendingArtistDuplicateManager(models.Manager[ArtistDuplicate]):
    """Pending pairs whose artists are both still active."""

    def get_queryset(self) -> models.QuerySet[ArtistDuplicate]:
        return (
            super()
            .get_queryset()
            .filter(status=DuplicateStatus.PENDING)
            .exclude(artist_a__status=CanonicalStatus.MERGED)
            .exclude(artist_b__status=CanonicalStatus.MERGED)
        )


class PendingArtistDuplicate(ArtistDuplicate):
    """The artist review queue: pairs waiting for a decision, most uncertain with most upcoming shows first."""

    objects = PendingArtistDuplicateManager()  # type: ignore[misc,assignment]

    class Meta:
        proxy = True
        ordering = ["-priority", "-score", "pk"]
        verbose_name = "artist duplicate to review"
        verbose_name_plural = "artist duplicates to review (queue)"


class EnrichmentKind(models.TextChoices):
    GEOCODE_OFFLINE = "geocode_offline", "Geocoding (offline gazetteer)"
    GEOCODE_GOOGLE = "geocode_google", "Geocoding (Google Geocoding API)"
    MUSICBRAINZ = "musicbrainz", "MusicBrainz artist"


class EnrichmentOutcome(models.TextChoices):
    FOUND = "found", "Found"
    NOT_FOUND = "not_found", "Not found"
    AMBIGUOUS = "ambiguous", "Ambiguous"


class Enrichment(StageRow):
    """One enrichment of one canonical entity (its coordinates, its MusicBrainz match), kept apart from the
    entity so that it has its own status, failures and retries, never blocks resolution, and is asked
    again only when what it was asked changes (`query_hash`) or its answer expires (`refresh_after`).

    The stage status says whether the asking went through; `outcome` what came back. A venue or artist
    recompute reads the found results (entities.services.enrichment)."""

    kind = models.CharField(max_length=32, choices=EnrichmentKind.choices)
    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    entity_id = models.PositiveBigIntegerField(help_text="The venue's or artist's row id")
    # What was asked (an address, a name and links): shown in the admin, hashed to tell a new question.
    query = models.JSONField(default=dict, blank=True)
    query_hash = models.CharField(max_length=64, blank=True, default="")
    outcome = models.CharField(max_length=16, choices=EnrichmentOutcome.choices, blank=True, default="")
    # Only what may be kept: coordinates, precision and place ID (Google); MBID, type, area, genres, links.
    result = models.JSONField(default=dict, blank=True)
    # When the answer must be asked again (Google's coordinates may be cached 30 days).
    refresh_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "enrichments"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "entity_type", "entity_id"], name="one_enrichment_per_entity"
            )
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"]),
            models.Index(fields=["kind", "refresh_after"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.entity_type} #{self.entity_id}: {self.outcome or self.status}"


# --- Staff review: claims, reviews with their decisions, curated values ------------------------------


class ReviewClaim(models.Model):
    """A reviewer holds a venue or artist while reviewing a pair or group it is in: other reviewers are
    given the next unclaimed pair or group, and cannot decide this one, until the claim is released (a
    decision, or leaving) or lapses at `expires_at`."""

    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    entity_id = models.PositiveBigIntegerField(help_text="The venue's or artist's row id")
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "review_claims"
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "entity_id"], name="one_review_claim_per_entity")
        ]

    def __str__(self) -> str:
        return f"{self.entity_type} #{self.entity_id} claimed by {self.claimed_by_id} until {self.expires_at}"


class ReviewDecisionKind(models.TextChoices):
    """What staff say about one candidate (the subject) against the group's anchor (the other)."""

    SAME = "same", "Same (merged)"
    ROOM_OF = "room_of", "A room of the other"
    CONTAINS = "contains", "Has the other as a room"
    DIFFERENT = "different", "Different"
    SKIPPED = "skipped", "Skipped for now"


class Review(models.Model):
    """One submitted review of a pair or of a group (an anchor and every candidate linked to it): who,
    when and why, the values it wrote to the survivor and locked, and, if it was undone, who undid it,
    when and why, kept beside the original reason."""

    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    anchor_public_id = models.CharField(max_length=26, db_index=True)
    # The entity that kept its ID when some candidates were the same; else the anchor.
    survivor_public_id = models.CharField(max_length=26, db_index=True)
    # {field: value} written to the survivor and locked (picked from a candidate or typed).
    values = models.JSONField(default=dict, blank=True)
    # {"locked": the survivor's locks before, "fields": its values before} for the values above.
    values_before = models.JSONField(default=dict, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, default="")
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True, default="")

    class Meta:
        db_table = "reviews"
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"review #{self.pk} of {self.entity_type} {self.anchor_public_id}"


class ReviewDecision(models.Model):
    """One decision of a review about one candidate pair. Kept when undone: the undo's who, when and why
    sit beside the decision's own."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    subject_public_id = models.CharField(max_length=26, db_index=True)
    other_public_id = models.CharField(max_length=26, db_index=True)
    decision = models.CharField(max_length=16, choices=ReviewDecisionKind.choices)
    venue_duplicate = models.ForeignKey(
        VenueDuplicate, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    artist_duplicate = models.ForeignKey(
        ArtistDuplicate, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    merge_record = models.ForeignKey(
        MergeRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    # What the decision changed besides the pair and the merge (a room's parent and kinds before), for undo.
    detail = models.JSONField(default=dict, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undo_reason = models.TextField(blank=True, default="")

    class Meta:
        db_table = "review_decisions"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.subject_public_id} {self.decision} {self.other_public_id}"


class CurationAction(models.TextChoices):
    LOCK = "lock", "Set and locked"
    UNLOCK = "unlock", "Lock released"


class CurationRecord(models.Model):
    """A value staff set by hand and locked (a review, the admin's form, an import), or a lock they
    released: who, when, why, and what it replaced."""

    entity_type = models.CharField(max_length=16, choices=EntityType.choices)
    entity_public_id = models.CharField(max_length=26, db_index=True)
    field = models.CharField(max_length=64)
    action = models.CharField(max_length=8, choices=CurationAction.choices)
    value = models.JSONField(null=True, blank=True)
    previous = models.JSONField(null=True, blank=True)
    # The lock the field had before ({"value": ...}), or {} when it had none.
    previous_lock = models.JSONField(default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    reason = models.TextField(blank=True, default="")
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="curation_records"
    )

    class Meta:
        db_table = "curation_records"
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.entity_public_id}.{self.field} {self.action}"
