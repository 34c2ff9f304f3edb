"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest


def edgeguard(request: HttpRequest) -> dict[str, object]:
    return {"DEBUG": settings.DEBUG}
