from __future__ import annotations

import datetime

from django import forms

from core.forms import DsfrForm

from .access import Perimeter
from .period import period_errors
from .selectors import Period

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {
    "invalid": "Saisissez une date valide (jj/mm/aaaa).",
    "required": "Saisissez une date.",
}


class StatsForm(DsfrForm):
    perimetre = forms.ChoiceField(
        label="Périmètre", error_messages={"invalid_choice": "Choisissez un périmètre de la liste."}
    )
    du = forms.DateField(label="Du", widget=DATE_INPUT, error_messages=DATE_ERRORS)
    au = forms.DateField(label="Au", widget=DATE_INPUT, error_messages=DATE_ERRORS)

    def __init__(self, *args, perimeters: list[Perimeter], today: datetime.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        groups: dict[str, list[tuple[str, str]]] = {}
        for perimeter in perimeters:
            groups.setdefault(perimeter.group, []).append((perimeter.token, perimeter.label))
        choice = self.fields["perimetre"]
        assert isinstance(choice, forms.ChoiceField)
        choice.choices = list(groups.items())

    def clean(self) -> dict:
        data = super().clean() or {}
        if "du" in data and "au" in data:
            for name, message in period_errors(data["du"], data["au"], self.today).items():
                self.add_error(name, message)
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["du"], self.cleaned_data["au"])
