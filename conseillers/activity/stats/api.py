"""The API of the activity figures: the statistics of a perimeter (the page's figures), and the
open data per département and month (public, CSV or JSON, with its Table Schema). Included from
conseillers/api/urls.py under "activites/"."""

from __future__ import annotations

import csv
from typing import Any

from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from conseillers.api.views import errors
from core.api.filters import check_query_parameters
from core.http import AuthenticatedRequest

from .access import perimeter_for
from .models import FiguresRefresh
from .opendata import NAME, SCHEMA_VERSION, csv_lines, records, table_schema
from .period import default_period, period_errors
from .selectors import Figures, Period, Stats, activity_stats

TAGS = ["Conseillers numériques : activité"]


class StatsQuerySerializer(serializers.Serializer):
    perimetre = serializers.CharField(
        help_text="`national`, `region-<code>`, `departement-<code>`, `structure-<id>` ou "
        "`conseiller-<id de la mise en relation>`."
    )
    du = serializers.DateField(required=False, help_text="Début (AAAA-MM-JJ), inclus.")
    au = serializers.DateField(required=False, help_text="Fin (AAAA-MM-JJ), incluse.")

    def validate(self, data: dict) -> dict:
        today = timezone.localdate()
        default = default_period(today)
        data.setdefault("du", default.start)
        data.setdefault("au", default.end)
        if found := period_errors(data["du"], data["au"], today):
            raise serializers.ValidationError(found)
        return data


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "accompagnements": figures.activities,
        "accompagnements_individuels": figures.individual,
        "ateliers_collectifs": figures.collective,
        "personnes_accompagnees": figures.people,
        "duree_minutes": figures.duration_minutes,
        "reorientations": figures.redirected,
    }


def stats_body(stats: Stats) -> dict[str, Any]:
    return {
        "perimetre": {"code": stats.perimeter.token, "nom": stats.perimeter.label},
        "du": stats.period.start,
        "au": stats.period.end,
        "chiffres_au": stats.computed_at,
        "total": _figures(stats.total),
        "serie": {
            "pas": "jour" if stats.period.by_day else "mois",
            "points": [{"debut": day, **_figures(f)} for day, f in stats.series],
        },
        "themes": [{"theme": label, "accompagnements": n} for label, n in stats.themes],
        "lieux": [{"lieu": label, "accompagnements": n} for label, n in stats.places],
        "autonomie": [{"autonomie": label, "accompagnements": n} for label, n in stats.autonomy],
    }


class StatsView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        summary="Statistiques d'activité d'un périmètre sur une période",
        description="Les chiffres de la page « Statistiques d'activité » : accompagnements, "
        "personnes accompagnées, durée, série par jour (période de moins de 62 jours) ou par "
        "mois, répartition par thème, type de lieu et autonomie. Par défaut, les douze derniers "
        "mois. Un conseiller lit les siens, un gestionnaire ceux de ses structures et de leurs "
        "conseillers, une préfecture son territoire, l'ANCT tout. Les périmètres territoriaux "
        "sont lus dans les chiffres agrégés (`chiffres_au` dit quand) ; une structure ou un "
        "conseiller, en direct (`chiffres_au` nul).",
        parameters=[StatsQuerySerializer],
        responses={200: OpenApiTypes.OBJECT, **errors(400, 401, 403)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        check_query_parameters(request, ["perimetre", "du", "au"])
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        perimeter = perimeter_for(request.user, query.validated_data["perimetre"])
        period = Period(query.validated_data["du"], query.validated_data["au"])
        return Response(stats_body(activity_stats(perimeter, period)))


def _resources(request: Request) -> list[tuple[str, str]]:
    return [
        (
            "Export CSV",
            request.build_absolute_uri(reverse("api-conseillers:activite-opendata-csv")),
        ),
        (
            "Export JSON",
            request.build_absolute_uri(reverse("api-conseillers:activite-opendata-json")),
        ),
    ]


class OpenDataJson(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAGS,
        auth=[],
        summary="Données ouvertes : activité par département et par mois (JSON)",
        description="Public, sous Licence Ouverte 2.0. Mois clos seulement ; un département "
        "qui compte moins de 10 comptes rendus un mois donné est couvert par le secret "
        "statistique (`secret_statistique` vrai, chiffres nuls). Champs décrits par le schéma "
        "(Table Schema) publié à côté.",
        responses={200: OpenApiTypes.OBJECT, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        check_query_parameters(request, [])
        refreshed = FiguresRefresh.objects.values_list("refreshed_at", flat=True).first()
        body = {
            "schema": request.build_absolute_uri(
                reverse("api-conseillers:activite-opendata-schema")
            ),
            "version_schema": SCHEMA_VERSION,
            "date_extraction": refreshed,
            "cellules": records(timezone.localdate()),
        }
        return Response(body)


class OpenDataCsv(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAGS,
        auth=[],
        summary="Données ouvertes : activité par département et par mois (CSV)",
        description="Les mêmes cellules que l'export JSON : CSV UTF-8, séparateur virgule, une "
        "ligne d'en-tête portant le nom des champs du schéma ; une valeur absente est une "
        "cellule vide.",
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="Fichier CSV."),
            **errors(400),
        },
    )
    def get(self, request: Request) -> HttpResponse:
        check_query_parameters(request, [])
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{NAME}.csv"'
        writer = csv.writer(response, delimiter=",", lineterminator="\r\n")
        writer.writerows(csv_lines(records(timezone.localdate())))
        return response


class OpenDataSchema(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        tags=TAGS,
        auth=[],
        summary="Données ouvertes : schéma de l'activité par département (Table Schema)",
        description="Le schéma (Table Schema, frictionless data) des exports CSV et JSON : "
        "un changement de nom, de type ou de sens d'un champ en change la version majeure, "
        "l'ajout d'un champ la version mineure.",
        responses={200: OpenApiTypes.OBJECT, **errors(400)},
    )
    def get(self, request: Request) -> Response:
        check_query_parameters(request, [])
        return Response(table_schema(resources=_resources(request)))


urlpatterns = [
    path("statistiques/", StatsView.as_view(), name="activite-statistiques"),
    path("donnees-ouvertes/activite.json", OpenDataJson.as_view(), name="activite-opendata-json"),
    path("donnees-ouvertes/activite.csv", OpenDataCsv.as_view(), name="activite-opendata-csv"),
    path("donnees-ouvertes/schema.json", OpenDataSchema.as_view(), name="activite-opendata-schema"),
]
