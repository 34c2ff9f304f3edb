"""The sandbox's control plane: reset, seed, faults, call counts, deployment time, certificates, organization.

The same operations back the Python API (SandboxServer) and the JSON endpoint under ``/_sandbox/`` that a
separate sandbox process exposes, so tests and demos drive either the same way.
"""

import json
from collections.abc import Callable, Iterable
from typing import Any, cast

from .backend import SANDBOX_BACKENDS, SandboxCloudFrontBackend
from .certificates import DEFAULT_ACCOUNT, issue_certificate
from .install import reset_state
from .organization import seed_organization
from .runtime import RUNTIME
from .seed import seed, seed_bulk

PREFIX = "/_sandbox"
StartResponse = Callable[..., Any]


def reset(seed_name: str = "none") -> dict[str, int]:
    """Wipe all AWS state, faults and call counts, then build ``seed_name``; return counts per account."""
    reset_state()
    with RUNTIME.lock:
        return seed(seed_name)


def fleet_counts() -> dict[str, int]:
    """How many distributions each account holds (accounts with none are left out)."""
    with RUNTIME.lock:
        # moto annotates iter_backends as yielding BaseBackend; it yields this dict's own backend class.
        counts = {
            account: len(cast(SandboxCloudFrontBackend, backend).records)
            for account, _partition, backend in SANDBOX_BACKENDS.iter_backends()
        }
    return {account: count for account, count in sorted(counts.items()) if count}


def state() -> dict[str, Any]:
    """Everything the control endpoint reports on ``GET /_sandbox/state``."""
    return {
        "seed": RUNTIME.seed,
        "deploy_seconds": RUNTIME.deploy_seconds,
        "distributions": fleet_counts(),
        "faults": RUNTIME.faults.describe(),
        "traffic": RUNTIME.traffic.describe(),
        "calls": RUNTIME.calls.snapshot(),
    }


class ControlMiddleware:
    """Answer ``/_sandbox/...`` with JSON; pass every other request to moto."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app
        self.routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "/state"): lambda body: state(),
            ("GET", "/calls"): lambda body: {"calls": RUNTIME.calls.snapshot()},
            ("DELETE", "/calls"): self._reset_calls,
            ("GET", "/faults"): lambda body: RUNTIME.faults.describe(),
            ("POST", "/faults"): self._add_fault,
            ("DELETE", "/faults"): self._clear_faults,
            ("POST", "/reset"): lambda body: {"distributions": reset(body.get("seed", "none"))},
            ("POST", "/deploy-seconds"): self._set_deploy_seconds,
            ("POST", "/certificates"): self._issue_certificate,
            ("POST", "/bulk"): self._bulk,
            ("POST", "/organization"): self._organization,
        }

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if not path.startswith(PREFIX):
            return self.app(environ, start_response)
        route = self.routes.get((environ["REQUEST_METHOD"], path[len(PREFIX) :].rstrip("/")))
        if route is None:
            return _json(start_response, "404 Not Found", {"error": f"no control route {path}"})
        try:
            return _json(start_response, "200 OK", route(_read_json(environ)))
        except (ValueError, KeyError, TypeError) as error:
            return _json(start_response, "400 Bad Request", {"error": str(error)})

    @staticmethod
    def _reset_calls(body: dict[str, Any]) -> dict[str, Any]:
        RUNTIME.calls.reset()
        return {"calls": {}}

    @staticmethod
    def _clear_faults(body: dict[str, Any]) -> dict[str, Any]:
        RUNTIME.faults.clear()
        RUNTIME.traffic.clear()
        return RUNTIME.faults.describe()

    @staticmethod
    def _add_fault(body: dict[str, Any]) -> dict[str, Any]:
        # Any of {"throttle": {"action": ..., "per_second": ...}},
        # {"rate_limit": {"account": ..., "per_second": ...}}, {"fail_next": {"action": ..., "count": ...}},
        # {"break_on_update": {"distribution_id": ..., "rate_4xx": 40}},
        # {"latency": {"seconds": 0.1, "actions": [...]}}
        if not {"throttle", "rate_limit", "fail_next", "break_on_update", "latency"} & set(body):
            raise ValueError(
                "send {'throttle': {...}}, {'rate_limit': {...}}, {'fail_next': {...}}, "
                "{'break_on_update': {...}} or {'latency': {...}}"
            )
        if "latency" in body:
            RUNTIME.faults.latency(**body["latency"])
        if "break_on_update" in body:
            RUNTIME.traffic.break_on_update(**body["break_on_update"])
        if "rate_limit" in body:
            RUNTIME.faults.rate_limit(**body["rate_limit"])
        if "throttle" in body:
            RUNTIME.faults.throttle(**body["throttle"])
        if "fail_next" in body:
            RUNTIME.faults.fail_next(**body["fail_next"])
        return RUNTIME.faults.describe()

    @staticmethod
    def _set_deploy_seconds(body: dict[str, Any]) -> dict[str, Any]:
        RUNTIME.set_deploy_seconds(float(body["seconds"]))
        return {"deploy_seconds": RUNTIME.deploy_seconds}

    @staticmethod
    def _issue_certificate(body: dict[str, Any]) -> dict[str, Any]:
        arn = issue_certificate(
            body["domain"],
            body.get("sans", []),
            account=body.get("account", DEFAULT_ACCOUNT),
            region=body.get("region", "us-east-1"),
            status=body.get("status", "ISSUED"),
        )
        return {"arn": arn}

    @staticmethod
    def _organization(body: dict[str, Any]) -> dict[str, Any]:
        with RUNTIME.lock:
            return {"accounts": seed_organization()}

    @staticmethod
    def _bulk(body: dict[str, Any]) -> dict[str, Any]:
        with RUNTIME.lock:
            ids = seed_bulk(
                int(body["count"]),
                account=body.get("account", DEFAULT_ACCOUNT),
                prefix=body.get("prefix", "bulk"),
                behaviors=int(body.get("behaviors", 0)),
            )
        return {"ids": ids}


def _read_json(environ: dict[str, Any]) -> dict[str, Any]:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    if not length:
        return {}
    body = json.loads(environ["wsgi.input"].read(length) or b"{}")
    if not isinstance(body, dict):
        raise ValueError("the request body must be a JSON object")
    return body


def _json(start_response: StartResponse, status: str, payload: Any) -> list[bytes]:
    body = json.dumps(payload, sort_keys=True).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]
