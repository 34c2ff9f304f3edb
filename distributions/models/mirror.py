"""What CloudFront has, mirrored: accounts, distributions, their ordered behaviors, origins, certificates.

Rows here are a cache of AWS, refreshed by sync (services/sync.py). They are never the source of truth for
a change: a change re-reads the live config from CloudFront before it writes.
"""

from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import RegexValidator
from django.db import models

from distributions import choices
from distributions.models.scoping import AccountQuerySet, RestrictedQuerySet

account_id_validator = RegexValidator(r"^\d{12}$", "An AWS account id is 12 digits.")
role_arn_validator = RegexValidator(
    r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$",
    "A role ARN looks like arn:aws:iam::123456789012:role/EdgeguardReadWrite.",
)


class Account(models.Model):
    """An AWS account whose distributions Edgeguard manages.

    With no role ARN, calls use the default credential chain (environment, profile, instance role). With a
    role ARN, Edgeguard assumes it through STS (with the external id, if the role's trust policy asks one).
    """

    name = models.CharField(max_length=64, unique=True)
    account_id = models.CharField(max_length=12, blank=True, validators=[account_id_validator])
    role_arn = models.CharField(max_length=2048, blank=True, validators=[role_arn_validator])
    external_id = models.CharField(max_length=1224, blank=True)
    sync_enabled = models.BooleanField(default=True)
    # Approvals a change touching this account needs, at least; None: EDGEGUARD_APPROVALS_REQUIRED.
    approvals_required = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.account_id or 'not yet synced'})"


class Certificate(models.Model):
    """An ACM certificate as last listed in us-east-1, the only region CloudFront accepts."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="certificates")
    arn = models.CharField(max_length=2048, unique=True)
    domain_name = models.CharField(max_length=253)
    subject_alternative_names = models.JSONField(default=list)
    status = models.CharField(max_length=32)
    not_after = models.DateTimeField(null=True, blank=True)
    in_use = models.BooleanField(default=False)
    last_seen_at = models.DateTimeField()

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["domain_name"]

    def __str__(self) -> str:
        return f"{self.domain_name} ({self.status})"


class Distribution(models.Model):
    """A CloudFront distribution as last seen by sync.

    `config` holds the configuration part of the ListDistributions summary, verbatim (behaviors, origins,
    viewer certificate, aliases, ...). The flat columns are derived from it for filtering and display; the
    posture flags (`serves_http`, ...) are computed at sync time so the list page can filter on them in SQL.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="distributions")
    distribution_id = models.CharField(max_length=32, unique=True)
    arn = models.CharField(max_length=2048)
    domain_name = models.CharField(max_length=253)
    aliases = models.JSONField(default=list)
    # Lowercased aliases joined by spaces: lets the search box use a plain icontains on every database.
    aliases_text = models.TextField(blank=True, default="")
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=32, choices=choices.DeploymentStatus.choices)
    comment = models.CharField(max_length=128, blank=True)
    http_version = models.CharField(max_length=16, blank=True)
    price_class = models.CharField(max_length=32, blank=True)
    certificate_source = models.CharField(max_length=16, choices=choices.CertificateSource.choices)
    acm_certificate_arn = models.CharField(max_length=2048, blank=True)
    iam_certificate_id = models.CharField(max_length=128, blank=True)
    ssl_support_method = models.CharField(max_length=16, blank=True)
    minimum_protocol_version = models.CharField(max_length=32, blank=True)
    last_modified_time = models.DateTimeField(null=True, blank=True)
    config = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    config_hash = models.CharField(max_length=64, blank=True)
    # The config's `Logging` (Enabled, IncludeCookies, Bucket, Prefix), which summaries lack: read with
    # GetDistributionConfig when the summary changes. None: not read yet (CloudFront.5 then gives no verdict).
    logging = models.JSONField(null=True, blank=True)
    serves_http = models.BooleanField(default=False, db_index=True)
    uses_default_certificate = models.BooleanField(default=False, db_index=True)
    legacy_tls_policy = models.BooleanField(default=False, db_index=True)
    behavior_count = models.PositiveIntegerField(default=0)
    http_behavior_count = models.PositiveIntegerField(default=0)
    # When sync last wrote the row (first seen, or its config or status changed): a sync that finds the
    # distribution unchanged writes nothing. The account's SyncRuns say when it was last listed.
    last_synced_at = models.DateTimeField()
    removed_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["account__name", "domain_name"]
        indexes = [models.Index(fields=["account", "removed_at"])]

    def __str__(self) -> str:
        return self.distribution_id

    @property
    def display_name(self) -> str:
        return self.aliases[0] if self.aliases else self.domain_name

    @property
    def config_with_logging(self) -> dict:
        """The mirrored config with its `Logging` once read: what a change is planned on (set_logging
        edits it; without it the plan says logging was not read yet)."""
        return self.config if self.logging is None else {**self.config, "Logging": self.logging}


class CacheBehavior(models.Model):
    """One cache behavior of a distribution, in CloudFront's evaluation order.

    `precedence` is 0-based among the ordered behaviors; the default behavior (pattern `*`, always evaluated
    last) has `is_default` set and the highest precedence.
    """

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="behaviors")
    precedence = models.PositiveIntegerField()
    is_default = models.BooleanField(default=False)
    path_pattern = models.CharField(max_length=255)
    target_origin_id = models.CharField(max_length=255)
    viewer_protocol_policy = models.CharField(max_length=32, choices=choices.VIEWER_PROTOCOL_POLICY_CHOICES)
    allowed_methods = models.JSONField(default=list)

    class Meta:
        ordering = ["distribution", "precedence"]
        constraints = [
            models.UniqueConstraint(fields=["distribution", "precedence"], name="behavior_unique_precedence")
        ]
        indexes = [models.Index(fields=["viewer_protocol_policy"])]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.path_pattern}"


class Origin(models.Model):
    """An origin of a distribution. S3 REST origins have no protocol policy (CloudFront uses HTTPS)."""

    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="origins")
    origin_id = models.CharField(max_length=255)
    domain_name = models.CharField(max_length=253)
    origin_path = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=choices.OriginKind.choices)
    origin_protocol_policy = models.CharField(
        max_length=16, blank=True, choices=choices.ORIGIN_PROTOCOL_POLICY_CHOICES
    )
    ssl_protocols = models.JSONField(default=list)
    http_port = models.PositiveIntegerField(null=True, blank=True)
    https_port = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["distribution", "origin_id"]
        constraints = [models.UniqueConstraint(fields=["distribution", "origin_id"], name="origin_unique_id")]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.origin_id}"


class SyncRun(models.Model):
    """One sync of one account: when, what it changed, how many AWS calls it cost, and why it failed."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sync_runs")
    trigger = models.CharField(max_length=16, choices=choices.SyncTrigger.choices)
    status = models.CharField(
        max_length=16, choices=choices.SyncStatus.choices, default=choices.SyncStatus.RUNNING
    )
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    removed_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    api_calls = models.JSONField(default=dict)
    error = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["account", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.account.name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def total_api_calls(self) -> int:
        return sum(self.api_calls.values())

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
