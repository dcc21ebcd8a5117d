"""Forms of the subsidy pages (DSFR markup, errors next to their field, input kept)."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from dsfr.utils import dsfr_input_class_attr

from conseillers.forms import DATE
from conseillers.subsidy.models import DocumentKind, Regime, Tranche
from core.forms import DsfrForm
from core.validators import validate_pdf

# The reports the activity statistics can stand for (conseillers.subsidy.activity).
GENERATED_REPORTS = (DocumentKind.ACTIVITY_REPORT, DocumentKind.FINAL_REPORT)


class JustificationForm(DsfrForm):
    """One file field per document the tranche asks for, then a comment."""

    comment = forms.CharField(
        label="Commentaire pour l'ANCT",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )

    def __init__(self, *args, tranche: Tranche, prefilled: bool = False, **kwargs) -> None:
        """`prefilled`: the activity report is generated from the comptes rendus
        (conseillers.subsidy.activity) unless the structure uploads its own."""
        super().__init__(*args, **kwargs)
        labels = dict(DocumentKind.choices)
        self.kinds = tranche.required_documents
        for kind in self.kinds:
            generated = prefilled and kind in GENERATED_REPORTS
            hint = (
                " Laissez vide pour joindre le rapport pré-rempli ci-contre." if generated else ""
            )
            self.fields[kind] = forms.FileField(
                label=labels[kind],
                required=not generated,
                help_text=f"Au format PDF, {settings.MAX_UPLOAD_MB} Mo au maximum.{hint}",
                widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
            )
            dsfr_input_class_attr(self[kind])
        self.order_fields([*self.kinds, "comment"])

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        for kind in self.kinds:
            if data.get(kind):
                try:
                    validate_pdf(data[kind], f"« {self.fields[kind].label} »")
                except ValidationError as error:
                    self.add_error(kind, error)
        return data

    @property
    def documents(self) -> dict:
        return {kind: file for kind in self.kinds if (file := self.cleaned_data.get(kind))}


class ReviewForm(DsfrForm):
    reason = forms.CharField(
        label="Commentaire",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
        error_messages={"required": "Indiquez à la structure ce qu'elle doit corriger."},
    )

    def __init__(self, *args, send_back: bool = False, **kwargs) -> None:
        """Sending back requires saying what to correct (the service requires it too): the field
        is then required and named so, instead of an optional comment whose hint says otherwise."""
        super().__init__(*args, **kwargs)
        if send_back:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Ce que la structure doit corriger"


class PaymentForm(DsfrForm):
    reference = forms.CharField(
        label="Référence du paiement",
        max_length=100,
        help_text="Celle de l'avis de paiement de la Banque des Territoires.",
    )
    paid_on = forms.DateField(label="Date du paiement", widget=DATE)


class CorrectionForm(DsfrForm):
    amount = forms.DecimalField(
        label="Montant de la correction (€)",
        max_digits=10,
        decimal_places=2,
        help_text="Négatif pour un trop-payé constaté, positif pour un complément.",
    )
    reference = forms.CharField(label="Référence", max_length=100, required=False)
    paid_on = forms.DateField(label="Date", widget=DATE)
    reason = forms.CharField(
        label="Motif de la correction", max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == 0:
            raise ValidationError("Une correction a un montant non nul.")
        return amount


class RecoveryClaimForm(DsfrForm):
    reference = forms.CharField(label="Référence du titre de recette", max_length=100)
    claimed_on = forms.DateField(label="Émis le", widget=DATE)


class RecoverySettleForm(DsfrForm):
    recovered_on = forms.DateField(label="Recouvré le", widget=DATE)


class ConventionForm(DsfrForm):
    regime = forms.ModelChoiceField(label="Régime de subvention", queryset=Regime.objects.all())
    signed_on = forms.DateField(label="Date de signature", widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["regime"].initial = Regime.objects.filter(is_default=True).first()


class NoticeUploadForm(DsfrForm):
    fichier = forms.FileField(
        label="Avis de paiement (CSV)",
        help_text="Le fichier de la Banque des Territoires : colonnes « Référence ordre », "
        "« Référence paiement », « Date de paiement », « Montant (€) » et, facultative, "
        "« SIRET ». Rien n'est enregistré avant votre confirmation.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class NoticeConfirmForm(forms.Form):
    """The previewed file, carried back by the confirmation: what is imported is what was seen."""

    contenu = forms.CharField(widget=forms.HiddenInput)
    nom = forms.CharField(widget=forms.HiddenInput, max_length=255)


class RenewalPostsForm(DsfrForm):
    """The posts a structure renews: one box per post whose conseiller is in post."""

    posts = forms.TypedMultipleChoiceField(
        label="Postes à renouveler",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text="Chaque personne cochée reste sur son poste sous la nouvelle convention, "
        "sans interruption ; les postes non cochés prendront fin avec leur échéancier actuel.",
    )

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["posts"]).choices = choices


class RenewalDeclineForm(DsfrForm):
    reason = forms.CharField(
        label="Motif (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )


class RenewalValidateForm(DsfrForm):
    """Nothing to type: the confirmation is the decision."""


class RenewalRefuseForm(DsfrForm):
    reason = forms.CharField(
        label="Motif du refus",
        max_length=1000,
        help_text="Transmis à la structure.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
    )
