"""API tokens: django-rest-knox's hashed, expiring token, plus what its owner needs to manage it."""

from django.db import models
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A per-client API token. Only its SHA-512 digest is stored; the secret is shown once, at creation.

    `token_key` (the first characters of the secret) is knox's lookup key and is never shown: lists, the
    audit log and messages name a token by `public_id` (the start of its digest, which reveals nothing of the
    secret), its name and creation time. `last_used_at` is refreshed at most once a minute
    (authentication.py), so an API call does not always cost a write.
    """

    name = models.CharField(max_length=64)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.name} (id {self.public_id})"

    @property
    def public_id(self) -> str:
        """A short identifier that is no part of the secret: the start of its SHA-512 digest."""
        return self.digest[:12]
