"""The product (distributions/, dashboard/) runs without devtools/ and moto, as the production image does."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
# Imports every module of the product, then reports what it loaded. A product module that imports devtools
# or moto fails the walk when moto is blocked, and shows in `leaked` when it is not.
IMPORT_THE_PRODUCT = """
import importlib, json, pkgutil, sys
if sys.argv[1] == "block-moto":
    sys.modules["moto"] = None  # as if requirements-dev.txt were not installed
import django
django.setup()
from django.conf import settings
import dashboard, distributions
imported = []
for package in (distributions, dashboard):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        importlib.import_module(module.name)
        imported.append(module.name)
loaded = [name for name, module in sys.modules.items() if module is not None]
leaked = sorted(name for name in loaded if name.split(".")[0] in ("devtools", "moto"))
print(json.dumps({"apps": settings.INSTALLED_APPS, "imported": imported, "leaked": leaked}))
"""


def run_the_product(tmp_path: Path, mode: str, **env: str) -> subprocess.CompletedProcess:
    """IMPORT_THE_PRODUCT in a fresh Python with the test settings; `mode` is block-moto or keep-moto."""
    environment = {
        **{name: value for name, value in os.environ.items() if name != "EDGEGUARD_DEVTOOLS"},
        "DJANGO_SETTINGS_MODULE": "dashboard.settings_test",
        "EDGEGUARD_VAR_DIR": str(tmp_path),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", IMPORT_THE_PRODUCT, mode],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("mode", "env"),
    [
        pytest.param("block-moto", {}, id="production-install"),
        pytest.param("keep-moto", {"EDGEGUARD_DEVTOOLS": "0"}, id="devtools-switched-off"),
    ],
)
def test_it_imports_every_product_module_without_devtools(tmp_path, mode, env):
    result = run_the_product(tmp_path, mode, **env)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert "devtools" not in report["apps"]
    assert report["leaked"] == []
    expected = {"distributions.tasks", "distributions.gateway", "dashboard.urls", "dashboard.wsgi"}
    assert expected <= set(report["imported"])


def test_no_product_module_imports_devtools_even_inside_a_function():
    offenders = []
    for path in [*(ROOT / "distributions").rglob("*.py"), *(ROOT / "dashboard").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            if any(module.split(".")[0] == "devtools" for module in modules):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert offenders == []


def test_it_refuses_to_switch_devtools_on_without_moto(tmp_path):
    result = run_the_product(tmp_path, "block-moto", EDGEGUARD_DEVTOOLS="1")

    assert result.returncode != 0
    assert "EDGEGUARD_DEVTOOLS=1 needs devtools/ and requirements-dev.txt installed" in result.stderr


def test_it_installs_devtools_where_the_dev_requirements_are():
    assert "devtools" in settings.INSTALLED_APPS
