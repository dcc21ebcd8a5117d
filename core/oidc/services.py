"""Writes shared by the providers that are not a protocol step: registering a client."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import transaction

from core.oidc.models import HashedSecretClient

ClientT = TypeVar("ClientT", bound=HashedSecretClient)


@transaction.atomic
def client_register(
    model: type[ClientT],
    *,
    client_id: str,
    secret: str,
    redirect_uris: Iterable[str],
    post_logout_redirect_uris: Iterable[str],
    **fields: Any,
) -> ClientT:
    """Create the client, or update it in place (`fields` are the model's other fields):
    calling it again is harmless."""
    client = model._default_manager.select_for_update().filter(client_id=client_id).first()
    client = client or model(client_id=client_id)
    client.set_secret(secret)
    client.redirect_uris = list(redirect_uris)
    client.post_logout_redirect_uris = list(post_logout_redirect_uris)
    for name, value in fields.items():
        setattr(client, name, value)
    client.save()
    return client
