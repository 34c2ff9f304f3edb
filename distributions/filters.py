"""The distribution filters, shared by the HTML list and the API (one FilterSet, same rules)."""

import django_filters
from django.db.models import Q, QuerySet

from distributions import choices
from distributions.models import Account, Distribution


class DistributionFilter(django_filters.FilterSet):
    """Search and posture filters for distributions; removed distributions are hidden unless asked for."""

    q = django_filters.CharFilter(method="search", label="Search")
    account = django_filters.ModelChoiceFilter(
        queryset=Account.objects.all(), field_name="account", label="Account", to_field_name="name"
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
