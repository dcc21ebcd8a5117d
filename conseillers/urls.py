from django.urls import include, path

from conseillers import views

app_name = "conseillers"

urlpatterns = [
    path("candidatures/", views.candidature_list, name="candidature-list"),
    path("candidatures/nouvelle/", views.candidature_create, name="candidature-create"),
    path("candidatures/<int:pk>/", views.candidature_detail, name="candidature-detail"),
    path(
        "candidatures/<int:pk>/<slug:action>/", views.candidature_action, name="candidature-action"
    ),
    path("candidats/inscription/", views.candidat_register, name="candidat-register"),
    path("candidats/<int:pk>/cv/", views.candidat_cv, name="candidat-cv"),
    path("mon-parcours/", views.my_career, name="my-career"),
    path("recrutement/", views.recruitment, name="recruitment"),
    path(
        "recrutement/<int:structure_pk>/candidats/<int:candidat_pk>/interet/",
        views.candidat_interest,
        name="candidat-interest",
    ),
    path(
        "recrutement/<int:structure_pk>/actualiser/",
        views.proposals_refresh_view,
        name="proposals-refresh",
    ),
    path("mises-en-relation/", views.match_list, name="match-list"),
    path("mises-en-relation/<int:pk>/", views.match_detail, name="match-detail"),
    path("mises-en-relation/<int:pk>/<slug:action>/", views.match_action, name="match-action"),
    path("enveloppes/", views.envelopes, name="envelopes"),
    path("enveloppes/proposition/", views.envelope_proposal, name="envelope-proposal"),
    path("enveloppes/appliquer/", views.envelope_apply, name="envelope-apply"),
    path("enveloppes/redistribution/", views.redistribution, name="redistribution"),
    path("tableau-de-bord/", include("conseillers.dashboard.urls")),
    path("subventions/", include("conseillers.subsidy.urls")),
    path("activite/", include("conseillers.activity.urls")),
    path("prolongations/", include("conseillers.extensions.urls")),
    path("avenants/", include("conseillers.amendments.urls")),
    path("coordination/", include("conseillers.coordination.urls")),
]
