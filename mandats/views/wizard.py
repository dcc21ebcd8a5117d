"""The new-mandate wizard: démarches and duration (step 1), the usager's FranceConnect login in
front of the aidant (step 2, finished by `franceconnect_callback`), the recap confirmed with a
fresh TOTP code (step 3). Its state lives in the session as a `MandatWizardState`."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.http import AuthenticatedHttpRequest
from core.models import User
from mandats import franceconnect, otp, selectors, services
from mandats.abilities import OrganisationAbilities
from mandats.forms import MandatScopeForm, TOTPCodeForm
from mandats.franceconnect import FranceConnectError
from mandats.models import HabilitatedOrganisation, Mandat, MandatDuration, Usager
from mandats.views.common import (
    PURPOSE_MANDAT,
    absolute,
    current_organisation,
    franceconnect_error,
    posted,
)
from mandats.views.wizard_state import IDENTITY_MAX_AGE, InvalidWizardState, MandatWizardState

logger = logging.getLogger("mandats.views")

CHOOSE_FIRST = "Choisissez d'abord les démarches et la durée du mandat."
UNREADABLE = (
    "Le nouveau mandat en cours n'a pas pu être repris : choisissez à nouveau les démarches et "
    "la durée du mandat."
)
IDENTITY_UNVERIFIED = (
    "L'identité de l'usager n'est pas vérifiée, ou l'a été il y a plus de "
    f"{IDENTITY_MAX_AGE.seconds // 60} minutes : reprenez le mandat, puis l'usager se "
    "reconnecte avec FranceConnect."
)


def habilitation_for_new_mandat(user: User) -> HabilitatedOrganisation:
    organisation = current_organisation(user)
    if not OrganisationAbilities(organisation.pk).get_abilities(user)["sign_mandat"]:
        raise PermissionDenied("Seul un aidant habilité peut signer un mandat.")
    habilitation = selectors.habilitation_of(organisation)
    if habilitation is None:
        raise PermissionDenied("Votre organisation n'est pas habilitée Aidants Connect.")
    return habilitation


def wizard_state_for(
    request: HttpRequest, habilitation: HabilitatedOrganisation
) -> MandatWizardState | None:
    """Step 1's choice, if it still holds for the organisation; a tampered value is dropped."""
    try:
        state = MandatWizardState.load(request.session)
    except InvalidWizardState as exc:
        logger.warning("Nouveau mandat : état de session illisible (%s), effacé", exc)
        MandatWizardState.clear(request.session)
        return None
    return state if state is not None and state.fits(habilitation) else None


@login_required
@require_http_methods(["GET", "POST"])
def mandat_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: démarches and duration, kept in the session until the usager logs in."""
    habilitation = habilitation_for_new_mandat(request.user)
    form = MandatScopeForm(
        posted(request),
        initial=_previous_choice(request, habilitation),
        allowed_demarches=habilitation.allowed_demarches,
    )
    if request.method == "POST" and form.is_valid():
        MandatWizardState(
            organisation_id=habilitation.pk,
            demarches=tuple(sorted(form.cleaned_data["demarches"])),
            duration=MandatDuration(form.cleaned_data["duration"]),
        ).save(request.session)
        return redirect("mandats:mandat-new-franceconnect")
    context = {"title": "Nouveau mandat", "form": form, "organisation": habilitation.structure}
    return render(request, "mandats/mandat_new.html", context)


def _previous_choice(
    request: AuthenticatedHttpRequest, habilitation: HabilitatedOrganisation
) -> dict:
    """What the aidant chose before, shown again (after a restart, or when coming back)."""
    try:
        state = MandatWizardState.load(request.session)
    except InvalidWizardState as exc:
        logger.warning("Nouveau mandat : état de session illisible (%s), effacé", exc)
        MandatWizardState.clear(request.session)
        messages.warning(request, UNREADABLE)
        return {}
    if state is None or state.organisation_id != habilitation.pk:
        return {}
    return {"demarches": list(state.demarches), "duration": state.duration.value}


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandat_new_franceconnect(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 2: recap of step 1, then the usager logs in with FranceConnect before the aidant."""
    habilitation = habilitation_for_new_mandat(request.user)
    state = wizard_state_for(request, habilitation)
    if state is None:
        return _restart(request, CHOOSE_FIRST)
    if request.method == "POST":
        context = {"aidant_id": request.user.pk, "organisation_id": habilitation.pk}
        try:
            return franceconnect.start_login(
                request,
                redirect_uri=absolute(request, "mandats:franceconnect-callback"),
                purpose=PURPOSE_MANDAT,
                context=context,
            )
        except FranceConnectError as error:
            return franceconnect_error(request, error, retry_url=request.path)
    context = {
        "title": "Nouveau mandat : connexion de l'usager",
        "organisation": habilitation.structure,
        **_choice_labels(habilitation, state),
    }
    return render(request, "mandats/mandat_new_franceconnect.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandat_new_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 3: the recap, confirmed with a fresh TOTP code; the mandate is then signed."""
    habilitation = habilitation_for_new_mandat(request.user)
    state = wizard_state_for(request, habilitation)
    if state is None:
        return _restart(request, CHOOSE_FIRST)
    usager = _identified_usager(state)
    if usager is None:
        state.without_identity().save(request.session)
        return _restart(request, IDENTITY_UNVERIFIED)
    form = TOTPCodeForm(posted(request))
    if request.method == "POST" and form.is_valid():
        mandat = _sign(request, form, habilitation, usager, state)
        if mandat is not None:
            MandatWizardState.clear(request.session)
            messages.success(
                request, f"Le {mandat} est signé. Imprimez l'attestation pour la signer ensemble."
            )
            return redirect(_mandat_page(mandat))
    context = {
        "title": "Nouveau mandat : récapitulatif",
        "organisation": habilitation.structure,
        "usager": usager,
        "form": form,
        "ends_on": timezone.localdate() + state.duration.delta,
        **_choice_labels(habilitation, state),
    }
    return render(request, "mandats/mandat_new_confirm.html", context)


def _choice_labels(habilitation: HabilitatedOrganisation, state: MandatWizardState) -> dict:
    allowed = dict(habilitation.allowed_demarche_choices)
    return {
        "demarches": [allowed[code] for code in state.demarches],
        "duration": state.duration.label,
    }


def _restart(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    messages.warning(request, message)
    return redirect("mandats:mandat-new")


def _identified_usager(state: MandatWizardState) -> Usager | None:
    """The usager must still be the one in front of the aidant when the mandate is signed."""
    usager_id = state.identified_usager_id(timezone.now())
    return None if usager_id is None else Usager.objects.filter(pk=usager_id).first()


def _sign(
    request: AuthenticatedHttpRequest,
    form: TOTPCodeForm,
    habilitation: HabilitatedOrganisation,
    usager: Usager,
    state: MandatWizardState,
) -> Mandat | None:
    try:
        # A code is accepted once: a second submission of this page (double click, replay)
        # stops here, before a second mandate exists.
        otp.require_fresh_totp(request, form.cleaned_data["code"])
    except ValidationError as exc:
        form.add_error("code", exc)
        return None
    try:
        return services.mandat_create(
            organisation=habilitation.structure,
            usager=usager,
            demarches=state.demarches,
            duration=state.duration,
            by=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


def _mandat_page(mandat: Mandat) -> str:
    """The new mandate's attestation, printed and signed next; the usager's page where the
    attestation pages are not installed."""
    try:
        return reverse("mandats:attestation", args=[mandat.pk])
    except NoReverseMatch:
        return reverse("mandats:usager-detail", args=[mandat.usager_id])
