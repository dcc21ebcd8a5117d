from django.conf import settings
from django.urls import path

from idp import demo_views, views

app_name = "idp"

urlpatterns = [
    # At the site root, where OIDC Discovery looks for it given the issuer.
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path("idp/authorize", views.authorize, name="authorize"),
    path("idp/token", views.token, name="token"),
    path("idp/userinfo", views.userinfo, name="userinfo"),
    path("idp/session/end", views.session_end, name="session-end"),
    path("idp/jwks", views.jwks, name="jwks"),
]

# The demo public service is another actor of the demo, mounted with the mock FranceConnect and
# never in production.
if settings.FRANCECONNECT_MOCK_ENABLED:
    urlpatterns += [
        path("demarche-en-ligne-demo/", demo_views.home, name="demo-home"),
        path("demarche-en-ligne-demo/connexion/", demo_views.login, name="demo-login"),
        path("demarche-en-ligne-demo/retour/", demo_views.callback, name="demo-callback"),
    ]
