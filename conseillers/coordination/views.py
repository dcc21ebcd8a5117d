"""DSFR pages of the coordination: who coordinates whom. Each button shown is one the person's
abilities allow; each write goes through `conseillers.coordination.services`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from conseillers.forms import add_service_errors
from core.http import AuthenticatedHttpRequest

from . import selectors, services
from .abilities import COORDINATION
from .forms import AttachForm
from .models import Coordination, CoordinatorGroup


@login_required
def coordination_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not COORDINATION.get_abilities(user)["list_view"]:
        raise PermissionDenied("Aucun groupe de coordination ne vous concerne.")
    mine = Coordination.objects.current().filter(conseiller__candidat__user=user)
    return render(
        request,
        "coordination/list.html",
        {
            "title": "Coordination des conseillers",
            "coordinators": selectors.coordinators_visible_to(user),
            "my_coordination": mine.select_related("coordinator__candidat").first(),
        },
    )


def _coordinator(request: AuthenticatedHttpRequest, pk: int):
    match = get_object_or_404(selectors.coordinators_visible_to(request.user), pk=pk)
    abilities = CoordinatorGroup(match).get_abilities(request.user)
    if not abilities["view"]:
        raise PermissionDenied("Vous ne pouvez pas consulter ce groupe.")
    return match, abilities


@login_required
def coordination_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match, abilities = _coordinator(request, pk)
    return _render_group(request, match, abilities, form=None)


def _render_group(request, match, abilities, form, status: int = 200) -> HttpResponse:
    if abilities["attach"] and form is None:
        form = AttachForm(candidates=selectors.attachable_to(match, request.user))
    group = [(row, row.get_abilities(request.user)["detach"]) for row in selectors.group_of(match)]
    context = {
        "title": f"Groupe coordonné par {match.candidat}",
        "coordinator": match,
        "group": group,
        "structures": len({row.conseiller.structure_id for row, _ in group}),
        "abilities": abilities,
        "form": form if abilities["attach"] else None,
    }
    return render(request, "coordination/detail.html", context, status=status)


@login_required
@require_POST
def coordination_attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    match, abilities = _coordinator(request, pk)
    if not abilities["attach"]:
        raise PermissionDenied("Seules l'ANCT et la préfecture rattachent des conseillers.")
    form = AttachForm(request.POST, candidates=selectors.attachable_to(match, request.user))
    if form.is_valid():
        conseiller = form.cleaned_data["conseiller"]
        try:
            services.coordination_attach(coordinator=match, conseiller=conseiller, by=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{conseiller.candidat} est rattaché(e) au groupe.")
            return redirect("conseillers:coordination-detail", match.pk)
    return _render_group(request, match, abilities, form=form, status=400)


@login_required
@require_POST
def coordination_detach(request: AuthenticatedHttpRequest, pk: int, row: int) -> HttpResponse:
    match, _abilities = _coordinator(request, pk)
    coordination = get_object_or_404(selectors.group_of(match), pk=row)
    services.coordination_detach(coordination=coordination, by=request.user)
    messages.success(request, f"{coordination.conseiller.candidat} est détaché(e) du groupe.")
    return redirect("conseillers:coordination-detail", match.pk)
