"""Scheduling: the tick's lane ahead of any backlog, due work queued in bounded batches without a cap,
batch tasks queued once per key, a sweeper that leaves queued rows alone, and django-q2's settings.

Tasks are *not* run here: they go to django-q2's ORM queue (OrmQ), which the tests read back."""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from core.queue import (
    FETCH_LANE,
    TICK_LANE,
    enqueue,
    enqueue_job,
    job_started,
    lane_queue,
    queue_is_empty,
    queued_tasks,
)
from core.stages import StageStatus, claim
from extraction.models import Extraction
from mystage.pipeline.services import pipeline_sweep, pipeline_tick, schedule_setup
from sourcing import services as sourcing
from sourcing.fetch_stage import scrapes_next_try
from sourcing.models import HostState, Scrape, Url
from tests.factories import ExtractionFactory, ScrapeFactory

pytestmark = [pytest.mark.django_db(transaction=True)]


def queued() -> list[tuple[str, str, tuple[Any, ...]]]:
    """(queue, task function, args) of every task waiting in django-q2's ORM queue, oldest first."""
    return [(q.key, q.func(), tuple(q.args() or ())) for q in OrmQ.objects.order_by("id")]


def tasks(func: str) -> list[tuple[Any, ...]]:
    return [args for _, f, args in queued() if f == func]


# --- lanes -------------------------------------------------------------------------------------


def test_the_cluster_takes_the_tick_lane_then_the_fetch_lane_then_the_backlog():
    # Given a backlog in the main queue, then a fetch batch and a tick queued behind it
    for n in range(5):
        enqueue("extraction.tasks.extraction_run_task", n)
    enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    enqueue("mystage.pipeline.tasks.pipeline_tick_task", lane=TICK_LANE)

    # When the cluster's broker hands out tasks, the lanes come first, then the backlog in order
    broker = get_broker()
    order = []
    while True:
        taken = broker.dequeue()
        if not taken:
            break
        for ack_id, payload in taken:
            task = SignedPackage.loads(payload)
            order.append((task["func"], task["args"]))
            broker.acknowledge(ack_id)
    assert order == [
        ("mystage.pipeline.tasks.pipeline_tick_task", ()),
        ("sourcing.tasks.scrapes_fetch_batch_task", ()),
        *[("extraction.tasks.extraction_run_task", (n,)) for n in range(5)],
    ]


@pytest.mark.skipif(
    not os.environ.get("TEST_REDIS_URL"), reason="TEST_REDIS_URL is not set (make test starts Redis)"
)
def test_on_redis_one_blpop_takes_the_lanes_first(monkeypatch):
    from django_q.conf import Conf

    from core.brokers import LaneRedis

    name = f"lanetest-{os.getpid()}"
    monkeypatch.setattr(Conf, "REDIS", os.environ["TEST_REDIS_URL"])
    monkeypatch.setattr(Conf, "PREFIX", name)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", name)
    main, fetch, tick = LaneRedis(), LaneRedis(f"{name}@{FETCH_LANE}"), LaneRedis(f"{name}@{TICK_LANE}")
    try:
        for payload in ("main-1", "main-2"):
            main.enqueue(payload)
        fetch.enqueue("fetch-1")
        tick.enqueue("tick-1")
        order = []
        while taken := main.dequeue():
            order += [payload.decode() for _, payload in taken]
        assert order == ["tick-1", "fetch-1", "main-1", "main-2"]
        assert tick.dequeue() is None  # a lane's own broker reads only its lane
    finally:
        for broker in (main, fetch, tick):
            broker.delete_queue()


def test_a_lane_broker_reads_only_its_own_lane():
    enqueue("extraction.tasks.extraction_run_task", 1)
    assert get_broker(lane_queue(TICK_LANE)).dequeue() is None
    assert get_broker().dequeue()


def test_the_tick_schedule_is_queued_into_the_tick_lane():
    from django_q.scheduler import scheduler

    schedule_setup()
    Schedule.objects.filter(name="mystage-tick").update(next_run=timezone.now() - dt.timedelta(seconds=1))
    scheduler(broker=get_broker())
    assert queued() == [(lane_queue(TICK_LANE), "mystage.pipeline.tasks.pipeline_tick_task", ())]


def test_the_tick_queues_its_scheduling_in_its_lane_and_the_rest_in_the_main_queue():
    schedule_setup()
    pipeline_tick()
    lanes = {func: key for key, func, _ in queued()}
    assert lanes["sourcing.tasks.scrapes_request_due_task"] == lane_queue(TICK_LANE)
    assert lanes["mystage.pipeline.tasks.pipeline_sweep_task"] == lane_queue(TICK_LANE)
    assert lanes["sync.tasks.sync_push_all_task"] == settings.Q_CLUSTER["name"]
    assert lanes["entities.tasks.duplicates_find_task"] == settings.Q_CLUSTER["name"]


def test_the_queue_size_counts_the_lanes_as_well_as_the_main_queue():
    # The demo and the dashboard wait on this: a fetch batch waiting in its lane is work still to do
    assert queued_tasks() == 0
    enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    enqueue("mystage.pipeline.tasks.pipeline_tick_task", lane=TICK_LANE)
    assert queued_tasks() == 2
    assert not queue_is_empty()
    enqueue("extraction.tasks.extraction_run_task", 1)
    assert queued_tasks() == 3


# --- jobs: one queued per key ------------------------------------------------------------------


def test_a_job_is_queued_once_per_key_until_it_starts():
    for _ in range(3):
        enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    assert len(tasks("sourcing.tasks.scrapes_fetch_batch_task")) == 1
    job_started("fetch-1")  # the task began: one more may be queued behind it
    enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    assert len(tasks("sourcing.tasks.scrapes_fetch_batch_task")) == 2


def test_a_job_whose_mark_outlived_the_patience_is_queued_again(settings):
    enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    later = timezone.now() + dt.timedelta(seconds=settings.PIPELINE_QUEUED_PATIENCE_SECONDS + 1)
    with time_machine.travel(later):  # the broker lost it (restarted without its data)
        enqueue_job("sourcing.tasks.scrapes_fetch_batch_task", key="fetch-1", lane=FETCH_LANE)
    assert len(tasks("sourcing.tasks.scrapes_fetch_batch_task")) == 2


# --- due URLs: bounded batches, no cap ---------------------------------------------------------


def test_venues_waiting_for_the_gazetteer_queue_one_build_not_one_each(settings, tmp_path):
    from entities.services import locate

    settings.GAZETTEER_DIR = tmp_path / "not-built-here"
    locate._gazetteer.cache_clear()
    for _ in range(5):  # five recomputes, each in its own transaction, before a worker takes the build
        with pytest.raises(locate.GazetteerNotBuilt):
            locate.gazetteer()
    assert tasks("entities.tasks.gazetteer_build_task") == [()]


def _urls(n: int) -> list[Url]:
    source = sourcing.source_upsert(name="many", kind="venue_site")
    return [sourcing.url_add(source=source, url=f"http://venue{i}.example/") for i in range(n)]


def test_due_urls_are_queued_in_bounded_batches_that_queue_the_next(settings):
    settings.SCRAPE_DUE_BATCH = 4
    _urls(10)

    # A full batch queues the next one in the tick's lane, and the fetch stage's task (once)
    assert sourcing.scrapes_request_due() == 4
    assert [key for key, func, _ in queued() if func == "sourcing.tasks.scrapes_request_due_task"] == [
        lane_queue(TICK_LANE)
    ]
    assert len(tasks("sourcing.tasks.scrapes_fetch_batch_task")) == 1
    # Running the queued batches drains every due URL: no fixed cap per tick
    job_started("scrapes-request-due")
    assert sourcing.scrapes_request_due() == 4
    job_started("scrapes-request-due")
    assert sourcing.scrapes_request_due() == 2  # not full: it does not queue itself again
    assert Scrape.objects.count() == 10
    assert len(tasks("sourcing.tasks.scrapes_request_due_task")) == 2
    assert sourcing.scrapes_request_due() == 0  # their next scrape time moved on


def test_a_url_with_an_open_scrape_is_not_queued_twice():
    (url,) = _urls(1)
    sourcing.scrape_request(url=url)
    Url.objects.filter(pk=url.pk).update(next_scrape_at=timezone.now())
    assert sourcing.scrapes_request_due() == 0
    assert Scrape.objects.filter(url=url).count() == 1


# --- the sweeper -------------------------------------------------------------------------------


def _pending_extractions(n: int) -> list[Extraction]:
    return [ExtractionFactory.create(status=StageStatus.PENDING, finished_at=None) for _ in range(n)]


def test_the_sweeper_leaves_rows_whose_task_waits_in_a_backlog(settings):
    # Given pending rows whose tasks were queued ten minutes ago, behind a backlog still in the queue
    rows = _pending_extractions(3)
    for n in range(100):
        enqueue("extraction.tasks.extraction_run_task", 1000 + n)
    assert not queue_is_empty()
    before = len(tasks("extraction.tasks.extraction_run_task"))

    # When the sweeper runs ten minutes later: they are not stuck, they are queued
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10)):
        counts = pipeline_sweep()
    assert counts["extractions"] == 0
    assert len(tasks("extraction.tasks.extraction_run_task")) == before

    # Only once the patience has passed are they taken to be lost, and queued again, once
    lost = timezone.now() + dt.timedelta(seconds=settings.PIPELINE_QUEUED_PATIENCE_SECONDS + 60)
    with time_machine.travel(lost, tick=False):
        assert pipeline_sweep()["extractions"] == 3
        assert pipeline_sweep()["extractions"] == 0  # marked queued: not again on the next run
    again = [args[0] for args in tasks("extraction.tasks.extraction_run_task")][before:]
    assert sorted(again) == sorted(row.pk for row in rows)


def test_with_an_empty_queue_a_pending_row_is_stuck_after_the_grace():
    _pending_extractions(2)
    assert queue_is_empty()
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=61)):
        assert pipeline_sweep()["extractions"] == 2


def test_a_row_waiting_for_its_retry_is_queued_when_the_time_comes_and_once(settings):
    row = ExtractionFactory.create(status=StageStatus.PENDING, finished_at=None)
    Extraction.objects.filter(pk=row.pk).update(retry_at=timezone.now() + dt.timedelta(minutes=2))
    for n in range(10):  # a backlog: the retry is due all the same, since nothing is queued for it
        enqueue("extraction.tasks.extraction_run_task", 1000 + n)
    assert pipeline_sweep()["extractions"] == 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3), tick=False):
        assert pipeline_sweep()["extractions"] == 1
        assert pipeline_sweep()["extractions"] == 0


def test_the_sweeper_queues_a_bounded_batch_oldest_first(settings):
    settings.PIPELINE_SWEEP_BATCH = 5
    rows = _pending_extractions(12)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=False):
        assert pipeline_sweep()["extractions"] == 5
    assert [args[0] for args in tasks("extraction.tasks.extraction_run_task")] == [row.pk for row in rows[:5]]


def test_the_sweeper_queues_the_fetch_stage_not_one_task_per_scrape():
    for _ in range(20):
        ScrapeFactory.create(status=StageStatus.PENDING, finished_at=None, http_status=None)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        assert pipeline_sweep()["scrapes"] == 20
        pipeline_sweep()
    assert tasks("sourcing.tasks.scrapes_fetch_batch_task") == [()]  # one batch task, queued once
    assert Counter(func for _, func, _ in queued())["sourcing.tasks.scrape_fetch_task"] == 0


def test_a_scrape_handed_back_for_politeness_is_next_tried_at_its_hosts_next_slot():
    # run_source --inline waits for this time: a page handed back unstarted has no retry time of its own
    now = timezone.now()
    pending = {"status": StageStatus.PENDING, "finished_at": None, "http_status": None}
    parked = ScrapeFactory.create(url__host="parked.example", **pending)
    free = ScrapeFactory.create(url__host="free.example", **pending)
    retrying = ScrapeFactory.create(url__host="retrying.example", **pending)
    ScrapeFactory.create(url__host="parked.example")  # done: not waiting for anything
    slot = now + dt.timedelta(seconds=30)
    HostState.objects.create(host="parked.example", next_slot_at=slot)
    HostState.objects.create(host="retrying.example", next_slot_at=now + dt.timedelta(seconds=5))
    Scrape.objects.filter(pk=retrying.pk).update(retry_at=now + dt.timedelta(minutes=2))

    assert sorted(scrapes_next_try(Scrape.objects.all(), now=now), key=lambda t: t[1]) == [
        (slot, parked.pk),
        (now, free.pk),
        (now + dt.timedelta(minutes=2), retrying.pk),  # the later of its retry time and its host's slot
    ]


# --- leases and the attempt cap ----------------------------------------------------------------


def test_a_row_whose_worker_died_is_claimable_while_it_has_attempts_left(settings):
    settings.PIPELINE_MAX_ATTEMPTS = 3
    stale = timezone.now() - dt.timedelta(seconds=settings.PIPELINE_LEASE_SECONDS + 1)
    alive = ExtractionFactory.create(
        status=StageStatus.RUNNING, attempts=2, started_at=stale, finished_at=None
    )
    spent = ExtractionFactory.create(
        status=StageStatus.RUNNING, attempts=3, started_at=stale, finished_at=None
    )

    assert claim(Extraction, spent.pk) is None
    counts = pipeline_sweep()
    spent.refresh_from_db()
    assert spent.status == StageStatus.FAILED
    assert spent.last_error == (
        "Gave up after 3 attempts: the worker running it stopped before it finished each time "
        "(killed, or over the task timeout)."
    )
    assert counts["extractions"] == 1  # the other one, queued again
    assert tasks("extraction.tasks.extraction_run_task") == [(alive.pk,)]
    taken = claim(Extraction, alive.pk)
    assert taken is not None
    assert taken.attempts == 3


# --- django-q2 --------------------------------------------------------------------------------


def test_django_q2_is_set_for_throughput_and_its_logs_reach_operators():
    conf = settings.Q_CLUSTER
    assert conf["save_limit"] == -1  # no successes stored (failures always are)
    assert conf["ack_failures"] is True
    assert conf["queue_limit"] == conf["workers"]
    assert conf["broker_class"] == "core.brokers.LaneORM"
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True

    from django_q.conf import logger as q2_logger

    # django-q2 logs to "django-q"; settings give that logger the console at Q_LOG_LEVEL
    assert q2_logger is logging.getLogger("django-q")
    assert any(isinstance(h, logging.StreamHandler) for h in q2_logger.handlers)
    loggers: Any = settings.LOGGING["loggers"]
    assert q2_logger.level == logging.getLevelName(loggers["django-q"]["level"])
    assert q2_logger.isEnabledFor(logging.ERROR)  # a failed task is always seen
