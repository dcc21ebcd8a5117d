from typing import Any, cast

from django import forms
from django.core.validators import validate_email
from django.db.models import QuerySet

from core.forms import DsfrForm
from core.models import Departement, Structure, StructureType
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


class AidantsField(forms.CharField):
    """One aidant per line: « prénom ; nom ; adresse électronique ; profession »."""

    widget = forms.Textarea(attrs={"rows": 4})

    def to_python(self, value: Any) -> list[dict[str, str]]:  # type: ignore[override]
        text = super().to_python(value) or ""
        aidants, errors = [], []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split(";")]
            if len(parts) != 4 or not all(parts[:3]):
                errors.append(f"Ligne {number} : prénom ; nom ; adresse électronique ; profession.")
                continue
            try:
                validate_email(parts[2])
            except forms.ValidationError:
                errors.append(f"Ligne {number} : adresse électronique invalide ({parts[2]}).")
                continue
            aidants.append(
                dict(zip(("first_name", "last_name", "email", "profession"), parts, strict=True))
            )
        if errors:
            raise forms.ValidationError(errors)
        return aidants


def aidants_text(aidants: list[dict[str, str]]) -> str:
    return "\n".join(
        " ; ".join(a.get(k, "") for k in ("first_name", "last_name", "email", "profession"))
        for a in aidants
    )


class OrganisationRequestForm(DsfrForm):
    siret = forms.CharField(
        label="SIRET", max_length=20, help_text="14 chiffres (RIDET en Nouvelle-Calédonie)."
    )
    name = forms.CharField(label="Raison sociale", max_length=255)
    type = forms.ChoiceField(label="Type de structure", choices=StructureType.choices)
    departement = forms.ModelChoiceField(
        label="Département", queryset=Departement.objects.order_by("code"), empty_label="Choisir"
    )
    address = forms.CharField(label="Adresse", max_length=255)
    referent_first_name = forms.CharField(label="Prénom du référent", max_length=150)
    referent_last_name = forms.CharField(label="Nom du référent", max_length=150)
    referent_email = forms.EmailField(
        label="Adresse électronique du référent",
        help_text="Un lien de confirmation y est envoyé : il sert aussi à suivre la demande.",
    )
    referent_phone = forms.CharField(label="Téléphone du référent", max_length=20, required=False)
    aidants = AidantsField(
        label="Aidants à former",
        help_text="Une personne par ligne : prénom ; nom ; adresse électronique ; profession.",
    )
    demarches = DemarchesField(
        label="Démarches souhaitées",
        choices=Demarche.choices,
        error_messages={"required": "Choisissez au moins une démarche."},
    )


class ResendLinkForm(DsfrForm):
    email = forms.EmailField(
        label="Adresse électronique du référent",
        help_text="Celle donnée dans la demande.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class OrganisationRequestChangesForm(DsfrForm):
    name = forms.CharField(label="Raison sociale", max_length=255)
    type = forms.ChoiceField(label="Type de structure", choices=StructureType.choices)
    address = forms.CharField(label="Adresse", max_length=255)
    referent_first_name = forms.CharField(label="Prénom du référent", max_length=150)
    referent_last_name = forms.CharField(label="Nom du référent", max_length=150)
    referent_phone = forms.CharField(label="Téléphone du référent", max_length=20, required=False)
    aidants = AidantsField(
        label="Aidants à former",
        help_text="Une personne par ligne : prénom ; nom ; adresse électronique ; profession.",
    )
    demarches = DemarchesField(label="Démarches souhaitées", choices=Demarche.choices)
    message = forms.CharField(
        label="Message à l'ANCT", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MessageForm(DsfrForm):
    message = forms.CharField(
        label="Message au demandeur", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ReasonForm(DsfrForm):
    message = forms.CharField(
        label="Motif du refus ou de la clôture",
        help_text="Transmis au demandeur et gardé dans l'historique de la demande.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )
