"""The référent's pages: the organisation's aidants (its team: deactivate, reactivate, remove),
its habilitation requests and the démarches its aidants may put in new mandates."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.confirm import render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.models import Role, User
from mandats import cards, confirmations, selectors, services
from mandats.abilities import PROGRAMME, OrganisationAbilities
from mandats.forms import AllowedDemarchesForm, CarteAssociationForm, HabilitationRequestForm
from mandats.models import HabilitatedOrganisation
from mandats.request_limits import Limited
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


_TEAM_SERVICES = {
    "desactiver": (services.aidant_deactivate, "Le compte de {who} est désactivé."),
    "reactiver": (services.aidant_reactivate, "Le compte de {who} est réactivé."),
    "retirer": (services.aidant_remove_from_organisation, "{who} est retiré de l'organisation."),
}


@login_required
def referent_team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    context = {
        "title": f"Équipe – {habilitation.structure}",
        "organisation": habilitation.structure,
        "aidants": selectors.organisation_aidants(habilitation.structure),
    }
    return render(request, "mandats/referent_team.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def referent_aidant_action(
    request: AuthenticatedHttpRequest, pk: int, aidant_pk: int, action: str
) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    if action not in _TEAM_SERVICES:
        raise Http404("Action inconnue.")
    organisation = habilitation.structure
    aidant = get_object_or_404(
        User, pk=aidant_pk, memberships__structure=organisation, memberships__role=Role.AIDANT
    )
    form = DsfrForm(posted(request))
    if request.method == "POST" and form.is_valid():
        service, done = _TEAM_SERVICES[action]
        try:
            service(aidant=aidant, organisation=organisation, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, done.format(who=aidant.get_full_name() or aidant.email))
            return redirect("mandats:referent-team", pk=pk)
    return render_confirmation(
        request,
        confirmation=confirmations.team_confirmation(action, aidant, organisation),
        form=form,
        subject=aidant.get_full_name() or aidant.email,
        back_url=reverse("mandats:referent-team", args=[pk]),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def carte_associate(request: AuthenticatedHttpRequest, pk: int, aidant_pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    organisation = habilitation.structure
    aidant = get_object_or_404(
        User, pk=aidant_pk, memberships__structure=organisation, memberships__role=Role.AIDANT
    )
    form = CarteAssociationForm(posted(request))
    limited: Limited | None = None
    if request.method == "POST" and form.is_valid():
        try:
            carte = cards.carte_associate(
                aidant=aidant, organisation=organisation, by=request.user, **form.cleaned_data
            )
        except Limited as exc:
            limited = exc
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            who = aidant.get_full_name() or aidant.email
            messages.success(request, f"La carte {carte.serial_number} est associée à {who}.")
            return redirect("mandats:referent-team", pk=pk)
    context = {
        "title": f"{'Erreur : ' if form.errors else ''}Associer une carte TOTP",
        "organisation": organisation,
        "aidant": aidant,
        "form": form,
    }
    status = 429 if limited else 400 if form.errors else 200
    response = render(request, "mandats/carte_associate.html", context, status=status)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response
