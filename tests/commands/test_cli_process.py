"""Commands as real processes, as a shell runs them: a closed pipe ends them quietly (`stats | head`),
and a user error is one line on stderr with a non-zero exit, never a traceback.

A process cannot see pytest-django's test database: these run on a database file of their own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    data = tmp_path_factory.mktemp("cli-data")
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "STATIC_ROOT")}
    environ |= {"MYSTAGE_DATA_DIR": str(data), "PYTHONUNBUFFERED": "0"}
    manage(environ, "migrate", "--no-input", "-v", "0", check=True)
    curated = data / "venues.jsonl"
    curated.write_text('{"type": "venue", "fields": {"name": "Hidden Hall", "locality": "Seattle"}}\n')
    manage(environ, "import_entities", str(curated), "--no-progress", check=True)  # something to export
    return environ


def manage(env: dict[str, str], *args: str, check: bool = False, stdout: int | None = subprocess.PIPE):
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        check=check,
    )


def closed_pipe_run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command writing into a pipe whose reader has gone (`... | head -0`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        return manage(env, *args, stdout=write)
    finally:
        os.close(write)


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["stats", "--json", "--failures"],
        ["export_entities", "--type", "venue", "--out", "-", "--no-progress"],
        ["list_due"],
    ],
)
def test_a_closed_pipe_is_quiet(env, args):
    result = closed_pipe_run(env, *args)
    assert result.stderr == ""
    assert result.returncode == 141  # as a process killed by SIGPIPE, the Unix way


def test_stats_in_a_shell_says_no_worker_is_running(env):
    result = manage(env, "stats")
    assert result.returncode == 0
    assert "No worker has been seen" in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["import_sources", "/no/such/file.json"], 1, "CommandError: No such JSON file: /no/such/file.json"),
        (
            ["unmerge", "abc"],
            2,
            "manage.py unmerge: error: argument record: invalid int value: 'abc' (see --help)",
        ),
        (
            ["scrape_now", "https://unknown.example/"],
            1,
            "CommandError: https://unknown.example/: not a known URL",
        ),
        (["export_entities", "--type", "venue", "--out", "/no/such/folder/v.jsonl"], 1, "does not exist"),
    ],
)
def test_a_user_error_is_one_line_and_a_non_zero_exit(env, args, code, line):
    result = manage(env, *args)
    assert result.returncode == code
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert line in result.stderr
