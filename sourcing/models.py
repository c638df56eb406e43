"""Where data comes from: sources, their URLs, schedules, raw scrapes and images."""

from __future__ import annotations

import datetime as dt
import zlib

from django.db import models

from core.stages import StageRow


class SourceKind(models.TextChoices):
    VENUE_SITE = "venue_site", "Venue website"
    AGGREGATOR = "aggregator", "Listings site"
    BANDSINTOWN = "bandsintown", "Bandsintown API"
    GOOGLE_PLACES = "google_places", "Google Places API"
    YELP = "yelp", "Yelp Fusion API"
    TICKETMASTER = "ticketmaster", "Ticketmaster Discovery API"
    DICE = "dice", "DICE API"
    EVENTBRITE = "eventbrite", "Eventbrite API"
    ARTIST_SITE = "artist_site", "Artist website"
    OTHER = "other", "Other"


# How often a URL of each kind of source is fetched again unless the source or URL says otherwise.
DEFAULT_RECRAWL = {
    SourceKind.VENUE_SITE: dt.timedelta(days=1),
    SourceKind.AGGREGATOR: dt.timedelta(days=1),
    SourceKind.ARTIST_SITE: dt.timedelta(days=7),
    SourceKind.BANDSINTOWN: dt.timedelta(days=1),
}
FALLBACK_RECRAWL = dt.timedelta(days=7)


class Source(models.Model):
    """A website or API we take data from; its priority decides whose values win in a merge."""

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.VENUE_SITE)
    priority = models.IntegerField(default=50, help_text="Higher wins when sources disagree on a field.")
    base_url = models.URLField(blank=True, default="")
    is_active = models.BooleanField(default=True)
    min_delay_seconds = models.FloatField(
        null=True,
        blank=True,
        help_text="Politeness gap between requests to a host; empty: SCRAPE_DEFAULT_HOST_DELAY_SECONDS.",
    )
    recrawl_interval = models.DurationField(
        null=True, blank=True, help_text="Empty: the default for its kind."
    )
    max_depth = models.PositiveSmallIntegerField(
        default=1, help_text="How far discovered links are followed."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sources"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_recrawl_interval(self) -> dt.timedelta:
        return self.recrawl_interval or DEFAULT_RECRAWL.get(SourceKind(self.kind), FALLBACK_RECRAWL)


class UrlKind(models.TextChoices):
    LISTING = "listing", "Listing / calendar"
    DETAIL = "detail", "Event or venue page"
    API = "api", "API request"
    # A machine-readable calendar a venue's page points to (iCalendar, a calendar plugin's JSON, an
    # organiser's or ticketing page): fetched like any URL, read by the feed adapters.
    FEED = "feed", "Calendar feed"


class Url(models.Model):
    """A normalised URL we fetch, with its schedule."""

    url = models.TextField()
    url_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The URL's netloc ("venue.example", "127.0.0.1:8741"), as HostState names hosts: the fetch stage
    # picks its batches by host.
    host = models.CharField(max_length=255, blank=True, default="", db_index=True, editable=False)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="urls")
    kind = models.CharField(max_length=16, choices=UrlKind.choices, default=UrlKind.LISTING)
    depth = models.PositiveSmallIntegerField(default=0)
    discovered_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.IntegerField(default=0, help_text="Higher is fetched first when many are due.")
    is_active = models.BooleanField(default=True)
    recrawl_interval = models.DurationField(null=True, blank=True)
    next_scrape_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_scraped_at = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Validators from the last good response, sent back as a conditional request.
    etag = models.CharField(max_length=255, blank=True, default="")
    last_modified = models.CharField(max_length=64, blank=True, default="")
    last_content_hash = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "urls"
        indexes = [models.Index(fields=["is_active", "next_scrape_at"])]

    def __str__(self) -> str:
        return self.url

    @property
    def effective_recrawl_interval(self) -> dt.timedelta:
        return self.recrawl_interval or self.source.effective_recrawl_interval


class HostState(models.Model):
    """Per-host politeness shared by every worker: the cached robots.txt, when the last request started,
    when the next may start, and which fetch batch holds the host now."""

    host = models.CharField(max_length=255, unique=True)  # netloc: "venue.example" or "127.0.0.1:8741"
    # The earliest start of the next request: the last one's start plus the delay in force (a source's
    # own, SCRAPE_DEFAULT_HOST_DELAY_SECONDS, robots.txt's Crawl-delay; a 429's Retry-After), recomputed
    # whenever robots.txt is read again.
    next_slot_at = models.DateTimeField(null=True, blank=True)
    last_request_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateTimeField(null=True, blank=True)  # a 429's Retry-After (at most a day)
    # A fetch batch holds the host until then (its window and deadline): no other batch takes its URLs.
    busy_until = models.DateTimeField(null=True, blank=True)
    robots_txt = models.TextField(blank=True, default="")
    robots_status = models.PositiveSmallIntegerField(null=True, blank=True)
    robots_fetched_at = models.DateTimeField(null=True, blank=True)
    crawl_delay = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "host_states"

    def __str__(self) -> str:
        return self.host


class ScheduledTaskKind(models.TextChoices):
    SCRAPE_DUE = "scrape_due", "Scrape due URLs"
    SWEEP = "sweep", "Re-enqueue stuck pipeline work"
    FIND_DUPLICATES = "find_duplicates", "Find duplicate venues"
    SYNC = "sync", "Push changes to sync targets"
    RECONCILE = "reconcile", "Compare sync targets with the database and repair them"
    API_QUERY = "api_query", "Query a source API (params: method, args, max_pages)"


class ScheduledTask(models.Model):
    """A recurring piece of pipeline work, driven by one django-q2 schedule tick."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=32, choices=ScheduledTaskKind.choices)
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.CASCADE)
    params = models.JSONField(default=dict, blank=True)
    interval = models.DurationField()
    priority = models.IntegerField(default=0)
    enabled = models.BooleanField(default=True)
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, default="")

    class Meta:
        db_table = "scheduled_tasks"
        ordering = ["-priority", "name"]

    def __str__(self) -> str:
        return self.name


class Scrape(StageRow):
    """One fetch of one URL; the raw body is kept compressed so any later stage can be replayed."""

    url = models.ForeignKey(Url, on_delete=models.CASCADE, related_name="scrapes")
    requested_by = models.CharField(max_length=32, default="schedule")
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    final_url = models.TextField(blank=True, default="")
    content_type = models.CharField(max_length=255, blank=True, default="")
    response_headers = models.JSONField(default=dict, blank=True)
    body_compressed = models.BinaryField(null=True, blank=True, editable=False)
    body_size = models.PositiveIntegerField(null=True, blank=True)
    content_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)
    # True when the body matched the previous scrape of this URL (or the server said 304): no extraction.
    unchanged = models.BooleanField(default=False)
    fetch_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "scrapes"
        indexes = [models.Index(fields=["status", "updated_at"])]
        constraints = [
            # At most one open scrape per URL: requesting it again while one is queued is a no-op.
            models.UniqueConstraint(
                fields=["url"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_open_scrape_per_url",
            )
        ]

    def __str__(self) -> str:
        return f"Scrape {self.pk} of {self.url_id}"

    @property
    def body(self) -> bytes:
        return zlib.decompress(bytes(self.body_compressed)) if self.body_compressed else b""

    @property
    def text(self) -> str:
        """The body as text, its encoding detected the way the fetcher detects it."""
        from sourcing.fetchrules import decode_body

        return decode_body(self.body, self.content_type)[0]

    @staticmethod
    def compress(body: bytes) -> bytes:
        return zlib.compress(body, 6)
