"""The HTML pages' forms. They parse input only; CloudFront's rules and roles are checked by the services."""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from knox.settings import knox_settings

from distributions import choices
from distributions.cloudfront.compliance import CONTROLS
from distributions.cloudfront.constants import (
    METHODS,
    MINIMUM_PROTOCOL_VERSIONS,
    ORIGIN_SSL_PROTOCOLS,
    SSL_SUPPORT_METHODS,
)
from distributions.cloudfront.simulate import VIEWER_HTTP_VERSIONS
from distributions.models import Account, ChangeRequest
from distributions.models.mirror import account_id_validator, role_arn_validator
from distributions.selectors.changes import open_changes, simulatable_changes
from distributions.selectors.posture import SEVERITIES

# What an HTTP viewer gets under each policy (docs/CLOUDFRONT.md §1), shown beside each choice.
POLICY_HELP = {
    "allow-all": "HTTP and HTTPS are both served. Plain HTTP stays readable and tamperable on the wire.",
    "redirect-to-https": (
        "HTTP GET/HEAD get 301 to the https:// URL; other methods get 307 on HTTP/1.1+ (method and body "
        "resent) and 403 on HTTP/1.0. A redirected request is billed twice (HTTP, then HTTPS)."
    ),
    "https-only": "HTTP requests get 403 and nothing is returned: only for clients known to use HTTPS.",
}


class TargetChangeForm(forms.Form):
    """Which change request the edit goes into: one of the user's open drafts, or a new one."""

    change = forms.ModelChoiceField(
        queryset=ChangeRequest.objects.none(), required=False, empty_label="A new change"
    )
    title = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["change"]).queryset = open_changes(user)


class ViewerPolicyForm(TargetChangeForm):
    policy = forms.ChoiceField(choices=choices.VIEWER_PROTOCOL_POLICY_CHOICES, widget=forms.RadioSelect)
    patterns = forms.MultipleChoiceField(
        choices=[], error_messages={"required": "Select at least one behavior."}
    )

    def __init__(self, *args, patterns=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["patterns"]).choices = [(p, p) for p in patterns]


class OriginForm(TargetChangeForm):
    policy = forms.ChoiceField(choices=choices.ORIGIN_PROTOCOL_POLICY_CHOICES, label="Origin protocol policy")
    ssl_protocols = forms.MultipleChoiceField(
        choices=[(p, p) for p in ORIGIN_SSL_PROTOCOLS],
        widget=forms.CheckboxSelectMultiple,
        label="SSL protocols",
    )


class CertificateForm(TargetChangeForm):
    source = forms.ChoiceField(
        choices=[
            ("default", "Default CloudFront certificate (*.cloudfront.net)"),
            ("acm", "ACM certificate"),
            ("iam", "IAM certificate"),
        ],
        widget=forms.RadioSelect,
    )
    acm_certificate = forms.ChoiceField(choices=[], required=False, label="ACM certificate (us-east-1)")
    iam_certificate_id = forms.CharField(required=False, label="IAM certificate id")
    ssl_support_method = forms.ChoiceField(choices=[(m, m) for m in SSL_SUPPORT_METHODS], initial="sni-only")
    minimum_protocol_version = forms.ChoiceField(
        choices=[(v, v) for v in MINIMUM_PROTOCOL_VERSIONS], initial="TLSv1.2_2021", label="Security policy"
    )

    def __init__(self, *args, certificates=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["acm_certificate"]).choices = [("", "—")] + [
            (c.arn, f"{c.domain_name} ({c.status.lower()}, {len(c.subject_alternative_names)} names)")
            for c in certificates
        ]


class ReorderForm(TargetChangeForm):
    order = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control eg-mono", "id": "id_order"}),
        help_text="The ordered behaviors' path patterns, one per line, first evaluated first.",
    )


class InvalidateForm(forms.Form):
    paths = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), help_text="One path per line, starting with /; * only last."
    )


class EditRemoveForm(forms.Form):
    """One edit of a change item, by its position, and the change's version the page showed."""

    index = forms.IntegerField(min_value=0, max_value=10_000)
    version = forms.IntegerField(min_value=0, required=False)


class DecisionForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    plan_hash = forms.CharField(widget=forms.HiddenInput, required=False)


class ScheduleForm(forms.Form):
    """A maintenance window: a wall time (as a datetime-local input sends it) in an IANA time zone.

    The time stays naive here: the service reads it in the zone given (a DateTimeField would read it in the
    server's zone instead) and says what is wrong with either.
    """

    starts_at = forms.CharField(max_length=32, label="Window starts")
    time_zone = forms.CharField(max_length=64, initial="UTC", label="Time zone (IANA)")

    def clean_starts_at(self) -> datetime:
        value = self.cleaned_data["starts_at"].strip()
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                f"{value[:32]!r} is not a date and time: use YYYY-MM-DDTHH:MM, e.g. 2026-12-02T02:00."
            ) from None


class RolloutForm(forms.Form):
    """A draft's rollout: wave sizes ("1, 10%, rest") and the gate's overrides (blank: the setting)."""

    waves = forms.CharField(max_length=200, required=False, help_text='Sizes in order, e.g. "1, 10%, rest".')
    watch_seconds = forms.IntegerField(min_value=1, max_value=86_400, required=False)
    max_4xx_rise = forms.FloatField(min_value=0, max_value=100, required=False)
    max_5xx_rise = forms.FloatField(min_value=0, max_value=100, required=False)
    min_requests = forms.IntegerField(min_value=0, max_value=10**9, required=False)


class PostureFilterForm(forms.Form):
    """The posture page's filters: a control, an account (by name), a severity."""

    control = forms.ChoiceField(required=False)
    account = forms.ChoiceField(required=False)
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity")] + [(s, s) for s in SEVERITIES]
    )

    def __init__(self, *args, accounts: Sequence[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["control"]).choices = [("", "Every control")] + [
            (c, c) for c in CONTROLS
        ]
        cast(forms.ChoiceField, self.fields["account"]).choices = [("", "Every account")] + [
            (a, a) for a in accounts
        ]


class SimulatedChangeField(forms.ModelChoiceField):
    """A change to simulate on, named with its status and requester (anyone's can be chosen)."""

    def label_from_instance(self, obj: Any) -> str:
        status = obj.get_status_display().lower()
        return f"#{obj.pk} {obj.title} ({status}, {obj.requester.get_username()})"


class SimulatorForm(forms.Form):
    """One viewer request to simulate, optionally on one of the user's open changes."""

    url = forms.CharField(
        max_length=2048,
        label="URL",
        widget=forms.TextInput(attrs={"placeholder": "https://www.example.com/api/items?id=1"}),
    )
    method = forms.ChoiceField(choices=[(m, m) for m in METHODS], initial="GET")
    http_version = forms.ChoiceField(
        choices=[(v, f"HTTP/{v}") for v in VIEWER_HTTP_VERSIONS], initial="1.1", label="HTTP version"
    )
    change = SimulatedChangeField(
        queryset=ChangeRequest.objects.none(),
        required=False,
        empty_label="None: the live config",
        label="With a change",
        error_messages={
            "invalid_choice": "Choose one of your drafts, or a change awaiting approval or approved."
        },
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["change"]).queryset = simulatable_changes(user)


class TokenForm(forms.Form):
    """A new API token: what uses it, and when it expires (at most the configured lifetime)."""

    name = forms.CharField(max_length=64, help_text="What uses it, e.g. deploy-pipeline.")
    days = forms.IntegerField(
        min_value=1,
        required=False,
        help_text="Days until it expires (at most the default).",
    )

    def clean_days(self) -> int | None:
        days = self.cleaned_data["days"]
        limit = knox_settings.TOKEN_TTL.days
        if days is not None and days > limit:
            raise forms.ValidationError(f"A token lives at most {limit} days.")
        return days


class AccountForm(forms.Form):
    """An account to add or edit (the service validates it whole: a role in the account, uniqueness, ...)."""

    name = forms.CharField(max_length=64, help_text="How Edgeguard names it, e.g. acme-production.")
    # The model's own validators, so that every malformed field is named at once; the service checks again.
    account_id = forms.CharField(
        max_length=12,
        required=False,
        validators=[account_id_validator],
        label="AWS account id",
        help_text="12 digits. Left empty, it comes from the role ARN, or from the first sync.",
    )
    role_arn = forms.CharField(
        max_length=2048,
        required=False,
        validators=[role_arn_validator],
        label="Role ARN",
        help_text="The role Edgeguard assumes in the account. Empty: Edgeguard's own credentials.",
        widget=forms.TextInput(attrs={"placeholder": "arn:aws:iam::210987654321:role/EdgeguardAccess"}),
    )
    external_id = forms.CharField(
        max_length=1224,
        required=False,
        label="External id",
        help_text="Sent with AssumeRole, if the role's trust policy asks for one.",
    )
    sync_enabled = forms.BooleanField(
        required=False, initial=True, label="Sync this account", help_text="Off: beat skips it."
    )


class DiscoverForm(forms.Form):
    """Where to list the organization from, and the role every proposed account is reached through."""

    source = forms.ModelChoiceField(
        queryset=Account.objects.none(),
        empty_label=None,
        label="List the organization from",
        help_text="The organization's management account, or a delegated administrator.",
    )
    role_name = forms.CharField(
        max_length=576,
        help_text="Each account is proposed with arn:aws:iam::<account id>:role/<role name>.",
    )
    external_id = forms.CharField(
        max_length=1224,
        required=False,
        label="External id",
        help_text="Optional: sent with AssumeRole to every account you add.",
    )

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)
        source.queryset = accounts


class TeamNameForm(forms.Form):
    """A team's name (create, rename)."""

    name = forms.CharField(max_length=64, strip=True)


class TeamChangeForm(forms.Form):
    """One change to a team's members or accounts, from the team page: `op` names which."""

    OPS = ("add_member", "remove_member", "add_account", "remove_account")

    op = forms.ChoiceField(choices=[(op, op) for op in OPS])
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, to_field_name="username")
    account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False)

    def __init__(self, *args: Any, users: QuerySet[User], accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = users
        cast(forms.ModelChoiceField, self.fields["account"]).queryset = accounts

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = "user" if data.get("op", "").endswith("member") else "account"
        if data.get("op") and not data.get(needed):
            self.add_error(needed, f"Choose the {needed}.")
        return data


class ApprovalsForm(forms.Form):
    """An account's approvals: empty for the global default."""

    approvals_required = forms.IntegerField(min_value=1, max_value=10, required=False)
