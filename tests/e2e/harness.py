"""The end-to-end harness: real processes (`manage.py sandbox`, a Celery worker) and how tests see them.

Each process writes stdout and stderr to one log file, so a failing test can show what the process said.
Nothing here knows about pytest; conftest.py wires it into fixtures.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
# Seconds CloudFront (the sandbox) takes to deploy a change or complete an invalidation.
DEPLOY_SECONDS = 2
# Knobs of the worker process: poll fast, and a sweeper (and leases) that act within seconds.
WORKER_SETTINGS = {
    "EDGEGUARD_DEPLOY_POLL_SECONDS": "1",
    "EDGEGUARD_STUCK_SECONDS": "2",
    "EDGEGUARD_LEASE_SECONDS": "5",
    # Database connections kept between tasks, as deployed (settings.py's default).
    "DATABASE_CONN_MAX_AGE": "60",
}
CELERY = Path(sys.executable).with_name("celery")
SANDBOX_READY = re.compile(r"Sandbox ready at (http://127\.0\.0\.1:\d+)")
WORKER_READY = re.compile(r"\S+@\S+ ready\.")
AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Inherited variables that would send boto3 elsewhere, change moto's account, or make tasks run eagerly.
NOT_INHERITED = (
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "MOTO_ACCOUNT_ID",
    "CELERY_TASK_ALWAYS_EAGER",
)


@dataclass
class ServiceProcess:
    """A child process whose output goes to `log_path`."""

    name: str
    process: subprocess.Popen
    log_path: Path
    started: float = field(default_factory=time.monotonic)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_line(self, pattern: re.Pattern[str], timeout: float) -> re.Match[str]:
        """Wait until the log holds `pattern`; fail with the log if the process exits or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = pattern.search(self.log())
            if match:
                return match
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(
            f"{self.name} (exit code {self.process.poll()}) did not print {pattern.pattern!r} "
            f"within {timeout:.0f}s; its log:\n{self.log()}"
        )

    def stop(self, *, kill: bool = False, timeout: float = 20) -> None:
        """SIGTERM (a warm shutdown) or SIGKILL; SIGKILL anyway if it outlives `timeout`."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)


def spawn(name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> ServiceProcess:
    """Start `argv` from the repo root with its output in `log_dir/<name>.log`."""
    log_path = log_dir / f"{name}.log"
    with log_path.open("ab") as log:
        # Our own fixed argv (this venv's python or celery), never user input.
        process = subprocess.Popen(  # noqa: S603
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    return ServiceProcess(name=name, process=process, log_path=log_path)


def child_environment(**overrides: str) -> dict[str, str]:
    """This process's environment without what must not leak into a child, plus `overrides`."""
    env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
    env.update(PYTHONUNBUFFERED="1", DJANGO_SETTINGS_MODULE="dashboard.settings_test")
    env.update(overrides)
    return env


def start_sandbox(log_dir: Path, *, deploy_seconds: float, env: dict[str, str]) -> tuple[ServiceProcess, str]:
    """`manage.py sandbox` on a free port with an empty fleet; returns the process and its endpoint."""
    argv = [sys.executable, "manage.py", "sandbox", "--port", "0", "--seed", "none"]
    argv += ["--deploy-seconds", str(deploy_seconds)]
    sandbox = spawn("sandbox", argv, env, log_dir)
    return sandbox, _ready(sandbox, SANDBOX_READY).group(1)


def start_worker(log_dir: Path, *, name: str, env: dict[str, str]) -> ServiceProcess:
    """A Celery worker as production runs it (threads pool, no beat); returns once it is consuming."""
    argv = [str(CELERY), "-A", "dashboard", "worker", "--pool=threads", "--concurrency=4"]
    argv += ["--loglevel=INFO", f"--hostname={name}-{os.getpid()}@%h"]
    worker = spawn(name, argv, env, log_dir)
    _ready(worker, WORKER_READY)
    return worker


def _ready(service: ServiceProcess, pattern: re.Pattern[str]) -> re.Match[str]:
    """Wait for the ready line; a process that never gets ready is stopped, not left behind."""
    try:
        return service.wait_for_line(pattern, timeout=60)
    except BaseException:
        service.stop(kill=True)
        raise


def worker_database_url(settings_dict: dict[str, Any], database_url: str | None) -> str:
    """DATABASE_URL for a child process that must open the test database the suite just created."""
    name = str(settings_dict["NAME"])
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("the SQLite test database must be a file to be shared with a worker process")
        return f"sqlite:///{name}"
    if not database_url:
        raise RuntimeError("DATABASE_URL must be set for a non-SQLite database")
    return urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))


def control(endpoint: str, method: str, route: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Call the sandbox process's control endpoint (`/_sandbox/<route>`, docs/SANDBOX.md)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - our own loopback sandbox
        f"{endpoint}/_sandbox/{route}", data=data, method=method, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def wait_until(condition: Callable[[], Any], *, timeout: float, interval: float = 0.25, what: str) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@dataclass
class Workers:
    """The session's Celery worker: started on demand, restartable (a test may kill it), always stopped."""

    log_dir: Path
    env: dict[str, str]
    started: list[ServiceProcess]
    current: ServiceProcess | None = None

    def ensure(self) -> ServiceProcess:
        """The running worker, started anew if there is none (or the last one died)."""
        if self.current is None or self.current.process.poll() is not None:
            name = f"worker-{len(self.started) + 1}"
            self.current = start_worker(self.log_dir, name=name, env=self.env)
            self.started.append(self.current)
        return self.current

    def check_alive(self) -> None:
        """Fail at once, rather than at a timeout, if the worker is gone (a crash, or somebody's pkill)."""
        if self.current is None or self.current.process.poll() is not None:
            code = self.current.process.poll() if self.current else None
            raise AssertionError(f"the Celery worker process is not running (exit code {code})")

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost node would: no warm shutdown, nothing handed back."""
        if self.current is not None:
            self.current.stop(kill=True)

    def stop(self) -> None:
        if self.current is not None:
            self.current.stop()


@dataclass(frozen=True)
class LiveSandbox:
    """The sandbox process, seen from a test: boto3 clients and the call counts of its control endpoint."""

    endpoint: str

    def client(self, service: str = "cloudfront") -> Any:
        """A boto3 client in account 123456789012 that never retries: one call, one request."""
        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            config=Config(retries={"total_max_attempts": 1}),
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def calls(self) -> dict[str, int]:
        return control(self.endpoint, "GET", "calls")["calls"]

    def reset_calls(self) -> None:
        control(self.endpoint, "DELETE", "calls")
