from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from conseillers.apportionment import Method
from conseillers.models import (
    Candidat,
    Candidature,
    ContractType,
    OpinionVerdict,
    PostKind,
    RuptureMotive,
)
from conseillers.territory_field import TerritoryChoiceField
from core.commune_field import CommuneField
from core.forms import CONDITIONALLY_REQUIRED, DsfrForm, DsfrModelForm
from core.models import Departement, Structure
from core.validators import validate_pdf

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Shows a service's refusal next to the field it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class CandidatureForm(DsfrModelForm):
    structure = forms.ModelChoiceField(queryset=Structure.objects.none(), label="Structure")

    class Meta:
        model = Candidature
        fields = [
            "structure",
            "contact_name",
            "contact_email",
            "contact_phone",
            "posts_wished",
            "motivation",
            "start_date",
            "zrr",
            "qpv",
            "france_services",
        ]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 6, "maxlength": 2500}),
            "start_date": DATE,
        }
        help_texts = {"motivation": "2 500 caractères au maximum."}

    def __init__(self, *args, structures: QuerySet[Structure], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = structures
        if structures.count() == 1:
            self.fields["structure"].initial = structures.first()


class OpinionForm(DsfrForm):
    verdict = forms.ChoiceField(
        label="Avis", choices=OpinionVerdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label="Commentaire",
        min_length=10,
        max_length=1000,
        help_text="De 10 à 1 000 caractères.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
    )
    transfer_to = forms.ModelChoiceField(
        label="Proposer de transférer les postes à une autre structure",
        required=False,
        queryset=Structure.objects.none(),
    )

    def __init__(self, *args, candidature: Candidature, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["transfer_to"]
        ).queryset = Structure.objects.filter(
            departement_id=candidature.structure.departement_id
        ).exclude(pk=candidature.structure_id)


class DecisionForm(DsfrForm):
    posts_granted = forms.IntegerField(
        label="Postes accordés (quota après la décision)", min_value=0, max_value=100
    )
    coordinator_posts_granted = forms.IntegerField(
        label="Dont postes de coordinateur",
        min_value=0,
        max_value=100,
        required=False,
        help_text="Parmi les postes accordés, ceux de conseillers coordinateurs (le nouveau "
        "total). Vide : inchangé (aucun pour une décision initiale).",
    )
    number = forms.CharField(label="Numéro de décision", max_length=50)
    decided_on = forms.DateField(label="Date de décision", widget=DATE)
    priority = forms.BooleanField(label="Dossier prioritaire", required=False)
    observations = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    motive = forms.CharField(
        label="Motif de l'avenant",
        required=False,
        max_length=500,
        help_text="Obligatoire pour ajouter ou retirer des postes, sans objet pour la décision "
        "initiale.",
    )
    envelope_override = forms.CharField(
        label="Justification du dépassement de l'enveloppe",
        required=False,
        help_text="À remplir seulement pour accorder au-delà de l'enveloppe du département.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Required by the service for an amendment only: the label must not say "optionnel".
        # (Field.template_name is Django 5.0; the stubs do not know it yet.)
        self.fields["motive"].template_name = CONDITIONALLY_REQUIRED  # type: ignore[attr-defined]


class ReasonForm(DsfrForm):
    reason = forms.CharField(
        label="Motif",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Indiquez le motif de cette décision."},
    )

    def __init__(self, *args, motive_required: bool = False, **kwargs) -> None:
        """The services that require a motive say so here too: the label shows no "(Optionnel)"
        and the form refuses a blank motive before the service is asked."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = motive_required


class ContractForm(DsfrForm):
    post_kind = forms.ChoiceField(
        label="Nature du poste",
        choices=PostKind.choices,
        initial=PostKind.CONSEILLER,
        help_text="Un poste de coordinateur n'est possible que si l'ANCT en a accordé à la "
        "structure.",
    )
    contract_type = forms.ChoiceField(label="Type de contrat", choices=ContractType.choices)
    start_date = forms.DateField(label="Date de début", widget=DATE)
    end_date = forms.DateField(
        label="Date de fin", required=False, widget=DATE, help_text="Sans objet pour un CDI."
    )
    gross_monthly_salary = forms.DecimalField(
        label="Salaire brut mensuel (€)", min_value=0, max_digits=8, decimal_places=2
    )
    weekly_hours = forms.DecimalField(
        label="Durée hebdomadaire (heures)",
        min_value=1,
        max_value=48,
        max_digits=4,
        decimal_places=2,
        initial=35,
    )


class RuptureForm(DsfrForm):
    rupture_date = forms.DateField(label="Date de rupture", widget=DATE)
    motive = forms.ChoiceField(label="Motif", choices=RuptureMotive.choices)


class EnvelopeForm(DsfrForm):
    departement = forms.ModelChoiceField(label="Département", queryset=Departement.objects.all())
    posts = forms.IntegerField(label="Postes de l'enveloppe", min_value=0, max_value=10_000)
    reason = forms.CharField(label="Motif du changement", max_length=500)


class ProposalForm(DsfrForm):
    total = forms.IntegerField(
        label="Nombre de postes à répartir", min_value=0, max_value=100_000, initial=4000
    )
    method = forms.ChoiceField(
        label="Méthode de répartition", choices=[(m.value, m.label) for m in Method]
    )
    floor = forms.IntegerField(label="Plancher par département", min_value=0, initial=1)
    indicator_file = forms.FileField(
        label="Indicateur (fichier CSV)",
        required=False,
        help_text="Deux colonnes « code;valeur » par département. Par défaut : la population.",
    )


class RedistributionForm(DsfrForm):
    total = forms.IntegerField(
        label="Postes rendus ou inutilisés à redistribuer", min_value=1, max_value=10_000
    )


class CandidatForm(DsfrModelForm):
    departements = TerritoryChoiceField(label="Départements où travailler")

    class Meta:
        model = Candidat
        fields = [
            "first_name",
            "last_name",
            "email",
            "phone",
            "situation",
            "available_from",
            "departements",
            "commune",
            "max_distance_km",
            "pix_level",
            "cv",
        ]
        field_classes = {"commune": CommuneField}
        widgets = {
            "available_from": DATE,
            "pix_level": forms.Select(choices=[(1, "1"), (2, "2"), (3, "3")]),
        }
        help_texts = {
            "cv": f"Au format PDF, {settings.MAX_UPLOAD_MB} Mo au maximum.",
        }

    def clean_cv(self):
        cv = self.cleaned_data.get("cv")
        if cv:
            validate_pdf(cv, "Le CV")
        return cv
