"""An edit kind is one class: its registration and JSON fields come from the class alone."""

from dataclasses import dataclass
from typing import ClassVar

import pytest

from distributions.cloudfront.edits import (
    EDIT_KINDS,
    Invalidate,
    SetViewerCertificate,
    base,
    edit_from_dict,
    json_fields,
)
from distributions.cloudfront.edits.base import Edit, JsonField


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry, so kinds declared by a test do not outlive it."""
    kinds = dict(EDIT_KINDS)
    monkeypatch.setattr(base, "EDIT_KINDS", kinds)
    monkeypatch.setattr(base, "_JSON_FIELDS", {})
    return kinds


def test_it_reads_json_fields_from_type_hints_in_declaration_order():
    assert json_fields(SetViewerCertificate) == (
        JsonField("source", is_list=False, nullable=False),
        JsonField("certificate_id_or_arn", is_list=False, nullable=True),
        JsonField("ssl_support_method", is_list=False, nullable=True),
        JsonField("minimum_protocol_version", is_list=False, nullable=False),
    )
    assert json_fields(Invalidate) == (JsonField("paths", is_list=True, nullable=False),)


def test_it_registers_a_kind_by_subclassing(registry):
    @dataclass(frozen=True)
    class RenameOrigin(Edit):
        origin_id: str
        new_id: str
        comment: str | None = None
        kind: ClassVar[str] = "rename_origin"

    assert list(registry)[-1] == "rename_origin"
    edit = edit_from_dict({"kind": "rename_origin", "origin_id": "web", "new_id": "app"})
    assert edit == RenameOrigin("web", "app")
    assert edit.to_dict() == {"kind": "rename_origin", "origin_id": "web", "new_id": "app", "comment": None}


def test_it_refuses_a_kind_declared_twice(registry):
    with pytest.raises(TypeError, match="'invalidate' is declared twice: Invalidate, Purge"):

        @dataclass(frozen=True)
        class Purge(Edit):
            paths: tuple[str, ...]
            kind: ClassVar[str] = "invalidate"

    assert registry["invalidate"] is Invalidate


def test_it_refuses_a_field_type_it_cannot_serialize(registry):
    @dataclass(frozen=True)
    class SetPort(Edit):
        port: int
        kind: ClassVar[str] = "set_port"

    with pytest.raises(TypeError, match="SetPort.port is <class 'int'>: an edit field is one of"):
        json_fields(SetPort)
