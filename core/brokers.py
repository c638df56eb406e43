"""django-q2 brokers that read the lanes before the main queue (see `core.queue`).

The cluster's broker (the one named after the cluster) takes its next task from the `tick` lane if
one waits there, else from the `fetch` lane, else from the main queue; a broker made for a lane (to
enqueue into it) reads only that lane. So the tick, queued by django-q2's scheduler into its lane,
starts as soon as a worker is free, however long the backlog in the main queue: it waits at most for
the tasks the cluster has already taken (Q_CLUSTER["queue_limit"], kept at the worker count).

Redis pops the first non-empty list of several with one BLPOP; the ORM broker asks each lane in turn,
oldest first, on the index `core` adds to django-q2's queue table (migration 0003).
"""

from __future__ import annotations

from time import sleep
from typing import Any

from django.utils import timezone
from django_q.brokers.orm import ORM
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf

from core.queue import LANES


def _keys(list_key: str) -> list[str]:
    """The queues a broker for `list_key` reads, first to last."""
    if list_key == Conf.CLUSTER_NAME:
        return [f"{Conf.PREFIX}@{lane}" for lane in LANES] + [list_key]
    return [list_key]


class LaneORM(ORM):
    """django-q2's ORM broker, reading the lanes first."""

    def dequeue(self) -> list[tuple[Any, Any]] | None:
        now = timezone.now()
        queue = self.get_connection()
        for key in _keys(self.list_key):
            tasks = list(queue.filter(key=key, lock__lt=now).order_by("id")[: Conf.BULK])
            taken = [
                (task.pk, task.payload)
                for task in tasks
                # As django-q2 does: lock it, unless another cluster was faster.
                if queue.filter(id=task.id, lock=task.lock).update(lock=self.timeout(task))
            ]
            if taken:
                return taken
        sleep(Conf.POLL)  # every queue empty: spare the CPU
        return None


class LaneRedis(Redis):
    """django-q2's Redis broker, reading the lanes first (one BLPOP over all of them)."""

    def __init__(self, list_key: str | None = None) -> None:
        name = list_key or Conf.CLUSTER_NAME
        super().__init__(list_key=name)
        self.read_keys = [f"django_q:{key}:q" for key in _keys(name)]

    def dequeue(self) -> list[tuple[None, Any]] | None:
        task = self.connection.blpop(self.read_keys, 1)
        if task:
            return [(None, task[1])]
        return None
