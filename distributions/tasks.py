"""Celery tasks: entry points like views. Each loads ids and calls a service; none holds business logic."""

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from distributions import choices
from distributions.models import Account
from distributions.services import apply as apply_service
from distributions.services import gates, progress, queue, schedule
from distributions.services.posture import posture_reevaluate
from distributions.services.sync import account_register_default, account_sync_in_turn
from distributions.services.traffic import traffic_ingest_day, traffic_ingest_due

# While EDGEGUARD_SYNC_CONCURRENCY accounts are syncing, another account's sync asks again this much later.
SYNC_WAIT_SECONDS = 5.0


@shared_task(name="distributions.sync_account")
def sync_account(account_pk: int, trigger: str = choices.SyncTrigger.SCHEDULE) -> int | None:
    """Sync one account in its turn; returns the SyncRun id (None if the account is gone or must wait)."""
    account = Account.objects.filter(pk=account_pk).first()
    if account is None:
        return None
    run = account_sync_in_turn(account=account, trigger=trigger)
    if run is None:
        queue.account_sync_later(account_pk, trigger, countdown=SYNC_WAIT_SECONDS)
        return None
    return run.pk


@shared_task(name="distributions.sync_all_accounts")
def sync_all_accounts() -> int:
    """Fan out one sync task per enabled account (beat runs this), so one slow account delays no other;
    at most EDGEGUARD_SYNC_CONCURRENCY of them sync at once."""
    account_register_default()
    pks = list(Account.objects.filter(sync_enabled=True).values_list("pk", flat=True))
    for pk in pks:
        sync_account.delay(pk)
    return len(pks)


@shared_task(name="distributions.ingest_traffic_day")
def ingest_traffic_day(ingest_id: int) -> str | None:
    """Read one distribution-day of access logs into counts; returns its status (None: another has it)."""
    ingest = traffic_ingest_day(ingest_id=ingest_id)
    return ingest.status if ingest is not None else None


@shared_task(name="distributions.ingest_traffic_due")
def ingest_traffic_due() -> int:
    """Queue the window's days still to read for every distribution with logging on (beat, daily)."""
    return traffic_ingest_due()


@shared_task(name="distributions.reevaluate_posture")
def reevaluate_posture(run_id: int) -> int:
    """Re-evaluate every account's posture (after the controls changed), with progress on the run."""
    return posture_reevaluate(run_id=run_id).distributions_done


@shared_task(name="distributions.apply_change")
def apply_change(change_request_id: int) -> int:
    """Start applying an approved change: one paced `advance_item` per distribution."""
    schedule = apply_service.change_apply_start(change_request_id=change_request_id)
    for item_id, countdown, step in schedule:
        queue.item_step(item_id, countdown=countdown, step=step)
    return len(schedule)


@shared_task(name="distributions.advance_item")
def advance_item(item_id: int, step: int | None = None) -> None:
    """One step of one distribution's apply; schedules the next step instead of sleeping."""
    following = apply_service.item_advance(item_id=item_id, step=step)
    if following.countdown is not None:
        queue.item_step(item_id, countdown=following.countdown, step=following.step)
    for later_id, countdown, later_step in following.later:
        queue.item_step(later_id, countdown=countdown, step=later_step)
    for pulled_id, pulled_step in following.pulled:
        queue.item_step(pulled_id, countdown=0, step=pulled_step)


@shared_task(name="distributions.check_wave_gate")
def check_wave_gate(wave_id: int) -> int:
    """A wave's health gate, once its watch window is over: the next wave starts, or the rollout halts."""
    verdict = gates.wave_gate_check(wave_id=wave_id)
    if verdict.recheck is not None:
        queue.wave_gate(wave_id, countdown=verdict.recheck)
    for item_id, countdown, step in verdict.schedule:
        queue.item_step(item_id, countdown=countdown, step=step)
    return len(verdict.schedule)


@shared_task(name="distributions.sweep_stuck_changes")
def sweep_stuck_changes() -> int:
    """Re-enqueue what a lost message or a killed worker left behind (beat, every minute)."""
    changes, items = progress.stuck_work()
    for change_id in changes:
        apply_change.delay(change_id)
    for wave_id in gates.gates_overdue():
        check_wave_gate.delay(wave_id)
    for item_id in items:
        # A new chain: any older message for the item, should it still arrive, is then stale.
        queue.item_step(item_id, countdown=0, step=progress.schedule_step(item_id, 0).step)
    return len(changes) + len(items) + progress.settle_finished_changes()


@shared_task(
    name="distributions.send_email",
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=900,
    max_retries=8,
)
def send_email(subject: str, body: str, recipients: list[str]) -> None:
    """Send one email; while the mail server is unreachable, retry with backoff for about two hours."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task(name="distributions.start_scheduled_changes")
def start_scheduled_changes() -> int:
    """Queue the scheduled changes whose maintenance window has come (beat, every
    EDGEGUARD_SCHEDULE_BEAT_SECONDS)."""
    return len(schedule.scheduled_changes_start())
