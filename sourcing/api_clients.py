"""The source API clients, configured from settings (the Django side of `sourcing.clients`)."""

from __future__ import annotations

import httpx
from django.conf import settings

from sourcing.clients import CLIENT_CLASSES, ApiClient

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
