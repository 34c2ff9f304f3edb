"""The client's address behind trusted reverse proxies.

Behind N proxies that each append the address they received from to X-Forwarded-For, the client is the
N-th address from the right; anything further left was written by the client and may be a lie. With
TRUSTED_PROXY_HOPS = 0 (no proxy) the header is ignored entirely. This middleware runs first and puts the
result in REMOTE_ADDR, which is the only address the rest of Edgeguard reads: the audit log
(`Actor.from_request`), login lock-outs (django-axes) and the API's throttle (DRF, NUM_PROXIES = 0).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def client_address(remote_addr: str | None, forwarded_for: str | None, hops: int) -> str | None:
    """The client's address given the socket's peer, the X-Forwarded-For header and the trusted hops."""
    if hops <= 0 or not forwarded_for:
        return remote_addr
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    if len(chain) < hops:
        # Fewer entries than proxies: the request did not come through all of them; trust the peer only.
        return remote_addr
    candidate = chain[-hops]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote_addr


class TrustedProxyMiddleware:
    """Set REMOTE_ADDR to the client's address per TRUSTED_PROXY_HOPS (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.hops = settings.TRUSTED_PROXY_HOPS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.hops:
            request.META["REMOTE_ADDR"] = client_address(
                request.META.get("REMOTE_ADDR"), request.META.get("HTTP_X_FORWARDED_FOR"), self.hops
            )
        return self.get_response(request)
