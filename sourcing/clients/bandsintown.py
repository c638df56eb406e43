"""Bandsintown API v3: an artist's events (pure: no Django import).

    GET {base}/artists/{artist name}/events?app_id=<app id>&date=upcoming|past|all|YYYY-MM-DD,YYYY-MM-DD

The answer is one JSON list with every event: there is no pagination, so `iter_artist_events` yields
a single page. The artist name goes in the path; Bandsintown's documentation asks for four
characters to be replaced by fixed codes — "/" by %252F, "?" by %253F, "*" by %252A and '"' by %27C
(double-encoded, so that proxies do not decode them into path separators) — and everything else is
percent-encoded as usual (`encode_artist_name`), except the apostrophe, which a path may hold as it
is: encoded it would be "%27", and "D'Cruze" would read as "%27Cruze", the code for '"' + "ruze". The `app_id` travels in the query string, so it is
redacted from every URL this client stores or logs.

Storage terms: Bandsintown data feeds canonical records (unlike Google Places and Yelp); its event
pages keep the `app_id` they were fetched with in their own URLs, which the adapter leaves alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from sourcing.clients.base import ApiClient, ApiResponse, SourceApiError

DEFAULT_BASE_URL = "https://rest.bandsintown.com"
# From the API's parameter documentation ("artistname").
SPECIAL_CHARACTERS = {"/": "%252F", "?": "%253F", "*": "%252A", '"': "%27C"}
_DATE_RE = re.compile(r"^(upcoming|past|all|\d{4}-\d{2}-\d{2}(,\d{4}-\d{2}-\d{2})?)$")


def encode_artist_name(name: str) -> str:
    """The artist name as a path segment, with Bandsintown's codes for / ? * and "."""
    name = name.strip()
    if not name:
        raise ValueError("An artist name is needed.")
    return "".join(SPECIAL_CHARACTERS.get(ch) or quote(ch, safe="'") for ch in name)


class BandsintownClient(ApiClient):
    """Bandsintown over an injected httpx.Client; the app ID goes in the `app_id` query parameter."""

    api = "bandsintown"
    label = "Bandsintown"
    key_setting = "BANDSINTOWN_APP_ID"
    default_base_url = DEFAULT_BASE_URL
    default_min_interval_seconds = 0.5

    def _auth_params(self) -> dict[str, str]:
        return {"app_id": self._api_key}

    def _error_message(self, payload: Any) -> str:
        # {"errorMessage": "[NotFound] The artist was not found"}, older {"errors": [...]}, {"warn": ...}
        if isinstance(payload, dict):
            for key in ("errorMessage", "error", "message", "warn"):
                if payload.get(key):
                    return str(payload[key])
            if isinstance(payload.get("errors"), list):
                return "; ".join(str(e) for e in payload["errors"])
        return ""

    def _check_body(self, payload: Any, path: str) -> None:
        # An events call answers a list; an object with an error in it is an error, even with 200.
        if isinstance(payload, dict):
            said = self.redact(self._error_message(payload)) or "an object instead of a list of events"
            not_found = "notfound" in said.lower().replace(" ", "")
            raise SourceApiError(
                f"{self.label} answered GET {path} with {said}.",
                retryable=False,
                status_code=404 if not_found else None,
            )

    def artist_events(self, artist_name: str, *, date: str = "upcoming") -> ApiResponse:
        """The artist's events (a JSON list) for `date`: upcoming, past, all or "YYYY-MM-DD,YYYY-MM-DD"."""
        if not _DATE_RE.match(date):
            raise ValueError('date must be "upcoming", "past", "all", a date or "YYYY-MM-DD,YYYY-MM-DD".')
        return self._request(
            "GET", f"/artists/{encode_artist_name(artist_name)}/events", params={"date": date}
        )

    def iter_artist_events(self, artist_name: str, *, date: str = "upcoming") -> Iterator[ApiResponse]:
        """The pages of an artist's events: one, as the API does not paginate."""
        yield self.artist_events(artist_name, date=date)
