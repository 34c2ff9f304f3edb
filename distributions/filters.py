"""Every FilterSet, shared by the HTML pages and the API: one set of parameter names and matching rules.

As NetBox does, the HTML list view and the API viewset of a resource use the same FilterSet, so a URL's
query string means the same on `/audit/` and on `/api/v1/audit-events/`. Free-text search is `q`
everywhere. Both refuse values the widgets would read as "any" (`unread_values`): the pages name them in an
alert (views/common.py), the API answers 400 (api/querying.py), and also for an empty number, choice or date.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, QueryDict
from django_filters.fields import IsoDateTimeField

from distributions import choices
from distributions.models import (
    Account,
    AuditEvent,
    Certificate,
    ChangeItem,
    ChangeRequest,
    Distribution,
    SyncRun,
)

ID_MAX = 2**62
BOOLEANS = ("true", "false")
# Filters for which an empty value is "any" in the pages' forms (which send empty fields) and a mistake in a
# tool's query string.
TYPED_FILTERS = (
    django_filters.BooleanFilter,
    django_filters.ChoiceFilter,
    django_filters.NumberFilter,
    django_filters.IsoDateTimeFilter,
)


def unread_values(
    filterset_class: type[django_filters.FilterSet], params: QueryDict, *, blank_is_any: bool
) -> dict[str, str]:
    """The parameters whose value the filter's widget would silently read as "any", with why each is refused:
    a boolean other than true or false, and (unless `blank_is_any`, as on the pages) an empty choice,
    number or date. Validation then refuses every other unreadable value, saying why."""
    refused = {}
    for name, field in filterset_class.base_filters.items():
        values = [v for v in params.getlist(name) if not (blank_is_any and v == "")]
        if isinstance(field, django_filters.BooleanFilter) and any(v not in BOOLEANS for v in values):
            refused[name] = "Use true or false."
        elif isinstance(field, TYPED_FILTERS) and "" in values:
            refused[name] = "Give a value, or leave the parameter out."
    return refused


def _search(queryset: QuerySet, value: str, *fields: str) -> QuerySet:
    """Rows where any of the fields contains the words' text (case-insensitive); blank matches all."""
    value = value.strip()
    if not value:
        return queryset
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": value})
    return queryset.filter(condition)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, handed to the database in UTC.

    PostgreSQL refuses offsets beyond ±15:59 with an error, where ISO 8601 and Python allow up to ±23:59.
    """

    def to_python(self, value: str | None) -> datetime.datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError("This date-time is out of range.", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class IdFilter(django_filters.NumberFilter):
    """A row's number: a whole one (django-filter's NumberFilter takes decimals, and `1.5` found #1)."""

    field_class = forms.IntegerField


def _visible_accounts(request: HttpRequest | None) -> QuerySet[Account]:
    """The accounts a filter may name: those the user may see (an unknown name is refused like a typo)."""
    return Account.objects.restrict(request.user) if request is not None else Account.objects.none()


class DistributionFilter(django_filters.FilterSet):
    """Search and posture filters for distributions; removed distributions are hidden unless asked for."""

    q = django_filters.CharFilter(method="search", label="Search")
    account = django_filters.ModelChoiceFilter(
        queryset=_visible_accounts,
        field_name="account",
        label="Account",
        to_field_name="name",
        # Django's own message for a model choice does not name the value, as its message for a choice does.
        error_messages={
            "invalid_choice": "Select a valid choice. %(value)s is not one of the available choices."
        },
    )
    status = django_filters.ChoiceFilter(choices=choices.DeploymentStatus.choices, label="Status")
    serves_http = django_filters.BooleanFilter(label="Serves HTTP somewhere")
    default_certificate = django_filters.BooleanFilter(
        field_name="uses_default_certificate", label="Default certificate"
    )
    legacy_tls = django_filters.BooleanFilter(field_name="legacy_tls_policy", label="Legacy TLS policy")
    enabled = django_filters.BooleanFilter(label="Enabled")
    removed = django_filters.BooleanFilter(method="filter_removed", label="Gone from AWS")

    class Meta:
        model = Distribution
        fields: list[str] = []

    @property
    def qs(self) -> QuerySet[Distribution]:
        queryset = super().qs
        removed = self.form.cleaned_data.get("removed") if self.is_bound else None
        if removed is None:
            queryset = queryset.filter(removed_at__isnull=True)
        return queryset

    def search(self, queryset: QuerySet[Distribution], name: str, value: str) -> QuerySet[Distribution]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(distribution_id__icontains=value)
            | Q(domain_name__icontains=value)
            | Q(aliases_text__icontains=value.lower())
            | Q(comment__icontains=value)
        )

    def filter_removed(self, queryset: QuerySet[Distribution], name: str, value: bool | None):
        if value is None:
            return queryset
        return queryset.filter(removed_at__isnull=not value)


class AccountFilter(django_filters.FilterSet):
    """Accounts by name or account id (`q`)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=64)

    class Meta:
        model = Account
        fields: list[str] = []

    def search(self, queryset: QuerySet[Account], name: str, value: str) -> QuerySet[Account]:
        return _search(queryset, value, "name", "account_id")


class CertificateFilter(django_filters.FilterSet):
    """ACM certificates by status, whether in use, and domain name or ARN (`q`)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=2048)
    status = django_filters.CharFilter(max_length=32)
    in_use = django_filters.BooleanFilter()

    class Meta:
        model = Certificate
        fields: list[str] = []

    def search(self, queryset: QuerySet[Certificate], name: str, value: str) -> QuerySet[Certificate]:
        return _search(queryset, value, "domain_name", "arn")


class SyncRunFilter(django_filters.FilterSet):
    """Sync runs by account name, status and trigger."""

    account = django_filters.CharFilter(field_name="account__name", max_length=64)
    status = django_filters.ChoiceFilter(choices=choices.SyncStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=choices.SyncTrigger.choices)

    class Meta:
        model = SyncRun
        fields: list[str] = []


class ChangeRequestFilter(django_filters.FilterSet):
    """Change requests by status, requester (username), a distribution they touch, and title (`q`)."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    status = django_filters.ChoiceFilter(choices=choices.ChangeStatus.choices)
    requester = django_filters.CharFilter(field_name="requester__username", max_length=150)
    distribution = django_filters.CharFilter(
        field_name="items__distribution__distribution_id", max_length=32, distinct=True
    )

    class Meta:
        model = ChangeRequest
        fields: list[str] = []

    def search(self, queryset: QuerySet[ChangeRequest], name: str, value: str) -> QuerySet[ChangeRequest]:
        return _search(queryset, value, "title")


class InvalidationFilter(django_filters.FilterSet):
    """Invalidations (change items with an invalidate edit) by distribution id and item status."""

    distribution = django_filters.CharFilter(field_name="distribution__distribution_id", max_length=32)
    status = django_filters.ChoiceFilter(choices=choices.ItemStatus.choices)

    class Meta:
        model = ChangeItem
        fields: list[str] = []


class AuditEventFilter(django_filters.FilterSet):
    """Audit events: `actor` is a username, `action` a prefix (`change.` is every change event),
    `change_request` a change's number, `distribution_id` exact, `q` searches the message too."""

    q = django_filters.CharFilter(method="search", label="Search", max_length=200)
    actor = django_filters.CharFilter(field_name="actor_name", max_length=150, label="Actor")
    action = django_filters.CharFilter(lookup_expr="startswith", max_length=64, label="Action")
    change_request = IdFilter(field_name="change_request_id", min_value=1, max_value=ID_MAX, label="Change #")
    distribution_id = django_filters.CharFilter(max_length=32, label="Distribution id")
    created_after = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def search(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        # Older token events' messages hold the start of a secret (selectors/audit.shown_message hides it):
        # a search must not find it letter by letter.
        others = _search(queryset.exclude(action__startswith="token."), value, "message")
        everywhere = _search(queryset, value, "actor_name", "action", "distribution_id")
        return queryset.filter(Q(pk__in=others.values("pk")) | Q(pk__in=everywhere.values("pk")))
