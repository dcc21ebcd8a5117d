from __future__ import annotations

from typing import Any

from django import forms

from core.commune_field import CommuneField
from core.forms import DsfrModelForm
from core.models import Structure
from lieux.models import DESCRIPTION_FIELDS, Lieu
from lieux.services import conseillers_of
from lieux.vocabulary import Accessibility, Public, Service


class LieuForm(DsfrModelForm):
    commune = CommuneField(label="Commune")
    services = forms.MultipleChoiceField(
        label="Services proposés", choices=Service.choices, widget=forms.CheckboxSelectMultiple
    )
    publics = forms.MultipleChoiceField(
        label="Publics spécifiquement accueillis",
        choices=Public.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accessibility = forms.MultipleChoiceField(
        label="Prise en charge spécifique",
        choices=Accessibility.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    accessibility_url = forms.URLField(
        label="Fiche Accès libre",
        required=False,
        assume_scheme="https",
        help_text="Adresse de la fiche d'accessibilité du lieu.",
    )
    website = forms.URLField(label="Site internet", required=False, assume_scheme="https")

    class Meta:
        model = Lieu
        fields = DESCRIPTION_FIELDS
        widgets = {
            "presentation": forms.Textarea(attrs={"rows": 3}),
            "conseillers": forms.CheckboxSelectMultiple,
        }
        help_texts = {
            "latitude": "Facultatif : sans position, la carte montre le centre de la commune.",
        }

    def __init__(self, *args: Any, structure: Structure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.structure = structure
        conseillers = self.fields["conseillers"]
        assert isinstance(conseillers, forms.ModelMultipleChoiceField)
        conseillers.queryset = conseillers_of(structure)
        conseillers.help_text = "Les conseillers numériques recrutés par la structure."

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("conseillers", None)
        return data
