"""`manage.py eval_llm`: any pydantic-ai model scored on the labelled pages; in CI a FunctionModel replays
recorded answers (tests/fixtures/llm_answers), never a network call."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pydantic_ai import models as pai_models

from extraction.llm.evaluate import match_events, names_agree
from extraction.schemas import ExtractedPerformance

ANSWERS = Path(__file__).resolve().parents[1] / "fixtures" / "llm_answers"


@pytest.fixture(autouse=True)
def _no_model_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pai_models, "ALLOW_MODEL_REQUESTS", False)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("eval_llm", *args, stdout=out)
    return out.getvalue()


def _result(output: str) -> dict[str, object]:
    last = output.strip().splitlines()[-1]
    assert last.startswith("RESULT ")
    result: dict[str, object] = json.loads(last.removeprefix("RESULT "))
    return result


def test_replayed_answers_are_scored_per_page_with_tokens_and_reduction() -> None:
    output = _run("--model", f"replay:{ANSWERS}")
    lines = {line.split()[0]: line for line in output.splitlines() if "__sample-data" in line}
    assert set(lines) == {
        "chop_suey__sample-data",
        "egans_ballard_jam_house__sample-data",
        "el_corazon__sample-data",
        "showbox_presents__sample-data",
    }
    # El Corazón's "The Emo Night Tour" was answered with its one time as doors: found, but no start time
    assert "  5/  6/  6 " in lines["el_corazon__sample-data"]
    assert " 42/ 42/ 42 " in lines["egans_ballard_jam_house__sample-data"]  # two chunks, merged
    result = _result(output)
    no_markup = result["no_markup"]
    assert isinstance(no_markup, dict)
    assert (no_markup["pages"], no_markup["event_precision"], no_markup["event_recall"]) == (
        4,
        0.9831,
        0.9831,
    )
    assert no_markup["requests"] == 5
    assert no_markup["cost_usd"] is None  # a FunctionModel has no price
    assert no_markup["input_tokens_per_page"] > 0
    assert 0.3 < no_markup["reduction_ratio"] < 0.5  # 17,844 of 45,672 characters shown


def test_recorded_answers_replay_to_the_same_scores(tmp_path: Path) -> None:
    first = _result(_run("--model", f"replay:{ANSWERS}", "--record", str(tmp_path), "--pages", "showbox"))
    recorded = json.loads((tmp_path / "showbox_presents__sample-data.json").read_text())
    assert recorded["url"] == "https://www.showboxpresents.com/events/all"
    assert len(recorded["answers"]) == 1
    assert recorded["answers"][0]["input_tokens"] > 0  # the usage the model reported is kept
    again = _result(_run("--model", f"replay:{tmp_path}", "--pages", "showbox"))
    assert isinstance(again["no_markup"], dict)
    assert isinstance(first["no_markup"], dict)
    assert {k: v for k, v in again["no_markup"].items() if k != "seconds"} == {
        k: v for k, v in first["no_markup"].items() if k != "seconds"
    }


def test_pages_with_markup_can_be_read_as_text_too() -> None:
    output = _run("--model", f"replay:{ANSWERS}", "--with-markup", "--pages", "cannonball")
    assert "ERROR LookupError: no recorded answer for https://cannonballarts.com/events" in output
    result = _result(output)
    assert set(result) == {"model", "markup"}
    markup = result["markup"]
    assert isinstance(markup, dict)
    assert markup["errors"] == 1  # no recorded answer for that page: reported as an error, scored 0


def test_an_unusable_model_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="cannot be used"):
        _run("--model", "nosuchprovider:model")
    with pytest.raises(CommandError, match="No directory of recorded answers"):
        _run("--model", "replay:/nonexistent")


@pytest.mark.parametrize(
    ("first", "second", "agree"),
    [
        ("THE ELOVATERS", "The Elovaters", True),
        ("Sunbather Die, Tiger Penis, Bhodie Boys", "Sunbather Die / Tiger Penis / Bhodie Boys", True),
        ("Greta Matassa Quintet", "Greta Matassa Quintet with guests", True),
        ("El Corazón", "El Corazon", True),
        ("Coroner", "Hoaxed", False),
        ("Ian Hughes Quartet", "Melissa Brewer Quintet", False),
    ],
)
def test_names_agree(first: str, second: str, agree: bool) -> None:
    assert names_agree(first, second) is agree


def test_each_expected_event_matches_once() -> None:
    show = ExtractedPerformance(name="Jam", local_date=dt.date(2026, 5, 1), local_start_time=dt.time(19, 0))
    expected = [{"name": "Jam", "local_date": "2026-05-01", "local_start_time": "19:00"}] * 2
    assert match_events(expected, [show]) == 1
    assert match_events(expected, [show, show]) == 2
    assert (
        match_events([{"name": "Jam", "local_date": "2026-05-01", "local_start_time": "21:00"}], [show]) == 0
    )
