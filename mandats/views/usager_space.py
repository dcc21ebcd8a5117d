"""The usager space: an usager logged in with FranceConnect sees their mandates, every use made of
them, revokes them and downloads the attestation of a revocation.
The usager is kept in the session (not a Django login), for a short while only: the space is
often used on a shared computer (an aidant's, a library's)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.confirm import render_confirmation
from core.forms import DsfrForm
from mandats import confirmations, franceconnect, selectors, services
from mandats.attestation import revocation_pdf_response, with_attestation_data
from mandats.franceconnect import FranceConnectError, VerifiedIdentity
from mandats.middleware import otp_exempt
from mandats.models import Autorisation, Mandat, Usager
from mandats.views.common import PURPOSE_USAGER, absolute, franceconnect_error, show_refusal

USAGER_SESSION_KEY = "mandats_usager"
USAGER_SESSION_LIFETIME = timedelta(minutes=15)


def start_usager_session(
    request: HttpRequest, identity: VerifiedIdentity, usager: Usager | None
) -> None:
    request.session.cycle_key()  # a login: a new session key, against session fixation
    request.session[USAGER_SESSION_KEY] = {
        "usager_id": usager.pk if usager else None,
        "name": usager.full_name if usager else _display_name(identity.claims),
        "id_token": identity.id_token,
        "expires_at": (timezone.now() + USAGER_SESSION_LIFETIME).timestamp(),
    }


def _display_name(claims: dict) -> str:
    family = claims.get("preferred_username") or claims.get("family_name")
    names = (claims.get("given_name"), family)
    return " ".join(str(name) for name in names if name)


def _usager_session(request: HttpRequest) -> dict | None:
    session = request.session.get(USAGER_SESSION_KEY)
    if not isinstance(session, dict):
        return None
    if float(session.get("expires_at") or 0) < timezone.now().timestamp():
        del request.session[USAGER_SESSION_KEY]
        messages.info(request, "Votre session a expiré : reconnectez-vous avec FranceConnect.")
        return None
    return session


def usager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The usager space: an usager logged in with FranceConnect, not a Django user (who would
    need a second factor), for USAGER_SESSION_LIFETIME at most."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        session = _usager_session(request)
        if session is None:
            return redirect("mandats:usager-login")
        return view(request, session, *args, **kwargs)

    return otp_exempt(wrapper)


@otp_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def usager_login(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            return franceconnect.start_login(
                request,
                redirect_uri=absolute(request, "mandats:franceconnect-callback"),
                purpose=PURPOSE_USAGER,
                context={},
            )
        except FranceConnectError as error:
            return franceconnect_error(request, error, retry_url=request.path)
    if _usager_session(request) is not None:
        return redirect("mandats:usager-space")
    return render(request, "mandats/usager_login.html", {"title": "Mon espace usager"})


@never_cache
@usager_required
def usager_space(request: HttpRequest, session: dict) -> HttpResponse:
    mandats = _own_mandats(session["usager_id"])
    uses = selectors.uses_summaries(mandats)
    context = {
        "title": "Mes mandats",
        "name": session["name"],
        "active": [(mandat, uses[mandat.pk]) for mandat in mandats if mandat.is_active()],
        "past": [(mandat, uses[mandat.pk]) for mandat in mandats if not mandat.is_active()],
    }
    return render(request, "mandats/usager_space.html", context)


def _own_mandats(usager_id: int | None) -> list[Mandat]:
    if usager_id is None:
        return []
    autorisations = Prefetch("autorisations", queryset=Autorisation.objects.order_by("demarche"))
    return list(
        Mandat.objects.filter(usager_id=usager_id)
        .select_related("organisation")
        .prefetch_related(autorisations)
        .order_by("-created_at", "-pk")
    )


USES_PER_PAGE = 25


@never_cache
@usager_required
@require_http_methods(["GET"])
def usager_mandat_uses(request: HttpRequest, session: dict, pk: int) -> HttpResponse:
    """What was done in the usager's name under one mandate, as the mandate text promises."""
    mandat = get_object_or_404(
        Mandat.objects.select_related("organisation"), pk=pk, usager_id=session["usager_id"]
    )
    page = Paginator(selectors.mandat_uses(mandat), USES_PER_PAGE).get_page(request.GET.get("page"))
    names = selectors.service_names(page.object_list)
    rows = [(entry, names.get(str(entry.details.get("service", "")), "")) for entry in page]
    context = {
        "title": f"Utilisations du {mandat}",
        "mandat": mandat,
        "page": page,
        "rows": rows,
    }
    return render(request, "mandats/usager_mandat_uses.html", context)


@never_cache
@usager_required
@require_http_methods(["GET"])
def usager_revocation_pdf(request: HttpRequest, session: dict, pk: int) -> HttpResponse:
    mandats = with_attestation_data(Mandat.objects.filter(usager_id=session["usager_id"]))
    return revocation_pdf_response(request, get_object_or_404(mandats, pk=pk))


@never_cache
@usager_required
@require_http_methods(["GET", "POST"])
def usager_autorisation_revoke(request: HttpRequest, session: dict, pk: int) -> HttpResponse:
    autorisation = get_object_or_404(
        Autorisation.objects.select_related("mandat__organisation", "mandat__usager"),
        pk=pk,
        mandat__usager_id=session["usager_id"],
    )
    if request.method == "POST":
        try:
            services.autorisation_revoke(
                autorisation=autorisation, by_usager=autorisation.mandat.usager
            )
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            label = autorisation.get_demarche_display()
            messages.success(
                request,
                f"Votre autorisation « {label} » est révoquée. L'attestation de révocation se "
                f"télécharge depuis le {autorisation.mandat}, ci-dessous.",
            )
        return redirect("mandats:usager-space")
    return render_confirmation(
        request,
        confirmation=confirmations.autorisation_revocation(autorisation, by_usager=True),
        form=DsfrForm(),
        subject=f"Votre {autorisation.mandat} avec {autorisation.mandat.organisation.name}",
        back_url=reverse("mandats:usager-space"),
    )


@never_cache
@usager_required
@require_http_methods(["GET", "POST"])
def usager_mandat_revoke(request: HttpRequest, session: dict, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.select_related("organisation", "usager"),
        pk=pk,
        usager_id=session["usager_id"],
    )
    if request.method == "POST":
        try:
            services.mandat_revoke(mandat=mandat, by_usager=mandat.usager)
        except ValidationError as exc:
            show_refusal(request, exc)
        else:
            messages.success(
                request,
                f"Votre {mandat} est révoqué. Son attestation de révocation se télécharge "
                "ci-dessous, dans vos mandats passés.",
            )
        return redirect("mandats:usager-space")
    return render_confirmation(
        request,
        confirmation=confirmations.mandat_revocation(mandat, by_usager=True),
        form=DsfrForm(),
        subject=f"Votre {mandat} avec {mandat.organisation.name}",
        back_url=reverse("mandats:usager-space"),
    )


@otp_exempt
@require_POST
def usager_logout(request: HttpRequest) -> HttpResponse:
    """Ends the usager space here first, then at FranceConnect, which comes back to us."""
    session = request.session.pop(USAGER_SESSION_KEY, None)
    if not isinstance(session, dict) or not session.get("id_token"):
        return redirect("mandats:usager-login")
    try:
        return franceconnect.start_logout(
            request,
            id_token=session["id_token"],
            post_logout_redirect_uri=absolute(request, "mandats:franceconnect-logout-callback"),
        )
    except FranceConnectError as error:
        return franceconnect_error(request, error, retry_url=None)
