from collections.abc import Mapping
from typing import Any, Protocol

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView


class Abilities(Protocol):
    """Anything that answers, for a person, which actions they may take: a model's row, or an
    object holding the rights that no single row carries (programme-wide ones)."""

    def get_abilities(self, user: Any) -> Mapping[str, bool]: ...


class HasAbility(permissions.BasePermission):
    """Reads `get_abilities(user)`: the one source of truth for each model, the only API check.

    Two maps on the view, from its action names to ability keys:

    - `collection_ability_map`: actions decided before any object is fetched (creating, the
      programme-wide actions), read from `view.collection_abilities`; an action absent from it
      passes this step. Refused: 403 with the holder's `refusal` message, if it has one.
    - `ability_map`: actions on one object, read from the object's own `get_abilities`; read-only
      actions default to "view", so a visible object is readable and an invisible one is never
      found at all (404, from the view's scoped queryset).
    """

    default_map = {
        "retrieve": "view",
        "list": "view",
        "update": "update",
        "partial_update": "update",
        "destroy": "destroy",
    }

    def has_permission(self, request: Request, view: APIView) -> bool:
        action = getattr(view, "action", None)
        ability = getattr(view, "collection_ability_map", {}).get(action)
        if ability is None:
            return True
        holder: Abilities = view.collection_abilities  # type: ignore[attr-defined]
        if holder.get_abilities(request.user).get(ability, False):
            return True
        self._refuse_with(getattr(holder, "refusal", None))
        return False

    def has_object_permission(self, request: Request, view: APIView, obj: Any) -> bool:
        mapping = {**self.default_map, **getattr(view, "ability_map", {})}
        action = getattr(view, "action", None)
        ability = mapping.get(action, action)
        if obj.get_abilities(request.user).get(ability, False):
            return True
        self._refuse_with(getattr(view, "ability_refusal", None))
        return False

    def _refuse_with(self, message: str | None) -> None:
        # DRF reads `message` from the permission that refused; without one, its generic text.
        if message:
            self.message = message
