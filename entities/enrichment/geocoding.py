"""Where a venue is when no source said: its country inferred, and its address turned into coordinates
marked with their precision. Pure Python (no Django).

- `infer_country`: the country from the phone's country code, the region ("CO" is a US state, "BC" a
  Canadian province), the postal code's shape, and the deployment's `DEFAULT_PHONE_REGION`; each answer
  says why.
- `geocode_offline`: a postal-code centroid (`postal_code`) or a city centroid (`city`) from the
  gazetteer; a miss says why ("no place named 'Xyz' in FR").
- `google_result`: what of a Google Geocoding answer we keep (coordinates, place ID, precision).

Precision, best first: `reported` (a source gave the point: a map pin on its page, an API's venue
record), `rooftop`, `address` (Google: interpolated along the street or the centre of a building),
`postal_code`, `city`, `region` (a postal area as wide as a county).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Final

import phonenumbers
import pycountry

from entities.enrichment.gazetteer import City, Gazetteer, Postcode
from entities.resolution.normalize import normalize_country, normalize_text

PRECISIONS: Final = ("reported", "rooftop", "address", "postal_code", "city", "region")
# A postal centroid farther than this from every place of the page's city name disagrees with it.
POSTCODE_CITY_MAX_KM: Final = 60.0
# One place of a name is "the" place when it is this many times bigger than the next (Portland, OR).
DOMINANCE: Final = 10


def precision_rank(precision: str) -> int:
    """Lower is better; unknown precisions rank last."""
    return PRECISIONS.index(precision) if precision in PRECISIONS else len(PRECISIONS)


@dataclass(frozen=True)
class Address:
    street: str = ""
    locality: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Address:
        return cls(**{name: str(data.get(name) or "").strip() for name in cls.__dataclass_fields__})

    def one_line(self) -> str:
        """As a person writes it: "1601 Arapahoe St, Denver, CO 80202, US"."""
        tail = " ".join(part for part in (self.region, self.postal_code) if part)
        return ", ".join(part for part in (self.street, self.locality, tail, self.country) if part)


@dataclass(frozen=True)
class CountryGuess:
    country: str | None
    reason: str


@dataclass(frozen=True)
class Geocode:
    latitude: float
    longitude: float
    precision: str
    source: str  # "gazetteer:postal_code", "gazetteer:geonames", "google_geocoding"
    label: str  # what matched, for people: "80202, US" or "Denver, CO, US"
    place_id: str = ""


@dataclass(frozen=True)
class GeocodeMiss:
    reason: str
    retryable: bool = False


# --- country ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _subdivisions() -> dict[str, frozenset[str]]:
    """Region spellings -> the countries that have such a first-level division: ISO 3166-2 codes
    ("CO" -> US, CO is also Colombia's code but not a division of it), and names ("Colorado")."""
    index: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if getattr(sub, "parent_code", None):
            continue  # second-level divisions (French departments' parents...) are not "regions" here
        country = str(sub.country_code)
        code = str(sub.code).split("-", 1)[1]
        for key in (code.upper(), normalize_text(str(sub.name))):
            index.setdefault(key, set()).add(country)
    return {key: frozenset(countries) for key, countries in index.items()}


def region_countries(region: str) -> frozenset[str]:
    """The countries in which `region` names a first-level division (empty when none does)."""
    if not region:
        return frozenset()
    key = region.strip().upper().replace(".", "")
    found = _subdivisions().get(key, frozenset()) if len(key) <= 3 else frozenset()
    return found | _subdivisions().get(normalize_text(region), frozenset())


def _postal_fits(regex: str | None, code: str) -> bool:
    if not regex or not code:
        return False
    try:
        return re.match(regex, code.strip().upper()) is not None or re.match(regex, code.strip()) is not None
    except re.error:
        return False


def infer_country(
    *,
    country: str,
    region: str,
    postal_code: str,
    phone: str,
    locality: str,
    default_region: str,
    gazetteer: Gazetteer | None,
) -> CountryGuess:
    """The venue's ISO country, with the evidence that gave it; `country` None when the evidence is
    missing or contradicts itself."""
    stated = normalize_country(country) if country else None
    if stated and len(stated) == 2 and stated.isalpha():
        return CountryGuess(stated, "stated by the source")
    default = (default_region or "").upper()
    by_region = region_countries(region)
    phone_country, phone_national = _phone_country(phone, default)
    if phone_country and not phone_national:
        if not by_region or phone_country in by_region:
            return CountryGuess(phone_country, f"the phone number's country code ({phone.strip()})")
    if by_region:
        candidates = set(by_region)
        if len(candidates) > 1 and postal_code and gazetteer is not None:
            fitting = {c for c in candidates if _postal_fits(gazetteer.postal_regex(c), postal_code)}
            candidates = fitting or candidates
        if len(candidates) > 1 and locality and gazetteer is not None:
            named = {c for c in candidates if gazetteer.cities(locality, c)}
            candidates = named or candidates
        if len(candidates) > 1 and default in candidates:
            candidates = {default}
        if len(candidates) == 1:
            (only,) = candidates
            return CountryGuess(only, f"the region {region!r} is a division of {only} only")
        return CountryGuess(None, f"the region {region!r} could be in {', '.join(sorted(by_region))}")
    if phone_country and phone_national:
        return CountryGuess(phone_country, f"the phone number is valid in DEFAULT_PHONE_REGION {default}")
    if default and gazetteer is not None:
        if postal_code and _postal_fits(gazetteer.postal_regex(default), postal_code):
            if locality and not gazetteer.cities(locality, default):
                return CountryGuess(None, f"no place named {locality!r} in DEFAULT_PHONE_REGION {default}")
            return CountryGuess(default, f"the postal code fits DEFAULT_PHONE_REGION {default}")
    return CountryGuess(None, "no country, phone, region or postal code to tell the country from")


def _phone_country(phone: str, default: str) -> tuple[str | None, bool]:
    """(country, written nationally?): +49... says Germany; "(303) 555-0188" is valid in the default
    region only, which is weaker evidence."""
    text = (phone or "").strip()
    if not text:
        return None, False
    national = not text.startswith(("+", "00"))
    try:
        number = phonenumbers.parse(text if not text.startswith("00") else "+" + text[2:], default or None)
    except phonenumbers.NumberParseException:
        return None, national
    if not phonenumbers.is_valid_number(number):
        return None, national
    return phonenumbers.region_code_for_number(number), national


# --- offline geocoding -----------------------------------------------------------------------


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _postcode_keys(country: str, code: str) -> list[str]:
    """The code, then the coarser keys the datasets hold for it: Britain's outward code and postal area,
    Canada's and Ireland's first three characters (FSA, routing key), the Netherlands' four digits."""
    compact = "".join(ch for ch in code.upper() if ch.isalnum())
    keys = [compact]
    if country == "GB" and len(compact) >= 5:
        outward = compact[:-3]
        area = re.match(r"[A-Z]*", outward)
        keys += [outward, area.group(0) if area and area.group(0) else outward]
    elif country in ("CA", "IE") and len(compact) > 3:
        keys.append(compact[:3])
    elif country == "NL" and len(compact) > 4:
        keys.append(compact[:4])
    elif country == "US" and len(compact) > 5:
        keys.insert(0, compact[:5])
    return list(dict.fromkeys(keys))


def _lookup_postcode(gazetteer: Gazetteer, country: str, code: str) -> Postcode | None:
    for key in _postcode_keys(country, code):
        found = gazetteer.postcode(country, key)
        with_point = [p for p in found if p.latitude is not None and p.longitude is not None]
        if with_point:
            return with_point[0]
        if found:
            return found[0]  # no centroid, but its locality name still helps
    return None


def _choose_city(
    candidates: list[City], *, region: str, country: str, region_zone: str | None
) -> tuple[City | None, str]:
    if not candidates:
        return None, "none"
    pool = [c for c in candidates if c.primary] or candidates
    if region:
        key = region.strip().upper().replace(".", "")
        in_region = [c for c in pool if c.admin1.upper() == key]
        if not in_region and region_zone:
            in_region = [c for c in pool if c.timezone == region_zone]
        pool = in_region or pool
    if len(pool) == 1:
        return pool[0], "only"
    first, second = pool[0], pool[1]
    if first.population >= DOMINANCE * max(second.population, 1):
        return first, "largest"
    names = ", ".join(f"{c.name} ({c.admin1 or c.country}, {c.population:,})" for c in pool[:4])
    return None, f"several places named so: {names}"


def geocode_offline(
    address: Address, *, country: str | None, gazetteer: Gazetteer, region_zone: str | None = None
) -> Geocode | GeocodeMiss:
    """A postal-code or city centroid for the address; a miss with its reason. `region_zone` (the zone
    the region implies, where one does) tells apart same-name places in other divisions."""
    if not country:
        return GeocodeMiss("the country is unknown, so a postal code or city name is ambiguous")
    postcode = _lookup_postcode(gazetteer, country, address.postal_code) if address.postal_code else None
    locality = address.locality or (postcode.locality if postcode else "")
    city: City | None = None
    why = "no city name"
    if locality:
        city, why = _choose_city(
            gazetteer.cities(locality, country),
            region=address.region,
            country=country,
            region_zone=region_zone,
        )
    if postcode and postcode.latitude is not None and postcode.longitude is not None:
        point = (postcode.latitude, postcode.longitude)
        coarse = postcode.kind == "area"
        if city is not None and _km(point, (city.latitude, city.longitude)) > POSTCODE_CITY_MAX_KM:
            # The postal code and the city disagree: the city is what the page shows people.
            return Geocode(
                city.latitude,
                city.longitude,
                "city",
                "gazetteer:geonames",
                f"{city.name}, {city.admin1 or '-'}, {country} (postal code {address.postal_code} is elsewhere)",
            )
        if not (coarse and city is not None):
            return Geocode(
                postcode.latitude,
                postcode.longitude,
                "region" if coarse else "postal_code",
                "gazetteer:postal_code",
                f"{postcode.code}, {country}",
            )
    if city is not None:
        return Geocode(
            city.latitude,
            city.longitude,
            "city",
            "gazetteer:geonames",
            f"{city.name}, {city.admin1 or '-'}, {country}",
        )
    if locality:
        if why == "none":
            return GeocodeMiss(f"no place named {locality!r} in {country}")
        return GeocodeMiss(f"{locality!r} in {country} is ambiguous: {why}")
    if address.postal_code:
        return GeocodeMiss(f"no centroid for postal code {address.postal_code!r} in {country}, and no city")
    return GeocodeMiss("no postal code or city to place the venue by")


# --- Google Geocoding --------------------------------------------------------------------------


@dataclass(frozen=True)
class GoogleCandidate:
    place_id: str
    latitude: float
    longitude: float
    location_type: str
    types: tuple[str, ...]
    partial_match: bool
    country: str = ""
    components: tuple[str, ...] = field(default=(), compare=False)


def google_candidates(data: Any) -> list[GoogleCandidate]:
    """The results of a Geocoding API answer (`{"results": [...], "status": "OK"}`)."""
    out = []
    for result in (data or {}).get("results") or [] if isinstance(data, dict) else []:
        if not isinstance(result, dict):
            continue
        location = (result.get("geometry") or {}).get("location") or {}
        try:
            lat, lng = float(location["lat"]), float(location["lng"])
        except (KeyError, TypeError, ValueError):
            continue
        country = next(
            (
                str(c.get("short_name") or "")
                for c in result.get("address_components") or []
                if "country" in (c.get("types") or [])
            ),
            "",
        )
        out.append(
            GoogleCandidate(
                place_id=str(result.get("place_id") or ""),
                latitude=lat,
                longitude=lng,
                location_type=str((result.get("geometry") or {}).get("location_type") or ""),
                types=tuple(str(t) for t in result.get("types") or []),
                partial_match=bool(result.get("partial_match")),
                country=country,
            )
        )
    return out


def google_precision(candidate: GoogleCandidate) -> str:
    """Google's location_type and result types in our words."""
    types = set(candidate.types)
    if candidate.location_type == "ROOFTOP":
        return "rooftop"
    if candidate.location_type in ("RANGE_INTERPOLATED", "GEOMETRIC_CENTER") and types & {
        "street_address",
        "premise",
        "subpremise",
        "establishment",
        "point_of_interest",
        "route",
        "intersection",
    }:
        return "address"
    if "postal_code" in types:
        return "postal_code"
    if types & {"locality", "sublocality", "neighborhood", "postal_town", "colloquial_area"}:
        return "city"
    return "region"


def google_result(candidates: Iterable[GoogleCandidate], *, country: str | None) -> Geocode | GeocodeMiss:
    """The one answer we keep: the first result in the venue's country (Google orders by relevance);
    only its coordinates, place ID and precision (the terms allow no more)."""
    found = [c for c in candidates if not country or not c.country or c.country == country]
    if not found:
        return GeocodeMiss(f"Google found no place for this address{f' in {country}' if country else ''}")
    best = found[0]
    return Geocode(
        best.latitude,
        best.longitude,
        google_precision(best),
        "google_geocoding",
        "partial match" if best.partial_match else "match",
        place_id=best.place_id,
    )
