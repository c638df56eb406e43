"""Operator commands: API keys, export and import of canonical entities, resolve, merge and unmerge,
run_source (inline, on the local demo web) and stats."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from core.models import ApiKey
from entities.models import CanonicalStatus, EntitySource, MergeRecord, Performance, Venue
from entities.services import entity_sources_ingest
from extraction.schemas import ExtractionResult
from sourcing import services as sourcing
from tests.factories import ExtractionFactory, SourceFactory, build_review_world

pytestmark = pytest.mark.django_db


def run(*args, **kwargs) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO(), **kwargs)
    return out.getvalue()


@pytest.fixture
def world():
    return build_review_world()


def test_create_api_key_prints_a_working_key_once():
    raw = run("create_api_key", "sync-bot", "--staff").strip()
    key = ApiKey.objects.get(name="sync-bot")
    assert raw.startswith(key.prefix)
    assert key.is_staff
    assert Client().get("/api/pipeline/stats", HTTP_X_API_KEY=raw).status_code == 200


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_entities(world, tmp_path, fmt):
    out = tmp_path / f"performances.{fmt}"
    run("export_entities", "--type", "performance", "--format", fmt, "--out", str(out), "--no-progress")
    text = out.read_text()
    if fmt == "jsonl":
        rows = [json.loads(line) for line in text.splitlines()]
        artists = rows[0]["artists"]
    else:
        rows = list(csv.DictReader(io.StringIO(text)))
        artists = json.loads(rows[0]["artists"])
    assert len(rows) == Performance.objects.count() == 3
    assert {r["venue"] for r in rows} == {world.hall.public_id, world.listed.public_id}
    assert artists[0]["name"]


def test_export_includes_merged_only_when_asked(world, tmp_path):
    run("merge_venues", world.hall.public_id, world.listed.public_id, "--reason", "same")
    out = tmp_path / "v.jsonl"
    run("export_entities", "--type", "venue", "--out", str(out), "--no-progress")
    assert len(out.read_text().splitlines()) == 1
    run("export_entities", "--type", "venue", "--out", str(out), "--include-merged", "--no-progress")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["merged_into"] for r in rows} == {None, world.hall.public_id}


def test_import_entities_locks_updates_and_creates(world, tmp_path, django_user_model):
    django_user_model.objects.create_user("curator")
    lines = [
        {"type": "venue", "id": world.hall.public_id, "fields": {"phone": "+12065550199", "capacity": 350}},
        {"type": "venue", "fields": {"name": "Brand New Room", "locality": "Tacoma", "country": "US"}},
        {
            "type": "performance",
            "fields": {"venue": world.hall.public_id, "name": "Curated Night", "local_date": "2031-05-01"},
        },
    ]
    path = tmp_path / "curated.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))
    assert "1 created" not in run("import_entities", str(path), "--dry-run", "--no-progress")
    assert Venue.objects.get(pk=world.hall.pk).phone != "+12065550199"
    out = run("import_entities", str(path), "--by", "curator", "--no-progress")
    assert "2 created, 1 updated, 0 failed" in out
    hall = Venue.objects.get(pk=world.hall.pk)
    assert (hall.phone, hall.capacity) == ("+12065550199", 350)
    assert hall.locked_fields == {"phone": "+12065550199", "capacity": 350}
    new = Venue.objects.get(name="Brand New Room")
    assert (new.locality, new.locked_fields["locality"]) == ("Tacoma", "Tacoma")
    curated = Performance.objects.get(name="Curated Night")
    assert curated.venue_id == hall.pk
    assert str(curated.local_date) == "2031-05-01"


def test_import_entities_reports_bad_lines(world, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"type": "venue", "id": "01NOPE", "fields": {"name": "x"}}\nnot json\n')
    with pytest.raises(CommandError, match="2 line"):
        run("import_entities", str(path), "--no-progress")


def test_resolve_pending_and_all():
    source = SourceFactory.create(name="late-site")
    extraction = ExtractionFactory.create(scrape__url__source=source)
    entity_sources_ingest(
        extraction=extraction,
        result=ExtractionResult.model_validate(
            {
                "performances": [
                    {"name": "Late Show", "local_date": "2031-01-01", "venue": {"name": "Late Room"}}
                ]
            }
        ),
    )
    assert EntitySource.objects.filter(status="pending").count() == 2
    assert "2 resolved" in run("resolve", "--no-progress")
    venue = Performance.objects.get().venue
    assert venue is not None
    assert venue.name == "Late Room"
    out = run("resolve", "--all", "--source", "late-site", "--no-progress")
    assert "2 entity source(s) put back to pending" in out
    assert "2 resolved" in out
    assert Venue.objects.count() == 1


def test_merge_venues_and_unmerge(world):
    out = run("merge_venues", world.hall.public_id, f"#{world.listed.pk}", "--reason", "same room")
    record = MergeRecord.objects.get()
    assert f"unmerge {record.pk}" in out
    assert record.reason == "same room"
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.MERGED
    with pytest.raises(CommandError, match="Already merged"):
        run("merge_venues", world.hall.public_id, world.listed.public_id, "--reason", "again")
    run("unmerge", str(record.pk), "--reason", "two rooms after all")
    assert Venue.objects.get(pk=world.listed.pk).status == CanonicalStatus.ACTIVE
    record.refresh_from_db()
    assert (record.reason, record.undo_reason) == ("same room", "two rooms after all")
    with pytest.raises(CommandError, match="No venue"):
        run("merge_venues", "01NOPE", world.hall.public_id, "--reason", "x")


@pytest.mark.django_db(transaction=True)
def test_run_source_inline_on_the_demo_web(demo_web, pipeline_settings):
    spec = {
        "sources": [
            {
                "name": "hidden-hall",
                "kind": "venue_site",
                "priority": 50,
                "urls": ["/hidden-hall/events/index.html"],
            }
        ]
    }
    sourcing.sources_import(spec=spec, base_url=demo_web.base_url, due_now=False)
    out = run("run_source", "hidden-hall", "--inline", "--timeout", "60", "--no-progress")
    assert "scrapes" in out
    assert "done" in out
    assert Venue.objects.filter(name="Hidden Hall").exists()
    assert Performance.objects.exists()
    with pytest.raises(CommandError, match="No source"):
        run("run_source", "nope", "--inline")


def test_stats_shows_queue_and_failures(world):
    out = run("stats", "--failures")
    assert "task queue" in out
    data = json.loads(run("stats", "--json", "--failures"))
    assert data["venues"] == 2
    assert "queue" in data
    assert data["failures"] == []
