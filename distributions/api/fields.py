"""Serializer fields for the API's inputs: typed edits, and references to rows by their natural key."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from distributions.cloudfront.edits import EDIT_KINDS, Edit, EditFormatError, edit_from_dict, json_fields


class NaturalKeyField(serializers.SlugRelatedField):
    """A row named by a string key (a distribution id, an account name).

    The string is checked before it reaches the database: PostgreSQL refuses NUL characters with an error,
    and an absurdly long key is a typo, not a lookup. Rows of accounts the caller may not see are unknown,
    as they are everywhere else (`restrict`): the serializer needs the request in its context.
    """

    def __init__(self, *, max_length: int, **kwargs: Any) -> None:
        self.max_length = max_length
        super().__init__(**kwargs)

    def get_queryset(self) -> Any:
        queryset: Any = super().get_queryset()
        if not hasattr(queryset, "restrict"):
            return queryset
        request = self.context.get("request")
        return queryset.restrict(request.user) if request is not None else queryset.none()

    def run_validation(self, data: Any = serializers.empty) -> Any:
        # RelatedField turns "" into None (so "" would mean "all accounts"); a key is never empty.
        if data == "":
            self.to_internal_value(data)
        return super().run_validation(data)

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or "\x00" in data or not 0 < len(data) <= self.max_length:
            raise serializers.ValidationError(
                f"Expected the {self.slug_field} as a string of 1 to {self.max_length} characters.",
                code="invalid",
            )
        return super().to_internal_value(data)


class StrictCharField(serializers.CharField):
    """A string, and only a string: DRF's CharField would also take 0 or false and make them "0"/"False"."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, as JSON says: DRF's BooleanField would also take "yes", "on", 1 or "0"."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


def _edit_serializer(kind: str) -> type[serializers.Serializer]:
    """A serializer describing one edit kind, built from the edit class's fields so the two cannot drift."""
    edit_class = EDIT_KINDS[kind]
    fields: dict[str, Any] = {"kind": serializers.ChoiceField(choices=[kind])}
    for spec in json_fields(edit_class):
        if spec.is_list:
            fields[spec.name] = serializers.ListField(child=StrictCharField(allow_blank=True))
        elif spec.nullable:
            fields[spec.name] = StrictCharField(required=False, allow_null=True, allow_blank=True)
        else:
            fields[spec.name] = StrictCharField(allow_blank=True)
    name = "".join(part.title() for part in kind.split("_")) + "Edit"
    doc = (edit_class.__doc__ or "").strip()
    return type(name, (serializers.Serializer,), {**fields, "__doc__": doc})


EDIT_SCHEMA = PolymorphicProxySerializer(
    component_name="Edit",
    serializers={kind: _edit_serializer(kind) for kind in EDIT_KINDS},
    resource_type_field_name="kind",
)


@extend_schema_field(EDIT_SCHEMA)
class EditField(serializers.Field):
    """One typed edit as JSON. Its shape is checked here; whether CloudFront accepts it, by the services."""

    default_error_messages = {"invalid_edit_format": "{message}"}

    def to_internal_value(self, data: Any) -> Edit:
        try:
            return edit_from_dict(data)
        except EditFormatError as exc:
            self.fail("invalid_edit_format", message=str(exc))

    def to_representation(self, value: Any) -> Any:
        return value.to_dict() if hasattr(value, "to_dict") else value
