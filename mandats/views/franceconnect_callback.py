"""FranceConnect's answers: one callback for the new-mandate wizard and for the usager space (the
state tells which), and the callback of the logout."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from core.models import Structure, User
from mandats import franceconnect, services
from mandats.franceconnect import FranceConnectError, PendingLogin, VerifiedIdentity
from mandats.middleware import otp_exempt
from mandats.models import Usager
from mandats.views.common import PURPOSE_MANDAT, franceconnect_error
from mandats.views.usager_space import start_usager_session
from mandats.views.wizard import habilitation_for_new_mandat, wizard_state_for


@never_cache
@require_safe
def franceconnect_callback(request: HttpRequest) -> HttpResponse:
    """FranceConnect's answer, for the wizard or for the usager space (told by the state)."""
    try:
        pending = franceconnect.claim_state(request)
    except FranceConnectError as error:
        return franceconnect_error(request, error, retry_url=None)
    if pending.purpose == PURPOSE_MANDAT:
        handle, retry = _usager_identified_for_mandat, "mandats:mandat-new-franceconnect"
    else:
        handle, retry = _usager_logged_in, "mandats:usager-login"
    try:
        return handle(request, pending)
    except FranceConnectError as error:
        return franceconnect_error(request, error, retry_url=reverse(retry))


def _usager_identified_for_mandat(request: HttpRequest, pending: PendingLogin) -> HttpResponse:
    # Checked before FranceConnect is asked for the identity: the aidant who started the login
    # finishes it, on the wizard it started from.
    aidant = request.user
    if not isinstance(aidant, User) or aidant.pk != pending.context.get("aidant_id"):
        raise FranceConnectError(
            "mandat_aidant",
            "Cette connexion FranceConnect a été lancée depuis un autre compte d'aidant.",
            "Connectez-vous avec votre compte, puis reprenez le nouveau mandat.",
        )
    habilitation = habilitation_for_new_mandat(aidant)
    state = wizard_state_for(request, habilitation)
    if state is None or habilitation.pk != pending.context.get("organisation_id"):
        raise FranceConnectError(
            "mandat_wizard",
            "Le nouveau mandat a été modifié ou abandonné pendant la connexion FranceConnect.",
            "Reprenez le nouveau mandat à sa première étape.",
            status=400,
        )
    identity = franceconnect.complete_login(request, pending)
    usager = _usager_from(identity, by=aidant, organisation=habilitation.structure)
    state.identified(usager.pk, timezone.now()).save(request.session)
    return redirect("mandats:mandat-new-confirm")


def _usager_logged_in(request: HttpRequest, pending: PendingLogin) -> HttpResponse:
    identity = franceconnect.complete_login(request, pending)
    usager = Usager.objects.filter(sub_hash=Usager.hash_sub(identity.sub)).first()
    if usager is not None:
        # A known usager: their identity (and the retention clock) is refreshed. Someone with no
        # mandate is not recorded at all: there is nothing of theirs to keep.
        usager = _usager_from(identity)
    start_usager_session(request, identity, usager)
    return redirect("mandats:usager-space")


def _usager_from(
    identity: VerifiedIdentity, *, by: User | None = None, organisation: Structure | None = None
) -> Usager:
    try:
        return services.usager_from_franceconnect(
            claims=identity.claims, sub=identity.sub, by=by, organisation=organisation
        )
    except ValidationError as exc:
        raise FranceConnectError(
            "claims",
            f"FranceConnect a transmis une identité incomplète : {' '.join(exc.messages)}",
            "Rien n'a été enregistré. Contactez le support Aidants Connect en indiquant la "
            "référence ci-dessous.",
        ) from exc


@otp_exempt
@never_cache
@require_safe
def franceconnect_logout_callback(request: HttpRequest) -> HttpResponse:
    try:
        franceconnect.finish_logout(request)
    except FranceConnectError as error:
        return franceconnect_error(request, error, retry_url=None)
    messages.success(request, "Vous êtes déconnecté de FranceConnect.")
    return redirect("mandats:usager-login")
