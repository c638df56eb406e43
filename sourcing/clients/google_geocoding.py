"""Google Geocoding API (pure: no Django import).

    GET {base}/maps/api/geocode/json?address=...&components=country:US|postal_code:80218&key=<key>
    GET {base}/maps/api/geocode/json?place_id=<place id>&key=<key>    (refreshing a kept place)

The API answers its own errors with HTTP 200 and a `status`: OVER_QUERY_LIMIT (the per-second rate:
retryable), OVER_DAILY_LIMIT (billing or daily quota: retryable later, `quota_exhausted`),
REQUEST_DENIED (the key: not retryable), INVALID_REQUEST (not retryable), UNKNOWN_ERROR (retryable).
ZERO_RESULTS is an answer, not an error.

Storage terms (Google Maps Platform): the place ID may be kept indefinitely; latitude and longitude may
be cached for at most 30 days; nothing else of a response may be kept. `retainable_body` reduces a
response to that; the enrichment service stores no more and refreshes coordinates before they expire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sourcing.clients.base import ApiClient, ApiResponse, SourceApiError

DEFAULT_BASE_URL = "https://maps.googleapis.com"
PATH = "/maps/api/geocode/json"

_RETRYABLE = {"OVER_QUERY_LIMIT", "UNKNOWN_ERROR"}
_FINAL = {"REQUEST_DENIED", "INVALID_REQUEST"}


def retainable_body(data: Any) -> bytes:
    """What the terms let us keep of an answer: each result's place ID and coordinates."""
    kept = []
    for result in data.get("results") or [] if isinstance(data, dict) else []:
        if isinstance(result, dict):
            location = (result.get("geometry") or {}).get("location") or {}
            kept.append({"place_id": result.get("place_id"), "location": location})
    status = data.get("status") if isinstance(data, dict) else None
    return json.dumps({"results": kept, "status": status}, separators=(",", ":")).encode()


class GoogleGeocodingClient(ApiClient):
    """The Geocoding API over an injected httpx.Client; the key rides in the `key` query parameter
    (the only way this API takes it), redacted from every URL and message we keep."""

    api = "google_geocoding"
    label = "Google Geocoding"
    key_setting = "GOOGLE_GEOCODING_API_KEY"
    default_base_url = DEFAULT_BASE_URL
    # Default quota: 3,000 requests per minute.
    default_min_interval_seconds = 0.02

    def _auth_params(self) -> dict[str, str]:
        return {"key": self._api_key}

    def _error_message(self, payload: Any) -> str:
        if isinstance(payload, dict):
            parts = [str(payload.get("status") or ""), str(payload.get("error_message") or "")]
            return " ".join(p for p in parts if p)
        return ""

    def _check_body(self, payload: Any, path: str) -> None:
        status = payload.get("status") if isinstance(payload, dict) else None
        if status in (None, "OK", "ZERO_RESULTS"):
            return
        said = self.redact(self._error_message(payload))
        if status == "OVER_DAILY_LIMIT":
            raise SourceApiError(
                f"{self.label} quota is used up ({said}). Try again later.",
                retryable=True,
                quota_exhausted=True,
                status_code=200,
            )
        if status in _RETRYABLE:
            raise SourceApiError(f"{self.label} asked us to slow down or try again ({said}).", retryable=True)
        if status == "REQUEST_DENIED":
            raise SourceApiError(
                f"{self.label} refused the request ({said}): check {self.key_setting}.", retryable=False
            )
        raise SourceApiError(f"{self.label} rejected the request ({said}).", retryable=status not in _FINAL)

    def geocode(
        self,
        address: str | None = None,
        *,
        components: Mapping[str, str] | None = None,
        region: str | None = None,
        language: str | None = None,
    ) -> ApiResponse:
        """Forward geocoding of a one-line address, restricted by `components` (country, postal_code...)."""
        filters = "|".join(f"{k}:{v}" for k, v in (components or {}).items() if v)
        if not (address and address.strip()) and not filters:
            raise ValueError("Geocoding needs an address or components.")
        return self._request(
            "GET",
            PATH,
            params={
                "address": address.strip() if address else None,
                "components": filters or None,
                "region": region.lower() if region else None,
                "language": language,
            },
        )

    def place(self, place_id: str) -> ApiResponse:
        """The coordinates of a place we kept the ID of (to refresh them when their cache time is up)."""
        place_id = place_id.strip()
        if not place_id:
            raise ValueError("A place lookup needs a place ID.")
        return self._request("GET", PATH, params={"place_id": place_id})
