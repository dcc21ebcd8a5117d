from rest_framework.routers import DefaultRouter

from mandats.api import views

router = DefaultRouter()
router.register(
    r"organisations/(?P<organisation_id>[0-9]+)/aidants", views.TeamViewSet, basename="equipe"
)
router.register("cartes", views.CarteViewSet, basename="carte")
router.register(
    "demandes-organisations", views.OrganisationRequestViewSet, basename="demande-organisation"
)

urlpatterns = router.urls
