"""Forms of the activity pages: one recording form for both kinds, the CSV import, absences.

The recording form only types what was posted; the rules live in `services.check`, whose errors
come back next to their field. Both kinds' fields are in the page (it works without JavaScript):
the fields of the kind not chosen are ignored.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from conseillers.activity.models import (
    AGE_FIELDS,
    MAX_DURATION_MINUTES,
    MAX_PARTICIPANTS,
    STATUS_FIELDS,
    Activity,
    ActivityKind,
    Autonomy,
    Equipment,
    ExemptionMotive,
    PlaceKind,
    Theme,
)
from conseillers.forms import DATE
from conseillers.models import Match
from core.forms import DsfrForm
from lieux.models import Lieu

# The fields of each kind, for the template's sections and to ignore the other kind's.
INDIVIDUAL_FIELDS = ("autonomy", "age", "status")
COLLECTIVE_FIELDS = ("participants", *AGE_FIELDS, *STATUS_FIELDS)


def _count(label: str, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=MAX_PARTICIPANTS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class ActivityForm(DsfrForm):
    kind = forms.ChoiceField(
        label="Type d'activité", choices=ActivityKind.choices, widget=forms.RadioSelect
    )
    date = forms.DateField(label="Date", widget=DATE)
    duration_minutes = forms.IntegerField(
        label="Durée (en minutes)",
        min_value=1,
        max_value=MAX_DURATION_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": 5}),
    )
    themes = forms.MultipleChoiceField(
        label="Thèmes",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choisissez au moins un thème."},
    )
    autonomy = forms.ChoiceField(
        label="Autonomie de la personne",
        choices=Autonomy.choices,
        widget=forms.RadioSelect,
    )
    age = forms.ChoiceField(
        label="Tranche d'âge",
        choices=list(AGE_FIELDS.items()),
        widget=forms.RadioSelect,
    )
    status = forms.ChoiceField(
        label="Statut",
        choices=list(STATUS_FIELDS.items()),
        widget=forms.RadioSelect,
    )
    participants = _count("Nombre de participants", required=True)
    age_under_12 = _count(AGE_FIELDS["age_under_12"])
    age_12_18 = _count(AGE_FIELDS["age_12_18"])
    age_18_35 = _count(AGE_FIELDS["age_18_35"])
    age_35_60 = _count(AGE_FIELDS["age_35_60"])
    age_over_60 = _count(AGE_FIELDS["age_over_60"])
    status_in_school = _count(STATUS_FIELDS["status_in_school"])
    status_unemployed = _count(STATUS_FIELDS["status_unemployed"])
    status_employed = _count(STATUS_FIELDS["status_employed"])
    status_retired = _count(STATUS_FIELDS["status_retired"])
    status_unknown = _count(STATUS_FIELDS["status_unknown"])
    place_kind = forms.ChoiceField(
        label="Lieu", choices=PlaceKind.choices, widget=forms.RadioSelect
    )
    lieu = forms.ChoiceField(
        label="Lieu de la structure",
        required=False,
        help_text="Pour une activité dans l'un des lieux déclarés par la structure : son nom et "
        "sa commune sont repris si vous ne les indiquez pas.",
    )
    place_label = forms.CharField(label="Nom du lieu", required=False, max_length=200)
    commune_insee = forms.CharField(
        label="Commune (code INSEE)",
        required=False,
        max_length=5,
        help_text="Cinq caractères, par exemple 37261 pour Tours.",
    )
    equipment = forms.MultipleChoiceField(
        label="Matériel utilisé",
        choices=Equipment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    redirected = forms.BooleanField(label="Réorientée vers une autre structure", required=False)
    redirected_to = forms.CharField(
        label="Structure de réorientation", required=False, max_length=200
    )

    def __init__(self, *args, themes: list[Theme], lieux: Sequence[Lieu] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Each kind's own fields are required for it and ignored for the other; unbound,
            # all show as required (none is marked "optionnel" although each kind needs it).
            individual = self.data.get("kind") == ActivityKind.INDIVIDUAL
            for name in INDIVIDUAL_FIELDS:
                self.fields[name].required = individual
            self.fields["participants"].required = not individual
        # The active themes, read once by the view: the choices cost no query of their own.
        themes_field = self.fields["themes"]
        assert isinstance(themes_field, forms.MultipleChoiceField)
        themes_field.choices = [(str(theme.pk), theme.label) for theme in themes]
        self._themes = {str(theme.pk): theme for theme in themes}
        lieu_field = self.fields["lieu"]
        assert isinstance(lieu_field, forms.ChoiceField)
        lieu_field.choices = [("", "Aucun de ces lieux")] + [
            (str(lieu.pk), f"{lieu.name} ({lieu.commune.name})") for lieu in lieux
        ]
        self._lieux = {str(lieu.pk): lieu for lieu in lieux}

    @property
    def has_lieux(self) -> bool:
        return bool(self._lieux)

    def clean_lieu(self) -> Lieu | None:
        return self._lieux.get(self.cleaned_data["lieu"])

    def clean_themes(self) -> list[Theme]:
        return [self._themes[pk] for pk in self.cleaned_data["themes"]]

    @property
    def individual(self) -> bool:
        return self.cleaned_data.get("kind") == ActivityKind.INDIVIDUAL

    def service_fields(self) -> dict[str, Any]:
        """The typed fields for `activity_record` / `activity_update`."""
        data = self.cleaned_data
        fields: dict[str, Any] = {
            name: data[name]
            for name in (
                "kind",
                "date",
                "duration_minutes",
                "place_kind",
                "lieu",
                "place_label",
                "commune_insee",
                "equipment",
                "redirected",
            )
        }
        fields["redirected_to"] = data["redirected_to"] if data["redirected"] else ""
        counts = dict.fromkeys([*AGE_FIELDS, *STATUS_FIELDS], 0)
        if self.individual:
            fields["participants"] = 1
            fields["autonomy"] = data["autonomy"]
            for chosen in (data["age"], data["status"]):
                if chosen:
                    counts[chosen] = 1
        else:
            fields["participants"] = data["participants"] or 0
            fields["autonomy"] = ""
            counts.update({name: data[name] or 0 for name in counts})
        return {**fields, **counts}

    def add_service_errors(self, error: ValidationError) -> None:
        """The service's errors next to their field; the sums next to the first field of theirs."""
        individual = self.cleaned_data.get("kind") == ActivityKind.INDIVIDUAL
        where = {
            "ages": "age" if individual else next(iter(AGE_FIELDS)),
            "statuses": "status" if individual else next(iter(STATUS_FIELDS)),
        }
        for name, messages in error.message_dict.items():
            target = where.get(name, name)
            self.add_error(target if target in self.fields else None, messages)


def initial_from(activity: Activity | None, today: datetime.date) -> dict[str, Any]:
    """The form's values for the next record: the last one's, dated today."""
    if activity is None:
        return {
            "kind": ActivityKind.INDIVIDUAL,
            "date": today,
            "duration_minutes": 30,
            "place_kind": PlaceKind.PLACE,
        }
    initial: dict[str, Any] = {
        name: getattr(activity, name)
        for name in (
            "kind",
            "duration_minutes",
            "place_kind",
            "place_label",
            "commune_insee",
            "equipment",
            "autonomy",
        )
    }
    initial["lieu"] = str(activity.lieu_id or "")
    initial["date"] = today
    initial["themes"] = [str(theme.pk) for theme in activity.themes.all()]
    if activity.kind == ActivityKind.COLLECTIVE:
        # A workshop's counts are the next workshop's defaults; an accompaniment's are not.
        for name in ("participants", *AGE_FIELDS, *STATUS_FIELDS):
            initial[name] = getattr(activity, name)
    else:
        initial["age"] = next((n for n in AGE_FIELDS if getattr(activity, n)), None)
        initial["status"] = next((n for n in STATUS_FIELDS if getattr(activity, n)), None)
    return initial


def initial_of(activity: Activity) -> dict[str, Any]:
    """The form's values to edit a record: its own, date included."""
    return {
        **initial_from(activity, activity.date),
        "redirected": activity.redirected,
        "redirected_to": activity.redirected_to,
    }


class ImportForm(DsfrForm):
    file = forms.FileField(
        label="Fichier CSV",
        help_text="Encodé en UTF-8, séparé par des points-virgules : 2 Mo et 1 000 lignes au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class ExemptionForm(DsfrForm):
    match = forms.ModelChoiceField(
        label="Conseiller", queryset=Match.objects.none(), empty_label=None
    )
    start = forms.DateField(label="Du", widget=DATE)
    end = forms.DateField(label="Au (inclus)", widget=DATE)
    motive = forms.ChoiceField(label="Motif", choices=ExemptionMotive.choices)

    def __init__(self, *args, matches: list[Match], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["match"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Match.objects.filter(pk__in=[m.pk for m in matches]).select_related(
            "candidat", "structure"
        )
