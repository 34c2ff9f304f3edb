"""Invalidate: paths to invalidate once the change is deployed (docs/CLOUDFRONT.md §6)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

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
            problem = invalidation_path_problem(path)
            if problem:
                yield EditError(index, f"paths[{position}]", "invalid_path", f"{path!r}: {problem}")


# The guide: "If the path includes non-ASCII characters or unsafe characters as defined in RFC 1738,
# URL-encode those characters. Do not URL-encode any other characters in the path, or CloudFront will not
# invalidate the old version of the updated file." RFC 1738 §2.2 names as unsafe the space, < > " # % and
# { } | \ ^ ~ [ ] `; `%` only where it does not already start an encoding such as %20.
RFC_1738_UNSAFE = frozenset(' <>"#%{}|\\^~[]`')
ENCODED_OCTET = re.compile(r"%[0-9A-Fa-f]{2}")
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")  # C0 and DEL
# Control characters by the names people know them by; any other is shown as its code point.
CONTROL_CHARACTER_NAMES = {"\x00": "NUL", "\t": "TAB", "\n": "LF", "\r": "CR", "\x7f": "DEL"}


def _needs_encoding(path: str, index: int) -> bool:
    character = path[index]
    if character == "%":
        return not ENCODED_OCTET.match(path, index)
    return character in RFC_1738_UNSAFE or not character.isascii() or bool(CONTROL_CHARACTER.match(character))


def unencoded_characters(path: str) -> list[str]:
    """The characters of `path` CloudFront needs URL-encoded, once each, in order of appearance."""
    found = (path[i] for i in range(len(path)) if _needs_encoding(path, i))
    return list(dict.fromkeys(found))


def encode_invalidation_path(path: str) -> str:
    """The path with exactly the characters the guide says to URL-encode encoded (UTF-8), and no others."""
    # Not urllib's quote: it leaves ~ alone (RFC 3986 unreserved), where RFC 1738 calls it unsafe.
    return "".join(_percent(path[i]) if _needs_encoding(path, i) else path[i] for i in range(len(path)))


def _percent(character: str) -> str:
    return "".join(f"%{octet:02X}" for octet in character.encode("utf-8", "surrogatepass"))


# Control characters by the names people know them by; any other is shown as its code point.
CONTROL_CHARACTER_NAMES = {"\x00": "NUL", "\t": "TAB", "\n": "LF", "\r": "CR", "\x7f": "DEL"}


def invalidation_path_problem(path: str) -> str:
    """What CloudFront would refuse, or fail to match, in an invalidation path; "" if nothing."""
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
    unencoded = unencoded_characters(path)
    if unencoded:
        named = ", ".join("space" if c == " " else c for c in unencoded)
        return (
            f"{named}: non-ASCII characters and those unsafe in URLs (RFC 1738) must be URL-encoded, and no "
            f"others, or CloudFront does not invalidate the cached file: use {encode_invalidation_path(path)}"
        )
    return ""
