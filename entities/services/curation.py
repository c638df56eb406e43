"""Values staff set by hand: written to the entity and locked, so that no source or merge overwrites them.

A lock is `{field: value}` in `locked_fields`, in JSON terms (dates and times as ISO strings);
survivorship gives it precedence over every source (entities/services/recompute.py).
"""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import pycountry
from django.conf import settings
from django.db import transaction

from entities.models import (
    Artist,
    CanonicalStatus,
    CurationAction,
    CurationRecord,
    EntityType,
    EventStatus,
    Performance,
    Review,
    TimePrecision,
    Venue,
    VenueKind,
)
from entities.resolution.keys import venue_block_key
from entities.resolution.normalize import (
    normalize_artist_name,
    normalize_city,
    normalize_country,
    normalize_name,
    normalize_phone,
)
from entities.services.recompute import artist_recompute, performance_recompute, venue_recompute
from entities.signals import announce_change

# Fields staff may set and lock, per entity type.
LOCKABLE_FIELDS: dict[str, tuple[str, ...]] = {
    EntityType.VENUE: (
        "name",
        "kind",
        "street",
        "locality",
        "region",
        "postal_code",
        "country",
        "latitude",
        "longitude",
        "timezone",
        "phone",
        "website",
        "capacity",
    ),
    EntityType.ARTIST: ("name", "sort_name", "disambiguation", "artist_type", "url"),
    EntityType.PERFORMANCE: (
        "name",
        "local_date",
        "local_start_time",
        "local_doors_time",
        "time_precision",
        "event_status",
        "ticket_status",
        "url",
        "description",
    ),
}
MODELS: dict[str, type[Venue] | type[Artist] | type[Performance]] = {
    EntityType.VENUE: Venue,
    EntityType.ARTIST: Artist,
    EntityType.PERFORMANCE: Performance,
}
CHOICES: dict[tuple[str, str], Iterable[str]] = {
    (EntityType.VENUE, "kind"): VenueKind.values,
    (EntityType.PERFORMANCE, "time_precision"): TimePrecision.values,
    (EntityType.PERFORMANCE, "event_status"): EventStatus.values,
}


def entity_type_of(entity: Venue | Artist | Performance) -> str:
    for entity_type, model in MODELS.items():
        if isinstance(entity, model):
            return entity_type
    raise TypeError(f"Not a canonical entity: {entity!r}")


def lock_value(value: Any) -> Any:
    """A value as a lock stores it: JSON-native (dates and times as ISO strings)."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return value


# The largest value the database's integer column holds (PositiveIntegerField on PostgreSQL).
MAX_INTEGER = 2_147_483_647
COORDINATE_RANGE = {"latitude": 90.0, "longitude": 180.0}
URL_FIELDS = frozenset({"website", "url"})


def _model_value(entity_type: str, field: str, value: Any) -> Any:
    """Check and convert one incoming value to what the model field holds; ValueError says why not."""
    if (entity_type, field) in CHOICES and value not in CHOICES[(entity_type, field)]:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(CHOICES[(entity_type, field)])}")
    model = MODELS[entity_type]
    model_field: Any = model._meta.get_field(field)
    if value is None or value == "":
        if getattr(model_field, "null", False):
            return None
        if field in ("name", "local_date"):
            raise ValueError(f"{field} may not be empty")
        return ""
    if isinstance(value, bool) or isinstance(value, dict | list):
        raise ValueError(f"{field}: {value!r} is not a {model_field.get_internal_type()} value")
    try:
        converted = model_field.to_python(value)
    except Exception as exc:  # ValidationError, TypeError: say which field and why
        raise ValueError(f"{field}: {value!r} is not valid ({exc})") from exc
    max_length = getattr(model_field, "max_length", None)
    if isinstance(converted, str) and max_length and len(converted) > max_length:
        raise ValueError(f"{field}: longer than {max_length} characters")
    return _pipeline_value(field, value, converted)


def _pipeline_value(field: str, given: Any, value: Any) -> Any:
    """The constraints and normalisers the pipeline applies to the same field from a source, so that a
    curated value is never one the pipeline itself would refuse (a phone is stored in E.164, ...)."""
    if field == "phone":
        phone = normalize_phone(value, settings.DEFAULT_PHONE_REGION)
        if phone is None:
            raise ValueError(f"phone: {given!r} is not a valid phone number (write it as +12065550100)")
        return phone
    if field in COORDINATE_RANGE:
        bound = COORDINATE_RANGE[field]
        if not math.isfinite(value) or not -bound <= value <= bound:
            raise ValueError(f"{field}: {given!r} is outside -{bound:g}..{bound:g}")
        return value
    if field == "capacity":
        if isinstance(given, float) and not given.is_integer():
            raise ValueError(f"capacity: {given!r} is not a whole number")
        if not 0 <= value <= MAX_INTEGER:
            raise ValueError(f"capacity: {given!r} must be a whole number from 0 up")
        return value
    if field == "country":
        code = normalize_country(value)
        if code is None or pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"country: {given!r} is not a country (give its ISO code, e.g. US)")
        return code
    if field == "timezone":
        if value not in _time_zones():
            raise ValueError(f"timezone: {given!r} is not an IANA time zone (e.g. America/Los_Angeles)")
        return value
    if field in URL_FIELDS:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in value):
            raise ValueError(f"{field}: {given!r} is not an http(s) URL")
        return value
    if field == "name" and not value.strip():
        raise ValueError("name may not be empty")
    return value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def curated_value(*, entity_type: str, field: str, value: Any) -> Any:
    """`value` as staff may set it on `field` (converted and normalised as the pipeline would); ValueError
    says why not. The admin's change forms and `import_entities` both ask this."""
    if field not in LOCKABLE_FIELDS.get(entity_type, ()):
        raise ValueError(
            f"{field} cannot be set by hand; settable: {', '.join(LOCKABLE_FIELDS[entity_type])}"
        )
    return _model_value(entity_type, field, value)


def _recompute(entity: Venue | Artist | Performance) -> bool:
    if isinstance(entity, Venue):
        return venue_recompute(entity)
    if isinstance(entity, Artist):
        return artist_recompute(entity)
    return performance_recompute(entity)


def _keys(entity: Venue | Artist | Performance) -> None:
    """The normalised matching keys follow the name (recompute refreshes them too, from what survives)."""
    if isinstance(entity, Venue):
        entity.name_key = normalize_name(entity.name)
        entity.city_key = normalize_city(entity.locality) if entity.locality else ""
        entity.block_key = venue_block_key(entity.name_key, entity.city_key)
    elif isinstance(entity, Artist):
        entity.name_key = normalize_artist_name(entity.name)
    else:
        entity.name_key = normalize_name(entity.name)[:255]


def _user(by: Any) -> Any:
    """A user for a foreign key: None for the pipeline or a command without one."""
    return by if getattr(by, "pk", None) else None


@transaction.atomic
def entity_fields_lock(
    *,
    entity: Venue | Artist | Performance,
    values: Mapping[str, Any],
    by: Any = None,
    reason: str = "",
    review: Review | None = None,
    previous: Mapping[str, Any] | None = None,
) -> list[str]:
    """Write `values` to the entity and lock them; returns the fields whose value or lock changed. Each
    change is recorded (CurationRecord: who, when, why, what it replaced) for the entity's history;
    `previous` gives the values before when the caller has written them to the entity already."""
    entity_type = entity_type_of(entity)
    if entity.status == CanonicalStatus.MERGED:
        raise ValueError("This entity was merged; edit the entity it was merged into.")
    allowed = LOCKABLE_FIELDS[entity_type]
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        raise ValueError(f"Cannot lock {', '.join(unknown)}; lockable: {', '.join(allowed)}")
    converted = {field: _model_value(entity_type, field, value) for field, value in values.items()}
    before = {field: getattr(entity, field) for field in converted} | dict(previous or {})
    changed = [
        field
        for field, value in converted.items()
        if before[field] != value or entity.locked_fields.get(field, object()) != lock_value(value)
    ]
    records = [
        CurationRecord(
            entity_type=entity_type,
            entity_public_id=entity.public_id,
            field=field,
            action=CurationAction.LOCK,
            value=lock_value(converted[field]),
            previous=lock_value(before[field]),
            previous_lock={"value": entity.locked_fields[field]} if field in entity.locked_fields else {},
            by=_user(by),
            reason=reason,
            review=review,
        )
        for field in changed
    ]
    for field, value in converted.items():
        setattr(entity, field, value)
    entity.locked_fields = {**entity.locked_fields, **{f: lock_value(v) for f, v in converted.items()}}
    _keys(entity)
    entity.save()
    CurationRecord.objects.bulk_create(records)
    if not _recompute(entity) and changed:
        announce_change(entity_type=entity_type, entity=entity)
    return changed


@transaction.atomic
def entity_fields_unlock(
    *,
    entity: Venue | Artist | Performance,
    fields: Iterable[str],
    by: Any = None,
    reason: str = "",
    review: Review | None = None,
) -> list[str]:
    """Drop the locks on `fields`: the sources decide those fields again. Each release is recorded."""
    dropped = [f for f in fields if f in entity.locked_fields]
    if dropped:
        entity_type = entity_type_of(entity)
        CurationRecord.objects.bulk_create(
            CurationRecord(
                entity_type=entity_type,
                entity_public_id=entity.public_id,
                field=field,
                action=CurationAction.UNLOCK,
                value=None,
                previous=lock_value(getattr(entity, field)),
                previous_lock={"value": entity.locked_fields[field]},
                by=_user(by),
                reason=reason,
                review=review,
            )
            for field in dropped
        )
        entity.locked_fields = {k: v for k, v in entity.locked_fields.items() if k not in dropped}
        entity.save(update_fields=["locked_fields", "updated_at"])
        _recompute(entity)
    return dropped


@transaction.atomic
def entity_import(
    *,
    entity_type: str,
    public_id: str | None,
    fields: Mapping[str, Any],
    unlock: Iterable[str] = (),
    by: Any = None,
) -> tuple[Venue | Artist | Performance, bool]:
    """Create (no `public_id`) or update one staff-curated entity: its fields are written and locked.
    Returns (entity, created).

    A performance is created only with a venue (`venue`: the venue's public ID) and a date; its acts come
    from its sources, not from curation.
    """
    if entity_type not in MODELS:
        raise ValueError(f"Unknown type {entity_type!r}; one of {', '.join(MODELS)}")
    model = MODELS[entity_type]
    values = dict(fields)
    venue = None
    if entity_type == EntityType.PERFORMANCE and "venue" in values:
        venue_id = values.pop("venue")
        venue = Venue.objects.filter(public_id=venue_id).first()
        if venue is None:
            raise ValueError(f"No venue with ID {venue_id!r}")
    entity = model.objects.filter(public_id=public_id).first() if public_id else None
    if public_id and entity is None:
        raise ValueError(f"No {entity_type} with ID {public_id!r} (leave the ID out to create one)")
    if entity is not None and entity.status == CanonicalStatus.MERGED:
        raise ValueError(f"{public_id} was merged into another {entity_type}; curate that one")
    created = entity is None
    if entity is None:
        if not values.get("name"):
            raise ValueError("A new entity needs a name")
        if entity_type == EntityType.PERFORMANCE:
            if venue is None or not values.get("local_date"):
                raise ValueError("A new performance needs a venue (its ID) and a local_date")
            entity = Performance(
                venue=venue,
                name=values["name"],
                local_date=_model_value(entity_type, "local_date", values["local_date"]),
            )
        else:
            entity = model(name=values["name"])
        _keys(entity)
        entity.save()
    elif venue is not None and isinstance(entity, Performance) and entity.venue_id != venue.pk:
        entity.venue = venue
        entity.save(update_fields=["venue", "updated_at"])
    if unlock:
        entity_fields_unlock(entity=entity, fields=unlock, by=by, reason="imported (unlocked)")
    if values:
        entity_fields_lock(entity=entity, values=values, by=by, reason="imported")
    elif created:
        _recompute(entity)
    return entity, created
