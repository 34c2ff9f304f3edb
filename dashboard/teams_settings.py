"""Teams' settings: which roles see every account whatever their teams (README, "Teams")."""

from django.core.exceptions import ImproperlyConfigured

from dashboard.env import envlist

__all__ = ["EDGEGUARD_TEAMS_SEE_ALL_ROLES"]

# distributions.choices.Role, which settings cannot import.
_ROLES = ("viewer", "requester", "approver", "admin")

# Superusers always see every account; these roles too. Empty: only superusers.
EDGEGUARD_TEAMS_SEE_ALL_ROLES = envlist("EDGEGUARD_TEAMS_SEE_ALL_ROLES", "admin")
if unknown := sorted(set(EDGEGUARD_TEAMS_SEE_ALL_ROLES) - set(_ROLES)):
    raise ImproperlyConfigured(
        f"EDGEGUARD_TEAMS_SEE_ALL_ROLES names unknown roles {unknown}: choose among {', '.join(_ROLES)}"
    )
