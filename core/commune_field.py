"""Choosing one of 35,000 communes: a text input working without script, enhanced into a combobox.

Without script the person types a name, a postal code or an INSEE code, or a suggestion's label
(« Tours (37000) »); the server accepts it when it designates one commune, and otherwise answers
with the few communes it could be, to copy. With script, core/static/js/commune-combobox.js turns
the input into an ARIA 1.2 combobox fed by the communes API.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy

from core.models import Commune, search_key

TEMPLATE = "core/forms/commune_field.html"
SUGGESTIONS = 5
LABEL = re.compile(r"^(?P<name>.+?)\s*\((?P<postal>\d{5})\)$")
INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)


class CommuneInput(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "data-commune-combobox": reverse_lazy("api:commune-list"),
                **(attrs or {}),
            }
        )


class CommuneField(forms.Field):
    widget = CommuneInput
    template_name = TEMPLATE
    default_help_text = "Nom ou code postal, par exemple « Tours » ou « 37000 »."

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", self.default_help_text)
        kwargs.pop("queryset", None)  # given by ModelForm for a foreign key
        kwargs.pop("limit_choices_to", None)
        kwargs.pop("to_field_name", None)
        kwargs.pop("blank", None)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, Commune):
            return value.label
        if isinstance(value, str) and INSEE.match(value):
            commune = Commune.objects.filter(code=value.upper()).first()
            return commune.label if commune else value
        return "" if value is None else str(value)

    def to_python(self, value: Any) -> Commune | None:
        text = (value or "").strip() if isinstance(value, str) else ""
        if not text:
            return None
        found = find_commune(text)
        if isinstance(found, Commune):
            return found
        if not found:
            raise ValidationError(
                f"Aucune commune ne correspond à « {text[:60]} ». Vérifiez l'orthographe ou "
                "saisissez le code postal.",
                code="unknown",
            )
        names = " ; ".join(c.label for c in found[:SUGGESTIONS])
        raise ValidationError(
            f"Plusieurs communes correspondent à « {text[:60]} » : {names}. "
            "Recopiez celle qui convient, avec son code postal entre parenthèses.",
            code="ambiguous",
        )


def find_commune(text: str) -> Commune | list[Commune]:
    """The one commune `text` designates, or the ones it may designate (none: empty list).

    Five digits are an INSEE code (current or of a merged commune) or a postal code; « Nom (code
    postal) » is a suggestion's label; otherwise a name, taken when only one commune bears it."""
    key = text.upper()
    candidates: list[Commune] = []
    if INSEE.match(key):
        by_code = Commune.objects.resolve(key)
        if not key.isdigit():  # 2A004: Corsican INSEE codes are no postal codes
            return by_code or []
        if by_code is not None:
            candidates.append(by_code)
    label = LABEL.match(text)
    if label:
        named = Commune.objects.filter(
            search_name=search_key(label["name"]), postal_codes__contains=label["postal"]
        ).first()
        if named is not None:
            return named
    candidates += [
        c for c in Commune.objects.search(text)[: SUGGESTIONS + 1] if c not in candidates
    ]
    if len(candidates) == 1:
        return candidates[0]
    exact = [c for c in candidates if c.search_name == search_key(text)]
    return exact[0] if len(exact) == 1 else candidates
