from django.urls import include, path
from rest_framework.routers import DefaultRouter

from lieux import api

router = DefaultRouter()
router.register("", api.LieuViewSet, basename="lieu")

urlpatterns = [
    path("donnees-ouvertes/", api.OpenDataView.as_view(), name="opendata"),
    path("", include(router.urls)),
]
