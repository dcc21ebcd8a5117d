"""The statistics page: a perimeter, a period, the figures with their charts and tables."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from core.http import AuthenticatedHttpRequest

from .access import perimeter_for, perimeters_for
from .beat import FIGURES_REFRESH_MINUTES
from .charts import bar_chart, column_chart, share
from .forms import StatsForm
from .opendata import SECRET_THRESHOLD
from .period import default_period
from .selectors import Stats, activity_stats

NO_PERIMETER = (
    "Les statistiques d'activité sont réservées aux conseillers numériques, aux gestionnaires "
    "de structure, aux préfectures et à l'ANCT."
)


@login_required
@require_GET
def stats_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    options = perimeters_for(user)
    if not options:
        raise PermissionDenied(NO_PERIMETER)
    default = default_period(today)
    data = {
        "perimetre": request.GET.get("perimetre") or options[0].token,
        "du": request.GET.get("du") or default.start.isoformat(),
        "au": request.GET.get("au") or default.end.isoformat(),
    }
    wanted = perimeter_for(user, data["perimetre"])  # 403 out of reach, before any figure
    if wanted not in options:
        options.append(wanted)  # ANCT may name any structure or conseiller by its link
    form = StatsForm(data, perimeters=options, today=today)
    stats = activity_stats(wanted, form.period) if form.is_valid() else None
    context = {
        "title": "Statistiques d'activité",
        "form": form,
        "stats": stats,
        "charts": _charts(stats) if stats else None,
        "refresh_minutes": FIGURES_REFRESH_MINUTES,
        "secret_threshold": SECRET_THRESHOLD,
    }
    return render(
        request, "conseillers/activity/stats/page.html", context, status=200 if stats else 400
    )


def _charts(stats: Stats) -> dict:
    total = stats.total
    points = [(day, figures.activities) for day, figures in stats.series]
    return {
        "series": column_chart(
            "serie",
            f"Accompagnements par {'jour' if stats.period.by_day else 'mois'}",
            points,
            by_day=stats.period.by_day,
        ),
        "series_rows": [
            {
                "day": day,
                "activities": f.activities,
                "people": f.people,
                "hours": f.duration_minutes / 60,
            }
            for day, f in stats.series
        ],
        "distributions": [
            bar_chart("themes", "Accompagnements par thème", stats.themes, "accompagnements"),
            bar_chart("lieux", "Accompagnements par type de lieu", stats.places, "accompagnements"),
            bar_chart(
                "autonomie",
                "Autonomie des personnes accompagnées individuellement",
                stats.autonomy,
                "accompagnements individuels",
            ),
        ],
        "kinds": [
            (
                "Accompagnements individuels",
                total.individual,
                share(total.individual, total.activities),
            ),
            ("Ateliers collectifs", total.collective, share(total.collective, total.activities)),
        ],
    }
