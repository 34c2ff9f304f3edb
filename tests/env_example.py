""".env.example, read as docker compose reads an env file: `NAME=value` lines, `#` comments."""

import re
from pathlib import Path

ENV_EXAMPLE = Path(__file__).resolve().parents[1] / ".env.example"


def example_values() -> dict[str, str]:
    """The variables .env.example sets."""
    lines = ENV_EXAMPLE.read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if re.match(r"[A-Z][A-Z0-9_]*=", line))


def example_names() -> set[str]:
    """The variables .env.example sets or shows with their default (`# NAME=default`)."""
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))
