"""Normalisers for entity resolution: plain functions from raw source strings to comparable strings.

Everything here is pure and deterministic (no Django, no I/O) so that the same input gives the same
key in the online matcher, the batch duplicate finder and the fingerprints in ``keys.py``.
Changing an output here changes fingerprints: bump ``keys.FINGERPRINT_VERSION`` when you do.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

import phonenumbers
import pycountry

# Apostrophes are dropped, not turned into spaces, so "Neumo's" == "Neumos" and "Dante's" == "Dantes".
_APOSTROPHES: Final = dict.fromkeys(map(ord, "'’‘ʼ`´"), None)
_NON_WORD: Final = re.compile(r"[\W_]+")


def normalize_text(s: str | None) -> str:
    """Casefold, strip accents, ``&`` -> "and", punctuation to spaces, collapse whitespace."""
    if not s:
        return ""
    if s.isascii():
        # Fast path, same result: ASCII has no accents, and lower() is casefold() on ASCII.
        s = s.lower()
    else:
        # casefold before NFKD: some casefolds (e.g. "İ") produce combining marks we then drop.
        s = unicodedata.normalize("NFKD", s.casefold())
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.replace("&", " and ").translate(_APOSTROPHES)
    return " ".join(_NON_WORD.sub(" ", s).split())


# British/American spellings that sources mix freely for the same venue.
_NAME_SPELLINGS: Final[dict[str, str]] = {
    "theatre": "theater",
    "theatres": "theaters",
    "centre": "center",
    "amphitheatre": "amphitheater",
    # "Saint Mark's" and "St. Mark's" are one name.
    "saint": "st",
}


def normalize_name(s: str | None) -> str:
    """normalize_text, unify theatre/theater-style spellings, drop a leading "the".

    Venue-type words ("club", "bar", "theater") are kept: they are part of the name, and
    ``scoring`` decides how much they count (VENUE_NOISE_TOKENS).
    """
    tokens = [_NAME_SPELLINGS.get(t, t) for t in normalize_text(s).split()]
    if len(tokens) > 1 and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


# Venue-type and filler words: name comparison and blocking judge names without them ("The Moore"
# vs "Moore Theatre"); never removed from stored names.
VENUE_NOISE_TOKENS: Final = frozenset(
    {
        "the", "and", "at", "of", "on", "in", "a",
        "theater", "theaters", "club", "nightclub", "bar", "lounge", "hall", "music", "live", "venue",
        "cafe", "tavern", "pub", "room", "ballroom", "arena", "center", "amphitheater", "auditorium",
        "stage", "concert", "concerts", "saloon", "cabaret", "restaurant",
    }
)  # fmt: skip


def name_tokens(s: str | None) -> frozenset[str]:
    """The set of words of ``normalize_name(s)``."""
    return frozenset(normalize_name(s).split())


def venue_name_key(name: str | None) -> str:
    """Normalised name with spaces removed, word order kept.

    Order is kept (not sorted) because reordered names are rare for venues and a sorted key would
    merge names that differ in meaning; spaces are removed so "Show Box" == "Showbox" and
    "A.C.E." == "ACE".
    """
    return normalize_name(name).replace(" ", "")


# Abbreviations in city names: "St. Louis" == "Saint Louis", "Ft Worth" == "Fort Worth".
_CITY_WORDS: Final[dict[str, str]] = {"st": "saint", "ste": "sainte", "ft": "fort", "mt": "mount"}


@lru_cache(maxsize=65536)
def normalize_city(s: str | None) -> str:
    """normalize_text with st/ste/ft/mt expanded (St. Louis == Saint Louis). Cached: cities repeat."""
    return " ".join(_CITY_WORDS.get(t, t) for t in normalize_text(s).split())


# Small alias table: sources mostly give ISO alpha-2, sometimes these.
_COUNTRY_ALIASES: Final[dict[str, str]] = {
    "USA": "US",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "UK": "GB",
    "UNITED KINGDOM": "GB",
    "GREAT BRITAIN": "GB",
    "CANADA": "CA",
    "CAN": "CA",
    "GBR": "GB",
    "DEU": "DE",
    "GERMANY": "DE",
    "FRA": "FR",
    "FRANCE": "FR",
    "AUS": "AU",
    "AUSTRALIA": "AU",
}


@lru_cache(maxsize=4096)
def normalize_country(s: str | None) -> str | None:
    """Upper-case ISO 3166 alpha-2 where recognisable, else the upper-cased input; None if empty.

    Cached: a handful of spellings repeat across millions of rows, and pycountry lookups are slow.
    """
    tokens = normalize_text(s).upper().split()
    if not tokens:
        return None
    # "U.S.A." became "U S A".
    text = "".join(tokens) if all(len(t) == 1 for t in tokens) else " ".join(tokens)
    if text in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[text]
    if len(text) > 2:
        # pycountry knows every ISO 3166 name, official name and alpha-3 code (DICE writes "USA").
        try:
            return str(pycountry.countries.lookup(text).alpha_2)
        except LookupError:
            pass
    return text


_US_ZIP: Final = re.compile(r"^(\d{5})(?:-?\d{4})?$")


@lru_cache(maxsize=65536)
def normalize_postcode(s: str | None, country: str | None = None) -> str | None:
    """Upper-case postcode without spaces or hyphens; US ZIP+4 cut to the 5-digit ZIP.

    For US codes a 3- or 4-digit value is left-padded with zeros (spreadsheets drop them:
    02134 -> 2134). Without a country, only the unmistakable ZIP+4 form "12345-6789" is cut.
    """
    if not s or not s.strip():
        return None
    raw = s.strip().upper()
    if normalize_country(country) == "US":
        digits = re.sub(r"\D", "", raw)
        if 3 <= len(digits) < 5:
            return digits.zfill(5)
        return digits[:5] or None
    if country is None and (m := _US_ZIP.match(raw)) and "-" in raw:
        return m.group(1)
    compact = re.sub(r"[\s\-.]+", "", raw)
    return compact or None


_STREET_WORDS: Final[dict[str, str]] = {
    "street": "st",
    "saint": "st",  # "St Marks Pl" is ambiguous; mapping both to "st" keeps comparisons consistent
    "avenue": "ave",
    "av": "ave",
    "boulevard": "blvd",
    "boul": "blvd",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "place": "pl",
    "court": "ct",
    "highway": "hwy",
    "parkway": "pkwy",
    "square": "sq",
    "terrace": "ter",
    "circle": "cir",
    "alley": "aly",
    "plaza": "plz",
    "route": "rte",
    "expressway": "expy",
    "freeway": "fwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "first": "1st",
    "second": "2nd",
    "third": "3rd",
    "fourth": "4th",
    "fifth": "5th",
    "sixth": "6th",
    "seventh": "7th",
    "eighth": "8th",
    "ninth": "9th",
    "tenth": "10th",
}
# Unit designators are dropped with their value: rooms in one building are told apart by name, and
# sources include or omit "Suite 200" at random.
_UNIT_WORDS: Final = frozenset({"suite", "ste", "unit", "apt", "apartment", "room", "rm", "bldg", "building"})
_FLOOR_WORDS: Final = frozenset({"floor", "fl", "flr"})
# Spelled-out ordinals in street names ("Tenth Avenue") written as numbers ("10th Ave").
_ORDINAL_WORDS: Final[dict[str, str]] = {
    word: f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"
    for n, word in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth "
        "fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth twentieth".split(),
        start=1,
    )
}
_HASH_UNIT: Final = re.compile(r"#\s*[\w-]+")
# One lookup for the common case (no units, floors, "-strasse" or split directions like "N E").
_STREET_FAST: Final[dict[str, str]] = {
    word: _STREET_WORDS.get(_ORDINAL_WORDS.get(word, word), _ORDINAL_WORDS.get(word, word))
    for word in {*_STREET_WORDS, *_ORDINAL_WORDS}
}
_STREET_SLOW_WORDS: Final = _UNIT_WORDS | _FLOOR_WORDS


def _is_unit_value(token: str) -> bool:
    # "Suite 200", "Unit B" are units; "Ste Catherine" (Sainte) is not.
    return any(ch.isdigit() for ch in token) or len(token) == 1


def normalize_street(s: str | None) -> str:
    """normalize_text with street types and directions abbreviated one canonical way; units dropped.

    "123 North Main Street, Suite 4" and "123 N. Main St #4" both give "123 n main st".
    """
    if not s:
        return ""
    # A whole address in the street field ("1245 10th Ave E, Seattle, WA 98102"): keep the street.
    head, sep, _ = s.partition(",")
    if sep and any(ch.isdigit() for ch in head):
        s = head
    text = normalize_text(_HASH_UNIT.sub(" ", s) if "#" in s else s)
    raw_tokens = text.split()
    if (
        _STREET_SLOW_WORDS.isdisjoint(raw_tokens)
        and "strasse" not in text
        and not (("e" in raw_tokens or "w" in raw_tokens) and ("n" in raw_tokens or "s" in raw_tokens))
    ):
        return " ".join([_STREET_FAST.get(t, t) for t in raw_tokens])
    tokens = [_ORDINAL_WORDS.get(t, t) for t in raw_tokens]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if tok in _UNIT_WORDS and nxt is not None and _is_unit_value(nxt):
            i += 2
            continue
        if tok in _FLOOR_WORDS and out and any(ch.isdigit() for ch in out[-1]):
            out.pop()  # "2nd floor"
            i += 1
            continue
        raw = tok
        if tok.endswith("strasse"):
            tok = tok[: -len("strasse")] + "str"  # "Hauptstraße" (casefolded to ...strasse)
        else:
            tok = _STREET_WORDS.get(tok, tok)
        # "N.E." became "n e": join into "ne".
        if out and raw in ("e", "w") and i > 0 and tokens[i - 1] in ("n", "s") and out[-1] in ("n", "s"):
            out[-1] += tok
        else:
            out.append(tok)
        i += 1
    return " ".join(out)


def normalize_phone(s: str | None, default_region: str = "US") -> str | None:
    """E.164 ("+12065551234") via phonenumbers; extensions dropped; None if empty or not valid.

    North American numbers written in the usual shapes take a fast path with the same result (see
    ``_nanp_fast``); everything else goes through phonenumbers.
    """
    if not s or not s.strip():
        return None
    region = default_region.upper() if len(default_region) == 2 else "US"
    fast = _nanp_fast(s, region)
    if fast is not None:
        return fast or None
    return _parse_phone(s, region)


def _parse_phone(s: str, region: str) -> str | None:
    try:
        number = phonenumbers.parse(s, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# "(206) 709-9442", "206.709.9442", "+1 206 709 9442", "1-206-709-9442", "2067099442", "206/709-9442".
_NANP_SHAPE: Final = re.compile(
    r"\s*(\+\s*1|1)?[\s\-./()]*([2-9]\d{2})[\s\-./()]*(\d{3})[\s\-./()]*(\d{4})\s*", re.ASCII
)


def _other_nanp_area_codes() -> re.Pattern[str]:
    # Area codes of the NANP members other than the US and Canada (Caribbean, Pacific territories),
    # as phonenumbers' metadata lists them in each region's leading digits.
    from phonenumbers import PhoneMetadata

    parts = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE[1]:
        meta = PhoneMetadata.metadata_for_region(region)
        if region not in ("US", "CA") and meta is not None and meta.leading_digits:
            parts.append(f"(?:{meta.leading_digits})")
    return re.compile("|".join(parts) or "(?!)")


_OTHER_NANP: Final = _other_nanp_area_codes()
_NANP_VALID: dict[str, bool] = {}


def _nanp_fast(s: str, region: str) -> str | None:
    """E.164 for a plainly written US/Canadian number, "" if it is not valid, None if not applicable.

    For US and Canadian area codes, phonenumbers' validity rules look at the first six national
    digits only (area code and exchange; verified over every prefix with several line numbers), so
    validity is computed once per prefix by phonenumbers itself and cached. Other NANP members
    (e.g. Barbados, Jamaica) have rules that look further, and take the full path.
    """
    if len(s) > 24 or (region not in ("US", "CA") and not s.lstrip().startswith("+")):
        return None
    m = _NANP_SHAPE.fullmatch(s)
    if m is None:
        return None
    prefix, area, exchange, line = m.groups()
    if region not in ("US", "CA") and (prefix is None or prefix == "1"):
        return None
    national = area + exchange + line
    if _OTHER_NANP.match(national):
        return None
    key = area + exchange
    valid = _NANP_VALID.get(key)
    if valid is None:
        valid = _parse_phone("+1" + national, "US") is not None
        if len(_NANP_VALID) < 1_000_000:
            _NANP_VALID[key] = valid
    return "+1" + national if valid else ""


_HOST: Final = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")
_WWW: Final = re.compile(r"^www\d*\.")
_SIMPLE_URL: Final = re.compile(r"(?i:https?)://([A-Za-z0-9.-]+)(?::[0-9]*)?(?:[/?#]|$)")


def website_host(url: str | None) -> str | None:
    """Lower-case host without "www."; None for empty, non-http or unparsable input.

    Bare hosts ("neumos.com/events") are accepted. Internationalised hosts are returned in IDNA
    (punycode) form so that both spellings compare equal.
    """
    if not url or not url.strip():
        return None
    u = url.strip()
    if u.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
        return None
    if u.startswith("//"):
        u = "http:" + u
    elif "://" not in u:
        u = "http://" + u
    simple = _SIMPLE_URL.match(u)
    if simple is not None:
        # Fast path, same result as urlsplit's hostname for "scheme://host[:port][/?#...]".
        host = simple.group(1).lower()
    else:
        try:
            parts = urlsplit(u)
            hostname = parts.hostname
        except ValueError:
            return None
        if parts.scheme.lower() not in ("http", "https") or not hostname:
            return None
        host = hostname
    host = host.rstrip(".")
    if host.isascii():
        # What the idna codec does with an ASCII name, without the codec machinery.
        labels = host.split(".")
        if not all(0 < len(label) < 64 for label in labels[:-1]) or len(labels[-1]) >= 64:
            return None
        host = host.lower()
    else:
        try:
            host = host.encode("idna").decode("ascii").lower()
        except UnicodeError:
            return None
    host = _WWW.sub("", host)
    return host if _HOST.match(host) else None


# Hosts shared by many venues/artists (social, ticketing, link-in-bio, maps): never an identity.
GENERIC_HOSTS: Final = frozenset(
    {
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "twitter.com",
        "x.com",
        "tiktok.com",
        "youtube.com",
        "youtu.be",
        "threads.net",
        "myspace.com",
        "soundcloud.com",
        "bandcamp.com",
        "spotify.com",
        "ticketmaster.com",
        "ticketmaster.ca",
        "ticketmaster.co.uk",
        "livenation.com",
        "axs.com",
        "eventbrite.com",
        "eventbrite.co.uk",
        "seetickets.com",
        "seetickets.us",
        "dice.fm",
        "etix.com",
        "ticketweb.com",
        "tixr.com",
        "ticketfly.com",
        "stubhub.com",
        "seatgeek.com",
        "vividseats.com",
        "songkick.com",
        "bandsintown.com",
        "jambase.com",
        "residentadvisor.net",
        "ra.co",
        "linktr.ee",
        "linkin.bio",
        "bit.ly",
        "google.com",
        "goo.gl",
        "g.page",
        "sites.google.com",
        "yelp.com",
        "tripadvisor.com",
        "foursquare.com",
        "wikipedia.org",
    }
)


def is_generic_host(host: str | None) -> bool:
    """True for hosts (or subdomains of hosts) in GENERIC_HOSTS, e.g. "m.facebook.com"."""
    if not host:
        return False
    h = host.lower().rstrip(".")
    while True:
        if h in GENERIC_HOSTS:
            return True
        _, dot, rest = h.partition(".")
        if not dot or "." not in rest:
            return False
        h = rest


# Greedy prefix: strip the LAST "feat." first, so "Little Feat feat. X" keeps "Little Feat".
_FEAT_TAIL: Final = re.compile(
    r"^(.*\S)\s*[(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s+\S.*$", re.IGNORECASE | re.DOTALL
)
_TRAILING_PAREN: Final = re.compile(r"\s*[(\[]([^()\[\]]*)[)\]]\s*$")
# Parentheticals that describe the show, not the act. "(UK)" or Discogs "(2)" disambiguators are kept.
_SHOW_NOTE: Final = re.compile(
    r"^(?:live|live set|acoustic|unplugged|dj set|dj|solo|solo set|full band|in concert|"
    r"(?:album|record|ep|single) release(?: show| party)?|release show|.*\btour\b.*|"
    r"early show|late show|matinee|all ages|sold out|cancelled|canceled|"
    r"postponed|rescheduled|night (?:one|two|three|1|2|3)|(?:an )?evening with.*)$"
)
_AGE_NOTE: Final = re.compile(r"^\s*(?:1[6-9]|2[01])\s*(?:\+|and over|& over|and up)\s*$", re.IGNORECASE)


def _is_show_note(text: str) -> bool:
    return bool(_AGE_NOTE.match(text) or _SHOW_NOTE.match(normalize_text(text)))


def normalize_artist_name(s: str | None) -> str:
    """normalize_name without "feat./ft./featuring ..." tails and show notes like "(Live)", "(DJ Set)".

    "Beyoncé feat. Jay-Z" -> "beyonce". Names that normalise to nothing ("!!!") fall back to the
    casefolded original so they still have a key.
    """
    if not s:
        return ""
    text = s
    while m := _FEAT_TAIL.match(text):
        text = m.group(1)
    while (m := _TRAILING_PAREN.search(text)) and _is_show_note(m.group(1)):
        text = text[: m.start()]
    name = normalize_name(text) or normalize_name(s)
    return name or " ".join(s.casefold().split())


_CREDIT_BRACKET: Final = re.compile(r"[(\[]\s*((?:feat\.?|ft\.?|featuring|with|w/)\s*[^()\[\]]*)[)\]]", re.I)
_CREDIT_SPLIT: Final = re.compile(
    r"\s+(?:feat\.|feat|ft\.|ft|featuring|with)\s+|\s+w/\s*|\s+\+\s+", re.IGNORECASE
)


def split_artist_credit(s: str | None, *, keep: tuple[str, ...] = ()) -> list[str]:
    """Split a billing credit into acts on feat./ft./featuring/with/w//" + " only.

    "&", "and" and "," are NOT split: too many acts contain them ("Simon & Garfunkel",
    "Earth, Wind & Fire", "Tom Petty and the Heartbreakers"); a wrong split creates phantom artists,
    while a missed split only leaves one credit to review. " + " is split, so pass names that
    contain it ("Florence + the Machine") in ``keep`` and they stay whole. Pieces keep their original
    spelling (stripped); duplicates (by normalize_artist_name) are dropped, order kept.
    """
    if not s or not s.strip():
        return []
    text = s.strip()
    protected: list[str] = []
    for name in sorted(keep, key=len, reverse=True):
        pattern = re.compile(r"\s+".join(map(re.escape, name.split())), re.IGNORECASE)

        def _protect(m: re.Match[str]) -> str:
            protected.append(m.group(0))
            return f"\x00{len(protected) - 1}\x00"

        text = pattern.sub(_protect, text)
    text = _CREDIT_BRACKET.sub(lambda m: " " + m.group(1), text)
    out: list[str] = []
    seen: set[str] = set()
    for piece in _CREDIT_SPLIT.split(text):
        piece = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], piece).strip(" ,;")
        key = normalize_artist_name(piece)
        if piece and key not in seen:
            seen.add(key)
            out.append(piece)
    return out
