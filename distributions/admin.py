"""The Django admin (`/admin/`, for superusers): accounts through the services, everything else read-only.

The mirror is AWS's, change requests move only through their lifecycle, and the audit trail is
append-only: the admin shows them and changes none. Accounts are added and edited through the same
service as the Accounts page (validated, audited); removing one needs the page's confirmation, which says
what goes. Users and groups (the roles) are contrib.auth's own registrations.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from distributions.errors import Invalid
from distributions.models import Account, AuditEvent, ChangeRequest, Distribution, Wave
from distributions.roles import can
from distributions.selectors.audit import shown_message
from distributions.services.accounts import account_create, account_update, account_validate
from distributions.services.guards import Actor


class ReadOnlyAdmin(admin.ModelAdmin):
    """Viewable, never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AccountAdminForm(forms.ModelForm):
    """The model form, with the service's validation (the same messages as the Accounts page)."""

    class Meta:
        model = Account
        fields = ["name", "account_id", "role_arn", "external_id", "sync_enabled"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned  # the fields' own messages already say what is wrong
        probe = Account(pk=self.instance.pk, **{name: cleaned.get(name) for name in self.Meta.fields})
        try:
            account_validate(probe)
        except Invalid as error:
            for detail in error.details or [{"field": error.field, "message": error.message}]:
                self.add_error(detail["field"] if detail["field"] in self.fields else None, detail["message"])
        return cleaned


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountAdminForm
    list_display = ["name", "account_id", "role_arn", "sync_enabled", "created_at"]
    list_filter = ["sync_enabled"]
    search_fields = ["name", "account_id", "role_arn"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can(request.user, "admin") and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can(request.user, "admin") and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Account, form: forms.ModelForm, change: bool) -> None:
        actor = Actor.from_request(request)
        fields = {name: form.cleaned_data[name] for name in AccountAdminForm.Meta.fields}
        if change:
            account_update(actor=actor, account=obj, **fields)
        else:
            obj.pk = account_create(actor=actor, **fields).pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Removal deletes the mirror and is refused while change requests name it: the Accounts page
        # (/accounts/<id>/remove/) says what goes and why it may not.
        return False


@admin.register(Distribution)
class DistributionAdmin(ReadOnlyAdmin):
    list_display = ["distribution_id", "account", "domain_name", "status", "serves_http", "removed_at"]
    list_filter = ["account", "status", "serves_http", "uses_default_certificate"]
    search_fields = ["distribution_id", "domain_name", "aliases_text", "comment"]
    list_select_related = ["account"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdmin):
    list_display = ["id", "title", "requester", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    search_fields = ["title"]
    list_select_related = ["requester"]


@admin.register(Wave)
class WaveAdmin(ReadOnlyAdmin):
    list_display = [
        "change_request",
        "index",
        "planned_size",
        "state",
        "started_at",
        "deployed_at",
        "gated_at",
    ]
    list_filter = ["state"]
    list_select_related = ["change_request"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor_name", "action", "change_request", "distribution_id", "remote_addr"]
    list_filter = ["action"]
    # Not the message: older token events hold the start of a secret (shown_message hides it).
    search_fields = ["actor_name", "action", "distribution_id"]
    exclude = ["message"]
    readonly_fields = ["shown_message"]

    @admin.display(description="message")
    def shown_message(self, event: AuditEvent) -> str:
        return shown_message(event)
