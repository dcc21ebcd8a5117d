"""Typed readers of the process environment.

Every setting that varies between the demo, the tests and production is read here, once, so that
a typo in a variable name fails loudly instead of silently falling back to a default.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on", "oui"}
_FALSE = {"0", "false", "no", "off", "non", ""}
_PAIR_ID = re.compile(r"[A-Za-z0-9_.-]{1,32}")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir 1/0, true/false ou yes/no (reçu : {raw!r}).")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier (reçu : {raw!r}).") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_pairs(name: str) -> dict[str, str]:
    """`id:value,id:value` as an ordered mapping (the first pair first). An id is made of letters,
    digits, `-`, `_` or `.`; a value may hold any character but a comma."""
    pairs: dict[str, str] = {}
    for item in env_list(name):
        key, _, value = (part.strip() for part in item.partition(":"))
        if not _PAIR_ID.fullmatch(key) or not value:
            raise ImproperlyConfigured(
                f"{name} doit être une liste « identifiant:valeur » séparée par des virgules "
                f"(élément invalide commençant par {key[:12]!r})."
            )
        if key in pairs:
            raise ImproperlyConfigured(f"{name} nomme deux fois l'identifiant {key!r}.")
        pairs[key] = value
    return pairs
