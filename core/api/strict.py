"""A JSON value of the type the schema announces, and no other.

DRF converts what it can: `0` becomes the text "0", "12" the integer 12, `1` the boolean true,
`true` the primary key 1. The OpenAPI schema announces one JSON type per field; an integrator
who sends another has made a mistake the API should name rather than guess around. Every
serializer of the API derives from `Serializer` or `ModelSerializer` below (a test walks them).

Bodies sent as a form (multipart, urlencoded) carry only text: they are left to DRF's own
conversion, which is what such a form needs.
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.http import QueryDict
from rest_framework import relations, serializers
from rest_framework.exceptions import ValidationError

TEXT = "une chaîne de caractères"
INTEGER = "un nombre entier"
NUMBER = "un nombre"
BOOLEAN = "un booléen (true ou false)"
LIST = "une liste"
OBJECT = "un objet"

# (field class, expected type in words, the test of a value): the first class that matches wins,
# so subclasses come before their parents.
TYPE_RULES: list[tuple[type, str | None, Any]] = [
    (serializers.BooleanField, BOOLEAN, lambda v: isinstance(v, bool)),
    (serializers.IntegerField, INTEGER, lambda v: isinstance(v, int) and not isinstance(v, bool)),
    (
        serializers.FloatField,
        NUMBER,
        lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    ),
    # Amounts travel as decimal text ("1900.00"), as the schema says: no binary rounding.
    (serializers.DecimalField, TEXT, lambda v: isinstance(v, str)),
    (serializers.ChoiceField, None, None),  # the list of choices already decides
    (serializers.CharField, TEXT, lambda v: isinstance(v, str)),
    (serializers.DateField, TEXT, lambda v: isinstance(v, str)),
    (serializers.DateTimeField, TEXT, lambda v: isinstance(v, str)),
    (serializers.TimeField, TEXT, lambda v: isinstance(v, str)),
    (serializers.DurationField, TEXT, lambda v: isinstance(v, str)),
    (serializers.UUIDField, TEXT, lambda v: isinstance(v, str)),
    (relations.SlugRelatedField, TEXT, lambda v: isinstance(v, str)),
    (relations.PrimaryKeyRelatedField, "primary key", None),
    (relations.ManyRelatedField, LIST, lambda v: isinstance(v, list)),
    (serializers.ListField, LIST, lambda v: isinstance(v, list)),
    (serializers.ListSerializer, LIST, lambda v: isinstance(v, list)),
    (serializers.DictField, OBJECT, lambda v: isinstance(v, dict)),
    (serializers.Serializer, OBJECT, lambda v: isinstance(v, Mapping)),
]


def type_error(field: serializers.Field, value: Any) -> str | None:
    """The French message for a value of the wrong JSON type, or None when it fits (null is
    left to the field's own `allow_null`)."""
    if value is None:
        return None
    for field_class, expected, fits in TYPE_RULES:
        if isinstance(field, field_class):
            if expected == "primary key":
                expected, fits = _primary_key_rule(field)
            if fits is None or fits(value):
                return _item_error(field, value)
            return f"Type incorrect : la valeur doit être {expected}."
    return None


def _primary_key_rule(field: Any) -> tuple[str, Any]:
    """An object named by its key: an integer for most models, text for those keyed by a code
    (a département's "2A")."""
    model = field.get_queryset().model  # a field may build its queryset per request
    if isinstance(model._meta.pk, models.IntegerField | models.AutoField):
        return INTEGER, lambda v: isinstance(v, int) and not isinstance(v, bool)
    return TEXT, lambda v: isinstance(v, str)


def _item_error(field: serializers.Field, value: Any) -> str | None:
    """A list's items are held to its child's type."""
    child = getattr(field, "child", None) or getattr(field, "child_relation", None)
    if (
        child is None
        or isinstance(field, serializers.ListSerializer)
        or not isinstance(value, list)
    ):
        return None
    for index, item in enumerate(value):
        error = type_error(child, item)
        if error:
            return f"Élément {index} : {error}"
    return None


class StrictJSONTypes:
    """Refuses, field by field and before any conversion, a JSON value of another type than the
    field's. Nested serializers built from these classes hold their own fields likewise."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {
                name: [message]
                for name, field in self.fields.items()  # type: ignore[attr-defined]
                if not field.read_only
                and name in data
                and (message := type_error(field, data[name])) is not None
            }
            if errors:
                raise ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class Serializer(StrictJSONTypes, serializers.Serializer):
    pass


class ModelSerializer(StrictJSONTypes, serializers.ModelSerializer):
    pass
