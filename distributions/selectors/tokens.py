"""Reads of API tokens: a user's own, newest first."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from distributions.api.models import ApiToken


def tokens_of(user: AbstractBaseUser | AnonymousUser) -> QuerySet[ApiToken]:
    """The user's API tokens, newest first (their secrets are never stored, only digests)."""
    return ApiToken.objects.filter(user=user).order_by("-created")
