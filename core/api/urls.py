from django.urls import include, path
from rest_framework.routers import DefaultRouter

from core.api import views

router = DefaultRouter()
router.register("regions", views.RegionViewSet, basename="region")
router.register("communes", views.CommuneViewSet, basename="commune")
router.register("departements", views.DepartementViewSet, basename="departement")
router.register("structures", views.StructureViewSet, basename="structure")
router.register("comptes", views.AccountViewSet, basename="compte")

urlpatterns = [
    path("moi/", views.me, name="me"),
    path("jeton/", views.ObtainTokenView.as_view(), name="token"),
    path("", include(router.urls)),
]
