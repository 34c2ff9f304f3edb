"""Reading access logs from the sandbox's S3 into counts, end to end (issue 13)."""

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from devtools.demo import SANDBOX_ACCOUNTS
from devtools.sandbox.access_logs import NEVER_FOLLOWS, write_access_logs
from distributions.models import Distribution, TrafficClients, TrafficCount, TrafficIngest, TrafficPath
from distributions.services import traffic
from tests.api.conftest import distribution as distribution  # noqa: F401 (fixture)
from tests.cloudfront.log_factories import line, log_file
from tests.sandbox_fixtures import sandbox_client

pytestmark = pytest.mark.django_db

ACCOUNTS = [account_id for _, account_id, _ in SANDBOX_ACCOUNTS]


@pytest.fixture
def written(demo):
    return write_access_logs(today=timezone.now().date(), days=2, accounts=ACCOUNTS)


def _ingest(distribution, day):
    (ingest,) = traffic.traffic_ingest_request(distribution=distribution, days=[day])
    return traffic.traffic_ingest_day(ingest_id=ingest.pk)


def _yesterday():
    return timezone.now().date() - timedelta(days=1)


def _by_protocol(distribution, day):
    rows = TrafficCount.objects.filter(distribution=distribution, day=day).values("protocol")
    return {r["protocol"]: r["n"] for r in rows.annotate(n=Sum("requests"))}


def test_it_counts_a_day_as_the_generated_history_wrote_it(written):
    shop = Distribution.objects.get(comment="shop (app)")
    day = _yesterday()

    ingest = _ingest(shop, day)

    assert ingest.status == "done", ingest.error
    assert (ingest.objects_done, ingest.objects_total, ingest.sample_rate) == (24, 24, 1.0)
    # The generator counted two days; the ingestion one: its requests are about half, split the same way.
    written_shop = written[shop.distribution_id]
    stored = _by_protocol(shop, day)
    assert ingest.lines_read == ingest.lines_counted == sum(stored.values())
    assert set(stored) == set(written_shop.by_protocol)
    tls11 = TrafficCount.objects.filter(distribution=shop, day=day, tls_protocol="TLSv1.1").aggregate(
        n=Sum("requests")
    )["n"]
    assert tls11 and tls11 > 0
    assert TrafficPath.objects.filter(distribution=shop, day=day, protocol="http").exists()
    clients = TrafficClients.objects.filter(distribution=shop, day=day)
    assert sum(c.http_clients_never_https for c in clients) >= 1  # the monitor, at least


def test_reading_a_day_again_replaces_its_counts(written):
    shop = Distribution.objects.get(comment="shop (app)")
    day = _yesterday()
    _ingest(shop, day)
    first = sorted(TrafficCount.objects.filter(distribution=shop, day=day).values_list("requests", flat=True))

    _ingest(shop, day)

    again = sorted(TrafficCount.objects.filter(distribution=shop, day=day).values_list("requests", flat=True))
    assert again == first


def test_over_the_bound_it_samples_evenly_and_says_so(written, settings):
    shop = Distribution.objects.get(comment="shop (app)")
    day = _yesterday()
    full = _ingest(shop, day)
    settings.EDGEGUARD_TRAFFIC_MAX_LINES = full.lines_read // 4

    sampled = _ingest(shop, day)

    assert sampled.status == "done"
    assert sampled.lines_counted <= full.lines_read // 4 * 1.3
    assert 0.15 < sampled.sample_rate < 0.4
    total = sum(_by_protocol(shop, day).values())
    assert abs(total - full.lines_read) < full.lines_read * 0.1  # scaled up to the whole day


def test_bad_files_and_foreign_keys_are_skipped_with_their_reason(written, sandbox):
    shop = Distribution.objects.get(comment="shop (app)")
    day = _yesterday()
    s3 = sandbox_client(sandbox, "s3")
    prefix = f"{shop.logging['Prefix']}{shop.distribution_id}.{day.isoformat()}-"
    good = log_file([line(date=day.isoformat()), "short\tline"])
    s3.put_object(Bucket="edgeguard-demo-logs", Key=f"{prefix}05.truncated.gz", Body=good[: len(good) // 2])
    s3.put_object(Bucket="edgeguard-demo-logs", Key=f"{prefix}06.extra.gz", Body=good)
    s3.put_object(Bucket="edgeguard-demo-logs", Key=f"{prefix}notes.txt", Body=b"hello")

    ingest = _ingest(shop, day)

    assert ingest.status == "done"
    assert ingest.skipped["file: not a log file of this distribution"] == 1
    assert ingest.skipped["file: truncated gzip (the file ends inside a compressed member)"] == 1
    assert ingest.skipped["fewer values than the #Fields line names"] == 1
    assert ingest.lines_skipped == 1


def test_a_denied_bucket_fails_the_day_with_a_hint(written, monkeypatch):
    # The sandbox's S3 is moto's own (no fault injection): S3 answers AccessDenied through a stub client.
    from botocore.exceptions import ClientError

    from distributions.gateway import CloudFrontGateway

    class DeniedS3:
        def list_objects_v2(self, **kwargs):
            raise ClientError(
                {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}, "ListObjectsV2"
            )

    real_client = CloudFrontGateway._client
    monkeypatch.setattr(
        CloudFrontGateway,
        "_client",
        lambda self, service: DeniedS3() if service == "s3" else real_client(self, service),
    )
    shop = Distribution.objects.get(comment="shop (app)")

    ingest = _ingest(shop, _yesterday())

    assert ingest.status == "failed"
    assert "AccessDenied" in ingest.error and "s3:ListBucket on edgeguard-demo-logs" in ingest.error


def test_the_reader_is_a_generator_holding_no_list_of_lines(written):
    from distributions.gateway import CloudFrontGateway
    from distributions.services.log_sources import S3LogSource

    shop = Distribution.objects.get(comment="shop (app)")
    source = S3LogSource(
        CloudFrontGateway(shop.account), shop.distribution_id, traffic.logging_settings(shop)
    )
    part = source.parts(_yesterday())[0]

    lines = source.lines(part)

    assert iter(lines) is lines and not isinstance(lines, list | tuple)
    assert next(lines) == "#Version: 1.0"


def test_the_daily_beat_queues_the_window_for_distributions_that_log(
    written, settings, django_capture_on_commit_callbacks
):
    settings.EDGEGUARD_TRAFFIC_WINDOW_DAYS = 2
    logging_on = Distribution.objects.filter(logging__Enabled=True).count()

    with django_capture_on_commit_callbacks() as callbacks:
        queued = traffic.traffic_ingest_due()

    assert queued == 2 * logging_on == len(callbacks)
    assert TrafficIngest.objects.filter(status="queued").count() == queued
    assert traffic.traffic_ingest_due() == 0  # queued already


def test_a_cross_account_distribution_reads_the_bucket_through_its_role(written):
    acme = Distribution.objects.get(comment="acme-www (app)")

    ingest = _ingest(acme, _yesterday())

    assert ingest.status == "done", ingest.error
    assert ingest.lines_counted > 0


def test_the_monitor_that_never_follows_is_counted_as_never_https(written):
    assert NEVER_FOLLOWS[1].startswith("Java/")
    shop = Distribution.objects.get(comment="shop (app)")
    _ingest(shop, _yesterday())

    java = TrafficCount.objects.filter(distribution=shop, user_agent_family="Java")
    assert set(java.values_list("protocol", flat=True)) == {"http"}


def test_the_posture_page_shows_http_requests_still_served_from_real_traffic(written, client, vera):
    shop = Distribution.objects.get(comment="shop (app)")
    checkout = Distribution.objects.get(comment="checkout (app)")  # allow-all on its default behavior
    day = _yesterday()
    for logged in (shop, checkout):
        _ingest(logged, day)
    expected = sum(written[d.distribution_id].http_served[day.isoformat()] for d in (shop, checkout))
    client.force_login(vera)

    html = client.get("/posture/").content.decode()

    assert expected > 0
    assert f'id="stat-http-served">{expected:,}<' in html
    assert 'id="stat-unmeasured">1 without logging (CloudFront.5): not measured' in html


class _GeneratedSource:
    """A LogSource of `parts` files of `per_part` lines each, made as they are read (nothing kept)."""

    def __init__(self, day, parts, per_part):
        self.day, self.count, self.per_part = day, parts, per_part

    def parts(self, day):
        from distributions.services.log_sources import LogPart

        return [LogPart(f"part-{n}", self.per_part * 60) for n in range(self.count)]

    def lines(self, part):
        from tests.cloudfront.log_factories import header

        yield from header()
        for n in range(self.per_part):
            yield line(date=self.day.isoformat(), c_ip=f"192.0.2.{n % 200}", cs_uri_stem=f"/p/{n % 500}")


def _peak_of_a_day(distribution, day, per_part):
    import tracemalloc

    (ingest,) = traffic.traffic_ingest_request(distribution=distribution, days=[day])
    tracemalloc.start()
    done = traffic.traffic_ingest_day(ingest_id=ingest.pk, source=_GeneratedSource(day, 10, per_part))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return done, peak


def test_memory_stays_flat_with_ten_times_the_lines(distribution, settings):  # noqa: F811
    settings.EDGEGUARD_TRAFFIC_MAX_LINES = 2_000
    day = _yesterday()

    small, small_peak = _peak_of_a_day(distribution, day, 2_000)
    large, large_peak = _peak_of_a_day(distribution, day, 20_000)

    assert (small.lines_read, large.lines_read) == (20_000, 200_000)
    assert large.lines_counted <= 2_000 * 1.2 and large.sample_rate < 0.02
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)


def test_a_day_left_running_by_a_killed_worker_is_read_again(
    distribution, django_capture_on_commit_callbacks
):  # noqa: F811
    Distribution.objects.filter(pk=distribution.pk).update(
        logging={"Enabled": True, "Bucket": "logs", "Prefix": ""}
    )
    day = _yesterday()
    (ingest,) = traffic.traffic_ingest_request(distribution=distribution, days=[day])
    TrafficIngest.objects.filter(pk=ingest.pk).update(status="running", started_at=timezone.now())
    assert traffic.traffic_ingest_request(distribution=distribution, days=[day]) == []  # still being read

    TrafficIngest.objects.filter(pk=ingest.pk).update(started_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks() as callbacks:
        again = traffic.traffic_ingest_request(distribution=distribution, days=[day])

    assert [i.status for i in again] == ["queued"] and len(callbacks) == 1
