"""The physical TOTP cards' pages: the ANCT's stock (loading a batch, every association), and the
loss of a card, declared by the référent from the team page or by the ANCT from the stock."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from mandats import cards, confirmations, selectors
from mandats.abilities import PROGRAMME
from mandats.forms import CarteStockForm
from mandats.models import CarteTOTP, CarteTOTPStatus
from mandats.views.common import posted, show_refusal

CARDS_PER_PAGE = 50


@login_required
@require_http_methods(["GET", "POST"])
def cartes_stock(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not PROGRAMME.get_abilities(request.user)["manage_cartes"]:
        raise PermissionDenied("Cette page est réservée aux agents de l'ANCT.")
    form = CarteStockForm(posted(request), request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            loaded = cards.cartes_load_csv(content=form.cleaned_data["csv_file"], by=request.user)
        except ValidationError as exc:
            form.add_error("csv_file", exc)
        else:
            messages.success(request, f"{len(loaded)} carte(s) ajoutée(s) au stock.")
            return redirect("mandats:cartes-stock")
    page = Paginator(selectors.cartes_stock(), CARDS_PER_PAGE).get_page(request.GET.get("page"))
    counts = selectors.cartes_counts()
    context = {
        "title": f"{'Erreur : ' if form.errors else ''}Cartes TOTP",
        "form": form,
        "page": page,
        "counts": [(label, counts[value]) for value, label in CarteTOTPStatus.choices],
        "failures_before_lock": settings.AIDANTS_CONNECT_CARD_FAILURES_BEFORE_LOCK,
    }
    return render(request, "mandats/cartes_stock.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def carte_lost(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    carte = get_object_or_404(CarteTOTP.objects.select_related("aidant", "organisation"), pk=pk)
    if not carte.get_abilities(request.user)["declare_lost"]:
        raise PermissionDenied("Seul le référent de l'organisation ou l'ANCT déclare une perte.")
    back = _back_url(request, carte)
    form = DsfrForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            cards.carte_declare_lost(carte=carte, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"La carte {carte.serial_number} est désactivée.")
            return redirect(back)
    return render_confirmation(
        request,
        confirmation=confirmations.carte_loss(carte),
        form=form,
        subject=f"carte {carte.serial_number}",
        back_url=back,
        status=400 if form.errors else 200,
    )


def _back_url(request: AuthenticatedHttpRequest, carte: CarteTOTP) -> str:
    if carte.organisation_id and not PROGRAMME.get_abilities(request.user)["manage_cartes"]:
        return reverse("mandats:referent-team", args=[carte.organisation_id])
    return reverse("mandats:cartes-stock")


@login_required
@require_POST
def carte_unlock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The ANCT lets a card locked after wrong codes be associated again."""
    carte = get_object_or_404(CarteTOTP, pk=pk)
    if not carte.get_abilities(request.user)["unlock_association"]:
        raise PermissionDenied("Seule l'ANCT débloque l'association d'une carte.")
    try:
        cards.carte_unlock_association(carte=carte, by=request.user)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, f"L'association de la carte {carte.serial_number} est débloquée.")
    return redirect("mandats:cartes-stock")
