"""A local fake of the source APIs for tests (standard library only): Google Places (New), Yelp Fusion,
Bandsintown and Ticketmaster Discovery, on 127.0.0.1, serving the real saved responses in
tests/fixtures/apis/ (see its INDEX.md).

What it does like the real APIs: the paths and methods, the auth each API wants (and its error body
without it), Google's field masks (applied to the answer; required), pagination (Google
`pageToken`/`nextPageToken`, Yelp `limit`/`offset` with the 1000-result cap, Ticketmaster
`page`/`size` with its deep-paging cap), and each API's error shapes. Every request is recorded.

What it makes up, from real data:
- Text Search (New): the saved Place Details (New) response (Googleplex) followed by the 20 results
  of the saved legacy Text Search response, renamed field by field into the New format
  (`place_id` -> `id`, `name` -> `displayName.text`, `formatted_address` -> `formattedAddress`,
  `geometry.location` -> `location`, ...), whatever the query. Any of them answers Place Details too,
  and so does the saved legacy Place Details result.
- Yelp search: the three saved business-details responses, without the details-only fields
  (hours, photos, ...); `yelp_total` repeats them to that many results, to exercise the cap.
- Bandsintown: the saved dump {artist name: [events]}; "upcoming" and "all" give every event.
- Ticketmaster: the saved events (the search page's, the event details, the rescheduled one), their
  embedded venues and attractions and the saved venue and attraction; `ticketmaster_total` repeats
  the events to that many.
- Google Geocoding: the saved rooftop answer (277 Bedford Ave, Brooklyn) for an address naming it or
  for its place ID, the saved locality answer (Santa Cruz, Spain) for `components=locality:santa cruz`,
  the saved ZERO_RESULTS answer for anything else, the saved INVALID_REQUEST answer without a query;
  `add_geocode(text, result)` answers addresses containing `text` with a test's own result.
- MusicBrainz (ws/2, JSON): artist searches answered with the saved searches (Manowar, Burzum) or the
  saved empty one, the saved lookup (Within Temptation, genres and artist relationships), the saved URL
  lookup (its Spotify link); 404 `{"error": "Not Found"}` otherwise, 403 without a User-Agent that
  names a contact, as MusicBrainz blocks such agents.
- `fail(path, status=429, times=N, retry_after=S)` makes the next N requests to a path fail.
- `add_google_place(place)` serves a test's own Place as well (the pipeline test's venue).

    with FakeApis() as fake:
        client = YelpClient(api_key=fake.keys["yelp"], base_url=fake.base_url, http=httpx.Client())
"""

from __future__ import annotations

import base64
import copy
import json
import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "apis"

DEFAULT_KEYS = {
    "google_places": "test-google-places-key-5f3a",
    "yelp": "test-yelp-key-81c2",
    "bandsintown": "test-bandsintown-app-77d0",
    "ticketmaster": "test-ticketmaster-key-0b9e",
    "google_geocoding": "test-google-geocoding-key-3c7e",
}

# Bandsintown's documented codes for characters an artist name may not carry in a path.
BANDSINTOWN_CODES = {"%252F": "/", "%253F": "?", "%252A": "*", "%27C": '"'}
# Fields of a Yelp business that only the details endpoint returns.
YELP_DETAILS_ONLY = ("hours", "special_hours", "photos", "is_claimed", "messaging")

Json = Any


@dataclass
class RecordedRequest:
    method: str
    path: str  # decoded
    raw_path: str  # as sent, without the query
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    @property
    def json(self) -> Json:
        return json.loads(self.body) if self.body else None


@dataclass
class _Failure:
    status: int
    times: int
    retry_after: str | None
    body: Json
    headers: dict[str, str] = field(default_factory=dict)


def _load(name: str) -> Json:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data.pop("_note", None)  # the collector's annotation, not part of the response
    return data


def legacy_place_to_new(place: dict[str, Any]) -> dict[str, Any]:
    """A legacy Places result renamed into the Places API (New) shape (only fields both have)."""
    new: dict[str, Any] = {"name": f"places/{place['place_id']}", "id": place["place_id"]}
    renames = {
        "types": "types",
        "formatted_address": "formattedAddress",
        "formatted_phone_number": "nationalPhoneNumber",
        "international_phone_number": "internationalPhoneNumber",
        "website": "websiteUri",
        "rating": "rating",
        "user_ratings_total": "userRatingCount",
        "business_status": "businessStatus",
        "url": "googleMapsUri",
        "utc_offset": "utcOffsetMinutes",
    }
    for old, key in renames.items():
        if place.get(old) is not None:
            new[key] = place[old]
    location = (place.get("geometry") or {}).get("location")
    if location:
        new["location"] = {"latitude": location["lat"], "longitude": location["lng"]}
    if place.get("name"):
        new["displayName"] = {"text": place["name"]}
    return new


def apply_field_mask(obj: Json, paths: list[list[str]]) -> Json:
    """Keep only the masked fields (Google's FieldMask: dotted paths, "*" for everything)."""
    if not isinstance(obj, dict) or any(p in ([], ["*"]) for p in paths):
        return obj
    out: dict[str, Any] = {}
    for key, value in obj.items():
        sub = [p[1:] for p in paths if p[0] == key]
        if not sub:
            continue
        if any(not s for s in sub):
            out[key] = value
        elif isinstance(value, list):
            out[key] = [apply_field_mask(v, sub) for v in value]
        else:
            out[key] = apply_field_mask(value, sub)
    return out


def _token(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data, sort_keys=True).encode()).decode().rstrip("=")


def _untoken(token: str) -> dict[str, Any] | None:
    try:
        return dict(json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))))
    except ValueError:
        return None


class FakeApis:
    """The fake server; start it with `with FakeApis() as fake:` (or `start()` / `stop()`)."""

    def __init__(
        self,
        *,
        keys: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        yelp_total: int | None = None,
        ticketmaster_total: int | None = None,
    ) -> None:
        self.keys = dict(DEFAULT_KEYS if keys is None else keys)
        self.requests: list[RecordedRequest] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Lock()
        self._load_data(yelp_total, ticketmaster_total)
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- life cycle ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> FakeApis:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-apis", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeApis:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- test controls ------------------------------------------------------------------------

    def fail(
        self,
        path: str,
        *,
        status: int = 429,
        times: int = 1,
        retry_after: str | float | None = None,
        body: Json = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The next `times` requests to `path` (no query; raw or decoded) answer `status`."""
        with self._lock:
            self._failures.setdefault(path, []).append(
                _Failure(
                    status=status,
                    times=times,
                    retry_after=None if retry_after is None else str(retry_after),
                    body=body,
                    headers=dict(headers or {}),
                )
            )

    def add_google_place(self, place: dict[str, Any]) -> None:
        """Serve one more Place (New format) from Place Details and at the end of Text Search."""
        with self._lock:
            self.google_search_places.append(place)
            self.google_places[place["id"]] = place

    def add_geocode(self, text: str, result: dict[str, Any]) -> None:
        """Answer Geocoding requests whose address contains `text` (case-insensitive) with `result`."""
        with self._lock:
            self.geocode_answers.insert(0, (text.lower(), result))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if path in (r.path, r.raw_path)]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._failures.clear()

    # --- data -------------------------------------------------------------------------------

    def _load_data(self, yelp_total: int | None, ticketmaster_total: int | None) -> None:
        full = _load("google_places_new_place_details_full.json")
        legacy_search = _load("maps_http_places_textsearch_response.json")["results"]
        legacy_details = _load("maps_http_places_details_response.json")["result"]
        self.google_search_places: list[dict[str, Any]] = [full] + [
            legacy_place_to_new(p) for p in legacy_search
        ]
        self.google_places: dict[str, dict[str, Any]] = {p["id"]: p for p in self.google_search_places}
        self.google_places.setdefault(legacy_details["place_id"], legacy_place_to_new(legacy_details))

        details = [
            _load("yelp_fusion_business_details.json"),
            _load("business_lookup_sacre_coeur_paris.json"),
            _load("business_lookup_yelp_san_francisco.json"),
        ]
        self.yelp_businesses: dict[str, dict[str, Any]] = {}
        for business in details:
            self.yelp_businesses[business["id"]] = business
            self.yelp_businesses[business["alias"]] = business
        found = [{k: v for k, v in b.items() if k not in YELP_DETAILS_ONLY} for b in details]
        total = yelp_total or len(found)
        self.yelp_search: list[dict[str, Any]] = [found[i % len(found)] for i in range(total)]

        self.bandsintown: dict[str, list[dict[str, Any]]] = _load("bandsintown_artist_events_excerpt.json")

        brooklyn = _load("maps_http_geocode_place_id_response.json")
        self.geocode_answers: list[tuple[str, dict[str, Any]]] = [("277 bedford", brooklyn["results"][0])]
        self.geocode_places = {r["place_id"]: r for r in brooklyn["results"]}
        self.geocode_locality = _load("maps_http_geocode_components_response.json")
        self.geocode_zero = _load("maps_http_geocode_components_zero_results_response.json")
        self.geocode_invalid = _load("maps_http_geocode_invalid_request_response.json")

        self.mb_searches = {
            "manowar": _load("musicbrainz_ws2_artist_search_manowar.json"),
            "burzum": _load("musicbrainz_ws2_artist_search_burzum.json"),
        }
        self.mb_no_results = _load("musicbrainz_ws2_artist_search_no_results.json")
        lookup = _load("musicbrainz_ws2_artist_lookup_within_temptation.json")
        self.mb_artists: dict[str, dict[str, Any]] = {lookup["id"]: lookup}
        url = _load("musicbrainz_ws2_url_lookup_spotify_within_temptation.json")
        self.mb_urls: dict[str, dict[str, Any]] = {url["resource"]: url}

        events = [
            _load("ticketmaster_discovery_event_search.json")["_embedded"]["events"][0],
            _load("ticketmaster_discovery_event.json"),
            _load("ticketmaster_discovery_v2_event_rescheduled_with_externalLinks.json"),
        ]
        venues = [v for e in events for v in e.get("_embedded", {}).get("venues", [])]
        venues.append(_load("ticketmaster_discovery_v2_get-venue.json"))
        attractions = [a for e in events for a in e.get("_embedded", {}).get("attractions", [])]
        attractions.append(_load("ticketmaster_discovery_v2_get-attraction.json"))
        self.ticketmaster: dict[str, list[dict[str, Any]]] = {
            "events": [events[i % len(events)] for i in range(ticketmaster_total or len(events))],
            "venues": list({v["id"]: v for v in venues}.values()),
            "attractions": list({a["id"]: a for a in attractions}.values()),
        }

    # --- the server ---------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed ACK

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                fake._handle(self, "GET")

            def do_POST(self) -> None:
                fake._handle(self, "POST")

        return Handler

    def _handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = RecordedRequest(
            method=method,
            path=unquote(parts.path),
            raw_path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in handler.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(request)
            failure = self._take_failure(request)
        if failure is not None:
            status, payload, headers = failure
        else:
            status, payload, headers = self._route(request)
        data = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json; charset=utf-8")
        handler.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _take_failure(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]] | None:
        for path in (request.raw_path, request.path):
            queue = self._failures.get(path)
            if queue:
                failure = queue[0]
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
                headers = dict(failure.headers)
                if failure.retry_after is not None:
                    headers["Retry-After"] = failure.retry_after
                body = (
                    failure.body if failure.body is not None else _default_error(request.path, failure.status)
                )
                return failure.status, body, headers
        return None

    def _route(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        routes: list[tuple[str, re.Pattern[str], Callable[..., tuple[int, Json, dict[str, str]]]]] = [
            ("POST", re.compile(r"^/v1/places:searchText$"), self._google_search),
            ("GET", re.compile(r"^/v1/places/(?P<place_id>[^/]+)$"), self._google_details),
            ("GET", re.compile(r"^/maps/api/geocode/json$"), self._geocode),
            ("GET", re.compile(r"^/ws/2/artist$"), self._mb_search),
            ("GET", re.compile(r"^/ws/2/artist/(?P<mbid>[^/]+)$"), self._mb_artist),
            ("GET", re.compile(r"^/ws/2/url$"), self._mb_url),
            ("GET", re.compile(r"^/v3/businesses/search$"), self._yelp_search),
            ("GET", re.compile(r"^/v3/businesses/(?P<business_id>[^/]+)$"), self._yelp_details),
            ("GET", re.compile(r"^/artists/(?P<name>[^/]+)/events$"), self._bandsintown_events),
            (
                "GET",
                re.compile(r"^/discovery/v2/(?P<kind>events|venues|attractions)\.json$"),
                self._tm_search,
            ),
            (
                "GET",
                re.compile(r"^/discovery/v2/(?P<kind>events|venues|attractions)/(?P<item_id>[^/]+)\.json$"),
                self._tm_details,
            ),
        ]
        for method, pattern, view in routes:
            # Bandsintown's artist name is matched on the raw path: its codes must not be decoded first.
            match = pattern.match(request.raw_path if "artists" in pattern.pattern else request.path)
            if match:
                if method != request.method:
                    return 405, {"error": f"{request.method} not allowed"}, {}
                return view(request, **match.groupdict())
        return 404, {"error": f"no fake for {request.method} {request.path}"}, {}

    # --- Google Geocoding ----------------------------------------------------------------------

    def _geocode(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        key = request.param("key")
        if not key:
            message = "You must use an API key to authenticate each request to Google Maps Platform APIs."
            return 200, {"error_message": message, "results": [], "status": "REQUEST_DENIED"}, {}
        if key != self.keys["google_geocoding"]:
            return (
                200,
                {
                    "error_message": "The provided API key is invalid.",
                    "results": [],
                    "status": "REQUEST_DENIED",
                },
                {},
            )
        address = (request.param("address") or "").lower()
        components = (request.param("components") or "").lower()
        place_id = request.param("place_id")
        if not (address or components or place_id):
            return 200, self.geocode_invalid, {}
        if place_id:
            found = self.geocode_places.get(place_id)
            if found is None:
                message = "Invalid request. Invalid 'place_id' parameter."
                return 200, {"error_message": message, "results": [], "status": "INVALID_REQUEST"}, {}
            return 200, {"results": [found], "status": "OK"}, {}
        with self._lock:
            answers = list(self.geocode_answers)
        for text, result in answers:
            if text in address:
                return 200, {"results": [result], "status": "OK"}, {}
        if "locality:santa cruz" in components:
            return 200, self.geocode_locality, {}
        return 200, self.geocode_zero, {}

    # --- MusicBrainz ---------------------------------------------------------------------------

    def _mb_refused(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]] | None:
        agent = request.headers.get("user-agent", "")
        if "(" not in agent or agent.startswith(("python-httpx", "python-requests")):
            return (
                403,
                {
                    "error": "Your requests are blocked: set a User-Agent naming your application and a contact."
                },
                {},
            )
        if request.param("fmt") != "json":
            return 400, {"error": "This fake answers fmt=json only."}, {}
        return None

    def _mb_search(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        refused = self._mb_refused(request)
        if refused:
            return refused
        match = re.match(r'^artist:"(.*)"$', request.param("query") or "")
        name = re.sub(r"\\(.)", r"\1", match.group(1)) if match else ""
        return 200, self.mb_searches.get(name.casefold(), self.mb_no_results), {}

    def _mb_artist(self, request: RecordedRequest, mbid: str) -> tuple[int, Json, dict[str, str]]:
        refused = self._mb_refused(request)
        if refused:
            return refused
        found = self.mb_artists.get(mbid)
        if found is None:
            return (
                404,
                {
                    "error": "Not Found",
                    "help": "For usage, please see: https://musicbrainz.org/development/mmd",
                },
                {},
            )
        return 200, found, {}

    def _mb_url(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        refused = self._mb_refused(request)
        if refused:
            return refused
        found = self.mb_urls.get(request.param("resource") or "")
        if found is None:
            return (
                404,
                {
                    "error": "Not Found",
                    "help": "For usage, please see: https://musicbrainz.org/development/mmd",
                },
                {},
            )
        return 200, found, {}

    # --- Google Places (New) ------------------------------------------------------------------

    def _google_auth(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]] | None:
        key = request.headers.get("x-goog-api-key") or request.param("key")
        if not key:
            return _google_error(403, "PERMISSION_DENIED", "The request is missing a valid API key.")
        if key != self.keys["google_places"]:
            status, body, headers = _google_error(
                400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key."
            )
            body["error"]["details"] = [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}
            ]
            return status, body, headers
        return None

    def _google_mask(self, request: RecordedRequest) -> list[list[str]] | None:
        mask = request.headers.get("x-goog-fieldmask") or request.param("fields") or request.param("$fields")
        if not mask:
            return None
        return [item.strip().split(".") for item in mask.split(",") if item.strip()]

    def _google_search(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        denied = self._google_auth(request)
        if denied:
            return denied
        mask = self._google_mask(request)
        if mask is None:
            return _google_error(400, "INVALID_ARGUMENT", _MISSING_MASK)
        query = request.json or {}
        text = str(query.get("textQuery") or "")
        if not text:
            return _google_error(400, "INVALID_ARGUMENT", "Empty text_query.")
        size = int(query.get("pageSize") or 20)
        if not 1 <= size <= 20:
            return _google_error(400, "INVALID_ARGUMENT", "page_size must be between 1 and 20.")
        offset = 0
        if query.get("pageToken"):
            state = _untoken(str(query["pageToken"]))
            if not state or state.get("q") != text or state.get("s") != size:
                return _google_error(400, "INVALID_ARGUMENT", "Invalid page token.")
            offset = int(state["o"])
        places = self.google_search_places[offset : offset + size]
        response: dict[str, Any] = {"places": places} if places else {}
        if offset + size < len(self.google_search_places):
            response["nextPageToken"] = _token({"q": text, "s": size, "o": offset + size})
        return 200, apply_field_mask(response, mask), {}

    def _google_details(self, request: RecordedRequest, place_id: str) -> tuple[int, Json, dict[str, str]]:
        denied = self._google_auth(request)
        if denied:
            return denied
        mask = self._google_mask(request)
        if mask is None:
            return _google_error(400, "INVALID_ARGUMENT", _MISSING_MASK)
        place = self.google_places.get(place_id)
        if place is None:
            return _google_error(404, "NOT_FOUND", f"Requested entity was not found. Place ID: {place_id}")
        return 200, apply_field_mask(copy.deepcopy(place), mask), {}

    # --- Yelp Fusion --------------------------------------------------------------------------

    def _yelp_auth(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]] | None:
        auth = request.headers.get("authorization", "")
        if not auth:
            return (
                401,
                _yelp_error(
                    "TOKEN_MISSING", "An access token must be supplied in order to use this endpoint."
                ),
                {},
            )
        if auth != f"Bearer {self.keys['yelp']}":
            return 401, _yelp_error("TOKEN_INVALID", "Invalid access token or authorization header."), {}
        return None

    def _yelp_search(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]]:
        denied = self._yelp_auth(request)
        if denied:
            return denied
        if not request.param("location") and not (request.param("latitude") and request.param("longitude")):
            return (
                400,
                _yelp_error("VALIDATION_ERROR", "Please specify a location or a latitude and longitude"),
                {},
            )
        limit = int(request.param("limit") or 20)
        offset = int(request.param("offset") or 0)
        if limit > 50:
            return 400, _yelp_error("VALIDATION_ERROR", f"{limit} is greater than the maximum of 50"), {}
        if limit + offset > 1000:
            return (
                400,
                _yelp_error("VALIDATION_ERROR", "Too many results requested, limit+offset must be <= 1000."),
                {},
            )
        found = self.yelp_search[offset : offset + limit]
        first = self.yelp_search[0]["coordinates"] if self.yelp_search else {}
        return (
            200,
            {"businesses": found, "total": len(self.yelp_search), "region": {"center": first}},
            {},
        )

    def _yelp_details(self, request: RecordedRequest, business_id: str) -> tuple[int, Json, dict[str, str]]:
        denied = self._yelp_auth(request)
        if denied:
            return denied
        business = self.yelp_businesses.get(business_id)
        if business is None:
            return 404, _yelp_error("BUSINESS_NOT_FOUND", "The requested business could not be found."), {}
        return 200, business, {}

    # --- Bandsintown --------------------------------------------------------------------------

    def _bandsintown_events(self, request: RecordedRequest, name: str) -> tuple[int, Json, dict[str, str]]:
        app_id = request.param("app_id")
        if app_id != self.keys["bandsintown"]:
            return 401, {"errorMessage": "[Unauthorized] The app_id is missing or not authorized"}, {}
        for code, char in BANDSINTOWN_CODES.items():
            name = re.compile(re.escape(code), re.IGNORECASE).sub(char, name)
        name = unquote(name)
        events = next((v for k, v in self.bandsintown.items() if k.lower() == name.lower()), None)
        if events is None:
            return 404, {"errorMessage": "[NotFound] The artist was not found"}, {}
        date = request.param("date") or "upcoming"
        if date == "past":
            events = []
        elif date not in ("upcoming", "all"):
            start, _, end = date.partition(",")
            events = [e for e in events if start <= e["datetime"][:10] <= (end or start)]
        return 200, events, {}

    # --- Ticketmaster Discovery ---------------------------------------------------------------

    def _tm_auth(self, request: RecordedRequest) -> tuple[int, Json, dict[str, str]] | None:
        if request.param("apikey") != self.keys["ticketmaster"]:
            fault = {"faultstring": "Invalid ApiKey", "detail": {"errorcode": "oauth.v2.InvalidApiKey"}}
            return 401, {"fault": fault}, {}
        return None

    def _tm_headers(self) -> dict[str, str]:
        with self._lock:
            used = sum(1 for r in self.requests if r.path.startswith("/discovery/"))
        reset_ms = (int(time.time()) // 86400 + 1) * 86400 * 1000
        return {
            "Rate-Limit": "5000",
            "Rate-Limit-Available": str(max(0, 5000 - used)),
            "Rate-Limit-Over": "0",
            "Rate-Limit-Reset": str(reset_ms),
        }

    def _tm_search(self, request: RecordedRequest, kind: str) -> tuple[int, Json, dict[str, str]]:
        denied = self._tm_auth(request)
        if denied:
            return denied
        size = int(request.param("size") or 20)
        page = int(request.param("page") or 0)
        if page * size >= 1000:
            detail = "API Limits Exceeded: Max paging depth exceeded. (page * size) must be less than 1,000"
            return 400, {"errors": [{"code": "DIS1035", "detail": detail, "status": "400"}]}, {}
        items = self.ticketmaster[kind]
        keyword = (request.param("keyword") or "").lower()
        if keyword:
            items = [i for i in items if keyword in str(i.get("name", "")).lower()]
        found = items[page * size : (page + 1) * size]
        total_pages = math.ceil(len(items) / size)
        response: dict[str, Any] = {
            "_links": {"self": {"href": f"/discovery/v2/{kind}.json?page={page}&size={size}"}},
            "page": {"size": size, "totalElements": len(items), "totalPages": total_pages, "number": page},
        }
        if page + 1 < total_pages:
            response["_links"]["next"] = {"href": f"/discovery/v2/{kind}.json?page={page + 1}&size={size}"}
        if found:
            response["_embedded"] = {kind: found}
        return 200, response, self._tm_headers()

    def _tm_details(
        self, request: RecordedRequest, kind: str, item_id: str
    ) -> tuple[int, Json, dict[str, str]]:
        denied = self._tm_auth(request)
        if denied:
            return denied
        item = next((i for i in self.ticketmaster[kind] if i["id"] == item_id), None)
        if item is None:
            detail = f"Resource not found with provided criteria (locale=en-us, id={item_id})"
            return 404, {"errors": [{"code": "DIS1004", "detail": detail, "status": "404"}]}, {}
        return 200, item, self._tm_headers()


_MISSING_MASK = (
    "FieldMask is a required parameter. See https://cloud.google.com/apis/docs/system-parameters "
    "on how to provide it."
)


def _google_error(status: int, code: str, message: str) -> tuple[int, dict[str, Any], dict[str, str]]:
    return status, {"error": {"code": status, "message": message, "status": code}}, {}


def _yelp_error(code: str, description: str) -> dict[str, Any]:
    return {"error": {"code": code, "description": description}}


def _default_error(path: str, status: int) -> Json:
    """What each API answers on a 429 or a 5xx, in its own shape."""
    if path.startswith("/v1/places"):
        if status == 429:
            return _google_error(
                429,
                "RESOURCE_EXHAUSTED",
                "Quota exceeded for quota metric 'Requests' and limit 'Requests per minute'.",
            )[1]
        return _google_error(
            status, "UNAVAILABLE" if status == 503 else "INTERNAL", "Internal error encountered."
        )[1]
    if path.startswith("/v3/"):
        if status == 429:
            return _yelp_error(
                "TOO_MANY_REQUESTS_PER_SECOND",
                "You have exceeded the queries-per-second limit for this endpoint. Try reducing the rate at which you make queries.",
            )
        return _yelp_error("INTERNAL_ERROR", "Something went wrong internally, please try your request again")
    if path.startswith("/discovery/"):
        if status == 429:
            fault = {
                "faultstring": "Spike arrest violation. Allowed rate : 5ps",
                "detail": {"errorcode": "policies.ratelimit.SpikeArrestViolation"},
            }
            return {"fault": fault}
        return {"errors": [{"code": "DIS5000", "detail": "Internal server error", "status": str(status)}]}
    if path.startswith("/ws/2/"):
        # MusicBrainz says 503 when a client goes over its rate.
        return {
            "error": "Your requests are exceeding the allowable rate limit. Please see "
            "http://wiki.musicbrainz.org/XMLWebService for more information."
        }
    return {"errorMessage": "Too Many Requests" if status == 429 else "Internal Server Error"}
