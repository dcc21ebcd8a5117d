"""Choosing départements on a phone: checkboxes grouped by région, each région a fold of its own.

A multi-select of 101 entries needs Ctrl-click, which phones do not have. The same choice as
checkboxes in one fieldset per région works everywhere without script; a small static script adds
a text filter when it can run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from dsfr.forms import DsfrBoundField

from core.models import Departement

TEMPLATE = "conseillers/forms/territory_field.html"


@dataclass(frozen=True, slots=True)
class RegionGroup:
    code: str
    name: str
    options: list[Any]  # the checkboxes (bound subwidgets) of the région's départements
    checked: int


class TerritoryBoundField(DsfrBoundField):
    @property
    def regions(self) -> list[RegionGroup]:
        """The checkboxes of the field, in one group per région, régions in INSEE code order."""
        # One query for the names; the checkboxes come in the queryset's région order.
        departements = Departement.objects.select_related("region")
        region_of = {d.code: d.region for d in departements}
        selected = {str(value) for value in (self.value() or [])}
        groups: dict[str, list[Any]] = {}
        for option in self.subwidgets:
            groups.setdefault(region_of[str(option.data["value"])].code, []).append(option)
        names = {region.code: region.name for region in region_of.values()}
        return [
            RegionGroup(
                code=code,
                name=names[code],
                options=options,
                checked=sum(str(option.data["value"]) in selected for option in options),
            )
            for code, options in groups.items()
        ]


class TerritoryChoiceField(forms.ModelMultipleChoiceField):
    """Départements as checkboxes, grouped by région in the template."""

    template_name = TEMPLATE
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(queryset=Departement.objects.order_by("region_id", "code"), **kwargs)

    def label_from_instance(self, obj: Departement) -> str:
        return f"{obj.name} ({obj.code})"

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> TerritoryBoundField:
        return TerritoryBoundField(form, self, field_name)
