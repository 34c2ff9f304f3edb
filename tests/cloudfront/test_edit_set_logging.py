"""set_logging: turning standard logging on to a bucket the admin names (CloudFront.5's Fix)."""

from __future__ import annotations

import pytest

from distributions.cloudfront.config_paths import field_label, format_value
from distributions.cloudfront.diff import diff_configs
from distributions.cloudfront.edits import SetLogging, edit_from_dict
from distributions.cloudfront.rebase import rebase
from distributions.cloudfront.revert import plan_revert

OFF = {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""}
CONFIG = {"Comment": "", "Logging": OFF}


@pytest.mark.parametrize(
    ("bucket", "code"),
    [
        ("logs", None),
        ("logs.s3.amazonaws.com", None),
        ("my.logs-2026", None),
        ("  logs  ", None),
        ("", "invalid_bucket"),
        ("ab", "invalid_bucket"),
        ("a" * 64, "invalid_bucket"),
        ("Logs", "invalid_bucket"),
        ("logs_bucket", "invalid_bucket"),
        ("-logs", "invalid_bucket"),
        ("logs-", "invalid_bucket"),
        ("my..logs", "invalid_bucket"),
        ("my.-logs", "invalid_bucket"),
        ("192.168.1.10", "invalid_bucket"),
        ("xn--logs", "invalid_bucket"),
        ("logs-s3alias", "invalid_bucket"),
        ("logs.s3.eu-west-1.amazonaws.com", "invalid_bucket"),
        ("logs\x00", "invalid_bucket"),
    ],
)
def test_it_accepts_only_s3_bucket_names(bucket, code):
    errors = list(SetLogging(bucket=bucket).validate(0, CONFIG, {}))
    assert [e.code for e in errors] == ([code] if code else [])
    if code:
        assert "awslogsdelivery" in errors[0].message and errors[0].field == "bucket"


@pytest.mark.parametrize(
    ("prefix", "code"),
    [
        (None, None),
        ("cloudfront/", None),
        ("a/b/c-", None),
        ("/cloudfront/", "invalid_prefix"),
        ("cf\x00/", "invalid_prefix"),
        ("x" * 961, "invalid_prefix"),
    ],
)
def test_it_checks_the_prefix(prefix, code):
    errors = list(SetLogging(bucket="logs", prefix=prefix).validate(0, CONFIG, {}))
    assert [e.code for e in errors] == ([code] if code else [])


def test_it_asks_for_a_sync_when_logging_was_never_read():
    (error,) = SetLogging(bucket="logs").validate(0, {"Comment": ""}, {})
    assert error.code == "logging_not_read" and "sync" in error.message


def test_it_writes_the_whole_logging_without_cookies_and_reads_back_its_value():
    edit = SetLogging(bucket="logs", prefix="cf/")
    after = edit.apply(CONFIG)
    assert after["Logging"] == {
        "Enabled": True,
        "IncludeCookies": False,
        "Bucket": "logs.s3.amazonaws.com",
        "Prefix": "cf/",
    }
    assert edit.read(after) == edit.new_value and CONFIG["Logging"] == OFF
    assert edit_from_dict(edit.to_dict()) == edit
    assert edit.to_dict() == {"kind": "set_logging", "bucket": "logs.s3.amazonaws.com", "prefix": "cf/"}
    described = "Standard logging → on, to logs.s3.amazonaws.com, prefix cf/ (cookies not logged)"
    assert edit.describe() == described


def test_its_diff_names_the_logging_fields():
    after = SetLogging(bucket="logs").apply(CONFIG)
    described = {change.describe() for change in diff_configs(CONFIG, after)}
    assert any(line.startswith("Standard logging on") for line in described), described
    assert any(line.startswith("Log bucket") for line in described), described
    assert field_label("Logging") == "Standard logging"
    assert format_value(after["Logging"]) == "on, to logs.s3.amazonaws.com"


@pytest.mark.parametrize(
    ("live_logging", "outcome"),
    [
        (OFF, "written"),  # unchanged since planned: re-applied
        ({**OFF, "Enabled": True, "Bucket": "logs.s3.amazonaws.com"}, "nothing"),  # already there
        ({**OFF, "Enabled": True, "Bucket": "other.s3.amazonaws.com"}, "conflict"),  # someone chose another
        ({**OFF, "IncludeCookies": True}, "conflict"),
    ],
)
def test_it_rebases_like_the_other_kinds(live_logging, outcome):
    edit = SetLogging(bucket="logs")
    result = rebase([edit], CONFIG, {**CONFIG, "Logging": live_logging})
    got = "conflict" if result.conflicts else ("written" if result.changed else "nothing")
    assert got == outcome
    if result.conflicts:
        assert "Standard logging" in result.conflicts[0].message


def test_a_revert_leaves_logging_on_and_says_so():
    edit = SetLogging(bucket="logs")
    plan = plan_revert([edit], CONFIG, edit.apply(CONFIG))
    assert plan.edits == () and plan.left_alone[0].label == "Standard logging"
    assert "was off before the change, which no edit writes back" in plan.left_alone[0].message
