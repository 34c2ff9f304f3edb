"""Accounts: add, edit and remove the AWS accounts Edgeguard manages, each change audited (admins only).

Validation is the model's own validators (models/mirror.py) plus what a single field cannot say: a role's
credentials act in the role's own account, an AWS account is added once, and text holds no control
characters (PostgreSQL refuses NUL in text: it must be a clear 400, never a 500).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from distributions.cloudfront.iam import EXTERNAL_ID_PATTERN, account_of_role
from distributions.errors import Invalid, InvalidState
from distributions.models import Account, Distribution
from distributions.selectors.accounts import RemovalPlan, account_removal_plan
from distributions.services.audit import audit_record
from distributions.services.guards import Actor, require

TEXT_FIELDS = ("name", "account_id", "role_arn", "external_id")
EDITABLE_FIELDS = (*TEXT_FIELDS, "sync_enabled")
# What the audit trail records of an account; the external id is recorded as set or not, never its value.
AUDITED_FIELDS = ("name", "account_id", "role_arn", "sync_enabled")


@dataclass(frozen=True)
class AccountInput:
    """An account's settings as given by a form, the API or discovery (strings stripped by the service)."""

    name: str
    account_id: str = ""
    role_arn: str = ""
    external_id: str = ""
    sync_enabled: bool = True


def account_create(
    *,
    actor: Actor,
    name: str,
    account_id: str = "",
    role_arn: str = "",
    external_id: str = "",
    sync_enabled: bool = True,
    discovered_from: str = "",
) -> Account:
    """Add an account; its first sync (beat's, or "Sync now") mirrors it. Audited as `account.created`."""
    require(actor, "admin", "add accounts")
    account = Account(
        name=name,
        account_id=account_id,
        role_arn=role_arn,
        external_id=external_id,
        sync_enabled=sync_enabled,
    )
    account_validate(account)
    with transaction.atomic():
        _save(account)
        data: dict[str, Any] = {**_audited(account), "discovered_from": discovered_from or None}
        audit_record(
            action="account.created",
            actor=actor.user,
            remote_addr=actor.remote_addr,
            message=f"Added account {account.name}"
            + (f", discovered from {discovered_from}" if discovered_from else ""),
            data=data,
        )
    return account


def account_update(*, actor: Actor, account: Account, **changes: Any) -> Account:
    """Change any of name, account_id, role_arn, external_id, sync_enabled (None: unchanged). Audited as
    `account.updated` with each field's before and after, unless nothing changed."""
    require(actor, "admin", "edit accounts")
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"account_update() got unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        before = {name: getattr(locked, name) for name in EDITABLE_FIELDS}
        for name, value in changes.items():
            if value is not None:
                setattr(locked, name, value)
        account_validate(locked)
        changed = [name for name in EDITABLE_FIELDS if getattr(locked, name) != before[name]]
        if not changed:
            return locked
        _refuse_moving_the_mirror(locked, before["account_id"])
        _save(locked, update_fields=changed)
        audit_record(
            action="account.updated",
            actor=actor.user,
            remote_addr=actor.remote_addr,
            message=f"Edited account {locked.name}: {', '.join(changed)}",
            data={
                "id": locked.pk,
                "changes": {name: _change(name, before[name], getattr(locked, name)) for name in changed},
            },
        )
    return locked


def account_remove(*, actor: Actor, account: Account) -> RemovalPlan:
    """Delete an account and its mirror (distributions, behaviors, origins, certificates, sync runs, posture
    snapshots); refused while any change request names one of its distributions. Audited as
    `account.removed` with the counts of what went."""
    require(actor, "admin", "remove accounts")
    with transaction.atomic():
        # The lock waits for a sync of the account in progress (sync takes the same one).
        locked = Account.objects.select_for_update().get(pk=account.pk)
        plan = account_removal_plan(account=locked)
        if not plan.removable:
            raise _in_use(plan)
        audited = _audited(locked)
        try:
            with transaction.atomic():
                locked.delete()
        except ProtectedError:
            # A change request named one of its distributions after the plan was read.
            raise _in_use(account_removal_plan(account=locked)) from None
        audit_record(
            action="account.removed",
            actor=actor.user,
            remote_addr=actor.remote_addr,
            message=f"Removed account {plan.account.name} and its mirror",
            data={**audited, "removed": plan.counts},
        )
    return plan


def account_validate(account: Account) -> None:
    """Strip the text fields and check them all; Invalid names the first field at fault, `details` each.

    A role ARN with no account id fills the account id in (the role's credentials act in its account).
    """
    problems: dict[str, str] = {}
    for name in TEXT_FIELDS:
        value = getattr(account, name)
        if not isinstance(value, str):
            problems[name] = "Expected text."
            continue
        value = value.strip()
        setattr(account, name, value)
        if any(ord(character) < 32 or ord(character) == 127 for character in value):
            problems[name] = "Remove the control character (a NUL, tab or line break, say) from it."
    if problems:
        raise _invalid(problems)
    role_account = account_of_role(account.role_arn)
    if role_account.isdigit() and len(role_account) == 12 and not account.account_id:
        account.account_id = role_account
    try:
        account.full_clean(validate_unique=False)
    except ValidationError as error:
        problems.update({name: " ".join(messages) for name, messages in error.message_dict.items()})
    problems.update(_cross_field_problems(account))
    if problems:
        raise _invalid(problems)


def _cross_field_problems(account: Account) -> dict[str, str]:
    problems: dict[str, str] = {}
    others = Account.objects.exclude(pk=account.pk)
    if others.filter(name=account.name).exists():
        problems["name"] = f"An account named {account.name!r} already exists."
    role_account = account_of_role(account.role_arn)
    if role_account and account.account_id and role_account != account.account_id:
        problems["role_arn"] = (
            f"The role is in account {role_account}, not {account.account_id}: a role's credentials act "
            "in the role's own account. Use a role of that account, or correct the account id."
        )
    if account.account_id:
        same = others.filter(account_id=account.account_id).values_list("name", flat=True).first()
        if same is not None:
            problems["account_id"] = (
                f"AWS account {account.account_id} is already added as {same!r}: one AWS account is "
                "mirrored once."
            )
    if account.external_id and not account.role_arn:
        problems["external_id"] = "An external id is sent with AssumeRole only: set a role ARN too."
    elif account.external_id and not EXTERNAL_ID_PATTERN.match(account.external_id):
        problems["external_id"] = (
            "An external id is 2 to 1,224 letters, digits and any of + = , . @ : / - (STS's rule)."
        )
    return problems


def _refuse_moving_the_mirror(account: Account, previous_account_id: str) -> None:
    if previous_account_id and account.account_id != previous_account_id:
        mirrored = Distribution.objects.filter(account=account).count()
        if mirrored:
            raise Invalid(
                f"{account.name} mirrors {mirrored} distributions of AWS account {previous_account_id}: add "
                f"AWS account {account.account_id} as a new account instead of moving this one.",
                code="account_id_in_use",
                field="account_id",
            )


def _invalid(problems: dict[str, str]) -> Invalid:
    field, message = next(iter(problems.items()))
    details = [{"field": name, "code": "invalid", "message": text} for name, text in problems.items()]
    return Invalid(message, code="invalid_account", field=field, details=details)


def _in_use(plan: RemovalPlan) -> InvalidState:
    blocking = [*plan.in_flight, *plan.finished]
    numbers = ", ".join(f"#{change.pk} ({change.get_status_display().lower()})" for change in blocking)
    message = (
        f"Change requests name distributions of {plan.account.name}: {numbers}. Edgeguard keeps every "
        "change request for the audit trail, so an account whose distributions were ever in one cannot be "
        "removed: turn its sync off instead"
        + (" (and cancel the unfinished ones if they should not run)." if plan.in_flight else ".")
    )
    details = [{"change_request": change.pk, "status": change.status} for change in blocking]
    return InvalidState(message, code="account_in_use", details=details)


def _save(account: Account, update_fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            account.save(update_fields=update_fields)
    except IntegrityError:
        # Two admins adding the same name at once: the unique index decides.
        raise Invalid(
            f"An account named {account.name!r} already exists.", code="invalid_account", field="name"
        ) from None


def _audited(account: Account) -> dict[str, Any]:
    return {
        "id": account.pk,
        **{name: getattr(account, name) for name in AUDITED_FIELDS},
        "external_id_set": bool(account.external_id),
    }


def _change(name: str, before: Any, after: Any) -> dict[str, Any]:
    if name == "external_id":
        return {"before": "set" if before else "unset", "after": "set" if after else "unset"}
    return {"before": before, "after": after}
