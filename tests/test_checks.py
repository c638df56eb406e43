"""The system check explains missing or contradictory configuration in plain words."""

import pytest

from mystage.checks import configuration_check


def ids():
    return {problem.id for problem in configuration_check()}


def test_default_configuration_is_clean(settings):
    assert ids() == set()


@pytest.mark.parametrize(
    ("overrides", "expected_id", "words"),
    [
        ({"ALGOLIA_APP_ID": "APP"}, "mystage.E002", "ALGOLIA_API_KEY is missing"),
        ({"ALGOLIA_API_KEY": "KEY"}, "mystage.E002", "ALGOLIA_APP_ID is missing"),
        ({"REDIS_URL": "http://localhost:6379"}, "mystage.E001", "REDIS_URL must start with redis://"),
        (
            {"FIRESTORE_EMULATOR_HOST": "127.0.0.1:8080", "FIRESTORE_PROJECT": ""},
            "mystage.E003",
            "FIRESTORE_PROJECT is empty",
        ),
        ({"LLM_MODEL": "gpt-4o"}, "mystage.E004", "pydantic-ai model string"),
        ({"API_RATE_ANONYMOUS": "lots"}, "mystage.E006", 'API_RATE_ANONYMOUS must be a rate like "120/min"'),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "mystage.W002", "cannot reach a local SQLite file"),
    ],
)
def test_misconfiguration_is_reported(settings, overrides, expected_id, words):
    if expected_id == "mystage.W002" and not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("only meaningful on SQLite")
    for name, value in overrides.items():
        setattr(settings, name, value)
    problems = [p for p in configuration_check() if p.id == expected_id]
    assert problems
    assert words in problems[0].msg
