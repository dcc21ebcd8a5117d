from django.urls import path

from . import views

# Included under the "conseillers" namespace, at /conseillers/tableau-de-bord/.
urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("departements/<str:code>/", views.departement, name="dashboard-departement"),
    path("regions/<str:code>/", views.region, name="dashboard-region"),
    path("tableau.csv", views.table_csv, name="dashboard-csv"),
    path(
        "donnees-ouvertes/repartition.csv",
        views.opendata_csv,
        name="dashboard-opendata-csv",
    ),
    path(
        "donnees-ouvertes/repartition.json",
        views.opendata_json,
        name="dashboard-opendata-json",
    ),
    path(
        "donnees-ouvertes/schema.json",
        views.opendata_schema,
        name="dashboard-opendata-schema",
    ),
]
