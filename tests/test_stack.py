"""The compose stack's promises (docker-compose.yml, .env.example) that Compose's own `config` does not check:
`make deploy-check` validates the file itself."""

import re
from pathlib import Path

import pytest
import yaml

from tests.env_example import ENV_EXAMPLE, example_names, example_values

ROOT = Path(__file__).resolve().parents[1]
APP_SERVICES = ("web", "worker", "beat")
# Development and test knobs that .env.example leaves out on purpose (it says so in its header).
NOT_FOR_PRODUCTION = {"CELERY_TASK_ALWAYS_EAGER", "AXES_ENABLED", "EDGEGUARD_DEVTOOLS"}


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]


def test_every_service_has_a_healthcheck_and_a_restart_policy(services):
    for name, service in services.items():
        assert "restart" in service, name
        if name == "migrate":
            assert service["healthcheck"] == {"disable": True}  # a one-shot: its exit status is its health
        else:
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name


def test_the_app_starts_only_after_the_migrations_succeeded(services):
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"


def test_the_web_is_published_on_loopback_only_and_probed_for_readiness(services):
    assert services["web"]["ports"] == ["127.0.0.1:8000:8000"]
    assert services["web"]["healthcheck"]["test"][-1] == "/readyz"
    assert all("ports" not in services[name] for name in services if name != "web")


def test_no_secret_is_written_in_the_compose_file():
    text = (ROOT / "docker-compose.yml").read_text()

    # Both the database and DATABASE_URL take the password from .env.
    assert re.findall(r"POSTGRES_PASSWORD: (.*)", text) == [
        "${POSTGRES_PASSWORD:?set it in .env (cp .env.example .env)}"
    ]
    assert "postgres://edgeguard:${POSTGRES_PASSWORD:?" in text
    assert "SECRET_KEY" not in text


def test_the_example_serves_plain_http_without_redirecting():
    # Nothing listens for HTTPS in the stack as shipped: a redirect would go to a port nobody serves.
    values = example_values()

    assert (values["DEBUG"], values["SECURE_SSL_REDIRECT"], values["SECURE_PROXY"]) == ("0", "0", "0")
    assert {"127.0.0.1", "localhost"} <= set(values["ALLOWED_HOSTS"].split(","))
    assert 'python3 -c "import secrets; print(secrets.token_urlsafe(50))"' in ENV_EXAMPLE.read_text()


def _read_variables() -> set[str]:
    """Every variable the settings (settings.py and each area's dashboard/*_settings.py), gunicorn.conf.py and
    docker-compose.yml read."""
    reader = r"(?:envbool|envint|envfloat|envlist|os\.environ\.get|_whole_number|_switch)"
    readers = reader + r"\(\s*[\"']([A-Z][A-Z0-9_]*)"
    names = set()
    paths = [ROOT / "dashboard/settings.py", ROOT / "gunicorn.conf.py", *ROOT.glob("dashboard/*_settings.py")]
    for path in paths:
        names |= set(re.findall(readers, path.read_text()))
    names |= set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", (ROOT / "docker-compose.yml").read_text()))
    return names


def test_the_example_documents_every_variable_the_stack_reads(services):
    set_by_compose = set(services["web"]["environment"])

    missing = _read_variables() - example_names() - set_by_compose - NOT_FOR_PRODUCTION
    assert not missing, f".env.example does not show {sorted(missing)}"


def test_the_readme_explains_every_variable_of_the_example():
    readme = (ROOT / "README.md").read_text()

    unexplained = sorted(name for name in example_names() if f"`{name}`" not in readme)
    assert not unexplained, f"README.md does not say what these do: {unexplained}"
