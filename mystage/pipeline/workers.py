"""Is a worker cluster running? Read from django-q2's own heartbeats.

Every `qcluster` saves its status (django-q2's `Stat`) every half second with a 3-second expiry, to its
broker's stat store: Redis for the Redis broker, else the Django cache named in Q_CLUSTER["cache"]
(settings.py makes it one that every process shares). A cluster alive now has a fresh Stat. To tell a
cluster that restarts from one that is gone, the last time any was seen is kept in that cache too:
work queued while no cluster has been seen for a minute stays pending, and the dashboard, `stats` and
the API's 202 say so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

logger = logging.getLogger(__name__)

LAST_SEEN_KEY = "mystage:workers:last-seen"
# No heartbeat for this long: no worker is running (a cluster restarting is back well within it).
WORKER_GRACE = dt.timedelta(minutes=1)
START_HINT = "start one with `make run` (or `manage.py qcluster`)"


@dataclass(frozen=True)
class WorkerStatus:
    clusters: int
    workers: int
    last_seen: dt.datetime | None
    now: dt.datetime

    @property
    def running(self) -> bool:
        """A cluster alive now, or seen within the last minute (restarting)."""
        return self.clusters > 0 or (self.last_seen is not None and self.now - self.last_seen < WORKER_GRACE)

    def describe(self) -> str:
        """One sentence for people."""
        if self.clusters:
            return f"{self.clusters} worker cluster(s) running ({self.workers} worker processes)."
        if self.running:
            assert self.last_seen is not None
            return f"No worker cluster right now; one was seen {_ago(self.now - self.last_seen)} ago (restarting?)."
        if self.last_seen is None:
            return f"No worker has been seen: queued work waits until one runs; {START_HINT}."
        return (
            f"No worker has been seen for {_ago(self.now - self.last_seen)}: queued work waits until one runs; "
            f"{START_HINT}."
        )


def _ago(delta: dt.timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} days"


def worker_status(*, now: dt.datetime | None = None) -> WorkerStatus:
    """The clusters whose heartbeat is fresh, and when one was last seen."""
    from django_q.conf import Conf
    from django_q.status import Stat

    now = now or timezone.now()
    cache = caches[settings.Q_CLUSTER.get("cache", "default")]
    try:
        stats = [s for s in Stat.get_all() if getattr(s, "status", "") != Conf.STOPPED]
    except Exception as exc:  # a broker that is down must not take the dashboard down with it
        logger.warning("worker heartbeats unavailable: %s", exc)
        stats = []
    last_seen: dt.datetime | None
    if stats:
        last_seen = now
        cache.set(LAST_SEEN_KEY, now.isoformat(), timeout=None)
    else:
        stored = cache.get(LAST_SEEN_KEY)
        last_seen = dt.datetime.fromisoformat(stored) if isinstance(stored, str) else None
    return WorkerStatus(
        clusters=len(stats),
        workers=sum(len(getattr(s, "workers", []) or []) for s in stats),
        last_seen=last_seen,
        now=now,
    )
