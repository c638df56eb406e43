"""The admin guards the workflow: pipeline rows are read-only (no Add, no Delete, no editable field),
changing only through actions and the review pages; JSON shows as tables; the values staff type are
checked with the pipeline's own normalisers; search ignores punctuation, accents and case; every list
has its filters."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from entities.models import DuplicateStatus, MergeRecord, Venue, VenueDuplicate
from entities.services import venue_merge
from tests.factories import VenueFactory, build_review_world, make_rows

pytestmark = pytest.mark.django_db

PIPELINE_ROWS = [
    ("sourcing", "scrape"),
    ("extraction", "extraction"),
    ("entities", "entitysource"),
    ("entities", "entitysourcerevision"),
    ("sync", "syncrecord"),
    ("sync", "reconcilerun"),
    ("entities", "mergerecord"),
    ("entities", "venueduplicate"),
    ("images", "urlimage"),
    ("entities", "externalid"),
    ("sourcing", "hoststate"),
]


def _row(app_label, model_name):
    from django.apps import apps

    make_rows(model_name, 1)
    return apps.get_model(app_label, model_name).objects.order_by("-pk").first()


def _inputs(html: str) -> set[str]:
    """The names of the form's editable inputs (the admin's own hidden and search fields aside)."""
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html))
    return names - {"csrfmiddlewaretoken", "q", "_save", "_continue", "_addanother"}


@pytest.mark.parametrize(("app_label", "model_name"), PIPELINE_ROWS)
def test_pipeline_rows_have_no_add_no_delete_and_a_read_only_page(admin_client, app_label, model_name):
    row = _row(app_label, model_name)
    changelist = admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist"))
    assert changelist.status_code == 200
    assert reverse(f"admin:{app_label}_{model_name}_add") not in changelist.content.decode()
    assert admin_client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code == 403
    assert (
        admin_client.get(reverse(f"admin:{app_label}_{model_name}_delete", args=[row.pk])).status_code == 403
    )
    page = admin_client.get(reverse(f"admin:{app_label}_{model_name}_change", args=[row.pk]))
    assert page.status_code == 200
    assert _inputs(page.content.decode()) == set()
    # A hand-made POST changes nothing either.
    assert (
        admin_client.post(reverse(f"admin:{app_label}_{model_name}_change", args=[row.pk]), {}).status_code
        == 403
    )


def test_no_one_can_set_a_duplicate_pair_to_merged_by_hand(admin_client):
    world = build_review_world()
    url = reverse("admin:entities_venueduplicate_change", args=[world.duplicate.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="status"' not in page
    assert "Compare the two venues side by side and decide" in page  # the way to decide is the review page
    response = admin_client.post(url, {"status": DuplicateStatus.MERGED, "venue_a": world.hall.pk})
    assert response.status_code == 403
    world.duplicate.refresh_from_db()
    assert world.duplicate.status == DuplicateStatus.PENDING
    assert Venue.objects.filter(status="merged").count() == 0


def test_actions_still_change_pipeline_rows(admin_client):
    world = build_review_world()
    response = admin_client.post(
        reverse("admin:entities_venueduplicate_changelist"),
        {"action": "skip", "_selected_action": [world.duplicate.pk]},
    )
    assert response.status_code == 302
    world.duplicate.refresh_from_db()
    assert world.duplicate.status == DuplicateStatus.SKIPPED


def test_venue_page_shows_json_as_tables_and_keys_read_only(admin_client):
    world = build_review_world()
    venue_merge(winner=world.hall, loser=world.listed)
    page = admin_client.get(reverse("admin:entities_venue_change", args=[world.hall.pk])).content.decode()
    inputs = _inputs(page)
    for raw in ("former_names", "socials", "image_urls", "external_ids", "provenance", "locked_fields"):
        assert raw not in inputs
    for key in ("block_key", "name_key", "city_key", "search_key"):
        assert key not in inputs
    assert "<textarea" not in page  # JSON fields were text boxes of raw {} and []
    assert "Hidden Hall (Fremont)" in page  # the former name, in its table
    assert "<table" in page.split("Provenance", 1)[1]
    # What staff may set stays editable.
    assert {"name", "phone", "website", "capacity", "latitude", "street"} <= inputs


def test_merged_is_not_a_status_to_pick(admin_client):
    world = build_review_world()
    page = admin_client.get(reverse("admin:entities_venue_change", args=[world.hall.pk])).content.decode()
    match = re.search(r'<select name="status".*?</select>', page, re.S)
    assert match is not None
    status_select = match.group(0)
    assert 'value="active"' in status_select
    assert 'value="merged"' not in status_select


def _venue_form(venue: Venue, **changes) -> dict:
    data = {
        "name": venue.name,
        "kind": venue.kind,
        "status": venue.status,
        "street": venue.street,
        "locality": venue.locality,
        "region": venue.region,
        "postal_code": venue.postal_code,
        "country": venue.country,
        "latitude": venue.latitude,
        "longitude": venue.longitude,
        "coord_precision": venue.coord_precision,
        "timezone": venue.timezone,
        "phone": venue.phone,
        "website": venue.website,
        "capacity": venue.capacity or "",
        "sources-TOTAL_FORMS": "0",
        "sources-INITIAL_FORMS": "0",
    }
    return {k: ("" if v is None else v) for k, v in {**data, **changes}.items()}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "not a phone", "is not a valid phone number"),
        ("latitude", "999", "outside -90..90"),
        ("country", "ZZ", "is not a country"),
        ("timezone", "Mars/Olympus", "is not an IANA time zone"),
    ],
)
def test_values_staff_type_are_checked_like_a_sources(admin_client, field, value, message):
    world = build_review_world()
    url = reverse("admin:entities_venue_change", args=[world.hall.pk])
    response = admin_client.post(url, _venue_form(world.hall, **{field: value}))
    assert response.status_code == 200  # the form again, with the error
    assert message in response.content.decode()
    world.hall.refresh_from_db()
    assert field not in world.hall.locked_fields


def test_a_typed_phone_is_stored_in_e164_and_locked(admin_client):
    world = build_review_world()
    url = reverse("admin:entities_venue_change", args=[world.hall.pk])
    response = admin_client.post(url, _venue_form(world.hall, phone="(206) 555-0199", country="us"))
    assert response.status_code == 302, response.content.decode()[:2000]
    world.hall.refresh_from_db()
    assert world.hall.phone == "+12065550199"
    assert world.hall.locked_fields["phone"] == "+12065550199"
    assert world.hall.country == "US"


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("st marks", True),
        ("ST. MARK'S", True),
        ("saint marks cathedral", True),
        ("marks", True),
        ("st markz", False),
    ],
)
def test_search_ignores_punctuation_accents_and_case(admin_client, query, found):
    VenueFactory.create(name="St. Mark's Cathedral")
    VenueFactory.create(name="Café Racer")
    page = admin_client.get(reverse("admin:entities_venue_changelist"), {"q": query}).content.decode()
    assert ("St. Mark&#x27;s Cathedral" in page) is found
    cafe = admin_client.get(reverse("admin:entities_venue_changelist"), {"q": "cafe racer"}).content.decode()
    assert "Café Racer" in cafe


def test_api_q_ignores_punctuation_accents_and_case():
    VenueFactory.create(name="St. Mark's Cathedral")
    VenueFactory.create(name="Café Racer")
    client = Client()
    assert [v["name"] for v in client.get("/api/venues", {"q": "st marks"}).json()["items"]] == [
        "St. Mark's Cathedral"
    ]
    assert [v["name"] for v in client.get("/api/search", {"q": "CAFE"}).json()["venues"]] == ["Café Racer"]
    assert client.get("/api/venues", {"q": "'"}).json()["count"] == 0


def test_the_search_key_follows_renames_and_merges():
    world = build_review_world()
    assert world.hall.search_key == "hidden hall"
    venue_merge(winner=world.hall, loser=world.listed)
    hall = Venue.objects.get(pk=world.hall.pk)
    assert hall.search_key == "hidden hall | hidden hall fremont"  # the loser's name is a former name now
    hall.name = "The Hidden Hall Annex"
    hall.save(update_fields=["name"])
    hall.refresh_from_db()
    assert hall.search_key == "hidden hall annex | hidden hall fremont"


def test_merge_records_show_names_not_only_ids(admin_client):
    world = build_review_world()
    venue_merge(winner=world.hall, loser=world.listed)
    page = admin_client.get(reverse("admin:entities_mergerecord_changelist")).content.decode()
    record = MergeRecord.objects.get()
    assert "Hidden Hall (Fremont)" in page
    assert reverse("admin:entities_venue_change", args=[world.hall.pk]) in page
    assert record.winner_public_id[-6:] in page


@pytest.mark.parametrize(
    ("url_name", "filters"),
    [
        ("admin:entities_venue_changelist", ["By status", "By city", "By source", "By updated at"]),
        ("admin:entities_performance_changelist", ["By date", "By city", "By source", "By event status"]),
        ("admin:entities_artist_changelist", ["By status", "By source"]),
        ("admin:entities_venueduplicate_changelist", ["By status", "By score", "By city", "By decided at"]),
        ("admin:entities_pendingvenueduplicate_changelist", ["By score", "By city"]),
        ("admin:entities_entitysource_changelist", ["By status", "By source", "By last seen at"]),
        ("admin:entities_mergerecord_changelist", ["By entity type", "By created at", "By undone at"]),
        ("admin:sourcing_scrape_changelist", ["By status", "By source", "By HTTP status", "By created at"]),
        ("admin:extraction_extraction_changelist", ["By status", "By source", "By created at"]),
        ("admin:sync_syncrecord_changelist", ["By status", "By target", "By synced at"]),
        ("admin:sync_reconcilerun_changelist", ["By target", "By repair", "By started at"]),
    ],
)
def test_every_list_has_useful_filters(admin_client, url_name, filters):
    build_review_world()
    page = admin_client.get(reverse(url_name)).content.decode()
    for title in filters:
        assert title in page, title


def test_the_queue_shows_why_a_pair_comes_first(admin_client):
    world = build_review_world()
    page = admin_client.get(reverse("admin:entities_pendingvenueduplicate_changelist")).content.decode()
    assert "Upcoming shows (A + B)" in page
    assert "3 (2 + 1)" in page
    assert f"{world.duplicate.score:.2f}" in page
    assert VenueDuplicate.objects.get().priority > 0
