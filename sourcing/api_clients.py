"""The source API clients, configured from settings (the Django side of `sourcing.clients`)."""

from __future__ import annotations

import httpx
from django.conf import settings

from sourcing.clients import CLIENT_CLASSES, ApiClient
from sourcing.clients.google_geocoding import GoogleGeocodingClient
from sourcing.clients.musicbrainz import MusicBrainzClient

# Source kind -> (key setting, base URL setting).
CLIENT_SETTINGS = {
    "google_places": ("GOOGLE_PLACES_API_KEY", "GOOGLE_PLACES_BASE_URL"),
    "yelp": ("YELP_API_KEY", "YELP_BASE_URL"),
    "bandsintown": ("BANDSINTOWN_APP_ID", "BANDSINTOWN_BASE_URL"),
    "ticketmaster": ("TICKETMASTER_API_KEY", "TICKETMASTER_BASE_URL"),
}


def api_client_for(kind: str, *, http: httpx.Client) -> ApiClient:
    """The client for a source kind, with its key and base URL from settings.

    Raises `MissingApiKeyError` (naming the variable to set) when the key is not configured.
    """
    if kind not in CLIENT_CLASSES:
        raise ValueError(f"No API client for sources of kind {kind!r}.")
    key_setting, base_url_setting = CLIENT_SETTINGS[kind]
    return CLIENT_CLASSES[kind](
        api_key=getattr(settings, key_setting, ""),
        base_url=getattr(settings, base_url_setting, ""),
        http=http,
        user_agent=settings.SCRAPE_USER_AGENT,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
    )


def geocoding_client(*, http: httpx.Client) -> GoogleGeocodingClient:
    """The Google Geocoding client (MissingApiKeyError without GOOGLE_GEOCODING_API_KEY)."""
    return GoogleGeocodingClient(
        api_key=settings.GOOGLE_GEOCODING_API_KEY,
        base_url=settings.GOOGLE_GEOCODING_BASE_URL,
        http=http,
        user_agent=settings.SCRAPE_USER_AGENT,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
    )


def musicbrainz_client(*, http: httpx.Client) -> MusicBrainzClient:
    """The MusicBrainz client, naming MUSICBRAINZ_CONTACT in its User-Agent (refuses to start without)."""
    return MusicBrainzClient(
        contact=settings.MUSICBRAINZ_CONTACT,
        base_url=settings.MUSICBRAINZ_BASE_URL,
        http=http,
        timeout_seconds=settings.SCRAPE_TIMEOUT_SECONDS,
        min_interval_seconds=settings.MUSICBRAINZ_MIN_INTERVAL_SECONDS,
    )
