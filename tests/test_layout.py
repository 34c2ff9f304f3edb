"""The layout's rules that no linter checks: module size, the boto3 contract's module list, and the docs'
tables naming the folders that exist (docs/ARCHITECTURE.md, README.md)."""

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("distributions", "dashboard", "devtools")
MAX_LINES = 400
TOP_LEVEL = ("dashboard", "devtools", "templates", "static", "tests", "bench", "docs")


def _modules():
    for package in PRODUCT:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_every_module_under_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"


def _contract(name_start: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return next(c for c in contracts if c["name"].startswith(name_start))


def test_it_lists_every_product_module_but_the_gateway_in_the_boto3_contract():
    listed = set(_contract("Only the gateway imports boto3")["source_modules"])
    children = {
        f"distributions.{p.stem}"
        for p in (ROOT / "distributions").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())
    }

    assert listed == (children - {"distributions.gateway"}) | {"dashboard"}


def _where_table(document: Path) -> set[str]:
    """The paths named in the first column of the document's "| where | what |" table."""
    paths: set[str] = set()
    inside = False
    for line in document.read_text().splitlines():
        if line.startswith("| where |"):
            inside = True
        elif inside and not line.startswith("|"):
            break
        elif inside and line.startswith("| `"):
            paths.update(re.findall(r"`([^`]+)`", line.split("|")[1]))
    return paths


def _folders(depth: int) -> set[str]:
    """The project's top-level folders and the product's packages down to `depth` under distributions/."""
    folders = {f"{name}/" for name in TOP_LEVEL}
    for path in (ROOT / "distributions").rglob("__init__.py"):
        package = path.parent.relative_to(ROOT)
        if {"migrations", "management"} & set(package.parts) or not 1 < len(package.parts) <= depth + 1:
            continue
        folders.add(f"{package}/")
    return folders


# The README names the top of the tree; the architecture page every package.
DOCUMENTS = [("README.md", 1), ("docs/ARCHITECTURE.md", 3)]


@pytest.mark.parametrize(("document", "depth"), DOCUMENTS)
def test_it_names_only_paths_that_exist(document, depth):
    for path in _where_table(ROOT / document):
        assert (ROOT / path).exists(), f"{document} names {path}, which is not in the tree"


@pytest.mark.parametrize(("document", "depth"), DOCUMENTS)
def test_it_names_every_folder(document, depth):
    named = _where_table(ROOT / document)
    missing = sorted(folder for folder in _folders(depth) if folder not in named)
    assert not missing, f"{document} does not say what these hold: {', '.join(missing)}"
