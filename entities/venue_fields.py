"""Which venue fields travel together, and what staff choose between when they merge or curate venues."""

from __future__ import annotations

from typing import Any

from entities.models import Venue

# Survivorship keeps these from one source together (a street from one source and a city from another
# would make an address nobody wrote).
ADDRESS_FIELDS = ("street", "locality", "region", "postal_code", "country")
# Fields that survive together: choosing one part of an address or a point chooses all of it.
VENUE_FIELD_GROUPS: dict[str, tuple[str, ...]] = {
    "address": ADDRESS_FIELDS,
    "coordinates": ("latitude", "longitude"),
}
# What staff choose between, in display order: a group name or a single field.
VENUE_CHOICES: tuple[str, ...] = (
    "name",
    "kind",
    "address",
    "coordinates",
    "timezone",
    "phone",
    "website",
    "capacity",
)


def venue_choice_fields(choice: str) -> tuple[str, ...]:
    if choice not in VENUE_CHOICES:
        raise ValueError(f"Unknown choice {choice!r}; one of {', '.join(VENUE_CHOICES)}")
    return VENUE_FIELD_GROUPS.get(choice, (choice,))


def venue_values_from(venue: Venue, choice: str) -> dict[str, Any]:
    """The values of one choice (a field or a group of fields) as `venue` has them."""
    return {name: getattr(venue, name) for name in venue_choice_fields(choice)}
