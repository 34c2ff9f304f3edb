"""SandboxServer: moto's server with the fidelity layer and the control endpoint, on a background thread."""

import threading
from types import TracebackType
from typing import Any, Self

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from . import control
from .certificates import DEFAULT_ACCOUNT, issue_certificate
from .faults import Faults
from .install import install
from .organization import seed_organization
from .runtime import DEFAULT_DEPLOY_SECONDS, RUNTIME
from .seed import seed_bulk
from .traffic import Traffic


class _QuietHandler(MotoRequestHandler):
    """moto's request handler without werkzeug's access log (one line per AWS call drowns the output)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class SandboxServer:
    """A local CloudFront (+ ACM, STS, IAM, Organizations, tagging) endpoint for boto3, the AWS CLI and tests.

    AWS state, faults and call counts are process-wide (moto's state is), so run one sandbox per process.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: str = "demo",
        deploy_seconds: float = DEFAULT_DEPLOY_SECONDS,
    ) -> None:
        self.host = host
        self.port = port
        self.seed = seed
        self.deploy_seconds = deploy_seconds
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> Self:
        """Reset and seed the state, then serve on a daemon thread; returns once the port is bound."""
        install()
        RUNTIME.set_deploy_seconds(self.deploy_seconds)
        control.reset(self.seed)
        app = control.ControlMiddleware(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(self.host, self.port, app, threaded=True, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="edgeguard-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (the AWS state stays until the next reset)."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        """What to pass to boto3 as ``endpoint_url`` (or export as AWS_ENDPOINT_URL)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def faults(self) -> Faults:
        """``throttle(action, per_second)``, ``fail_next(action, count, code)``, ``clear()``."""
        return RUNTIME.faults

    @property
    def traffic(self) -> Traffic:
        """CloudWatch's CloudFront metrics: ``break_on_update(distribution_id, rate_4xx)``, ``clear()``."""
        return RUNTIME.traffic

    def calls(self) -> dict[str, int]:
        """Requests received per AWS action (e.g. ``{"ListDistributions": 3}``) since the last reset."""
        return RUNTIME.calls.snapshot()

    def reset_calls(self) -> None:
        RUNTIME.calls.reset()

    def reset(self, seed: str = "none") -> dict[str, int]:
        """Wipe all accounts' state, faults and call counts; build ``seed``; return counts per account."""
        self.seed = seed
        return control.reset(seed)

    def set_deploy_seconds(self, seconds: float) -> None:
        """How long changes and invalidations stay InProgress (changes in flight included)."""
        RUNTIME.set_deploy_seconds(seconds)
        self.deploy_seconds = seconds

    def distribution_counts(self) -> dict[str, int]:
        """Distributions per account, for accounts that have any."""
        return control.fleet_counts()

    def seed_bulk(
        self, count: int, *, account: str = DEFAULT_ACCOUNT, prefix: str = "bulk", behaviors: int = 0
    ) -> list[str]:
        """Add ``count`` generic deployed distributions (``behaviors`` ordered behaviors each) to
        ``account``; return their ids."""
        with RUNTIME.lock:
            return seed_bulk(count, account=account, prefix=prefix, behaviors=behaviors)

    def seed_organization(self) -> dict[str, str]:
        """Make 123456789012 manage the demo organization (the demo seed does); return names by account id."""
        with RUNTIME.lock:
            return seed_organization()

    def issue_certificate(
        self,
        domain: str,
        sans: list[str] | tuple[str, ...] = (),
        *,
        account: str = DEFAULT_ACCOUNT,
        region: str = "us-east-1",
        status: str = "ISSUED",
    ) -> str:
        """Create an ACM certificate (ISSUED unless told otherwise) in any account/region; return its ARN."""
        return issue_certificate(domain, sans, account=account, region=region, status=status)
