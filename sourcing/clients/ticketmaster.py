"""Ticketmaster Discovery API v2: events, venues and attractions (pure: no Django import).

    GET {base}/discovery/v2/events.json?apikey=<key>&keyword=&city=&classificationName=&size=&page=
    GET {base}/discovery/v2/venues.json, /discovery/v2/attractions.json (same paging)
    GET {base}/discovery/v2/{events|venues|attractions}/{id}.json

A search page lists its items under `_embedded.<kind>` (absent when there are none) and describes
itself in `page` {size, totalElements, totalPages, number}. Paging is by `page` and `size` (at most
200), and the API serves only the first 1000 items of a search ("(page * size) must be less than
1,000"): `iter_*` stops before asking for anything past the 1000th item, and at the last page.

Rate limits: 5 calls a second (a 429 "SpikeArrestViolation", retried) and a daily quota (a 429
"QuotaViolation": not retried in-process; `retry_after` comes from the `Rate-Limit-Reset` header,
epoch milliseconds). The key travels in the `apikey` query parameter and is redacted from every URL
this client stores or logs.

Storage terms: Ticketmaster data may feed canonical records (attribution and linking rules apply
where it is displayed); this client keeps nothing itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any, Literal
from urllib.parse import quote

import httpx

from sourcing.clients.base import ApiClient, ApiResponse, Params

DEFAULT_BASE_URL = "https://app.ticketmaster.com"
MAX_SIZE = 200
MAX_DEEP_ITEMS = 1000  # (page * size) must stay below this; we never ask past the 1000th item

type Kind = Literal["events", "venues", "attractions"]
KINDS: tuple[Kind, ...] = ("events", "venues", "attractions")


def embedded_items(data: Any, kind: Kind) -> list[Any]:
    """The items of a search page (`_embedded.<kind>`), empty when the page has none."""
    embedded = data.get("_embedded") if isinstance(data, dict) else None
    items = embedded.get(kind) if isinstance(embedded, dict) else None
    return list(items) if isinstance(items, list) else []


class TicketmasterClient(ApiClient):
    """Discovery v2 over an injected httpx.Client; the key goes in the `apikey` query parameter."""

    api = "ticketmaster"
    label = "Ticketmaster Discovery"
    key_setting = "TICKETMASTER_API_KEY"
    default_base_url = DEFAULT_BASE_URL
    # 5 requests per second; keep a little under it.
    default_min_interval_seconds = 0.25

    def _auth_params(self) -> dict[str, str]:
        return {"apikey": self._api_key}

    def _error_message(self, payload: Any) -> str:
        if not isinstance(payload, dict):
            return ""
        # Gateway errors: {"fault": {"faultstring": "...", "detail": {"errorcode": "..."}}}
        fault = payload.get("fault")
        if isinstance(fault, dict):
            detail = fault.get("detail")
            detail = detail if isinstance(detail, dict) else {}
            parts = [str(detail.get("errorcode") or ""), str(fault.get("faultstring") or "")]
            return " ".join(p for p in parts if p)
        # API errors: {"errors": [{"code": "DIS1035", "detail": "...", "status": "400"}]}
        errors = payload.get("errors")
        if isinstance(errors, list):
            return "; ".join(
                " ".join(str(e.get(k) or "") for k in ("code", "detail")).strip()
                for e in errors
                if isinstance(e, dict)
            )
        return ""

    def _is_quota_exhausted(self, status: int, payload: Any, headers: httpx.Headers) -> bool:
        return status == 429 and "QuotaViolation" in self._error_message(payload)

    def _retry_after_hint(self, status: int, payload: Any, headers: httpx.Headers) -> float | None:
        hint = super()._retry_after_hint(status, payload, headers)
        reset = headers.get("rate-limit-reset")
        if hint is None and reset and reset.strip().isdigit():
            # float, not int: 5000 digits are inf (clamped by the base), not a ValueError.
            hint = max(0.0, float(reset) / 1000 - self._wall_clock())
        return hint

    def search(
        self, kind: Kind, *, page: int = 0, size: int = 20, **filters: str | int | None
    ) -> ApiResponse:
        """One page of `kind` ("events", "venues", "attractions") matching the Discovery filters."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}.")
        if not 1 <= size <= MAX_SIZE:
            raise ValueError(f"size must be between 1 and {MAX_SIZE}.")
        if page < 0 or (page + 1) * size > MAX_DEEP_ITEMS:
            raise ValueError(f"Ticketmaster serves only the first {MAX_DEEP_ITEMS} items of a search.")
        params: dict[str, str | int | None] = dict(filters)
        params.update(page=page, size=size)
        return self._request("GET", f"/discovery/v2/{kind}.json", params=params)

    def iter_search(
        self, kind: Kind, *, size: int = MAX_SIZE, max_pages: int | None = None, **filters: str | int | None
    ) -> Iterator[ApiResponse]:
        """Every page of a search, by page number, up to the last page or the 1000-item cap."""
        page = 0
        while (page + 1) * size <= MAX_DEEP_ITEMS and (max_pages is None or page < max_pages):
            response = self.search(kind, page=page, size=size, **filters)
            yield replace(response, page_index=page)
            info = response.data.get("page") if isinstance(response.data, dict) else None
            total_pages = info.get("totalPages") if isinstance(info, Mapping) else None
            if not embedded_items(response.data, kind):
                return
            if isinstance(total_pages, int) and page + 1 >= total_pages:
                return
            page += 1

    def search_events(self, *, page: int = 0, size: int = 20, **filters: str | int | None) -> ApiResponse:
        return self.search("events", page=page, size=size, **filters)

    def search_venues(self, *, page: int = 0, size: int = 20, **filters: str | int | None) -> ApiResponse:
        return self.search("venues", page=page, size=size, **filters)

    def search_attractions(
        self, *, page: int = 0, size: int = 20, **filters: str | int | None
    ) -> ApiResponse:
        return self.search("attractions", page=page, size=size, **filters)

    def iter_events(
        self, *, size: int = MAX_SIZE, max_pages: int | None = None, **filters: str | int | None
    ) -> Iterator[ApiResponse]:
        return self.iter_search("events", size=size, max_pages=max_pages, **filters)

    def iter_venues(
        self, *, size: int = MAX_SIZE, max_pages: int | None = None, **filters: str | int | None
    ) -> Iterator[ApiResponse]:
        return self.iter_search("venues", size=size, max_pages=max_pages, **filters)

    def iter_attractions(
        self, *, size: int = MAX_SIZE, max_pages: int | None = None, **filters: str | int | None
    ) -> Iterator[ApiResponse]:
        return self.iter_search("attractions", size=size, max_pages=max_pages, **filters)

    def details(self, kind: Kind, item_id: str, *, params: Params | None = None) -> ApiResponse:
        """One event, venue or attraction by its Ticketmaster ID."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}.")
        item_id = item_id.strip()
        if not item_id:
            raise ValueError("A Ticketmaster ID is needed.")
        return self._request("GET", f"/discovery/v2/{kind}/{quote(item_id, safe='')}.json", params=params)

    def event(self, event_id: str) -> ApiResponse:
        return self.details("events", event_id)

    def venue(self, venue_id: str) -> ApiResponse:
        return self.details("venues", venue_id)

    def attraction(self, attraction_id: str) -> ApiResponse:
        return self.details("attractions", attraction_id)
