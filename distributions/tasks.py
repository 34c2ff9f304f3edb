"""Celery tasks: entry points like views. Each loads ids and calls a service; none holds business logic."""

from celery import shared_task

from distributions import choices
from distributions.models import Account
from distributions.services.sync import account_register_default, account_sync


@shared_task(name="distributions.sync_account")
def sync_account(account_pk: int, trigger: str = choices.SyncTrigger.SCHEDULE) -> int | None:
    """Sync one account; returns the SyncRun id (None if the account is gone)."""
    account = Account.objects.filter(pk=account_pk).first()
    if account is None:
        return None
    return account_sync(account=account, trigger=trigger).pk


@shared_task(name="distributions.sync_all_accounts")
def sync_all_accounts() -> int:
    """Fan out one sync task per enabled account (beat runs this), so one slow account delays no other."""
    account_register_default()
    pks = list(Account.objects.filter(sync_enabled=True).values_list("pk", flat=True))
    for pk in pks:
        sync_account.delay(pk)
    return len(pks)
