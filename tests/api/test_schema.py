"""The OpenAPI schema checked against the live app by schemathesis; the docs page under the site's CSP."""

from __future__ import annotations

import pytest
import schemathesis
from django.contrib.staticfiles import finders
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.config import SchemathesisConfig

from distributions.cloudfront.edits import SetViewerProtocolPolicy
from distributions.models import SyncRun
from distributions.services import changes, decisions
from distributions.services.guards import Actor
from distributions.services.tokens import api_token_create
from tests.api.conftest import CHECKED
from tests.factories import make_distribution, make_user

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261126,
        "generation": {"max-examples": 12},
        "checks": {
            # CloudFront's rules (a path pattern that exists, a valid policy) and the change request's
            # current version cannot be written in a JSON schema: schema-valid input may still get 400
            # (invalid_edit) or 412 (stale If-Match). Every other default stays as schemathesis ships it.
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "412", "429"]
            },
            # RFC 6585: a missing If-Match is 428 Precondition Required.
            "missing_required_header": {
                "expected-statuses": ["400", "401", "403", "406", "415", "422", "428"]
            },
        },
    }
)


@pytest.fixture(autouse=True)
def _node_id_for_schemathesis(request):
    """schemathesis 4.32 renames the test node per operation through `_nodeid`, which pytest 9 dropped."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, kept from closing the test's database connection after each request.

    Django's handler closes connections on request_finished; its test client disconnects that signal for
    the duration of a request, and schemathesis drives the raw WSGI app, so this does the same.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db, account, wsgi_app, settings, sandbox):
    """The live schema, loaded through the WSGI app with an admin's token, over a small seeded fleet.

    Operations that call AWS (an account's connection test, discovery) reach the sandbox, never AWS.
    """
    settings.EDGEGUARD_API_THROTTLE_RATE = "100000/min"  # one client, hundreds of requests
    sandbox.seed_organization()
    admin = make_user("ada", "admin")
    requester = make_user("rita", "requester")
    distribution = make_distribution(
        account, default_policy="allow-all", behaviors=(("/api/*", "allow-all"),)
    )
    SyncRun.objects.create(account=account, trigger="manual", started_at=distribution.last_synced_at)
    change = changes.change_request_create(actor=Actor(requester), title="Move to HTTPS")
    redirect = SetViewerProtocolPolicy(path_pattern="default", policy="redirect-to-https")
    changes.change_edits_add(
        actor=Actor(requester), change_request=change, distribution=distribution, edits=[redirect]
    )
    decisions.change_request_submit(actor=Actor(requester), change_request=change, checklist=CHECKED)
    _token, secret = api_token_create(user=admin, name="schemathesis")
    headers = {"Authorization": f"Token {secret}"}
    schema = schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", wsgi_app, config=CONFIG, headers=headers
    )
    schema.config.headers = headers
    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@hypothesis_settings(deadline=None, suppress_health_check=list(HealthCheck))
def test_it_answers_every_operation_as_its_schema_says(case):
    case.call_and_validate()


def test_it_serves_the_docs_page_without_inline_script_under_the_sites_csp(client, vera, settings):
    client.force_login(vera)
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>" not in html and "<style>" not in html
    assert page["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()
    # Swagger UI comes from the sidecar package, through staticfiles: same origin, as the CSP requires.
    assert 'src="/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js"' in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")


def test_it_sends_anonymous_visitors_of_the_docs_page_to_the_login_page(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
