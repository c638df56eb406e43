"""Writes behind the operator commands that are not curation or review."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from core.stages import StageStatus
from entities.models import EntitySource


def entity_sources_requeue(*, queryset: QuerySet[EntitySource]) -> int:
    """Put entity sources back to pending for another resolution (not those a worker holds right now)."""
    return queryset.exclude(status=StageStatus.RUNNING).update(
        status=StageStatus.PENDING,
        attempts=0,
        last_error="",
        retry_at=None,
        claim_token=None,
        updated_at=timezone.now(),
    )
