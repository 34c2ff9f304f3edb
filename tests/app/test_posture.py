"""The posture page and its services: counts that match the mirror, snapshots per sync, and Fix proposing only
the edits the selected findings need."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from distributions.cloudfront.compliance import CONTROLS, DistributionFacts, evaluate_distribution
from distributions.cloudfront.config_paths import items
from distributions.errors import Invalid
from distributions.models import (
    Account,
    Certificate,
    ChangeItem,
    ChangeRequest,
    Distribution,
    PostureSnapshot,
    PostureState,
)
from distributions.selectors import posture
from distributions.selectors.changes import certificate_records
from distributions.services import posture as posture_service
from distributions.services.guards import Actor
from distributions.services.posture import posture_evaluate
from distributions.services.posture_fix import posture_fix_create
from distributions.services.sync import accounts_sync
from tests.factories import make_distribution

# Sees every account (teams restrict what others read: tests/app/test_team_scope.py).
EVERYONE = User(username="root", is_superuser=True)

ARN = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"


def _behaviors(config: dict) -> list[dict]:
    return [*items(config.get("CacheBehaviors")), config["DefaultCacheBehavior"]]


def _row(response, control_id: str):
    return next(row for row, *_ in response.context["controls"] if row.control_id == control_id)


def _keys(control_id: str, distribution_id: str) -> list[str]:
    return [
        row.key for row in posture.findings(user=EVERYONE, control=control_id, distribution=distribution_id)
    ]


def _evaluated_now() -> int:
    """Findings of the live mirror evaluated from scratch, in this process (what the stored rows must be)."""
    findings = 0
    for d in Distribution.objects.filter(removed_at__isnull=True):
        records = {r.arn: r for r in certificate_records(d.account_id)}
        config = d.config if d.logging is None else {**d.config, "Logging": d.logging}
        facts = DistributionFacts(d.distribution_id, config, records.get(d.acm_certificate_arn))
        findings += len(evaluate_distribution(facts, now=timezone.now()).findings)
    return findings


def test_it_counts_allow_all_behaviors_on_the_posture_page_as_the_mirror_holds_them(client, vera, demo):
    live = Distribution.objects.filter(removed_at__isnull=True)
    policies = {d.distribution_id: [b["ViewerProtocolPolicy"] for b in _behaviors(d.config)] for d in live}
    failing_behaviors = sum(p.count("allow-all") for p in policies.values())
    failing = sum(1 for p in policies.values() if "allow-all" in p)
    assert failing > 0

    client.force_login(vera)
    response = client.get("/posture/")

    row = _row(response, "CloudFront.3")
    assert (row.distributions["fail"], row.distributions["pass"]) == (failing, len(policies) - failing)
    total_behaviors = sum(len(p) for p in policies.values())
    assert (row.targets["fail"], row.targets["pass"]) == (
        failing_behaviors,
        total_behaviors - failing_behaviors,
    )
    html = response.content.decode()
    assert 'data-control="CloudFront.3"' in html and f'data-fail="{failing}"' in html
    assert f'data-target-fail="{failing_behaviors}"' in html


def test_it_counts_default_certificates_per_account(client, vera, demo):
    client.force_login(vera)
    response = client.get("/posture/")

    by_account = response.context["by_account"]
    for account in Account.objects.all():
        expected = account.distributions.filter(
            removed_at__isnull=True, uses_default_certificate=True
        ).count()
        cell = next(r for r in by_account[account.name] if r.control_id == "CloudFront.7")
        assert cell.distributions["fail"] == expected
    filtered = client.get("/posture/", {"account": "sandbox-partner"})
    partner = Distribution.objects.filter(account__name="sandbox-partner", removed_at__isnull=True)
    assert (
        _row(filtered, "CloudFront.7").distributions["fail"]
        == partner.filter(uses_default_certificate=True).count()
    )


def test_it_writes_a_snapshot_per_account_and_control_on_each_sync(demo):
    assert PostureSnapshot.objects.count() == 2 * len(CONTROLS)
    main = PostureSnapshot.objects.get(account__name="sandbox-main", control_id="CloudFront.7")
    expected = Distribution.objects.filter(
        account__name="sandbox-main", uses_default_certificate=True
    ).count()
    assert main.distributions_failing == expected and main.sync_run.status == "succeeded"

    accounts_sync(trigger="command")

    assert PostureSnapshot.objects.count() == 4 * len(CONTROLS)
    trend = posture.posture_trend(user=EVERYONE)
    failing = sum(1 for d in Distribution.objects.all() if d.uses_default_certificate)
    assert trend["CloudFront.7"][-1] == failing and len(trend["CloudFront.7"]) >= 2


def test_it_filters_and_pages_the_findings(client, vera, demo):
    client.force_login(vera)

    response = client.get("/posture/", {"control": "CloudFront.3", "severity": "medium"})

    assert {r.finding.control_id for r in response.context["rows"]} == {"CloudFront.3"}
    assert all("tab=behaviors" in r.url for r in response.context["rows"])
    everything = client.get("/posture/")
    assert everything.context["page"].paginator.count == _evaluated_now() > 0
    second = client.get("/posture/", {"page": 2})
    assert second.status_code == 200 and second.context["page"].number == 2
    assert client.get("/posture/", {"severity": "bogus"}).status_code == 200


def test_it_proposes_redirects_only_for_the_allow_all_behaviors_selected(client, alice, account):
    d = make_distribution(
        account,
        default_policy="allow-all",
        behaviors=(("/api/*", "https-only"), ("/img/*", "allow-all"), ("/old/*", "allow-all")),
    )
    keys = [k for k in _keys("CloudFront.3", d.distribution_id) if "/old/*" not in k]
    client.force_login(alice)

    response = client.post("/posture/fix/", {"finding": keys})

    change = ChangeRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/changes/{change.pk}/"
    assert change.items.get().edits == [
        {"kind": "set_viewer_protocol_policy", "path_pattern": "/img/*", "policy": "redirect-to-https"},
        {"kind": "set_viewer_protocol_policy", "path_pattern": "default", "policy": "redirect-to-https"},
    ]
    page = client.get(response["Location"])
    assert "/api/*" not in "".join(str(c) for review in page.context["reviews"] for c in review.changes)


def test_it_fixes_an_http_only_origin_and_the_review_suggests_invalidating(client, alice, account):
    d = make_distribution(account, origin_policy="http-only")
    client.force_login(alice)

    response = client.post("/posture/fix/", {"only": _keys("CloudFront.9", d.distribution_id)[0]})

    item = ChangeItem.objects.get()
    assert item.edits == [{"kind": "set_origin_protocol_policy", "origin_id": "app", "policy": "https-only"}]
    page = client.get(response["Location"])
    assert page.context["reviews"][0].suggested_invalidations == ["/*"]


def test_it_keeps_the_certificate_and_method_when_fixing_the_security_policy(alice, account):
    Certificate.objects.create(
        account=account, arn=ARN, domain_name="*.x.test", status="ISSUED", last_seen_at=timezone.now()
    )
    d = make_distribution(account, certificate_arn=ARN, minimum_protocol_version="TLSv1.1_2016")
    keys = _keys("CloudFront.15", d.distribution_id) + _keys(
        "cloudfront-security-policy-check", d.distribution_id
    )

    result = posture_fix_create(actor=Actor(alice), finding_keys=keys)

    assert len(result.fixed) == 2 and result.skipped == []
    assert result.change_request.items.get().edits == [
        {
            "kind": "set_viewer_certificate",
            "source": "acm",
            "certificate_id_or_arn": ARN,
            "ssl_support_method": "sni-only",
            "minimum_protocol_version": "TLSv1.2_2021",
        }
    ]


def test_it_says_a_default_certificate_needs_a_person(client, alice, account):
    d = make_distribution(account)
    client.force_login(alice)
    page = client.get("/posture/", {"control": "CloudFront.7"})
    assert page.context["rows"][0].not_fixable.startswith("Needs a choice of certificate")
    assert 'name="finding"' not in page.content.decode()

    with pytest.raises(Invalid) as error:
        posture_fix_create(actor=Actor(alice), finding_keys=_keys("CloudFront.7", d.distribution_id))

    assert error.value.code == "not_fixable" and not ChangeRequest.objects.exists()


def test_it_refuses_findings_that_are_no_longer_current(client, alice, account):
    make_distribution(account)
    client.force_login(alice)

    stale = ['["E0","CloudFront.3","behavior","*"]']
    # The filters to return to come back from the browser: a header break in them stays in the query.
    query = "control=CloudFront.3\r\nSet-Cookie: x=1"

    response = client.post("/posture/fix/", {"finding": stale, "query": query}, follow=True)

    assert "None of the selected findings is current" in response.content.decode()
    assert response.redirect_chain == [("/posture/?control=CloudFront.3%0D%0ASet-Cookie%3A+x%3D1", 302)]
    assert not ChangeRequest.objects.exists()


def test_it_lets_viewers_read_the_posture_but_not_fix(client, vera, account):
    d = make_distribution(account, default_policy="allow-all")
    client.force_login(vera)

    assert 'name="finding"' not in client.get("/posture/").content.decode()
    response = client.post("/posture/fix/", {"finding": _keys("CloudFront.3", d.distribution_id)})
    assert response.status_code == 403


def _complete(alice, distribution, edits) -> None:
    change = ChangeRequest.objects.create(title="t", requester=alice, status="completed")
    ChangeItem.objects.create(
        change_request=change,
        distribution=distribution,
        edits=edits,
        base_config=distribution.config,
        base_version=distribution.config_hash,
        status="completed",
        completed_at=timezone.now(),
    )


def test_it_flags_an_origin_moved_to_https_until_a_full_invalidation(alice, account):
    d = make_distribution(account, origin_policy="http-only")
    _complete(alice, d, [{"kind": "set_origin_protocol_policy", "origin_id": "app", "policy": "https-only"}])
    # The resync after a change re-evaluates: the history is one of the inputs, not only the config.
    posture_evaluate(account=account)

    assert _keys("edgeguard.origin-https-invalidated", d.distribution_id)

    _complete(alice, d, [{"kind": "invalidate", "paths": ["/*"]}])
    posture_evaluate(account=account)
    assert _keys("edgeguard.origin-https-invalidated", d.distribution_id) == []


def test_it_re_evaluates_only_the_distributions_whose_inputs_changed(account, monkeypatch):
    d, other = make_distribution(account), make_distribution(account)
    other_evaluated_at = PostureState.objects.get(pk=other.pk).evaluated_at
    evaluated = []
    real = posture_service.evaluate_distribution
    monkeypatch.setattr(
        posture_service,
        "evaluate_distribution",
        lambda facts, now: evaluated.append(facts) or real(facts, now=now),
    )

    posture_evaluate(account=account)
    assert evaluated == []

    Distribution.objects.filter(pk=d.pk).update(config_hash="changed")
    posture_evaluate(account=account)

    assert [facts.distribution_id for facts in evaluated] == [d.distribution_id]
    assert PostureState.objects.get(pk=other.pk).evaluated_at == other_evaluated_at


def test_it_says_which_security_hub_controls_it_covers_and_judges_logging_from_the_config(client, vera, demo):
    client.force_login(vera)
    response = client.get("/posture/")

    # Summaries carry no Logging: sync reads it with GetDistributionConfig, and CloudFront.5 judges it.
    live = Distribution.objects.filter(removed_at__isnull=True)
    assert not any("Logging" in d.config for d in live)
    logging_on = [d for d in live if d.logging["Enabled"]]
    row = _row(response, "CloudFront.5")
    assert (row.distributions["pass"], row.distributions["fail"], row.distributions["not_applicable"]) == (
        len(logging_on),
        live.count() - len(logging_on),
        0,
    )
    assert 0 < len(logging_on) < live.count()
    html = response.content.decode()
    assert 'data-security-hub-control="CloudFront.5" data-evaluated="yes"' in html
    assert 'data-security-hub-control="CloudFront.6" data-evaluated="no"' in html
    assert "Request filtering by AWS WAF web ACLs" in html
