"""Pages of the aidants and référents (under /aidants-connect/). Reads go through selectors, writes
through services; a mandate of another organisation is never found (404)."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Role, Structure
from mandats import otp, selectors, services
from mandats.forms import (
    AllowedDemarchesForm,
    HabilitationRefuseForm,
    HabilitationRequestForm,
    MandatRenewForm,
    MandatScopeForm,
    OrganisationSwitchForm,
    TOTPCodeForm,
    UsagerSearchForm,
)
from mandats.middleware import otp_exempt
from mandats.models import (
    Autorisation,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationStatus,
    Mandat,
    MandatDuration,
    Usager,
)

USAGERS_PER_PAGE = 20
WIZARD_SESSION_KEY = "mandats_nouveau_mandat"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: a POST with every checkbox unticked must still be validated.
    return request.POST if request.method == "POST" else None


def _current_organisation(request: HttpRequest) -> Structure:
    organisation = selectors.current_organisation(request.user)
    if organisation is None:
        raise PermissionDenied("Vous n'êtes aidant d'aucune organisation habilitée.")
    return organisation


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Second factor ----------------------------------------------------------------------------


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    if otp.confirmed_device(request.user) is not None:
        return redirect("mandats:totp-verify")
    device = otp.pending_device(request.user)
    form = TOTPCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.confirm_enrolment(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, "Votre application d'authentification est activée.")
            return HttpResponseRedirect(_next_url(request, reverse("mandats:index")))
    context = {
        "title": "Activer la double authentification",
        "form": form,
        "qr_svg": otp.qr_code_svg(device),
        "secret": _grouped_base32(device),
        "next": _next_url(request, ""),
    }
    return render(request, "mandats/totp_setup.html", context)


def _grouped_base32(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request: HttpRequest) -> HttpResponse:
    device = otp.confirmed_device(request.user)
    if device is None:
        query = urlencode({"next": _next_url(request, "")})
        return redirect(f"{reverse('mandats:totp-setup')}?{query}")
    form = TOTPCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.verify_login(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return HttpResponseRedirect(_next_url(request, reverse("mandats:index")))
    context = {"title": "Saisir votre code", "form": form, "next": _next_url(request, "")}
    return render(request, "mandats/totp_verify.html", context)


# --- Aidant's pages ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("mandats:usager-list")


@login_required
def usager_list(request: HttpRequest) -> HttpResponse:
    organisation = _current_organisation(request)
    search = UsagerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    usagers = selectors.usagers_with_active_mandats(organisation=organisation, search=query)
    page = Paginator(usagers, USAGERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Mes usagers",
        "organisation": organisation,
        "search": search,
        "query": query,
        "page": page,
    }
    return render(request, "mandats/usager_list.html", context)


@login_required
def usager_detail(request: HttpRequest, pk: int) -> HttpResponse:
    usager = get_object_or_404(Usager.objects.visible_to(request.user), pk=pk)
    mandats = list(selectors.usager_mandats(usager=usager, user=request.user))
    for mandat in mandats:
        mandat.abilities = mandat.get_abilities(request.user)
    context = {"title": usager.full_name, "usager": usager, "mandats": mandats}
    return render(request, "mandats/usager_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def autorisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    autorisation = get_object_or_404(
        Autorisation.objects.visible_to(request.user).select_related(
            "mandat__usager", "mandat__organisation"
        ),
        pk=pk,
    )
    back = reverse("mandats:usager-detail", args=[autorisation.mandat.usager_id])
    if request.method == "POST":
        try:
            services.autorisation_revoke(autorisation=autorisation, by=request.user)
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request, f"L'autorisation « {autorisation.get_demarche_display()} » est révoquée."
            )
        return redirect(back)
    context = {"title": "Révoquer une autorisation", "autorisation": autorisation, "back": back}
    return render(request, "mandats/autorisation_revoke.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandat_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.visible_to(request.user).select_related("usager", "organisation"), pk=pk
    )
    back = reverse("mandats:usager-detail", args=[mandat.usager_id])
    if request.method == "POST":
        try:
            services.mandat_revoke(mandat=mandat, by=request.user)
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, f"Le {mandat} est révoqué.")
        return redirect(back)
    context = {"title": "Révoquer un mandat", "mandat": mandat, "back": back}
    return render(request, "mandats/mandat_revoke.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandat_renew(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.visible_to(request.user).select_related("usager", "organisation"), pk=pk
    )
    if not mandat.get_abilities(request.user)["renew"]:
        raise PermissionDenied("Seul un aidant de l'organisation peut renouveler ce mandat.")
    habilitation = get_object_or_404(HabilitatedOrganisation, structure=mandat.organisation)
    initial = {
        "demarches": [a.demarche for a in mandat.autorisations.all()],
        "duration": mandat.duration,
    }
    form = MandatRenewForm(
        _posted(request), initial=initial, allowed_demarches=habilitation.allowed_demarches
    )
    if request.method == "POST" and form.is_valid():
        renewed = _renew(request, form, mandat)
        if renewed is not None:
            messages.success(request, f"Le mandat est renouvelé ({renewed}).")
            return redirect("mandats:usager-detail", pk=mandat.usager_id)
    context = {"title": "Renouveler un mandat", "mandat": mandat, "form": form}
    return render(request, "mandats/mandat_renew.html", context)


def _renew(request: HttpRequest, form: MandatRenewForm, mandat: Mandat) -> Mandat | None:
    try:
        otp.require_fresh_totp(request, form.cleaned_data["code"])
    except ValidationError as exc:
        form.add_error("code", exc)
        return None
    try:
        return services.mandat_renew(
            mandat=mandat,
            demarches=form.cleaned_data["demarches"],
            duration=form.cleaned_data["duration"],
            by=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def organisation_switch(request: HttpRequest) -> HttpResponse:
    organisations = selectors.aidant_organisations(request.user)
    current = selectors.current_organisation(request.user)
    form = OrganisationSwitchForm(
        _posted(request), organisations=organisations, initial={"organisation": current}
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        services.aidant_switch_organisation(organisation=organisation, by=request.user)
        messages.success(request, f"Vous travaillez maintenant pour {organisation}.")
        return redirect("mandats:usager-list")
    context = {"title": "Changer d'organisation", "form": form, "current": current}
    return render(request, "mandats/organisation_switch.html", context)


# --- New mandate wizard -----------------------------------------------------------------------


def _habilitation_for_new_mandat(request: HttpRequest) -> HabilitatedOrganisation:
    organisation = _current_organisation(request)
    if not request.user.scope.has_structure_role(organisation.pk, Role.AIDANT):
        raise PermissionDenied("Seul un aidant habilité peut signer un mandat.")
    habilitation = selectors.habilitation_of(organisation)
    if habilitation is None:
        raise PermissionDenied("Votre organisation n'est pas habilitée Aidants Connect.")
    return habilitation


@login_required
@require_http_methods(["GET", "POST"])
def mandat_new(request: HttpRequest) -> HttpResponse:
    """Step 1: démarches and duration, kept in the session until the usager logs in."""
    habilitation = _habilitation_for_new_mandat(request)
    previous = request.session.get(WIZARD_SESSION_KEY) or {}
    initial = previous if previous.get("organisation_id") == habilitation.pk else {}
    form = MandatScopeForm(
        _posted(request), initial=initial, allowed_demarches=habilitation.allowed_demarches
    )
    if request.method == "POST" and form.is_valid():
        request.session[WIZARD_SESSION_KEY] = {
            "organisation_id": habilitation.pk,
            "demarches": sorted(form.cleaned_data["demarches"]),
            "duration": form.cleaned_data["duration"],
        }
        return redirect("mandats:mandat-new-franceconnect")
    context = {"title": "Nouveau mandat", "form": form, "organisation": habilitation.structure}
    return render(request, "mandats/mandat_new.html", context)


@login_required
def mandat_new_franceconnect(request: HttpRequest) -> HttpResponse:
    """Step 2: recap of step 1 before the usager logs in with FranceConnect."""
    habilitation = _habilitation_for_new_mandat(request)
    choice = request.session.get(WIZARD_SESSION_KEY) or {}
    if choice.get("organisation_id") != habilitation.pk:
        return redirect("mandats:mandat-new")
    allowed = dict(habilitation.allowed_demarche_choices)
    context = {
        "title": "Nouveau mandat : connexion de l'usager",
        "organisation": habilitation.structure,
        "demarches": [allowed[c] for c in choice["demarches"] if c in allowed],
        "duration": MandatDuration(choice["duration"]).label,
    }
    return render(request, "mandats/mandat_new_franceconnect.html", context)


# --- Référent ---------------------------------------------------------------------------------


def _referent_organisation(request: HttpRequest, pk: int) -> HabilitatedOrganisation:
    if not request.user.scope.has_structure_role(pk, Role.REFERENT):
        raise PermissionDenied("Cet espace est réservé au référent de l'organisation.")
    return get_object_or_404(HabilitatedOrganisation.objects.select_related("structure"), pk=pk)


@login_required
def referent_index(request: HttpRequest) -> HttpResponse:
    referent_of = request.user.scope.structure_ids(Role.REFERENT)
    if not referent_of:
        raise PermissionDenied("Cet espace est réservé aux référents Aidants Connect.")
    current = selectors.current_organisation(request.user)
    pk = current.pk if current and current.pk in referent_of else min(referent_of)
    return redirect("mandats:referent-organisation", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def referent_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = AllowedDemarchesForm(
        _posted(request), initial={"demarches": habilitation.allowed_demarches}
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_update_demarches(
            organisation=habilitation, demarches=form.cleaned_data["demarches"], by=request.user
        )
        messages.success(request, "Les démarches autorisées sont enregistrées.")
        return redirect("mandats:referent-organisation", pk=pk)
    context = {
        "title": f"Espace référent – {habilitation.structure}",
        "organisation": habilitation.structure,
        "aidants": selectors.organisation_aidants(habilitation.structure),
        "habilitation_requests": selectors.organisation_habilitation_requests(
            habilitation.structure
        ),
        "demarches_form": form,
    }
    return render(request, "mandats/referent_organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def habilitation_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = HabilitationRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.habilitation_request_submit(
                organisation=habilitation, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La demande d'habilitation est transmise à l'ANCT.")
            return redirect("mandats:referent-organisation", pk=pk)
    context = {
        "title": "Demander l'habilitation d'un aidant",
        "organisation": habilitation.structure,
        "form": form,
    }
    return render(request, "mandats/habilitation_request_new.html", context)


# --- ANCT -------------------------------------------------------------------------------------


def _require_anct(request: HttpRequest) -> None:
    if not request.user.is_anct:
        raise PermissionDenied("Cette page est réservée aux agents de l'ANCT.")


@login_required
def habilitation_decisions(request: HttpRequest) -> HttpResponse:
    _require_anct(request)
    page = Paginator(selectors.pending_habilitation_requests(), 50).get_page(
        request.GET.get("page")
    )
    context = {"title": "Demandes d'habilitation à décider", "page": page}
    return render(request, "mandats/habilitation_decisions.html", context)


@login_required
@require_POST
def habilitation_validate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_anct(request)
    habilitation_request = get_object_or_404(HabilitationRequest, pk=pk)
    try:
        services.habilitation_request_validate(
            habilitation_request=habilitation_request, by=request.user
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"L'habilitation de {habilitation_request.email} est validée.")
    return redirect("mandats:habilitation-decisions")


@login_required
@require_http_methods(["GET", "POST"])
def habilitation_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    _require_anct(request)
    habilitation_request = get_object_or_404(
        HabilitationRequest, pk=pk, status=HabilitationStatus.SUBMITTED
    )
    form = HabilitationRefuseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.habilitation_request_refuse(
                habilitation_request=habilitation_request,
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La demande est refusée.")
            return redirect("mandats:habilitation-decisions")
    context = {
        "title": "Refuser une demande d'habilitation",
        "habilitation_request": habilitation_request,
        "form": form,
    }
    return render(request, "mandats/habilitation_refuse.html", context)
