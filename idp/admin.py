"""ANCT staff register the public services here. The client secret is stored as a digest only:
either pasted by the staff (the service generated it) or generated here and shown once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from core.oidc.models import MIN_SECRET_LENGTH
from idp.models import RelyingParty, SigningKey
from idp.services import generate_secret
from mandats.models import Demarche


class UriListField(forms.Field):
    """One URL a line, kept as a JSON list."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list) else (value or "")

    def to_python(self, value: Any) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class RelyingPartyForm(forms.ModelForm):
    secret = forms.CharField(
        label="secret client",
        required=False,
        min_length=MIN_SECRET_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=(
            f"Au moins {MIN_SECRET_LENGTH} caractères. Laissez vide : un secret est généré à la "
            "création et affiché une seule fois ; à la modification, le secret reste inchangé."
        ),
    )
    redirect_uris = UriListField(label="URL de retour (une par ligne)")
    post_logout_redirect_uris = UriListField(
        label="URL de retour après déconnexion (une par ligne)", required=False
    )
    demarches = forms.MultipleChoiceField(
        label="démarches autorisées",
        choices=Demarche.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = RelyingParty
        fields = [
            "client_id",
            "name",
            "redirect_uris",
            "post_logout_redirect_uris",
            "signing_algorithm",
            "userinfo_format",
            "demarches",
            "is_active",
        ]


@admin.register(RelyingParty)
class RelyingPartyAdmin(admin.ModelAdmin):
    form = RelyingPartyForm
    list_display = ["name", "client_id", "signing_algorithm", "userinfo_format", "is_active"]
    search_fields = ["name", "client_id"]
    fields = [*RelyingPartyForm.Meta.fields[:2], "secret", *RelyingPartyForm.Meta.fields[2:]]

    def save_model(
        self, request: HttpRequest, obj: RelyingParty, form: forms.ModelForm, change: bool
    ) -> None:
        secret = form.cleaned_data.get("secret") or ""
        if not secret and not change:
            secret = generate_secret()
            # Shown this once: only its digest is kept, nobody can read it again.
            messages.warning(
                request,
                f"Secret client de « {obj.name} », à transmettre au service et affiché une seule "
                f"fois : {secret}",
            )
        if secret:
            obj.set_secret(secret)
        super().save_model(request, obj, form, change)


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "algorithm", "is_active", "created_at", "expires_at"]
    exclude = ["private_jwk"]
    readonly_fields = ["kid", "algorithm", "is_active", "created_at", "expires_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
