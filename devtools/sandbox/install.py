"""Wire the sandbox into moto, process-wide, and reset everything moto and the sandbox hold.

moto looks its backends up through module attributes and its URL tables through ``urls.url_paths``; both are
patched in place so moto's server, and any direct moto use in the same process (``mock_aws``), reach the same
fidelity backend and the same state. Installing twice is harmless.
"""

import threading

import moto.acm.urls
import moto.cloudfront
import moto.cloudfront.models
import moto.cloudfront.responses
import moto.cloudfront.urls
import moto.cloudwatch.urls
import moto.iam.urls
import moto.organizations.urls
import moto.resourcegroupstaggingapi.urls
import moto.sts.urls
from moto.core.responses import BaseResponse
from moto.moto_api._internal.models import moto_api_backend

from .backend import SANDBOX_BACKENDS
from .organization import SandboxOrganizationsResponse, forget_memberships
from .responses import InstrumentedResponse, SandboxCloudFrontResponse
from .runtime import RUNTIME
from .traffic import install_metrics

_installed = False
_install_lock = threading.Lock()


def install() -> None:
    """Route CloudFront to the fidelity backend, Organizations through its refusals, count/fault ACM,
    STS, IAM, tagging and CloudWatch calls too, and serve CloudFront's metrics (traffic.py)."""
    global _installed
    with _install_lock:
        if _installed:
            return
        for module in (moto.cloudfront, moto.cloudfront.models, moto.cloudfront.responses):
            module.cloudfront_backends = SANDBOX_BACKENDS  # type: ignore[attr-defined]
        _route(moto.cloudfront.urls, SandboxCloudFrontResponse)
        _route(moto.organizations.urls, SandboxOrganizationsResponse)
        urls_tables = (moto.acm.urls, moto.sts.urls, moto.iam.urls, moto.resourcegroupstaggingapi.urls)
        for urls in (*urls_tables, moto.cloudwatch.urls):
            _instrument(urls)
        install_metrics(RUNTIME.traffic)
        _installed = True


def _route(urls: object, response_class: type[BaseResponse]) -> None:
    table = urls.url_paths  # type: ignore[attr-defined]
    for path in table:
        table[path] = response_class.dispatch


def _instrument(urls: object) -> None:
    table = urls.url_paths  # type: ignore[attr-defined]
    for path, handler in table.items():
        original = getattr(handler, "__self__", None)  # a bound classmethod: BaseResponse.dispatch
        if not isinstance(original, type) or issubclass(original, InstrumentedResponse):
            continue
        instrumented: type[BaseResponse] = type(
            f"Sandbox{original.__name__}", (InstrumentedResponse, original), {}
        )
        table[path] = instrumented.dispatch


def reset_state() -> None:
    """Forget every AWS resource in every account, every fault and every call count."""
    install()
    with RUNTIME.lock:
        moto_api_backend.reset()
        forget_memberships()
        RUNTIME.faults.clear()
        RUNTIME.traffic.clear()
        RUNTIME.calls.reset()
