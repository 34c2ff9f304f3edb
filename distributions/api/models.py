"""API tokens: django-rest-knox's hashed, expiring token, plus what its owner needs to manage it."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A per-client API token. Only its SHA-512 digest is stored; the secret is shown once, at creation.

    `token_key` (the first characters of the secret) identifies it in lists; `last_used_at` is refreshed at
    most once a minute (authentication.py), so an API call does not always cost a write.
    """

    name = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…)"
