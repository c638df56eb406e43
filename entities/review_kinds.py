"""What differs between reviewing venues and reviewing artists, as data: the one group review (selectors,
services, admin views, template) reads it instead of being written twice."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from entities.models import (
    Artist,
    ArtistDuplicate,
    EntityType,
    ReviewDecisionKind,
    Venue,
    VenueDuplicate,
)
from entities.venue_fields import VENUE_CHOICES, VENUE_FIELD_GROUPS

Decision = ReviewDecisionKind


@dataclass(frozen=True)
class ReviewKind:
    entity_type: str
    noun: str  # "venue", "artist"
    model: type[Venue] | type[Artist]
    duplicate_model: type[VenueDuplicate] | type[ArtistDuplicate]
    side_a: str  # the pair's foreign keys: "venue_a", "venue_b"
    side_b: str
    # What staff may say about a candidate, in the order the page offers it.
    decisions: tuple[str, ...]
    # What staff pick or type, in display order: a field, or a group of fields that travel together.
    choices: tuple[str, ...]
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def fields_of(self, choice: str) -> tuple[str, ...]:
        if choice not in self.choices:
            raise ValueError(f"Unknown field {choice!r}; one of {', '.join(self.choices)}")
        return self.groups.get(choice, (choice,))

    def label(self, name: str) -> str:
        return self.labels.get(name, name.replace("_", " ").capitalize())

    def pair_of(self, duplicate: Any) -> tuple[int, int]:
        return getattr(duplicate, f"{self.side_a}_id"), getattr(duplicate, f"{self.side_b}_id")

    def pairs_with(self, entity: Any) -> Q:
        """Pairs with `entity` (a pk or an OuterRef) on either side."""
        return Q(**{self.side_a: entity}) | Q(**{self.side_b: entity})

    def pair_between(self, a: int, b: int) -> Q:
        low, high = sorted((a, b))
        return Q(**{f"{self.side_a}_id": low, f"{self.side_b}_id": high})

    def duplicate_link(self) -> str:
        """The foreign key from a ReviewDecision to this kind's pair row."""
        return f"{self.noun}_duplicate"

    def admin_name(self, view: str) -> str:
        """The admin URL name of one of this kind's review views ("group", "group_next", ...)."""
        return f"admin:entities_{self.duplicate_model._meta.model_name}_{view}"

    def entity_admin_name(self, view: str) -> str:
        return f"admin:entities_{self.noun}_{view}"


VENUE_REVIEW = ReviewKind(
    entity_type=EntityType.VENUE,
    noun="venue",
    model=Venue,
    duplicate_model=VenueDuplicate,
    side_a="venue_a",
    side_b="venue_b",
    decisions=(Decision.SAME, Decision.ROOM_OF, Decision.CONTAINS, Decision.DIFFERENT, Decision.SKIPPED),
    choices=VENUE_CHOICES,
    groups=dict(VENUE_FIELD_GROUPS),
    labels={
        "name": "Name",
        "kind": "Kind",
        "address": "Address",
        "street": "Street",
        "locality": "City",
        "region": "Region",
        "postal_code": "Postcode",
        "country": "Country (ISO)",
        "coordinates": "Coordinates",
        "latitude": "Latitude",
        "longitude": "Longitude",
        "timezone": "Time zone",
        "phone": "Phone",
        "website": "Website",
        "capacity": "Capacity",
    },
)
ARTIST_REVIEW = ReviewKind(
    entity_type=EntityType.ARTIST,
    noun="artist",
    model=Artist,
    duplicate_model=ArtistDuplicate,
    side_a="artist_a",
    side_b="artist_b",
    # A room is a place's: artists are the same act, or two.
    decisions=(Decision.SAME, Decision.DIFFERENT, Decision.SKIPPED),
    choices=("name", "sort_name", "disambiguation", "artist_type", "url"),
    labels={
        "name": "Name",
        "sort_name": "Sort name",
        "disambiguation": "Disambiguation",
        "artist_type": "Type",
        "url": "Website",
    },
)
REVIEW_KINDS: dict[str, ReviewKind] = {kind.entity_type: kind for kind in (VENUE_REVIEW, ARTIST_REVIEW)}


def review_kind(entity_type: str) -> ReviewKind:
    try:
        return REVIEW_KINDS[entity_type]
    except KeyError:
        raise ValueError(f"Only venues and artists are reviewed, not {entity_type!r}") from None
