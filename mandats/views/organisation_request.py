"""An organisation's request to be habilitated: the public form, the requester's page (reached by
the link sent to the confirmed address) and the ANCT's pages to instruct it."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from core.client_address import client_ip
from core.http import AuthenticatedHttpRequest
from mandats import organisations, request_limits
from mandats.abilities import organisation_request_abilities
from mandats.forms import (
    MessageForm,
    OrganisationRequestChangesForm,
    OrganisationRequestForm,
    ReasonForm,
    ResendLinkForm,
    aidants_text,
)
from mandats.middleware import otp_exempt
from mandats.models import OrganisationRequest, OrganisationRequestStatus
from mandats.request_limits import Limited
from mandats.views.common import posted, show_refusal

REQUESTS_PER_PAGE = 50


# A field people never see (the `hidden` attribute) that form-filling robots fill in.
HONEYPOT = "site_internet"


@otp_exempt
@require_http_methods(["GET", "POST"])
def organisation_request_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationRequestForm(posted(request))
    address = client_ip(request)
    limited: Limited | None = None
    if request.method == "POST" and request.POST.get(HONEYPOT):
        # A robot: answered as if sent, so that it learns nothing; it still counts.
        with suppress(Limited):
            request_limits.consume(request_limits.SUBMISSIONS_PER_ADDRESS, address)
        return _sent(request, email=request.POST.get("referent_email", ""))
    if request.method == "POST" and form.is_valid():
        try:
            organisations.organisation_request_submit(**form.cleaned_data, client_address=address)
        except Limited as exc:
            limited = exc
            form.add_error(None, exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _sent(request, email=form.cleaned_data["referent_email"])
    context = {
        "title": f"{'Erreur : ' if form.errors else ''}Demander l'habilitation d'une organisation",
        "form": form,
        "honeypot": HONEYPOT,
    }
    status = 429 if limited else 400 if form.errors else 200
    response = render(request, "mandats/organisation_request_new.html", context, status=status)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


def _sent(request: HttpRequest, *, email: str) -> HttpResponse:
    context = {
        "title": "Demande envoyée",
        "email": email,
        "unconfirmed_days": settings.ORGANISATION_REQUEST_UNCONFIRMED_DAYS,
    }
    return render(request, "mandats/organisation_request_sent.html", context)


@otp_exempt
@require_http_methods(["GET", "POST"])
def organisation_request_resend_link(request: HttpRequest) -> HttpResponse:
    """The same answer whether the address has a request waiting or not."""
    form = ResendLinkForm(posted(request))
    limited: Limited | None = None
    if request.method == "POST" and form.is_valid():
        try:
            organisations.organisation_request_resend_link(
                email=form.cleaned_data["email"], client_address=client_ip(request)
            )
        except Limited as exc:
            limited = exc
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Si une demande attend la confirmation de cette adresse, un nouveau lien vient "
                "d'y être envoyé.",
            )
            return redirect("mandats:organisation-request-resend-link")
    context = {
        "title": f"{'Erreur : ' if form.errors else ''}Recevoir de nouveau le lien de confirmation",
        "form": form,
    }
    status = 429 if limited else 400 if form.errors else 200
    response = render(request, "mandats/organisation_request_resend.html", context, status=status)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


@otp_exempt
@require_http_methods(["GET", "POST"])
def organisation_request_page(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link confirms the address; while the ANCT asks for modifications, the page
    holds the form to make them."""
    organisation_request = organisations.request_from_link(token)
    if organisation_request is None:
        raise Http404("Ce lien n'est plus valable.")
    if organisations.organisation_request_confirm_email(request=organisation_request):
        messages.success(request, "Votre adresse est confirmée : l'ANCT va examiner la demande.")
    asked = organisation_request.status == OrganisationRequestStatus.CHANGES_REQUESTED
    form = None
    if asked:
        initial = {name: getattr(organisation_request, name) for name in _CHANGEABLE}
        initial["aidants"] = aidants_text(organisation_request.aidants)
        form = OrganisationRequestChangesForm(posted(request), initial=initial)
        if request.method == "POST" and form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k != "message"}
            try:
                organisations.organisation_request_submit_changes(
                    request=organisation_request,
                    changes=changes,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Vos modifications sont transmises à l'ANCT.")
                return redirect("mandats:organisation-request-page", token=token)
    context = {
        "title": f"Demande d'habilitation – {organisation_request.name}",
        "organisation_request": organisation_request,
        "messages_list": organisation_request.messages.order_by("created_at", "pk"),
        "form": form,
    }
    return render(request, "mandats/organisation_request_page.html", context)


_CHANGEABLE = (
    "name",
    "type",
    "address",
    "referent_first_name",
    "referent_last_name",
    "referent_phone",
    "demarches",
)


def _require_anct(request: AuthenticatedHttpRequest) -> None:
    if not organisation_request_abilities(request.user)["view"]:
        raise PermissionDenied("Cette page est réservée aux agents de l'ANCT.")


@login_required
def organisation_requests(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_anct(request)
    rows = OrganisationRequest.objects.select_related("departement").order_by("-created_at", "-pk")
    page = Paginator(rows, REQUESTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"title": "Demandes d'habilitation des organisations", "page": page}
    return render(request, "mandats/organisation_requests.html", context)


@login_required
def organisation_request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    _require_anct(request)
    organisation_request = get_object_or_404(OrganisationRequest, pk=pk)
    context = {
        "title": f"Demande de {organisation_request.name}",
        "organisation_request": organisation_request,
        "messages_list": organisation_request.messages.select_related("author"),
        "transitions": [
            {
                "at": t.at,
                "who": "Le demandeur" if t.system == organisations.REQUESTER else t.actor_label,
                "from": _state_label(t.from_state),
                "to": _state_label(t.to_state),
                "reason": t.reason,
            }
            for t in organisation_request.transitions.select_related("by")
        ],
        "message_form": MessageForm(auto_id="id_message_%s"),
        "reason_form": ReasonForm(auto_id="id_reason_%s", prefix="motif"),
        # Its own ids: shown beside the refusal's form while the request is instructed.
        "close_form": ReasonForm(auto_id="id_close_%s", prefix="clore"),
        "states": OrganisationRequestStatus,
    }
    return render(request, "mandats/organisation_request_detail.html", context)


def _state_label(value: str) -> str:
    return OrganisationRequestStatus(value).label if value else "—"


def _with_message(service: Callable[..., OrganisationRequest], key: str) -> Callable:
    def run(organisation_request: OrganisationRequest, request: AuthenticatedHttpRequest) -> None:
        posted = request.POST
        text = posted.get("message") or posted.get("motif-message") or posted.get("clore-message")
        service(request=organisation_request, by=request.user, **{key: text or ""})

    return run


_ACTIONS: dict[str, tuple[Callable, str]] = {
    "instruire": (
        lambda r, req: organisations.organisation_request_instruct(request=r, by=req.user),
        "La demande est en instruction.",
    ),
    "modifications": (
        _with_message(organisations.organisation_request_ask_changes, "message"),
        "Les modifications sont demandées au demandeur.",
    ),
    "valider": (
        lambda r, req: organisations.organisation_request_validate(request=r, by=req.user),
        "La demande est validée : l'organisation, son référent et les demandes des aidants "
        "sont créés.",
    ),
    "refuser": (
        _with_message(organisations.organisation_request_refuse, "reason"),
        "La demande est refusée.",
    ),
    "clore": (
        _with_message(organisations.organisation_request_close, "reason"),
        "La demande est close.",
    ),
}


@login_required
@require_POST
def organisation_request_act(
    request: AuthenticatedHttpRequest, pk: int, action: str
) -> HttpResponse:
    _require_anct(request)
    if action not in _ACTIONS:
        raise Http404("Action inconnue.")
    organisation_request = get_object_or_404(OrganisationRequest, pk=pk)
    run, done = _ACTIONS[action]
    try:
        run(organisation_request, request)
    except ValidationError as exc:
        show_refusal(request, exc)
    else:
        messages.success(request, done)
    return redirect("mandats:organisation-request-detail", pk=pk)
