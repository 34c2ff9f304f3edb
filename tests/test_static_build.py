"""The production static build: `collectstatic` with the real settings' manifest storage, then a page served
from that manifest with DEBUG off. The test settings swap the storage for the plain one, so only this test
sees a vendored file that references a file nobody ships (a source map, a font)."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from tests.env_example import example_values

ROOT = Path(__file__).resolve().parents[1]

# In a fresh Python with dashboard.settings (not settings_test): build the manifest as the Dockerfile does,
# then render the login page and fetch the stylesheet it links, through WhiteNoise.
BUILD_AND_RENDER = """
import json, re, sys
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
client = Client(HTTP_HOST="127.0.0.1:8000")
login = client.get("/login/")
stylesheet = re.search(r'href="(/static/css/edgeguard[^"]+)"', login.content.decode()).group(1)
served = client.get(stylesheet)
print(json.dumps({
    "storage": settings.STORAGES["staticfiles"]["BACKEND"],
    "login": login.status_code,
    "html": login.content.decode(),
    "stylesheet": stylesheet,
    "served": served.status_code,
    "cache_control": served.get("Cache-Control", ""),
}))
"""


def build_and_render(var_dir: Path) -> subprocess.CompletedProcess:
    # The production settings as .env.example gives them (DEBUG off, plain HTTP on loopback), without
    # devtools as in the image; SQLite and an in-memory broker stand in for the stack's servers.
    own = ("DJANGO_", "EDGEGUARD_", "DATABASE_URL")
    inherited = {name: value for name, value in os.environ.items() if not name.startswith(own)}
    environment = {
        **inherited,
        **example_values(),
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "EDGEGUARD_VAR_DIR": str(var_dir),
        "EDGEGUARD_DEVTOOLS": "0",
        "CELERY_BROKER_URL": "memory://",
    }
    return subprocess.run(
        [sys.executable, "-c", BUILD_AND_RENDER],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_it_builds_the_manifest_and_serves_pages_with_hashed_static_urls(tmp_path):
    result = build_and_render(tmp_path)

    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert (tmp_path / "staticfiles" / "staticfiles.json").exists()
    assert report["login"] == 200
    for name in ("bootstrap/bootstrap.min", "bootstrap/bootstrap.bundle.min", "htmx/htmx.min"):
        hashed = rf'"/static/vendor/{re.escape(name)}\.[0-9a-f]{{12}}\.(css|js)"'
        assert re.search(hashed, report["html"]), name
    assert re.fullmatch(r"/static/css/edgeguard\.[0-9a-f]{12}\.css", report["stylesheet"])
    assert report["served"] == 200
    assert "immutable" in report["cache_control"]
