from django.urls import include, path

app_name = "conseillers"

urlpatterns = [
    path("tableau-de-bord/", include("conseillers.dashboard.urls")),
]
