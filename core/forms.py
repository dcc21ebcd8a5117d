from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.http import HttpRequest
from dsfr.forms import DsfrBoundField, DsfrDjangoTemplates
from dsfr.utils import dsfr_input_class_attr

from core import login_policy
from core.commune_field import CommuneField
from core.models import Departement, Region, Structure, User
from core.services import ACCOUNT_ROLES, identity_changes, identity_refusal_message

# The mixin is only ever mixed into Django forms: type-check it as one.
if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


# The template of a text field that the form leaves optional but the service requires in some cases
# (its hint says which): DSFR marks optional fields "(Optionnel)", which would tell the contrary.
# Use it as `forms.CharField(..., template_name=CONDITIONALLY_REQUIRED)`.
CONDITIONALLY_REQUIRED = "core/forms/input_conditional.html"


class DsfrMixin(_FormBase):
    """DSFR markup for any Django form: fields, errors next to them, optional fields marked, and
    on a long form in error a summary at the top linking to each field in error."""

    template_name = "core/forms/form.html"
    bound_field_class = DsfrBoundField
    default_renderer = DsfrDjangoTemplates
    # From this many visible fields, a form in error starts with the DSFR error summary: on a
    # shorter one, the error next to its field is in sight already.
    error_summary_min_fields = 3

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def get_context(self) -> dict[str, Any]:
        context = super().get_context()
        context["DSFR_MARK_OPTIONAL_FIELDS"] = True
        context["error_summary"] = self.error_summary()
        return context

    def error_summary(self) -> dict[str, Any] | None:
        """The items of the error summary (non-field errors first, unlinked), or None."""
        if not self.errors or len(self.visible_fields()) < self.error_summary_min_fields:
            return None
        items: list[dict[str, Any]] = [
            {"anchor": None, "label": None, "message": message}
            for message in self.non_field_errors()
        ]
        for field in self.visible_fields():
            items += [
                {"anchor": field.id_for_label, "label": field.label, "message": message}
                for message in field.errors
            ]
        prefix = f"{self.prefix}-" if self.prefix else ""
        return {"id": f"erreurs-{prefix}formulaire", "items": items}


class DsfrForm(DsfrMixin, forms.Form):
    pass


class DsfrModelForm(DsfrMixin, forms.ModelForm):
    pass


class LoginForm(DsfrMixin, AuthenticationForm):
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

    def __init__(self, request: HttpRequest | None = None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.retry_after: int | None = None

    def clean(self) -> dict:
        """The login policy of every door (core.login_policy): refused while a lock holds, and
        unknown emails are counted and locked like known ones."""
        if self.request is None:
            raise ValueError("La politique de connexion a besoin de la requête (son adresse).")
        email = login_policy.normalized_email(self.cleaned_data.get("username"))
        password = self.cleaned_data.get("password")
        if not email or password is None:
            return self.cleaned_data  # the fields' own errors are shown
        self.cleaned_data["username"] = email
        try:
            # authenticate() runs the password hasher even for an unknown email (Django's
            # ModelBackend hashes a dummy password), so the answer takes the same time.
            self.user_cache = login_policy.authenticate_or_refuse(self.request, email, password)
        except login_policy.LoginLocked as locked:
            self.retry_after = locked.lock.retry_after()
            raise ValidationError(locked.lock.message, code="throttled") from locked
        if self.user_cache is None:
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class PasswordRequestForm(DsfrMixin, PasswordResetForm):
    email = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class NewPasswordForm(DsfrMixin, SetPasswordForm):
    pass


class StructureForm(DsfrModelForm):
    """The structure page's form: the contact fields for whoever may update the structure, the
    identity fields and a reason for ANCT. Identity fields posted by anyone else are refused by
    name, not silently ignored."""

    motif = forms.CharField(
        label="Motif du changement d'identité",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire si vous changez un champ d'identité.",
    )

    class Meta:
        model = Structure
        fields = [*Structure.IDENTITY_FIELDS, *Structure.CONTACT_FIELDS]
        field_classes = {"commune": CommuneField}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.may_change_identity = self.instance.get_abilities(user)["change_identity"]
        self.identity_changes: dict[str, Any] = {}
        self.contact: dict[str, Any] = {}
        if not self.may_change_identity:
            for field in (*Structure.IDENTITY_FIELDS, "motif"):
                del self.fields[field]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.may_change_identity:
            self._refuse_posted_identity_fields()
        # Before ModelForm copies the values onto the instance: compared with the stored ones.
        self.identity_changes = identity_changes(self.instance, cleaned)
        self.contact = {f: cleaned[f] for f in Structure.CONTACT_FIELDS if f in cleaned}
        if self.identity_changes and not cleaned.get("motif", "").strip():
            self.add_error("motif", "Indiquez le motif du changement d'identité.")
        return cleaned

    def _refuse_posted_identity_fields(self) -> None:
        posted = {}
        formfields = fields_for_model(Structure, fields=Structure.IDENTITY_FIELDS)
        for field, formfield in formfields.items():
            if field in self.data:
                try:
                    posted[field] = formfield.clean(self.data[field])
                except ValidationError:
                    posted[field] = self.data[field]
        refused = sorted(identity_changes(self.instance, posted))
        if refused:
            raise ValidationError(identity_refusal_message(refused), code="identity")


class StructureCreateForm(DsfrModelForm):
    """ANCT creates a structure; the service checks the SIRET and refuses a duplicate."""

    class Meta:
        model = Structure
        fields = [*Structure.IDENTITY_FIELDS, *Structure.CONTACT_FIELDS]
        field_classes = {"commune": CommuneField}

    def validate_unique(self) -> None:
        # The service refuses a duplicate SIRET naming the existing structure, with its link.
        pass


class AccountCreateForm(DsfrForm):
    # User.email's column: a longer address is refused in French, not by the database.
    email = forms.EmailField(label="Adresse électronique", max_length=254)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    role = forms.ChoiceField(
        label="Rôle",
        choices=[(role.value, role.label) for role in ACCOUNT_ROLES],
        widget=forms.RadioSelect,
    )
    structure = forms.ModelChoiceField(
        label="Structure (gestionnaire)",
        queryset=Structure.objects.order_by("name"),
        required=False,
        help_text="Pour un gestionnaire : la structure qu'il gère.",
    )
    departement = forms.ModelChoiceField(
        label="Département (préfecture)",
        queryset=Departement.objects.order_by("code"),
        required=False,
        help_text="Pour un agent de préfecture : son département, ou bien sa région.",
    )
    region = forms.ModelChoiceField(
        label="Région (préfecture de région)",
        queryset=Region.objects.order_by("name"),
        required=False,
    )


class InviteForm(DsfrForm):
    email = forms.EmailField(label="Adresse électronique de votre collègue", max_length=254)
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
