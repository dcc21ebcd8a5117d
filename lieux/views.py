"""Pages of the places: the public map and each place's page, and the managers' pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.confirm import ConfirmableAction, Confirmation, render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.models import Commune, Structure
from lieux import map as lieux_map
from lieux.forms import LieuForm
from lieux.models import Lieu, lieu_abilities
from lieux.services import CANNOT_MANAGE, lieu_remove, lieu_save


def public_map(request: HttpRequest) -> HttpResponse:
    """Places open to the public, searchable by commune or postal code, without login."""
    query = request.GET.get("q", "").strip()[:60]
    lieux = Lieu.objects.public().with_programmes().order_by("commune__name", "name", "pk")
    communes: list[Commune] = []
    if len(query) >= 2:
        communes = list(Commune.objects.search(query)[:30])
        lieux = lieux.filter(commune__in=communes)
    page = Paginator(lieux, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "lieux/map.html",
        {
            "title": "Carte des lieux de médiation numérique",
            "query": query,
            "searched": len(query) >= 2,
            "communes_found": len(communes),
            "page": page,
            "map": lieux_map.build(list(page.object_list)),
        },
    )


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    lieu = get_object_or_404(Lieu.objects.with_programmes(), pk=pk)
    abilities = lieu_abilities(lieu.structure, request.user)  # type: ignore[arg-type]
    if not lieu.is_public and not abilities["update"]:
        raise Http404
    return render(
        request,
        "lieux/detail.html",
        {
            "title": lieu.name,
            "lieu": lieu,
            "abilities": abilities,
            "conseillers": list(lieu.conseillers.all()) if abilities["update"] else [],
            # The records stay with their structure: counted for its managers only.
            "activities": lieu.activities.count() if abilities["update"] else None,
        },
    )


@login_required
def structure_lieux(request: AuthenticatedHttpRequest, structure_pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=structure_pk)
    abilities = lieu_abilities(structure, request.user)
    if not abilities["update"]:
        raise PermissionDenied(CANNOT_MANAGE)
    return render(
        request,
        "lieux/structure_lieux.html",
        {
            "title": f"Lieux de {structure.name}",
            "structure": structure,
            "lieux": structure.lieux.select_related("commune").order_by("name"),
            "abilities": abilities,
        },
    )


@login_required
def edit(
    request: AuthenticatedHttpRequest, structure_pk: int, pk: int | None = None
) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=structure_pk)
    lieu = get_object_or_404(structure.lieux.all(), pk=pk) if pk is not None else None
    if not lieu_abilities(structure, request.user)["create" if lieu is None else "update"]:
        raise PermissionDenied(CANNOT_MANAGE)
    form = LieuForm(request.POST or None, instance=lieu, structure=structure)
    if request.method == "POST" and form.is_valid():
        try:
            saved = lieu_save(
                structure=structure,
                lieu=Lieu.objects.get(pk=lieu.pk) if lieu else None,
                conseillers=list(form.cleaned_data["conseillers"]),
                by=request.user,
                **form.service_fields(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Le lieu « {saved.name} » est enregistré.")
            return redirect("lieux:structure-lieux", structure_pk=structure.pk)
    removal = None
    if lieu is not None and lieu.closed_on is None:
        url = reverse("lieux:remove", args=[structure.pk, lieu.pk])
        removal = ConfirmableAction("retirer", _removal(lieu), url, DsfrForm())
    return render(
        request,
        "lieux/form.html",
        {
            "title": f"Modifier {lieu.name}" if lieu else "Déclarer un lieu",
            "structure": structure,
            "lieu": lieu,
            "form": form,
            "removal": removal,
        },
        status=400 if request.method == "POST" else 200,
    )


def _removal(lieu: Lieu) -> Confirmation:
    """Closed when activity records name the place (they keep it), deleted otherwise."""
    records = lieu.activities.count()
    if records:
        return Confirmation(
            "Fermer le lieu",
            f"Le lieu quitte la carte publique et les données ouvertes à compter d'aujourd'hui ; "
            f"les comptes rendus d'activité qui le citent ({records}) le gardent.",
        )
    return Confirmation(
        "Supprimer le lieu",
        "Le lieu est supprimé : il quitte la carte publique et les données ouvertes. "
        "Cette action est définitive.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def remove(request: AuthenticatedHttpRequest, structure_pk: int, pk: int) -> HttpResponse:
    structure = get_object_or_404(Structure.objects.visible_to(request.user), pk=structure_pk)
    lieu = get_object_or_404(structure.lieux.open(), pk=pk)
    if not lieu_abilities(structure, request.user)["delete"]:
        raise PermissionDenied(CANNOT_MANAGE)
    if request.method == "POST":
        deleted = lieu_remove(lieu=lieu, by=request.user)
        what = "supprimé" if deleted else f"fermé le {lieu.closed_on:%d/%m/%Y}"
        messages.success(request, f"Le lieu « {lieu.name} » est {what}.")
        return redirect("lieux:structure-lieux", structure_pk=structure.pk)
    return render_confirmation(
        request,
        confirmation=_removal(lieu),
        form=DsfrForm(),
        subject=lieu.name,
        back_url=reverse("lieux:edit", args=[structure.pk, lieu.pk]),
    )
