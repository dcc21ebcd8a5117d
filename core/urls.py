from django.urls import path

from core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/", views.PasswordRequestView.as_view(), name="password-request"),
    path("mot-de-passe/envoye/", views.PasswordSentView.as_view(), name="password-sent"),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        views.PasswordSetView.as_view(),
        name="password-set",
    ),
    path("mot-de-passe/enregistre/", views.PasswordDoneView.as_view(), name="password-done"),
    path("structures/", views.structure_list, name="structure-list"),
    path("structures/nouvelle/", views.structure_create_view, name="structure-create"),
    path("structures/<int:pk>/", views.structure_detail, name="structure-detail"),
    path("structures/<int:pk>/inviter/", views.structure_invite_view, name="structure-invite"),
    path("structures/<int:pk>/modifier/", views.structure_edit, name="structure-edit"),
    path("compte/", views.account, name="account"),
    path("comptes/nouveau/", views.account_create_view, name="account-create"),
    path(
        "compte/jetons/<str:digest>/revoquer/",
        views.api_token_revoke_view,
        name="api-token-revoke",
    ),
    path("territoires/", views.departement_list, name="departement-list"),
    path("communes/", views.commune_search, name="commune-search"),
    # The footer's documents, open to everyone.
    path("documentation/api/", views.api_guide, name="api-guide"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("mentions-legales/", views.legal_notice, name="legal-notice"),
    path("donnees-personnelles/", views.personal_data, name="personal-data"),
    path("cookies/", views.cookies, name="cookies"),
]
