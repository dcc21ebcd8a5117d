"""DSFR pages of the amendment requests: the manager asks, sees and cancels; the préfecture of the
territory gives its opinion; ANCT accepts or refuses. Every button shown is one the request's
`get_abilities` allows, and every write goes through `conseillers.amendments.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from conseillers import selectors
from conseillers.amendments import services
from conseillers.amendments.abilities import AMENDMENTS
from conseillers.amendments.forms import (
    AmendmentAcceptForm,
    AmendmentOpinionForm,
    AmendmentRequestForm,
)
from conseillers.amendments.models import AmendmentRequest, AmendmentState
from conseillers.forms import ReasonForm, add_service_errors
from core.confirm import ConfirmableAction, Confirmation, modal_form, render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.listing import ListFilters, page_of

REFUSE = Confirmation(
    "Refuser la demande",
    "La demande sera refusée définitivement : la structure en est informée avec votre motif, et "
    "son quota ne change pas.",
)
CANCEL = Confirmation(
    "Annuler la demande",
    "La demande sera retirée définitivement : l'ANCT ne l'examinera pas, et votre structure "
    "pourra en déposer une autre.",
)
# Ability key (also the action's URL slug) → its confirmation, whether it takes a motive, and
# the sentence said once it is done.
ACTS = {
    "refuse": (REFUSE, True, "La demande d'avenant est refusée."),
    "cancel": (CANCEL, False, "Votre demande d'avenant est annulée."),
}


def _visible(request: AuthenticatedHttpRequest):
    return AmendmentRequest.objects.visible_to(request.user).select_related(
        "structure__departement", "requested_by", "decision"
    )


@login_required
def amendment_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    abilities = AMENDMENTS.get_abilities(request.user)
    if not abilities["list"]:
        raise PermissionDenied("Ces pages sont celles des structures, des préfectures, de l'ANCT.")
    filters = ListFilters(
        request.GET, search_hint="Nom de la structure", states=AmendmentState.choices
    )
    amendments = filters.apply(
        _visible(request), departement="structure__departement", search=("structure__name",)
    )
    return render(
        request,
        "conseillers/amendments/list.html",
        {
            "title": "Demandes d'avenant",
            "page": page_of(request, amendments),
            "filters": filters,
            "can_ask": abilities["request_submit"],
        },
    )


@login_required
def amendment_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not AMENDMENTS.get_abilities(request.user)["request_submit"]:
        raise PermissionDenied(AMENDMENTS.refusal)
    structures = selectors.managed_structures(request.user)
    form = AmendmentRequestForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_request_submit(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                "Votre demande d'avenant est déposée : la préfecture peut donner son avis, puis "
                "l'ANCT décidera.",
            )
            return redirect("conseillers:amendment-detail", amendment.pk)
    return render(
        request,
        "conseillers/amendments/form.html",
        {
            "title": "Demander un avenant",
            "form": form,
            "quotas": [(s, selectors.quota_of_structure(s)) for s in structures],
        },
        status=400 if form.errors else 200,
    )


@login_required
def amendment_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    amendment = get_object_or_404(_visible(request), pk=pk)
    return _render_detail(request, amendment, {})


def _panels(amendment: AmendmentRequest, user, bound: dict[str, DsfrForm]) -> dict:
    abilities = amendment.get_abilities(user)
    forms: dict[str, DsfrForm] = {}
    if abilities["give_opinion"]:
        forms["opinion"] = bound.get("opinion") or AmendmentOpinionForm(prefix="avis")
    if abilities["accept"]:
        forms["accept"] = bound.get("accept") or AmendmentAcceptForm(
            prefix="decision", give_back=amendment.is_give_back
        )
    acts = [
        ConfirmableAction(
            slug,
            confirmation,
            reverse("conseillers:amendment-action", args=[amendment.pk, slug]),
            modal_form(ReasonForm, slug, prefix="acte", motive_required=motive),
        )
        for slug, (confirmation, motive, _) in ACTS.items()
        if abilities[slug]
    ]
    return {"forms": forms, "acts": acts}


def _render_detail(request, amendment: AmendmentRequest, bound: dict, status=200) -> HttpResponse:
    context = {
        "title": f"Demande d'avenant n° {amendment.pk}",
        "amendment": amendment,
        "opinions": amendment.opinions.select_related("author"),
        "transitions": amendment.transitions.select_related("by"),
        **_panels(amendment, request.user, bound),
    }
    return render(request, "conseillers/amendments/detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def amendment_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """POST runs the action; GET on a refusal or a cancellation is its confirmation page."""
    amendment = get_object_or_404(_visible(request), pk=pk)
    if request.method == "GET":
        return _confirm(request, amendment, action)
    handler = {"avis": _post_opinion, "decision": _post_accept}.get(action, _post_act)
    form, done = handler(request, amendment, action)
    if done:
        messages.success(request, done)
        return redirect("conseillers:amendment-detail", amendment.pk)
    if action in ACTS:
        return _confirm(request, amendment, action, form=form)
    key = {"avis": "opinion", "decision": "accept"}[action]
    return _render_detail(request, amendment, {key: form}, status=400)


def _run(form, call) -> str | None:
    if not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
    except PermissionDenied as error:
        form.add_error(None, str(error))
    return None


def _post_opinion(request, amendment, _action):
    form = AmendmentOpinionForm(request.POST, prefix="avis")

    def call(data):
        services.amendment_opinion_give(amendment=amendment, by=request.user, **data)
        return "L'avis de la préfecture est enregistré."

    return form, _run(form, call)


def _post_accept(request, amendment, _action):
    form = AmendmentAcceptForm(request.POST, prefix="decision", give_back=amendment.is_give_back)

    def call(data):
        data = {name: value for name, value in data.items() if value is not None}
        services.amendment_request_accept(amendment=amendment, by=request.user, **data)
        return f"La demande est acceptée : décision {data['number']} enregistrée au registre."

    return form, _run(form, call)


def _confirm(request, amendment, action, form=None) -> HttpResponse:
    if action not in ACTS:
        raise Http404("Pas de page de confirmation pour cette action.")
    confirmation, motive, _ = ACTS[action]
    if form is None and not amendment.get_abilities(request.user)[action]:
        raise PermissionDenied("Cette action n'est pas possible sur cette demande.")
    return render_confirmation(
        request,
        confirmation=confirmation,
        form=form or ReasonForm(prefix="acte", motive_required=motive),
        subject=f"Demande d'avenant n° {amendment.pk} de {amendment.structure.name}",
        back_url=reverse("conseillers:amendment-detail", args=[amendment.pk]),
        status=200 if form is None else 400,
    )


def _post_act(request, amendment, action):
    if action not in ACTS:
        raise PermissionDenied("Action inconnue.")
    _, motive, done = ACTS[action]
    form = ReasonForm(request.POST, prefix="acte", motive_required=motive)

    def call(data):
        if action == "refuse":
            services.amendment_request_refuse(
                amendment=amendment, reason=data["reason"], by=request.user
            )
        else:
            services.amendment_request_cancel(
                amendment=amendment, reason=data["reason"], by=request.user
            )
        return done

    return form, _run(form, call)
