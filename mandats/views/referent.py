"""The référent's pages: the organisation's aidants, its habilitation requests and the démarches
its aidants may put in new mandates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.http import AuthenticatedHttpRequest
from mandats import selectors, services
from mandats.abilities import PROGRAMME, OrganisationAbilities
from mandats.forms import AllowedDemarchesForm, HabilitationRequestForm
from mandats.models import HabilitatedOrganisation
from mandats.views.common import posted


def _referent_organisation(request: AuthenticatedHttpRequest, pk: int) -> HabilitatedOrganisation:
    # Refused before the lookup: the page tells nobody which organisations exist.
    if not OrganisationAbilities(pk).get_abilities(request.user)["open_referent_space"]:
        raise PermissionDenied("Cet espace est réservé au référent de l'organisation.")
    return get_object_or_404(HabilitatedOrganisation.objects.select_related("structure"), pk=pk)


@login_required
def referent_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not PROGRAMME.get_abilities(request.user)["open_referent_space"]:
        raise PermissionDenied("Cet espace est réservé aux référents Aidants Connect.")
    referent_of = selectors.referent_organisation_ids(request.user)
    current = selectors.current_organisation(request.user)
    pk = current.pk if current and current.pk in referent_of else min(referent_of)
    return redirect("mandats:referent-organisation", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def referent_organisation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = AllowedDemarchesForm(
        posted(request), initial={"demarches": habilitation.allowed_demarches}
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
def habilitation_request_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = HabilitationRequestForm(posted(request))
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
