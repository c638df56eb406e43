"""Reconcile runs on a schedule (a ScheduledTask that setup_schedules creates), repairs what it finds,
and the drift it found shows on the pipeline dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mystage.pipeline.services import pipeline_tick, schedule_setup
from sourcing.models import ScheduledTask, ScheduledTaskKind
from sync.models import ReconcileRun
from sync.services import sync_push
from tests.sync.conftest import INDEX_PREFIX, make_entities

pytestmark = [pytest.mark.django_db(transaction=True)]

VENUES = f"{INDEX_PREFIX}venues"


def test_setup_schedules_makes_reconcile_a_recurring_task():
    schedule_setup()
    schedule_setup()  # idempotent
    (task,) = ScheduledTask.objects.filter(kind=ScheduledTaskKind.RECONCILE)
    assert task.enabled
    assert task.interval.total_seconds() == 6 * 3600


def test_the_scheduled_reconcile_repairs_and_its_drift_shows_on_the_dashboard(algolia, admin_client):
    made = make_entities(venues=4, artists=1, performances=2)
    sync_push(target="algolia")
    sync_push(target="firestore")
    gone = made["venue"][2].public_id
    with algolia.lock:  # lost behind our back
        del algolia.indexes[VENUES].records[gone]
    ScheduledTask.objects.create(
        name="reconcile", kind=ScheduledTaskKind.RECONCILE, interval=dt.timedelta(hours=6)
    )

    # The tick runs what is due: the reconcile task (inline here, on a worker in production)
    assert "reconcile" in pipeline_tick()

    run = ReconcileRun.objects.get(target="algolia")
    assert (run.missing, run.extra, run.stale, run.error) == (1, 0, 0, "")
    assert run.details["venue"]["missing"] == {"count": 1, "examples": [gone]}
    assert run.repaired["written"] == 1
    assert gone in algolia.records(VENUES)  # repaired
    clean = ReconcileRun.objects.get(target="firestore")
    assert (clean.expected, clean.found, clean.drift) == (7, 7, 0)

    page = admin_client.get(reverse("pipeline_dashboard"))
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index('id="sync-algolia"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="num failed">1</td>' in row  # one missing
    assert "written 1" in row
    assert reverse("admin:sync_reconcilerun_change", args=[run.pk]) in row
    firestore_row = html[html.index('id="sync-firestore"') :]
    assert "nothing to repair" in firestore_row[: firestore_row.index("</tr>")]
    assert admin_client.get(reverse("admin:sync_reconcilerun_change", args=[run.pk])).status_code == 200
