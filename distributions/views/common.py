"""What every HTML view shares: the role check (who is acting is `Actor.from_request(request)`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from distributions.roles import can

View = Callable[..., HttpResponse]

# Said after an edit that sent a submitted change back to draft (services/changes.py).
SENT_BACK = " It went back to draft: review it, confirm the checklist again and resubmit it."


def requires(capability: str) -> Callable[[View], View]:
    """Refuse with 403 unless the user's role grants `capability` (login itself is enforced globally)."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not can(request.user, capability):
                raise PermissionDenied(f"Your role does not allow this ({capability}). Ask an admin.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
