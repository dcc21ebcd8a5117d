from django.urls import path

from franceconnect_mock import views

app_name = "franceconnect_mock"

# The paths of FranceConnect v2, so that a relying party only changes its base URL.
urlpatterns = [
    path(
        "api/v2/.well-known/openid-configuration",
        views.discovery,
        name="discovery",
    ),
    path("api/v2/authorize", views.authorize, name="authorize"),
    path("api/v2/token", views.token, name="token"),
    path("api/v2/userinfo", views.userinfo, name="userinfo"),
    path("api/v2/session/end", views.session_end, name="session_end"),
    path("api/v2/jwks", views.jwks, name="jwks"),
]
