"""Production smoke test: Edgeguard installed from requirements.txt alone, run as in production, driven
through its API, with Redis restarted and the worker killed in the middle of changes.

It follows the README's "Running against real AWS" path step by step, with the local CloudFront sandbox as
the AWS endpoint (AWS_ENDPOINT_URL) instead of real credentials:

 1. a fresh virtualenv with the runtime requirements only (moto must not import);
 2. collectstatic with the manifest storage, `check --deploy` clean (behind a TLS proxy: SECURE_PROXY=1);
 3. migrate, the first users and their API tokens;
 4. gunicorn (DEBUG=0), a Celery worker (restarted when it exits, as compose's restart policy does) and
    beat, on PostgreSQL and a Redis server of its own;
 5. the first sync registers the credential chain's account; through the API the second account is added,
    its connection tested and synced;
 6. a change goes from one token to completed with another's approval while Redis is restarted (and
    /readyz answers 503 while it is down); a second one completes although the worker is SIGKILLed.

Run by .ci/run with the development virtualenv's Python (the sandbox is a development tool). Prints its
figures and a closing "smoke: N passed, N failed" line; exits non-zero on the first failure.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_PYTHON = ROOT / ".venv" / "bin" / "python"
PG_ADMIN_URL = os.environ.get("SMOKE_PG_URL", "postgres://postgres@127.0.0.1:5432")
SECOND_ACCOUNT = "210987654321"
SECOND_ROLE = f"arn:aws:iam::{SECOND_ACCOUNT}:role/EdgeguardSandbox"
CHECKLIST = {"path_patterns": True, "behavior_order": True, "origins": True}

passed: list[str] = []
figures: dict[str, str] = {}


def step(name: str) -> None:
    passed.append(name)
    print(f"smoke: ok  {name}", flush=True)


LOGS: list[Stack] = []


def fail(message: str) -> None:
    for stack in LOGS:
        for name in ("web", "worker", "beat", "sandbox"):
            print(f"--- {name}.log (last lines)\n{stack.tail(name)}", flush=True)
    print(f"smoke: FAILED {message}", flush=True)
    print(f"smoke: {len(passed)} passed, 1 failed", flush=True)
    raise SystemExit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what: str, predicate, timeout: float, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (OSError, urllib.error.URLError, ValueError):
            value = None
        if value:
            return value
        time.sleep(interval)
    fail(f"timed out after {timeout:.0f}s waiting for {what}")


class Stack:
    """The processes of the smoke test, each logging to a file under the work directory."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.processes: dict[str, subprocess.Popen] = {}
        self.keep_worker = True

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = open(self.work / f"{name}.log", "ab")
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes[name] = process
        return process

    def supervise_worker(self, argv: list[str], env: dict[str, str]) -> None:
        """Start the worker again whenever it exits (compose: restart: unless-stopped)."""

        def loop() -> None:
            while self.keep_worker:
                self.start("worker", argv, env).wait()
                if self.keep_worker:
                    figures.setdefault("worker restarts", "0")
                    figures["worker restarts"] = str(int(figures["worker restarts"]) + 1)
                    time.sleep(1)

        threading.Thread(target=loop, daemon=True).start()

    def stop(self) -> None:
        self.keep_worker = False
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def tail(self, name: str, lines: int = 40) -> str:
        path = self.work / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


class Api:
    """The API as a tool would call it, through the TLS proxy Edgeguard is configured to sit behind."""

    def __init__(self, base: str, token: str | None = None) -> None:
        self.base, self.token = base, token

    def call(self, method: str, path: str, body: dict | None = None, expect: int | None = None):
        headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, payload = error.code, error.read()
        parsed = json.loads(payload) if payload[:1] in (b"{", b"[") else payload.decode(errors="replace")
        if expect is not None and status != expect:
            fail(f"{method} {path}: expected {expect}, got {status}: {str(parsed)[:500]}")
        return status, parsed


def runtime_venv(work: Path) -> Path:
    venv = work / "venv"
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    hashed = "--hash=" in (ROOT / "requirements.txt").read_text()
    subprocess.run(
        [*pip, *(["--require-hashes"] if hashed else []), "-r", "requirements.txt"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    figures["runtime install"] = f"{time.monotonic() - started:.0f} s"
    listed = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"], capture_output=True, check=True
    )
    figures["runtime packages"] = str(len(json.loads(listed.stdout)))
    moto = subprocess.run([str(venv / "bin" / "python"), "-c", "import moto"], capture_output=True)
    if moto.returncode == 0:
        fail("moto imports in the runtime virtualenv: the image would carry the sandbox")
    step(f"runtime virtualenv from requirements.txt ({figures['runtime packages']} packages, no moto)")
    return venv


def fresh_database() -> str:
    name = f"edgeguard_smoke_{os.getpid()}"
    for sql in (f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"'):
        subprocess.run(["psql", PG_ADMIN_URL + "/postgres", "-qc", sql], check=True)
    return name


def main() -> None:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="edgeguard-smoke-"))
    stack = Stack(work)
    LOGS.append(stack)
    database = None
    try:
        venv = runtime_venv(work)
        python, bin_dir = str(venv / "bin" / "python"), venv / "bin"
        redis_port, sandbox_port, web_port = free_port(), free_port(), free_port()
        database = fresh_database()
        redis_argv = ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
        stack.start("redis", redis_argv, dict(os.environ))
        wait_for(
            "redis",
            lambda: (
                subprocess.run(["redis-cli", "-p", str(redis_port), "ping"], capture_output=True).returncode
                == 0
            ),
            20,
        )

        sandbox_env = {**os.environ, "DEBUG": "1", "EDGEGUARD_VAR_DIR": str(work / "sandbox")}
        sandbox_argv = [
            str(DEV_PYTHON),
            "manage.py",
            "sandbox",
            "--port",
            str(sandbox_port),
            "--seed",
            "demo",
        ]
        stack.start("sandbox", [*sandbox_argv, "--deploy-seconds", "3"], sandbox_env)

        env = {
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/root"),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"{PG_ADMIN_URL}/{database}",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{redis_port}/0",
            "CACHE_URL": f"redis://127.0.0.1:{redis_port}/1",
            "SECURE_PROXY": "1",
            "SECURE_SSL_REDIRECT": "1",
            "EDGEGUARD_VAR_DIR": str(work / "var"),
            "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{sandbox_port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "EDGEGUARD_DEPLOY_POLL_SECONDS": "2",
            "EDGEGUARD_SYNC_INTERVAL_SECONDS": "3600",
            "EDGEGUARD_STUCK_SECONDS": "15",
            "EDGEGUARD_SWEEP_INTERVAL_SECONDS": "5",
            "EDGEGUARD_LEASE_SECONDS": "10",
            "PORT": str(web_port),
            "GUNICORN_WORKERS": "2",
        }
        manage = [python, "manage.py"]

        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        check = subprocess.run(
            [*manage, "check", "--deploy", "--fail-level", "WARNING"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        if check.returncode != 0:
            fail(f"check --deploy is not clean:\n{check.stdout}{check.stderr}")
        step("collectstatic (manifest) and check --deploy clean")

        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        users = subprocess.run(
            [*manage, "shell", "-c", USERS_SCRIPT],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        tokens = json.loads(users.stdout.strip().splitlines()[-1])
        step("migrate, users and their API tokens")

        wait_for("the sandbox", lambda: socket.create_connection(("127.0.0.1", sandbox_port), 1), 60)
        conf = (
            ["-c", "gunicorn.conf.py"]
            if (ROOT / "gunicorn.conf.py").exists()
            else ["--bind", f"127.0.0.1:{web_port}", "--workers", "2"]
        )
        stack.start("web", [str(bin_dir / "gunicorn"), "dashboard.wsgi", *conf], env)
        celery = [str(bin_dir / "celery"), "-A", "dashboard"]
        stack.supervise_worker([*celery, "worker", "--loglevel", "INFO", "--concurrency", "2"], env)
        schedule = str(work / "var" / "celerybeat-schedule")
        stack.start("beat", [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule], env)
        base = f"http://127.0.0.1:{web_port}"
        anonymous = Api(base)
        wait_for("gunicorn", lambda: anonymous.call("GET", "/healthz")[0] == 200, 60)
        status, body = anonymous.call("GET", "/readyz")
        if status != 200:
            fail(f"/readyz answered {status}: {body}")
        step("gunicorn (DEBUG=0), worker and beat up; /readyz 200")

        admin, requester, approver = (Api(base, tokens[name]) for name in ("admin", "alice", "bob"))
        sync = subprocess.run(
            [*manage, "sync_distributions"], cwd=ROOT, env=env, capture_output=True, text=True
        )
        if sync.returncode != 0:
            fail(f"sync_distributions failed:\n{sync.stdout}{sync.stderr}")
        step("first sync registered the credential chain's account")

        _, account = admin.call(
            "POST",
            "/api/v1/accounts/",
            {"name": "second", "account_id": SECOND_ACCOUNT, "role_arn": SECOND_ROLE},
            expect=201,
        )
        _, checked = admin.call("POST", f"/api/v1/accounts/{account['id']}/test/", {}, expect=200)
        if not checked["ok"]:
            fail(f"test connection failed: {checked}")
        admin.call("POST", "/api/v1/sync-runs/start/", {"account": "second"}, expect=202)

        def synced():
            _, runs = admin.call("GET", "/api/v1/sync-runs/?account=second&status=succeeded")
            return runs["count"] > 0

        wait_for("the second account's sync", synced, 90)
        step("second account added, connection tested, synced through the API")

        _, listing = requester.call(
            "GET", "/api/v1/distributions/?account=second&serves_http=true&enabled=true"
        )
        candidates = [
            d
            for d in listing["results"]
            if any(b["viewer_protocol_policy"] == "allow-all" for b in d["behaviors"])
        ]
        if len(candidates) < 2:
            fail(f"expected two distributions serving HTTP in the second account, got {len(candidates)}")

        def change_for(distribution: dict) -> dict:
            edits = [
                {
                    "kind": "set_viewer_protocol_policy",
                    "path_pattern": b["path_pattern"],
                    "policy": "redirect-to-https",
                }
                for b in distribution["behaviors"]
                if b["viewer_protocol_policy"] == "allow-all"
            ]
            body = {
                "title": "Redirect HTTP to HTTPS",
                "items": [{"distribution": distribution["distribution_id"], "edits": edits}],
            }
            _, change = requester.call("POST", "/api/v1/change-requests/", body, expect=201)
            _, change = requester.call(
                "POST",
                f"/api/v1/change-requests/{change['id']}/submit/",
                {"checklist": CHECKLIST},
                expect=200,
            )
            return change

        def approve(change: dict) -> float:
            """The second person approves the plan they reviewed; returns when, for the recovery figures."""
            path = f"/api/v1/change-requests/{change['id']}/approve/"
            approver.call("POST", path, {"plan_hash": change["plan_hash"]}, expect=200)
            return time.monotonic()

        def status_of(change_id: int) -> str:
            return requester.call("GET", f"/api/v1/change-requests/{change_id}/")[1]["status"]

        def finished(change_id: int):
            status = status_of(change_id)
            return status if status in ("completed", "failed", "conflict") else None

        # A change with Redis restarted right after its approval, /readyz 503 while Redis is down.
        change = change_for(candidates[0])
        approved_at = approve(change)
        subprocess.run(["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], capture_output=True)
        stack.processes["redis"].wait(timeout=10)
        down = wait_for("/readyz 503 with Redis down", lambda: anonymous.call("GET", "/readyz")[0] == 503, 20)
        # Reads keep answering while Redis is down (the throttle's cache is unreachable).
        requester.call("GET", f"/api/v1/change-requests/{change['id']}/", expect=200)
        time.sleep(3)
        stack.start("redis", redis_argv, dict(os.environ))
        result = wait_for(
            "the change to finish after the Redis restart", lambda: finished(change["id"]), 300, 1
        )
        if result != "completed" or not down:
            fail(f"change #{change['id']} ended {result} after the Redis restart")
        figures["approval to completed, Redis restarted"] = f"{time.monotonic() - approved_at:.0f} s"
        wait_for("/readyz 200 again", lambda: anonymous.call("GET", "/readyz")[0] == 200, 30)
        step(f"change #{change['id']} completed across a Redis restart; /readyz 503 then 200")

        # A change whose worker is SIGKILLed while it applies.
        change = change_for(candidates[1])
        approved_at = approve(change)
        wait_for(
            "the change to start",
            lambda: status_of(change["id"]) in ("applying", "deploying", "completed"),
            60,
            0.2,
        )
        worker = stack.processes["worker"]
        worker.send_signal(signal.SIGKILL)
        result = wait_for(
            "the change to finish after the worker was killed", lambda: finished(change["id"]), 300, 1
        )
        if result != "completed":
            fail(f"change #{change['id']} ended {result} after the worker was killed")
        figures["approval to completed, worker SIGKILLed"] = f"{time.monotonic() - approved_at:.0f} s"
        step(f"change #{change['id']} completed although its worker was killed")
    except subprocess.CalledProcessError as error:
        fail(f"{error.cmd}: exit {error.returncode}\n{getattr(error, 'stderr', '') or ''}")
    except (KeyError, TypeError, ValueError) as error:
        fail(f"an answer did not have the expected shape: {error!r}")
    finally:
        stack.stop()
        if database:
            subprocess.run(
                ["psql", PG_ADMIN_URL + "/postgres", "-qc", f'DROP DATABASE IF EXISTS "{database}"'],
                capture_output=True,
            )
        shutil.rmtree(work, ignore_errors=True)
    figures["smoke test"] = f"{time.monotonic() - started:.0f} s"
    for name, value in figures.items():
        print(f"smoke: figure  {name}: {value}", flush=True)
    print(f"smoke: {len(passed)} passed, 0 failed", flush=True)


# Run by `manage.py shell` in the runtime virtualenv: the README's step "create the first users".
USERS_SCRIPT = """
import json
from django.contrib.auth.models import Group, User
from distributions.services.tokens import api_token_create
secrets = {}
for name, role in (("admin", "admin"), ("alice", "requester"), ("bob", "approver")):
    user = User.objects.create_user(name, f"{name}@example.com", None)
    user.groups.add(Group.objects.get(name=role))
    secrets[name] = api_token_create(user=user, name="smoke")[1]
print(json.dumps(secrets))
"""

if __name__ == "__main__":
    main()
