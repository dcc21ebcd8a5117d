from rest_framework import permissions


class HasAbility(permissions.BasePermission):
    """Reads the object's `get_abilities(user)`: the one source of truth for each model.

    A view declares `ability_map` from its action names to ability keys; read-only actions default
    to "view", so a visible object is readable and an invisible one is never found at all.
    """

    default_map = {
        "retrieve": "view",
        "list": "view",
        "update": "update",
        "partial_update": "update",
        "destroy": "destroy",
    }

    def has_object_permission(self, request, view, obj) -> bool:
        mapping = {**self.default_map, **getattr(view, "ability_map", {})}
        ability = mapping.get(view.action, view.action)
        return bool(obj.get_abilities(request.user).get(ability, False))
