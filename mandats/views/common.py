"""What the pages of every audience share: form input, redirections, refusals, FranceConnect
errors."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from core.models import Structure, User
from mandats import selectors
from mandats.franceconnect import FranceConnectError

logger = logging.getLogger("mandats.views")

# Where a FranceConnect login goes back to, kept with its state.
PURPOSE_MANDAT = "mandat"
PURPOSE_USAGER = "usager"


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


def posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: a POST with every checkbox unticked must still be validated.
    return request.POST if request.method == "POST" else None


def current_organisation(user: User) -> Structure:
    organisation = selectors.current_organisation(user)
    if organisation is None:
        raise PermissionDenied("Vous n'êtes aidant d'aucune organisation habilitée.")
    return organisation


def show_refusal(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


def franceconnect_error(
    request: HttpRequest, error: FranceConnectError, *, retry_url: str | None
) -> HttpResponse:
    logger.warning("FranceConnect : connexion refusée (%s)", error.code)
    context = {"title": "Connexion FranceConnect impossible", "error": error, "retry": retry_url}
    return render(request, "mandats/franceconnect_error.html", context, status=error.status)
