"""Links -> typed external IDs: a pure classifier from a URL (or a bare ID a source gave under a scheme)
to `(scheme, normalised ID)`, so that `https://open.spotify.com/intl-de/artist/4Z8W4fKeB5YxbusRsdQVPb?si=x`
and `spotify:artist:4Z8W4fKeB5YxbusRsdQVPb` are one key, and an artist source carrying it resolves to the
canonical artist that holds it.

Pure Python (no Django). Every scheme's ID is normalised the way the service compares it: Spotify and
YouTube channel IDs keep their case (they are case-sensitive), handles and subdomains are lower-cased,
MusicBrainz IDs lower-cased, Wikidata items upper-cased. A URL that is a page *about* something else
(a Spotify album, an Instagram post, a YouTube video, a ticket page) is not an identity and gives None.
Any other http(s) URL is the entity's `website`: kept, but weak (rooms of one complex share a website,
and a calendar may give the venue's own page as every performer's URL), so it never resolves alone
(`RESOLVING_SCHEMES`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final, Literal
from urllib.parse import parse_qs, unquote, urlsplit

# The typed schemes (what ExternalId.scheme holds for a link) and what each names.
SPOTIFY: Final = "spotify"
APPLE_MUSIC: Final = "apple_music"
BANDCAMP: Final = "bandcamp"
SOUNDCLOUD: Final = "soundcloud"
YOUTUBE: Final = "youtube"
INSTAGRAM: Final = "instagram"
FACEBOOK: Final = "facebook"
TIKTOK: Final = "tiktok"
TWITTER: Final = "twitter"
MUSICBRAINZ: Final = "musicbrainz"
WIKIDATA: Final = "wikidata"
WEBSITE: Final = "website"
DEEZER: Final = "deezer"
TIDAL: Final = "tidal"
DISCOGS: Final = "discogs"
LASTFM: Final = "lastfm"
SONGKICK: Final = "songkick"
BANDSINTOWN: Final = "bandsintown"
WIKIPEDIA: Final = "wikipedia"
THREADS: Final = "threads"
BLUESKY: Final = "bluesky"

# What a link points at: an artist's page, a place's page, or a profile that may be either's.
type LinkKind = Literal["artist", "place", "profile", "item", "website"]
type EntityKind = Literal["artist", "venue", "performance"]

# Schemes exact enough to resolve an entity on their own (an ID is one artist or one place).
RESOLVING_SCHEMES: Final = frozenset(
    {
        SPOTIFY,
        APPLE_MUSIC,
        BANDCAMP,
        SOUNDCLOUD,
        YOUTUBE,
        INSTAGRAM,
        FACEBOOK,
        TIKTOK,
        TWITTER,
        MUSICBRAINZ,
        WIKIDATA,
        DEEZER,
        TIDAL,
        DISCOGS,
        SONGKICK,
        BANDSINTOWN,
        THREADS,
        BLUESKY,
    }
)
# Pages keyed by a name, not an identity: Last.fm has one page for every artist called "Ghost".

# Accounts on social networks (identities of whoever runs the account).
PROFILE_SCHEMES: Final = frozenset(
    {INSTAGRAM, FACEBOOK, TIKTOK, TWITTER, THREADS, BLUESKY, YOUTUBE, SOUNDCLOUD}
)

# Scheme names the extraction adapters use for the same ID spaces (extraction/adapters/*).
SCHEME_ALIASES: Final[Mapping[str, str]] = {
    "bandsintown_artist": BANDSINTOWN,
    "bandsintown_venue": BANDSINTOWN,
    "applemusic": APPLE_MUSIC,
    "itunes": APPLE_MUSIC,
    "mbid": MUSICBRAINZ,
    "x": TWITTER,
}


@dataclass(frozen=True)
class TypedLink:
    scheme: str
    value: str  # the normalised ID
    kind: LinkKind


def is_identifying(scheme: str, entity_type: str = "artist") -> bool:
    """Whether an ID of this scheme is exact enough to resolve an entity on its own. For venues, social
    profiles are not: the rooms of one complex, and a venue and its promoter, share one account."""
    if entity_type == "venue" and scheme in PROFILE_SCHEMES:
        return False
    return scheme in RESOLVING_SCHEMES or scheme.startswith("source:") or scheme not in _LINK_SCHEMES


# Hosts with no identity in them: ticket, event and map pages, link shorteners we cannot expand.
_NOT_AN_IDENTITY_HOSTS: Final = frozenset(
    {
        "ticketmaster.com",
        "ticketmaster.ca",
        "ticketmaster.co.uk",
        "livenation.com",
        "eventbrite.com",
        "eventbrite.co.uk",
        "eventbrite.ca",
        "dice.fm",
        "link.dice.fm",
        "seetickets.com",
        "seetickets.us",
        "axs.com",
        "etix.com",
        "ticketweb.com",
        "tixr.com",
        "universe.com",
        "showclix.com",
        "ticketfly.com",
        "google.com",
        "maps.google.com",
        "goo.gl",
        "maps.app.goo.gl",
        "bit.ly",
        "youtu.be",
        "on.soundcloud.com",
        "spoti.fi",
        "fb.me",
        "instagr.am",
    }
)

# Host prefixes that are the same site: mobile, web and locale variants.
_HOST_PREFIX_RE: Final = re.compile(r"^(?:www\.|m\.|mobile\.|web\.|touch\.|[a-z]{2}-[a-z]{2}\.|[a-z]{2}\.)+")
_SPOTIFY_ID_RE: Final = re.compile(r"^[0-9A-Za-z]{22}$")
_MBID_RE: Final = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_WIKIDATA_RE: Final = re.compile(r"^[Qq][1-9]\d*$")
_YOUTUBE_CHANNEL_RE: Final = re.compile(r"^UC[0-9A-Za-z_-]{22}$")
_HANDLE_RE: Final = re.compile(r"^[0-9A-Za-z._-]{1,100}$")
_LOCALE_RE: Final = re.compile(r"^(?:intl-)?[a-z]{2}(?:[-_][a-zA-Z]{2,4})?$")
_DIGITS_RE: Final = re.compile(r"^\d+$")
_LEADING_DIGITS_RE: Final = re.compile(r"^(\d+)(?:-|$)")

# First path segments that are a site's own pages, never an account.
_INSTAGRAM_RESERVED: Final = frozenset(
    {"p", "reel", "reels", "tv", "explore", "stories", "accounts", "direct", "about", "legal", "web"}
)
_FACEBOOK_RESERVED: Final = frozenset(
    {
        "events",
        "groups",
        "sharer",
        "sharer.php",
        "share",
        "share.php",
        "watch",
        "photo.php",
        "photo",
        "photos",
        "story.php",
        "hashtag",
        "login",
        "login.php",
        "home.php",
        "help",
        "policies",
        "marketplace",
        "gaming",
        "plugins",
        "dialog",
        "l.php",
        "tr",
    }
)
_TWITTER_RESERVED: Final = frozenset(
    {"intent", "share", "home", "i", "search", "hashtag", "explore", "settings", "login", "signup"}
)
_SOUNDCLOUD_RESERVED: Final = frozenset(
    {
        "discover",
        "stream",
        "search",
        "you",
        "charts",
        "pages",
        "tags",
        "upload",
        "terms-of-use",
        "mobile",
        "jobs",
        "imprint",
        "people",
        "popular",
        "signin",
        "settings",
        "messages",
        "notifications",
    }
)
_BANDCAMP_NOT_ARTISTS: Final = frozenset({"www", "daily", "blog", "get", "f4", "s4", "t4", "bandcamp"})

_LINK_SCHEMES: Final = RESOLVING_SCHEMES | {WEBSITE, WIKIPEDIA, LASTFM}
# Path segment -> what the page is, for registries that have pages for artists and for places.
_MUSICBRAINZ_KINDS: Final[Mapping[str, LinkKind]] = {"artist": "artist", "place": "place"}
_SONGKICK_KINDS: Final[Mapping[str, LinkKind]] = {"artists": "artist", "venues": "place"}
_BANDSINTOWN_KINDS: Final[Mapping[str, LinkKind]] = {"a": "artist", "v": "place"}


def _base_host(host: str) -> str:
    host = host.lower().rstrip(".")
    if host.count(".") >= 2 or host.startswith(("www.", "m.")):
        stripped = _HOST_PREFIX_RE.sub("", host)
        if "." in stripped:
            return stripped
    return host


def _segments(path: str) -> list[str]:
    return [unquote(part) for part in path.split("/") if part]


def _drop_locale(parts: list[str]) -> list[str]:
    """`/intl-de/artist/...`, `/de/artist/...`, `/en-GB/...`: the locale prefix is not part of the ID."""
    return parts[1:] if parts and _LOCALE_RE.match(parts[0]) else parts


def _handle(value: str) -> str | None:
    value = value.strip().lstrip("@").lower()
    return value if _HANDLE_RE.match(value) else None


def classify_link(link: str | None) -> TypedLink | None:
    """The typed ID a URL names (see the module docstring); None when it names no identity."""
    if not link:
        return None
    link = link.strip()
    if link.lower().startswith("spotify:"):
        parts = link.split(":")
        if len(parts) == 3 and parts[1] == "artist" and _SPOTIFY_ID_RE.match(parts[2]):
            return TypedLink(SPOTIFY, parts[2], "artist")
        return None
    if link.startswith("//"):
        link = "https:" + link
    elif "://" not in link and re.match(r"^[\w-]+(\.[\w-]+)+(/|$)", link):
        link = "https://" + link  # "instagram.com/band", as people write it
    try:
        parts_ = urlsplit(link)
    except ValueError:
        return None
    if parts_.scheme.lower() not in ("http", "https") or not parts_.hostname:
        return None
    raw_host = parts_.hostname.lower().rstrip(".")
    host = _base_host(raw_host)
    path = _segments(parts_.path)
    query = parts_.query
    if host in _NOT_AN_IDENTITY_HOSTS or any(host.endswith("." + h) for h in _NOT_AN_IDENTITY_HOSTS):
        return None
    for suffix, rule in _RULES:
        if host == suffix or host.endswith("." + suffix):
            # Rules see the host as written: a Bandcamp subdomain or a Wikipedia language is the ID.
            return rule(raw_host, path, query)
    return TypedLink(WEBSITE, _website_key(host, parts_.path), "website")


def _website_key(host: str, path: str) -> str:
    """`https://www.Band.com/Tour/?utm=x` -> "band.com/Tour": scheme, `www.`, query and slashes dropped."""
    clean = "/".join(part for part in path.split("/") if part)
    return f"{host}/{clean}" if clean else host


def _spotify(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if path[:1] == ["embed"]:
        path = path[1:]
    if len(path) >= 2 and path[0] == "artist" and _SPOTIFY_ID_RE.match(path[1]):
        return TypedLink(SPOTIFY, path[1], "artist")
    return None


def _apple(host: str, path: list[str], query: str) -> TypedLink | None:
    # music.apple.com/us/artist/name/123, itunes.apple.com/gb/artist/name/id123, music.apple.com/artist/123
    path = _drop_locale(path)
    if not path or path[0] != "artist":
        return None
    last = path[-1].removeprefix("id")
    if len(path) >= 2 and _DIGITS_RE.match(last):
        return TypedLink(APPLE_MUSIC, last, "artist")
    return None


def _bandcamp(host: str, path: list[str], query: str) -> TypedLink | None:
    name = host.removeprefix("www.").removesuffix(".bandcamp.com")
    if name == host or "." in name or name in _BANDCAMP_NOT_ARTISTS:
        return None  # bandcamp.com/<fan> is a fan's collection, not an artist
    return TypedLink(BANDCAMP, name.lower(), "artist")


def _soundcloud(host: str, path: list[str], query: str) -> TypedLink | None:
    if _base_host(host) != "soundcloud.com" or not path or path[0].lower() in _SOUNDCLOUD_RESERVED:
        return None
    user = _handle(path[0])
    return TypedLink(SOUNDCLOUD, user, "profile") if user else None


def _youtube(host: str, path: list[str], query: str) -> TypedLink | None:
    if not path:
        return None
    head = path[0]
    if head == "channel" and len(path) >= 2 and _YOUTUBE_CHANNEL_RE.match(path[1]):
        return TypedLink(YOUTUBE, path[1], "profile")
    if head.startswith("@") and len(head) > 1:
        handle = _handle(head)
        return TypedLink(YOUTUBE, "@" + handle, "profile") if handle else None
    if head in ("user", "c") and len(path) >= 2:
        name = _handle(path[1])
        return TypedLink(YOUTUBE, f"{head}/{name}", "profile") if name else None
    return None  # /watch, /playlist, /shorts: a video or a list, not a channel


def _instagram(host: str, path: list[str], query: str) -> TypedLink | None:
    if not path or path[0].lower() in _INSTAGRAM_RESERVED:
        return None
    handle = _handle(path[0])
    return TypedLink(INSTAGRAM, handle, "profile") if handle else None


def _facebook(host: str, path: list[str], query: str) -> TypedLink | None:
    if not path:
        return None
    head = path[0].lower()
    if head == "profile.php":
        ids = parse_qs(query).get("id") or []
        return TypedLink(FACEBOOK, ids[0], "profile") if ids and _DIGITS_RE.match(ids[0]) else None
    if head in ("pages", "people", "pg") and len(path) >= 2:
        # /pages/Name/1234567 and /people/Name/1234567: the number is the page; /pg/name: the name
        numeric = next((p for p in reversed(path[1:]) if _DIGITS_RE.match(p)), None)
        if numeric:
            return TypedLink(FACEBOOK, numeric, "profile")
        name = _handle(path[1])
        return TypedLink(FACEBOOK, name, "profile") if name and head == "pg" else None
    if head in _FACEBOOK_RESERVED:
        return None
    # "The-Crocodile-Seattle-1234567890" (a page's vanity URL with its number) is still the name
    name = _handle(path[0])
    return TypedLink(FACEBOOK, name, "profile") if name else None


def _tiktok(host: str, path: list[str], query: str) -> TypedLink | None:
    if not path or not path[0].startswith("@"):
        return None
    handle = _handle(path[0])
    return TypedLink(TIKTOK, handle, "profile") if handle else None


def _twitter(host: str, path: list[str], query: str) -> TypedLink | None:
    if not path or path[0].lower() in _TWITTER_RESERVED:
        return None
    handle = _handle(path[0])
    return TypedLink(TWITTER, handle, "profile") if handle else None


def _musicbrainz(host: str, path: list[str], query: str) -> TypedLink | None:
    if len(path) >= 2 and _MBID_RE.match(path[1]):
        kind = _MUSICBRAINZ_KINDS.get(path[0])
        return TypedLink(MUSICBRAINZ, path[1].lower(), kind) if kind else None
    return None


def _wikidata(host: str, path: list[str], query: str) -> TypedLink | None:
    # /wiki/Q42, /entity/Q42, /wiki/Special:EntityPage/Q42
    for part in reversed(path):
        if _WIKIDATA_RE.match(part):
            return TypedLink(WIKIDATA, part.upper(), "item")
    return None


def _deezer(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if len(path) >= 2 and path[0] == "artist" and _DIGITS_RE.match(path[1]):
        return TypedLink(DEEZER, path[1], "artist")
    return None


def _tidal(host: str, path: list[str], query: str) -> TypedLink | None:
    if path[:1] == ["browse"]:
        path = path[1:]
    if len(path) >= 2 and path[0] == "artist" and _DIGITS_RE.match(path[1]):
        return TypedLink(TIDAL, path[1], "artist")
    return None


def _discogs(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if len(path) >= 2 and path[0] == "artist" and (match := _LEADING_DIGITS_RE.match(path[1])):
        return TypedLink(DISCOGS, match.group(1), "artist")
    return None


def _lastfm(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if len(path) >= 2 and path[0] == "music" and path[1] not in ("+noredirect",):
        name = path[1].replace("+", " ").strip()
        return TypedLink(LASTFM, name.casefold(), "artist") if name else None
    return None


def _songkick(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if len(path) >= 2 and (match := _LEADING_DIGITS_RE.match(path[1])):
        kind = _SONGKICK_KINDS.get(path[0])
        return TypedLink(SONGKICK, match.group(1), kind) if kind else None
    return None


def _bandsintown(host: str, path: list[str], query: str) -> TypedLink | None:
    path = _drop_locale(path)
    if len(path) >= 2 and (match := _LEADING_DIGITS_RE.match(path[1])):
        kind = _BANDSINTOWN_KINDS.get(path[0])
        return TypedLink(BANDSINTOWN, match.group(1), kind) if kind else None
    return None


def _wikipedia(host: str, path: list[str], query: str) -> TypedLink | None:
    language = host.removesuffix(".wikipedia.org").removesuffix(".m")
    if len(path) >= 2 and path[0] == "wiki" and language != host and "." not in language:
        title = "/".join(path[1:]).replace(" ", "_")
        return TypedLink(WIKIPEDIA, f"{language}:{title}", "item")
    return None


def _threads(host: str, path: list[str], query: str) -> TypedLink | None:
    if path and path[0].startswith("@"):
        handle = _handle(path[0])
        return TypedLink(THREADS, handle, "profile") if handle else None
    return None


def _bluesky(host: str, path: list[str], query: str) -> TypedLink | None:
    if len(path) >= 2 and path[0] == "profile":
        handle = _handle(path[1])
        return TypedLink(BLUESKY, handle, "profile") if handle else None
    return None


# Host suffix -> rule; the first suffix that matches decides (so "music.apple.com" before "apple.com").
_RULES: Final = (
    ("open.spotify.com", _spotify),
    ("play.spotify.com", _spotify),
    ("spotify.com", _spotify),
    ("music.apple.com", _apple),
    ("itunes.apple.com", _apple),
    ("geo.music.apple.com", _apple),
    ("bandcamp.com", _bandcamp),
    ("soundcloud.com", _soundcloud),
    ("music.youtube.com", _youtube),
    ("youtube.com", _youtube),
    ("instagram.com", _instagram),
    ("facebook.com", _facebook),
    ("fb.com", _facebook),
    ("tiktok.com", _tiktok),
    ("twitter.com", _twitter),
    ("x.com", _twitter),
    ("musicbrainz.org", _musicbrainz),
    ("wikidata.org", _wikidata),
    ("deezer.com", _deezer),
    ("tidal.com", _tidal),
    ("listen.tidal.com", _tidal),
    ("discogs.com", _discogs),
    ("last.fm", _lastfm),
    ("lastfm.com", _lastfm),
    ("songkick.com", _songkick),
    ("bandsintown.com", _bandsintown),
    ("wikipedia.org", _wikipedia),
    ("threads.net", _threads),
    ("threads.com", _threads),
    ("bsky.app", _bluesky),
)

# Which link kinds may identify which entity type (an artist is not its label's Facebook page: we
# cannot tell, so profiles count for both; a MusicBrainz place never names an artist).
_KINDS_FOR: Final[Mapping[str, frozenset[str]]] = {
    "artist": frozenset({"artist", "profile", "item", "website"}),
    "venue": frozenset({"place", "profile", "item", "website"}),
    "performance": frozenset(),
}


def normalize_id(scheme: str, value: str) -> tuple[str, str] | None:
    """A bare ID a source gave under a scheme, normalised like the classifier's; None if it is unusable."""
    scheme = SCHEME_ALIASES.get(scheme.strip().lower(), scheme.strip())
    value = value.strip()
    if not value:
        return None
    if scheme == MUSICBRAINZ:
        return (scheme, value.lower()) if _MBID_RE.match(value) else None
    if scheme == WIKIDATA:
        return (scheme, value.upper()) if _WIKIDATA_RE.match(value) else None
    if scheme == SPOTIFY:
        return (scheme, value) if _SPOTIFY_ID_RE.match(value) else None
    if scheme in (INSTAGRAM, TIKTOK, TWITTER, SOUNDCLOUD, BANDCAMP, THREADS, BLUESKY, FACEBOOK):
        handle = _handle(value)
        return (scheme, handle) if handle else None
    return scheme, value[:500]


def typed_external_ids(
    *,
    entity_type: EntityKind,
    external_ids: Mapping[str, str] | None = None,
    links: Iterable[str | None] = (),
) -> list[tuple[str, str]]:
    """Every typed ID of one source's record: its `external_ids` (a URL value is classified, a bare ID
    normalised) and its links (`url`/`website`, `socials`, `sameAs`), in order, without repeats.

    Schemes the classifier does not know (`ticketmaster`, `dice_artist`, `google_place`...) pass
    through unchanged: they are the source APIs' own IDs.
    """
    allowed = _KINDS_FOR[entity_type]
    seen: set[tuple[str, str]] = set()
    out: list[tuple[str, str]] = []

    def add(pair: tuple[str, str] | None) -> None:
        if pair is not None and pair not in seen:
            seen.add(pair)
            out.append(pair)

    def add_link(link: str) -> None:
        typed = classify_link(link)
        if typed is not None and typed.kind in allowed:
            add((typed.scheme, typed.value))

    for scheme, value in (external_ids or {}).items():
        if not isinstance(value, str) or not value.strip():
            continue
        if not ("://" in value or value.startswith("spotify:")):
            add(normalize_id(scheme, value))
            continue
        typed = classify_link(value)
        if typed is None:
            if scheme not in _LINK_SCHEMES:
                add((scheme, value.strip()[:500]))  # a source API's own ID that happens to be a URL
        elif typed.kind != "website" or scheme == WEBSITE:
            if typed.kind in allowed:
                add((typed.scheme, typed.value))
        else:
            # A registry page we have no rule for (JamBase, AllMusic, setlist.fm): keyed by its scheme.
            add((SCHEME_ALIASES.get(scheme, scheme), typed.value[:500]))
    for link in links:
        if link:
            add_link(link)
    return out


def record_links(entity_type: EntityKind, data: Mapping[str, object]) -> list[str]:
    """The links of one extracted record (the extraction contract's dump): a venue's website and socials,
    an artist's URL (and socials, where a source gives them)."""
    fields = {"venue": ("website", "socials"), "artist": ("url", "socials", "same_as")}.get(entity_type, ())
    links: list[str] = []
    for name in fields:
        value = data.get(name)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                links.append(item)
    return links


def record_external_ids(entity_type: EntityKind, data: Mapping[str, object]) -> list[tuple[str, str]]:
    """Every typed ID of one extracted record: its `external_ids` and its links (see typed_external_ids)."""
    raw = data.get("external_ids")
    external_ids = {str(k): v for k, v in raw.items() if isinstance(v, str)} if isinstance(raw, dict) else {}
    return typed_external_ids(
        entity_type=entity_type, external_ids=external_ids, links=record_links(entity_type, data)
    )
