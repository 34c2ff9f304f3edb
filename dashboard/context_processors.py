"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from distributions.roles import can


def edgeguard(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    return {"DEBUG": settings.DEBUG, "can_admin_teams": user is not None and can(user, "admin")}
