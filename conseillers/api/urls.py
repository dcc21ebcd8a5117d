from rest_framework.routers import DefaultRouter

from conseillers.api import views
from conseillers.subsidy import api as subsidy_api

router = DefaultRouter()
router.register("candidatures", views.CandidatureViewSet, basename="candidature")
router.register("enveloppes", views.EnvelopeViewSet, basename="enveloppe")
router.register("candidats", views.CandidatViewSet, basename="candidat")
router.register("mises-en-relation", views.MatchViewSet, basename="mise-en-relation")
router.register("smic", views.SmicRateViewSet, basename="smic")
router.register("formations", views.TrainingViewSet, basename="formation")

urlpatterns = router.urls + subsidy_api.urlpatterns
