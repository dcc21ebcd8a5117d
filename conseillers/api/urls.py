from django.urls import include, path
from rest_framework.routers import DefaultRouter

from conseillers.api import views

router = DefaultRouter()
router.register("candidatures", views.CandidatureViewSet, basename="candidature")
router.register("enveloppes", views.EnvelopeViewSet, basename="enveloppe")
router.register("candidats", views.CandidatViewSet, basename="candidat")
router.register("mises-en-relation", views.MatchViewSet, basename="mise-en-relation")
router.register("postes", views.PostViewSet, basename="poste")
router.register("smic", views.SmicRateViewSet, basename="smic")
router.register("formations", views.TrainingViewSet, basename="formation")

# The subsidy, the activity reports and the contract extensions depend on the programme, never
# the reverse: their APIs are included by name.
urlpatterns = [
    *router.urls,
    path("", include("conseillers.subsidy.api")),
    path("", include("conseillers.coordination.api")),
    # The figures first: their paths sit under the records' prefix, which would take
    # "statistiques" for a record's id.
    path("activites/", include("conseillers.activity.stats.api")),
    path("", include("conseillers.activity.api")),
    path("", include("conseillers.extensions.api")),
    path("", include("conseillers.amendments.api")),
]
