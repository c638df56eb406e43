"""MusicBrainz web service (ws/2, JSON; pure: no Django import).

    GET {base}/ws/2/artist?query=artist:"Name"&limit=10&fmt=json        search (scored 0-100)
    GET {base}/ws/2/artist/{mbid}?inc=genres+url-rels&fmt=json           lookup
    GET {base}/ws/2/url?resource={url}&inc=artist-rels&fmt=json          which artist a link belongs to

Rules of the service (musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting): at most one request per second
from one application (this client keeps its calls a second apart; the pipeline also takes a shared slot
per request so that all its workers together keep to it), and a meaningful User-Agent naming the
application and a way to reach its operator — anonymous or generic agents are throttled or blocked.
Over the rate, MusicBrainz answers 503, which is retried like any 5xx. No key is needed; the contact
is what the client refuses to start without.

Data: MusicBrainz core data (names, types, areas, relationships, MBIDs) is CC0; genres come from its
folksonomy tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from sourcing.clients.base import ApiClient, ApiResponse, MissingApiKeyError

DEFAULT_BASE_URL = "https://musicbrainz.org"
_MBID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Lucene's special characters, escaped in a quoted phrase.
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


@dataclass(frozen=True)
class MbArtist:
    """An artist as search and lookup describe it (search adds `score`; lookup adds genres and links)."""

    mbid: str
    name: str
    sort_name: str = ""
    disambiguation: str = ""
    type: str = ""
    country: str = ""  # ISO 3166-1 where MusicBrainz knows it
    area: str = ""  # the area's name ("United States", "Limousis")
    area_countries: tuple[str, ...] = ()  # the area's ISO 3166-1 codes, when the area is a country
    score: int = 0
    aliases: tuple[str, ...] = ()
    genres: tuple[str, ...] = ()  # most-voted first
    links: tuple[str, ...] = ()  # URL relationships: Spotify, Wikidata, official homepage...


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def parse_artist(data: Any) -> MbArtist | None:
    """One artist object of a search result or a lookup; None when it has no MBID or name."""
    if not isinstance(data, dict):
        return None
    mbid, name = _text(data.get("id")).lower(), _text(data.get("name"))
    if not _MBID_RE.match(mbid) or not name:
        return None
    area_value, genres_value = data.get("area"), data.get("genres")
    area: dict[str, Any] = area_value if isinstance(area_value, dict) else {}
    genres: list[Any] = genres_value if isinstance(genres_value, list) else []
    ranked = sorted(
        (g for g in genres if isinstance(g, dict) and _text(g.get("name"))),
        key=lambda g: -int(g.get("count") or 0),
    )
    links = [
        _text((rel.get("url") or {}).get("resource"))
        for rel in data.get("relations") or []
        if isinstance(rel, dict)
        and rel.get("target-type", "url") == "url"
        and isinstance(rel.get("url"), dict)
        and not rel.get("ended")
    ]
    try:
        score = int(data.get("score") or 0)
    except (TypeError, ValueError):
        score = 0
    return MbArtist(
        mbid=mbid,
        name=name,
        sort_name=_text(data.get("sort-name")),
        disambiguation=_text(data.get("disambiguation")),
        type=_text(data.get("type")),
        country=_text(data.get("country")).upper(),
        area=_text(area.get("name")),
        area_countries=tuple(
            str(c).upper() for c in area.get("iso-3166-1-codes") or [] if isinstance(c, str)
        ),
        score=score,
        aliases=tuple(
            _text(a.get("name"))
            for a in data.get("aliases") or []
            if isinstance(a, dict) and _text(a.get("name"))
        ),
        genres=tuple(_text(g.get("name")) for g in ranked),
        links=tuple(link for link in links if link),
    )


def parse_search(data: Any) -> list[MbArtist]:
    """The candidates of an artist search, best score first (as MusicBrainz orders them)."""
    items = data.get("artists") if isinstance(data, dict) else None
    return [a for a in map(parse_artist, items or []) if a is not None]


def parse_url_artists(data: Any) -> list[MbArtist]:
    """The artists a URL entity is related to (`/ws/2/url?resource=...&inc=artist-rels`)."""
    relations = data.get("relations") if isinstance(data, dict) else None
    found = [
        parse_artist(rel.get("artist"))
        for rel in relations or []
        if isinstance(rel, dict) and not rel.get("ended")
    ]
    return list({a.mbid: a for a in found if a is not None}.values())


def artist_query(name: str) -> str:
    """A Lucene query for an exact artist name (the `artist` field searches names and aliases)."""
    escaped = _LUCENE_SPECIAL.sub(r"\\\1", name.strip())
    return f'artist:"{escaped}"'


class MusicBrainzClient(ApiClient):
    """ws/2 over an injected httpx.Client; `contact` (an e-mail or URL) goes into the User-Agent."""

    api = "musicbrainz"
    label = "MusicBrainz"
    key_setting = "MUSICBRAINZ_CONTACT"
    default_base_url = DEFAULT_BASE_URL
    default_min_interval_seconds = 1.0
    requires_key = False

    def __init__(
        self, *, contact: str, http: httpx.Client, application: str = "MyStageSourcing/0.1", **kwargs: Any
    ) -> None:
        if not contact or not contact.strip():
            raise MissingApiKeyError(self.label, self.key_setting)
        kwargs.pop("user_agent", None)
        super().__init__(api_key="", http=http, user_agent=f"{application} ( {contact.strip()} )", **kwargs)

    def _error_message(self, payload: Any) -> str:
        # {"error": "Not Found", "help": "For usage, please see: https://musicbrainz.org/development/mmd"}
        return _text(payload.get("error")) if isinstance(payload, dict) else ""

    def search_artists(self, name: str, *, limit: int = 10) -> ApiResponse:
        if not name.strip():
            raise ValueError("An artist search needs a name.")
        return self._request(
            "GET",
            "/ws/2/artist",
            params={"query": artist_query(name), "limit": max(1, min(limit, 100)), "fmt": "json"},
        )

    def lookup_artist(self, mbid: str, *, inc: tuple[str, ...] = ("genres", "url-rels")) -> ApiResponse:
        mbid = mbid.strip().lower()
        if not _MBID_RE.match(mbid):
            raise ValueError(f"{mbid!r} is not a MusicBrainz ID.")
        return self._request("GET", f"/ws/2/artist/{mbid}", params={"inc": "+".join(inc), "fmt": "json"})

    def lookup_url(self, resource: str) -> ApiResponse:
        """The URL entity for a link, with the artists it is related to (404 when MusicBrainz has no such URL)."""
        if not resource.strip():
            raise ValueError("A URL lookup needs a URL.")
        return self._request(
            "GET", "/ws/2/url", params={"resource": resource.strip(), "inc": "artist-rels", "fmt": "json"}
        )
