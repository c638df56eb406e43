"""Google Places API (New): Text Search and Place Details (pure: no Django import).

    POST {base}/v1/places:searchText   body {"textQuery", "pageSize", "pageToken", ...}
    GET  {base}/v1/places/{place_id}
    headers X-Goog-Api-Key: <key>, X-Goog-FieldMask: <fields>

Every call names its fields (the API has no default, and the field mask decides the billing SKU).
The default is the minimum that matching a venue needs: ID, name, address, coordinates, phone and
website (`DEFAULT_SEARCH_FIELDS`, `DEFAULT_DETAILS_FIELDS`). Text Search pages with `nextPageToken`,
which the API only returns when the field mask asks for it: `iter_search_text` adds it.

Storage terms (DESIGN.md section 3, Google Maps Platform terms): the place ID may be kept
indefinitely; every other value (name, address, phone, coordinates, hours...) may be used to match a
venue at ingest time and must not be persisted into canonical entities, Firestore or Algolia. The
pipeline enforces that downstream: sources of kind `google_places` are ID-only in
`entities/services/recompute.py` (`ID_ONLY_SOURCE_KINDS`) and the `google_place` scheme is private in
`sync/serializers.py` (`PRIVATE_ID_SCHEMES`). `retainable_body` reduces a response to what may be
kept (the place IDs), for anything that stores it beyond matching.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from sourcing.clients.base import ApiClient, ApiResponse, SourceApiError

DEFAULT_BASE_URL = "https://places.googleapis.com"
DEFAULT_SEARCH_FIELDS = (
    "places.id",
    "places.displayName",
    "places.formattedAddress",
    "places.location",
    "places.nationalPhoneNumber",
    "places.websiteUri",
)
DEFAULT_DETAILS_FIELDS = tuple(f.removeprefix("places.") for f in DEFAULT_SEARCH_FIELDS)
MAX_PAGE_SIZE = 20
# Top-level fields of a searchText response; anything else in a search mask is a Place field.
_SEARCH_RESPONSE_FIELDS = ("places", "nextPageToken", "routingSummaries", "contextualContents", "searchUri")

type FieldMask = str | Iterable[str]


def _split(fields: FieldMask) -> list[str]:
    items = fields.split(",") if isinstance(fields, str) else list(fields)
    out: list[str] = []
    for item in items:
        item = item.strip()
        if item and item not in out:
            out.append(item)
    if not out:
        raise ValueError("A Places field mask needs at least one field (the API has no default).")
    return out


def search_field_mask(
    fields: FieldMask = DEFAULT_SEARCH_FIELDS, *, with_next_page_token: bool = False
) -> str:
    """A Text Search field mask: bare Place fields get their `places.` prefix."""
    out = []
    for item in _split(fields):
        if item != "*" and item.split(".", 1)[0] not in _SEARCH_RESPONSE_FIELDS:
            item = f"places.{item}"
        if item not in out:
            out.append(item)
    if with_next_page_token and "nextPageToken" not in out and "*" not in out:
        out.append("nextPageToken")
    return ",".join(out)


def details_field_mask(fields: FieldMask = DEFAULT_DETAILS_FIELDS) -> str:
    """A Place Details field mask: Place fields without the `places.` prefix."""
    out: list[str] = []
    for item in _split(fields):
        item = item.removeprefix("places.")
        if item not in out:
            out.append(item)
    return ",".join(out)


def place_ids(data: Any) -> list[str]:
    """The place IDs in a searchText response or a Place Details response."""
    places = data.get("places") if isinstance(data, dict) and "places" in data else [data]
    ids = []
    for place in places or []:
        if isinstance(place, dict):
            place_id = place.get("id") or str(place.get("name") or "").removeprefix("places/")
            if place_id:
                ids.append(str(place_id))
    return ids


def retainable_body(data: Any) -> bytes:
    """What the terms let us keep of a response: the place IDs only."""
    return json.dumps({"places": [{"id": i} for i in place_ids(data)]}, separators=(",", ":")).encode()


class GooglePlacesClient(ApiClient):
    """Places API (New) over an injected httpx.Client; the key goes in the X-Goog-Api-Key header."""

    api = "google_places"
    label = "Google Places"
    key_setting = "GOOGLE_PLACES_API_KEY"
    default_base_url = DEFAULT_BASE_URL
    # Default quota: 600 requests per minute per method.
    default_min_interval_seconds = 0.1

    def _auth_headers(self) -> dict[str, str]:
        return {"X-Goog-Api-Key": self._api_key}

    def _error_message(self, payload: Any) -> str:
        # {"error": {"code": 403, "message": "...", "status": "PERMISSION_DENIED", "details": [...]}}
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            parts = [str(error.get("status") or ""), str(error.get("message") or "")]
            return " ".join(p for p in parts if p)
        return ""

    def _is_quota_exhausted(self, status: int, payload: Any, headers: httpx.Headers) -> bool:
        # RESOURCE_EXHAUSTED covers the per-minute rate too; only a per-day quota is worth stopping for.
        message = self._error_message(payload).lower()
        return status == 429 and "per day" in message

    def _http_error(self, status: int, headers: httpx.Headers, body: bytes, short: str) -> SourceApiError:
        error = super()._http_error(status, headers, body, short)
        if status == 400 and b"API_KEY_INVALID" in body:
            # Google answers a wrong key with 400 INVALID_ARGUMENT, not 401.
            return SourceApiError(
                f"{self.label} refused the API key (HTTP 400): check {self.key_setting}.",
                retryable=False,
                status_code=status,
            )
        return error

    def search_text(
        self,
        text_query: str,
        *,
        fields: FieldMask = DEFAULT_SEARCH_FIELDS,
        page_size: int = MAX_PAGE_SIZE,
        page_token: str | None = None,
        language_code: str | None = None,
        region_code: str | None = None,
        included_type: str | None = None,
        location_bias: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> ApiResponse:
        """One page of Text Search (New); `data["places"]` holds the places, if any."""
        if not text_query.strip():
            raise ValueError("Text Search needs a non-empty text query.")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE_SIZE}.")
        body: dict[str, Any] = {"textQuery": text_query, "pageSize": page_size}
        optional = {
            "pageToken": page_token,
            "languageCode": language_code,
            "regionCode": region_code,
            "includedType": included_type,
            "locationBias": dict(location_bias) if location_bias else None,
        }
        body.update({k: v for k, v in optional.items() if v})
        body.update(extra or {})
        return self._request(
            "POST",
            "/v1/places:searchText",
            json_body=body,
            headers={"X-Goog-FieldMask": search_field_mask(fields)},
        )

    def iter_search_text(
        self,
        text_query: str,
        *,
        fields: FieldMask = DEFAULT_SEARCH_FIELDS,
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int | None = None,
        language_code: str | None = None,
        region_code: str | None = None,
        included_type: str | None = None,
        location_bias: Mapping[str, Any] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> Iterator[ApiResponse]:
        """Every page of a Text Search, following `nextPageToken` (the same request each time)."""
        mask = search_field_mask(fields, with_next_page_token=True)
        token: str | None = None
        index = 0
        while max_pages is None or index < max_pages:
            page = self.search_text(
                text_query,
                fields=mask,
                page_size=page_size,
                page_token=token,
                language_code=language_code,
                region_code=region_code,
                included_type=included_type,
                location_bias=location_bias,
                extra=extra,
            )
            yield replace(page, page_index=index)
            token = page.data.get("nextPageToken") if isinstance(page.data, dict) else None
            if not token:
                return
            index += 1

    def place_details(
        self,
        place_id: str,
        *,
        fields: FieldMask = DEFAULT_DETAILS_FIELDS,
        language_code: str | None = None,
        region_code: str | None = None,
    ) -> ApiResponse:
        """Place Details (New) for one place ID (or its resource name "places/<id>")."""
        place_id = place_id.strip().removeprefix("places/")
        if not place_id:
            raise ValueError("Place Details needs a place ID.")
        return self._request(
            "GET",
            f"/v1/places/{quote(place_id, safe='')}",
            params={"languageCode": language_code, "regionCode": region_code},
            headers={"X-Goog-FieldMask": details_field_mask(fields)},
        )
