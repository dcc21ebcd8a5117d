from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core import health, login_policy
from core.abilities import ADMINISTRATION
from core.api import guide
from core.forms import (
    AccountCreateForm,
    InviteForm,
    LoginForm,
    NewPasswordForm,
    PasswordRequestForm,
    StructureCreateForm,
    StructureForm,
)
from core.home import role_sections
from core.http import AuthenticatedHttpRequest
from core.listing import ListFilters, page_of
from core.models import ApiToken, Commune, Departement, Region, Structure
from core.services import (
    account_create,
    api_token_revoke,
    structure_change_identity,
    structure_create,
    structure_invite_manager,
    structure_update_contact,
)
from core.validators import compact_identifier


def home(request: HttpRequest) -> HttpResponse:
    sections = role_sections(request.user) if request.user.is_authenticated else []
    return render(request, "core/home.html", {"title": "Accueil", "sections": sections})


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": "Connexion"}

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        if isinstance(form, LoginForm) and form.retry_after is not None:
            _mark_locked(response, form.retry_after)
        return response


def _mark_locked(response: HttpResponse, retry_after: int) -> None:
    response.status_code = 429
    response["Retry-After"] = str(retry_after)


class LogoutView(auth_views.LogoutView):
    pass


# Setting a password (first access of an aidant whose habilitation was validated) and resetting
# a forgotten one are the same flow: a signed, single-use link sent by email. The request page
# answers the same whether the address has an account or not.
class PasswordRequestView(auth_views.PasswordResetView):
    form_class = PasswordRequestForm
    template_name = "core/password_request.html"
    email_template_name = "core/emails/password_link.txt"
    subject_template_name = "core/emails/password_link_subject.txt"
    success_url = reverse_lazy("core:password-sent")
    extra_context = {"title": "Choisir un mot de passe"}

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        """The login policy's door too: a locked address or (email, address) pair is refused
        the same way, and each request counts. The account-wide lock does not apply here: the
        reset is how the owner gets back in (see PasswordSetView)."""
        email = login_policy.normalized_email(form.cleaned_data["email"])
        lock = login_policy.current_lock(self.request, email, account=False)
        if lock is not None:
            form.add_error(None, lock.message)
            response = self.form_invalid(form)
            _mark_locked(response, lock.retry_after())
            return response
        login_policy.record_password_reset_request(self.request, email)
        return super().form_valid(form)


class PasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "core/password_sent.html"
    extra_context = {"title": "Courriel envoyé"}


class PasswordSetView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "core/password_set.html"
    success_url = reverse_lazy("core:password-done")
    extra_context = {"title": "Nouveau mot de passe"}

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        # Only the mailbox's owner gets here: whatever others tried against the account is
        # forgotten, which lifts an account-wide lock.
        login_policy.forget_failures(login_policy.normalized_email(form.user.email))
        return response


class PasswordDoneView(auth_views.PasswordResetCompleteView):
    template_name = "core/password_done.html"
    extra_context = {"title": "Mot de passe enregistré"}


@login_required
def structure_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    structures = (
        Structure.objects.visible_to(request.user)
        .select_related("departement")
        .order_by("departement_id", "name")
    )
    filters = ListFilters(request.GET, search_hint="Nom ou SIRET")
    found = filters.apply(structures, departement="departement", search=("name", "siret"))
    context = {
        "title": "Structures",
        "page": page_of(request, found),
        "filters": filters,
        "may_create": ADMINISTRATION.get_abilities(request.user)["structure_create"],
    }
    return render(request, "core/structure_list.html", context)


@login_required
def structure_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # A structure out of the person's scope answers 404, so its existence is not revealed.
    structure = get_object_or_404(
        Structure.objects.visible_to(request.user).select_related("departement__region"), pk=pk
    )
    members = structure.memberships.select_related("user").order_by("role", "user__last_name")
    return render(
        request,
        "core/structure_detail.html",
        {
            "title": structure.name,
            "structure": structure,
            "abilities": structure.get_abilities(request.user),
            "members": members,
        },
    )


@login_required
def structure_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=pk)
    if not structure.get_abilities(request.user)["update"]:
        raise PermissionDenied("Vous ne pouvez pas modifier cette structure.")
    form = StructureForm(request.POST or None, instance=structure, user=request.user)
    if request.method == "POST" and form.is_valid():
        _save_structure(form, pk, request)
        messages.success(request, "La structure est mise à jour.")
        return redirect("core:structure-detail", pk=pk)
    return render(
        request,
        "core/structure_form.html",
        {"title": f"Modifier {structure.name}", "structure": structure, "form": form},
    )


def _save_structure(form: StructureForm, pk: int, request: AuthenticatedHttpRequest) -> None:
    # The form copied its values onto its instance: the services start from the stored row.
    stored = Structure.objects.get(pk=pk)
    with transaction.atomic():
        if form.identity_changes:
            structure_change_identity(
                structure=stored,
                by=request.user,
                reason=form.cleaned_data["motif"],
                **form.identity_changes,
            )
        structure_update_contact(structure=stored, by=request.user, **form.contact)


@login_required
def structure_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not ADMINISTRATION.get_abilities(request.user)["structure_create"]:
        raise PermissionDenied(ADMINISTRATION.refusal)
    form = StructureCreateForm(request.POST or None)
    existing = None
    if request.method == "POST" and form.is_valid():
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            structure = structure_create(by=request.user, **fields)
        except ValidationError as error:
            _form_errors(form, error)
            existing = Structure.objects.filter(siret=compact_identifier(fields["siret"])).first()
        else:
            messages.success(request, f"La structure {structure.name} est créée.")
            return redirect("core:structure-detail", pk=structure.pk)
    status = 400 if form.errors else 200
    context = {"title": "Nouvelle structure", "form": form, "existing": existing}
    return render(request, "core/structure_create.html", context, status=status)


@login_required
def account_create_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not ADMINISTRATION.get_abilities(request.user)["account_create"]:
        raise PermissionDenied(ADMINISTRATION.refusal)
    form = AccountCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = account_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request,
                f"Le compte de {user.email} est créé : un lien pour choisir son mot de passe lui "
                "est envoyé.",
            )
            return redirect("core:account-create")
    status = 400 if form.errors else 200
    context = {"title": "Nouveau compte", "form": form}
    return render(request, "core/account_create.html", context, status=status)


@login_required
def structure_invite_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=pk)
    if not structure.get_abilities(request.user)["invite_manager"]:
        raise PermissionDenied("Seuls les gestionnaires de la structure et l'ANCT invitent.")
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = structure_invite_manager(
                structure=structure, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(
                request, f"{user.email} gère désormais {structure.name} : un courriel l'en informe."
            )
            return redirect("core:structure-detail", pk=structure.pk)
    status = 400 if form.errors else 200
    context = {"title": "Inviter un collègue", "form": form, "structure": structure}
    return render(request, "core/structure_invite.html", context, status=status)


def _form_errors(form, error: ValidationError) -> None:
    """A service's refusal next to the field it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, found in error.message_dict.items():
            form.add_error(field if field in form.fields else None, found)
    else:
        form.add_error(None, error.messages)


@login_required
def account(request: AuthenticatedHttpRequest) -> HttpResponse:
    tokens = ApiToken.objects.filter(user=request.user).unexpired().order_by("-created")
    return render(request, "core/account.html", {"title": "Mon compte", "tokens": tokens})


@login_required
@require_POST
def api_token_revoke_view(request: AuthenticatedHttpRequest, digest: str) -> HttpResponseRedirect:
    # Only one's own tokens are found here; ANCT revokes others' in the admin.
    token = get_object_or_404(ApiToken, digest=digest, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"Le jeton « {token.name} » est révoqué.")
    return redirect("core:account")


@login_required
def departement_list(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.prefetch_related("departements").order_by("code")
    total = sum(Departement.objects.values_list("population", flat=True))
    return render(
        request,
        "core/departement_list.html",
        {"title": "Territoires", "regions": regions, "total_population": total},
    )


def commune_search(request: HttpRequest) -> HttpResponse:
    """Finding a commune and its INSEE code without script: the fallback of the commune input."""
    query = request.GET.get("q", "").strip()[:60]
    communes = (
        Commune.objects.search(query).select_related("departement")
        if len(query) >= 2
        else Commune.objects.none()
    )
    return render(
        request,
        "core/commune_search.html",
        {
            "title": "Rechercher une commune",
            "query": query,
            "page": Paginator(communes, 20).get_page(request.GET.get("page")),
        },
    )


# The footer's documents: public, the same for everyone, their deployment-specific names in
# settings (legal notice, contacts) and their durations read from the settings that enforce them.


def api_guide(request: HttpRequest) -> HttpResponse:
    """The API workflow guide, rendered from the same data the tests run (core/api/guide.py)."""
    return render(
        request,
        "core/api_guide.html",
        {"title": "Guide de l'API", "guide": guide.load(), "role_labels": guide.ROLE_LABELS},
    )


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/documents/accessibility.html",
        {"title": "Déclaration d'accessibilité", "support_contact": settings.SUPPORT_CONTACT},
    )


def legal_notice(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Mentions légales",
        "publication_director": settings.LEGAL_PUBLICATION_DIRECTOR,
        "hosting": settings.LEGAL_HOSTING,
        "support_contact": settings.SUPPORT_CONTACT,
    }
    return render(request, "core/documents/legal_notice.html", context)


def personal_data(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Données personnelles",
        "dpo_contact": settings.DPO_CONTACT,
        "login_failure_retention_days": settings.LOGIN_FAILURE_RETENTION_DAYS,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "api_token_hours": settings.API_TOKEN_TTL_HOURS,
    }
    return render(request, "core/documents/personal_data.html", context)


def cookies(request: HttpRequest) -> HttpResponse:
    context = {
        "title": "Cookies",
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "csrf_weeks": settings.CSRF_COOKIE_AGE // (7 * 24 * 3600),
        # Messages ("Candidature envoyée") wait in this cookie until the next page shows them.
        "messages_cookie": CookieStorage.cookie_name,
    }
    return render(request, "core/documents/cookies.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"base_de_donnees": health.check_database(), "broker": health.check_broker()}
    ok = all(state for state, _ in checks.values())
    body: dict[str, object] = {
        "statut": "ok" if ok else "dégradé",
        "services": {name: {"ok": state, "message": msg} for name, (state, msg) in checks.items()},
    }
    if not ok:
        body["indisponibles"] = [name for name, (state, _) in checks.items() if not state]
    return JsonResponse(body, status=200 if ok else 503, json_dumps_params={"ensure_ascii": False})
