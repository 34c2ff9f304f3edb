"""The containers' health probes (dashboard/probe.py): what Docker marks healthy, and why not."""

import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashboard import probe


class _Answers(BaseHTTPRequestHandler):
    """/ok answers 200, /moved redirects (as SECURE_SSL_REDIRECT does), anything else 503."""

    seen: list[dict[str, str]] = []

    def do_GET(self):
        self.seen.append(dict(self.headers))
        if self.path == "/ok":
            self.send_response(200)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "https://localhost/ok")
        else:
            self.send_response(503)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def web(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Answers)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PORT", str(server.server_address[1]))
    _Answers.seen.clear()
    yield _Answers.seen
    server.shutdown()
    server.server_close()


def test_it_is_healthy_when_the_path_answers_200(web, monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", ".example.com,localhost")

    assert probe.main(["http", "/ok"]) == 0
    # A host Django accepts, and the scheme a TLS-terminating proxy would pass on.
    assert web[0]["Host"] == "example.com"
    assert web[0]["X-Forwarded-Proto"] == "https"


def test_it_reports_a_redirect_instead_of_following_it(web, capsys):
    assert probe.main(["http", "/moved"]) == 1
    assert "answered 301" in capsys.readouterr().err


def test_it_reports_an_error_status(web, capsys):
    assert probe.main(["http", "/readyz"]) == 1
    assert "answered 503" in capsys.readouterr().err


def test_it_reports_a_server_that_is_not_there(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "9")  # the discard port: nothing listens on it here

    assert probe.main(["http", "/healthz"]) == 1
    assert "http://127.0.0.1:9/healthz" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["", ".db", ".dat"])
def test_it_is_healthy_while_beat_writes_its_schedule(tmp_path, monkeypatch, suffix):
    monkeypatch.setenv("EDGEGUARD_VAR_DIR", str(tmp_path))
    (tmp_path / f"celerybeat-schedule{suffix}").write_bytes(b"")

    assert probe.main(["beat"]) == 0


def test_it_reports_a_schedule_beat_stopped_writing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGEGUARD_VAR_DIR", str(tmp_path))
    schedule = tmp_path / "celerybeat-schedule"
    schedule.write_bytes(b"")
    an_hour_ago = time.time() - 3600
    os.utime(schedule, (an_hour_ago, an_hour_ago))

    assert probe.main(["beat"]) == 1
    assert "last written 3600 s ago" in capsys.readouterr().err


def test_it_reports_a_beat_that_never_started(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("EDGEGUARD_VAR_DIR", str(tmp_path))

    assert probe.main(["beat"]) == 1
    assert "beat has not started" in capsys.readouterr().err


def test_it_explains_its_usage(capsys):
    assert probe.main(["ping"]) == 2
    assert "python -m dashboard.probe http /healthz" in capsys.readouterr().err
