from django.urls import include, path

from mandats.views import (
    aidant,
    anct,
    cards,
    franceconnect_callback,
    organisation_request,
    referent,
    totp,
    usager_space,
    wizard,
)

app_name = "mandats"

urlpatterns = [
    path("", aidant.index, name="index"),
    path("attestations/", include("mandats.attestation_urls")),
    path("securite/activation/", totp.totp_setup, name="totp-setup"),
    path("securite/code/", totp.totp_verify, name="totp-verify"),
    path("usagers/", aidant.usager_list, name="usager-list"),
    path("usagers/<int:pk>/", aidant.usager_detail, name="usager-detail"),
    path(
        "autorisations/<int:pk>/revoquer/", aidant.autorisation_revoke, name="autorisation-revoke"
    ),
    path("mandats/<int:pk>/revoquer/", aidant.mandat_revoke, name="mandat-revoke"),
    path("mandats/<int:pk>/renouveler/", aidant.mandat_renew, name="mandat-renew"),
    path("nouveau-mandat/", wizard.mandat_new, name="mandat-new"),
    path(
        "nouveau-mandat/franceconnect/",
        wizard.mandat_new_franceconnect,
        name="mandat-new-franceconnect",
    ),
    path("nouveau-mandat/recapitulatif/", wizard.mandat_new_confirm, name="mandat-new-confirm"),
    # The URLs registered with FranceConnect: one callback for the wizard and the usager space.
    path(
        "franceconnect/callback/",
        franceconnect_callback.franceconnect_callback,
        name="franceconnect-callback",
    ),
    path(
        "franceconnect/logout-callback/",
        franceconnect_callback.franceconnect_logout_callback,
        name="franceconnect-logout-callback",
    ),
    path("usager/", usager_space.usager_space, name="usager-space"),
    path("usager/connexion/", usager_space.usager_login, name="usager-login"),
    path("usager/deconnexion/", usager_space.usager_logout, name="usager-logout"),
    path(
        "usager/autorisations/<int:pk>/revoquer/",
        usager_space.usager_autorisation_revoke,
        name="usager-autorisation-revoke",
    ),
    path(
        "usager/mandats/<int:pk>/revoquer/",
        usager_space.usager_mandat_revoke,
        name="usager-mandat-revoke",
    ),
    path(
        "usager/mandats/<int:pk>/utilisations/",
        usager_space.usager_mandat_uses,
        name="usager-mandat-uses",
    ),
    path(
        "usager/mandats/<int:pk>/attestation-revocation.pdf",
        usager_space.usager_revocation_pdf,
        name="usager-revocation-pdf",
    ),
    path("organisation/", aidant.organisation_switch, name="organisation-switch"),
    path("referent/", referent.referent_index, name="referent-index"),
    path("referent/<int:pk>/", referent.referent_organisation, name="referent-organisation"),
    path("referent/<int:pk>/equipe/", referent.referent_team, name="referent-team"),
    # Before the actions' pattern, which would take « carte » for an action.
    path(
        "referent/<int:pk>/equipe/<int:aidant_pk>/carte/",
        referent.carte_associate,
        name="referent-carte-associate",
    ),
    path(
        "referent/<int:pk>/equipe/<int:aidant_pk>/<slug:action>/",
        referent.referent_aidant_action,
        name="referent-aidant-action",
    ),
    path("cartes/<int:pk>/perdue/", cards.carte_lost, name="carte-lost"),
    path("cartes/<int:pk>/debloquer/", cards.carte_unlock, name="carte-unlock"),
    path("cartes/", cards.cartes_stock, name="cartes-stock"),
    path(
        "demande-habilitation/",
        organisation_request.organisation_request_new,
        name="organisation-request-new",
    ),
    # Before the request's own page, whose token would take this path.
    path(
        "demande-habilitation/renvoyer-le-lien/",
        organisation_request.organisation_request_resend_link,
        name="organisation-request-resend-link",
    ),
    path(
        "habilitation/organisations/",
        organisation_request.organisation_requests,
        name="organisation-requests",
    ),
    path(
        "habilitation/organisations/<int:pk>/",
        organisation_request.organisation_request_detail,
        name="organisation-request-detail",
    ),
    path(
        "habilitation/organisations/<int:pk>/<slug:action>/",
        organisation_request.organisation_request_act,
        name="organisation-request-act",
    ),
    path(
        "demande-habilitation/<str:token>/",
        organisation_request.organisation_request_page,
        name="organisation-request-page",
    ),
    path(
        "referent/<int:pk>/habilitations/nouvelle/",
        referent.habilitation_request_new,
        name="habilitation-request-new",
    ),
    path("habilitations/", anct.habilitation_decisions, name="habilitation-decisions"),
    path(
        "habilitations/<int:pk>/valider/",
        anct.habilitation_validate,
        name="habilitation-validate",
    ),
    path("habilitations/<int:pk>/refuser/", anct.habilitation_refuse, name="habilitation-refuse"),
]
