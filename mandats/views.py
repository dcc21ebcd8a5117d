"""Pages of the aidants and référents (under /aidants-connect/), and the usager space where an
usager logged in with FranceConnect sees and revokes their mandates. Reads go through selectors,
writes through services; a mandate of another organisation is never found (404)."""

from __future__ import annotations

import functools
import logging
from base64 import b32encode
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Role, Structure, User
from mandats import franceconnect, otp, selectors, services
from mandats.forms import (
    AllowedDemarchesForm,
    HabilitationRefuseForm,
    HabilitationRequestForm,
    MandatRenewForm,
    MandatScopeForm,
    OrganisationSwitchForm,
    TOTPCodeForm,
    UsagerSearchForm,
)
from mandats.franceconnect import FranceConnectError, PendingLogin, VerifiedIdentity
from mandats.middleware import otp_exempt
from mandats.models import (
    Autorisation,
    HabilitatedOrganisation,
    HabilitationRequest,
    HabilitationStatus,
    Mandat,
    MandatDuration,
    Usager,
)

logger = logging.getLogger(__name__)

USAGERS_PER_PAGE = 20
WIZARD_SESSION_KEY = "mandats_nouveau_mandat"
# Set in the wizard's session by the FranceConnect callback of step 2.
IDENTITY_KEYS = ("usager_id", "identified_at")
# The usager in front of the aidant at step 2 must still be there at step 3.
IDENTITY_MAX_AGE = timedelta(minutes=15)
# The usager space keeps the usager here (not a Django login), for a short while only: it is
# often used on a shared computer (an aidant's, a library's).
USAGER_SESSION_KEY = "mandats_usager"
USAGER_SESSION_LIFETIME = timedelta(minutes=15)
# Where a FranceConnect login goes back to, kept with its state.
PURPOSE_MANDAT = "mandat"
PURPOSE_USAGER = "usager"


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else default


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: a POST with every checkbox unticked must still be validated.
    return request.POST if request.method == "POST" else None


def _current_organisation(request: HttpRequest) -> Structure:
    organisation = selectors.current_organisation(request.user)
    if organisation is None:
        raise PermissionDenied("Vous n'êtes aidant d'aucune organisation habilitée.")
    return organisation


def _refusal(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- Second factor ----------------------------------------------------------------------------


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_setup(request: HttpRequest) -> HttpResponse:
    if otp.confirmed_device(request.user) is not None:
        return redirect("mandats:totp-verify")
    device = otp.pending_device(request.user)
    form = TOTPCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.confirm_enrolment(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            messages.success(request, "Votre application d'authentification est activée.")
            return HttpResponseRedirect(_next_url(request, reverse("mandats:index")))
    context = {
        "title": "Activer la double authentification",
        "form": form,
        "qr_svg": otp.qr_code_svg(device),
        "secret": _grouped_base32(device),
        "next": _next_url(request, ""),
    }
    return render(request, "mandats/totp_setup.html", context)


def _grouped_base32(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@otp_exempt
@login_required
@require_http_methods(["GET", "POST"])
def totp_verify(request: HttpRequest) -> HttpResponse:
    device = otp.confirmed_device(request.user)
    if device is None:
        query = urlencode({"next": _next_url(request, "")})
        return redirect(f"{reverse('mandats:totp-setup')}?{query}")
    form = TOTPCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            otp.verify_login(request, device, form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            return HttpResponseRedirect(_next_url(request, reverse("mandats:index")))
    context = {"title": "Saisir votre code", "form": form, "next": _next_url(request, "")}
    return render(request, "mandats/totp_verify.html", context)


# --- Aidant's pages ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    return redirect("mandats:usager-list")


@login_required
def usager_list(request: HttpRequest) -> HttpResponse:
    organisation = _current_organisation(request)
    search = UsagerSearchForm(request.GET or None)
    query = search.cleaned_data["q"] if search.is_valid() else ""
    usagers = selectors.usagers_with_active_mandats(organisation=organisation, search=query)
    page = Paginator(usagers, USAGERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": "Mes usagers",
        "organisation": organisation,
        "search": search,
        "query": query,
        "page": page,
    }
    return render(request, "mandats/usager_list.html", context)


@login_required
def usager_detail(request: HttpRequest, pk: int) -> HttpResponse:
    usager = get_object_or_404(Usager.objects.visible_to(request.user), pk=pk)
    mandats = list(selectors.usager_mandats(usager=usager, user=request.user))
    for mandat in mandats:
        mandat.abilities = mandat.get_abilities(request.user)
    context = {"title": usager.full_name, "usager": usager, "mandats": mandats}
    return render(request, "mandats/usager_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def autorisation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    autorisation = get_object_or_404(
        Autorisation.objects.visible_to(request.user).select_related(
            "mandat__usager", "mandat__organisation"
        ),
        pk=pk,
    )
    back = reverse("mandats:usager-detail", args=[autorisation.mandat.usager_id])
    if request.method == "POST":
        try:
            services.autorisation_revoke(autorisation=autorisation, by=request.user)
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(
                request, f"L'autorisation « {autorisation.get_demarche_display()} » est révoquée."
            )
        return redirect(back)
    context = {"title": "Révoquer une autorisation", "autorisation": autorisation, "back": back}
    return render(request, "mandats/autorisation_revoke.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandat_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.visible_to(request.user).select_related("usager", "organisation"), pk=pk
    )
    back = reverse("mandats:usager-detail", args=[mandat.usager_id])
    if request.method == "POST":
        try:
            services.mandat_revoke(mandat=mandat, by=request.user)
        except ValidationError as exc:
            _refusal(request, exc)
        else:
            messages.success(request, f"Le {mandat} est révoqué.")
        return redirect(back)
    context = {"title": "Révoquer un mandat", "mandat": mandat, "back": back}
    return render(request, "mandats/mandat_revoke.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def mandat_renew(request: HttpRequest, pk: int) -> HttpResponse:
    mandat = get_object_or_404(
        Mandat.objects.visible_to(request.user).select_related("usager", "organisation"), pk=pk
    )
    if not mandat.get_abilities(request.user)["renew"]:
        raise PermissionDenied("Seul un aidant de l'organisation peut renouveler ce mandat.")
    habilitation = get_object_or_404(HabilitatedOrganisation, structure=mandat.organisation)
    initial = {
        "demarches": [a.demarche for a in mandat.autorisations.all()],
        "duration": mandat.duration,
    }
    form = MandatRenewForm(
        _posted(request), initial=initial, allowed_demarches=habilitation.allowed_demarches
    )
    if request.method == "POST" and form.is_valid():
        renewed = _renew(request, form, mandat)
        if renewed is not None:
            messages.success(request, f"Le mandat est renouvelé ({renewed}).")
            return redirect("mandats:usager-detail", pk=mandat.usager_id)
    context = {"title": "Renouveler un mandat", "mandat": mandat, "form": form}
    return render(request, "mandats/mandat_renew.html", context)


def _renew(request: HttpRequest, form: MandatRenewForm, mandat: Mandat) -> Mandat | None:
    try:
        otp.require_fresh_totp(request, form.cleaned_data["code"])
    except ValidationError as exc:
        form.add_error("code", exc)
        return None
    try:
        return services.mandat_renew(
            mandat=mandat,
            demarches=form.cleaned_data["demarches"],
            duration=form.cleaned_data["duration"],
            by=request.user,
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def organisation_switch(request: HttpRequest) -> HttpResponse:
    organisations = selectors.aidant_organisations(request.user)
    current = selectors.current_organisation(request.user)
    form = OrganisationSwitchForm(
        _posted(request), organisations=organisations, initial={"organisation": current}
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        services.aidant_switch_organisation(organisation=organisation, by=request.user)
        messages.success(request, f"Vous travaillez maintenant pour {organisation}.")
        return redirect("mandats:usager-list")
    context = {"title": "Changer d'organisation", "form": form, "current": current}
    return render(request, "mandats/organisation_switch.html", context)


# --- New mandate wizard -----------------------------------------------------------------------


def _habilitation_for_new_mandat(request: HttpRequest) -> HabilitatedOrganisation:
    organisation = _current_organisation(request)
    if not request.user.scope.has_structure_role(organisation.pk, Role.AIDANT):
        raise PermissionDenied("Seul un aidant habilité peut signer un mandat.")
    habilitation = selectors.habilitation_of(organisation)
    if habilitation is None:
        raise PermissionDenied("Votre organisation n'est pas habilitée Aidants Connect.")
    return habilitation


@login_required
@require_http_methods(["GET", "POST"])
def mandat_new(request: HttpRequest) -> HttpResponse:
    """Step 1: démarches and duration, kept in the session until the usager logs in."""
    habilitation = _habilitation_for_new_mandat(request)
    previous = request.session.get(WIZARD_SESSION_KEY) or {}
    initial = previous if previous.get("organisation_id") == habilitation.pk else {}
    form = MandatScopeForm(
        _posted(request), initial=initial, allowed_demarches=habilitation.allowed_demarches
    )
    if request.method == "POST" and form.is_valid():
        request.session[WIZARD_SESSION_KEY] = {
            "organisation_id": habilitation.pk,
            "demarches": sorted(form.cleaned_data["demarches"]),
            "duration": form.cleaned_data["duration"],
        }
        return redirect("mandats:mandat-new-franceconnect")
    context = {"title": "Nouveau mandat", "form": form, "organisation": habilitation.structure}
    return render(request, "mandats/mandat_new.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandat_new_franceconnect(request: HttpRequest) -> HttpResponse:
    """Step 2: recap of step 1, then the usager logs in with FranceConnect before the aidant."""
    habilitation = _habilitation_for_new_mandat(request)
    choice = _wizard_choice(request, habilitation)
    if choice is None:
        return _restart_wizard(request, "Choisissez d'abord les démarches et la durée du mandat.")
    if request.method == "POST":
        context = {"aidant_id": request.user.pk, "organisation_id": habilitation.pk}
        try:
            return franceconnect.start_login(
                request,
                redirect_uri=_absolute(request, "mandats:franceconnect-callback"),
                purpose=PURPOSE_MANDAT,
                context=context,
            )
        except FranceConnectError as error:
            return _franceconnect_error(request, error, retry_url=request.path)
    context = {
        "title": "Nouveau mandat : connexion de l'usager",
        "organisation": habilitation.structure,
        **_choice_labels(habilitation, choice),
    }
    return render(request, "mandats/mandat_new_franceconnect.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def mandat_new_confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: the recap, confirmed with a fresh TOTP code; the mandate is then signed."""
    habilitation = _habilitation_for_new_mandat(request)
    choice = _wizard_choice(request, habilitation)
    if choice is None:
        return _restart_wizard(request, "Choisissez d'abord les démarches et la durée du mandat.")
    usager = _identified_usager(choice)
    if usager is None:
        _forget_identity(request, choice)
        return _restart_wizard(
            request,
            "L'identité de l'usager n'est pas vérifiée, ou l'a été il y a plus de "
            f"{IDENTITY_MAX_AGE.seconds // 60} minutes : reprenez le mandat, puis l'usager se "
            "reconnecte avec FranceConnect.",
        )
    form = TOTPCodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        mandat = _sign(request, form, habilitation, usager, choice)
        if mandat is not None:
            request.session.pop(WIZARD_SESSION_KEY, None)
            messages.success(
                request, f"Le {mandat} est signé. Imprimez l'attestation pour la signer ensemble."
            )
            return redirect(_mandat_page(mandat))
    duration = MandatDuration(choice["duration"])
    context = {
        "title": "Nouveau mandat : récapitulatif",
        "organisation": habilitation.structure,
        "usager": usager,
        "form": form,
        "ends_on": timezone.localdate() + duration.delta,
        **_choice_labels(habilitation, choice),
    }
    return render(request, "mandats/mandat_new_confirm.html", context)


def _wizard_choice(request: HttpRequest, habilitation: HabilitatedOrganisation) -> dict | None:
    """Step 1's choice, if it still holds: same organisation, démarches it still allows."""
    choice = request.session.get(WIZARD_SESSION_KEY)
    if not isinstance(choice, dict) or choice.get("organisation_id") != habilitation.pk:
        return None
    demarches = choice.get("demarches")
    if not isinstance(demarches, list) or not demarches:
        return None
    if not set(demarches) <= set(habilitation.allowed_demarches):
        return None
    return choice if choice.get("duration") in MandatDuration.values else None


def _choice_labels(habilitation: HabilitatedOrganisation, choice: dict) -> dict:
    allowed = dict(habilitation.allowed_demarche_choices)
    return {
        "demarches": [allowed[code] for code in choice["demarches"]],
        "duration": MandatDuration(choice["duration"]).label,
    }


def _restart_wizard(request: HttpRequest, message: str) -> HttpResponse:
    messages.warning(request, message)
    return redirect("mandats:mandat-new")


def _identified_usager(choice: dict) -> Usager | None:
    """The usager FranceConnect identified at step 2, if recently enough: the usager must still be
    the one in front of the aidant when the mandate is signed."""
    usager_id, identified_at = choice.get("usager_id"), choice.get("identified_at")
    if not isinstance(usager_id, int) or not isinstance(identified_at, int | float):
        return None
    if timezone.now().timestamp() - identified_at > IDENTITY_MAX_AGE.total_seconds():
        return None
    return Usager.objects.filter(pk=usager_id).first()


def _forget_identity(request: HttpRequest, choice: dict) -> None:
    # Démarches and duration stay: step 1 shows them again, only the identity is asked anew.
    kept = {key: value for key, value in choice.items() if key not in IDENTITY_KEYS}
    request.session[WIZARD_SESSION_KEY] = kept


def _sign(
    request: HttpRequest,
    form: TOTPCodeForm,
    habilitation: HabilitatedOrganisation,
    usager: Usager,
    choice: dict,
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
            demarches=choice["demarches"],
            duration=choice["duration"],
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


# --- FranceConnect callbacks ------------------------------------------------------------------


def _absolute(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(reverse(name))


def _franceconnect_error(
    request: HttpRequest, error: FranceConnectError, *, retry_url: str | None
) -> HttpResponse:
    logger.warning("FranceConnect : connexion refusée (%s)", error.code)
    context = {"title": "Connexion FranceConnect impossible", "error": error, "retry": retry_url}
    return render(request, "mandats/franceconnect_error.html", context, status=error.status)


@never_cache
@require_safe
def franceconnect_callback(request: HttpRequest) -> HttpResponse:
    """FranceConnect's answer, for the wizard or for the usager space (told by the state)."""
    try:
        pending = franceconnect.claim_state(request)
    except FranceConnectError as error:
        return _franceconnect_error(request, error, retry_url=None)
    if pending.purpose == PURPOSE_MANDAT:
        handle, retry = _usager_identified_for_mandat, "mandats:mandat-new-franceconnect"
    else:
        handle, retry = _usager_logged_in, "mandats:usager-login"
    try:
        return handle(request, pending)
    except FranceConnectError as error:
        return _franceconnect_error(request, error, retry_url=reverse(retry))


def _usager_identified_for_mandat(request: HttpRequest, pending: PendingLogin) -> HttpResponse:
    # Checked before FranceConnect is asked for the identity: the aidant who started the login
    # finishes it, on the wizard it started from.
    if not request.user.is_authenticated or request.user.pk != pending.context.get("aidant_id"):
        raise FranceConnectError(
            "mandat_aidant",
            "Cette connexion FranceConnect a été lancée depuis un autre compte d'aidant.",
            "Connectez-vous avec votre compte, puis reprenez le nouveau mandat.",
        )
    habilitation = _habilitation_for_new_mandat(request)
    choice = _wizard_choice(request, habilitation)
    if choice is None or habilitation.pk != pending.context.get("organisation_id"):
        raise FranceConnectError(
            "mandat_wizard",
            "Le nouveau mandat a été modifié ou abandonné pendant la connexion FranceConnect.",
            "Reprenez le nouveau mandat à sa première étape.",
            status=400,
        )
    identity = franceconnect.complete_login(request, pending)
    usager = _usager_from(identity, by=request.user, organisation=habilitation.structure)
    identified = {"usager_id": usager.pk, "identified_at": timezone.now().timestamp()}
    request.session[WIZARD_SESSION_KEY] = {**choice, **identified}
    return redirect("mandats:mandat-new-confirm")


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


# --- Usager space -----------------------------------------------------------------------------


def _usager_logged_in(request: HttpRequest, pending: PendingLogin) -> HttpResponse:
    identity = franceconnect.complete_login(request, pending)
    usager = Usager.objects.filter(sub_hash=Usager.hash_sub(identity.sub)).first()
    if usager is not None:
        # A known usager: their identity (and the retention clock) is refreshed. Someone with no
        # mandate is not recorded at all: there is nothing of theirs to keep.
        usager = _usager_from(identity)
    request.session.cycle_key()  # a login: a new session key, against session fixation
    request.session[USAGER_SESSION_KEY] = {
        "usager_id": usager.pk if usager else None,
        "name": usager.full_name if usager else _display_name(identity.claims),
        "id_token": identity.id_token,
        "expires_at": (timezone.now() + USAGER_SESSION_LIFETIME).timestamp(),
    }
    return redirect("mandats:usager-space")


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
                redirect_uri=_absolute(request, "mandats:franceconnect-callback"),
                purpose=PURPOSE_USAGER,
                context={},
            )
        except FranceConnectError as error:
            return _franceconnect_error(request, error, retry_url=request.path)
    if _usager_session(request) is not None:
        return redirect("mandats:usager-space")
    return render(request, "mandats/usager_login.html", {"title": "Mon espace usager"})


@never_cache
@usager_required
def usager_space(request: HttpRequest, session: dict) -> HttpResponse:
    mandats = _own_mandats(session["usager_id"])
    context = {
        "title": "Mes mandats",
        "name": session["name"],
        "active": [mandat for mandat in mandats if mandat.is_active()],
        "past": [mandat for mandat in mandats if not mandat.is_active()],
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
            _refusal(request, exc)
        else:
            label = autorisation.get_demarche_display()
            messages.success(request, f"Votre autorisation « {label} » est révoquée.")
        return redirect("mandats:usager-space")
    context = {
        "title": "Révoquer une autorisation",
        "question": (
            f"Révoquer l'autorisation « {autorisation.get_demarche_display()} » donnée à "
            f"{autorisation.mandat.organisation.name} ?"
        ),
        "consequence": (
            "Ses aidants ne pourront plus faire cette démarche pour vous. Les autres "
            "autorisations du mandat restent valables."
        ),
        "button": "Révoquer l'autorisation",
    }
    return render(request, "mandats/usager_revoke.html", context)


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
            _refusal(request, exc)
        else:
            messages.success(request, f"Votre {mandat} est révoqué.")
        return redirect("mandats:usager-space")
    context = {
        "title": "Révoquer un mandat",
        "question": f"Révoquer votre {mandat} avec {mandat.organisation.name} ?",
        "consequence": "Ses aidants ne pourront plus faire aucune démarche pour vous.",
        "button": "Révoquer le mandat",
    }
    return render(request, "mandats/usager_revoke.html", context)


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
            post_logout_redirect_uri=_absolute(request, "mandats:franceconnect-logout-callback"),
        )
    except FranceConnectError as error:
        return _franceconnect_error(request, error, retry_url=None)


@otp_exempt
@never_cache
@require_safe
def franceconnect_logout_callback(request: HttpRequest) -> HttpResponse:
    try:
        franceconnect.finish_logout(request)
    except FranceConnectError as error:
        return _franceconnect_error(request, error, retry_url=None)
    messages.success(request, "Vous êtes déconnecté de FranceConnect.")
    return redirect("mandats:usager-login")


# --- Référent ---------------------------------------------------------------------------------


def _referent_organisation(request: HttpRequest, pk: int) -> HabilitatedOrganisation:
    if not request.user.scope.has_structure_role(pk, Role.REFERENT):
        raise PermissionDenied("Cet espace est réservé au référent de l'organisation.")
    return get_object_or_404(HabilitatedOrganisation.objects.select_related("structure"), pk=pk)


@login_required
def referent_index(request: HttpRequest) -> HttpResponse:
    referent_of = request.user.scope.structure_ids(Role.REFERENT)
    if not referent_of:
        raise PermissionDenied("Cet espace est réservé aux référents Aidants Connect.")
    current = selectors.current_organisation(request.user)
    pk = current.pk if current and current.pk in referent_of else min(referent_of)
    return redirect("mandats:referent-organisation", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def referent_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = AllowedDemarchesForm(
        _posted(request), initial={"demarches": habilitation.allowed_demarches}
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_update_demarches(
            organisation=habilitation, demarches=form.cleaned_data["demarches"], by=request.user
        )
        messages.success(request, "Les démarches autorisées sont enregistrées.")
        return redirect("mandats:referent-organisation", pk=pk)
    context = {
        "title": f"Espace référent – {habilitation.structure}",
        "organisation": habilitation.structure,
        "aidants": selectors.organisation_aidants(habilitation.structure),
        "habilitation_requests": selectors.organisation_habilitation_requests(
            habilitation.structure
        ),
        "demarches_form": form,
    }
    return render(request, "mandats/referent_organisation.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def habilitation_request_new(request: HttpRequest, pk: int) -> HttpResponse:
    habilitation = _referent_organisation(request, pk)
    form = HabilitationRequestForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.habilitation_request_submit(
                organisation=habilitation, by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "La demande d'habilitation est transmise à l'ANCT.")
            return redirect("mandats:referent-organisation", pk=pk)
    context = {
        "title": "Demander l'habilitation d'un aidant",
        "organisation": habilitation.structure,
        "form": form,
    }
    return render(request, "mandats/habilitation_request_new.html", context)


# --- ANCT -------------------------------------------------------------------------------------


def _require_anct(request: HttpRequest) -> None:
    if not request.user.is_anct:
        raise PermissionDenied("Cette page est réservée aux agents de l'ANCT.")


@login_required
def habilitation_decisions(request: HttpRequest) -> HttpResponse:
    _require_anct(request)
    page = Paginator(selectors.pending_habilitation_requests(), 50).get_page(
        request.GET.get("page")
    )
    context = {"title": "Demandes d'habilitation à décider", "page": page}
    return render(request, "mandats/habilitation_decisions.html", context)


@login_required
@require_POST
def habilitation_validate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_anct(request)
    habilitation_request = get_object_or_404(HabilitationRequest, pk=pk)
    try:
        services.habilitation_request_validate(
            habilitation_request=habilitation_request, by=request.user
        )
    except ValidationError as exc:
        _refusal(request, exc)
    else:
        messages.success(request, f"L'habilitation de {habilitation_request.email} est validée.")
    return redirect("mandats:habilitation-decisions")


@login_required
@require_http_methods(["GET", "POST"])
def habilitation_refuse(request: HttpRequest, pk: int) -> HttpResponse:
    _require_anct(request)
    habilitation_request = get_object_or_404(
        HabilitationRequest, pk=pk, status=HabilitationStatus.SUBMITTED
    )
    form = HabilitationRefuseForm(_posted(request))
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
    context = {
        "title": "Refuser une demande d'habilitation",
        "habilitation_request": habilitation_request,
        "form": form,
    }
    return render(request, "mandats/habilitation_refuse.html", context)
