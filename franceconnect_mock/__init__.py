"""FranceConnect (simulation): a mock of FranceConnect v2, an OpenID Connect provider.

Another actor than the product: it shares nothing with it but the DSFR templates, so that it
can later run as its own service. Mounted at /mock-franceconnect/ when
FRANCECONNECT_MOCK_ENABLED; the endpoints are FranceConnect's, under <base>/api/v2/:
.well-known/openid-configuration, authorize, token, userinfo, session/end, jwks.

- `franceconnect_mock.demo.load()` registers the demo client (idempotent).
- `manage.py rotate_franceconnect_mock_keys` makes a new active ES256 key.
- `franceconnect_mock.testing` forges defective tokens for relying-party negative tests.
"""
