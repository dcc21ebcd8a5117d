from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm


class DsfrForm(DsfrBaseForm):
    """Base of every form of the product: DSFR markup, optional fields marked (the DSFR advice)."""

    def get_context(self) -> dict:
        # Skips DsfrBaseForm.get_context, which only warns about a transitional setting.
        context = forms.Form.get_context(self)
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        return context


class LoginForm(DsfrForm, AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        # Never says which of the two is wrong, so the form does not reveal who has an account.
        "invalid_login": "Adresse électronique ou mot de passe incorrect.",
        "inactive": "Adresse électronique ou mot de passe incorrect.",
    }
