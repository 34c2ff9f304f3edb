"""Who may call what: the UI's roles (distributions.roles.can), and a request budget per client.

Reads need the `view` capability. Writes to change requests are checked by the services themselves (the
same checks the HTML views rely on: role, requester, self-approval), so this layer only asks for `view`
there; actions without a service (starting a sync) name their capability on the view.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from distributions.roles import can

if TYPE_CHECKING:
    # DRF imports this module while rest_framework.views is still loading (DEFAULT_PERMISSION_CLASSES).
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class RolePermission(BasePermission):
    """Authenticated, with the `view` capability, plus the view's `required_capabilities[action]` if any."""

    message = "Your role does not allow this. Ask an admin for the role you need."

    def has_permission(self, request: Request, view: APIView) -> bool:
        if not can(request.user, "view"):
            return False
        required = getattr(view, "required_capabilities", {}).get(getattr(view, "action", None))
        return required is None or can(request.user, required)


class ClientRateThrottle(SimpleRateThrottle):
    """A request budget per client: each token has its own, the browser session shares its user's.

    The rate (settings.EDGEGUARD_API_THROTTLE_RATE) is read per request rather than at import, as DRF's
    class attribute would be, so it can be changed in settings and in tests.
    """

    scope = "client"

    def get_rate(self) -> str:
        return settings.EDGEGUARD_API_THROTTLE_RATE

    def allow_request(self, request: Request, view: APIView) -> bool:
        # The counters live in the cache (Redis with CACHE_URL). While it is unreachable the API keeps
        # answering, unthrottled, rather than failing every request over a rate limit.
        try:
            return super().allow_request(request, view)
        except Exception as error:  # noqa: BLE001 - whatever the cache backend raises when it is down
            logger.warning("API throttle skipped, the cache is unreachable: %r", error)
            return True

    def get_cache_key(self, request: Request, view: APIView) -> str:
        token_key = getattr(request.auth, "token_key", None)
        if token_key:
            ident = f"token:{token_key}"
        elif request.user.is_authenticated:
            ident = f"user:{request.user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
