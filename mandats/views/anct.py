"""The ANCT's pages: the habilitation requests to decide, validated or refused with a motive."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import render_confirmation
from core.http import AuthenticatedHttpRequest
from mandats import confirmations, selectors, services
from mandats.abilities import PROGRAMME
from mandats.forms import HabilitationRefuseForm
from mandats.models import HabilitationRequest, HabilitationStatus
from mandats.views.common import posted, show_refusal

REQUESTS_PER_PAGE = 50


def _require_decision_right(request: AuthenticatedHttpRequest) -> None:
    # Checked before any lookup: the pages tell nobody which requests exist.
    if not PROGRAMME.get_abilities(request.user)["decide_habilitations"]:
        raise PermissionDenied("Cette page est réservée aux agents de l'ANCT.")


@login_required
def habilitation_decisions(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_decision_right(request)
    page = Paginator(selectors.pending_habilitation_requests(), REQUESTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {"title": "Demandes d'habilitation à décider", "page": page}
    return render(request, "mandats/habilitation_decisions.html", context)


@login_required
@require_POST
def habilitation_validate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_decision_right(request)
    habilitation_request = get_object_or_404(HabilitationRequest, pk=pk)
    try:
        services.habilitation_request_validate(
            habilitation_request=habilitation_request, by=request.user
        )
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"L'habilitation de {habilitation_request.email} est validée.")
    return redirect("mandats:habilitation-decisions")


@login_required
@require_http_methods(["GET", "POST"])
def habilitation_refuse(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_decision_right(request)
    habilitation_request = get_object_or_404(
        HabilitationRequest, pk=pk, status=HabilitationStatus.SUBMITTED
    )
    form = HabilitationRefuseForm(posted(request))
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
    return render_confirmation(
        request,
        confirmation=confirmations.habilitation_refusal(habilitation_request),
        form=form,
        subject=f"Demande d'habilitation de {habilitation_request.first_name} "
        f"{habilitation_request.last_name} ({habilitation_request.email})",
        back_url=reverse("mandats:habilitation-decisions"),
        status=200 if request.method == "GET" else 400,
    )
