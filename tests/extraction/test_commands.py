"""Operator commands for extraction: extract_file (no database writes) and reextract (replay)."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from core.stages import StageStatus
from extraction import router
from extraction.models import Extraction
from sourcing import services as sourcing

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_extract_file_prints_the_validated_extraction_without_writing(django_assert_num_queries):
    page = FIXTURES / "web" / "calendar-ripper" / "fremont_abbey__sample-data.html"
    with django_assert_num_queries(0):
        output = json.loads(_run("extract_file", str(page), "--url", "https://www.fremontabbey.org/events/"))
    [run] = output["extractions"]
    assert (run["extractor"], run["status"]) == ("structured", "done")
    assert len(run["result"]["performances"]) == 12
    # The first event's place is "Varies - Please check tickets for venue location.": no venue.
    assert run["result"]["performances"][0]["venue"] is None
    assert run["result"]["performances"][1]["venue"]["name"] == "Bloedel Hall, St Mark's Cathedral"


def test_extract_file_reads_api_json_by_source_kind():
    path = FIXTURES / "apis" / "dice_sunset_tavern_events.json"
    output = json.loads(_run("extract_file", str(path), "--source-kind", "dice"))
    [run] = output["extractions"]
    assert run["extractor"] == "dice"
    assert len(run["result"]["performances"]) == 50


def test_extract_file_says_when_a_page_needs_an_llm():
    path = FIXTURES / "web" / "calendar-ripper" / "el_corazon__sample-data.html"
    [run] = json.loads(_run("extract_file", str(path)))["extractions"]
    assert run["status"] == "waiting"


@pytest.mark.django_db(transaction=True)
def test_reextract_replays_a_new_extractor_version_once(demo_web, pipeline_settings, monkeypatch):
    source = sourcing.source_upsert(name="fremont-abbey", kind="venue_site")
    sourcing.url_add(source=source, url=demo_web.url("/fremont-abbey/events/index.html"))
    sourcing.scrapes_request_due()
    current = router.STRUCTURED.version
    assert Extraction.objects.filter(extractor_version=current, status=StageStatus.DONE).count() == 1

    # Nothing new to do while the extractor is unchanged
    assert "0 new and 0 re-run" in _run("reextract", "--inline")

    # When the adapter's version is bumped, each stored scrape is replayed once, without fetching
    bumped = dataclasses.replace(router.STRUCTURED, version=f"{current}-next")
    monkeypatch.setattr(router, "STRUCTURED", bumped)
    monkeypatch.setitem(router.EXTRACTORS, "structured", bumped)
    assert "1 new and 0 re-run" in _run("reextract", "--inline", "--source", "fremont-abbey")
    assert Extraction.objects.get(extractor_version=f"{current}-next").status == StageStatus.DONE
    assert "0 new and 0 re-run extractions ran; 1 already up to date" in _run("reextract", "--inline")
    assert "0 new and 1 re-run" in _run("reextract", "--inline", "--force")
