"""Sync against the sandbox server: what Edgeguard mirrors, and what it costs in AWS calls."""

import math

import pytest
from django.core.management import call_command

from devtools.demo import SANDBOX_ACCOUNTS
from distributions.gateway import CloudFrontGateway as GatewayForTests
from distributions.models import Account, Distribution
from distributions.services.sync import account_sync, accounts_sync

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(db):
    return [
        Account.objects.create(name=name, account_id=account_id, role_arn=role_arn)
        for name, account_id, role_arn in SANDBOX_ACCOUNTS
    ]


def test_it_mirrors_the_demo_fleet_of_both_accounts(sandbox, accounts):
    counts = sandbox.reset(seed="demo")
    runs = accounts_sync(trigger="command")
    assert [run.status for run in runs] == ["succeeded", "succeeded"]
    for account in accounts:
        assert account.distributions.count() == counts[account.account_id]
    assert Distribution.objects.filter(serves_http=True).exists()
    assert Distribution.objects.filter(ssl_support_method="vip").exists()
    assert Distribution.objects.filter(enabled=False).exists()
    assert Distribution.objects.filter(behavior_count__gte=21).exists()


def test_it_keeps_behaviors_in_cloudfronts_order(sandbox, accounts, cloudfront_client):
    sandbox.reset(seed="demo")
    accounts_sync(trigger="command")
    distribution = Distribution.objects.order_by("-behavior_count").first()
    config = cloudfront_client.get_distribution_config(Id=distribution.distribution_id)["DistributionConfig"]
    expected = [b["PathPattern"] for b in config["CacheBehaviors"].get("Items", [])] + ["*"]
    assert list(distribution.behaviors.values_list("path_pattern", flat=True)) == expected
    assert distribution.behaviors.last().is_default


def test_it_pages_past_100_with_one_list_call_per_100(sandbox, account):
    sandbox.seed_bulk(250)
    sandbox.reset_calls()
    run = account_sync(account=account, trigger="command")
    assert run.status == "succeeded", run.error
    assert run.created_count == 250
    assert run.api_calls["cloudfront:ListDistributions"] == math.ceil(250 / 100)
    # Summaries lack Logging: one GetDistributionConfig per new distribution, none once it is unchanged.
    assert run.api_calls["cloudfront:GetDistributionConfig"] == 250
    assert sandbox.calls().get("ListDistributions") == 3
    again = account_sync(account=account, trigger="command")
    assert not any(call.startswith("cloudfront:GetDistribution") for call in again.api_calls)


def test_it_skips_unchanged_distributions_and_sees_out_of_band_edits(sandbox, account, cloudfront_client):
    ids = sandbox.seed_bulk(5)
    account_sync(account=account, trigger="command")
    config, etag = _config(cloudfront_client, ids[0])
    config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] = "https-only"
    cloudfront_client.update_distribution(Id=ids[0], DistributionConfig=config, IfMatch=etag)

    run = account_sync(account=account, trigger="command")
    assert (run.updated_count, run.unchanged_count, run.created_count) == (1, 4, 0)
    default = Distribution.objects.get(distribution_id=ids[0]).behaviors.get(is_default=True)
    assert default.viewer_protocol_policy == "https-only"


def test_it_marks_distributions_gone_from_aws(sandbox, account, cloudfront_client):
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    config, etag = _config(cloudfront_client, ids[1])
    config["Enabled"] = False
    etag = cloudfront_client.update_distribution(Id=ids[1], DistributionConfig=config, IfMatch=etag)["ETag"]
    cloudfront_client.delete_distribution(Id=ids[1], IfMatch=etag)

    run = account_sync(account=account, trigger="command")
    assert run.removed_count == 1
    assert Distribution.objects.get(distribution_id=ids[1]).removed_at is not None
    assert Distribution.objects.filter(removed_at__isnull=True).count() == 2


def test_it_records_a_failing_account_and_syncs_the_others(sandbox, accounts):
    sandbox.reset(seed="demo")
    sandbox.faults.fail_next("ListDistributions", count=1, code="AccessDenied")
    runs = accounts_sync(trigger="schedule")
    failed, succeeded = runs
    assert failed.status == "failed"
    assert "AccessDenied" in failed.error
    assert "cloudfront:" in failed.error  # the hint names the permissions to grant
    assert succeeded.status == "succeeded"
    assert succeeded.account.distributions.exists()


def test_it_retries_throttling_within_a_sync(sandbox, account):
    sandbox.seed_bulk(2)
    sandbox.faults.fail_next("ListDistributions", count=1, code="Throttling")
    run = account_sync(account=account, trigger="schedule")
    assert run.status == "succeeded", run.error
    assert run.api_calls["cloudfront:ListDistributions"] == 2


def test_it_registers_the_credential_chains_account_on_first_sync(sandbox):
    sandbox.seed_bulk(1)
    runs = accounts_sync(trigger="command")
    assert [(run.account.name, run.account.account_id) for run in runs] == [("default", "123456789012")]
    assert runs[0].created_count == 1


def test_it_stores_acm_certificates_with_their_names(sandbox, account):
    arn = sandbox.issue_certificate("example.com", ["example.com", "*.example.com"])
    account_sync(account=account, trigger="command")
    certificate = account.certificates.get(arn=arn)
    assert certificate.status == "ISSUED"
    assert set(certificate.subject_alternative_names) >= {"example.com", "*.example.com"}


def test_the_command_reports_each_account(sandbox, accounts, capsys):
    sandbox.reset(seed="demo")
    call_command("sync_distributions", "--account", "sandbox-partner")
    out = capsys.readouterr().out
    assert out.startswith("sandbox-partner: succeeded")


def test_the_command_refuses_an_unknown_account(sandbox, accounts):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown account"):
        call_command("sync_distributions", "--account", "nope")


def _config(client, distribution_id):
    response = client.get_distribution_config(Id=distribution_id)
    return response["DistributionConfig"], response["ETag"]


def test_it_stores_the_configuration_exactly_as_cloudfront_lists_it(sandbox, accounts, cloudfront_client):
    sandbox.reset(seed="demo")
    accounts_sync(trigger="command")
    listed = cloudfront_client.list_distributions()["DistributionList"]["Items"]
    summary_only = {"Id", "ARN", "ETag", "Status", "LastModifiedTime", "DomainName", "AliasICPRecordals"}
    for summary in listed:
        stored = Distribution.objects.get(distribution_id=summary["Id"])
        assert stored.config == {k: v for k, v in summary.items() if k not in summary_only}
        assert stored.status == summary["Status"]


MIRROR_TABLES = ("distributions_distribution", "distributions_cachebehavior", "distributions_origin")


def _writes(queries, tables=(*MIRROR_TABLES, "distributions_certificate")) -> dict[str, list[str]]:
    """The INSERT/UPDATE/DELETE statements of `queries` per mirror table."""
    found: dict[str, list[str]] = {}
    for query in queries:
        sql = query["sql"].lstrip().upper()
        verb = sql.split(" ", 1)[0]
        for table in tables:
            if verb in ("INSERT", "UPDATE", "DELETE") and f'"{table.upper()}"' in sql.split("WHERE")[0]:
                found.setdefault(table, []).append(verb)
    return found


def test_a_first_sync_writes_each_row_once(sandbox, account):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sandbox.seed_bulk(250)
    sandbox.issue_certificate("example.com")
    with CaptureQueriesContext(connection) as queries:
        run = account_sync(account=account, trigger="command")
    assert run.created_count == 250
    writes = _writes(queries.captured_queries)
    # Bulk INSERTs (a few a page, as the database's batch size allows), never an UPDATE or a DELETE after.
    for table in MIRROR_TABLES:
        assert set(writes[table]) == {"INSERT"}, table
        assert len(writes[table]) <= 3 * 10, table
    assert writes["distributions_certificate"] == ["INSERT", "DELETE"]  # the delete of none gone
    assert Distribution.objects.count() == 250


def test_a_steady_sync_of_an_unchanged_account_writes_nothing(sandbox, account, cloudfront_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = sandbox.seed_bulk(150)
    sandbox.issue_certificate("example.com")
    account_sync(account=account, trigger="command")
    with CaptureQueriesContext(connection) as queries:
        run = account_sync(account=account, trigger="command")
    assert (run.unchanged_count, run.updated_count, run.created_count) == (150, 0, 0)
    writes = _writes(queries.captured_queries)
    assert set(writes) <= {"distributions_certificate"}
    assert writes.get("distributions_certificate", []) == ["DELETE"]  # "delete those gone": none
    # Queries per page, not per distribution.
    assert len(queries.captured_queries) < 40

    config, etag = _config(cloudfront_client, ids[7])
    config["Comment"] = "changed"
    cloudfront_client.update_distribution(Id=ids[7], DistributionConfig=config, IfMatch=etag)
    with CaptureQueriesContext(connection) as queries:
        run = account_sync(account=account, trigger="command")
    assert (run.unchanged_count, run.updated_count) == (149, 1)
    assert _writes(queries.captured_queries, MIRROR_TABLES)["distributions_distribution"] == ["UPDATE"]


def test_it_reports_the_ids_it_changed_for_the_steps_after_it(sandbox, account, cloudfront_client):
    from distributions.services.sync import distributions_store

    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    config, etag = _config(cloudfront_client, ids[1])
    config["Enabled"] = False
    etag = cloudfront_client.update_distribution(Id=ids[1], DistributionConfig=config, IfMatch=etag)["ETag"]
    cloudfront_client.delete_distribution(Id=ids[1], IfMatch=etag)
    (created,) = sandbox.seed_bulk(1, prefix="later")
    run = account.sync_runs.create(trigger="command", started_at=account.sync_runs.first().started_at)
    pages = GatewayForTests(account).distribution_pages()

    assert distributions_store(run=run, account=account, pages=pages) == {ids[1], created}


def test_at_most_the_configured_number_of_accounts_sync_at_once(sandbox, account, settings):
    from django.core.cache import cache

    from distributions.services.sync import account_sync_in_turn

    settings.EDGEGUARD_SYNC_CONCURRENCY = 2
    cache.add("edgeguard:sync-slot:0", "another worker", 60)
    cache.add("edgeguard:sync-slot:1", "and another", 60)
    assert account_sync_in_turn(account=account, trigger="schedule") is None
    cache.delete("edgeguard:sync-slot:1")
    assert account_sync_in_turn(account=account, trigger="schedule").status == "succeeded"
    assert cache.get("edgeguard:sync-slot:1") is None  # given back


def test_it_reads_logging_settings_of_new_changed_and_unread_distributions_only(
    sandbox, account, cloudfront_client
):
    ids = sandbox.seed_bulk(3)
    account_sync(account=account, trigger="command")
    assert all(d.logging == {**d.logging, "Enabled": False} for d in Distribution.objects.all())
    config, etag = _config(cloudfront_client, ids[0])
    config["Logging"] = {
        "Enabled": True,
        "IncludeCookies": False,
        "Bucket": "logs.s3.amazonaws.com",
        "Prefix": "cf/",
    }
    cloudfront_client.update_distribution(Id=ids[0], DistributionConfig=config, IfMatch=etag)
    Distribution.objects.filter(distribution_id=ids[2]).update(logging=None)

    run = account_sync(account=account, trigger="command")

    assert run.api_calls["cloudfront:GetDistributionConfig"] == 2
    changed = Distribution.objects.get(distribution_id=ids[0])
    assert (changed.logging["Enabled"], changed.logging["Bucket"], changed.logging["Prefix"]) == (
        True,
        "logs.s3.amazonaws.com",
        "cf/",
    )
    assert Distribution.objects.get(distribution_id=ids[2]).logging is not None


def test_a_failing_logging_read_leaves_the_sync_whole_and_the_settings_unread(sandbox, account, settings):
    # One read at a time (several at once: tests/app/test_sync_logging_reads.py).
    settings.EDGEGUARD_SYNC_CONFIG_READS = 1
    sandbox.seed_bulk(3)
    sandbox.faults.fail_next("GetDistributionConfig", 5, "AccessDenied", status=403)

    run = account_sync(account=account, trigger="command")

    assert (run.status, run.created_count) == ("succeeded", 3)
    assert run.api_calls["cloudfront:GetDistributionConfig"] == 1  # the first failure stops the reading
    assert not Distribution.objects.filter(logging__isnull=False).exists()
