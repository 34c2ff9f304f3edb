"""Enqueue worker steps. Services call these inside `transaction.on_commit`, so a rolled-back transition
never starts work; the import is late because the tasks module imports the services."""

from __future__ import annotations


def change_apply(change_request_id: int) -> None:
    from distributions import tasks

    tasks.apply_change.delay(change_request_id)


def item_step(item_id: int, *, countdown: float = 0, step: int | None = None) -> None:
    from distributions import tasks

    tasks.advance_item.apply_async((item_id, step), countdown=max(0.0, countdown))


def accounts_sync_now(account_ids: list[int]) -> None:
    """Ask the worker to sync these accounts now ("Sync now" on the accounts page and in the API)."""
    from distributions import choices, tasks

    for account_id in account_ids:
        tasks.sync_account.delay(account_id, choices.SyncTrigger.MANUAL)


def accounts_resync(account_ids: list[int]) -> None:
    """Refresh the mirror of accounts a change just wrote to, so the fleet pages show the result."""
    from distributions import choices, tasks

    for account_id in account_ids:
        tasks.sync_account.delay(account_id, choices.SyncTrigger.SCHEDULE)
