"""Real traffic, counted from CloudFront's standard access logs: never the lines, only aggregates.

Written by the log ingestion (services/traffic.py, one task per distribution and day, idempotent: reprocessing
a day replaces its rows); read by the impact of a planned change, the https-only readiness, the TLS floor and
posture (selectors/traffic.py). `path_pattern` is the behavior that served the request, matched with the
project's own path-pattern matcher on the configuration of that day; "" means the default behavior.
"""

from django.db import models

from distributions.models.mirror import Account, Distribution
from distributions.models.scoping import RestrictedQuerySet


class TrafficCount(models.Model):
    """Requests of one day to one behavior of one distribution, counted by what a change could alter."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="traffic_counts")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="traffic_counts")
    day = models.DateField()
    path_pattern = models.CharField(max_length=255, blank=True)  # "": the default behavior
    protocol = models.CharField(max_length=8)  # cs-protocol: http, https, ws, wss
    method = models.CharField(max_length=16)  # cs-method
    http_version = models.CharField(
        max_length=16
    )  # cs-protocol-version: HTTP/1.0, HTTP/1.1, HTTP/2.0, HTTP/3.0
    status_class = models.CharField(max_length=3)  # sc-status as 2xx, 3xx, 4xx, 5xx; 000 when none
    redirected = models.BooleanField()  # x-edge-result-type (or x-edge-detailed-result-type) was Redirect
    tls_protocol = models.CharField(max_length=16, blank=True)  # ssl-protocol ("" for plain HTTP)
    tls_cipher = models.CharField(max_length=64, blank=True)  # ssl-cipher ("" for plain HTTP)
    user_agent_family = models.CharField(max_length=32)  # cloudfront/access_logs.user_agent_family
    requests = models.PositiveBigIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["distribution_id", "day", "path_pattern"]
        indexes = [models.Index(fields=["distribution", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "distribution",
                    "day",
                    "path_pattern",
                    "protocol",
                    "method",
                    "http_version",
                    "status_class",
                    "redirected",
                    "tls_protocol",
                    "tls_cipher",
                    "user_agent_family",
                ],
                name="traffic_count_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.day} {self.protocol} {self.method} {self.requests}"


class TrafficPath(models.Model):
    """The busiest plain-HTTP paths of one day, per behavior, method and user-agent family (a bounded top N
    per distribution and day), so an impact can name the paths and clients a change would refuse."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="traffic_paths")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="traffic_paths")
    day = models.DateField()
    path_pattern = models.CharField(max_length=255, blank=True)
    protocol = models.CharField(max_length=8)
    method = models.CharField(max_length=16)
    http_version = models.CharField(max_length=16)
    user_agent_family = models.CharField(max_length=32)
    path = models.CharField(max_length=1024)
    requests = models.PositiveBigIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["distribution_id", "day", "-requests"]
        indexes = [models.Index(fields=["distribution", "day"])]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.day} {self.method} {self.path}"


class TrafficClients(models.Model):
    """Per day and behavior: how many distinct clients (address and user agent) asked over plain HTTP, and
    how many of those never asked over HTTPS that day (they do not follow redirects)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="traffic_clients")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="traffic_clients")
    day = models.DateField()
    path_pattern = models.CharField(max_length=255, blank=True)
    http_clients = models.PositiveIntegerField(default=0)
    http_clients_never_https = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["distribution_id", "day", "path_pattern"]
        constraints = [
            models.UniqueConstraint(
                fields=["distribution", "day", "path_pattern"], name="traffic_clients_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.day} {self.path_pattern or 'default'}"


class TrafficIngest(models.Model):
    """The reading of one distribution's logs for one day: progress, bounds, and whether it was sampled."""

    # What a reading's progress is: saved as it goes (services/traffic.py), shown by the API and the page.
    PROGRESS_FIELDS = (
        "objects_total",
        "objects_done",
        "bytes_read",
        "lines_read",
        "lines_counted",
        "lines_skipped",
        "skipped",
    )

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="traffic_ingests")
    distribution = models.ForeignKey(Distribution, on_delete=models.CASCADE, related_name="traffic_ingests")
    day = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    objects_total = models.PositiveIntegerField(default=0)
    objects_done = models.PositiveIntegerField(default=0)
    bytes_read = models.PositiveBigIntegerField(default=0)
    lines_read = models.PositiveBigIntegerField(default=0)
    lines_counted = models.PositiveBigIntegerField(default=0)
    # Lines and files not counted, by reason ("fewer values than the #Fields line names": 3, ...), so a page
    # can say what was left out rather than show numbers silently short.
    lines_skipped = models.PositiveBigIntegerField(default=0)
    skipped = models.JSONField(default=dict)
    # 1.0 when every line was counted; below, counts are scaled up from an even sample and pages say so.
    sample_rate = models.FloatField(default=1.0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["distribution_id", "-day"]
        constraints = [models.UniqueConstraint(fields=["distribution", "day"], name="traffic_ingest_unique")]

    def __str__(self) -> str:
        return f"{self.distribution_id} {self.day} {self.status}"
