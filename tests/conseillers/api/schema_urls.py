"""A URLconf with only the conseillers API, to check its OpenAPI schema on its own."""

from django.urls import include, path

urlpatterns = [
    path("api/conseillers/", include(("conseillers.api.urls", "api-conseillers"))),
]
