"""Every admin changelist of ours answers with a fixed number of queries however many rows it lists
(no N+1), pinned per page; and every registered model of ours is pinned here."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_rows

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "mystage", "sourcing", "extraction", "images", "entities", "sync"}
# (app_label, model_name): the most queries its changelist may take, rows or no rows (list filters that
# offer the sources or the cities take one query each, whatever the rows).
PINNED = {
    ("sourcing", "source"): 5,
    ("sourcing", "url"): 5,
    ("sourcing", "scrape"): 7,
    ("sourcing", "scheduledtask"): 6,
    ("images", "urlimage"): 5,
    ("sourcing", "hoststate"): 5,
    ("extraction", "extraction"): 7,
    ("entities", "entitysource"): 5,
    ("entities", "entitysourcerevision"): 6,
    ("entities", "venue"): 7,
    ("entities", "artist"): 6,
    ("entities", "performance"): 8,
    ("entities", "performanceartist"): 4,
    ("entities", "externalid"): 5,
    ("entities", "enrichment"): 5,
    ("entities", "venueduplicate"): 5,
    ("entities", "mergerecord"): 4,
    ("entities", "pendingvenueduplicate"): 5,
    ("entities", "artistduplicate"): 4,
    ("entities", "pendingartistduplicate"): 4,
    ("entities", "review"): 5,
    ("core", "apikey"): 5,
    ("sync", "syncrecord"): 5,
    ("sync", "reconcilerun"): 4,
}


def test_every_admin_of_ours_is_pinned():
    registered = {
        (model._meta.app_label, model._meta.model_name)
        for model in admin.site._registry
        if model._meta.app_label in OUR_APPS
    }
    assert registered == set(PINNED)


@pytest.mark.parametrize(("app_label", "model_name"), sorted(PINNED))
def test_changelist_queries_do_not_grow_with_rows(
    admin_client, app_label, model_name, django_assert_max_num_queries
):
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    make_rows(model_name, 3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url).status_code == 200
    make_rows(model_name, 7)
    with django_assert_max_num_queries(PINNED[(app_label, model_name)]) as many:
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries), [q["sql"] for q in many.captured_queries]
