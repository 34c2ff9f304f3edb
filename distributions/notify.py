"""Emails about changes: to approvers on submit, to the requester on decision and when the work finishes.

They are written here and sent by the worker (`distributions.send_email`, retried while the mail server is
unreachable), so a slow or failing SMTP server never holds a web request.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db.models import Q

from distributions.models import ChangeRequest
from distributions.selectors.teams import owners_of_every_account
from distributions.services import queue

logger = logging.getLogger(__name__)


def email_deliver(subject: str, body: str, recipients: list[str]) -> None:
    """Send one email now; a mail outage is logged, never raised (the audit log has the facts)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except (OSError, smtplib.SMTPException):
        logger.exception("could not send %r to %s", subject, recipients)


def _send(subject: str, body: str, recipients: list[str]) -> None:
    recipients = sorted({r for r in recipients if r})
    if recipients:
        queue.email_send(subject, body, recipients)


def _link(change_request: ChangeRequest) -> str:
    return f"{settings.EDGEGUARD_BASE_URL.rstrip('/')}/changes/{change_request.pk}/"


def change_submitted(change_request: ChangeRequest) -> None:
    approvers = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=["approver", "admin"]) | Q(is_superuser=True))
        .exclude(pk=change_request.requester_id)
        .distinct()
    )
    # With teams, only the owners of every account it touches may approve it, or even learn of it.
    approvers = owners_of_every_account(approvers, change_request)
    _send(
        f"[Edgeguard] Change #{change_request.pk} awaits your approval: {change_request.title}",
        f"{change_request.requester.get_username()} submitted a change for approval.\n\n"
        f"{change_request.title}\n{change_request.description}\n\nReview it: {_link(change_request)}\n",
        [user.email for user in approvers],
    )


def change_decided(change_request: ChangeRequest) -> None:
    _send(
        f"[Edgeguard] Change #{change_request.pk} {change_request.get_status_display().lower()}",
        f'Your change "{change_request.title}" is {change_request.get_status_display().lower()}.\n\n'
        f"{_link(change_request)}\n",
        [change_request.requester.email],
    )


def change_finished(change_request: ChangeRequest) -> None:
    _send(
        f"[Edgeguard] Change #{change_request.pk} {change_request.get_status_display().lower()}",
        f'Your change "{change_request.title}" finished: {change_request.get_status_display().lower()}.\n\n'
        f"Details, per distribution: {_link(change_request)}\n",
        [change_request.requester.email],
    )


def change_halted(change_request: ChangeRequest, wave_number: int) -> None:
    """A wave's health gate halted the rollout: the next waves wait for a person."""
    _send(
        f"[Edgeguard] Change #{change_request.pk} halted by wave {wave_number}'s health gate",
        f'The rollout of "{change_request.title}" halted: wave {wave_number} failed its health gate, and the '
        f"next waves wait. Resume it past the halt, or abort it; the evidence is on the page.\n\n"
        f"{_link(change_request)}\n",
        [change_request.requester.email],
    )
