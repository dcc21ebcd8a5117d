from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core import health
from core.forms import LoginForm, NewPasswordForm, PasswordRequestForm
from core.home import role_sections
from core.http import AuthenticatedHttpRequest
from core.models import Departement, Region, Structure


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
            response.status_code = 429
            response["Retry-After"] = str(form.retry_after)
        return response


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


class PasswordSentView(auth_views.PasswordResetDoneView):
    template_name = "core/password_sent.html"
    extra_context = {"title": "Courriel envoyé"}


class PasswordSetView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "core/password_set.html"
    success_url = reverse_lazy("core:password-done")
    extra_context = {"title": "Nouveau mot de passe"}


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
    page = Paginator(structures, 25).get_page(request.GET.get("page"))
    return render(request, "core/structure_list.html", {"title": "Structures", "page": page})


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
def departement_list(request: HttpRequest) -> HttpResponse:
    regions = Region.objects.prefetch_related("departements").order_by("code")
    total = sum(Departement.objects.values_list("population", flat=True))
    return render(
        request,
        "core/departement_list.html",
        {"title": "Territoires", "regions": regions, "total_population": total},
    )


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
