"""Rows for view and service tests that need no AWS: a distribution as sync would have stored it."""

from __future__ import annotations

import itertools
from datetime import date

from django.contrib.auth.models import Group, User
from django.utils import timezone

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.cloudfront.summary import record_from_summary
from distributions.models import (
    Account,
    ChangeItem,
    ChangeRequest,
    Distribution,
    TrafficClients,
    TrafficCount,
    TrafficIngest,
    TrafficPath,
)
from distributions.models.changes import edit_kinds_text
from distributions.services.posture import posture_evaluate
from distributions.services.sync import record_apply, records_save

_ids = itertools.count(1)


def summary(
    *,
    distribution_id: str | None = None,
    aliases: tuple[str, ...] = (),
    behaviors: tuple[tuple[str, str], ...] = (),
    default_policy: str = "redirect-to-https",
    certificate_arn: str = "",
    minimum_protocol_version: str = "TLSv1.2_2021",
    origin_policy: str = "https-only",
    origin_id: str = "app",
    status: str = "Deployed",
    enabled: bool = True,
    comment: str = "",
) -> dict:
    """A boto3-shaped DistributionSummary; `behaviors` is ((path pattern, viewer protocol policy), ...)."""
    number = next(_ids)
    distribution_id = distribution_id or f"E{number:012d}"
    origin = {
        "Id": origin_id,
        "DomainName": "app.example.internal",
        "OriginPath": "",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": origin_policy,
            "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
        },
    }
    if certificate_arn:
        viewer_certificate = {
            "ACMCertificateArn": certificate_arn,
            "SSLSupportMethod": "sni-only",
            "MinimumProtocolVersion": minimum_protocol_version,
        }
    else:
        viewer_certificate = {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": "TLSv1"}
    return {
        "Id": distribution_id,
        "ARN": f"arn:aws:cloudfront::123456789012:distribution/{distribution_id}",
        "Status": status,
        "DomainName": f"d{number:06d}.cloudfront.net",
        "Aliases": {"Quantity": len(aliases), "Items": list(aliases)},
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {"TargetOriginId": origin_id, "ViewerProtocolPolicy": default_policy},
        "CacheBehaviors": {
            "Quantity": len(behaviors),
            "Items": [
                {"PathPattern": pattern, "TargetOriginId": origin_id, "ViewerProtocolPolicy": policy}
                for pattern, policy in behaviors
            ],
        },
        "Comment": comment,
        "PriceClass": "PriceClass_All",
        "Enabled": enabled,
        "ViewerCertificate": viewer_certificate,
        "HttpVersion": "http2",
    }


def make_distribution(account: Account, **kwargs) -> Distribution:
    """Store one distribution (with its behaviors and origins) as sync would, and evaluate its posture as
    sync does."""
    distribution = make_distributions(account, 1, **kwargs)[0]
    posture_evaluate(account=account)
    return distribution


def make_distributions(account: Account, count: int, **kwargs) -> list[Distribution]:
    """Store `count` distributions alike but for their ids and domains, in bulk, as sync would (their
    posture is not evaluated: call `posture_evaluate` when a test needs it)."""
    now = timezone.now()
    stored = []
    for _ in range(count):
        record = record_from_summary(summary(**kwargs))
        distribution = Distribution(account=account, distribution_id=record.distribution_id)
        record_apply(distribution, record, now)
        stored.append((distribution, record))
    records_save(stored)
    return [distribution for distribution, _ in stored]


def make_change(
    requester: User, distributions: list[Distribution], policy: str = "redirect-to-https"
) -> ChangeRequest:
    """A draft moving each distribution's default behavior to `policy`, its items stored in bulk (the
    services add them one by one, which is too slow to build thousands of items in a test)."""
    change = ChangeRequest.objects.create(title="Fleet-wide HTTPS", requester=requester)
    edits = [SetViewerProtocolPolicy(path_pattern="default", policy=policy).to_dict()]
    ChangeItem.objects.bulk_create(
        [
            ChangeItem(
                change_request=change,
                distribution=d,
                edits=edits,
                edit_kinds=edit_kinds_text(edits),
                base_config=d.config,
                base_version=d.config_hash,
            )
            for d in distributions
        ],
        batch_size=500,
    )
    return change


def make_user(username: str, role: str | None) -> User:
    user = User.objects.create_user(
        username=username, password=f"{username}-password", email=f"{username}@x.test"
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def make_traffic(
    distribution: Distribution,
    day: date,
    *,
    requests: int = 100,
    path_pattern: str = "",
    protocol: str = "http",
    method: str = "GET",
    http_version: str = "HTTP/1.1",
    user_agent_family: str = "Chrome",
    tls_protocol: str = "",
    tls_cipher: str = "",
    path: str = "",
    clients: tuple[int, int] | None = None,
    sample_rate: float | None = None,
) -> TrafficCount:
    """One counted class as the log ingestion would store it; with `path`, the class's TrafficPath row; with
    `clients` (plain-HTTP clients, of which never over HTTPS), the behavior's TrafficClients row of the day;
    with `sample_rate`, the day's TrafficIngest (done)."""
    common = {"account": distribution.account, "distribution": distribution, "day": day}
    key = {"path_pattern": path_pattern, "protocol": protocol, "method": method, "http_version": http_version}
    count = TrafficCount.objects.create(
        **common,
        **key,
        status_class="2xx",
        redirected=False,
        tls_protocol=tls_protocol,
        tls_cipher=tls_cipher,
        user_agent_family=user_agent_family,
        requests=requests,
    )
    if path:
        TrafficPath.objects.create(
            **common, **key, user_agent_family=user_agent_family, path=path, requests=requests
        )
    if clients is not None:
        TrafficClients.objects.update_or_create(
            **common,
            path_pattern=path_pattern,
            defaults={"http_clients": clients[0], "http_clients_never_https": clients[1]},
        )
    if sample_rate is not None:
        now = timezone.now()
        TrafficIngest.objects.update_or_create(
            **common,
            defaults={"status": TrafficIngest.Status.DONE, "sample_rate": sample_rate, "requested_at": now},
        )
    return count
