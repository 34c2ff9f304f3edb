"""What the production image runs: gunicorn configured by gunicorn.conf.py from the environment, answering
the image's HEALTHCHECK; and what its build context leaves out."""

import os
import runpy
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dashboard import probe
from tests.env_example import example_values

ROOT = Path(__file__).resolve().parents[1]


def gunicorn_settings(monkeypatch, **env: str) -> dict:
    for name in ("PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_ACCESS_LOG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_it_configures_gunicorn_from_the_environment(monkeypatch):
    settings = gunicorn_settings(
        monkeypatch, PORT="8080", GUNICORN_WORKERS="5", GUNICORN_THREADS="4", GUNICORN_ACCESS_LOG="0"
    )

    assert settings["bind"] == ["0.0.0.0:8080"]
    assert (settings["workers"], settings["threads"], settings["timeout"]) == (5, 4, 30)
    assert settings["accesslog"] is None


def test_its_defaults_are_the_documented_ones(monkeypatch):
    settings = gunicorn_settings(monkeypatch)

    assert settings["bind"] == ["0.0.0.0:8000"]
    assert (settings["workers"], settings["threads"], settings["timeout"]) == (3, 1, 30)
    assert settings["accesslog"] == "-"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GUNICORN_WORKERS": "many"}, "GUNICORN_WORKERS must be a whole number, not 'many'"),
        ({"GUNICORN_THREADS": "0"}, "GUNICORN_THREADS must be at least 1, not 0"),
        ({"GUNICORN_ACCESS_LOG": "maybe"}, "GUNICORN_ACCESS_LOG must be a boolean"),
    ],
)
def test_it_refuses_a_bad_value(monkeypatch, env, message):
    with pytest.raises(ValueError, match=message):
        gunicorn_settings(monkeypatch, **env)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_it_answers_the_healthcheck_under_gunicorn(tmp_path, monkeypatch):
    port = free_port()
    own = ("DJANGO_", "EDGEGUARD_", "GUNICORN_", "DATABASE_URL", "PORT")
    example = example_values()
    environment = {
        **{name: value for name, value in os.environ.items() if not name.startswith(own)},
        **example,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "EDGEGUARD_VAR_DIR": str(tmp_path),
        "EDGEGUARD_DEVTOOLS": "0",
        "CELERY_BROKER_URL": "memory://",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
    }
    # The image's CMD, bound to loopback here instead of every interface.
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dashboard.wsgi", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    monkeypatch.setenv("PORT", str(port))
    monkeypatch.setenv("ALLOWED_HOSTS", example["ALLOWED_HOSTS"])
    try:
        deadline = time.monotonic() + 60
        while probe.http("/healthz") and server.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        problem = probe.http("/healthz")
    finally:
        server.terminate()
        access_log, error_log = server.communicate(timeout=30)

    assert problem is None, error_log
    assert "Using worker: gthread" in error_log  # GUNICORN_THREADS=2, from gunicorn.conf.py
    assert '"GET /healthz HTTP/1.1" 200' in access_log


def test_the_build_context_leaves_out_secrets_state_and_development_code():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}

    assert {".env", "var", ".venv", ".git", "devtools", "tests"} <= ignored
