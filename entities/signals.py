"""What the entities stage hands on. It names no receiver: the orchestration (mystage.pipeline.flow)
connects them, so this app never imports sync."""

from __future__ import annotations

from typing import Any

from django.dispatch import Signal

# Sent with `entity_type` and `entity` whenever a canonical entity (or its redirect) may have changed,
# inside the transaction that changed it.
entity_changed = Signal()
# Sent with `resolved` (a count) after a batch of entity sources was resolved.
entities_resolved = Signal()


def announce_change(*, entity_type: str, entity: Any) -> None:
    """Tell whoever publishes canonical entities that this one may have changed."""
    entity_changed.send(sender=type(entity), entity_type=entity_type, entity=entity)
