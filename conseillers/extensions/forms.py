from django import forms

from core.forms import DsfrForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ExtensionRequestForm(DsfrForm):
    requested_end_date = forms.DateField(
        label="Nouvelle date de fin du contrat",
        widget=DATE,
        help_text="Postérieure à la date de fin actuelle du contrat.",
        error_messages={"required": "Indiquez la nouvelle date de fin du contrat."},
    )


class RefusalForm(DsfrForm):
    motive = forms.CharField(
        label="Motif du refus",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="La structure le lira dans le courriel qui l'informe du refus.",
        error_messages={"required": "Indiquez le motif du refus : la structure le lira."},
    )
