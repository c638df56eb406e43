"""Yelp Fusion API v3: business search and business details (pure: no Django import).

    GET {base}/v3/businesses/search?term=&location=|latitude=&longitude=&categories=&limit=&offset=
    GET {base}/v3/businesses/{id or alias}
    header Authorization: Bearer <key>

Search pages by `offset`, at most 50 results a page, and the API answers at most 1000 results of a
search (`limit + offset <= 1000`): `iter_search_businesses` stops there, at `total`, or on a short page.
A daily quota used up (`ACCESS_LIMIT_REACHED`) is not retried in-process; a per-second limit
(`TOO_MANY_REQUESTS_PER_SECOND`) is.

Storage terms (DESIGN.md section 3, Yelp API terms): the Yelp business ID may be kept; other Yelp
content may only be cached briefly (24 hours) and is used to match a venue at ingest time only. It
never reaches canonical entities, Firestore or Algolia: sources of kind `yelp` are ID-only in
`entities/services/recompute.py` (`ID_ONLY_SOURCE_KINDS`) and the `yelp` ID scheme is private in
`sync/serializers.py` (`PRIVATE_ID_SCHEMES`). `retainable_body` reduces a response to the IDs, for
anything that keeps it longer than that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import quote

import httpx

from sourcing.clients.base import ApiClient, ApiResponse

DEFAULT_BASE_URL = "https://api.yelp.com"
MAX_LIMIT = 50
MAX_RESULTS = 1000  # limit + offset may not exceed this


def business_ids(data: Any) -> list[str]:
    """The business IDs in a search response or a business details response."""
    items = data.get("businesses") if isinstance(data, dict) and "businesses" in data else [data]
    return [str(b["id"]) for b in items or [] if isinstance(b, dict) and b.get("id")]


def retainable_body(data: Any) -> bytes:
    """What may be kept beyond the 24-hour cache: the business IDs only."""
    return json.dumps({"businesses": [{"id": i} for i in business_ids(data)]}, separators=(",", ":")).encode()


class YelpClient(ApiClient):
    """Yelp Fusion over an injected httpx.Client; the key is sent as a Bearer token."""

    api = "yelp"
    label = "Yelp Fusion"
    key_setting = "YELP_API_KEY"
    default_base_url = DEFAULT_BASE_URL
    default_min_interval_seconds = 0.2

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"}

    def _error_message(self, payload: Any) -> str:
        # {"error": {"code": "TOKEN_INVALID", "description": "Invalid access token or authorization header."}}
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            parts = [str(error.get("code") or ""), str(error.get("description") or "")]
            return " ".join(p for p in parts if p)
        return ""

    def _is_quota_exhausted(self, status: int, payload: Any, headers: httpx.Headers) -> bool:
        return "ACCESS_LIMIT_REACHED" in self._error_message(payload)

    def search_businesses(
        self,
        *,
        term: str | None = None,
        location: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        radius: int | None = None,
        categories: str | list[str] | None = None,
        locale: str | None = None,
        sort_by: str | None = None,
        limit: int = MAX_LIMIT,
        offset: int = 0,
    ) -> ApiResponse:
        """One page of business search; `data["businesses"]` and `data["total"]`."""
        if not location and (latitude is None or longitude is None):
            raise ValueError("Yelp business search needs a location, or both latitude and longitude.")
        if not 1 <= limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}.")
        if offset < 0 or offset + limit > MAX_RESULTS:
            raise ValueError(f"Yelp answers at most {MAX_RESULTS} results of a search (limit + offset).")
        if isinstance(categories, list):
            categories = ",".join(categories)
        return self._request(
            "GET",
            "/v3/businesses/search",
            params={
                "term": term,
                "location": location,
                "latitude": latitude,
                "longitude": longitude,
                "radius": radius,
                "categories": categories or None,
                "locale": locale,
                "sort_by": sort_by,
                "limit": limit,
                "offset": offset,
            },
        )

    def iter_search_businesses(
        self,
        *,
        term: str | None = None,
        location: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
        radius: int | None = None,
        categories: str | list[str] | None = None,
        locale: str | None = None,
        sort_by: str | None = None,
        limit: int = MAX_LIMIT,
        max_results: int = MAX_RESULTS,
    ) -> Iterator[ApiResponse]:
        """Every page of a search, by offset, up to `max_results` (and the API's 1000)."""
        offset = 0
        index = 0
        cap = min(max_results, MAX_RESULTS)
        while offset < cap:
            page_limit = min(limit, cap - offset)
            page = self.search_businesses(
                term=term,
                location=location,
                latitude=latitude,
                longitude=longitude,
                radius=radius,
                categories=categories,
                locale=locale,
                sort_by=sort_by,
                limit=page_limit,
                offset=offset,
            )
            yield replace(page, page_index=index)
            data = page.data if isinstance(page.data, dict) else {}
            count = len(data.get("businesses") or [])
            total = data.get("total")
            offset += count
            index += 1
            if count < page_limit or (isinstance(total, int) and offset >= total):
                return

    def business_details(self, business_id: str, *, locale: str | None = None) -> ApiResponse:
        """One business by its Yelp ID or alias."""
        business_id = business_id.strip()
        if not business_id:
            raise ValueError("Business details need a Yelp business ID or alias.")
        return self._request(
            "GET", f"/v3/businesses/{quote(business_id, safe='')}", params={"locale": locale}
        )
