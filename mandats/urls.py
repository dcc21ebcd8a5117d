from django.urls import include, path

from mandats import views

app_name = "mandats"

urlpatterns = [
    path("", views.index, name="index"),
    path("attestations/", include("mandats.attestation_urls")),
    path("securite/activation/", views.totp_setup, name="totp-setup"),
    path("securite/code/", views.totp_verify, name="totp-verify"),
    path("usagers/", views.usager_list, name="usager-list"),
    path("usagers/<int:pk>/", views.usager_detail, name="usager-detail"),
    path("autorisations/<int:pk>/revoquer/", views.autorisation_revoke, name="autorisation-revoke"),
    path("mandats/<int:pk>/revoquer/", views.mandat_revoke, name="mandat-revoke"),
    path("mandats/<int:pk>/renouveler/", views.mandat_renew, name="mandat-renew"),
    path("nouveau-mandat/", views.mandat_new, name="mandat-new"),
    path(
        "nouveau-mandat/franceconnect/",
        views.mandat_new_franceconnect,
        name="mandat-new-franceconnect",
    ),
    path("nouveau-mandat/recapitulatif/", views.mandat_new_confirm, name="mandat-new-confirm"),
    # The URLs registered with FranceConnect: one callback for the wizard and the usager space.
    path("franceconnect/callback/", views.franceconnect_callback, name="franceconnect-callback"),
    path(
        "franceconnect/logout-callback/",
        views.franceconnect_logout_callback,
        name="franceconnect-logout-callback",
    ),
    path("usager/", views.usager_space, name="usager-space"),
    path("usager/connexion/", views.usager_login, name="usager-login"),
    path("usager/deconnexion/", views.usager_logout, name="usager-logout"),
    path(
        "usager/autorisations/<int:pk>/revoquer/",
        views.usager_autorisation_revoke,
        name="usager-autorisation-revoke",
    ),
    path(
        "usager/mandats/<int:pk>/revoquer/",
        views.usager_mandat_revoke,
        name="usager-mandat-revoke",
    ),
    path("organisation/", views.organisation_switch, name="organisation-switch"),
    path("referent/", views.referent_index, name="referent-index"),
    path("referent/<int:pk>/", views.referent_organisation, name="referent-organisation"),
    path(
        "referent/<int:pk>/habilitations/nouvelle/",
        views.habilitation_request_new,
        name="habilitation-request-new",
    ),
    path("habilitations/", views.habilitation_decisions, name="habilitation-decisions"),
    path(
        "habilitations/<int:pk>/valider/",
        views.habilitation_validate,
        name="habilitation-validate",
    ),
    path("habilitations/<int:pk>/refuser/", views.habilitation_refuse, name="habilitation-refuse"),
]
