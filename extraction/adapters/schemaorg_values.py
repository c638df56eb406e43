"""schema.org vocabulary values: type names, enumeration terms, numbers, prices and currencies.

Pure Python (no Django). Every function is total: what it cannot read is None (or no type).
"""

from __future__ import annotations

import functools
import math
import re

from extraction.adapters.text import clean_text

type Node = dict[str, object]

# Which events are performances (decided once, here). A show at a venue: the generic Event (venue
# calendars use it for concerts), music, comedy, theatre, dance, readings, club nights and children's
# shows, and festivals. Not performances: broadcasts, publications and on-demand releases (a TV
# episode's airing is not a show), screenings, exhibitions, sports, sales, courses and classes, business
# and food events, hackathons, deliveries, user interactions, and anything outside schema.org (life
# events such as BirthEvent or DeathEvent from genealogy vocabularies). A node with any type from the
# second list is not a performance even when it also carries one from the first.
PERFORMANCE_EVENT_TYPES = frozenset(
    {
        "Event", "MusicEvent", "Festival", "ComedyEvent", "TheaterEvent", "DanceEvent", "LiteraryEvent",
        "SocialEvent", "ChildrensEvent",
    }
)  # fmt: skip
NON_PERFORMANCE_EVENT_TYPES = frozenset(
    {
        "BroadcastEvent", "PublicationEvent", "OnDemandEvent", "ScreeningEvent", "ExhibitionEvent",
        "VisualArtsEvent", "SportsEvent", "SaleEvent", "EducationEvent", "CourseInstance", "BusinessEvent",
        "FoodEvent", "Hackathon", "DeliveryEvent", "UserInteraction", "UserBlocks", "UserCheckins",
        "UserComments", "UserDownloads", "UserLikes", "UserPageVisits", "UserPlays", "UserPlusOnes",
        "UserTweets",
    }
)  # fmt: skip
# A series is not itself a show: its sub-events and its schedule's dates are.
EVENT_SERIES_TYPES = frozenset({"EventSeries"})
VENUE_TYPES = frozenset(
    {
        "Place", "MusicVenue", "EventVenue", "NightClub", "BarOrPub", "LocalBusiness",
        "EntertainmentBusiness", "ComedyClub", "PerformingArtsTheater", "StadiumOrArena",
        "CivicStructure", "Restaurant", "FoodEstablishment", "Brewery", "Winery", "Distillery",
        "CafeOrCoffeeShop", "Casino", "Park", "Museum", "ArtGallery", "AmusementPark",
        "PlaceOfWorship", "Church", "Library", "Hotel",
    }
)  # fmt: skip
GROUP_TYPES = frozenset({"MusicGroup", "PerformingGroup", "DanceGroup", "TheaterGroup"})
PERSON_TYPES = frozenset({"Person"})
_CURRENCY_SYMBOLS = {"€": "EUR", "£": "GBP"}  # "$" and "¥" are ambiguous: left unknown
_NUMBER_RE = re.compile(r"-?\d[\d.,]*")  # the sign is kept so that "-5" is refused


def as_list(value: object) -> list[object]:
    """A property's values as a list: JSON-LD writes a single value bare, and null as nothing."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def schema_types(node: Node) -> frozenset[str]:
    """A node's schema.org types by bare name ("http://schema.org/MusicEvent" -> "MusicEvent").

    Only schema.org's types lose their prefix (bare names, "schema:X", http(s)://schema.org/X); a type
    of another vocabulary ("http://xmlns.com/foaf/0.1/Person", "foaf:Person",
    "http://data-vocabulary.org/Event") stays whole, so it never reads as schema.org's.
    """
    value = node.get("@type")
    if type(value) is str:  # the common case: one type, read once per type name
        return _one_type(value)
    return frozenset(schema_term(item) for item in as_list(value) if isinstance(item, str))


@functools.lru_cache(maxsize=1024)  # a pure function of a type name; few distinct names
def _one_type(name: str) -> frozenset[str]:
    return frozenset((schema_term(name),))


_SCHEMA_PREFIXES = ("http://schema.org/", "https://schema.org/", "schema:", "//schema.org/")


@functools.lru_cache(maxsize=4096)
def schema_term(name: str) -> str:
    """A schema.org IRI, CURIE or term as its bare name; any other IRI or CURIE unchanged."""
    name = name.strip()
    for prefix in _SCHEMA_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix) :]
    if name.startswith(("http://www.schema.org/", "https://www.schema.org/")):
        return name.split("schema.org/", 1)[1]
    return name


@functools.lru_cache(maxsize=1024)  # a pure function of a few type names; asked for every node
def is_event_type(types: frozenset[str]) -> bool:
    """Whether these types make a node a schema.org event of any kind (performance or not)."""
    return bool(types & (PERFORMANCE_EVENT_TYPES | NON_PERFORMANCE_EVENT_TYPES | EVENT_SERIES_TYPES)) or any(
        ":" not in name and "/" not in name and name.endswith("Event") for name in types
    )


@functools.lru_cache(maxsize=1024)
def is_performance_type(types: frozenset[str]) -> bool:
    """Whether these types make an event a performance (see PERFORMANCE_EVENT_TYPES)."""
    return bool(types & PERFORMANCE_EVENT_TYPES) and not types & NON_PERFORMANCE_EVENT_TYPES


def is_venue_type(types: frozenset[str]) -> bool:
    """Whether these types make a node a place that can be a venue."""
    return bool(types & VENUE_TYPES)


def vocabulary_term(value: object) -> str | None:
    """A vocabulary term's lower-case tail: "https://schema.org/InStock" -> "instock"."""
    text = clean_text(value)
    if text is None:
        return None
    return vocabulary_tail(text).casefold() or None


@functools.lru_cache(maxsize=1024)
def vocabulary_tail(name: str) -> str:
    return re.split(r"[/:#]", name)[-1].strip()


def to_number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value) if isinstance(value, int | float) else float(clean_text(value) or "nan")
    except (ValueError, OverflowError):  # "abc", 10**400
        return None
    return number if math.isfinite(number) else None


def to_integer(value: object) -> int | None:
    number = to_number(value)
    return int(number) if number is not None and number.is_integer() else None


def to_price(value: object) -> float | None:
    """12, "12.50", "$20", "1,234.50", "20,00", "Free" -> a number; anything else -> None."""
    if isinstance(value, bool | int | float):
        number = to_number(value)
    else:
        text = clean_text(value)
        if text is None:
            return None
        number = 0.0 if text.casefold() == "free" else _decimal(text)
    return number if number is not None and math.isfinite(number) and number >= 0 else None


def _decimal(text: str) -> float | None:
    match = _NUMBER_RE.search(text)
    if match is None:
        return None
    digits = match.group(0).rstrip(".,")
    last_dot, last_comma = digits.rfind("."), digits.rfind(",")
    if last_comma > last_dot and (last_dot >= 0 or len(digits) - last_comma == 3):
        digits = digits.replace(".", "").replace(",", ".")  # "1.234,50", "20,00": comma decimals
    else:
        digits = digits.replace(",", "")  # "1,234.50", "1,234"
    try:
        return float(digits)
    except ValueError:  # "1.2.3"
        return None


def currency_code(value: object) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    if len(text) == 3 and text.isalpha():
        return text.upper()
    return _CURRENCY_SYMBOLS.get(text)
