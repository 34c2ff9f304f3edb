"""The request simulator over the mirror: which distribution serves a URL, and what a viewer gets from it,
now and, optionally, once a change is applied (one of the user's drafts, or any change under review or
approved: see changes.simulatable_changes). Reads only; no AWS call."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.simulate import Simulation, find_distribution, simulate
from distributions.cloudfront.viewers import wildcard_names
from distributions.errors import Invalid
from distributions.models import ChangeRequest, Distribution
from distributions.selectors.changes import certificate_records, item_planned_config
from distributions.selectors.traffic import ItemTraffic, items_traffic

# What CloudFront domains and aliases are made of; anything else (an IP literal, a NUL) names no distribution.
HOSTNAME = re.compile(r"[a-z0-9*_-]+(\.[a-z0-9*_-]+)*\.?")


@dataclass(frozen=True)
class RequestSimulation:
    """The distribution found for the URL's host, the outcome today and, with a change, after it."""

    distribution: Distribution
    via: str
    before: Simulation
    after: Simulation | None = None
    change_request: ChangeRequest | None = None
    change_note: str = ""
    traffic: ItemTraffic | None = None  # the change's impact on this distribution's counted traffic

    @property
    def changed(self) -> bool:
        """Whether the change alters what the viewer gets (status, redirect, origin protocol)."""
        if self.after is None:
            return False

        def seen(s: Simulation) -> tuple:
            pattern = s.match.path_pattern if s.match else None
            protocol = s.origin.protocol if s.origin else None
            return (s.status, s.location, s.viewer_protocol_policy, pattern, protocol)

        return seen(self.before) != seen(self.after)


def _host(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not HOSTNAME.match(parts.hostname or ""):
        raise Invalid(
            f"Enter an http:// or https:// URL with a host, such as https://www.example.com/, not {url!r}.",
            code="invalid_url",
            field="url",
        )
    assert parts.hostname is not None  # HOSTNAME matched it, and it matches no empty string
    return parts.hostname.rstrip(".")


def distribution_for_host(host: str, *, user: User | AnonymousUser) -> tuple[Distribution, str]:
    """The live distribution of the user's accounts serving `host` by its cloudfront.net domain or an alias,
    exact or wildcard."""
    # Every distribution that could route the host; find_distribution picks the one CloudFront would.
    names = Q(domain_name__iexact=host) | Q(aliases_text__icontains=host)
    for wildcard in wildcard_names(host):
        names |= Q(aliases_text__icontains=wildcard)
    visible = Distribution.objects.restrict(user).select_related("account")
    candidates = list(visible.filter(names, removed_at__isnull=True))
    route = find_distribution(host, ((d.distribution_id, d.domain_name, d.config) for d in candidates))
    if route is None:
        raise Invalid(
            f"No distribution in the mirror serves {host}: use a distribution's *.cloudfront.net domain or "
            "one of its alternate domain names (sync its account if it is new).",
            code="unknown_host",
            field="url",
        )
    return next(d for d in candidates if d.distribution_id == route.distribution_id), route.via


def _certificate(distribution: Distribution) -> CertificateRecord | None:
    arn = distribution.acm_certificate_arn
    if not arn:
        return None
    return next((c for c in certificate_records(distribution.account_id) if c.arn == arn), None)


def request_simulate(
    *,
    user: User | AnonymousUser,
    url: str,
    method: str,
    http_version: str,
    change_request: ChangeRequest | None = None,
) -> RequestSimulation:
    """Simulate one request on the distribution serving its host (among the user's), and on that change's
    planned config."""
    distribution, via = distribution_for_host(_host(url), user=user)
    certificate = _certificate(distribution)

    def run(config: dict) -> Simulation:
        try:
            return simulate(
                url=url.strip(),
                config=config,
                domain_name=distribution.domain_name,
                method=method,
                http_version=http_version,
                certificate=certificate,
            )
        except ValueError as error:
            raise Invalid(str(error), code="invalid_request", field="url") from None

    before = run(distribution.config)
    if change_request is None:
        return RequestSimulation(distribution, via, before)
    item = change_request.items.filter(distribution=distribution).first()
    if item is None:
        note = f"Change #{change_request.pk} does not touch {distribution.distribution_id}: nothing changes."
        return RequestSimulation(distribution, via, before, None, change_request, note)
    try:
        after = run(item_planned_config(item))
    except LookupError as error:
        note = f"Change #{change_request.pk} no longer applies to this distribution: {error}."
        return RequestSimulation(distribution, via, before, None, change_request, note)
    traffic = items_traffic(items=[item])[item.pk]
    return RequestSimulation(distribution, via, before, after, change_request, traffic=traffic)


def change_sample_urls(change_request: ChangeRequest, limit: int = 6) -> list[str]:
    """A plain-HTTP URL on each of the first distributions the change touches, to try it on."""
    items = change_request.items.select_related("distribution").order_by("pk")[:limit]
    return [f"http://{item.distribution.display_name}/" for item in items]
