"""The aidant's pages: the usagers of the current organisation, their mandates (revocation,
renewal), and the choice of the organisation to work for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.confirm import render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.listing import keyset_page_of
from mandats import confirmations, otp, selectors, services
from mandats.forms import MandatRenewForm, OrganisationSwitchForm, UsagerSearchForm
from mandats.models import Autorisation, HabilitatedOrganisation, Mandat, Usager
from mandats.views.common import current_organisation, posted, show_refusal

USAGERS_PER_PAGE = 20


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    return redirect("mandats:usager-list")


@login_required
def usager_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    organisation = current_organisation(request.user)
    search = UsagerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    usagers = selectors.usagers_with_active_mandats(organisation=organisation, search=query)
    page = keyset_page_of(request, usagers, USAGERS_PER_PAGE)
    context = {
        "title": "Mes usagers",
        "organisation": organisation,
        "search": search,
        "query": query,
        "page": page,
    }
    return render(request, "mandats/usager_list.html", context)


@login_required
def usager_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    usager = get_object_or_404(Usager.objects.visible_to(request.user), pk=pk)
    mandats = selectors.usager_mandats(usager=usager, user=request.user)
    # Each mandate with what the person may do with it: the page offers only that.
    rows = [(mandat, mandat.get_abilities(request.user)) for mandat in mandats]
    context = {"title": usager.full_name, "usager": usager, "mandats": rows}
    return render(request, "mandats/usager_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def autorisation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
            show_refusal(request, exc)
        else:
            messages.success(
                request, f"L'autorisation « {autorisation.get_demarche_display()} » est révoquée."
            )
        return redirect(back)
    return render_confirmation(
        request,
        confirmation=confirmations.autorisation_revocation(autorisation, by_usager=False),
        form=DsfrForm(),
        subject=f"{autorisation.mandat} de {autorisation.mandat.usager.full_name}",
        back_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandat_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.visible_to(request.user).select_related("usager", "organisation"), pk=pk
    )
    back = reverse("mandats:usager-detail", args=[mandat.usager_id])
    if request.method == "POST":
        try:
            services.mandat_revoke(mandat=mandat, by=request.user)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(request, f"Le {mandat} est révoqué.")
        return redirect(back)
    return render_confirmation(
        request,
        confirmation=confirmations.mandat_revocation(mandat, by_usager=False),
        form=DsfrForm(),
        subject=f"{mandat} de {mandat.usager.full_name}, {mandat.organisation.name}",
        back_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandat_renew(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
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
        posted(request), initial=initial, allowed_demarches=habilitation.allowed_demarches
    )
    if request.method == "POST" and form.is_valid():
        renewed = _renew(request, form, mandat)
        if renewed is not None:
            # The new mandate has a new attestation, to print and sign like the first one.
            messages.success(
                request,
                f"Le mandat est renouvelé : voici l'attestation du {renewed}, à imprimer et à "
                "signer avec l'usager.",
            )
            return redirect("mandats:attestation", pk=renewed.pk)
    context = {"title": "Renouveler un mandat", "mandat": mandat, "form": form}
    return render(request, "mandats/mandat_renew.html", context)


def _renew(
    request: AuthenticatedHttpRequest, form: MandatRenewForm, mandat: Mandat
) -> Mandat | None:
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
def organisation_switch(request: AuthenticatedHttpRequest) -> HttpResponse:
    # The form offers only the organisations the person works in: any other is a form error.
    organisations = selectors.aidant_organisations(request.user)
    current = selectors.current_organisation(request.user)
    form = OrganisationSwitchForm(
        posted(request), organisations=organisations, initial={"organisation": current}
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        services.aidant_switch_organisation(organisation=organisation, by=request.user)
        messages.success(request, f"Vous travaillez maintenant pour {organisation}.")
        return redirect("mandats:usager-list")
    context = {"title": "Changer d'organisation", "form": form, "current": current}
    return render(request, "mandats/organisation_switch.html", context)
