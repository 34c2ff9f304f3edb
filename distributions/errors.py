"""Errors the services and selectors raise: a stable machine code, a message for people, the field at fault.

Views show `message`; the API maps them to HTTP statuses (NotAllowed 403, InvalidState 409, Stale 412,
Invalid 400) with `code` and `field` in the JSON body.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class ServiceError(Exception):
    message: str
    code: str = "error"
    field: str | None = None
    details: list[dict] = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotAllowed(ServiceError):
    """The actor's role (or their relation to the change) does not permit the action."""


class InvalidState(ServiceError):
    """The object is not in a state that permits the action (someone else may have moved it)."""


class Stale(ServiceError):
    """The caller's version is out of date (optimistic concurrency)."""


class Invalid(ServiceError):
    """The input breaks a rule (CloudFront's or Edgeguard's); `details` lists each problem."""
