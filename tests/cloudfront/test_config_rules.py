"""The rules on a whole config that no edit kind owns (docs/CLOUDFRONT.md §2, §9), shared by Edgeguard's
validation and the sandbox, and Edgeguard's validation refusing a change whose planned config breaks them."""

import pytest

from distributions.cloudfront.config_rules import config_problems, duplicate_path_patterns, methods_problem
from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.cloudfront.validation import validate_edits
from tests.cloudfront.factories import aws_list, behavior, distribution_config

SEVEN = ("GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE")


def methods(allowed, cached=("GET", "HEAD")):
    result = aws_list(allowed)
    if cached is not None:
        result["CachedMethods"] = aws_list(cached)
    return result


# CloudFront API reference, AllowedMethods: "There are three choices: CloudFront forwards only GET and HEAD
# requests. CloudFront forwards only GET, HEAD, and OPTIONS requests. CloudFront forwards GET, HEAD, OPTIONS,
# PUT, PATCH, POST, and DELETE requests." CachedMethods: "There are two choices: CloudFront caches responses
# to GET and HEAD requests. CloudFront caches responses to GET, HEAD, and OPTIONS requests."
METHOD_SETS = [
    pytest.param(methods(("GET", "HEAD")), None, id="get-head"),
    pytest.param(methods(("HEAD", "GET")), None, id="order-does-not-matter"),
    pytest.param(methods(("GET", "HEAD", "OPTIONS"), ("GET", "HEAD", "OPTIONS")), None, id="with-options"),
    pytest.param(methods(SEVEN, ("GET", "HEAD", "OPTIONS")), None, id="all-seven"),
    pytest.param(methods(("GET", "HEAD"), None), None, id="no-cached-methods-caches-get-head"),
    pytest.param(None, None, id="no-allowed-methods-is-the-default-get-head"),
    pytest.param(methods(("GET",)), "invalid_allowed_methods", id="get-alone"),
    pytest.param(methods(("GET", "HEAD", "POST")), "invalid_allowed_methods", id="three-not-a-choice"),
    pytest.param(methods(SEVEN[:-1]), "invalid_allowed_methods", id="six-of-seven"),
    pytest.param(methods(("GET", "HEAD", "HEAD")), "invalid_allowed_methods", id="listed-twice"),
    pytest.param(methods(SEVEN, ("GET",)), "invalid_cached_methods", id="cache-get-alone"),
    pytest.param(methods(SEVEN, ("GET", "HEAD", "POST")), "invalid_cached_methods", id="cache-post"),
    pytest.param(
        methods(("GET", "HEAD"), ("GET", "HEAD", "OPTIONS")),
        "cached_methods_not_allowed",
        id="cached-must-be-a-subset-of-allowed",
    ),
]


@pytest.mark.parametrize(("allowed", "code"), METHOD_SETS)
def test_it_accepts_only_the_documented_method_sets(allowed, code):
    problem = methods_problem(allowed)
    assert (problem and problem[0]) == code


def test_it_says_which_sets_cloudfront_takes():
    _, message = methods_problem(methods(("POST", "GET", "HEAD")))
    assert message.startswith("AllowedMethods GET, HEAD, POST is not a set CloudFront accepts")
    assert "GET, HEAD; GET, HEAD, OPTIONS; or all seven" in message


# CacheBehavior.PathPattern (botocore): "You can optionally include a slash (/) at the beginning of the path
# pattern. For example, /images/*.jpg. CloudFront behavior is the same with or without the leading /."
DUPLICATES = [
    pytest.param(["images/*", "/images/*"], [("images/*", "/images/*")], id="with-and-without-slash"),
    pytest.param(["/a/*", "/a/*"], [("/a/*", "/a/*")], id="identical"),
    pytest.param(["/images/*", "/Images/*"], [], id="case-sensitive"),
    pytest.param(["/images/*", "images/*.jpg"], [], id="different"),
]


@pytest.mark.parametrize(("patterns", "expected"), DUPLICATES)
def test_a_pattern_with_and_without_its_leading_slash_is_one_pattern(patterns, expected):
    assert duplicate_path_patterns(patterns) == expected


def test_it_names_the_behavior_and_field_of_each_problem():
    config = distribution_config(
        default=behavior(methods=("GET",)),
        behaviors=[behavior("images/*"), behavior("/images/*")],
    )
    problems = [(p.field, p.code) for p in config_problems(config)]
    assert problems == [
        ("DefaultCacheBehavior.AllowedMethods", "invalid_allowed_methods"),
        ("CacheBehaviors[/images/*]", "duplicate_path_pattern"),
    ]


PLANNED = [
    pytest.param(distribution_config(behaviors=[behavior("/api/*")]), [], id="valid"),
    pytest.param(
        distribution_config(behaviors=[behavior("/api/*", methods=("GET", "HEAD", "POST"))]),
        [(0, "CacheBehaviors[/api/*].AllowedMethods", "invalid_allowed_methods")],
        id="methods",
    ),
    pytest.param(
        distribution_config(behaviors=[behavior("/api/*"), behavior("api/*")]),
        [(0, "CacheBehaviors[api/*]", "duplicate_path_pattern")],
        id="duplicate-pattern",
    ),
]


@pytest.mark.parametrize(("config", "expected"), PLANNED)
def test_it_refuses_a_change_whose_planned_config_cloudfront_would_refuse(config, expected):
    errors = validate_edits([SetViewerProtocolPolicy("/api/*", "https-only")], config, certificates=())
    assert [(e.edit_index, e.field, e.code) for e in errors] == expected
    assert all("CloudFront refuses the whole update (InvalidArgument)" in e.message for e in errors)
