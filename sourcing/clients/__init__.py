"""Clients of the source APIs: Google Places (New), Yelp Fusion, Bandsintown, Ticketmaster Discovery.

Pure Python over an injected `httpx.Client` (no Django import): keys and base URLs are passed in
(the Django side reads them from settings, see `sourcing/api_clients.py`). Each call returns an
`ApiResponse` with the raw body the pipeline stores as a Scrape and the parsed JSON its adapter
reads; each paginated search also has an `iter_*` method yielding one `ApiResponse` per page.
Common behaviour (rate limit, retries on 429 and 5xx, `SourceApiError`, key redaction) is in `base`.

Storage terms (DESIGN.md section 3): of Google Places and Yelp we keep the IDs only; their other
values serve matching at ingest time and never reach canonical records, Firestore or Algolia.
"""

from __future__ import annotations

from sourcing.clients.bandsintown import BandsintownClient
from sourcing.clients.base import (
    ApiClient,
    ApiResponse,
    MissingApiKeyError,
    RetryPolicy,
    SourceApiError,
    redact,
)
from sourcing.clients.google_places import GooglePlacesClient
from sourcing.clients.ticketmaster import TicketmasterClient
from sourcing.clients.yelp import YelpClient

# By source kind (sourcing.models.SourceKind values).
CLIENT_CLASSES: dict[str, type[ApiClient]] = {
    GooglePlacesClient.api: GooglePlacesClient,
    YelpClient.api: YelpClient,
    BandsintownClient.api: BandsintownClient,
    TicketmasterClient.api: TicketmasterClient,
}

__all__ = [
    "CLIENT_CLASSES",
    "ApiClient",
    "ApiResponse",
    "BandsintownClient",
    "GooglePlacesClient",
    "MissingApiKeyError",
    "RetryPolicy",
    "SourceApiError",
    "TicketmasterClient",
    "YelpClient",
    "redact",
]
