from django import forms

from conseillers.models import Match
from core.forms import DsfrForm


class ConseillerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Match) -> str:
        return f"{obj.candidat} — {obj.structure.name}"


class AttachForm(DsfrForm):
    conseiller = ConseillerChoiceField(
        label="Conseiller à rattacher",
        queryset=Match.objects.none(),
        help_text="Conseillers en poste dans la région, sans coordinateur.",
    )

    def __init__(self, *args, candidates=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["conseiller"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = candidates if candidates is not None else Match.objects.none()
