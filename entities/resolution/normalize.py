"""Normalisers for entity resolution: plain functions from raw source strings to comparable strings.

Everything here is pure and deterministic (no Django, no I/O) so that the same input gives the same
key in the online matcher, the batch duplicate finder and the fingerprints in ``keys.py``.
Changing an output here changes fingerprints: bump ``keys.FINGERPRINT_VERSION`` when you do.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache
from typing import Final
from urllib.parse import urlsplit

import phonenumbers
import pycountry

from entities.resolution import places, streets

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


# Leading articles of the languages venue names come in: "Le Bar", "El Sótano", "O Porão", "De Kelder",
# "'t Vat", "Die Kantine" are compared without them, as "The Crocodile" is.
VENUE_LEADING_ARTICLES: Final = frozenset(
    "the le la les l el los las il lo i o os as a de het t der die das".split()
)
# Elided articles and prepositions ("L'Ours", "dell'Arte", "d'Alsace"): a word of their own.
_ELISION: Final = re.compile(r"\b([LlDd])['’](?=\w)")


def repair_mojibake(s: str) -> str:
    """UTF-8 text that was read as Latin-1 or Windows-1252 ("CafÃ©" -> "Café"), else ``s``."""
    if "Ã" not in s and "Â" not in s:
        return s
    for codec in ("latin-1", "cp1252"):
        try:
            return s.encode(codec).decode("utf-8")
        except UnicodeError:
            continue
    return s


def normalize_venue_name(s: str | None) -> str:
    """normalize_name for comparing venues: mojibake repaired, elided articles split ("L'Ours" ->
    "l ours") and a leading article of any of the languages above dropped.

    Used by resolution only (``records.PreparedVenue``); stored keys and fingerprints keep
    ``normalize_name``, so that they never change under a source's feet.
    """
    if not s:
        return ""
    if not s.isascii():
        s = repair_mojibake(s)
    if "'" in s or "’" in s:
        s = _ELISION.sub(r"\1 ", s)
    tokens = [_NAME_SPELLINGS.get(t, t) for t in normalize_text(s).split()]
    if len(tokens) > 1 and tokens[0] in VENUE_LEADING_ARTICLES:
        tokens = tokens[1:]
    return " ".join(tokens)


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


def normalize_city_key(s: str | None) -> str:
    """The city as resolution compares it: the GeoNames name of the city ``s`` names in any language
    or spelling ("München", "Munich" and "Muenchen" -> "munich"; "Seattle, WA" -> "seattle"), else
    ``normalize_city(s)``. Stored keys keep ``normalize_city`` (see normalize_venue_name)."""
    if not s:
        return ""
    if not s.isascii():
        s = repair_mojibake(s)
    return places.city_key(normalize_city(s))


# Small alias table: sources mostly give ISO alpha-2, sometimes these.
_COUNTRY_ALIASES: Final[dict[str, str]] = {
    "USA": "US",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "UK": "GB",
    "REPUBLIC OF IRELAND": "IE",
    "EIRE": "IE",
    "HOLLAND": "NL",
    "THE NETHERLANDS": "NL",
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
        # ... and their names in every language it carries ("Deutschland", "España", "Österreich").
        translated = _translated_countries().get(text)
        if translated is not None:
            return translated
    return text


def normalize_country_code(s: str | None) -> str | None:
    """normalize_country when it is an ISO alpha-2 code, else None: resolution compares codes only
    (an unknown spelling is no evidence that two venues are in two countries)."""
    code = normalize_country(s) if s else None
    return code if code is not None and len(code) == 2 and code.isalpha() else None


@lru_cache(maxsize=1)
def _translated_countries() -> dict[str, str]:
    """Country names in the languages pycountry translates them into (Latin script), upper-cased
    as normalize_country compares them -> alpha-2."""
    import gettext

    out: dict[str, str] = {}
    locales = sorted(os.listdir(pycountry.LOCALES_DIR))
    countries = list(pycountry.countries)
    for locale in locales:
        try:
            catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
        except OSError:
            continue
        for country in countries:
            for attr in ("name", "official_name", "common_name"):
                english = getattr(country, attr, None)
                if not english:
                    continue
                key = " ".join(normalize_text(catalog.gettext(english)).upper().split())
                if key and key.isascii():
                    out.setdefault(key, str(country.alpha_2))
    return out


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
    # "F-75011", "CH-1204", "E-08017": the old country prefix; "C1406ABC": an Argentine CPA, whose
    # four digits are the code sources also write alone.
    compact = _POSTCODE_PREFIXED.sub(r"\1\2", compact)
    return compact or None


_POSTCODE_PREFIXED: Final = re.compile(r"^(?:[A-Z]{1,2}(\d{4,5})|[A-Z](\d{4})[A-Z]{3})$")


# Street lines have their own module (many languages, many orders); re-exported here.
normalize_street = streets.normalize_street


def normalize_phone(s: str | None, default_region: str = "US") -> str | None:
    """E.164 ("+12065551234") via phonenumbers; extensions dropped; None if empty or not valid.

    A national number is read in ``default_region``; one not valid there is read as North American
    before giving up (a Canadian number listed in London, Ontario, whose region was guessed from
    the city name). North American numbers written in the usual shapes take a fast path with the
    same result (see ``_nanp_fast``); everything else goes through phonenumbers.
    """
    if not s or not s.strip():
        return None
    region = default_region.upper() if len(default_region) == 2 else "US"
    fast = _nanp_fast(s, region)
    if fast is not None:
        return fast or None
    parsed = _parse_phone(s, region)
    if parsed is None and region not in ("US", "CA"):
        fast = _nanp_fast(s, "US")
        return (fast or None) if fast is not None else _parse_phone(s, "US")
    return parsed


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
