"""`manage.py rundemo`: the whole product on the embedded default, in one command (what `make run` runs).

Starts the CloudFront sandbox seeded with the demo fleet, registers its accounts and the demo users, runs
a first sync, opens the demo change and reads its distribution's logs (its review shows the impact), then
runs a Celery worker (with beat) and the web server until Ctrl-C, which stops them all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import demo_change_logs_read, demo_change_seed, demo_setup
from distributions.services.traffic import traffic_ingest_due

READY_TIMEOUT_SECONDS = 60
# A crashed worker or web server is started again (the sandbox holds the demo state: its crash stops all),
# unless it keeps crashing.
RESTARTABLE = ("worker", "web")
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 300


class _Child(subprocess.Popen):
    """A process rundemo started, with the name its messages give it and the argv to start it again."""

    name: str
    argv: list[str]


class Command(BaseCommand):
    help = "Run sandbox + worker + beat + web server together on the embedded default (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="web server port (default 8000)")
        parser.add_argument("--sandbox-port", type=int, default=5055, help="sandbox port (default 5055)")
        parser.add_argument("--deploy-seconds", type=int, default=20, help="sandbox deployment delay")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("rundemo runs the demo set-up and is only for DEBUG=1 (make run sets it).")
        self.children: list[_Child] = []
        self.restarts: dict[str, list[float]] = {}
        signal.signal(signal.SIGTERM, lambda *_: self._stop(0))
        try:
            endpoint = self._start_sandbox(options["sandbox_port"], options["deploy_seconds"])
            # The sandbox deploys in seconds, not minutes: poll it accordingly (unless told otherwise).
            os.environ.setdefault("EDGEGUARD_DEPLOY_POLL_SECONDS", "3")
            os.environ.setdefault("EDGEGUARD_SYNC_INTERVAL_SECONDS", "60")
            os.environ.update(
                {
                    "AWS_ENDPOINT_URL": endpoint,
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_DEFAULT_REGION": "us-east-1",
                }
            )
            users = demo_setup()
            call_command("sync_distributions", stdout=self.stdout, stderr=self.stderr)
            # A change awaiting approval whose review shows its impact at once: its distribution's logs are
            # read here; the sandbox wrote a week of them, and the worker reads the rest when it starts.
            change = demo_change_seed()
            if change is not None:
                self.stdout.write(f"Demo change #{change.pk} awaits approval: /changes/{change.pk}/")
            self.stdout.write(
                f"Access logs: {demo_change_logs_read()} distribution-days read for the demo change"
            )
            days = traffic_ingest_due()
            self.stdout.write(f"Access logs: {days} distribution-days queued for reading")
            self._spawn(
                "worker",
                [
                    *self._celery(),
                    "worker",
                    "--beat",
                    "--pool=threads",
                    "--concurrency=4",
                    "--loglevel=INFO",
                    "--schedule",
                    settings.CELERY_BEAT_SCHEDULE_FILENAME,
                ],
            )
            self._spawn(
                "web",
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{options['port']}"],
            )
            self._banner(options["port"], endpoint, users)
            self._wait()
        except KeyboardInterrupt:
            pass
        finally:
            self._stop(None)

    def _celery(self) -> list[str]:
        return [str(Path(sys.executable).with_name("celery")), "-A", "dashboard"]

    def _spawn(self, name: str, argv: list[str], **kwargs) -> _Child:
        # Our own fixed argv (this Python, manage.py, celery), never user input.
        process = _Child(argv, cwd=settings.BASE_DIR, env=os.environ.copy(), **kwargs)
        process.name = name
        process.argv = argv
        self.children.append(process)
        return process

    def _restart(self, process: _Child) -> bool:
        """Start a crashed worker or web server again, as compose's restart policy does in production;
        False once it crashed RESTART_LIMIT times within RESTART_WINDOW_SECONDS (something is wrong)."""
        now = time.monotonic()
        recent = [t for t in self.restarts.get(process.name, []) if now - t < RESTART_WINDOW_SECONDS]
        if process.name not in RESTARTABLE or len(recent) >= RESTART_LIMIT:
            return False
        self.restarts[process.name] = [*recent, now]
        self.stderr.write(f"{process.name} exited with code {process.returncode}; starting it again.")
        self.children.remove(process)
        self._spawn(process.name, process.argv)
        return True

    def _start_sandbox(self, port: int, deploy_seconds: int) -> str:
        process = self._spawn(
            "sandbox",
            [
                sys.executable,
                "manage.py",
                "sandbox",
                "--port",
                str(port),
                "--seed",
                "demo",
                "--deploy-seconds",
                str(deploy_seconds),
                "--access-logs-days",
                "7",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None  # stdout=PIPE above
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                raise CommandError(f"The sandbox exited before it was ready (exit code {process.poll()}).")
            self.stdout.write(line.rstrip())
            if "ready" in line.lower():
                # Keep draining its output so the pipe never fills and blocks it.
                threading.Thread(target=process.stdout.read, daemon=True).start()
                return f"http://127.0.0.1:{port}"
        raise CommandError("The sandbox did not report ready in time.")

    def _banner(self, port: int, endpoint: str, users) -> None:
        lines = [
            "",
            f"Edgeguard is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)",
            f"CloudFront sandbox: {endpoint}  (AWS_ENDPOINT_URL={endpoint}, any credentials)",
            "Demo users:",
            *[f"  {u.username:8} {u.password:24} {u.role}" for u in users],
            "",
        ]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def _wait(self) -> None:
        while True:
            for process in self.children:
                if process.poll() is not None:
                    # Ctrl-C reaches every process of the group at once; a child may notice first. Give
                    # our own KeyboardInterrupt the moment to arrive before calling it a crash.
                    time.sleep(1)
                    if self._restart(process):
                        break
                    raise CommandError(f"{process.name} exited with code {process.returncode}; stopping.")
            time.sleep(0.5)

    def _stop(self, exit_code: int | None) -> None:
        for process in self.children:
            if process.poll() is None:
                process.terminate()
        for process in self.children:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        self.children = []
        if exit_code is not None:
            sys.exit(exit_code)
