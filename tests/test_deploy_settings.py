"""Settings safe by default: no public SECRET_KEY ever, and the README's production example passes
`manage.py check --deploy` (HTTPS, HSTS and secure cookies read from the environment)."""

from __future__ import annotations

import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def readme_production_env() -> dict[str, str]:
    """The variables the README's Production section exports, as a shell would read them."""
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"## Production\n+```sh\n(.*?)```", readme, re.S)
    assert block is not None, "README has a Production section with a sh block"
    env: dict[str, str] = {}
    for line in block.group(1).splitlines():
        words = shlex.split(line, comments=True)
        if words[:1] == ["export"]:
            env |= dict(word.split("=", 1) for word in words[1:])
    return env


def test_without_debug_a_secret_key_is_required(tmp_path):
    # given: no SECRET_KEY, no SECRET_KEY_FILE and no local key written by `make setup`
    env = {"LOCAL_SECRET_KEY_FILE": str(tmp_path / "none"), "MYSTAGE_DATA_DIR": str(tmp_path)}

    # when
    proc = manage("check", env=env)

    # then: one clear sentence, and the command fails
    assert proc.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in proc.stderr


def test_debug_runs_without_a_secret_key(tmp_path):
    env = {"LOCAL_SECRET_KEY_FILE": str(tmp_path / "none"), "MYSTAGE_DATA_DIR": str(tmp_path), "DEBUG": "1"}
    assert manage("check", env=env).returncode == 0


def test_the_readme_production_example_passes_check_deploy(tmp_path):
    # given: the README's environment, with its secret file made here
    env = readme_production_env()
    secret = tmp_path / "django_secret"
    secret.write_text(secrets.token_urlsafe(50))
    env["SECRET_KEY_FILE"] = str(secret)
    assert env["SECURE_SSL_REDIRECT"] == "1"

    # when
    proc = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    # then
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_without_the_https_lines_check_deploy_complains(tmp_path):
    env = {
        k: v for k, v in readme_production_env().items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))
    }
    secret = tmp_path / "django_secret"
    secret.write_text(secrets.token_urlsafe(50))
    env["SECRET_KEY_FILE"] = str(secret)

    proc = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert proc.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in proc.stderr + proc.stdout
