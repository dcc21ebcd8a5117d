"""Pages of the activity reports: the conseiller records, lists, edits and imports; the employer
declares absences. Every right is read from `Activity.get_abilities` or `RecruitmentActivity`.

The recording page works as a plain form (POST, redirect, message); a small script posts the same
form with `fetch` and asks for JSON (`Accept: application/json`), so the page stays in place and
the next record starts with the same defaults.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from conseillers.activity import csv_import, selectors, services
from conseillers.activity.abilities import NOT_EMPLOYER, RecruitmentActivity
from conseillers.activity.forms import (
    COLLECTIVE_FIELDS,
    INDIVIDUAL_FIELDS,
    ActivityForm,
    ExemptionForm,
    ImportForm,
    initial_from,
    initial_of,
)
from conseillers.activity.models import Activity, ReminderExemption, edit_deadline
from conseillers.models import OCCUPYING, Match
from core.confirm import Confirmation, render_confirmation
from core.forms import DsfrForm
from core.http import AuthenticatedHttpRequest
from core.models import Role
from core.plurals import count_fr

NOT_IN_POST = "Cette page est réservée aux conseillers numériques en poste."
DELETE = Confirmation(
    label="Supprimer le compte rendu",
    consequence="Le compte rendu sera supprimé : il ne comptera plus dans votre activité.",
)


def _match_or_refuse(request: AuthenticatedHttpRequest) -> Match:
    match = selectors.current_match(request.user)
    if match is None:
        raise PermissionDenied(NOT_IN_POST)
    return match


def _wants_json(request: AuthenticatedHttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _month(request: AuthenticatedHttpRequest, today: datetime.date) -> datetime.date:
    try:
        return datetime.datetime.strptime(request.GET.get("mois", ""), "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


@login_required
@require_http_methods(["GET", "POST"])
def activity_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    match = _match_or_refuse(request)
    today = timezone.localdate()
    themes = selectors.active_themes()
    if request.method == "POST":
        form = ActivityForm(request.POST, themes=themes, lieux=selectors.lieux_for(match))
        if form.is_valid():
            try:
                activity = services.activity_record(
                    match=match,
                    by=request.user,
                    themes=form.cleaned_data["themes"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                return _recorded(request, activity)
        if _wants_json(request):
            return JsonResponse({"form": _render_fields(request, form)}, status=400)
    else:
        form = ActivityForm(
            initial=initial_from(selectors.last_activity(match), today),
            themes=themes,
            lieux=selectors.lieux_for(match),
        )
        # The usual path: type the duration (or keep the last one) and press Enter.
        form.fields["duration_minutes"].widget.attrs["autofocus"] = True
    return _home_page(request, match, form, today)


def _recorded(request: AuthenticatedHttpRequest, activity: Activity) -> HttpResponse:
    message = _recorded_message(activity)
    if _wants_json(request):
        return JsonResponse({"message": message, "id": activity.pk}, status=201)
    messages.success(request, message)
    return redirect("conseillers:activity")


def _recorded_message(activity: Activity) -> str:
    what = "Accompagnement" if activity.kind == "individuel" else "Atelier"
    return f"{what} du {activity.date:%d/%m/%Y} enregistré ({activity.duration_minutes} min)."


def _render_fields(request: AuthenticatedHttpRequest, form: ActivityForm) -> str:
    return render_to_string(
        "conseillers/activity/_form_fields.html",
        {
            "form": form,
            "individual_fields": INDIVIDUAL_FIELDS,
            "collective_fields": COLLECTIVE_FIELDS,
        },
        request=request,
    )


def _home_page(
    request: AuthenticatedHttpRequest, match: Match, form: ActivityForm, today: datetime.date
) -> HttpResponse:
    month = _month(request, today)
    next_month = (month + datetime.timedelta(days=32)).replace(day=1)
    activities = list(selectors.activities_of(match).filter(date__gte=month, date__lt=next_month))
    rows = [(activity, activity.get_abilities(request.user)) for activity in activities]
    return render(
        request,
        "conseillers/activity/home.html",
        {
            "title": f"{'Erreur : ' if form.errors else ''}Mon activité",
            "form": form,
            "individual_fields": INDIVIDUAL_FIELDS,
            "collective_fields": COLLECTIVE_FIELDS,
            "match": match,
            "rows": rows,
            "month": month,
            "previous_month": (month - datetime.timedelta(days=1)).replace(day=1),
            "next_month": next_month if next_month <= today else None,
            "summary": count_fr(len(activities), "compte rendu", "comptes rendus"),
            "time": _hours(sum(activity.duration_minutes for activity in activities)),
            "deadline": edit_deadline(month),
        },
        status=400 if form.errors else 200,
    )


def _hours(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest:02d}" if hours else f"{rest} min"


def _activity(request: AuthenticatedHttpRequest, pk: int) -> Activity:
    try:
        return selectors.activity_for_change(pk, request.user)
    except Activity.DoesNotExist:
        raise Http404("Ce compte rendu n'existe pas.") from None


def _back(request: AuthenticatedHttpRequest, activity: Activity) -> str:
    """The conseiller's month; a manager (who may correct for their tool) has no such page."""
    if activity.match.candidat.user_id == request.user.pk:
        return f"{reverse('conseillers:activity')}?mois={activity.date:%Y-%m}"
    return reverse("core:home")


def _refuse_change(activity: Activity, request: AuthenticatedHttpRequest, ability: str) -> None:
    if activity.get_abilities(request.user)[ability]:
        return
    if activity.is_locked():
        raise PermissionDenied(services.locked_message(activity.date))
    raise PermissionDenied("Vous ne pouvez pas modifier ce compte rendu.")


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _refuse_change(activity, request, "update")
    themes = selectors.active_themes()
    lieux = selectors.lieux_for(activity.match, keep=activity)
    if request.method == "POST":
        form = ActivityForm(request.POST, themes=themes, lieux=lieux)
        if form.is_valid():
            try:
                services.activity_update(
                    activity=activity,
                    by=request.user,
                    themes=form.cleaned_data["themes"],
                    **form.service_fields(),
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, "Compte rendu modifié.")
                return redirect(_back(request, activity))
    else:
        form = ActivityForm(initial=initial_of(activity), themes=themes, lieux=lieux)
    return render(
        request,
        "conseillers/activity/edit.html",
        {
            "title": f"{'Erreur : ' if form.errors else ''}Modifier le compte rendu du"
            f" {activity.date:%d/%m/%Y}",
            "activity": activity,
            "back_url": _back(request, activity),
            "form": form,
            "individual_fields": INDIVIDUAL_FIELDS,
            "collective_fields": COLLECTIVE_FIELDS,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity(request, pk)
    _refuse_change(activity, request, "delete")
    back = _back(request, activity)
    if request.method == "POST":
        services.activity_delete(activity=activity, by=request.user)
        messages.success(request, f"Compte rendu du {activity.date:%d/%m/%Y} supprimé.")
        return redirect(back)
    return render_confirmation(
        request, confirmation=DELETE, form=DsfrForm(), subject=str(activity), back_url=back
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    match = _match_or_refuse(request)
    errors: list[csv_import.ImportError_] = []
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                written = csv_import.activities_import(
                    match=match, file=form.cleaned_data["file"], by=request.user
                )
            except csv_import.ImportInvalid as invalid:
                errors = invalid.errors
            else:
                messages.success(
                    request,
                    f"{count_fr(len(written), 'compte rendu importé', 'comptes rendus importés')}.",
                )
                return redirect("conseillers:activity")
    else:
        form = ImportForm()
    return render(
        request,
        "conseillers/activity/import.html",
        {
            "title": f"{'Erreur : ' if errors or form.errors else ''}Importer des comptes rendus",
            "form": form,
            "errors": errors,
            "columns": csv_import.COLUMNS,
            "themes": selectors.active_themes(),
            "lieux": selectors.lieux_for(match),
        },
        status=400 if errors or form.errors else 200,
    )


@login_required
def activity_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    _match_or_refuse(request)
    response = HttpResponse(csv_import.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="modele-comptes-rendus.csv"'
    return response


# --- Absences declared by the employer -----------------------------------------------------------


def _managed_matches(request: AuthenticatedHttpRequest) -> list[Match]:
    structure_ids = request.user.scope.structure_ids(Role.GESTIONNAIRE)
    if not structure_ids:
        raise PermissionDenied(NOT_EMPLOYER)
    return list(
        Match.objects.filter(structure_id__in=structure_ids, state__in=OCCUPYING)
        .select_related(*selectors.MATCH_RELATED)
        .order_by("candidat__last_name", "candidat__first_name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemptions(request: AuthenticatedHttpRequest) -> HttpResponse:
    matches = _managed_matches(request)
    form = ExemptionForm(request.POST or None, matches=matches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        match = next(m for m in matches if m.pk == data["match"].pk)
        try:
            services.exemption_declare(
                match=match,
                start=data["start"],
                end=data["end"],
                motive=data["motive"],
                by=request.user,
            )
        except ValidationError as error:
            for name, found in error.message_dict.items():
                form.add_error(name if name in form.fields else None, found)
        else:
            messages.success(request, f"Absence de {match.candidat} enregistrée.")
            return redirect("conseillers:activity-exemptions")
    declared = (
        ReminderExemption.objects.filter(match__in=matches)
        .select_related("match__candidat")
        .order_by("-start")
    )
    return render(
        request,
        "conseillers/activity/exemptions.html",
        {
            "title": f"{'Erreur : ' if form.errors else ''}Absences des conseillers",
            "form": form,
            "matches": matches,
            "exemptions": declared,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def exemption_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    exemption = (
        ReminderExemption.objects.select_related("match__candidat", "match__structure")
        .filter(pk=pk)
        .first()
    )
    if (
        exemption is None
        or not RecruitmentActivity(exemption.match).get_abilities(request.user)["exempt"]
    ):
        raise Http404("Cette absence n'existe pas.")
    services.exemption_delete(exemption=exemption, by=request.user)
    messages.success(request, "Absence supprimée.")
    return redirect("conseillers:activity-exemptions")
