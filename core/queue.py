"""Enqueueing pipeline tasks on django-q2, always after the surrounding transaction commits."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django_q.tasks import async_task

logger = logging.getLogger(__name__)


def enqueue(func: str, *args: Any, group: str | None = None) -> None:
    """Enqueue `func(*args)` once the current transaction commits (at once outside a transaction).

    Tasks take ids, never model instances: q2 pickles arguments and the row may change meanwhile.
    """

    def _send() -> None:
        async_task(func, *args, group=group or func.rsplit(".", 1)[-1])

    transaction.on_commit(_send)
