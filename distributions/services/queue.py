"""Hand work to the worker. Services call these inside `transaction.on_commit`, so a rolled-back transition
never starts work; the import of the tasks is late because the tasks module imports the services.

The broker may be down (a Redis restart, a network blip). What was committed stays committed, and nothing
here raises: a change left `approved`, or an item whose next step is overdue, is re-enqueued by the sweeper
(`distributions.sweep_stuck_changes`, every EDGEGUARD_SWEEP_INTERVAL_SECONDS) once the broker is back; a
scheduled sync runs at its next beat; an email is sent from here instead. Each function says whether the
message reached the broker, so pages can say "queued" honestly.
"""

from __future__ import annotations

import logging
from typing import Any

from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def _publish(task: Any, *args: Any, countdown: float = 0.0) -> bool:
    try:
        if countdown > 0:
            task.apply_async(args, countdown=countdown)
        else:
            task.delay(*args)
    except OperationalError as error:
        logger.warning(
            "broker unreachable: %s%r not enqueued, the sweeper will retry (%s)", task.name, args, error
        )
        return False
    return True


def change_apply(change_request_id: int) -> bool:
    """Start applying an approved change."""
    from distributions import tasks

    return _publish(tasks.apply_change, change_request_id)


def wave_gate(wave_id: int, *, countdown: float = 0) -> bool:
    """Check a wave's health gate once its watch window is over."""
    from distributions import tasks

    return _publish(tasks.check_wave_gate, wave_id, countdown=countdown)


def item_step(item_id: int, *, countdown: float = 0, step: int | None = None) -> bool:
    """Schedule the next step of one item's chain."""
    from distributions import tasks

    return _publish(tasks.advance_item, item_id, step, countdown=countdown)


def _accounts_sync(account_ids: list[int], trigger: str) -> bool:
    from distributions import tasks

    # A list, not a generator: every account is enqueued even after one publish failed.
    return all([_publish(tasks.sync_account, pk, trigger) for pk in account_ids])


def accounts_sync_now(account_ids: list[int]) -> bool:
    """Ask the worker to sync these accounts now ("Sync now" on the accounts page and in the API)."""
    from distributions import choices

    return _accounts_sync(account_ids, choices.SyncTrigger.MANUAL)


def accounts_resync(account_ids: list[int]) -> bool:
    """Refresh the mirror of accounts a change just wrote to, so the fleet pages show the result."""
    from distributions import choices

    return _accounts_sync(account_ids, choices.SyncTrigger.SCHEDULE)


def posture_reevaluate(run_id: int) -> bool:
    """Re-evaluate the fleet's posture in the worker (the registry of controls changed)."""
    from distributions import tasks

    return _publish(tasks.reevaluate_posture, run_id)


def account_sync_later(account_id: int, trigger: str, *, countdown: float) -> bool:
    """Ask again for an account's sync that found every sync slot taken."""
    from distributions import tasks

    return _publish(tasks.sync_account, account_id, trigger, countdown=countdown)


def email_send(subject: str, body: str, recipients: list[str]) -> bool:
    """Send an email from the worker (with retries); with the broker down, send it now instead."""
    from distributions import notify, tasks

    if _publish(tasks.send_email, subject, body, recipients):
        return True
    notify.email_deliver(subject, body, recipients)
    return False


def traffic_day(ingest_id: int) -> bool:
    """Read one distribution-day of access logs (services/traffic.py); the daily beat queues it again if
    this message is lost."""
    from distributions import tasks

    return _publish(tasks.ingest_traffic_day, ingest_id)
