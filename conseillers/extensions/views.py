"""DSFR pages of the contract extensions: the manager asks from the match page and may cancel;
ANCT lists the requests and validates or refuses them. Each write goes through a service; each
button shown is one the person's abilities allow (the same `get_abilities` the API reads)."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from conseillers.extensions import selectors, services
from conseillers.extensions.forms import ExtensionRequestForm, RefusalForm
from conseillers.extensions.models import (
    ContractExtension,
    ExtensionState,
    MatchExtensionAbilities,
)
from conseillers.forms import add_service_errors
from conseillers.models import Match
from core.confirm import ConfirmableAction, Confirmation, modal_form, render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.listing import ListFilters, page_of


class ExtensionAct(NamedTuple):
    ability: str  # key of `ContractExtension.get_abilities`
    form_class: type[forms.BaseForm]
    service: Callable[..., ContractExtension]
    confirmation: Confirmation
    done: str


ACTS = {
    "valider": ExtensionAct(
        "validate",
        DsfrForm,  # no field: the service takes no motive
        lambda e, by, data: services.extension_validate(extension=e, by=by),
        Confirmation(
            "Valider la prolongation",
            "Le contrat prendra fin à la nouvelle date : le poste reste occupé jusque-là et la "
            "subvention du poste suit cette date. La structure et le conseiller en sont informés.",
            primary=True,
        ),
        "La prolongation est validée : le contrat prend fin à la nouvelle date.",
    ),
    "refuser": ExtensionAct(
        "refuse",
        RefusalForm,
        lambda e, by, data: services.extension_refuse(extension=e, by=by, **data),
        Confirmation(
            "Refuser la prolongation",
            "Le contrat gardera sa date de fin actuelle ; la structure est informée de votre "
            "motif et pourra déposer une nouvelle demande avant cette date.",
        ),
        "La prolongation est refusée.",
    ),
    "annuler": ExtensionAct(
        "cancel",
        DsfrForm,
        lambda e, by, data: services.extension_cancel(extension=e, by=by),
        Confirmation(
            "Annuler la demande",
            "La demande sera retirée avant la décision de l'ANCT : le contrat gardera sa date de "
            "fin actuelle.",
        ),
        "La demande de prolongation est annulée.",
    ),
}


def _run(form: forms.BaseForm, call: Callable[[dict], object]) -> bool:
    """Calls the service when the form is valid; its refusals land in the form."""
    if not form.is_valid():
        return False
    try:
        call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    else:
        return True
    return False


@login_required
def extension_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ListFilters(
        request.GET,
        search_hint="Nom du conseiller ou de la structure",
        states=ExtensionState.choices,
    )
    extensions = filters.apply(
        selectors.extensions_for(request.user),
        departement="contract__match__structure__departement",
        search=(
            "contract__match__candidat__first_name",
            "contract__match__candidat__last_name",
            "contract__match__structure__name",
        ),
    )
    return render(
        request,
        "conseillers/extensions/list.html",
        {
            "title": "Prolongations de contrat",
            "filters": filters,
            "page": page_of(request, extensions),
        },
    )


def _visible(request: AuthenticatedHttpRequest, pk: int) -> ContractExtension:
    return get_object_or_404(
        ContractExtension.objects.visible_to(request.user).select_related(*selectors.RELATED),
        pk=pk,
    )


@login_required
def extension_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    extension = _visible(request, pk)
    abilities = extension.get_abilities(request.user)
    url = "conseillers:extension-action"
    confirmables = [
        ConfirmableAction(
            slug,
            act.confirmation,
            reverse(url, args=[extension.pk, slug]),
            modal_form(act.form_class, slug),
        )
        for slug, act in ACTS.items()
        if abilities[act.ability]
    ]
    return render(
        request,
        "conseillers/extensions/detail.html",
        {
            "title": f"Prolongation du contrat de {extension.contract.match.candidat}",
            "extension": extension,
            "match": extension.contract.match,
            "transitions": extension.transitions.select_related("by"),
            "confirmables": confirmables,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST runs the action; GET is its confirmation page (without JavaScript)."""
    extension = _visible(request, pk)
    act = ACTS.get(action)
    if act is None:
        raise Http404("Action inconnue.")
    if request.method == "GET":
        if not extension.get_abilities(request.user)[act.ability]:
            raise PermissionDenied("Cette action n'est pas possible sur cette demande.")
        return _confirm(request, extension, act, act.form_class())
    form = act.form_class(request.POST)
    if _run(form, lambda data: act.service(extension, request.user, data)):
        messages.success(request, act.done)
        return redirect("conseillers:extension-detail", extension.pk)
    return _confirm(request, extension, act, form, status=400)


def _confirm(request, extension, act, form, status: int = 200) -> HttpResponse:
    return render_confirmation(
        request,
        confirmation=act.confirmation,
        form=form,
        subject=f"contrat de {extension.contract.match.candidat}",
        back_url=reverse("conseillers:extension-detail", args=[extension.pk]),
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_request(request: AuthenticatedHttpRequest, match_pk: int) -> HttpResponse:
    """The manager asks for a later end date, from the match's page."""
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("structure", "candidat", "contract"),
        pk=match_pk,
    )
    abilities = MatchExtensionAbilities(match, timezone.localdate())
    if not abilities.get_abilities(request.user)["request_extension"]:
        raise PermissionDenied(abilities.refusal_for(request.user))
    form = ExtensionRequestForm(request.POST or None)
    if request.method == "POST" and _run(
        form,
        lambda data: services.extension_request(match=match, by=request.user, **data),
    ):
        messages.success(request, "La demande de prolongation est transmise à l'ANCT.")
        return redirect("conseillers:match-detail", match.pk)
    return render(
        request,
        "conseillers/extensions/request.html",
        {
            "title": f"Demander la prolongation du contrat de {match.candidat}",
            "match": match,
            "contract": match.contract,
            "form": form,
        },
        status=400 if form.errors else 200,
    )
