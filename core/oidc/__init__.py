"""What the product's two OpenID Connect providers share, written once: the mock FranceConnect
and Aidants Connect as an identity provider are separate actors, but their clients, signing keys,
codes, access tokens and authlib glue behave alike.

- `models`: abstract clients, rotating signing keys, hashed codes and access tokens;
- `keys`: a `KeyRing` (kid, rotation, retired keys published a while, JWKS, signing);
- `grants`: a `GrantStore` (codes and tokens issued, claimed, found, purged);
- `server`: authlib's `AuthorizationServer`, code grant, id_token and token validator glue;
- `views`: the token endpoint, refused authorizations, signed /userinfo;
- `services`: registering a client.

It imports neither provider: each builds its own on these pieces.
"""
