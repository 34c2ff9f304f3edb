"""Invalidate: paths to invalidate once the change is deployed (docs/CLOUDFRONT.md §6)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import quote

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import Config, format_value
from distributions.cloudfront.constants import MAX_INVALIDATION_PATH_LENGTH
from distributions.cloudfront.edits.base import Edit
from distributions.cloudfront.edits.checks import EditError


@dataclass(frozen=True)
class Invalidate(Edit):
    """Invalidate paths once the change is deployed; it writes no config field."""

    paths: tuple[str, ...]
    kind: ClassVar[str] = "invalidate"

    def __post_init__(self) -> None:
        object.__setattr__(self, "paths", tuple(self.paths))

    @property
    def field(self) -> None:
        return None

    @property
    def new_value(self) -> None:
        return None

    def read(self, config: Mapping[str, Any]) -> None:
        return None

    def _write(self, config: Config) -> None:
        return None

    def describe(self) -> str:
        return f"Invalidate {format_value(self.paths)} after deployment"

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        # The limits on all the change's paths together are validation.py's (they go out as one request).
        if not self.paths:
            yield EditError(index, "paths", "required", "give at least one path, e.g. /*")
        for position, path in enumerate(self.paths):
            problem = _invalidation_path_problem(path)
            if problem:
                yield EditError(index, f"paths[{position}]", "invalid_path", f"{path!r}: {problem}")


def encode_invalidation_path(path: str) -> str:
    """The path with non-ASCII characters, spaces and control characters URL-encoded, as CloudFront needs."""
    return quote(path, safe="".join(chr(code) for code in range(0x21, 0x7F)))


CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")  # C0 and DEL
# Control characters by the names people know them by; any other is shown as its code point.
CONTROL_CHARACTER_NAMES = {"\x00": "NUL", "\t": "TAB", "\n": "LF", "\r": "CR", "\x7f": "DEL"}


def _invalidation_path_problem(path: str) -> str:
    # A CR, LF or TAB is almost always a paste accident; the path CloudFront would get is not the one meant.
    if control := CONTROL_CHARACTER.search(path):
        character = control.group()
        name = CONTROL_CHARACTER_NAMES.get(character, f"U+{ord(character):04X}")
        return (
            f"a control character ({name}) at position {control.start() + 1}: remove it, or if the URL "
            f"really holds it, URL-encode it: use {encode_invalidation_path(path)}"
        )
    if not path.startswith("/"):
        return f"a path starts with /: use /{path}"
    if "*" in path[:-1]:
        return "* is only allowed as the last character: invalidate the common prefix followed by *"
    if len(path) > MAX_INVALIDATION_PATH_LENGTH:
        return f"longer than {MAX_INVALIDATION_PATH_LENGTH} characters: shorten it or use a wildcard"
    if not path.isascii():
        return f"non-ASCII characters must be URL-encoded: use {encode_invalidation_path(path)}"
    return ""
