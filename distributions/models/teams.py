"""Teams: a team owns AWS accounts, a user belongs to teams; what a user sees follows (models/scoping.py)."""

from django.conf import settings
from django.db import models

from distributions.models.mirror import Account


class Team(models.Model):
    """People who own some accounts: they see them, change their distributions and approve those changes.

    An account may be owned by several teams (a shared production account), a user may be in several.
    Written only through services/teams.py, which audits every change; single sign-on keeps the memberships
    its group map names (services/users.py).
    """

    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="edgeguard_teams")
    accounts = models.ManyToManyField(Account, blank=True, related_name="teams")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
