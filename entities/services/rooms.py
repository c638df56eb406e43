"""Rooms of a complex: staff say one venue is a room (or stage) inside another, and can take it back."""

from __future__ import annotations

from typing import Any

from entities.models import CanonicalStatus, EntityType, Venue, VenueKind
from entities.signals import announce_change


def venue_room_set(*, room: Venue, complex_venue: Venue) -> dict[str, Any]:
    """Make `room` a room of `complex_venue` (kinds "room" and "complex"); the caller holds both rows
    locked. Returns what it replaced, which `venue_room_unset` puts back."""
    if room.pk == complex_venue.pk:
        raise ValueError("A venue cannot be a room of itself.")
    if CanonicalStatus.MERGED in (room.status, complex_venue.status):
        raise ValueError("One of these venues was merged meanwhile; review the surviving venue instead.")
    if complex_venue.parent_id == room.pk:
        raise ValueError(f"{complex_venue} is a room of {room} already: a room cannot contain its complex.")
    before = {
        "room": room.pk,
        "complex": complex_venue.pk,
        "room_parent": room.parent_id,
        "room_kind": room.kind,
        "complex_kind": complex_venue.kind,
    }
    room.parent = complex_venue
    room.kind = VenueKind.ROOM
    room.save(update_fields=["parent", "kind", "updated_at"])
    if complex_venue.kind != VenueKind.COMPLEX:
        complex_venue.kind = VenueKind.COMPLEX
        complex_venue.save(update_fields=["kind", "updated_at"])
    for venue in (room, complex_venue):
        announce_change(entity_type=EntityType.VENUE, entity=venue)
    return before


def venue_room_unset(*, before: dict[str, Any]) -> None:
    """Put back what `venue_room_set` replaced, where nobody changed it since: the room's parent and
    kind, and the complex's kind unless other rooms are still in it."""
    venues = {
        v.pk: v for v in Venue.objects.select_for_update().filter(pk__in=[before["room"], before["complex"]])
    }
    room, complex_venue = venues.get(before["room"]), venues.get(before["complex"])
    if room is not None and room.parent_id == before["complex"] and room.kind == VenueKind.ROOM:
        room.parent_id = before["room_parent"]
        room.kind = before["room_kind"]
        room.save(update_fields=["parent", "kind", "updated_at"])
        announce_change(entity_type=EntityType.VENUE, entity=room)
    if (
        complex_venue is not None
        and complex_venue.kind == VenueKind.COMPLEX
        and before["complex_kind"] != VenueKind.COMPLEX
        and not Venue.objects.filter(parent=complex_venue).exclude(status=CanonicalStatus.MERGED).exists()
    ):
        complex_venue.kind = before["complex_kind"]
        complex_venue.save(update_fields=["kind", "updated_at"])
        announce_change(entity_type=EntityType.VENUE, entity=complex_venue)
