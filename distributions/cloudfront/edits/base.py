"""What every edit shares: registration, serialization, copy-then-write application, a description.

A kind is a frozen dataclass subclassing `Edit` with a `kind` name. Subclassing registers it in
`EDIT_KINDS`; its JSON form, and the API's serializer for it, are read from its dataclass fields and their
type hints, so the class is the one declaration of the kind:

- `str`: a JSON string, required;
- `str | None`: a JSON string or null, and may be omitted;
- `tuple[str, ...]`: a JSON list of strings, required.

Serialization (`to_dict` / `edit_from_dict`) checks the shape of a stored or submitted edit; whether its
values are ones CloudFront accepts is each kind's `validate`, so the API can report both per edit.
"""

from __future__ import annotations

import copy
import dataclasses
import typing
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from distributions.cloudfront.certificates import CertificateRecord
from distributions.cloudfront.config_paths import Config, field_label, format_value
from distributions.cloudfront.edits.checks import EditError


class EditFormatError(ValueError):
    """A stored or submitted edit dict does not have the shape of any edit."""


# Every edit kind by name, in the order they are defined; subclassing Edit adds one.
EDIT_KINDS: dict[str, type[Edit]] = {}


@dataclasses.dataclass(frozen=True)
class Edit:
    """One typed edit to a DistributionConfig; subclasses are the edit kinds, each a frozen dataclass."""

    kind: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("kind")
        if not isinstance(kind, str):
            raise TypeError(f"{cls.__name__} must name its kind: kind: ClassVar[str] = '...'")
        if kind in EDIT_KINDS:
            raise TypeError(
                f"edit kind {kind!r} is declared twice: {EDIT_KINDS[kind].__name__}, {cls.__name__}"
            )
        EDIT_KINDS[kind] = cls

    @property
    def field(self) -> str | None:
        """The config field this edit writes, or None when it writes none."""
        raise NotImplementedError

    @property
    def new_value(self) -> Any:
        """The value `read` returns once the edit is applied."""
        raise NotImplementedError

    def read(self, config: Mapping[str, Any]) -> Any:
        """The current value of the field; raises TargetNotFound if its behavior/origin is gone."""
        raise NotImplementedError

    def _write(self, config: Config) -> None:
        raise NotImplementedError

    def validate(
        self, index: int, config: Mapping[str, Any], certificates: Mapping[str, CertificateRecord]
    ) -> Iterator[EditError]:
        """What CloudFront (or common sense) would find wrong with this edit on its own.

        `index` is the edit's position in its change; `certificates` are the account's synced ACM
        certificates by ARN.
        """
        raise NotImplementedError

    def apply(self, config: Mapping[str, Any]) -> Config:
        """A copy of the config with this edit applied; raises TargetNotFound if the target is gone."""
        new = copy.deepcopy(dict(config))
        # A field already holding the value is left as CloudFront wrote it (item order of a set, an absent
        # Items, fields CloudFront ignores), so an applied edit never shows as a difference.
        if self.read(new) != self.new_value:
            self._write(new)
        return new

    def describe(self) -> str:
        """One line for people, e.g. "Viewer protocol policy of /api/* → https-only"."""
        return f"{field_label(self.field or '')} → {format_value(self.new_value)}"

    def to_dict(self) -> dict[str, Any]:
        """The JSON form, with its `kind` discriminator; `edit_from_dict` reads it back."""
        out: dict[str, Any] = {"kind": self.kind}
        for spec in json_fields(type(self)):
            value = getattr(self, spec.name)
            out[spec.name] = list(value) if spec.is_list else value
        return out


@dataclasses.dataclass(frozen=True)
class JsonField:
    """One field of an edit's JSON form, as its type hint declares it."""

    name: str
    is_list: bool  # tuple[str, ...]: a JSON list of strings
    nullable: bool  # str | None: null, or omitted

    def parse(self, kind: str, value: Any) -> Any:
        """The field's value from its JSON; raises EditFormatError saying what is wrong with it."""
        if self.is_list:
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
            raise EditFormatError(f"{kind}: {self.name} must be a list of strings, not {_json_type(value)}")
        if isinstance(value, str) or (self.nullable and value is None):
            return value
        expected = "a string or null" if self.nullable else "a string"
        raise EditFormatError(f"{kind}: {self.name} must be {expected}, not {_json_type(value)}")


_JSON_FIELD_SHAPES: dict[Any, tuple[bool, bool]] = {
    str: (False, False),
    str | None: (False, True),
    tuple[str, ...]: (True, False),
}


_JSON_FIELDS: dict[type[Edit], tuple[JsonField, ...]] = {}


def json_fields(edit_class: type[Edit]) -> tuple[JsonField, ...]:
    """The JSON fields of an edit kind, in declaration order, from its dataclass fields' type hints."""
    # Read on first use: subclassing registers a kind before @dataclass has made its fields.
    if edit_class not in _JSON_FIELDS:
        hints = typing.get_type_hints(edit_class)
        specs = [
            _json_field(edit_class, field.name, hints[field.name]) for field in dataclasses.fields(edit_class)
        ]
        _JSON_FIELDS[edit_class] = tuple(specs)
    return _JSON_FIELDS[edit_class]


def _json_field(edit_class: type[Edit], name: str, hint: Any) -> JsonField:
    shape = _JSON_FIELD_SHAPES.get(hint)
    if shape is None:
        allowed = ", ".join(map(str, _JSON_FIELD_SHAPES))
        raise TypeError(f"{edit_class.__name__}.{name} is {hint}: an edit field is one of {allowed}")
    return JsonField(name, *shape)


def edit_from_dict(data: Any) -> Edit:
    """The edit a JSON object describes; raises EditFormatError saying what is wrong with its shape."""
    if not isinstance(data, Mapping):
        raise EditFormatError(f"an edit must be a JSON object, not {_json_type(data)}")
    kind = data.get("kind")
    if not isinstance(kind, str) or kind not in EDIT_KINDS:
        raise EditFormatError(f"unknown edit kind {kind!r}: use one of {', '.join(EDIT_KINDS)}")
    cls = EDIT_KINDS[kind]
    specs = json_fields(cls)
    names = [spec.name for spec in specs]
    missing = [spec.name for spec in specs if not spec.nullable and spec.name not in data]
    if missing:
        raise EditFormatError(f"{kind}: missing {', '.join(missing)}")
    unknown = sorted(set(data) - set(names) - {"kind"})
    if unknown:
        raise EditFormatError(f"{kind}: unknown {', '.join(unknown)}; expected {', '.join(names)}")
    return cls(**{spec.name: spec.parse(kind, data.get(spec.name)) for spec in specs})


def _json_type(value: Any) -> str:
    if isinstance(value, list) and value:
        return "a list containing " + ", ".join(
            sorted({_json_type(v) for v in value if not isinstance(v, str)})
        )
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    names.update({dict: "an object", type(None): "null"})
    return names.get(type(value), type(value).__name__)
