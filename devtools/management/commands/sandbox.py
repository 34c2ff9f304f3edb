"""``manage.py sandbox``: serve the local CloudFront sandbox until SIGINT or SIGTERM."""

import signal
import threading
from datetime import UTC, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.sandbox import SEEDS, SandboxServer
from devtools.sandbox.access_logs import write_access_logs
from devtools.sandbox.seed import DEMO_ACCOUNTS


class Command(BaseCommand):
    help = "Serve a faithful local CloudFront (+ ACM, STS, tagging) endpoint for boto3 and the AWS CLI."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5055, help="0 picks a free port")
        parser.add_argument("--seed", choices=SEEDS, default="demo")
        parser.add_argument(
            "--deploy-seconds", type=float, default=5.0, help="how long changes stay InProgress"
        )
        parser.add_argument(
            "--access-logs-days",
            type=int,
            default=0,
            help="write this many days (before today) of standard access logs for the demo fleet to S3",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        # The signal handlers only set the event: stopping the server from inside a handler could deadlock.
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        server = SandboxServer(
            host=options["host"],
            port=options["port"],
            seed=options["seed"],
            deploy_seconds=options["deploy_seconds"],
        ).start()
        if options["access_logs_days"] and server.seed == "demo":
            written = write_access_logs(
                today=datetime.now(UTC).date(), days=options["access_logs_days"], accounts=DEMO_ACCOUNTS
            )
            files = sum(w.files for w in written.values())
            self.stdout.write(f"Access logs: {files} files for {len(written)} distributions in S3")
        try:
            self.stdout.write(_ready_line(server))
            self.stdout.flush()
            while not stop.wait(0.5):
                pass
        finally:
            server.stop()


def _ready_line(server: SandboxServer) -> str:
    counts = server.distribution_counts()
    seconds = server.deploy_seconds
    deploy = f"{int(seconds)}s" if float(seconds).is_integer() else f"{seconds}s"
    return (
        f"Sandbox ready at {server.endpoint_url} (seed: {server.seed}, {sum(counts.values())} distributions "
        f"in {len(counts)} accounts, deploy {deploy})"
    )
