from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from core.forms import DsfrForm
from core.models import Structure
from mandats.demarches import GUIDES
from mandats.models import Demarche, MandatDuration

# django-dsfr picks a field's markup from its widget's class name: a subclass names it itself.
CHECKBOXES_TEMPLATE = "dsfr/form_field_snippets/checkboxselectmultiple_snippet.html"


class DemarcheCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Each démarche with what it covers and a few services: a bare label such as « Social -
    Santé » does not tell the usager what they entrust."""

    option_template_name = "mandats/widgets/demarche_option.html"

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["guide"] = GUIDES.get(str(option["value"]))
        return option


class DemarchesField(forms.MultipleChoiceField):
    # django-dsfr reads the class attribute once the instance's own is left empty.
    template_name = CHECKBOXES_TEMPLATE
    widget = DemarcheCheckboxSelectMultiple


def totp_code_field(**attrs: str) -> forms.CharField:
    return forms.CharField(
        label="Code à usage unique",
        help_text="Les 6 chiffres affichés par votre application ou votre carte.",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", **attrs}
        ),
    )


class TOTPCodeForm(DsfrForm):
    code = totp_code_field(autofocus="autofocus")


class UsagerSearchForm(DsfrForm):
    q = forms.CharField(
        label="Rechercher un usager (prénom ou nom)", required=False, max_length=100
    )


class MandatScopeForm(DsfrForm):
    """Démarches and duration of a mandate, among the démarches the organisation allows."""

    demarches = DemarchesField(
        label="Démarches confiées à l'organisation",
        error_messages={"required": "Choisissez au moins une démarche."},
    )
    duration = forms.ChoiceField(
        label="Durée du mandat",
        choices=MandatDuration.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez une durée."},
    )

    def __init__(self, *args, allowed_demarches: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(allowed_demarches)
        field = cast(forms.MultipleChoiceField, self.fields["demarches"])
        field.choices = [c for c in Demarche.choices if c[0] in allowed]


class MandatRenewForm(MandatScopeForm):
    code = totp_code_field()


class OrganisationSwitchForm(DsfrForm):
    organisation = forms.ModelChoiceField(
        label="Organisation dans laquelle vous travaillez",
        queryset=Structure.objects.none(),
        # One of the person's organisations is always current: "no organisation" is no choice.
        empty_label=None,
    )

    def __init__(self, *args, organisations: QuerySet[Structure], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations


class AllowedDemarchesForm(DsfrForm):
    demarches = DemarchesField(
        label="Démarches que les aidants de l'organisation peuvent proposer",
        choices=Demarche.choices,
        error_messages={"required": "Choisissez au moins une démarche."},
    )


class HabilitationRequestForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique professionnelle")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    profession = forms.CharField(label="Profession", max_length=150)
    training_done = forms.BooleanField(
        label="La formation Aidants Connect est suivie", required=False
    )
    training_date = forms.DateField(
        label="Date de la formation",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    pix_passed = forms.BooleanField(label="Le test PIX est réussi", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("training_done") and not data.get("training_date"):
            self.add_error("training_date", "Indiquez la date de la formation suivie.")
        return data


class HabilitationRefuseForm(DsfrForm):
    reason = forms.CharField(label="Motif du refus", widget=forms.Textarea(attrs={"rows": 4}))


class CarteAssociationForm(DsfrForm):
    serial_number = forms.CharField(
        label="Numéro de série",
        help_text="Imprimé au dos de la carte, par exemple AC-0001.",
        max_length=64,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    code = forms.CharField(
        label="Code affiché par la carte",
        help_text="Appuyez sur le bouton de la carte et saisissez les 6 chiffres affichés.",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class CarteStockForm(DsfrForm):
    MAX_BYTES = 2 * 1024 * 1024

    csv_file = forms.FileField(
        label="Fichier CSV du lot de cartes",
        help_text="Deux colonnes nommées sur la première ligne : numero_serie et graine "
        "(la graine en base32). Séparateur virgule ou point-virgule, encodage UTF-8.",
    )

    def clean_csv_file(self) -> str:
        upload = self.cleaned_data["csv_file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 2 Mo : découpez-le.")
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError("Le fichier n'est pas encodé en UTF-8.") from exc
