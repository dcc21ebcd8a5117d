from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet

from conseillers.amendments.models import AmendmentKind, GiveBackMotive
from conseillers.forms import DATE
from conseillers.models import OpinionVerdict
from core.forms import CONDITIONALLY_REQUIRED, DsfrForm
from core.models import Structure


class AmendmentRequestForm(DsfrForm):
    structure = forms.ModelChoiceField(queryset=Structure.objects.none(), label="Structure")
    kind = forms.ChoiceField(
        label="Votre demande", choices=AmendmentKind.choices, widget=forms.RadioSelect
    )
    posts = forms.IntegerField(label="Nombre de postes", min_value=1, max_value=100)
    motive = forms.ChoiceField(
        label="Motif du rendu",
        required=False,
        choices=[("", "Choisissez un motif"), *GiveBackMotive.choices],
        help_text="Obligatoire pour rendre des postes.",
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        max_length=2500,
        help_text="Obligatoire pour demander des postes de plus ; 2 500 caractères au maximum.",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2500}),
    )

    def __init__(self, *args, structures: QuerySet[Structure], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["structure"]).queryset = structures
        if structures.count() == 1:
            self.fields["structure"].initial = structures.first()
        # Required by the service for one kind only: the labels must not say "optionnel".
        for name in ("motive", "justification"):
            self.fields[name].template_name = CONDITIONALLY_REQUIRED  # type: ignore[attr-defined]


class AmendmentOpinionForm(DsfrForm):
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


class AmendmentAcceptForm(DsfrForm):
    number = forms.CharField(label="Numéro de décision", max_length=50)
    decided_on = forms.DateField(label="Date de décision", widget=DATE)
    posts_granted = forms.IntegerField(
        label="Postes accordés",
        required=False,
        min_value=1,
        max_value=100,
        help_text="Pour un ajout : autant que demandé si vide, ou moins.",
    )
    observations = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    envelope_override = forms.CharField(
        label="Justification du dépassement de l'enveloppe",
        required=False,
        help_text="À remplir seulement pour accorder au-delà de l'enveloppe du département.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, give_back: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if give_back:  # a give-back is accepted as asked, and never needs room in the envelope
            del self.fields["posts_granted"]
            del self.fields["envelope_override"]
